// SPDX-License-Identifier: GPL-2.0

//! A spinlock that disables bottom halves (`spin_lock_bh`).
//!
//! Network drivers share state between softirq context (transmit, NAPI) and process context
//! (open, stop, statistics). Taking a plain spinlock in process context would deadlock when a
//! softirq on the same CPU wants it; [`SpinLockBh`] disables softirqs while held.

use crate::{
    bindings,
    sync::lock::{
        Backend,
        Guard,
        Lock, //
    },
};

/// Creates a [`SpinLockBh`] initialiser with the given name and a new lock class.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::net::bh_lock::SpinLockBh::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_bh;

/// A spinlock taken with bottom halves disabled.
///
/// Where bottom halves cannot be turned off and on (a hard interrupt handler, interrupts
/// disabled, as in a netpoll poll), the lock is taken as a plain spinlock: no softirq runs
/// on this CPU there anyway, and `spin_unlock_bh()` would run pending softirqs with the
/// caller's interrupts turned back on. (Taking a lock in hard interrupt context that
/// process context takes with interrupts on can deadlock, which lockdep reports; it cannot
/// corrupt memory.)
///
/// # Examples
///
/// ```
/// use kernel::net::bh_lock::{new_spinlock_bh, SpinLockBh};
///
/// let lock = KBox::pin_init(new_spinlock_bh!(0u32), GFP_KERNEL)?;
/// *lock.lock() += 1;
/// assert_eq!(*lock.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockBh<T> = Lock<T, SpinLockBhBackend>;

/// A guard of a [`SpinLockBh`].
pub type SpinLockBhGuard<'a, T> = Guard<'a, T, SpinLockBhBackend>;

/// The [`Backend`] of [`SpinLockBh`].
pub struct SpinLockBhBackend;

// SAFETY: `spinlock_t` ensures mutual exclusion; `relock` uses the default implementation,
// which calls the same locking method.
unsafe impl Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    /// Whether the lock was taken with bottom halves disabled.
    type GuardState = bool;

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: the caller guarantees `ptr` is valid for writes and `name`/`key` live forever.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: reads the current context only.
        if unsafe { bindings::netdev_bh_forbidden() } {
            // SAFETY: the caller guarantees `ptr` is an initialised lock.
            unsafe { bindings::spin_lock(ptr) };
            false
        } else {
            // SAFETY: the caller guarantees `ptr` is an initialised lock.
            unsafe { bindings::netdev_spin_lock_bh(ptr) };
            true
        }
    }

    unsafe fn unlock(ptr: *mut Self::State, bh: &Self::GuardState) {
        // SAFETY: the caller guarantees it holds the lock, taken by `lock` or `try_lock` in
        // the way `bh` records, in the same context (a guard cannot leave it).
        unsafe {
            if *bh {
                bindings::netdev_spin_unlock_bh(ptr)
            } else {
                bindings::spin_unlock(ptr)
            }
        }
    }

    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        // SAFETY: reads the current context only.
        if unsafe { bindings::netdev_bh_forbidden() } {
            // SAFETY: the caller guarantees `ptr` is an initialised lock.
            return (unsafe { bindings::spin_trylock(ptr) } != 0).then_some(false);
        }
        // SAFETY: the caller guarantees `ptr` is an initialised lock; `spin_trylock_bh`
        // re-enables bottom halves itself when it fails.
        (unsafe { bindings::netdev_spin_trylock_bh(ptr) } != 0).then_some(true)
    }

    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // SAFETY: the caller guarantees `ptr` is an initialised lock.
        unsafe { bindings::spin_assert_is_held(ptr) }
    }
}
