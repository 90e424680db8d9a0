#!/bin/bash
# A clean guest suite: the control for the three failing ones.
echo "ok 1 guest booted and ran its suite"
exit 0
