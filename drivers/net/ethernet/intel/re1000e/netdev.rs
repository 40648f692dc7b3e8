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

mod health;
mod link;
mod rx;
mod selftest;
#[cfg(CONFIG_RE1000E_TLS)]
mod tls;
#[cfg(CONFIG_RE1000E_TLS)]
pub(crate) use tls::{
    TlsParts,
    TLS_STATS, //
};
/// Without TLS offload there is nothing to hold.
#[cfg(not(CONFIG_RE1000E_TLS))]
pub(crate) type TlsParts = ();
mod tx;

use kernel::{
    device::Bound,
    fmt,
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
            AddrLists,
            Device,
            IrqInfo,
            NewDevice,
            Rtnl,
            RtnlCell,
            Stats64,
            TxResult,
            Xmit, //
        },
        ethtool,
        features::Features,
        napi::{
            Budget,
            Napi,
            NapiPoll,
            Poll,
            PollCell, //
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
        tls as ktls,
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

use crate::regs::Bar0;
use crate::{
    clock::Tsync,
    csum,
    desc,
    fifo,
    filter,
    hw::{
        self,
        Hw,
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
///
/// Field order is drop order: the interface is unregistered and its interrupts freed when
/// this is dropped; `bar` goes first and quiesces the device ([`Hw`]'s drop), before NAPI and
/// the rings with their DMA memory.
#[pin_data]
pub(crate) struct NetPriv<'a> {
    pub(crate) pdev: &'a pci::Device<Bound>,
    pub(crate) bar: Hw<'a>,
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
    /// Adaptive moderation state ([`itr::State::pack`]): advanced by the poll, reset by
    /// `apply_settings` (ethtool, under the RTNL) while NAPI may run, hence atomic.
    itr_state: Atomic<u32>,
    /// Packets and bytes received and sent since the last moderation decision: only the
    /// polls count and consume them, and each enable of NAPI starts them from zero.
    itr_rx: PollCell<(u32, u32)>,
    itr_tx: PollCell<(u32, u32)>,
    /// The MTU the rings are sized for (the next `up` uses it).
    mtu: Atomic<u32>,
    /// VLAN IDs registered by upper devices, as the VLAN filter table; changed under RTNL.
    vfta: RtnlCell<[u32; filter::VFTA_REGS]>,
    /// Flow control: `PAUSE_RX | PAUSE_TX` bits.
    pub(crate) pause: Atomic<u32>,
    pub(crate) msg_enable: Atomic<u32>,
    /// Ring sizes used by the next `open`: TX in the low, RX in the high 16 bits.
    pub(crate) ring_sizes: RtnlCell<u32>,
    /// Offload conditions ([`Conditions`] bits) in force; changed under RTNL only.
    conditions: RtnlCell<u32>,
    /// The conditions `hw_features`/`features` were last computed for; under RTNL.
    applied: RtnlCell<u32>,
    /// Link configuration ([`LinkConfig::pack`]); changed under RTNL.
    link_cfg: RtnlCell<u32>,
    /// Speed and duplex last reported (`speed << 1 | full`), 0 while down.
    link_seen: Atomic<u32>,
    /// Data-path evidence of a receive checksum engine fault: consecutive misses.
    rx_csum_misses: Atomic<u32>,
    /// Offload engine faults found (a counter for `ethtool -S`).
    engine_faults: Atomic<u64>,
    /// The IEEE 1588 clock and packet timestamps.
    #[pin]
    pub(crate) tsync: Tsync,
    /// kTLS transmit offload: the offload-context table and its engines, and the devlink
    /// instance that shows them.
    tls: TlsParts,
}

/// What [`NetPriv::restart_or_undo`]'s undo put back, for the log.
pub(crate) enum Restored {
    /// The MTU.
    Mtu(u32),
    /// The features.
    Features(Features),
    /// The ring sizes.
    Rings {
        /// Receive descriptors.
        rx: u32,
        /// Transmit descriptors.
        tx: u32,
    },
}

impl fmt::Display for Restored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Restored::Mtu(mtu) => write!(f, "MTU {mtu}"),
            Restored::Features(features) => write!(f, "features {:#x}", features.raw()),
            Restored::Rings { rx, tx } => write!(f, "ring sizes rx {rx} tx {tx}"),
        }
    }
}

