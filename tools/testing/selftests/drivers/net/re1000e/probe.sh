#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# re1000e binds every 82574L, enables it, and reports the permanent MAC address that
# QEMU (or the NVM of a real card) holds.
. "$(dirname "$(readlink -f "$0")")/lib.sh"

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 1 ] || { ktap_skip_all "no 82574L present"; exit "$KSFT_SKIP"; }
ktap_set_plan $((1 + 3 * ${#SLOTS[@]}))

unload re1000e e1000e
mark=$(mark_log)
modprobe re1000e
if [ "$(count_bound re1000e)" = "${#SLOTS[@]}" ]; then
	ktap_test_pass "re1000e binds all ${#SLOTS[@]} 82574L NICs"
else
	ktap_test_fail "re1000e binds $(count_bound re1000e) of ${#SLOTS[@]} 82574L NICs"
fi

i=0
for s in "${SLOTS[@]}"; do
	cmd=$(pci_command "$s")
	if [ $((cmd & 0x6)) = 6 ]; then
		ktap_test_pass "$s: memory decoding and bus mastering enabled"
	else
		ktap_test_fail "$s: PCI command register $cmd lacks MEM|MASTER"
	fi

	line=$(log_since "$s" "$mark" | grep "NVM checksum ok")
	mac=$(sed -n 's/.*MAC \([0-9a-f:]*\).*/\1/p' <<<"$line")
	if [ -n "$mac" ]; then
		ktap_test_pass "$s: NVM checksum verified, MAC $mac reported"
	else
		ktap_test_fail "$s: no probe report in the kernel log"
	fi

	want=$(qemu_mac "nic$i")
	if [ -z "$want" ]; then
		ktap_test_skip "$s: no QEMU monitor to ask for the assigned MAC"
	elif [ "$mac" = "$want" ]; then
		ktap_test_pass "$s: MAC equals QEMU's nic$i macaddr $want"
	else
		ktap_test_fail "$s: MAC '$mac' but QEMU assigned '$want' to nic$i"
	fi
	i=$((i + 1))
done

unload re1000e
ktap_finished
