#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The 82574L's IEEE 1588 clock as a PTP hardware clock, and hardware packet timestamps:
# ethtool reports the clock and the modes, the clock runs, is set, stepped and slewed, the
# timestamping configuration reads back what was set (and the receive filter the hardware
# really applies), lands in the registers, survives down/up, refuses what the hardware cannot
# do without changing anything, and packets asking for timestamps are sent and accounted for.
# Under QEMU the clock runs 2.5 times fast at the 82574's nominal increment and no packet
# timestamp is ever latched: the rates are checked relative to each other, a transmit
# timestamp must be given up and counted rather than delivered, and the test plays the
# hardware's latch (SYSTIM copied into TXSTMPL/H, VALID set: the emulator keeps what is
# written there) to see a latched timestamp delivered to the socket with the right time.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-tstamp
TOOL="$DIR/tstamp_tool.py"
TSYNCTXCTL=0xb614
TSYNCRXCTL=0xb620
RXMTRL=0xb634
RXUDP=0xb638

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
ktap_set_plan 15

READY=/tmp/re1000e-tstamp-ready.$$
OUTF=/tmp/re1000e-tstamp-out.$$
cleanup() {
	[ -n "${TSTOOL_PID:-}" ] && kill "$TSTOOL_PID" 2>/dev/null
	rm -f "$READY" "$OUTF"
	ip netns del $NS 2>/dev/null
	unload re1000e
}
trap cleanup EXIT
unload re1000e e1000e
kmemleak_reset
mark=$(mark_log)
modprobe re1000e
link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"

# tool ARGS...: tstamp_tool.py ARGS (phc and hwts requests) answered by one Python process
# started here: under TCG each start of Python costs more than a second, and the clock and
# configuration checks below ask dozens of questions. Prints the answer, returns the
# request's status. The coprocess is a child of this shell: wait for background jobs by
# PID below, never with a bare `wait`.
coproc TSTOOL { exec "$TOOL" serve; }
tool() {
	local line
	echo "$*" >&"${TSTOOL[1]}"
	while IFS= read -r line <&"${TSTOOL[0]}"; do
		[[ $line == "=== "* ]] && return "${line#=== }"
		echo "$line"
	done
	return 1
}

# reg OFFSET: a register of $A's NIC, as a number.
reg() {
	nic_reg "${SLOTS[0]}" "$1"
}
# wait_file F: wait up to 30 s for file F (a tool's "ready" signal), then remove it.
wait_file() {
	local _
	for _ in $(seq 300); do
		[ -e "$1" ] && rm -f "$1" && return 0
		sleep 0.1
	done
	return 1
}

# within V LO HI: LO <= V <= HI (floating point).
within() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}

# --- Capabilities -------------------------------------------------------------------------
T=$(ethtool -T "$A")
PHC=$(echo "$T" | awk '/PTP Hardware Clock:/ {print $NF}')
filters=$(echo "$T" | sed -n '/Receive Filter Modes:/,$p' | grep -cP '^\t')
if [[ "$PHC" =~ ^[0-9]+$ ]] && [ -c /dev/ptp"$PHC" ] &&
	[ "$(basename "$(readlink -f /sys/class/ptp/ptp"$PHC"/device)")" = "${SLOTS[0]}" ] &&
	echo "$T" | grep -qP '^\thardware-transmit' && echo "$T" | grep -qP '^\thardware-receive' &&
	echo "$T" | grep -qP '^\thardware-raw-clock' &&
	[ "$(echo "$T" | sed -n '/Transmit Timestamp Modes:/,/Receive Filter/p' | grep -cP '^\t(off|on)$')" = 2 ] &&
	[ "$filters" = 11 ]; then
	ktap_test_pass "ethtool -T: PHC /dev/ptp$PHC of ${SLOTS[0]}, hardware transmit/receive, 2 transmit modes, 11 receive filters"
else
	echo "$T" | sed 's/^/# /'
	ktap_test_fail "timestamping capabilities not as expected"
	PHC=0
fi

# --- The clock ----------------------------------------------------------------------------
rate0=$(tool phc "$PHC" rate 1)
echo "# PHC rate against CLOCK_MONOTONIC: $rate0"
if within "$rate0" 0.2 5; then
	ktap_test_pass "the clock runs (rate $rate0 of CLOCK_MONOTONIC)"
else
	ktap_test_fail "the clock runs at $rate0 of CLOCK_MONOTONIC"
fi

tool phc "$PHC" set 1000000000000
t=$(tool phc "$PHC" get)
if within "$t" 1000000000000 1030000000000; then
	ktap_test_pass "clock set to 1000 s reads $t ns"
else
	ktap_test_fail "clock set to 1000 s reads $t ns"
fi

up=$(tool phc "$PHC" shift 5000000000)
down=$(tool phc "$PHC" shift -3000000000)
if within "$up" 5000000000 6000000000 && within "$down" -3000000000 -2000000000; then
	ktap_test_pass "clock stepped by +5 s and -3 s (seen: $up, $down ns)"
