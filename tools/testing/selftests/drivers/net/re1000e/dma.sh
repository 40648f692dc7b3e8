#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data path when DMA is not coherent and direct: every streaming mapping bounced
# through the software IO TLB (kernel booted with swiotlb=force, as on confidential guests)
# or translated by an IOMMU (QEMU's intel-iommu, intel_iommu=on). QEMU's x86 DMA is
# otherwise coherent, so a missing, misplaced or short DMA sync, or a buffer handed to the
# device at the wrong bus address, only shows here: received headers that were never
# synced, transmitted data read from the wrong page.
#
# Ping both ways (IPv4 and IPv6), digest-checked TCP transfers both ways with TSO at MTU
# 1500 and with jumbo frames at MTU 9000 (frames over several receive buffers), a ring
# resize, a link flap and an unload under traffic, and then no DMA-API, IOMMU or swiotlb
# complaint in the log. Tests re1000e, or the C e1000e with DMA_TEST_DRIVER=e1000e (the reference:
# the same tests pass with it in the same rig). Skips when DMA is neither bounced nor
# translated.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-dma
DRV=${DMA_TEST_DRIVER:-re1000e}

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs cabled together"; exit "$KSFT_SKIP"; }

SWIOTLB=/sys/kernel/debug/swiotlb
DMAAPI=/sys/kernel/debug/dma-api
group_type=$(cat "$PCI/${SLOTS[0]}/iommu_group/type" 2>/dev/null)
if grep -qw swiotlb=force /proc/cmdline; then
	MODE=swiotlb
elif [[ $group_type == DMA* ]]; then
	MODE=iommu
else
	ktap_skip_all "DMA is neither bounced (swiotlb=force) nor translated (IOMMU domain '${group_type:-none}')"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 11
DEBUG=1
if [ ! -r "$DMAAPI/dump" ] || [ "$(cat "$DMAAPI/disabled" 2>/dev/null)" = Y ]; then
	DEBUG=0
	echo "# DMA-API debug is not on (CONFIG_DMA_API_DEBUG, debugfs, no dma_debug=off): mappings and errors are not tracked"
fi

# nic_mappings: the live DMA mappings of the two NICs that DMA-API debug tracks.
nic_mappings() {
	grep -cE " (${SLOTS[0]}|${SLOTS[-1]}) " "$DMAAPI/dump" 2>/dev/null
}

LOAD=
all_errors=$(cat "$DMAAPI/all_errors" 2>/dev/null)
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$LOAD" ] && kill $LOAD 2>/dev/null
	ip netns del $NS 2>/dev/null
	unload "$DRV"
	[ -n "$all_errors" ] && echo "$all_errors" >"$DMAAPI/all_errors"
}
trap cleanup EXIT
unload re1000e e1000e
mark=$(mark_log)
used0=$(cat "$SWIOTLB/io_tlb_used" 2>/dev/null || echo 0)
# DMA-API debug prints only its first error of a boot unless told to print them all; its
# error count is what this test compares.
[ -n "$all_errors" ] && echo 1 >"$DMAAPI/all_errors"
errors0=$(cat "$DMAAPI/error_count" 2>/dev/null)
modprobe "$DRV"
link_pair $NS || ktap_exit_fail_msg "no link between the $DRV interfaces"
maps1=$(nic_mappings)

# The NICs' DMA really goes the way this test is about: bounce slots held by the mapped
# receive buffers, or the NIC in a translated IOMMU domain.
if [ $MODE = swiotlb ]; then
	used1=$(cat "$SWIOTLB/io_tlb_used" 2>/dev/null || echo 0)
	if [ "$used1" -gt "$used0" ]; then
		ktap_test_pass "$DRV: DMA bounced (swiotlb=force): $((used1 - used0)) IO TLB slots and ${maps1:-?} tracked mappings with the interfaces up"
	else
		ktap_test_fail "$DRV: swiotlb=force but IO TLB slots in use $used0 -> $used1"
	fi
else
	if [[ $(cat "$PCI/${SLOTS[1]}/iommu_group/type" 2>/dev/null) == DMA* ]]; then
		ktap_test_pass "$DRV: DMA translated: both NICs in IOMMU domains of type $group_type, ${maps1:-?} tracked mappings"
	else
		ktap_test_fail "$DRV: second NIC's IOMMU domain is '$(cat "$PCI/${SLOTS[1]}/iommu_group/type" 2>&1)'"
	fi
fi

# Received headers are parsed: ping needs the ARP/ND replies and the echo replies intact.
if ping -c 2 -W 2 198.51.100.2 >/dev/null && ping -6 -c 2 -W 2 2001:db8:9::2 >/dev/null &&
	ip netns exec $NS ping -c 2 -W 2 198.51.100.1 >/dev/null &&
	ip netns exec $NS ping -6 -c 2 -W 2 2001:db8:9::1 >/dev/null; then
	ktap_test_pass "ping IPv4 and IPv6, both ways"
else
	ktap_test_fail "ping failed"
fi

