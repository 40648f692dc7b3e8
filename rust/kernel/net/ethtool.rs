// SPDX-License-Identifier: GPL-2.0

//! `ethtool_ops` as a `#[vtable]` trait.
//!
//! C header: [`include/linux/ethtool.h`](srctree/include/linux/ethtool.h)
//!
//! Every network driver implements [`Operations`] (an empty `impl` is valid: all ops NULL
//! except `get_link`, which defaults to the carrier state). Operations the core runs with the
//! RTNL held get an [`Rtnl`] token. Settings are exchanged as plain Rust values, validated by
//! the driver before it touches hardware: a rejected request must change nothing.

use crate::{
    bindings,
    error::{
        from_result,
        VTABLE_DEFAULT_ERROR, //
    },
    net::dev::{
        priv_of,
        Device,
        Driver,
        Rtnl, //
    },
    prelude::*, //
};
use core::marker::PhantomData;

/// Link duplex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplex {
    /// Half duplex.
    Half,
    /// Full duplex.
    Full,
    /// Unknown (no link).
    Unknown,
}

/// Link modes of a twisted-pair Gigabit PHY, as `ETHTOOL_LINK_MODE_*` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LinkModes(u128);

impl LinkModes {
    /// 10BASE-T half duplex.
    pub const T10_HALF: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_10baseT_Half_BIT);
    /// 10BASE-T full duplex.
    pub const T10_FULL: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_10baseT_Full_BIT);
    /// 100BASE-TX half duplex.
    pub const T100_HALF: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_100baseT_Half_BIT);
    /// 100BASE-TX full duplex.
    pub const T100_FULL: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_100baseT_Full_BIT);
    /// 1000BASE-T full duplex.
    pub const T1000_FULL: LinkModes = LinkModes(
        1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_1000baseT_Full_BIT,
    );
    /// Auto-negotiation.
    pub const AUTONEG: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Autoneg_BIT);
    /// Twisted pair port.
    pub const TP: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_TP_BIT);
    /// Symmetric pause.
    pub const PAUSE: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Pause_BIT);
    /// Asymmetric pause.
    pub const ASYM_PAUSE: LinkModes =
        LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Asym_Pause_BIT);

    /// Union of two sets.
    pub const fn or(self, o: LinkModes) -> LinkModes {
        LinkModes(self.0 | o.0)
    }

    /// Returns `true` if every mode of `o` is in `self`.
    pub const fn contains(self, o: LinkModes) -> bool {
        self.0 & o.0 == o.0
    }

    fn store(self, dst: &mut [c_ulong]) {
        for (i, w) in dst.iter_mut().enumerate() {
            let shift = i * c_ulong::BITS as usize;
            *w = if shift < 128 {
                (self.0 >> shift) as c_ulong
            } else {
                0
            };
        }
    }

    fn load(src: &[c_ulong]) -> LinkModes {
        let mut v = 0u128;
        for (i, w) in src.iter().enumerate() {
            let shift = i * c_ulong::BITS as usize;
            if shift < 128 {
                // CAST: `c_ulong` is at most 64 bits wide, no loss.
                v |= (*w as u128) << shift;
            }
        }
        LinkModes(v)
    }
}

/// Link settings (`struct ethtool_link_ksettings`, the parts a copper NIC uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkSettings {
    /// Speed in Mb/s, or `None` when unknown (no link).
    pub speed: Option<u32>,
    /// Duplex.
    pub duplex: Duplex,
    /// Auto-negotiation on.
    pub autoneg: bool,
    /// MDIO address of the PHY.
    pub phy_address: u8,
    /// Modes the hardware supports.
    pub supported: LinkModes,
    /// Modes advertised in auto-negotiation.
    pub advertising: LinkModes,
    /// Modes the link partner advertised.
    pub lp_advertising: LinkModes,
}

/// Ring sizes (`struct ethtool_ringparam`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rings {
    /// Largest RX ring.
    pub rx_max: u32,
    /// Largest TX ring.
    pub tx_max: u32,
    /// Current RX ring.
    pub rx: u32,
    /// Current TX ring.
    pub tx: u32,
}

/// Queue and interrupt channels (`struct ethtool_channels`): receive-only, transmit-only,
/// other (link, errors) and combined channels, current and largest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Channels {
    /// Largest number of receive-only channels.
    pub max_rx: u32,
    /// Largest number of transmit-only channels.
    pub max_tx: u32,
    /// Largest number of other channels.
    pub max_other: u32,
    /// Largest number of combined channels.
    pub max_combined: u32,
    /// Receive-only channels.
    pub rx: u32,
    /// Transmit-only channels.
    pub tx: u32,
    /// Other channels.
    pub other: u32,
    /// Combined channels.
    pub combined: u32,
}

/// Driver identification (`struct ethtool_drvinfo`).
pub struct DrvInfo<'a> {
    /// Driver name.
    pub driver: &'a CStr,
    /// Bus address of the device.
    pub bus_info: &'a CStr,
    /// Firmware or NVM version.
    pub fw_version: &'a CStr,
}

/// `supported_coalesce_params` bits (`ETHTOOL_COALESCE_*`).
pub mod coalesce_params {
    /// `rx-usecs`.
    pub const RX_USECS: u32 = 1 << 0;
    /// `rx-frames`.
    pub const RX_MAX_FRAMES: u32 = 1 << 1;
    /// `tx-usecs`.
    pub const TX_USECS: u32 = 1 << 4;
    /// `tx-frames`.
    pub const TX_MAX_FRAMES: u32 = 1 << 5;
    /// `adaptive-rx`.
    pub const USE_ADAPTIVE_RX: u32 = 1 << 9;
    /// `adaptive-tx`.
    pub const USE_ADAPTIVE_TX: u32 = 1 << 10;
}

