#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The MUX case of re1000e's kTLS transmit offload: a bond over two re1000e ports, in
# balance-xor with the layer3+4 hash (a mode in which the bond names one port per socket,
# bond_sk_get_lower_dev), to a bond of two in the peer namespace. The core offloads each
# connection to the port its socket hashes to, asking that port (not the bond, which
# carries no TLS bit) whether it can; so an engine fault on one port withdraws its
# capability with a FEATURES_NTF on that port only, its connections go on through the
# fallback, new connections hashed to it stay in software while those of the healthy port
# stay offloaded, and recovery brings it all back. Needs four NICs cabled in pairs (the
# first with the second, the third with the fourth: scripts/rig.sh --nics 4).
. "$(dirname "$(readlink -f "$0")")/lib.sh"
PLAN=9
NICS=4
BOND=re1000e-bond
PBOND=re1000e-pbond

# tls_link NS: re1000e's first and third NICs in bond $BOND here, the second and fourth in
# bond $PBOND in NS, both balance-xor with the layer3+4 hash; A is the first port (whose
# engine the test faults), P0 and P1 the two ports.
tls_link() {
	local q0 q1 b
	P0=$(ls "$PCI/${SLOTS[0]}/net" 2>/dev/null | head -n1)
	P1=$(ls "$PCI/${SLOTS[2]}/net" 2>/dev/null | head -n1)
	q0=$(ls "$PCI/${SLOTS[1]}/net" 2>/dev/null | head -n1)
	q1=$(ls "$PCI/${SLOTS[3]}/net" 2>/dev/null | head -n1)
	[ -n "$P0" ] && [ -n "$P1" ] && [ -n "$q0" ] && [ -n "$q1" ] || return 1
	modprobe bonding max_bonds=0 || return 1
	ip netns add "$1"
	ip link set "$q0" netns "$1"
	ip link set "$q1" netns "$1"
	for b in "" "-n $1"; do
		# shellcheck disable=SC2086
		ip $b link add "$([ -z "$b" ] && echo $BOND || echo $PBOND)" type bond \
			mode balance-xor xmit_hash_policy layer3+4 miimon 100
	done
	# Enslaving sets each port's address to the bond's (ndo_set_mac_address).
	ip link set "$P0" master $BOND && ip link set "$P1" master $BOND || return 1
	ip -n "$1" link set "$q0" master $PBOND && ip -n "$1" link set "$q1" master $PBOND ||
		return 1
	ip addr add 198.51.100.1/24 dev $BOND
	ip link set $BOND up
	ip -n "$1" addr add 198.51.100.2/24 dev $PBOND
	ip -n "$1" link set $PBOND up
	ip -n "$1" link set lo up
	A=$P0
	PORTS="$P0 $P1"
	wait_carrier "$P0" && wait_carrier "$P1" && wait_carrier $BOND
}
tls_unlink() {
	ip link del $BOND 2>/dev/null
	ip -n $NS link del $PBOND 2>/dev/null
	sleep 0.5
	unload bonding
}
. "$DIR/tls_lib.sh"
# The second port's devlink instance.
DL1=pci/${SLOTS[2]}

# Both ports took the bond's address, and traffic crosses.
baddr=$(cat /sys/class/net/$BOND/address)
if [ "$(cat /sys/class/net/"$P0"/address)" = "$baddr" ] &&
	[ "$(cat /sys/class/net/"$P1"/address)" = "$baddr" ] &&
	ping -c 5 -i 0.2 -W 2 $PEER_ADDR >/dev/null; then
	ktap_test_pass "bond over $P0 and $P1 (balance-xor, layer3+4): both ports carry the bond's address $baddr, traffic crosses"
else
	ktap_test_fail "bond: addresses $(cat /sys/class/net/"$P0"/address) and $(cat /sys/class/net/"$P1"/address), bond $baddr, or no ping"
fi

# The bond carries no TLS bit (the core asks it for the socket's port), the ports do.
if [ "$(tls_feature $BOND)" = "off [fixed]" ] && [ "$(tls_feature "$P0")" = on ] &&
	[ "$(tls_feature "$P1")" = on ]; then
	ktap_test_pass "tls-hw-tx-offload: the bond off [fixed], both ports on"
else
	ktap_test_fail "tls-hw-tx-offload: bond '$(tls_feature $BOND)', $P0 '$(tls_feature "$P0")', $P1 '$(tls_feature "$P1")'"
fi

