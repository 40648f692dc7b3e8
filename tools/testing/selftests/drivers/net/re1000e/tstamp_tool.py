#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PTP hardware clock and packet timestamping requests, for re1000e's kselftests.

Usage: tstamp_tool.py phc N rate SECONDS      clock rate against CLOCK_MONOTONIC
       tstamp_tool.py phc N get                clock time in ns
       tstamp_tool.py phc N set NS             set the clock
       tstamp_tool.py phc N shift NS           clock_adjtime(ADJ_SETOFFSET); prints the
                                               time step seen
       tstamp_tool.py phc N freq PPM           clock_adjtime(ADJ_FREQUENCY)
       tstamp_tool.py hwts IF get              SIOCGHWTSTAMP: "TX RX"
       tstamp_tool.py hwts IF set TX RX        SIOCSHWTSTAMP: "TX RX" in force after
       tstamp_tool.py send IF ADDR PORT COUNT [FILE]
                                               UDP datagrams asking for hardware transmit
                                               timestamps; prints how many came back
       tstamp_tool.py recv IF PORT COUNT SEC [FILE]
                                               receives with hardware timestamps on;
                                               prints "RECEIVED STAMPED"
       tstamp_tool.py latch SLOT N             plays the 82574L latching a transmit
                                               timestamp: copies its SYSTIM into
                                               TXSTMPL/H and sets TSYNCTXCTL.VALID;
                                               prints the PTP clock N's times read just
                                               before and after SYSTIM: "T0 T1"
       tstamp_tool.py serve                    runs the commands above read from
                                               standard input, one a line, each
                                               followed by a line "=== STATUS"

FILE, if given, is created once the datagrams are sent (send) or the socket is bound
(recv), for a test to wait on.

N is the PTP clock index (/dev/ptpN). Errors print "error ERRNO-NAME" and exit 1.

