// SPDX-License-Identifier: GPL-2.0

//! PTP hardware clocks of network devices and hardware packet timestamping.
//!
//! C headers: [`include/linux/ptp_clock_kernel.h`](srctree/include/linux/ptp_clock_kernel.h),
//! [`include/uapi/linux/net_tstamp.h`](srctree/include/uapi/linux/net_tstamp.h).
//!
//! A driver gives [`Config::ptp`](super::dev::Config::ptp) and implements the `ptp_*`
//! methods of [`Driver`](super::dev::Driver): the registration then registers a PTP hardware
//! clock (`/dev/ptpN`) before the net device and unregisters it after, so the device's users
//! find the clock from the start and the clock's callbacks always see the device's private
//! data. [`Clock`] is the registered clock as the
//! driver sees it: its index (for `get_ts_info`) and its auxiliary worker, a kthread that
//! runs [`Driver::ptp_aux_work`](super::dev::Driver::ptp_aux_work) when scheduled.
//! Packet timestamping is configured through `ndo_hwtstamp_get/set` with a
//! [`HwTstampConfig`].

use crate::{bindings, prelude::*, types::Opaque};
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// `enum hwtstamp_tx_types`: what to timestamp on transmit.
pub mod tx_type {
    use crate::bindings;
    /// No transmit timestamps.
    pub const OFF: u32 = bindings::hwtstamp_tx_types_HWTSTAMP_TX_OFF;
    /// Timestamp the packets the socket asks for.
    pub const ON: u32 = bindings::hwtstamp_tx_types_HWTSTAMP_TX_ON;
}

/// `enum hwtstamp_rx_filters`: which received packets to timestamp.
pub mod rx_filter {
    use crate::bindings;
    /// None.
    pub const NONE: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_NONE;
    /// All packets.
    pub const ALL: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_ALL;
    /// PTPv1 over UDP, any event message.
    pub const PTP_V1_L4_EVENT: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V1_L4_EVENT;
    /// PTPv1 over UDP, Sync.
    pub const PTP_V1_L4_SYNC: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V1_L4_SYNC;
    /// PTPv1 over UDP, Delay_Req.
    pub const PTP_V1_L4_DELAY_REQ: u32 =
        bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V1_L4_DELAY_REQ;
    /// PTPv2 over UDP, Sync.
    pub const PTP_V2_L4_SYNC: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_L4_SYNC;
    /// PTPv2 over UDP, Delay_Req.
    pub const PTP_V2_L4_DELAY_REQ: u32 =
        bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_L4_DELAY_REQ;
    /// PTPv2 over Ethernet, Sync.
    pub const PTP_V2_L2_SYNC: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_L2_SYNC;
    /// PTPv2 over Ethernet, Delay_Req.
    pub const PTP_V2_L2_DELAY_REQ: u32 =
        bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_L2_DELAY_REQ;
    /// PTPv2 over any layer, any event message.
    pub const PTP_V2_EVENT: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_EVENT;
    /// PTPv2 over any layer, Sync.
    pub const PTP_V2_SYNC: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_SYNC;
    /// PTPv2 over any layer, Delay_Req.
    pub const PTP_V2_DELAY_REQ: u32 =
        bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_PTP_V2_DELAY_REQ;
    /// NTP packets.
    pub const NTP_ALL: u32 = bindings::hwtstamp_rx_filters_HWTSTAMP_FILTER_NTP_ALL;
}

/// `SOF_TIMESTAMPING_*` capabilities reported by `get_ts_info`.
pub mod sof {
    use crate::bindings;
    /// Hardware transmit timestamps.
    pub const TX_HARDWARE: u32 = bindings::SOF_TIMESTAMPING_TX_HARDWARE;
    /// Hardware receive timestamps.
    pub const RX_HARDWARE: u32 = bindings::SOF_TIMESTAMPING_RX_HARDWARE;
    /// Hardware timestamps are reported raw (in the device clock's time).
    pub const RAW_HARDWARE: u32 = bindings::SOF_TIMESTAMPING_RAW_HARDWARE;
    /// Software transmit timestamps (the driver calls
    /// [`SkBuff::tx_timestamp`](super::super::skb::SkBuff::tx_timestamp)).
    pub const TX_SOFTWARE: u32 = bindings::SOF_TIMESTAMPING_TX_SOFTWARE;
}

