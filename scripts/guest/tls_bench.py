#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Guest side of the kTLS figures of `make bench` (scripts/guest/tls_bench.sh): many TLS
connections at once, to time the offload's add and delete and to fill the table.

Usage: tls_bench.py sink --port P --count N [--ready FILE]
       tls_bench.py open --host H --port P --count N --cipher 128|256 --hold-file F

sink accepts N connections on IPv4 port P and keeps them until each peer closes.
open makes N connections, sets TLS 1.2 transmit on each (the kernel offers each to the
device: tls_dev_add), prints "add_us MEDIAN MEAN" (microseconds per TLS_TX setsockopt),
creates --hold-file, waits until it is removed, closes them all and prints "close_us
TOTAL" (microseconds to close every connection; the offloads are deleted after that, from
a work item).
"""
import argparse
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("RE1000E_TOP", "."),
                                "tools/testing/selftests/drivers/net/re1000e"))
import tls_tool  # noqa: E402


def sink(args):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", args.port))
    srv.listen(args.count)
    if args.ready:
        open(args.ready, "w").close()
    conns = [srv.accept()[0] for _ in range(args.count)]
    for c in conns:
        while c.recv(65536):
            pass
        c.close()


def open_many(args):
    ns = argparse.Namespace(cipher=args.cipher, version="1.2", seed=str(args.port))
    socks, add = [], []
    for _ in range(args.count):
        s = socket.create_connection((args.host, args.port), timeout=30)
        t = time.perf_counter_ns()
        tls_tool.set_tls(s, tls_tool.TLS_TX, ns)
        add.append((time.perf_counter_ns() - t) / 1000)
        socks.append(s)
    print(f"add_us {statistics.median(add):.0f} {statistics.mean(add):.0f}", flush=True)
    open(args.hold_file, "w").close()
    while os.path.exists(args.hold_file):
        time.sleep(0.05)
    t = time.perf_counter_ns()
    for s in socks:
        s.close()
    print(f"close_us {(time.perf_counter_ns() - t) / 1000:.0f}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sink")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--ready")
    o = sub.add_parser("open")
    o.add_argument("--host", required=True)
    o.add_argument("--port", type=int, required=True)
    o.add_argument("--count", type=int, required=True)
    o.add_argument("--cipher", choices=sorted(tls_tool.CIPHERS), default="128")
    o.add_argument("--hold-file", required=True)
    args = p.parse_args()
    if args.cmd == "sink":
        sink(args)
    else:
        open_many(args)


if __name__ == "__main__":
    main()
