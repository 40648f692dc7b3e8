#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Paired request/response A/B on the bench kernel: TCP transactions/s of 1-byte requests
# and responses (scripts/guest/rr.c) for several driver variants taking turns in one boot,
# ROUNDS rounds of two SECONDS-long runs each. A variant is `re1000e` or `e1000e` (the
# modules of the bench build) or the path of a re1000e.ko built for the same bench kernel
# (a driver change under test: build it, copy the .ko aside, build the baseline). Prints
# each variant's median and spread, then for each variant against the first the median of
# the per-round ratios and in how many rounds it was ahead. The host's speed drifts by tens
# of percent between runs on these machines; a ratio taken within each round does not.
# Figures, not a test.
#
#   scripts/rr-pairs.sh [-r ROUNDS] [-s SECONDS] VARIANT VARIANT...   (defaults: 8, 2)
#   RIG_CPUS=1 scripts/rr-pairs.sh ...   one guest CPU: no IPIs, no idle, the sum of the
#                                        work per transaction
. "$(dirname "$0")/lib.sh"
export RE1000E_KERNEL=bench
ROUNDS=8 SECS=2
while getopts r:s: o; do
	case $o in
	r) ROUNDS=$OPTARG ;;
	s) SECS=$OPTARG ;;
	*) die "usage: scripts/rr-pairs.sh [-r ROUNDS] [-s SECONDS] VARIANT VARIANT..." ;;
	esac
done
shift $((OPTIND - 1))
case $ROUNDS in '' | *[!0-9]* | 0) die "-r $ROUNDS: expected rounds >= 1" ;; esac
case $SECS in '' | *[!0-9]* | 0) die "-s $SECS: expected seconds >= 1" ;; esac
[ $# -ge 2 ] || die "usage: scripts/rr-pairs.sh [-r ROUNDS] [-s SECONDS] VARIANT VARIANT..."
for v in "$@"; do
	case $v in
	re1000e | e1000e) ;;
	*.ko) [ -f "$v" ] || die "$v: no such module" ;;
	*) die "$v: expected re1000e, e1000e or the path of a re1000e.ko" ;;
	esac
done
R=$TOP/.bench/rr-pairs
rm -rf "$R"
mkdir -p "$R"
# Modules are copied under the results: the guest sees the checkout, not all of the host
# (its /tmp and /var/tmp are its own).
variants=()
for v in "$@"; do
	case $v in
	*.ko)
		cp "$v" "$R/${#variants[@]}-$(basename "$v")"
		variants+=("$R/${#variants[@]}-$(basename "$v")")
		;;
	*) variants+=("$v") ;;
	esac
done
bench_tools "$R"
log "rr-pairs: ${#variants[@]} variants, $ROUNDS rounds in one boot, 2 runs of ${SECS} s per turn"
"$TOP/scripts/rig.sh" --driver none \
	--timeout $((300 + (30 + 2 * SECS) * ROUNDS * ${#variants[@]})) \
	--results "$R" -- scripts/guest/rr_pairs.sh "$ROUNDS" "$SECS" "$R/rr" "${variants[@]}" \
	>"$R/rig.log" 2>&1 || {
	tail -n 30 "$R/rig.log"
	die "rr-pairs run failed (log: $R/rig.log)"
}
python3 - "$R/rr-pairs.txt" "${variants[@]}" <<'PY'
import os
import statistics
import sys
path, variants = sys.argv[1], sys.argv[2:]
turns = [{} for _ in variants]
for line in open(path):
    r, i, _, a, b = line.split()
    turns[int(i)][int(r)] = (float(a) + float(b)) / 2
names = [f"{i}:{os.path.basename(v)}" for i, v in enumerate(variants)]
print(f"{'variant':28} {'median tps':>10} {'spread':>16}")
for n, t in zip(names, turns):
    v = list(t.values())
    print(f"{n:28} {statistics.median(v):10.0f} {min(v):7.0f}..{max(v):<7.0f}")
for n, t in zip(names[1:], turns[1:]):
    rounds = sorted(set(t) & set(turns[0]))
    ratios = [t[r] / turns[0][r] for r in rounds]
    ahead = sum(x > 1 for x in ratios)
    print(f"{n} / {names[0]}: paired median {statistics.median(ratios):.2f}, "
          f"ahead in {ahead} of {len(ratios)} rounds")
PY
