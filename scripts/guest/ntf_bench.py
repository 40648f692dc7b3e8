#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Latency from a capability-changing request or event to ETHTOOL_MSG_FEATURES_NTF.

Usage: ntf_bench.py IFACE SLOT COUNT

One process sends the request and receives the notification it causes, and times both
itself: the requests go out on its own generic-netlink socket (ethtool's LINKMODES_SET and
FEATURES_SET, the self-test and the link down/up through ioctls), the notifications come in
on the ethtool "monitor" group, so no program start-up is measured. COUNT times each:
  - LINKMODES_SET speed 100, full duplex, autoneg off, until the notification (TSO is
    withdrawn at 10/100 Mb/s);
  - LINKMODES_SET autoneg on, until the notification (TSO back); this includes the
    emulated PHY's auto-negotiation (QEMU: 500 ms);
  - FEATURES_SET tx-tcp-segmentation off / on: until the request's acknowledgement
    ("cmd") and until the notification;
and COUNT / 5 times:
  - an offload engine fault (CTRL.VME cleared through BAR0 of SLOT) found by an online
    self-test (ETHTOOL_TEST), until the notification;
  - the recovery by link down/up (SIOCSIFFLAGS), until the notification.
Prints median and max per event in milliseconds; an event with no notification within 3 s
is counted as missed (as on a driver that does not indicate the change).
"""
import ctypes
import fcntl
import mmap
import os
import select
import socket
import statistics
import struct
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
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
ETHTOOL_MSG_LINKMODES_SET = 5
ETHTOOL_MSG_FEATURES_SET = 12
ETHTOOL_MSG_FEATURES_NTF = 13
ETHTOOL_A_FEATURES_HEADER = 1
ETHTOOL_A_FEATURES_WANTED = 3
ETHTOOL_A_HEADER_DEV_NAME = 2
ETHTOOL_A_LINKMODES_HEADER = 1
ETHTOOL_A_LINKMODES_AUTONEG = 2
ETHTOOL_A_LINKMODES_SPEED = 5
ETHTOOL_A_LINKMODES_DUPLEX = 6
ETHTOOL_A_BITSET_BITS = 3
ETHTOOL_A_BITSET_BITS_BIT = 1
ETHTOOL_A_BITSET_BIT_NAME = 2
ETHTOOL_A_BITSET_BIT_VALUE = 3
NLA_F_NESTED = 1 << 15
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x03
ETHTOOL_TEST = 0x1a
IFF_UP = 1


def nla(kind, payload):
    """One netlink attribute, padded."""
    a = struct.pack("HH", 4 + len(payload), kind) + payload
    return a + b"\0" * (-len(a) % 4)


def nest(kind, *parts):
    return nla(kind | NLA_F_NESTED, b"".join(parts))


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


class Requests:
    """The ethtool requests, sent by this process on its own socket."""

    def __init__(self, iface, family):
        self.iface = iface
        self.name = iface.encode() + b"\0"
        self.family = family
        self.nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.nl.bind((0, 0))
        self.seq = 100
        self.ioc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        info = ctypes.create_string_buffer(struct.pack("I", ETHTOOL_GDRVINFO), 196)
        self.ethtool_ioctl(info)
        # struct ethtool_drvinfo: testinfo_len after cmd, five 32-byte strings,
        # reserved2[12], n_priv_flags and n_stats.
        self.tests = struct.unpack_from("I", info, 184)[0]

    def genl(self, cmd, attrs):
        """Sends a request; returns once it is acknowledged (raises on an error)."""
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + attrs
        self.nl.send(struct.pack("IHHII", 16 + len(body), self.family,
                                 NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body)
        while True:
            for kind, payload in messages(self.nl.recv(65536)):
                if kind == NLMSG_ERROR:
                    err = struct.unpack_from("i", payload)[0]
                    if err:
                        raise OSError(-err, f"ethtool netlink request {cmd}")
                    return

    def header(self, kind):
        return nest(kind, nla(ETHTOOL_A_HEADER_DEV_NAME, self.name))

    def linkmodes(self, autoneg, speed=None):
        a = self.header(ETHTOOL_A_LINKMODES_HEADER)
        a += nla(ETHTOOL_A_LINKMODES_AUTONEG, struct.pack("B", autoneg))
        if speed is not None:
            a += nla(ETHTOOL_A_LINKMODES_SPEED, struct.pack("I", speed))
            a += nla(ETHTOOL_A_LINKMODES_DUPLEX, struct.pack("B", 1))
        self.genl(ETHTOOL_MSG_LINKMODES_SET, a)

    def feature(self, name, on):
        bit = nla(ETHTOOL_A_BITSET_BIT_NAME, name.encode() + b"\0")
        if on:
            bit += nla(ETHTOOL_A_BITSET_BIT_VALUE, b"")
        wanted = nest(ETHTOOL_A_FEATURES_WANTED,
                      nest(ETHTOOL_A_BITSET_BITS, nest(ETHTOOL_A_BITSET_BITS_BIT, bit)))
        self.genl(ETHTOOL_MSG_FEATURES_SET, self.header(ETHTOOL_A_FEATURES_HEADER) + wanted)

    def ethtool_ioctl(self, buf):
        fcntl.ioctl(self.ioc, SIOCETHTOOL, self.ifreq("P", ctypes.addressof(buf)))

    def self_test_online(self):
        # struct ethtool_test: cmd, flags (0: online), reserved, len, then len u64 results.
        buf = ctypes.create_string_buffer(struct.pack("IIII", ETHTOOL_TEST, 0, 0, self.tests),
                                          16 + 8 * self.tests)
        self.ethtool_ioctl(buf)

    def ifreq(self, fmt, value):
        """A struct ifreq (40 bytes): the name, then one member of its union."""
        return struct.pack("16s" + fmt, self.iface.encode(), value).ljust(40, b"\0")

    def link(self, up):
        got = fcntl.ioctl(self.ioc, SIOCGIFFLAGS, self.ifreq("H", 0))
        flags = struct.unpack_from("H", got, 16)[0]
        flags = flags | IFF_UP if up else flags & ~IFF_UP
        fcntl.ioctl(self.ioc, SIOCSIFFLAGS, self.ifreq("H", flags))


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
    req = Requests(iface, mon.family)
    results = {k: [] for k in ("forced 100 Mb/s", "autoneg 1000 Mb/s", "engine fault",
                               "engine recovery", "features-set (NTF)", "features-set (cmd)")}
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
        timed("forced 100 Mb/s", lambda: req.linkmodes(0, 100))
        timed("autoneg 1000 Mb/s", lambda: req.linkmodes(1))
        # Let a late notification (a driver that reacts slowly) not leak into the next.
        time.sleep(0.05)
        for on in (False, True):
            mon.drain()
            t0 = time.monotonic()
            req.feature("tx-tcp-segmentation", on)
            t1 = time.monotonic()
            results["features-set (cmd)"].append((t1 - t0) * 1000)
            tn = mon.wait()
            if tn is None:
                missed["features-set (NTF)"] += 1
            else:
                results["features-set (NTF)"].append((tn - t0) * 1000)
    for _ in range(max(1, count // 5)):
        def fault():
            try:
                clear_vme(slot)
            except OSError as e:
                # The C e1000e claims BAR0 exclusively; it has no engine check anyway.
                print(f"# cannot write BAR0 of {slot}: {e}")
            req.self_test_online()
        timed("engine fault", fault)
        timed("engine recovery", lambda: (req.link(False), req.link(True)))
        time.sleep(0.05)
    for key, vals in results.items():
        if vals:
            print(f"{key:20s} n={len(vals):3d} median {statistics.median(vals):8.1f} ms "
                  f"max {max(vals):8.1f} ms missed {missed[key]}")
        else:
            print(f"{key:20s} n=  0 no notification (missed {missed[key]})")


if __name__ == "__main__":
    main()
