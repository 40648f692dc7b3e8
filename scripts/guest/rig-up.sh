#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/rig.sh: bring the two-NIC rig up.
#  - load $RIG_DRIVER (re1000e from the build, or e1000e) for the 82574L NICs;
#  - move the second NIC into netns ns-remote;
#  - address both ends as the netdev CI does and write the selftest variables to $RIG_ENV.
set -eu
. "$(dirname "$0")/lib.sh"

mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true

: >"$RIG_ENV"
[ "$RIG_DRIVER" = none ] && exit 0

load_driver "$RIG_DRIVER"
mapfile -t slots < <(nic_slots)
[ "${#slots[@]}" = "${RIG_NICS:-2}" ] ||
	{ echo "rig: expected ${RIG_NICS:-2} 82574L NICs, found ${#slots[@]}" >&2; exit 1; }
for s in "${slots[@]}"; do
	[ "$(bound_driver "$s")" = "$RIG_DRIVER" ] ||
		{ echo "rig: $RIG_DRIVER did not bind $s" >&2; exit 1; }
done
if ! local_if=$(wait_netdev "${slots[0]}" 3) || ! remote_if=$(wait_netdev "${slots[1]}" 3); then
	# A driver that registers no net device yet: the rig is up, without a network.
	printf 'LOCAL_SLOT=%s\nREMOTE_SLOT=%s\n' "${slots[0]}" "${slots[1]}" >"$RIG_ENV"
	echo "rig: $RIG_DRIVER bound ${slots[*]}, no net devices registered"
	exit 0
fi

ip netns add ns-remote
# Tests take links down and up; keep the static IPv6 addresses across that (as on the
# netdev CI machines), in both namespaces.
for ns in "" "ip netns exec ns-remote"; do
	$ns sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1
done
ip link set "$remote_if" netns ns-remote
ip addr add 192.0.3.1/24 dev "$local_if"
ip addr add 2001:db8:1::1/64 dev "$local_if" nodad
ip link set "$local_if" up
ip -n ns-remote addr add 192.0.3.2/24 dev "$remote_if"
ip -n ns-remote addr add 2001:db8:1::2/64 dev "$remote_if" nodad
ip -n ns-remote link set "$remote_if" up
ip -n ns-remote link set lo up

cat >"$RIG_ENV" <<EOV
NETIF=$local_if
REMOTE_IF=$remote_if
LOCAL_V4=192.0.3.1
REMOTE_V4=192.0.3.2
LOCAL_V6=2001:db8:1::1
REMOTE_V6=2001:db8:1::2
REMOTE_TYPE=netns
REMOTE_ARGS=ns-remote
LOCAL_SLOT=${slots[0]}
REMOTE_SLOT=${slots[1]}
EOV
echo "rig: $RIG_DRIVER on ${slots[*]}: $local_if (local) <-> $remote_if (ns-remote)"
