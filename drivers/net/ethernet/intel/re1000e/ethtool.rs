// SPDX-License-Identifier: GPL-2.0

//! `ethtool_ops`: driver information, link settings, ring sizes, message level, register
//! and NVM dumps.

use kernel::{
    io::Io,
    net::{
        dev::{
            Device,
            Rtnl, //
        },
        ethtool::{
            self,
            DrvInfo,
            Duplex,
            LinkModes,
            LinkSettings,
            Rings, //
        },
    },
    prelude::*,
    sync::atomic::Relaxed, //
};

use crate::{
    hw,
    netdev::{
        Net,
        NetPriv, //
    },
    nvm,
    ring, //
};

/// What the copper PHY of the 82574 can do.
const SUPPORTED: LinkModes = LinkModes::T10_HALF
    .or(LinkModes::T10_FULL)
    .or(LinkModes::T100_HALF)
    .or(LinkModes::T100_FULL)
    .or(LinkModes::T1000_FULL)
    .or(LinkModes::AUTONEG)
    .or(LinkModes::TP)
    .or(LinkModes::PAUSE);

/// Registers in the `ethtool -d` dump, in order (version 1 of the layout).
const DUMP: [usize; 12] = [
    0x00000, // CTRL
    0x00008, // STATUS
    0x00100, // RCTL
    0x02808, // RDLEN
    0x02810, // RDH
    0x02818, // RDT
    0x02820, // RDTR
    0x00400, // TCTL
    0x03808, // TDLEN
    0x03810, // TDH
    0x03818, // TDT
    0x03820, // TIDV
];

#[vtable]
impl ethtool::Operations for Net {
    fn drvinfo<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        f: &mut dyn FnMut(DrvInfo<'_>),
    ) {
        f(DrvInfo {
            driver: c"re1000e",
            bus_info: this.pdev.as_ref().name(),
            fw_version: c"",
        });
    }

    fn get_link_ksettings<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
    ) -> Result<LinkSettings> {
        let link = hw::link(&this.bar);
        Ok(LinkSettings {
            speed: link.map(|(s, _)| s),
            duplex: match link {
                Some((_, true)) => Duplex::Full,
                Some((_, false)) => Duplex::Half,
                None => Duplex::Unknown,
            },
            autoneg: true,
            phy_address: 1,
            supported: SUPPORTED,
            advertising: SUPPORTED,
            lp_advertising: LinkModes::default(),
        })
    }

    fn get_ringparam<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, _rtnl: &Rtnl) -> Rings {
        let (tx, rx) = this.rings();
        Rings {
            rx_max: ring::MAX_DESC,
            tx_max: ring::MAX_DESC,
            rx,
            tx,
        }
    }

    fn set_ringparam<'a>(
        dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        rtnl: &Rtnl,
        r: &Rings,
    ) -> Result {
        let ok = |n: u32| (ring::MIN_DESC..=ring::MAX_DESC).contains(&n) && n % 8 == 0;
        if !ok(r.rx) || !ok(r.tx) {
            return Err(EINVAL);
        }
        let old = this.ring_sizes.load(Relaxed);
        this.ring_sizes.store(r.tx | (r.rx << 16), Relaxed);
        if dev.is_running() {
            if let Err(e) = this.restart(dev, rtnl) {
                // Come back with the old sizes rather than stay down.
                this.ring_sizes.store(old, Relaxed);
                this.restart(dev, rtnl)?;
                return Err(e);
            }
        }
        Ok(())
    }

    fn get_msglevel<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>) -> u32 {
        this.msg_enable.load(Relaxed)
    }

    fn set_msglevel<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, level: u32) {
        this.msg_enable.store(level, Relaxed);
    }

    const REGS_WORDS: usize = DUMP.len();

    fn get_regs<'a>(_dev: &'a Device, this: Pin<&'a NetPriv<'a>>, out: &mut [u32]) -> u32 {
        for (o, off) in out.iter_mut().zip(DUMP.iter()) {
            *o = this.bar.try_read32(*off).unwrap_or(0);
        }
        1
    }

    const EEPROM_LEN: u32 = 2 * crate::nvm_image::CHECKSUM_WORDS as u32;

    fn get_eeprom<'a>(
        _dev: &'a Device,
        this: Pin<&'a NetPriv<'a>>,
        _rtnl: &Rtnl,
        offset: u32,
        out: &mut [u8],
    ) -> Result {
        for (i, b) in out.iter_mut().enumerate() {
            let byte = offset as usize + i;
            let word = nvm::read_word(&this.bar, byte / 2)?;
            *b = word.to_le_bytes()[byte % 2];
        }
        Ok(())
    }
}
