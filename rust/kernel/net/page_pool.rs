// SPDX-License-Identifier: GPL-2.0

//! Page pools: recycled, pre-mapped receive buffers.
//!
//! C header: [`include/net/page_pool/helpers.h`](srctree/include/net/page_pool/helpers.h)
//!
//! A [`PagePool`] hands out [`PoolPage`]s, receive buffers of a whole page or of an equal
//! part of one ([`BufLayout`]), that are DMA-mapped for the device to write
//! (`DMA_FROM_DEVICE`) and synced for the device on allocation. A page goes back to its pool
//! when the `PoolPage` is dropped, or is handed to a packet with
//! [`SkBuff::build_from_page`](super::skb::SkBuff::build_from_page), after which the packet
//! recycles it when freed. Destroying the pool waits for pages still in flight.

use crate::{
    bindings,
    device,
    dma::DmaAddress,
    error::from_err_ptr,
    net::dev::Device,
    prelude::*, //
};
use core::ptr::NonNull;

/// Size of a pool page.
pub const PAGE_SIZE: u32 = crate::page::PAGE_SIZE as u32;

/// How a pool cuts its pages into receive buffers, and where in each buffer the device
/// writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufLayout {
    /// Bytes per buffer: [`PAGE_SIZE`] for a buffer per page, or a smaller power of two
    /// (at least 256) for several buffers cut from each page, each holding one of the
    /// page's references (`page_pool_fragment_netmem()`).
    /// A packet built on a buffer is charged its size (`truesize`), not the page's.
    pub size: u32,
    /// Offset in the buffer at which the device writes: headroom for the stack.
    pub offset: u32,
    /// Most bytes the device may write into one buffer.
    pub max_len: u32,
}

impl BufLayout {
    /// A buffer per page: the device writes at `offset`, at most `max_len` bytes.
    pub const fn whole_page(offset: u32, max_len: u32) -> Self {
        BufLayout {
            size: PAGE_SIZE,
            offset,
            max_len,
        }
    }

    /// Whether the layout can be used: `size` a power of two from 256 to [`PAGE_SIZE`], and
    /// `offset + max_len` within a buffer.
    pub fn is_valid(&self) -> bool {
        self.size.is_power_of_two()
            && (256..=PAGE_SIZE).contains(&self.size)
            && self
                .offset
                .checked_add(self.max_len)
                .is_some_and(|end| end <= self.size)
    }

    /// Whether several buffers share each page.
    pub fn is_split(&self) -> bool {
        self.size < PAGE_SIZE
    }
}

/// A page pool of order-0 pages, mapped and synced for device writes, cut into buffers as
/// its [`BufLayout`] says.
///
/// The device writes into each buffer at the layout's `offset`, at most `max_len` bytes;
/// every bus address and sync this module hands out is relative to that offset and bounded
/// by that length, so a caller cannot sync less than the device wrote nor read or sync past
/// its buffer (into another buffer of the same page, which may be the stack's by then).
///
/// A pool is [`Send`] but not [`Sync`], and [`PagePool::alloc`] takes `&mut self`: the page
/// pool's allocation fast path (its lockless cache) requires a single, non-concurrent
/// allocator, which exclusive access guarantees. Pages come back from any context through
/// `page_pool_put_full_page()`'s own synchronisation.
///
/// # Invariants
///
/// `pool` is a live page pool, destroyed only on drop, created by `page_pool_create()` with
/// an offset of `layout.offset` and a length that reaches the end of the last buffer's
/// `max_len` (what it syncs for the device when a page is recycled); `layout` is valid
/// ([`BufLayout::is_valid`]). If `cut` is `Some((page, next))`, `page` came from the pool
/// with a reference for each of its buffers from `next` on (a multiple of `layout.size`
/// below `PAGE_SIZE`), owned by the pool until it hands them out.
pub struct PagePool {
    pool: NonNull<bindings::page_pool>,
    layout: BufLayout,
    cut: Option<(NonNull<bindings::page>, u32)>,
}

// SAFETY: a pool may be moved to and dropped on any CPU; destruction waits for its pages.
unsafe impl Send for PagePool {}

