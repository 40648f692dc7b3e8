#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: run installed kselftests with the rig's variables.
#   run-selftests.sh KSFT_DIR OUTFILE [run_kselftest.sh options...]
set -u
ksft=$1 out=$2
shift 2
. "$RE1000E_TOP/scripts/guest/lib.sh"
ksft_env
# times_of: for each program's result line, the seconds it took ("SECONDS NAME"), so a
# slow phase can be told apart by program (OUTFILE.times).
times_of() {
	local line t0 now
	printf -v t0 '%(%s)T' -1
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ [0-9]+\ selftests:\ (.*)$ ]]; then
			printf -v now '%(%s)T' -1
			echo "$((now - t0)) ${BASH_REMATCH[2]}"
			t0=$now
		fi
	done
}
cd "$ksft" && ./run_kselftest.sh "$@" 2>&1 | tee "$out" | times_of >"$out.times"
