// SPDX-License-Identifier: GPL-2.0

//! NAPI: interrupt mitigation by polling (`struct napi_struct`).
//!
//! C header: [`include/linux/netdevice.h`](srctree/include/linux/netdevice.h)
//!
//! A [`Napi`] lives pinned inside a driver's private data ([`Driver::Priv`]) and is added to
//! its device when created. It deletes itself (`netif_napi_del`) when dropped, which the
//! [`Registration`](super::dev::Registration) does after unregistering and before freeing
//! the device.
//!
//! The poll callback enforces the NAPI budget contract so drivers cannot get it wrong:
//! [`Driver::poll`] can only account RX work through [`Budget`], which never exceeds the
//! budget (0 during netpoll: TX clean-up only); the abstraction returns the full budget while
//! work remains, completes NAPI otherwise, and calls [`Driver::napi_complete`] (where the
//! driver re-enables interrupts) only when `napi_complete_done()` returns true.

use crate::{
    bindings,
    net::dev::{
        priv_of,
        Device,
        Driver,
        NewDevice, //
    },
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    types::Opaque, //
};
use core::marker::PhantomData;

/// What a poll leaves behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NapiPoll {
    /// All work was done; NAPI may complete.
    Done,
    /// Work remains (for example TX completions the driver chose to defer).
    More,
}

/// The RX work a poll may do.
pub struct Budget {
    limit: u32,
    spent: u32,
}

impl Budget {
    /// Units of work left.
    pub fn remaining(&self) -> u32 {
        self.limit - self.spent
    }

    /// Takes one unit of work, returning `false` (and taking nothing) when none is left.
    pub fn take(&mut self) -> bool {
        if self.spent < self.limit {
            self.spent += 1;
            true
        } else {
            false
        }
    }

    /// Returns `true` in a netpoll (budget 0) poll: RX must not be processed at all.
    pub fn is_tx_only(&self) -> bool {
        self.limit == 0
    }

    /// Units of work taken so far.
    pub fn spent(&self) -> u32 {
        self.spent
    }
}

/// Proof that the current code runs inside the poll of a NAPI instance: handed to
/// [`Driver::poll`] and to nothing else, and neither `Send` nor `Sync`, so it cannot leave the
/// poll. Calls that only a poll may make, such as
/// [`SkBuff::gro_receive`](super::skb::SkBuff::gro_receive), take it.
pub struct Poll<'p> {
    napi: &'p Napi,
    _not_send: PhantomData<*mut ()>,
}

impl<'p> Poll<'p> {
    /// The instance being polled.
    pub fn napi(&self) -> &'p Napi {
        self.napi
    }
}

/// A NAPI instance of a device, identified by the `id` the driver gave it.
///
/// # Invariants
///
/// `napi` was added to a device with [`Adapter::poll`] of that device's driver and has not been
/// deleted; the value is pinned. `enabled` is `true` exactly while `napi` is enabled
/// (between a `napi_enable()` and the next `napi_disable()` made through this value).
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct Napi {
    #[pin]
    napi: Opaque<bindings::napi_struct>,
    id: u32,
    enabled: Atomic<bool>,
}

// SAFETY: NAPI instances are used from any CPU; the C API serialises scheduling and polling.
unsafe impl Sync for Napi {}
// SAFETY: see `Sync`.
unsafe impl Send for Napi {}

impl Napi {
    /// Creates a NAPI instance `id` on `dev`, polled by `T::poll`, where `T` is the device's
    /// driver: a [`NewDevice`] exists only inside the private data initialiser of
    /// [`Registration::new`](super::dev::Registration::new), before the device is registered.
    pub fn new<T: Driver>(dev: &NewDevice<T>, id: u32) -> impl PinInit<Self> {
        let raw = dev.as_raw();
        pin_init!(Self {
            napi <- Opaque::ffi_init(move |slot: *mut bindings::napi_struct| {
                // SAFETY: `slot` is pinned memory for a `napi_struct`; `netif_napi_add`
                // initialises it and links it into `raw`, which outlives it: the initialiser
                // runs inside `Registration::new`, whose private data (holding this instance)
                // is dropped before the device is freed.
                unsafe { bindings::netif_napi_add(raw, slot, Some(Adapter::<T>::poll)) };
            }),
            id,
            // INVARIANT: `netif_napi_add` leaves the instance disabled; its poll is `T`'s.
            enabled: Atomic::new(false),
        })
    }

    /// The raw `napi_struct`.
    pub fn as_raw(&self) -> *mut bindings::napi_struct {
        self.napi.get()
    }

    /// The id given at creation.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Associates interrupt `irq` with this instance, which netlink then reports (the `irq`
    /// attribute of `napi-get`). Process context; takes the device's instance lock, so the
    /// caller must not hold it.
    pub fn set_irq(&self, irq: u32) {
        let Ok(irq) = i32::try_from(irq) else { return };
        // SAFETY: the instance was added to its device in `new` and is not deleted before
        // `self` drops.
        unsafe { bindings::netif_napi_set_irq(self.as_raw(), irq) }
    }

