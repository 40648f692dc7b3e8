#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: run installed kselftests with the rig's variables.
#   run-selftests.sh KSFT_DIR OUTFILE [run_kselftest.sh options...]
set -u
ksft=$1 out=$2
shift 2
set -a
. "$RIG_ENV"
set +a
# The rig is QEMU in TCG mode: tell the upstream tests what NIPA tells them on debug
# kernels, so they relax their timing bounds (gro.py's large_* cases, so_txtime.py),
# the same for both drivers.
export KSFT_MACHINE_SLOW=yes
export PATH=$RE1000E_TOP/scripts/guest:$PATH
cd "$ksft" && ./run_kselftest.sh "$@" 2>&1 | tee "$out"
