#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read or write one word of an 82574L's NVM through BAR0 (sysfs resource0).

Usage: nvm_tool.py SLOT read WORD
       nvm_tool.py SLOT write WORD VALUE

For tests only, with no driver bound to SLOT: it drives EERD/EEWR (datasheet
10.2.2.4/10.2.2.5) directly. Under QEMU, EEWR writes change the emulated NVM until
QEMU exits, which is how the selftests corrupt and then restore a checksum.
"""
import ctypes
import mmap
import os
import sys
import time

EERD = 0x00014
EEWR = 0x0102C
START = 1 << 0
DONE = 1 << 1
ADDR_SHIFT = 2
DATA_SHIFT = 16


class Bar:
    def __init__(self, slot):
        path = f"/sys/bus/pci/devices/{slot}"
        if os.path.exists(f"{path}/driver"):
            sys.exit(f"{slot} is bound to a driver; unbind it first")
        self.fd = os.open(f"{path}/resource0", os.O_RDWR | os.O_SYNC)
        self.map = mmap.mmap(self.fd, 0x20000, mmap.MAP_SHARED,
                             mmap.PROT_READ | mmap.PROT_WRITE)

    def reg(self, off):
        # One aligned 32-bit access per read or write, as MMIO requires.
        return ctypes.c_uint32.from_buffer(self.map, off)

    def poll_done(self, off):
        for _ in range(1000):
            val = self.reg(off).value
            if val & DONE:
                return val
            time.sleep(0.001)
        sys.exit(f"timeout waiting for DONE in register {off:#x}")

    def read(self, word):
        self.reg(EERD).value = (word << ADDR_SHIFT) | START
        return self.poll_done(EERD) >> DATA_SHIFT

    def write(self, word, value):
        self.reg(EEWR).value = (value << DATA_SHIFT) | (word << ADDR_SHIFT) | START
        self.poll_done(EEWR)
        if self.read(word) != value:
            sys.exit(f"NVM word {word:#x} did not take value {value:#06x}")


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("read", "write"):
        sys.exit(__doc__)
    slot, op, word = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    if not 0 <= word < 64:
        sys.exit("WORD must be 0..63")
    enable = f"/sys/bus/pci/devices/{slot}/enable"
    with open(enable, "w") as f:
        f.write("1")
    try:
        bar = Bar(slot)
        if op == "read":
            print(f"{bar.read(word):#06x}")
        else:
            value = int(sys.argv[4], 0)
            if not 0 <= value <= 0xFFFF:
                sys.exit("VALUE must be 0..0xffff")
            bar.write(word, value)
    finally:
        with open(enable, "w") as f:
            f.write("0")


if __name__ == "__main__":
    main()
