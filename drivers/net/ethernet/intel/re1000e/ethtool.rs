// SPDX-License-Identifier: GPL-2.0

//! `ethtool_ops`: driver information, link settings, ring sizes, message level, register
//! and NVM dumps.

use kernel::{
    io::Io,
    net::{
        dev::{
            Device,
            Rtnl, //
        },
        ethtool::{
            self,
            coalesce_params,
            Channels,
            Coalesce,
            DrvInfo,
            Duplex,
            EthCtrlStats,
            EthMacStats,
            LinkModes,
            LinkSettings,
            Pause,
            PauseStats,
            Rings,
            RmonRange,
            RmonStats,
            RxQueueStats,
            TxQueueStats, //
        },
        ptp::{
            sof,
            TsInfo, //
        },
    },
    prelude::*,
    sync::atomic::Relaxed, //
};

use crate::{
    hw::{
        self,
        LinkConfig, //
    },
    netdev::{
        Net,
        NetPriv,
        Restored,
        PAUSE_RX,
        PAUSE_TX,
        SW_STATS, //
    },
    nvm,
    nvm_image,
    regs::{
        self,
        Bar0, //
    },
    ring,
    stats::HwStats,
    tsync, //
};

/// The channels of an interface: with MSI-X a receive, a transmit and an other (link)
/// vector, else one vector for everything.
fn channels(msix: bool) -> Channels {
    if msix {
        Channels {
            max_rx: 1,
            max_tx: 1,
            max_other: 1,
            rx: 1,
            tx: 1,
            other: 1,
            ..Default::default()
        }
    } else {
        Channels {
            max_combined: 1,
            combined: 1,
            ..Default::default()
        }
    }
}

/// Self-test results, in [`ethtool::Operations::TESTS`] order.
const TEST_REG: usize = 0;
const TEST_EEPROM: usize = 1;
const TEST_IRQ: usize = 2;
const TEST_LINK: usize = 3;
const TEST_ENGINES: usize = 4;
const TEST_LOOPBACK: usize = 5;

/// `ethtool -S` names of the TLS offload counters.
#[cfg(CONFIG_RE1000E_TLS)]
const TLS_STATS: &[&CStr] = &crate::netdev::TLS_STATS;
#[cfg(not(CONFIG_RE1000E_TLS))]
const TLS_STATS: &[&CStr] = &[];

/// Number of `ethtool -S` counters.
const N_STATS: usize = HwStats::NAMES.len() + SW_STATS.len() + TLS_STATS.len();

/// `ethtool -S` names: the hardware counters, then the driver's own, then TLS offload's.
const ALL_STATS: [&CStr; N_STATS] = {
    let mut all = [c""; N_STATS];
    let mut i = 0;
    while i < HwStats::NAMES.len() {
        all[i] = HwStats::NAMES[i];
        i += 1;
    }
    let mut j = 0;
    while j < SW_STATS.len() {
        all[i + j] = SW_STATS[j];
        j += 1;
    }
    let mut k = 0;
    while k < TLS_STATS.len() {
        all[i + j + k] = TLS_STATS[k];
        k += 1;
    }
    all
};

/// RMON histogram buckets of the PRC/PTC counters.
const RMON: [RmonRange; 7] = [
    RmonRange::new(0, 64),
    RmonRange::new(65, 127),
    RmonRange::new(128, 255),
    RmonRange::new(256, 511),
    RmonRange::new(512, 1023),
    RmonRange::new(1024, 1522),
    RmonRange::END,
];

/// What the copper PHY of the 82574 can do.
const SUPPORTED: LinkModes = LinkModes::T10_HALF
    .or(LinkModes::T10_FULL)
    .or(LinkModes::T100_HALF)
    .or(LinkModes::T100_FULL)
    .or(LinkModes::T1000_FULL)
    .or(LinkModes::AUTONEG)
    .or(LinkModes::TP)
    .or(LinkModes::PAUSE)
    .or(LinkModes::ASYM_PAUSE);