/// A timestamping configuration (`struct kernel_hwtstamp_config`): the fields a driver
/// applies. `tx_type` is a [`tx_type`] value, `rx_filter` a [`rx_filter`] value; the core
/// has checked both are known values and `flags` known flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HwTstampConfig {
    /// `HWTSTAMP_FLAG_*`.
    pub flags: u32,
    /// Transmit type.
    pub tx_type: u32,
    /// Receive filter; a driver that applies a wider filter than asked writes it back.
    pub rx_filter: u32,
}

impl HwTstampConfig {
    pub(crate) fn from_raw(c: &bindings::kernel_hwtstamp_config) -> Self {
        Self {
            flags: c.flags as u32,
            tx_type: c.tx_type as u32,
            rx_filter: c.rx_filter as u32,
        }
    }

    pub(crate) fn write_raw(&self, c: &mut bindings::kernel_hwtstamp_config) {
        c.flags = self.flags as i32;
        c.tx_type = self.tx_type as i32;
        c.rx_filter = self.rx_filter as i32;
    }
}

/// Timestamping capabilities (`get_ts_info`); the PHC index is filled in by the abstraction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TsInfo {
    /// `SOF_TIMESTAMPING_*` bits ([`sof`]).
    pub so_timestamping: u32,
    /// A bit per supported [`tx_type`].
    pub tx_types: u32,
    /// A bit per supported [`rx_filter`].
    pub rx_filters: u32,
}

/// The PTP hardware clock a device registers ([`Config::ptp`](super::dev::Config::ptp)).
#[derive(Clone, Copy)]
pub struct ClockInfo {
    /// Name shown in `/sys/class/ptp/ptpN/clock_name` (at most 15 bytes).
    pub name: &'static CStr,
    /// Largest frequency offset `ptp_adjfine` accepts, in parts per billion.
    pub max_adj_ppb: i32,
    /// The driver's module, pinned while the clock's character device is open.
    pub owner: &'static crate::ThisModule,
}

/// System time readings taken around a device clock reading (`struct ptp_system_timestamp`)
/// for `PTP_SYS_OFFSET_EXTENDED`.
pub struct SysTimestamps(*mut bindings::ptp_system_timestamp);

impl SysTimestamps {
    pub(crate) fn from_raw(p: *mut bindings::ptp_system_timestamp) -> Self {
        Self(p)
    }

    /// Reads the system clock just before the device clock's first register read.
    pub fn pre(&mut self) {
        // SAFETY: `self.0` is NULL or the core's timestamp buffer for this callback;
        // `ptp_read_system_prets` accepts both.
        unsafe { bindings::ptp_read_system_prets(self.0) }
    }

    /// Reads the system clock just after the device clock's latching register read.
    pub fn post(&mut self) {
        // SAFETY: as in `pre`.
        unsafe { bindings::ptp_read_system_postts(self.0) }
    }
}

/// The PTP hardware clock of a net device, once registered.
///
/// # Invariants
///
/// `clock` is NULL or a clock returned by `ptp_clock_register()` for `info`, not yet
/// unregistered; `info` is never moved while `clock` is not NULL. `aux` says whether `info`
/// has a `do_aux_work` (the clock has a worker); it does not change while `clock` is set.
///
/// The owner unregisters the clock only when nothing else can use it any more (for a net
/// device: after `unregister_netdev()`, once no device callback runs), so every method that
/// finds `clock` set may use it.
#[repr(C)]
pub struct Clock {
    info: Opaque<bindings::ptp_clock_info>,
    clock: AtomicPtr<bindings::ptp_clock>,
    aux: AtomicBool,
}

// SAFETY: the methods only pass the clock to `ptp_*` functions, which may be called from any
// thread while it is registered (see the type invariants for unregistration).
unsafe impl Send for Clock {}
// SAFETY: as above.
unsafe impl Sync for Clock {}

impl Clock {
    /// An unregistered clock.
    pub(crate) const fn new() -> Self {
        Self {
            info: Opaque::zeroed(),
            clock: AtomicPtr::new(core::ptr::null_mut()),
            aux: AtomicBool::new(false),
        }
    }

    pub(crate) fn is_registered(&self) -> bool {
        !self.clock.load(Ordering::Acquire).is_null()
    }

