#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: A/B of re1000e against the C e1000e on the same rig. One boot; each round
# loads one driver for both NICs and measures (scripts/guest/bench.sh), then the other, in
# alternating order, so that both see the same host load. Prints, for each figure, the
# median of the rounds, its spread (min..max) and the ratio of the medians re1000e/e1000e,
# then the feature-notification latencies. Figures, not tests: nothing here passes or
# fails on a number.
#
#   scripts/bench.sh [ROUNDS]   (default 3)
. "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
case $ROUNDS in '' | *[!0-9]* | 0) die "usage: scripts/bench.sh [ROUNDS >= 1]" ;; esac
R=$TOP/.bench
rm -rf "$R"
mkdir -p "$R"
"$TOP/scripts/build.sh" >/dev/null || die "build failed; run scripts/build.sh"
log "bench: re1000e and e1000e, $ROUNDS rounds in one boot"
"$TOP/scripts/rig.sh" --driver none --timeout $((300 + 420 * ROUNDS)) --results "$R" -- \
	scripts/guest/bench.sh "$ROUNDS" >"$R/bench.log" 2>&1 || {
	tail -n 30 "$R/bench.log"
	die "bench run failed (log: $R/bench.log)"
}
python3 - "$R" "$ROUNDS" <<'PY'
import statistics
import sys
r, rounds = sys.argv[1], sys.argv[2]
def load(d):
    vals = {}
    for line in open(f"{r}/{d}.txt"):
        k, v = line.split()
        vals.setdefault(k, []).append(float(v))
    return vals
a, b = load("re1000e"), load("e1000e")
better = {"tcp_tx_mbps": "higher", "tcp_rx_mbps": "higher", "udp64_pps": "higher",
          "rr_usec": "lower", "cpu_pct_per_gbit": "lower", "irqs_per_kpkt": "lower",
          "doorbells_per_kpkt": "lower"}
def spread(v):
    return f"{min(v):.1f}..{max(v):.1f}"
print(f"median of {rounds} rounds, drivers alternated in one boot")
print(f"{'figure':20s} {'re1000e':>9s} {'(spread)':>16s} {'e1000e':>9s} {'(spread)':>16s}"
      f" {'ratio':>6s}  better")
for k, way in better.items():
    if k in a and k in b:
        ma, mb = statistics.median(a[k]), statistics.median(b[k])
        ratio = ma / mb if mb else float("nan")
        print(f"{k:20s} {ma:9.1f} {spread(a[k]):>16s} {mb:9.1f} {spread(b[k]):>16s}"
              f" {ratio:6.2f}  {way}")
    else:
        print(f"{k:20s} {'-':>9s} {'':>16s} {'-':>9s} {'':>16s}  (not measured)")
for d in ("re1000e", "e1000e"):
    print(f"\nfeature notification latency, {d} (scripts/guest/ntf_bench.py):")
    print(open(f"{r}/ntf-{d}.txt").read().rstrip())
PY
