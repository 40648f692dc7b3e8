#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transmit and receive offloads of re1000e, checked in what reaches the wire and the stack,
# not only in ethtool -k: data arrives intact with each offload on and off, TSO hands the
# hardware whole super-packets yet no frame longer than the MTU leaves, VLAN tags are
# inserted on the wire and stripped into the skb by the receiving hardware only while
# rx-vlan-hw-parse is on (the napi_gro_receive_entry tracepoint shows where the tag is), and
# the feature rules hold (TSO needs checksumming, VLAN insertion needs stripping). Receive
# checksumming as the stack sees it is features.sh's.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-offload
CAP="$DIR/capture.py"

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
ktap_set_plan 11

cleanup() {
	ip netns del $NS 2>/dev/null
	unload re1000e 8021q
}
trap cleanup EXIT
unload re1000e e1000e
modprobe re1000e
link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"
MIB=$(full_or 4 8)
dd if=/dev/urandom of=/tmp/re1000e-offload bs=1M count="$MIB" status=none
WANT=$(sha256sum </tmp/re1000e-offload | cut -d' ' -f1)

# send DST_ADDR: MIB MiB (4; make check-full: 8) over TCP from here to the peer; prints
# the peer's checksum.
send() {
	ip netns exec $NS timeout 60 socat -u TCP-LISTEN:5301,reuseaddr - >/tmp/re1000e-offload-rx &
	wait_listen 5301 $NS
	timeout 60 socat -u - TCP:"$1":5301 </tmp/re1000e-offload
	wait
	sha256sum </tmp/re1000e-offload-rx | cut -d' ' -f1
}

feature() {
	ethtool -k "$A" | awk -v f="$1:" '$1 == f {print $2}'
}

if [ "$(feature tx-checksum-ipv4)" = on ] && [ "$(feature tx-tcp-segmentation)" = on ] &&
	[ "$(feature tx-tcp6-segmentation)" = on ] && [ "$(feature scatter-gather)" = on ] &&
	[ "$(feature tx-vlan-offload)" = on ] && [ "$(feature rx-vlan-offload)" = on ] &&
	ethtool -k "$A" | grep -q "highdma: on \[fixed\]"; then
	ktap_test_pass "offloads on by default, highdma fixed"
else
	ktap_test_fail "default features: $(ethtool -k "$A" | grep -E 'checksum|segmentation|scatter|vlan' | tr -s '\t\n' ' ')"
fi

# capture IFACE SECONDS: start a capture in the peer namespace, return when it listens.
capture() {
	rm -f /tmp/re1000e-cap.ready
	ip netns exec $NS "$CAP" "$1" "$2" /tmp/re1000e-cap.ready >/tmp/re1000e-cap &
	CAPPID=$!
	for _ in $(seq 100); do
		[ -e /tmp/re1000e-cap.ready ] && return 0
		sleep 0.1
	done
	return 1
}

# The peer must not merge what it receives, or the capture sees GRO super-packets.
ip netns exec $NS ethtool -K "$B" gro off
g0=$(drv_stat tx_tso_packets)
capture "$B" 15
got=$(send 198.51.100.2)
stop_capture $CAPPID
g1=$(drv_stat tx_tso_packets)
read -r _ frames _ maxlen _ _ _ tcpmax </tmp/re1000e-cap
ip netns exec $NS ethtool -K "$B" gro on
if [ "$got" = "$WANT" ]; then
	ktap_test_pass "$MIB MiB intact with checksum, SG and TSO offload on"
else
	ktap_test_fail "transfer corrupted with offloads on"
fi
if [ $((g1 - g0)) -gt 0 ] && [ "$maxlen" -le 1514 ] && [ "$tcpmax" -le 1460 ] && [ "$tcpmax" -gt 1000 ] && [ "$frames" -gt 1000 ]; then
	ktap_test_pass "TSO: $((g1 - g0)) super-packets sent, peer saw $frames frames of at most $maxlen bytes (MSS $tcpmax)"
else
	ktap_test_fail "TSO: gso packets +$((g1 - g0)), peer frames $frames max $maxlen, tcp payload $tcpmax"
fi

ethtool -K "$A" tso off
g0=$(drv_stat tx_tso_packets)
got=$(send 198.51.100.2)
g1=$(drv_stat tx_tso_packets)
if [ "$got" = "$WANT" ] && [ "$g1" = "$g0" ]; then
	ktap_test_pass "TSO off: intact, no super-packet reaches the driver"
else
	ktap_test_fail "TSO off: intact=$([ "$got" = "$WANT" ] && echo yes || echo no), gso +$((g1 - g0))"
fi
ethtool -K "$A" tso on

ethtool -K "$A" tx-checksum-ipv4 off
if [ "$(feature tx-tcp-segmentation)" = off ] && [ "$(feature tx-tcp6-segmentation)" = on ] &&
	[ "$(send 198.51.100.2)" = "$WANT" ]; then
	ktap_test_pass "IPv4 tx checksum off takes IPv4 TSO with it (IPv6 TSO stays); intact"
else
	ktap_test_fail "tx checksum off: tso4=$(feature tx-tcp-segmentation) tso6=$(feature tx-tcp6-segmentation)"
fi
ethtool -K "$A" tx-checksum-ipv4 on
if [ "$(feature tx-tcp-segmentation)" = on ]; then
	ktap_test_pass "TSO comes back with tx checksum, without being asked again"
