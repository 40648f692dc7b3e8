#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make bench`, run on a rig booted without a driver: each round loads the
# two sides in turn for both NICs (the same boot, so both see the same host load; which
# goes first alternates) and measures, appending "key value" lines to
# $RIG_RESULTS/<side>.txt:
#   tcp_tx_mbps / tcp_rx_mbps     iperf3 TCP, one stream, local -> peer and peer -> local
#   tcp4_tx_mbps / tcp4_rx_mbps   the same with 4 streams
#   udp64_tx_pps / udp64_rx_pps   iperf3 UDP, 64-byte payloads, packets/s received
#   rr_tps                        TCP request/response transactions/s, 1 byte each way
#                                 (scripts/guest/rr.c, netperf TCP_RR style)
#   rr_usec                       ICMP request/response round trip, mean of 500
#   cpu_pct_per_gbit              guest CPU busy (all CPUs, %) per Gbit/s during tcp_tx
#   irqs_per_kpkt                 interrupts of both NICs per 1000 packets during tcp_tx
#   doorbells_per_kpkt            TDT+RDT register writes QEMU saw per 1000 packets
#                                 (QEMU trace event e1000e_core_write, separate run)
# Then the notification latencies of scripts/guest/ntf_bench.py for each side go to
# $RIG_RESULTS/ntf-<side>.txt.
#
#   bench.sh ROUNDS SECONDS RR SIDE:DRIVER SIDE:DRIVER
# RR is the rr program built by scripts/bench.sh; an A/A run gives both sides one driver.
# BENCH_NTF_COUNT (default 100) is ntf_bench.py's count for re1000e (a twentieth of it for
# e1000e).
set -u
. "$(dirname "$0")/lib.sh"
ROUNDS=$1 SECS=$2 RR=$3
NTF_COUNT=${BENCH_NTF_COUNT:-100}
SIDES=("$4" "$5")
NS=ns-remote
QMON=$RE1000E_TOP/scripts/guest/qmon
OUT=
put() { echo "$1 $2" | tee -a "$OUT"; }

# use SIDE:DRIVER: both NICs on DRIVER, the rig's addresses and namespace set up again;
# figures go to SIDE's file.
use() {
	OUT=$RIG_RESULTS/${1%%:*}.txt
	rig_use "${1#*:}"
}

pkts() { # packets through both interfaces (tx + rx, both ends)
	local a b
	a=$(awk -v i="$NETIF:" '$1 == i {print $3 + $11}' /proc/net/dev)
	b=$(ip netns exec $NS awk -v i="$REMOTE_IF:" '$1 == i {print $3 + $11}' /proc/net/dev)
	echo $((a + b))
}
irqs() { # interrupts of the rig's NICs (by interface or driver name)
	awk -v a="$NETIF" -v b="$REMOTE_IF" '$0 ~ a || $0 ~ b || /re1000e|e1000e/ {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END {print s + 0}' /proc/interrupts
}
busy() { # busy and total jiffies over all CPUs
	awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat
}
mbps() { python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6, 1))'; }

# iperf3 RUN_ARGS...: one iperf3 run against a fresh server in the peer namespace; prints
# its JSON.
iperf() {
	ip netns exec $NS iperf3 -s -D -1 >/dev/null 2>&1
	sleep 1
	iperf3 -c "$REMOTE_V4" -t "$SECS" -J "$@"
}
udp_pps() {
	python3 -c 'import json, sys
e = json.load(sys.stdin)["end"]["sum"]
print(round((e["packets"] - e["lost_packets"]) / e["seconds"]))'
}

measure() {
	ip netns exec $NS iperf3 -s -D -1 >/dev/null 2>&1
	sleep 1
	p0=$(pkts) i0=$(irqs)
	read -r b0 t0 <<<"$(busy)"
	tx=$(iperf3 -c "$REMOTE_V4" -t "$SECS" -J | mbps)
	read -r b1 t1 <<<"$(busy)"
	p1=$(pkts) i1=$(irqs)
	put tcp_tx_mbps "$tx"
	cpu=$(python3 -c "print(round(100 * ($b1 - $b0) / ($t1 - $t0) / ($tx / 1000), 1))")
	put cpu_pct_per_gbit "$cpu"
	put irqs_per_kpkt "$(python3 -c "print(round(1000 * ($i1 - $i0) / ($p1 - $p0), 1))")"
	put tcp_rx_mbps "$(iperf -R | mbps)"
	put tcp4_tx_mbps "$(iperf -P 4 | mbps)"
	put tcp4_rx_mbps "$(iperf -P 4 -R | mbps)"
	put udp64_tx_pps "$(iperf -u -l 64 -b 0 | udp_pps)"
	put udp64_rx_pps "$(iperf -u -l 64 -b 0 -R | udp_pps)"

	rr_server "$RR"
	put rr_tps "$("$RR" client "$REMOTE_V4" 5400 "$SECS")"
	wait

	put rr_usec "$(ping -c 500 -i 0.002 -q "$REMOTE_V4" | awk -F/ '/^rtt/ {print $5 * 1000}')"

	# Doorbells: QEMU logs every register write of the 82574 model while the trace event is on.
	LOG=$RIG_RESULTS/qemu-trace.log
	"$QMON" "logfile $LOG" >/dev/null
	"$QMON" "log trace:e1000e_core_write" >/dev/null
	ip netns exec $NS iperf3 -s -D -1 >/dev/null 2>&1
	sleep 1
	p0=$(pkts)
	: >"$LOG"
	iperf3 -c "$REMOTE_V4" -n 16M >/dev/null
	p1=$(pkts)
	"$QMON" "log none" >/dev/null
	sleep 1
	# The event logs "Write to register 0xOFFSET": TDT 0x3818, RDT 0x2818 (queue 1: 0x3918,
	# 0x2918).
	db=$(grep -cE "e1000e_core_write.* 0x(3818|2818|3918|2918)," "$LOG" || true)
	if [ -s "$LOG" ]; then
		put doorbells_per_kpkt "$(python3 -c "print(round(1000 * $db / ($p1 - $p0), 1))")"
	else
		echo "# no QEMU trace output (trace backend without log support?)"
	fi
}

for side in "${SIDES[@]}"; do
	: >"$RIG_RESULTS/${side%%:*}.txt"
done
for round in $(seq "$ROUNDS"); do
	# Alternate which side goes first, so a drift in host load does not favour one.
	order=("${SIDES[0]}" "${SIDES[1]}")
	[ $((round % 2)) = 0 ] && order=("${SIDES[1]}" "${SIDES[0]}")
	for side in "${order[@]}"; do
		echo "# round $round: $side"
		use "$side" || exit 1
		measure
	done
done
for side in "${SIDES[@]}"; do
	use "$side" || exit 1
	n=$NTF_COUNT
	# The C driver does not indicate link-speed changes (each such event waits its 3 s
	# for nothing): fewer rounds for it.
	[ "${side#*:}" = e1000e ] && n=$(((n + 19) / 20))
	"$RE1000E_TOP/scripts/guest/ntf_bench.py" "$NETIF" "$LOCAL_SLOT" $n |
		tee "$RIG_RESULTS/ntf-${side%%:*}.txt"
done
