#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The network interface re1000e registers through the Rust netdev abstractions: addresses,
# traffic both ways intact, counters, ethtool queries and settings (bad values refused and
# nothing changed), the unicast address changed while up, carrier following the link, and
# unload under traffic with no leak.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-netdev

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
ktap_set_plan 17

LOAD=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$LOAD" ] && kill $LOAD 2>/dev/null
	ip netns del $NS 2>/dev/null
	unload re1000e
}
trap cleanup EXIT
unload re1000e e1000e
kmemleak_reset
mark=$(mark_log)
modprobe re1000e

A=$(ls "$PCI/${SLOTS[0]}/net" 2>/dev/null | head -n1)
B=$(ls "$PCI/${SLOTS[-1]}/net" 2>/dev/null | head -n1)
if [ -n "$A" ] && [ -n "$B" ]; then
	ktap_test_pass "an interface per NIC: $A, $B"
else
	ktap_exit_fail_msg "re1000e registered no interface ($A, $B)"
fi

perm=$(ethtool -P "$A" | awk '{print $3}')
want=$(qemu_mac nic0)
if [ "$perm" = "$(cat /sys/class/net/"$A"/address)" ] && { [ -z "$want" ] || [ "$perm" = "$want" ]; }; then
	ktap_test_pass "$A permanent and current address $perm${want:+ (QEMU: $want)}"
else
	ktap_test_fail "$A address $(cat /sys/class/net/"$A"/address), permanent $perm, QEMU $want"
fi

if ethtool -i "$A" | grep -qx "driver: re1000e" && ethtool -i "$A" | grep -qx "bus-info: ${SLOTS[0]}"; then
	ktap_test_pass "ethtool -i names re1000e and the PCI slot"
else
	ktap_test_fail "ethtool -i: $(ethtool -i "$A" | head -n3 | tr '\n' ' ')"
fi

link_pair $NS
if [ "$(cat /sys/class/net/"$A"/operstate)" = up ]; then
	ktap_test_pass "carrier and operstate up after open"
else
	ktap_test_fail "operstate $(cat /sys/class/net/"$A"/operstate) after open"
fi

if ping -c 5 -i 0.2 -W 2 198.51.100.2 >/dev/null && ping -6 -c 5 -i 0.2 -W 2 2001:db8:9::2 >/dev/null; then
	ktap_test_pass "IPv4 and IPv6 ping across the link"
else
	ktap_test_fail "ping across the link failed"
fi

# 8 MiB each way through TCP (make check-full: 32), compared by checksum.
MIB=$(full_or 8 32)
dd if=/dev/urandom of=/tmp/re1000e-blob bs=1M count="$MIB" status=none
want=$(sha256sum </tmp/re1000e-blob | cut -d' ' -f1)
ip netns exec $NS socat -u TCP-LISTEN:5201,reuseaddr - >/tmp/re1000e-rx 2>/dev/null &
wait_listen 5201 $NS
socat -u - TCP:198.51.100.2:5201 </tmp/re1000e-blob
wait
got=$(sha256sum </tmp/re1000e-rx | cut -d' ' -f1)
socat -u TCP-LISTEN:5202,reuseaddr - >/tmp/re1000e-rx2 2>/dev/null &
wait_listen 5202
ip netns exec $NS socat -u - TCP:198.51.100.1:5202 </tmp/re1000e-blob
wait
got2=$(sha256sum </tmp/re1000e-rx2 | cut -d' ' -f1)
if [ "$got" = "$want" ] && [ "$got2" = "$want" ]; then
	ktap_test_pass "$MIB MiB arrive intact each way"
else
	ktap_test_fail "transfer corrupted or incomplete (tx $got, rx $got2, want $want)"
fi
rm -f /tmp/re1000e-rx /tmp/re1000e-rx2

rx=$(cat /sys/class/net/"$A"/statistics/rx_bytes)
tx=$(cat /sys/class/net/"$A"/statistics/tx_bytes)
if [ "$rx" -gt $((MIB << 20)) ] && [ "$tx" -gt $((MIB << 20)) ]; then
	ktap_test_pass "byte counters count the traffic (rx $rx, tx $tx)"
