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
export PATH=$RE1000E_TOP/scripts/guest:$PATH
cd "$ksft" && ./run_kselftest.sh "$@" 2>&1 | tee "$out"
