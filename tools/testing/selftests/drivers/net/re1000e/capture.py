#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Capture frames on an interface for a while and summarise them.

Usage: capture.py IFACE SECONDS [READY_FILE]
Prints "frames N max_len L vlan_tagged V tcp_max_payload P": N frames seen, the longest
frame (without FCS), how many carried an 802.1Q tag (in the frame, or stripped by the
receiver and reported through PACKET_AUXDATA), and the largest TCP payload of an IPv4
frame. Turn GRO off on IFACE first, or merged packets are seen.
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
AUXDATA = struct.Struct("=IIIHHHH")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    iface, secs = sys.argv[1], float(sys.argv[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    if len(sys.argv) == 4:
        # Tell the caller the socket is listening.
        open(sys.argv[3], "w").close()
    frames = max_len = tagged = tcp_max = 0
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        if not select.select([s], [], [], left)[0]:
            continue
        data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        frames += 1
        stripped = False
        for level, kind, value in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= AUXDATA.size:
                status = AUXDATA.unpack(value[:AUXDATA.size])[0]
                stripped = bool(status & TP_STATUS_VLAN_VALID)
        max_len = max(max_len, len(data) + (4 if stripped else 0))
        off = 12
        etype = struct.unpack("!H", data[off:off + 2])[0]
        if stripped:
            tagged += 1
        elif etype == 0x8100:
            tagged += 1
            off += 4
            etype = struct.unpack("!H", data[off:off + 2])[0]
        if etype == 0x0800 and len(data) >= off + 22:
            ip = off + 2
            ihl = (data[ip] & 0xF) * 4
            total = struct.unpack("!H", data[ip + 2:ip + 4])[0]
            if data[ip + 9] == 6:
                tcp = ip + ihl
                thl = (data[tcp + 12] >> 4) * 4
                tcp_max = max(tcp_max, total - ihl - thl)
    print(f"frames {frames} max_len {max_len} vlan_tagged {tagged} tcp_max_payload {tcp_max}")


if __name__ == "__main__":
    main()
