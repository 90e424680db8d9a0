#!/usr/bin/env bash
# Prove that scripts/deps.sh installs everything the host part of "make
# check" needs: build a minimal Debian bookworm root with debootstrap, copy
# the working tree into it (under /tmp, deliberately), and run
# "scripts/check.sh --host-only" inside it with chroot. Prints TAP; exits
# non-zero if a result failed. Needs root.
#
# FRESH_ROOT_FULL=1 runs the whole check instead (kernels, guests), as on a
# brand-new machine: every package is downloaded, none comes from the
# shared apt-archives/, and the check's cache in the root starts empty.
# Its phase time is the cold "make check" of a brand-new machine.
#
# Cache: $SYSMAP_CACHE/fresh-root (default ~/.cache/sysmap-seal/fresh-root)
#   pristine.tar   the debootstrap root as debootstrap left it; every run
#                  unpacks a fresh copy, so nothing an earlier run installed
#                  can hide a package missing from deps.sh
#                  (FRESH_ROOT_REFRESH=1 builds it again)
#   apt-archives/  downloaded .deb files only, shared between runs
#   logs/          this run's logs and build/results of the check
#   root/          the root of the last run, kept when it failed (or with
#                  FRESH_ROOT_KEEP=1); removed at the start of the next run
#   trash.*        used roots being removed in the background
# shellcheck source=scripts/common.sh
. "$(dirname "$0")/../../scripts/common.sh"

suite=bookworm
mirror=http://deb.debian.org/debian
dir=$CACHE/fresh-root
pristine=$dir/pristine.tar
root=$dir/root
archives=$dir/apt-archives
logs=$dir/logs
inside=/tmp/sysmap-seal	# where the working tree goes in the root
status=0
phase_start=$SECONDS
run_start=$SECONDS

ok() { echo "ok $*"; }
not_ok() { echo "not ok $*"; status=1; }
note() { printf '# %s\n' "$@"; }
phase_done() {	# phase_done NAME: print how long the phase took
	note "$1: $((SECONDS - phase_start)) s"
	phase_start=$SECONDS
}

[ "$(id -u)" -eq 0 ] || { echo "Bail out! fresh-root.sh needs root (debootstrap, mount, chroot)"; exit 1; }

