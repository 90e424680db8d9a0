#!/bin/bash
# A guest suite that fails: the runner must report exit status 1.
echo "ok 1 something passed before the failure"
exit 1
