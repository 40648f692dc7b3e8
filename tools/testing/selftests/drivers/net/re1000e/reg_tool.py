#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read an 82574L register, or clear bits in it, behind the driver's back (sysfs resource0).

Usage: reg_tool.py SLOT read OFFSET
       reg_tool.py SLOT clear OFFSET MASK
       reg_tool.py SLOT write OFFSET VALUE
       reg_tool.py SLOT wait OFFSET VALUE SECONDS

For tests only: clearing bits of a live register models an offload engine that lost its
configuration (a hardware fault), which re1000e must detect and handle. OFFSET is a byte
offset into BAR0, 32-bit aligned, below 128 KiB. "wait" polls every 10 ms until the
register reads VALUE and exits 1 if it did not within SECONDS. "write" writes VALUE as it is,
for write-only registers such as IMC and IMS (masking an interrupt cause the driver relies
on); it prints nothing, as reading such a register back means nothing.
"""
import ctypes
import mmap
import os
import sys
import time

BAR0_SIZE = 0x20000


def main():
    if len(sys.argv) not in (4, 5, 6) or sys.argv[2] not in ("read", "clear", "write", "wait"):
        sys.exit(__doc__)
    slot, op, off = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    if off % 4 or not 0 <= off < BAR0_SIZE:
        sys.exit("OFFSET must be 32-bit aligned and inside BAR0")
    fd = os.open(f"/sys/bus/pci/devices/{slot}/resource0", os.O_RDWR | os.O_SYNC)
    bar = mmap.mmap(fd, BAR0_SIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    # One aligned 32-bit access per read or write, as MMIO requires.
    reg = ctypes.c_uint32.from_buffer(bar, off)
    if op == "read":
        print(f"{reg.value:#010x}")
    elif op == "wait":
        if len(sys.argv) != 6:
            sys.exit(__doc__)
        want, end = int(sys.argv[4], 0), time.monotonic() + float(sys.argv[5])
        while reg.value != want and time.monotonic() < end:
            time.sleep(0.01)
        print(f"{reg.value:#010x}")
        if reg.value != want:
            sys.exit(1)
    elif op == "write":
        if len(sys.argv) != 5:
            sys.exit(__doc__)
        reg.value = int(sys.argv[4], 0) & 0xFFFFFFFF
    else:
        if len(sys.argv) != 5:
            sys.exit(__doc__)
        reg.value = reg.value & ~int(sys.argv[4], 0) & 0xFFFFFFFF
        print(f"{reg.value:#010x}")
    del reg
    bar.close()
    os.close(fd)


if __name__ == "__main__":
    main()
