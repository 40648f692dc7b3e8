// SPDX-License-Identifier: GPL-2.0

//! Transmit and receive descriptor rings (datasheet 7.1.4, 7.2.3).
//!
//! A ring is an array of 16-byte descriptors in coherent DMA memory plus, per descriptor, what
//! the driver must release when the hardware is done with it. Rings are created by `open` and
//! dropped by `stop` once the hardware no longer uses them: dropping a ring unmaps and frees
//! every packet and returns every receive page to its pool.

use kernel::{
    alloc::KVVec,
    device::{
        Bound,
        Device, //
    },
    dma::Coherent,
    io::{
        io_read,
        io_write, //
    },
    net::{
        self,
        dma::{
            ArenaRegion,
            TxArena, //
        },
        napi::Poll,
        page_pool::{
            BufLayout,
            PagePool,
            PoolPage,
            PAGE_SIZE, //
        },
        skb::{
            shinfo_overhead,
            MapSlot,
            SkBuff, //
        },
    },
    prelude::*,
    sync::barrier::{
        dma_mb,
        Read, //
    }, //
};

use core::num::NonZeroU32;

use crate::desc::{
    self,
    Words, //
};

/// Smallest and largest ring sizes (datasheet: multiple of 8 descriptors, 128 bytes).
pub(crate) const MIN_DESC: u32 = 64;
pub(crate) const MAX_DESC: u32 = 4096;
/// Default ring size, as the C driver.
pub(crate) const DEFAULT_DESC: u32 = 256;

/// Descriptors in coherent memory, two 64-bit words each.
pub(crate) struct DescRing {
    mem: Coherent<[u64]>,
    count: NonZeroU32,
}

impl DescRing {
    fn new(dev: &Device<Bound>, count: u32) -> Result<Self> {
        if !(MIN_DESC..=MAX_DESC).contains(&count) || count % 8 != 0 {
            return Err(EINVAL);
        }
        Ok(DescRing {
            mem: Coherent::zeroed_slice(dev, 2 * count as usize, GFP_KERNEL)?,
            count: NonZeroU32::new(count).ok_or(EINVAL)?,
        })
    }

    /// Bus address of descriptor 0.
    pub(crate) fn dma_address(&self) -> u64 {
        self.mem.dma_address()
    }

    /// Size in bytes, for RDLEN/TDLEN.
    pub(crate) fn bytes(&self) -> u32 {
        self.count.get() * 16
    }

    /// Number of descriptors.
    fn len(&self) -> u32 {
        self.count.get()
    }

    /// The index after `i`, wrapping at the end of the ring.
    fn next(&self, i: u32) -> u32 {
        (i + 1) % self.count
    }

    /// Writes descriptor `i`; the second word last, as it holds the status the hardware polls.
    fn write(&self, i: u32, w: Words) -> Result {
        let i = (i % self.count) as usize * 2;
        io_write!(self.mem, [try: i], w[0].to_le());
        io_write!(self.mem, [try: i + 1], w[1].to_le());
        Ok(())
    }

    /// Reads the second word of descriptor `i` (where write-back status lives).
    fn read_status(&self, i: u32) -> Result<u64> {
        let i = (i % self.count) as usize * 2;
        Ok(u64::from_le(io_read!(self.mem, [try: i + 1])))
    }

    /// Reads descriptor `i`: status word first, then (after a read barrier, so that it is not
    /// older than the status) the first word.
    fn read(&self, i: u32) -> Result<Words> {
        let w1 = self.read_status(i)?;
        dma_mb(Read);
        let i = (i % self.count) as usize * 2;
        Ok([u64::from_le(io_read!(self.mem, [try: i])), w1])
    }
}

/// What a transmit descriptor slot holds until the hardware is done with it, on the first
/// slot of a packet: the packet, mapped in place in `map`, or copied (with its TLS records
/// encrypted) into the ring's arena and kept in `arena` only to be completed; and the
/// packet's last descriptor, bytes and segments.
struct TxBuf<'a> {
    map: MapSlot<'a>,
    arena: Option<(SkBuff, ArenaRegion)>,
    done: Option<(u32, u32, u32)>,
}

