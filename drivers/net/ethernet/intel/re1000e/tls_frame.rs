// SPDX-License-Identifier: GPL-2.0

//! TLS 1.2 record framing for the transmit engine: where each record's header, explicit
//! nonce, payload and tag fall in a TCP byte stream cut into arbitrary pieces (skbs, TSO
//! super-packets and their fragments), and the delegated state that lets the engine encrypt
//! each piece in one pass, in order, without re-reading a record from its start.
//!
//! The kernel's kTLS device offload hands the driver records in plaintext, each laid out as
//! on the wire: a 5-byte header (type, version 3.3, length), the 8-byte explicit nonce, the
//! payload, and 16 bytes where the tag goes. The engine writes the same bytes into a buffer
//! of its own (the plaintext stays untouched: the core keeps it for retransmissions), the
//! payload encrypted and the tag computed with AES-GCM: nonce = salt (4 bytes) || explicit
//! nonce, associated data = record number (8 bytes, big endian) || type || version || payload
//! length (2 bytes).
//!
//! Pure logic: no kernel types. The cipher is behind [`Aead`], AES-GCM from
//! `include/crypto/aes-gcm.h` in the kernel and a reference implementation in the host tests.

/// Bytes of a TLS record header.
pub(crate) const HDR_LEN: u32 = 5;
/// Bytes of the explicit nonce after the header (TLS 1.2 AES-GCM).
pub(crate) const NONCE_LEN: u32 = 8;
/// Header and explicit nonce: where the payload starts.
pub(crate) const PREFIX_LEN: u32 = HDR_LEN + NONCE_LEN;
/// Bytes of the AES-GCM tag at the end of a record.
pub(crate) const TAG_LEN: u32 = 16;
/// Most payload one TLS 1.2 record may carry (2^14, RFC 5246 6.2.3).
pub(crate) const MAX_PAYLOAD: u32 = 1 << 14;
/// The record version TLS 1.2 puts in every header.
const VERSION: [u8; 2] = [3, 3];

/// An incremental AEAD the framer drives, one record at a time.
pub(crate) trait Aead {
    /// Starts a record with `nonce` (salt and explicit nonce) and associated data `aad`.
    fn begin(&mut self, nonce: &[u8; 12], aad: &[u8; 13]);
    /// Encrypts the next `buf.len()` payload bytes of the record in place.
    fn encrypt(&mut self, buf: &mut [u8]);
    /// Ends the record and returns its tag.
    fn finish(&mut self) -> [u8; 16];
}

/// Why a piece of the stream could not go through the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameError {
    /// The piece starts before the next expected byte: a retransmission (the software
    /// fallback handles it; the engine's state is unchanged).
    Behind,
    /// The piece starts after the next expected byte: bytes the engine never saw, which it
    /// cannot bridge (a resync is needed; the engine's state is unchanged).
    Gap,
    /// The stream holds something that is not a TLS 1.2 record header where one must be:
    /// the engine's state is no longer trustworthy (a resync is needed).
    BadHeader,
    /// The engine lost its place (after an error, or before the first resync).
    NotSynced,
    /// `src` and `dst` differ in length.
    Length,
}

/// Where a record stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// Reading the header and explicit nonce: `pos` bytes of the record seen.
    Prefix,
    /// In the payload; the cipher runs.
    Payload,
    /// In the tag, computed when the payload ended.
    Tag,
}

/// The delegated transmit state of one connection: the next TCP sequence number the engine
/// expects, the number of the record it is in, and its place in that record (with the
/// running cipher state in the [`Aead`] the caller keeps beside it).
#[derive(Clone, Debug)]
pub(crate) struct Framer {
    salt: [u8; 4],
    /// The TCP sequence number of the next byte.
    next_seq: u32,
    /// The number of the record the next byte belongs to.
    rec_sn: u64,
    synced: bool,
    part: Part,
    /// Bytes of the current record already seen.
    pos: u32,
    /// The header and explicit nonce, as they arrive.
    prefix: [u8; PREFIX_LEN as usize],
    /// Payload length of the current record (known once the header is complete).
    payload: u32,
    tag: [u8; TAG_LEN as usize],
}

/// What [`Framer::process`] did with a piece.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Processed {
    /// Payload bytes encrypted.
    pub(crate) payload: u32,
    /// Records whose tag was written completely.
    pub(crate) records: u32,
}