/// Interrupt coalescing (`struct ethtool_coalesce`, the commonly used fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Coalesce {
    /// Receive interrupt delay in microseconds.
    pub rx_usecs: u32,
    /// Receive frames before an interrupt.
    pub rx_max_frames: u32,
    /// Transmit interrupt delay in microseconds.
    pub tx_usecs: u32,
    /// Transmit frames before an interrupt.
    pub tx_max_frames: u32,
    /// Adaptive receive moderation.
    pub adaptive_rx: bool,
    /// Adaptive transmit moderation.
    pub adaptive_tx: bool,
}

/// Flow control (`struct ethtool_pauseparam`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pause {
    /// Negotiate pause with the link partner.
    pub autoneg: bool,
    /// Honour received pause frames.
    pub rx: bool,
    /// Send pause frames.
    pub tx: bool,
}

macro_rules! stats_group {
    ($(#[$doc:meta])* $name:ident, $cty:ty, { $($(#[$fdoc:meta])* $field:ident => $cfield:ident,)* }) => {
        $(#[$doc])*
        ///
        /// Counters left `None` are reported as not supported.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: Option<u64>,)*
        }

        impl $name {
            fn store(&self, dst: &mut $cty) {
                $(if let Some(v) = self.$field { dst.$cfield = v; })*
            }
        }
    };
}

stats_group!(
    /// IEEE 802.3 MAC counters (`ethtool -S <if> --groups eth-mac`).
    EthMacStats, bindings::ethtool_eth_mac_stats__bindgen_ty_1__bindgen_ty_2, {
    /// aFramesTransmittedOK.
    frames_transmitted_ok => FramesTransmittedOK,
    /// aSingleCollisionFrames.
    single_collision_frames => SingleCollisionFrames,
    /// aMultipleCollisionFrames.
    multiple_collision_frames => MultipleCollisionFrames,
    /// aFramesReceivedOK.
    frames_received_ok => FramesReceivedOK,
    /// aFrameCheckSequenceErrors.
    frame_check_sequence_errors => FrameCheckSequenceErrors,
    /// aAlignmentErrors.
    alignment_errors => AlignmentErrors,
    /// aOctetsTransmittedOK.
    octets_transmitted_ok => OctetsTransmittedOK,
    /// aFramesWithDeferredXmissions.
    frames_with_deferred_xmissions => FramesWithDeferredXmissions,
    /// aLateCollisions.
    late_collisions => LateCollisions,
    /// aFramesAbortedDueToXSColls.
    frames_aborted_due_to_xs_colls => FramesAbortedDueToXSColls,
    /// aCarrierSenseErrors.
    carrier_sense_errors => CarrierSenseErrors,
    /// aOctetsReceivedOK.
    octets_received_ok => OctetsReceivedOK,
    /// aMulticastFramesXmittedOK.
    multicast_frames_xmitted_ok => MulticastFramesXmittedOK,
    /// aBroadcastFramesXmittedOK.
    broadcast_frames_xmitted_ok => BroadcastFramesXmittedOK,
    /// aMulticastFramesReceivedOK.
    multicast_frames_received_ok => MulticastFramesReceivedOK,
    /// aBroadcastFramesReceivedOK.
    broadcast_frames_received_ok => BroadcastFramesReceivedOK,
    /// aFrameTooLongErrors.
    frame_too_long_errors => FrameTooLongErrors,
});

stats_group!(
    /// IEEE 802.3 MAC control counters (`--groups eth-ctrl`).
    EthCtrlStats, bindings::ethtool_eth_ctrl_stats__bindgen_ty_1__bindgen_ty_2, {
    /// aMACControlFramesTransmitted.
    mac_control_frames_transmitted => MACControlFramesTransmitted,
    /// aMACControlFramesReceived.
    mac_control_frames_received => MACControlFramesReceived,
    /// aUnsupportedOpcodesReceived.
    unsupported_opcodes_received => UnsupportedOpcodesReceived,
});

stats_group!(
    /// Pause frame counters (`--groups pause`, `ethtool -I -a`).
    PauseStats, bindings::ethtool_pause_stats__bindgen_ty_1__bindgen_ty_2, {
    /// Pause frames sent.
    tx_pause_frames => tx_pause_frames,
    /// Pause frames received.
    rx_pause_frames => rx_pause_frames,
});

/// A frame size range of the RMON histogram; a list of them ends with [`RmonRange::END`].
#[repr(transparent)]
pub struct RmonRange(bindings::ethtool_rmon_hist_range);

impl RmonRange {
    /// Frames of `low..=high` bytes.
    pub const fn new(low: u16, high: u16) -> Self {
        RmonRange(bindings::ethtool_rmon_hist_range { low, high })
    }

    /// The terminator of a range list.
    pub const END: RmonRange = RmonRange::new(0, 0);
}

/// Most RMON histogram buckets.
pub const RMON_HIST_MAX: usize = 10;

/// RMON counters (`--groups rmon`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RmonStats {
    /// etherStatsUndersizePkts.
    pub undersize_pkts: Option<u64>,
    /// etherStatsOversizePkts.
    pub oversize_pkts: Option<u64>,
    /// etherStatsFragments.
    pub fragments: Option<u64>,
    /// etherStatsJabbers.
    pub jabbers: Option<u64>,
    /// Received frames per [`Operations::RMON_RANGES`] bucket.
    pub hist: [u64; RMON_HIST_MAX],
    /// Transmitted frames per bucket.
    pub hist_tx: [u64; RMON_HIST_MAX],
}

