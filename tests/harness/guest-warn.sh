#!/bin/bash
# A guest suite that passes but makes the kernel WARN (through LKDTM): the
# runner must fail the run because of the splat.
echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
echo "ok 1 suite itself succeeded"
exit 0