impl Framer {
    /// The state of a connection whose first offloaded byte, at TCP sequence `seq`, starts
    /// record number `rec_sn`; `salt` is the implicit part of every nonce.
    pub(crate) fn new(salt: [u8; 4], seq: u32, rec_sn: u64) -> Self {
        Framer {
            salt,
            next_seq: seq,
            rec_sn,
            synced: true,
            part: Part::Prefix,
            pos: 0,
            prefix: [0; PREFIX_LEN as usize],
            payload: 0,
            tag: [0; TAG_LEN as usize],
        }
    }

    /// The TCP sequence number of the next byte the engine expects.
    pub(crate) fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// The number of the record the next byte belongs to.
    pub(crate) fn rec_sn(&self) -> u64 {
        self.rec_sn
    }

    /// Whether the engine knows its place in the stream.
    pub(crate) fn is_synced(&self) -> bool {
        self.synced
    }

    /// Whether the next byte starts a record.
    pub(crate) fn at_record_start(&self) -> bool {
        self.synced && self.part == Part::Prefix && self.pos == 0
    }

    /// Forgets the place in the stream (an invalidation): nothing goes through the engine
    /// until [`Framer::resync`].
    pub(crate) fn desync(&mut self) {
        self.synced = false;
    }

    /// The host's word: the record that starts at TCP sequence `seq` is number `rec_sn`. A
    /// record in progress is abandoned (its cipher state is discarded by the next
    /// [`Aead::begin`]).
    pub(crate) fn resync(&mut self, seq: u32, rec_sn: u64) {
        *self = Framer::new(self.salt, seq, rec_sn);
    }

    /// Where a piece starting at `seq` stands against the next expected byte.
    pub(crate) fn check(&self, seq: u32) -> Result<(), FrameError> {
        if !self.synced {
            return Err(FrameError::NotSynced);
        }
        // Sequence numbers wrap: compare as the distance in a 2^32 circle.
        match seq.wrapping_sub(self.next_seq) as i32 {
            0 => Ok(()),
            d if d < 0 => Err(FrameError::Behind),
            _ => Err(FrameError::Gap),
        }
    }

    /// Takes the piece of the stream at TCP sequence `seq` whose plaintext is `src`, and
    /// writes what goes on the wire for it into `dst`: see [`Framer::process_in_place`].
    pub(crate) fn process<A: Aead>(
        &mut self,
        aead: &mut A,
        seq: u32,
        src: &[u8],
        dst: &mut [u8],
    ) -> Result<Processed, FrameError> {
        if src.len() != dst.len() {
            return Err(FrameError::Length);
        }
        self.check(seq)?;
        dst.copy_from_slice(src);
        self.process_in_place(aead, seq, dst)
    }

    /// Turns the piece of the stream at TCP sequence `seq`, plaintext in `buf`, into what
    /// goes on the wire for it: headers and nonces as they are, payload encrypted, tags
    /// computed. Pieces must come in order: one that is behind or ahead is refused before
    /// anything is written, and the state stays as it was. A malformed header leaves the
    /// engine unsynced (the caller drops the packet and asks for a resync) and `buf` partly
    /// encrypted, never to be sent.
    pub(crate) fn process_in_place<A: Aead>(
        &mut self,
        aead: &mut A,
        seq: u32,
        buf: &mut [u8],
    ) -> Result<Processed, FrameError> {
        self.check(seq)?;
        let mut done = Processed::default();
        let mut i = 0usize;
        while i < buf.len() {
            let left = buf.len() - i;
            match self.part {
                Part::Prefix => {
                    let n = ((PREFIX_LEN - self.pos) as usize).min(left);
                    let at = self.pos as usize;
                    self.prefix[at..at + n].copy_from_slice(&buf[i..i + n]);
                    self.pos += n as u32;
                    i += n;
                    if self.pos == PREFIX_LEN {
                        if let Err(e) = self.start_record(aead) {
                            self.synced = false;
                            self.next_seq = self.next_seq.wrapping_add(i as u32);
                            return Err(e);
                        }
                    }
                }
                Part::Payload => {
                    let end = PREFIX_LEN + self.payload;
                    let n = ((end - self.pos) as usize).min(left);
                    aead.encrypt(&mut buf[i..i + n]);
                    self.pos += n as u32;
                    done.payload += n as u32;
                    i += n;
                    if self.pos == end {
                        self.tag = aead.finish();
                        self.part = Part::Tag;
                    }
                }
                Part::Tag => {
                    let start = PREFIX_LEN + self.payload;
                    let at = (self.pos - start) as usize;
                    let n = (TAG_LEN as usize - at).min(left);
                    buf[i..i + n].copy_from_slice(&self.tag[at..at + n]);
                    self.pos += n as u32;
                    i += n;
                    if self.pos == start + TAG_LEN {
                        done.records += 1;
                        self.rec_sn = self.rec_sn.wrapping_add(1);
                        self.part = Part::Prefix;
                        self.pos = 0;
                    }
                }
            }
        }
        self.next_seq = self.next_seq.wrapping_add(buf.len() as u32);
        Ok(done)
    }

