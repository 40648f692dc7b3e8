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
//! sequence, and `tls_del` removes it. Connections are identified by a [`SocketId`], stable
//! for the life of the offload, which a driver can key its context table with.

use crate::bindings;

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

/// Identity of an offloaded socket: equal for every call about the same connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(usize);

impl SocketId {
    pub(crate) fn from_sock(sk: *const bindings::sock) -> SocketId {
        SocketId(sk as usize)
    }

    /// The identity as a number (for keys and logs; it is not a usable address).
    pub fn as_usize(self) -> usize {
        self.0
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
