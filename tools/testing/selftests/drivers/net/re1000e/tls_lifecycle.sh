#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lifecycle of re1000e's kTLS transmit offloads, with kmemleak: the hardware-failure
# sequence (an engine fault injected through devlink health withdraws tls-hw-tx-offload with
# a FEATURES_NTF, invalidates every connection, which goes on intact through the software
# fallback, keeps new connections in software, is reported; recovery restores it all), the
# interface going down under a live offload (upload-all: the core takes every offload back
# and the connection goes on in software), and the driver unloaded under a live offload;
# nothing leaks, nothing warns. The data path at size is tls.sh's.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
PLAN=6
. "$DIR/tls_lib.sh"

# --- The hardware-failure sequence --------------------------------------------------------
# An engine fault injected with devlink health test (auto-recovery off, to see the faulted
# state): every connection invalidated, tls-hw-tx-offload withdrawn from the capabilities
# (ethtool shows it fixed off; ethtool --monitor gets the FEATURES_NTF), the fault reported;
# the live connection goes on through the fallback and arrives intact; a new one stays in
# software. devlink health recover restores the capability, and new connections are
# offloaded again.
MON=$TMP/monitor
stdbuf -oL ethtool --monitor >"$MON" 2>&1 &
PIDS="$PIDS $!"
sleep 1
devlink health set "$DL" "${HR[@]}" auto_recover false
# shellcheck disable=SC2034 # snapshots, used through d and deltas
declare -A F0 F1 F2 F3 F4
snap F0
paused_start 5319 256 "$SMALL" || ktap_print_msg "the connection did not pause"
devlink health test "$DL" "${HR[@]}"
withdrawn=0
wait_feature "off [fixed]" && withdrawn=1
diag_fault=$(diagnose)
state=$(devlink health show "$DL" "${HR[@]}" 2>&1 | tr -s ' \n' ' ')
ntf_off=$(grep -c "^tls-hw-tx-offload: off \[fixed\]" "$MON")
snap F1
transfer 5320 128 1.2 "$SMALL" write
new_sum=$GOT
snap F2
paused_finish 5319
snap F3
deltas "engine fault" F0 F3
ktap_print_msg "faulted: $diag_fault; $state"
if [ $withdrawn = 1 ] && [ "$ntf_off" -ge 1 ] && [[ $diag_fault == *"engine: faulted"* ]] &&
	[[ $diag_fault == *"offloaded: 0 invalid: 1"* ]] && [[ $state =~ state\ error\ +error\ 1\  ]]; then
	ktap_test_pass "engine fault: tls-hw-tx-offload withdrawn (FEATURES_NTF), every connection invalidated, reported to devlink health"
else
	ktap_test_fail "engine fault: withdrawn $withdrawn ($(ethtool -k "$A" | grep tls-hw-tx)), notifications $ntf_off, diagnose '$diag_fault', health '$state'"
fi
if [ -n "$new_sum" ] && [ "$new_sum" = "$SMALL_SUM" ] && [ "$(d TlsTxSw F1 F2)" = 1 ] &&
	[ "$(d tx_tls_ctx F1 F2)" = 0 ] && [ -n "$GOT" ] && [ "$GOT" = "$SMALL_SUM" ] &&
	[ "$(d tx_tls_fallback F2 F3)" -gt 0 ] && [ "$(d tx_tls_encrypted_bytes F1 F3)" = 0 ] &&
	[ "$(d peer_TlsDecryptError F0 F3)" = 0 ]; then
	ktap_test_pass "during the fault: a new connection in software, the invalidated one intact through the fallback ($(d tx_tls_fallback F2 F3) packets)"
else
	ktap_test_fail "during the fault: new connection '${new_sum:-nothing}' (sw +$(d TlsTxSw F1 F2), ctx +$(d tx_tls_ctx F1 F2)), invalidated one '${GOT:-nothing}' (want $SMALL_SUM), fallback +$(d tx_tls_fallback F2 F3), engine +$(d tx_tls_encrypted_bytes F1 F3) bytes"
