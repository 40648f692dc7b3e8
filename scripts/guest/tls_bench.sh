#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the kTLS figures of `make bench`, on re1000e (both NICs, the rig's
# addresses), appending "key value" lines to $RIG_RESULTS/tls.txt, ROUNDS rounds of:
#   tls_<path>_mbps            TLS 1.2 AES-GCM-128 throughput, MIB MiB with sendfile to a
#   tls_<path>_cpu_per_gbit    software kTLS receiver in ns-remote, and guest CPU busy (all
#                              CPUs, %) per Gbit/s, for three paths:
#                                engine: offloaded, re1000e's engine encrypts each packet
#                                sw: tls-hw-tx-offload off, the kernel's kTLS software
#                                  path encrypts each record
#                                fallback: offloaded, then the engine faulted (devlink
#                                  health test, no auto-recovery), so that every packet
#                                  goes through the core's per-skb fallback
#                                  (tls_encrypt_skb), as out-of-order packets do
# and once:
#   tls_add_us_median          microseconds per TLS_TX setsockopt on a connection the
#   tls_add_us_sw_median       device takes (tls_dev_add inside), and with the feature off
#   tls_del_ms_full_table      from closing 64 offloaded connections until the driver
#                              deleted every offload (the core deletes them from work items)
#   tls_invalidate_ns_full     the engine fault's invalidation of every context (devlink
#   tls_invalidate_ns_empty    health test), as the driver times it, with a full table of 64
#                              and with an empty one
#   tls_context_bytes          memory per context (its key and cipher state, allocated at
#   tls_table_bytes            tls_dev_add, and its share of the slots) and the table's
#                              slots, allocated once (the driver's sizes, from the diagnosis)
#
#   tls_bench.sh ROUNDS MIB
set -u
ROUNDS=$1 MIB=$2
NS=ns-remote
TOOL=$RE1000E_TOP/tools/testing/selftests/drivers/net/re1000e/tls_tool.py
OUT=$RIG_RESULTS/tls.txt
TMP=$(mktemp -d /tmp/tls-bench.XXXXXX)
put() { echo "$1 $2" | tee -a "$OUT"; }
: >"$OUT"

ip netns del $NS 2>/dev/null || true
rmmod re1000e e1000e 2>/dev/null || true
RIG_DRIVER=re1000e "$RE1000E_TOP/scripts/guest/rig-up.sh" >/dev/null || exit 1
# shellcheck disable=SC1090 # written by rig-up.sh
. "$RIG_ENV"
for _ in $(seq 50); do
	ping -c 1 -W 1 -q "$REMOTE_V4" >/dev/null 2>&1 && break
	sleep 0.2
done
DL=pci/$LOCAL_SLOT
HR=(reporter tls_engine)
F=$TMP/data
dd if=/dev/urandom of="$F" bs=1M count="$MIB" status=none
BYTES=$((MIB << 20))

busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat; }
stat_of() { ethtool -S "$NETIF" | awk -v n="$1:" '$1 == n {print $2}'; }
wait_feature() {
	local _
	for _ in $(seq 50); do
		[ "$(ethtool -k "$NETIF" | sed -n 's/^tls-hw-tx-offload: //p')" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
wait_file() {
	local _
	for _ in $(seq 600); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# receiver PORT: a software kTLS receiver in the peer namespace, once it listens.
receiver() {
	rm -f "$TMP/ready"
	ip netns exec $NS timeout 300 "$TOOL" recv --port "$1" --cipher 128 --version 1.2 \
		--seed "$1" --ready "$TMP/ready" >/dev/null &
	wait_file "$TMP/ready"
}

# run PATH PORT: one measured transfer (for fallback: the first MiB offloaded, then the
# fault, then the rest); prints "MBPS CPU_PER_GBIT" of the measured part.
run() {
	local path=$1 port=$2 t0 t1 b0 b1 tt0 tt1
	receiver "$port"
	if [ "$path" = fallback ]; then
		rm -f "$TMP/paused"
		timeout 300 "$TOOL" send --host "$REMOTE_V4" --port "$port" --cipher 128 \
			--version 1.2 --seed "$port" --file "$F" --mode sendfile \
			--pause-at $((1 << 20)) --pause-file "$TMP/paused" >/dev/null &
		local tx=$!
		wait_file "$TMP/paused"
		devlink health test "$DL" "${HR[@]}"
		read -r b0 t0 <<<"$(busy)"
		tt0=$(date +%s%N)
		rm -f "$TMP/paused"
		wait $tx
		tt1=$(date +%s%N)
		read -r b1 t1 <<<"$(busy)"
		BYTES_RUN=$((BYTES - (1 << 20)))
	else
		read -r b0 t0 <<<"$(busy)"
		tt0=$(date +%s%N)
		timeout 300 "$TOOL" send --host "$REMOTE_V4" --port "$port" --cipher 128 \
			--version 1.2 --seed "$port" --file "$F" --mode sendfile >/dev/null
		tt1=$(date +%s%N)
		read -r b1 t1 <<<"$(busy)"
		BYTES_RUN=$BYTES
	fi
	wait
	echo "# $path: $BYTES_RUN bytes in $(((tt1 - tt0) / 1000000)) ms, busy $((b1 - b0)) of $((t1 - t0)) jiffies" >&2
	python3 -c "
secs = ($tt1 - $tt0) / 1e9
mbps = $BYTES_RUN * 8 / secs / 1e6
cpu = 100 * ($b1 - $b0) / ($t1 - $t0)
print(round(mbps, 1), round(cpu / (mbps / 1000), 1))"
}

devlink health set "$DL" "${HR[@]}" auto_recover false
port=5500
for round in $(seq "$ROUNDS"); do
	echo "# tls round $round"
	for path in engine sw fallback; do
		port=$((port + 1))
		if [ $path = sw ]; then
			ethtool -K "$NETIF" tls-hw-tx-offload off
		fi
		enc0=$(stat_of tx_tls_encrypted_bytes) fb0=$(stat_of tx_tls_fallback)
		read -r mbps cpu <<<"$(run $path $port)"
		enc=$(($(stat_of tx_tls_encrypted_bytes) - enc0)) fb=$(($(stat_of tx_tls_fallback) - fb0))
		echo "# $path: engine encrypted $enc bytes, fallback $fb packets"
		put "tls_${path}_mbps" "$mbps"
		put "tls_${path}_cpu_per_gbit" "$cpu"
		if [ $path = sw ]; then
			ethtool -K "$NETIF" tls-hw-tx-offload on
		elif [ $path = fallback ]; then
			devlink health recover "$DL" "${HR[@]}"
			wait_feature on || echo "# tls-hw-tx-offload did not come back"
		fi
	done
done

# open PORT: 64 TLS connections held open (tls_tool.py many), once they are all set up;
# ADD is its "add_us MEDIAN MEAN" line.
open64() {
	rm -f "$TMP/ready" "$TMP/hold"
	ip netns exec $NS timeout 300 "$TOOL" sink --port "$1" --count 64 --ready "$TMP/ready" &
	wait_file "$TMP/ready"
	timeout 300 "$TOOL" many --host "$REMOTE_V4" --port "$1" \
		--count 64 --hold-file "$TMP/hold" >"$TMP/open.out" &
	OPENPID=$!
	wait_file "$TMP/hold"
	ADD=$(awk '$1 == "add_us" {print $2}' "$TMP/open.out")
}
close64() {
	rm -f "$TMP/hold"
	wait $OPENPID
	wait
}
now_us() { echo $(($(date +%s%N) / 1000)); }

# diag KEY: a number from the engine's devlink health diagnosis.
diag() {
	devlink health diagnose "$DL" "${HR[@]}" | tr -s ' \n' ' ' | sed -n "s/.* $1: \([0-9]*\).*/\1/p"
}

# Offloaded: add cost, a full table's invalidation (timed by the driver), the deletes'
# catch-up.
open64 5600
put tls_add_us_median "$ADD"
echo "# table: $(devlink resource show "$DL" | grep tls_tx_contexts)"
devlink health test "$DL" "${HR[@]}"
echo "# invalidated: $(diag last_fault_invalidated)"
put tls_invalidate_ns_full "$(diag last_fault_ns)"
devlink health recover "$DL" "${HR[@]}"
ctx=$(stat_of tx_tls_ctx)
t=$(now_us)
close64
while [ "$(stat_of tx_tls_del)" != "$ctx" ]; do sleep 0.01; done
put tls_del_ms_full_table $((($(now_us) - t) / 1000))
wait_feature on
devlink health test "$DL" "${HR[@]}"
put tls_invalidate_ns_empty "$(diag last_fault_ns)"
devlink health recover "$DL" "${HR[@]}"
wait_feature on
put tls_context_bytes "$(diag context_bytes)"
put tls_table_bytes "$(diag table_bytes)"

# The software path's add, for comparison.
ethtool -K "$NETIF" tls-hw-tx-offload off
open64 5601
put tls_add_us_sw_median "$ADD"
close64
ethtool -K "$NETIF" tls-hw-tx-offload on
devlink health set "$DL" "${HR[@]}" auto_recover true
rm -rf "$TMP"
