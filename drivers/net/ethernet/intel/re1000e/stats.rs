// SPDX-License-Identifier: GPL-2.0

//! Hardware statistics registers (datasheet 10.2.8): clear-on-read counters, accumulated in
//! software on every read, by the watchdog every 2 s and before each MAC reset (which clears
//! them).

use kernel::{
    io::Io,
    prelude::*, //
};

use crate::regs::{
    stat,
    Bar0, //
};

macro_rules! hw_stats {
    ($($(#[$doc:meta])* $name:ident = $reg:ident, $label:literal;)*) => {
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
                Self { $($name: u64::from(u32::from(bar.read(stat::$reg))),)* }
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
    crcerrs = CRCERRS, c"crc_errors";
    /// Alignment errors.
    algnerrc = ALGNERRC, c"alignment_errors";
    /// Symbol errors.
    symerrs = SYMERRS, c"symbol_errors";
    /// Receive errors.
    rxerrc = RXERRC, c"rx_errors";
    /// Missed packets (no descriptor).
    mpc = MPC, c"rx_missed";
    /// Single collisions.
    scc = SCC, c"tx_single_collisions";
    /// Excessive collisions.
    ecol = ECOL, c"tx_excessive_collisions";
    /// Multiple collisions.
    mcc = MCC, c"tx_multi_collisions";
    /// Late collisions.
    latecol = LATECOL, c"tx_late_collisions";
    /// Deferred transmits.
    dc = DC, c"tx_deferred";
    /// XON received.
    xonrxc = XONRXC, c"rx_xon";
    /// XON sent.
    xontxc = XONTXC, c"tx_xon";
    /// XOFF received.
    xoffrxc = XOFFRXC, c"rx_xoff";
    /// XOFF sent.
    xofftxc = XOFFTXC, c"tx_xoff";
    /// Unsupported flow control frames.
    fcruc = FCRUC, c"rx_flow_control_unsupported";
    /// Received 64-byte frames.
    prc64 = PRC64, c"rx_64";
    /// Received 65-127-byte frames.
    prc127 = PRC127, c"rx_65_127";
    /// Received 128-255-byte frames.
    prc255 = PRC255, c"rx_128_255";
    /// Received 256-511-byte frames.
    prc511 = PRC511, c"rx_256_511";
    /// Received 512-1023-byte frames.
    prc1023 = PRC1023, c"rx_512_1023";
    /// Received 1024-1522-byte frames.
    prc1522 = PRC1522, c"rx_1024_1522";
    /// Good packets received.
    gprc = GPRC, c"rx_good_packets";
    /// Broadcast packets received.
    bprc = BPRC, c"rx_broadcast";
    /// Multicast packets received.
    mprc = MPRC, c"rx_multicast";
    /// Good packets sent.
    gptc = GPTC, c"tx_good_packets";
    /// Good octets received, low.
    gorcl = GORCL, c"rx_good_bytes_low";
    /// Good octets received, high.
    gorch = GORCH, c"rx_good_bytes_high";
    /// Good octets sent, low.
    gotcl = GOTCL, c"tx_good_bytes_low";
    /// Good octets sent, high.
    gotch = GOTCH, c"tx_good_bytes_high";
    /// No receive buffers.
    rnbc = RNBC, c"rx_no_buffer";
    /// Undersize frames.
    ruc = RUC, c"rx_undersize";
    /// Fragments.
    rfc = RFC, c"rx_fragments";
    /// Oversize frames.
    roc = ROC, c"rx_oversize";
    /// Jabbers.
    rjc = RJC, c"rx_jabbers";
    /// Total packets received.
    tpr = TPR, c"rx_total_packets";
    /// Total packets sent.
    tpt = TPT, c"tx_total_packets";
    /// Sent 64-byte frames.
    ptc64 = PTC64, c"tx_64";
    /// Sent 65-127-byte frames.
    ptc127 = PTC127, c"tx_65_127";
    /// Sent 128-255-byte frames.
    ptc255 = PTC255, c"tx_128_255";
    /// Sent 256-511-byte frames.
    ptc511 = PTC511, c"tx_256_511";
    /// Sent 512-1023-byte frames.
    ptc1023 = PTC1023, c"tx_512_1023";
    /// Sent 1024-1522-byte frames.
    ptc1522 = PTC1522, c"tx_1024_1522";
    /// Multicast packets sent.
    mptc = MPTC, c"tx_multicast";
    /// Broadcast packets sent.
    bptc = BPTC, c"tx_broadcast";
    /// TSO contexts sent.
    tsctc = TSCTC, c"tx_tso_contexts";
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
