// SPDX-License-Identifier: GPL-2.0

//! kTLS device offload hooks (`struct tlsdev_ops`).
//!
//! C header: [`include/net/tls.h`](srctree/include/net/tls.h); see also
//! [`Documentation/networking/tls-offload.rst`](srctree/Documentation/networking/tls-offload.rst).
//!
//! A driver with a TLS engine implements [`Driver::tls_add`](super::dev::Driver::tls_add) and
//! friends and sets `NETIF_F_HW_TLS_TX`/`RX` in its features. The core then offers every new
//! TLS 1.2 AES-GCM socket routed through the device: `tls_add` installs a per-connection
//! context (or fails, and the socket stays in software), `tls_resync` updates its record
//! sequence, and `tls_del` removes it.
//!
//! Connections are identified by the [`Handle`] the driver returns from `tls_add`, which the
//! abstraction keeps in the TLS context's driver state and hands back with every later call
//! and with every packet to encrypt ([`SkBuff::tls_tx_handle`]). Not by the socket's
//! address: TCP sockets are `SLAB_TYPESAFE_BY_RCU`, and the core deletes a transmit offload
//! from a work item after the socket is gone, so a new connection at the same address can
//! be added before the old one is deleted. A driver makes its handles unique among the
//! connections it holds (a slot and a generation, say).
//!
//! [`AesGcm`] is the kernel's AES-GCM library (`include/crypto/aes-gcm.h`) with its
//! incremental interface, for drivers whose engine is software.
//!
//! [`SkBuff::tls_tx_handle`]: super::skb::SkBuff::tls_tx_handle

use crate::{
    bindings,
    error::to_result,
    net::{
        dev::DeviceId,
        neigh::NextHop, //
    },
    prelude::*,
    types::Opaque, //
};

/// Which half of a connection is offloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Transmit: the device encrypts.
    Tx,
    /// Receive: the device decrypts.
    Rx,
}

impl Direction {
    pub(crate) fn from_raw(d: bindings::tls_offload_ctx_dir) -> Direction {
        if d == bindings::tls_offload_ctx_dir_TLS_OFFLOAD_CTX_DIR_RX {
            Direction::Rx
        } else {
            Direction::Tx
        }
    }
}

/// A driver's name for one offloaded direction of one connection: whatever it returned
/// from [`Driver::tls_add`](super::dev::Driver::tls_add), kept in the TLS context's driver
/// state and handed back with every later call about the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub u64);

/// The socket [`Driver::tls_add`](super::dev::Driver::tls_add) is asked to offload: locked
/// for the call, connected.
///
/// # Invariants
///
/// The wrapped `sock` is a locked, full TCP socket for the lifetime of the reference.
#[repr(transparent)]
pub struct Socket(Opaque<bindings::sock>);

/// Where a connection's packets go: its addresses, its next hop and the MSS it uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// 4 or 6.
    pub family: u8,
    /// Local address (IPv4 in the first 4 bytes).
    pub src: [u8; 16],
    /// Peer address.
    pub dst: [u8; 16],
    /// The next hop: the peer, or its gateway (whose family may differ: an IPv4 route can
    /// go through an IPv6 gateway), on the interface the route goes out of (for a bonded
    /// port, the bond).
    pub hop: NextHop,
    /// The next hop's link-layer address (6 bytes for Ethernet).
    pub lladdr: [u8; 6],
    /// Whether the neighbour entry is usable (`NUD_VALID`).
    pub valid: bool,
    /// The MSS the connection sends with.
    pub mss: u32,
}

impl Socket {
    /// # Safety
    ///
    /// `sk` must be a locked, full TCP socket for `'a`.
    pub(crate) unsafe fn from_raw<'a>(sk: *mut bindings::sock) -> &'a Socket {
        // SAFETY: `Socket` is a transparent wrapper; the caller guarantees validity.
        unsafe { &*sk.cast::<Socket>() }
    }