else
	ktap_test_fail "clock steps of +5 s and -3 s seen as $up and $down ns"
fi

tool phc "$PHC" freq 500000
fast=$(tool phc "$PHC" rate 1)
tool phc "$PHC" freq -500000
slow=$(tool phc "$PHC" rate 1)
tool phc "$PHC" freq 0
again=$(tool phc "$PHC" rate 1)
echo "# rates: nominal $rate0, +50% $fast, -50% $slow, back $again"
if within "$(awk -v a="$fast" -v b="$rate0" 'BEGIN {print a / b}')" 1.4 1.6 &&
	within "$(awk -v a="$slow" -v b="$rate0" 'BEGIN {print a / b}')" 0.4 0.6 &&
	within "$(awk -v a="$again" -v b="$rate0" 'BEGIN {print a / b}')" 0.9 1.1; then
	ktap_test_pass "frequency offsets of +-500000 ppm change the rate by +-50%"
else
	ktap_test_fail "frequency offsets: rates $rate0, $fast (+50%), $slow (-50%), $again"
fi

out=$(tool phc "$PHC" freq 700000)
if [ "$out" = "error ERANGE" ]; then
	ktap_test_pass "a frequency offset beyond the 599999.9 ppm range is refused"
else
	ktap_test_fail "frequency offset +700000 ppm: '$out'"
fi

# --- Timestamping configuration ----------------------------------------------------------
# PTPv2 Sync over UDP (7): the hardware matches V2 over L2 and L4 together (TYPE 2 and
# ENABLED: 0x14, ethertype 0x88f7, UDP port 319 in network order: 0x3f01) and stamps peer
# delay messages too, so the caller hears "some" (2), as from the C driver; the filter
# reads back as set.
set=$(tool hwts "$A" set 1 7)
got=$(tool hwts "$A" get)
rx=$(reg $TSYNCRXCTL)
tx=$(reg $TSYNCTXCTL)
if [ "$set" = "1 2" ] && [ "$got" = "1 7" ] && [ $((rx & 0x1e)) = $((0x14)) ] &&
	[ $((tx & 0x10)) = 16 ] && [ "$(reg $RXMTRL)" = $((0x88f7)) ] &&
	[ "$(reg $RXUDP)" = $((0x3f01)) ]; then
	ktap_test_pass "transmit on, receive PTPv2 L4 Sync: answered 'some', reads back, registers programmed"
else
	ktap_test_fail "set '$set', get '$got', TSYNCRXCTL $rx TSYNCTXCTL $tx RXMTRL $(reg $RXMTRL) RXUDP $(reg $RXUDP)"
fi

bad_rx=$(tool hwts "$A" set 1 2)
bad_tx=$(tool hwts "$A" set 2 0)
if [ "$bad_rx" = "error ERANGE" ] && [ "$bad_tx" = "error ERANGE" ] &&
	[ "$(tool hwts "$A" get)" = "1 7" ] && [ "$(reg $TSYNCRXCTL)" = "$rx" ]; then
	ktap_test_pass "receive filter SOME and one-step transmit refused (ERANGE), nothing changed"
else
	ktap_test_fail "bad requests: '$bad_rx', '$bad_tx', now '$(tool hwts "$A" get)'"
fi

# The clock was set to about 1000 s above: across the reset it runs on from there (it
# neither stops nor jumps to the real time).
t0=$(tool phc "$PHC" get)
ip link set "$A" down && ip link set "$A" up && wait_carrier "$A"
t1=$(tool phc "$PHC" get)
echo "# PHC before down $t0 ns, after up $t1 ns"
if [ "$(tool hwts "$A" get)" = "1 7" ] && [ "$(reg $TSYNCRXCTL)" = "$rx" ] &&
	[ "$t1" -gt "$t0" ] && [ "$t1" -lt $((t0 + 120000000000)) ] &&
	within "$(tool phc "$PHC" rate 0.5)" 0.2 5; then
	ktap_test_pass "configuration kept and the clock runs on across down/up (a MAC reset)"
else
	ktap_test_fail "after down/up: '$(tool hwts "$A" get)', TSYNCRXCTL $(reg $TSYNCRXCTL), PHC $t0 -> $t1"
fi

