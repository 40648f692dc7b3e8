// SPDX-License-Identifier: GPL-2.0

//! The 82574's IEEE 1588 clock as a PTP hardware clock, and hardware packet timestamps.
//!
//! SYSTIM runs from the 25 MHz clock; [`Tsync`] keeps nanoseconds from it (`tsync.rs` holds
//! the arithmetic) and serves the PHC callbacks, the timestamping configuration
//! (`SIOCSHWTSTAMP`, ethtool tsconfig) and the timestamps of packets. The hardware latches
//! one transmit and one receive timestamp at a time: a second transmit request while one is
//! pending is counted as skipped (as the C driver does), and a transmit timestamp that does
//! not arrive within [`TX_TIMEOUT_MS`] is given up and counted. A receive timestamp left
//! latched (its frame was dropped) would block the next ones: the worker clears one that
//! stays for two of its runs, every [`RX_LATCH_CHECK_MS`] while receive timestamps are on.
//!
//! A MAC reset stops SYSTIM: [`Tsync::stop`] before it keeps the time running from the
//! system's monotonic clock, and [`Tsync::restart`] after it starts SYSTIM again from there,
//! so the PHC does not jump.

use kernel::{
    io::Io,
    net::{
        bh_lock::{
            new_spinlock_bh,
            SpinLockBh, //
        },
        ptp::{
            self,
            HwTstampConfig,
            SysTimestamps, //
        },
        skb::{
            SkBuff,
            TxTstamp, //
        },
    },
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    time::{
        Instant,
        Monotonic, //
    },
};

use crate::regs::Bar0;
use crate::{
    regs::ts,
    tsync::{
        self,
        TimeCounter, //
    },
};

/// How long a transmit timestamp may take before it is given up, in milliseconds.
pub(crate) const TX_TIMEOUT_MS: i64 = 2000;
/// How often the auxiliary worker polls for a pending transmit timestamp, in milliseconds.
const TX_POLL_MS: u32 = 1;
/// How often the auxiliary worker looks for a stale receive latch, in milliseconds.
pub(crate) const RX_LATCH_CHECK_MS: u32 = 2000;

// The pure module's copies of the uapi values must be the kernel's.
const _: () = {
    assert!(tsync::tx_type::OFF == ptp::tx_type::OFF);
    assert!(tsync::tx_type::ON == ptp::tx_type::ON);
    assert!(tsync::rx_filter::NONE == ptp::rx_filter::NONE);
    assert!(tsync::rx_filter::ALL == ptp::rx_filter::ALL);
    assert!(tsync::rx_filter::PTP_V1_L4_EVENT == ptp::rx_filter::PTP_V1_L4_EVENT);
    assert!(tsync::rx_filter::PTP_V1_L4_SYNC == ptp::rx_filter::PTP_V1_L4_SYNC);
    assert!(tsync::rx_filter::PTP_V1_L4_DELAY_REQ == ptp::rx_filter::PTP_V1_L4_DELAY_REQ);
    assert!(tsync::rx_filter::PTP_V2_L4_SYNC == ptp::rx_filter::PTP_V2_L4_SYNC);
    assert!(tsync::rx_filter::PTP_V2_L4_DELAY_REQ == ptp::rx_filter::PTP_V2_L4_DELAY_REQ);
    assert!(tsync::rx_filter::PTP_V2_L2_SYNC == ptp::rx_filter::PTP_V2_L2_SYNC);
    assert!(tsync::rx_filter::PTP_V2_L2_DELAY_REQ == ptp::rx_filter::PTP_V2_L2_DELAY_REQ);
    assert!(tsync::rx_filter::PTP_V2_EVENT == ptp::rx_filter::PTP_V2_EVENT);
    assert!(tsync::rx_filter::PTP_V2_SYNC == ptp::rx_filter::PTP_V2_SYNC);
    assert!(tsync::rx_filter::PTP_V2_DELAY_REQ == ptp::rx_filter::PTP_V2_DELAY_REQ);
    assert!(tsync::rx_filter::NTP_ALL == ptp::rx_filter::NTP_ALL);
};

/// The clock's time keeping: the counter and the TIMINCA value in force.
struct Time {
    tc: TimeCounter,
    timinca: u32,
    /// Set while SYSTIM is stopped for a MAC reset: since then the time (`tc.nsec()`) runs
    /// from the monotonic clock.
    stopped: Option<Instant<Monotonic>>,
}

