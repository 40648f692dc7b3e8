// SPDX-License-Identifier: GPL-2.0

//! Receive filtering: the multicast table hash (datasheet 10.2.5.13, RCTL.MO = 00) and the
//! VLAN filter table (10.2.5.16).
//!
//! Pure logic with no kernel types.

/// Number of 32-bit Multicast Table Array registers.
pub(crate) const MTA_REGS: usize = 128;

/// Returns the MTA register and bit that accept multicast address `addr`.
///
/// With RCTL.MO = 00 the 12-bit hash is bits [47:36] of the address: the high nibble of byte
/// 4 and all of byte 5. Bits 11:5 select the register, bits 4:0 the bit.
pub(crate) fn mta_slot(addr: &[u8; 6]) -> (usize, u32) {
    let hash = ((u32::from(addr[4]) >> 4) | (u32::from(addr[5]) << 4)) & 0xfff;
    ((hash >> 5) as usize, hash & 0x1f)
}

/// Builds the whole table for `addrs`.
pub(crate) fn mta_table(addrs: &[[u8; 6]]) -> [u32; MTA_REGS] {
    let mut t = [0u32; MTA_REGS];
    for a in addrs {
        let (reg, bit) = mta_slot(a);
        t[reg] |= 1 << bit;
    }
    t
}

/// Number of 32-bit VLAN Filter Table Array registers: one bit per VLAN ID.
pub(crate) const VFTA_REGS: usize = 128;

/// Returns the VFTA register and bit of VLAN ID `vid` (only its low 12 bits count): bits
/// 11:5 select the register, bits 4:0 the bit.
pub(crate) fn vfta_slot(vid: u16) -> (usize, u32) {
    let vid = u32::from(vid) & 0xfff;
    ((vid >> 5) as usize, vid & 0x1f)
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(
    CONFIG_RE1000E_KUNIT_TEST,
    kernel::prelude::kunit_tests(re1000e_filter)
)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_known_groups() {
        // 224.0.0.1 -> 01:00:5e:00:00:01: hash 0x010 -> register 0, bit 16.
        assert_eq!(mta_slot(&[0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]), (0, 16));
        // 239.255.255.250 (SSDP) -> 01:00:5e:7f:ff:fa: hash 0xfaf -> register 0x7d, bit 15.
        assert_eq!(mta_slot(&[0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa]), (0x7d, 15));
        // ff02::1 -> 33:33:00:00:00:01 hashes like 224.0.0.1.
        assert_eq!(mta_slot(&[0x33, 0x33, 0x00, 0x00, 0x00, 0x01]), (0, 16));
    }

    #[test]
    fn table_sets_one_bit_per_address() {
        let t = mta_table(&[
            [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01],
            [0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa],
        ]);
        assert_eq!(t[0], 1 << 16);
        assert_eq!(t[0x7d], 1 << 15);
        assert_eq!(t.iter().map(|w| w.count_ones()).sum::<u32>(), 2);
    }

    #[test]
    fn vlan_ids_map_to_one_bit_each() {
        assert_eq!(vfta_slot(0), (0, 0));
        assert_eq!(vfta_slot(31), (0, 31));
        assert_eq!(vfta_slot(32), (1, 0));
        assert_eq!(vfta_slot(100), (3, 4));
        assert_eq!(vfta_slot(4095), (127, 31));
        // The priority and CFI bits of a TCI are not part of the ID.
        assert_eq!(vfta_slot(0xe064), vfta_slot(100));
        let mut seen = [0u32; VFTA_REGS];
        for vid in 0..4096u16 {
            let (r, b) = vfta_slot(vid);
            assert_eq!(seen[r] & (1 << b), 0);
            seen[r] |= 1 << b;
        }
        assert!(seen.iter().all(|w| *w == u32::MAX));
    }
}
