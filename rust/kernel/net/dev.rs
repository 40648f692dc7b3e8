// SPDX-License-Identifier: GPL-2.0

//! Network devices (`struct net_device`) and their registration.
//!
//! C headers: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h),
//! [`include/linux/etherdevice.h`](srctree/include/linux/etherdevice.h)
//!
//! A driver implements [`Driver`] (the `net_device_ops`, as a `#[vtable]` trait: methods it
//! does not implement leave the C pointer NULL) and [`ethtool::Operations`], and creates a
//! [`Registration`] from its bus probe. The registration owns the `net_device`:
//!
//! - the driver-private data ([`Driver::Priv`]) is pin-initialised inside `netdev_priv()` and
//!   never moves;
//!   the initialiser gets a [`NewDevice`] that it cannot keep, the only way to create a
//!   [`Napi`](super::napi::Napi), whose poll is then the device's driver's;
//! - its interrupts (PCI vectors allocated by the registration) are requested before the
//!   device is registered, with the RTNL held from naming the device to registering it, and
//!   dispatched to [`Driver::irq`]: no `ndo_open` can enable a cause that has no handler;
//! - dropping the registration unregisters the device, frees the interrupts, unregisters the
//!   PTP clock, drops the private data (and so every [`Napi`](super::napi::Napi) it holds,
//!   which disables and deletes itself), frees the device and finally the interrupt vectors.
//!   `needs_free_netdev` is never set, so the core never frees memory Rust still points at.
//!
//! Callbacks that the core runs with the RTNL held receive an [`Rtnl`] token; functions that
//! require the RTNL (such as [`Device::update_features`]) take one, so they cannot be called
//! from the data path or from interrupt context. Likewise [`AddrLists`] for the address
//! lists (only inside [`Driver::set_rx_mode`]) and [`Poll`](super::napi::Poll) for a NAPI
//! poll.

use crate::{
    bindings,
    device,
    error::{
        from_result,
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    irq::IrqReturn,
    net::{
        ethtool,
        features::Features,
        ptp::{
            self,
            Clock,
            HwTstampConfig,
            SysTimestamps, //
        },
        skb::SkBuff,
        tls, //
    },
    pci,
    prelude::*,
    sync::atomic::{
        Atomic,
        Full,
        Relaxed, //
    },
    types::Opaque, //
};
use core::{
    marker::PhantomData,
    ptr::NonNull, //
};

/// Proof that the RTNL (`rtnl_lock()`) is held by the current thread.
///
/// Handed to [`Driver`] and [`ethtool::Operations`] callbacks that the core calls under the
/// RTNL, or obtained from [`Rtnl::lock`]. It is neither `Send` nor `Sync`.
pub struct Rtnl(PhantomData<*mut ()>);

impl Rtnl {
    /// # Safety
    ///
    /// The caller must hold the RTNL for the lifetime of the returned reference.
    pub(crate) unsafe fn assume_held<'a>() -> &'a Rtnl {
        const HELD: Rtnl = Rtnl(PhantomData);
        &HELD
    }

    /// Takes the RTNL, sleeping if needed; it is released when the guard drops.
    pub fn lock() -> RtnlGuard {
        // SAFETY: `rtnl_lock` may be called from any process context.
        unsafe { bindings::rtnl_lock() };
        RtnlGuard(Rtnl(PhantomData))
    }
}

/// A value that only code holding the RTNL touches, such as a driver's settings that
/// `ndo_*` callbacks, ethtool operations and its work item change: a plain value instead of
/// an atomic, read and written with the [`Rtnl`] token.
///
/// The token proves the current thread holds the RTNL, a mutex, so accesses through it never
/// overlap and each is ordered after the previous one. The value is `Copy` and never lent
/// out, so code that reads it and then sets it cannot hold a reference across its own write.
/// State that any other context reads (the data path, `ndo_get_stats64`, interrupt
/// handlers) does not belong here: those contexts have no token.
pub struct RtnlCell<T: Copy>(core::cell::UnsafeCell<T>);

// SAFETY: the value is only accessed by threads holding the RTNL (every access takes the
// token), which the mutex serialises and orders. `T: Send` because those threads differ.
unsafe impl<T: Copy + Send> Sync for RtnlCell<T> {}

impl<T: Copy> RtnlCell<T> {
    /// A cell holding `value`.
    pub const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    /// The value.
    pub fn get(&self, _rtnl: &Rtnl) -> T {
        // SAFETY: the RTNL is held (the token), so no other access runs; no reference to the
        // value exists outside this call.
        unsafe { *self.0.get() }
    }

    /// Stores `value`.
    pub fn set(&self, _rtnl: &Rtnl, value: T) {
        // SAFETY: as in `get`.
        unsafe { *self.0.get() = value }
    }

    /// Stores `value` and returns the value it replaced.
    pub fn replace(&self, rtnl: &Rtnl, value: T) -> T {
        let old = self.get(rtnl);
        self.set(rtnl, value);
        old
    }
}

/// The RTNL, held until this guard is dropped. Dereferences to [`Rtnl`].
pub struct RtnlGuard(Rtnl);

impl core::ops::Deref for RtnlGuard {
    type Target = Rtnl;
    fn deref(&self) -> &Rtnl {
        &self.0
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: this guard was created by `Rtnl::lock`, which took the RTNL.
        unsafe { bindings::rtnl_unlock() };
    }
}

/// A network device being set up by [`Registration::new`] for driver `T`: what the private
/// data initialiser gets. It is not registered yet, and the reference cannot outlive the
/// initialiser (the closure is called with a reference of its own, shorter lifetime), so
/// nothing the initialiser builds can keep it. Dereferences to [`Device`].
///
/// # Invariants
///
/// The device's driver is `T` (its private area holds `T`'s data, being initialised).
#[repr(transparent)]
pub struct NewDevice<T: Driver> {
    dev: Device,
    _t: PhantomData<fn() -> T>,
}

impl<T: Driver> NewDevice<T> {
    /// # Safety
    ///
    /// `ptr` must point to a valid, unregistered `struct net_device` whose driver is `T`, for
    /// the lifetime `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a NewDevice<T> {
        // SAFETY: guaranteed by the caller; `NewDevice` is a transparent wrapper of `Device`,
        // itself transparent over the C struct.
        unsafe { &*ptr.cast() }
    }
}

impl<T: Driver> core::ops::Deref for NewDevice<T> {
    type Target = Device;
    fn deref(&self) -> &Device {
        &self.dev
    }
}

/// Proof that the address lists of a device are locked (`netif_addr_lock_bh()`), as they are
/// around [`Driver::set_rx_mode`], which gets it. Neither `Send` nor `Sync`, so it cannot
/// leave the callback; reading the lists needs it, since entries are freed (RCU) as soon as
/// the lock is dropped.
pub struct AddrLists<'a> {
    dev: &'a Device,
    _not_send: PhantomData<*mut ()>,
}

impl AddrLists<'_> {
    /// Copies up to `out.len()` multicast addresses of the device; returns how many were
    /// copied.
    pub fn copy_mc_addrs(&self, out: &mut [[u8; 6]]) -> usize {
        // SAFETY: `out` has room for `out.len()` addresses of 6 bytes; the list lock is held
        // while `self` exists.
        unsafe {
            bindings::netdev_mc_copy(
                self.dev.as_raw(),
                out.as_mut_ptr().cast(),
                out.len().try_into().unwrap_or(i32::MAX),
            ) as usize
        }
    }
}

/// A network device, as the C `struct net_device`.
///
/// # Invariants
///
/// A `&Device` always points to a valid `struct net_device` that outlives the reference.
#[repr(transparent)]
pub struct Device(Opaque<bindings::net_device>);

// SAFETY: `struct net_device` is shared by the core between CPUs. Through `&Device` a caller
// can only call C functions that may run in any context and take their own locks, read plain
// fields (a racy read of a word the core updates gives a stale value, as in C), or reach state
// that one context protects through that context's proof (`Rtnl` for the RTNL-protected
// settings, `AddrLists` for the address lists, `Poll` for a NAPI instance's GRO state).
unsafe impl Sync for Device {}
// SAFETY: see `Sync`.
unsafe impl Send for Device {}

/// A device's identity, for comparisons only (see [`Device::id`]): its network namespace's
/// cookie, which is never reused, and its interface index in that namespace. Unlike the
/// device's address it does not name another device once this one is gone (until the
/// namespace's indexes wrap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceId {
    pub(crate) net: u64,
    pub(crate) ifindex: i32,
}

impl DeviceId {
    /// The namespace cookie and the interface index, to keep where kernel types cannot go.
    pub fn as_pair(self) -> (u64, i32) {
        (self.net, self.ifindex)
    }
}