/// Registers in the `ethtool -d` dump, in order (version 1 of the layout).
const DUMP: [fn(&Bar0<'_>) -> u32; 12] = [
    |b| b.read(regs::CTRL).into(),
    |b| b.read(regs::STATUS).into(),
    |b| b.read(regs::RCTL).into(),
    |b| b.read(regs::RDLEN).into(),
    |b| b.read(regs::RDH).into(),
    |b| b.read(regs::RDT).into(),
    |b| b.read(regs::RDTR).into(),
    |b| b.read(regs::TCTL).into(),
    |b| b.read(regs::TDLEN).into(),
    |b| b.read(regs::TDH).into(),
    |b| b.read(regs::TDT).into(),
    |b| b.read(regs::TIDV).into(),
];

#[vtable]
impl ethtool::Operations for Net {
    fn ts_info<'a>(dev: &'a Device, _this: Pin<&'a NetPriv<'a>>) -> TsInfo {
        if dev.ptp_clock().is_none() {
            // Hardware timestamps need the clock (its registration failed).
            return TsInfo {
                so_timestamping: sof::TX_SOFTWARE,
                ..Default::default()
            };
        }
        TsInfo {
            so_timestamping: sof::TX_SOFTWARE
                | sof::TX_HARDWARE
                | sof::RX_HARDWARE
                | sof::RAW_HARDWARE,
            tx_types: tsync::TX_TYPES,
            rx_filters: tsync::RX_FILTERS,
        }
    }

    fn drvinfo<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, f: &mut dyn FnMut(DrvInfo<'_>)) {
        f(DrvInfo {
            driver: c"re1000e",
            bus_info: this.pdev.as_ref().name(),
            fw_version: c"",
        });
    }

    fn get_link_ksettings<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
    ) -> Result<LinkSettings> {
        let link = hw::link(&this.bar);
        let cfg = this.link_config(rtnl);
        Ok(LinkSettings {
            speed: link.map(|(s, _)| s),
            duplex: match link {
                Some((_, true)) => Duplex::Full,
                Some((_, false)) => Duplex::Half,
                None => Duplex::Unknown,
            },
            autoneg: matches!(cfg, LinkConfig::Autoneg { .. }),
            phy_address: 1,
            supported: SUPPORTED,
            advertising: advertised(cfg),
            lp_advertising: match (cfg, link) {
                (LinkConfig::Autoneg { .. }, Some(_)) => partner(&this.bar)?,
                _ => LinkModes::default(),
            },
        })
    }

    fn set_link_ksettings<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        s: &LinkSettings,
    ) -> Result {
        let cfg = link_config(s).inspect_err(|_| {
            dev_info!(
                this.pdev.as_ref(),
                "{}: unsupported link settings: speed {:?} duplex {:?} autoneg {}\n",
                dev.name(),
                s.speed,
                s.duplex,
                s.autoneg
            );
        })?;
        if cfg == this.link_config(rtnl) {
            return Ok(());
        }
        this.set_link_config(dev, rtnl, cfg)
    }

    fn nway_reset<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, rtnl: &Rtnl) -> Result {
        if !dev.is_running() {
            return Err(EAGAIN);
        }
        if !matches!(this.link_config(rtnl), LinkConfig::Autoneg { .. }) {
            return Err(EINVAL);
        }
        hw::restart_autoneg(&this.bar)
    }

    fn get_channels<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _rtnl: &Rtnl) -> Channels {
        channels(this.msix)
    }

    /// The 82574 has one receive and one transmit queue, on their own MSI-X vectors with a
    /// third for link and errors, or all on one vector: only that layout is accepted.
    fn set_channels<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        c: &Channels,
    ) -> Result {
        let cur = channels(this.msix);
        if (c.rx, c.tx, c.other, c.combined) == (cur.rx, cur.tx, cur.other, cur.combined) {
            Ok(())
        } else {
            Err(EINVAL)
        }
    }

    fn get_ringparam<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, rtnl: &Rtnl) -> Rings {
        let (tx, rx) = this.rings(rtnl);
        Rings {
            rx_max: ring::MAX_DESC,
            tx_max: ring::MAX_DESC,
            rx,
            tx,
        }
    }

    fn set_ringparam<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        r: &Rings,
    ) -> Result {
        let ok = |n: u32| (ring::MIN_DESC..=ring::MAX_DESC).contains(&n) && n % 8 == 0;
        if !ok(r.rx) || !ok(r.tx) {
            return Err(EINVAL);
        }
        let old = this.ring_sizes.replace(rtnl, r.tx | (r.rx << 16));
        if !dev.is_running() {
            return Ok(());
        }
        // Come back with the old sizes rather than stay down.
        this.restart_or_undo(dev, rtnl, dev.features(), || {
            this.ring_sizes.set(rtnl, old);
            let (tx, rx) = this.rings(rtnl);
            (dev.features(), Restored::Rings { rx, tx })
        })
    }

    fn get_msglevel<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> u32 {
        this.msg_enable.load(Relaxed)
    }

    fn set_msglevel<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, level: u32) {
        this.msg_enable.store(level, Relaxed);
    }

    const REGS_WORDS: usize = DUMP.len();

    fn get_regs<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, out: &mut [u32]) -> u32 {
        for (o, read) in out.iter_mut().zip(DUMP.iter()) {
            *o = read(&this.bar);
        }
        1
    }

    const EEPROM_LEN: u32 = 2 * crate::nvm_image::CHECKSUM_WORDS as u32;

    fn get_eeprom<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        offset: u32,
        out: &mut [u8],
    ) -> Result {
        for (i, b) in out.iter_mut().enumerate() {
            let byte = offset as usize + i;
            let word = nvm::read_word(&this.bar, byte / 2)?;
            *b = word.to_le_bytes()[byte % 2];
        }
        Ok(())
    }
    const SUPPORTED_COALESCE: u32 =
        coalesce_params::RX_USECS | coalesce_params::TX_USECS | coalesce_params::USE_ADAPTIVE_RX;

    fn get_coalesce<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _rtnl: &Rtnl) -> Coalesce {
        Coalesce {
            rx_usecs: this.rx_usecs.load(Relaxed),
            tx_usecs: this.tx_usecs.load(Relaxed),
            adaptive_rx: this.adaptive.load(Relaxed),
            ..Coalesce::default()
        }
    }

    fn set_coalesce<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        c: &Coalesce,
    ) -> Result {
        if c.rx_usecs > hw::MAX_RX_USECS || c.tx_usecs > hw::MAX_TX_USECS {
            return Err(EINVAL);
        }
        this.rx_usecs.store(c.rx_usecs, Relaxed);
        this.tx_usecs.store(c.tx_usecs, Relaxed);
        this.adaptive.store(c.adaptive_rx, Relaxed);
        this.apply_settings();
        Ok(())
    }

    fn get_pauseparam<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _rtnl: &Rtnl) -> Pause {
        let p = this.pause.load(Relaxed);
        Pause {
            autoneg: false,
            rx: p & PAUSE_RX != 0,
            tx: p & PAUSE_TX != 0,
        }
    }

    fn set_pauseparam<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        p: &Pause,
    ) -> Result {
        // Pause is forced, not negotiated (the PHY advertisement is not managed yet).
        if p.autoneg {
            return Err(EOPNOTSUPP);
        }
        let v = if p.rx { PAUSE_RX } else { 0 } | if p.tx { PAUSE_TX } else { 0 };
        this.pause.store(v, Relaxed);
        this.apply_settings();
        Ok(())
    }

    const STATS: &'static [&'static CStr] = &ALL_STATS;

    fn get_ethtool_stats<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, out: &mut [u64]) {
        let hw = this.hw_stats(dev);
        let sw = this.sw_stats();
        let tls = this.tls_stats();
        for (o, v) in out
            .iter_mut()
            .zip(Iterator::chain(Iterator::chain(hw.values(), sw), tls))
        {
            *o = v;
        }
    }

    const TESTS: &'static [&'static CStr] = &[
        c"Register test  (offline)",
        c"Eeprom test    (online)",
        c"Interrupt test (offline)",
        c"Link test      (online)",
        c"Offload engine test (online)",
        c"Loopback test  (offline)",
    ];

    fn self_test<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        offline: bool,
        results: &mut [u64],
    ) -> bool {
        results.fill(0);
        let words = nvm::read_image(&this.bar);
        if !matches!(words, Ok(w) if nvm_image::validate_checksum(&w).is_ok()) {
            results[TEST_EEPROM] = 1;
        }
        if offline {
            let running = dev.is_running();
            if running {
                this.down(dev, rtnl);
            }
            if let Err(off) = hw::register_test(&this.bar) {
                dev_err!(
                    this.pdev.as_ref(),
                    "self-test: register {:#07x} does not keep its value\n",
                    off
                );
                results[TEST_REG] = 1;
            }
            if !this.interrupt_test() {
                results[TEST_IRQ] = 1;
            }
            if !this.loopback_test(dev) {
                results[TEST_LOOPBACK] = 1;
            }
            if running && this.up(dev, rtnl).is_err() {
                results[TEST_LINK] = 1;
            }
        }
        if hw::link(&this.bar).is_none() {
            results[TEST_LINK] = 1;
        }
        // After an offline test the reset reprogrammed the engines; otherwise they must
        // still hold what the features say. A fault found here withdraws the offloads.
        if dev.is_running() && (this.check_engines(dev, rtnl) != 0 || this.has_faults(rtnl)) {
            results[TEST_ENGINES] = 1;
        }
        results.iter().any(|r| *r != 0)
    }

    const EEPROM_MAGIC: u32 = 0x8086 | (0x10d3 << 16);

    fn set_eeprom<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        offset: u32,
        data: &[u8],
    ) -> Result {
        nvm::write_bytes(&this.bar, offset as usize, data)
    }

    fn get_eth_mac_stats<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> EthMacStats {
        let s = this.hw_stats(dev);
        EthMacStats {
            frames_transmitted_ok: Some(s.gptc),
            single_collision_frames: Some(s.scc),
            multiple_collision_frames: Some(s.mcc),
            frames_received_ok: Some(s.gprc),
            frame_check_sequence_errors: Some(s.crcerrs),
            alignment_errors: Some(s.algnerrc),
            octets_transmitted_ok: Some(s.tx_bytes()),
            frames_with_deferred_xmissions: Some(s.dc),
            late_collisions: Some(s.latecol),
            frames_aborted_due_to_xs_colls: Some(s.ecol),
            octets_received_ok: Some(s.rx_bytes()),
            multicast_frames_xmitted_ok: Some(s.mptc),
            broadcast_frames_xmitted_ok: Some(s.bptc),
            multicast_frames_received_ok: Some(s.mprc),
            broadcast_frames_received_ok: Some(s.bprc),
            frame_too_long_errors: Some(s.roc),
            ..EthMacStats::default()
        }
    }

    fn get_eth_ctrl_stats<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> EthCtrlStats {
        let s = this.hw_stats(dev);
        EthCtrlStats {
            unsupported_opcodes_received: Some(s.fcruc),
            ..EthCtrlStats::default()
        }
    }

    fn get_pause_stats<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> PauseStats {
        let s = this.hw_stats(dev);
        PauseStats {
            tx_pause_frames: Some(s.xofftxc),
            rx_pause_frames: Some(s.xoffrxc),
        }
    }

    const RMON_RANGES: &'static [RmonRange] = &RMON;

    fn get_rmon_stats<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> RmonStats {
        let s = this.hw_stats(dev);
        let mut r = RmonStats {
            undersize_pkts: Some(s.ruc),
            oversize_pkts: Some(s.roc),
            fragments: Some(s.rfc),
            jabbers: Some(s.rjc),
            ..RmonStats::default()
        };
        let rx = [s.prc64, s.prc127, s.prc255, s.prc511, s.prc1023, s.prc1522];
        let tx = [s.ptc64, s.ptc127, s.ptc255, s.ptc511, s.ptc1023, s.ptc1522];
        r.hist[..6].copy_from_slice(&rx);
        r.hist_tx[..6].copy_from_slice(&tx);
        r
    }

    fn queue_stats_rx<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _idx: u32) -> RxQueueStats {
        this.rx_queue_stats()
    }

    fn queue_stats_tx<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _idx: u32) -> TxQueueStats {
        this.tx_queue_stats()
    }

    fn base_stats<'a>(
        _dev: &'a Device,
        _this: Pin<&'a NetPriv<'a>>,
    ) -> (RxQueueStats, TxQueueStats) {
        // One queue pair that is never torn down outside `stop`, and the counters live across
        // it: nothing is counted outside the queues. Every field the queues report is here,
        // or the device-wide sum (what `tso.py` reads) leaves it out.
        let zero = Some(0);
        (
            RxQueueStats {
                packets: zero,
                bytes: zero,
                alloc_fail: zero,
                hw_drops: zero,
                csum_unnecessary: zero,
                csum_bad: None,
            },
            TxQueueStats {
                packets: zero,
                bytes: zero,
                hw_gso_packets: zero,
                hw_gso_bytes: zero,
                hw_drops: zero,
                stop: zero,
                wake: zero,
            },
        )
    }
}