impl Time {
    /// The time now, reading SYSTIM unless it is stopped.
    fn now(&mut self, bar: &Bar0<'_>, mut sts: Option<&mut SysTimestamps>) -> u64 {
        if self.stopped.is_none() {
            let cycles = read_systim(bar, self.timinca, sts);
            return self.tc.read(cycles);
        }
        // The system time readings must be filled in whatever the source.
        if let Some(s) = sts.as_deref_mut() {
            s.pre();
        }
        let ns = self.stopped_ns().unwrap_or(0);
        if let Some(s) = sts {
            s.post();
        }
        ns
    }

    /// While SYSTIM is stopped, the time run on from the monotonic clock since it stopped.
    fn stopped_ns(&self) -> Option<u64> {
        let since = self.stopped?;
        Some(
            self.tc
                .nsec()
                .wrapping_add(since.elapsed().as_nanos() as u64),
        )
    }
}

/// A transmit timestamp being waited for.
struct Pending {
    skb: TxTstamp,
    since: Instant<Monotonic>,
}

/// What the auxiliary worker keeps; its lock is held while the worker touches the device,
/// and taken by [`Tsync::stop`] before a MAC reset, so that the worker never does during
/// one.
struct Worker {
    /// The transmit timestamp being waited for.
    pending: Option<Pending>,
    /// When the receive latch was last checked.
    rx_checked: Option<Instant<Monotonic>>,
}

/// Hardware clock and timestamping state of an interface.
#[pin_data]
pub(crate) struct Tsync {
    /// Time keeping; held around every SYSTIM read so that readings are ordered.
    #[pin]
    time: SpinLockBh<Time>,
    /// Configuration in force: transmit type in bits 7:0, receive filter in 15:8; changed
    /// under RTNL.
    config: Atomic<u32>,
    #[pin]
    worker: SpinLockBh<Worker>,
    /// Transmit timestamps delivered, given up, and not taken because one was pending.
    pub(crate) tx_done: Atomic<u64>,
    pub(crate) tx_timeouts: Atomic<u64>,
    pub(crate) tx_skipped: Atomic<u64>,
    /// Received packets given a hardware timestamp.
    pub(crate) rx_stamped: Atomic<u64>,
    /// Receive latches cleared because no frame claimed them.
    pub(crate) rx_cleared: Atomic<u64>,
    /// RXSTMPL of a latch seen by the last worker run (0: none).
    rx_latch: Atomic<u32>,
}

/// Reads SYSTIM with the 82574's errata in mind ([`tsync::read_systim`]), with the system
/// time taken around each read of SYSTIML if `sts` is given.
fn read_systim(bar: &Bar0<'_>, timinca: u32, mut sts: Option<&mut SysTimestamps>) -> u64 {
    let lo = || {
        if let Some(s) = sts.as_deref_mut() {
            s.pre();
        }
        let v = u32::from(bar.read(ts::SYSTIML));
        if let Some(s) = sts.as_deref_mut() {
            s.post();
        }
        v
    };
    tsync::read_systim(lo, || u32::from(bar.read(ts::SYSTIMH)), timinca)
}