impl<'a> NetPriv<'a> {
    /// Initialiser for the private data of `dev`, taking over the mapped, reset device.
    pub(crate) fn new(
        dev: &NewDevice<Net>,
        pdev: &'a pci::Device<Bound>,
        bar: Bar0<'a>,
        perm_addr: [u8; 6],
        irq: IrqInfo,
        tls: TlsParts,
    ) -> impl PinInit<Self, Error> + 'a {
        let napi = Napi::new(dev, 0);
        let mtu = dev.mtu();
        try_pin_init!(Self {
            pdev,
            bar: Hw::new(pdev, bar),
            perm_addr,
            irq,
            msix: matches!(irq.kind, pci::IrqType::MsiX) && irq.count > hw::VEC_OTHER,
            napi <- napi,
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
            itr_rx: PollCell::new((0, 0)),
            itr_tx: PollCell::new((0, 0)),
            mtu: Atomic::new(mtu),
            vfta: RtnlCell::new([0; filter::VFTA_REGS]),
            pause: Atomic::new(PAUSE_RX | PAUSE_TX),
            link_event: Atomic::new(false),
            msg_enable: Atomic::new(0),
            ring_sizes: RtnlCell::new(ring::DEFAULT_DESC | (ring::DEFAULT_DESC << 16)),
            conditions: RtnlCell::new(0),
            applied: RtnlCell::new(0),
            link_cfg: RtnlCell::new(LinkConfig::DEFAULT.pack()),
            link_seen: Atomic::new(0),
            rx_csum_misses: Atomic::new(0),
            engine_faults: Atomic::new(0),
            tsync <- Tsync::new(),
            tls,
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
    /// the throttling interval if the class changed. Runs at the end of a poll that
    /// completes NAPI, while the poll still owns the instance (as e1000e's `e1000_set_itr`
    /// before `napi_complete_done`).
    fn moderate(&self, poll: &Poll<'_>) {
        // The cells belong to the one NAPI instance, whose polls are the only callers.
        let take = |c: &PollCell<(u32, u32)>| c.take(poll).unwrap_or((0, 0));
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
    fn account(which: &PollCell<(u32, u32)>, poll: &Poll<'_>, packets: u32, bytes: u32) {
        // Refused only in a poll of another instance: the driver has one.
        let _ = which.update(poll, |(p, b)| {
            (p.wrapping_add(packets), b.wrapping_add(bytes))
        });
    }

    /// The VLAN filter table of the registered IDs.
    fn vlan_table(&self, rtnl: &Rtnl) -> [u32; filter::VFTA_REGS] {
        self.vfta.get(rtnl)
    }

    /// Registers (`on`) or unregisters VLAN ID `vid` in the filter table, and in the
    /// hardware while the interface is up.
    pub(crate) fn set_vlan_id(&self, dev: &Device, vid: u16, on: bool, rtnl: &Rtnl) {
        let (reg, bit) = filter::vfta_slot(vid);
        let mut table = self.vfta.get(rtnl);
        let Some(w) = table.get_mut(reg) else { return };
        *w = if on {
            *w | (1 << bit)
        } else {
            *w & !(1 << bit)
        };
        let w = *w;
        self.vfta.set(rtnl, table);
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

    /// Whether the MTU needs long frames (RCTL.LPE).
    fn long_frames(&self) -> bool {
        self.mtu.load(Relaxed) > ETH_DATA_LEN
    }

    /// Restarts a running interface with features `f`. If that fails, `undo` puts the old
    /// configuration back and returns the features to restart with and what it put back (for
    /// the log); the interface is brought back up and the error returned. Used by every
    /// change that needs new rings: MTU, rx-all, ring sizes.
    pub(crate) fn restart_or_undo(
        &self,
        dev: &Device,
        rtnl: &Rtnl,
        f: Features,
        undo: impl FnOnce() -> (Features, Restored),
    ) -> Result {
        self.down(dev, rtnl);
        let Err(e) = self.up_with(dev, rtnl, f) else {
            return Ok(());
        };
        let (old, restored) = undo();
        self.down(dev, rtnl);
        if let Err(e2) = self.up_with(dev, rtnl, old) {
            dev_err!(
                self.pdev.as_ref(),
                "{}: cannot restart with {}: {:?}\n",
                dev.name(),
                restored,
                e2
            );
        }
        Err(e)
    }

    /// Changes the MTU: a running interface gets new rings for it. If that fails, the old
    /// MTU is restored and the interface brought back up with it.
    pub(crate) fn change_mtu(&self, dev: &Device, rtnl: &Rtnl, mtu: u32) -> Result {
        let old = self.mtu.xchg(mtu, Relaxed);
        #[cfg(CONFIG_RE1000E_TLS)]
        self.tls_mtu_changed(mtu);
        if !dev.is_running() || old == mtu {
            return Ok(());
        }
        self.restart_or_undo(dev, rtnl, dev.features(), || {
            self.mtu.store(old, Relaxed);
            (dev.features(), Restored::Mtu(old))
        })
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

    /// The TLS offload counters shown by `ethtool -S` after [`SW_STATS`].
    pub(crate) fn tls_stats(&self) -> impl Iterator<Item = u64> {
        #[cfg(CONFIG_RE1000E_TLS)]
        let v = self.tls.offload.stats.values();
        #[cfg(not(CONFIG_RE1000E_TLS))]
        let v: [u64; 0] = [];
        v.into_iter()
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
    pub(crate) fn rings(&self, rtnl: &Rtnl) -> (u32, u32) {
        let v = self.ring_sizes.get(rtnl);
        (v & 0xffff, v >> 16)
    }

    fn dma_dev(&self) -> &'a kernel::device::Device<Bound> {
        self.pdev.as_ref()
    }

    /// Allocates the rings, programs the data path and enables it.
    pub(crate) fn up(&self, dev: &Device, rtnl: &Rtnl) -> Result {
        self.up_with(dev, rtnl, dev.features())
    }

    /// [`Self::up`] with features `f`: those `ndo_set_features` is about to take, which the
    /// receive buffers depend on (rx-all).
    pub(crate) fn up_with(&self, dev: &Device, rtnl: &Rtnl, f: Features) -> Result {
        if self.is_lost() {
            return Err(ENODEV);
        }
        // The MTU changed while the interface was down: the packet buffer split for it
        // needs a reset to take effect.
        if u32::from(self.bar.read(regs::PBA).rxa()) != self.fifo().rx_kb {
            self.reset_mac();
        }
        let (txn, rxn) = self.rings(rtnl);
        let long_frames = self.long_frames();
        let tx = TxRing::new(self.dma_dev(), txn)?;
        let mut rx = RxRing::new(
            self.dma_dev(),
            dev,
            rxn,
            long_frames,
            f.contains(Features::RXALL),
        )?;
        let tail = rx.refill(true).0.ok_or(ENOMEM)?;

        mac::set_rar0(&self.bar, &dev.address());
        mac::clear_mta(&self.bar);
        hw::configure_tx(&self.bar, &tx.desc)?;
        hw::configure_rx(
            &self.bar,
            &rx.desc,
            hw::RxConfig {
                checksum: f.contains(Features::RXCSUM),
                long_frames,
                msix: self.msix,
            },
        )?;
        hw::configure_interrupts(&self.bar, self.msix);
        hw::set_vlan_mode(&self.bar, f.contains(Features::HW_VLAN_CTAG_RX));
        hw::set_vlan_filter(
            &self.bar,
            &self.vlan_table(rtnl),
            Self::vlan_filtering(dev, f),
        );
        hw::set_rss(&self.bar, f.contains(Features::RXHASH));
        hw::set_rx_modes(
            &self.bar,
            f.contains(Features::RXFCS),
            f.contains(Features::RXALL),
            f.contains(Features::LOOPBACK),
        );
        let cfg = self.link_config(rtnl);
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
        self.set_conditions(Conditions::HW_FAULTS & !self.engine_faults(f), false, rtnl);
        self.rx_csum_misses.store(0, Relaxed);
        *self.tx.lock() = Some(tx);
        *self.rx.lock() = Some(rx);
        self.bar
            .write_reg(regs::RDT::zeroed().with_tail(tail as u16));
        hw::set_rx_filters(&self.bar, dev.is_promisc(), dev.is_allmulti());
        self.apply_settings();
        hw::enable_rx_tx(&self.bar);

        if let Some(q) = dev.tx_queue(0) {
            q.set_napi(rtnl, Some(&self.napi));
        }
        self.napi.enable(rtnl);
        hw::enable_interrupts(&self.bar, self.msix);
        if let Some(q) = dev.tx_queue(0) {
            q.start();
        }
        self.update_link(dev, rtnl);
        // After a reset (MTU or ring change, recovery) the filters start empty.
        dev.resync_rx_mode(rtnl);
        // Features follow the conditions through `ndo_work`, as this may run inside
        // `ndo_open`.
        if self.conditions(rtnl).0 != self.applied.get(rtnl) {
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
        self.napi.disable(rtnl);
        if !lost {
            // A full reset guarantees the DMA engines are idle before the rings are freed.
            self.reset_mac();
        }
        let tx = self.tx.lock().take();
        drop(tx);
        if let Some(q) = dev.tx_queue(0) {
            // Stopped by `tx_disable`, its NAPI disabled above: the reset is not refused.
            let _ = q.reset(rtnl);
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

    fn start_xmit<'a>(
        skb: SkBuff,
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        xmit: &Xmit<'a>,
    ) -> TxResult {
        this.xmit(skb, dev, xmit)
    }

    #[cfg(CONFIG_RE1000E_TLS)]
    fn tls_add<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        sk: &ktls::Socket,
        dir: ktls::Direction,
        info: &ktls::CryptoInfo<'_>,
        start_tcp_sn: u32,
    ) -> Result<ktls::Handle> {
        this.tls_add(dev, sk, dir, info, start_tcp_sn)
    }

    #[cfg(CONFIG_RE1000E_TLS)]
    fn tls_del<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        handle: ktls::Handle,
        _dir: ktls::Direction,
    ) {
        this.tls_del(handle)
    }

    #[cfg(CONFIG_RE1000E_TLS)]
    fn tls_resync<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        handle: ktls::Handle,
        seq: u32,
        rcd_sn: &[u8; 8],
        dir: ktls::Direction,
    ) -> Result {
        if dir != ktls::Direction::Tx {
            return Err(EOPNOTSUPP);
        }
        this.tls_resync(handle, seq, rcd_sn)
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
        rtnl: &Rtnl,
        features: Features,
    ) -> Features {
        offload::fix(features, this.conditions(rtnl))
    }

    fn set_features<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        features: Features,
    ) -> Result {
        let old = dev.features();
        let changed = old ^ features;
        // Frames kept for rx-all (RCTL.SBP) may be oversized and fill whole buffers: a
        // running ring whose buffers that changes is laid out again, with everything else
        // programmed from `features` (the C driver reinitializes for rx-all too).
        let long = this.long_frames();
        let plan = |f: Features| RxRing::plan(long, f.contains(Features::RXALL));
        if dev.is_running() && plan(old) != plan(features) {
            return this.restart_or_undo(dev, rtnl, features, || (old, Restored::Features(old)));
        }
        let r = this.program_features(dev, rtnl, changed, features);
        if let Err(e) = r {
            // Put back what was there: the core keeps `features` as they were.
            let _ = this.program_features(dev, rtnl, changed, old);
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

    fn set_rx_mode<'a>(dev: &'a Device, this: Pin<&'a NetPriv<'a>>, lists: &AddrLists<'a>) {
        let mut addrs = [[0u8; 6]; 64];
        let n = lists.copy_mc_addrs(&mut addrs);
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
        // A TLS engine fault or recovery changes the hardware capabilities.
        #[cfg(CONFIG_RE1000E_TLS)]
        this.tls_health(dev, rtnl);
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
        poll: &Poll<'a>,
        budget: &mut Budget,
    ) -> NapiPoll {
        if this.link_event.xchg(false, Relaxed) {
            dev.schedule_work(EVENT_LINK);
        }
        this.clean_tx(dev, poll);
        // Buffers the page pool could not give now are retried in the next poll.
        if !budget.is_tx_only() && this.receive(dev, poll, budget) {
            return NapiPoll::More;
        }
        // This poll completes NAPI unless the budget ran out (then the core polls again).
        if budget.remaining() > 0 {
            this.moderate(poll);
        }
        NapiPoll::Done
    }

    fn napi_complete<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _napi: &'a Napi) {
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

    /// Receive address 0 is the unicast filter; the receiver may run while it changes (as
    /// with the C driver), and every bring-up programs it again from the device's address,
    /// so the new one survives resets. A bond's ports take the bond's address this way.
    fn set_mac_address<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        addr: &[u8; 6],
    ) -> Result {
        mac::set_rar0(&this.bar, addr);
        Ok(())
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
        if this.bar.lost.load(Relaxed) {
            return None;
        }
        Some(this.tsync.aux_work(&this.bar))
    }
}
