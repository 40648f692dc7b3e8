#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/rr-pairs.sh, on a rig booted without a driver: ROUNDS rounds in
# which each VARIANT in turn is loaded for both NICs (scripts/guest/lib.sh's rig_use: a
# driver name or the path of a re1000e.ko) and measured with two RR runs of SECS seconds
# (scripts/guest/rr.c, one connection, 1-byte request and response). Appends one line per
# turn, "round index variant tps tps" (index: the variant's place in the list, so a variant
# may be given twice for an A/A run), to $RIG_RESULTS/rr-pairs.txt.
#
#   rr_pairs.sh ROUNDS SECS RR VARIANT...
set -u
. "$(dirname "$0")/lib.sh"
ROUNDS=$1 SECS=$2 RR=$3
shift 3
OUT=$RIG_RESULTS/rr-pairs.txt

# One RR run against a fresh server in the peer namespace; prints transactions/s.
rr() {
	rr_server "$RR"
	"$RR" client "$REMOTE_V4" 5400 "$SECS"
	wait
}

for r in $(seq "$ROUNDS"); do
	i=0
	for v in "$@"; do
		rig_use "$v" || exit 1
		a=$(rr) && b=$(rr) || { echo "rr failed on $v" >&2; exit 1; }
		echo "$r $i $v $a $b" | tee -a "$OUT"
		i=$((i + 1))
	done
done
