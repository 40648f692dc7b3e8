// SPDX-License-Identifier: GPL-2.0

//! Neighbour (ARP and NDP) events: `NETEVENT_NEIGH_UPDATE` from the netevent notifier chain.
//!
//! C header: [`include/net/netevent.h`](srctree/include/net/netevent.h)
//!
//! A driver that keeps state derived from neighbour entries (next hops of offloaded
//! connections, say) registers a [`Handler`] and hears of every change: a new link-layer
//! address, a change of reachability, a neighbour that failed or went away. The chain is
//! atomic: handlers run in softirq or process context, under RCU, and must not sleep; what
//! needs sleeping work they defer.

use crate::{
    bindings,
    error::to_result,
    net::dev::{
        Device,
        DeviceId, //
    },
    prelude::*,
    sync::Arc,
    types::Opaque,
};

/// Where a socket's route sends its packets next (see [`SkBuff::socket_hop`]).
///
/// [`SkBuff::socket_hop`]: crate::net::skb::SkBuff::socket_hop
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextHop {
    /// The interface the route goes out of, whose neighbour table holds the next hop (for a
    /// bonded port: the bond). Compare with [`NeighEvent::device`].
    pub link: DeviceId,
    /// 4 or 6.
    pub family: u8,
    /// The gateway's address, or the destination's on a directly connected network (IPv4
    /// in the first 4 bytes).
    pub addr: [u8; 16],
}

/// A neighbour entry as it is after a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeighEvent {
    dev: DeviceId,
    /// 4 or 6.
    pub family: u8,
    /// The neighbour's address (IPv4 in the first 4 bytes).
    pub addr: [u8; 16],
    /// Its link-layer address (the first 6 bytes for Ethernet).
    pub lladdr: [u8; 6],
    /// Whether the entry is usable (`NUD_VALID`) and alive; `false` for one that failed or
    /// was deleted.
    pub valid: bool,
}

impl NeighEvent {
    /// Whether the entry belongs to `dev`'s neighbour table.
    pub fn is_on(&self, dev: DeviceId) -> bool {
        self.dev == dev
    }

    /// The device whose neighbour table holds the entry.
    pub fn device(&self) -> DeviceId {
        self.dev
    }
}

/// What hears neighbour events.
pub trait Handler: Send + Sync + 'static {
    /// A neighbour entry changed. Atomic context (softirq or process, bottom halves maybe
    /// off), under RCU and possibly under the neighbour table's lock: must not sleep, and
    /// must not look up or create neighbours.
    fn neigh_update(&self, ev: &NeighEvent);
}

/// A registered netevent notifier passing neighbour updates to `T`; unregistered when
/// dropped (which sleeps: it waits for calls in flight), after which no call is running or
/// will run.
///
/// # Invariants
///
/// `nb` is registered on the netevent chain from initialisation until drop, and its
/// callback is [`Registration::<T>::call`].
#[pin_data(PinnedDrop)]
pub struct Registration<T: Handler> {
    #[pin]
    nb: Opaque<bindings::notifier_block>,
    data: Arc<T>,
}

// SAFETY: the notifier block is only touched by the chain under its own locking; `T` is
// `Send + Sync`.
unsafe impl<T: Handler> Send for Registration<T> {}
// SAFETY: shared references give no access to the notifier block.
unsafe impl<T: Handler> Sync for Registration<T> {}

impl<T: Handler> Registration<T> {
    /// Registers `data` for neighbour events.
    pub fn new(data: Arc<T>) -> impl PinInit<Self, Error> {
        // `data` is written first: once the block is registered, `call` may run on another
        // CPU and read it.
        try_pin_init!(Self {
            data,
            nb <- Opaque::try_ffi_init(|nb: *mut bindings::notifier_block| {
                // SAFETY: `nb` is valid for writes; the block is pinned inside `Self`, which
                // unregisters it before it goes (`PinnedDrop`); `data`, which `call` reads,
                // is initialised.
                unsafe {
                    nb.write(bindings::notifier_block {
                        notifier_call: Some(Self::call),
                        next: core::ptr::null_mut(),
                        priority: 0,
                    });
                    to_result(bindings::register_netevent_notifier(nb))
                }
            }),
        }? Error)
        // INVARIANT: the block is registered by the last field's initialiser; if it fails,
        // nothing was registered.
    }

    extern "C" fn call(
        nb: *mut bindings::notifier_block,
        event: c_ulong,
        ptr: *mut c_void,
    ) -> c_int {
        // CAST: an enum value, small.
        if event != bindings::netevent_notif_type_NETEVENT_NEIGH_UPDATE as c_ulong {
            return bindings::NOTIFY_DONE as c_int;
        }
        let mut ev = NeighEvent {
            dev: DeviceId { net: 0, ifindex: 0 },
            family: 0,
            addr: [0; 16],
            lladdr: [0; 6],
            valid: false,
        };
        let mut ll = [0u8; bindings::MAX_ADDR_LEN as usize];
        // SAFETY: for `NETEVENT_NEIGH_UPDATE` the chain passes a live `struct neighbour`;
        // the buffers have the sizes the helper writes.
        let ok = unsafe {
            bindings::netdev_neigh_event(
                ptr,
                &mut ev.dev.net,
                &mut ev.dev.ifindex,
                &mut ev.family,
                ev.addr.as_mut_ptr(),
                ll.as_mut_ptr(),
                &mut ev.valid,
            )
        };
        if !ok {
            return bindings::NOTIFY_DONE as c_int;
        }
        ev.lladdr.copy_from_slice(&ll[..6]);
        // SAFETY: by the type invariant `nb` is the block inside a live, pinned
        // `Registration<T>` (the chain does not call it after unregistration returns).
        let this = unsafe {
            &*crate::container_of!(nb.cast::<Opaque<bindings::notifier_block>>(), Self, nb)
        };
        this.data.neigh_update(&ev);
        bindings::NOTIFY_DONE as c_int
    }
}

#[pinned_drop]
impl<T: Handler> PinnedDrop for Registration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: by the type invariant the block is registered; unregistering an atomic
        // chain's block waits (`synchronize_rcu`) for calls in flight.
        unsafe { bindings::unregister_netevent_notifier(self.nb.get()) };
    }
}

impl Device {
    /// An identity of the device for comparisons ([`NeighEvent::is_on`], [`NextHop::link`]):
    /// its namespace and its index there, as they are now.
    pub fn id(&self) -> DeviceId {
        let mut id = DeviceId { net: 0, ifindex: 0 };
        // SAFETY: by the type invariant the device is valid; the helper reads its namespace
        // (which outlives it) and its index.
        unsafe { bindings::netdev_id(self.as_raw(), &mut id.net, &mut id.ifindex) };
        id
    }
}
