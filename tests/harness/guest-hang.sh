#!/bin/bash
# A guest suite that never finishes: the runner must time out.
echo "# hanging on purpose"
sleep 100000
