// SPDX-License-Identifier: GPL-2.0

//! 82574 descriptor formats: encoders for transmit, decoders for receive.
//!
//! Pure logic with no kernel types (tested by KUnit and `cargo test`). A descriptor is 16
//! bytes, handled as two little-endian 64-bit words `[w0, w1]`. References are to the 82574
//! datasheet, section 7.2 (transmit) and 7.1 (receive). QEMU reparses packet headers and
//! ignores several of these fields, so the encoders are checked here against values worked
//! out by hand from the datasheet.

/// A descriptor as the two 64-bit words the hardware reads or writes.
pub(crate) type Words = [u64; 2];

/// Transmit descriptor command bits (DCMD / TUCMD, bits 31:24 of the second dword).
pub(crate) mod cmd {
    /// End of packet.
    pub(crate) const EOP: u32 = 1 << 0;
    /// Insert FCS.
    pub(crate) const IFCS: u32 = 1 << 1;
    /// TCP segmentation enable.
    pub(crate) const TSE: u32 = 1 << 2;
    /// Report status (write back DD).
    pub(crate) const RS: u32 = 1 << 3;
    /// Extended descriptor (not legacy).
    pub(crate) const DEXT: u32 = 1 << 5;
    /// VLAN packet enable: insert the tag from the descriptor.
    pub(crate) const VLE: u32 = 1 << 6;
    /// Context descriptor TUCMD: the packet is TCP (else UDP).
    pub(crate) const TUCMD_TCP: u32 = 1 << 0;
    /// Context descriptor TUCMD: the packet is IPv4 (else IPv6).
    pub(crate) const TUCMD_IP: u32 = 1 << 1;
}

/// Descriptor type field (DTYP, bits 23:20 of the second dword) of extended descriptors.
const DTYP_CONTEXT: u32 = 0x0 << 20;
const DTYP_DATA: u32 = 0x1 << 20;

/// Data descriptor packet options (POPTS, bits 15:8 of the third dword).
mod popts {
    /// Insert the IP checksum.
    pub(crate) const IXSM: u32 = 1 << 0;
    /// Insert the TCP/UDP checksum.
    pub(crate) const TXSM: u32 = 1 << 1;
}

/// Largest data buffer one transmit descriptor may carry (length field is 20 bits, the C
/// driver limits buffers to 8 KiB).
pub(crate) const TX_MAX_BUF: u32 = 1 << 13;

/// Transport protocol of an offloaded packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum L4 {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// Header layout of a packet whose checksum or segmentation is offloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// IPv4 (`true`) or IPv6.
    pub(crate) ipv4: bool,
    /// Offset of the IP header from the start of the frame.
    pub(crate) network_offset: u32,
    /// Offset of the TCP/UDP header (the checksum start).
    pub(crate) transport_offset: u32,
    /// Offset of the checksum field from the transport header.
    pub(crate) csum_offset: u32,
    /// Transport protocol.
    pub(crate) l4: L4,
}

/// Segmentation parameters of a TSO packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tso {
    /// Segment payload size.
    pub(crate) mss: u32,
    /// Length of all headers (Ethernet through TCP options).
    pub(crate) header_len: u32,
    /// Total frame length, headers included.
    pub(crate) total_len: u32,
}

/// Why an offload request cannot be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EncodeError {
    /// An offset does not fit its 8-bit field.
    OffsetTooLarge,
    /// TSO parameters out of range (MSS, header length, payload length).
    BadTso,
    /// TSO of a non-TCP packet.
    NotTcp,
}

fn byte(v: u32) -> Result<u64, EncodeError> {
    if v > 0xff {
        Err(EncodeError::OffsetTooLarge)
    } else {
        Ok(u64::from(v))
    }
}