fi
devlink health recover "$DL" "${HR[@]}"
restored=0
wait_feature on && restored=1
snap F3
transfer 5321 128 1.2 "$SMALL" write
snap F4
devlink health set "$DL" "${HR[@]}" auto_recover true
ntf_on=$(grep -c "^tls-hw-tx-offload: on$" "$MON")
deltas "after recovery" F3 F4
if [ $restored = 1 ] && [ "$ntf_on" -ge 1 ] && [[ $(diagnose) == *"engine: ok"* ]] &&
	[ -n "$GOT" ] && [ "$GOT" = "$SMALL_SUM" ] && [ "$(d tx_tls_ctx F3 F4)" = 1 ] &&
	[ "$(d TlsTxDevice F3 F4)" = 1 ] && [ "$(d tx_tls_encrypted_bytes F3 F4)" -gt 0 ]; then
	ktap_test_pass "recovered: tls-hw-tx-offload back (FEATURES_NTF), a new connection offloaded and intact"
else
	ktap_test_fail "recovery: restored $restored, notifications $ntf_on, diagnose '$(diagnose)', received '${GOT:-nothing}', ctx +$(d tx_tls_ctx F3 F4), device +$(d TlsTxDevice F3 F4)"
fi

# --- The interface goes down under a live offload -----------------------------------------
# The core deletes the offload at once (NETDEV_DOWN) and the connection goes on with the
# kernel's software encryption once the interface is up again: the driver must neither
# touch the context again nor be asked to delete it twice.
# shellcheck disable=SC2034 # snapshots, used through d and deltas
declare -A D0 D1 D2
snap D0
rm -f "$TMP/paused"
LIMIT=400
receive 5316 128 1.2
send 5316 128 1.2 "$SMALL" write --pause-at $((SMALL_BYTES / 2)) --pause-file "$TMP/paused" &
LIMIT=180
TX_LIVE=$!
PIDS="$PIDS $TX_LIVE"
paused=0
wait_file "$TMP/paused" 180 && paused=1
ip link set "$A" down
snap D1
ip link set "$A" up
wait_carrier "$A"
rm -f "$TMP/paused"
rc=0
wait $TX_LIVE || rc=$?
received 5316 $rc
end=$((SECONDS + 20))
while :; do
	snap D2
	[ "${D2[tx_tls_del]:-}" = "${D2[tx_tls_ctx]:-0}" ] && [ "${D2[TlsCurrTxDevice]}" = 0 ] && break
	[ $SECONDS -ge $end ] && break
	sleep 0.5
done
deltas "down under a live offload" D0 D2
if [ $paused = 1 ] && [ "$(d tx_tls_ctx D0 D1)" = 1 ] &&
	[ "${D1[tx_tls_del]:-}" = "${D1[tx_tls_ctx]:-0}" ] &&
	[ "${D2[tx_tls_del]:-}" = "${D2[tx_tls_ctx]:-0}" ] && [ "$(d tx_tls_encrypted_bytes D1 D2)" = 0 ] &&
	[ -n "$GOT" ] && [ "$GOT" = "$SMALL_SUM" ] && [ "$(d peer_TlsDecryptError D0 D2)" = 0 ]; then
	ktap_test_pass "down under a live offload: deleted at once, the connection went on in software after up, 4 MiB intact"
else
	ktap_test_fail "down under a live offload: paused $paused, tx_tls_ctx/del at down ${D1[tx_tls_ctx]}/${D1[tx_tls_del]} (+$(d tx_tls_ctx D0 D1) offloads), at the end ${D2[tx_tls_ctx]}/${D2[tx_tls_del]}, driver encrypted $(d tx_tls_encrypted_bytes D1 D2) bytes after down, received '${GOT:-nothing}' (want $SMALL_SUM)"
fi

# Unloading the driver under a live offload: the core takes the offload back (the
# device goes away) and the socket carries on in software; nothing may leak.
paused_start 5322 128 "$SMALL" || ktap_print_msg "the connection did not pause"
unload re1000e
[ -d /sys/module/re1000e ] && ktap_print_msg "re1000e did not unload under a live offload"
# The senders run under timeout in subshells: end them by name, then everything else.
pkill -f "$TOOL" 2>/dev/null
# shellcheck disable=SC2086
kill $PIDS 2>/dev/null
PIDS=
wait 2>/dev/null
ip netns del $NS
unload sch_netem
kmemleak_result "kTLS offloads, the failure sequence and an unload under a live offload"
no_kernel_warnings "$mark"
ktap_finished
