#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel TLS (kTLS) connections for re1000e's kselftests: one end sends a file over TLS
records the kernel encrypts (in software, or by the NIC with transmit offload), the other
decrypts them with the kernel's software kTLS receive.

Usage: tls_tool.py recv --port P --cipher 128|256 --version 1.2|1.3 --seed S
                        [--out FILE] [--ready FILE]
       tls_tool.py send --host H --port P --cipher 128|256 --version 1.2|1.3 --seed S
                        --file F [--mode sendfile|write] [--chunk N]
                        [--pause-at BYTES --pause-file F] [--hold SECONDS]
                        [--sport PORT]
       tls_tool.py sink --port P --count N [--ready FILE]
       tls_tool.py many --host H --port P --count N [--cipher 128|256] --hold-file F

recv listens on IPv4 port P, accepts one connection, sets TLS_RX and reads until the
sender closes; it prints "SHA256 BYTES" of the plaintext received (and writes it to
--out FILE if given). --ready FILE is created once it listens. A record that fails to
decrypt (EBADMSG) or any other error ends it with "error: ..." on standard error and
exit status 1.

send connects, sets TLS_TX and sends the file: with sendfile(2) (--mode sendfile), or
with send(2) of --chunk bytes at a time (--mode write; 1371 by default, so that records,
one per call, do not line up with TCP segments). With --pause-at it stops after BYTES,
waits until all of it is acknowledged (SIOCOUTQ 0), creates --pause-file and goes on once
that file has been removed: the test looks at, or changes, things while the connection
and its offload are live. --hold keeps the socket open SECONDS after the last byte.
--sport binds the connection's source port (a bond's layer3+4 hash, which picks the
port a connection leaves by, then gives the same answer on every run). On success it
prints "sent BYTES".

sink accepts N connections on IPv4 port P and keeps each until its peer closes. many makes
N connections to it, sets TLS 1.2 transmit on each (the kernel offers each to the device:
tls_dev_add; a device that refuses leaves it in software), prints "add_us MEDIAN MEAN"
(microseconds per TLS_TX setsockopt), creates --hold-file, waits until it is removed,
closes them all and prints "close_us TOTAL" (the offloads are deleted after that, from a
work item): to fill the device's table, and to time the adds and deletes.

Both ends derive the key, IV, salt and initial record sequence number from --seed and
--cipher: the same arguments on both sides give matching keys. AES-GCM-128 and -256 only
(the ciphers re1000e offloads). Python 3 standard library only.
"""
import argparse
import errno
import fcntl
import hashlib
import os
import socket
import statistics
import struct
import sys
import termios
import time

# include/uapi/linux/tcp.h, include/linux/socket.h, include/uapi/linux/tls.h
TCP_ULP = 31
SOL_TLS = 282
TLS_TX, TLS_RX = 1, 2
VERSIONS = {"1.2": 0x0303, "1.3": 0x0304}
# cipher: (cipher_type, key size); iv 8, salt 4, rec_seq 8 bytes for both.
CIPHERS = {"128": (51, 16), "256": (52, 32)}
IV_SIZE, SALT_SIZE, REC_SEQ_SIZE = 8, 4, 8
# struct tls_crypto_info: __u16 version, __u16 cipher_type, in host byte order.
INFO = struct.Struct("=HH")

PAUSE_LIMIT = 600
DRAIN_LIMIT = 60


class Error(Exception):
    pass


def crypto_info(args):
    """struct tls12_crypto_info_aes_gcm_128/_256: info, iv[8], key[16|32], salt[4],
    rec_seq[8] (40 or 56 bytes, no padding)."""
    cipher_type, key_size = CIPHERS[args.cipher]
    need = IV_SIZE + key_size + SALT_SIZE + REC_SEQ_SIZE
    material = hashlib.shake_256(f"re1000e-tls {args.seed} {args.cipher}".encode()).digest(need)
    iv = material[:IV_SIZE]
    key = material[IV_SIZE:IV_SIZE + key_size]
    salt = material[IV_SIZE + key_size:IV_SIZE + key_size + SALT_SIZE]
    rec_seq = material[IV_SIZE + key_size + SALT_SIZE:]
    return INFO.pack(VERSIONS[args.version], cipher_type) + iv + key + salt + rec_seq


def set_tls(sock, direction, args):
    try:
        sock.setsockopt(socket.SOL_TCP, TCP_ULP, b"tls")
    except OSError as e:
        raise Error(f"TCP_ULP tls: {os.strerror(e.errno)} (kernel without CONFIG_TLS?)") from e
    try:
        sock.setsockopt(SOL_TLS, direction, crypto_info(args))
    except OSError as e:
        name = "TLS_TX" if direction == TLS_TX else "TLS_RX"
        raise Error(f"{name} TLS {args.version} AES-GCM-{args.cipher}: "
                    f"{os.strerror(e.errno)}") from e


def strerror(e):
    """The name and message of an OSError's errno: "EBADMSG Bad message"."""
    return f"{errno.errorcode.get(e.errno, e.errno)} {os.strerror(e.errno)}"


def touch(path):
    if path:
        open(path, "w").close()


