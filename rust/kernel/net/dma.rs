// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings of packet memory.
//!
//! C header: [`include/linux/dma-mapping.h`](srctree/include/linux/dma-mapping.h)
//!
//! The primitives under [`MapSlot::map`](super::skb::MapSlot::map), which is how drivers map
//! packets: the [`MapSlot`](super::skb::MapSlot) owns the packet it holds, so memory the
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

/// Where the live regions of a [`TxArena`] lie: offsets only, no memory.
///
/// # Invariants
///
/// Live regions are numbered `oldest..next` and occupy disjoint ranges within `size`:
/// `[tail, head)` when not `wrapped`, otherwise `[tail, wrap_from)` and `[0, head)`, where
/// `wrap_seq` is the number of the first region placed at 0 while older ones were live.
#[derive(Debug)]
struct Cursor {
    size: usize,
    head: usize,
    tail: usize,
    wrapped: bool,
    wrap_seq: u64,
    wrap_from: usize,
    oldest: u64,
    next: u64,
}

impl Cursor {
    const fn new(size: usize) -> Self {
        Cursor {
            size,
            head: 0,
            tail: 0,
            wrapped: false,
            wrap_seq: 0,
            wrap_from: 0,
            oldest: 0,
            next: 0,
        }
    }

    fn is_live(&self, seq: u64) -> bool {
        seq >= self.oldest && seq < self.next
    }

    fn reset_if_empty(&mut self) {
        if self.oldest == self.next {
            self.head = 0;
            self.tail = 0;
            self.wrapped = false;
        }
    }

    fn in_use(&self) -> usize {
        if self.oldest == self.next {
            0
        } else if self.wrapped {
            self.wrap_from - self.tail + self.head
        } else {
            self.head - self.tail
        }
    }

    /// Number and offset of a new region of `len` bytes, if they are free.
    fn alloc(&mut self, len: usize) -> Option<(u64, usize)> {
        if len == 0 || len > self.size {
            return None;
        }
        self.reset_if_empty();
        let off = if self.wrapped {
            // Free: [head, tail).
            if self.tail - self.head < len {
                return None;
            }
            self.head
        } else if self.size - self.head >= len {
            self.head
        } else if self.tail >= len {
            // INVARIANT: the new region at 0 ends before the oldest live one starts.
            self.wrapped = true;
            self.wrap_seq = self.next;
            self.wrap_from = self.head;
            0
        } else {
            return None;
        };
        self.head = off + len;
        let seq = self.next;
        self.next += 1;
        Some((seq, off))
    }

    /// Frees the oldest region, number `seq` at `off`, `len` bytes; `false` if `seq` is not
    /// the oldest live region.
    fn release(&mut self, seq: u64, off: usize, len: usize) -> bool {
        if seq != self.oldest || !self.is_live(seq) {
            return false;
        }
        self.oldest += 1;
        self.tail = off + len;
        if self.wrapped && self.wrap_seq == self.oldest && self.is_live(self.oldest) {
            // INVARIANT: the oldest live region is now the one placed at 0.
            self.tail = 0;
            self.wrapped = false;
        }
        self.reset_if_empty();
        true
    }

    /// Takes back the newest region, number `seq` at `off`; `false` if it is not the newest.
    fn unalloc(&mut self, seq: u64, off: usize) -> bool {
        if !self.is_live(seq) || seq + 1 != self.next {
            return false;
        }
        self.next -= 1;
        self.head = off;
        if self.wrapped && self.wrap_seq == seq {
            // The region that wrapped is gone: the live ones end where they ended before.
            self.wrapped = false;
            self.head = self.wrap_from;
        }
        self.reset_if_empty();
        true
    }
}

/// A ring of bytes in coherent DMA memory that a driver fills with packet data the device
/// then reads (a software transmit engine's output, say: bytes computed per packet that must
/// not go into the stack's buffers), handed out in [`ArenaRegion`]s and taken back in the
/// order they were handed out, as a transmit ring completes. Nothing is allocated per
/// packet.
///
/// A region is written through the arena ([`TxArena::bytes_mut`]) until it is sealed for
/// the device ([`TxArena::seal`]), after which the CPU cannot write it; it is free again when
/// [`TxArena::release`]d, in order, once the device is done. Regions never overlap, so the
/// CPU never writes bytes the device may be reading. Coherent memory needs no syncs.
///
/// # Invariants
///
/// `mem` is `cur.size` bytes; the regions `cur` counts live are the [`ArenaRegion`]s with
/// this arena's `id` not yet released or taken back.
pub struct TxArena {
    mem: crate::dma::Coherent<[u8]>,
    id: u64,
    cur: Cursor,
}

/// A range of a [`TxArena`]: written by the CPU until sealed, then read by the device until
/// released. Only the arena that made it accepts it; it cannot be copied.
#[derive(Debug)]
pub struct ArenaRegion {
    arena: u64,
    seq: u64,
    off: usize,
    len: usize,
    sealed: bool,
}

impl ArenaRegion {
    /// Its length in bytes (at least one).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: regions have at least one byte.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

static ARENA_IDS: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

impl TxArena {
    /// An arena of `size` bytes of coherent memory for `dev`.
    pub fn new(dev: &device::Device<device::Bound>, size: usize) -> Result<TxArena> {
        if size == 0 {
            return Err(EINVAL);
        }
        let mem = crate::dma::Coherent::<u8>::zeroed_slice(dev, size, GFP_KERNEL)?;
        // INVARIANT: a fresh id, no region live.
        Ok(TxArena {
            mem,
            id: ARENA_IDS.fetch_add(1, core::sync::atomic::Ordering::Relaxed),
            cur: Cursor::new(size),
        })
    }

    /// Its size in bytes.
    pub fn size(&self) -> usize {
        self.cur.size
    }

