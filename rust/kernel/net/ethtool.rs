// SPDX-License-Identifier: GPL-2.0

//! `ethtool_ops` as a `#[vtable]` trait.
//!
//! C header: [`include/linux/ethtool.h`](srctree/include/linux/ethtool.h)
//!
//! Every network driver implements [`Operations`] (an empty `impl` is valid: all ops NULL
//! except `get_link`, which defaults to the carrier state). Operations the core runs with the
//! RTNL held get an [`Rtnl`] token. Settings are exchanged as plain Rust values, validated by
//! the driver before it touches hardware: a rejected request must change nothing.

use crate::{
    bindings,
    error::{
        from_result,
        VTABLE_DEFAULT_ERROR, //
    },
    net::dev::{
        priv_of,
        Device,
        Driver,
        Rtnl, //
    },
    prelude::*, //
};
use core::marker::PhantomData;

/// Link duplex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplex {
    /// Half duplex.
    Half,
    /// Full duplex.
    Full,
    /// Unknown (no link).
    Unknown,
}

/// Link modes of a twisted-pair Gigabit PHY, as `ETHTOOL_LINK_MODE_*` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LinkModes(u128);

impl LinkModes {
    /// 10BASE-T half duplex.
    pub const T10_HALF: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_10baseT_Half_BIT);
    /// 10BASE-T full duplex.
    pub const T10_FULL: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_10baseT_Full_BIT);
    /// 100BASE-TX half duplex.
    pub const T100_HALF: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_100baseT_Half_BIT);
    /// 100BASE-TX full duplex.
    pub const T100_FULL: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_100baseT_Full_BIT);
    /// 1000BASE-T full duplex.
    pub const T1000_FULL: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_1000baseT_Full_BIT);
    /// Auto-negotiation.
    pub const AUTONEG: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Autoneg_BIT);
    /// Twisted pair port.
    pub const TP: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_TP_BIT);
    /// Symmetric pause.
    pub const PAUSE: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Pause_BIT);
    /// Asymmetric pause.
    pub const ASYM_PAUSE: LinkModes = LinkModes(1 << bindings::ethtool_link_mode_bit_indices_ETHTOOL_LINK_MODE_Asym_Pause_BIT);

    /// Union of two sets.
    pub const fn or(self, o: LinkModes) -> LinkModes {
        LinkModes(self.0 | o.0)
    }

    /// Returns `true` if every mode of `o` is in `self`.
    pub const fn contains(self, o: LinkModes) -> bool {
        self.0 & o.0 == o.0
    }

    fn store(self, dst: &mut [c_ulong]) {
        for (i, w) in dst.iter_mut().enumerate() {
            let shift = i * c_ulong::BITS as usize;
            *w = if shift < 128 { (self.0 >> shift) as c_ulong } else { 0 };
        }
    }

    fn load(src: &[c_ulong]) -> LinkModes {
        let mut v = 0u128;
        for (i, w) in src.iter().enumerate() {
            let shift = i * c_ulong::BITS as usize;
            if shift < 128 {
                v |= (*w as u128) << shift;
            }
        }
        LinkModes(v)
    }
}

/// Link settings (`struct ethtool_link_ksettings`, the parts a copper NIC uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkSettings {
    /// Speed in Mb/s, or `None` when unknown (no link).
    pub speed: Option<u32>,
    /// Duplex.
    pub duplex: Duplex,
    /// Auto-negotiation on.
    pub autoneg: bool,
    /// MDIO address of the PHY.
    pub phy_address: u8,
    /// Modes the hardware supports.
    pub supported: LinkModes,
    /// Modes advertised in auto-negotiation.
    pub advertising: LinkModes,
    /// Modes the link partner advertised.
    pub lp_advertising: LinkModes,
}

/// Ring sizes (`struct ethtool_ringparam`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rings {
    /// Largest RX ring.
    pub rx_max: u32,
    /// Largest TX ring.
    pub tx_max: u32,
    /// Current RX ring.
    pub rx: u32,
    /// Current TX ring.
    pub tx: u32,
}

