# SPDX-License-Identifier: GPL-2.0
# The set-up and helpers of the re1000e kTLS offload tests (tls.sh, tls_lifecycle.sh):
# re1000e on both NICs, the second in namespace $NS with the software kTLS receiver, the
# counters of both ends, transfers through tls_tool.py, devlink. Sourced after lib.sh, with
# PLAN set to the test count. A test may instead link the NICs its own way: it sets NICS to
# how many it needs and defines tls_link NS (which sets A, the interface whose devlink
# instance and counters the helpers use, and PORTS, more interfaces whose counters snap
# takes as PORT:NAME) and tls_unlink (undoes it).
NS=re1000e-tls
TOOL="$DIR/tls_tool.py"
PEER_ADDR=198.51.100.2
COUNTERS="tx_tls_ctx tx_tls_del tx_tls_refused tx_tls_encrypted_packets tx_tls_encrypted_bytes
	tx_tls_ooo tx_tls_fallback tx_tls_resync_req tx_tls_resync tx_tls_drop_no_sync_data
	tx_tls_invalidated tx_tls_neigh_update tx_tls_relink"
PORTS=

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge "${NICS:-2}" ] ||
	{ ktap_skip_all "needs ${NICS:-2} 82574L NICs cabled in pairs"; exit "$KSFT_SKIP"; }
[ -e /proc/net/tls_stat ] || modprobe tls 2>/dev/null
[ -e /proc/net/tls_stat ] ||
	{ ktap_skip_all "no kernel TLS (CONFIG_TLS, CONFIG_TLS_DEVICE)"; exit "$KSFT_SKIP"; }
ktap_set_plan "$PLAN"

TMP=$(mktemp -d /tmp/re1000e-tls.XXXXXX)
PIDS=
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && kill $PIDS 2>/dev/null
	if [ -n "${A:-}" ] && [ -e /sys/class/net/"$A" ]; then
		tc qdisc del dev "$A" root 2>/dev/null
		ethtool -K "$A" tls-hw-tx-offload on 2>/dev/null
	fi
	[ -n "${DL:-}" ] && devlink health set "$DL" reporter tls_engine auto_recover true 2>/dev/null
	declare -F tls_unlink >/dev/null && tls_unlink
	ip netns del $NS 2>/dev/null
	rm -rf "$TMP"
	unload re1000e sch_netem
}
trap cleanup EXIT
unload re1000e e1000e
kmemleak_reset
mark=$(mark_log)
modprobe re1000e
if declare -F tls_link >/dev/null; then
	tls_link $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"
else
	link_pair $NS || ktap_exit_fail_msg "no link between the re1000e interfaces"
fi

# The peer namespace's TLS statistics are read through a process that lives in it
# (/proc/PID/net is PID's namespace): shell builtins, instead of starting ip netns exec and
# cat for each look.
ip netns exec $NS sleep 100000 &
PEER=$!
PIDS=$PEER
for _ in $(seq 100); do
	[ /proc/$PEER/ns/net -ef /var/run/netns/$NS ] && [ -r /proc/$PEER/net/tls_stat ] && break
	sleep 0.1
done
[ -r /proc/$PEER/net/tls_stat ] ||
	ktap_exit_fail_msg "no process in $NS to read its TLS statistics through"

# A 4 MiB file for the connections that only have to work.
SMALL=$TMP/small
dd if=/dev/urandom of="$SMALL" bs=1M count=4 status=none
SMALL_SUM=$(sha256sum <"$SMALL" | cut -d' ' -f1)
SMALL_BYTES=$((4 << 20))

feature() {
	ethtool -k "$A" | awk -v f="$1:" '$1 == f {print $2}'
}

