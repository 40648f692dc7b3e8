#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: A/B of re1000e against the C e1000e on the same rig, on the bench kernel:
# the test configuration with lockdep, kmemleak, the atomic-sleep checks, fault injection,
# DMA-API debugging and KUnit off (scripts/kconfig/bench.config), built and cached beside
# the test kernel by this script only (never by `make check`). Debug options make every
# lock and allocation dearer, and the two drivers take locks and allocate differently:
# measured on the test kernel the ratios say little about what a user sees.
#
# One boot; each round loads one side for both NICs and measures (scripts/guest/bench.sh),
# then the other, in alternating order, so that both see the same host load. Prints, for
# each figure, the median of the rounds, the spread (min..max), the ratio of the medians
# and whether the two spreads overlap (a lead is only a lead where they do not), then the
# feature-notification latencies. Figures, not tests: nothing here passes or fails on a
# number.
#
#   scripts/bench.sh [ROUNDS]         re1000e against e1000e (default 5 rounds)
#   scripts/bench.sh --aa [ROUNDS]    the C e1000e against itself: the noise band
#   BENCH_SECONDS=N                   seconds per throughput run (default 8)
#   BENCH_NTF_COUNT=N                 notification latency samples per event (default 100)
#   BENCH_TLS=0                       leave out the kTLS figures (a quicker A/B)
. "$(dirname "$0")/lib.sh"
export RE1000E_KERNEL=bench
AA=0
if [ "${1:-}" = --aa ]; then
	AA=1
	shift
fi
ROUNDS=${1:-5}
SECS=${BENCH_SECONDS:-8}
NTF=${BENCH_NTF_COUNT:-100}
case $ROUNDS in '' | *[!0-9]* | 0) die "usage: scripts/bench.sh [--aa] [ROUNDS >= 1]" ;; esac
case $SECS in '' | *[!0-9]* | 0) die "BENCH_SECONDS=$SECS: expected seconds >= 1" ;; esac
case $NTF in '' | *[!0-9]* | 0) die "BENCH_NTF_COUNT=$NTF: expected a count >= 1" ;; esac
if [ $AA = 1 ]; then
	A=e1000e-a:e1000e B=e1000e-b:e1000e
else
	A=re1000e:re1000e B=e1000e:e1000e
fi
R=$TOP/.bench
rm -rf "$R"
mkdir -p "$R"
bench_tools "$R"
log "bench: ${A%%:*} and ${B%%:*}, $ROUNDS rounds in one boot, ${SECS} s per run"
# The kTLS figures (re1000e only, not in an A/A run): the engine against the kernel's
# software kTLS and against the per-skb fallback alone.
TLS_ROUNDS=$ROUNDS TLS_MIB=64
tls_cmd=
[ $AA = 1 ] || [ "${BENCH_TLS:-1}" = 0 ] || tls_cmd="scripts/guest/tls_bench.sh $TLS_ROUNDS $TLS_MIB"
"$TOP/scripts/rig.sh" --driver none \
	--timeout $((600 + (120 + 16 * SECS) * ROUNDS + (60 + TLS_MIB) * TLS_ROUNDS)) \
	--results "$R" -- env BENCH_NTF_COUNT="$NTF" bash -c \
	"scripts/guest/bench.sh $ROUNDS $SECS $R/rr $A $B${tls_cmd:+ && $tls_cmd}" \
	>"$R/bench.log" 2>&1 || {
	tail -n 30 "$R/bench.log"
	die "bench run failed (log: $R/bench.log)"
}
python3 - "$R" "$ROUNDS" "${A%%:*}" "${B%%:*}" <<'PY'
import statistics
import sys
r, rounds, a_name, b_name = sys.argv[1:5]
def load(d):
    vals = {}
    for line in open(f"{r}/{d}.txt"):
        k, v = line.split()
        vals.setdefault(k, []).append(float(v))
    return vals