/// Driver identification (`struct ethtool_drvinfo`).
pub struct DrvInfo<'a> {
    /// Driver name.
    pub driver: &'a CStr,
    /// Bus address of the device.
    pub bus_info: &'a CStr,
    /// Firmware or NVM version.
    pub fw_version: &'a CStr,
}

/// The `ethtool_ops` of a network driver.
#[vtable]
pub trait Operations: Driver {
    /// `get_drvinfo`.
    fn drvinfo<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _f: &mut dyn FnMut(DrvInfo<'_>),
    ) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_link`: link state; defaults to the carrier state.
    fn get_link<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_link_ksettings`.
    fn get_link_ksettings<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
    ) -> Result<LinkSettings> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_link_ksettings`: apply `s` or reject it, changing nothing.
    fn set_link_ksettings<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _s: &LinkSettings,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `nway_reset`: restart auto-negotiation.
    fn nway_reset<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_ringparam`.
    fn get_ringparam<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _rtnl: &Rtnl) -> Rings {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_ringparam`: resize to `r.rx`/`r.tx` (already within the maxima), or reject.
    fn set_ringparam<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _r: &Rings,
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_msglevel`.
    fn get_msglevel<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `set_msglevel`.
    fn set_msglevel<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _level: u32) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// `get_regs_len` and `get_regs`: the register dump, as 32-bit words, and its version.
    /// `out` has `REGS_WORDS` entries.
    fn get_regs<'a>(_dev: &'a Device, _this: Pin<&'a Self::Priv<'a>>, _out: &mut [u32]) -> u32 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Number of 32-bit words [`Operations::get_regs`] fills.
    const REGS_WORDS: usize = 0;

    /// `get_eeprom`: read `out.len()` bytes of the EEPROM from byte `offset`.
    fn get_eeprom<'a>(
        _dev: &'a Device,
        _this: Pin<&'a Self::Priv<'a>>,
        _rtnl: &Rtnl,
        _offset: u32,
        _out: &mut [u8],
    ) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// EEPROM size in bytes (`get_eeprom_len`), and the magic `ethtool -E` must pass.
    const EEPROM_LEN: u32 = 0;
}

struct Adapter<T: Operations>(PhantomData<T>);

