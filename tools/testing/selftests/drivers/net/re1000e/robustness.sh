#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# re1000e under abuse: a transmit engine stopped behind the driver's back until the stack's
# watchdog declares a transmit timeout and the driver resets, 100 link flaps through the
# QEMU monitor while traffic runs, receive buffers that cannot be allocated for a while
# (fail_function), a ring change that cannot allocate at all, and unload while traffic runs
# both ways. After
# each the link carries traffic intact; in the end kmemleak finds nothing and the kernel
# logged no warning.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-robust
REG="$DIR/reg_tool.py"
TCTL=0x400

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
ktap_set_plan 10

LOAD=
stop_load() {
	# shellcheck disable=SC2086
	[ -n "$LOAD" ] && kill $LOAD 2>/dev/null
	wait 2>/dev/null
	LOAD=
}
cleanup() {
	stop_load
	ip netns del $NS 2>/dev/null
	unload re1000e
}
trap cleanup EXIT
unload re1000e e1000e
kmemleak_reset
mark=$(mark_log)
modprobe re1000e
link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"

# --- Transmit timeout ---------------------------------------------------------------------
# Clear TCTL.EN behind the driver's back: the transmit ring fills, the queue stops and the
# stack's watchdog (5 s) calls ndo_tx_timeout; the driver resets the data path.
t0=$(cat /sys/class/net/"$A"/queues/tx-0/tx_timeout 2>/dev/null || echo 0)
m1=$(mark_log)
"$REG" "${SLOTS[0]}" clear $TCTL 0x2 >/dev/null
timeout 30 ping -f -W 1 198.51.100.2 >/dev/null 2>&1 &
LOAD=$!
recovered=0
for _ in $(seq 300); do
	if [ "$(cat /sys/class/net/"$A"/queues/tx-0/tx_timeout 2>/dev/null || echo 0)" -gt "$t0" ] &&
		[ $(($("$REG" "${SLOTS[0]}" read $TCTL) & 0x2)) != 0 ]; then
		recovered=1
		break
	fi
	sleep 0.1
done
stop_load
if [ $recovered = 1 ] && dmesg | sed -n "/$m1/,\$p" | grep -q "transmit queue 0 timed out, resetting"; then
	ktap_test_pass "stopped transmit engine: watchdog timeout reported, data path reset"
else
	ktap_test_fail "transmit timeout: recovered=$recovered, tx_timeout $(cat /sys/class/net/"$A"/queues/tx-0/tx_timeout 2>/dev/null), TCTL $("$REG" "${SLOTS[0]}" read $TCTL), TDH $("$REG" "${SLOTS[0]}" read 0x3810), TDT $("$REG" "${SLOTS[0]}" read 0x3818), BQL inflight $(cat /sys/class/net/"$A"/queues/tx-0/byte_queue_limits/inflight)"
fi
wait_carrier "$A"
mib=$(full_or 8 16)
if stream_check - $NS 198.51.100.2 "$mib" 5503 && ping -c 2 -W 2 198.51.100.2 >/dev/null; then
	ktap_test_pass "after the reset $mib MiB arrive intact"
else
	ktap_test_fail "after the reset: no traffic"
fi

# --- Receive buffers run out ----------------------------------------------------------------
# Every page pool allocation fails (function error injection) while the peer streams to A,
# from before the stream starts until the driver has counted failures (at most 15 s) and
# 1 s more: both receive rings run dry. (A fixed 3 s window could close before the stream
# needed new pages, with no failure at all.) The stream must then complete intact and the
# failures be counted. (On hardware a dry ring raises no receive interrupt, which is why NAPI keeps
# polling while a refill is short; QEMU polls such a ring anyway, so this checks survival
# of the failures, not that repoll.)
FAILFN=/sys/kernel/debug/fail_function
if [ -d $FAILFN ] && echo page_pool_alloc_netmems >$FAILFN/inject; then
	echo 0 >$FAILFN/verbose
	echo 1 >$FAILFN/interval
	echo -1 >$FAILFN/times
	echo 100 >$FAILFN/probability
	f0=$(drv_stat rx_alloc_fail)
	(
		for _ in $(seq 75); do
			[ "$(drv_stat rx_alloc_fail)" -gt "$f0" ] && { sleep 1; break; }
			sleep 0.2
		done
		echo 0 >$FAILFN/probability
	) &
	INJ=$!
	stream_check $NS - 198.51.100.1 32 5505 && ok=1 || ok=0
	wait $INJ
	echo "!page_pool_alloc_netmems" >$FAILFN/inject
	f1=$(drv_stat rx_alloc_fail)
	if [ $ok = 1 ] && [ "$f1" -gt "$f0" ]; then
		ktap_test_pass "receive rings run dry by $((f1 - f0)) allocation failures refill themselves: 32 MiB intact"
	else
		ktap_test_fail "allocation failures: transfer ok=$ok, rx_alloc_fail $f0 -> $f1"
	fi