/// Bytes of the transmit arena: room for a few TSO super-packets of the TLS engine's output
/// in flight.
pub(crate) const TX_ARENA_BYTES: usize = 256 * 1024;

/// Totals of a transmit clean-up.
#[derive(Default, Clone, Copy)]
pub(crate) struct TxDone {
    pub(crate) packets: u32,
    pub(crate) bytes: u32,
}

/// The transmit ring.
pub(crate) struct TxRing<'a> {
    pub(crate) desc: DescRing,
    /// A slot per descriptor (about 220 bytes each: up to 4096 of them fall back to vmalloc).
    bufs: KVVec<TxBuf<'a>>,
    /// Next descriptor the driver fills.
    next_use: u32,
    /// Oldest descriptor not yet cleaned.
    next_clean: u32,
    /// Where the TLS engine writes the packets it encrypts, released as they complete.
    pub(crate) arena: TxArena,
    /// The offload context the hardware holds once every queued descriptor is read.
    context: desc::ContextCache,
}

impl<'a> TxRing<'a> {
    pub(crate) fn new(dev: &'a Device<Bound>, count: u32) -> Result<Self> {
        let desc = DescRing::new(dev, count)?;
        let mut bufs = KVVec::with_capacity(count as usize, GFP_KERNEL)?;
        for _ in 0..count {
            let b = TxBuf {
                map: MapSlot::new(dev),
                arena: None,
                done: None,
            };
            bufs.push(b, GFP_KERNEL)?;
        }
        Ok(TxRing {
            desc,
            bufs,
            next_use: 0,
            next_clean: 0,
            arena: TxArena::new(dev, TX_ARENA_BYTES)?,
            context: desc::ContextCache::EMPTY,
        })
    }

    /// Free descriptors (one is always left empty so that head == tail means empty).
    pub(crate) fn free(&self) -> u32 {
        (self.next_clean + self.desc.len() - self.next_use - 1) % self.desc.count
    }

    /// The tail to write to TDT.
    pub(crate) fn tail(&self) -> u32 {
        self.next_use
    }

    /// Data descriptors `skb` needs: one per [`desc::TX_MAX_BUF`] bytes of its head and of
    /// each fragment.
    pub(crate) fn descs_for(skb: &SkBuff) -> u32 {
        (0..skb.nr_frags())
            .map(|i| skb.frag_len(i).unwrap_or(0).div_ceil(desc::TX_MAX_BUF))
            .sum::<u32>()
            + skb.head_len().div_ceil(desc::TX_MAX_BUF)
    }

    /// Queues one packet: an optional context descriptor (left out when the hardware holds
    /// that context already), then data descriptors for its head
    /// and fragments, split at [`desc::TX_MAX_BUF`]. The packet is mapped in place in the
    /// slot of its first descriptor and kept there until [`TxRing::clean`] finds it done, so
    /// queueing allocates and copies nothing and the packet cannot be freed while the device
    /// reads it. The caller checked that `free()` covers `descs_for(skb)` and the context
    /// descriptor.
    ///
    /// On success the packet's software transmit timestamp is taken. On failure (a buffer
    /// that cannot be mapped) the ring is as it was, nothing stays mapped, and the packet is
    /// handed back.
    pub(crate) fn push(
        &mut self,
        skb: SkBuff,
        context: Option<Words>,
        opts: desc::DataOpts,
        segs: u32,
        bytes: u32,
    ) -> core::result::Result<(), (SkBuff, Error)> {
        let first = self.next_use;
        let Some(b) = self.bufs.get_mut(first as usize) else {
            return Err((skb, EINVAL));
        };
        let (context, held) = self.context.plan(context);
        let ring = &self.desc;
        let mut at = first;
        let last = b.map.map_with(skb, |bufs| {
            Self::put_buffers(ring, bufs, context, &opts, &mut at)
        })?;
        // Certain to be queued now: the software timestamp, just before the caller tells the
        // device.
        b.map.tx_timestamp();
        b.done = Some((last, bytes, segs));
        self.next_use = at;
        self.context = held;
        Ok(())
    }