# The devlink instance of $A's PCI function, and its TLS engine's health reporter.
DL=pci/${SLOTS[0]}
HR=(reporter tls_engine)
# diagnose [INSTANCE]: the reporter's diagnosis ($DL's unless another devlink INSTANCE is
# named), one line ("engine: ok capacity: 64 offloaded: 1 ...").
diagnose() {
	devlink health diagnose "${1:-$DL}" "${HR[@]}" 2>&1 | tr -s ' \n' ' '
}
# tree: the state tree as JSON, taken now (a stored dump is cleared first).
tree() {
	devlink health dump clear "$DL" "${HR[@]}" 2>/dev/null
	devlink -j health dump show "$DL" "${HR[@]}" 2>&1
}
# occupancy [INSTANCE]: the tls_tx_contexts resource ($DL's unless another devlink
# INSTANCE is named) as "SIZE OCC".
occupancy() {
	devlink resource show "${1:-$DL}" 2>/dev/null |
		awk '$1 == "name" && $2 == "tls_tx_contexts" {print $4, $6}'
}
# tls_feature [IF]: tls-hw-tx-offload of IF ($A unless named), as ethtool shows it ("on",
# "off [fixed]"...).
tls_feature() {
	ethtool -k "${1:-$A}" | sed -n 's/^tls-hw-tx-offload: //p'
}
# wait_feature VALUE [SECONDS]: wait up to SECONDS (10) for tls-hw-tx-offload to read VALUE
# ("off [fixed]" or "on").
wait_feature() {
	local _
	for _ in $(seq $((${2:-10} * 5))); do
		[ "$(tls_feature)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
# paused_start PORT CIPHER FILE [OPTION...]: an offloaded connection that stops halfway
# (everything sent acknowledged) until $TMP/paused is removed; TX_LIVE and RX_LIVE are its
# ends; OPTIONs go to the sender. Returns once it waits.
paused_start() {
	rm -f "$TMP/paused"
	LIMIT=400
	receive "$1" "$2" 1.2
	RX_LIVE=$RXPID
	send "$1" "$2" 1.2 "$3" write --pause-at $(($(stat -c %s "$3") / 2)) \
		--pause-file "$TMP/paused" "${@:4}" &
	TX_LIVE=$!
	LIMIT=180
	PIDS="$PIDS $TX_LIVE"
	wait_file "$TMP/paused" 180
}
# paused_finish PORT: lets the paused connection finish; GOT as for received.
paused_finish() {
	local rc=0
	rm -f "$TMP/paused"
	wait "$TX_LIVE" || rc=$?
	RXPID=$RX_LIVE
	received "$1" $rc
}

# snap VAR: into the associative array VAR, $A's driver counters tx_tls_*, this namespace's
# TLS statistics (TlsTxDevice...) and the peer namespace's (peer_TlsDecryptError...).
declare -A S0 S1
snap() {
	local -n _c=$1
	local k v
	_c=()
	while read -r k v; do
		[[ $k == tx_tls_*: ]] && _c["${k%:}"]=$v
	done < <(ethtool -S "$A")
	local p
	for p in $PORTS; do
		while read -r k v; do
			[[ $k == tx_tls_*: ]] && _c["$p:${k%:}"]=$v
		done < <(ethtool -S "$p")
	done
	while read -r k v; do _c["$k"]=$v; done </proc/net/tls_stat
	while read -r k v; do _c["peer_$k"]=$v; done </proc/"$PEER"/net/tls_stat
}

# d NAME [OLD NEW]: how far NAME moved from snapshot OLD (S0) to NEW (S1).
d() {
	local -n _o=${2:-S0} _n=${3:-S1}
	echo $((${_n[$1]:-0} - ${_o[$1]:-0}))
}

# deltas WHAT [OLD NEW]: one diagnostic line: how every counter moved from OLD to NEW.
deltas() {
	local -n _o=${2:-S0} _n=${3:-S1}
	local k v out=
	for k in $COUNTERS TlsTxDevice TlsTxSw TlsCurrTxDevice \
		peer_TlsRxSw peer_TlsDecryptError; do
		printf -v v '%+d' $((${_n[$k]:-0} - ${_o[$k]:-0}))
		out+=" $k $v"
	done
	ktap_print_msg "$1 (at ${SECONDS} s):$out"
}

# wait_file FILE [SECONDS]: wait up to SECONDS (60) for FILE to exist.
wait_file() {
	local _
	for _ in $(seq $((${2:-60} * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Each end of a connection gets LIMIT seconds: 180, where 64 MiB take seconds under KVM and
# may take minutes under TCG with a debug kernel; the connections that pause halfway, more.
LIMIT=180

# receive PORT CIPHER VERSION: the peer's kTLS receiver for one connection to PORT, keys
# from seed PORT, in the background (PID in RXPID); it writes "SHA256 BYTES" to $TMP/rx.PORT,
# its errors to $TMP/rx.PORT.err. Returns once it listens.
receive() {
	rm -f "$TMP/ready"
	ip netns exec $NS timeout $LIMIT "$TOOL" recv --port "$1" --cipher "$2" --version "$3" \
		--seed "$1" --ready "$TMP/ready" >"$TMP/rx.$1" 2>"$TMP/rx.$1.err" &
	RXPID=$!
	PIDS="$PIDS $RXPID"
	wait_file "$TMP/ready" 30 || { ktap_print_msg "the receiver on port $1 did not start"; return 1; }
}

# send PORT CIPHER VERSION FILE MODE [OPTION...]: send FILE from here to the receiver on
# PORT (tls_tool.py send, MODE sendfile or write, OPTIONs as it takes them); its messages
# go to $TMP/tx.PORT.
send() {
	local port=$1 cipher=$2 version=$3 file=$4 mode=$5
	shift 5
	timeout $LIMIT "$TOOL" send --host $PEER_ADDR --port "$port" --cipher "$cipher" \
		--version "$version" --seed "$port" --file "$file" --mode "$mode" "$@" \
		>"$TMP/tx.$port" 2>&1
}

# received PORT [SENDER_STATUS]: wait for the receiver on PORT (RXPID); GOT is the digest
# of what it decrypted, empty if it or the sender failed (their messages go to the log).
received() {
	local _
	GOT=
	if [ "${2:-0}" != 0 ]; then
		sed 's/^/# sender: /' "$TMP/tx.$1"
		[ "$2" = 124 ] && echo "# sender: timed out"
		kill "$RXPID" 2>/dev/null
	fi
	if wait "$RXPID"; then
		read -r GOT _ <"$TMP/rx.$1"
	else
		cat "$TMP/rx.$1" "$TMP/rx.$1.err" | sed 's/^/# receiver: /'
	fi
	[ "${2:-0}" = 0 ] || GOT=
}

# transfer PORT CIPHER VERSION FILE MODE [OPTION...]: one connection from here to the peer;
# GOT as for received.
transfer() {
	local rc=0
	GOT=
	receive "$1" "$2" "$3" || return 1
	send "$@" || rc=$?
	received "$1" $rc
}