impl Device {
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct net_device` for the lifetime `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net_device) -> &'a Device {
        // SAFETY: guaranteed by the caller; `Device` is a transparent wrapper.
        unsafe { &*ptr.cast() }
    }

    /// Returns the raw `struct net_device` pointer.
    pub fn as_raw(&self) -> *mut bindings::net_device {
        self.0.get()
    }

    /// The interface name (`eth0`, ...).
    pub fn name(&self) -> &CStr {
        // SAFETY: `name` is a NUL-terminated array inside a valid `net_device`.
        unsafe { CStr::from_char_ptr((*self.as_raw()).name.as_ptr()) }
    }

    /// The current MTU.
    pub fn mtu(&self) -> u32 {
        // SAFETY: the device is valid; `mtu` is read with READ_ONCE semantics in C too.
        unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).mtu) }
    }

    /// The interface flags (`IFF_*`, as in `dev->flags`).
    pub fn flags(&self) -> u32 {
        // SAFETY: the device is valid.
        unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).flags) }
    }

    /// Returns `true` if the interface is in promiscuous mode (`IFF_PROMISC`).
    pub fn is_promisc(&self) -> bool {
        self.flags() & bindings::net_device_flags_IFF_PROMISC != 0
    }

    /// Returns `true` if all multicast frames are wanted (`IFF_ALLMULTI`).
    pub fn is_allmulti(&self) -> bool {
        self.flags() & bindings::net_device_flags_IFF_ALLMULTI != 0
    }

    /// Returns `true` between `ndo_open` and `ndo_stop`.
    pub fn is_running(&self) -> bool {
        // SAFETY: the device is valid.
        unsafe { bindings::netif_running(self.as_raw()) }
    }

    /// Reports that the link is up.
    pub fn carrier_on(&self) {
        // SAFETY: the device is valid; `netif_carrier_on` may be called from any context.
        unsafe { bindings::netif_carrier_on(self.as_raw()) }
    }

    /// Reports that the link is down.
    pub fn carrier_off(&self) {
        // SAFETY: the device is valid; `netif_carrier_off` may be called from any context.
        unsafe { bindings::netif_carrier_off(self.as_raw()) }
    }

    /// Returns `true` if the carrier is on.
    pub fn carrier_ok(&self) -> bool {
        // SAFETY: the device is valid.
        unsafe { bindings::netif_carrier_ok(self.as_raw()) }
    }

    /// Marks the device as gone from its bus (`netif_device_detach`): its transmit queues
    /// stop, and the core refuses to open it and answers ethtool requests with `ENODEV`.
    /// For a device that was surprise-removed or stopped answering; it stays registered
    /// until the driver unbinds. Any context.
    pub fn device_detach(&self) {
        // SAFETY: the device is valid; `netif_device_detach` only changes state bits and
        // stops the queues, which may be done from any context.
        unsafe { bindings::netif_device_detach(self.as_raw()) }
    }

    /// Returns `false` once the device has been detached ([`Device::device_detach`]).
    pub fn is_present(&self) -> bool {
        // SAFETY: the device is valid.
        unsafe { bindings::netif_device_present(self.as_raw()) }
    }

    /// The current Ethernet address.
    pub fn address(&self) -> [u8; 6] {
        let mut a = [0u8; 6];
        // SAFETY: `dev_addr` of an Ethernet device points to at least 6 bytes.
        unsafe { core::ptr::copy_nonoverlapping((*self.as_raw()).dev_addr, a.as_mut_ptr(), 6) };
        a
    }

    /// Stops every transmit queue and waits for running transmits to finish
    /// (`netif_tx_disable`). Call from [`Driver::stop`].
    pub fn tx_disable(&self, _rtnl: &Rtnl) {
        // SAFETY: the device is valid; `netif_tx_disable` takes each queue's lock itself.
        unsafe { bindings::netif_tx_disable(self.as_raw()) }
    }

    /// Number of transmit queues in use.
    pub fn real_num_tx_queues(&self) -> u32 {
        // SAFETY: the device is valid.
        unsafe { (*self.as_raw()).real_num_tx_queues }
    }

    /// Transmit queue `index`, if it exists.
    pub fn tx_queue(&self, index: u32) -> Option<&TxQueue> {
        if index >= self.real_num_tx_queues() {
            return None;
        }
        // SAFETY: `index` is below `real_num_tx_queues`; the queue lives as long as `self`.
        Some(unsafe { TxQueue::from_raw(bindings::netdev_get_tx_queue(self.as_raw(), index)) })
    }

    /// Returns `true` if the current transmit is followed by more (`xmit_more`), so the
    /// doorbell may be deferred. Meaningful only inside [`Driver::start_xmit`].
    pub fn xmit_more() -> bool {
        // SAFETY: reads a per-CPU flag; valid in any context.
        unsafe { bindings::netdev_xmit_more() }
    }

    /// The active features (`dev->features`).
    pub fn features(&self) -> Features {
        // SAFETY: the device is valid; a torn read is impossible for an aligned u64.
        Features::from_raw(unsafe {
            core::ptr::read_volatile(&raw const (*self.as_raw()).features)
        })
    }

    /// The user-changeable features (`dev->hw_features`). Under the RTNL, which its writers hold.
    pub fn hw_features(&self, _rtnl: &Rtnl) -> Features {
        // SAFETY: the device is valid; the RTNL (proved by `_rtnl`) excludes writers.
        Features::from_raw(unsafe { (*self.as_raw()).hw_features })
    }

    /// The features the user asked for (`dev->wanted_features`). Under the RTNL, which its writers hold.
    pub fn wanted_features(&self, _rtnl: &Rtnl) -> Features {
        // SAFETY: the device is valid; the RTNL (proved by `_rtnl`) excludes writers.
        Features::from_raw(unsafe { (*self.as_raw()).wanted_features })
    }

    /// The features VLAN devices stacked on this one may use (`dev->vlan_features`). Under the RTNL, which its writers hold.
    pub fn vlan_features(&self, _rtnl: &Rtnl) -> Features {
        // SAFETY: the device is valid; the RTNL (proved by `_rtnl`) excludes writers.
        Features::from_raw(unsafe { (*self.as_raw()).vlan_features })
    }

    /// The features encapsulating devices may use (`dev->hw_enc_features`). Under the RTNL, which its writers hold.
    pub fn hw_enc_features(&self, _rtnl: &Rtnl) -> Features {
        // SAFETY: the device is valid; the RTNL (proved by `_rtnl`) excludes writers.
        Features::from_raw(unsafe { (*self.as_raw()).hw_enc_features })
    }

    /// Replaces the user-changeable features (a capability change). Follow with
    /// [`Device::update_features`] so that `features` is recomputed and userspace told.
    pub fn set_hw_features(&self, _rtnl: &Rtnl, f: Features) {
        // SAFETY: the RTNL is held (proved by `_rtnl`), which serialises feature writers.
        unsafe { (*self.as_raw()).hw_features = f.raw() };
    }

    /// Replaces the features stacked VLAN devices inherit. Follow with
    /// [`Device::change_features`], which notifies even when `features` is unchanged.
    pub fn set_vlan_features(&self, _rtnl: &Rtnl, f: Features) {
        // SAFETY: the RTNL is held (proved by `_rtnl`).
        unsafe { (*self.as_raw()).vlan_features = f.raw() };
    }

    /// Replaces the features encapsulating devices inherit.
    pub fn set_hw_enc_features(&self, _rtnl: &Rtnl, f: Features) {
        // SAFETY: the RTNL is held (proved by `_rtnl`).
        unsafe { (*self.as_raw()).hw_enc_features = f.raw() };
    }

    /// Recomputes `features` through `ndo_fix_features`/`ndo_set_features`; userspace gets
    /// `ETHTOOL_MSG_FEATURES_NTF` if they changed. Must not be called from inside
    /// [`Driver::fix_features`] or [`Driver::set_features`].
    pub fn update_features(&self, _rtnl: &Rtnl) {
        // SAFETY: the device is valid and registered while a `&Device` exists in a callback;
        // the RTNL is held (proved by `_rtnl`).
        unsafe { bindings::netdev_update_features(self.as_raw()) }
    }

    /// Like [`Device::update_features`] but always notifies (upper devices recompute too).
    pub fn change_features(&self, _rtnl: &Rtnl) {
        // SAFETY: as for `update_features`.
        unsafe { bindings::netdev_change_features(self.as_raw()) }
    }

    /// Schedules [`Driver::work`] with `events` ORed into its pending events. It runs later in
    /// process context with the RTNL held. Callable from process and softirq context (NAPI
    /// poll, timers), not from a hard interrupt handler: `netdev_work_sched()` takes a BH lock.
    /// Interrupt handlers hand the event to NAPI instead. Before the device is registered
    /// (in the private data initialiser) nothing is scheduled: a device that then fails to
    /// register is freed at once, work or not.
    pub fn schedule_work(&self, events: usize) {
        if !self.is_registered() {
            return;
        }
        // The work list's lock is taken with bottom halves off, which a hard interrupt
        // handler or code with interrupts off (a netpoll poll) must not do: from there the
        // events go through the timer of `schedule_work_after`, one jiffy later.
        // SAFETY: reads the current context only.
        if unsafe { bindings::netdev_bh_forbidden() } {
            self.schedule_work_after(events, 0);
            return;
        }
        // SAFETY: the device is valid; `netdev_work_sched` takes its own lock and ignores
        // devices being unregistered.
        unsafe { bindings::netdev_work_sched(self.as_raw(), events) }
    }

    /// Whether the device is registered (not before `register_netdev()`, not once
    /// unregistering started).
    fn is_registered(&self) -> bool {
        // SAFETY: the device is valid; `reg_state` is a plain byte, read once as the C
        // `READ_ONCE(dev->reg_state)`.
        let state = unsafe { core::ptr::read_volatile(&raw const (*self.as_raw()).reg_state) };
        u32::from(state) == bindings::netdev_reg_state_NETREG_REGISTERED
    }

    /// Schedules [`Driver::work`] with `events` ORed into its pending events, `msecs`
    /// milliseconds from now (at least one jiffy): periodic service such as a watchdog,
    /// re-armed from [`Driver::work`] itself. Events already waiting for a delay are handed
    /// over together with these, at the earlier of the two times. Any context, hard
    /// interrupts included; what comes due while the device is not registered is dropped,
    /// as with [`Device::schedule_work`].
    pub fn schedule_work_after(&self, events: usize, msecs: u32) {
        let later = self.later();
        let mut old = later.events.load(Relaxed);
        while let Err(now) = later.events.cmpxchg(old, old | events, Full) {
            old = now;
        }
        let delay = crate::time::msecs_to_jiffies(msecs).max(1);
        // SAFETY: `jiffies` is always readable; a volatile read as the C `READ_ONCE`.
        let now = unsafe { core::ptr::read_volatile(&raw const bindings::jiffies) };
        // SAFETY: the timer was set up by `Registration::new` and lives as long as the
        // device; once it is shut down (teardown) `timer_reduce` does nothing.
        unsafe { bindings::timer_reduce(later.timer.get(), now.wrapping_add(delay)) };
    }

    /// The delayed-work timer of the registration that owns the device.
    fn later(&self) -> &Later {
        // SAFETY: every `Device` handed out belongs to a `Registration`, whose private area
        // starts with the `PrivBox` prefix; the timer lives as long as the device.
        unsafe {
            &*bindings::netdev_priv(self.as_raw())
                .cast::<u8>()
                .add(LATER_OFFSET)
                .cast::<Later>()
        }
    }

    /// Number of multicast addresses the stack wants received.
    pub fn mc_count(&self) -> usize {
        // SAFETY: the device is valid.
        unsafe { (*self.as_raw()).mc.count as usize }
    }

    /// Runs [`Driver::set_rx_mode`] again with the address lists locked, as the core does
    /// when they change: for a driver whose reset cleared its receive filters (promiscuity,
    /// multicast table). Does nothing unless the interface is up (the core programs the
    /// filters itself after `ndo_open`).
    pub fn resync_rx_mode(&self, _rtnl: &Rtnl) {
        // SAFETY: the device is valid and the RTNL is held (the token proves it).
        unsafe { bindings::netdev_resync_rx_mode(self.as_raw()) };
    }

    /// The PTP hardware clock registered with the device, if any.
    pub fn ptp_clock(&self) -> Option<&Clock> {
        // SAFETY: every `Device` handed out belongs to a `Registration`, whose private area
        // starts with the `PrivBox` prefix; the clock lives as long as the device.
        let c = unsafe {
            &*bindings::netdev_priv(self.as_raw())
                .cast::<u8>()
                .add(PTP_OFFSET)
                .cast::<Clock>()
        };
        c.is_registered().then_some(c)
    }

    /// The device as a generic [`device::Device`] (its `dev` member).
    pub fn as_dev(&self) -> &device::Device {
        // SAFETY: `dev` is a valid, initialised `struct device` inside the net_device.
        unsafe { device::Device::from_raw(&raw mut (*self.as_raw()).dev) }
    }
}

