#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load/unload cycles of re1000e (5; make check-full: 20) leave no leaked memory (kmemleak) and no device state:
# after every unload each NIC is unbound, disabled, not bus-mastering, its BAR released.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
CYCLES=${CYCLES:-$(full_or 5 20)}

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 1 ] || { ktap_skip_all "no 82574L present"; exit "$KSFT_SKIP"; }
ktap_set_plan 6

unload re1000e e1000e
kmemleak_reset
mark=$(mark_log)
slab_before=$(awk '/^Slab:/ {print $2}' /proc/meminfo)

bind_fail=0 state_fail=0
for i in $(seq "$CYCLES"); do
	modprobe re1000e
	[ "$(count_bound re1000e)" = "${#SLOTS[@]}" ] || bind_fail=$((bind_fail + 1))
	modprobe -r re1000e
	for s in "${SLOTS[@]}"; do
		cmd=$(pci_command "$s")
		if [ "$(bound_driver "$s")" != none ] || [ "$(cat "$PCI/$s/enable")" != 0 ] ||
			[ $((cmd & 0x4)) != 0 ]; then
			state_fail=$((state_fail + 1))
			ktap_print_msg "cycle $i: $s driver $(bound_driver "$s") enable $(cat "$PCI/$s/enable") command $cmd"
		fi
	done
done

if [ $bind_fail = 0 ]; then
	ktap_test_pass "all $CYCLES loads bound all ${#SLOTS[@]} NICs"
else
	ktap_test_fail "$bind_fail of $CYCLES loads did not bind every NIC"
fi

if [ $state_fail = 0 ]; then
	ktap_test_pass "after every unload each NIC is unbound, disabled and not mastering"
else
	ktap_test_fail "$state_fail NIC states left behind by unloads"
fi

if ! grep -q '^re1000e ' /proc/modules && ! grep -q re1000e /proc/iomem; then
	ktap_test_pass "module gone and no BAR still requested"
else
	ktap_test_fail "re1000e still in /proc/modules or /proc/iomem"
fi

kmemleak_result "$CYCLES cycles"
ktap_print_msg "Slab: ${slab_before} kB before, $(awk '/^Slab:/ {print $2}' /proc/meminfo) kB after"

modprobe re1000e
if [ "$(count_bound re1000e)" = "${#SLOTS[@]}" ]; then
	ktap_test_pass "the device still probes after the cycles"
else
	ktap_test_fail "the device no longer probes after the cycles"
fi
modprobe -r re1000e

if dmesg | sed -n "/$mark/,\$p" | grep -E "WARNING:|BUG:|Oops|lockdep|refcount_t:"; then
	ktap_test_fail "kernel warnings during the cycles"
else
	ktap_test_pass "no kernel warning during the cycles"
fi
ktap_finished