impl PagePool {
    /// Creates a pool of `size` pages for receive queue `queue` of `netdev`, cut into
    /// buffers as `layout` says.
    ///
    /// The pool is not tied to a NAPI instance: pages freed in a poll return through the
    /// pool's ring (a spinlock) rather than straight into its allocation cache, so the cache
    /// has one user, [`PagePool::alloc`], whatever context allocates and whenever the pool
    /// is destroyed. (A pool bound to its NAPI saves that lock per page, at the price of
    /// contracts on the caller no type here can state yet: allocate only from that poll or
    /// with it disabled, destroy only with it disabled.)
    ///
    /// Fails with `EINVAL` if the layout is not valid ([`BufLayout::is_valid`]).
    pub fn new(
        dev: &device::Device<device::Bound>,
        netdev: &Device,
        queue: u32,
        size: u32,
        layout: BufLayout,
    ) -> Result<Self> {
        if !layout.is_valid() {
            return Err(EINVAL);
        }
        // A recycled page is synced for the device from its first buffer's `offset` to the
        // end of what the device may write into its last buffer: within the page, as the
        // layout is valid.
        let sync_len = PAGE_SIZE - layout.size + layout.max_len;
        // SAFETY: all pointers are valid; the pool keeps its own references.
        let p = from_err_ptr(unsafe {
            bindings::page_pool_create_dma(
                dev.as_raw(),
                core::ptr::null_mut(),
                netdev.as_raw(),
                size,
                layout.offset,
                sync_len,
                queue,
            )
        })?;
        // INVARIANT: `page_pool_create` succeeded with the offset and length of the layout,
        // checked above.
        Ok(PagePool {
            // SAFETY: `from_err_ptr` returned a valid, hence non-NULL, pointer.
            pool: unsafe { NonNull::new_unchecked(p) },
            layout,
            cut: None,
        })
    }

    /// How the pool cuts its pages into buffers.
    pub fn layout(&self) -> BufLayout {
        self.layout
    }

    /// Offset in each buffer at which the device writes.
    pub fn offset(&self) -> u32 {
        self.layout.offset
    }

    /// Most bytes the device may write into one buffer.
    pub fn max_len(&self) -> u32 {
        self.layout.max_len
    }

    /// Takes a buffer (a page, or a part of one), or `None` if memory is short. From process
    /// or softirq context, where bottom halves can be turned off (they are, during the
    /// allocation); where they cannot (a hard interrupt handler, interrupts disabled) the
    /// answer is `None` too. A split layout takes a page for its first buffer and hands out
    /// the others from it on the next calls.
    pub fn alloc(&mut self) -> Option<PoolPage> {
        // SAFETY: reads the current context only.
        if unsafe { bindings::netdev_bh_forbidden() } {
            return None;
        }
        let size = self.layout.size;
        // The next buffer of the page cut last, if it has one left.
        if let Some((page, base)) = self.cut {
            let next = base + size;
            // INVARIANT: the buffers from `next` on keep their references in the pool.
            self.cut = (next < PAGE_SIZE).then_some((page, next));
            // INVARIANT: the buffer at `base` and its reference were the pool's (`cut`).
            return Some(PoolPage {
                pool: self.pool,
                page,
                base,
                layout: self.layout,
            });
        }
        // Through `page_pool_alloc_netmems()` itself, called out of line: the function error
        // injection point of page pool allocations (`page_pool_alloc_pages()` may inline it,
        // and `page_pool_alloc_frag()` does).
        // SAFETY: by the type invariant the pool is live; `&mut self` makes this the only
        // allocation from the pool's cache in progress, and the pool has no NAPI instance
        // that could recycle into that cache (it was created without one).
        let netmem = unsafe { bindings::netdev_page_pool_alloc_bh(self.pool.as_ptr()) };
        if netmem == 0 {
            return None;
        }
        // SAFETY: the pool was created without a memory provider, so its netmems are pages.
        let page = NonNull::new(unsafe { bindings::netmem_to_page(netmem) })?;
        let base = 0;
        if self.layout.is_split() {
            // At most `PAGE_SIZE / 256`: `as` cannot truncate.
            let buffers = PAGE_SIZE / size;
            // SAFETY: the page is fresh from the pool (a `pp_ref_count` of 1) and nobody else
            // refers to it yet: it now holds a reference for each of its buffers.
            unsafe { bindings::page_pool_fragment_netmem(netmem, buffers as c_long) };
            // INVARIANT: the references of the buffers after the first stay in the pool.
            self.cut = Some((page, size));
        }
        // INVARIANT: the buffer at `base` (the first of the page) comes from `self`, whose
        // layout it records, with a reference of its own.
        Some(PoolPage {
            pool: self.pool,
            page,
            base,
            layout: self.layout,
        })
    }
}

