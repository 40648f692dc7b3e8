# SPDX-License-Identifier: GPL-2.0
# Helpers for the re1000e selftests. Sourced.

DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
. "$DIR/../../../kselftest/ktap_helpers.sh"

PCI=/sys/bus/pci/devices

# Sizes and counts: `make check` runs each test at the size that proves its property (a
# digest-checked transfer that crosses every ring wrap and both receive buffer sizes, enough
# link flaps and load cycles to pass through every state); `make check-full` exports
# RE1000E_FULL=1 for the long versions (the largest transfers, 100 link flaps, 20 load
# cycles). full_or SMALL FULL prints the one that applies.
full_or() {
	if [ "${RE1000E_FULL:-0}" = 1 ]; then echo "$2"; else echo "$1"; fi
}

# The helpers below use shell builtins only: under TCG every program the tests start
# costs a good part of a second, and these run in loops.

# PCI addresses of the 82574L NICs (8086:10d3), in bus order.
nic_slots() {
	local d v id
	for d in "$PCI"/*; do
		{ read -r v <"$d/vendor" && read -r id <"$d/device"; } 2>/dev/null || continue
		[ "$v" = 0x8086 ] && [ "$id" = 0x10d3 ] && echo "${d##*/}"
	done
	return 0
}

# Driver bound to PCI slot $1, or "none".
bound_driver() {
	local link
	# A bound device appears in its driver's directory.
	for link in /sys/bus/pci/drivers/*/"$1"; do
		[ -e "$link" ] || continue
		link=${link%/*}
		echo "${link##*/}"
		return 0
	done
	echo none
}

# Number of slots among the 82574L NICs bound to driver $1.
count_bound() {
	local s n=0
	for s in $(nic_slots); do
		[ "$(bound_driver "$s")" = "$1" ] && n=$((n + 1))
	done
	echo $n
}

unload() {
	local m
	for m in "$@"; do
		if grep -q "^$m " /proc/modules; then modprobe -r "$m"; fi
	done
}

# The PCI command register of slot $1 (config space offset 4), as a number.
pci_command() {
	od -An -tu2 -j4 -N2 "$PCI/$1/config" | tr -d ' '
}

# Lines re1000e logged for slot $1 since the marker $2 was written to /dev/kmsg.
log_since() {
	dmesg | sed -n "/$2/,\$p" | grep -F "$1" || true
}

mark_log() {
	local m="re1000e-selftest-mark-$$-$RANDOM"
	echo "$m" >/dev/kmsg
	echo "$m"
}

# The MAC address QEMU gave the NIC with id $1, through the rig's monitor; empty elsewhere.
qemu_mac() {
	command -v qmon >/dev/null || [ -x "${RE1000E_TOP:-}/scripts/guest/qmon" ] || return 0
	"${RE1000E_TOP}/scripts/guest/qmon" "info network" |
		sed -n "s/.*$1: .*macaddr=\([0-9a-f:]*\).*/\1/p" | head -n1
}

# link_pair NS: with re1000e bound, name the first NIC's interface $A and the last one's $B,
# move $B into a new namespace NS, address both ends (198.51.100.1/2, 2001:db8:9::1/2) and
# bring them up; returns once $A has carrier (fails after 10 s).
link_pair() {
	A=$(ls "$PCI/${SLOTS[0]}/net" 2>/dev/null | head -n1)
	B=$(ls "$PCI/${SLOTS[-1]}/net" 2>/dev/null | head -n1)
	[ -n "$A" ] && [ -n "$B" ] || return 1
	ip netns add "$1"
	ip link set "$B" netns "$1"
	ip addr add 198.51.100.1/24 dev "$A"
	ip addr add 2001:db8:9::1/64 dev "$A" nodad
	ip link set "$A" up
	ip -n "$1" addr add 198.51.100.2/24 dev "$B"
	ip -n "$1" addr add 2001:db8:9::2/64 dev "$B" nodad
	ip -n "$1" link set "$B" up
	ip -n "$1" link set lo up
	wait_carrier "$A"
}

# wait_carrier IF [VALUE [SECONDS]]: wait up to SECONDS (10) for IF's carrier to read VALUE
# (1: carrier on).
wait_carrier() {
	local _ c
	for _ in $(seq $((${3:-10} * 5))); do
		read -r c 2>/dev/null </sys/class/net/"$1"/carrier && [ "$c" = "${2:-1}" ] && return 0
		sleep 0.2
	done
	return 1
}

