// SPDX-License-Identifier: GPL-2.0

//! 82574 register map.
//!
//! Names, offsets and bit positions follow the Intel 82574 GbE Controller Family datasheet
//! (section 10, "Device Registers"). Only registers the driver touches are declared; each is
//! declared once here and used through its typed fields elsewhere.

use kernel::{
    io::register,
    pci, //
};

/// BAR0: the 82574 memory-mapped register window, as mapped by the PCI core. The driver
/// keeps it in a [`crate::hw::Hw`], which quiesces the device when dropped.
pub(crate) type Bar0<'a> = pci::Bar<'a, { BAR0_SIZE }>;

/// Size of the memory-mapped register window (BAR0) of the 82574: 128 KiB.
pub(crate) const BAR0_SIZE: usize = 0x20000;

register! {
    /// Device Control (CTRL, 0x00000).
    pub(crate) CTRL(u32) @ 0x00000 {
        /// PHY reset.
        31:31 phy_rst => bool;
        /// VLAN mode enable: insert/strip 802.1Q tags.
        30:30 vme => bool;
        /// Transmit flow control enable (send pause frames).
        28:28 tfce => bool;
        /// Receive flow control enable (honour pause frames).
        27:27 rfce => bool;
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
        /// MSI-X: clear pending-bit-array bits when the cause is cleared.
        31:31 pba_clr => bool;
        /// Driver loaded: tells the management engine that a driver owns the device.
        28:28 drv_load => bool;
        /// Interrupt acknowledge auto-mask enable.
        27:27 iame => bool;
        /// Extended interrupt auto-mask enable (MSI-X: mask a cause when its vector fires).
        24:24 eiame => bool;
    }

    /// Interrupt Vector Allocation (IVAR, 0x000E4): which MSI-X vector each cause raises.
    pub(crate) IVAR(u32) @ 0x000e4 {
        /// Raise a transmit interrupt on every descriptor write-back.
        31:31 tx_every_wb => bool;
        /// The other-causes entry is valid.
        19:19 other_valid => bool;
        /// Vector of the other causes (link change and the rest).
        18:16 other;
        /// The transmit queue 0 entry is valid.
        11:11 txq0_valid => bool;
        /// Vector of transmit queue 0.
        10:8 txq0;
        /// The receive queue 0 entry is valid.
        3:3 rxq0_valid => bool;
        /// Vector of receive queue 0.
        2:0 rxq0;
    }

    /// Extended Interrupt Auto Clear (EIAC_82574, 0x000DC): causes cleared from ICR when
    /// their MSI-X vector fires.
    pub(crate) EIAC(u32) @ 0x000dc {
        31:0 mask;
    }

    /// Extended Interrupt Throttle Rate (EITR, 0x000E8 + 4*n), per MSI-X vector, in 256 ns
    /// units.
    pub(crate) EITR(u32)[5] @ 0x000e8 {
        15:0 interval;
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
        /// Strip Ethernet CRC.
        26:26 secrc => bool;
        /// Buffer size extension (BSIZE x16).
        25:25 bsex => bool;
        /// Discard pause frames.
        22:22 dpf => bool;
        /// VLAN filter enable.
        18:18 vfe => bool;
        /// Receive buffer size: 00 = 2048, 01 = 1024, 10 = 512, 11 = 256 (x16 with BSEX).
        17:16 bsize;
        /// Accept broadcast.
        15:15 bam => bool;
        /// Multicast offset: which address bits index the MTA.
        13:12 mo;
        /// Descriptor minimum threshold: 00 = 1/2, 01 = 1/4, 10 = 1/8 of the ring.
        9:8 rdmts;
        /// Loopback mode: 00 none, 11 MAC loopback.
        7:6 lbm;
        /// Long packet enable (frames over 1522 bytes).
        5:5 lpe => bool;
        /// Multicast promiscuous.
        4:4 mpe => bool;
        /// Unicast promiscuous.
        3:3 upe => bool;
        /// Store bad packets.
        2:2 sbp => bool;
        /// Receiver enable.
        1:1 en => bool;
    }

    /// Transmit Control (TCTL, 0x00400).
    pub(crate) TCTL(u32) @ 0x00400 {
        /// Re-transmit on late collision.
        24:24 rtlc => bool;
        /// Collision distance.
        21:12 cold;
        /// Collision threshold.
        11:4 ct;
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

    /// MDI Control (MDIC, 0x00020): PHY register access.
    pub(crate) MDIC(u32) @ 0x00020 {
        /// Error.
        30:30 e => bool;
        /// Ready.
        28:28 r => bool;
        /// Opcode: 01 = write, 10 = read.
        27:26 op;
        /// PHY address.
        25:21 phyadd;
        /// PHY register address.
        20:16 regadd;
        /// Data.
        15:0 data;
    }

    /// Flow Control Address Low (FCAL, 0x00028).
    pub(crate) FCAL(u32) @ 0x00028 {
        31:0 addr;
    }

    /// Flow Control Address High (FCAH, 0x0002C).
    pub(crate) FCAH(u32) @ 0x0002c {
        15:0 addr;
    }

    /// VLAN EtherType (VET, 0x00038): the TPID inserted and recognised.
    pub(crate) VET(u32) @ 0x00038 {
        15:0 vet;
    }

    /// Flow Control Type (FCT, 0x00030).
    pub(crate) FCT(u32) @ 0x00030 {
        15:0 ethertype;
    }

    /// Packet Buffer Allocation (PBA, 0x01000), in KiB; a change takes effect at the next
    /// MAC reset.
    pub(crate) PBA(u32) @ 0x01000 {
        /// Transmit share (read only: the packet buffer less the receive share).
        31:16 txa;
        /// Receive share.
        15:0 rxa;
    }

    /// Flow Control Receive Threshold Low (FCRTL, 0x02160): XON threshold.
    pub(crate) FCRTL(u32) @ 0x02160 {
        /// Send XON when the receive FIFO drains to the threshold.
        31:31 xone => bool;
        /// Threshold in bytes; bits 2:0 are reserved (8-byte granularity), written as 0.
        15:0 rtl;
    }

    /// Flow Control Receive Threshold High (FCRTH, 0x02168): XOFF threshold.
    pub(crate) FCRTH(u32) @ 0x02168 {
        /// Threshold in bytes; bits 2:0 are reserved (8-byte granularity), written as 0.
        15:0 rth;
    }

    /// Flow Control Transmit Timer Value (FCTTV, 0x00170).
    pub(crate) FCTTV(u32) @ 0x00170 {
        15:0 ttv;
    }

    /// Interrupt Throttling Rate (ITR, 0x000C4), in 256 ns units.
    pub(crate) ITR(u32) @ 0x000c4 {
        15:0 interval;
    }

    /// Interrupt Cause Set (ICS, 0x000C8).
    pub(crate) ICS(u32) @ 0x000c8 {
        31:0 causes;
    }

    /// Interrupt Mask Set/Read (IMS, 0x000D0).
    pub(crate) IMS(u32) @ 0x000d0 {
        31:0 mask;
    }

    /// Transmit IPG (TIPG, 0x00410).
    pub(crate) TIPG(u32) @ 0x00410 {
        29:20 ipgr2;
        19:10 ipgr1;
        9:0 ipgt;
    }

    /// Receive Descriptor Base Address Low (RDBAL0, 0x02800).
    pub(crate) RDBAL(u32) @ 0x02800 {
        31:0 addr;
    }

    /// Receive Descriptor Base Address High (RDBAH0, 0x02804).
    pub(crate) RDBAH(u32) @ 0x02804 {
        31:0 addr;
    }

    /// Receive Descriptor Length (RDLEN0, 0x02808), bytes, multiple of 128.
    pub(crate) RDLEN(u32) @ 0x02808 {
        19:0 len;
    }

    /// Receive Descriptor Head (RDH0, 0x02810).
    pub(crate) RDH(u32) @ 0x02810 {
        15:0 head;
    }

    /// Receive Descriptor Tail (RDT0, 0x02818).
    pub(crate) RDT(u32) @ 0x02818 {
        15:0 tail;
    }

    /// Receive Interrupt Packet Delay Timer (RDTR, 0x02820), 1.024 us units.
    pub(crate) RDTR(u32) @ 0x02820 {
        15:0 delay;
    }

    /// Receive Interrupt Absolute Delay Timer (RADV, 0x0282C), 1.024 us units.
    pub(crate) RADV(u32) @ 0x0282c {
        15:0 delay;
    }

    /// Transmit Descriptor Base Address Low (TDBAL0, 0x03800).
    pub(crate) TDBAL(u32) @ 0x03800 {
        31:0 addr;
    }

    /// Transmit Descriptor Base Address High (TDBAH0, 0x03804).
    pub(crate) TDBAH(u32) @ 0x03804 {
        31:0 addr;
    }

    /// Transmit Descriptor Length (TDLEN0, 0x03808), bytes, multiple of 128.
    pub(crate) TDLEN(u32) @ 0x03808 {
        19:0 len;
    }

    /// Transmit Descriptor Head (TDH0, 0x03810).
    pub(crate) TDH(u32) @ 0x03810 {
        15:0 head;
    }

    /// Transmit Descriptor Tail (TDT0, 0x03818).
    pub(crate) TDT(u32) @ 0x03818 {
        15:0 tail;
    }

    /// Transmit Interrupt Delay Value (TIDV, 0x03820), 1.024 us units.
    pub(crate) TIDV(u32) @ 0x03820 {
        15:0 delay;
    }

    /// Transmit Descriptor Control (TXDCTL0, 0x03828).
    pub(crate) TXDCTL(u32) @ 0x03828 {
        /// Granularity: the thresholds count descriptors, not cache lines.
        24:24 gran => bool;
        /// Count the descriptors still to be processed; the 82574 requires it set
        /// (datasheet 10.2.3.14, as e1000e programs it).
        22:22 count_desc => bool;
        /// Write-back threshold.
        21:16 wthresh;
        /// Host threshold.
        13:8 hthresh;
        /// Prefetch threshold.
        5:0 pthresh;
    }

    /// Transmit Absolute Interrupt Delay Value (TADV, 0x0382C).
    pub(crate) TADV(u32) @ 0x0382c {
        15:0 delay;
    }

    /// Receive Checksum Control (RXCSUM, 0x05000).
    pub(crate) RXCSUM(u32) @ 0x05000 {
        /// Packet checksum disable: the descriptor carries the RSS hash instead.
        13:13 pcsd => bool;
        /// TCP/UDP checksum offload.
        9:9 tuofld => bool;
        /// IP checksum offload.
        8:8 ipofld => bool;
    }

    /// Multiple Receive Queues Command (MRQC, 0x05818).
    pub(crate) MRQC(u32) @ 0x05818 {
        /// Hash TCP over IPv6 (without extension headers).
        21:21 tcp_ipv6 => bool;
        /// Hash IPv6 (without extension headers).
        20:20 ipv6 => bool;
        /// Hash IPv4.
        17:17 ipv4 => bool;
        /// Hash TCP over IPv4.
        16:16 tcp_ipv4 => bool;
        /// Multiple receive queues: 00 off, 01 RSS.
        1:0 mrq;
    }

    /// RSS Random Key (RSSRK, 0x05C80 + 4*n): the 40-byte Toeplitz key.
    pub(crate) RSSRK(u32)[10] @ 0x05c80 {
        31:0 key;
    }

    /// Redirection Table (RETA, 0x05C00 + 4*n): 128 one-byte queue entries.
    pub(crate) RETA(u32)[32] @ 0x05c00 {
        31:0 entries;
    }

    /// Receive Filter Control (RFCTL, 0x05008).
    pub(crate) RFCTL(u32) @ 0x05008 {
        /// Extended receive descriptor status.
        15:15 exten => bool;
        /// ACK accelerate disable (avoids spurious MSI-X interrupts on the 82574).
        13:13 ack_dis => bool;
    }

    /// Multicast Table Array (MTA, 0x05200 + 4*n).
    pub(crate) MTA(u32)[128] @ 0x05200 {
        31:0 bits;
    }

    /// VLAN Filter Table Array (VFTA, 0x05600 + 4*n).
    pub(crate) VFTA(u32)[128] @ 0x05600 {
        31:0 bits;
    }

    /// EEPROM Write (EEWR, 0x0102C); same layout as EERD.
    pub(crate) EEWR(u32) @ 0x0102c {
        31:16 data;
        15:2 addr;
        1:1 done => bool;
        0:0 start => bool;
    }
}

/// Interrupt cause bits of ICR/ICS/IMS/IMC (datasheet 10.2.4.1).
pub(crate) mod int {
    /// Transmit descriptor written back.
    pub(crate) const TXDW: u32 = 1 << 0;
    /// Link status change.
    pub(crate) const LSC: u32 = 1 << 2;
    /// Receive descriptor minimum threshold reached.
    pub(crate) const RXDMT0: u32 = 1 << 4;
    /// Receiver overrun.
    pub(crate) const RXO: u32 = 1 << 6;
    /// Receiver timer interrupt.
    pub(crate) const RXT0: u32 = 1 << 7;
    /// MSI-X: receive queue 0 written back.
    pub(crate) const RXQ0: u32 = 1 << 20;
    /// MSI-X: transmit queue 0 written back.
    pub(crate) const TXQ0: u32 = 1 << 22;
    /// MSI-X: any other cause (link change and the rest).
    pub(crate) const OTHER: u32 = 1 << 24;
    /// Interrupt asserted (INTx: this device raised the line).
    pub(crate) const INT_ASSERTED: u32 = 1 << 31;
    /// Causes the data path handles in NAPI.
    pub(crate) const DATA: u32 = TXDW | RXDMT0 | RXO | RXT0;
    /// Causes re1000e enables.
    pub(crate) const ENABLED: u32 = DATA | LSC;
    /// MSI-X: the queue causes, auto-cleared and auto-masked when their vectors fire.
    pub(crate) const QUEUES: u32 = RXQ0 | TXQ0;
    /// MSI-X: causes the other vector handles.
    pub(crate) const OTHERS: u32 = OTHER | LSC;
}

/// IEEE 1588 time synchronisation registers (datasheet 10.2.10), 32-bit, read and written
/// whole (their fields are decoded in `tsync.rs`, pure logic with unit tests).
pub(crate) mod ts {
    use kernel::io::register;

    register! {
        /// System time, low half; reading it latches SYSTIMH.
        pub(crate) SYSTIML(u32) @ 0x0b600 { 31:0 value; }
        /// System time, high half.
        pub(crate) SYSTIMH(u32) @ 0x0b604 { 31:0 value; }
        /// Increment attributes: INCPERIOD (31:24), INCVALUE (23:0).
        pub(crate) TIMINCA(u32) @ 0x0b608 { 31:0 value; }
        /// Transmit timestamp control: VALID (0), ENABLED (4).
        pub(crate) TSYNCTXCTL(u32) @ 0x0b614 { 31:0 value; }
        /// Latched transmit timestamp, low half.
        pub(crate) TXSTMPL(u32) @ 0x0b618 { 31:0 value; }
        /// Latched transmit timestamp, high half; reading it clears VALID.
        pub(crate) TXSTMPH(u32) @ 0x0b61c { 31:0 value; }
        /// Receive timestamp control: VALID (0), TYPE (3:1), ENABLED (4).
        pub(crate) TSYNCRXCTL(u32) @ 0x0b620 { 31:0 value; }
        /// Latched receive timestamp, low half.
        pub(crate) RXSTMPL(u32) @ 0x0b624 { 31:0 value; }
        /// Latched receive timestamp, high half; reading it clears VALID.
        pub(crate) RXSTMPH(u32) @ 0x0b628 { 31:0 value; }
        /// Receive message type (31:16) and L2 ethertype (15:0) to timestamp.
        pub(crate) RXMTRL(u32) @ 0x0b634 { 31:0 value; }
        /// UDP destination port to timestamp (15:0, network order).
        pub(crate) RXUDP(u32) @ 0x0b638 { 31:0 value; }
    }
}

/// Statistics registers (datasheet 10.2.8): 32-bit counters, cleared when read.
pub(crate) mod stat {
    use kernel::io::register;

    register! {
        /// CRC errors.
        pub(crate) CRCERRS(u32) @ 0x04000 { 31:0 count; }
        /// Alignment errors.
        pub(crate) ALGNERRC(u32) @ 0x04004 { 31:0 count; }
        /// Symbol errors.
        pub(crate) SYMERRS(u32) @ 0x04008 { 31:0 count; }
        /// Receive errors.
        pub(crate) RXERRC(u32) @ 0x0400c { 31:0 count; }
        /// Missed packets (no descriptor).
        pub(crate) MPC(u32) @ 0x04010 { 31:0 count; }
        /// Single collisions.
        pub(crate) SCC(u32) @ 0x04014 { 31:0 count; }
        /// Excessive collisions.
        pub(crate) ECOL(u32) @ 0x04018 { 31:0 count; }
        /// Multiple collisions.
        pub(crate) MCC(u32) @ 0x0401c { 31:0 count; }
        /// Late collisions.
        pub(crate) LATECOL(u32) @ 0x04020 { 31:0 count; }
        /// Deferred transmits.
        pub(crate) DC(u32) @ 0x04030 { 31:0 count; }
        /// XON received.
        pub(crate) XONRXC(u32) @ 0x04048 { 31:0 count; }
        /// XON sent.
        pub(crate) XONTXC(u32) @ 0x0404c { 31:0 count; }
        /// XOFF received.
        pub(crate) XOFFRXC(u32) @ 0x04050 { 31:0 count; }
        /// XOFF sent.
        pub(crate) XOFFTXC(u32) @ 0x04054 { 31:0 count; }
        /// Unsupported flow control frames.
        pub(crate) FCRUC(u32) @ 0x04058 { 31:0 count; }
        /// Received 64-byte frames.
        pub(crate) PRC64(u32) @ 0x0405c { 31:0 count; }
        /// Received 65-127-byte frames.
        pub(crate) PRC127(u32) @ 0x04060 { 31:0 count; }
        /// Received 128-255-byte frames.
        pub(crate) PRC255(u32) @ 0x04064 { 31:0 count; }
        /// Received 256-511-byte frames.
        pub(crate) PRC511(u32) @ 0x04068 { 31:0 count; }
        /// Received 512-1023-byte frames.
        pub(crate) PRC1023(u32) @ 0x0406c { 31:0 count; }
        /// Received 1024-1522-byte frames.
        pub(crate) PRC1522(u32) @ 0x04070 { 31:0 count; }
        /// Good packets received.
        pub(crate) GPRC(u32) @ 0x04074 { 31:0 count; }
        /// Broadcast packets received.
        pub(crate) BPRC(u32) @ 0x04078 { 31:0 count; }
        /// Multicast packets received.
        pub(crate) MPRC(u32) @ 0x0407c { 31:0 count; }
        /// Good packets sent.
        pub(crate) GPTC(u32) @ 0x04080 { 31:0 count; }
        /// Good octets received, low.
        pub(crate) GORCL(u32) @ 0x04088 { 31:0 count; }
        /// Good octets received, high.
        pub(crate) GORCH(u32) @ 0x0408c { 31:0 count; }
        /// Good octets sent, low.
        pub(crate) GOTCL(u32) @ 0x04090 { 31:0 count; }
        /// Good octets sent, high.
        pub(crate) GOTCH(u32) @ 0x04094 { 31:0 count; }
        /// No receive buffers.
        pub(crate) RNBC(u32) @ 0x040a0 { 31:0 count; }
        /// Undersize frames.
        pub(crate) RUC(u32) @ 0x040a4 { 31:0 count; }
        /// Fragments.
        pub(crate) RFC(u32) @ 0x040a8 { 31:0 count; }
        /// Oversize frames.
        pub(crate) ROC(u32) @ 0x040ac { 31:0 count; }
        /// Jabbers.
        pub(crate) RJC(u32) @ 0x040b0 { 31:0 count; }
        /// Total packets received.
        pub(crate) TPR(u32) @ 0x040d0 { 31:0 count; }
        /// Total packets sent.
        pub(crate) TPT(u32) @ 0x040d4 { 31:0 count; }
        /// Sent 64-byte frames.
        pub(crate) PTC64(u32) @ 0x040d8 { 31:0 count; }
        /// Sent 65-127-byte frames.
        pub(crate) PTC127(u32) @ 0x040dc { 31:0 count; }
        /// Sent 128-255-byte frames.
        pub(crate) PTC255(u32) @ 0x040e0 { 31:0 count; }
        /// Sent 256-511-byte frames.
        pub(crate) PTC511(u32) @ 0x040e4 { 31:0 count; }
        /// Sent 512-1023-byte frames.
        pub(crate) PTC1023(u32) @ 0x040e8 { 31:0 count; }
        /// Sent 1024-1522-byte frames.
        pub(crate) PTC1522(u32) @ 0x040ec { 31:0 count; }
        /// Multicast packets sent.
        pub(crate) MPTC(u32) @ 0x040f0 { 31:0 count; }
        /// Broadcast packets sent.
        pub(crate) BPTC(u32) @ 0x040f4 { 31:0 count; }
        /// TSO contexts sent.
        pub(crate) TSCTC(u32) @ 0x040f8 { 31:0 count; }
    }
}