    /// Queues one packet whose bytes the caller wrote into `region` of [`TxRing::arena`]:
    /// an optional context descriptor, then data descriptors for the region, which is sealed
    /// for the device. `skb` is kept only to be completed (timestamps, queue accounting).
    /// The caller checked that `free()` covers the region's descriptors and the context
    /// descriptor. On failure the ring is as it was and both are handed back.
    pub(crate) fn push_arena(
        &mut self,
        mut skb: SkBuff,
        mut region: ArenaRegion,
        context: Option<Words>,
        opts: desc::DataOpts,
        segs: u32,
        bytes: u32,
    ) -> core::result::Result<(), (SkBuff, ArenaRegion, Error)> {
        let len = match u32::try_from(region.len()) {
            Ok(l) => l,
            Err(_) => return Err((skb, region, EINVAL)),
        };
        let first = self.next_use;
        if self.bufs.get(first as usize).is_none() {
            return Err((skb, region, EINVAL));
        }
        let addr = match self.arena.dma_address(&region) {
            Ok(a) => a,
            Err(e) => return Err((skb, region, e)),
        };
        // The descriptors are written before the region is sealed: on failure it can still
        // be taken back (the device reads no descriptor past the tail, not written yet).
        let mut at = first;
        let (context, held) = self.context.plan(context);
        let written = Self::put_buffers(
            &self.desc,
            core::iter::once((addr, len)),
            context,
            &opts,
            &mut at,
        );
        let last = match written {
            Ok(l) => l,
            Err(e) => return Err((skb, region, e)),
        };
        if let Err(e) = self.arena.seal(&mut region) {
            return Err((skb, region, e));
        }
        skb.tx_timestamp();
        if let Some(b) = self.bufs.get_mut(first as usize) {
            b.arena = Some((skb, region));
            b.done = Some((last, bytes, segs));
        }
        self.next_use = at;
        self.context = held;
        Ok(())
    }

    /// Data descriptors `len` contiguous bytes need.
    pub(crate) fn descs_for_len(len: u32) -> u32 {
        len.div_ceil(desc::TX_MAX_BUF)
    }

    /// Writes the descriptors of one packet (an optional context descriptor, then its
    /// buffers `bufs`, as bus address and length) from `*at` on, advancing `*at` past them;
    /// returns the index of its last descriptor.
    fn put_buffers(
        ring: &DescRing,
        bufs: impl Iterator<Item = (u64, u32)>,
        context: Option<Words>,
        opts: &desc::DataOpts,
        at: &mut u32,
    ) -> Result<u32> {
        if let Some(c) = context {
            ring.write(*at, c)?;
            *at = ring.next(*at);
        }
        let mut bufs = bufs.peekable();
        let mut last = None;
        while let Some((addr, len)) = bufs.next() {
            let end = bufs.peek().is_none();
            last = Some(Self::put_buffer(ring, addr, len, end, opts, at)?);
        }
        last.ok_or(EINVAL)
    }

    /// Writes the data descriptors of one buffer at bus address `base` from `*at` on (the
    /// last one with EOP if `end`), advances `*at` past them and returns the index of the
    /// last.
    fn put_buffer(
        ring: &DescRing,
        base: u64,
        len: u32,
        end: bool,
        opts: &desc::DataOpts,
        at: &mut u32,
    ) -> Result<u32> {
        let mut off = 0;
        let mut last = *at;
        while off < len {
            let chunk = (len - off).min(desc::TX_MAX_BUF);
            let o = desc::DataOpts {
                last: end && off + chunk == len,
                ..*opts
            };
            ring.write(*at, desc::data(base + u64::from(off), chunk, &o))?;
            last = *at;
            *at = ring.next(*at);
            off += chunk;
        }
        Ok(last)
    }