impl Drop for PagePool {
    fn drop(&mut self) {
        // The buffers of the page cut last that were never handed out give their
        // references back (the last one returns the page to the pool).
        if let Some((page, mut base)) = self.cut.take() {
            while base < PAGE_SIZE {
                // INVARIANT: the buffer at `base` and its reference were the pool's (`cut`).
                drop(PoolPage {
                    pool: self.pool,
                    page,
                    base,
                    layout: self.layout,
                });
                base += self.layout.size;
            }
        }
        // SAFETY: by the type invariant the pool is live; pages still in flight keep it alive
        // inside the C code until they return.
        unsafe { bindings::page_pool_destroy(self.pool.as_ptr()) }
    }
}

/// A buffer (a page, or a part of one) taken from a [`PagePool`], lent to the device;
/// returned to the pool when dropped
/// (from process or softirq context; dropped with interrupts off it is leaked, with a
/// warning, rather than corrupting the pool's ring).
///
/// It may outlive the [`PagePool`] value: `page_pool_destroy()` keeps the C pool alive until
/// its last page comes back. Its contents cannot be read: the device owns them until
/// [`PoolPage::received`] syncs what it wrote and turns the page into a [`RxBuffer`].
///
/// # Invariants
///
/// The buffer `[base, base + layout.size)` of `page` was allocated from the page pool
/// `pool`, created with the valid `layout`, and is owned by this value (with one of the
/// page's references: `pp_ref_count` for a split page); `base + layout.size <= PAGE_SIZE`.
pub struct PoolPage {
    pool: NonNull<bindings::page_pool>,
    page: NonNull<bindings::page>,
    base: u32,
    layout: BufLayout,
}

// SAFETY: a pool page may be recycled from any CPU.
unsafe impl Send for PoolPage {}
// SAFETY: shared access only reads the DMA address.
unsafe impl Sync for PoolPage {}

impl PoolPage {
    /// The bus address at which the device writes: the buffer's, plus the layout's offset.
    pub fn dma_address(&self) -> DmaAddress {
        // SAFETY: the page belongs to a pool with `PP_FLAG_DMA_MAP`.
        let page = unsafe { bindings::page_pool_get_dma_addr(self.page.as_ptr()) };
        page + DmaAddress::from(self.base + self.layout.offset)
    }

    /// The device wrote `len` bytes at the layout's offset: makes them visible to the CPU
    /// (`page_pool_dma_sync_for_cpu()`, whose offset is relative to the pool's) and hands the
    /// buffer over as one of those bytes.
    ///
    /// `pool` must be the buffer's own pool, not yet destroyed: `page_pool_destroy()` unmaps
    /// the pages still out, after which there is nothing to sync.
    ///
    /// Fails with `EINVAL` if `len` exceeds the layout's `max_len` or `pool` is another pool;
    /// the buffer then goes back to its pool.
    pub fn received(self, pool: &PagePool, len: u32) -> Result<RxBuffer> {
        if len > self.layout.max_len || pool.pool != self.pool {
            return Err(EINVAL);
        }
        // SAFETY: the page belongs to `pool`, live (borrowed), so the page is still mapped;
        // the pool was created with the layout's offset, and the range
        // `[base + offset, base + offset + len)` lies within this buffer by the type
        // invariants.
        unsafe {
            bindings::page_pool_dma_sync_for_cpu(
                self.pool.as_ptr(),
                self.page.as_ptr(),
                self.base,
                len,
            )
        }
        // INVARIANT: `len <= layout.max_len`, and the bytes were just synced for the CPU.
        Ok(RxBuffer { page: self, len })
    }

    /// Kernel virtual address of the buffer.
    fn address(&self) -> *mut c_void {
        // SAFETY: pool pages are lowmem pages.
        let page = unsafe { bindings::netdev_page_address(self.page.as_ptr()) };
        // `base` lies within the page (type invariant).
        page.cast::<u8>().wrapping_add(self.base as usize).cast()
    }
}