    /// The connection's route: addresses, next hop and its neighbour entry (looked up in
    /// the neighbour table of the interface its cached route goes out of, never made) and
    /// MSS. `ENOENT` if it has no cached route or the next hop no neighbour entry.
    #[cfg(all(CONFIG_TLS = "y", CONFIG_TLS_DEVICE))]
    pub fn route(&self) -> Result<Route> {
        let mut r = Route {
            family: 0,
            src: [0; 16],
            dst: [0; 16],
            hop: NextHop {
                link: DeviceId { net: 0, ifindex: 0 },
                family: 0,
                addr: [0; 16],
            },
            lladdr: [0; 6],
            valid: false,
            mss: 0,
        };
        let mut ll = [0u8; bindings::MAX_ADDR_LEN as usize];
        // SAFETY: by the type invariant the socket is valid and locked (as `__sk_dst_get`
        // needs); the buffers have the sizes the helper writes (16 bytes each, and
        // `MAX_ADDR_LEN` for the link-layer address).
        to_result(unsafe {
            bindings::netdev_tls_sk_route(
                self.0.get(),
                &mut r.family,
                r.src.as_mut_ptr(),
                r.dst.as_mut_ptr(),
                &mut r.hop.family,
                r.hop.addr.as_mut_ptr(),
                ll.as_mut_ptr(),
                &mut r.valid,
                &mut r.mss,
                &mut r.hop.link.net,
                &mut r.hop.link.ifindex,
            )
        })?;
        r.lladdr.copy_from_slice(&ll[..6]);
        Ok(r)
    }
}

/// The cipher of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cipher {
    /// AES-GCM with a 128-bit key.
    AesGcm128,
    /// AES-GCM with a 256-bit key.
    AesGcm256,
    /// Any other cipher (`TLS_CIPHER_*` value): offload must be refused.
    Other(u16),
}

/// Keys and sequence state of a connection handed to [`Driver::tls_add`](super::dev::Driver::tls_add).
pub struct CryptoInfo<'a> {
    /// TLS version (`TLS_1_2_VERSION` is 0x0303).
    pub version: u16,
    /// Cipher.
    pub cipher: Cipher,
    /// Key, IV, salt and record sequence number, for the AES-GCM ciphers.
    pub material: Option<KeyMaterial<'a>>,
}

/// AES-GCM key material.
pub struct KeyMaterial<'a> {
    /// Key (16 or 32 bytes).
    pub key: &'a [u8],
    /// Explicit IV (8 bytes).
    pub iv: &'a [u8],
    /// Salt (4 bytes).
    pub salt: &'a [u8],
    /// Record sequence number (8 bytes).
    pub rec_seq: &'a [u8],
}

/// TLS 1.2, the only version device offload takes.
pub const TLS_1_2_VERSION: u16 = 0x0303;

impl<'a> CryptoInfo<'a> {
    /// Reads the crypto info the TLS core passes.
    ///
    /// # Safety
    ///
    /// `info` must point to a valid `tls_crypto_info` followed by the cipher-specific fields
    /// its `cipher_type` announces, valid for `'a`.
    pub(crate) unsafe fn from_raw(info: *const bindings::tls_crypto_info) -> CryptoInfo<'a> {
        // SAFETY: guaranteed by the caller.
        let (version, cipher_type) = unsafe { ((*info).version, (*info).cipher_type) };
        let (cipher, material) = match u32::from(cipher_type) {
            bindings::TLS_CIPHER_AES_GCM_128 => {
                // SAFETY: the cipher type says the info is a `tls12_crypto_info_aes_gcm_128`.
                let c = unsafe { &*info.cast::<bindings::tls12_crypto_info_aes_gcm_128>() };
                (
                    Cipher::AesGcm128,
                    Some(KeyMaterial {
                        key: &c.key,
                        iv: &c.iv,
                        salt: &c.salt,
                        rec_seq: &c.rec_seq,
                    }),
                )
            }
            bindings::TLS_CIPHER_AES_GCM_256 => {
                // SAFETY: the cipher type says the info is a `tls12_crypto_info_aes_gcm_256`.
                let c = unsafe { &*info.cast::<bindings::tls12_crypto_info_aes_gcm_256>() };
                (
                    Cipher::AesGcm256,
                    Some(KeyMaterial {
                        key: &c.key,
                        iv: &c.iv,
                        salt: &c.salt,
                        rec_seq: &c.rec_seq,
                    }),
                )
            }
            _ => (Cipher::Other(cipher_type), None),
        };
        CryptoInfo {
            version,
            cipher,
            material,
        }
    }

    /// Returns `true` for what tls-offload.rst says a device may take: TLS 1.2 AES-GCM.
    pub fn offloadable(&self) -> bool {
        self.version == TLS_1_2_VERSION && self.material.is_some()
    }
}