/// Queue statistics of one receive queue (`struct netdev_queue_stats_rx`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxQueueStats {
    /// Packets received.
    pub packets: Option<u64>,
    /// Bytes received.
    pub bytes: Option<u64>,
    /// Buffer allocation failures.
    pub alloc_fail: Option<u64>,
    /// Packets the hardware dropped.
    pub hw_drops: Option<u64>,
    /// Packets whose checksum the device verified.
    pub csum_unnecessary: Option<u64>,
    /// Packets with a bad checksum.
    pub csum_bad: Option<u64>,
}

/// Queue statistics of one transmit queue (`struct netdev_queue_stats_tx`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxQueueStats {
    /// Packets sent (wire packets, after segmentation).
    pub packets: Option<u64>,
    /// Bytes sent.
    pub bytes: Option<u64>,
    /// GSO packets the hardware segmented.
    pub hw_gso_packets: Option<u64>,
    /// Bytes of those packets.
    pub hw_gso_bytes: Option<u64>,
    /// Packets the device had to drop.
    pub hw_drops: Option<u64>,
    /// Times the queue was stopped for lack of room.
    pub stop: Option<u64>,
    /// Times the queue was woken.
    pub wake: Option<u64>,
}

/// The `ethtool_ops` of a network driver.
#[vtable]
pub trait Operations: Driver {
    /// `get_drvinfo`.
    fn drvinfo<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _f: &mut dyn FnMut(DrvInfo<'_>),
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_link`: link state; defaults to the carrier state.
    fn get_link<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_ts_info`: timestamping capabilities, added to the software ones
    /// (`ethtool_op_get_ts_info`); the abstraction reports the index of the device's PTP
    /// clock ([`Device::ptp_clock`]).
    fn ts_info<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> crate::net::ptp::TsInfo {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_link_ksettings`.
    fn get_link_ksettings<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
    ) -> Result<LinkSettings> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_link_ksettings`: apply `s` or reject it, changing nothing.
    fn set_link_ksettings<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _s: &LinkSettings,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `nway_reset`: restart auto-negotiation.
    fn nway_reset<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_channels`.
    fn get_channels<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
    ) -> Channels {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_channels`: apply the counts of `c` (already within the maxima), or reject.
    fn set_channels<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _c: &Channels,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_ringparam`.
    fn get_ringparam<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Rings {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_ringparam`: resize to `r.rx`/`r.tx` (already within the maxima), or reject.
    fn set_ringparam<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _r: &Rings,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_msglevel`.
    fn get_msglevel<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_msglevel`.
    fn set_msglevel<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _level: u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_regs_len` and `get_regs`: the register dump, as 32-bit words, and its version.
    /// `out` has `REGS_WORDS` entries.
    fn get_regs<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _out: &mut [u32]) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Number of 32-bit words [`Operations::get_regs`] fills.
    const REGS_WORDS: usize = 0;

    /// `get_eeprom`: read `out.len()` bytes of the EEPROM from byte `offset`.
    fn get_eeprom<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _offset: u32,
        _out: &mut [u8],
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// EEPROM size in bytes (`get_eeprom_len`), and the magic `ethtool -E` must pass.
    const EEPROM_LEN: u32 = 0;

    /// `get_coalesce`.
    fn get_coalesce<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
    ) -> Coalesce {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_coalesce`: the core already refused parameters outside
    /// [`Operations::SUPPORTED_COALESCE`]; reject out-of-range values, changing nothing.
    fn set_coalesce<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _c: &Coalesce,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ETHTOOL_COALESCE_*` parameters the driver takes (see [`coalesce_params`]).
    const SUPPORTED_COALESCE: u32 = 0;

    /// `get_pauseparam`.
    fn get_pauseparam<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Pause {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_pauseparam`.
    fn set_pauseparam<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _p: &Pause,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Names of the driver statistics (`ethtool -S`), at most 31 bytes each.
    const STATS: &'static [&'static CStr] = &[];

    /// `get_ethtool_stats`: fill `out`, one value per [`Operations::STATS`] name.
    fn get_ethtool_stats<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _out: &mut [u64]) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Names of the self-tests (`ethtool -t`).
    const TESTS: &'static [&'static CStr] = &[];

    /// `self_test`: run the tests (`offline` allows disruptive ones), one result per
    /// [`Operations::TESTS`] name, 0 meaning pass. Returns `true` if any failed.
    fn self_test<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _offline: bool,
        _results: &mut [u64],
    ) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_eeprom`: write `data` at byte `offset` (the core checked the range and
    /// [`Operations::EEPROM_MAGIC`]).
    fn set_eeprom<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _offset: u32,
        _data: &[u8],
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Magic number `ethtool -E` must quote (typically vendor | device << 16).
    const EEPROM_MAGIC: u32 = 0;

    /// `get_eth_mac_stats`.
    fn get_eth_mac_stats<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> EthMacStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_eth_ctrl_stats`.
    fn get_eth_ctrl_stats<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> EthCtrlStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_pause_stats`.
    fn get_pause_stats<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> PauseStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_rmon_stats`, bucketed by [`Operations::RMON_RANGES`].
    fn get_rmon_stats<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> RmonStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The RMON histogram buckets, ending with [`RmonRange::END`] (at most
    /// [`RMON_HIST_MAX`] before it).
    const RMON_RANGES: &'static [RmonRange] = &[RmonRange::END];

    /// `get_queue_stats_rx` of `netdev_stat_ops` (queue statistics, `qstats`).
    fn queue_stats_rx<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _idx: u32,
    ) -> RxQueueStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_queue_stats_tx` of `netdev_stat_ops`.
    fn queue_stats_tx<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _idx: u32,
    ) -> TxQueueStats {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_base_stats` of `netdev_stat_ops`: what the device counted outside any queue
    /// (for example while reconfigured), so that queue sums plus base equal the totals.
    ///
    /// Every field the queues report must be reported here too (`Some(0)` when nothing was
    /// counted outside them): the core's device-wide sum starts from the base and drops each
    /// field the base leaves `None`, whatever the queues say.
    fn base_stats<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
    ) -> (RxQueueStats, TxQueueStats) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The device and private data of an ethtool callback.
