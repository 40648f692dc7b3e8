#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Flap a NIC's link through the rig's QEMU monitor and follow the interface's carrier.

Usage: link_flap.py IFNAME NIC COUNT

Sends `set_link NIC off`, waits (5 s at most) for IFNAME's carrier to drop, sends
`set_link NIC on`, waits (10 s at most) for it to come back, COUNT times, over one monitor
session. Prints "down D up U" (how many times each transition was seen) and exits 0 if
every one was.
"""
import importlib.machinery
import importlib.util
import os
import select
import sys
import time


def load_qmon():
    path = os.path.join(os.environ["RE1000E_TOP"], "scripts/guest/qmon")
    loader = importlib.machinery.SourceFileLoader("qmon", path)
    spec = importlib.util.spec_from_loader("qmon", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def carrier(ifname):
    try:
        with open(f"/sys/class/net/{ifname}/carrier") as f:
            return f.read().strip()
    except OSError:
        return "?"


def wait_carrier(ifname, want, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if carrier(ifname) == want:
            return True
        time.sleep(0.02)
    return False


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    ifname, nic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    q = load_qmon()
    fd = os.open(q.port_path(os.environ.get("RIG_QMON_NAME", "re1000e.mon")), os.O_RDWR)
    os.write(fd, b"\n")
    q.read_until_prompt(fd)
    while select.select([fd], [], [], 0.2)[0]:
        os.read(fd, 4096)

    def command(c):
        os.write(fd, c.encode() + b"\n")
        q.read_until_prompt(fd)

    down = up = 0
    for _ in range(count):
        command(f"set_link {nic} off")
        down += wait_carrier(ifname, "0", 5)
        command(f"set_link {nic} on")
        up += wait_carrier(ifname, "1", 10)
    print(f"down {down} up {up}")
    sys.exit(0 if down == count and up == count else 1)


if __name__ == "__main__":
    main()