    /// The header and nonce are complete: checks the header and starts the cipher.
    fn start_record<A: Aead>(&mut self, aead: &mut A) -> Result<(), FrameError> {
        let p = &self.prefix;
        let len = u32::from(u16::from_be_bytes([p[3], p[4]]));
        let lengths = NONCE_LEN + TAG_LEN..=MAX_PAYLOAD + NONCE_LEN + TAG_LEN;
        if p[1..3] != VERSION || !lengths.contains(&len) {
            return Err(FrameError::BadHeader);
        }
        self.payload = len - NONCE_LEN - TAG_LEN;
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&self.salt);
        nonce[4..].copy_from_slice(&p[HDR_LEN as usize..PREFIX_LEN as usize]);
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.rec_sn.to_be_bytes());
        aad[8] = p[0];
        aad[9..11].copy_from_slice(&VERSION);
        // CAST: at most 2^14, checked above.
        aad[11..13].copy_from_slice(&(self.payload as u16).to_be_bytes());
        aead.begin(&nonce, &aad);
        if self.payload == 0 {
            self.tag = aead.finish();
            self.part = Part::Tag;
        } else {
            self.part = Part::Payload;
        }
        Ok(())
    }
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(
    CONFIG_RE1000E_KUNIT_TEST,
    kernel::prelude::kunit_tests(re1000e_tls_frame)
)]
mod tests {
    use super::*;

    /// A stand-in cipher for the framing rules alone: XOR with a byte derived from the
    /// nonce, tag = a digest of the associated data and the ciphertext. The host tests check
    /// real AES-GCM.
    #[derive(Default)]
    struct Toy {
        key: u8,
        sum: u64,
        records: u32,
    }