# --- Packet timestamps --------------------------------------------------------------------
# Three datagrams ask for hardware transmit timestamps: all arrive, and each is either
# stamped (delivered to the socket), given up after the driver's 2 s wait, or skipped
# because the one before was still pending; every timestamp delivered is counted, and
# with none delivered at least one was waited for and given up.
s0=$(( $(drv_stat tx_hwtstamps) + $(drv_stat tx_hwtstamp_timeouts) + $(drv_stat tx_hwtstamp_skipped) ))
d0=$(drv_stat tx_hwtstamps)
sk0=$(drv_stat tx_hwtstamp_skipped)
ip netns exec $NS "$TOOL" recv "$B" 3319 3 10 "$READY" >"$OUTF" &
pid=$!
wait_file "$READY" || echo "# the peer's receiver did not start within 30 s"
sent=$("$TOOL" send "$A" 198.51.100.2 3319 3)
wait $pid
read -r got _ <"$OUTF"
rm -f "$OUTF"
sleep 3
s1=$(( $(drv_stat tx_hwtstamps) + $(drv_stat tx_hwtstamp_timeouts) + $(drv_stat tx_hwtstamp_skipped) ))
d1=$(drv_stat tx_hwtstamps)
echo "# timestamps returned: ${sent%% *}; counters: stamped $((d1 - d0)), timeouts $(drv_stat tx_hwtstamp_timeouts), skipped $(drv_stat tx_hwtstamp_skipped)"
# Nothing latched a timestamp (the emulator never does): at least the first request was
# waited for and given up, none was delivered.
if [ "$got" = 3 ] && [ $((s1 - s0)) = 3 ] && [ "${sent%% *}" = $((d1 - d0)) ] &&
	{ [ "${sent%% *}" != 0 ] || [ $((s1 - s0 - $(drv_stat tx_hwtstamp_skipped) + sk0)) -ge 1 ]; }; then
	ktap_test_pass "3 datagrams with transmit timestamp requests sent, each request accounted for"
else
	ktap_test_fail "received $got of 3, requests accounted $((s1 - s0)), timestamps returned '${sent%% *}' vs counted $((d1 - d0))"
fi

# The hardware latches the timestamp of the pending request: the driver delivers it to the
# socket as the clock's time of the latched SYSTIM, and counts it.
d0=$(drv_stat tx_hwtstamps)
t_out0=$(drv_stat tx_hwtstamp_timeouts)
"$TOOL" send "$A" 198.51.100.2 3322 1 "$READY" >"$OUTF" &
pid=$!
wait_file "$READY" || echo "# the datagram was not sent within 30 s"
read -r lt0 lt1 < <(tool latch "${SLOTS[0]}" "$PHC")
wait $pid
read -r n ts <"$OUTF"
rm -f "$OUTF"
# Reading TXSTMPH clears VALID on the hardware; the emulator keeps the bit.
"$DIR/reg_tool.py" "${SLOTS[0]}" clear $TSYNCTXCTL 1 >/dev/null
d1=$(drv_stat tx_hwtstamps)
echo "# latched between PHC $lt0 and $lt1 ns; delivered: $n '${ts:-}'; stamped +$((d1 - d0))"
if [ "$n" = 1 ] && [ -n "$lt0" ] && [ "$ts" -ge "$lt0" ] && [ "$ts" -le "$lt1" ] &&
	[ $((d1 - d0)) = 1 ] && [ "$(drv_stat tx_hwtstamp_timeouts)" = "$t_out0" ]; then
	ktap_test_pass "a latched transmit timestamp is delivered with the clock's time ($ts ns) and counted"
else
	ktap_test_fail "latched between $lt0 and $lt1: delivered '$n ${ts:-}', stamped +$((d1 - d0)), timeouts $t_out0 -> $(drv_stat tx_hwtstamp_timeouts)"
fi

tool hwts "$A" set 0 1 >/dev/null
r0=$(drv_stat rx_hwtstamps)
"$TOOL" recv "$A" 3320 5 10 "$READY" >"$OUTF" &
pid=$!
wait_file "$READY" || echo "# the receiver did not start within 30 s"
ip netns exec $NS "$TOOL" send "$B" 198.51.100.1 3320 5 >/dev/null
wait $pid
read -r got stamped <"$OUTF"
rm -f "$OUTF"
r1=$(drv_stat rx_hwtstamps)
if [ "$got" != 5 ] || [ "$stamped" != $((r1 - r0)) ]; then
	ktap_test_fail "receive filter all: received $got of 5, $stamped stamped, counter moved $((r1 - r0))"
elif [ "$stamped" = 0 ]; then
	ktap_test_skip "receive filter all: 5 datagrams received, none latched a timestamp (QEMU latches none)"
else
	ktap_test_pass "receive filter all: $stamped of 5 datagrams carry hardware timestamps"
fi

# Down, then unload, with a transmit timestamp pending: under QEMU a request stays pending
# for the driver's 2 s wait, and the interface goes down as soon as the datagram is sent.
tool hwts "$A" set 1 0 >/dev/null
"$TOOL" send "$A" 198.51.100.2 3321 1 "$READY" >/dev/null &
pid=$!
wait_file "$READY" || echo "# the datagram was not sent within 30 s"
ip link set "$A" down
wait $pid
sent_ok=$?
ip netns del $NS
if [ $sent_ok = 0 ] && unload re1000e && ! grep -q '^re1000e ' /proc/modules; then
	ktap_test_pass "down and unload with a transmit timestamp pending"
else
	ktap_test_fail "send (status $sent_ok) or unload with a transmit timestamp pending failed"
fi

kmemleak_result "timestamping"
no_kernel_warnings "$mark"
ktap_finished