else
	ktap_test_fail "byte counters rx $rx tx $tx below $MIB MiB"
fi

ethtool -G "$A" rx 512 tx 128
ip link set "$A" down
ip link set "$A" up
if ethtool -g "$A" | awk '/Current/ {c=1} c && /^RX:/ {r=$2} c && /^TX:/ {t=$2} END {exit !(r==512 && t==128)}'; then
	ktap_test_pass "ring sizes set to rx 512 tx 128 and kept across down/up"
else
	ktap_test_fail "ring sizes not as set: $(ethtool -g "$A" | tail -n 8 | tr '\n' ' ')"
fi

before=$(ethtool -g "$A" | tail -n 9)
if ! ethtool -G "$A" rx 100 2>/dev/null && ! ethtool -G "$A" tx 8192 2>/dev/null &&
	[ "$(ethtool -g "$A" | tail -n 9)" = "$before" ]; then
	ktap_test_pass "bad ring sizes (100, 8192) refused, settings unchanged"
else
	ktap_test_fail "a bad ring size was accepted or changed the settings"
fi

if ping -c 3 -i 0.2 -W 2 198.51.100.2 >/dev/null; then
	ktap_test_pass "traffic flows with the resized rings"
else
	ktap_test_fail "no traffic after resizing"
fi

len=$(ethtool -d "$A" raw on | wc -c)
mac=$(ethtool -e "$A" raw on | head -c 6 | od -An -tx1 | tr -s ' ' ':' | sed 's/^://;s/:$//')
if [ "$len" = 48 ] && [ "$mac" = "$(ethtool -P "$A" | awk '{print $3}')" ]; then
	ktap_test_pass "register dump (48 bytes) and NVM dump (MAC in words 0-2)"
else
	ktap_test_fail "dump length $len, NVM MAC bytes '$mac'"
fi

# The multicast filter (MTA), filled by ndo_set_rx_mode from the device's multicast list:
# frames to a group the peer joined at the link layer pass its hardware (rx_multicast, the
# MPRC counter, moves), frames to a group it left do not (at most the odd frame of the
# groups it really is in), allmulticast lets them in again.
mcast() {
	local before
	before=$(ip netns exec $NS ethtool -S "$B" | awk '$1 == "rx_multicast:" {print $2}')
	ping -I "$A" -c 20 -i 0.05 -W 1 239.1.2.3 >/dev/null 2>&1
	sleep 0.5
	echo $(($(ip netns exec $NS ethtool -S "$B" | awk '$1 == "rx_multicast:" {print $2}') - before))
}
ip -n $NS maddr add 01:00:5e:01:02:03 dev "$B"
joined=$(mcast)
ip -n $NS maddr del 01:00:5e:01:02:03 dev "$B"
left=$(mcast)
ip -n $NS link set "$B" allmulticast on
all=$(mcast)
ip -n $NS link set "$B" allmulticast off
if [ "$joined" -ge 20 ] && [ "$left" -lt 5 ] && [ "$all" -ge 20 ]; then
	ktap_test_pass "multicast filter: 239.1.2.3 received when joined ($joined), filtered when left ($left), received with allmulticast ($all)"
else
	ktap_test_fail "multicast filter: joined $joined, left $left, allmulticast $all frames of 20"
fi

# A new unicast address (ndo_set_mac_address) while the interface runs: the peer reaches
# it, frames still sent to the old address stop at the hardware's filter (receive address
# 0: the driver's rx_packets does not move), the address survives a down/up (a reset), a
# multicast address is refused with nothing changed, and the permanent one comes back.
# The hash filter (MTA) passes any destination whose hash it holds, unicast too, and the
# IPv6 solicited-node group of the link-local address made from the old address hashes
# like the old address: IPv6 is off on $A while frames go to the old address.
OLD=$(cat /sys/class/net/"$A"/address)
NEW=02:52:54:00:aa:01
# peer_ping: pings from the peer to $A, the peer's neighbour entry for it being $1.
peer_ping() {
	ip -n $NS neigh replace 198.51.100.1 lladdr "$1" nud permanent dev "$B"
	ip netns exec $NS ping -c 5 -i 0.1 -W 1 198.51.100.1 2>/dev/null |
		awk '/received/ {print $4}'
}
mac_msg=
if ! ip link set "$A" address $NEW; then
	mac_msg="setting $NEW while up failed"
