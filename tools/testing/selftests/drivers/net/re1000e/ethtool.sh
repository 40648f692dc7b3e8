#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ethtool settings and reports of re1000e: what is set reads back and survives down/up, bad
# requests are refused and change nothing, counters move with traffic, are harvested by the
# watchdog and survive a reset, self-tests pass, the NVM can be written and stays valid,
# and queue statistics agree with the interface's.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-ethtool

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
ktap_set_plan 16

cleanup() {
	ip netns del $NS 2>/dev/null
	unload re1000e
}
trap cleanup EXIT
unload re1000e e1000e
mark=$(mark_log)
modprobe re1000e
link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"

ethtool -C "$A" rx-usecs 100 tx-usecs 16
ip link set "$A" down && ip link set "$A" up && wait_carrier "$A"
if [ "$(ethtool -c "$A" | awk '/^rx-usecs:/ {print $2}')" = 100 ] &&
	[ "$(ethtool -c "$A" | awk '/^tx-usecs:/ {print $2}')" = 16 ]; then
	ktap_test_pass "coalescing rx-usecs 100 tx-usecs 16 set and kept across down/up"
else
	ktap_test_fail "coalescing reads back $(ethtool -c "$A" | grep -E '^(rx|tx)-usecs' | tr '\n' ' ')"
fi

before=$(ethtool -c "$A")
if ! ethtool -C "$A" rx-usecs 999999 2>/dev/null && ! ethtool -C "$A" rx-frames 5 2>/dev/null &&
	[ "$(ethtool -c "$A")" = "$before" ]; then
	ktap_test_pass "out-of-range and unsupported coalescing refused, nothing changed"
else
	ktap_test_fail "a bad coalescing request was accepted or changed settings"
fi

ethtool -A "$A" rx off tx on
if ethtool -a "$A" | grep -qP '^RX:\s+off' && ethtool -a "$A" | grep -qP '^TX:\s+on'; then
	ktap_test_pass "pause rx off tx on set"
else
	ktap_test_fail "pause reads back $(ethtool -a "$A" | tr '\n' ' ')"
fi

before=$(ethtool -a "$A")
if ! ethtool -A "$A" autoneg on 2>/dev/null && [ "$(ethtool -a "$A")" = "$before" ]; then
	ktap_test_pass "pause autonegotiation refused, nothing changed"
else
	ktap_test_fail "pause autoneg request accepted or changed settings"
fi

g0=$(drv_stat rx_good_packets)
t0=$(drv_stat tx_good_packets)
ping -c 50 -i 0.02 -q 198.51.100.2 >/dev/null
g1=$(drv_stat rx_good_packets)
t1=$(drv_stat tx_good_packets)
if [ -n "$g0" ] && [ $((g1 - g0)) -ge 50 ] && [ $((t1 - t0)) -ge 50 ]; then
	ktap_test_pass "hardware counters count 50 pings each way (rx +$((g1 - g0)), tx +$((t1 - t0)))"
else
	ktap_test_fail "hardware counters rx $g0->$g1 tx $t0->$t1"
fi

# The watchdog harvests the clear-on-read counters every 2 s, so that no 32-bit register
# fills up between two reads: after 5 s unasked, GPTC (0x4080) must no longer hold the
# pings (reading it here takes what it holds), and the next read must still count them.
t0=$(drv_stat tx_good_packets)
ping -c 200 -i 0.01 -q 198.51.100.2 >/dev/null
sleep 5
gptc=$(nic_reg "${SLOTS[0]}" 0x4080) || gptc=unreadable
t1=$(drv_stat tx_good_packets)
if [[ $gptc =~ ^[0-9]+$ ]] && [ "$gptc" -lt 200 ] && [ $((t1 - t0)) -ge 200 ]; then
	ktap_test_pass "watchdog harvests the counters unasked: GPTC holds $gptc after 5 s, tx +$((t1 - t0))"
else
	ktap_test_fail "counters not harvested unasked: GPTC holds $gptc after 5 s, tx_good_packets $t0 -> $t1"
fi

# A MAC reset (down/up) clears the counters: what they held is harvested first, so pings
# sent just before it are still counted. A flood is over in a fraction of the watchdog's
# period, so the reset, not a watchdog round, is what comes after it.
t0=$(drv_stat tx_good_packets)
ping -f -c 100 -q 198.51.100.2 >/dev/null
ip link set "$A" down && ip link set "$A" up && wait_carrier "$A"
t1=$(drv_stat tx_good_packets)
if [ $((t1 - t0)) -ge 100 ]; then
	ktap_test_pass "counters kept across a reset: 100 pings then down/up, tx +$((t1 - t0))"
else
	ktap_test_fail "counters lost in a reset: 100 pings then down/up, tx_good_packets $t0 -> $t1"
fi

mac=$(ethtool -S "$A" --groups eth-mac 2>/dev/null | awk '$1 ~ /(^|-)FramesReceivedOK:$/ {print $2}')
rmon=$(ethtool -S "$A" --groups rmon 2>/dev/null | grep -c 'etherStatsPkts.*Octets')
if [ -n "$mac" ] && [ "$mac" -ge 50 ] && [ "$rmon" -ge 6 ]; then
	ktap_test_pass "standard groups: eth-mac FramesReceivedOK $mac, $rmon RMON buckets"
else
	ktap_test_fail "standard groups missing (eth-mac '$mac', rmon buckets $rmon)"