    /// Releases every packet the hardware finished, oldest first: unmapped, then freed
    /// (into the NAPI cache when called from the poll `poll`).
    pub(crate) fn clean(&mut self, poll: Option<&Poll<'_>>) -> TxDone {
        let release = |skb: SkBuff| match poll {
            Some(p) => skb.napi_consume(p),
            None => skb.consume(),
        };
        let mut done = TxDone::default();
        while self.next_clean != self.next_use {
            let Some(slot) = self.bufs.get_mut(self.next_clean as usize) else {
                break;
            };
            let Some((last, bytes, segs)) = slot.done else {
                // Every packet starts with the slot that holds it; anything else is skipped.
                self.next_clean = self.desc.next(self.next_clean);
                continue;
            };
            match self.desc.read_status(last) {
                Ok(w1) if desc::tx_done(w1) => {}
                _ => break,
            }
            slot.done = None;
            self.next_clean = self.desc.next(last);
            done.packets += segs;
            done.bytes += bytes;
            if let Some(skb) = slot.map.unmap() {
                release(skb);
            }
            if let Some((skb, region)) = slot.arena.take() {
                // Packets complete in ring order, the order their regions were handed out:
                // the oldest is released. A refusal would be a bug here, and the arena would
                // stay short of that space until the ring goes.
                if self.arena.release(region).is_err() {
                    kernel::pr_warn_once!("re1000e: transmit arena region released out of order\n");
                }
                release(skb);
            }
        }
        done
    }
}

/// Frames up to this many bytes are copied into a small packet and their buffer goes
/// straight back to the device, as the C driver's `copybreak`: a page charged to a socket
/// for a 64-byte frame fills its receive buffer 30 times sooner than the frame's bytes.
pub(crate) const RX_COPYBREAK: u32 = 256;
/// Refilled buffers are handed to the hardware (an RDT write) in batches of this many, as
/// the C driver does: one doorbell per batch instead of one per poll.
pub(crate) const RX_POST_BATCH: u32 = 16;

/// The receive ring, with its page pool.
pub(crate) struct RxRing {
    pub(crate) desc: DescRing,
    pages: KVec<Option<PoolPage>>,
    pool: PagePool,
    /// Next descriptor the hardware completes.
    next_clean: u32,
    /// Next descriptor to give a fresh page.
    next_fill: u32,
    /// Buffers given pages but not yet handed to the hardware through RDT.
    unposted: u32,
    /// A frame spread over several buffers, assembled so far.
    partial: Option<SkBuff>,
    /// The rest of a frame that cannot be kept is skipped up to its last buffer.
    skipping: bool,
}

/// One received frame.
pub(crate) struct RxFrame {
    pub(crate) skb: SkBuff,
    pub(crate) info: desc::RxDone,
}

/// What the receive ring hands over: a frame, or a frame dropped (counted by the caller).
pub(crate) type RxResult = core::result::Result<RxFrame, ()>;

impl RxRing {
    /// The receive buffers a ring gets for a configuration ([`desc::rx_buf_plan`]).
    pub(crate) fn plan(long_frames: bool, keep_bad: bool) -> desc::RxBufPlan {
        desc::rx_buf_plan(long_frames, keep_bad, PAGE_SIZE, shinfo_overhead())
    }

    /// A ring of `count` descriptors, its buffers laid out for the configuration
    /// ([`desc::rx_buf_plan`]): with `long_frames` (RCTL.LPE) or `keep_bad` (rx-all,
    /// RCTL.SBP) the device may fill a whole [`desc::RX_BUF_LEN`]-byte buffer, otherwise
    /// two buffers share a page.
    pub(crate) fn new(
        dev: &Device<Bound>,
        netdev: &net::dev::Device,
        count: u32,
        long_frames: bool,
        keep_bad: bool,
    ) -> Result<Self> {
        let desc = DescRing::new(dev, count)?;
        let plan = Self::plan(long_frames, keep_bad);
        let layout = BufLayout {
            size: plan.size,
            offset: plan.offset,
            max_len: plan.max_len,
        };
        let pool = PagePool::new(dev, netdev, 0, count, layout)?;
        let mut pages = KVec::with_capacity(count as usize, GFP_KERNEL)?;
        for _ in 0..count {
            pages.push(None, GFP_KERNEL)?;
        }
        Ok(RxRing {
            desc,
            pages,
            pool,
            next_clean: 0,
            next_fill: 0,
            unposted: 0,
            partial: None,
            skipping: false,
        })
    }

