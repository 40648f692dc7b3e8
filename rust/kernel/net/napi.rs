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
        NewDevice,
        Rtnl, //
    },
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    types::Opaque, //
};
use core::{
    cell::UnsafeCell,
    marker::PhantomData, //
};

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
    /// A netpoll poll (budget 0): transmit clean-up only, possibly with interrupts off.
    tx_only: bool,
    _not_send: PhantomData<*mut ()>,
}

impl<'p> Poll<'p> {
    /// The instance being polled.
    pub fn napi(&self) -> &'p Napi {
        self.napi
    }

    /// A token for `napi` outside its poll, for the KUnit tests of the checks that compare
    /// tokens with what they belong to (never used to touch poll-only state).
    #[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
    pub(crate) fn for_test(napi: &'p Napi, tx_only: bool) -> Self {
        Poll {
            napi,
            tx_only,
            _not_send: PhantomData,
        }
    }

    /// Whether this is a netpoll poll (budget 0), which may only clean up transmissions:
    /// nothing may be received, and interrupts may be off.
    pub fn is_tx_only(&self) -> bool {
        self.tx_only
    }
}

/// A NAPI instance of a device, identified by the `id` the driver gave it.
///
/// # Invariants
///
/// `napi` was added to a device with [`Adapter::poll`] of that device's driver and has not been
/// deleted; the value is pinned. `enabled` is `true` exactly while `napi` is enabled
/// (between a `napi_enable()` and the next `napi_disable()` made through this value);
/// `generation` changes before every `napi_enable()`.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct Napi {
    #[pin]
    napi: Opaque<bindings::napi_struct>,
    id: u32,
    enabled: Atomic<bool>,
    /// Bumped by every enable: the [`PollCell`]s of the instance start again from their
    /// initial value in each enabled period.
    generation: Atomic<u32>,
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
            generation: Atomic::new(0),
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

    /// Whether polling is allowed (between [`Napi::enable`] and [`Napi::disable`]).
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Relaxed)
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
    /// `napi_enable()` must not be called twice (it would hit a `BUG_ON`). The instance's
    /// [`PollCell`]s start again from their initial values.
    ///
    /// Enabling and disabling must not race (an enable overtaken by a disable would leave
    /// `napi_disable()` waiting for an instance that was never enabled), so both take the
    /// RTNL token: the RTNL is what serialises `ndo_open`, `ndo_stop` and the reset paths. A
    /// reset outside the RTNL takes it ([`Rtnl::lock`]).
    ///
    /// Does nothing either while the device is not registered: a poll could then run on
    /// private data still being initialised, or on a device being torn down.
    pub fn enable(&self, _rtnl: &Rtnl) {
        // SAFETY: the instance was added to its device (type invariant), whose `reg_state`
        // only changes under the RTNL, which the caller holds.
        let registered = unsafe { bindings::netdev_napi_dev_registered(self.as_raw()) };
        if !registered {
            return;
        }
        if !self.enabled.xchg(true, Relaxed) {
            // INVARIANT: a new enabled period starts: a new generation.
            self.generation.add(1, Relaxed);
            // SAFETY: by the type invariant the instance is added to its device and, as
            // `enabled` was `false`, disabled.
            unsafe { bindings::napi_enable(self.as_raw()) }
        }
    }

    /// Waits for a running poll and forbids new ones (from `ndo_stop`). Sleeps. Does
    /// nothing if polling is already forbidden (a second `napi_disable()` would wait
    /// forever), so a stop after a reset that failed half-way is safe. See
    /// [`Napi::enable`] for the RTNL token.
    pub fn disable(&self, _rtnl: &Rtnl) {
        self.disable_locked();
    }

    /// [`Napi::disable`], for callers that own the instance or hold the RTNL.
    fn disable_locked(&self) {
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
        // enabled: this waits for a running poll. `&mut` access: nothing enables it
        // concurrently.
        self.disable_locked();
        // SAFETY: by the type invariant the instance is added and not yet deleted; its device
        // is unregistered (or was never registered) and not yet freed.
        unsafe { bindings::netif_napi_del(self.as_raw()) }
    }
}

/// A value that only the polls of one NAPI instance use, such as the packets and bytes a
/// poll counts for interrupt moderation and consumes as it completes: a plain value instead
/// of an atomic, read and written with the [`Poll`] token.
///
/// NAPI never runs two polls of one instance at once (the poller owns `NAPI_STATE_SCHED`,
/// and netpoll and busy polling take the same ownership), and the token exists only inside
/// a poll, so the value needs no atomic operations. The cell belongs to the instance whose
/// poll first uses it; a poll of another instance is refused with `EINVAL` (two instances
/// can poll at the same time on different CPUs). Each time the instance is enabled the value
/// starts again from `initial`, so code outside the poll (which cannot reach the value) never
/// needs to reset it.
///
/// The value is `Copy` and never lent out, so a closure given to [`PollCell::update`] may use
/// the cell again without aliasing it.
///
/// # Invariants
///
/// `state` is only accessed by polls of the instance whose address `owner` holds, once
/// `owner` is not 0. Its first element is the instance's `generation` the value belongs to.
pub struct PollCell<T: Copy> {
    initial: T,
    owner: Atomic<usize>,
    state: UnsafeCell<(u32, T)>,
}

// SAFETY: the value is only accessed by the polls of one NAPI instance (type invariant), which
// NAPI serialises: taking and releasing the instance's ownership orders one poll before the
// next, wherever they run. `T: Send` because successive polls run on different CPUs.
unsafe impl<T: Copy + Send> Sync for PollCell<T> {}