/// A transmit queue (`struct netdev_queue`) with its byte queue limits.
#[repr(transparent)]
pub struct TxQueue(Opaque<bindings::netdev_queue>);

impl TxQueue {
    /// # Safety
    ///
    /// `ptr` must be a valid `struct netdev_queue` for the lifetime `'a`.
    unsafe fn from_raw<'a>(ptr: *mut bindings::netdev_queue) -> &'a TxQueue {
        // SAFETY: guaranteed by the caller.
        unsafe { &*ptr.cast() }
    }

    fn as_raw(&self) -> *mut bindings::netdev_queue {
        self.0.get()
    }

    /// Allows the stack to transmit on this queue.
    pub fn start(&self) {
        // SAFETY: the queue is valid.
        unsafe { bindings::netif_tx_start_queue(self.as_raw()) }
    }

    /// Stops the stack transmitting on this queue (the ring is full).
    pub fn stop(&self) {
        // SAFETY: the queue is valid.
        unsafe { bindings::netif_tx_stop_queue(self.as_raw()) }
    }

    /// Restarts a stopped queue and reschedules it.
    pub fn wake(&self) {
        // SAFETY: the queue is valid.
        unsafe { bindings::netif_tx_wake_queue(self.as_raw()) }
    }

    /// Returns `true` if the queue is stopped.
    pub fn is_stopped(&self) -> bool {
        // SAFETY: the queue is valid.
        unsafe { bindings::netif_tx_queue_stopped(self.as_raw()) }
    }

    /// Makes `napi` the instance that completes this queue's transmissions (also what
    /// netlink's `queue-get` reports), or none. Under the RTNL.
    pub fn set_napi(&self, _rtnl: &Rtnl, napi: Option<&super::napi::Napi>) {
        let n = napi.map_or(core::ptr::null_mut(), |n| n.as_raw());
        // SAFETY: the queue is valid; `n` is NULL or an instance added to a device, and the
        // RTNL is held, as `netif_queue_set_napi` requires of devices without ops locking.
        unsafe { bindings::netdev_txq_set_napi(self.as_raw(), n) }
    }

    /// Accounts `pkts` packets and `bytes` completed by the hardware (BQL), from a poll of
    /// the queue's NAPI instance ([`TxQueue::set_napi`]): that makes the completions of a
    /// queue one instance's, whose polls never overlap. Refused with `EINVAL`, changing
    /// nothing, from another instance's poll, or for more bytes than are outstanding (the
    /// byte queue limit would hit a `BUG_ON`).
    pub fn completed(&self, poll: &super::napi::Poll<'_>, pkts: u32, bytes: u32) -> Result {
        let q = self.as_raw();
        // SAFETY: the queue is valid; its `napi` is set under the RTNL and read once here.
        let owner = unsafe { core::ptr::read_volatile(&raw const (*q).napi) };
        if owner != poll.napi().as_raw() {
            return Err(EINVAL);
        }
        // SAFETY: the queue is valid; only this instance's polls complete it (checked above).
        if bytes > unsafe { bindings::netdev_bql_outstanding(q) } {
            return Err(EINVAL);
        }
        // SAFETY: the queue is valid; completions are serialised by its NAPI instance.
        unsafe { bindings::netdev_tx_completed_queue(q, pkts, bytes) };
        Ok(())
    }

    /// Forgets outstanding BQL state, after the ring was cleaned without completions. Under
    /// the RTNL (from `ndo_stop` or a reset), with the queue stopped (no transmission adds to
    /// it) and its NAPI instance disabled (no completion takes from it); refused with
    /// `EBUSY`, changing nothing, otherwise.
    pub fn reset(&self, _rtnl: &Rtnl) -> Result {
        let q = self.as_raw();
        // SAFETY: the queue is valid; its `napi`, set under the RTNL we hold, is NULL or the
        // first field of a `#[repr(C)]` `Napi`, alive while the device is.
        let napi_on = unsafe {
            let n = (*q).napi;
            !n.is_null() && (*n.cast::<super::napi::Napi>()).is_enabled()
        };
        if !self.is_stopped() || napi_on {
            return Err(EBUSY);
        }
        // SAFETY: the queue is valid; nothing transmits on it or completes it meanwhile.
        unsafe { bindings::netdev_tx_reset_queue(q) };
        Ok(())
    }
}

/// Proof that the current code is the transmit path of queue [`Xmit::queue`], holding its
/// xmit lock: handed to [`Driver::start_xmit`] and to nothing else, and neither `Send` nor
/// `Sync`. Byte queue accounting of sent packets needs it.
pub struct Xmit<'a> {
    queue: &'a TxQueue,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> Xmit<'a> {
    /// The queue the packet is to go out on (`skb->queue_mapping`).
    pub fn queue(&self) -> &'a TxQueue {
        self.queue
    }

    /// Accounts `bytes` handed to the hardware (BQL). Returns `true` if the doorbell must be
    /// rung now: `xmit_more` is false or BQL just stopped the queue.
    pub fn sent(&self, bytes: u32, xmit_more: bool) -> bool {
        // SAFETY: the queue is valid; we are its transmit path, which holds its xmit lock.
        unsafe { bindings::__netdev_tx_sent_queue(self.queue.as_raw(), bytes, xmit_more) }
    }
}

/// What [`Driver::start_xmit`] did with a packet.
pub enum TxResult {
    /// The driver took the packet (queued, or dropped and counted).
    Ok,
    /// The ring had no room: the packet goes back to the core, which retries it later.
    /// The driver should have stopped the queue before this can happen.
    Busy(SkBuff),
}

