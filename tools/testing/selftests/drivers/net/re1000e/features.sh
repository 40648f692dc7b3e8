#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The NDIS offload model on re1000e: capabilities versus current configuration, requests
# the hardware cannot honour, and runtime capability changes indicated to userspace with
# ETHTOOL_MSG_FEATURES_NTF (caught by `ethtool --monitor`):
# - the diagnostic receive modes (rx-fcs, rx-all, loopback) do what they say on the wire;
# - a link forced to 100 Mb/s withdraws TSO (the 82574 must not segment there) and
#   auto-negotiating back to 1000 Mb/s restores it, with a notification each way, and the
#   data path really stops and restarts segmenting;
# - an offload engine that loses its configuration (a hardware fault, made here by clearing
#   its register through BAR0) is detected by the data path or by the self-test, withdrawn
#   from hw_features with a notification, refused to ethtool -K, and restored by a reset;
# - a VLAN device and a VXLAN device on top get exactly what the hardware can do for them
#   and carry traffic intact;
# - a bond over both ports recomputes its features when a port's capabilities change.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-features
CAP="$DIR/capture.py"
REG="$DIR/reg_tool.py"
MON=/tmp/re1000e-features-monitor
RXCSUM=0x5000
CTRL=0x0
RCTL=0x100

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }
ktap_set_plan 27

MONPID=
cleanup() {
	[ -n "$MONPID" ] && kill "$MONPID" 2>/dev/null
	ip link del bond0 2>/dev/null
	ip netns del $NS 2>/dev/null
	unload re1000e bonding vxlan ip_gre 8021q
}
trap cleanup EXIT
unload re1000e e1000e
mark=$(mark_log)
modprobe re1000e
link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"
MIB=$(full_or 4 8)
dd if=/dev/urandom of=/tmp/re1000e-features bs=1M count="$MIB" status=none
WANT=$(sha256sum </tmp/re1000e-features | cut -d' ' -f1)

# send DST_ADDR: MIB MiB (4; make check-full: 8) over TCP from here to the peer; prints
# the peer's checksum.
send() {
	local pid
	ip netns exec $NS timeout 60 socat -u TCP6-LISTEN:5302,reuseaddr,ipv6only=0 - >/tmp/re1000e-features-rx &
	pid=$!
	wait_listen 5302 $NS
	timeout 60 socat -u - TCP:"$1":5302 </tmp/re1000e-features
	wait $pid
	sha256sum </tmp/re1000e-features-rx | cut -d' ' -f1
}

