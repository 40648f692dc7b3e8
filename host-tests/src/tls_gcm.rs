// SPDX-License-Identifier: GPL-2.0

//! The TLS record framer (`tls_frame.rs`) with real AES-GCM: an incremental AES-GCM built
//! from the AES block cipher and GHASH, as the kernel's `include/crypto/aes-gcm.h` is used,
//! and every record checked against the one-shot `aes-gcm` crate (RustCrypto) as the
//! reference, with the stream cut at every offset.

use crate::tls_frame::{Aead, FrameError, Framer, MAX_PAYLOAD};
use aes::cipher::{BlockEncrypt, KeyInit};
use aes_gcm::{aead::AeadInPlace, Aes128Gcm, Aes256Gcm, Nonce};
use ghash::{universal_hash::UniversalHash, GHash};

/// AES-128 or AES-256.
enum Block {
    A128(aes::Aes128),
    A256(aes::Aes256),
}

impl Block {
    fn encrypt(&self, b: &mut [u8; 16]) {
        let ga = aes::Block::from_mut_slice(b);
        match self {
            Block::A128(c) => c.encrypt_block(ga),
            Block::A256(c) => c.encrypt_block(ga),
        }
    }
}

/// Incremental AES-GCM (NIST SP 800-38D): the counter-mode keystream and GHASH carried
/// across calls of any length.
struct Gcm {
    aes: Block,
    h: [u8; 16],
    ghash: Option<GHash>,
    j0: [u8; 16],
    ctr: [u8; 16],
    stream: [u8; 16],
    used: usize,
    /// Ciphertext not yet hashed (a partial block).
    pending: Vec<u8>,
    aad_len: u64,
    ct_len: u64,
}

impl Gcm {
    fn new(key: &[u8]) -> Self {
        let aes = match key.len() {
            16 => Block::A128(aes::Aes128::new_from_slice(key).unwrap()),
            32 => Block::A256(aes::Aes256::new_from_slice(key).unwrap()),
            _ => panic!("key length"),
        };
        let mut h = [0u8; 16];
        aes.encrypt(&mut h);
        Gcm {
            aes,
            h,
            ghash: None,
            j0: [0; 16],
            ctr: [0; 16],
            stream: [0; 16],
            used: 16,
            pending: Vec::new(),
            aad_len: 0,
            ct_len: 0,
        }
    }

    fn hash_padded(g: &mut GHash, data: &[u8]) {
        for chunk in data.chunks(16) {
            let mut b = [0u8; 16];
            b[..chunk.len()].copy_from_slice(chunk);
            g.update(&[b.into()]);
        }
    }
}

impl Aead for Gcm {
    fn begin(&mut self, nonce: &[u8; 12], aad: &[u8; 13]) {
        let mut g = GHash::new(&self.h.into());
        Self::hash_padded(&mut g, aad);
        self.ghash = Some(g);
        self.j0[..12].copy_from_slice(nonce);
        self.j0[12..].copy_from_slice(&1u32.to_be_bytes());
        self.ctr = self.j0;
        self.used = 16;
        self.pending.clear();
        self.aad_len = aad.len() as u64;
        self.ct_len = 0;
    }

    fn encrypt(&mut self, buf: &mut [u8]) {
        for d in buf.iter_mut() {
            if self.used == 16 {
                let c = u32::from_be_bytes(self.ctr[12..].try_into().unwrap()).wrapping_add(1);
                self.ctr[12..].copy_from_slice(&c.to_be_bytes());
                self.stream = self.ctr;
                self.aes.encrypt(&mut self.stream);
                self.used = 0;
            }
            *d ^= self.stream[self.used];
            self.used += 1;
            self.pending.push(*d);
            if self.pending.len() == 16 {
                let b: [u8; 16] = self.pending[..].try_into().unwrap();
                self.ghash.as_mut().unwrap().update(&[b.into()]);
                self.pending.clear();
            }
        }
        self.ct_len += buf.len() as u64;
    }

    fn finish(&mut self) -> [u8; 16] {
        let mut g = self.ghash.take().unwrap();
        let rest = std::mem::take(&mut self.pending);
        Self::hash_padded(&mut g, &rest);
        let mut lens = [0u8; 16];
        lens[..8].copy_from_slice(&(self.aad_len * 8).to_be_bytes());
        lens[8..].copy_from_slice(&(self.ct_len * 8).to_be_bytes());
        g.update(&[lens.into()]);
        let s = g.finalize();
        let mut ek = self.j0;
        self.aes.encrypt(&mut ek);
        let mut tag = [0u8; 16];
        for (i, t) in tag.iter_mut().enumerate() {
            *t = s[i] ^ ek[i];
        }
        tag
    }
}

