#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# re1000e when its device leaves the bus without notice (surprise removal, a PCIe link that
# dies): the slot of a NIC is powered off behind the hot-plug driver's back (slot_tool.py),
# so the device answers nothing and nobody tells the driver. Under a TCP stream nothing
# else would show it: TCP small queues stall the stream before the transmit queue stops,
# so the stack's watchdog never reports a transmit timeout, and no interrupt comes. The
# driver's own watchdog must find out that the device is gone, detach the interface instead
# of resetting it, and later go down and unbind without touching the device; a reload skips
# the gone device. Then the other NIC is pulled while its interface is up and idle and the
# module unloaded at once: the driver must notice at unbind. In the end kmemleak finds
# nothing and the kernel logged no warning.
#
# Destructive: the pulled slots stay empty until the machine restarts, so this runs only
# in the QEMU rig (scripts/rig.sh, found through its monitor), as the last test of a boot.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-surprise
SLOT="$DIR/slot_tool.py"

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
[ -n "$(qemu_mac nic0)" ] || { ktap_skip_all "pulls cards out of their slots: QEMU rig only"; exit "$KSFT_SKIP"; }
ktap_set_plan 8

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

# The downstream port whose slot holds the device in PCI slot $1.
port_of() {
	basename "$(dirname "$(readlink -f "$PCI/$1")")"
}

# ms_between MARK PATTERN: milliseconds from log marker MARK to the first line after it
# matching PATTERN, by the kernel's timestamps ("?" if either is missing).
ms_between() {
	dmesg | sed -n "/$1/,\$p" | awk -v m="$1" -v p="$2" '
		function ts(l) { sub(/^\[ */, "", l); sub(/\].*/, "", l); return l }
		$0 ~ m && t0 == "" { t0 = ts($0) }
		$0 ~ p && t0 != "" { printf "%d\n", (ts($0) - t0) * 1000; found = 1; exit }
		END { if (!found) print "?" }'
}

# Lines since marker $1 that show the driver working a gone device: resets and polls that
# can only time out.
touched_gone_device() {
	dmesg | sed -n "/$1/,\$p" |
		grep -E "did not complete|still pending|reset failed|NVM .*(timed out|failed)" || true
}

unload re1000e e1000e
kmemleak_reset
mark=$(mark_log)
modprobe re1000e
link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"

# --- Pulled under a TCP stream ------------------------------------------------------------
t0=$(cat /sys/class/net/"$A"/queues/tx-0/tx_timeout)
tx0=$(cat /sys/class/net/"$A"/statistics/tx_packets)
ip netns exec $NS timeout 60 socat -u TCP-LISTEN:5301,reuseaddr - >/dev/null &
LOAD=$!
wait_listen 5301 $NS || ktap_exit_fail_msg "no TCP listener in the peer namespace"
timeout 60 socat -u /dev/zero TCP:198.51.100.2:5301 &
LOAD="$LOAD $!"
sleep 1
s0=$(cat /sys/class/net/"$A"/statistics/tx_packets)
sleep 1
s1=$(cat /sys/class/net/"$A"/statistics/tx_packets)
# shellcheck disable=SC2086
kill -0 $LOAD 2>/dev/null && [ $((s1 - s0)) -ge 100 ] ||
	ktap_exit_fail_msg "the TCP stream is not flowing ($((s1 - s0)) packets in 1 s)"
m1=$(mark_log)
"$SLOT" "$(port_of "${SLOTS[0]}")" pull | sed 's/^/# /'
m1b=$(mark_log)
vendor=$(od -An -tx2 -N2 "$PCI/${SLOTS[0]}/config" | tr -d ' ')
found=0
for _ in $(seq 100); do
	if log_since "${SLOTS[0]}" "$m1" | grep -q "device gone from the bus"; then
		found=1
		break
	fi
	sleep 0.1
done
ms=$(ms_between "$m1b" "${SLOTS[0]}: device gone from the bus")
t1=$(cat /sys/class/net/"$A"/queues/tx-0/tx_timeout)
carrier=$(cat /sys/class/net/"$A"/carrier)
if [ $found = 1 ] && [ "$t1" = "$t0" ] && [ "$carrier" = 0 ] && [ "$vendor" = ffff ]; then
	ktap_test_pass "pulled under a TCP stream: the watchdog found the device gone $ms ms after the pull, no transmit timeout, detached"