impl<T: Operations> Adapter<T> {
    unsafe extern "C" fn get_drvinfo(dev: *mut bindings::net_device, info: *mut bindings::ethtool_drvinfo) {
        // SAFETY: valid device and an exclusively ours `info` for the call.
        let (d, p, info) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev), &mut *info) };
        T::drvinfo(d, p, &mut |i: DrvInfo<'_>| {
            copy_cstr(&mut info.driver, i.driver);
            copy_cstr(&mut info.bus_info, i.bus_info);
            copy_cstr(&mut info.fw_version, i.fw_version);
        });
    }

    unsafe extern "C" fn get_link(dev: *mut bindings::net_device) -> u32 {
        // SAFETY: valid device.
        let (d, p) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) };
        T::get_link(d, p) as u32
    }

    unsafe extern "C" fn get_link_ksettings(
        dev: *mut bindings::net_device,
        ks: *mut bindings::ethtool_link_ksettings,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ks` is ours for the call.
            let (d, p, rtnl, ks) =
                unsafe { (Device::from_raw(dev), priv_of::<T>(dev), Rtnl::assume_held(), &mut *ks) };
            let s = T::get_link_ksettings(d, p, rtnl)?;
            ks.base.speed = s.speed.unwrap_or(bindings::SPEED_UNKNOWN as u32);
            ks.base.duplex = match s.duplex {
                Duplex::Half => bindings::DUPLEX_HALF,
                Duplex::Full => bindings::DUPLEX_FULL,
                Duplex::Unknown => bindings::DUPLEX_UNKNOWN,
            } as u8;
            ks.base.autoneg = if s.autoneg { bindings::AUTONEG_ENABLE } else { bindings::AUTONEG_DISABLE } as u8;
            ks.base.port = bindings::PORT_TP as u8;
            ks.base.phy_address = s.phy_address;
            ks.base.mdio_support = (bindings::ETH_MDIO_SUPPORTS_C22) as u8;
            s.supported.store(&mut ks.link_modes.supported);
            s.advertising.store(&mut ks.link_modes.advertising);
            s.lp_advertising.store(&mut ks.link_modes.lp_advertising);
            Ok(0)
        })
    }

    unsafe extern "C" fn set_link_ksettings(
        dev: *mut bindings::net_device,
        ks: *const bindings::ethtool_link_ksettings,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ks` is valid for the call.
            let (d, p, rtnl, ks) =
                unsafe { (Device::from_raw(dev), priv_of::<T>(dev), Rtnl::assume_held(), &*ks) };
            let s = LinkSettings {
                speed: (ks.base.speed != bindings::SPEED_UNKNOWN as u32).then_some(ks.base.speed),
                duplex: match ks.base.duplex as u32 {
                    bindings::DUPLEX_HALF => Duplex::Half,
                    bindings::DUPLEX_FULL => Duplex::Full,
                    _ => Duplex::Unknown,
                },
                autoneg: ks.base.autoneg as u32 == bindings::AUTONEG_ENABLE,
                phy_address: ks.base.phy_address,
                supported: LinkModes::load(&ks.link_modes.supported),
                advertising: LinkModes::load(&ks.link_modes.advertising),
                lp_advertising: LinkModes::default(),
            };
            T::set_link_ksettings(d, p, rtnl, &s)?;
            Ok(0)
        })
    }

    unsafe extern "C" fn nway_reset(dev: *mut bindings::net_device) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device.
            let (d, p, rtnl) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev), Rtnl::assume_held()) };
            T::nway_reset(d, p, rtnl)?;
            Ok(0)
        })
    }

    unsafe extern "C" fn get_ringparam(
        dev: *mut bindings::net_device,
        ring: *mut bindings::ethtool_ringparam,
        _k: *mut bindings::kernel_ethtool_ringparam,
        _e: *mut bindings::netlink_ext_ack,
    ) {
        // SAFETY: runs under the RTNL with a valid device; `ring` is ours for the call.
        let (d, p, rtnl, ring) =
            unsafe { (Device::from_raw(dev), priv_of::<T>(dev), Rtnl::assume_held(), &mut *ring) };
        let r = T::get_ringparam(d, p, rtnl);
        ring.rx_max_pending = r.rx_max;
        ring.tx_max_pending = r.tx_max;
        ring.rx_pending = r.rx;
        ring.tx_pending = r.tx;
    }

    unsafe extern "C" fn set_ringparam(
        dev: *mut bindings::net_device,
        ring: *mut bindings::ethtool_ringparam,
        _k: *mut bindings::kernel_ethtool_ringparam,
        _e: *mut bindings::netlink_ext_ack,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; `ring` is valid for the call.
            let (d, p, rtnl, ring) =
                unsafe { (Device::from_raw(dev), priv_of::<T>(dev), Rtnl::assume_held(), &*ring) };
            let r = Rings {
                rx_max: 0,
                tx_max: 0,
                rx: ring.rx_pending,
                tx: ring.tx_pending,
            };
            T::set_ringparam(d, p, rtnl, &r)?;
            Ok(0)
        })
    }

    unsafe extern "C" fn get_msglevel(dev: *mut bindings::net_device) -> u32 {
        // SAFETY: valid device.
        let (d, p) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) };
        T::get_msglevel(d, p)
    }

    unsafe extern "C" fn set_msglevel(dev: *mut bindings::net_device, level: u32) {
        // SAFETY: valid device.
        let (d, p) = unsafe { (Device::from_raw(dev), priv_of::<T>(dev)) };
        T::set_msglevel(d, p, level)
    }

    unsafe extern "C" fn get_regs_len(_dev: *mut bindings::net_device) -> c_int {
        (T::REGS_WORDS * 4) as c_int
    }

    unsafe extern "C" fn get_regs(
        dev: *mut bindings::net_device,
        regs: *mut bindings::ethtool_regs,
        buf: *mut c_void,
    ) {
        // SAFETY: valid device; the core allocated `get_regs_len()` bytes at `buf`, suitably
        // aligned (kvzalloc).
        let (d, p, out) = unsafe {
            (
                Device::from_raw(dev),
                priv_of::<T>(dev),
                core::slice::from_raw_parts_mut(buf.cast::<u32>(), T::REGS_WORDS),
            )
        };
        let version = T::get_regs(d, p, out);
        // SAFETY: `regs` is valid for the call.
        unsafe { (*regs).version = version };
    }

    unsafe extern "C" fn get_eeprom_len(_dev: *mut bindings::net_device) -> c_int {
        T::EEPROM_LEN as c_int
    }

    unsafe extern "C" fn get_eeprom(
        dev: *mut bindings::net_device,
        ee: *mut bindings::ethtool_eeprom,
        data: *mut u8,
    ) -> c_int {
        from_result(|| {
            // SAFETY: runs under the RTNL with a valid device; the core checked
            // `offset + len <= get_eeprom_len()` and allocated `len` bytes at `data`.
            let (d, p, rtnl, ee) =
                unsafe { (Device::from_raw(dev), priv_of::<T>(dev), Rtnl::assume_held(), &mut *ee) };
            // SAFETY: see above.
            let out = unsafe { core::slice::from_raw_parts_mut(data, ee.len as usize) };
            T::get_eeprom(d, p, rtnl, ee.offset, out)?;
            Ok(0)
        })
    }

    const OPS: bindings::ethtool_ops = bindings::ethtool_ops {
        get_drvinfo: if T::HAS_DRVINFO { Some(Self::get_drvinfo) } else { None },
        get_link: if T::HAS_GET_LINK {
            Some(Self::get_link)
        } else {
            Some(bindings::ethtool_op_get_link)
        },
        get_link_ksettings: if T::HAS_GET_LINK_KSETTINGS {
            Some(Self::get_link_ksettings)
        } else {
            None
        },
        set_link_ksettings: if T::HAS_SET_LINK_KSETTINGS {
            Some(Self::set_link_ksettings)
        } else {
            None
        },
        nway_reset: if T::HAS_NWAY_RESET { Some(Self::nway_reset) } else { None },
        get_ringparam: if T::HAS_GET_RINGPARAM { Some(Self::get_ringparam) } else { None },
        set_ringparam: if T::HAS_SET_RINGPARAM { Some(Self::set_ringparam) } else { None },
        get_msglevel: if T::HAS_GET_MSGLEVEL { Some(Self::get_msglevel) } else { None },
        set_msglevel: if T::HAS_SET_MSGLEVEL { Some(Self::set_msglevel) } else { None },
        get_regs_len: if T::HAS_GET_REGS { Some(Self::get_regs_len) } else { None },
        get_regs: if T::HAS_GET_REGS { Some(Self::get_regs) } else { None },
        get_eeprom_len: if T::HAS_GET_EEPROM { Some(Self::get_eeprom_len) } else { None },
        get_eeprom: if T::HAS_GET_EEPROM { Some(Self::get_eeprom) } else { None },
        // SAFETY: all-zero is a valid `ethtool_ops` (every other op NULL, no capabilities).
        ..unsafe { core::mem::zeroed() }
    };
}

/// The `ethtool_ops` table of driver `T`.
pub(crate) const fn ops<T: Operations>() -> &'static bindings::ethtool_ops {
    &Adapter::<T>::OPS
}

fn copy_cstr(dst: &mut [c_char], src: &CStr) {
    let bytes = src.to_bytes();
    let n = bytes.len().min(dst.len().saturating_sub(1));
    for (d, s) in dst.iter_mut().zip(&bytes[..n]) {
        *d = *s as c_char;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}