/// Interface statistics reported by [`Driver::get_stats64`] (`struct rtnl_link_stats64`).
pub type Stats64 = bindings::rtnl_link_stats64;

/// Static configuration of a device, applied before it is registered.
#[derive(Clone)]
pub struct Config {
    /// Permanent (and initial) Ethernet address.
    pub address: [u8; 6],
    /// Number of transmit and receive queues.
    pub queues: (u32, u32),
    /// Smallest and largest MTU accepted.
    pub mtu_range: (u32, u32),
    /// Features the user may toggle (`hw_features`).
    pub hw_features: Features,
    /// Initially active features (`features`); always-on bits not in `hw_features` show as
    /// `[fixed]` in ethtool.
    pub features: Features,
    /// Features stacked VLAN devices inherit.
    pub vlan_features: Features,
    /// Features encapsulating (tunnel) devices inherit.
    pub hw_enc_features: Features,
    /// Features MPLS devices inherit.
    pub mpls_features: Features,
    /// Largest GSO packet the device takes, in bytes.
    pub tso_max_size: u32,
    /// Largest number of segments in one GSO packet.
    pub tso_max_segs: u32,
    /// Transmit watchdog timeout in milliseconds; 0 disables [`Driver::tx_timeout`].
    pub watchdog_ms: u32,
    /// The PTP hardware clock to register, for a driver that implements the `ptp_*`
    /// methods.
    pub ptp: Option<super::ptp::ClockInfo>,
}

/// The `net_device_ops` of a driver.
///
/// Methods that are not implemented leave their `ndo_*` pointer NULL, so the core's default
/// applies. `'a` is the life of the registration: everything a callback receives is valid
/// for the whole callback, and nothing can be kept beyond it.
#[vtable]
pub trait Driver: Sized + 'static {
    /// Driver-private data, pinned in `netdev_priv()` for the life of the registration.
    type Priv<'a>: Send + Sync + 'a;

    /// `ndo_open`: bring the interface up (allocate rings, enable NAPI and interrupts).
    fn open<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_stop`: bring the interface down; no DMA may be in flight when this returns.
    fn stop<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_start_xmit`: queue one packet. Runs with the queue's xmit lock held, BH disabled.
    fn start_xmit<'a>(
        skb: SkBuff,
        dev: &'a Device,
        this: Pin<&'a Self::Priv<'a>>,
        xmit: &Xmit<'a>,
    ) -> TxResult;

    /// `ndo_get_stats64`: fill `stats`. May run concurrently with anything (RCU context).
    fn get_stats64<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _stats: &mut Stats64) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_change_mtu`: validate and apply `mtu` (already within the MTU range). On success
    /// the abstraction stores the new MTU in the device.
    fn change_mtu<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _mtu: u32,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_set_mac_address`: program a new unicast address (already checked to be a valid
    /// unicast address). On success the abstraction stores it in the device.
    fn set_mac_address<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _addr: &[u8; 6],
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_set_rx_mode`: program promiscuous/multicast filtering from [`Device::flags`] and
    /// the address lists, which `lists` reads. Atomic context, address lists locked.
    fn set_rx_mode<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _lists: &AddrLists<'a>) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_fix_features`: return `features` with whatever the device cannot do right now
    /// removed. Stateless: depends only on its inputs and recorded device state.
    fn fix_features<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _features: Features,
    ) -> Features {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_set_features`: program `features` into the hardware. On error the core keeps the
    /// old `features`, so the hardware must be left as it was.
    fn set_features<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _features: Features,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_features_check`: the offloads `skb` may use; remove those the hardware cannot
    /// apply to this packet. Data path.
    fn features_check<'a>(_skb: &SkBuff, _dev: &'a Device, _features: Features) -> Features {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_tx_timeout`: queue `txqueue` made no progress. Atomic context: schedule recovery.
    fn tx_timeout<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _txqueue: u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_vlan_rx_add_vid`: start receiving VLAN `vid` (`proto` is the tag protocol,
    /// host order).
    fn vlan_rx_add_vid<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _proto: u16,
        _vid: u16,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_vlan_rx_kill_vid`: stop receiving VLAN `vid`.
    fn vlan_rx_kill_vid<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _proto: u16,
        _vid: u16,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_work`: deferred work scheduled with [`Device::schedule_work`] or
    /// [`Device::schedule_work_after`]; process context, RTNL held (these devices do not
    /// opt in to the instance lock of ops locking). `events` is the OR of everything
    /// scheduled.
    fn work<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl, _events: usize) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// NAPI poll of instance `poll.napi()` (see [`Napi`](super::napi::Napi)); `poll` proves to
    /// the calls that need it that they run in the poll. Consume RX work from
    /// `budget` only; clean TX freely. Return [`NapiPoll::More`] if work is left that the
    /// budget did not cover. The abstraction completes NAPI when allowed and only then calls
    /// [`Driver::napi_complete`].
    fn poll<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _poll: &super::napi::Poll<'a>,
        _budget: &mut super::napi::Budget,
    ) -> super::napi::NapiPoll {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Interrupt handler of vector `slot` (hard interrupt context). The device may be down,
    /// or not registered yet: interrupts arrive from just before registration (a shared INTx
    /// line, or a cause left enabled) until just after unregistration.
    fn irq<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _slot: u32) -> IrqReturn {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `tls_dev_add`: install the offload of one direction of connection `sk`, whose TCP
    /// sequence number for the first offloaded byte is `start_tcp_sn`, and return the handle
    /// that names it from now on (unique among the connections the driver holds: it comes
    /// back with [`Driver::tls_del`], [`Driver::tls_resync`] and every packet to encrypt).
    /// Any error leaves the connection in software. Process context, socket locked.
    fn tls_add<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _sk: &tls::Socket,
        _dir: tls::Direction,
        _info: &tls::CryptoInfo<'_>,
        _start_tcp_sn: u32,
    ) -> Result<tls::Handle> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `tls_dev_del`: remove the offload named `handle` in direction `dir`; the handle is
    /// not used after this returns. Process context (a work item for transmit offloads,
    /// after the socket is gone); the RTNL may or may not be held (`tls_device_down` holds
    /// it): never take it.
    fn tls_del<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _handle: tls::Handle,
        _dir: tls::Direction,
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `tls_dev_resync`: in the offload named `handle`, the record starting at TCP sequence
    /// `seq` has record number `rcd_sn`. Transmit: process context, socket locked; receive:
    /// under `rcu_read_lock()` (must not sleep).
    fn tls_resync<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _handle: tls::Handle,
        _seq: u32,
        _rcd_sn: &[u8; 8],
        _dir: tls::Direction,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_hwtstamp_get`: the timestamping configuration in force.
    fn hwtstamp_get<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
    ) -> Result<HwTstampConfig> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `ndo_hwtstamp_set`: apply `cfg` (RTNL held). A value the hardware does not support is
    /// rejected with `ERANGE` and changes nothing; a receive filter widened to what the
    /// hardware can do is written back to `cfg`.
    fn hwtstamp_set<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _cfg: &mut HwTstampConfig,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// PTP clock `gettimex64`: the clock's time in nanoseconds, with `sts` taken around the
    /// register read that latches it. Process context; the clock callbacks may run
    /// concurrently with each other and with everything else.
    fn ptp_gettimex<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _sts: &mut SysTimestamps,
    ) -> Result<i64> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// PTP clock `settime64`: set the clock to `ns`.
    fn ptp_settime<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _ns: i64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// PTP clock `adjtime`: move the clock by `delta` nanoseconds.
    fn ptp_adjtime<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _delta: i64) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// PTP clock `adjfine`: run the clock `scaled_ppm` (ppm with 16 fractional bits) off its
    /// nominal frequency; the core keeps it within [`ptp::ClockInfo::max_adj_ppb`].
    fn ptp_adjfine<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _scaled_ppm: i64,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// PTP clock auxiliary work (a kthread), run when scheduled with
    /// [`Clock::schedule_aux_work`]; returns the delay in milliseconds before it runs again,
    /// or `None`.
    fn ptp_aux_work<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> Option<u32> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Called after `napi_complete_done()` returned true for `napi`: re-enable its interrupts.
    fn napi_complete<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _napi: &'a super::napi::Napi,
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// The private data of a device whose ops are `T`.
///
/// # Safety
///
/// `dev` must be a registered (or registering) device created by [`Registration::new`] with
/// driver `T`, and `'a` must not outlive the current callback.
pub(crate) unsafe fn priv_of<'a, T: Driver>(
    dev: *mut bindings::net_device,
) -> Pin<&'a T::Priv<'a>> {
    // SAFETY: `netdev_priv` of a device created by `Registration::new::<T>` holds an
    // initialised, pinned `PrivBox<T::Priv>` for as long as the device is registered.
    unsafe {
        let b = bindings::netdev_priv(dev).cast::<PrivBox<T::Priv<'a>>>();
        Pin::new_unchecked(&(*b).data)
    }
}

/// Largest number of interrupt vectors a registration manages.
pub const MAX_IRQS: usize = 8;