    /// Allows polling (from `ndo_open`). Does nothing if polling is already allowed: the C
    /// `napi_enable()` must not be called twice (it would hit a `BUG_ON`).
    ///
    /// Enabling and disabling are serialised by the caller (the RTNL, from `ndo_open`,
    /// `ndo_stop` and the reset paths).
    pub fn enable(&self) {
        if !self.enabled.xchg(true, Relaxed) {
            // SAFETY: by the type invariant the instance is added to its device and, as
            // `enabled` was `false`, disabled.
            unsafe { bindings::napi_enable(self.as_raw()) }
        }
    }

    /// Waits for a running poll and forbids new ones (from `ndo_stop`). Sleeps. Does
    /// nothing if polling is already forbidden (a second `napi_disable()` would wait
    /// forever), so a stop after a reset that failed half-way is safe.
    pub fn disable(&self) {
        if self.enabled.xchg(false, Relaxed) {
            // SAFETY: by the type invariant the instance is added to its device and, as
            // `enabled` was `true`, enabled.
            unsafe { bindings::napi_disable(self.as_raw()) }
        }
    }

    /// Schedules a poll (from the interrupt handler). Returns `false` if one was already
    /// scheduled or NAPI is disabled.
    pub fn schedule(&self) -> bool {
        // SAFETY: by the type invariant the instance is added to its device.
        unsafe { bindings::napi_schedule(self.as_raw()) }
    }
}

#[pinned_drop]
impl PinnedDrop for Napi {
    fn drop(self: Pin<&mut Self>) {
        // An instance is deleted disabled, as the C API requires, even if the driver left it
        // enabled: this waits for a running poll.
        self.disable();
        // SAFETY: by the type invariant the instance is added and not yet deleted; its device
        // is unregistered (or was never registered) and not yet freed.
        unsafe { bindings::netif_napi_del(self.as_raw()) }
    }
}

/// The budget contract: after a poll that did `work` of its `limit` and said `verdict`, NAPI
/// completes with `work` reported (`Some`), or stays scheduled with the whole budget
/// reported (`None`) when the budget is used up (a netpoll's budget of 0 included: it never
/// completes NAPI) or work is left.
fn completes(limit: u32, work: u32, verdict: NapiPoll) -> Option<u32> {
    (work < limit && verdict == NapiPoll::Done).then_some(work)
}

struct Adapter<T: Driver>(core::marker::PhantomData<T>);

impl<T: Driver> Adapter<T> {
    extern "C" fn poll(napi: *mut bindings::napi_struct, budget: c_int) -> c_int {
        // SAFETY: `napi` is the first field of a `#[repr(C)]` `Napi` created by `Napi::new::<T>`,
        // and `napi->dev` is its device, whose driver is `T`.
        let (n, dev) = unsafe { (&*napi.cast::<Napi>(), (*napi).dev) };
        // SAFETY: the device outlives its NAPI polls.
        let (d, p) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) };
        let limit = u32::try_from(budget).unwrap_or(0);
        let mut b = Budget { limit, spent: 0 };
        let ctx = Poll {
            napi: n,
            _not_send: PhantomData,
        };
        let verdict = T::poll(d, p, &ctx, &mut b);
        let Some(work) = completes(limit, b.spent, verdict) else {
            // Stay scheduled: the contract is to return the whole budget.
            return budget;
        };
        // SAFETY: we are the poll of `napi` and `work < budget`.
        if unsafe { bindings::napi_complete_done(napi, work as c_int) } {
            T::napi_complete(d, p, n);
        }
        work as c_int
    }
}

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[macros::kunit_tests(rust_net_napi)]
mod tests {
    use super::*;

    #[test]
    fn budget_never_exceeds_its_limit() {
        let mut b = Budget { limit: 3, spent: 0 };
        assert!(!b.is_tx_only());
        assert_eq!(b.remaining(), 3);
        assert!(b.take() && b.take() && b.take());
        // The fourth unit is refused and nothing is taken.
        assert!(!b.take());
        assert_eq!((b.spent(), b.remaining()), (3, 0));
    }

    #[test]
    fn poll_completes_only_under_budget_with_nothing_left() {
        assert_eq!(completes(64, 10, NapiPoll::Done), Some(10));
        assert_eq!(completes(64, 0, NapiPoll::Done), Some(0));
        // Budget used up, or work left: stay scheduled.
        assert_eq!(completes(64, 64, NapiPoll::Done), None);
        assert_eq!(completes(64, 10, NapiPoll::More), None);
        // A netpoll (budget 0) never completes NAPI.
        assert_eq!(completes(0, 0, NapiPoll::Done), None);
    }

    #[test]
    fn netpoll_budget_is_tx_only() {
        let mut b = Budget { limit: 0, spent: 0 };
        assert!(b.is_tx_only());
        assert!(!b.take());
        assert_eq!(b.spent(), 0);
    }
}
