#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: A/B of re1000e against the C e1000e on the same rig, one boot each, both
# NICs on the driver under test (scripts/guest/bench.sh measures), then a table with the
# ratio re1000e/e1000e, and re1000e's feature-notification latencies. Figures, not tests:
# nothing here passes or fails on a number.
. "$(dirname "$0")/lib.sh"
R=$TOP/.bench
rm -rf "$R"
mkdir -p "$R"
"$TOP/scripts/build.sh" >/dev/null || die "build failed; run scripts/build.sh"
for drv in re1000e e1000e; do
	log "bench: $drv"
	"$TOP/scripts/rig.sh" --driver $drv --timeout 1200 --results "$R/$drv" -- \
		scripts/guest/bench.sh >"$R/$drv.log" 2>&1 || {
		tail -n 30 "$R/$drv.log"
		die "bench run with $drv failed (log: $R/$drv.log)"
	}
done
python3 - "$R" <<'PY'
import sys
r = sys.argv[1]
def load(d):
    vals = {}
    for line in open(f"{r}/{d}/bench.txt"):
        k, v = line.split()
        vals[k] = float(v)
    return vals
a, b = load("re1000e"), load("e1000e")
better = {"tcp_tx_mbps": "higher", "tcp_rx_mbps": "higher", "udp64_pps": "higher",
          "rr_usec": "lower", "cpu_pct_per_gbit": "lower", "irqs_per_kpkt": "lower",
          "doorbells_per_kpkt": "lower"}
print(f"{'figure':22s} {'re1000e':>12s} {'e1000e':>12s} {'ratio':>7s}  better")
for k, way in better.items():
    if k in a and k in b:
        ratio = a[k] / b[k] if b[k] else float("nan")
        print(f"{k:22s} {a[k]:12.1f} {b[k]:12.1f} {ratio:7.2f}  {way}")
    else:
        print(f"{k:22s} {'-':>12s} {'-':>12s}  (not measured)")
for d in ("re1000e", "e1000e"):
    print(f"\nfeature notification latency, {d} (scripts/guest/ntf_bench.py):")
    print(open(f"{r}/{d}/ntf.txt").read().rstrip())
PY
