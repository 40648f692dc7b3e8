// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings of packet memory.
//!
//! C header: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h)
//!
//! A [`Mapping`] maps packet memory for the device to read (`DMA_TO_DEVICE`) and unmaps it
//! when dropped. It borrows the bound device, so it cannot outlive the driver's binding, and
//! a mapping error is always reported as an error, never as an address.

use crate::{
    bindings,
    device,
    dma::DmaAddress,
    prelude::*, //
};

#[derive(Clone, Copy)]
enum Kind {
    Single,
    Page,
}

/// A streaming DMA mapping for device reads, unmapped on drop.
///
/// # Invariants
///
/// `addr` is a successful mapping of `len` bytes for `dev` with `DMA_TO_DEVICE`, made by
/// `dma_map_single` (`Kind::Single`) or a page mapping (`Kind::Page`), not yet unmapped.
pub struct Mapping<'a> {
    dev: &'a device::Device<device::Bound>,
    addr: DmaAddress,
    len: usize,
    kind: Kind,
}

impl<'a> Mapping<'a> {
    fn check(
        dev: &'a device::Device<device::Bound>,
        addr: DmaAddress,
        len: usize,
        kind: Kind,
    ) -> Result<Self> {
        // SAFETY: `dev` is a valid device; `addr` was just returned by a mapping call on it.
        if unsafe { bindings::dma_mapping_error(dev.as_raw(), addr) } != 0 {
            return Err(ENOMEM);
        }
        // INVARIANT: the mapping succeeded.
        Ok(Mapping {
            dev,
            addr,
            len,
            kind,
        })
    }

    /// Maps `len` bytes at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for `len` bytes of lowmem (not vmalloc) memory that stays allocated
    /// and unmodified by the CPU until the mapping is dropped.
    pub(crate) unsafe fn map_single(
        dev: &'a device::Device<device::Bound>,
        ptr: *mut c_void,
        len: usize,
    ) -> Result<Self> {
        // SAFETY: guaranteed by the caller; `dev` is a bound (so DMA-capable) device.
        let addr = unsafe {
            bindings::dma_map_single(
                dev.as_raw(),
                ptr,
                len,
                bindings::dma_data_direction::DMA_TO_DEVICE,
            )
        };
        Self::check(dev, addr, len, Kind::Single)
    }

    /// Maps a packet fragment of `len` bytes.
    ///
    /// # Safety
    ///
    /// `frag` must be a valid fragment of `len` bytes whose page stays referenced until the
    /// mapping is dropped.
    pub(crate) unsafe fn map_frag(
        dev: &'a device::Device<device::Bound>,
        frag: *const bindings::skb_frag_t,
        len: usize,
    ) -> Result<Self> {
        // SAFETY: guaranteed by the caller.
        let addr = unsafe { bindings::skb_frag_dma_map(dev.as_raw(), frag) };
        Self::check(dev, addr, len, Kind::Page)
    }

    /// The bus address the device uses.
    pub fn dma_address(&self) -> DmaAddress {
        self.addr
    }

    /// Mapped length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Returns `true` for a zero-length mapping.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for Mapping<'_> {
    fn drop(&mut self) {
        let dir = bindings::dma_data_direction::DMA_TO_DEVICE;
        // SAFETY: by the type invariant the mapping is live and made the way `kind` says.
        unsafe {
            match self.kind {
                Kind::Single => {
                    bindings::dma_unmap_single(self.dev.as_raw(), self.addr, self.len, dir)
                }
                Kind::Page => bindings::dma_unmap_page(self.dev.as_raw(), self.addr, self.len, dir),
            }
        }
    }
}