    /// Gives pages to every empty descriptor but one. Returns the tail to write to RDT when
    /// a batch of [`RX_POST_BATCH`] buffers is ready, or with `flush` whenever any is
    /// (`None`: nothing to post), and whether a page allocation failed.
    pub(crate) fn refill(&mut self, flush: bool) -> (Option<u32>, bool) {
        let mut short = false;
        while self.desc.next(self.next_fill) != self.next_clean {
            let Some(slot) = self.pages.get_mut(self.next_fill as usize) else {
                break;
            };
            // A slot still holding its page got it back from a copied frame: its descriptor
            // is written again like a fresh one's.
            let addr = match slot {
                Some(page) => page.dma_address(),
                None => {
                    let Some(page) = self.pool.alloc() else {
                        short = true;
                        break;
                    };
                    slot.insert(page).dma_address()
                }
            };
            if self
                .desc
                .write(self.next_fill, desc::rx_read(addr))
                .is_err()
            {
                break;
            }
            self.next_fill = self.desc.next(self.next_fill);
            self.unposted += 1;
        }
        // Post everything now if the hardware might run short: when an allocation failed
        // (fewer buffers than usual) or the caller asks.
        let post = self.unposted > 0 && (flush || short || self.unposted >= RX_POST_BATCH);
        if post {
            self.unposted = 0;
        }
        (post.then_some(self.next_fill), short)
    }

    /// Takes the next completed frame, if the hardware finished one: a frame over several
    /// buffers is assembled across calls (and polls) until its last buffer. A frame the
    /// hardware flagged bad (unless `keep_bad`, rx-all), or one the packet cannot hold, is
    /// dropped whole and reported as `Err(())` so that the caller counts it. In a poll
    /// (`poll`), a frame of one buffer up to [`RX_COPYBREAK`] bytes is copied and the buffer
    /// stays in the ring.
    pub(crate) fn next(
        &mut self,
        rss: bool,
        keep_bad: bool,
        poll: Option<&Poll<'_>>,
    ) -> Option<RxResult> {
        loop {
            let i = self.next_clean;
            // The slot refill stopped at was never given back to the hardware: its
            // descriptor still holds the write-back of the frame it had a lap ago. Reached
            // when the hardware used every buffer posted (a ring run dry) or a refill fell
            // short.
            if i == self.next_fill {
                return None;
            }
            let w = self.desc.read(i).ok()?;
            let info = desc::rx_done(w, rss)?;
            let page = self.pages.get_mut(i as usize)?.take();
            self.next_clean = self.desc.next(i);
            let len = u32::from(info.len);
            if self.skipping {
                // The page goes back to its pool.
                drop(page);
                if info.eop {
                    self.skipping = false;
                    return Some(Err(()));
                }
                continue;
            }
            // The page's bytes are synced for the CPU here, before anything reads them.
            let kept = match page.map(|page| page.received(&self.pool, len)) {
                Some(Ok(buf)) if info.eop && self.partial.is_none() && len <= RX_COPYBREAK => {
                    let copied = poll.map(|p| SkBuff::napi_copy(p, &buf));
                    match copied {
                        Some(Ok(skb)) => {
                            // The buffer was taken from this slot just above.
                            if let Some(slot) = self.pages.get_mut(i as usize) {
                                *slot = buf.give_back(&self.pool).ok();
                            }
                            Some(skb)
                        }
                        _ => SkBuff::build_from_page(buf).ok(),
                    }
                }
                Some(Ok(buf)) => match self.partial.take() {
                    None => SkBuff::build_from_page(buf).ok(),
                    // The last buffer may hold nothing (QEMU leaves an empty one when the
                    // frame filled the others exactly).
                    Some(skb) if buf.is_empty() => Some(skb),
                    Some(mut skb) => skb.add_rx_frag(buf).ok().map(|()| skb),
                },
                _ => None,
            };
            let Some(skb) = kept else {
                self.partial = None;
                if info.eop {
                    return Some(Err(()));
                }
                self.skipping = true;
                continue;
            };
            if !info.eop {
                self.partial = Some(skb);
                continue;
            }
            // Status and errors are valid in the last descriptor of a frame.
            if info.frame_error && !keep_bad {
                return Some(Err(()));
            }
            return Some(Ok(RxFrame { skb, info }));
        }
    }
}