    /// Bytes in live regions.
    pub fn in_use(&self) -> usize {
        self.cur.in_use()
    }

    /// Hands out `len` contiguous bytes (after the newest region, or from the start if the
    /// end has no room), or `None` if they are not free.
    pub fn alloc(&mut self, len: usize) -> Option<ArenaRegion> {
        let (seq, off) = self.cur.alloc(len)?;
        Some(ArenaRegion {
            arena: self.id,
            seq,
            off,
            len,
            sealed: false,
        })
    }

    fn owns(&self, r: &ArenaRegion) -> bool {
        r.arena == self.id && self.cur.is_live(r.seq)
    }

    /// The bytes of `r` to fill; `EINVAL` if it is sealed or not this arena's.
    pub fn bytes_mut(&mut self, r: &ArenaRegion) -> Result<&mut [u8]> {
        if !self.owns(r) || r.sealed {
            return Err(EINVAL);
        }
        // SAFETY: by the type invariants the live region `r` lies within the arena's
        // memory, overlaps no other live region, and is not sealed, so the device is not
        // reading it; `&mut self` makes this the only reference into the memory for its
        // lifetime.
        Ok(unsafe {
            core::slice::from_raw_parts_mut(self.mem.as_mut_ptr().cast::<u8>().add(r.off), r.len)
        })
    }

    /// The bus address of `r`, to describe to the device before sealing it; `EINVAL` if it
    /// is not this arena's live region.
    pub fn dma_address(&self, r: &ArenaRegion) -> Result<DmaAddress> {
        if !self.owns(r) {
            return Err(EINVAL);
        }
        Ok(self.mem.dma_address() + r.off as DmaAddress)
    }

    /// Ends the CPU's writes to `r`, which the device may read from now on, and returns its
    /// bus address; `EINVAL` if it is not this arena's live region. A sealed region comes
    /// back only through [`TxArena::release`].
    pub fn seal(&mut self, r: &mut ArenaRegion) -> Result<DmaAddress> {
        let addr = self.dma_address(r)?;
        r.sealed = true;
        Ok(addr)
    }

    /// Takes back the oldest live region once the device is done with it. Any other region
    /// is handed back with `EINVAL`, and the arena is unchanged.
    pub fn release(&mut self, r: ArenaRegion) -> core::result::Result<(), (ArenaRegion, Error)> {
        if r.arena != self.id || !self.cur.release(r.seq, r.off, r.len) {
            return Err((r, EINVAL));
        }
        Ok(())
    }

    /// Takes back the newest live region before it is sealed (its bytes are not to be
    /// sent). A sealed region, or any other, is handed back with `EINVAL`, and the arena is
    /// unchanged.
    pub fn unalloc(&mut self, r: ArenaRegion) -> core::result::Result<(), (ArenaRegion, Error)> {
        if r.arena != self.id || r.sealed || !self.cur.unalloc(r.seq, r.off) {
            return Err((r, EINVAL));
        }
        Ok(())
    }
}

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[kunit_tests(rust_net_tx_arena)]
mod tests {
    use super::Cursor;

    /// Drives a cursor of `size` bytes with a pseudo-random walk of allocations, in-order
    /// releases and take-backs, checking every region against all live ones.
    fn walk(size: usize, seed: u32, steps: u32) {
        let mut c = Cursor::new(size);
        // Live regions, oldest first: (seq, off, len).
        let mut live = [(0u64, 0usize, 0usize); 64];
        let (mut first, mut n) = (0usize, 0usize);
        let mut x = seed;
        let mut rand = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        for _ in 0..steps {
            let r = rand();
            if r % 3 != 0 && n < live.len() {
                let len = (rand() as usize % (size / 2)) + 1;
                if let Some((seq, off)) = c.alloc(len) {
                    assert!(off + len <= size);
                    for i in 0..n {
                        let (_, o, l) = live[(first + i) % live.len()];
                        assert!(off + len <= o || o + l <= off);
                    }
                    live[(first + n) % live.len()] = (seq, off, len);
                    n += 1;
                } else {
                    // Refused only when the space is really taken: an empty arena takes all.
                    assert!(n > 0);
                }
            } else if r % 7 == 0 && n > 0 {
                let (seq, off, _) = live[(first + n - 1) % live.len()];
                // Only the newest can be taken back.
                if n > 1 {
                    let (s0, o0, _) = live[first];
                    assert!(!c.unalloc(s0, o0));
                }
                assert!(c.unalloc(seq, off));
                n -= 1;
            } else if n > 0 {
                let (seq, off, len) = live[first];
                // Out of order is refused.
                if n > 1 {
                    let (s1, o1, l1) = live[(first + 1) % live.len()];
                    assert!(!c.release(s1, o1, l1));
                }
                assert!(c.release(seq, off, len));
                first = (first + 1) % live.len();
                n -= 1;
            }
            let used: usize = (0..n).map(|i| live[(first + i) % live.len()].2).sum();
            assert!(c.in_use() >= used && c.in_use() <= size);
            if n == 0 {
                assert_eq!(c.in_use(), 0);
            }
        }
    }

    #[test]
    fn regions_never_overlap_and_come_back_in_order() {
        for (size, seed) in [(100usize, 1u32), (4096, 7), (37, 99), (1000, 12345)] {
            walk(size, seed, 20000);
        }
        let mut c = Cursor::new(10);
        assert_eq!(c.alloc(0), None);
        assert_eq!(c.alloc(11), None);
        assert_eq!(c.alloc(10), Some((0, 0)));
        assert_eq!(c.alloc(1), None);
        assert!(c.release(0, 0, 10));
        // Empty again: the whole arena from the start.
        assert_eq!(c.alloc(10), Some((1, 0)));
    }
}
