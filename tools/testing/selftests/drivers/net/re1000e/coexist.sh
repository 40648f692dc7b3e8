#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# re1000e and the C e1000e can both be loaded: re1000e leaves devices e1000e owns alone,
# a device can be moved between them through sysfs, and e1000e keeps working.
. "$(dirname "$(readlink -f "$0")")/lib.sh"
NS=re1000e-coexist

ktap_print_header
mapfile -t SLOTS < <(nic_slots)
[ "${#SLOTS[@]}" -ge 2 ] || { ktap_skip_all "needs two 82574L NICs"; exit "$KSFT_SKIP"; }
ktap_set_plan 5
S=${SLOTS[-1]}

cleanup() {
	ip netns del $NS 2>/dev/null
	unload re1000e e1000e
}
trap cleanup EXIT
unload re1000e e1000e

modprobe e1000e
modprobe re1000e
if grep -q '^re1000e ' /proc/modules && [ "$(count_bound re1000e)" = 0 ]; then
	ktap_test_pass "re1000e loads while e1000e owns every NIC and binds none"
else
	ktap_test_fail "re1000e loaded=$(grep -c '^re1000e ' /proc/modules) bound=$(count_bound re1000e)"
fi

if [ "$(count_bound e1000e)" = "${#SLOTS[@]}" ]; then
	ktap_test_pass "e1000e still owns all ${#SLOTS[@]} NICs"
else
	ktap_test_fail "e1000e owns $(count_bound e1000e) of ${#SLOTS[@]} NICs"
fi

echo "$S" >/sys/bus/pci/drivers/e1000e/unbind
echo "$S" >/sys/bus/pci/drivers/re1000e/bind
if [ "$(bound_driver "$S")" = re1000e ] && [ "$(count_bound e1000e)" = $(( ${#SLOTS[@]} - 1 )) ]; then
	ktap_test_pass "$S moves to re1000e while e1000e keeps the others"
else
	ktap_test_fail "$S is bound to $(bound_driver "$S") after the move"
fi

modprobe -r re1000e
echo "$S" >/sys/bus/pci/drivers/e1000e/bind
if [ "$(bound_driver "$S")" = e1000e ]; then
	ktap_test_pass "$S returns to e1000e after re1000e is unloaded"
else
	ktap_test_fail "$S is bound to $(bound_driver "$S"), not e1000e"
fi

# e1000e still carries traffic between the first and last NIC.
a=$(ls "$PCI/${SLOTS[0]}/net" 2>/dev/null | head -n1)
b=$(ls "$PCI/$S/net" 2>/dev/null | head -n1)
ok=0
if [ -n "$a" ] && [ -n "$b" ]; then
	ip netns add $NS
	ip link set "$b" netns $NS
	ip addr add 198.51.100.1/24 dev "$a"
	ip link set "$a" up
	ip -n $NS addr add 198.51.100.2/24 dev "$b"
	ip -n $NS link set "$b" up
	for _ in $(seq 50); do
		[ "$(cat /sys/class/net/"$a"/carrier 2>/dev/null)" = 1 ] && break
		sleep 0.2
	done
	ping -c 3 -W 2 -i 0.2 198.51.100.2 >/dev/null && ok=1
	ip addr flush dev "$a"
fi
if [ $ok = 1 ]; then
	ktap_test_pass "e1000e passes traffic between $a and $b after the moves"
else
	ktap_test_fail "no traffic between e1000e ports ($a, $b)"
fi
ktap_finished