else
	ktap_test_fail "TSO did not come back after tx checksum on"
fi

ethtool -K "$A" sg off
if [ "$(feature tcp-segmentation-offload)" = off ] && [ "$(send 198.51.100.2)" = "$WANT" ]; then
	ktap_test_pass "scatter-gather off: TSO off, linear packets arrive intact"
else
	ktap_test_fail "sg off: tso=$(feature tcp-segmentation-offload)"
fi
ethtool -K "$A" sg on

before=$(ethtool -k "$A")
if ! ethtool -K "$A" tx-udp_tnl-segmentation on 2>/dev/null &&
	! ethtool -K "$A" rx-vlan-stag-filter on 2>/dev/null &&
	[ "$(ethtool -k "$A")" = "$before" ]; then
	ktap_test_pass "offloads the hardware does not offer here are refused, nothing changed"
else
	ktap_test_fail "an unsupported offload request was accepted or changed features"
fi

TR=/sys/kernel/tracing
[ -d $TR/events ] || mount -t tracefs none $TR 2>/dev/null
# gro_vlan IFACE CMD...: runs CMD with the napi_gro_receive_entry tracepoint on for IFACE
# (the skbs its driver hands to the stack); prints "STRIPPED INLINE": skbs with a VLAN tag
# in their metadata (stripped by the hardware), and skbs still carrying it in their data
# (protocol 802.1Q). Prints "- -" without the tracepoint.
gro_vlan() {
	local ev=$TR/events/net/napi_gro_receive_entry dev=$1
	shift
	[ -e $ev ] || { "$@" >/dev/null; echo - -; return; }
	echo 0 >$TR/tracing_on
	echo >$TR/trace
	echo "name == \"$dev\"" >$ev/filter
	echo 1 >$ev/enable
	echo 1 >$TR/tracing_on
	"$@" >/dev/null
	echo 0 >$TR/tracing_on
	echo 0 >$ev/enable
	awk '/napi_gro_receive_entry/ {
			if ($0 ~ / vlan_tagged=1 /) t++; else if ($0 ~ / protocol=0x8100 /) u++ }
		END {print t + 0, u + 0}' $TR/trace
}

# VLAN: tags inserted by the sender's hardware, kept in the frame on a peer that does not
# strip, stripped on a peer that does.
modprobe 8021q
ip link add link "$A" name "$A.100" type vlan id 100
ip addr add 203.0.113.1/24 dev "$A.100"
ip link set "$A.100" up
ip -n $NS link add link "$B" name "$B.100" type vlan id 100
ip -n $NS addr add 203.0.113.2/24 dev "$B.100"
ip -n $NS link set "$B.100" up
ip netns exec $NS ethtool -K "$B" rx-vlan-hw-parse off
capture "$B" 6
ping -c 5 -i 0.2 -W 2 -q 203.0.113.2 >/dev/null
ok1=$?
stop_capture $CAPPID
read -r _ _ _ _ _ tagged _ _ </tmp/re1000e-cap
if [ $ok1 = 0 ] && [ "$tagged" -ge 5 ]; then
	ktap_test_pass "VLAN 100: tag inserted on transmit ($tagged tagged frames on the wire)"
else
	ktap_test_fail "VLAN insert: ping rc $ok1, tagged frames $tagged"
fi
ip netns exec $NS ethtool -K "$B" rx-vlan-hw-parse on
# The peer's hardware strips the tag of every request into the skb's metadata.
read -r stripped inline < <(gro_vlan "$B" ping -c 5 -i 0.2 -W 2 -q 203.0.113.2)
if [ "$stripped" = - ]; then
	ktap_test_skip "VLAN 100 stripping: no napi_gro_receive_entry tracepoint"
elif ping -c 1 -W 2 -q 203.0.113.2 >/dev/null && [ "$stripped" -ge 5 ] && [ "$inline" = 0 ]; then
	ktap_test_pass "VLAN 100: the peer's hardware stripped the tag of $stripped skbs, none left in the data"
else
	ktap_test_fail "VLAN with hardware stripping on the peer: $stripped stripped, $inline with the tag in the data"
fi

# Here: with rx-vlan-hw-parse off the replies reach the stack with their tag in the data
# (the driver turned the hardware's stripping off), and transmit insertion went with it.
read -r s_on i_on < <(gro_vlan "$A" ping -c 3 -i 0.2 -W 2 -q 203.0.113.2)
ethtool -K "$A" rx-vlan-hw-parse off
read -r s_off i_off < <(gro_vlan "$A" ping -c 3 -i 0.2 -W 2 -q 203.0.113.2)
if [ "$(feature tx-vlan-offload)" = off ] && ping -c 1 -W 2 -q 203.0.113.2 >/dev/null &&
	{ [ "$s_on" = - ] || { [ "$s_on" -ge 3 ] && [ "$i_on" = 0 ] && [ "$s_off" = 0 ] && [ "$i_off" -ge 3 ]; }; }; then
	ktap_test_pass "rx-vlan-hw-parse off: replies keep their tag in the data ($i_off skbs; stripped $s_on when on), tx-vlan-hw-insert went with it; VLAN works"
else
	ktap_test_fail "rx-vlan-hw-parse: stripped/inline on $s_on/$i_on, off $s_off/$i_off; tx-vlan-offload=$(feature tx-vlan-offload)"
fi
ethtool -K "$A" rx-vlan-hw-parse on
ktap_finished
