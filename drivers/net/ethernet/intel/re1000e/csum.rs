// SPDX-License-Identifier: GPL-2.0

//! Header preparation for TCP segmentation offload (datasheet 7.3.6.1).
//!
//! Pure logic with no kernel types. The 82574 recomputes the IPv4 total length, the IPv4
//! header checksum and the TCP checksum of every segment it cuts, starting from a TCP
//! checksum field that holds the pseudo-header sum *without* the length. The stack leaves the
//! sum of the whole super-packet there, so the driver rewrites the headers first, as the C
//! driver does. QEMU recomputes everything itself and would not notice a mistake here.

use crate::desc::{
    EncodeError,
    Layout, //
};

/// IP protocol number of TCP.
const IPPROTO_TCP: u32 = 6;

/// Folds a 32-bit one's complement sum into 16 bits.
pub(crate) fn fold(mut sum: u32) -> u16 {
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    // CAST: the loop leaves at most 16 significant bits.
    sum as u16
}

/// One's complement sum of big-endian 16-bit words.
fn sum_words(b: &[u8]) -> u32 {
    b.chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)])))
        .sum()
}

/// Rewrites the headers of a TSO packet in `hdr` (the frame from its first byte): IPv4
/// total length and header checksum, or IPv6 payload length, set to zero, and the TCP
/// checksum set to the pseudo-header sum with a zero length.
pub(crate) fn tso_prepare(hdr: &mut [u8], l: &Layout) -> Result<(), EncodeError> {
    let n = l.network_offset as usize;
    let t = l.transport_offset as usize;
    let ip_len = if l.ipv4 { 20 } else { 40 };
    if t < n + ip_len || hdr.len() < t + 20 {
        return Err(EncodeError::BadTso);
    }
    let sum = if l.ipv4 {
        hdr[n + 2..n + 4].fill(0);
        hdr[n + 10..n + 12].fill(0);
        sum_words(&hdr[n + 12..n + 20])
    } else {
        hdr[n + 4..n + 6].fill(0);
        sum_words(&hdr[n + 8..n + 40])
    };
    let check = fold(sum + IPPROTO_TCP);
    hdr[t + 16..t + 18].copy_from_slice(&check.to_be_bytes());
    Ok(())
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(CONFIG_RE1000E_KUNIT_TEST, kernel::prelude::kunit_tests(re1000e_csum))]
mod tests {
    use super::*;
    use crate::desc::L4;

    const TCP4: Layout = Layout {
        ipv4: true,
        network_offset: 14,
        transport_offset: 34,
        csum_offset: 16,
        l4: L4::Tcp,
    };

    fn ipv4_tcp_frame() -> [u8; 54] {
        let mut f = [0u8; 54];
        f[12] = 0x08; // EtherType IPv4
        f[14] = 0x45; // version 4, IHL 5
        f[16..18].copy_from_slice(&60000u16.to_be_bytes()); // total length
        f[23] = 6; // TCP
        f[24..26].copy_from_slice(&[0xde, 0xad]); // old header checksum
        f[26..30].copy_from_slice(&[192, 0, 3, 1]);
        f[30..34].copy_from_slice(&[192, 0, 3, 2]);
        f[50..52].copy_from_slice(&[0xbe, 0xef]); // old TCP checksum
        f
    }

    #[test]
    fn fold_carries() {
        assert_eq!(fold(0x1_8609), 0x860a);
        assert_eq!(fold(0xffff_ffff), 0xffff);
        assert_eq!(fold(0), 0);
    }

    #[test]
    fn tso_prepare_ipv4() {
        let mut f = ipv4_tcp_frame();
        tso_prepare(&mut f, &TCP4).unwrap();
        // Lengths and IP checksum cleared.
        assert_eq!(&f[16..18], &[0, 0]);
        assert_eq!(&f[24..26], &[0, 0]);
        // c000 + 0301 + c000 + 0302 + 0006 = 0x18609 -> 0x860a.
        assert_eq!(&f[50..52], &[0x86, 0x0a]);
        // Nothing else touched.
        assert_eq!(&f[26..34], &[192, 0, 3, 1, 192, 0, 3, 2]);
    }

    #[test]
    fn tso_prepare_ipv6() {
        let mut f = [0u8; 14 + 40 + 20];
        f[18..20].copy_from_slice(&1400u16.to_be_bytes()); // payload length
        f[22] = 0x20; // 2001::1 source
        f[23] = 0x01;
        f[37] = 1;
        f[38] = 0x20; // 2001::2 destination
        f[39] = 0x01;
        f[53] = 2;
        let l = Layout {
            ipv4: false,
            network_offset: 14,
            transport_offset: 54,
            csum_offset: 16,
            l4: L4::Tcp,
        };
        tso_prepare(&mut f, &l).unwrap();
        assert_eq!(&f[18..20], &[0, 0]);
        // 2001 + 0001 + 2001 + 0002 + 0006 = 0x400b.
        assert_eq!(&f[70..72], &[0x40, 0x0b]);
    }

    #[test]
    fn tso_prepare_rejects_short_headers() {
        let mut f = [0u8; 40];
        assert_eq!(tso_prepare(&mut f, &TCP4), Err(EncodeError::BadTso));
        let bad = Layout {
            transport_offset: 20,
            ..TCP4
        };
        let mut g = ipv4_tcp_frame();
        assert_eq!(tso_prepare(&mut g, &bad), Err(EncodeError::BadTso));
    }
}
