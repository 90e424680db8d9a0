#!/usr/bin/env bash
# Sealing processes from outside on the sealing kernel: "sysmapctl seal"
# (ptrace injection of the prctl) and "sysmapctl criu" (dump and restore,
# every process given its recorded sealing back). Prints TAP.
#
# SYSMAP_RESEAL_CYCLES: dump/restore cycles in a row (default 5: a cycle
# takes about 9 s under QEMU TCG, and criu.sh makes 5 cycles of its own).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../programs
bin=${SYSMAP_BIN:-$here/../../build/userspace}
ctl=$bin/sysmapctl
cycles=${SYSMAP_RESEAL_CYCLES:-5}
logs=${SYSMAP_GUEST_RESULTS:-/tmp}/reseal-logs
work=/tmp/reseal
rm -rf "$work"
mkdir -p "$logs" "$work"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; failed=1; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
last=$EPOCHREALTIME
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
	awk -v a="$last" -v b="$EPOCHREALTIME" 'BEGIN { if (b - a > 2) printf "# (%.1f s)\n", b - a }'
	last=$EPOCHREALTIME
}
note() { sed 's/^/# /'; }
section() { echo "# --- $* (at ${SECONDS}s)"; }

# until SECONDS COMMAND...: wait for a condition itself, polling, with a
# deadline generous enough for a KASAN guest under emulation. A wait that
# times out is a failure of its own, naming the condition (a condition that
# can never hold would otherwise only cost its deadline).
until_true() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	while ! "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			nok "timed out after ${limit}s waiting for: $*"
			return 1
		fi
		sleep 0.05
	done
}
wait_file() { until_true 120 test -s "$1"; }
state() { sed -n 's/^Mseal_sysmap:\t//p' "/proc/$1/status" 2>/dev/null; }
task_state() { awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null; }
# A process that exists and has not exited (a zombie has).
running() { local s; s=$(task_state "$1"); [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]; }
# Asleep in a system call (not running, not stopped).
blocked() { [ "$(task_state "$1")" = S ] && ! grep -q '^running' "/proc/$1/syscall" 2>/dev/null; }
stopped() { [ "$(task_state "$1")" = T ]; }
# The first child of process $1's main thread (its children file has no
# newline, so "read" would fail on it).
first_child() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	echo "${c%% *}"
}
# Process $1 has at least $2 children.
has_children() { [ "$(cat /proc/"$1"/task/*/children 2>/dev/null | wc -w)" -ge "$2" ]; }
is_state() { [ "$(state "$1")" = "$2" ]; }
counter() { cut -d' ' -f"${2:-1}" "$1/counter" 2>/dev/null || echo 0; }
# The spin loop exits 99 if any of its registers changed: alive, both of its
# counters moving (main thread, other threads) means they did not. Polls
# until they have moved; a target that is gone fails at once, one that does
# not count for 60 s fails then.
spinning() {
	local dir=$1 pid=$2 a c end=$((SECONDS + 60))
	a=$(counter "$dir") c=$(counter "$dir" 2)
	while running "$pid"; do
		[ "$(counter "$dir")" -gt "$a" ] &&
			{ [ "${3:-}" != threads ] || [ "$(counter "$dir" 2)" -gt "$c" ]; } && return 0
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.05
	done
	return 1
}