impl Drop for PoolPage {
    fn drop(&mut self) {
        // Returning a page turns bottom halves off and on (the pool's ring lock), which a hard
        // interrupt handler or code with interrupts off must not do: there the page is leaked
        // instead, with a warning (the pool then never finishes its shutdown).
        // SAFETY: reads the current context only.
        if unsafe { bindings::netdev_bh_forbidden() } {
            crate::pr_warn_once!("page pool page dropped with interrupts off: leaked\n");
            return;
        }
        // SAFETY: by the type invariant we own the buffer, with a reference to its page, and
        // it came from `pool`, which stays alive while it has pages out. For a split page
        // this drops our fragment reference; the page is recycled with the last one.
        unsafe { bindings::page_pool_put_full_page(self.pool.as_ptr(), self.page.as_ptr(), false) }
    }
}

/// A received page-pool buffer: `len` bytes the device wrote at the layout's offset, synced
/// for the CPU. Only this type can become (part of) a packet, so a packet never holds bytes that
/// were not synced.
///
/// # Invariants
///
/// `len <= page.layout.max_len`; `[offset, offset + len)` of the buffer has been synced for
/// the CPU since the device last wrote it.
pub struct RxBuffer {
    page: PoolPage,
    len: u32,
}

impl RxBuffer {
    /// Number of bytes received.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the device wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The received bytes.
    pub fn data(&self) -> &[u8] {
        // SAFETY: the buffer is owned by `self` and mapped (lowmem); by the type invariants
        // `[offset, offset + len)` lies within it and was synced for the CPU after the device
        // last wrote it. That the device does not write it again before the page is handed
        // back (`give_back`, or a new allocation from the pool) rests, as for the packets
        // built on such pages, on the driver no longer posting the page's bus address once
        // the device completed it: a `PoolPage` is given up to become this buffer.
        unsafe {
            core::slice::from_raw_parts(
                self.address()
                    .cast::<u8>()
                    .add(self.page.layout.offset as usize),
                self.len as usize,
            )
        }
    }

    /// Hands the page back to the device as it is, for the next frame, when the bytes were
    /// copied out (small frames): synced for the device again, without a trip through the
    /// pool. `pool` must be the buffer's own pool, still alive (so its pages are still
    /// mapped); otherwise the buffer is refused (`EINVAL`) and goes back to its pool. Only
    /// this buffer's part of the page is synced: another buffer of the page may be the
    /// stack's.
    pub fn give_back(self, pool: &PagePool) -> Result<PoolPage> {
        if pool.pool != self.page.pool {
            return Err(EINVAL);
        }
        let l = self.page.layout;
        // SAFETY: `pool` is the page's pool and, by `PagePool`'s invariant, not destroyed: the
        // page is still mapped. The range synced, what the device may write into this buffer,
        // `[base + offset, base + offset + max_len)`, lies within it by the type invariants.
        unsafe {
            bindings::netdev_page_pool_sync_for_device(
                self.page.pool.as_ptr(),
                self.as_raw(),
                self.page.base + l.offset,
                l.max_len,
            )
        }
        // INVARIANT: the page still comes from its pool, with the same geometry.
        Ok(self.page)
    }

    /// Offset of the received bytes in their buffer (the layout's offset).
    pub fn offset(&self) -> u32 {
        self.page.layout.offset
    }

    /// Size of the buffer: what a packet built on it is charged.
    pub fn buf_size(&self) -> u32 {
        self.page.layout.size
    }

    /// Offset of the buffer in its page.
    pub(crate) fn base(&self) -> u32 {
        self.page.base
    }

    /// Kernel virtual address of the buffer.
    pub(crate) fn address(&self) -> *mut c_void {
        self.page.address()
    }

    /// The page itself.
    pub(crate) fn as_raw(&self) -> *mut bindings::page {
        self.page.page.as_ptr()
    }

    /// Hands the buffer (its page reference) to a packet built on it: the packet recycles
    /// it.
    pub(crate) fn into_skb(self) {
        core::mem::forget(self.page);
    }
}

/// Whether a packet built on a buffer of `size` bytes ([`SkBuff::build_from_page`]) has room
/// for `len` bytes at `offset`: `napi_build_skb()` puts the `skb_shared_info` at the end of
/// the buffer, so the frame must end before it. `overhead` is the shared info's aligned size
/// (`size - SKB_WITH_OVERHEAD(size)`, the same for every size).
///
/// [`SkBuff::build_from_page`]: super::skb::SkBuff::build_from_page
pub fn fits_linear(size: u32, offset: u32, len: u32, overhead: u32) -> bool {
    offset
        .checked_add(len)
        .and_then(|end| end.checked_add(overhead))
        .is_some_and(|end| end <= size)
}
