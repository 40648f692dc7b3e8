// SPDX-License-Identifier: GPL-2.0

//! The network interface: `net_device_ops`, NAPI polling and the interrupt handler.
//!
//! One queue pair. With MSI-X the receive and transmit queues and the other causes have
//! a vector each (the queue causes are masked by the hardware when their vector fires);
//! with MSI or INTx one handler reads ICR and masks the data-path causes. Either way NAPI
//! cleans transmit completions, receives up to the budget and refills the receive ring;
//! the NAPI abstraction re-enables the causes (in [`Net::napi_complete`], after adaptive
//! moderation picked the next interrupt rate) only when NAPI really completed. Link
//! changes and transmit-hang recovery run in `ndo_work`, under RTNL.

use kernel::{
    device::Bound,
    io::{
        register::Array,
        Io, //
    },
    irq::IrqReturn,
    net::{
        bh_lock::{
            new_spinlock_bh,
            SpinLockBh, //
        },
        dev::{
            self as netdev,
            Device,
            IrqInfo,
            Rtnl,
            Stats64,
            TxResult, //
        },
        ethtool,
        features::Features,
        napi::{
            Budget,
            Napi,
            NapiPoll, //
        },
        ptp::{
            HwTstampConfig,
            SysTimestamps, //
        },
        skb::{
            Checksum,
            DropReason,
            SkBuff, //
        },
    },
    pci,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    time::{
        delay::fsleep,
        Delta, //
    }, //
};

use crate::{
    clock::Tsync,
    csum,
    desc,
    driver::Bar0,
    fifo,
    filter,
    hw::{
        self,
        LinkConfig, //
    },
    itr,
    mac,
    offload::{
        self,
        Conditions, //
    },
    regs,
    ring::{
        self,
        RxRing,
        TxRing, //
    }, //
    stats::HwStats,
};

/// `ndo_work` events.
pub(crate) const EVENT_LINK: usize = 1 << 0;
/// A transmit queue hung: reset the data path.
pub(crate) const EVENT_RESET: usize = 1 << 1;
/// The offload conditions changed: recompute the features.
pub(crate) const EVENT_FEATURES: usize = 1 << 2;
/// The data path saw an offload engine misbehave: check the engines.
pub(crate) const EVENT_HEALTH: usize = 1 << 3;
/// The periodic watchdog, while the interface is up: find a device that left the bus when
/// nothing else would (no interrupt, no stopped queue), and harvest the hardware counters
/// long before a 32-bit register can fill up (2^32 minimum frames take 48 minutes at line
/// rate).
const EVENT_WATCHDOG: usize = 1 << 4;
/// Watchdog period, as e1000e's.
const WATCHDOG_MS: u32 = 2000;

/// Consecutive IPv4 frames without an IPv4 checksum verdict, while receive checksum offload
/// is on, after which the engine is checked.
const RX_CSUM_MISSES: u32 = 8;

/// Default interrupt moderation, as the C driver's ~20000 interrupts/s and 8 us TIDV; the
/// receive side adapts to the traffic unless `ethtool -C adaptive-rx off`.
pub(crate) const DEFAULT_RX_USECS: u32 = 50;
pub(crate) const DEFAULT_TX_USECS: u32 = 8;
/// Flow control bits of [`NetPriv::pause`].
pub(crate) const PAUSE_RX: u32 = 1;
pub(crate) const PAUSE_TX: u32 = 2;

/// Descriptors one packet can need at most: context, head, every fragment.
const TX_MAX_PER_PACKET: u32 = 2 + 17;
/// Wake a stopped queue once this many descriptors are free.
const TX_WAKE_THRESHOLD: u32 = 2 * TX_MAX_PER_PACKET;

/// Names of [`NetPriv::sw_stats`].
pub(crate) const SW_STATS: [&CStr; 13] = [
    c"tx_tso_packets",
    c"tx_tso_bytes",
    c"rx_alloc_fail",
    c"rx_csum_offloaded",
    c"tx_queue_stops",
    c"tx_queue_wakes",
    c"offload_engine_faults",
    c"tx_csum_offloaded",
    c"tx_hwtstamps",
    c"tx_hwtstamp_timeouts",
    c"tx_hwtstamp_skipped",
    c"rx_hwtstamps",
    c"rx_hwtstamp_cleared",
];

/// Largest MTU without long frames (RCTL.LPE).
const ETH_DATA_LEN: u32 = 1500;
/// Largest MTU: the 82574's 9234-byte frames less the Ethernet header, a VLAN tag and the
/// FCS, as the C driver.
pub(crate) const MAX_MTU: u32 = 9216;

/// Frames the loopback self-test sends, and their length.
const LOOPBACK_FRAMES: u32 = 32;
const LOOPBACK_LEN: u32 = 1024;
/// EtherType of the loopback self-test's frames (IEEE 802 local experimental).
const ETH_P_LOOPBACK_TEST: u16 = 0x88b5;

/// Test frame `n` of the loopback self-test: to and from `addr`, a payload that differs
/// in every byte from frame to frame.
fn loopback_frame(addr: &[u8; 6], n: u32) -> [u8; LOOPBACK_LEN as usize] {
    let mut f = [0u8; LOOPBACK_LEN as usize];
    f[..6].copy_from_slice(addr);
    f[6..12].copy_from_slice(addr);
    f[12..14].copy_from_slice(&ETH_P_LOOPBACK_TEST.to_be_bytes());
    for (i, b) in f.iter_mut().enumerate().skip(14) {
        // CAST: deliberately keeps the low byte.
        *b = (i as u32).wrapping_mul(7).wrapping_add(n) as u8;
    }
    f
}

/// EtherTypes of the packets whose checksums the hardware can offload.
const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;

/// What a packet asks of the transmit offloads: context descriptor, data descriptor
/// options, wire segments and wire bytes (for BQL and statistics).
struct TxPlan {
    context: Option<desc::Words>,
    opts: desc::DataOpts,
    segs: u32,
    wire_bytes: u32,
}

/// Interface counters, updated locklessly by the data path.
struct Counters {
    rx_packets: Atomic<u64>,
    rx_bytes: Atomic<u64>,
    rx_errors: Atomic<u64>,
    rx_dropped: Atomic<u64>,
    tx_packets: Atomic<u64>,
    tx_bytes: Atomic<u64>,
    tx_dropped: Atomic<u64>,
    rx_alloc_fail: Atomic<u64>,
    rx_csum_ok: Atomic<u64>,
    tx_stop: Atomic<u64>,
    tx_wake: Atomic<u64>,
    tx_tso_packets: Atomic<u64>,
    /// Packets whose TCP/UDP checksum the hardware inserted.
    tx_csum: Atomic<u64>,
    tx_tso_bytes: Atomic<u64>,
}

/// The re1000e network driver type (`net_device_ops` and `ethtool_ops`).
pub(crate) struct Net;