# wait_listen PORT [NS]: wait up to 10 s for a TCP listener on PORT (in namespace NS).
wait_listen() {
	local _
	for _ in $(seq 100); do
		${2:+ip netns exec "$2"} ss -ltnH "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# kmemleak_reset: forget objects that were unreferenced before the test.
kmemleak_reset() {
	[ -w "$KMEMLEAK" ] || return 0
	echo scan >"$KMEMLEAK"
	echo clear >"$KMEMLEAK"
}

# kmemleak_result WHAT: one KTAP result for what kmemleak finds now (skip without it).
kmemleak_result() {
	local leaks
	if [ ! -w "$KMEMLEAK" ]; then
		ktap_test_skip "kmemleak not available (CONFIG_DEBUG_KMEMLEAK, debugfs)"
		return
	fi
	# kmemleak reports only objects older than 5 s, and needs two scans to be sure.
	sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	leaks=$(grep -c "unreferenced object" "$KMEMLEAK" || true)
	if [ "$leaks" = 0 ]; then
		ktap_test_pass "kmemleak: no unreferenced objects after $1"
	else
		grep -A12 "unreferenced object" "$KMEMLEAK" | head -n 40 | sed 's/^/# /'
		ktap_test_fail "kmemleak: $leaks unreferenced objects after $1"
	fi
}

# stream_check FROM TO ADDR MIB PORT: sends MIB MiB of random data over TCP from namespace
# FROM to a listener in namespace TO at ADDR:PORT ("-" is the initial namespace) and
# succeeds if what arrived has the digest of what was sent. Under TCG the guest's own work
# (random data, two digests, two socat) limits the rate to a few MiB/s, and a slow host
# halves that: the transfer gets 60 s plus a second per MiB. A stalled data path still
# fails in about a minute: socat gives up after 60 s with no data moving (-T), and the
# digests then differ. socat moves 64 KiB per call, not its default 8 KiB: under TCG each
# call costs, and 128 MiB at MTU 9000 took 96-116 s with 8 KiB and 56 s with 64 KiB.
# On failure the state of both ends goes to the log ("# " lines).
stream_check() {
	local from=() to=() ns= got sent pid addr=$3 limit=$((60 + $4)) _
	[[ $addr == *:* ]] && addr="[$addr]"
	[ "$1" != - ] && from=(ip netns exec "$1")
	[ "$2" != - ] && to=(ip netns exec "$2") && ns=$2
	rm -f /tmp/re1000e-stream-got /tmp/re1000e-stream-sent
	"${to[@]}" timeout $limit socat -b 65536 -T 60 -u TCP6-LISTEN:"$5",reuseaddr,ipv6only=0 - |
		md5sum >/tmp/re1000e-stream-got &
	pid=$!
	wait_listen "$5" "$ns" || return 1
	if ! head -c $(($4 << 20)) /dev/urandom | tee >(md5sum >/tmp/re1000e-stream-sent) |
		"${from[@]}" timeout $limit socat -b 65536 -T 60 -u - TCP:"$addr":"$5"; then
		pkill -f "TCP6-LISTEN:$5," 2>/dev/null
		wait $pid
		stream_diag "$1" "$2" "$4 MiB to $3:$5 did not complete in $limit s"
		return 1
	fi
	wait $pid
	for _ in $(seq 100); do
		[ -s /tmp/re1000e-stream-sent ] && break
		sleep 0.1
	done
	sent=$(cat /tmp/re1000e-stream-sent)
	got=$(cat /tmp/re1000e-stream-got)
	[ -n "$sent" ] && [ "$sent" = "$got" ] && return 0
	stream_diag "$1" "$2" "$4 MiB to $3:$5: digest sent '$sent', received '$got'"
	return 1
}

# stream_diag FROM TO WHAT: what a failed transfer leaves to look at: link state and the
# non-zero driver counters of A (initial namespace) and B (the peer namespace), and the
# kernel's last lines.
stream_diag() {
	local peer=$1
	[ "$peer" = - ] && peer=$2
	echo "# stream_check: $3"
	echo "# $A: $(ip -br link show "$A" 2>&1)"
	ethtool -S "$A" 2>/dev/null | grep -vE ': 0$' | head -n 40 | sed "s/^/# $A /"
	if [ -n "${B:-}" ] && [ "$peer" != - ]; then
		echo "# $B: $(ip -n "$peer" -br link show "$B" 2>&1)"
		ip netns exec "$peer" ethtool -S "$B" 2>/dev/null | grep -vE ': 0$' |
			head -n 40 | sed "s/^/# $B /"
	fi
	dmesg | tail -n 20 | sed 's/^/# dmesg: /'
}

# stop_capture PID: end a capture.py started in the background once the traffic it watches
# is over (SIGUSR1: it reads what is already queued and prints its summary) and wait for
# it, instead of waiting out its time bound.
stop_capture() {
	kill -USR1 "$1" 2>/dev/null
	wait "$1"
}

# irq_count NAME: interrupts of the /proc/interrupts line(s) named NAME, summed over CPUs.
irq_count() {
	awk -v n="$1" '$NF == n { for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { print s + 0 }' /proc/interrupts
}

# rx_packets IF [NS]: the interface's received-packet counter.
rx_packets() {
	${2:+ip netns exec "$2"} cat /sys/class/net/"$1"/statistics/rx_packets
}

# drv_stat NAME: the driver counter NAME of $A (ethtool -S).
drv_stat() {
	ethtool -S "$A" | awk -v n="$1:" '$1 == n {print $2}'
}

# nic_reg SLOT OFFSET: a register of the NIC in PCI slot SLOT, as a decimal number; fails,
# printing nothing, if the register cannot be read.
nic_reg() {
	local v
	v=$("$DIR/reg_tool.py" "$1" read "$2") && [[ $v == 0x* ]] || return 1
	printf '%d' "$v"
}

# no_kernel_warnings MARK: one KTAP result: no warning in the log since MARK.
no_kernel_warnings() {
	if dmesg | sed -n "/$1/,\$p" | grep -E "WARNING:|BUG:|Oops|possible .*lock|refcount_t:|DMA-API"; then
		ktap_test_fail "kernel warnings"
	else
		ktap_test_pass "no kernel warning"
	fi
}
