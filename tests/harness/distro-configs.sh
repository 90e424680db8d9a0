#!/usr/bin/env bash
# Debian's own 7.3 kernel configurations (package linux-config-7.3: amd64
# generic, cloud and rt; arm64 generic), every one with
# CHECKPOINT_RESTORE=y, plus CONFIG_MSEAL_SYSTEM_MAPPINGS=y: after
# olddefconfig the option stays on with the mainline series and is dropped
# on the stock 7.3 tree (upstream's "depends on !CHECKPOINT_RESTORE").
# Configuration only, no build: seconds per configuration. Prints TAP.
export SYSMAP_SERIES=mainline
. "$(dirname "$0")/../../scripts/common.sh"

# The packages and their checksums, pinned as the base is.
version=7.3.4-1~bpo13+1
declare -A sha=(
	[amd64]=1161d8946bd74094857fc1950da809a14e1b3aafe4f3defbec83150520e3e82c
	[arm64]=395321c981ac06e2c6fd44ed978b6e6f1ee15341d2792b65f0d2c382603425cb
)
configs=(amd64:amd64_none_amd64 amd64:amd64_none_cloud-amd64 amd64:amd64_none_rt-amd64
	arm64:arm64_none_arm64)

series=$("$REPO/scripts/kernel-tree.sh" build-src)
stock=$CACHE/stock-src-mainline
dev=$("$REPO/scripts/kernel-tree.sh" dev)
if [ ! -e "$stock/.git" ]; then
	git -C "$dev" worktree prune
	git -C "$dev" worktree add -q --detach "$stock" base >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
status=0
for entry in "${configs[@]}"; do
	arch=${entry%%:*} name=${entry#*:}
	root=$CACHE/debs/linux-config-7.3_${version//[~:]/_}_$arch
	n=$((n + 1))
	if ! fetch_foreign_deb "$(base_field suite)" "linux-config-7.3:$arch" "$version" "${sha[$arch]}" "$root" 2>"$tmp/fetch.log"; then
		echo "not ok $n $name: linux-config-7.3 ($arch) could not be fetched"
		sed 's/^/# /' "$tmp/fetch.log"
		status=1
		continue
	fi
	karch=$arch
	[ "$arch" != amd64 ] || karch=x86_64
	results=()
	for tree in "$series" "$stock"; do
		o=$tmp/$name-$(basename "$tree")
		mkdir -p "$o"
		xz -dc "$root/usr/src/linux-config-7.3/config.$name.xz" >"$o/.config"
		grep -qx 'CONFIG_CHECKPOINT_RESTORE=y' "$o/.config" || results+=(no-cr)
		echo 'CONFIG_MSEAL_SYSTEM_MAPPINGS=y' >>"$o/.config"
		make -s -C "$tree" O="$o" ARCH="$karch" olddefconfig >/dev/null 2>"$tmp/kconfig.log" ||
			results+=(failed)
		if grep -qx 'CONFIG_MSEAL_SYSTEM_MAPPINGS=y' "$o/.config"; then results+=(kept); else results+=(dropped); fi
	done
	if [ "${results[*]}" = "kept dropped" ]; then
		echo "ok $n $name (CHECKPOINT_RESTORE=y): MSEAL_SYSTEM_MAPPINGS=y stays with the series, stock 7.3 drops it"
	else
		echo "not ok $n $name: series/stock gave '${results[*]}', want 'kept dropped' with CHECKPOINT_RESTORE=y"
		sed 's/^/# /' "$tmp/kconfig.log" | tail -n 5
		status=1
	fi
done
exit $status
