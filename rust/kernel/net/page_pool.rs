// SPDX-License-Identifier: GPL-2.0

//! Page pools: recycled, pre-mapped receive buffers.
//!
//! C header: [`include/net/page_pool/helpers.h`](srctree/include/net/page_pool/helpers.h)
//!
//! A [`PagePool`] hands out [`PoolPage`]s that are DMA-mapped for the device to write
//! (`DMA_FROM_DEVICE`) and synced for the device on allocation. A page goes back to its pool
//! when the `PoolPage` is dropped, or is handed to a packet with
//! [`SkBuff::build_from_page`](super::skb::SkBuff::build_from_page), after which the packet
//! recycles it when freed. Destroying the pool waits for pages still in flight.

use crate::{
    bindings,
    device,
    dma::DmaAddress,
    error::from_err_ptr,
    net::{
        dev::Device,
        napi::Napi, //
    },
    prelude::*, //
};
use core::ptr::NonNull;

/// Size of a pool page.
pub const PAGE_SIZE: u32 = crate::page::PAGE_SIZE as u32;

/// A page pool of order-0 pages, mapped and synced for device writes.
///
/// # Invariants
///
/// `pool` is a live page pool created by `page_pool_create()`, destroyed only on drop.
pub struct PagePool {
    pool: NonNull<bindings::page_pool>,
}

// SAFETY: page pools are used from any CPU; the C side serialises its caches.
unsafe impl Send for PagePool {}
// SAFETY: see `Send`.
unsafe impl Sync for PagePool {}

impl PagePool {
    /// Creates a pool of `size` pages for receive queue `queue` of `netdev`, served by `napi`.
    /// The device writes at `offset` into each page, at most `max_len` bytes.
    pub fn new(
        dev: &device::Device<device::Bound>,
        netdev: &Device,
        napi: &Napi,
        queue: u32,
        size: u32,
        offset: u32,
        max_len: u32,
    ) -> Result<Self> {
        if offset
            .checked_add(max_len)
            .is_none_or(|end| end > PAGE_SIZE)
        {
            return Err(EINVAL);
        }
        // SAFETY: all pointers are valid; the pool keeps its own references.
        let p = from_err_ptr(unsafe {
            bindings::page_pool_create_dma(
                dev.as_raw(),
                napi.as_raw(),
                netdev.as_raw(),
                size,
                offset,
                max_len,
                queue,
            )
        })?;
        // INVARIANT: `page_pool_create` succeeded.
        Ok(PagePool {
            // SAFETY: `from_err_ptr` returned a valid, hence non-NULL, pointer.
            pool: unsafe { NonNull::new_unchecked(p) },
        })
    }

    /// Takes a page, or `None` if memory is short.
    pub fn alloc(&self) -> Option<PoolPage> {
        // Through `page_pool_alloc_netmems()` itself, called out of line: the function error
        // injection point of page pool allocations (`page_pool_alloc_pages()` may inline it).
        // SAFETY: by the type invariant the pool is live; RX refill runs in NAPI or process
        // context, as `page_pool_dev_alloc_netmems` requires.
        let netmem = unsafe { bindings::page_pool_dev_alloc_netmems(self.pool.as_ptr()) };
        if netmem == 0 {
            return None;
        }
        // SAFETY: the pool was created without a memory provider, so its netmems are pages.
        let page = NonNull::new(unsafe { bindings::netmem_to_page(netmem) })?;
        // INVARIANT: the page comes from `self`.
        Some(PoolPage {
            pool: self.pool,
            page,
        })
    }
}

impl Drop for PagePool {
    fn drop(&mut self) {
        // SAFETY: by the type invariant the pool is live; pages still in flight keep it alive
        // inside the C code until they return.
        unsafe { bindings::page_pool_destroy(self.pool.as_ptr()) }
    }
}

/// A page taken from a [`PagePool`]; returned to it when dropped.
///
/// It may outlive the [`PagePool`] value: `page_pool_destroy()` keeps the C pool alive until
/// its last page comes back.
///
/// # Invariants
///
/// `page` was allocated from the page pool `pool` and is owned by this value.
pub struct PoolPage {
    pool: NonNull<bindings::page_pool>,
    page: NonNull<bindings::page>,
}

// SAFETY: a pool page may be recycled from any CPU.
unsafe impl Send for PoolPage {}
// SAFETY: shared access only reads the DMA address.
unsafe impl Sync for PoolPage {}

impl PoolPage {
    /// The bus address of the start of the page.
    pub fn dma_address(&self) -> DmaAddress {
        // SAFETY: the page belongs to a pool with `PP_FLAG_DMA_MAP`.
        unsafe { bindings::page_pool_get_dma_addr(self.page.as_ptr()) }
    }

    /// Makes `len` bytes written by the device at `offset` visible to the CPU.
    pub fn sync_for_cpu(&self, offset: u32, len: u32) {
        // SAFETY: the page belongs to a live pool; offsets are checked by the DMA API.
        unsafe {
            bindings::page_pool_dma_sync_for_cpu(
                self.pool.as_ptr(),
                self.page.as_ptr(),
                offset,
                len,
            )
        }
    }

    /// Kernel virtual address of the page.
    pub(crate) fn address(&self) -> *mut c_void {
        // SAFETY: pool pages are lowmem pages.
        unsafe { bindings::netdev_page_address(self.page.as_ptr()) }
    }

    /// The page itself.
    pub(crate) fn as_raw(&self) -> *mut bindings::page {
        self.page.as_ptr()
    }

    /// Hands the page to a packet built on it: the packet recycles it.
    pub(crate) fn into_skb(self) {
        core::mem::forget(self);
    }
}

impl Drop for PoolPage {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own the page and it came from `pool`, which stays
        // alive while it has pages out.
        unsafe { bindings::page_pool_put_full_page(self.pool.as_ptr(), self.page.as_ptr(), false) }
    }
}