/// Link modes that carry a speed (what auto-negotiation can advertise).
const SPEED_MODES: [LinkModes; 5] = [
    LinkModes::T10_HALF,
    LinkModes::T10_FULL,
    LinkModes::T100_HALF,
    LinkModes::T100_FULL,
    LinkModes::T1000_FULL,
];

/// What `cfg` advertises, as ethtool link modes. A forced link shows what
/// auto-negotiation would advertise when turned back on.
fn advertised(cfg: LinkConfig) -> LinkModes {
    let LinkConfig::Autoneg { t10, t100, t1000 } = (match cfg {
        LinkConfig::Forced { .. } => LinkConfig::DEFAULT,
        a => a,
    }) else {
        return LinkModes::default();
    };
    let mut m = LinkModes::AUTONEG
        .or(LinkModes::TP)
        .or(LinkModes::PAUSE)
        .or(LinkModes::ASYM_PAUSE);
    for (on, mode) in [
        (t10.0, LinkModes::T10_HALF),
        (t10.1, LinkModes::T10_FULL),
        (t100.0, LinkModes::T100_HALF),
        (t100.1, LinkModes::T100_FULL),
        (t1000, LinkModes::T1000_FULL),
    ] {
        if on {
            m = m.or(mode);
        }
    }
    m
}

