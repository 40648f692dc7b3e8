// SPDX-License-Identifier: GPL-2.0

//! Hardware statistics registers (datasheet 10.2.8): clear-on-read counters, accumulated in
//! software on every read, by the watchdog every 2 s and before each MAC reset (which clears
//! them).

use kernel::{
    io::Io,
    prelude::*, //
};

use crate::regs::Bar0;

macro_rules! hw_stats {
    ($($(#[$doc:meta])* $name:ident = $off:literal, $label:literal;)*) => {
        /// Accumulated hardware counters.
        #[derive(Default, Clone, Copy)]
        pub(crate) struct HwStats {
            $($(#[$doc])* pub(crate) $name: u64,)*
        }

        impl HwStats {
            /// `ethtool -S` names, in [`HwStats::values`] order.
            pub(crate) const NAMES: &'static [&'static CStr] = &[$($label,)*];

            /// Reads (and so clears) the counters: what the hardware counted since the last
            /// read.
            pub(crate) fn read(bar: &Bar0<'_>) -> Self {
                Self { $($name: u64::from(bar.read32($off)),)* }
            }

            /// Adds the counts of `other`.
            pub(crate) fn add(&mut self, other: &Self) {
                $(self.$name += other.$name;)*
            }

            /// The counters in [`HwStats::NAMES`] order.
            pub(crate) fn values(&self) -> impl Iterator<Item = u64> + '_ {
                [$(self.$name,)*].into_iter()
            }
        }
    };
}

hw_stats! {
    /// CRC errors.
    crcerrs = 0x04000, c"crc_errors";
    /// Alignment errors.
    algnerrc = 0x04004, c"alignment_errors";
    /// Symbol errors.
    symerrs = 0x04008, c"symbol_errors";
    /// Receive errors.
    rxerrc = 0x0400c, c"rx_errors";
    /// Missed packets (no descriptor).
    mpc = 0x04010, c"rx_missed";
    /// Single collisions.
    scc = 0x04014, c"tx_single_collisions";
    /// Excessive collisions.
    ecol = 0x04018, c"tx_excessive_collisions";
    /// Multiple collisions.
    mcc = 0x0401c, c"tx_multi_collisions";
    /// Late collisions.
    latecol = 0x04020, c"tx_late_collisions";
    /// Deferred transmits.
    dc = 0x04030, c"tx_deferred";
    /// XON received.
    xonrxc = 0x04048, c"rx_xon";
    /// XON sent.
    xontxc = 0x0404c, c"tx_xon";
    /// XOFF received.
    xoffrxc = 0x04050, c"rx_xoff";
    /// XOFF sent.
    xofftxc = 0x04054, c"tx_xoff";
    /// Unsupported flow control frames.
    fcruc = 0x04058, c"rx_flow_control_unsupported";
    /// Received 64-byte frames.
    prc64 = 0x0405c, c"rx_64";
    /// Received 65-127-byte frames.
    prc127 = 0x04060, c"rx_65_127";
    /// Received 128-255-byte frames.
    prc255 = 0x04064, c"rx_128_255";
    /// Received 256-511-byte frames.
    prc511 = 0x04068, c"rx_256_511";
    /// Received 512-1023-byte frames.
    prc1023 = 0x0406c, c"rx_512_1023";
    /// Received 1024-1522-byte frames.
    prc1522 = 0x04070, c"rx_1024_1522";
    /// Good packets received.
    gprc = 0x04074, c"rx_good_packets";
    /// Broadcast packets received.
    bprc = 0x04078, c"rx_broadcast";
    /// Multicast packets received.
    mprc = 0x0407c, c"rx_multicast";
    /// Good packets sent.
    gptc = 0x04080, c"tx_good_packets";
    /// Good octets received, low.
    gorcl = 0x04088, c"rx_good_bytes_low";
    /// Good octets received, high.
    gorch = 0x0408c, c"rx_good_bytes_high";
    /// Good octets sent, low.
    gotcl = 0x04090, c"tx_good_bytes_low";
    /// Good octets sent, high.
    gotch = 0x04094, c"tx_good_bytes_high";
    /// No receive buffers.
    rnbc = 0x040a0, c"rx_no_buffer";
    /// Undersize frames.
    ruc = 0x040a4, c"rx_undersize";
    /// Fragments.
    rfc = 0x040a8, c"rx_fragments";
    /// Oversize frames.
    roc = 0x040ac, c"rx_oversize";
    /// Jabbers.
    rjc = 0x040b0, c"rx_jabbers";
    /// Total packets received.
    tpr = 0x040d0, c"rx_total_packets";
    /// Total packets sent.
    tpt = 0x040d4, c"tx_total_packets";
    /// Sent 64-byte frames.
    ptc64 = 0x040d8, c"tx_64";
    /// Sent 65-127-byte frames.
    ptc127 = 0x040dc, c"tx_65_127";
    /// Sent 128-255-byte frames.
    ptc255 = 0x040e0, c"tx_128_255";
    /// Sent 256-511-byte frames.
    ptc511 = 0x040e4, c"tx_256_511";
    /// Sent 512-1023-byte frames.
    ptc1023 = 0x040e8, c"tx_512_1023";
    /// Sent 1024-1522-byte frames.
    ptc1522 = 0x040ec, c"tx_1024_1522";
    /// Multicast packets sent.
    mptc = 0x040f0, c"tx_multicast";
    /// Broadcast packets sent.
    bptc = 0x040f4, c"tx_broadcast";
    /// TSO contexts sent.
    tsctc = 0x040f8, c"tx_tso_contexts";
}

impl HwStats {
    /// Good octets received (the low register is read first, latching the high one).
    pub(crate) fn rx_bytes(&self) -> u64 {
        self.gorcl + (self.gorch << 32)
    }

    /// Good octets sent.
    pub(crate) fn tx_bytes(&self) -> u64 {
        self.gotcl + (self.gotch << 32)
    }
}