def recv(args):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", args.port))
    ls.listen(1)
    touch(args.ready)
    conn, _ = ls.accept()
    ls.close()
    # Records that arrived before TLS_RX wait in the receive queue; kTLS takes them from there.
    set_tls(conn, TLS_RX, args)
    digest = hashlib.sha256()
    total = 0
    buf = bytearray(1 << 17)
    view = memoryview(buf)
    out = open(args.out, "wb") if args.out else None
    try:
        while True:
            try:
                n = conn.recv_into(buf)
            except OSError as e:
                what = {errno.EBADMSG: "a record failed to decrypt",
                        errno.EIO: "a record that is not application data",
                        errno.EMSGSIZE: "a malformed record"}.get(e.errno, "recv")
                raise Error(f"{what} after {total} bytes: {strerror(e)}") from e
            if n == 0:
                break
            digest.update(view[:n])
            if out:
                out.write(view[:n])
            total += n
    finally:
        if out:
            out.close()
        conn.close()
    print(digest.hexdigest(), total)


def outq(sock):
    """Bytes sent but not acknowledged, and not yet sent (SIOCOUTQ)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]


def pause(sock, args, sent):
    end = time.monotonic() + DRAIN_LIMIT
    while outq(sock) and time.monotonic() < end:
        time.sleep(0.05)
    if outq(sock):
        print(f"tls_tool: {outq(sock)} bytes still unacknowledged at the pause",
              file=sys.stderr)
    touch(args.pause_file)
    end = time.monotonic() + PAUSE_LIMIT
    while os.path.exists(args.pause_file):
        if time.monotonic() > end:
            raise Error(f"paused at {sent} bytes: {args.pause_file} not removed "
                        f"within {PAUSE_LIMIT} s")
        time.sleep(0.05)


def push(sock, f, args, offset, end):
    """Sends bytes offset..end of the file; returns end."""
    while offset < end:
        try:
            if args.mode == "sendfile":
                n = os.sendfile(sock.fileno(), f.fileno(), offset, end - offset)
                if n == 0:
                    raise Error(f"sendfile: end of file at {offset} bytes")
            else:
                data = os.pread(f.fileno(), min(args.chunk, end - offset), offset)
                if not data:
                    raise Error(f"read: end of file at {offset} bytes")
                sock.sendall(data)
                n = len(data)
        except OSError as e:
            raise Error(f"{args.mode} after {offset} bytes: {strerror(e)}") from e
        offset += n
    return end


def send(args):
    if (args.pause_at is None) != (args.pause_file is None):
        raise Error("--pause-at and --pause-file go together")
    try:
        src = ("0.0.0.0", args.sport) if args.sport else None
        sock = socket.create_connection((args.host, args.port), timeout=30,
                                        source_address=src)
    except OSError as e:
        raise Error(f"connect to {args.host}:{args.port}: {e}") from e
    sock.settimeout(None)
    set_tls(sock, TLS_TX, args)
    with open(args.file, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        stops = [size]
        if args.pause_at is not None and 0 < args.pause_at < size:
            stops = [args.pause_at, size]
        sent = 0
        for stop in stops:
            sent = push(sock, f, args, sent, stop)
            if stop != size:
                pause(sock, args, sent)
    if args.hold:
        time.sleep(args.hold)
    sock.close()
    print("sent", sent)


def sink(args):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", args.port))
    srv.listen(args.count)
    if args.ready:
        touch(args.ready)
    conns = [srv.accept()[0] for _ in range(args.count)]
    for c in conns:
        while c.recv(65536):
            pass
        c.close()


def many(args):
    keys = argparse.Namespace(cipher=args.cipher, version="1.2", seed=str(args.port))
    socks, add = [], []
    for _ in range(args.count):
        s = socket.create_connection((args.host, args.port), timeout=30)
        t = time.perf_counter_ns()
        set_tls(s, TLS_TX, keys)
        add.append((time.perf_counter_ns() - t) / 1000)
        socks.append(s)
    print(f"add_us {statistics.median(add):.0f} {statistics.mean(add):.0f}", flush=True)
    touch(args.hold_file)
    while os.path.exists(args.hold_file):
        time.sleep(0.05)
    t = time.perf_counter_ns()
    for s in socks:
        s.close()
    print(f"close_us {(time.perf_counter_ns() - t) / 1000:.0f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("recv", "send"):
        s = sub.add_parser(name)
        s.add_argument("--port", type=int, required=True)
        s.add_argument("--cipher", choices=sorted(CIPHERS), required=True)
        s.add_argument("--version", choices=sorted(VERSIONS), required=True)
        s.add_argument("--seed", required=True)
        if name == "recv":
            s.add_argument("--out")
            s.add_argument("--ready")
        else:
            s.add_argument("--host", required=True)
            s.add_argument("--file", required=True)
            s.add_argument("--mode", choices=("sendfile", "write"), default="sendfile")
            s.add_argument("--chunk", type=int, default=1371)
            s.add_argument("--pause-at", type=int)
            s.add_argument("--pause-file")
            s.add_argument("--hold", type=float, default=0)
            s.add_argument("--sport", type=int, default=0)
    s = sub.add_parser("sink")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--ready")
    s = sub.add_parser("many")
    s.add_argument("--host", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--cipher", choices=sorted(CIPHERS), default="128")
    s.add_argument("--hold-file", required=True)
    args = p.parse_args()
    if args.cmd == "send" and args.chunk <= 0:
        p.error("--chunk must be positive")
    try:
        {"recv": recv, "send": send, "sink": sink, "many": many}[args.cmd](args)
    except (Error, OSError) as e:
        print(f"error: {args.cmd}: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