a, b = load(a_name), load(b_name)
better = {"tcp_tx_mbps": "higher", "tcp_rx_mbps": "higher", "tcp4_tx_mbps": "higher",
          "tcp4_rx_mbps": "higher", "udp64_tx_pps": "higher", "udp64_rx_pps": "higher",
          "rr_tps": "higher", "rr_usec": "lower", "cpu_pct_per_gbit": "lower",
          "irqs_per_kpkt": "lower", "doorbells_per_kpkt": "lower"}
def spread(v):
    return f"{min(v):.1f}..{max(v):.1f}"
print(f"bench kernel; median of {rounds} rounds, sides alternated in one boot")
print(f"{'figure':20s} {a_name:>9s} {'(spread)':>18s} {b_name:>9s} {'(spread)':>18s}"
      f" {'ratio':>6s}  better  spreads")
for k, way in better.items():
    if k in a and k in b:
        ma, mb = statistics.median(a[k]), statistics.median(b[k])
        ratio = ma / mb if mb else float("nan")
        overlap = min(a[k]) <= max(b[k]) and min(b[k]) <= max(a[k])
        print(f"{k:20s} {ma:9.1f} {spread(a[k]):>18s} {mb:9.1f} {spread(b[k]):>18s}"
              f" {ratio:6.2f}  {way:6s}  {'overlap' if overlap else 'apart'}")
    else:
        print(f"{k:20s} {'-':>9s} {'':>18s} {'-':>9s} {'':>18s}  (not measured)")
for d in (a_name, b_name):
    print(f"\nfeature notification latency, {d} (scripts/guest/ntf_bench.py, one process):")
    print(open(f"{r}/ntf-{d}.txt").read().rstrip())
try:
    t = load("tls")
except FileNotFoundError:
    t = None
if t:
    print(f"\nkTLS transmit, re1000e (scripts/guest/tls_bench.sh; TLS 1.2 AES-GCM-128, sendfile"
          f" to a software kTLS receiver; median of {len(t.get('tls_engine_mbps', []))} rounds):")
    print(f"{'path':10s} {'Mbit/s':>9s} {'(spread)':>16s} {'CPU%/Gbit':>10s} {'(spread)':>14s}")
    for path, what in (("engine", "re1000e's engine, one pass per packet"),
                       ("sw", "kernel kTLS in software (tls-hw-tx-offload off)"),
                       ("fallback", "per-skb fallback alone (engine faulted)")):
        m, c = t.get(f"tls_{path}_mbps"), t.get(f"tls_{path}_cpu_per_gbit")
        if m and c:
            print(f"{path:10s} {statistics.median(m):9.1f} {spread(m):>16s}"
                  f" {statistics.median(c):10.1f} {spread(c):>14s}  {what}")
    e, sw, fb = (t.get(f"tls_{p}_mbps") for p in ("engine", "sw", "fallback"))
    for name, other in (("sw", sw), ("fallback", fb)):
        if e and other:
            apart = min(e) > max(other) or max(e) < min(other)
            print(f"engine / {name}: {statistics.median(e) / statistics.median(other):.2f}"
                  f" ({'apart' if apart else 'overlap'})")
    for k, what in (("tls_add_us_median", "us per TLS_TX setsockopt, offloaded (tls_dev_add)"),
                    ("tls_add_us_sw_median", "us per TLS_TX setsockopt, software"),
                    ("tls_del_ms_full_table", "ms from closing 64 offloaded connections to"
                     " the last tls_dev_del"),
                    ("tls_invalidate_ns_full", "ns to invalidate 64 contexts (engine fault,"
                     " timed by the driver)"),
                    ("tls_invalidate_ns_empty", "ns for the same with an empty table"),
                    ("tls_context_bytes", "bytes per context (key and cipher state, slots)"),
                    ("tls_table_bytes", "bytes of table and engine slots, allocated once")):
        if k in t:
            print(f"{k:24s} {statistics.median(t[k]):10.0f}  {what}")
PY