/// Encodes the TCP/IP context descriptor (datasheet 7.2.6) for checksum offload, or for TSO
/// when `tso` is given. It must precede the data descriptors of the packet.
pub(crate) fn context(layout: &Layout, tso: Option<&Tso>) -> Result<Words, EncodeError> {
    let ipcss = byte(layout.network_offset)?;
    // The IPv4 header checksum is at byte 10 of the header; IPv6 has none.
    let (ipcso, ipcse) = if layout.ipv4 {
        (
            byte(layout.network_offset + 10)?,
            // IPCSE is inclusive: the last byte of the IP header.
            u64::from(
                layout
                    .transport_offset
                    .checked_sub(1)
                    .ok_or(EncodeError::OffsetTooLarge)?,
            ),
        )
    } else {
        (0, 0)
    };
    if ipcse > 0xffff {
        return Err(EncodeError::OffsetTooLarge);
    }
    let tucss = byte(layout.transport_offset)?;
    let tucso = byte(layout.transport_offset + layout.csum_offset)?;
    // TUCSE 0: checksum to the end of the packet.
    let w0 = ipcss | (ipcso << 8) | (ipcse << 16) | (tucss << 32) | (tucso << 40);

    let mut tucmd = cmd::DEXT;
    if layout.ipv4 {
        tucmd |= cmd::TUCMD_IP;
    }
    if layout.l4 == L4::Tcp {
        tucmd |= cmd::TUCMD_TCP;
    }
    let (paylen, hdrlen, mss) = match tso {
        None => (0, 0, 0),
        Some(t) => {
            if layout.l4 != L4::Tcp {
                return Err(EncodeError::NotTcp);
            }
            let paylen = t
                .total_len
                .checked_sub(t.header_len)
                .ok_or(EncodeError::BadTso)?;
            if t.mss == 0
                || t.mss > 0xffff
                || t.header_len > 0xff
                || paylen >= 1 << 20
                || paylen == 0
            {
                return Err(EncodeError::BadTso);
            }
            tucmd |= cmd::TSE;
            (paylen, t.header_len, t.mss)
        }
    };
    let dw2 = paylen | DTYP_CONTEXT | (tucmd << 24);
    // STA (status) bits 7:0 are written back by hardware; HDRLEN 15:8; MSS 31:16.
    let dw3 = (hdrlen << 8) | (mss << 16);
    Ok([w0, u64::from(dw2) | (u64::from(dw3) << 32)])
}

/// The TCP/IP context the hardware holds: it keeps the last context descriptor it read for
/// every later packet until the next one (datasheet 7.2.6), so a packet whose checksum
/// context equals the one held needs none. TSO contexts carry the packet's own payload
/// length and are written for every TSO packet; after one, the context held is not known
/// to match any checksum context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ContextCache(Option<Words>);

impl ContextCache {
    /// Nothing known: after a reset, or before the first packet.
    pub(crate) const EMPTY: ContextCache = ContextCache(None);

    /// For a packet that needs `context` (`None`: no offload): the context descriptor to
    /// queue before it, and what the hardware holds once it is queued.
    pub(crate) fn plan(self, context: Option<Words>) -> (Option<Words>, ContextCache) {
        match context {
            None => (None, self),
            Some(c) if is_tso_context(&c) => (Some(c), ContextCache::EMPTY),
            Some(c) if self.0 == Some(c) => (None, self),
            Some(c) => (Some(c), ContextCache(Some(c))),
        }
    }
}

/// Whether context descriptor `w` enables TCP segmentation (TUCMD.TSE).
fn is_tso_context(w: &Words) -> bool {
    // CAST: TUCMD is bits 31:24 of the second dword.
    ((w[1] >> 24) as u32 & 0xff) & cmd::TSE != 0
}

/// What a transmit data descriptor asks of the hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct DataOpts {
    /// Last buffer of the packet: set EOP and RS.
    pub(crate) last: bool,
    /// Insert the TCP/UDP checksum (from the preceding context).
    pub(crate) l4_csum: bool,
    /// Insert the IPv4 header checksum.
    pub(crate) ip_csum: bool,
    /// Part of a TSO packet.
    pub(crate) tso: bool,
    /// 802.1Q tag to insert.
    pub(crate) vlan: Option<u16>,
    /// Latch the packet's transmit time in TXSTMPL/H (TSTAMP).
    pub(crate) tstamp: bool,
}

/// Encodes an extended transmit data descriptor (datasheet 7.2.7) for `len` bytes at `addr`.
pub(crate) fn data(addr: u64, len: u32, o: &DataOpts) -> Words {
    let mut dcmd = cmd::DEXT | cmd::IFCS;
    if o.last {
        dcmd |= cmd::EOP | cmd::RS;
    }
    if o.tso {
        dcmd |= cmd::TSE;
    }
    if o.vlan.is_some() {
        dcmd |= cmd::VLE;
    }
    let mut popt = 0;
    if o.l4_csum {
        popt |= popts::TXSM;
    }
    if o.ip_csum {
        popt |= popts::IXSM;
    }
    let dw2 = (len & 0xf_ffff) | DTYP_DATA | (dcmd << 24);
    // Bit 4 of the status byte is an extended command on transmit: TSTAMP.
    let tstamp = if o.tstamp { 1 << 4 } else { 0 };
    let dw3 = tstamp | (popt << 8) | (u32::from(o.vlan.unwrap_or(0)) << 16);
    [addr, u64::from(dw2) | (u64::from(dw3) << 32)]
}

