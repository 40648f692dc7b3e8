# SPDX-License-Identifier: GPL-2.0
# Helpers for the re1000e selftests. Sourced.

DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
. "$DIR/../../../kselftest/ktap_helpers.sh"

PCI=/sys/bus/pci/devices

# PCI addresses of the 82574L NICs (8086:10d3), in bus order.
nic_slots() {
	local d
	for d in "$PCI"/*; do
		[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10d3 ] &&
			basename "$d"
	done
}

# Driver bound to PCI slot $1, or "none".
bound_driver() {
	if [ -e "$PCI/$1/driver" ]; then
		basename "$(readlink "$PCI/$1/driver")"
	else
		echo none
	fi
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