/// Cookie of one requested interrupt: the device and the vector's slot.
#[repr(C)]
struct IrqCookie {
    dev: *mut bindings::net_device,
    slot: u32,
}

/// Room for an interrupt's name: an interface name (`IFNAMSIZ` with its NUL), a dash and a
/// suffix.
const IRQ_NAME_LEN: usize = 32;

/// The timer behind [`Device::schedule_work_after`]: when it fires, the events gathered
/// so far go to `netdev_work_sched()`.
///
/// # Invariants
///
/// Once `Registration::new` has set it up, `timer` is an initialised `timer_list` whose
/// function is [`Later::fire`], and `dev` is the device whose private area holds this
/// `Later`; the timer is shut down before that device is freed.
#[repr(C)]
struct Later {
    timer: Opaque<bindings::timer_list>,
    events: Atomic<usize>,
    dev: *mut bindings::net_device,
}

impl Later {
    extern "C" fn fire(t: *mut bindings::timer_list) {
        // SAFETY: `t` is the `timer` of a `Later` (the only timer with this function), its
        // first field (`repr(C)`).
        let later = unsafe { &*t.cast::<Later>() };
        let events = later.events.xchg(0, Full);
        // SAFETY: by the type invariant the device outlives its timer, and the timer
        // callback has returned before `timer_shutdown_sync()` does.
        let dev = unsafe { Device::from_raw(later.dev) };
        dev.schedule_work(events);
    }
}

/// What `netdev_priv()` holds: the interrupt cookies and names, the PTP clock, the
/// delayed-work timer, then the driver's data. Everything before `data` has the same layout
/// whatever `P` is.
#[repr(C)]
struct PrivBox<P> {
    cookies: [IrqCookie; MAX_IRQS],
    irq_names: [[u8; IRQ_NAME_LEN]; MAX_IRQS],
    dev: *mut bindings::net_device,
    ptp: Clock,
    later: Later,
    data: P,
}

/// Offset of [`PrivBox::ptp`], the same for every `P` (`repr(C)`, nothing generic before).
const PTP_OFFSET: usize = core::mem::offset_of!(PrivBox<()>, ptp);
/// Offset of [`PrivBox::later`], the same for every `P` (as [`PTP_OFFSET`]).
const LATER_OFFSET: usize = core::mem::offset_of!(PrivBox<()>, later);

/// Writes `<ifname>-<suffix>` (or `<ifname>` for an empty suffix), truncated and
/// NUL-terminated, into `out`.
fn irq_name(out: &mut [u8; IRQ_NAME_LEN], ifname: &[u8], suffix: &[u8]) {
    let mut n = 0;
    let dash: &[u8] = if suffix.is_empty() { b"" } else { b"-" };
    for b in Iterator::chain(Iterator::chain(ifname.iter(), dash), suffix) {
        if n + 1 >= IRQ_NAME_LEN {
            break;
        }
        out[n] = *b;
        n += 1;
    }
    out[n] = 0;
}

struct Adapter<T: Driver>(PhantomData<T>);

// The callbacks below are only ever called by the networking core, with the devices and
// objects documented for each `ndo_*`, on devices created by `Registration::new::<T>`.
impl<T: Driver> Adapter<T> {
    extern "C" fn open(dev: *mut bindings::net_device) -> c_int {
        from_result(|| {
            // SAFETY: `ndo_open` runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::open(d, p, rtnl)?;
            Ok(0)
        })
    }

    extern "C" fn stop(dev: *mut bindings::net_device) -> c_int {
        from_result(|| {
            // SAFETY: `ndo_stop` runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::stop(d, p, rtnl)?;
            Ok(0)
        })
    }

    extern "C" fn start_xmit(
        skb: *mut bindings::sk_buff,
        dev: *mut bindings::net_device,
    ) -> bindings::netdev_tx_t {
        // SAFETY: the core hands over one reference to a valid skb and a valid device, and
        // holds the xmit lock of the skb's queue, which is one of the device's.
        let (skb, d, p, q) = unsafe {
            let q = TxQueue::from_raw(bindings::netdev_get_tx_queue(
                dev,
                bindings::skb_get_queue_mapping(skb).into(),
            ));
            (
                SkBuff::from_raw(skb),
                Device::from_raw(dev),
                priv_of::<T>(dev),
                q,
            )
        };
        let xmit = Xmit {
            queue: q,
            _not_send: PhantomData,
        };
        match T::start_xmit(skb, d, p, &xmit) {
            TxResult::Ok => bindings::netdev_tx_NETDEV_TX_OK,
            TxResult::Busy(skb) => {
                // The core keeps ownership of a packet it gets NETDEV_TX_BUSY for.
                let _ = skb.into_raw();
                bindings::netdev_tx_NETDEV_TX_BUSY
            }
        }
    }

