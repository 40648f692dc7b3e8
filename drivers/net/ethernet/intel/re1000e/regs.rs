// SPDX-License-Identifier: GPL-2.0

//! 82574 register map.
//!
//! Names, offsets and bit positions follow the Intel 82574 GbE Controller Family datasheet
//! (section 10, "Device Registers"). Only registers the driver touches are declared; each is
//! declared once here and used through its typed fields elsewhere.

use kernel::io::register;

/// Size of the memory-mapped register window (BAR0) of the 82574: 128 KiB.
pub(crate) const BAR0_SIZE: usize = 0x20000;

register! {
    /// Device Control (CTRL, 0x00000).
    pub(crate) CTRL(u32) @ 0x00000 {
        /// PHY reset.
        31:31 phy_rst => bool;
        /// VLAN mode enable: insert/strip 802.1Q tags.
        30:30 vme => bool;
        /// Device (MAC) reset; self-clearing.
        26:26 rst => bool;
        /// Force duplex from `fd`.
        12:12 frcdpx => bool;
        /// Force speed from `speed`.
        11:11 frcspd => bool;
        /// Speed selection when forced: 00 = 10, 01 = 100, 10 = 1000 Mb/s.
        9:8 speed;
        /// Set link up.
        6:6 slu => bool;
        /// GIO master disable: stop issuing new PCIe master requests.
        2:2 gio_master_disable => bool;
        /// Full duplex.
        0:0 fd => bool;
    }

    /// Device Status (STATUS, 0x00008).
    pub(crate) STATUS(u32) @ 0x00008 {
        /// GIO master enable status: set while master requests may be pending.
        19:19 gio_master_enable => bool;
        /// Resolved link speed: 00 = 10, 01 = 100, 1x = 1000 Mb/s.
        7:6 speed;
        /// Link up.
        1:1 lu => bool;
        /// Resolved duplex.
        0:0 fd => bool;
    }

    /// EEPROM/Flash Control (EECD, 0x00010).
    pub(crate) EECD(u32) @ 0x00010 {
        /// NVM auto-read done after reset.
        9:9 auto_rd => bool;
        /// NVM present.
        8:8 pres => bool;
    }

    /// EEPROM Read (EERD, 0x00014).
    pub(crate) EERD(u32) @ 0x00014 {
        /// Word read.
        31:16 data;
        /// Word address.
        15:2 addr;
        /// Read done.
        1:1 done => bool;
        /// Start read.
        0:0 start => bool;
    }

    /// Extended Device Control (CTRL_EXT, 0x00018).
    pub(crate) CTRL_EXT(u32) @ 0x00018 {
        /// Driver loaded: tells the management engine that a driver owns the device.
        28:28 drv_load => bool;
    }

    /// Interrupt Cause Read (ICR, 0x000C0); read-to-clear.
    pub(crate) ICR(u32) @ 0x000c0 {
        31:0 causes;
    }

    /// Interrupt Mask Clear (IMC, 0x000D8).
    pub(crate) IMC(u32) @ 0x000d8 {
        31:0 mask;
    }

    /// Receive Control (RCTL, 0x00100).
    pub(crate) RCTL(u32) @ 0x00100 {
        /// Receiver enable.
        1:1 en => bool;
    }

    /// Transmit Control (TCTL, 0x00400).
    pub(crate) TCTL(u32) @ 0x00400 {
        /// Pad short packets.
        3:3 psp => bool;
        /// Transmit enable.
        1:1 en => bool;
    }

    /// Receive Address Low (RAL, 0x05400 + 8*n).
    pub(crate) RAL(u32)[16, stride = 8] @ 0x05400 {
        31:0 low;
    }

    /// Receive Address High (RAH, 0x05404 + 8*n).
    pub(crate) RAH(u32)[16, stride = 8] @ 0x05404 {
        /// Address valid.
        31:31 av => bool;
        /// Bytes 4 and 5 of the address.
        15:0 high;
    }

    /// EEPROM Write (EEWR, 0x0102C); same layout as EERD.
    pub(crate) EEWR(u32) @ 0x0102c {
        31:16 data;
        15:2 addr;
        1:1 done => bool;
        0:0 start => bool;
    }
}