/// Validates ethtool link settings into a [`LinkConfig`]: auto-negotiation of a non-empty
/// subset of the supported modes, or a forced 10/100 Mb/s link (1000BASE-T requires
/// auto-negotiation, IEEE 802.3 clause 40).
fn link_config(s: &LinkSettings) -> Result<LinkConfig> {
    if s.autoneg {
        if !SUPPORTED.contains(s.advertising) {
            return Err(EINVAL);
        }
        let has = |m: LinkModes| s.advertising.contains(m);
        if !SPEED_MODES.iter().any(|m| has(*m)) {
            return Err(EINVAL);
        }
        return Ok(LinkConfig::Autoneg {
            t10: (has(LinkModes::T10_HALF), has(LinkModes::T10_FULL)),
            t100: (has(LinkModes::T100_HALF), has(LinkModes::T100_FULL)),
            t1000: has(LinkModes::T1000_FULL),
        });
    }
    let full = match s.duplex {
        Duplex::Full => true,
        Duplex::Half => false,
        Duplex::Unknown => return Err(EINVAL),
    };
    match s.speed {
        Some(speed @ (10 | 100)) => Ok(LinkConfig::Forced { speed, full }),
        _ => Err(EINVAL),
    }
}

/// What the link partner advertised in the last auto-negotiation (PHY ANLPAR, STAT1000).
fn partner(bar: &crate::regs::Bar0<'_>) -> Result<LinkModes> {
    use hw::phy;
    let lpa = hw::phy_read(bar, phy::ANLPAR)?;
    let stat = hw::phy_read(bar, phy::STAT1000)?;
    let mut m = LinkModes::default();
    for (bit, mode) in [
        (phy::ANAR_10HALF, LinkModes::T10_HALF),
        (phy::ANAR_10FULL, LinkModes::T10_FULL),
        (phy::ANAR_100HALF, LinkModes::T100_HALF),
        (phy::ANAR_100FULL, LinkModes::T100_FULL),
        (phy::ANAR_PAUSE, LinkModes::PAUSE),
        (phy::ANAR_ASYM, LinkModes::ASYM_PAUSE),
    ] {
        if lpa & bit != 0 {
            m = m.or(mode);
        }
    }
    if stat & phy::STAT1000_LP_FULL != 0 {
        m = m.or(LinkModes::T1000_FULL);
    }
    Ok(m)
}
