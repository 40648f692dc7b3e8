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

use crate::regs::Bar0;
use crate::{
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

/// Writes one 16-bit NVM word (EEWR, datasheet 10.2.2.5).
pub(crate) fn write_word(bar: &Bar0<'_>, word: usize, value: u16) -> Result {
    let req = regs::EEWR::zeroed()
        .try_with_addr(u32::try_from(word)?)?
        .with_data(value)
        .with_start(true);
    bar.write_reg(req);
    read_poll_timeout(
        || Ok(bar.read(regs::EEWR)),
        |r: &regs::EEWR| r.done(),
        EERD_POLL,
        EERD_TIMEOUT,
    )?;
    // Read back: a word that did not take is an error, not a silent success.
    if read_word(bar, word)? != value {
        return Err(EIO);
    }
    Ok(())
}

/// Writes `data` at byte `offset` of the checksummed NVM area and then repairs the checksum
/// word, so that the device still passes its checksum check at the next probe. Bytes that
/// share a word with `data` but lie outside it keep their value.
pub(crate) fn write_bytes(bar: &Bar0<'_>, offset: usize, data: &[u8]) -> Result {
    let end = offset.checked_add(data.len()).ok_or(EINVAL)?;
    if end > 2 * nvm_image::CHECKSUM_WORDS || data.is_empty() {
        return Err(EINVAL);
    }
    let mut words = read_image(bar)?;
    for (i, b) in data.iter().enumerate() {
        let byte = offset + i;
        let mut le = words[byte / 2].to_le_bytes();
        le[byte % 2] = *b;
        words[byte / 2] = u16::from_le_bytes(le);
    }
    words[nvm_image::CHECKSUM_WORD] = nvm_image::checksum_fixup(&words);
    let first = offset / 2;
    let last = (end - 1) / 2;
    for (w, v) in words.iter().enumerate().take(last + 1).skip(first) {
        write_word(bar, w, *v)?;
    }
    if last < nvm_image::CHECKSUM_WORD {
        write_word(
            bar,
            nvm_image::CHECKSUM_WORD,
            words[nvm_image::CHECKSUM_WORD],
        )?;
    }
    Ok(())
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