/// Returns `true` once the hardware wrote back a transmit descriptor (STA.DD, bit 0 of the
/// fourth dword).
pub(crate) fn tx_done(w1: u64) -> bool {
    (w1 >> 32) & 1 != 0
}

/// The read format of an extended receive descriptor (datasheet 7.1.5.1): the buffer
/// address, and a second word of zero, which also clears DD of the previous write-back.
pub(crate) fn rx_read(addr: u64) -> Words {
    [addr, 0]
}

/// Receive buffer size programmed in RCTL (2048 bytes, BSEX clear): the most the device
/// writes into one buffer. A longer frame (RCTL.LPE) spreads over several buffers.
pub(crate) const RX_BUF_LEN: u32 = 2048;
/// Headroom before a frame in a whole-page buffer: room for the stack to push headers.
pub(crate) const RX_HEADROOM: u32 = 256;
/// Headroom before a frame in a half-page buffer (`NET_SKB_PAD` on x86-64).
pub(crate) const RX_SHORT_HEADROOM: u32 = 64;
/// The most the MAC stores of a frame with long frames off (RCTL.LPE) and bad frames
/// dropped (RCTL.SBP): 1522 bytes with a VLAN tag, with the FCS counted (the C driver's
/// buffers, `VLAN_ETH_FRAME_LEN + ETH_FCS_LEN`, though RCTL says 2048); QEMU's
/// `e1000x_is_oversized` counts without it, so 4 bytes more when rx-fcs keeps it. Longer
/// frames are discarded; with RCTL.SBP set they are stored.
pub(crate) const RX_SHORT_FRAME_MAX: u32 = 1526;

/// Where the device writes received frames: buffers of `size` bytes, each frame at `offset`
/// in its buffer, at most `max_len` bytes of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RxBufPlan {
    pub(crate) size: u32,
    pub(crate) offset: u32,
    pub(crate) max_len: u32,
}

/// Receive buffers for a configuration. Frames of at most [`RX_SHORT_FRAME_MAX`] bytes (no
/// long frames, no bad frames kept) get [`RX_BUF_LEN`]-byte buffers cut from pages, as long
/// as a frame, its headroom and the packet's shared info (`shinfo` bytes at the buffer's
/// end) fit one: a packet is then charged half a page rather than a page. Otherwise each
/// buffer is a page, the device may fill all [`RX_BUF_LEN`] bytes of it.
pub(crate) fn rx_buf_plan(
    long_frames: bool,
    keep_bad: bool,
    page_size: u32,
    shinfo: u32,
) -> RxBufPlan {
    let short = RxBufPlan {
        size: RX_BUF_LEN,
        offset: RX_SHORT_HEADROOM,
        max_len: RX_SHORT_FRAME_MAX,
    };
    if !long_frames
        && !keep_bad
        && short.size < page_size
        && short.offset + short.max_len + shinfo <= short.size
    {
        short
    } else {
        RxBufPlan {
            size: page_size,
            offset: RX_HEADROOM,
            max_len: RX_BUF_LEN,
        }
    }
}

/// Receive status bits (extended write-back, third dword bits 19:0).
mod rxsta {
    pub(crate) const DD: u32 = 1 << 0;
    pub(crate) const EOP: u32 = 1 << 1;
    pub(crate) const VP: u32 = 1 << 3;
    pub(crate) const UDPCS: u32 = 1 << 4;
    pub(crate) const TCPCS: u32 = 1 << 5;
    pub(crate) const IPCS: u32 = 1 << 6;
    /// The frame's timestamp is latched in RXSTMPL/H.
    pub(crate) const TST: u32 = 1 << 8;
}