mib=$(full_or 8 64)
ethtool -K "$A" tso on >/dev/null 2>&1
ip netns exec $NS ethtool -K "$B" tso on >/dev/null 2>&1
if stream_check - $NS 198.51.100.2 "$mib" 5501 && stream_check $NS - 198.51.100.1 "$mib" 5502; then
	ktap_test_pass "MTU 1500, TSO: $mib MiB intact each way"
else
	ktap_test_fail "MTU 1500 transfer corrupted or stalled"
fi

if ip link set "$A" mtu 9000 && ip -n $NS link set "$B" mtu 9000 && wait_carrier "$A" &&
	stream_check - $NS 198.51.100.2 "$mib" 5503 && stream_check $NS - 2001:db8:9::1 "$mib" 5504; then
	ktap_test_pass "MTU 9000: $mib MiB intact each way (IPv4 one way, IPv6 back)"
else
	ktap_test_fail "MTU 9000 transfer corrupted or stalled"
fi
ip link set "$A" mtu 1500
ip -n $NS link set "$B" mtu 1500
wait_carrier "$A"

# New rings: every buffer unmapped and new ones mapped.
if ethtool -G "$A" rx 128 tx 128 && wait_carrier "$A" && stream_check - $NS 198.51.100.2 4 5505 &&
	ethtool -G "$A" rx 256 tx 256 && wait_carrier "$A" && stream_check $NS - 198.51.100.1 4 5506; then
	ktap_test_pass "rings resized to 128 and back to 256: transfers intact after each"
else
	ktap_test_fail "ring resize: $(ethtool -g "$A" 2>&1 | tail -n 4 | tr '\n' ' ')"
fi

if [ -n "$(qemu_mac nic0)" ]; then
	"${RE1000E_TOP}/scripts/guest/qmon" "set_link nic0 off" >/dev/null
	wait_carrier "$A" 0 5
	"${RE1000E_TOP}/scripts/guest/qmon" "set_link nic0 on" >/dev/null
	if wait_carrier "$A" && ping -c 2 -W 2 198.51.100.2 >/dev/null &&
		stream_check - $NS 198.51.100.2 4 5507; then
		ktap_test_pass "link flap: carrier back, traffic intact"
	else
		ktap_test_fail "no traffic after a link flap"
	fi
else
	ktap_test_skip "no QEMU monitor to flap the link"
fi

# Unload while both directions run: every mapping is undone with frames in flight.
ip netns exec $NS timeout 30 socat -u TCP-LISTEN:5508,reuseaddr - >/dev/null 2>&1 &
LOAD=$!
wait_listen 5508 $NS
timeout 30 socat -u /dev/zero TCP:198.51.100.2:5508 >/dev/null 2>&1 &
LOAD="$LOAD $!"
timeout 30 ping -f -s 1400 198.51.100.2 >/dev/null 2>&1 &
LOAD="$LOAD $!"
sleep 2
if timeout 30 rmmod "$DRV"; then
	ktap_test_pass "$DRV unloaded under traffic"
else
	ktap_test_fail "rmmod $DRV under traffic failed or hung"
fi
# shellcheck disable=SC2086
kill $LOAD 2>/dev/null
# shellcheck disable=SC2086
wait $LOAD 2>/dev/null
LOAD=
ip netns del $NS 2>/dev/null
sleep 1
used2=$(cat "$SWIOTLB/io_tlb_used" 2>/dev/null || echo 0)
maps2=$(nic_mappings)
if [ $DEBUG = 0 ]; then
	ktap_test_skip "DMA-API debug not on: mappings left after unload not tracked"
elif [ "$maps1" -gt 0 ] && [ "$maps2" = 0 ] && { [ $MODE != swiotlb ] || [ "$used2" -le "$used0" ]; }; then
	ktap_test_pass "every mapping undone after unload ($maps1 while up, none after; IO TLB slots $used0 before, $used2 after)"
else
	ktap_test_fail "mappings left after unload: $maps1 while up, $maps2 after; IO TLB slots $used0 before, $used2 after"
	grep -E " (${SLOTS[0]}|${SLOTS[-1]}) " "$DMAAPI/dump" | head -n 5 | sed 's/^/# /'
fi

# And back: a fresh load in the same boot works.
modprobe "$DRV"
if link_pair $NS && ping -c 2 -W 2 198.51.100.2 >/dev/null; then
	ktap_test_pass "$DRV loaded again: traffic flows"
else
	ktap_test_fail "no traffic after loading $DRV again"
fi

errors1=$(cat "$DMAAPI/error_count" 2>/dev/null)
msgs=$(dmesg | sed -n "/$mark/,\$p" |
	grep -E "DMA-API|DMAR: .*[Ff]ault|DMAR: DRHD|swiotlb buffer is full|swiotlb.*overflow|iommu.*fault|IO_PAGE_FAULT" | head -n 20)
if [ -z "$msgs" ] && [ "$errors0" = "$errors1" ]; then
	ktap_test_pass "no DMA-API error (count $errors1), no IOMMU or swiotlb message in the log ($MODE)"
else
	echo "$msgs" | sed 's/^/# /'
	ktap_test_fail "DMA-API errors ${errors0:-?} -> ${errors1:-?}, or IOMMU or swiotlb messages in the log (above)"
fi
no_kernel_warnings "$mark"
ktap_finished