    /// Registers the clock at `this` with `ops` as its callbacks and `parent` as its parent
    /// device. The callbacks get the `ptp_clock_info` pointer derived from `this`.
    ///
    /// # Safety
    ///
    /// `this` must be valid, not move until [`Clock::unregister`], and not be registered
    /// already; every callback of `ops` must be callable until then.
    pub(crate) unsafe fn register(
        this: *mut Self,
        ci: &ClockInfo,
        ops: bindings::ptp_clock_info,
        parent: *mut bindings::device,
    ) -> Result {
        // SAFETY: `this` is valid (caller's guarantee); the pointer keeps its provenance, so
        // the callbacks may step back from `info` to the structure that holds the clock.
        let info = Opaque::cast_into(unsafe { &raw const (*this).info });
        // SAFETY: `this` is valid; `aux` is published with `clock` below.
        unsafe {
            (*this)
                .aux
                .store(ops.do_aux_work.is_some(), Ordering::Relaxed)
        };
        // SAFETY: not registered, so nothing else reads `info`; we fill it in before handing
        // it to the core.
        unsafe {
            info.write(ops);
            (*info).owner = ci.owner.as_ptr();
            let name = ci.name.to_bytes();
            let n = name.len().min((*info).name.len() - 1);
            for (d, s) in (*info).name.iter_mut().zip(&name[..n]) {
                *d = *s as crate::ffi::c_char;
            }
            (*info).max_adj = ci.max_adj_ppb;
        }
        // SAFETY: `info` is filled in and stays put until `unregister` (caller's guarantee).
        let clock = unsafe { bindings::ptp_clock_register(info, parent) };
        if clock.is_null() {
            return Err(ENODEV);
        }
        // `ptp_clock_register` returns a clock, NULL or an `ERR_PTR`.
        let clock = crate::error::from_err_ptr(clock)?;
        // INVARIANT: a clock registered for `info`, which the caller keeps in place.
        // SAFETY: `this` is valid.
        unsafe { (*this).clock.store(clock, Ordering::Release) };
        Ok(())
    }

    /// Unregisters the clock, if registered; no callback runs after this returns.
    pub(crate) fn unregister(&self) {
        let clock = self.clock.swap(core::ptr::null_mut(), Ordering::AcqRel);
        if !clock.is_null() {
            // SAFETY: by the type invariant `clock` is registered; we took it out, so this is
            // its only unregistration. `ptp_clock_unregister` waits for running callbacks and
            // stops the auxiliary worker.
            unsafe { bindings::ptp_clock_unregister(clock) };
        }
    }

    /// The clock's index (`/dev/ptpN`), or `None` when no clock is registered.
    pub fn index(&self) -> Option<i32> {
        let clock = self.clock.load(Ordering::Acquire);
        if clock.is_null() {
            return None;
        }
        // SAFETY: by the type invariant `clock` is registered.
        Some(unsafe { bindings::ptp_clock_index(clock) })
    }

    /// Runs the auxiliary worker after `delay_ms` milliseconds (0: as soon as possible); an
    /// earlier schedule is replaced. Does nothing for a clock without a worker.
    pub fn schedule_aux_work(&self, delay_ms: u32) {
        let clock = self.clock.load(Ordering::Acquire);
        if !clock.is_null() && self.aux.load(Ordering::Relaxed) {
            let delay = crate::time::msecs_to_jiffies(delay_ms);
            // SAFETY: by the type invariant `clock` is registered; the worker exists as the
            // registration set `do_aux_work`.
            unsafe { bindings::ptp_schedule_worker(clock, delay) };
        }
    }
}

/// Converts nanoseconds to a `timespec64`.
pub(crate) fn ns_to_timespec(ns: i64) -> bindings::timespec64 {
    bindings::timespec64 {
        tv_sec: ns.div_euclid(1_000_000_000),
        tv_nsec: ns.rem_euclid(1_000_000_000) as crate::ffi::c_long,
    }
}

/// Converts a `timespec64` to nanoseconds (saturating).
pub(crate) fn timespec_to_ns(ts: &bindings::timespec64) -> i64 {
    ts.tv_sec
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as i64)
}

/// The system's real time (`CLOCK_REALTIME`) in nanoseconds, to start a hardware clock from.
pub fn realtime_ns() -> i64 {
    crate::time::Instant::<crate::time::RealTime>::now().as_nanos()
}