else
	ktap_test_skip "no function error injection (CONFIG_FAIL_FUNCTION, debugfs)"
fi

# --- A ring change that cannot allocate --------------------------------------------------
# With every page-pool allocation failing, `ethtool -G` can bring the data path back neither
# with the new ring sizes nor with the old ones: it must fail with an error and leave the
# old sizes and an interface that down/up brings back (a restart that failed half-way must
# not leave NAPI to be disabled twice, which waits forever under the RTNL).
if [ -d $FAILFN ] && echo page_pool_alloc_netmems >$FAILFN/inject; then
	rx_ring() { ethtool -g "$A" | awk '/^Current/ {c = 1} c && /^RX:/ {print $2; exit}'; }
	r0=$(rx_ring)
	echo 0 >$FAILFN/verbose
	echo 1 >$FAILFN/interval
	echo -1 >$FAILFN/times
	echo 100 >$FAILFN/probability
	out=$(timeout 60 ethtool -G "$A" rx $((r0 * 2)) 2>&1)
	rc=$?
	echo 0 >$FAILFN/probability
	echo "!page_pool_alloc_netmems" >$FAILFN/inject
	r1=$(rx_ring)
	if timeout 30 ip link set "$A" down && timeout 30 ip link set "$A" up && wait_carrier "$A" &&
		ping -c 2 -W 2 198.51.100.2 >/dev/null; then
		back=1
	else
		back=0
	fi
	if [ $rc != 0 ] && [ $rc != 124 ] && [ "$r1" = "$r0" ] && [ $back = 1 ]; then
		ktap_test_pass "ring change without memory: refused ($out), old sizes kept, down/up brings the link back"
	else
		ktap_test_fail "ring change without memory: ethtool rc $rc ($out), rx ring $r0 -> $r1, back after down/up $back"
	fi
else
	ktap_test_skip "no function error injection (CONFIG_FAIL_FUNCTION, debugfs)"
fi

# --- Link flaps under traffic (10; make check-full: 100) ------------------------------------
if [ -n "$(qemu_mac nic0)" ]; then
	n=$(full_or 10 100)
	timeout 600 ping -f -W 1 198.51.100.2 >/dev/null 2>&1 &
	LOAD=$!
	flaps=$("$DIR/link_flap.py" "$A" nic0 "$n")
	stop_load
	if [ "$flaps" = "down $n up $n" ]; then
		ktap_test_pass "$n link flaps under traffic: carrier followed every one"
	else
		ktap_test_fail "link flaps: carrier went $flaps of $n"
	fi
	if stream_check - $NS 198.51.100.2 "$mib" 5501 && stream_check $NS - 198.51.100.1 "$mib" 5502; then
		ktap_test_pass "after the flaps $mib MiB arrive intact each way"
	else
		ktap_test_fail "after the flaps: transfer corrupted or incomplete"
	fi
else
	ktap_test_skip "no QEMU monitor to flap the link"
	ktap_test_skip "no QEMU monitor to flap the link"
fi

# --- Unload under traffic, twice ----------------------------------------------------------
ok=1
for round in 1 2; do
	timeout 20 ping -f -W 1 198.51.100.2 >/dev/null 2>&1 &
	LOAD="$!"
	timeout 20 ip netns exec $NS ping -f -W 1 198.51.100.1 >/dev/null 2>&1 &
	LOAD="$LOAD $!"
	ip netns exec $NS timeout 20 socat -u TCP-LISTEN:5504,reuseaddr - >/dev/null 2>&1 &
	LOAD="$LOAD $!"
	wait_listen 5504 $NS
	timeout 20 socat -u /dev/zero TCP:198.51.100.2:5504 >/dev/null 2>&1 &
	LOAD="$LOAD $!"
	sleep 2
	modprobe -r re1000e && ! grep -q '^re1000e ' /proc/modules || ok=0
	stop_load
	ip netns del $NS
	if [ $round = 1 ]; then
		modprobe re1000e
		link_pair $NS || ok=0
	fi
done
if [ $ok = 1 ]; then
	ktap_test_pass "unload under TCP and ping floods both ways, twice"
else
	ktap_test_fail "unload under traffic failed"
fi
if [ "$(count_bound re1000e)" = 0 ] && modprobe re1000e && link_pair $NS &&
	ping -c 2 -W 2 198.51.100.2 >/dev/null; then
	ktap_test_pass "loads again and carries traffic"
else
	ktap_test_fail "reload after unload under traffic failed"
fi
ip netns del $NS
unload re1000e

kmemleak_result "flaps, transmit timeout and unloads under traffic"
no_kernel_warnings "$mark"
ktap_finished
