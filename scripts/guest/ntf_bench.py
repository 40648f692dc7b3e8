#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Latency from a capability-changing event to ETHTOOL_MSG_FEATURES_NTF in userspace.

Usage: ntf_bench.py IFACE SLOT COUNT

Listens on the ethtool generic-netlink "monitor" group itself (no `ethtool --monitor`
buffering in between) and times, COUNT times each:
  - `ethtool -s IFACE speed 100 duplex full autoneg off` until the notification (TSO
    withdrawn); the time includes starting the ethtool process;
  - `ethtool -s IFACE autoneg on` until the notification (TSO back); this includes the
    emulated PHY's auto-negotiation (QEMU: 500 ms);
  - an offload engine fault (CTRL.VME cleared through BAR0 of SLOT) found by
    `ethtool -t IFACE online`, until the notification;
  - `ethtool -K IFACE tso off` / `tso on`: the command's round trip, and until the
    notification.
Prints median and max per event in milliseconds; an event with no notification within 3 s
is counted as missed (as on a driver that does not indicate the change).
"""
import ctypes
import mmap
import os
import select
import socket
import statistics
import struct
import subprocess
import sys
import time

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
ETHTOOL_MSG_FEATURES_NTF = 13
ETHTOOL_A_FEATURES_HEADER = 1
ETHTOOL_A_HEADER_DEV_NAME = 2
NLA_F_NESTED = 1 << 15


def attrs(buf):
    """Yields (type, payload) of the netlink attributes in buf."""
    off = 0
    while off + 4 <= len(buf):
        length, kind = struct.unpack_from("HH", buf, off)
        if length < 4:
            return
        yield kind & ~NLA_F_NESTED, buf[off + 4:off + length]
        off += (length + 3) & ~3


def messages(buf):
    """Yields (type, payload) of the netlink messages in buf."""
    off = 0
    while off + 16 <= len(buf):
        length, kind = struct.unpack_from("IH", buf, off)
        if length < 16:
            return
        yield kind, buf[off + 16:off + length]
        off += (length + 3) & ~3


def monitor_socket():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.bind((0, 0))
    name = b"ethtool\0"
    attr = struct.pack("HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
    attr += b"\0" * (-len(attr) % 4)
    body = struct.pack("BBH", CTRL_CMD_GETFAMILY, 1, 0) + attr
    s.send(struct.pack("IHHII", 16 + len(body), GENL_ID_CTRL, 1, 1, 0) + body)
    family = group = None
    for kind, payload in messages(s.recv(65536)):
        if kind != GENL_ID_CTRL:
            continue
        for t, v in attrs(payload[4:]):
            if t == CTRL_ATTR_FAMILY_ID:
                family = struct.unpack("H", v[:2])[0]
            elif t == CTRL_ATTR_MCAST_GROUPS:
                for _, grp in attrs(v):
                    fields = dict(attrs(grp))
                    if fields.get(CTRL_ATTR_MCAST_GRP_NAME, b"").rstrip(b"\0") == b"monitor":
                        group = struct.unpack("I", fields[CTRL_ATTR_MCAST_GRP_ID][:4])[0]
    if family is None or group is None:
        sys.exit("no ethtool netlink family or monitor group")
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)
    return s, family


class Monitor:
    def __init__(self, iface):
        self.sock, self.family = monitor_socket()
        self.iface = iface.encode()

    def drain(self):
        while select.select([self.sock], [], [], 0)[0]:
            self.sock.recv(65536)

    def wait(self, timeout=3.0):
        """Monotonic time of the next FEATURES_NTF for the interface, or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            buf = self.sock.recv(65536)
            now = time.monotonic()
            for kind, payload in messages(buf):
                if kind != self.family or payload[0] != ETHTOOL_MSG_FEATURES_NTF:
                    continue
                for t, v in attrs(payload[4:]):
                    if t != ETHTOOL_A_FEATURES_HEADER:
                        continue
                    name = dict(attrs(v)).get(ETHTOOL_A_HEADER_DEV_NAME, b"").rstrip(b"\0")
                    if name == self.iface:
                        return now


def run(*cmd):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def clear_vme(slot):
    fd = os.open(f"/sys/bus/pci/devices/{slot}/resource0", os.O_RDWR | os.O_SYNC)
    bar = mmap.mmap(fd, 0x20000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    reg = ctypes.c_uint32.from_buffer(bar, 0)
    reg.value = reg.value & ~(1 << 30)
    del reg
    bar.close()
    os.close(fd)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    iface, slot, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    mon = Monitor(iface)
    results = {k: [] for k in ("forced 100 Mb/s", "autoneg 1000 Mb/s", "engine fault",
                               "engine recovery", "ethtool -K (NTF)", "ethtool -K (cmd)")}
    missed = {k: 0 for k in results}

    def timed(key, action):
        mon.drain()
        t0 = time.monotonic()
        action()
        t1 = mon.wait()
        if t1 is None:
            missed[key] += 1
        else:
            results[key].append((t1 - t0) * 1000)
        return t1 is not None

    for _ in range(count):
        timed("forced 100 Mb/s", lambda: run("ethtool", "-s", iface, "speed", "100",
                                             "duplex", "full", "autoneg", "off"))
        timed("autoneg 1000 Mb/s", lambda: run("ethtool", "-s", iface, "autoneg", "on"))
        # Let a late notification (a driver that reacts slowly) not leak into the next.
        time.sleep(0.05)
        for state in ("off", "on"):
            mon.drain()
            t0 = time.monotonic()
            run("ethtool", "-K", iface, "tso", state)
            t1 = time.monotonic()
            results["ethtool -K (cmd)"].append((t1 - t0) * 1000)
            tn = mon.wait()
            if tn is None:
                missed["ethtool -K (NTF)"] += 1
            else:
                results["ethtool -K (NTF)"].append((tn - t0) * 1000)
    for _ in range(max(1, count // 5)):
        def fault():
            try:
                clear_vme(slot)
            except OSError as e:
                # The C e1000e claims BAR0 exclusively; it has no engine check anyway.
                print(f"# cannot write BAR0 of {slot}: {e}")
            run("ethtool", "-t", iface, "online")
        timed("engine fault", fault)
        timed("engine recovery", lambda: (run("ip", "link", "set", iface, "down"),
                                          run("ip", "link", "set", iface, "up")))
        time.sleep(0.05)
    for key, vals in results.items():
        if vals:
            print(f"{key:20s} n={len(vals):3d} median {statistics.median(vals):8.1f} ms "
                  f"max {max(vals):8.1f} ms missed {missed[key]}")
        else:
            print(f"{key:20s} n=  0 no notification (missed {missed[key]})")


if __name__ == "__main__":
    main()