    extern "C" fn get_stats64(
        dev: *mut bindings::net_device,
        stats: *mut bindings::rtnl_link_stats64,
    ) {
        // SAFETY: valid device and a valid, exclusively ours `stats` for the call.
        let (d, p, s) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev), &mut *stats) };
        T::get_stats64(d, p, s)
    }

    extern "C" fn change_mtu(dev: *mut bindings::net_device, mtu: c_int) -> c_int {
        from_result(|| {
            let mtu = u32::try_from(mtu).map_err(|_| EINVAL)?;
            // SAFETY: `ndo_change_mtu` runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::change_mtu(d, p, rtnl, mtu)?;
            // SAFETY: the RTNL is held; `WRITE_ONCE(dev->mtu, mtu)` in C.
            unsafe { core::ptr::write_volatile(&raw mut (*dev).mtu, mtu) };
            Ok(0)
        })
    }

    extern "C" fn set_mac_address(dev: *mut bindings::net_device, addr: *mut c_void) -> c_int {
        from_result(|| {
            let mut mac = [0u8; 6];
            // SAFETY: `addr` is a `struct sockaddr` whose `sa_data`, right after the 2-byte
            // family, holds at least the 6 bytes of an Ethernet address.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    addr.cast::<u8>()
                        .add(core::mem::size_of::<bindings::sa_family_t>()),
                    mac.as_mut_ptr(),
                    6,
                )
            };
            // SAFETY: `mac` is 6 readable bytes.
            if !unsafe { bindings::is_valid_ether_addr(mac.as_ptr()) } {
                return Err(EADDRNOTAVAIL);
            }
            // SAFETY: `ndo_set_mac_address` runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::set_mac_address(d, p, rtnl, &mac)?;
            // SAFETY: the RTNL is held; `mac` is 6 bytes.
            unsafe { bindings::eth_hw_addr_set(dev, mac.as_ptr()) };
            Ok(0)
        })
    }

    extern "C" fn set_rx_mode(dev: *mut bindings::net_device) {
        // SAFETY: valid device; address lists locked by the caller.
        let (d, p) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) };
        let lists = AddrLists {
            dev: d,
            _not_send: PhantomData,
        };
        T::set_rx_mode(d, p, &lists)
    }

    extern "C" fn fix_features(
        dev: *mut bindings::net_device,
        features: bindings::netdev_features_t,
    ) -> bindings::netdev_features_t {
        // SAFETY: `ndo_fix_features` runs with a valid device and the RTNL held.
        let (d, p, rtnl) = unsafe {
            (
                Device::from_raw(dev),
                priv_of::<T>(dev),
                Rtnl::assume_held(),
            )
        };
        T::fix_features(d, p, rtnl, Features::from_raw(features)).raw()
    }

    extern "C" fn set_features(
        dev: *mut bindings::net_device,
        features: bindings::netdev_features_t,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `ndo_set_features` runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::set_features(d, p, rtnl, Features::from_raw(features))?;
            Ok(0)
        })
    }

    extern "C" fn features_check(
        skb: *mut bindings::sk_buff,
        dev: *mut bindings::net_device,
        features: bindings::netdev_features_t,
    ) -> bindings::netdev_features_t {
        // SAFETY: the core lends a valid skb for the call (it keeps ownership).
        let skb = core::mem::ManuallyDrop::new(unsafe { SkBuff::from_raw(skb) });
        // SAFETY: valid device.
        let d = unsafe { Device::from_raw(dev) };
        T::features_check(&skb, d, Features::from_raw(features)).raw()
    }

    extern "C" fn tx_timeout(dev: *mut bindings::net_device, txqueue: c_uint) {
        // SAFETY: valid device.
        let (d, p) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) };
        T::tx_timeout(d, p, txqueue)
    }

    extern "C" fn vlan_rx_add_vid(
        dev: *mut bindings::net_device,
        proto: bindings::__be16,
        vid: u16,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::vlan_rx_add_vid(d, p, rtnl, u16::from_be(proto), vid)?;
            Ok(0)
        })
    }

    extern "C" fn vlan_rx_kill_vid(
        dev: *mut bindings::net_device,
        proto: bindings::__be16,
        vid: u16,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs with a valid device and the RTNL held.
            let (d, p, rtnl) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                )
            };
            T::vlan_rx_kill_vid(d, p, rtnl, u16::from_be(proto), vid)?;
            Ok(0)
        })
    }

    extern "C" fn work(dev: *mut bindings::net_device, events: c_ulong) {
        // SAFETY: `ndo_work` runs with a valid device, the RTNL and the instance lock held.
        let (d, p, rtnl) = unsafe {
            (
                Device::from_raw(dev),
                priv_of::<T>(dev),
                Rtnl::assume_held(),
            )
        };
        T::work(d, p, rtnl, events)
    }

    extern "C" fn irq(_irq: c_int, cookie: *mut c_void) -> bindings::irqreturn_t {
        // SAFETY: `cookie` is an `IrqCookie` inside the `PrivBox` of a registered device with
        // driver `T`; `free_irq` runs before the box is dropped.
        let c = unsafe { &*cookie.cast::<IrqCookie>() };
        // SAFETY: as above, the device and its private data are valid.
        let (d, p) = unsafe { (Device::from_raw(c.dev), priv_of::<T>(c.dev)) };
        bindings::irqreturn_t(T::irq(d, p, c.slot) as c_uint)
    }

    extern "C" fn tls_dev_add(
        dev: *mut bindings::net_device,
        sk: *mut bindings::sock,
        dir: bindings::tls_offload_ctx_dir,
        info: *mut bindings::tls_crypto_info,
        start: u32,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the TLS core passes a registered device, crypto info valid for the call
            // and a connected TCP socket, locked (`setsockopt`), whose TLS context has the
            // offload context of direction `dir` in place.
            let (d, p, info, s) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    tls::CryptoInfo::from_raw(info),
                    tls::Socket::from_raw(sk),
                )
            };
            let h = T::tls_add(d, p, s, tls::Direction::from_raw(dir), &info, start)?;
            // SAFETY: as above; the offload context's driver state has room for 8 bytes in
            // either direction, and the core publishes the offload only after this returns.
            unsafe { bindings::netdev_tls_set_state(sk, dir, h.0) };
            Ok(0)
        })
    }

    extern "C" fn tls_dev_del(
        dev: *mut bindings::net_device,
        ctx: *mut bindings::tls_context,
        dir: bindings::tls_offload_ctx_dir,
    ) {
        // SAFETY: the TLS core passes a registered device and the context of a connection
        // `tls_dev_add` accepted for direction `dir`, which holds the handle stored then.
        let (d, p, h) = unsafe {
            (
                Device::from_raw(dev),
                priv_of::<T>(dev),
                bindings::netdev_tls_state(ctx, dir),
            )
        };
        T::tls_del(d, p, tls::Handle(h), tls::Direction::from_raw(dir))
    }

    extern "C" fn tls_dev_resync(
        dev: *mut bindings::net_device,
        sk: *mut bindings::sock,
        seq: u32,
        rcd_sn: *mut u8,
        dir: bindings::tls_offload_ctx_dir,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the TLS core passes a registered device, an 8-byte record number and a
            // socket whose direction `dir` `tls_dev_add` accepted (the handle stored then is
            // in its driver state).
            let (d, p, rcd, h) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    &*rcd_sn.cast::<[u8; 8]>(),
                    bindings::netdev_tls_sk_state(sk, dir),
                )
            };
            T::tls_resync(
                d,
                p,
                tls::Handle(h),
                seq,
                rcd,
                tls::Direction::from_raw(dir),
            )?;
            Ok(0)
        })
    }

    extern "C" fn hwtstamp_get(
        dev: *mut bindings::net_device,
        cfg: *mut bindings::kernel_hwtstamp_config,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the core passes a registered device and a configuration that is ours
            // for the call.
            let (d, p, cfg) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev), &mut *cfg) };
            T::hwtstamp_get(d, p)?.write_raw(cfg);
            Ok(0)
        })
    }

    extern "C" fn hwtstamp_set(
        dev: *mut bindings::net_device,
        cfg: *mut bindings::kernel_hwtstamp_config,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        from_result(|| {
            // SAFETY: `ndo_hwtstamp_set` runs with a registered device, the RTNL held and a
            // configuration that is ours for the call.
            let (d, p, rtnl, cfg) = unsafe {
                (
                    Device::from_raw(dev),
                    priv_of::<T>(dev),
                    Rtnl::assume_held(),
                    &mut *cfg,
                )
            };
            let mut c = HwTstampConfig::from_raw(cfg);
            T::hwtstamp_set(d, p, rtnl, &mut c)?;
            c.write_raw(cfg);
            Ok(0)
        })
    }

    /// The device and private data of the clock whose `ptp_clock_info` is `info`.
    ///
    /// # Safety
    ///
    /// `info` must be the `ptp_clock_info` of a clock registered by `Registration::new::<T>`,
    /// and `'b` must not outlive the current callback.
    unsafe fn ptp_of<'b>(
        info: *mut bindings::ptp_clock_info,
    ) -> (&'b Device, Pin<&'b T::Priv<'b>>) {
        // SAFETY: `info` is the first field of the `Clock` at `PTP_OFFSET` in a `PrivBox`
        // (caller's guarantee), whose `dev` is the registered device.
        unsafe {
            let b = info
                .cast::<u8>()
                .sub(PTP_OFFSET)
                .cast::<PrivBox<T::Priv<'b>>>();
            let dev = (*b).dev;
            (Device::from_raw(dev), priv_of::<T>(dev))
        }
    }

    extern "C" fn ptp_gettimex(
        info: *mut bindings::ptp_clock_info,
        ts: *mut bindings::timespec64,
        sts: *mut bindings::ptp_system_timestamp,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the PTP core calls this on our registered clock.
            let (d, p) = unsafe { Self::ptp_of(info) };
            let ns = T::ptp_gettimex(d, p, &mut SysTimestamps::from_raw(sts))?;
            // SAFETY: `ts` is the core's output buffer for the call.
            unsafe { ts.write(ptp::ns_to_timespec(ns)) };
            Ok(0)
        })
    }

    extern "C" fn ptp_settime(
        info: *mut bindings::ptp_clock_info,
        ts: *const bindings::timespec64,
    ) -> c_int {
        from_result(|| {
            // SAFETY: the PTP core calls this on our registered clock with a valid time.
            let ((d, p), ts) = unsafe { (Self::ptp_of(info), &*ts) };
            T::ptp_settime(d, p, ptp::timespec_to_ns(ts))?;
            Ok(0)
        })
    }

    extern "C" fn ptp_adjtime(info: *mut bindings::ptp_clock_info, delta: i64) -> c_int {
        from_result(|| {
            // SAFETY: the PTP core calls this on our registered clock.
            let (d, p) = unsafe { Self::ptp_of(info) };
            T::ptp_adjtime(d, p, delta)?;
            Ok(0)
        })
    }

    extern "C" fn ptp_adjfine(info: *mut bindings::ptp_clock_info, scaled_ppm: c_long) -> c_int {
        from_result(|| {
            // SAFETY: the PTP core calls this on our registered clock.
            let (d, p) = unsafe { Self::ptp_of(info) };
            T::ptp_adjfine(d, p, scaled_ppm as i64)?;
            Ok(0)
        })
    }

    extern "C" fn ptp_enable(
        _info: *mut bindings::ptp_clock_info,
        _rq: *mut bindings::ptp_clock_request,
        _on: c_int,
    ) -> c_int {
        // The clock has no pins, alarms or periodic outputs.
        EOPNOTSUPP.to_errno()
    }

    extern "C" fn ptp_aux_work(info: *mut bindings::ptp_clock_info) -> c_long {
        // SAFETY: the PTP core's worker calls this on our registered clock.
        let (d, p) = unsafe { Self::ptp_of(info) };
        match T::ptp_aux_work(d, p) {
            Some(ms) => crate::time::msecs_to_jiffies(ms) as c_long,
            None => -1,
        }
    }

    /// The clock callbacks, when the driver implements them.
    const PTP_OPS: Option<bindings::ptp_clock_info> =
        if T::HAS_PTP_GETTIMEX && T::HAS_PTP_SETTIME && T::HAS_PTP_ADJTIME && T::HAS_PTP_ADJFINE {
            Some(bindings::ptp_clock_info {
                gettimex64: Some(Self::ptp_gettimex),
                settime64: Some(Self::ptp_settime),
                adjtime: Some(Self::ptp_adjtime),
                adjfine: Some(Self::ptp_adjfine),
                enable: Some(Self::ptp_enable),
                do_aux_work: if T::HAS_PTP_AUX_WORK {
                    Some(Self::ptp_aux_work)
                } else {
                    None
                },
                // SAFETY: all-zero is a valid `ptp_clock_info` (every other field empty).
                ..unsafe { core::mem::zeroed() }
            })
        } else {
            None
        };

    /// The `tlsdev_ops`, only when the driver implements add and del (the untaken branch of a
    /// const `if` references no trampoline, so unimplemented methods are never instantiated).
    const TLS_OPS: Option<bindings::tlsdev_ops> = if T::HAS_TLS_ADD && T::HAS_TLS_DEL {
        Some(bindings::tlsdev_ops {
            tls_dev_add: Some(Self::tls_dev_add),
            tls_dev_del: Some(Self::tls_dev_del),
            tls_dev_resync: if T::HAS_TLS_RESYNC {
                Some(Self::tls_dev_resync)
            } else {
                None
            },
        })
    } else {
        None
    };

    const OPS: bindings::net_device_ops = bindings::net_device_ops {
        ndo_open: if T::HAS_OPEN { Some(Self::open) } else { None },
        ndo_stop: if T::HAS_STOP { Some(Self::stop) } else { None },
        ndo_start_xmit: Some(Self::start_xmit),
        ndo_get_stats64: if T::HAS_GET_STATS64 {
            Some(Self::get_stats64)
        } else {
            None
        },
        ndo_change_mtu: if T::HAS_CHANGE_MTU {
            Some(Self::change_mtu)
        } else {
            None
        },
        ndo_set_mac_address: if T::HAS_SET_MAC_ADDRESS {
            Some(Self::set_mac_address)
        } else {
            None
        },
        ndo_validate_addr: Some(bindings::eth_validate_addr),
        ndo_set_rx_mode: if T::HAS_SET_RX_MODE {
            Some(Self::set_rx_mode)
        } else {
            None
        },
        ndo_fix_features: if T::HAS_FIX_FEATURES {
            Some(Self::fix_features)
        } else {
            None
        },
        ndo_set_features: if T::HAS_SET_FEATURES {
            Some(Self::set_features)
        } else {
            None
        },
        ndo_features_check: if T::HAS_FEATURES_CHECK {
            Some(Self::features_check)
        } else {
            None
        },
        ndo_tx_timeout: if T::HAS_TX_TIMEOUT {
            Some(Self::tx_timeout)
        } else {
            None
        },
        ndo_vlan_rx_add_vid: if T::HAS_VLAN_RX_ADD_VID {
            Some(Self::vlan_rx_add_vid)
        } else {
            None
        },
        ndo_vlan_rx_kill_vid: if T::HAS_VLAN_RX_KILL_VID {
            Some(Self::vlan_rx_kill_vid)
        } else {
            None
        },
        ndo_work: if T::HAS_WORK { Some(Self::work) } else { None },
        ndo_hwtstamp_get: if T::HAS_HWTSTAMP_GET {
            Some(Self::hwtstamp_get)
        } else {
            None
        },
        ndo_hwtstamp_set: if T::HAS_HWTSTAMP_SET {
            Some(Self::hwtstamp_set)
        } else {
            None
        },
        // SAFETY: all-zero is a valid `net_device_ops` (every other op NULL).
        ..unsafe { core::mem::zeroed() }
    };
}

