#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A corrupted NVM checksum is refused with a clear error, only for the NIC that has it,
# and the NIC is left disabled; once the NVM is repaired the NIC binds again.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
TOOL="$DIR/nvm_tool.py"
WORD=0x10	# an ordinary NVM word: neither the MAC address nor the checksum

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs"; exit "$KSFT_SKIP"; }
ktap_set_plan 7
BAD=${SLOTS[-1]}

unload re1000e e1000e
orig=$("$TOOL" "$BAD" read $WORD) || ktap_exit_fail_msg "cannot read NVM word $WORD of $BAD"
restore() { unload re1000e; "$TOOL" "$BAD" write $WORD "$orig"; }
trap restore EXIT

"$TOOL" "$BAD" write $WORD $((orig ^ 0x5a5a)) || ktap_exit_fail_msg "cannot corrupt NVM of $BAD"
ktap_print_msg "NVM word $WORD of $BAD changed from $orig to $(printf '%#06x' $((orig ^ 0x5a5a)))"

mark=$(mark_log)
modprobe re1000e
if [ "$(bound_driver "$BAD")" = none ]; then
	ktap_test_pass "$BAD with a corrupt NVM is refused"
else
	ktap_test_fail "$BAD with a corrupt NVM is bound to $(bound_driver "$BAD")"
fi

if log_since "$BAD" "$mark" | grep -q "NVM checksum is invalid: words 0x00-0x3f sum to"; then
	ktap_test_pass "the refusal names the bad checksum"
else
	ktap_test_fail "no NVM checksum error logged for $BAD"
fi

if log_since "$BAD" "$mark" | grep -q "probe with driver re1000e failed with error -5"; then
	ktap_test_pass "probe fails with -EIO"
else
	ktap_test_fail "probe did not fail with -EIO"
fi

cmd=$(pci_command "$BAD")
if [ $((cmd & 0x4)) = 0 ] && [ "$(cat "$PCI/$BAD/enable")" = 0 ] &&
	! grep -A1 -F "$BAD" /proc/iomem | grep -q re1000e; then
	ktap_test_pass "the refused NIC is left disabled with its BAR released"
else
	ktap_test_fail "refused NIC left enabled (command $cmd, enable $(cat "$PCI/$BAD/enable"))"
fi

others=$(( ${#SLOTS[@]} - 1 ))
if [ "$(count_bound re1000e)" = "$others" ]; then
	ktap_test_pass "the $others healthy NIC(s) still bind"
else
	ktap_test_fail "$(count_bound re1000e) of $others healthy NIC(s) bound"
fi

restore
trap - EXIT
if [ "$("$TOOL" "$BAD" read $WORD)" = "$orig" ]; then
	ktap_test_pass "NVM word restored"
else
	ktap_test_fail "NVM word not restored"
fi
modprobe re1000e
if [ "$(count_bound re1000e)" = "${#SLOTS[@]}" ]; then
	ktap_test_pass "with the NVM repaired all NICs bind again"
else
	ktap_test_fail "after repair $(count_bound re1000e) of ${#SLOTS[@]} NICs bind"
fi
unload re1000e
ktap_finished