/// Receive error bits (extended write-back, third dword bits 31:20).
mod rxerr {
    /// CRC or alignment error.
    pub(crate) const CE: u32 = 1 << 24;
    /// Symbol error.
    pub(crate) const SE: u32 = 1 << 25;
    /// Sequence error.
    pub(crate) const SEQ: u32 = 1 << 26;
    /// Carrier extension error.
    pub(crate) const CXE: u32 = 1 << 28;
    /// TCP/UDP checksum error.
    pub(crate) const TCPE: u32 = 1 << 29;
    /// IPv4 checksum error.
    pub(crate) const IPE: u32 = 1 << 30;
    /// RX data error.
    pub(crate) const RXE: u32 = 1 << 31;
    /// Errors that make the frame itself bad.
    pub(crate) const FRAME: u32 = CE | SE | SEQ | CXE | RXE;
}

/// What the hardware reported about a received checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RxCsum {
    /// Not checked (not IP/TCP/UDP, or offload off).
    None,
    /// TCP/UDP checksum verified good (and IPv4 header checksum, if IPv4).
    Good,
    /// A checksum was found bad: let the stack decide.
    Bad,
}

/// An extended receive descriptor written back by the hardware (datasheet 7.1.5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RxDone {
    /// Frame length in the buffer.
    pub(crate) len: u16,
    /// Last buffer of the frame.
    pub(crate) eop: bool,
    /// The frame has a bad CRC, symbol or sequence.
    pub(crate) frame_error: bool,
    /// Checksum verdict.
    pub(crate) csum: RxCsum,
    /// The hardware checked an IPv4 header checksum (IPCS): set for every IPv4 frame while
    /// RXCSUM.IPOFLD is on.
    pub(crate) ip_checked: bool,
    /// Stripped 802.1Q tag.
    pub(crate) vlan: Option<u16>,
    /// RSS hash and whether it covered the L4 ports, when RSS is on.
    pub(crate) hash: Option<(u32, bool)>,
    /// The hardware latched the frame's receive timestamp (TST).
    pub(crate) timestamped: bool,
}

/// RSS type field (MRQ bits 3:0) values that hash ports.
fn rss_type_l4(t: u32) -> bool {
    // 1 = TCP/IPv4, 3 = TCP/IPv6 (extension headers), 6 = TCP/IPv6.
    matches!(t, 0x1 | 0x3 | 0x6)
}

/// Decodes a receive descriptor, or `None` while the hardware still owns it (DD clear).
/// `rss` says whether RXCSUM.PCSD is set, so that the second dword is the hash.
pub(crate) fn rx_done(w: Words, rss: bool) -> Option<RxDone> {
    let mrq = w[0] as u32;
    let hash = (w[0] >> 32) as u32;
    let staterr = w[1] as u32;
    if staterr & rxsta::DD == 0 {
        return None;
    }
    let csum = if staterr & (rxerr::TCPE | rxerr::IPE) != 0 {
        RxCsum::Bad
    } else if staterr & (rxsta::TCPCS | rxsta::UDPCS) != 0 {
        RxCsum::Good
    } else {
        RxCsum::None
    };
    let rss_type = mrq & 0xf;
    Some(RxDone {
        len: (w[1] >> 32) as u16,
        eop: staterr & rxsta::EOP != 0,
        frame_error: staterr & rxerr::FRAME != 0,
        csum,
        ip_checked: staterr & rxsta::IPCS != 0,
        vlan: (staterr & rxsta::VP != 0).then_some((w[1] >> 48) as u16),
        hash: (rss && rss_type != 0).then_some((hash, rss_type_l4(rss_type))),
        timestamped: staterr & rxsta::TST != 0,
    })
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(CONFIG_RE1000E_KUNIT_TEST, kernel::prelude::kunit_tests(re1000e_desc))]
mod tests {
    use super::*;

    /// Ethernet + IPv4 (20) + TCP: network header at 14, transport at 34, TCP check at +16.
    const TCP4: Layout = Layout {
        ipv4: true,
        network_offset: 14,
        transport_offset: 34,
        csum_offset: 16,
        l4: L4::Tcp,
    };

    /// Ethernet + VLAN tag in the frame + IPv6 (40) + UDP: check at +6.
    const UDP6_TAGGED: Layout = Layout {
        ipv4: false,
        network_offset: 18,
        transport_offset: 58,
        csum_offset: 6,
        l4: L4::Udp,
    };

    #[test]
    fn context_tcp4_checksum() {
        // IPCSS 14 (0x0e), IPCSO 24 (0x18), IPCSE 33 (0x21); TUCSS 34 (0x22), TUCSO 50
        // (0x32), TUCSE 0. TUCMD = DEXT | IP | TCP = 0x23, DTYP 0, PAYLEN 0.
        let w = context(&TCP4, None).unwrap();
        assert_eq!(w[0], 0x0000_3222_0021_180e);
        assert_eq!(w[1], 0x0000_0000_2300_0000);
    }