else
	to_new=$(peer_ping $NEW)
	sysctl -qw net.ipv6.conf."$A".disable_ipv6=1
	r0=$(cat /sys/class/net/"$A"/statistics/rx_packets)
	to_old=$(peer_ping "$OLD")
	r1=$(cat /sys/class/net/"$A"/statistics/rx_packets)
	sysctl -qw net.ipv6.conf."$A".disable_ipv6=0
	ip addr add 2001:db8:9::1/64 dev "$A" nodad
	ip link set "$A" down
	ip link set "$A" up
	wait_carrier "$A"
	after_reset=$(peer_ping $NEW)
	bad=ok
	ip link set "$A" address 01:00:5e:00:00:01 2>/dev/null && bad="multicast address accepted"
	[ "$(cat /sys/class/net/"$A"/address)" = $NEW ] || bad="address changed to $(cat /sys/class/net/"$A"/address)"
	ip link set "$A" address "$OLD"
	restored=$(peer_ping "$OLD")
	ip -n $NS neigh del 198.51.100.1 dev "$B" 2>/dev/null
	[ "$to_new" = 5 ] || mac_msg+=" $to_new of 5 pings to $NEW;"
	[ "$to_old" = 0 ] && [ $((r1 - r0)) -lt 2 ] ||
		mac_msg+=" the old address still received ($to_old replies, rx_packets +$((r1 - r0)));"
	[ "$after_reset" = 5 ] || mac_msg+=" $after_reset of 5 after down/up;"
	[ "$bad" = ok ] || mac_msg+=" $bad;"
	[ "$restored" = 5 ] || mac_msg+=" $restored of 5 back on $OLD;"
fi
if [ -z "$mac_msg" ]; then
	ktap_test_pass "address change while up: $NEW received, $OLD filtered, kept across down/up, multicast refused, $OLD restored"
else
	ktap_test_fail "address change:$mac_msg"
fi

if [ -n "$(qemu_mac nic0)" ]; then
	"${RE1000E_TOP}/scripts/guest/qmon" "set_link nic0 off" >/dev/null
	wait_carrier "$A" 0 3
	off=$(cat /sys/class/net/"$A"/carrier)
	"${RE1000E_TOP}/scripts/guest/qmon" "set_link nic0 on" >/dev/null
	wait_carrier "$A" 1 3
	on=$(cat /sys/class/net/"$A"/carrier)
	if [ "$off" = 0 ] && [ "$on" = 1 ] && ping -c 2 -W 2 198.51.100.2 >/dev/null; then
		ktap_test_pass "carrier follows the link (QEMU set_link off/on)"
	else
		ktap_test_fail "carrier after link off: $off, after on: $on"
	fi
else
	ktap_test_skip "no QEMU monitor to flap the link"
fi

# Unload while floods run both ways (bounded, so nothing outlives the test).
timeout 20 ping -f -W 1 198.51.100.2 >/dev/null 2>&1 &
LOAD="$!"
timeout 20 ip netns exec $NS ping -f -W 1 198.51.100.1 >/dev/null 2>&1 &
LOAD="$LOAD $!"
sleep 2
if modprobe -r re1000e && ! grep -q '^re1000e ' /proc/modules; then
	ktap_test_pass "unload under traffic"
else
	ktap_test_fail "unload under traffic failed"
fi
# shellcheck disable=SC2086
kill $LOAD 2>/dev/null
wait 2>/dev/null

kmemleak_result "traffic and unload"

if dmesg | sed -n "/$mark/,\$p" | grep -E "WARNING:|BUG:|Oops|possible .*lock|refcount_t:|DMA-API"; then
	ktap_test_fail "kernel warnings"
else
	ktap_test_pass "no kernel warning"
fi
ktap_finished