impl<T: Copy> PollCell<T> {
    /// A cell holding `initial`, owned by no instance yet.
    pub const fn new(initial: T) -> Self {
        // INVARIANT: no owner yet; generation 0 precedes the first enable.
        Self {
            initial,
            owner: Atomic::new(0),
            state: UnsafeCell::new((0, initial)),
        }
    }

    /// The state, if `poll` polls the owner (claiming the cell for it if it has none), with
    /// the value reset if the instance was enabled again since it was last used.
    fn state(&self, poll: &Poll<'_>) -> Result<*mut (u32, T)> {
        let me = core::ptr::from_ref(poll.napi()) as usize;
        if let Err(owner) = self.owner.cmpxchg(0, me, Relaxed) {
            if owner != me {
                return Err(EINVAL);
            }
        }
        let generation = poll.napi().generation.load(Relaxed);
        let s = self.state.get();
        // SAFETY: `poll` polls the owner instance, so no other code accesses `state` now
        // (type invariant); nothing else holds a reference to it (none is ever lent out).
        unsafe {
            if (*s).0 != generation {
                *s = (generation, self.initial);
            }
        }
        Ok(s)
    }

    /// The value. Fails with `EINVAL` in a poll of another instance.
    pub fn get(&self, poll: &Poll<'_>) -> Result<T> {
        let s = self.state(poll)?;
        // SAFETY: as in `state`.
        Ok(unsafe { (*s).1 })
    }

    /// Stores `value`. Fails with `EINVAL`, storing nothing, in a poll of another instance.
    pub fn set(&self, poll: &Poll<'_>, value: T) -> Result {
        let s = self.state(poll)?;
        // SAFETY: as in `state`.
        unsafe { (*s).1 = value };
        Ok(())
    }

    /// Replaces the value with `f` of it and returns the new value. Fails with `EINVAL`,
    /// changing nothing, in a poll of another instance.
    pub fn update(&self, poll: &Poll<'_>, f: impl FnOnce(T) -> T) -> Result<T> {
        let new = f(self.get(poll)?);
        self.set(poll, new)?;
        Ok(new)
    }

    /// Returns the value and puts the initial value back. Fails with `EINVAL` in a poll of
    /// another instance.
    pub fn take(&self, poll: &Poll<'_>) -> Result<T> {
        let old = self.get(poll)?;
        self.set(poll, self.initial)?;
        Ok(old)
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
            tx_only: limit == 0,
            _not_send: PhantomData,
        };
        let verdict = T::poll(d, p, &ctx, &mut b);
        let Some(work) = completes(limit, b.spent, verdict) else {
            // Stay scheduled: the contract is to return the whole budget.
            return budget;
        };
        // SAFETY: we are the poll of `napi` and `work < budget`.
        if unsafe { bindings::napi_complete_done(napi, work as c_int) } && T::HAS_NAPI_COMPLETE {
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

    /// An instance that was never added to a device (never dropped: its `napi_struct` is not
    /// initialised), to make the poll tokens of two instances.
    fn detached(id: u32) -> core::mem::ManuallyDrop<Napi> {
        core::mem::ManuallyDrop::new(Napi {
            napi: Opaque::uninit(),
            id,
            enabled: Atomic::new(false),
            generation: Atomic::new(1),
        })
    }

    fn poll_of(napi: &Napi) -> Poll<'_> {
        Poll {
            napi,
            tx_only: false,
            _not_send: PhantomData,
        }
    }

    #[test]
    fn poll_cell_belongs_to_the_first_instance_polling_it() {
        let (a, b) = (detached(0), detached(1));
        let (pa, pb) = (poll_of(&a), poll_of(&b));
        let cell = PollCell::new(0u32);
        assert_eq!(cell.set(&pa, 5), Ok(()));
        // Another instance's poll could run at the same time on another CPU: refused, and
        // nothing changes.
        assert_eq!(cell.get(&pb), Err(EINVAL));
        assert_eq!(cell.set(&pb, 9), Err(EINVAL));
        assert_eq!(cell.update(&pb, |v| v + 1), Err(EINVAL));
        assert_eq!(cell.take(&pb), Err(EINVAL));
        assert_eq!(cell.get(&pa), Ok(5));
    }

    #[test]
    fn poll_cell_counts_and_starts_again_when_enabled() {
        let a = detached(0);
        let pa = poll_of(&a);
        let cell = PollCell::new((0u32, 0u32));
        assert_eq!(cell.update(&pa, |(p, b)| (p + 1, b + 60)), Ok((1, 60)));
        assert_eq!(cell.update(&pa, |(p, b)| (p + 1, b + 60)), Ok((2, 120)));
        // Taking hands the counts over and starts again.
        assert_eq!(cell.take(&pa), Ok((2, 120)));
        assert_eq!(cell.get(&pa), Ok((0, 0)));
        assert_eq!(cell.set(&pa, (7, 700)), Ok(()));
        // A new enabled period (`Napi::enable` moves the generation before `napi_enable`):
        // the value is the initial one again.
        a.generation.add(1, Relaxed);
        assert_eq!(cell.get(&pa), Ok((0, 0)));
        // A closure may use the cell again: nothing is lent out.
        assert_eq!(
            cell.update(&pa, |v| cell.get(&pa).map_or(v, |w| (w.0 + 1, w.1))),
            Ok((1, 0))
        );
    }

    #[test]
    fn netpoll_budget_is_tx_only() {
        let mut b = Budget { limit: 0, spent: 0 };
        assert!(b.is_tx_only());
        assert!(!b.take());
        assert_eq!(b.spent(), 0);
    }
}