# Connections from fixed source ports, so the hash gives the same answer every run: 40000 +
# 3 x (PORT mod 1000). (Source and destination ports that move together, 40000 + PORT,
# cancel out of the layer3+4 hash's low bits: every connection would take one port.)
sport() {
	echo $((40000 + 3 * ($1 % 1000)))
}
# WHERE is
# where connection PORT went: a port's name, "sw", or "?" (nothing or several moved).
declare -A WHERE
# shellcheck disable=SC2034 # snapshots, used through d
declare -A W0 W1
# where PORT: from snapshots W0 and W1.
where() {
	local n=0 w=?
	[ "$(d "$P0:tx_tls_ctx" W0 W1)" = 1 ] && w=$P0 n=$((n + 1))
	[ "$(d "$P1:tx_tls_ctx" W0 W1)" = 1 ] && w=$P1 n=$((n + 1))
	[ "$(d TlsTxSw W0 W1)" = 1 ] && w=sw n=$((n + 1))
	[ $n = 1 ] || w=?
	WHERE[$1]=$w
}
# live PORT: a connection from source port $(sport PORT) that pauses halfway (everything sent
# acknowledged) until $TMP/paused.PORT is removed; its sender's PID in TX[PORT], its
# receiver's in RX[PORT].
declare -A TX RX
live() {
	rm -f "$TMP/paused.$1"
	snap W0
	LIMIT=400
	receive "$1" 128 1.2 || return 1
	RX[$1]=$RXPID
	send "$1" 128 1.2 "$SMALL" write --sport "$(sport "$1")" \
		--pause-at $((SMALL_BYTES / 2)) --pause-file "$TMP/paused.$1" &
	TX[$1]=$!
	LIMIT=180
	PIDS="$PIDS ${TX[$1]}"
	wait_file "$TMP/paused.$1" 180 || return 1
	snap W1
	where "$1"
}
# finish PORT: lets connection PORT finish; OK[PORT] is 1 if it arrived intact.
declare -A OK
finish() {
	local rc=0
	rm -f "$TMP/paused.$1"
	wait "${TX[$1]}" || rc=$?
	RXPID=${RX[$1]}
	received "$1" $rc
	OK[$1]=0
	[ -n "$GOT" ] && [ "$GOT" = "$SMALL_SUM" ] && OK[$1]=1
}
# one PORT: a whole connection from source port $(sport PORT); WHERE as for live, OK as for
# finish.
one() {
	snap W0
	transfer "$1" 128 1.2 "$SMALL" write --sport "$(sport "$1")"
	snap W1
	where "$1"
	OK[$1]=0
	[ -n "$GOT" ] && [ "$GOT" = "$SMALL_SUM" ] && OK[$1]=1
}

# Live connections until each port holds one: each offloaded to exactly one port.
LIVE=()
on0=0 on1=0 odd=
for port in $(seq 5401 5416); do
	live $port || { odd+=" $port:failed"; break; }
	LIVE+=("$port")
	case ${WHERE[$port]} in
	"$P0") on0=$((on0 + 1)) ;;
	"$P1") on1=$((on1 + 1)) ;;
	*) odd+=" $port:${WHERE[$port]}" ;;
	esac
	[ $on0 -ge 1 ] && [ $on1 -ge 1 ] && break
done
read -r _ occ0 < <(occupancy)
read -r _ occ1 < <(occupancy "$DL1")
ktap_print_msg "live connections: $(for p in "${LIVE[@]}"; do printf '%s->%s ' "$p" "${WHERE[$p]}"; done)"
if [ $on0 -ge 1 ] && [ $on1 -ge 1 ] && [ -z "$odd" ] && [ "$occ0" = $on0 ] && [ "$occ1" = $on1 ]; then
	ktap_test_pass "connections through the bond offloaded to the port they hash to: $on0 on $P0, $on1 on $P1 (occupancies $occ0, $occ1)"
else
	ktap_test_fail "offload through the bond: $on0 on $P0, $on1 on $P1, others:${odd:- none}, occupancies $occ0 and $occ1"
fi

# An engine fault on the first port (auto-recovery off): its capability withdrawn with a
# FEATURES_NTF on it alone, its connections invalidated, the other port untouched.
stdbuf -oL ethtool --monitor -k "$P0" >"$TMP/mon0" 2>&1 &
PIDS="$PIDS $!"
stdbuf -oL ethtool --monitor -k "$P1" >"$TMP/mon1" 2>&1 &
PIDS="$PIDS $!"
sleep 1
# shellcheck disable=SC2034 # snapshots, used through d
declare -A F0 F1 F2 F3
devlink health set "$DL" "${HR[@]}" auto_recover false
snap F0
devlink health test "$DL" "${HR[@]}"
withdrawn=0
wait_feature "off [fixed]" && withdrawn=1
diag0=$(diagnose)
diag1=$(diagnose "$DL1")
ntf0=$(grep -c "^tls-hw-tx-offload: off \[fixed\]" "$TMP/mon0")
ntf1=$(grep -c "^tls-hw-tx-offload:" "$TMP/mon1")
ktap_print_msg "$P0: $diag0"
ktap_print_msg "$P1: $diag1"
if [ $withdrawn = 1 ] && [ "$ntf0" -ge 1 ] && [ "$ntf1" = 0 ] &&
	[ "$(tls_feature "$P1")" = on ] && [[ $diag0 == *"engine: faulted"* ]] &&
	[[ $diag0 == *"offloaded: 0 invalid: $on0 "* ]] && [[ $diag1 == *"engine: ok"* ]] &&
	[[ $diag1 == *"offloaded: $on1 invalid: 0 "* ]]; then
	ktap_test_pass "engine fault on $P0: its capability withdrawn (FEATURES_NTF on $P0 only), its $on0 connection(s) invalidated, $P1's $on1 still offloaded"
