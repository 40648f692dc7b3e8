#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Capture frames on an interface for a while and summarise them.

Usage: capture.py IFACE SECONDS [READY_FILE]
Prints "frames N max_len L vlan_tagged V tcp_max_payload P": N frames seen, the longest
frame (without FCS), how many carried an 802.1Q tag (in the frame, or stripped by the
receiver and reported through PACKET_AUXDATA), and the largest TCP payload of an IPv4
frame. Turn GRO off on IFACE first, or merged packets are seen.

It captures for SECONDS at most; SIGUSR1 ends it sooner: the frames already received are
read, then the summary printed. A test sends it once its traffic is over, instead of
waiting out a bound chosen for a slow host.
"""
import os
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
AUXDATA = struct.Struct("=IIIHHHH")


class Summary:
    def __init__(self):
        self.frames = self.max_len = self.tagged = self.tcp_max = 0

    def add(self, data, anc, addr):
        if addr[2] == socket.PACKET_OUTGOING:
            return
        self.frames += 1
        stripped = False
        for level, kind, value in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= AUXDATA.size:
                status = AUXDATA.unpack(value[:AUXDATA.size])[0]
                stripped = bool(status & TP_STATUS_VLAN_VALID)
        self.max_len = max(self.max_len, len(data) + (4 if stripped else 0))
        off = 12
        etype = struct.unpack("!H", data[off:off + 2])[0]
        if stripped:
            self.tagged += 1
        elif etype == 0x8100:
            self.tagged += 1
            off += 4
            etype = struct.unpack("!H", data[off:off + 2])[0]
        if etype == 0x0800 and len(data) >= off + 22:
            ip = off + 2
            ihl = (data[ip] & 0xF) * 4
            total = struct.unpack("!H", data[ip + 2:ip + 4])[0]
            if data[ip + 9] == 6:
                tcp = ip + ihl
                thl = (data[tcp + 12] >> 4) * 4
                self.tcp_max = max(self.tcp_max, total - ihl - thl)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    iface, secs = sys.argv[1], float(sys.argv[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    # SIGUSR1 wakes the select below through this pipe.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGUSR1, lambda *_: None)
    if len(sys.argv) == 4:
        # Tell the caller the socket is listening.
        open(sys.argv[3], "w").close()
    summary = Summary()
    anc_size = socket.CMSG_SPACE(AUXDATA.size)
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready = select.select([s, wake_r], [], [], left)[0]
        if wake_r in ready:
            # Asked to stop: take what is already queued, then finish.
            while True:
                try:
                    data, anc, _, addr = s.recvmsg(65536, anc_size, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                summary.add(data, anc, addr)
            break
        if s in ready:
            data, anc, _, addr = s.recvmsg(65536, anc_size)
            summary.add(data, anc, addr)
    print(f"frames {summary.frames} max_len {summary.max_len} vlan_tagged {summary.tagged} "
          f"tcp_max_payload {summary.tcp_max}")


if __name__ == "__main__":
    main()
