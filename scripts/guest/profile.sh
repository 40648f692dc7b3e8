#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make profile`, run on a rig booted without a driver: for each driver
# given, loads it for both NICs and samples every CPU of the guest (perf, the cpu-clock
# software event: TCG has no hardware counters) during each workload of `make bench`, then
# writes the report (kernel and module symbols, by share of all samples) to
# $RIG_RESULTS/profile-<driver>-<workload>.txt, with the workload's figure first.
#
#   profile.sh SECONDS RR WORKLOADS DRIVER...
# WORKLOADS is a comma-separated list of tcp_tx, tcp_rx, udp64_tx, udp64_rx and rr; RR is
# the rr program built by scripts/bench.sh.
set -u
. "$(dirname "$0")/lib.sh"
SECS=$1 RR=$2 WORKLOADS=$3
shift 3
NS=ns-remote
PERF=${PERF:-perf}

# The workload's client, run under perf; prints its figure.
mbps() { python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6, 1), "Mbit/s")'; }
pps() {
	python3 -c 'import json, sys
e = json.load(sys.stdin)["end"]["sum"]
print(round((e["packets"] - e["lost_packets"]) / e["seconds"]), "packets/s received,",
      round(e["packets"] / e["seconds"]), "sent")'
}
client() {
	case $1 in
	tcp_tx) iperf3 -c "$REMOTE_V4" -t "$SECS" -J | mbps ;;
	tcp_rx) iperf3 -c "$REMOTE_V4" -t "$SECS" -J -R | mbps ;;
	udp64_tx) iperf3 -c "$REMOTE_V4" -t "$SECS" -J -u -l 64 -b 0 | pps ;;
	udp64_rx) iperf3 -c "$REMOTE_V4" -t "$SECS" -J -u -l 64 -b 0 -R | pps ;;
	rr) echo "$("$RR" client "$REMOTE_V4" 5400 "$SECS") transactions/s" ;;
	*) echo "profile: unknown workload $1" >&2; return 1 ;;
	esac
}

# categories DATA DRIVER: the shares of all samples in DATA, summed by where the time went.
# - idle: the halted CPU (pv_native_safe_halt);
# - copies: data copied between user and kernel (_copy_from_iter, _copy_to_iter, and the
#   checksumming and plain copy routines under them);
# - mmio: register reads and writes through the Rust helpers. Under TCG the device model
#   runs inside the access that traps to it: a TDT write is where QEMU transmits the
#   queued frames and delivers them to the peer NIC, so this is mostly emulated device
#   work. The C driver's accessors are inlined, so its accesses count in "driver";
# - driver: the driver module and, for re1000e, the Rust abstractions it calls (kernel::net
#   symbols and the other rust_helper_ wrappers);
# - user: programs (iperf3, python3, rr);
# - stack: the rest of the kernel (protocols, sockets, scheduler, page allocator).
categories() {
	"$PERF" report -i "$1" --stdio --no-children --sort dso,sym --percent-limit 0 \
		2>/dev/null | awk -v drv="[$2]" '
		/^#/ || NF < 4 { next }
		{
			p = $1; sub("%", "", p); dso = $2; sym = $4
			for (i = 5; i <= NF; i++) sym = sym " " $i
			if (sym ~ /^(pv_native_safe_halt|default_idle|poll_idle)$/) c = "idle"
			else if (sym ~ /^(_copy_(from|to)_iter|copy_user_generic|rep_movs_alternative|csum_partial_copy_generic|_copy_(from|to)_user)$/) c = "copies"
			else if (sym ~ /^rust_helper_(read|write)[bwlq]$/) c = "mmio"
			else if (dso == drv || sym ~ /6kernel3net|kernel::net::/ || sym ~ /^rust_helper_/) c = "driver"
			else if (dso != "[kernel.kallsyms]" && dso != "[kernel.vmlinux]" && dso !~ /^\[/) c = "user"
			else c = "stack"
			s[c] += p
		}
		END {
			printf "shares: idle %.1f%%, copies %.1f%%, mmio %.1f%%, driver %.1f%%, user %.1f%%, stack %.1f%%\n",
				s["idle"], s["copies"], s["mmio"], s["driver"], s["user"], s["stack"]
		}'
}

for drv in "$@"; do
	rig_use "$drv" || exit 1
	for w in ${WORKLOADS//,/ }; do
		out=$RIG_RESULTS/profile-$drv-$w.txt
		data=/tmp/perf-$drv-$w.data
		if [ "$w" = rr ]; then
			rr_server "$RR"
		else
			ip netns exec $NS iperf3 -s -D -1 >/dev/null 2>&1
			sleep 1
		fi
		fig=$("$PERF" record -q -a -e cpu-clock -F 997 -o "$data" -- \
			bash -c "$(declare -f client mbps pps); SECS=$SECS RR=$RR REMOTE_V4=$REMOTE_V4 client $w" 2>/dev/null)
		wait
		{
			echo "# $drv $w: $fig"
			echo "# $(categories "$data" "$drv")"
			"$PERF" report -i "$data" --stdio --no-children --sort sym,dso --percent-limit 0.3 \
				2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 60
		} >"$out"
		echo "# $drv $w: $fig"
		sed -n 2p "$out"
		rm -f "$data"
	done
done
