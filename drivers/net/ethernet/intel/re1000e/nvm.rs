// SPDX-License-Identifier: GPL-2.0

//! NVM (EEPROM) access through the EERD register (datasheet 10.2.2.4).
//!
//! The image layout and its checks live in `nvm_image.rs`; this file only moves words.

use kernel::{
    io::{
        poll::read_poll_timeout,
        Io, //
    },
    prelude::*,
    time::Delta, //
};

use crate::{
    driver::Bar0,
    nvm_image::{
        self,
        NvmError, //
    },
    regs, //
};

/// Poll interval and limit for one EERD transaction; the C driver allows 100000 x 5 us.
const EERD_POLL: Delta = Delta::from_micros(5);
const EERD_TIMEOUT: Delta = Delta::from_millis(500);

/// Reads one 16-bit NVM word.
pub(crate) fn read_word(bar: &Bar0<'_>, word: usize) -> Result<u16> {
    let req = regs::EERD::zeroed()
        .try_with_addr(u32::try_from(word)?)?
        .with_start(true);
    bar.write_reg(req);
    let eerd = read_poll_timeout(
        || Ok(bar.read(regs::EERD)),
        |r: &regs::EERD| r.done(),
        EERD_POLL,
        EERD_TIMEOUT,
    )?;
    Ok(u16::from(eerd.data()))
}

/// Reads the checksum-covered part of the NVM.
pub(crate) fn read_image(bar: &Bar0<'_>) -> Result<[u16; nvm_image::CHECKSUM_WORDS]> {
    let mut words = [0u16; nvm_image::CHECKSUM_WORDS];
    for (i, w) in words.iter_mut().enumerate() {
        *w = read_word(bar, i)?;
    }
    Ok(words)
}

/// Reads and validates the NVM, returning the permanent Ethernet address it holds.
///
/// A bad checksum or an invalid address is reported on `dev` and refused with `EIO`,
/// as the C driver does: a device with a corrupt NVM is not brought up.
pub(crate) fn read_permanent_mac(dev: &kernel::device::Device, bar: &Bar0<'_>) -> Result<[u8; 6]> {
    let words = read_image(bar)?;
    let checked =
        nvm_image::validate_checksum(&words).and_then(|()| nvm_image::mac_address(&words));
    match checked {
        Ok(mac) => Ok(mac),
        Err(NvmError::BadChecksum { sum }) => {
            dev_err!(
                dev,
                "NVM checksum is invalid: words 0x00-0x3f sum to {:#06x}, expected {:#06x}\n",
                sum,
                nvm_image::CHECKSUM_SUM
            );
            Err(EIO)
        }
        Err(NvmError::InvalidMac(mac)) => {
            dev_err!(dev, "NVM holds an invalid MAC address {:02x?}\n", mac);
            Err(EIO)
        }
    }
}
