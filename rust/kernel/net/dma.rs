// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings of packet memory.
//!
//! C header: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h)
//!
//! The primitives under [`SkBuff::map`](super::skb::SkBuff::map), which is how drivers map
//! packets: the resulting [`MappedSkb`](super::skb::MappedSkb) owns the packet, so memory the
//! device may read cannot be freed or changed, and it borrows the bound device, so it cannot
//! outlive the driver's binding. A mapping error is always reported as an error, never as an
//! address.

use crate::{
    bindings,
    device,
    dma::DmaAddress,
    prelude::*, //
};

/// Maps `len` bytes for `dev` to read: a fragment (`skb_frag_dma_map`, `ptr` is its
/// `skb_frag_t`) or linear memory (`dma_map_single`).
///
/// # Safety
///
/// `ptr` must be valid (a fragment of `len` bytes, or `len` bytes of lowmem) and stay so,
/// unmodified by the CPU, until the mapping is undone with [`unmap_raw`].
pub(crate) unsafe fn map_raw(
    dev: &device::Device<device::Bound>,
    ptr: *mut c_void,
    len: usize,
    frag: bool,
) -> Result<DmaAddress> {
    let addr = if frag {
        // SAFETY: guaranteed by the caller.
        unsafe { bindings::skb_frag_dma_map(dev.as_raw(), ptr.cast()) }
    } else {
        // SAFETY: guaranteed by the caller; `dev` is bound, so DMA-capable.
        unsafe {
            bindings::dma_map_single(
                dev.as_raw(),
                ptr,
                len,
                bindings::dma_data_direction::DMA_TO_DEVICE,
            )
        }
    };
    // SAFETY: `addr` was just returned by a mapping call on `dev`.
    if unsafe { bindings::dma_mapping_error(dev.as_raw(), addr) } != 0 {
        return Err(ENOMEM);
    }
    Ok(addr)
}

/// Undoes a mapping made by [`map_raw`].
///
/// # Safety
///
/// `addr` must be a live mapping of `len` bytes made by `map_raw(dev, _, len, frag)`.
pub(crate) unsafe fn unmap_raw(
    dev: &device::Device<device::Bound>,
    addr: DmaAddress,
    len: usize,
    frag: bool,
) {
    let dir = bindings::dma_data_direction::DMA_TO_DEVICE;
    // SAFETY: guaranteed by the caller.
    unsafe {
        if frag {
            bindings::dma_unmap_page(dev.as_raw(), addr, len, dir)
        } else {
            bindings::dma_unmap_single(dev.as_raw(), addr, len, dir)
        }
    }
}