    impl Aead for Toy {
        fn begin(&mut self, nonce: &[u8; 12], aad: &[u8; 13]) {
            self.key = nonce.iter().fold(0u8, |a, b| a ^ b) | 1;
            self.sum = aad
                .iter()
                .fold(17u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(*b)));
            self.records += 1;
        }
        fn encrypt(&mut self, buf: &mut [u8]) {
            for d in buf.iter_mut() {
                *d ^= self.key;
                self.sum = self.sum.wrapping_mul(31).wrapping_add(u64::from(*d));
            }
        }
        fn finish(&mut self) -> [u8; 16] {
            let mut t = [0u8; 16];
            t[..8].copy_from_slice(&self.sum.to_le_bytes());
            t[8..].copy_from_slice(&self.sum.to_be_bytes());
            t
        }
    }

    /// Writes a plaintext record as kTLS hands it over (tag placeholder zeroed) at the start
    /// of `buf`; returns its length.
    fn record(buf: &mut [u8], typ: u8, rec_sn: u64, payload: &[u8]) -> usize {
        let n = payload.len() + 29;
        buf[..3].copy_from_slice(&[typ, 3, 3]);
        buf[3..5].copy_from_slice(&((payload.len() + 24) as u16).to_be_bytes());
        buf[5..13].copy_from_slice(&rec_sn.to_be_bytes());
        buf[13..13 + payload.len()].copy_from_slice(payload);
        buf[13 + payload.len()..n].fill(0);
        n
    }

    #[test]
    fn out_of_order_pieces_are_refused_without_change() -> Result<(), FrameError> {
        let mut f = Framer::new([1, 2, 3, 4], 1000, 7);
        let mut a = Toy::default();
        let mut src = [0u8; 64];
        let n = record(&mut src, 23, 7, b"hello");
        let mut dst = [0u8; 64];
        assert_eq!(
            f.process(&mut a, 999, &src[..n], &mut dst[..n]),
            Err(FrameError::Behind)
        );
        assert_eq!(
            f.process(&mut a, 1001, &src[..n], &mut dst[..n]),
            Err(FrameError::Gap)
        );
        assert_eq!((f.next_seq(), f.rec_sn(), a.records), (1000, 7, 0));
        assert!(dst.iter().all(|b| *b == 0));
        let done = f.process(&mut a, 1000, &src[..n], &mut dst[..n])?;
        assert!(
            done == Processed {
                payload: 5,
                records: 1
            }
        );
        assert_eq!((f.next_seq(), f.rec_sn()), (1000 + n as u32, 8));
        assert!(f.at_record_start());
        Ok(())
    }

    #[test]
    fn sequence_numbers_wrap() -> Result<(), FrameError> {
        let mut f = Framer::new([0; 4], u32::MAX - 3, 0);
        let mut a = Toy::default();
        let mut src = [0u8; 96];
        let n = record(&mut src, 23, 0, &[9; 40]);
        let mut dst = [0u8; 96];
        f.process(&mut a, u32::MAX - 3, &src[..10], &mut dst[..10])?;
        assert_eq!(f.next_seq(), 6);
        assert_eq!(f.check(u32::MAX), Err(FrameError::Behind));
        f.process(&mut a, 6, &src[10..n], &mut dst[10..n])?;
        assert!(f.at_record_start());
        Ok(())
    }

    #[test]
    fn a_bad_header_unsyncs_until_resync() -> Result<(), FrameError> {
        let mut f = Framer::new([0; 4], 0, 0);
        let mut a = Toy::default();
        let mut src = [0u8; 64];
        let n = record(&mut src, 23, 0, &[1; 10]);
        src[1] = 2; // version 2.3
        let mut dst = [0u8; 64];
        assert_eq!(
            f.process(&mut a, 0, &src[..n], &mut dst[..n]),
            Err(FrameError::BadHeader)
        );
        assert!(!f.is_synced());
        assert_eq!(f.check(f.next_seq()), Err(FrameError::NotSynced));
        // A length too short for nonce and tag, or too long for TLS 1.2, is refused too.
        for len in [23u16, (MAX_PAYLOAD + 25) as u16] {
            let mut g = Framer::new([0; 4], 0, 0);
            let mut h = [23u8, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
            h[3..5].copy_from_slice(&len.to_be_bytes());
            let mut d = [0u8; 13];
            assert_eq!(g.process(&mut a, 0, &h, &mut d), Err(FrameError::BadHeader));
        }
        f.resync(500, 3);
        assert!(f.at_record_start());
        let n = record(&mut src, 21, 3, &[]);
        assert_eq!(f.process(&mut a, 500, &src[..n], &mut dst[..n])?.records, 1);
        Ok(())
    }

    #[test]
    fn every_two_cuts_give_the_bytes_of_one_piece() -> Result<(), FrameError> {
        let mut stream = [0u8; 200];
        let mut payload = [0u8; 100];
        payload
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8);
        let mut n = record(&mut stream, 23, 5, &payload);
        n += record(&mut stream[n..], 21, 6, &[]);
        n += record(&mut stream[n..], 23, 7, &[0xaa; 3]);
        let stream = &stream[..n];
        let mut whole = [0u8; 200];
        let mut f = Framer::new([4, 3, 2, 1], 10, 5);
        let mut a = Toy::default();
        assert_eq!(f.process(&mut a, 10, stream, &mut whole[..n])?.records, 3);
        // Two cuts anywhere, so pieces of every length from 0 bytes up, records split in
        // three, and headers, nonces and tags split at every byte.
        for x in 0..=n {
            for y in x..=n {
                let mut f = Framer::new([4, 3, 2, 1], 10, 5);
                let mut a = Toy::default();
                let mut out = [0u8; 200];
                for (s, e) in [(0, x), (x, y), (y, n)] {
                    f.process(&mut a, 10 + s as u32, &stream[s..e], &mut out[s..e])?;
                }
                assert!(out[..n] == whole[..n]);
                assert_eq!((f.rec_sn(), f.at_record_start()), (8, true));
            }
        }
        // Headers and nonces went through, the tag placeholder became a tag.
        assert!(whole[..13] == stream[..13]);
        assert!(whole[113..129] != [0u8; 16]);
        Ok(())
    }

    #[test]
    fn mismatched_buffers_are_refused() {
        let mut f = Framer::new([0; 4], 0, 0);
        let mut a = Toy::default();
        assert_eq!(
            f.process(&mut a, 0, &[0; 4], &mut [0; 3]),
            Err(FrameError::Length)
        );
        assert_eq!(f.next_seq(), 0);
    }
}