# start NAME PROGRAM MODE [ARG]: start a test target opted out (unsealed),
# as root; sets $dir and $pid; read targets get $fd, their stdin's writer.
start() {
	local name=$1 prog=$2
	shift 2
	dir=$work/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	if [ "$1" = read ]; then
		mkfifo "$dir/fifo"
		exec {fd}<>"$dir/fifo"
		"$ctl" exec --unseal -- "$prog" "$dir" "$@" <&"$fd" >"$dir/out" 2>&1 &
	else
		"$ctl" exec --unseal -- "$prog" "$dir" "$@" </dev/null >"$dir/out" 2>&1 &
	fi
	if ! wait_file "$dir/ready"; then
		echo "# $name did not start; its output:"
		note <"$dir/out"
	fi
	pid=$(cat "$dir/ready" 2>/dev/null)
}
stop() { kill -KILL "$@" 2>/dev/null; wait "$@" 2>/dev/null; }
# delivered FD DIR TEXT: a line written to a read target arrives.
delivered() {
	rm -f "$2/got"
	echo "$3" >&"$1"
	wait_file "$2/got" && [ "$(cat "$2/got")" = "$3" ]
}
# seal ARGS...: run sysmapctl seal; sets $out and $rc.
seal() { out=$("$ctl" seal "$@" 2>&1); rc=$?; [ -z "$out" ] || printf '%s\n' "$out" | note; }
sealed_ok() { [ "$rc" -eq 0 ] && is_state "$1" "$sealed"; }
same_call() { [ "$(cut -d' ' -f1 "/proc/$1/syscall")" = "$2" ]; }
slept_full() {
	[[ $slept =~ ^rc=0\ errno=0\ ms=([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 20000 ] &&
		[ "${BASH_REMATCH[1]}" -lt 40000 ]
}
still_stopped() { [ "$(task_state "$1")" = T ] && [ "$(counter "$2")" = "$3" ]; }
# failure PID TEXT: exit 3 and one line, "failed to seal PID N: ...TEXT...(advice)".
failure() {
	[ "$rc" -eq 3 ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
		[[ $out == "sysmapctl: failed to seal PID $1: "*"$2"*"("*")" ]]
}
runs_as() { spinning "$1" "$2" && is_state "$2" "$3"; }

sealed="image=sealed policy=seal locked=no"
unsealed="image=unsealed policy=unseal locked=no"
target=$bin/seal_target

# --- sysmapctl seal ---------------------------------------------------------
section "sysmapctl seal"

start spin "$target" spin
check "seal: the target starts unsealed" is_state "$pid" "$unsealed"
seal "$pid"
check "seal: exits 0" test "$rc" -eq 0
check "seal: its status then reads '$sealed'" is_state "$pid" "$sealed"
maps_sealed() { local st; st=$("$ctl" status "$1") && grep -qE '^\s+\[vdso\].* yes$' <<<"$st" && grep -qE '^\s+\[vvar\].* yes$' <<<"$st"; }
check "seal: its [vdso] and [vvar] are sealed (smaps)" maps_sealed "$pid"
check "seal: every register of the spinning thread intact, it runs on" spinning "$dir" "$pid"
seal "$pid"
check "seal: sealing a sealed process again is a no-op (exit 0)" test "$rc" -eq 0
seal --lock "$pid"
check "seal --lock: locks its policy" is_state "$pid" "image=sealed policy=seal locked=yes"
check "seal --lock: the target still runs, registers intact" spinning "$dir" "$pid"
stop "$pid"

start threads "$target" spin 3
seal "$pid"
check "multi-threaded target (4 threads): sealed" sealed_ok "$pid"
check "multi-threaded target: the borrowed thread's registers intact, the other threads never stopped counting" \
	spinning "$dir" "$pid" threads
stop "$pid"

start read "$target" read
until_true 120 blocked "$pid"
before=$(cut -d' ' -f1 "/proc/$pid/syscall")
seal "$pid"
check "blocked in read(): sealed" sealed_ok "$pid"
check "blocked in read(): blocked in the same call again afterwards (syscall $before)" same_call "$pid" "$before"
check "blocked in read(): the call was restarted, the data written later arrives" delivered "$fd" "$dir" hello
stop "$pid"
exec {fd}>&-

# Long enough that sealing ends well before it, also under KASAN (9 s seen).
start sleep "$target" sleep 20000
until_true 120 blocked "$pid"
seal "$pid"
check "blocked in nanosleep(20 s): sealed" test "$rc" -eq 0
wait "$pid"
slept=$(cat "$dir/slept" 2>/dev/null)
echo "# $slept"
check "blocked in nanosleep(20 s): returned 0 after the full 20 s" slept_full

start stopped "$target" spin
kill -STOP "$pid"
until_true 120 stopped "$pid"
check "stopped target: in state T before" test "$(task_state "$pid")" = T
seal "$pid"
check "stopped target: sealed" sealed_ok "$pid"
sleep 0.5
a=$(counter "$dir")
sleep 0.3
check "stopped target: still in state T, not running (counter $a still)" still_stopped "$pid" "$dir" "$a"
kill -CONT "$pid"
check "stopped target: continues with its registers intact after SIGCONT" spinning "$dir" "$pid"
stop "$pid"

# A parent with two children, opted out.
"$ctl" exec --unseal -- bash -c 'sleep 300 & sleep 300 & wait' &
tree=$!
until_true 120 has_children "$tree" 2
kids=$(cat /proc/$tree/task/*/children)
seal --tree "$tree"
all=1
for p in $tree $kids; do is_state "$p" "$sealed" || all=0; done
check "seal --tree: the parent and its $(wc -w <<<"$kids") children sealed" test "$rc" -eq 0 -a "$all" -eq 1 -a -n "$kids"
stop $kids "$tree"

# ia32: a static 32-bit target, built on the host by build-selftests.sh
# (i686 cross compiler). Its absence is a failure: the build provides it.
target32=${SYSMAP_SELFTESTS:?}/programs/seal_target32
if [ -x "$target32" ]; then
	start spin32 "$target32" spin
	seal "$pid"
	check "ia32 target: sealed (int \$0x80 in its vDSO, prctl = 172)" sealed_ok "$pid"
	check "ia32 target: every register intact, it runs on" spinning "$dir" "$pid"
	stop "$pid"
	start read32 "$target32" read
	until_true 120 blocked "$pid"
	seal "$pid"
	check "ia32 target blocked in read(): sealed" sealed_ok "$pid"
	check "ia32 target blocked in read(): the call was restarted" delivered "$fd" "$dir" hello32
	stop "$pid"
	exec {fd}>&-
else
	for t in "ia32 target: sealed" "ia32 target: registers intact" "ia32 read: sealed" "ia32 read: restarted"; do
		nok "$t: no $target32 (scripts/build-selftests.sh builds it)"
	done
fi

section "failure paths"
# Every step failing in turn, on the same two targets: exit 3, one line
# naming the step, and each target as it was (running with its registers
# intact; blocked in read(), which is restarted). The calls only run once
# the registers were borrowed for them: only "restore" leaves a change, the
# policy the first call set; "entry" stops the first call as it enters the
# kernel, which must then skip it.
start fault-spin "$target" spin
spin_dir=$dir spin_pid=$pid
start fault-read "$target" read
read_dir=$dir read_pid=$pid
for step in attach interrupt getregs find-syscall inject entry restore; do
	out=$(SYSMAP_SEAL_FAULT=$step "$ctl" seal "$spin_pid" 2>&1)
	rc=$?
	printf '%s\n' "$out" | note
	check "SYSMAP_SEAL_FAULT=$step: exit 3, one line naming the step" failure "$spin_pid" "SYSMAP_SEAL_FAULT=$step"
	want=$unsealed
	# Sealing an opted-out target takes two calls, PR_MSEAL_SYSMAP_SET and
	# then PR_MSEAL_SYSMAP_SEAL_IMAGE; "restore" fails after the first ran.
	[ "$step" = restore ] && want="image=unsealed policy=seal locked=no"
	check "SYSMAP_SEAL_FAULT=$step: spinning target runs on, registers intact, state '$want'" \
		runs_as "$spin_dir" "$spin_pid" "$want"
	SYSMAP_SEAL_FAULT=$step "$ctl" seal "$read_pid" >/dev/null 2>&1
	check "SYSMAP_SEAL_FAULT=$step: a target blocked in read() still gets its data, state '$want'" \
		eval 'delivered "$fd" "$read_dir" "after-$step" && is_state "$read_pid" "$want"'
done
stop "$spin_pid" "$read_pid"
exec {fd}>&-
out=$(SYSMAP_SEAL_FAULT=bogus "$ctl" seal 1 2>&1)
rc=$?
check "SYSMAP_SEAL_FAULT=bogus: exit 2, the steps listed" eval '[ $rc -eq 2 ] && [[ $out == *find-syscall* ]]'

section "refusals"
# Refusals: exit 3, one line, the target untouched.
refused() {	# refused NAME PATTERN PID [RUNAS...]
	local name=$1 pattern=$2 p=$3
	shift 3
	out=$("$@" "$ctl2" seal "$p" 2>&1)
	rc=$?
	printf '%s\n' "$out" | note
	check "refused, $name: exit 3, 'failed to seal PID $p: $pattern'" failure "$p" "$pattern"
}
# nobody cannot run files from the repository share: a copy.
ctl2=$work/sysmapctl
install -m 0755 "$ctl" "$ctl2"

start victim "$target" spin
refused "not its owner (as nobody)" "not permitted to trace it: it belongs to user 0" "$pid" \
	setpriv --reuid=65534 --regid=65534 --clear-groups --
check "refused, not its owner: the target runs on unsealed" runs_as "$dir" "$pid" "$unsealed"
tdir=$work/tracer
mkdir -p "$tdir"
"$target" "$tdir" trace "$pid" >/dev/null 2>&1 &
wait_file "$tdir/ready"
tracer=$(cat "$tdir/ready")
refused "already traced" "already traced by PID $tracer" "$pid"
check "refused, already traced: its tracer is still attached, it runs on unsealed" \
	eval 'grep -qE "^TracerPid:\s+$tracer$" /proc/$pid/status && runs_as "$dir" "$pid" "$unsealed"'
stop "$tracer" "$pid"

if [ -r /proc/sys/kernel/yama/ptrace_scope ]; then
	scope=$(cat /proc/sys/kernel/yama/ptrace_scope)
	echo 1 >/proc/sys/kernel/yama/ptrace_scope
	dir=$work/yama
	mkdir -p "$dir"
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$ctl2" exec --unseal -- "$target" "$dir" spin &
	wait_file "$dir/ready"
	pid=$(cat "$dir/ready")
	refused "Yama ptrace_scope 1, same user" "ptrace_scope = 1" "$pid" setpriv --reuid=65534 --regid=65534 --clear-groups --
	echo "$scope" >/proc/sys/kernel/yama/ptrace_scope
	stop "$pid"
else
	skip "refused, Yama ptrace_scope 1" "no Yama in this kernel"
fi

(sleep 0.2 & exec sleep 300) &
zparent=$!
# The child exits and stays a zombie: sleep 300 never reaps it.
zombie_child() {
	local c
	c=$(first_child "$zparent")
	[ -n "$c" ] && [ "$(task_state "$c")" = Z ]
}
until_true 120 zombie_child
zombie=$(first_child "$zparent")
check "a zombie to refuse (PID $zombie, state $(task_state "$zombie"))" test "$(task_state "$zombie")" = Z
refused "zombie" "it is a zombie" "$zombie"
stop "$zparent"
refused "kernel thread (PID 2)" "it is a kernel thread" 2
true &
gone=$!
wait "$gone"
refused "exited process" "no such process" "$gone"

# --- sysmapctl criu ---------------------------------------------------------
section "sysmapctl criu"

cw=$work/criu
img=$work/img
# start_workload [exec options]: criu_workload with a second thread, in a
# session of its own (criu dumps no shell job); sealed unless told.
start_workload() {
	rm -rf "$cw" "$img"
	mkdir -p "$cw" "$img"
	if [ $# -gt 0 ]; then
		setsid "$ctl" exec "$@" -- "$bin/criu_workload" "$cw" --thread </dev/null >"$cw/out" 2>&1 &
	else
		setsid "$bin/criu_workload" "$cw" --thread </dev/null >"$cw/out" 2>&1 &
	fi
	wait_file "$cw/ready"
	wpid=$(cat "$cw/ready")
	until_true 120 has_children "$wpid" 1
	wchild=$(first_child "$wpid")
}
# report: the workload's self-check, in $line; succeeds if it arrived.
report() {
	rm -f "$cw/report"
	kill -USR1 "$wpid" 2>/dev/null || return 1
	wait_file "$cw/report" || return 1
	line=$(cat "$cw/report")
	counter=${line#counter=}
	counter=${counter%% *}
}
intact() { [[ $line == *"checksum=ok offset=ok child=ok pipe=ok clock=ok thread=ok vclock=ok"* ]]; }
dump() {
	"$ctl" criu -- criu dump -t "$wpid" -D "$img" -o dump.log -v4 >"$work/dump.out" 2>&1
	local rc=$?
	cp "$img/dump.log" "$logs/$1-dump.log" 2>/dev/null
	return $rc
}
restore() {
	"$ctl" criu -- criu restore -D "$img" -o restore.log -v4 >"$work/restore.out" 2>&1
	local rc=$?
	cp "$img/restore.log" "$logs/$1-restore.log" 2>/dev/null
	return $rc
}

start_workload
report
before=$counter
echo "# before: $line"
check "criu workload: sealed, intact before the first dump (vdso=sealed child_vdso=sealed)" \
	eval 'is_state "$wpid" "$sealed" && intact && [[ $line == *"vdso=sealed child_vdso=sealed"* ]]'
crit_ok=1 states_ok=1 vdso_ok=1 clock_ok=1 intact_ok=1 done=0 policy_ok=1
t0=$(date +%s.%N)
for i in $(seq "$cycles"); do
	c0=$EPOCHREALTIME
	dump cycle
	drc=$?
	c1=$EPOCHREALTIME
	restore cycle
	rrc=$?
	c2=$EPOCHREALTIME
	if [ "$drc" -ne 0 ] || [ "$rrc" -ne 0 ]; then
		echo "# cycle $i: criu failed"
		tail -n 5 "$work/dump.out" "$work/restore.out" | note
		crit_ok=0
		break
	fi
	[ "$i" -eq 1 ] && note <"$img/sysmap-policy"
	[ "$(grep -cE "^($wpid|$wchild) sealed seal no running$" "$img/sysmap-policy")" -eq 2 ] || policy_ok=0
	for p in $wpid $wchild; do is_state "$p" "$sealed" || { states_ok=0; echo "# cycle $i: $p: $(state "$p")"; }; done
	c3=$EPOCHREALTIME
	report
	rprc=$?
	[ "$i" -le 2 ] && awk -v a="$c0" -v b="$c1" -v c="$c2" -v d="$c3" -v e="$EPOCHREALTIME" -v i="$i" \
		'BEGIN { printf "# cycle %d: dump %.1f s, restore %.1f s, states %.1f s, self-check %.1f s\n", i, b - a, c - b, d - c, e - d }'
	if [ "$rprc" -ne 0 ]; then
		intact_ok=0
		echo "# cycle $i: no report"
		break
	fi
	[[ $line == *"vdso=sealed child_vdso=sealed"* ]] || vdso_ok=0
	[[ $line == *"vclock=ok"* ]] || clock_ok=0
	if ! intact || [ "$counter" -le "$before" ]; then
		intact_ok=0
		echo "# cycle $i: $line"
	fi
	before=$counter
	done=$i
	[ $((states_ok & vdso_ok & clock_ok & intact_ok & policy_ok)) -eq 1 ] || break
done
t1=$(date +%s.%N)
echo "# after: $line"
echo "# $done cycles in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s, %.1f s a cycle", b - a, (b - a) / ('"${done:-1}"' ? '"${done:-1}"' : 1) }')"
check "criu: $cycles dump/restore cycles in a row with 'sysmapctl criu', criu exit 0 each time" \
	test "$crit_ok" -eq 1 -a "$done" -eq "$cycles"
check "criu: each dump recorded parent and child as 'sealed seal no running' in DIR/sysmap-policy" test "$policy_ok" -eq 1 -a "$done" -gt 0
check "criu: after each restore parent and child report '$sealed'" test "$states_ok" -eq 1 -a "$done" -gt 0
check "criu: after each restore munmap() of the vDSO fails with EPERM in parent and child" test "$vdso_ok" -eq 1 -a "$done" -gt 0
check "criu: after each restore clock_gettime() through the vDSO is sane" test "$clock_ok" -eq 1 -a "$done" -gt 0
check "criu: after each restore counter, buffer, file offset, pipe, blocked child and thread intact" \
	test "$intact_ok" -eq 1 -a "$done" -gt 0

section "criu restore whose sealing fails"
# A restore whose sealing fails leaves the tree stopped, and sealed by hand
# it continues.
out=$(SYSMAP_SEAL_FAULT=inject "$ctl" criu -- criu dump -t "$wpid" -D "$img" -o dump.log 2>&1 &&
	SYSMAP_SEAL_FAULT=inject "$ctl" criu -- criu restore -D "$img" -o restore.log 2>&1)
rc=$?
printf '%s\n' "$out" | note
check "criu restore, sealing fails: exit 125, 'left stopped'" eval '[ $rc -eq 125 ] && [[ $out == *"left stopped"* ]]'
stopped_unsealed() { for p in $wpid $wchild; do [ "$(task_state "$p")" = T ] && is_state "$p" "$unsealed" || return 1; done; }
check "criu restore, sealing fails: parent and child stopped (T), unsealed" stopped_unsealed
seal --tree "$wpid"
kill -CONT "$wpid" $wchild
report
echo "# $line"
check "criu restore, sealing fails: 'seal --tree' and SIGCONT, then sealed and intact" \
	eval '[ $rc -eq 0 ] && intact && [[ $line == *"vdso=sealed child_vdso=sealed"* ]]'
stop "$wpid" $wchild

section "criu restore through a vDSO proxy"
# CRIU_FAULT=127 makes criu's restorer keep the dumped vDSO as a proxy:
# ordinary memory at its old address whose entry points jump into the
# kernel's [vdso], mapped elsewhere. The C library keeps calling the proxy,
# so sealing the image must seal it too. The workload's report attacks it
# (mprotect(), then mremap()) and reads its clocks through it.
proxy_path() { grep -q 'vdso: Runtime vdso mismatches dumpee, generate proxy' "$1"; }
proxy_listed() { grep -qE "^\s+\[vdso-proxy\].* $2\$" <<<"$("$ctl" status "$1")"; }
start_workload
report
before=$counter
dump proxy
CRIU_FAULT=127 "$ctl" criu -- criu restore -D "$img" -o restore.log -v4 >"$work/restore.out" 2>&1
rc=$?
cp "$img/restore.log" "$logs/proxy-restore.log" 2>/dev/null
"$ctl" status "$wpid" | note
report
echo "# $line"
check "criu restore, CRIU_FAULT=127: exit 0, and the restorer made a vDSO proxy (its log says so)" \
	eval '[ $rc -eq 0 ] && proxy_path "$logs/proxy-restore.log"'
check "criu restore through a proxy: status lists the [vdso-proxy], sealed, and the image '$sealed'" \
	eval 'proxy_listed "$wpid" yes && is_state "$wpid" "$sealed"'
check "criu restore through a proxy: mprotect() and mremap() of the proxy fail with EPERM, clocks sane, workload intact" \
	eval '[[ $line == *"proxy=sealed"* ]] && intact && [ "$counter" -gt "$before" ]'
# The same restore stopped before sealing: the proxy is there, unsealed;
# "seal" seals it with the image.
dump proxy2
out=$(CRIU_FAULT=127 SYSMAP_SEAL_FAULT=inject "$ctl" criu -- criu restore -D "$img" -o restore.log 2>&1)
rc=$?
printf '%s\n' "$out" | note
check "criu restore through a proxy, sealing fails: left stopped, the [vdso-proxy] listed unsealed" \
	eval '[ $rc -eq 125 ] && stopped "$wpid" && proxy_listed "$wpid" no'
verdict=$("$ctl" audit --proxies --fail-on-unsealed -r -n -o VERDICT -p "$wpid" 2>/dev/null)
rc=$?
check "audit --proxies: the process left with an unsealed [vdso-proxy] is a finding (exit 1, '$verdict')" \
	eval '[ $rc -eq 1 ] && [[ $verdict == unsealed || $verdict == proxy-unsealed ]]'
seal "$wpid"
check "seal: seals the image and its [vdso-proxy]" eval '[ $rc -eq 0 ] && proxy_listed "$wpid" yes && is_state "$wpid" "$sealed"'
# --all: a process that is no finding is listed only then.
verdict=$("$ctl" audit --proxies --all --fail-on-unsealed -r -n -o VERDICT -p "$wpid" 2>/dev/null)
rc=$?
check "audit --proxies after seal: sealed (exit 0, '$verdict')" eval '[ $rc -eq 0 ] && [ "$verdict" = sealed ]'
seal --tree "$wpid"
kill -CONT "$wpid" $wchild
report
echo "# $line"
check "seal of a proxied process: the proxy refuses mprotect() and mremap(), the workload continues intact" \
	eval '[[ $line == *"proxy=sealed"* ]] && intact'
stop "$wpid" $wchild

# Opted out, and locked: each comes back as it was.
start_workload --unseal
report
before=$counter
dump unsealed && restore unsealed
rc=$?
report
echo "# $line"
check "criu, opted-out workload: restored (exit 0), recorded 'unsealed unseal no'" \
	eval '[ $rc -eq 0 ] && grep -q "^$wpid unsealed unseal no running$" "$img/sysmap-policy"'
check "criu, opted-out workload: parent and child still '$unsealed', vDSO not sealed, intact" \
	eval 'is_state "$wpid" "$unsealed" && is_state "$wchild" "$unsealed" && intact && [[ $line == *"vdso=skipped child_vdso=skipped"* ]] && [ "$counter" -gt "$before" ]'
stop "$wpid" $wchild

start_workload --seal --lock
dump locked && restore locked
rc=$?
report
echo "# $line"
locked="image=sealed policy=seal locked=yes"
check "criu, locked workload: restored sealed and locked, parent and child" \
	eval '[ $rc -eq 0 ] && is_state "$wpid" "$locked" && is_state "$wchild" "$locked" && intact && [[ $line == *"vdso=sealed child_vdso=sealed"* ]]'
stop "$wpid" $wchild

section "done"
echo "1..$n"
exit $failed
