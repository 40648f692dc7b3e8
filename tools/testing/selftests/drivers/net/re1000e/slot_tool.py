#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pull the card out of a PCIe hot-plug slot, as far as the driver can tell.

Usage: slot_tool.py PORT pull

PORT is the PCI address of the downstream port (root port) the slot belongs to. "pull"
masks the slot's hot-plug interrupts, so that the hot-plug driver (pciehp) is not told,
then switches the slot's power and power indicator off. QEMU removes the device of a slot
powered off this way at once: from then on its configuration space reads all-ones, its
registers read zero and its writes, interrupts and DMA go nowhere, while the kernel still
has it bound to its driver. That is a surprise removal the driver has to find out about
by itself. For tests only; the slot stays empty until the machine restarts.
"""
import os
import sys

PCI_STATUS = 0x06
PCI_STATUS_CAP_LIST = 0x10
PCI_CAPABILITY_LIST = 0x34
PCI_CAP_ID_EXP = 0x10
PCI_EXP_FLAGS = 0x02
PCI_EXP_FLAGS_SLOT = 0x0100
PCI_EXP_SLTCAP = 0x14
PCI_EXP_SLTCAP_PCP = 0x02
PCI_EXP_SLTCTL = 0x18
# Attention button, MRL sensor, presence detect, command completed, hot-plug interrupt and
# data link layer state changed enables.
SLTCTL_EVENTS = 0x0001 | 0x0004 | 0x0008 | 0x0010 | 0x0020 | 0x1000
SLTCTL_PIC_OFF = 0x0300
SLTCTL_PCC_OFF = 0x0400


def read(fd, off, size):
    return int.from_bytes(os.pread(fd, size, off), "little")


def pcie_cap(fd):
    if not read(fd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST:
        return None
    pos, seen = read(fd, PCI_CAPABILITY_LIST, 1) & ~3, 0
    while pos and seen < 48:
        if read(fd, pos, 1) == PCI_CAP_ID_EXP:
            return pos
        pos, seen = read(fd, pos + 1, 1) & ~3, seen + 1
    return None


def main():
    if len(sys.argv) != 3 or sys.argv[2] != "pull":
        sys.exit(__doc__)
    fd = os.open(f"/sys/bus/pci/devices/{sys.argv[1]}/config", os.O_RDWR)
    cap = pcie_cap(fd)
    if cap is None or not read(fd, cap + PCI_EXP_FLAGS, 2) & PCI_EXP_FLAGS_SLOT:
        sys.exit(f"{sys.argv[1]} has no PCIe slot")
    if not read(fd, cap + PCI_EXP_SLTCAP, 4) & PCI_EXP_SLTCAP_PCP:
        sys.exit(f"the slot of {sys.argv[1]} has no power controller")
    ctl = read(fd, cap + PCI_EXP_SLTCTL, 2)
    quiet = ctl & ~SLTCTL_EVENTS
    # Two commands: first silence the slot, then cut its power.
    os.pwrite(fd, quiet.to_bytes(2, "little"), cap + PCI_EXP_SLTCTL)
    off = quiet | SLTCTL_PIC_OFF | SLTCTL_PCC_OFF
    os.pwrite(fd, off.to_bytes(2, "little"), cap + PCI_EXP_SLTCTL)
    print(f"slot control {ctl:#06x} -> {read(fd, cap + PCI_EXP_SLTCTL, 2):#06x}")


if __name__ == "__main__":
    main()