/// Driver-private data of an re1000e interface, pinned in its `net_device`.
#[pin_data(PinnedDrop)]
pub(crate) struct NetPriv<'a> {
    pub(crate) pdev: &'a pci::Device<Bound>,
    pub(crate) bar: Bar0<'a>,
    pub(crate) perm_addr: [u8; 6],
    pub(crate) irq: IrqInfo,
    /// Interrupts are MSI-X with a vector for each role ([`hw::VEC_RX`] and the others).
    pub(crate) msix: bool,
    #[pin]
    napi: Napi,
    #[pin]
    tx: SpinLockBh<Option<TxRing<'a>>>,
    #[pin]
    rx: SpinLockBh<Option<RxRing>>,
    stats: Counters,
    /// A link change the interrupt handler saw, for NAPI to pass on to `ndo_work`.
    link_event: Atomic<bool>,
    /// Hardware counters, harvested on read, by the watchdog and before each reset.
    #[pin]
    pub(crate) hw_stats: SpinLockBh<HwStats>,
    /// Interrupts handled (the interrupt self-test watches it).
    pub(crate) irq_count: Atomic<u64>,
    /// Interrupt moderation: receive (ITR) and transmit (TIDV) delays in microseconds.
    pub(crate) rx_usecs: Atomic<u32>,
    pub(crate) tx_usecs: Atomic<u32>,
    /// Adaptive receive moderation on.
    pub(crate) adaptive: Atomic<bool>,
    /// Adaptive moderation state ([`itr::State::pack`]); NAPI context only.
    itr_state: Atomic<u32>,
    /// Packets and bytes received and sent since the last moderation decision; NAPI
    /// context only.
    itr_rx: [Atomic<u32>; 2],
    itr_tx: [Atomic<u32>; 2],
    /// The MTU the rings are sized for (the next `up` uses it).
    mtu: Atomic<u32>,
    /// VLAN IDs registered by upper devices, as the VLAN filter table; changed under RTNL.
    vfta: [Atomic<u32>; filter::VFTA_REGS],
    /// Flow control: `PAUSE_RX | PAUSE_TX` bits.
    pub(crate) pause: Atomic<u32>,
    pub(crate) msg_enable: Atomic<u32>,
    /// Ring sizes used by the next `open`: TX in the low, RX in the high 16 bits.
    pub(crate) ring_sizes: Atomic<u32>,
    /// Offload conditions ([`Conditions`] bits) in force; changed under RTNL only.
    conditions: Atomic<u32>,
    /// The conditions `hw_features`/`features` were last computed for; under RTNL.
    applied: Atomic<u32>,
    /// Link configuration ([`LinkConfig::pack`]); changed under RTNL.
    link_cfg: Atomic<u32>,
    /// Speed and duplex last reported (`speed << 1 | full`), 0 while down.
    link_seen: Atomic<u32>,
    /// Data-path evidence of a receive checksum engine fault: consecutive misses.
    rx_csum_misses: Atomic<u32>,
    /// Offload engine faults found (a counter for `ethtool -S`).
    engine_faults: Atomic<u64>,
    /// The IEEE 1588 clock and packet timestamps.
    #[pin]
    pub(crate) tsync: Tsync,
    /// The device was found gone from the bus ([`NetPriv::is_lost`]); never cleared.
    lost: Atomic<bool>,
}

