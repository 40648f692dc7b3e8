#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: run again only the upstream subtests that regressed, in run_kselftest.sh's
# output format (so scripts/upstream_compare.py reads it as a --retry log).
#   run-retry.sh KSFT_DIR OUTFILE TIMEOUT LIST
# LIST has upstream_compare.py's "RETRY collection:program [CASE...]" lines: a program with
# CASEs runs with "-t CASE" for each (the Python programs' filter, lib/py/ksft.py), one
# without runs whole. Each program gets TIMEOUT seconds.
set -u
ksft=$1 out=$2 timeout=$3 list=$4
[ -r "$list" ] || { echo "run-retry.sh: cannot read $list" >&2; exit 1; }
. "$RE1000E_TOP/scripts/guest/lib.sh"
ksft_env
n=$(grep -c '^RETRY ' "$list")
{
	echo "TAP version 13"
	echo "1..$n"
	i=0
	while read -r tag target cases; do
		[ "$tag" = RETRY ] || continue
		i=$((i + 1))
		coll=${target%%:*} prog=${target#*:}
		args=()
		for c in $cases; do args+=(-t "$c"); done
		echo "# selftests: $coll: $prog${cases:+ (-t $cases)}"
		(cd "$ksft/$coll" && timeout -k 10 "$timeout" "./$prog" "${args[@]}") 2>&1 |
			sed 's/^/# /'
		rc=${PIPESTATUS[0]}
		if [ "$rc" = 0 ]; then
			echo "ok $i selftests: $coll: $prog"
		else
			echo "not ok $i selftests: $coll: $prog # exit=$rc"
		fi
	done <"$list"
} | tee "$out"