/// An AES-GCM key with a 16-byte tag, and the state of one message being encrypted
/// incrementally (`include/crypto/aes-gcm.h`). Any context. The key material is wiped when
/// it is dropped.
///
/// # Invariants
///
/// `key` was prepared by `aes_gcm_preparekey`. While `started`, `ctx` was initialised by
/// `aes_gcm_init` with `key` (whose address is stable: the value is pinned) and not yet
/// finalised.
#[pin_data(PinnedDrop)]
pub struct AesGcm {
    #[pin]
    key: Opaque<bindings::aes_gcm_key>,
    #[pin]
    ctx: Opaque<bindings::aes_gcm_ctx>,
    started: bool,
    /// Bytes encrypted in the message in progress.
    len: u64,
    #[pin]
    _pin: core::marker::PhantomPinned,
}

// SAFETY: the pointers inside the C context point into the value itself (its key), which
// moves with it between threads; nothing in it is tied to a thread.
unsafe impl Send for AesGcm {}
// SAFETY: a shared reference gives no access at all: every method takes `Pin<&mut Self>`.
unsafe impl Sync for AesGcm {}

/// Bytes of the tag [`AesGcm`] computes.
pub const GCM_TAG_LEN: usize = 16;

/// Most bytes one message may hold under one nonce (2^36 - 32: the 32-bit block counter).
pub const GCM_MAX_DATA_LEN: u64 = (1 << 36) - 32;

impl AesGcm {
    /// Prepares `key` (16, 24 or 32 bytes); `EINVAL` for another length.
    pub fn new(key: &[u8]) -> Result<Pin<KBox<AesGcm>>> {
        let b = KBox::pin_init(
            try_pin_init!(AesGcm {
                key <- Opaque::try_ffi_init(|k: *mut bindings::aes_gcm_key| {
                    // SAFETY: `k` is writable for a key; `key` is readable for its length.
                    to_result(unsafe {
                        bindings::aes_gcm_preparekey(k, key.as_ptr(), key.len(), GCM_TAG_LEN)
                    })
                }),
                ctx <- Opaque::uninit(),
                started: false,
                len: 0,
                _pin: core::marker::PhantomPinned,
            }? Error),
            GFP_KERNEL,
        )?;
        Ok(b)
    }

    /// Starts a message with `nonce` and associated data `aad`, abandoning one in progress.
    pub fn begin(self: Pin<&mut Self>, nonce: &[u8; 12], aad: &[u8]) {
        // SAFETY: only fields are written; the value is not moved.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: by the type invariant `key` is prepared and pinned, so the pointer `ctx`
        // keeps to it stays valid; `nonce` and `aad` are readable for their lengths.
        unsafe {
            bindings::aes_gcm_init(this.ctx.get(), nonce.as_ptr(), this.key.get());
            bindings::aes_gcm_auth_update(this.ctx.get(), aad.as_ptr(), aad.len());
        }
        // INVARIANT: `ctx` was just initialised with `key`.
        this.started = true;
        this.len = 0;
    }

    /// Encrypts the next `buf.len()` bytes of the message in place. `EINVAL` (and `buf`
    /// zeroed, never left as plaintext) if no message is in progress or the message would
    /// exceed what GCM may encrypt under one nonce ([`GCM_MAX_DATA_LEN`]).
    pub fn encrypt(self: Pin<&mut Self>, buf: &mut [u8]) -> Result {
        // SAFETY: only fields are read and written; the value is not moved.
        let this = unsafe { self.get_unchecked_mut() };
        this.len = match this.len.checked_add(buf.len() as u64) {
            Some(l) if this.started && l <= GCM_MAX_DATA_LEN => l,
            _ => {
                buf.fill(0);
                return Err(EINVAL);
            }
        };
        // SAFETY: by the type invariant `ctx` is a message in progress; in-place operation
        // is allowed; `buf` is readable and writable for its length.
        unsafe {
            bindings::aes_gcm_encrypt_update(
                this.ctx.get(),
                buf.as_mut_ptr(),
                buf.as_ptr(),
                buf.len(),
            )
        };
        Ok(())
    }