impl<'a> NetPriv<'a> {
    /// Initialiser for the private data of `dev`, taking over the mapped, reset device.
    pub(crate) fn new(
        dev: &'a Device,
        pdev: &'a pci::Device<Bound>,
        bar: Bar0<'a>,
        perm_addr: [u8; 6],
        irq: IrqInfo,
    ) -> impl PinInit<Self, Error> + 'a {
        try_pin_init!(Self {
            pdev,
            bar,
            perm_addr,
            irq,
            msix: matches!(irq.kind, pci::IrqType::MsiX) && irq.count > hw::VEC_OTHER,
            napi <- Napi::new::<Net>(dev, 0),
            tx <- new_spinlock_bh!(None, "re1000e_tx"),
            rx <- new_spinlock_bh!(None, "re1000e_rx"),
            stats: Counters {
                rx_packets: Atomic::new(0),
                rx_bytes: Atomic::new(0),
                rx_errors: Atomic::new(0),
                rx_dropped: Atomic::new(0),
                tx_packets: Atomic::new(0),
                tx_bytes: Atomic::new(0),
                tx_dropped: Atomic::new(0),
                rx_alloc_fail: Atomic::new(0),
                rx_csum_ok: Atomic::new(0),
                tx_stop: Atomic::new(0),
                tx_wake: Atomic::new(0),
                tx_tso_packets: Atomic::new(0),
                tx_csum: Atomic::new(0),
                tx_tso_bytes: Atomic::new(0),
            },
            hw_stats <- new_spinlock_bh!(HwStats::default(), "re1000e_hw_stats"),
            irq_count: Atomic::new(0),
            rx_usecs: Atomic::new(DEFAULT_RX_USECS),
            tx_usecs: Atomic::new(DEFAULT_TX_USECS),
            adaptive: Atomic::new(true),
            itr_state: Atomic::new(itr::State::INITIAL.pack()),
            itr_rx: [const { Atomic::new(0) }; 2],
            itr_tx: [const { Atomic::new(0) }; 2],
            mtu: Atomic::new(dev.mtu()),
            vfta: [const { Atomic::new(0) }; filter::VFTA_REGS],
            pause: Atomic::new(PAUSE_RX | PAUSE_TX),
            link_event: Atomic::new(false),
            msg_enable: Atomic::new(0),
            ring_sizes: Atomic::new(ring::DEFAULT_DESC | (ring::DEFAULT_DESC << 16)),
            conditions: Atomic::new(0),
            applied: Atomic::new(0),
            link_cfg: Atomic::new(LinkConfig::DEFAULT.pack()),
            link_seen: Atomic::new(0),
            rx_csum_misses: Atomic::new(0),
            engine_faults: Atomic::new(0),
            tsync <- Tsync::new(),
            lost: Atomic::new(false),
        }? Error)
        // The reset of the probe stopped SYSTIM: start it before the device is registered.
        .pin_chain(|this| {
            this.tsync.restart(&this.bar);
            Ok(())
        })
    }

    /// Programs interrupt moderation and flow control from the current settings.
    pub(crate) fn apply_settings(&self) {
        self.itr_state.store(itr::State::INITIAL.pack(), Relaxed);
        hw::set_throttle(&self.bar, self.throttle(), self.msix);
        hw::set_tx_delay(&self.bar, self.tx_usecs.load(Relaxed));
        let p = self.pause.load(Relaxed);
        hw::set_flow_control(
            &self.bar,
            p & PAUSE_RX != 0,
            p & PAUSE_TX != 0,
            &self.fifo(),
        );
    }

    /// The receive interrupt throttling interval in force: the adaptive class's rate, or
    /// the static `rx-usecs`.
    fn throttle(&self) -> u16 {
        if self.adaptive.load(Relaxed) {
            hw::itr_interval(
                itr::State::unpack(self.itr_state.load(Relaxed))
                    .class
                    .rate(),
            )
        } else {
            hw::usecs_interval(self.rx_usecs.load(Relaxed))
        }
    }

    /// Adaptive moderation: classifies the traffic since the last decision and reprograms
    /// the throttling interval if the class changed. Runs as NAPI completes.
    fn moderate(&self) {
        let take = |a: &[Atomic<u32>; 2]| (a[0].xchg(0, Relaxed), a[1].xchg(0, Relaxed));
        let (rx, tx) = (take(&self.itr_rx), take(&self.itr_tx));
        if !self.adaptive.load(Relaxed) {
            return;
        }
        let before = itr::State::unpack(self.itr_state.load(Relaxed));
        let after = before.next(rx, tx);
        self.itr_state.store(after.pack(), Relaxed);
        if after.class != before.class {
            hw::set_queue_throttle(&self.bar, self.throttle(), self.msix);
        }
    }

    /// Counts traffic (`which` is `itr_rx` or `itr_tx`) for adaptive moderation.
    fn account(which: &[Atomic<u32>; 2], packets: u32, bytes: u32) {
        which[0].add(packets, Relaxed);
        which[1].add(bytes, Relaxed);
    }

    /// The VLAN filter table of the registered IDs.
    fn vlan_table(&self) -> [u32; filter::VFTA_REGS] {
        let mut t = [0u32; filter::VFTA_REGS];
        for (w, a) in t.iter_mut().zip(self.vfta.iter()) {
            *w = a.load(Relaxed);
        }
        t
    }

    /// Registers (`on`) or unregisters VLAN ID `vid` in the filter table, and in the
    /// hardware while the interface is up.
    pub(crate) fn set_vlan_id(&self, dev: &Device, vid: u16, on: bool, _rtnl: &Rtnl) {
        let (reg, bit) = filter::vfta_slot(vid);
        let Some(a) = self.vfta.get(reg) else { return };
        let w = a.load(Relaxed);
        let w = if on { w | (1 << bit) } else { w & !(1 << bit) };
        a.store(w, Relaxed);
        if dev.is_running() {
            if let Some(loc) = regs::VFTA::try_at(reg) {
                self.bar.write(loc, regs::VFTA::zeroed().with_bits(w));
            }
        }
    }

    /// Whether the hardware should filter VLAN IDs: filtering on, but not in promiscuous
    /// mode, where every frame is wanted (as the C driver).
    fn vlan_filtering(dev: &Device, f: Features) -> bool {
        f.contains(Features::HW_VLAN_CTAG_FILTER) && !dev.is_promisc()
    }

    /// Changes the MTU: a running interface gets new rings for it. If that fails, the old
    /// MTU is restored and the interface brought back up with it.
    pub(crate) fn change_mtu(&self, dev: &Device, rtnl: &Rtnl, mtu: u32) -> Result {
        let old = self.mtu.xchg(mtu, Relaxed);
        if !dev.is_running() || old == mtu {
            return Ok(());
        }
        self.down(dev, rtnl);
        if let Err(e) = self.up(dev, rtnl) {
            self.mtu.store(old, Relaxed);
            self.down(dev, rtnl);
            if let Err(e2) = self.up(dev, rtnl) {
                dev_err!(
                    self.pdev.as_ref(),
                    "{}: cannot restart with MTU {}: {:?}\n",
                    dev.name(),
                    old,
                    e2
                );
            }
            return Err(e);
        }
        Ok(())
    }

    /// Tells netlink which interrupt polls the NAPI instance: the receive vector (the only
    /// one with MSI or INTx).
    pub(crate) fn set_napi_irq(&self, irq: u32) {
        self.napi.set_irq(irq);
    }

    /// Harvests the hardware counters and returns a copy. A device that is gone keeps the
    /// counts it had (its registers would read as garbage) and `dev` is detached.
    pub(crate) fn hw_stats(&self, dev: &Device) -> HwStats {
        if !self.detach_if_lost(dev) {
            self.harvest();
        }
        *self.hw_stats.lock()
    }

    /// Adds what the hardware counted since the last harvest. The registers are read
    /// outside the lock (clear-on-read: concurrent harvests get disjoint counts) and kept
    /// only if the device is still there afterwards, as one that left during the reads
    /// returned garbage (all-ones on hardware).
    fn harvest(&self) {
        let fresh = HwStats::read(&self.bar);
        if !self.is_lost() {
            self.hw_stats.lock().add(&fresh);
        }
    }

    /// Whether the device is gone from the bus: surprise-removed, or behind a link that went
    /// down. Such a device answers configuration reads with all-ones (or the PCI core marked
    /// it disconnected), ignores register writes and reads back garbage (all-ones on real
    /// hardware, zeroes under QEMU), so it is asked through configuration space. Once gone
    /// it stays gone (reported the first time); until then each call costs one
    /// configuration read, so callers ask when the device stopped answering, not per packet.
    pub(crate) fn is_lost(&self) -> bool {
        if self.lost.load(Relaxed) {
            return true;
        }
        if self.pdev.is_present() {
            return false;
        }
        if !self.lost.xchg(true, Relaxed) {
            dev_err!(
                self.pdev.as_ref(),
                "device gone from the bus (surprise removal or PCIe link down)\n"
            );
        }
        true
    }

    /// `Err(ENODEV)` if the device is gone ([`NetPriv::is_lost`]).
    pub(crate) fn present(&self) -> Result {
        if self.is_lost() {
            Err(ENODEV)
        } else {
            Ok(())
        }
    }

    /// Detaches `dev` if its device is gone ([`NetPriv::is_lost`]): no more transmits, no
    /// open, ethtool answers `ENODEV`, no carrier. The data path stays as it is until
    /// `ndo_stop` releases it without touching the device. Returns whether it is gone.
    /// Any context.
    pub(crate) fn detach_if_lost(&self, dev: &Device) -> bool {
        if !self.is_lost() {
            return false;
        }
        if dev.is_present() {
            dev.device_detach();
            dev.carrier_off();
            self.link_seen.store(0, Relaxed);
        }
        true
    }

    /// Software counters shown by `ethtool -S` after the hardware ones, in
    /// [`SW_STATS`] order.
    pub(crate) fn sw_stats(&self) -> [u64; SW_STATS.len()] {
        let c = &self.stats;
        [
            c.tx_tso_packets.load(Relaxed),
            c.tx_tso_bytes.load(Relaxed),
            c.rx_alloc_fail.load(Relaxed),
            c.rx_csum_ok.load(Relaxed),
            c.tx_stop.load(Relaxed),
            c.tx_wake.load(Relaxed),
            self.engine_faults.load(Relaxed),
            c.tx_csum.load(Relaxed),
            self.tsync.tx_done.load(Relaxed),
            self.tsync.tx_timeouts.load(Relaxed),
            self.tsync.tx_skipped.load(Relaxed),
            self.tsync.rx_stamped.load(Relaxed),
            self.tsync.rx_cleared.load(Relaxed),
        ]
    }

    /// The offload conditions in force.
    pub(crate) fn conditions(&self) -> Conditions {
        Conditions(self.conditions.load(Relaxed))
    }

    /// Whether an offload engine fault is in force.
    pub(crate) fn has_faults(&self) -> bool {
        self.conditions().0 & Conditions::FAULTS != 0
    }

    /// The link configuration.
    pub(crate) fn link_config(&self) -> LinkConfig {
        LinkConfig::unpack(self.link_cfg.load(Relaxed))
    }

    /// Sets or clears condition bits `bits`; the caller holds the RTNL.
    fn set_conditions(&self, bits: u32, on: bool, _rtnl: &Rtnl) {
        let c = self.conditions.load(Relaxed);
        self.conditions
            .store(if on { c | bits } else { c & !bits }, Relaxed);
    }

    /// Makes the device's feature sets follow the offload conditions, if they changed since
    /// last time: an engine fault or its recovery changes the hardware capabilities
    /// (`hw_features`, `vlan_features`; upper devices are told through
    /// `netdev_change_features`), a link speed change only the current configuration
    /// (`netdev_update_features`). Either way `ndo_fix_features` recomputes `features` from
    /// what the user wanted, and userspace gets `ETHTOOL_MSG_FEATURES_NTF` if it changed.
    /// Never called from inside a features callback.
    pub(crate) fn apply_conditions(&self, dev: &Device, rtnl: &Rtnl) {
        let now = self.conditions();
        let before = Conditions(self.applied.xchg(now.0, Relaxed));
        if now == before {
            return;
        }
        if (now.0 ^ before.0) & Conditions::FAULTS != 0 {
            dev.set_hw_features(rtnl, offload::hw_features(now));
            dev.set_vlan_features(rtnl, offload::vlan_features(now));
            dev.change_features(rtnl);
        } else {
            dev.update_features(rtnl);
        }
    }

    /// Checks the offload engines' control registers against what the features say they
    /// should hold. An engine that lost its configuration is faulty: its offloads are
    /// withdrawn (a hardware capability change) until a reset verifies it again. Returns
    /// the fault bits found.
    pub(crate) fn check_engines(&self, dev: &Device, rtnl: &Rtnl) -> u32 {
        let known = self.conditions().0 & Conditions::FAULTS;
        let found = self.engine_faults(dev.features()) & !known;
        if found != 0 {
            let which = match found {
                Conditions::FAULT_RX_CSUM => "receive checksum",
                Conditions::FAULT_VLAN => "VLAN",
                _ => "receive checksum and VLAN",
            };
            dev_err!(
                self.pdev.as_ref(),
                "{}: {} offload engine lost its configuration; withdrawing its offloads until the next reset\n",
                dev.name(),
                which
            );
            self.engine_faults.add(1, Relaxed);
            self.set_conditions(found, true, rtnl);
            self.apply_conditions(dev, rtnl);
        }
        found
    }

    /// Engines ([`Conditions`] fault bits) whose control registers do not hold what features
    /// `f` program into them.
    fn engine_faults(&self, f: Features) -> u32 {
        hw::engine_faults(
            &self.bar,
            f.contains(Features::RXCSUM),
            f.contains(Features::HW_VLAN_CTAG_RX),
        )
    }

    /// Programs the feature bits in `changed` to their value in `f`, each checked by reading
    /// the register back.
    fn program_features(&self, dev: &Device, changed: Features, f: Features) -> Result {
        if changed.contains(Features::HW_VLAN_CTAG_FILTER) {
            let on = Self::vlan_filtering(dev, f);
            hw::set_vlan_filter(&self.bar, &self.vlan_table(), on);
            if self.bar.read(regs::RCTL).vfe() != on {
                return Err(EIO);
            }
        }
        if changed.contains(Features::RXCSUM) {
            hw::set_rx_checksum(&self.bar, f.contains(Features::RXCSUM));
            if self.engine_faults(f) & Conditions::FAULT_RX_CSUM != 0 {
                return Err(EIO);
            }
        }
        if changed.contains(Features::HW_VLAN_CTAG_RX) {
            hw::set_vlan_mode(&self.bar, f.contains(Features::HW_VLAN_CTAG_RX));
            if self.engine_faults(f) & Conditions::FAULT_VLAN != 0 {
                return Err(EIO);
            }
        }
        if changed.contains(Features::RXHASH) {
            let on = f.contains(Features::RXHASH);
            hw::set_rss(&self.bar, on);
            if (self.bar.read(regs::MRQC).mrq().get() == 1) != on
                || self.bar.read(regs::RXCSUM).pcsd() != on
            {
                return Err(EIO);
            }
        }
        let modes = Features::RXFCS | Features::RXALL | Features::LOOPBACK;
        if changed.intersects(modes) {
            let (fcs, all, lb) = (
                f.contains(Features::RXFCS),
                f.contains(Features::RXALL),
                f.contains(Features::LOOPBACK),
            );
            hw::set_rx_modes(&self.bar, fcs, all, lb);
            let r = self.bar.read(regs::RCTL);
            if r.secrc() == fcs || r.sbp() != all || (r.lbm().get() == 3) != lb {
                return Err(EIO);
            }
        }
        Ok(())
    }

    /// Queue statistics of the receive queue.
    pub(crate) fn rx_queue_stats(&self) -> ethtool::RxQueueStats {
        let c = &self.stats;
        ethtool::RxQueueStats {
            packets: Some(c.rx_packets.load(Relaxed)),
            bytes: Some(c.rx_bytes.load(Relaxed)),
            alloc_fail: Some(c.rx_alloc_fail.load(Relaxed)),
            hw_drops: Some(c.rx_dropped.load(Relaxed) + c.rx_errors.load(Relaxed)),
            csum_unnecessary: Some(c.rx_csum_ok.load(Relaxed)),
            csum_bad: None,
        }
    }

    /// Queue statistics of the transmit queue.
    pub(crate) fn tx_queue_stats(&self) -> ethtool::TxQueueStats {
        let c = &self.stats;
        ethtool::TxQueueStats {
            packets: Some(c.tx_packets.load(Relaxed)),
            bytes: Some(c.tx_bytes.load(Relaxed)),
            hw_gso_packets: Some(c.tx_tso_packets.load(Relaxed)),
            hw_gso_bytes: Some(c.tx_tso_bytes.load(Relaxed)),
            hw_drops: Some(c.tx_dropped.load(Relaxed)),
            stop: Some(c.tx_stop.load(Relaxed)),
            wake: Some(c.tx_wake.load(Relaxed)),
        }
    }

    /// Current (TX, RX) ring sizes.
    pub(crate) fn rings(&self) -> (u32, u32) {
        let v = self.ring_sizes.load(Relaxed);
        (v & 0xffff, v >> 16)
    }

    fn dma_dev(&self) -> &'a kernel::device::Device<Bound> {
        self.pdev.as_ref()
    }

    /// Allocates the rings, programs the data path and enables it.
    pub(crate) fn up(&self, dev: &Device, rtnl: &Rtnl) -> Result {
        if self.is_lost() {
            return Err(ENODEV);
        }
        // The MTU changed while the interface was down: the packet buffer split for it
        // needs a reset to take effect.
        if u32::from(self.bar.read(regs::PBA).rxa()) != self.fifo().rx_kb {
            self.reset_mac();
        }
        let (txn, rxn) = self.rings();
        let tx = TxRing::new(self.dma_dev(), txn)?;
        let mut rx = RxRing::new(self.dma_dev(), dev, &self.napi, rxn)?;
        let tail = rx.refill(true).0.ok_or(ENOMEM)?;

        mac::set_rar0(&self.bar, &dev.address());
        mac::clear_mta(&self.bar);
        hw::configure_tx(&self.bar, &tx.desc)?;
        let f = dev.features();
        hw::configure_rx(
            &self.bar,
            &rx.desc,
            hw::RxConfig {
                checksum: f.contains(Features::RXCSUM),
                long_frames: self.mtu.load(Relaxed) > ETH_DATA_LEN,
                msix: self.msix,
            },
        )?;
        hw::configure_interrupts(&self.bar, self.msix);
        hw::set_vlan_mode(&self.bar, f.contains(Features::HW_VLAN_CTAG_RX));
        hw::set_vlan_filter(&self.bar, &self.vlan_table(), Self::vlan_filtering(dev, f));
        hw::set_rss(&self.bar, f.contains(Features::RXHASH));
        hw::set_rx_modes(
            &self.bar,
            f.contains(Features::RXFCS),
            f.contains(Features::RXALL),
            f.contains(Features::LOOPBACK),
        );
        let cfg = self.link_config();
        if cfg == LinkConfig::DEFAULT {
            // After a reset the PHY negotiates everything by itself: no restart needed.
            self.bar.update(regs::CTRL, |r| {
                r.with_frcspd(false).with_frcdpx(false).with_slu(true)
            });
        } else {
            hw::program_link(&self.bar, cfg)?;
        }
        // The reset reprogrammed every engine: if they hold their configuration now, a
        // fault found earlier is over and its offloads come back.
        self.set_conditions(Conditions::FAULTS & !self.engine_faults(f), false, rtnl);
        self.rx_csum_misses.store(0, Relaxed);
        *self.tx.lock() = Some(tx);
        *self.rx.lock() = Some(rx);
        self.bar
            .write_reg(regs::RDT::zeroed().with_tail(tail as u16));
        hw::set_rx_filters(&self.bar, dev.is_promisc(), dev.is_allmulti());
        self.apply_settings();
        hw::enable_rx_tx(&self.bar);

        for a in Iterator::chain(self.itr_rx.iter(), self.itr_tx.iter()) {
            a.store(0, Relaxed);
        }
        self.napi.enable();
        hw::enable_interrupts(&self.bar, self.msix);
        if let Some(q) = dev.tx_queue(0) {
            q.start();
        }
        self.update_link(dev, rtnl);
        // After a reset (MTU or ring change, recovery) the filters start empty.
        dev.resync_rx_mode(rtnl);
        // Features follow the conditions through `ndo_work`, as this may run inside
        // `ndo_open`.
        if self.conditions().0 != self.applied.load(Relaxed) {
            dev.schedule_work(EVENT_FEATURES);
        }
        dev.schedule_work_after(EVENT_WATCHDOG, WATCHDOG_MS);
        Ok(())
    }

    /// Stops the data path and releases the rings; no DMA is in flight afterwards. A device
    /// that is gone is not touched: it can no longer reach memory, so its rings are freed
    /// as they are.
    pub(crate) fn down(&self, dev: &Device, rtnl: &Rtnl) {
        let lost = self.is_lost();
        dev.tx_disable(rtnl);
        dev.carrier_off();
        if !lost {
            mac::quiesce(&self.bar);
        }
        self.napi.disable();
        if !lost {
            // A full reset guarantees the DMA engines are idle before the rings are freed.
            self.reset_mac();
        }
        let tx = self.tx.lock().take();
        drop(tx);
        if let Some(q) = dev.tx_queue(0) {
            q.reset();
        }
        let rx = self.rx.lock().take();
        drop(rx);
    }

    /// Resets the MAC with the packet buffer split for the current MTU. The reset stops
    /// SYSTIM, which restarts where the PHC's time has run to (a pending transmit timestamp
    /// will not come).
    fn reset_mac(&self) {
        // The reset clears the counters: what they hold since the last harvest is kept.
        self.harvest();
        self.tsync.stop(&self.bar);
        let _ = mac::reset(self.pdev.as_ref(), &self.bar, self.fifo().rx_kb);
        mac::set_driver_loaded(&self.bar, true);
        self.tsync.restart(&self.bar);
    }

    /// The packet buffer split and flow-control thresholds for the current MTU.
    fn fifo(&self) -> fifo::Fifo {
        fifo::plan(self.mtu.load(Relaxed))
    }

    /// Brings a running interface down and up again (ring resize, recovery).
    pub(crate) fn restart(&self, dev: &Device, rtnl: &Rtnl) -> Result {
        self.down(dev, rtnl);
        self.up(dev, rtnl)
    }

    /// Interrupt self-test, with the data path down: an unmasked cause raised through ICS
    /// reaches the handler, a masked one does not.
    pub(crate) fn interrupt_test(&self) -> bool {
        let wait = || fsleep(Delta::from_millis(50));
        // With MSI-X a cause reaches a handler only through a vector IVAR routes it to.
        let cause = if self.msix {
            hw::configure_interrupts(&self.bar, true);
            regs::int::OTHER
        } else {
            regs::int::TXDW
        };
        self.bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
        let _ = self.bar.read(regs::ICR);

        let before = self.irq_count.load(Relaxed);
        self.bar.write_reg(regs::IMS::zeroed().with_mask(cause));
        self.bar.write_reg(regs::ICS::zeroed().with_causes(cause));
        wait();
        let delivered = self.irq_count.load(Relaxed) > before;

        self.bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
        let before = self.irq_count.load(Relaxed);
        self.bar.write_reg(regs::ICS::zeroed().with_causes(cause));
        wait();
        let suppressed = self.irq_count.load(Relaxed) == before;
        let _ = self.bar.read(regs::ICR);
        delivered && suppressed
    }

    /// Loopback self-test, with the data path down: frames sent with the MAC in loopback
    /// (RCTL.LBM = 11) come back through the receive ring, each intact and in order.
    /// Leaves the device reset.
    pub(crate) fn loopback_test(&self, dev: &Device) -> bool {
        let r = self.loopback_frames(dev);
        mac::quiesce(&self.bar);
        self.reset_mac();
        // No DMA any more: the rings can go.
        let rx = self.rx.lock().take();
        drop(rx);
        let tx = self.tx.lock().take();
        drop(tx);
        match r {
            Ok(n) if n == LOOPBACK_FRAMES => true,
            Ok(n) => {
                dev_err!(
                    self.pdev.as_ref(),
                    "self-test: {} of {} loopback frames came back intact\n",
                    n,
                    LOOPBACK_FRAMES
                );
                false
            }
            Err(e) => {
                dev_err!(self.pdev.as_ref(), "self-test: loopback failed: {:?}\n", e);
                false
            }
        }
    }

    /// Sends [`LOOPBACK_FRAMES`] test frames in MAC loopback and counts those that came back
    /// intact and in order.
    fn loopback_frames(&self, dev: &Device) -> Result<u32> {
        let tx = TxRing::new(self.dma_dev(), ring::MIN_DESC)?;
        let mut rx = RxRing::new(self.dma_dev(), dev, &self.napi, ring::MIN_DESC)?;
        let tail = rx.refill(true).0.ok_or(ENOMEM)?;
        let addr = dev.address();
        self.bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
        mac::set_rar0(&self.bar, &addr);
        hw::configure_tx(&self.bar, &tx.desc)?;
        // The rings go where the data path keeps them until the test has reset the device:
        // received frames are then built as in NAPI, with bottom halves off (BH lock).
        *self.tx.lock() = Some(tx);
        hw::configure_rx(
            &self.bar,
            &rx.desc,
            hw::RxConfig {
                checksum: false,
                long_frames: false,
                msix: false,
            },
        )?;
        *self.rx.lock() = Some(rx);
        hw::set_rx_modes(&self.bar, false, false, true);
        self.bar
            .write_reg(regs::RDT::zeroed().with_tail(tail as u16));
        hw::enable_rx_tx(&self.bar);

        let mut good = 0;
        for n in 0..LOOPBACK_FRAMES {
            let frame = loopback_frame(&addr, n);
            let mut skb = SkBuff::alloc(LOOPBACK_LEN, GFP_KERNEL)?;
            skb.put_data(&frame)?;
            let opts = desc::DataOpts::default();
            let tail = {
                let mut g = self.tx.lock();
                let tx = Option::as_mut(&mut *g).ok_or(EINVAL)?;
                tx.push(self.dma_dev(), skb, None, opts, 1, LOOPBACK_LEN)
                    .map_err(|(_, e)| e)?;
                tx.tail()
            };
            self.tx_doorbell(tail);
            // Up to 100 ms for the frame to come back.
            let mut back = None;
            for _ in 0..100 {
                let f = Option::as_mut(&mut *self.rx.lock()).and_then(|r| r.next(false, false));
                if let Some(f) = f {
                    back = Some(f);
                    break;
                }
                fsleep(Delta::from_millis(1));
            }
            if let Some(tx) = Option::as_mut(&mut *self.tx.lock()) {
                tx.clean();
            }
            match back {
                Some(Ok(f)) if f.skb.head_data() == frame.as_slice() => good += 1,
                Some(_) => {}
                None => break,
            }
        }
        Ok(good)
    }

    /// Reads the link state and reports it: carrier, and a speed or duplex change while
    /// the link stays up. Records whether the link is slow (10/100 Mb/s: no TSO on the
    /// 82574); the caller applies the conditions.
    pub(crate) fn update_link(&self, dev: &Device, rtnl: &Rtnl) {
        match hw::link(&self.bar) {
            Some((speed, full)) => {
                let seen = speed << 1 | u32::from(full);
                if self.link_seen.xchg(seen, Relaxed) != seen || !dev.carrier_ok() {
                    dev_info!(
                        self.pdev.as_ref(),
                        "{}: Link is Up {} Mbps {} Duplex\n",
                        dev.name(),
                        speed,
                        if full { "Full" } else { "Half" }
                    );
                }
                if !dev.carrier_ok() {
                    dev.carrier_on();
                }
                self.set_conditions(Conditions::SLOW_LINK, speed < 1000, rtnl);
            }
            None => {
                self.link_seen.store(0, Relaxed);
                if dev.carrier_ok() {
                    dev_info!(self.pdev.as_ref(), "{}: Link is Down\n", dev.name());
                    dev.carrier_off();
                }
            }
        }
    }

    /// Applies a new link configuration (ethtool), then reports the link as it is now.
    pub(crate) fn set_link_config(&self, dev: &Device, rtnl: &Rtnl, cfg: LinkConfig) -> Result {
        hw::program_link(&self.bar, cfg)?;
        self.link_cfg.store(cfg.pack(), Relaxed);
        if dev.is_running() {
            self.update_link(dev, rtnl);
            self.apply_conditions(dev, rtnl);
        }
        Ok(())
    }

    fn xmit(&self, skb: SkBuff, dev: &Device) -> TxResult {
        let Some(q) = dev.tx_queue(0) else {
            skb.drop_reason(DropReason::DevReady);
            return TxResult::Ok;
        };
        // Parsing the headers needs no ring: it is done before the ring lock is taken, which
        // `clean_tx` in NAPI needs too. The buffers are mapped under it, straight into the
        // ring's slots: no allocation per packet.
        let mut skb = skb;
        let mut plan = match Self::plan(&mut skb) {
            Ok(p) => p,
            Err(_) => {
                self.stats.tx_dropped.add(1, Relaxed);
                skb.drop_reason(DropReason::PktTooSmall);
                return TxResult::Ok;
            }
        };
        let needed = TxRing::descs_for(&skb) + u32::from(plan.context.is_some());
        let len = plan.wire_bytes;
        let tail = {
            let mut guard = self.tx.lock();
            let Some(ring) = Option::as_mut(&mut *guard) else {
                drop(guard);
                skb.drop_reason(DropReason::DevReady);
                return TxResult::Ok;
            };
            // On both early returns below the packets queued so far (an `xmit_more` batch
            // this one was to end) still get their doorbell.
            if ring.free() < needed {
                // The queue is stopped while fewer than TX_MAX_PER_PACKET descriptors are
                // free, so this takes more, larger fragments than that allows for.
                q.stop();
                self.stats.tx_stop.add(1, Relaxed);
                let tail = ring.tail();
                drop(guard);
                self.tx_doorbell(tail);
                return TxResult::Busy(skb);
            }
            plan.opts.tstamp = self.tsync.tx_request(&mut skb);
            if let Err((skb, _)) =
                ring.push(self.dma_dev(), skb, plan.context, plan.opts, plan.segs, len)
            {
                let tail = ring.tail();
                drop(guard);
                self.tx_doorbell(tail);
                self.stats.tx_dropped.add(1, Relaxed);
                if plan.opts.tstamp {
                    self.tsync.cancel_tx();
                }
                skb.drop_reason(DropReason::Nomem);
                return TxResult::Ok;
            }
            // Stopped before the doorbell decision: a batch (`xmit_more`) cut short by a
            // full ring still reaches the hardware.
            if ring.free() < TX_MAX_PER_PACKET {
                q.stop();
                self.stats.tx_stop.add(1, Relaxed);
            }
            ring.tail()
        };
        if plan.opts.l4_csum {
            self.stats.tx_csum.add(1, Relaxed);
        }
        if plan.opts.tso {
            self.stats.tx_tso_packets.add(1, Relaxed);
            self.stats.tx_tso_bytes.add(u64::from(len), Relaxed);
        }
        if plan.opts.tstamp {
            if let Some(c) = dev.ptp_clock() {
                c.schedule_aux_work(0);
            }
        }
        // The doorbell is rung outside the ring lock: `ndo_start_xmit` runs under the queue's
        // xmit lock, so no other transmit moves the tail meanwhile, and `down` disables the
        // queue (taking that lock) before the ring goes. An MMIO write can be slow (a trap
        // under virtualization, where the device may send the frame there and then), and
        // `clean_tx` on another CPU must not spin for it.
        if q.sent(len, Device::xmit_more()) {
            self.tx_doorbell(tail);
        }
        TxResult::Ok
    }

    /// Whether an untagged (or tag-stripped) received frame carries IPv4.
    fn is_ipv4(skb: &SkBuff) -> bool {
        matches!(skb.head_data().get(12..14), Some(t) if t == ETH_P_IP.to_be_bytes())
    }

    /// Receive checksum engine watch: every IPv4 frame gets an IPv4 checksum verdict while
    /// RXCSUM.IPOFLD is on. A run of frames without one is evidence the engine stopped;
    /// `ndo_work` then checks its registers.
    fn watch_rx_csum(&self, dev: &Device, checked: bool) {
        if checked {
            self.rx_csum_misses.store(0, Relaxed);
        } else if self.rx_csum_misses.fetch_add(1, Relaxed) + 1 == RX_CSUM_MISSES {
            dev.schedule_work(EVENT_HEALTH);
        }
    }

    /// Works out the offloads of `skb`: checksum insertion for `CHECKSUM_PARTIAL`
    /// packets the hardware understands (IPv4/IPv6 TCP/UDP; others get a software checksum),
    /// TSO for GSO packets (headers rewritten for the hardware), and the VLAN tag.
    fn plan(skb: &mut SkBuff) -> Result<TxPlan> {
        let mut opts = desc::DataOpts {
            vlan: skb.vlan_tag(),
            ..Default::default()
        };
        let mut plan = TxPlan {
            context: None,
            opts,
            segs: 1,
            wire_bytes: skb.len(),
        };
        if skb.checksum() != Checksum::Partial {
            return Ok(plan);
        }
        let proto = skb.vlan_protocol();
        let l4 = match skb.csum_offset() {
            16 => Some(desc::L4::Tcp),
            6 => Some(desc::L4::Udp),
            _ => None,
        };
        let (Some(l4), true) = (l4, proto == ETH_P_IP || proto == ETH_P_IPV6) else {
            skb.checksum_help()?;
            return Ok(plan);
        };
        let layout = desc::Layout {
            ipv4: proto == ETH_P_IP,
            network_offset: u32::try_from(skb.network_offset())?,
            transport_offset: u32::try_from(skb.csum_start_offset())?,
            csum_offset: u32::from(skb.csum_offset()),
            l4,
        };
        let tso = if skb.is_gso() {
            let header_len = layout.transport_offset + skb.tcp_header_len();
            let t = desc::Tso {
                mss: u32::from(skb.gso_size()),
                header_len,
                total_len: skb.len(),
            };
            csum::tso_prepare(skb.headers_mut(header_len)?, &layout).map_err(|_| EINVAL)?;
            let segs = u32::from(skb.gso_segs()).max(1);
            plan.segs = segs;
            plan.wire_bytes = skb.len() + (segs - 1) * header_len;
            Some(t)
        } else {
            None
        };
        plan.context = Some(desc::context(&layout, tso.as_ref()).map_err(|_| EINVAL)?);
        opts.l4_csum = true;
        opts.tso = tso.is_some();
        // With TSO the hardware rewrites the IPv4 header of each segment, so it must redo its
        // checksum; otherwise the stack already computed it.
        opts.ip_csum = tso.is_some() && layout.ipv4;
        plan.opts = opts;
        Ok(plan)
    }

    /// Tells the device that the transmit ring is filled up to `tail` (TDT).
    fn tx_doorbell(&self, tail: u32) {
        // CAST: ring indices are below the largest ring, 4096 descriptors.
        self.bar
            .write_reg(regs::TDT::zeroed().with_tail(tail as u16));
    }

    fn clean_tx(&self, dev: &Device) {
        let Some(q) = dev.tx_queue(0) else { return };
        let mut guard = self.tx.lock();
        let Some(ring) = Option::as_mut(&mut *guard) else {
            return;
        };
        let done = ring.clean();
        Self::account(&self.itr_tx, done.packets, done.bytes);
        if done.packets > 0 {
            q.completed(done.packets, done.bytes);
            self.stats.tx_packets.add(u64::from(done.packets), Relaxed);
            self.stats.tx_bytes.add(u64::from(done.bytes), Relaxed);
        }
        if q.is_stopped() && ring.free() >= TX_WAKE_THRESHOLD && dev.carrier_ok() {
            q.wake();
            self.stats.tx_wake.add(1, Relaxed);
        }
    }

    /// Receives up to the budget and refills the ring. Returns `true` when a page allocation
    /// failed and the ring is short of buffers: the caller keeps polling, since a ring the
    /// hardware has run dry raises no interrupt and nothing else would refill it.
    fn receive(&self, dev: &Device, napi: &Napi, budget: &mut Budget) -> bool {
        let mut guard = self.rx.lock();
        let Some(ring) = Option::as_mut(&mut *guard) else {
            return false;
        };
        let features = dev.features();
        let rxcsum = features.contains(Features::RXCSUM);
        let rxall = features.contains(Features::RXALL);
        let rxhash = features.contains(Features::RXHASH);
        let (mut packets, mut bytes) = (0, 0);
        while budget.remaining() > 0 {
            let Some(frame) = ring.next(rxhash, rxall) else {
                break;
            };
            budget.take();
            let Ok(frame) = frame else {
                self.stats.rx_errors.add(1, Relaxed);
                continue;
            };
            let mut skb = frame.skb;
            if skb.len() < 14 {
                self.stats.rx_dropped.add(1, Relaxed);
                skb.drop_reason(DropReason::PktTooSmall);
                continue;
            }
            if rxcsum && frame.info.csum == desc::RxCsum::Good {
                skb.set_checksum_unnecessary();
                self.stats.rx_csum_ok.add(1, Relaxed);
            }
            if rxcsum && Self::is_ipv4(&skb) {
                self.watch_rx_csum(dev, frame.info.ip_checked);
            }
            if let Some((hash, l4)) = frame.info.hash {
                skb.set_hash(hash, l4);
            }
            if let Some(tci) = frame.info.vlan {
                skb.put_vlan_tag(tci);
            }
            self.tsync
                .rx_stamp(&self.bar, frame.info.timestamped, &mut skb);
            self.stats.rx_packets.add(1, Relaxed);
            self.stats.rx_bytes.add(u64::from(skb.len()), Relaxed);
            packets += 1;
            bytes += skb.len();
            skb.eth_type_trans(dev);
            skb.record_rx_queue(0);
            skb.gro_receive(napi);
        }
        Self::account(&self.itr_rx, packets, bytes);
        let (tail, short) = ring.refill(false);
        if short {
            self.stats.rx_alloc_fail.add(1, Relaxed);
        }
        if let Some(tail) = tail {
            self.bar
                .write_reg(regs::RDT::zeroed().with_tail(tail as u16));
        }
        short
    }
}

