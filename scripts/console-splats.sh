#!/usr/bin/env bash
# Print the lines of a guest's console log that mean the kernel run was not
# clean: warnings, BUGs, oopses, lockdep, KASAN, UBSAN, KFENCE and hung-task
# reports. Exit status 0 when there is at least one, 1 when there is none.
#
#   console-splats.sh CONSOLE_LOG
#
# Only lines the kernel printed (with a timestamp) count, so a test that
# echoes one of these words on its own output cannot fail the run.
set -euo pipefail
log=${1:?usage: console-splats.sh CONSOLE_LOG}
re='^\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|Kernel panic|general protection fault'
re+='|possible circular locking|possible recursive locking|inconsistent lock state'
re+='|suspicious RCU usage|lock held when returning to user space|bad unlock balance'
re+='|INFO: task .* blocked|UBSAN:|KASAN:|KFENCE:|kernel BUG at|stack-protector'
re+='|sleeping function called from invalid context|scheduling while atomic)'
grep -aE "$re" "$log"