    #[test]
    fn rx_buffers_half_a_page_only_for_short_frames() {
        let half = RxBufPlan {
            size: 2048,
            offset: 64,
            max_len: 1526,
        };
        let whole = RxBufPlan {
            size: 4096,
            offset: 256,
            max_len: 2048,
        };
        // x86-64: 320 bytes of shared info.
        assert_eq!(rx_buf_plan(false, false, 4096, 320), half);
        // Long frames, or oversized frames stored (rx-all): the device may fill 2048 bytes.
        assert_eq!(rx_buf_plan(true, false, 4096, 320), whole);
        assert_eq!(rx_buf_plan(false, true, 4096, 320), whole);
        // A frame with its headroom and shared info must fit the buffer.
        assert_eq!(rx_buf_plan(false, false, 4096, 458), half);
        assert_eq!(rx_buf_plan(false, false, 4096, 459), whole);
        // Larger pages are cut into more buffers.
        assert_eq!(rx_buf_plan(false, false, 65536, 320), half);
        // Whole pages leave room for the shared info after a full buffer.
        assert!(whole.offset + whole.max_len + 320 <= whole.size);
    }

    #[test]
    fn context_cache() {
        let tcp = context(&TCP4, None).unwrap();
        let udp = context(&UDP6_TAGGED, None).unwrap();
        let tso = Tso {
            mss: 1448,
            header_len: 66,
            total_len: 66 + 4 * 1448,
        };
        let tso = context(&TCP4, Some(&tso)).unwrap();
        assert!(is_tso_context(&tso) && !is_tso_context(&tcp) && !is_tso_context(&udp));
        // The first checksum packet writes its context; the same context again needs none.
        let (w, c) = ContextCache::EMPTY.plan(Some(tcp));
        assert_eq!(w, Some(tcp));
        let (w, c) = c.plan(Some(tcp));
        assert_eq!(w, None);
        // A packet without offload leaves the context held as it is.
        let (w, c) = c.plan(None);
        assert_eq!(w, None);
        assert_eq!(c.plan(Some(tcp)).0, None);
        // Another context replaces it.
        let (w, c) = c.plan(Some(udp));
        assert_eq!(w, Some(udp));
        let (w, c) = c.plan(Some(tcp));
        assert_eq!(w, Some(tcp));
        // TSO writes its context every time, and the next checksum packet writes its own.
        let (w, c) = c.plan(Some(tso));
        assert_eq!(w, Some(tso));
        let (w, c) = c.plan(Some(tso));
        assert_eq!(w, Some(tso));
        assert_eq!(c, ContextCache::EMPTY);
        assert_eq!(c.plan(Some(tcp)).0, Some(tcp));
    }

    #[test]
    fn context_udp6_checksum() {
        // No IP checksum for IPv6: IPCSO = IPCSE = 0. TUCSS 58 (0x3a), TUCSO 64 (0x40).
        // TUCMD = DEXT only (UDP, IPv6) = 0x20.
        let w = context(&UDP6_TAGGED, None).unwrap();
        assert_eq!(w[0], 0x0000_403a_0000_0012);
        assert_eq!(w[1], 0x0000_0000_2000_0000);
    }

    #[test]
    fn context_tcp4_tso() {
        // 14 + 20 + 32 (TCP with timestamps) = 66 header bytes (0x42); MSS 1448 (0x5a8);
        // total 64066 bytes -> PAYLEN 64000 (0xfa00). TUCMD = DEXT|TSE|IP|TCP = 0x27.
        let t = Tso {
            mss: 1448,
            header_len: 66,
            total_len: 64066,
        };
        let w = context(&TCP4, Some(&t)).unwrap();
        assert_eq!(w[0], 0x0000_3222_0021_180e);
        assert_eq!(w[1], 0x05a8_4200_2700_fa00);
    }

