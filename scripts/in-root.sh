#!/usr/bin/env bash
# Run a command in a Debian root of the cache (scripts/toolchain-root.sh),
# as root, with /dev, /proc, the repository, the cache and the results
# directory mounted at their host paths, so that the command takes and
# writes the same paths it would on the host. The mounts live in a mount
# namespace of the command's own and end with it: nothing stays mounted,
# whatever happens.
#
#   in-root.sh ROOT COMMAND [ARGS...]
. "$(dirname "$0")/common.sh"
root=${1:?usage: in-root.sh ROOT COMMAND [ARGS...]}
shift
[ -x "$root/bin/sh" ] || die "no root at $root (scripts/toolchain-root.sh makes one)"
[ $# -gt 0 ] || die "usage: in-root.sh ROOT COMMAND [ARGS...]"
mkdir -p "$RESULTS"
dirs=(/dev /proc "$REPO" "$CACHE" "$RESULTS")
exec unshare --mount --propagation private -- /bin/bash -c '
	set -e
	root=$1
	n=$2
	shift 2
	for d in "${@:1:$n}"; do
		mkdir -p "$root$d"
		mount --rbind "$d" "$root$d"
	done
	shift "$n"
	exec chroot "$root" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
' in-root "$root" "${#dirs[@]}" "${dirs[@]}" "$@"