serve is for a test that asks many questions in a row: under TCG starting Python costs
more than a second, answering one costs nothing.
"""
import ctypes
import ctypes.util
import errno
import fcntl
import mmap
import os
import select
import socket
import struct
import sys
import time

LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)

SIOCGHWTSTAMP, SIOCSHWTSTAMP = 0x89B1, 0x89B0
SO_TIMESTAMPING = 37
SOF_TX_HARDWARE, SOF_RX_HARDWARE, SOF_RAW_HARDWARE = 1 << 0, 1 << 2, 1 << 6
SOF_OPT_TSONLY = 1 << 11
SCM_TIMESTAMPING = SO_TIMESTAMPING
ADJ_FREQUENCY, ADJ_SETOFFSET, ADJ_NANO = 0x0002, 0x0100, 0x2000


class Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class Timex(ctypes.Structure):
    """struct timex (include/uapi/linux/timex.h)."""
    _fields_ = [
        ("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
        ("constant", ctypes.c_long), ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long), ("time", Timeval), ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long), ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long), ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long), ("tai", ctypes.c_int),
        ("pad", ctypes.c_int * 11),
    ]


def fail(err):
    print("error", errno.errorcode.get(err, str(err)))
    sys.exit(1)


def phc(argv):
    fd = os.open(f"/dev/ptp{int(argv[0])}", os.O_RDWR)
    try:
        phc_op(((~fd) << 3) | 3, argv)
    finally:
        os.close(fd)


def phc_op(clk, argv):
    op = argv[1]
    if op == "get":
        print(time.clock_gettime_ns(clk))
    elif op == "rate":
        p0, m0 = time.clock_gettime_ns(clk), time.monotonic_ns()
        time.sleep(float(argv[2]))
        p1, m1 = time.clock_gettime_ns(clk), time.monotonic_ns()
        print(f"{(p1 - p0) / (m1 - m0):.6f}")
    elif op == "set":
        try:
            time.clock_settime_ns(clk, int(argv[2]))
        except OSError as e:
            fail(e.errno)
    elif op in ("shift", "freq"):
        tx = Timex()
        if op == "shift":
            ns = int(argv[2])
            tx.modes = ADJ_SETOFFSET | ADJ_NANO
            tx.time.tv_sec, tx.time.tv_usec = ns // 1_000_000_000, ns % 1_000_000_000
        else:
            tx.modes = ADJ_FREQUENCY
            tx.freq = int(float(argv[2]) * 65536)
        t0 = time.clock_gettime_ns(clk)
        if LIBC.clock_adjtime(ctypes.c_int(clk), ctypes.byref(tx)) < 0:
            fail(ctypes.get_errno())
        t1 = time.clock_gettime_ns(clk)
        if op == "shift":
            print(t1 - t0)
    else:
        sys.exit(__doc__)


class HwtstampConfig(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_int), ("tx_type", ctypes.c_int), ("rx_filter", ctypes.c_int)]


def hwts(argv):
    cfg = HwtstampConfig()
    if argv[1] == "set":
        cfg.tx_type, cfg.rx_filter = int(argv[2]), int(argv[3])
        req = SIOCSHWTSTAMP
    else:
        req = SIOCGHWTSTAMP
    ifr = struct.pack("16sP16x", argv[0].encode(), ctypes.addressof(cfg))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            fcntl.ioctl(s.fileno(), req, ifr)
        except OSError as e:
            fail(e.errno)
    print(cfg.tx_type, cfg.rx_filter)


def hw_stamp(ancdata):
    """The raw hardware time (third timespec) of an SCM_TIMESTAMPING message, or None."""
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPING and len(data) >= 48:
            sec, nsec = struct.unpack_from("qq", data, 32)
            if sec or nsec:
                return sec * 1_000_000_000 + nsec
    return None


def send(argv):
    ifname, addr, port, count = argv[0], argv[1], int(argv[2]), int(argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING,
                 SOF_TX_HARDWARE | SOF_RAW_HARDWARE | SOF_OPT_TSONLY)
    stamps = []
    for i in range(count):
        s.sendto(b"re1000e-tstamp %d" % i, (addr, port))
    if len(argv) > 4:
        open(argv[4], "w").close()
    end = time.monotonic() + 4
    while len(stamps) < count and time.monotonic() < end:
        # Timestamps come back on the error queue, which poll reports as POLLERR.
        select.select([], [], [s], max(0, end - time.monotonic()))
        try:
            _, anc, _, _ = s.recvmsg(64, 1024, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        t = hw_stamp(anc)
        if t is not None:
            stamps.append(t)
    print(len(stamps), *stamps)


def recv(argv):
    ifname, port, count, secs = argv[0], int(argv[1]), int(argv[2]), float(argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPING, SOF_RX_HARDWARE | SOF_RAW_HARDWARE)
    s.bind(("0.0.0.0", port))
    if len(argv) > 4:
        open(argv[4], "w").close()
    s.settimeout(secs)
    got = stamped = 0
    try:
        while got < count:
            _, anc, _, _ = s.recvmsg(2048, 1024)
            got += 1
            stamped += hw_stamp(anc) is not None
    except socket.timeout:
        pass
    print(got, stamped)


SYSTIML, SYSTIMH = 0xB600, 0xB604
TSYNCTXCTL, TXSTMPL, TXSTMPH = 0xB614, 0xB618, 0xB61C


def latch(argv):
    """For the emulated 82574L, which never latches a packet timestamp itself but keeps what
    is written to these registers: the driver, polling for a pending request's timestamp,
    then finds VALID set and reads TXSTMPL/H as it would on hardware. SYSTIM is read
    between two reads of the PTP clock, whose time is the driver's conversion of SYSTIM, so
    the timestamp the driver delivers must lie between them."""
    slot, n = argv[0], int(argv[1])
    fd = os.open(f"/sys/bus/pci/devices/{slot}/resource0", os.O_RDWR | os.O_SYNC)
    try:
        bar = mmap.mmap(fd, 0x20000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fd)
    pfd = os.open(f"/dev/ptp{n}", os.O_RDWR)
    try:
        clk = ((~pfd) << 3) | 3
        t0 = time.clock_gettime_ns(clk)
        lo = struct.unpack_from("<I", bar, SYSTIML)[0]
        hi = struct.unpack_from("<I", bar, SYSTIMH)[0]
        t1 = time.clock_gettime_ns(clk)
    finally:
        os.close(pfd)
    struct.pack_into("<I", bar, TXSTMPL, lo)
    struct.pack_into("<I", bar, TXSTMPH, hi)
    ctl = struct.unpack_from("<I", bar, TSYNCTXCTL)[0]
    struct.pack_into("<I", bar, TSYNCTXCTL, ctl | 1)
    bar.close()
    print(t0, t1)


COMMANDS = {"phc": phc, "hwts": hwts, "send": send, "recv": recv, "latch": latch}


def run(argv):
    if len(argv) < 2 or argv[0] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[argv[0]](argv[1:])


def serve():
    for line in sys.stdin:
        status = 0
        try:
            run(line.split())
        except SystemExit as e:
            if isinstance(e.code, str):
                print(e.code)
            status = e.code if isinstance(e.code, int) else 1
        except (OSError, ValueError, IndexError) as e:
            print("error", e)
            status = 1
        print(f"=== {status}", flush=True)


def main():
    if sys.argv[1:] == ["serve"]:
        serve()
    else:
        run(sys.argv[1:])


if __name__ == "__main__":
    main()