/// A deterministic byte generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A connection's stream of records with the given payload lengths, as kTLS hands it to the
/// driver (plaintext, tag placeholders zeroed), and as it must go on the wire, encrypted by
/// the reference one-shot AES-GCM.
fn stream(
    key: &[u8],
    salt: [u8; 4],
    first: u64,
    lens: &[usize],
    rng: &mut Rng,
) -> (Vec<u8>, Vec<u8>) {
    let (mut plain, mut wire) = (Vec::new(), Vec::new());
    for (i, &len) in lens.iter().enumerate() {
        let rec_sn = first + i as u64;
        let typ = if i % 3 == 2 { 21 } else { 23 };
        let mut hdr = vec![typ, 3, 3];
        hdr.extend_from_slice(&((len + 24) as u16).to_be_bytes());
        // kTLS uses the record number as the explicit nonce; any value must work.
        let explicit = rng.next().to_be_bytes();
        hdr.extend_from_slice(&explicit);
        let payload = rng.bytes(len);
        let mut nonce = [0u8; 12];
        nonce[..4].copy_from_slice(&salt);
        nonce[4..].copy_from_slice(&explicit);
        let mut aad = rec_sn.to_be_bytes().to_vec();
        aad.extend_from_slice(&[typ, 3, 3]);
        aad.extend_from_slice(&(len as u16).to_be_bytes());
        let mut ct = payload.clone();
        let tag = match key.len() {
            16 => Aes128Gcm::new_from_slice(key)
                .unwrap()
                .encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut ct),
            _ => Aes256Gcm::new_from_slice(key)
                .unwrap()
                .encrypt_in_place_detached(Nonce::from_slice(&nonce), &aad, &mut ct),
        }
        .unwrap();
        plain.extend_from_slice(&hdr);
        plain.extend_from_slice(&payload);
        plain.extend_from_slice(&[0u8; 16]);
        wire.extend_from_slice(&hdr);
        wire.extend_from_slice(&ct);
        wire.extend_from_slice(&tag);
    }
    (plain, wire)
}

/// Runs `plain` through a framer in pieces ending at `cuts`; returns what went on the wire.
fn frame(
    key: &[u8],
    salt: [u8; 4],
    seq: u32,
    rec_sn: u64,
    plain: &[u8],
    cuts: &[usize],
) -> Vec<u8> {
    let mut f = Framer::new(salt, seq, rec_sn);
    let mut g = Gcm::new(key);
    let mut out = vec![0u8; plain.len()];
    let mut s = 0;
    for &e in cuts.iter().chain(std::iter::once(&plain.len())) {
        f.process(
            &mut g,
            seq.wrapping_add(s as u32),
            &plain[s..e],
            &mut out[s..e],
        )
        .unwrap();
        s = e;
    }
    assert!(f.at_record_start());
    out
}

#[test]
fn the_incremental_gcm_matches_the_reference_in_one_piece() {
    let mut rng = Rng(0x1234_5678_9abc_def0);
    for key_len in [16, 32] {
        let key = rng.bytes(key_len);
        let salt = [9, 8, 7, 6];
        let lens = [0, 1, 15, 16, 17, 255, 1000, MAX_PAYLOAD as usize];
        let (plain, wire) = stream(&key, salt, 42, &lens, &mut rng);
        assert_eq!(
            frame(&key, salt, 1, 42, &plain, &[]),
            wire,
            "AES-{}",
            key_len * 8
        );
    }
}

#[test]
fn every_cut_of_a_stream_gives_the_reference_bytes() {
    let mut rng = Rng(77);
    for key_len in [16, 32] {
        let key = rng.bytes(key_len);
        let salt = [1, 2, 3, 4];
        let (plain, wire) = stream(&key, salt, 0, &[20, 0, 33], &mut rng);
        // Two cuts at every pair of offsets: records split in three, 1-byte pieces,
        // headers, nonces and tags split everywhere.
        for x in 0..=plain.len() {
            for y in x..=plain.len() {
                assert_eq!(
                    frame(&key, salt, 0xffff_fff0, 0, &plain, &[x, y]),
                    wire,
                    "{x} {y}"
                );
            }
        }
    }
}

#[test]
fn one_byte_pieces_and_tso_sized_pieces() {
    let mut rng = Rng(5);
    let key = rng.bytes(16);
    let salt = [0xde, 0xad, 0xbe, 0xef];
    let lens = [MAX_PAYLOAD as usize, 7000, MAX_PAYLOAD as usize, 1, 0, 3000];
    let (plain, wire) = stream(&key, salt, 1 << 40, &lens, &mut rng);
    let ones: Vec<usize> = (1..plain.len()).collect();
    assert_eq!(frame(&key, salt, 100, 1 << 40, &plain, &ones), wire);
    // TSO super-packets of 64 KiB less headers, crossing record boundaries, and MSS-sized
    // retransmission-free pieces.
    for piece in [65_226, 1448, 4096 + 13] {
        let cuts: Vec<usize> = (piece..plain.len()).step_by(piece).collect();
        assert_eq!(
            frame(&key, salt, 100, 1 << 40, &plain, &cuts),
            wire,
            "{piece}"
        );
    }
}

#[test]
fn a_resync_mid_stream_picks_up_at_the_named_record() {
    let mut rng = Rng(9);
    let key = rng.bytes(32);
    let salt = [5, 5, 5, 5];
    let (plain, wire) = stream(&key, salt, 10, &[100, 200, 300], &mut rng);
    let second = 13 + 100 + 16;
    let mut f = Framer::new(salt, 0, 10);
    let mut g = Gcm::new(&key);
    let mut out = vec![0u8; plain.len()];
    // Half of the first record, then a gap the engine cannot bridge.
    f.process(&mut g, 0, &plain[..50], &mut out[..50]).unwrap();
    assert_eq!(
        f.process(&mut g, second as u32, &plain[second..], &mut out[second..]),
        Err(FrameError::Gap)
    );
    // The host says where record 11 starts: from there the bytes are right again.
    f.resync(second as u32, 11);
    f.process(&mut g, second as u32, &plain[second..], &mut out[second..])
        .unwrap();
    assert_eq!(out[second..], wire[second..]);
}
