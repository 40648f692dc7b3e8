#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make run`: show re1000e bound to the rig's 82574L NICs.
. "$(dirname "$0")/lib.sh"
echo "== re1000e in the rig =="
grep '^re1000e ' /proc/modules
for s in $(nic_slots); do
	printf '%s  8086:10d3  driver=%s  enable=%s\n' "$s" "$(bound_driver "$s")" \
		"$(cat /sys/bus/pci/devices/$s/enable)"
done
echo "-- kernel log --"
dmesg | grep -E 're1000e|KUnit|# re1000e' | grep -v 'RIG-' | tail -n 20
echo "-- BAR0 regions --"
grep -B1 re1000e /proc/iomem
echo "-- QEMU's view --"
"$RE1000E_TOP/scripts/guest/qmon" "info network" | grep e1000e
n=$(for s in $(nic_slots); do bound_driver "$s"; done | grep -c '^re1000e$')
echo "re1000e bound $n NIC(s)"
[ "$n" -ge 1 ]
