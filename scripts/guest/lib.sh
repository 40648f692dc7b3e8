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

# rig_use DRIVER: the two-NIC rig again on DRIVER (the peer namespace and whichever driver
# was loaded removed first), its variables ($RIG_ENV) sourced, and the peer answering;
# fails with a message if it never does. DRIVER may also be the path of a re1000e.ko built
# for the booted kernel: it is loaded with insmod in place of the build's module.
rig_use() {
	local drv=$1
	ip netns del ns-remote 2>/dev/null || true
	rmmod re1000e e1000e 2>/dev/null || true
	case $drv in
	*.ko)
		insmod "$drv" || return 1
		drv=re1000e
		;;
	esac
	RIG_DRIVER=$drv "$RE1000E_TOP/scripts/guest/rig-up.sh" >/dev/null || return 1
	. "$RIG_ENV"
	# Carrier and the neighbours first.
	for _ in $(seq 50); do
		ping -c 1 -W 1 -q "$REMOTE_V4" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "no connectivity with $1" >&2
	return 1
}

# rr_server RR: the request/response program RR (scripts/guest/rr.c) serving one
# connection on port 5400 in the peer namespace, in the background (the caller `wait`s for
# it after its client run), once it listens.
rr_server() {
	ip netns exec ns-remote "$1" server 5400 &
	for _ in $(seq 50); do
		ip netns exec ns-remote ss -ltnH 'sport = :5400' | grep -q . && break
		sleep 0.1
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

# ksft_env: the environment the kselftests run in: the rig's variables ($RIG_ENV, for the
# upstream drivers/net framework), KSFT_MACHINE_SLOW (the rig is QEMU in TCG mode: the
# variable NIPA sets on debug kernels, so the upstream tests relax their timing bounds,
# gro.py's large_* cases and so_txtime.py, the same for both drivers) and the guest tools.
ksft_env() {
	set -a
	. "$RIG_ENV"
	set +a
	export KSFT_MACHINE_SLOW=yes
	export PATH=$RE1000E_TOP/scripts/guest:$PATH
}