    /// Ends the message and returns its tag; `EINVAL` if no message is in progress.
    pub fn finish(self: Pin<&mut Self>) -> Result<[u8; GCM_TAG_LEN]> {
        // SAFETY: only fields are written; the value is not moved.
        let this = unsafe { self.get_unchecked_mut() };
        if !this.started {
            return Err(EINVAL);
        }
        let mut tag = [0u8; GCM_TAG_LEN];
        // SAFETY: by the type invariant `ctx` is a message in progress; the tag buffer is
        // the length the key was prepared for. The call also wipes `ctx`.
        unsafe { bindings::aes_gcm_encrypt_final(this.ctx.get(), tag.as_mut_ptr()) };
        // INVARIANT: the message is finalised.
        this.started = false;
        Ok(tag)
    }
}

#[pinned_drop]
impl PinnedDrop for AesGcm {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: only fields are written; the value is not moved.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: both fields are plain memory owned by this value, wiped before it goes.
        unsafe {
            bindings::netdev_memzero_explicit(
                this.key.get().cast(),
                core::mem::size_of::<bindings::aes_gcm_key>(),
            );
            bindings::netdev_memzero_explicit(
                this.ctx.get().cast(),
                core::mem::size_of::<bindings::aes_gcm_ctx>(),
            );
        }
    }
}

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[kunit_tests(rust_net_tls)]
mod tests {
    use super::*;

    /// The GCM test vector of McGrew and Viega's "The Galois/Counter Mode of Operation",
    /// test case 4 (key 0xfeffe9928665731c6d6a8f9467308308, 60 bytes of plaintext, 20 of
    /// associated data), fed in uneven pieces.
    #[test]
    fn incremental_aes_gcm_matches_the_reference_vector() -> Result {
        let key = [
            0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c, 0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30,
            0x83, 0x08,
        ];
        let nonce = [
            0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88,
        ];
        let aad = [
            0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad,
            0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
        ];
        let mut buf = [
            0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5,
            0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d,
            0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53, 0x2f, 0xcf,
            0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57,
            0xba, 0x63, 0x7b, 0x39,
        ];
        let cipher = [
            0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24, 0x4b, 0x72, 0x21, 0xb7, 0x84, 0xd0,
            0xd4, 0x9c, 0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0, 0x35, 0xc1, 0x7e, 0x23,
            0x29, 0xac, 0xa1, 0x2e, 0x21, 0xd5, 0x14, 0xb2, 0x54, 0x66, 0x93, 0x1c, 0x7d, 0x8f,
            0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05, 0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97,
            0x3d, 0x58, 0xe0, 0x91,
        ];
        let tag = [
            0x5b, 0xc9, 0x4f, 0xbc, 0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9, 0x5a, 0xe7, 0x12,
            0x1a, 0x47,
        ];
        let mut g = AesGcm::new(&key)?;
        // Not started: refused, and the buffer does not keep its plaintext.
        let mut probe = [7u8; 4];
        assert_eq!(g.as_mut().encrypt(&mut probe), Err(EINVAL));
        assert_eq!(probe, [0u8; 4]);
        g.as_mut().begin(&nonce, &aad);
        let (a, rest) = buf.split_at_mut(1);
        let (b, c) = rest.split_at_mut(17);
        g.as_mut().encrypt(a)?;
        g.as_mut().encrypt(b)?;
        g.as_mut().encrypt(c)?;
        assert_eq!(buf, cipher);
        assert_eq!(g.as_mut().finish()?, tag);
        assert_eq!(g.as_mut().finish(), Err(EINVAL));
        assert_eq!(AesGcm::new(&[0u8; 5]).err(), Some(EINVAL));
        Ok(())
    }
}