fi

if ethtool -t "$A" online >/dev/null; then
	ktap_test_pass "online self-test passes"
else
	ktap_test_fail "online self-test: $(ethtool -t "$A" online | tr '\n' ' ')"
fi

if ethtool -t "$A" offline >/dev/null && wait_carrier "$A" && ping -c 2 -W 2 -q 198.51.100.2 >/dev/null; then
	ktap_test_pass "offline self-test passes and traffic resumes"
else
	ktap_test_fail "offline self-test: $(ethtool -t "$A" offline | tr '\n' ' ')"
fi

old=$(ethtool -e "$A" offset 0x20 length 2 raw on | od -An -tx1 | tr -d ' ')
ethtool -E "$A" magic 0x10d38086 offset 0x20 value 0x42
new=$(ethtool -e "$A" offset 0x20 length 1 raw on | od -An -tx1 | tr -d ' ')
ethtool -E "$A" magic 0x10d38086 offset 0x20 value "0x${old:0:2}"
if [ "$new" = 42 ] && ethtool -t "$A" online >/dev/null; then
	ktap_test_pass "NVM byte written and read back, checksum still valid"
else
	ktap_test_fail "NVM write: read back '$new', self-test $(ethtool -t "$A" online | grep -i eeprom)"
fi

before=$(ethtool -e "$A" raw on | od -An -tx1)
if ! ethtool -E "$A" magic 0x12345678 offset 0x20 value 0x43 2>/dev/null &&
	[ "$(ethtool -e "$A" raw on | od -An -tx1)" = "$before" ]; then
	ktap_test_pass "NVM write with a wrong magic refused, NVM unchanged"
else
	ktap_test_fail "NVM write with a wrong magic was accepted or changed the NVM"
fi

# Queue statistics (netdev netlink) agree with the interface counters, and the device-wide
# sum carries every statistic the queues report (the core drops a field the driver's base
# statistics leave unset; tso.py looks for tx-hw-gso-packets there).
CLI=${RE1000E_OUT:+$(dirname "$RE1000E_OUT")/src/tools/net/ynl/pyynl/cli.py}
SPEC=${RE1000E_OUT:+$(dirname "$RE1000E_OUT")/src/Documentation/netlink/specs/netdev.yaml}
if [ -n "$CLI" ] && [ -f "$CLI" ]; then
	ifindex=$(cat /sys/class/net/"$A"/ifindex)
	q=$(python3 "$CLI" --spec "$SPEC" --dump qstats-get --json "{\"ifindex\": $ifindex}" --output-json 2>&1)
	qrx=$(echo "$q" | jq -r '.[0]."rx-packets" // empty' 2>/dev/null)
	rtnl=$(cat /sys/class/net/"$A"/statistics/rx_packets)
	if [ -n "$qrx" ] && [ "$qrx" -ge "$rtnl" ] && [ $((qrx - rtnl)) -le 5 ]; then
		ktap_test_pass "qstats rx-packets $qrx agrees with rtnl $rtnl"
	else
		ktap_test_fail "qstats '$qrx' vs rtnl $rtnl ($q)"
	fi
	qq=$(python3 "$CLI" --spec "$SPEC" --dump qstats-get \
		--json "{\"ifindex\": $ifindex, \"scope\": \"queue\"}" --output-json 2>&1)
	missing=$(jq -rn --argjson d "$q" --argjson q "$qq" \
		'[$q[] | keys[]] - ["ifindex", "queue-id", "queue-type"] - ($d[0] | keys) | unique | join(" ")' 2>&1)
	gso=$(echo "$q" | jq -r '.[0]."tx-hw-gso-packets" // empty' 2>/dev/null)
	tso=$(drv_stat tx_tso_packets)
	if [ -z "$missing" ] && [ "$(echo "$qq" | jq length 2>/dev/null)" -ge 2 ] &&
		[ -n "$gso" ] && [ "$gso" = "$tso" ]; then
		ktap_test_pass "device qstats carry every queue statistic; tx-hw-gso-packets $gso = tx_tso_packets"
	else
		ktap_test_fail "device qstats miss '$missing'; tx-hw-gso-packets '$gso', tx_tso_packets $tso"
	fi
else
	ktap_test_skip "no YNL cli in the build tree"
	ktap_test_skip "no YNL cli in the build tree"
fi

# Channels: with MSI-X a receive, a transmit and an other (link) vector; the 82574 has no
# more queues, and the link vector cannot go.
ch=$(ethtool -l "$A" | awk '/^(RX|TX|Other|Combined):/ {printf "%s%s ", $1, $2}')
if [ "$ch" = "RX:1 TX:1 Other:1 Combined:n/a RX:1 TX:1 Other:1 Combined:n/a " ] &&
	ethtool -L "$A" rx 1 tx 1 && ! ethtool -L "$A" rx 2 2>/dev/null &&
	! ethtool -L "$A" other 0 2>/dev/null &&
	[ "$(ethtool -l "$A" | awk '/^(RX|TX|Other|Combined):/ {printf "%s%s ", $1, $2}')" = "$ch" ]; then
	ktap_test_pass "channels rx 1 tx 1 other 1; more queues or no link vector refused, nothing changed"
else
	ktap_test_fail "channels '$ch' or a bad request was accepted"
fi

no_kernel_warnings "$mark"
ktap_finished