# Mount points at or below a directory, deepest first (mountinfo field 5,
# with its octal escapes decoded).
mounts_under() {
	local d=$1 m
	while read -r m; do
		m=$(printf '%b' "$m")
		if [ "$m" = "$d" ] || [[ "$m" == "$d"/* ]]; then
			printf '%s\n' "$m"
		fi
	done < <(awk '{ print $5 }' /proc/self/mountinfo) | sort -r
	return 0
}

# Stop what still runs inside a root (a daemon a package started), by pid.
kill_inside() {
	local d=$1 p r pids=()
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		if [ "$r" = "$d" ] || [[ "$r" == "$d"/* ]]; then
			pids+=("${p#/proc/}")
		fi
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	note "stopping processes still running in $d: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null || true
	sleep 2
	kill -KILL "${pids[@]}" 2>/dev/null || true
}

# Unmount everything at or below a directory; lazily if it is busy. Fails
# if anything is still mounted there afterwards.
unmount_under() {
	local d=$1 m
	[ -d "$d" ] || return 0
	d=$(cd "$d" && pwd -P)
	kill_inside "$d"
	while read -r m; do
		[ -n "$m" ] || continue
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			printf 'warning: cannot unmount %s\n' "$m" >&2
	done < <(mounts_under "$d")
	if [ -n "$(mounts_under "$d")" ]; then
		printf 'error: still mounted below %s:\n' "$d" >&2
		mounts_under "$d" >&2
		return 1
	fi
}

# Remove a root, but only once nothing is mounted in it; --one-file-system
# is a second guard. A used root holds a few hundred thousand files (the
# kernel trees of the check), so it is renamed and removed in the background.
remove_root() {
	local d=$1 t
	[ -e "$d" ] || return 0
	unmount_under "$d" || { printf 'error: not removing %s\n' "$d" >&2; return 1; }
	t=$d
	if [[ $d != "$dir"/trash.* ]]; then
		t=$(mktemp -d "$dir/trash.XXXXXX")
		mv "$d" "$t/"
	fi
	setsid rm -rf --one-file-system "$t" </dev/null >/dev/null 2>&1 9>&- &
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	set +e
	if [ -n "${check_pid:-}" ] && kill -0 "$check_pid" 2>/dev/null; then
		kill -TERM "$check_pid" 2>/dev/null
	fi
	if [ -n "${progress_pid:-}" ]; then
		kill -TERM "$progress_pid" 2>/dev/null
	fi
	unmount_under "$root.debootstrap" || rc=1
	rm -f "$pristine.tmp"
	if [ -d "$root" ]; then
		if ! unmount_under "$root"; then
			echo "# ERROR: mounts left below $root, see above" >&2
			rc=1
		elif [ "$rc" -eq 0 ] && [ "${FRESH_ROOT_KEEP:-0}" != 1 ]; then
			remove_root "$root" || rc=1
		else
			echo "# the root is kept (unmounted) for inspection: $root" >&2
		fi
	fi
	exit "$rc"
}

# One run at a time; the traps only once this run owns the root.
mkdir -p "$dir" "$archives"
exec 9>"$dir/lock"
flock -n 9 || { echo "Bail out! another fresh-root.sh run holds $dir/lock"; exit 1; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
echo "1..3"

# The previous run's root (kept after a failure) and logs go first, and
# what an interrupted background removal left.
for t in "$root" "$dir"/trash.*; do
	[ ! -e "$t" ] || remove_root "$t" || { echo "Bail out! cannot remove $t safely"; exit 1; }
done
rm -rf "$logs"
mkdir -p "$logs"
phase_done "removing the previous run's root"

# 1. A pristine root: debootstrap once, then unpack a copy every run.
root_ok=0
if [ "${FRESH_ROOT_REFRESH:-0}" = 1 ]; then
	rm -f "$pristine"
fi
how="unpacked from the cached $pristine"
if [ ! -s "$pristine" ]; then
	how="debootstrapped now (cached as $pristine)"
	if ! command -v debootstrap >/dev/null; then
		note "installing debootstrap"
		{ apt-get install -y -q debootstrap || { apt-get update -q && apt-get install -y -q debootstrap; }; } \
			>"$logs/debootstrap.log" 2>&1 || true
	fi
	remove_root "$root.debootstrap" || exit 1
	note "debootstrap --variant=minbase $suite (log: $logs/debootstrap.log)"
	if debootstrap --variant=minbase "$suite" "$root.debootstrap" "$mirror" >>"$logs/debootstrap.log" 2>&1 &&
		unmount_under "$root.debootstrap"; then
		rm -f "$root.debootstrap"/var/cache/apt/archives/*.deb
		tar -C "$root.debootstrap" --numeric-owner -cpf "$pristine.tmp" . && mv "$pristine.tmp" "$pristine"
	fi
	remove_root "$root.debootstrap" || exit 1
	phase_done "debootstrap"
fi
if [ -s "$pristine" ]; then
	mkdir -p "$root"
	if tar -C "$root" --numeric-owner -xpf "$pristine" 2>"$logs/unpack.log" && [ -x "$root/usr/bin/apt-get" ]; then
		root_ok=1
	fi
	phase_done "unpacking a fresh copy of the root"
fi
if [ "$root_ok" -eq 1 ]; then
	ok "1 - debootstrap root ready: $suite minbase, $how, at $root"
else
	not_ok "1 - debootstrap root ready: no root (see $logs/debootstrap.log, $logs/unpack.log)"
	tail -n 5 "$logs/debootstrap.log" 2>/dev/null | sed 's/^/# /' || true
	echo "not ok 2 - deps step succeeded inside: not run, no root"
	echo "not ok 3 - host-only check passed inside: not run, no root"
	exit 1
fi

# 2. The working tree (tracked files and uncommitted changes, never build/
# outputs), resolv.conf, the mounts chroot needs, and no service starts.
mkdir -p "$root$inside"
(cd "$REPO" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		printf '%s\0' "$f"
	fi
done | cpio -0 -pdm --quiet "$root$inside")
note "copied $(find "$root$inside" -type f | wc -l) files of the working tree to $inside"
cp -L --remove-destination /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# The root is a mount point of its own, as / is on a machine: unshare
# --propagation (scripts/in-root.sh) refuses a root that is not.
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --bind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
if mountpoint -q /dev/shm; then
	mount --bind /dev/shm "$root/dev/shm"
fi
full=${FRESH_ROOT_FULL:-0}
[ "$full" = 1 ] || mount --bind "$archives" "$root/var/cache/apt/archives"
phase_done "copying the working tree and mounting /proc, /sys, /dev"

# 3. The host part of "make check" (or all of it), in a clean environment.
what="host-only check"
args=--host-only
if [ "$full" = 1 ]; then
	what="whole check"
	args=
fi
note "running check.sh${args:+ $args} in the root (full log: $logs/check.log)"
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	/bin/bash -c "cd $inside && SYSMAP_CACHE=/var/cache/sysmap-seal scripts/check.sh $args" \
	>"$logs/check.out" 2>"$logs/check.log" </dev/null &
check_pid=$!
# Show the check's stages as they start. Waiting with the wait builtin
# lets a signal reach the trap at once.
tail --pid="$check_pid" -n +1 -f "$logs/check.log" 2>/dev/null | grep --line-buffered '^==> ' | sed -u 's/^/# /' &
progress_pid=$!
check_rc=0
wait "$check_pid" || check_rc=$?
check_pid=
wait "$progress_pid" || true
progress_pid=
phase_done "check.sh${args:+ $args} in the root"
rm -rf "$logs/results"
cp -a "$root$inside/build/results" "$logs/results" 2>/dev/null || true

installed=$(sed -n 's/^==> installing //p' "$logs/check.log" | wc -w)
if grep -q '^==> \[1\] dependencies' "$logs/check.log" && grep -q '^==> \[2\] ' "$logs/check.log" &&
	! grep -qs '^not ok - dependencies' "$logs/results/builds.tap"; then
	ok "2 - deps step succeeded inside: scripts/deps.sh installed $installed packages (log: $logs/check.log)"
else
	not_ok "2 - deps step succeeded inside: scripts/deps.sh failed (log: $logs/check.log)"
	grep -E '^(E: |error: )' "$logs/check.log" | head -n 10 | sed 's/^/# /' || true
fi

closing=$(sed -n '$p' "$logs/check.out")
if [[ $closing =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]] &&
	[ "${BASH_REMATCH[2]}" -eq 0 ] && [ "${BASH_REMATCH[1]}" -gt 0 ] && [ "$check_rc" -eq 0 ]; then
	ok "3 - $what passed inside: \"$closing\" (logs: $logs/check.log, $logs/results/)"
else
	not_ok "3 - $what passed inside: \"${closing:-no closing line}\", exit $check_rc (logs: $logs/check.log, $logs/results/)"
	grep -h '^not ok' "$logs"/results/*.tap 2>/dev/null | head -n 30 | sed 's/^/# /' || true
fi
# A skip can be a package deps.sh does not install: name them all.
grep -hiE '^ok .*# *skip' "$logs"/results/*.tap 2>/dev/null | sed 's/^/# skipped: /' || true

phase_start=$SECONDS
if [ "$status" -eq 0 ] && [ "${FRESH_ROOT_KEEP:-0}" != 1 ]; then
	remove_root "$root" || status=1
else
	unmount_under "$root" || status=1
fi
phase_done "unmounting and cleaning up"
note "in all: $((SECONDS - run_start)) s"
exit "$status"
