// SPDX-License-Identifier: GPL-2.0

//! The 82574 NVM image: word layout, checksum and the permanent MAC address.
//!
//! Pure logic with no kernel types, so it is tested by KUnit inside the kernel and by
//! `cargo test` on the host (see `host-tests/`). Hardware access lives in `nvm.rs`.

/// Number of NVM words covered by the checksum (datasheet 6.1: words 0x00..=0x3F).
pub(crate) const CHECKSUM_WORDS: usize = 0x40;

/// Word holding the checksum; chosen so that the covered words sum to [`CHECKSUM_SUM`].
pub(crate) const CHECKSUM_WORD: usize = 0x3f;

/// Required 16-bit wrapping sum of words 0x00..=0x3F.
pub(crate) const CHECKSUM_SUM: u16 = 0xbaba;

/// First of the three words holding the Ethernet address (little-endian byte pairs).
pub(crate) const MAC_WORD: usize = 0x00;

/// Why an NVM image is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NvmError {
    /// The covered words sum to `sum` instead of [`CHECKSUM_SUM`].
    BadChecksum {
        /// The sum actually found.
        sum: u16,
    },
    /// The stored Ethernet address is zero or multicast.
    InvalidMac([u8; 6]),
}

/// Returns the 16-bit wrapping sum of the checksum-covered words.
pub(crate) fn checksum_sum(words: &[u16; CHECKSUM_WORDS]) -> u16 {
    words.iter().fold(0u16, |acc, w| acc.wrapping_add(*w))
}

/// Checks that the covered words sum to [`CHECKSUM_SUM`].
pub(crate) fn validate_checksum(words: &[u16; CHECKSUM_WORDS]) -> Result<(), NvmError> {
    match checksum_sum(words) {
        CHECKSUM_SUM => Ok(()),
        sum => Err(NvmError::BadChecksum { sum }),
    }
}

/// Returns the value word [`CHECKSUM_WORD`] must hold for `words` to be valid.
pub(crate) fn checksum_fixup(words: &[u16; CHECKSUM_WORDS]) -> u16 {
    let others = checksum_sum(words).wrapping_sub(words[CHECKSUM_WORD]);
    CHECKSUM_SUM.wrapping_sub(others)
}

/// Extracts the Ethernet address from the image; byte `2i` is the low byte of word `i`.
pub(crate) fn mac_address(words: &[u16; CHECKSUM_WORDS]) -> Result<[u8; 6], NvmError> {
    let mut mac = [0u8; 6];
    for (i, pair) in mac.chunks_exact_mut(2).enumerate() {
        pair.copy_from_slice(&words[MAC_WORD + i].to_le_bytes());
    }
    if is_valid_ether_addr(&mac) {
        Ok(mac)
    } else {
        Err(NvmError::InvalidMac(mac))
    }
}

/// Returns `true` for a unicast, non-zero Ethernet address (as `is_valid_ether_addr()` in C).
pub(crate) fn is_valid_ether_addr(mac: &[u8; 6]) -> bool {
    mac[0] & 1 == 0 && mac.iter().any(|b| *b != 0)
}

/// Joins the RAL/RAH register values into an Ethernet address (datasheet 10.2.5.14).
///
/// RAL holds bytes 0..=3, the low half of RAH (`rah_low`) bytes 4..=5, least significant first.
pub(crate) fn mac_from_ral_rah(ral: u32, rah_low: u16) -> [u8; 6] {
    let l = ral.to_le_bytes();
    let h = rah_low.to_le_bytes();
    [l[0], l[1], l[2], l[3], h[0], h[1]]
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(
    CONFIG_RE1000E_KUNIT_TEST,
    kernel::prelude::kunit_tests(re1000e_nvm_image)
)]
mod tests {
    use super::*;

    /// The image QEMU builds for MAC 52:54:00:12:34:56 (template words from its e1000e model,
    /// checksum worked out by hand: 0xBABA - sum(words 0..0x3E) = 0x1CE3).
    fn qemu_image() -> [u16; CHECKSUM_WORDS] {
        let mut w = [0u16; CHECKSUM_WORDS];
        w[0] = 0x5452;
        w[1] = 0x1200;
        w[2] = 0x5634;
        // Everything else is folded into a single word so that the test does not depend on
        // QEMU's template: only the sum matters for the checksum.
        w[0x10] = 0xe151;
        w[CHECKSUM_WORD] = 0x1ce3;
        w
    }

    #[test]
    fn checksum_accepts_valid_image() {
        assert_eq!(checksum_sum(&qemu_image()), CHECKSUM_SUM);
        assert_eq!(validate_checksum(&qemu_image()), Ok(()));
    }

    #[test]
    fn checksum_rejects_any_single_bit_flip() {
        let good = qemu_image();
        for word in 0..CHECKSUM_WORDS {
            for bit in 0..16 {
                let mut bad = good;
                bad[word] ^= 1 << bit;
                assert!(validate_checksum(&bad).is_err());
            }
        }
    }

    #[test]
    fn checksum_reports_the_sum_found() {
        let mut bad = qemu_image();
        bad[5] = bad[5].wrapping_add(3);
        assert_eq!(
            validate_checksum(&bad),
            Err(NvmError::BadChecksum {
                sum: CHECKSUM_SUM.wrapping_add(3)
            })
        );
    }

    #[test]
    fn checksum_fixup_repairs_image() {
        let mut img = qemu_image();
        assert_eq!(checksum_fixup(&img), 0x1ce3);
        img[7] = 0xffff;
        assert!(validate_checksum(&img).is_err());
        img[CHECKSUM_WORD] = checksum_fixup(&img);
        assert_eq!(validate_checksum(&img), Ok(()));
    }

    #[test]
    fn mac_is_little_endian_per_word() {
        assert_eq!(
            mac_address(&qemu_image()),
            Ok([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])
        );
    }

    #[test]
    fn mac_rejects_multicast_and_zero() {
        let mut img = qemu_image();
        img[0] |= 1;
        assert!(matches!(mac_address(&img), Err(NvmError::InvalidMac(_))));
        let mut img = qemu_image();
        img[0] = 0;
        img[1] = 0;
        img[2] = 0;
        assert_eq!(mac_address(&img), Err(NvmError::InvalidMac([0; 6])));
    }

    #[test]
    fn ral_rah_join() {
        assert_eq!(
            mac_from_ral_rah(0x1200_5452, 0x5634),
            [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]
        );
    }
}