    #[test]
    fn context_rejects_bad_requests() {
        let t = Tso {
            mss: 1448,
            header_len: 66,
            total_len: 64066,
        };
        assert_eq!(context(&UDP6_TAGGED, Some(&t)), Err(EncodeError::NotTcp));
        let zero_mss = Tso { mss: 0, ..t };
        assert_eq!(context(&TCP4, Some(&zero_mss)), Err(EncodeError::BadTso));
        let no_payload = Tso { total_len: 66, ..t };
        assert_eq!(context(&TCP4, Some(&no_payload)), Err(EncodeError::BadTso));
        let far = Layout {
            transport_offset: 300,
            ..TCP4
        };
        assert_eq!(context(&far, None), Err(EncodeError::OffsetTooLarge));
    }

    #[test]
    fn data_descriptor_fields() {
        // Plain single-buffer packet: DCMD = DEXT|IFCS|EOP|RS = 0x2b, DTYP 1, length 60.
        let w = data(
            0x1234_5678_9abc_d000,
            60,
            &DataOpts {
                last: true,
                ..Default::default()
            },
        );
        assert_eq!(w[0], 0x1234_5678_9abc_d000);
        assert_eq!(w[1], 0x0000_0000_2b10_003c);

        // Middle buffer of a TSO packet with checksums: DCMD = DEXT|IFCS|TSE = 0x26,
        // POPTS = TXSM|IXSM = 0x03.
        let o = DataOpts {
            last: false,
            l4_csum: true,
            ip_csum: true,
            tso: true,
            vlan: None,
            tstamp: false,
        };
        assert_eq!(data(0x1000, 4096, &o)[1], 0x0000_0300_2610_1000);

        // VLAN 100 (0x064) inserted: VLE (0x40) in DCMD, tag in bits 63:48.
        let v = DataOpts {
            last: true,
            vlan: Some(100),
            ..Default::default()
        };
        assert_eq!(data(0x1000, 100, &v)[1], 0x0064_0000_6b10_0064);

        // Timestamp request: TSTAMP is bit 4 of the fourth dword (bit 36 of the word).
        let t = DataOpts {
            last: true,
            tstamp: true,
            ..Default::default()
        };
        assert_eq!(data(0x1000, 60, &t)[1], 0x0000_0010_2b10_003c);
    }

    #[test]
    fn tx_done_reads_dd() {
        assert!(!tx_done(0x0000_0000_2b10_003c));
        assert!(tx_done(0x0000_0001_2b10_003c));
    }

    #[test]
    fn rx_read_clears_status() {
        assert_eq!(rx_read(0xdead_b000), [0xdead_b000, 0]);
        assert_eq!(rx_done(rx_read(0xdead_b000), false), None);
    }

    #[test]
    fn rx_done_decodes_writeback() {
        // 1514-byte TCP/IPv4 frame, checksums good, VLAN 5 stripped, RSS type 1 with hash
        // 0xcafef00d.
        let w = [
            0xcafe_f00d_0000_0001,
            (5u64 << 48) | (1514u64 << 32) | u64::from(0x1u32 | 0x2 | 0x8 | 0x20 | 0x40),
        ];
        let d = rx_done(w, true).unwrap();
        assert_eq!(d.len, 1514);
        assert!(d.eop);
        assert!(!d.frame_error);
        assert_eq!(d.csum, RxCsum::Good);
        assert!(d.ip_checked);
        assert_eq!(d.vlan, Some(5));
        assert_eq!(d.hash, Some((0xcafe_f00d, true)));
        // Without PCSD the second dword is a checksum, not a hash.
        assert_eq!(rx_done(w, false).unwrap().hash, None);
    }

    #[test]
    fn rx_done_reports_errors() {
        let bad_l4 = [0, (60u64 << 32) | u64::from(0x3u32 | 0x20 | (1 << 29))];
        assert_eq!(rx_done(bad_l4, false).unwrap().csum, RxCsum::Bad);
        let crc = [0, (60u64 << 32) | u64::from(0x3u32 | (1 << 24))];
        assert!(rx_done(crc, false).unwrap().frame_error);
        let plain = [0, (60u64 << 32) | 0x3];
        assert_eq!(rx_done(plain, false).unwrap().csum, RxCsum::None);
        assert_eq!(rx_done(plain, false).unwrap().vlan, None);
        assert!(!rx_done(plain, false).unwrap().ip_checked);
        assert!(!rx_done(plain, false).unwrap().timestamped);
        // TST (STATERR bit 8): the receive timestamp registers hold this frame's time.
        let stamped = [0, (60u64 << 32) | 0x3 | (1 << 8)];
        assert!(rx_done(stamped, false).unwrap().timestamped);
    }
}
