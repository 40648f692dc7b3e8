// SPDX-License-Identifier: GPL-2.0

//! Devlink: device-wide information, resources and health, apart from any one network
//! interface.
//!
//! C header: [`include/net/devlink.h`](srctree/include/net/devlink.h)
//!
//! A driver describes its devlink side with [`Driver`]: data shared with the rest of the
//! driver (an [`Arc`]), the resources it has (each with a fixed size and an occupancy read
//! from the data when userspace asks: `devlink resource show`), `info_get` (`devlink dev
//! info`) and at most one health reporter (`devlink health`: diagnose, dump, recover, test).
//! A [`Registration`] allocates the instance for a bound device, registers everything in the
//! order the core wants (resources and reporter before the instance is visible) and undoes
//! it in reverse when dropped, so no callback runs after the drop returns.

use crate::{
    bindings, device,
    error::{
        from_err_ptr,
        from_result,
        to_result,
        VTABLE_DEFAULT_ERROR, //
    },
    prelude::*,
    str::CStr,
    sync::Arc,
};
use core::{
    marker::PhantomData,
    ptr::NonNull, //
};

/// Most resources a driver may describe.
pub const MAX_RESOURCES: usize = 4;

/// A resource of fixed size: `id` (non-zero, unique in the instance), its name, its size in
/// entries, and the function that reads its occupancy from the driver's data.
pub struct Resource<T> {
    /// Name shown by `devlink resource show`.
    pub name: &'static CStr,
    /// Identifier, non-zero.
    pub id: u64,
    /// Size in entries.
    pub size: u64,
    /// Entries in use now. Called under the devlink instance lock; must not sleep long.
    pub occupancy: fn(&T) -> u64,
}

/// A devlink health message being built (`struct devlink_fmsg`): name/value pairs, objects
/// and arrays, as `devlink health diagnose` and `dump` print them (`-j` for JSON). Nesting is
/// balanced by construction: [`Fmsg::object`] and [`Fmsg::array`] open and close around a
/// closure.
pub struct Fmsg<'a> {
    fmsg: *mut bindings::devlink_fmsg,
    _p: PhantomData<&'a mut bindings::devlink_fmsg>,
}

impl Fmsg<'_> {
    /// A `name: value` pair of a number.
    pub fn u64(&mut self, name: &CStr, value: u64) -> &mut Self {
        // SAFETY: `fmsg` is the message of the running callback (type invariant of the
        // callers' construction); the core records errors in it and ignores later puts.
        unsafe { bindings::devlink_fmsg_u64_pair_put(self.fmsg, name.as_char_ptr(), value) };
        self
    }

    /// A `name: value` pair of a string.
    pub fn str(&mut self, name: &CStr, value: &CStr) -> &mut Self {
        // SAFETY: as in `u64`.
        unsafe {
            bindings::devlink_fmsg_string_pair_put(
                self.fmsg,
                name.as_char_ptr(),
                value.as_char_ptr(),
            )
        };
        self
    }

    /// An object (`{ ... }`) whose members `f` puts.
    pub fn object(&mut self, f: impl FnOnce(&mut Self)) -> &mut Self {
        // SAFETY: as in `u64`; the object is closed below.
        unsafe { bindings::devlink_fmsg_obj_nest_start(self.fmsg) };
        f(self);
        // SAFETY: closes the object opened above.
        unsafe { bindings::devlink_fmsg_obj_nest_end(self.fmsg) };
        self
    }

    /// An array `name: [ ... ]` whose elements `f` puts (objects, usually).
    pub fn array(&mut self, name: &CStr, f: impl FnOnce(&mut Self)) -> &mut Self {
        // SAFETY: as in `u64`; the array is closed below.
        unsafe { bindings::devlink_fmsg_arr_pair_nest_start(self.fmsg, name.as_char_ptr()) };
        f(self);
        // SAFETY: closes the array opened above.
        unsafe { bindings::devlink_fmsg_arr_pair_nest_end(self.fmsg) };
        self
    }
}