/// Interrupt vectors a [`Registration`] allocates and requests.
pub struct IrqPlan {
    /// Fewest vectors acceptable.
    pub min: u32,
    /// Most vectors wanted (at most [`MAX_IRQS`]).
    pub max: u32,
    /// Acceptable kinds, tried MSI-X, then MSI, then INTx.
    pub types: pci::IrqTypes,
    /// Name of each vector in `/proc/interrupts`, by slot, after the interface name and a
    /// dash (`eth0-rx-0`); an empty name gives the interface name alone. When only one
    /// vector was obtained it is named after the interface alone.
    pub names: &'static [&'static CStr],
}

/// The interrupt vectors a [`Registration`] obtained, passed to the private data initialiser.
#[derive(Clone, Copy, Debug)]
pub struct IrqInfo {
    /// MSI-X, MSI or INTx.
    pub kind: pci::IrqType,
    /// Number of vectors (slots `0..count` of [`Driver::irq`]).
    pub count: u32,
}

/// A registered Ethernet device with driver `T`, owned by the driver's bound data.
///
/// `'a` is the life of the parent PCI device's binding, which everything `T::Priv` borrows
/// may share.
///
/// # Invariants
///
/// `dev` was allocated by `alloc_etherdev_mqs()` with room for `PrivBox<T::Priv<'a>>`, whose
/// data is initialised and whose first `irqs` cookies are requested interrupts of `vectors`;
/// `register_netdev()` succeeded on it.
pub struct Registration<'a, T: Driver> {
    dev: NonNull<bindings::net_device>,
    irqs: u32,
    vectors: pci::IrqVectorRegistration<'a>,
    _p: PhantomData<T::Priv<'a>>,
}

// SAFETY: the registration only unregisters and frees on drop, which may run on any thread;
// the private data is `Send + Sync`.
unsafe impl<T: Driver> Send for Registration<'_, T> {}
// SAFETY: shared access only reads through `&Device`, which is `Sync`.
unsafe impl<T: Driver> Sync for Registration<'_, T> {}