impl Tsync {
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            time <- new_spinlock_bh!(
                Time {
                    tc: TimeCounter::new(0, 0),
                    timinca: tsync::timinca(0).unwrap_or(0),
                    stopped: None,
                },
                "re1000e_time"
            ),
            config: Atomic::new(0),
            worker <- new_spinlock_bh!(
                Worker {
                    pending: None,
                    rx_checked: None,
                },
                "re1000e_tstamp_worker"
            ),
            tx_done: Atomic::new(0),
            tx_timeouts: Atomic::new(0),
            tx_skipped: Atomic::new(0),
            rx_stamped: Atomic::new(0),
            rx_cleared: Atomic::new(0),
            rx_latch: Atomic::new(0),
        })
    }

    /// The timestamping configuration in force.
    pub(crate) fn config(&self) -> HwTstampConfig {
        let c = self.config.load(Relaxed);
        HwTstampConfig {
            flags: c >> 16,
            tx_type: c & 0xff,
            rx_filter: (c >> 8) & 0xff,
        }
    }

    fn tx_on(&self) -> bool {
        self.config.load(Relaxed) & 0xff == tsync::tx_type::ON
    }

    fn rx_on(&self) -> bool {
        (self.config.load(Relaxed) >> 8) & 0xff != tsync::rx_filter::NONE
    }

    /// Stops the clock before a MAC reset: a pending transmit timestamp will not come, the
    /// worker leaves the device alone, and until [`Tsync::restart`] the time runs from the
    /// monotonic clock.
    pub(crate) fn stop(&self, bar: &Bar0<'_>) {
        let mut w = self.worker.lock();
        drop(w.pending.take());
        let mut t = self.time.lock();
        let ns = t.now(bar, None);
        t.tc = TimeCounter::new(0, ns);
        t.stopped = Some(Instant::now());
        drop(t);
        drop(w);
    }

    /// Starts the clock after a MAC reset cleared SYSTIM and TIMINCA: with the frequency
    /// offset in force, from the time it had when stopped (the first time: the system's real
    /// time), and the timestamping configuration.
    pub(crate) fn restart(&self, bar: &Bar0<'_>) {
        {
            let mut t = self.time.lock();
            let ns = t.stopped_ns().unwrap_or_else(|| ptp::realtime_ns() as u64);
            t.stopped = None;
            bar.write_reg(ts::TIMINCA::from(t.timinca));
            let cycles = read_systim(bar, t.timinca, None);
            t.tc = TimeCounter::new(cycles, ns);
        }
        let c = self.config();
        if let Ok(p) = tsync::plan(c.tx_type, c.rx_filter) {
            Self::program(bar, &p);
        }
    }

    /// Writes the registers of `p`; returns `false` if they do not hold it.
    fn program(bar: &Bar0<'_>, p: &tsync::Plan) -> bool {
        use tsync::ctl;
        let tx = (u32::from(bar.read(ts::TSYNCTXCTL)) & !ctl::ENABLED) | p.tx_ctl;
        bar.write_reg(ts::TSYNCTXCTL::from(tx));
        let rx =
            (u32::from(bar.read(ts::TSYNCRXCTL)) & !(ctl::ENABLED | ctl::TYPE_MASK)) | p.rx_ctl;
        bar.write_reg(ts::TSYNCRXCTL::from(rx));
        bar.write_reg(ts::RXMTRL::from(p.rxmtrl));
        bar.write_reg(ts::RXUDP::from(p.rxudp));
        // Drop whatever was latched under the old configuration.
        let _ = u32::from(bar.read(ts::RXSTMPH));
        let _ = u32::from(bar.read(ts::TXSTMPH));
        u32::from(bar.read(ts::TSYNCTXCTL)) & ctl::ENABLED == p.tx_ctl
            && u32::from(bar.read(ts::TSYNCRXCTL)) & (ctl::ENABLED | ctl::TYPE_MASK) == p.rx_ctl
    }

    /// Applies `cfg` (under RTNL), writing back the receive filter applied ([`tsync::Plan`]).
    /// An unsupported value is rejected with `ERANGE` and changes nothing. The flags (the
    /// core has checked them) concern the stack only and are kept as they are.
    pub(crate) fn set_config(&self, bar: &Bar0<'_>, cfg: &mut HwTstampConfig) -> Result {
        let p = tsync::plan(cfg.tx_type, cfg.rx_filter).map_err(|_| ERANGE)?;
        if !Self::program(bar, &p) {
            // Put back what was in force.
            let old = self.config();
            if let Ok(o) = tsync::plan(old.tx_type, old.rx_filter) {
                Self::program(bar, &o);
            }
            return Err(EIO);
        }
        cfg.rx_filter = p.reply;
        self.config.store(
            cfg.tx_type | (p.rx_filter << 8) | (cfg.flags << 16),
            Relaxed,
        );
        self.rx_latch.store(0, Relaxed);
        if cfg.tx_type == tsync::tx_type::OFF {
            // A pending timestamp will not come.
            drop(self.worker.lock().pending.take());
        }
        Ok(())
    }

    /// The clock's time in nanoseconds.
    pub(crate) fn gettime(&self, bar: &Bar0<'_>, sts: Option<&mut SysTimestamps>) -> i64 {
        self.time.lock().now(bar, sts) as i64
    }

    pub(crate) fn settime(&self, bar: &Bar0<'_>, ns: i64) {
        let mut t = self.time.lock();
        if t.stopped.is_some() {
            t.tc = TimeCounter::new(0, ns as u64);
            t.stopped = Some(Instant::now());
        } else {
            let cycles = read_systim(bar, t.timinca, None);
            t.tc = TimeCounter::new(cycles, ns as u64);
        }
    }

    pub(crate) fn adjtime(&self, delta: i64) {
        self.time.lock().tc.adjust(delta);
    }

    pub(crate) fn adjfine(&self, bar: &Bar0<'_>, scaled_ppm: i64) -> Result {
        let inc = tsync::timinca(scaled_ppm).map_err(|_| ERANGE)?;
        let mut t = self.time.lock();
        if t.stopped.is_none() {
            // Account for the time run at the old rate before changing it.
            t.now(bar, None);
            bar.write_reg(ts::TIMINCA::from(inc));
        }
        // While stopped, `restart` writes it.
        t.timinca = inc;
        Ok(())
    }

    /// Takes on the transmit timestamp of `skb` if the socket asked for one and the
    /// configuration allows it; returns `true` if the descriptor must ask for it.
    pub(crate) fn tx_request(&self, skb: &mut SkBuff) -> bool {
        if !self.tx_on() || !skb.wants_hw_tstamp() {
            return false;
        }
        let mut w = self.worker.lock();
        if w.pending.is_some() {
            self.tx_skipped.fetch_add(1, Relaxed);
            return false;
        }
        match skb.start_hw_tstamp() {
            Some(r) => {
                w.pending = Some(Pending {
                    skb: r,
                    since: Instant::now(),
                });
                true
            }
            None => false,
        }
    }

    /// Auxiliary work: delivers a latched transmit timestamp or gives it up, clears a stale
    /// receive latch, and reads SYSTIM often enough to follow its wraps. Returns the delay
    /// before the next run.
    pub(crate) fn aux_work(&self, bar: &Bar0<'_>) -> u32 {
        let mut w = self.worker.lock();
        if self.time.lock().stopped.is_some() {
            // A MAC reset is under way; `restart` is near.
            return TX_POLL_MS * 10;
        }
        let idle = if self.rx_on() {
            let due = w
                .rx_checked
                .is_none_or(|t| t.elapsed().as_millis() >= i64::from(RX_LATCH_CHECK_MS));
            if due {
                self.check_rx_latch(bar);
                w.rx_checked = Some(Instant::now());
            }
            RX_LATCH_CHECK_MS
        } else {
            tsync::OVERFLOW_CHECK_SECS * 1000
        };
        let next = match w.pending.take() {
            None => idle,
            Some(p) if u32::from(bar.read(ts::TSYNCTXCTL)) & tsync::ctl::VALID != 0 => {
                let lo = u32::from(bar.read(ts::TXSTMPL));
                let hi = u32::from(bar.read(ts::TXSTMPH));
                let ns = {
                    let mut t = self.time.lock();
                    t.now(bar, None);
                    t.tc.cyc2time(u64::from(lo) | (u64::from(hi) << 32))
                };
                p.skb.complete(ns);
                self.tx_done.fetch_add(1, Relaxed);
                idle
            }
            Some(p) if p.since.elapsed().as_millis() >= TX_TIMEOUT_MS => {
                // Clear a latch that might come late, so that it is not taken for the next.
                let _ = u32::from(bar.read(ts::TXSTMPH));
                self.tx_timeouts.fetch_add(1, Relaxed);
                drop(p);
                idle
            }
            Some(p) => {
                w.pending = Some(p);
                TX_POLL_MS
            }
        };
        if next != TX_POLL_MS {
            // Keep up with SYSTIM's wraps (not on every poll for a transmit timestamp).
            let _ = self.gettime(bar, None);
        }
        drop(w);
        next
    }

    /// Clears a receive latch that two worker runs in a row found holding the same time: its
    /// frame was dropped before a descriptor could claim it.
    fn check_rx_latch(&self, bar: &Bar0<'_>) {
        let seen = if u32::from(bar.read(ts::TSYNCRXCTL)) & tsync::ctl::VALID != 0 {
            u32::from(bar.read(ts::RXSTMPL)) | 1
        } else {
            0
        };
        if seen != 0 && self.rx_latch.load(Relaxed) == seen {
            let _ = u32::from(bar.read(ts::RXSTMPH));
            self.rx_cleared.fetch_add(1, Relaxed);
            self.rx_latch.store(0, Relaxed);
        } else {
            self.rx_latch.store(seen, Relaxed);
        }
    }

    /// Gives up a pending transmit timestamp (its packet was not sent).
    pub(crate) fn cancel_tx(&self) {
        drop(self.worker.lock().pending.take());
    }

    /// Attaches the latched receive timestamp to `skb` if its descriptor says there is one.
    pub(crate) fn rx_stamp(&self, bar: &Bar0<'_>, timestamped: bool, skb: &mut SkBuff) {
        if !timestamped || !self.rx_on() {
            return;
        }
        if u32::from(bar.read(ts::TSYNCRXCTL)) & tsync::ctl::VALID == 0 {
            return;
        }
        let lo = u32::from(bar.read(ts::RXSTMPL));
        let hi = u32::from(bar.read(ts::RXSTMPH));
        let ns = self
            .time
            .lock()
            .tc
            .cyc2time(u64::from(lo) | (u64::from(hi) << 32));
        skb.set_hw_tstamp(ns);
        self.rx_stamped.fetch_add(1, Relaxed);
    }
}