# feature [IF] NAME: "on" or "off" as ethtool -k shows NAME on IF (default $A).
feature() {
	local dev=$A
	[ $# = 2 ] && { dev=$1; shift; }
	ethtool -k "$dev" | awk -v f="$1:" '$1 == f {print $2}'
}

fixed() {
	ethtool -k "$A" | grep -q "^[[:space:]]*$1: off \[fixed\]"
}

# capture NS IFACE SECONDS: start capture.py (in namespace NS, "-" for this one); returns
# when it listens. The summary lands in /tmp/re1000e-features-cap.
capture() {
	local run=(ip netns exec "$1")
	[ "$1" = - ] && run=()
	rm -f /tmp/re1000e-features-cap.ready
	"${run[@]}" "$CAP" "$2" "$3" /tmp/re1000e-features-cap.ready >/tmp/re1000e-features-cap &
	CAPPID=$!
	for _ in $(seq 100); do
		[ -e /tmp/re1000e-features-cap.ready ] && return 0
		sleep 0.1
	done
	return 1
}

# Notifications seen so far for interface $1.
ntf_count() {
	grep -c "^Features for $1:" "$MON" 2>/dev/null || true
}

# wait_ntf IF N: wait up to 10 s for more than N notifications for IF.
wait_ntf() {
	for _ in $(seq 100); do
		[ "$(ntf_count "$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The state of feature $2 in the last notification for $1.
ntf_last() {
	awk -v d="Features for $1:" -v f="$2:" '$0 == d {hit = 1; v = ""; next}
		/^Features for / {hit = 0} hit && $1 == f {v = $2} END {print v}' "$MON"
}

# Line-buffered: a file would otherwise get the notifications in 4 KiB blocks, late.
stdbuf -oL ethtool --monitor >"$MON" 2>&1 &
MONPID=$!
sleep 1

# Capabilities as translated from the 82574's NDIS-style description.
if [ "$(feature rx-checksumming)" = on ] && [ "$(feature tx-checksum-ipv4)" = on ] &&
	[ "$(feature tx-checksum-ipv6)" = on ] && [ "$(feature tx-tcp-segmentation)" = on ] &&
	[ "$(feature tx-tcp6-segmentation)" = on ] && [ "$(feature receive-hashing)" = on ] &&
	[ "$(feature rx-fcs)" = off ] &&
	[ "$(feature rx-all)" = off ] && [ "$(feature loopback)" = off ] &&
	! fixed rx-fcs && ! fixed rx-all && ! fixed loopback &&
	[ "$(feature rx-vlan-filter)" = on ] && ! fixed rx-vlan-filter &&
	fixed tx-udp_tnl-segmentation && fixed tx-gre-segmentation && fixed rx-vlan-stag-filter &&
	ethtool -k "$A" | grep -q "highdma: on \[fixed\]"; then
	ktap_test_pass "capabilities: checksum, TSO, VLAN, VLAN filter on; rx-fcs, rx-all, loopback offered off; no tunnel offloads"
else
	ktap_test_fail "capabilities: $(ethtool -k "$A" | grep -Ev fixed | tr -s '\t\n' ' ')"
fi

before=$(ethtool -k "$A")
n0=$(ntf_count "$A")
if ! ethtool -K "$A" tx-udp_tnl-segmentation on 2>/dev/null &&
	! ethtool -K "$A" tx-gre-segmentation on 2>/dev/null &&
	! ethtool -K "$A" rx-vlan-stag-filter on 2>/dev/null &&
	[ "$(ethtool -k "$A")" = "$before" ] && sleep 1 && [ "$(ntf_count "$A")" = "$n0" ]; then
	ktap_test_pass "requests the hardware cannot honour are refused, nothing changes, nothing is announced"
else
	ktap_test_fail "an unsupported request was accepted or changed the features"
fi

# Checksum offloads verified in what the hardware is asked to do: with a transmit checksum
# off, no packet of that IP version reaches the driver needing a checksum (the stack
# computed it), and the data still arrives intact.
for v in 4 6; do
	if [ $v = 4 ]; then dst=198.51.100.2; else dst=2001:db8:9::2; fi
	[ $v = 6 ] && dst="[$dst]"
	c0=$(drv_stat tx_csum_offloaded)
	on=$(send "$dst")
	c1=$(drv_stat tx_csum_offloaded)
	ethtool -K "$A" "tx-checksum-ipv$v" off
	off=$(send "$dst")
	c2=$(drv_stat tx_csum_offloaded)
	ethtool -K "$A" "tx-checksum-ipv$v" on
	if [ "$on" = "$WANT" ] && [ "$off" = "$WANT" ] && [ $((c1 - c0)) -gt 100 ] &&
		[ $((c2 - c1)) -lt 20 ] && [ "$(feature "tx-checksum-ipv$v")" = on ]; then
		ktap_test_pass "tx-checksum-ipv$v: $((c1 - c0)) packets checksummed by the hardware when on, $((c2 - c1)) when off; intact both ways"
	else
		ktap_test_fail "tx-checksum-ipv$v: offloaded +$((c1 - c0)) on, +$((c2 - c1)) off"
	fi
done

# Received skbs as the stack gets them, seen by the napi_gro_receive_entry tracepoint. Only
# the IPv4 skbs count: the 82574 hashes and checksums IP packets, and an ARP exchange or an
# IPv6 multicast report may arrive during the transfer without either.
TR=/sys/kernel/tracing
[ -d $TR/events ] || mount -t tracefs none $TR 2>/dev/null
# rx_trace: receive MIB MiB of TCP from the peer with the tracepoint on; prints the digest
# of what arrived, the number of received IPv4 skbs, those with a nonzero hash, those with
# an L4 hash, those with ip_summed CHECKSUM_NONE (0), those with CHECKSUM_UNNECESSARY (1),
# and the number of other skbs.
rx_trace() {
	local ev=$TR/events/net/napi_gro_receive_entry pid got
	echo 0 >$TR/tracing_on
	echo >$TR/trace
	echo 8192 >$TR/buffer_size_kb
	echo "name == \"$A\"" >$ev/filter
	echo 1 >$ev/enable
	echo 1 >$TR/tracing_on
	ip netns exec $NS timeout 60 socat -u - TCP-LISTEN:5305,reuseaddr </tmp/re1000e-features &
	pid=$!
	wait_listen 5305 $NS
	got=$(timeout 60 socat -u TCP:198.51.100.2:5305 - | sha256sum | cut -d' ' -f1)
	wait $pid
	echo 0 >$TR/tracing_on
	echo 0 >$ev/enable
	awk -v got="$got" '/napi_gro_receive_entry/ {
			if ($0 !~ / protocol=0x0800 /) { o++; next }
			n++; if ($0 !~ / hash=0x00000000 /) h++; if ($0 ~ / l4_hash=1 /) l++
			if ($0 ~ / ip_summed=0 /) c0++; if ($0 ~ / ip_summed=1 /) c1++ }
		END {print got, n + 0, h + 0, l + 0, c0 + 0, c1 + 0, o + 0}' $TR/trace
}
if [ -e $TR/events/net/napi_gro_receive_entry ]; then
	# Receive checksum: with it on, every received IPv4 skb (the transfer's TCP segments) is
	# marked verified by the hardware (CHECKSUM_UNNECESSARY); with it off, every one is left
	# to the stack (CHECKSUM_NONE), and the data arrives intact both ways.
	ethtool -K "$A" rx-checksum on
	read -r got_on n_on h_on l_on _ u_on o_on <<<"$(rx_trace)"
	ethtool -K "$A" rx-checksum off
	read -r got_off n_coff _ _ z_off _ _ <<<"$(rx_trace)"
	ethtool -K "$A" rx-checksum on
	if [ "$got_on" = "$WANT" ] && [ "$got_off" = "$WANT" ] && [ "$n_on" -gt 1000 ] &&
		[ "$u_on" = "$n_on" ] && [ "$n_coff" -gt 1000 ] && [ "$z_off" = "$n_coff" ] &&
		[ "$(feature rx-checksumming)" = on ]; then
		ktap_test_pass "rx-checksum: $u_on of $n_on received IPv4 skbs CHECKSUM_UNNECESSARY when on, $z_off of $n_coff CHECKSUM_NONE when off; $MIB MiB intact both ways"
	else
		ktap_test_fail "rx-checksum: on $u_on/$n_on unnecessary, off $z_off/$n_coff none; intact $([ "$got_on" = "$WANT" ] && echo yes || echo no)/$([ "$got_off" = "$WANT" ] && echo yes || echo no)"
	fi

	# Receive hashing: the hash the 82574 computed reaches the skb, L4 for TCP; none with
	# rx-hashing off.
	ethtool -K "$A" rx-hashing off
	read -r _ n_off h_off _ _ _ o_off <<<"$(rx_trace)"
	ethtool -K "$A" rx-hashing on
	ktap_print_msg "rx-hashing: $o_on and $o_off skbs other than IPv4 received (not counted)"
	if [ "$n_on" -gt 1000 ] && [ "$h_on" = "$n_on" ] && [ "$l_on" -gt $((n_on * 9 / 10)) ] &&
		[ "$n_off" -gt 1000 ] && [ "$h_off" = 0 ]; then
		ktap_test_pass "rx-hashing: $h_on of $n_on received skbs carry the hardware hash ($l_on L4); none when off"
	else
		ktap_test_fail "rx-hashing: on $h_on/$n_on hashed ($l_on L4), off $h_off/$n_off hashed"
	fi
else
	ktap_test_skip "rx-checksum: no napi_gro_receive_entry tracepoint"
	ktap_test_skip "rx-hashing: no napi_gro_receive_entry tracepoint"
fi

# rx-fcs: frames keep their 4-byte FCS (QEMU appends zeros, not a real CRC).
ethtool -K "$A" rx-fcs on
capture - "$A" 4
ip netns exec $NS ping -c 3 -i 0.2 -s 1472 -M do -q 198.51.100.1 >/dev/null
stop_capture $CAPPID
read -r _ _ _ len_fcs _ </tmp/re1000e-features-cap
ethtool -K "$A" rx-fcs off
capture - "$A" 4
ip netns exec $NS ping -c 3 -i 0.2 -s 1472 -M do -q 198.51.100.1 >/dev/null
stop_capture $CAPPID
read -r _ _ _ len_plain _ </tmp/re1000e-features-cap
if [ "$len_fcs" = 1518 ] && [ "$len_plain" = 1514 ]; then
	ktap_test_pass "rx-fcs: full frames arrive as 1518 bytes with it, 1514 without"
else
	ktap_test_fail "rx-fcs: longest frame $len_fcs with, $len_plain without"
fi

# rx-all: store bad packets and pass MAC control frames (RCTL.SBP on, DPF off). QEMU never
# delivers a frame with a bad FCS, but with RCTL.SBP it stores an oversized one (longer than
# 1522 bytes with long frames off) as the MAC would: over several 2048-byte buffers, so
# rx-all must give the ring whole-page buffers, not the half-page ones a 1500 MTU gets.
# The peer, at MTU 3000, pings with 2,942-byte frames that cannot be fragmented: answered
# (in fragments: our MTU is 1500) only while rx-all is on.
big_ping() {
	ip netns exec $NS ping -c 2 -i 0.3 -W 2 -s 2900 -M do -q 198.51.100.1 >/dev/null 2>&1 &&
		echo yes || echo no
}
ip -n $NS link set "$B" mtu 3000
big_off=$(big_ping)
ethtool -K "$A" rx-all on
r_on=$("$REG" "${SLOTS[0]}" read $RCTL)
wait_carrier "$A"
ok=$(ip netns exec $NS ping -c 3 -i 0.2 -W 2 -q 198.51.100.1 >/dev/null && echo yes)
big_on=$(big_ping)
ethtool -K "$A" rx-all off
r_off=$("$REG" "${SLOTS[0]}" read $RCTL)
wait_carrier "$A"
big_after=$(big_ping)
ip -n $NS link set "$B" mtu 1500
ok_after=$(ip netns exec $NS ping -c 3 -i 0.2 -W 2 -q 198.51.100.1 >/dev/null && echo yes)
if [ $((r_on & 0x4)) != 0 ] && [ $((r_on & 0x400000)) = 0 ] && [ $((r_off & 0x4)) = 0 ] &&
	[ $((r_off & 0x400000)) != 0 ] && [ "$ok" = yes ] && [ "$ok_after" = yes ] &&
	[ "$big_off" = no ] && [ "$big_on" = yes ] && [ "$big_after" = no ]; then
	ktap_test_pass "rx-all: RCTL.SBP set and DPF clear while on, oversized frames stored only then, traffic intact, undone when off"
else
	ktap_test_fail "rx-all: RCTL $r_on on, $r_off off, traffic $ok/$ok_after, 2942-byte frames answered before/on/after: $big_off/$big_on/$big_after"
fi

# loopback: what the port sends comes back to it and never reaches the peer.
ethtool -K "$A" loopback on
ip neigh flush dev "$A"
capture $NS "$B" 4
ping -c 3 -i 0.2 -W 1 -q 198.51.100.2 >/dev/null
lost=$?
stop_capture $CAPPID
read -r _ peer_frames _ </tmp/re1000e-features-cap
ip neigh flush dev "$A"
capture - "$A" 3
ping -c 2 -i 0.2 -W 1 -q 198.51.100.2 >/dev/null
stop_capture $CAPPID
read -r _ self_frames _ </tmp/re1000e-features-cap
ethtool -K "$A" loopback off
if [ $lost != 0 ] && [ "$peer_frames" = 0 ] && [ "$self_frames" -ge 2 ] &&
	ping -c 2 -i 0.2 -W 2 -q 198.51.100.2 >/dev/null; then
	ktap_test_pass "loopback: frames come back ($self_frames), none reach the peer; off restores the link"
else
	ktap_test_fail "loopback: ping rc $lost, peer saw $peer_frames, port got back $self_frames"
fi

# A slow link withdraws TSO (current configuration, not capability), with a notification.
n0=$(ntf_count "$A")
g0=$(drv_stat tx_tso_packets)
ethtool -s "$A" speed 100 duplex full autoneg off
speed=$(ethtool "$A" | awk '/Speed:/ {print $2}')
if wait_ntf "$A" "$n0" && [ "$(ntf_last "$A" tx-tcp-segmentation)" = off ] &&
	[ "$speed" = 100Mb/s ] && ethtool -k "$A" | grep -q "tx-tcp-segmentation: off \[requested on\]" &&
	[ "$(feature tx-tcp6-segmentation)" = off ]; then
	ktap_test_pass "forced 100 Mb/s: TSO leaves the active set, FEATURES_NTF received, the request is kept"
else
	ktap_test_fail "forced 100 Mb/s: speed $speed, tso $(feature tx-tcp-segmentation), notifications $n0 -> $(ntf_count "$A")"
fi
got=$(send 198.51.100.2)
g1=$(drv_stat tx_tso_packets)
if [ "$got" = "$WANT" ] && [ "$g1" = "$g0" ]; then
	ktap_test_pass "at 100 Mb/s: $MIB MiB intact and no super-packet reached the hardware"
else
	ktap_test_fail "at 100 Mb/s: intact $([ "$got" = "$WANT" ] && echo yes || echo no), tso packets +$((g1 - g0))"
fi

before=$(ethtool "$A"; ethtool -k "$A")
if ! ethtool -s "$A" speed 1000 duplex full autoneg off 2>/dev/null &&
	! ethtool -s "$A" speed 10000 duplex full autoneg off 2>/dev/null &&
	[ "$(ethtool "$A"; ethtool -k "$A")" = "$before" ]; then
	ktap_test_pass "forced 1000 Mb/s and unknown speeds are refused; settings unchanged"
else
	ktap_test_fail "a forced 1000 Mb/s or unknown speed was accepted or changed something"
fi

ip link set "$A" down
ip link set "$A" up
wait_carrier "$A"
if [ "$(ethtool "$A" | awk '/Speed:/ {print $2}')" = 100Mb/s ] &&
	[ "$(feature tx-tcp-segmentation)" = off ]; then
	ktap_test_pass "the forced speed survives down/up, TSO stays withheld"
else
	ktap_test_fail "after down/up: $(ethtool "$A" | grep Speed), tso $(feature tx-tcp-segmentation)"
fi

n0=$(ntf_count "$A")
ethtool -s "$A" autoneg on
for _ in $(seq 50); do
	[ "$(ethtool "$A" | awk '/Speed:/ {print $2}')" = 1000Mb/s ] && break
	sleep 0.2
done
wait_carrier "$A"
if wait_ntf "$A" "$n0" && [ "$(ntf_last "$A" tx-tcp-segmentation)" = on ] &&
	[ "$(feature tx-tcp-segmentation)" = on ] && [ "$(feature tx-tcp6-segmentation)" = on ]; then
	ktap_test_pass "auto-negotiated 1000 Mb/s: TSO back without being asked again, FEATURES_NTF received"
else
	ktap_test_fail "after autoneg: $(ethtool "$A" | grep Speed), tso $(feature tx-tcp-segmentation)"
fi
g0=$(drv_stat tx_tso_packets)
got=$(send 198.51.100.2)
g1=$(drv_stat tx_tso_packets)
if [ "$got" = "$WANT" ] && [ $((g1 - g0)) -gt 0 ]; then
	ktap_test_pass "at 1000 Mb/s: $MIB MiB intact, $((g1 - g0)) super-packets segmented by the hardware"
else
	ktap_test_fail "at 1000 Mb/s: intact $([ "$got" = "$WANT" ] && echo yes || echo no), tso +$((g1 - g0))"
fi

# Hardware fault, found by the data path: the receive checksum engine loses RXCSUM.
n0=$(ntf_count "$A")
f0=$(drv_stat offload_engine_faults)
"$REG" "${SLOTS[0]}" clear $RXCSUM 0x300 >/dev/null
ip netns exec $NS ping -c 12 -i 0.1 -W 2 -q 198.51.100.1 >/dev/null
if wait_ntf "$A" "$n0" && [ "$(ntf_last "$A" rx-checksumming)" = off ] &&
	ethtool -k "$A" | grep -q "rx-checksumming: off \[fixed\]" &&
	[ "$(drv_stat offload_engine_faults)" = $((f0 + 1)) ]; then
	ktap_test_pass "rx checksum engine fault found by the data path: withdrawn from hw_features, FEATURES_NTF"
else
	ktap_test_fail "rx checksum fault: rx-checksumming $(feature rx-checksumming), faults $f0 -> $(drv_stat offload_engine_faults)"
fi
before=$(ethtool -k "$A")
# The transfer the other way uses software checksums on this side.
ip netns exec $NS timeout 60 socat -u - TCP-LISTEN:5303,reuseaddr </tmp/re1000e-features &
pid=$!
wait_listen 5303 $NS
got=$(timeout 60 socat -u TCP:198.51.100.2:5303 - | sha256sum | cut -d' ' -f1)
wait $pid
if ! ethtool -K "$A" rx-checksum on 2>/dev/null && [ "$(ethtool -k "$A")" = "$before" ] &&
	[ "$got" = "$WANT" ]; then
	ktap_test_pass "while faulty: rx-checksum on is refused, nothing changes; $MIB MiB received intact"
else
	ktap_test_fail "while faulty: request or receive path wrong (intact: $([ "$got" = "$WANT" ] && echo yes || echo no))"
fi

n0=$(ntf_count "$A")
ip link set "$A" down
ip link set "$A" up
wait_carrier "$A"
r=$("$REG" "${SLOTS[0]}" read $RXCSUM)
if wait_ntf "$A" "$n0" && [ "$(ntf_last "$A" rx-checksumming)" = on ] &&
	[ "$(feature rx-checksumming)" = on ] && ! fixed rx-checksumming &&
	[ $((r & 0x300)) = $((0x300)) ]; then
	ktap_test_pass "reset recovers the engine: rx checksum back as requested, FEATURES_NTF"
else
	ktap_test_fail "recovery: rx-checksumming $(feature rx-checksumming)"
fi

# Hardware fault, found by the self-test: the VLAN engine loses CTRL.VME.
n0=$(ntf_count "$A")
"$REG" "${SLOTS[0]}" clear $CTRL 0x40000000 >/dev/null
ethtool -t "$A" online >/tmp/re1000e-features-test
rc=$?
if [ $rc != 0 ] && grep -q "Offload engine test (online)[[:space:]]*1" /tmp/re1000e-features-test &&
	wait_ntf "$A" "$n0" && ethtool -k "$A" | grep -q "rx-vlan-offload: off \[fixed\]" &&
	ethtool -k "$A" | grep -q "tx-vlan-offload: off \[fixed\]"; then
	ktap_test_pass "VLAN engine fault found by the self-test: both VLAN offloads withdrawn, FEATURES_NTF"
else
	ktap_test_fail "VLAN fault: self-test rc $rc, rx-vlan $(feature rx-vlan-offload)"
fi

# VLAN device on top: inherits checksum and TSO; with the engine faulty its tags are
# built in software, and traffic works either way.
modprobe 8021q
ip link add link "$A" name "$A.7" type vlan id 7
ip addr add 203.0.113.1/24 dev "$A.7"
ip link set "$A.7" up
ip -n $NS link add link "$B" name "$B.7" type vlan id 7
ip -n $NS addr add 203.0.113.2/24 dev "$B.7"
ip -n $NS link set "$B.7" up
if ping -c 3 -i 0.2 -W 2 -q 203.0.113.2 >/dev/null; then
	ktap_test_pass "VLAN device carries traffic with the VLAN engine withdrawn (software tags)"
else
	ktap_test_fail "VLAN traffic failed while the VLAN engine was withdrawn"
fi

n0=$(ntf_count "$A")
ethtool -t "$A" offline >/tmp/re1000e-features-test
rc=$?
wait_carrier "$A"
if [ $rc = 0 ] && wait_ntf "$A" "$n0" && [ "$(feature rx-vlan-offload)" = on ] &&
	[ "$(feature tx-vlan-offload)" = on ]; then
	ktap_test_pass "offline self-test resets and verifies the engine: VLAN offloads back, FEATURES_NTF"
else
	ktap_test_fail "VLAN recovery: self-test rc $rc, rx-vlan $(feature rx-vlan-offload)"
fi

ip netns exec $NS ethtool -K "$B" gro off
g0=$(drv_stat tx_tso_packets)
capture $NS "$B" 15
got=$(send 203.0.113.2)
stop_capture $CAPPID
g1=$(drv_stat tx_tso_packets)
read -r _ frames _ maxlen _ tagged _ tcpmax </tmp/re1000e-features-cap
ip netns exec $NS ethtool -K "$B" gro on
if [ "$(feature "$A.7" tx-checksum-ip-generic)" = on ] &&
	[ "$(feature "$A.7" tx-tcp-segmentation)" = on ] && [ "$got" = "$WANT" ] &&
	[ $((g1 - g0)) -gt 0 ] && [ "$maxlen" -le 1518 ] && [ "$tcpmax" -le 1460 ] &&
	[ "$tagged" -ge 1000 ]; then
	ktap_test_pass "VLAN device: checksum and TSO inherited; $MIB MiB intact, $((g1 - g0)) tagged super-packets segmented to <= $maxlen bytes"
else
	ktap_test_fail "VLAN device: csum $(feature "$A.7" tx-checksum-ip-generic) tso $(feature "$A.7" tx-tcp-segmentation), tso +$((g1 - g0)), max $maxlen, tagged $tagged"
fi

# VXLAN on top: the 82574 parses no tunnel, so the port offers tunnels only what needs no
# parsing (hw_enc_features = SG, HIGHDMA): checksums and segmentation are done in software.
modprobe vxlan
ip link add vx0 type vxlan id 42 local 198.51.100.1 remote 198.51.100.2 dstport 4789 dev "$A"
ip addr add 192.0.2.1/24 dev vx0
ip link set vx0 up
ip -n $NS link add vx0 type vxlan id 42 local 198.51.100.2 remote 198.51.100.1 dstport 4789 dev "$B"
ip -n $NS addr add 192.0.2.2/24 dev vx0
ip -n $NS link set vx0 up
ip netns exec $NS ethtool -K "$B" gro off
g0=$(drv_stat tx_tso_packets)
capture $NS "$B" 20
got=$(send 192.0.2.2)
stop_capture $CAPPID
g1=$(drv_stat tx_tso_packets)
read -r _ frames _ maxlen _ </tmp/re1000e-features-cap
ip netns exec $NS ethtool -K "$B" gro on
if [ "$got" = "$WANT" ] && [ "$g1" = "$g0" ] && [ "$maxlen" -le 1514 ] && [ "$frames" -gt 1000 ]; then
	ktap_test_pass "VXLAN device: $MIB MiB intact, segmented and checksummed in software ($frames frames <= $maxlen bytes, no hardware TSO)"
else
	ktap_test_fail "VXLAN: intact $([ "$got" = "$WANT" ] && echo yes || echo no), tso +$((g1 - g0)), frames $frames max $maxlen"
fi
ip link del vx0
ip -n $NS link del vx0

# GRE (gretap) on top: the same, with a different tunnel.
if ! ip link add gt0 type gretap local 198.51.100.1 remote 198.51.100.2 dev "$A"; then
	ktap_test_skip "GRE device: the kernel has no gretap (CONFIG_NET_IPGRE)"
else
ip addr add 192.0.2.65/26 dev gt0
ip link set gt0 up
ip -n $NS link add gt0 type gretap local 198.51.100.2 remote 198.51.100.1 dev "$B"
ip -n $NS addr add 192.0.2.66/26 dev gt0
ip -n $NS link set gt0 up
g0=$(drv_stat tx_tso_packets)
got=$(send 192.0.2.66)
g1=$(drv_stat tx_tso_packets)
if [ "$got" = "$WANT" ] && [ "$g1" = "$g0" ] && fixed tx-gre-segmentation; then
	ktap_test_pass "GRE device: $MIB MiB intact, no hardware TSO for encapsulated packets"
else
	ktap_test_fail "GRE: intact $([ "$got" = "$WANT" ] && echo yes || echo no), tso +$((g1 - g0))"
fi
ip link del gt0
ip -n $NS link del gt0
fi
ip link del "$A.7"

# Bond over both ports (the NDIS MUX case): a port's capability change makes the bond
# recompute its features and say so, and again when it returns.
modprobe bonding
ip -n $NS link set "$B" netns 1
ip link add bond0 type bond mode active-backup miimon 100
ip link set "$A" down
ip link set "$B" down
ip link set "$A" master bond0
ip link set "$B" master bond0
ip link set bond0 up
wait_carrier "$A"
sleep 1
nb=$(ntf_count bond0)
ethtool -s "$A" speed 100 duplex full autoneg off
ok1=$(wait_ntf bond0 "$nb" && echo yes)
if [ "$ok1" = yes ] && [ "$(feature tx-tcp-segmentation)" = off ] &&
	[ "$(feature "$B" tx-tcp-segmentation)" = on ]; then
	ktap_test_pass "bond: a port forced to 100 Mb/s loses TSO and the bond recomputes (FEATURES_NTF for bond0)"
else
	ktap_test_fail "bond: notification $ok1, port tso $(feature tx-tcp-segmentation)"
fi
nb=$(ntf_count bond0)
ethtool -s "$A" autoneg on
ok2=$(wait_ntf bond0 "$nb" && echo yes)
for _ in $(seq 50); do
	[ "$(feature tx-tcp-segmentation)" = on ] && break
	sleep 0.2
done
nb=$(ntf_count bond0)
"$REG" "${SLOTS[0]}" clear $CTRL 0x40000000 >/dev/null
ethtool -t "$A" online >/dev/null
ok3=$(wait_ntf bond0 "$nb" && echo yes)
nb=$(ntf_count bond0)
ethtool -t "$A" offline >/dev/null
ok4=$(wait_ntf bond0 "$nb" && echo yes)
if [ "$ok2" = yes ] && [ "$ok3" = yes ] && [ "$ok4" = yes ] &&
	[ "$(feature tx-tcp-segmentation)" = on ] && [ "$(feature rx-vlan-offload)" = on ]; then
	ktap_test_pass "bond: recomputed when TSO returns, on an engine fault and on its recovery"
else
	ktap_test_fail "bond: tso return $ok2, fault $ok3, recovery $ok4"
fi
ip link del bond0

if dmesg | sed -n "/$mark/,\$p" | grep -E "WARNING|BUG:|Oops" | grep -v "re1000e-selftest" >/dev/null; then
	dmesg | sed -n "/$mark/,\$p" | grep -E -A5 "WARNING|BUG:|Oops" | head -n 20 | sed 's/^/# /'
	ktap_test_fail "kernel warnings during the feature tests"
else
	ktap_test_pass "no kernel warning during the feature tests"
fi
ktap_finished
