# SPDX-License-Identifier: GPL-2.0
# Helpers for guest-side scripts. Sourced.

# PCI addresses of the 82574L NICs, in bus order.
nic_slots() {
	local d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x10d3 ] &&
			basename "$d"
	done
}

# load_driver re1000e|e1000e: load a driver module of the booted build.
load_driver() {
	modprobe "$1"
}

# Name of the net device on PCI slot $1, waiting up to ${2:-10} s for it; fails if none.
wait_netdev() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		if [ -d "/sys/bus/pci/devices/$1/net" ]; then
			ls "/sys/bus/pci/devices/$1/net" | head -n1
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Name of the driver bound to PCI slot $1, or "none".
bound_driver() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
	else
		echo none
	fi
}