else
	ktap_test_fail "pulled under a TCP stream: vendor id $vendor, gone reported $found, tx_timeout $t0 -> $t1, carrier $carrier"
	log_since "${SLOTS[0]}" "$m1" | sed 's/^/# /'
fi

# A detached interface: ethtool requests that reach the driver and opening get ENODEV, the
# counters stay readable.
out_i=$(ethtool -i "$A" 2>&1)
tx1=$(awk -v i="$A:" '$1 == i {print $11}' /proc/net/dev)
stop_load
if [[ $out_i == *"No such device"* ]] && [ -n "$tx1" ] && [ "$tx1" -ge "$tx0" ]; then
	ktap_test_pass "detached: ethtool gets ENODEV, counters still read ($((tx1 - tx0)) packets sent before)"
else
	ktap_test_fail "detached: ethtool -i said '$out_i', /proc/net/dev tx $tx0 -> '$tx1'"
fi

s0=$(date +%s%N)
timeout 30 ip link set "$A" down
down_rc=$?
out_up=$(ip link set "$A" up 2>&1)
up_rc=$?
timeout 60 modprobe -r re1000e
rm_rc=$?
ms=$((($(date +%s%N) - s0) / 1000000))
touched=$(touched_gone_device "$m1")
if [ $down_rc = 0 ] && [ $up_rc != 0 ] && [[ $out_up == *"No such device"* ]] && [ $rm_rc = 0 ] &&
	[ -z "$touched" ]; then
	ktap_test_pass "down, refused up (ENODEV) and unload in $ms ms without touching the gone device"
else
	ktap_test_fail "teardown: down rc $down_rc, up rc $up_rc '$out_up', unload rc $rm_rc, $ms ms"
	echo "$touched" | sed 's/^/# /'
fi
ip netns del $NS

m2=$(mark_log)
modprobe re1000e
sleep 1
if [ "$(bound_driver "${SLOTS[0]}")" = none ] && [ "$(bound_driver "${SLOTS[-1]}")" = re1000e ] &&
	log_since "${SLOTS[0]}" "$m2" | grep -q "does not answer on the bus"; then
	ktap_test_pass "reload: the gone device is refused (ENODEV), the other NIC binds"
else
	ktap_test_fail "reload: ${SLOTS[0]} bound to $(bound_driver "${SLOTS[0]}"), ${SLOTS[-1]} to $(bound_driver "${SLOTS[-1]}")"
	log_since "${SLOTS[0]}" "$m2" | sed 's/^/# /'
fi

# --- Pulled while up and idle, then unbound at once ---------------------------------------
C=$(ls "$PCI/${SLOTS[-1]}/net" 2>/dev/null | head -n1)
if [ -n "$C" ] && ip link set "$C" up; then
	sleep 1
	m3=$(mark_log)
	"$SLOT" "$(port_of "${SLOTS[-1]}")" pull | sed 's/^/# /'
	s0=$(date +%s%N)
	timeout 60 modprobe -r re1000e
	rm_rc=$?
	ms=$((($(date +%s%N) - s0) / 1000000))
	touched=$(touched_gone_device "$m3")
	if [ $rm_rc = 0 ] && log_since "${SLOTS[-1]}" "$m3" | grep -q "device gone from the bus" &&
		[ -z "$touched" ]; then
		ktap_test_pass "pulled while up and idle: unbind found the device gone and unloaded in $ms ms without touching it"
	else
		ktap_test_fail "pulled while idle: unload rc $rm_rc in $ms ms"
		log_since "${SLOTS[-1]}" "$m3" | sed 's/^/# /'
	fi
else
	ktap_test_fail "pulled while idle: no interface on ${SLOTS[-1]} to bring up"
fi

if [ "$(count_bound re1000e)" = 0 ] && ! grep -q '^re1000e ' /proc/modules; then
	ktap_test_pass "nothing left bound"
else
	ktap_test_fail "after the pulls: $(count_bound re1000e) NICs still bound"
fi

kmemleak_result "two surprise removals"
no_kernel_warnings "$mark"
ktap_finished