/// An `info_get` request being answered.
pub struct Info<'a> {
    req: *mut bindings::devlink_info_req,
    _p: PhantomData<&'a mut bindings::devlink_info_req>,
}

impl Info<'_> {
    /// The device's serial number.
    pub fn serial(&mut self, sn: &CStr) -> Result {
        // SAFETY: `req` is the request of the running `info_get`.
        to_result(unsafe { bindings::devlink_info_serial_number_put(self.req, sn.as_char_ptr()) })
    }

    /// A version fixed in the hardware (`fixed` in `devlink dev info`).
    pub fn fixed(&mut self, name: &CStr, value: &CStr) -> Result {
        // SAFETY: as in `serial`.
        to_result(unsafe {
            bindings::devlink_info_version_fixed_put(
                self.req,
                name.as_char_ptr(),
                value.as_char_ptr(),
            )
        })
    }

    /// A version running now (`running` in `devlink dev info`).
    pub fn running(&mut self, name: &CStr, value: &CStr) -> Result {
        // SAFETY: as in `serial`.
        to_result(unsafe {
            bindings::devlink_info_version_running_put(
                self.req,
                name.as_char_ptr(),
                value.as_char_ptr(),
            )
        })
    }
}

/// A driver's devlink side. Callbacks get the shared data; they run in process context,
/// possibly concurrently with each other and with the rest of the driver.
#[vtable]
pub trait Driver: Send + Sync + Sized + 'static {
    /// The resources of the instance.
    const RESOURCES: &'static [Resource<Self>] = &[];

    /// The name of the health reporter, if the driver has one: [`Driver::health_diagnose`],
    /// [`Driver::health_dump`], [`Driver::health_recover`] and [`Driver::health_test`] are
    /// its operations.
    const HEALTH: Option<&'static CStr> = None;

    /// `info_get`: serial number and versions.
    fn info(_this: &Self, _info: &mut Info<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Health `diagnose`: the state now.
    fn health_diagnose(_this: &Self, _fmsg: &mut Fmsg<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Health `dump`: everything worth keeping about the last error.
    fn health_dump(_this: &Self, _fmsg: &mut Fmsg<'_>) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Health `recover`: bring the reporter's subject back; with it, reports recover
    /// automatically.
    fn health_recover(_this: &Self) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Health `test`: make the subject fail as it could (fault injection), which the driver
    /// then reports with [`Registration::health_report`].
    fn health_test(_this: &Self) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// What a resource's occupancy getter is handed.
struct OccCtx<T> {
    data: *const T,
    occupancy: fn(&T) -> u64,
}

/// The instance's private area.
struct PrivBox<T> {
    data: Arc<T>,
    occ: [OccCtx<T>; MAX_RESOURCES],
}

struct Adapter<T: Driver>(PhantomData<T>);

impl<T: Driver> Adapter<T> {
    /// # Safety
    ///
    /// `devlink` is an instance allocated by a [`Registration<T>`] and not yet freed.
    unsafe fn data<'a>(devlink: *mut bindings::devlink) -> &'a T {
        // SAFETY: the private area holds an initialised `PrivBox<T>` from allocation until
        // `Registration::drop` drops it, after which no callback runs.
        unsafe { &(*bindings::devlink_priv(devlink).cast::<PrivBox<T>>()).data }
    }

    extern "C" fn info_get(
        devlink: *mut bindings::devlink,
        req: *mut bindings::devlink_info_req,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        from_result(|| {
            // SAFETY: devlink calls this for an instance it holds.
            let this = unsafe { Self::data(devlink) };
            T::info(
                this,
                &mut Info {
                    req,
                    _p: PhantomData,
                },
            )?;
            Ok(0)
        })
    }

    extern "C" fn occ_get(priv_: *mut c_void) -> u64 {
        // SAFETY: registered with a pointer to an `OccCtx<T>` in the private area, whose
        // data lives until the resources are unregistered.
        let ctx = unsafe { &*priv_.cast::<OccCtx<T>>() };
        // SAFETY: `data` points to the `Arc`'s contents, alive as long as the private area.
        (ctx.occupancy)(unsafe { &*ctx.data })
    }

    /// The instance of a reporter (created with the instance as its private pointer).
    ///
    /// # Safety
    ///
    /// `r` is a reporter created by a [`Registration<T>`] that has not dropped.
    unsafe fn reporter_data<'a>(r: *mut bindings::devlink_health_reporter) -> &'a T {
        // SAFETY: created with the instance as private data (see `Registration::new`).
        unsafe { Self::data(bindings::devlink_health_reporter_priv(r).cast()) }
    }

    extern "C" fn recover(
        r: *mut bindings::devlink_health_reporter,
        _ctx: *mut c_void,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        // SAFETY: the core calls reporter operations while the reporter exists.
        from_result(|| T::health_recover(unsafe { Self::reporter_data(r) }).map(|()| 0))
    }

    /// Runs `op` of the reporter `r` on the message `fmsg` being built.
    fn with_fmsg(
        r: *mut bindings::devlink_health_reporter,
        fmsg: *mut bindings::devlink_fmsg,
        op: fn(&T, &mut Fmsg<'_>) -> Result,
    ) -> c_int {
        let mut f = Fmsg {
            fmsg,
            _p: PhantomData,
        };
        // SAFETY: as in `recover`.
        from_result(|| op(unsafe { Self::reporter_data(r) }, &mut f).map(|()| 0))
    }

    extern "C" fn dump(
        r: *mut bindings::devlink_health_reporter,
        fmsg: *mut bindings::devlink_fmsg,
        _ctx: *mut c_void,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        Self::with_fmsg(r, fmsg, T::health_dump)
    }

    extern "C" fn diagnose(
        r: *mut bindings::devlink_health_reporter,
        fmsg: *mut bindings::devlink_fmsg,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        Self::with_fmsg(r, fmsg, T::health_diagnose)
    }

    extern "C" fn test(
        r: *mut bindings::devlink_health_reporter,
        _extack: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        // SAFETY: as in `recover`.
        from_result(|| T::health_test(unsafe { Self::reporter_data(r) }).map(|()| 0))
    }

    const OPS: bindings::devlink_ops = bindings::devlink_ops {
        info_get: if T::HAS_INFO {
            Some(Self::info_get)
        } else {
            None
        },
        // SAFETY: all-zero is a valid `devlink_ops` (every other operation NULL).
        ..unsafe { core::mem::zeroed() }
    };

    const HEALTH_OPS: bindings::devlink_health_reporter_ops =
        bindings::devlink_health_reporter_ops {
            name: match T::HEALTH {
                // CAST: the core only reads the name.
                Some(n) => crate::str::as_char_ptr_in_const_context(n).cast_mut(),
                None => core::ptr::null_mut(),
            },
            recover: if T::HAS_HEALTH_RECOVER {
                Some(Self::recover)
            } else {
                None
            },
            dump: if T::HAS_HEALTH_DUMP {
                Some(Self::dump)
            } else {
                None
            },
            diagnose: if T::HAS_HEALTH_DIAGNOSE {
                Some(Self::diagnose)
            } else {
                None
            },
            test: if T::HAS_HEALTH_TEST {
                Some(Self::test)
            } else {
                None
            },
            default_graceful_period: 0,
            default_burst_period: 0,
        };
}

/// A registered devlink instance of a bound device, with driver `T`'s resources and health
/// reporter. Dropping it unregisters everything, after which no callback runs, and frees the
/// instance.
///
/// # Invariants
///
/// `devlink` was allocated with `Adapter::<T>::OPS` and room for a `PrivBox<T>`, which is
/// initialised; `T::RESOURCES` are registered with their occupancy getters, `reporter` is
/// the health reporter (non-NULL iff `T::HEALTH` is `Some`), and the instance is registered.
pub struct Registration<T: Driver> {
    devlink: NonNull<bindings::devlink>,
    reporter: *mut bindings::devlink_health_reporter,
    _p: PhantomData<T>,
}

// SAFETY: the registration only reports health and unregisters, from any thread; `T` is
// `Send + Sync`.
unsafe impl<T: Driver> Send for Registration<T> {}
// SAFETY: shared access only reports health, which the core serialises.
unsafe impl<T: Driver> Sync for Registration<T> {}

impl<T: Driver> Registration<T> {
    /// Allocates and registers a devlink instance for `dev`, with `data` shared with the
    /// rest of the driver. Fails with `EINVAL` for more than [`MAX_RESOURCES`] resources, a
    /// zero or repeated resource id, or a size of zero; on any failure nothing is left.
    pub fn new(dev: &device::Device<device::Bound>, data: Arc<T>) -> Result<Self> {
        // The core aligns the private area to `NETDEV_ALIGN`.
        const { assert!(core::mem::align_of::<PrivBox<T>>() <= bindings::NETDEV_ALIGN as usize) };
        let res = T::RESOURCES;
        if res.len() > MAX_RESOURCES
            || res
                .iter()
                .enumerate()
                .any(|(i, r)| r.id == 0 || r.size == 0 || res[..i].iter().any(|o| o.id == r.id))
        {
            return Err(EINVAL);
        }
        // SAFETY: `OPS` is a constant promoted to a static; `dev` is a bound device.
        let raw = unsafe {
            bindings::devlink_alloc_ns(
                &Adapter::<T>::OPS,
                core::mem::size_of::<PrivBox<T>>(),
                &raw mut bindings::init_net,
                dev.as_raw(),
            )
        };
        let devlink = NonNull::new(raw).ok_or(ENOMEM)?;
        let ptr: *const T = &*data;
        let blank: fn(&T) -> u64 = |_| 0;
        // SAFETY: the private area has room for a `PrivBox<T>` and is suitably aligned
        // (devlink aligns it to `NETDEV_ALIGN`); nothing reads it before this write.
        unsafe {
            bindings::devlink_priv(raw)
                .cast::<PrivBox<T>>()
                .write(PrivBox {
                    data,
                    occ: core::array::from_fn(|i| OccCtx {
                        data: ptr,
                        occupancy: res.get(i).map_or(blank, |r| r.occupancy),
                    }),
                })
        };
        // Undoes the allocation, with the resources of the first `n` entries registered and
        // the instance locked.
        let undo = |n: usize| {
            // SAFETY: the instance is ours, locked, unregistered and has no reporter; its
            // resources go, then the lock, the private data and the instance.
            unsafe {
                if n > 0 {
                    bindings::devl_resources_unregister(raw);
                }
                bindings::devl_unlock(raw);
                core::ptr::drop_in_place(bindings::devlink_priv(raw).cast::<PrivBox<T>>());
                bindings::devlink_free(raw);
            }
        };
        // SAFETY: a freshly allocated instance.
        unsafe { bindings::devl_lock(raw) };
        for (i, r) in res.iter().enumerate() {
            let params = bindings::devlink_resource_size_params {
                size_min: r.size,
                size_max: r.size,
                size_granularity: 1,
                unit: bindings::devlink_resource_unit_DEVLINK_RESOURCE_UNIT_ENTRY,
            };
            // SAFETY: the instance is locked; name and params outlive the call (the core
            // copies what it keeps; the name is static).
            let e = to_result(unsafe {
                bindings::devl_resource_register(
                    raw,
                    r.name.as_char_ptr(),
                    r.size,
                    r.id,
                    u64::from(bindings::DEVLINK_RESOURCE_ID_PARENT_TOP),
                    &params,
                )
            });
            if let Err(e) = e {
                undo(i);
                return Err(e);
            }
            // SAFETY: the context lives in the private area until the resources are
            // unregistered (in `drop` or `undo`).
            unsafe {
                let ctx = &raw mut (*bindings::devlink_priv(raw).cast::<PrivBox<T>>()).occ[i];
                bindings::devl_resource_occ_get_register(
                    raw,
                    r.id,
                    Some(Adapter::<T>::occ_get),
                    ctx.cast(),
                )
            };
        }
        let mut reporter = core::ptr::null_mut();
        if T::HEALTH.is_some() {
            // SAFETY: the instance is locked; `HEALTH_OPS` is a promoted constant with a
            // static name; the reporter's private pointer is the instance, which outlives it.
            let r = from_err_ptr(unsafe {
                bindings::devl_health_reporter_create(raw, &Adapter::<T>::HEALTH_OPS, raw.cast())
            });
            match r {
                Ok(r) => reporter = r,
                Err(e) => {
                    undo(res.len());
                    return Err(e);
                }
            }
        }
        // SAFETY: the instance is locked and fully set up.
        let e = to_result(unsafe { bindings::devl_register(raw) });
        if let Err(e) = e {
            if !reporter.is_null() {
                // SAFETY: created above, the instance is locked.
                unsafe { bindings::devl_health_reporter_destroy(reporter) };
            }
            undo(res.len());
            return Err(e);
        }
        // SAFETY: locked above.
        unsafe { bindings::devl_unlock(raw) };
        // INVARIANT: allocated with `OPS` and the box, resources, reporter and registration
        // made above.
        Ok(Registration {
            devlink,
            reporter,
            _p: PhantomData,
        })
    }

    /// The shared data.
    pub fn data(&self) -> &T {
        // SAFETY: the instance is alive while `self` is.
        unsafe { Adapter::<T>::data(self.devlink.as_ptr()) }
    }

    /// Reports an error to the health reporter (`devlink_health_report`), which records it,
    /// takes a dump and, if the driver can recover, recovers. Process context (it may
    /// sleep); not from a devlink callback of this instance (it takes the instance lock).
    /// Callable with the RTNL held only because no callback of this abstraction takes the
    /// RTNL under the instance lock: a driver's [`Driver`] callbacks must not take it. Fails with `ENODEV` without a
    /// reporter, or with what recovery returned.
    pub fn health_report(&self, msg: &CStr) -> Result {
        if self.reporter.is_null() {
            return Err(ENODEV);
        }
        // SAFETY: the reporter exists while `self` does.
        to_result(unsafe {
            bindings::devlink_health_report(self.reporter, msg.as_char_ptr(), core::ptr::null_mut())
        })
    }

    /// The size of resource `id`, as the core holds it.
    pub fn resource_size(&self, id: u64) -> Result<u64> {
        let raw = self.devlink.as_ptr();
        let mut size = 0u64;
        // SAFETY: the instance is alive; the lock is taken around the query.
        let r = unsafe {
            bindings::devl_lock(raw);
            let r = bindings::devl_resource_size_get(raw, id, &mut size);
            bindings::devl_unlock(raw);
            r
        };
        to_result(r).map(|()| size)
    }
}

impl<T: Driver> Drop for Registration<T> {
    fn drop(&mut self) {
        let raw = self.devlink.as_ptr();
        // SAFETY: by the type invariant everything below was set up. Unregistering waits for
        // the netlink callbacks; the reporter and resources go next, then the private data
        // and the instance, when no callback can run any more.
        unsafe {
            bindings::devl_lock(raw);
            bindings::devl_unregister(raw);
            if !self.reporter.is_null() {
                bindings::devl_health_reporter_destroy(self.reporter);
            }
            if !T::RESOURCES.is_empty() {
                bindings::devl_resources_unregister(raw);
            }
            bindings::devl_unlock(raw);
            core::ptr::drop_in_place(bindings::devlink_priv(raw).cast::<PrivBox<T>>());
            bindings::devlink_free(raw);
        }
    }
}