#[pinned_drop]
impl PinnedDrop for NetPriv<'_> {
    fn drop(self: Pin<&mut Self>) {
        // The interface is unregistered and its interrupts freed: quiesce the device before
        // the register mapping goes away, unless it is gone.
        if !self.is_lost() {
            mac::stop(self.pdev.as_ref(), &self.bar);
        }
    }
}

#[vtable]
impl netdev::Driver for Net {
    type Priv<'a> = NetPriv<'a>;

    fn open<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, rtnl: &Rtnl) -> Result {
        this.up(dev, rtnl)
    }

    fn stop<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, rtnl: &Rtnl) -> Result {
        this.down(dev, rtnl);
        Ok(())
    }

    fn start_xmit<'a>(skb: SkBuff, dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> TxResult {
        this.xmit(skb, dev)
    }

    fn get_stats64<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, s: &mut Stats64) {
        let c = &this.stats;
        s.rx_packets = c.rx_packets.load(Relaxed);
        s.rx_bytes = c.rx_bytes.load(Relaxed);
        s.rx_errors = c.rx_errors.load(Relaxed);
        s.rx_dropped = c.rx_dropped.load(Relaxed);
        s.tx_packets = c.tx_packets.load(Relaxed);
        s.tx_bytes = c.tx_bytes.load(Relaxed);
        s.tx_dropped = c.tx_dropped.load(Relaxed);
    }

    fn fix_features<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        features: Features,
    ) -> Features {
        offload::fix(features, this.conditions())
    }

    fn set_features<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        features: Features,
    ) -> Result {
        let old = dev.features();
        let changed = old ^ features;
        let r = this.program_features(dev, changed, features);
        if let Err(e) = r {
            // Put back what was there: the core keeps `features` as they were.
            let _ = this.program_features(dev, changed, old);
            dev_err!(
                this.pdev.as_ref(),
                "{}: programming features {:#x} failed: {:?}\n",
                dev.name(),
                changed.raw(),
                e
            );
        }
        r
    }

    fn set_rx_mode<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>) {
        let mut addrs = [[0u8; 6]; 64];
        let n = dev.copy_mc_addrs(&mut addrs);
        let allmulti = dev.is_allmulti() || dev.mc_count() > addrs.len();
        hw::set_rx_filters(&this.bar, dev.is_promisc(), allmulti);
        let vfe = NetPriv::vlan_filtering(dev, dev.features());
        hw::set_vlan_filter_enable(&this.bar, vfe);
        mac::write_mta(&this.bar, &addrs[..n]);
    }

    fn tx_timeout<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, txqueue: u32) {
        dev_warn!(
            this.pdev.as_ref(),
            "{}: transmit queue {} timed out, resetting\n",
            dev.name(),
            txqueue
        );
        dev.schedule_work(EVENT_RESET);
    }

    fn work<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, rtnl: &Rtnl, events: usize) {
        // A transmit timeout, a link event or a watchdog round may find that the device
        // left the bus: then there is nothing to reset or read, only to detach.
        if this.detach_if_lost(dev) {
            return;
        }
        if events & EVENT_RESET != 0 && dev.is_running() {
            if let Err(e) = this.restart(dev, rtnl) {
                dev_err!(this.pdev.as_ref(), "reset failed: {:?}\n", e);
            }
        }
        if events & EVENT_LINK != 0 && dev.is_running() {
            this.update_link(dev, rtnl);
        }
        if events & EVENT_HEALTH != 0 && dev.is_running() {
            this.rx_csum_misses.store(0, Relaxed);
            this.check_engines(dev, rtnl);
        }
        // Down, the watchdog lapses; `up()` starts it again. The device was found present
        // above.
        if events & EVENT_WATCHDOG != 0 && dev.is_running() {
            this.harvest();
            dev.schedule_work_after(EVENT_WATCHDOG, WATCHDOG_MS);
        }
        // Link and recovery events may have changed the offload conditions.
        this.apply_conditions(dev, rtnl);
    }

    fn irq<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, slot: u32) -> IrqReturn {
        if this.msix {
            this.irq_count.add(1, Relaxed);
            if slot == hw::VEC_OTHER {
                // Not auto-cleared: reading ICR clears the other causes (and only those,
                // the queue causes being cleared when their vectors fire).
                let icr = this.bar.read(regs::ICR).causes().get();
                if icr & regs::int::LSC != 0 {
                    // `ndo_work` cannot be scheduled from hard interrupt context: NAPI passes
                    // it on.
                    this.link_event.store(true, Relaxed);
                    this.napi.schedule();
                }
                if dev.is_running() {
                    this.bar
                        .write_reg(regs::IMS::zeroed().with_mask(regs::int::OTHERS));
                }
            } else {
                // The queue cause of this vector is already masked (EIAC, IAME clear).
                this.napi.schedule();
            }
            return IrqReturn::Handled;
        }
        let icr = this.bar.read(regs::ICR).causes().get();
        let legacy = matches!(this.irq.kind, pci::IrqType::Intx);
        if icr == 0 || (legacy && icr & regs::int::INT_ASSERTED == 0) {
            return IrqReturn::None;
        }
        // All-ones: a device gone from the bus (on a shared line, another device's
        // interrupt).
        if icr == u32::MAX && this.detach_if_lost(dev) {
            return IrqReturn::None;
        }
        this.irq_count.add(1, Relaxed);
        if icr & regs::int::LSC != 0 {
            this.link_event.store(true, Relaxed);
        }
        if icr & (regs::int::DATA | regs::int::LSC) != 0 {
            this.bar
                .write_reg(regs::IMC::zeroed().with_mask(regs::int::DATA));
            this.napi.schedule();
        }
        IrqReturn::Handled
    }

    fn poll<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        napi: &'a Napi,
        budget: &mut Budget,
    ) -> NapiPoll {
        if this.link_event.xchg(false, Relaxed) {
            dev.schedule_work(EVENT_LINK);
        }
        this.clean_tx(dev);
        // Buffers the page pool could not give now are retried in the next poll.
        if !budget.is_tx_only() && this.receive(dev, napi, budget) {
            return NapiPoll::More;
        }
        NapiPoll::Done
    }

    fn napi_complete<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _napi: &'a Napi) {
        this.moderate();
        let mask = if this.msix {
            regs::int::QUEUES
        } else {
            regs::int::DATA
        };
        this.bar.write_reg(regs::IMS::zeroed().with_mask(mask));
    }

    fn change_mtu<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        mtu: u32,
    ) -> Result {
        this.change_mtu(dev, rtnl, mtu)
    }

    fn vlan_rx_add_vid<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        _proto: u16,
        vid: u16,
    ) -> Result {
        this.set_vlan_id(dev, vid, true, rtnl);
        Ok(())
    }

    fn vlan_rx_kill_vid<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        _proto: u16,
        vid: u16,
    ) -> Result {
        this.set_vlan_id(dev, vid, false, rtnl);
        Ok(())
    }

    fn hwtstamp_get<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> Result<HwTstampConfig> {
        // Timestamps need the clock, whose worker also delivers them.
        dev.ptp_clock().ok_or(EOPNOTSUPP)?;
        Ok(this.tsync.config())
    }

    fn hwtstamp_set<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        cfg: &mut HwTstampConfig,
    ) -> Result {
        let clock = dev.ptp_clock().ok_or(EOPNOTSUPP)?;
        this.tsync.set_config(&this.bar, cfg)?;
        // The worker's period depends on whether receive timestamps are on.
        clock.schedule_aux_work(0);
        Ok(())
    }

    fn ptp_gettimex<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        sts: &mut SysTimestamps,
    ) -> Result<i64> {
        // A device gone from the bus has no clock left to read or set.
        this.present()?;
        Ok(this.tsync.gettime(&this.bar, Some(sts)))
    }

    fn ptp_settime<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, ns: i64) -> Result {
        this.present()?;
        this.tsync.settime(&this.bar, ns);
        Ok(())
    }

    fn ptp_adjtime<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, delta: i64) -> Result {
        this.present()?;
        this.tsync.adjtime(delta);
        Ok(())
    }

    fn ptp_adjfine<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, scaled_ppm: i64) -> Result {
        this.present()?;
        this.tsync.adjfine(&this.bar, scaled_ppm)
    }

    fn ptp_aux_work<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> Option<u32> {
        // The worker stops with the device (a pending transmit timestamp is released at
        // unbind); asking the bus on every run would cost a configuration read each time.
        if this.lost.load(Relaxed) {
            return None;
        }
        Some(this.tsync.aux_work(&this.bar))
    }
}