///
/// # Safety
///
/// `dev` is a valid, registered device whose driver is `T`, for `'a`.
unsafe fn ctx<'a, T: Operations>(
    dev: *mut bindings::net_device,
) -> (&'a Device, Pin<&'a T::Priv<'a>>) {
    // SAFETY: guaranteed by the caller.
    unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) }
}

/// The device, private data and RTNL proof of an ethtool callback the core runs with the
/// RTNL held.
///
/// # Safety
///
/// As for [`ctx`], and the RTNL is held for `'a`.
unsafe fn rtnl_ctx<'a, T: Operations>(
    dev: *mut bindings::net_device,
) -> (&'a Device, Pin<&'a T::Priv<'a>>, &'a Rtnl) {
    // SAFETY: guaranteed by the caller.
    unsafe {
        (
            Device::from_raw(dev),
            priv_of::<T>(dev),
            Rtnl::assume_held(),
        )
    }
}

struct Adapter<T: Operations>(PhantomData<T>);

impl<T: Operations> Adapter<T> {
    extern "C" fn get_drvinfo(
        dev: *mut bindings::net_device,
        info: *mut bindings::ethtool_drvinfo,
    ) {
        // SAFETY: valid device and an exclusively ours `info` for the call.
        let ((d, p), info) = unsafe { (ctx::<T>(dev), &mut *info) };
        T::drvinfo(d, p, &mut |i: DrvInfo<'_>| {
            copy_cstr(&mut info.driver, i.driver);
            copy_cstr(&mut info.bus_info, i.bus_info);
            copy_cstr(&mut info.fw_version, i.fw_version);
        });
    }

    extern "C" fn get_link(dev: *mut bindings::net_device) -> u32 {
        // SAFETY: valid device.
        let (d, p) = unsafe { ctx::<T>(dev) };
        u32::from(T::get_link(d, p))
    }

    extern "C" fn get_ts_info(
        dev: *mut bindings::net_device,
        info: *mut bindings::kernel_ethtool_ts_info,
    ) -> c_int {
        // SAFETY: valid device and an `info` that is ours for the call.
        let ((d, p), info) = unsafe { (ctx::<T>(dev), &mut *info) };
        // SAFETY: as above; this sets the software capabilities and no PHC.
        unsafe { bindings::ethtool_op_get_ts_info(dev, info) };
        let ts = T::ts_info(d, p);
        info.so_timestamping |= ts.so_timestamping;
        info.tx_types = ts.tx_types;
        info.rx_filters = ts.rx_filters;
        if let Some(i) = d.ptp_clock().and_then(|c| c.index()) {
            info.phc_index = i;
        }
        0
    }

    extern "C" fn get_link_ksettings(
        dev: *mut bindings::net_device,
        ks: *mut bindings::ethtool_link_ksettings,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ks` is ours for the call.
            let ((d, p, rtnl), ks) = unsafe { (rtnl_ctx::<T>(dev), &mut *ks) };
            let s = T::get_link_ksettings(d, p, rtnl)?;
            ks.base.speed = s.speed.unwrap_or(bindings::SPEED_UNKNOWN as u32);
            ks.base.duplex = match s.duplex {
                Duplex::Half => bindings::DUPLEX_HALF,
                Duplex::Full => bindings::DUPLEX_FULL,
                Duplex::Unknown => bindings::DUPLEX_UNKNOWN,
            } as u8;
            ks.base.autoneg = if s.autoneg {
                bindings::AUTONEG_ENABLE
            } else {
                bindings::AUTONEG_DISABLE
            } as u8;
            ks.base.port = bindings::PORT_TP as u8;
            ks.base.phy_address = s.phy_address;
            ks.base.mdio_support = (bindings::ETH_MDIO_SUPPORTS_C22) as u8;
            s.supported.store(&mut ks.link_modes.supported);
            s.advertising.store(&mut ks.link_modes.advertising);
            s.lp_advertising.store(&mut ks.link_modes.lp_advertising);
            Ok(0)
        })
    }

    extern "C" fn set_link_ksettings(
        dev: *mut bindings::net_device,
        ks: *const bindings::ethtool_link_ksettings,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ks` is valid for the call.
            let ((d, p, rtnl), ks) = unsafe { (rtnl_ctx::<T>(dev), &*ks) };
            let s = LinkSettings {
                speed: (ks.base.speed != bindings::SPEED_UNKNOWN as u32).then_some(ks.base.speed),
                duplex: match u32::from(ks.base.duplex) {
                    bindings::DUPLEX_HALF => Duplex::Half,
                    bindings::DUPLEX_FULL => Duplex::Full,
                    _ => Duplex::Unknown,
                },
                autoneg: u32::from(ks.base.autoneg) == bindings::AUTONEG_ENABLE,
                phy_address: ks.base.phy_address,
                supported: LinkModes::load(&ks.link_modes.supported),
                advertising: LinkModes::load(&ks.link_modes.advertising),
                lp_advertising: LinkModes::default(),
            };
            T::set_link_ksettings(d, p, rtnl, &s)?;
            Ok(0)
        })
    }

    extern "C" fn nway_reset(dev: *mut bindings::net_device) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device.
            let (d, p, rtnl) = unsafe { rtnl_ctx::<T>(dev) };
            T::nway_reset(d, p, rtnl)?;
            Ok(0)
        })
    }

    extern "C" fn get_channels(
        dev: *mut bindings::net_device,
        ch: *mut bindings::ethtool_channels,
    ) {
        // SAFETY: runs under the RTNL with a valid device; `ch` is ours for the call.
        let ((d, p, rtnl), ch) = unsafe { (rtnl_ctx::<T>(dev), &mut *ch) };
        let c = T::get_channels(d, p, rtnl);
        ch.max_rx = c.max_rx;
        ch.max_tx = c.max_tx;
        ch.max_other = c.max_other;
        ch.max_combined = c.max_combined;
        ch.rx_count = c.rx;
        ch.tx_count = c.tx;
        ch.other_count = c.other;
        ch.combined_count = c.combined;
    }

    extern "C" fn set_channels(
        dev: *mut bindings::net_device,
        ch: *mut bindings::ethtool_channels,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ch` is valid for the call.
            let ((d, p, rtnl), ch) = unsafe { (rtnl_ctx::<T>(dev), &*ch) };
            let c = Channels {
                rx: ch.rx_count,
                tx: ch.tx_count,
                other: ch.other_count,
                combined: ch.combined_count,
                ..Default::default()
            };
            T::set_channels(d, p, rtnl, &c)?;
            Ok(0)
        })
    }

    extern "C" fn get_ringparam(
        dev: *mut bindings::net_device,
        ring: *mut bindings::ethtool_ringparam,
        _k: *mut bindings::kernel_ethtool_ringparam,
        _e: *mut bindings::netlink_ext_ack,
    ) {
        // SAFETY: runs under the RTNL with a valid device; `ring` is ours for the call.
        let ((d, p, rtnl), ring) = unsafe { (rtnl_ctx::<T>(dev), &mut *ring) };
        let r = T::get_ringparam(d, p, rtnl);
        ring.rx_max_pending = r.rx_max;
        ring.tx_max_pending = r.tx_max;
        ring.rx_pending = r.rx;
        ring.tx_pending = r.tx;
    }

    extern "C" fn set_ringparam(
        dev: *mut bindings::net_device,
        ring: *mut bindings::ethtool_ringparam,
        _k: *mut bindings::kernel_ethtool_ringparam,
        _e: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ring` is valid for the call.
            let ((d, p, rtnl), ring) = unsafe { (rtnl_ctx::<T>(dev), &*ring) };
            let r = Rings {
                rx_max: 0,
                tx_max: 0,
                rx: ring.rx_pending,
                tx: ring.tx_pending,
            };
            T::set_ringparam(d, p, rtnl, &r)?;
            Ok(0)
        })
    }

    extern "C" fn get_msglevel(dev: *mut bindings::net_device) -> u32 {
        // SAFETY: valid device.
        let (d, p) = unsafe { ctx::<T>(dev) };
        T::get_msglevel(d, p)
    }

    extern "C" fn set_msglevel(dev: *mut bindings::net_device, level: u32) {
        // SAFETY: valid device.
        let (d, p) = unsafe { ctx::<T>(dev) };
        T::set_msglevel(d, p, level)
    }

    extern "C" fn get_regs_len(_dev: *mut bindings::net_device) -> c_int {
        (T::REGS_WORDS * 4) as c_int
    }

    extern "C" fn get_regs(
        dev: *mut bindings::net_device,
        regs: *mut bindings::ethtool_regs,
        buf: *mut c_void,
    ) {
        // SAFETY: valid device; the core allocated `get_regs_len()` bytes at `buf`, suitably
        // aligned (kvzalloc).
        let ((d, p), out) = unsafe {
            (
                ctx::<T>(dev),
                core::slice::from_raw_parts_mut(buf.cast::<u32>(), T::REGS_WORDS),
            )
        };
        let version = T::get_regs(d, p, out);
        // SAFETY: `regs` is valid for the call.
        unsafe { (*regs).version = version };
    }

    extern "C" fn get_eeprom_len(_dev: *mut bindings::net_device) -> c_int {
        T::EEPROM_LEN as c_int
    }

    extern "C" fn get_eeprom(
        dev: *mut bindings::net_device,
        ee: *mut bindings::ethtool_eeprom,
        data: *mut u8,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; the core checked
            // `offset + len <= get_eeprom_len()` and allocated `len` bytes at `data`.
            let ((d, p, rtnl), ee) = unsafe { (rtnl_ctx::<T>(dev), &mut *ee) };
            // SAFETY: see above.
            let out = unsafe { core::slice::from_raw_parts_mut(data, ee.len as usize) };
            T::get_eeprom(d, p, rtnl, ee.offset, out)?;
            Ok(0)
        })
    }

    extern "C" fn get_coalesce(
        dev: *mut bindings::net_device,
        ec: *mut bindings::ethtool_coalesce,
        _k: *mut bindings::kernel_ethtool_coalesce,
        _e: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        // SAFETY: runs under the RTNL with a valid device; `ec` is ours for the call.
        let ((d, p, rtnl), ec) = unsafe { (rtnl_ctx::<T>(dev), &mut *ec) };
        let c = T::get_coalesce(d, p, rtnl);
        ec.rx_coalesce_usecs = c.rx_usecs;
        ec.rx_max_coalesced_frames = c.rx_max_frames;
        ec.tx_coalesce_usecs = c.tx_usecs;
        ec.tx_max_coalesced_frames = c.tx_max_frames;
        ec.use_adaptive_rx_coalesce = u32::from(c.adaptive_rx);
        ec.use_adaptive_tx_coalesce = u32::from(c.adaptive_tx);
        0
    }

    extern "C" fn set_coalesce(
        dev: *mut bindings::net_device,
        ec: *mut bindings::ethtool_coalesce,
        _k: *mut bindings::kernel_ethtool_coalesce,
        _e: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ec` is valid for the call.
            let ((d, p, rtnl), ec) = unsafe { (rtnl_ctx::<T>(dev), &*ec) };
            let c = Coalesce {
                rx_usecs: ec.rx_coalesce_usecs,
                rx_max_frames: ec.rx_max_coalesced_frames,
                tx_usecs: ec.tx_coalesce_usecs,
                tx_max_frames: ec.tx_max_coalesced_frames,
                adaptive_rx: ec.use_adaptive_rx_coalesce != 0,
                adaptive_tx: ec.use_adaptive_tx_coalesce != 0,
            };
            T::set_coalesce(d, p, rtnl, &c)?;
            Ok(0)
        })
    }

    extern "C" fn get_pauseparam(
        dev: *mut bindings::net_device,
        pp: *mut bindings::ethtool_pauseparam,
    ) {
        // SAFETY: runs under the RTNL with a valid device; `pp` is ours for the call.
        let ((d, p, rtnl), pp) = unsafe { (rtnl_ctx::<T>(dev), &mut *pp) };
        let v = T::get_pauseparam(d, p, rtnl);
        pp.autoneg = u32::from(v.autoneg);
        pp.rx_pause = u32::from(v.rx);
        pp.tx_pause = u32::from(v.tx);
    }

    extern "C" fn set_pauseparam(
        dev: *mut bindings::net_device,
        pp: *mut bindings::ethtool_pauseparam,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `pp` is valid for the call.
            let ((d, p, rtnl), pp) = unsafe { (rtnl_ctx::<T>(dev), &*pp) };
            let v = Pause {
                autoneg: pp.autoneg != 0,
                rx: pp.rx_pause != 0,
                tx: pp.tx_pause != 0,
            };
            T::set_pauseparam(d, p, rtnl, &v)?;
            Ok(0)
        })
    }

    extern "C" fn get_sset_count(_dev: *mut bindings::net_device, sset: c_int) -> c_int {
        match sset as u32 {
            bindings::ethtool_stringset_ETH_SS_STATS if T::HAS_GET_ETHTOOL_STATS => {
                T::STATS.len() as c_int
            }
            bindings::ethtool_stringset_ETH_SS_TEST if T::HAS_SELF_TEST => T::TESTS.len() as c_int,
            _ => EOPNOTSUPP.to_errno(),
        }
    }

    extern "C" fn get_strings(_dev: *mut bindings::net_device, sset: u32, buf: *mut u8) {
        let names = match sset {
            bindings::ethtool_stringset_ETH_SS_STATS => T::STATS,
            bindings::ethtool_stringset_ETH_SS_TEST => T::TESTS,
            _ => return,
        };
        let len = bindings::ETH_GSTRING_LEN as usize;
        // SAFETY: the core allocated `get_sset_count(sset) * ETH_GSTRING_LEN` bytes at `buf`.
        let out = unsafe { core::slice::from_raw_parts_mut(buf, names.len() * len) };
        for (slot, name) in out.chunks_exact_mut(len).zip(names) {
            let b = name.to_bytes();
            let n = b.len().min(len - 1);
            slot[..n].copy_from_slice(&b[..n]);
            slot[n..].fill(0);
        }
    }

    extern "C" fn get_ethtool_stats(
        dev: *mut bindings::net_device,
        _st: *mut bindings::ethtool_stats,
        data: *mut u64,
    ) {
        // SAFETY: valid device; the core allocated `get_sset_count(ETH_SS_STATS)` values.
        let ((d, p), out) = unsafe {
            (
                ctx::<T>(dev),
                core::slice::from_raw_parts_mut(data, T::STATS.len()),
            )
        };
        T::get_ethtool_stats(d, p, out)
    }

    extern "C" fn self_test(
        dev: *mut bindings::net_device,
        test: *mut bindings::ethtool_test,
        data: *mut u64,
    ) {
        // SAFETY: runs under the RTNL with a valid device; `test` and the `TESTS.len()` results
        // at `data` are ours for the call.
        let ((d, p, rtnl), test, out) = unsafe {
            (
                rtnl_ctx::<T>(dev),
                &mut *test,
                core::slice::from_raw_parts_mut(data, T::TESTS.len()),
            )
        };
        let offline = test.flags & bindings::ethtool_test_flags_ETH_TEST_FL_OFFLINE != 0;
        if T::self_test(d, p, rtnl, offline, out) {
            test.flags |= bindings::ethtool_test_flags_ETH_TEST_FL_FAILED;
        }
    }

    extern "C" fn set_eeprom(
        dev: *mut bindings::net_device,
        ee: *mut bindings::ethtool_eeprom,
        data: *mut u8,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; the core checked
            // `offset + len <= get_eeprom_len()` and copied `len` bytes to `data`.
            let ((d, p, rtnl), ee) = unsafe { (rtnl_ctx::<T>(dev), &*ee) };
            if ee.magic != T::EEPROM_MAGIC || ee.len == 0 {
                return Err(EINVAL);
            }
            // SAFETY: see above.
            let bytes = unsafe { core::slice::from_raw_parts(data, ee.len as usize) };
            T::set_eeprom(d, p, rtnl, ee.offset, bytes)?;
            Ok(0)
        })
    }

    extern "C" fn get_eth_mac_stats(
        dev: *mut bindings::net_device,
        s: *mut bindings::ethtool_eth_mac_stats,
    ) {
        // SAFETY: valid device; `s` is ours for the call (pre-filled with "not set").
        let ((d, p), s) = unsafe { (ctx::<T>(dev), &mut *s) };
        // SAFETY: `stats` is the tagged view of the counters; every field is a `u64`.
        T::get_eth_mac_stats(d, p).store(unsafe { &mut s.__bindgen_anon_1.stats });
    }

    extern "C" fn get_eth_ctrl_stats(
        dev: *mut bindings::net_device,
        s: *mut bindings::ethtool_eth_ctrl_stats,
    ) {
        // SAFETY: valid device; `s` is ours for the call.
        let ((d, p), s) = unsafe { (ctx::<T>(dev), &mut *s) };
        // SAFETY: as for the MAC statistics.
        T::get_eth_ctrl_stats(d, p).store(unsafe { &mut s.__bindgen_anon_1.stats });
    }

    extern "C" fn get_pause_stats(
        dev: *mut bindings::net_device,
        s: *mut bindings::ethtool_pause_stats,
    ) {
        // SAFETY: valid device; `s` is ours for the call.
        let ((d, p), s) = unsafe { (ctx::<T>(dev), &mut *s) };
        // SAFETY: as for the MAC statistics.
        T::get_pause_stats(d, p).store(unsafe { &mut s.__bindgen_anon_1.stats });
    }

    extern "C" fn get_rmon_stats(
        dev: *mut bindings::net_device,
        s: *mut bindings::ethtool_rmon_stats,
        ranges: *mut *const bindings::ethtool_rmon_hist_range,
    ) {
        // SAFETY: valid device; `s` and `ranges` are ours for the call.
        let ((d, p), s) = unsafe { (ctx::<T>(dev), &mut *s) };
        let r = T::get_rmon_stats(d, p);
        // SAFETY: as for the MAC statistics.
        let dst = unsafe { &mut s.__bindgen_anon_1.stats };
        let set = |d: &mut u64, v: Option<u64>| {
            if let Some(v) = v {
                *d = v;
            }
        };
        set(&mut dst.undersize_pkts, r.undersize_pkts);
        set(&mut dst.oversize_pkts, r.oversize_pkts);
        set(&mut dst.fragments, r.fragments);
        set(&mut dst.jabbers, r.jabbers);
        let buckets = T::RMON_RANGES.len().saturating_sub(1).min(RMON_HIST_MAX);
        dst.hist[..buckets].copy_from_slice(&r.hist[..buckets]);
        dst.hist_tx[..buckets].copy_from_slice(&r.hist_tx[..buckets]);
        // SAFETY: `ranges` is valid for a write; the list is static and terminated.
        unsafe { *ranges = T::RMON_RANGES.as_ptr().cast() };
    }

    const OPS: bindings::ethtool_ops = bindings::ethtool_ops {
        get_drvinfo: if T::HAS_DRVINFO {
            Some(Self::get_drvinfo)
        } else {
            None
        },
        get_link: if T::HAS_GET_LINK {
            Some(Self::get_link)
        } else {
            Some(bindings::ethtool_op_get_link)
        },
        get_ts_info: if T::HAS_TS_INFO {
            Some(Self::get_ts_info)
        } else {
            None
        },
        get_link_ksettings: if T::HAS_GET_LINK_KSETTINGS {
            Some(Self::get_link_ksettings)
        } else {
            None
        },
        set_link_ksettings: if T::HAS_SET_LINK_KSETTINGS {
            Some(Self::set_link_ksettings)
        } else {
            None
        },
        nway_reset: if T::HAS_NWAY_RESET {
            Some(Self::nway_reset)
        } else {
            None
        },
        get_channels: if T::HAS_GET_CHANNELS {
            Some(Self::get_channels)
        } else {
            None
        },
        set_channels: if T::HAS_SET_CHANNELS {
            Some(Self::set_channels)
        } else {
            None
        },
        get_ringparam: if T::HAS_GET_RINGPARAM {
            Some(Self::get_ringparam)
        } else {
            None
        },
        set_ringparam: if T::HAS_SET_RINGPARAM {
            Some(Self::set_ringparam)
        } else {
            None
        },
        get_msglevel: if T::HAS_GET_MSGLEVEL {
            Some(Self::get_msglevel)
        } else {
            None
        },
        set_msglevel: if T::HAS_SET_MSGLEVEL {
            Some(Self::set_msglevel)
        } else {
            None
        },
        get_regs_len: if T::HAS_GET_REGS {
            Some(Self::get_regs_len)
        } else {
            None
        },
        get_regs: if T::HAS_GET_REGS {
            Some(Self::get_regs)
        } else {
            None
        },
        get_eeprom_len: if T::HAS_GET_EEPROM {
            Some(Self::get_eeprom_len)
        } else {
            None
        },
        get_eeprom: if T::HAS_GET_EEPROM {
            Some(Self::get_eeprom)
        } else {
            None
        },
        get_coalesce: if T::HAS_GET_COALESCE {
            Some(Self::get_coalesce)
        } else {
            None
        },
        set_coalesce: if T::HAS_SET_COALESCE {
            Some(Self::set_coalesce)
        } else {
            None
        },
        supported_coalesce_params: T::SUPPORTED_COALESCE,
        get_pauseparam: if T::HAS_GET_PAUSEPARAM {
            Some(Self::get_pauseparam)
        } else {
            None
        },
        set_pauseparam: if T::HAS_SET_PAUSEPARAM {
            Some(Self::set_pauseparam)
        } else {
            None
        },
        get_sset_count: if T::HAS_GET_ETHTOOL_STATS || T::HAS_SELF_TEST {
            Some(Self::get_sset_count)
        } else {
            None
        },
        get_strings: if T::HAS_GET_ETHTOOL_STATS || T::HAS_SELF_TEST {
            Some(Self::get_strings)
        } else {
            None
        },
        get_ethtool_stats: if T::HAS_GET_ETHTOOL_STATS {
            Some(Self::get_ethtool_stats)
        } else {
            None
        },
        self_test: if T::HAS_SELF_TEST {
            Some(Self::self_test)
        } else {
            None
        },
        set_eeprom: if T::HAS_SET_EEPROM {
            Some(Self::set_eeprom)
        } else {
            None
        },
        get_eth_mac_stats: if T::HAS_GET_ETH_MAC_STATS {
            Some(Self::get_eth_mac_stats)
        } else {
            None
        },
        get_eth_ctrl_stats: if T::HAS_GET_ETH_CTRL_STATS {
            Some(Self::get_eth_ctrl_stats)
        } else {
            None
        },
        get_pause_stats: if T::HAS_GET_PAUSE_STATS {
            Some(Self::get_pause_stats)
        } else {
            None
        },
        get_rmon_stats: if T::HAS_GET_RMON_STATS {
            Some(Self::get_rmon_stats)
        } else {
            None
        },
        // SAFETY: all-zero is a valid `ethtool_ops` (every other op NULL, no capabilities).
        ..unsafe { core::mem::zeroed() }
    };
}

struct StatOps<T: Operations>(PhantomData<T>);

fn store_rx(dst: &mut bindings::netdev_queue_stats_rx, s: &RxQueueStats) {
    let pairs = [
        (&mut dst.packets, s.packets),
        (&mut dst.bytes, s.bytes),
        (&mut dst.alloc_fail, s.alloc_fail),
        (&mut dst.hw_drops, s.hw_drops),
        (&mut dst.csum_unnecessary, s.csum_unnecessary),
        (&mut dst.csum_bad, s.csum_bad),
    ];
    for (d, v) in pairs {
        if let Some(v) = v {
            *d = v;
        }
    }
}

fn store_tx(dst: &mut bindings::netdev_queue_stats_tx, s: &TxQueueStats) {
    let pairs = [
        (&mut dst.packets, s.packets),
        (&mut dst.bytes, s.bytes),
        (&mut dst.hw_gso_packets, s.hw_gso_packets),
        (&mut dst.hw_gso_bytes, s.hw_gso_bytes),
        (&mut dst.hw_drops, s.hw_drops),
        (&mut dst.stop, s.stop),
        (&mut dst.wake, s.wake),
    ];
    for (d, v) in pairs {
        if let Some(v) = v {
            *d = v;
        }
    }
}

impl<T: Operations> StatOps<T> {
    extern "C" fn rx(
        dev: *mut bindings::net_device,
        idx: c_int,
        s: *mut bindings::netdev_queue_stats_rx,
    ) {
        // SAFETY: valid device; `s` is ours for the call (pre-filled with "not set").
        let ((d, p), s) = unsafe { (ctx::<T>(dev), &mut *s) };
        store_rx(s, &T::queue_stats_rx(d, p, idx as u32));
    }

    extern "C" fn tx(
        dev: *mut bindings::net_device,
        idx: c_int,
        s: *mut bindings::netdev_queue_stats_tx,
    ) {
        // SAFETY: valid device; `s` is ours for the call.
        let ((d, p), s) = unsafe { (ctx::<T>(dev), &mut *s) };
        store_tx(s, &T::queue_stats_tx(d, p, idx as u32));
    }

    extern "C" fn base(
        dev: *mut bindings::net_device,
        rx: *mut bindings::netdev_queue_stats_rx,
        tx: *mut bindings::netdev_queue_stats_tx,
    ) {
        // SAFETY: valid device; `rx` and `tx` are ours for the call.
        let ((d, p), rx, tx) = unsafe { (ctx::<T>(dev), &mut *rx, &mut *tx) };
        let (r, t) = T::base_stats(d, p);
        store_rx(rx, &r);
        store_tx(tx, &t);
    }

    /// Present only when the driver implements all three (see `dev::Adapter::TLS_OPS`).
    const OPS: Option<bindings::netdev_stat_ops> =
        if T::HAS_QUEUE_STATS_RX && T::HAS_QUEUE_STATS_TX && T::HAS_BASE_STATS {
            Some(bindings::netdev_stat_ops {
                get_queue_stats_rx: Some(Self::rx),
                get_queue_stats_tx: Some(Self::tx),
                get_base_stats: Some(Self::base),
            })
        } else {
            None
        };
}

/// The `netdev_stat_ops` of driver `T`, if it reports queue statistics.
pub(crate) fn stat_ops<T: Operations>() -> Option<&'static bindings::netdev_stat_ops> {
    match &StatOps::<T>::OPS {
        Some(ops) => Some(ops),
        None => None,
    }
}

/// The `ethtool_ops` table of driver `T`.
pub(crate) const fn ops<T: Operations>() -> &'static bindings::ethtool_ops {
    &Adapter::<T>::OPS
}

fn copy_cstr(dst: &mut [c_char], src: &CStr) {
    let bytes = src.to_bytes();
    let n = bytes.len().min(dst.len().saturating_sub(1));
    for (d, s) in dst.iter_mut().zip(&bytes[..n]) {
        *d = *s as c_char;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}