impl<'a, T: ethtool::Operations> Registration<'a, T> {
    /// Allocates an Ethernet device parented to `pdev` and the interrupt vectors of `irq`,
    /// applies `config`, initialises the private data in place with the initialiser
    /// `priv_init` returns (it gets the unregistered device, e.g. to add NAPI instances, and the
    /// vectors obtained), requests its interrupts and registers the device: the handlers are
    /// in place before the device can be opened, and they are freed after it is unregistered.
    ///
    /// On any failure everything done so far is undone in reverse order.
    pub fn new<I>(
        pdev: &'a pci::Device<device::Bound>,
        config: &Config,
        irq: &IrqPlan,
        priv_init: impl for<'i> FnOnce(&'i NewDevice<T>, IrqInfo) -> I,
    ) -> Result<Self>
    where
        I: PinInit<T::Priv<'a>, Error>,
    {
        const {
            assert!(
                core::mem::align_of::<PrivBox<T::Priv<'static>>>()
                    <= bindings::NETDEV_ALIGN as usize
            )
        };
        if irq.max as usize > MAX_IRQS || irq.names.len() < irq.max as usize || irq.min > irq.max {
            return Err(EINVAL);
        }
        let vectors = pdev.alloc_irq_vectors(irq.min, irq.max, irq.types)?;
        let info = IrqInfo {
            kind: vectors.irq_type(),
            count: vectors.len() as u32,
        };

        let size = c_int::try_from(core::mem::size_of::<PrivBox<T::Priv<'a>>>())?;
        // SAFETY: plain allocation; the result is checked for NULL below.
        let raw = unsafe { bindings::alloc_etherdev_mqs(size, config.queues.0, config.queues.1) };
        let dev = NonNull::new(raw).ok_or(ENOMEM)?;
        let parent: &device::Device = pdev.as_ref();

        // SAFETY: `raw` is a freshly allocated, unregistered device that only we know about.
        unsafe {
            (*raw).dev.parent = parent.as_raw();
            (*raw).netdev_ops = &Adapter::<T>::OPS;
            (*raw).ethtool_ops = ethtool::ops::<T>();
            if let Some(ops) = ethtool::stat_ops::<T>() {
                (*raw).stat_ops = ops;
            }
            #[cfg(CONFIG_TLS_DEVICE)]
            if let Some(ops) = &Adapter::<T>::TLS_OPS {
                (*raw).tlsdev_ops = ops;
            }
            (*raw).min_mtu = config.mtu_range.0;
            (*raw).max_mtu = config.mtu_range.1;
            (*raw).hw_features = config.hw_features.raw();
            (*raw).features = config.features.raw();
            (*raw).vlan_features = config.vlan_features.raw();
            (*raw).hw_enc_features = config.hw_enc_features.raw();
            (*raw).mpls_features = config.mpls_features.raw();
            (*raw).watchdog_timeo =
                i32::try_from(crate::time::msecs_to_jiffies(config.watchdog_ms))
                    .unwrap_or(i32::MAX);
            bindings::eth_hw_addr_set(raw, config.address.as_ptr());
            core::ptr::copy_nonoverlapping(
                config.address.as_ptr(),
                (*raw).perm_addr.as_mut_ptr(),
                6,
            );
            bindings::netif_set_tso_max_size(raw, config.tso_max_size);
            bindings::netif_set_tso_max_segs(raw, config.tso_max_segs);
        }

        // SAFETY: `raw` stays valid until `free_netdev`, which only the paths below and
        // `Registration::drop` call, after the last use of this reference; its driver is `T`.
        let d = unsafe { NewDevice::<T>::from_raw(raw) };
        // SAFETY: `netdev_priv(raw)` has room and alignment for a `PrivBox` (checked above) and
        // is never moved.
        let slot = unsafe { bindings::netdev_priv(raw) }.cast::<PrivBox<T::Priv<'a>>>();
        // SAFETY: `slot` is valid for writes; the clock is not registered yet. The timer is
        // set up in place (it does not move with the private area) before anything can arm
        // it, and every path below that frees the device shuts it down first.
        unsafe {
            (&raw mut (*slot).dev).write(raw);
            (&raw mut (*slot).ptp).write(Clock::new());
            // INVARIANT: set up with `Later::fire`, for the device `raw`.
            (&raw mut (*slot).later).write(Later {
                timer: Opaque::uninit(),
                events: Atomic::new(0),
                dev: raw,
            });
            bindings::timer_setup((*slot).later.timer.get(), Some(Later::fire), 0);
        }
        for i in 0..MAX_IRQS {
            // SAFETY: `slot` is valid for writes; cookies are plain data.
            unsafe {
                (&raw mut (*slot).cookies[i]).write(IrqCookie {
                    dev: raw,
                    slot: i as u32,
                })
            };
        }
        // SAFETY: the data field is valid for writes of `T::Priv<'a>` and pinned; on error the
        // initialiser leaves nothing to drop.
        if let Err(e) = unsafe { priv_init(d, info).__init(&raw mut (*slot).data) } {
            // SAFETY: `raw` was never registered and nothing refers to it once the timer
            // (which the initialiser may have armed) is shut down.
            unsafe {
                bindings::timer_shutdown_sync((*slot).later.timer.get());
                bindings::free_netdev(raw);
            }
            return Err(e);
        }

        // The link is unknown until the driver reports it: start with the carrier off, so that
        // the first `carrier_on` is a real transition (operstate UP, not UNKNOWN).
        // SAFETY: `raw` is valid and not yet registered.
        unsafe { bindings::netif_carrier_off(raw) };
        // The clock comes before the device, so that the device's users find it from the
        // start (as the C drivers do).
        if let (Some(ci), Some(ops)) = (&config.ptp, Adapter::<T>::PTP_OPS) {
            // SAFETY: the clock lives in the private area, which does not move, and is
            // unregistered (in `drop` or in `undo`) before the private data its callbacks use
            // is dropped.
            let r = unsafe { Clock::register(&raw mut (*slot).ptp, ci, ops, parent.as_raw()) };
            if let Err(e) = r {
                // Like the C drivers: the device works on without a hardware clock.
                dev_warn!(parent, "PTP clock registration failed: {:?}\n", e);
            }
        }

        // Undoes everything above, after `irqs` interrupts were requested and the device was
        // not registered.
        let undo = move |irqs: u32, vectors: &pci::IrqVectorRegistration<'a>| {
            // SAFETY: the device was never registered, so no device callback runs; the first
            // `irqs` cookies were requested from `vectors`, and once they are freed no handler
            // runs. The clock goes next, with its callbacks, then the timer (which the
            // handlers and the initialiser may have armed), the private data and the device.
            unsafe {
                free_irqs(slot, vectors, irqs);
                (*slot).ptp.unregister();
                bindings::timer_shutdown_sync((*slot).later.timer.get());
                core::ptr::drop_in_place(&raw mut (*slot).data);
                bindings::free_netdev(raw);
            }
        };

        // The interface's name, then its interrupts, then the interface, all under one hold
        // of the RTNL: the handlers are in place before anything can open the device (an
        // `ndo_open` that enables interrupt causes with no handler would leave a line
        // asserted: with INTx, "nobody cared" disables it), and the vectors are named after
        // the interface as the C drivers name theirs.
        let rtnl = Rtnl::lock();
        // SAFETY: `raw` is valid and unregistered; the RTNL is held until it is registered,
        // so the name stays unique.
        let named = unsafe { bindings::dev_alloc_name(raw, c"eth%d".as_char_ptr()) };
        if let Err(e) = to_result(named) {
            drop(rtnl);
            undo(0, &vectors);
            return Err(e);
        }
        let shared = matches!(info.kind, pci::IrqType::Intx);
        let mut ifbuf = [0u8; IRQ_NAME_LEN];
        let iflen = {
            let n = d.name().to_bytes();
            let l = n.len().min(IRQ_NAME_LEN);
            ifbuf[..l].copy_from_slice(&n[..l]);
            l
        };
        let ifname = &ifbuf[..iflen];
        let mut irqs = 0;
        for i in 0..info.count {
            let suffix = if info.count == 1 {
                &b""[..]
            } else {
                irq.names[i as usize].to_bytes()
            };
            // SAFETY: the name lives in the private area, which nothing else writes, until
            // `free_irq`.
            let name = unsafe { &mut (*slot).irq_names[i as usize] };
            irq_name(name, ifname, suffix);
            let r = vectors.index(i as usize).and_then(|n| {
                let req: crate::irq::IrqRequest<'_> = n.into();
                // SAFETY: the cookie lives in the private area until `free_irq`; the handler
                // only runs `T::irq` on the initialised private data, which outlives it.
                to_result(unsafe {
                    bindings::request_irq(
                        req.irq(),
                        Some(Adapter::<T>::irq),
                        if shared {
                            bindings::IRQF_SHARED as c_ulong
                        } else {
                            0
                        },
                        name.as_ptr().cast(),
                        (&raw mut (*slot).cookies[i as usize]).cast(),
                    )
                })
            });
            if let Err(e) = r {
                drop(rtnl);
                undo(irqs, &vectors);
                return Err(e);
            }
            irqs = i + 1;
        }
        // SAFETY: `raw` is fully set up and its interrupts requested; the RTNL is held.
        if let Err(e) = to_result(unsafe { bindings::register_netdevice(raw) }) {
            drop(rtnl);
            undo(irqs, &vectors);
            return Err(e);
        }
        // Releasing the RTNL finishes the registration (`netdev_run_todo`).
        drop(rtnl);
        // INVARIANT: allocated with room for the box, initialised, the first `irqs` cookies
        // requested, registered.
        Ok(Registration {
            dev,
            irqs,
            vectors,
            _p: PhantomData,
        })
    }
}

/// Frees the first `irqs` interrupts of `vectors`, requested with the cookies of `slot`.
///
/// # Safety
///
/// `slot` is the private area of a device whose first `irqs` cookies were requested as
/// interrupts of `vectors` and not freed since.
unsafe fn free_irqs<P>(slot: *mut PrivBox<P>, vectors: &pci::IrqVectorRegistration<'_>, irqs: u32) {
    for i in 0..irqs {
        if let Ok(n) = vectors.index(i as usize) {
            let req: crate::irq::IrqRequest<'_> = n.into();
            // SAFETY: interrupt `i` was requested with this cookie (the caller's guarantee);
            // after `free_irq` the handler is not running and never runs again.
            unsafe { bindings::free_irq(req.irq(), (&raw mut (*slot).cookies[i as usize]).cast()) };
        }
    }
}

impl<'a, T: Driver> Registration<'a, T> {
    /// The registered device.
    pub fn device(&self) -> &Device {
        // SAFETY: by the type invariant the device is valid while `self` exists.
        unsafe { Device::from_raw(self.dev.as_ptr()) }
    }

    /// The driver-private data.
    pub fn priv_data(&self) -> Pin<&T::Priv<'a>> {
        // SAFETY: by the type invariant the private data is initialised and pinned, and lives
        // as long as `self`.
        unsafe { priv_of::<T>(self.dev.as_ptr()) }
    }

    /// The Linux interrupt number of vector `slot`, if the registration has it.
    pub fn irq_number(&self, slot: u32) -> Option<u32> {
        let v = self.vectors.index(slot as usize).ok()?;
        let req: crate::irq::IrqRequest<'_> = v.into();
        Some(req.irq())
    }
}

impl<T: Driver> Drop for Registration<'_, T> {
    fn drop(&mut self) {
        let raw = self.dev.as_ptr();
        let b = // SAFETY: the private area holds our `PrivBox` (type invariant).
            unsafe { bindings::netdev_priv(raw) }.cast::<PrivBox<T::Priv<'_>>>();
        // SAFETY: by the type invariant `raw` is registered. `unregister_netdev` closes the
        // device and waits for every ndo callback to finish.
        unsafe { bindings::unregister_netdev(raw) };
        // Teardown runs bring-up backwards: the interrupts, then the clock they use.
        // SAFETY: the first `irqs` cookies were requested from `vectors` (type invariant).
        unsafe { free_irqs(b, &self.vectors, self.irqs) };
        // SAFETY: the timer was set up in `new`. Once this returns it never fires again, and
        // arming it afterwards (a clock callback, until it is unregistered below) does
        // nothing; a callback that ran before found the device unregistered and scheduled
        // nothing.
        unsafe { bindings::timer_shutdown_sync((*b).later.timer.get()) };
        // SAFETY: the box is initialised. No device callback or interrupt handler, the
        // clock's only users besides its own callbacks, runs any more; once `unregister`
        // returns no clock callback runs either, and the private data they use is still there
        // until then.
        unsafe { (*b).ptp.unregister() };
        // SAFETY: nothing but us touches the private data now; it is dropped before the device
        // that holds it is freed. The vectors are released after this function, when the
        // `vectors` field drops.
        unsafe {
            core::ptr::drop_in_place(&raw mut (*b).data);
            bindings::free_netdev(raw);
        }
    }
}

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
mod kunit_pci;

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[macros::kunit_tests(rust_net_dev)]
mod tests {
    use super::*;

    #[test]
    fn rtnl_cell_reads_what_was_written_under_the_rtnl() {
        let cell = RtnlCell::new([0u32; 4]);
        let rtnl = Rtnl::lock();
        assert_eq!(cell.get(&rtnl), [0; 4]);
        cell.set(&rtnl, [1, 2, 3, 4]);
        assert_eq!(cell.replace(&rtnl, [5; 4]), [1, 2, 3, 4]);
        assert_eq!(cell.get(&rtnl), [5; 4]);
        drop(rtnl);
        // Taken again, the value is still there.
        assert_eq!(cell.get(&Rtnl::lock()), [5; 4]);
    }
}