else
	ktap_test_fail "engine fault on $P0: withdrawn $withdrawn, notifications $ntf0 on $P0 and $ntf1 on $P1, $P1 '$(tls_feature "$P1")'"
fi

# During the fault: new connections hashed to the faulted port stay in software, those
# hashed to the healthy one are offloaded to it; all arrive intact.
snap F1
sw=0 hw1=0 bad=
for port in $(seq 5421 5436); do
	one $port
	[ "${OK[$port]}" = 1 ] || bad+=" $port:corrupt"
	case ${WHERE[$port]} in
	sw) sw=$((sw + 1)) ;;
	"$P1") hw1=$((hw1 + 1)) ;;
	*) bad+=" $port:${WHERE[$port]}" ;;
	esac
	[ $sw -ge 1 ] && [ $hw1 -ge 1 ] && break
done
snap F2
if [ $sw -ge 1 ] && [ $hw1 -ge 1 ] && [ -z "$bad" ] && [ "$(d "$P0:tx_tls_ctx" F1 F2)" = 0 ]; then
	ktap_test_pass "during the fault: new connections hashed to $P0 in software ($sw), to $P1 offloaded ($hw1), all intact"
else
	ktap_test_fail "during the fault: $sw in software, $hw1 offloaded to $P1, $P0 offloads +$(d "$P0:tx_tls_ctx" F1 F2), others:${bad:- none}"
fi

# The live connections finish: the faulted port's through the fallback, the other's through
# its engine; every byte arrives once.
bad=
for port in "${LIVE[@]}"; do
	finish "$port"
	[ "${OK[$port]}" = 1 ] || bad+=" $port"
done
snap F3
fb0=$(d "$P0:tx_tls_fallback" F2 F3)
enc0=$(d "$P0:tx_tls_encrypted_bytes" F0 F3)
enc1=$(d "$P1:tx_tls_encrypted_bytes" F2 F3)
want1=$((on1 * (SMALL_BYTES / 2 - 65536)))
if [ -z "$bad" ] && [ "$fb0" -gt 0 ] && [ "$enc0" = 0 ] && [ "$enc1" -ge $want1 ] &&
	[ "$(d peer_TlsDecryptError F0 F3)" = 0 ]; then
	ktap_test_pass "the live connections arrive intact: $P0's through the fallback ($fb0 packets), $P1's through its engine ($enc1 bytes)"
else
	ktap_test_fail "live connections: corrupt or lost:${bad:- none}; $P0 fallback +$fb0, engine +$enc0 bytes; $P1 engine +$enc1 bytes (want >= $want1); peer decrypt errors +$(d peer_TlsDecryptError F0 F3)"
fi

# Recovery: the first port's capability back (FEATURES_NTF), and a new connection hashed
# to it offloaded there again.
devlink health recover "$DL" "${HR[@]}"
restored=0
wait_feature on && restored=1
devlink health set "$DL" "${HR[@]}" auto_recover true
ntf_on=$(grep -c "^tls-hw-tx-offload: on$" "$TMP/mon0")
hw0=0 bad=
for port in $(seq 5441 5456); do
	one $port
	[ "${OK[$port]}" = 1 ] || bad+=" $port:corrupt"
	case ${WHERE[$port]} in
	"$P0") hw0=1; break ;;
	"$P1") ;;
	*) bad+=" $port:${WHERE[$port]}" ;;
	esac
done
if [ $restored = 1 ] && [ "$ntf_on" -ge 1 ] && [ $hw0 = 1 ] && [ -z "$bad" ] &&
	[ "$(d "$P0:tx_tls_encrypted_bytes" W0 W1)" -gt 0 ]; then
	ktap_test_pass "recovered: $P0's capability back (FEATURES_NTF), a connection hashed to it offloaded there and intact"
else
	ktap_test_fail "recovery: restored $restored, notifications $ntf_on, offloaded to $P0: $hw0, others:${bad:- none}"
fi

# Every offload deleted once its connection closed; the bond goes; no kernel warning.
end=$((SECONDS + 20))
while :; do
	read -r _ occ0 < <(occupancy)
	read -r _ occ1 < <(occupancy "$DL1")
	[ "$occ0" = 0 ] && [ "$occ1" = 0 ] && break
	[ $SECONDS -ge $end ] && break
	sleep 0.5
done
tls_unlink
if [ "$occ0" = 0 ] && [ "$occ1" = 0 ] && [ -e /sys/class/net/"$P0" ] && [ -e /sys/class/net/"$P1" ]; then
	ktap_test_pass "every offload deleted after its connection closed (occupancies 0 and 0), the bond removed"
else
	ktap_test_fail "after the connections: occupancies $occ0 and $occ1; interfaces $(ls /sys/class/net | tr '\n' ' ')"
fi
no_kernel_warnings "$mark"
ktap_finished
