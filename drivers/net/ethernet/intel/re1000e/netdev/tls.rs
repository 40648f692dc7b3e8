// SPDX-License-Identifier: GPL-2.0

//! kTLS transmit offload: the offload-context table in use, and the software engine in the
//! transmit path.
//!
//! The 82574L has no crypto. What re1000e offloads is the per-connection *state*: each
//! connection the TLS core hands over (`tls_dev_add`) gets an entry in the table
//! ([`crate::tls_table`], linked to its path and neighbour) and an engine beside it: the
//! record framing state ([`crate::tls_frame::Framer`]: next TCP sequence number, record
//! number, place in the record) and the running AES-GCM state. A packet that continues its
//! connection's stream in order is copied once into the transmit ring's arena, its records'
//! payload encrypted and tags written there in one pass (records that span packets carry
//! their cipher state over), and the device sends it from the arena; nothing is allocated
//! per packet and the stack's plaintext is untouched.
//!
//! Anything else goes through the TLS core's software fallback (`tls_encrypt_skb`), which
//! encrypts the packet from the records the core keeps: a retransmission (behind the engine),
//! a packet that starts behind and ends ahead (the engine also runs over the new part, its
//! output discarded, to keep its place), and a packet after bytes the engine never saw (a
//! gap: the connection is invalidated and the driver asks the core for a resync, which
//! revalidates it at the next record). A record the engine cannot parse drops the packet
//! (TCP sends it again, through the fallback). No path sends plaintext.

use super::*;

use crate::{
    tls_frame::{
        Aead,
        FrameError,
        Framer,
        Processed, //
    },
    tls_table::{
        self,
        ConnState,
        Handle,
        Neigh,
        NudState,
        Reason,
        Table,
        TableError,
        MAX_CONNS, //
    },
};

use kernel::{
    net::{
        devlink,
        neigh::{
            self,
            NeighEvent,
            NextHop, //
        },
        tls::{
            self as ktls,
            AesGcm,
            CryptoInfo,
            Direction,
            Socket, //
        },
    },
    str::CString,
    sync::Arc,
    time::{
        Instant,
        Monotonic, //
    },
};

/// `ethtool -S` names of [`TlsCounters`], in [`TlsCounters::values`] order.
pub(crate) const TLS_STATS: [&CStr; 13] = [
    c"tx_tls_ctx",
    c"tx_tls_del",
    c"tx_tls_refused",
    c"tx_tls_encrypted_packets",
    c"tx_tls_encrypted_bytes",
    c"tx_tls_ooo",
    c"tx_tls_fallback",
    c"tx_tls_resync_req",
    c"tx_tls_resync",
    c"tx_tls_drop_no_sync_data",
    c"tx_tls_invalidated",
    c"tx_tls_neigh_update",
    c"tx_tls_relink",
];

/// TLS offload counters.
pub(crate) struct TlsCounters {
    /// Connections offloaded (`tls_dev_add` accepted).
    ctx: Atomic<u64>,
    /// Offloads deleted (`tls_dev_del`).
    del: Atomic<u64>,
    /// `tls_dev_add` calls refused (table full, engine faulted, cipher, route).
    refused: Atomic<u64>,
    /// Packets the engine encrypted.
    enc_packets: Atomic<u64>,
    /// TLS payload bytes the engine encrypted.
    enc_bytes: Atomic<u64>,
    /// Packets of offloaded connections that did not continue the engine's stream.
    ooo: Atomic<u64>,
    /// Packets encrypted by the core's software fallback.
    fallback: Atomic<u64>,
    /// Resyncs asked of the core.
    resync_req: Atomic<u64>,
    /// Resyncs the core gave (`tls_dev_resync`).
    resync: Atomic<u64>,
    /// Packets dropped: neither the engine nor the fallback could encrypt them.
    drop_no_sync: Atomic<u64>,
    /// Connections invalidated (neighbour, gap, bad record, engine fault).
    invalidated: Atomic<u64>,
    /// Neighbour updates that reached the table's next hops.
    neigh_update: Atomic<u64>,
    /// Paths relinked to another next hop: a connection's packets showed a new route.
    relink: Atomic<u64>,
}

impl TlsCounters {
    pub(crate) fn new() -> Self {
        TlsCounters {
            ctx: Atomic::new(0),
            del: Atomic::new(0),
            refused: Atomic::new(0),
            enc_packets: Atomic::new(0),
            enc_bytes: Atomic::new(0),
            ooo: Atomic::new(0),
            fallback: Atomic::new(0),
            resync_req: Atomic::new(0),
            resync: Atomic::new(0),
            drop_no_sync: Atomic::new(0),
            invalidated: Atomic::new(0),
            neigh_update: Atomic::new(0),
            relink: Atomic::new(0),
        }
    }

    /// The counters in [`TLS_STATS`] order.
    pub(crate) fn values(&self) -> [u64; TLS_STATS.len()] {
        [
            self.ctx.load(Relaxed),
            self.del.load(Relaxed),
            self.refused.load(Relaxed),
            self.enc_packets.load(Relaxed),
            self.enc_bytes.load(Relaxed),
            self.ooo.load(Relaxed),
            self.fallback.load(Relaxed),
            self.resync_req.load(Relaxed),
            self.resync.load(Relaxed),
            self.drop_no_sync.load(Relaxed),
            self.invalidated.load(Relaxed),
            self.neigh_update.load(Relaxed),
            self.relink.load(Relaxed),
        ]
    }
}

/// One connection's engine: its framing state and its cipher.
struct Engine {
    framer: Framer,
    gcm: Pin<KBox<AesGcm>>,
}

/// The kernel's AES-GCM behind the framer's [`Aead`]: a misuse the framer never makes (data
/// before a record began) is remembered, and the packet is not sent.
struct Gcm<'g> {
    g: Pin<&'g mut AesGcm>,
    failed: bool,
}

impl Aead for Gcm<'_> {
    fn begin(&mut self, nonce: &[u8; 12], aad: &[u8; 13]) {
        self.g.as_mut().begin(nonce, aad);
    }

    fn encrypt(&mut self, buf: &mut [u8]) {
        if self.g.as_mut().encrypt(buf).is_err() {
            self.failed = true;
        }
    }

    fn finish(&mut self) -> [u8; 16] {
        self.g.as_mut().finish().unwrap_or_else(|_| {
            self.failed = true;
            [0; 16]
        })
    }
}

/// The device's TLS offload, shared with its devlink instance: the table and engines, the
/// counters, and the engine's health.
#[pin_data]
pub(crate) struct TlsOffload {
    #[pin]
    state: SpinLockBh<Option<TlsState>>,
    pub(crate) stats: TlsCounters,
    /// An engine fault the driver has not acted on yet (capability withdrawal, report).
    fault_pending: Atomic<bool>,
    /// A recovery the driver has not acted on yet (capability restored).
    recovered: Atomic<bool>,
    /// The permanent MAC address, the devlink serial number.
    serial: [u8; 6],
    /// The last fault's invalidation: connections invalidated, and how long invalidating
    /// every context took, in nanoseconds.
    last_invalidated: Atomic<u64>,
    last_invalidate_ns: Atomic<u64>,
}

/// What `NetPriv` holds of the TLS offload: the shared state and the devlink instance that
/// shows it (unregistered when the device's private data goes, after the netdev).
pub(crate) struct TlsParts {
    pub(crate) offload: Arc<TlsOffload>,
    devlink: devlink::Registration<TlsOffload>,
    _neigh: Pin<KBox<neigh::Registration<TlsOffload>>>,
}

impl TlsParts {
    /// The TLS offload of a device with permanent address `serial`, and its devlink
    /// instance (resource `tls_tx_contexts`, health reporter `tls_engine`).
    pub(crate) fn new(dev: &kernel::device::Device<Bound>, serial: [u8; 6]) -> Result<Self> {
        let offload = Arc::pin_init(
            pin_init!(TlsOffload {
                state <- new_spinlock_bh!(None, "re1000e_tls"),
                stats: TlsCounters::new(),
                fault_pending: Atomic::new(false),
                recovered: Atomic::new(false),
                serial,
                last_invalidated: Atomic::new(0),
                last_invalidate_ns: Atomic::new(0),
            }),
            GFP_KERNEL,
        )?;
        let devlink = devlink::Registration::new(dev, offload.clone())?;
        let neigh = KBox::pin_init(neigh::Registration::new(offload.clone()), GFP_KERNEL)?;
        Ok(TlsParts {
            offload,
            devlink,
            _neigh: neigh,
        })
    }
}

/// The table and, slot for slot, the engines of its connections.
pub(crate) struct TlsState {
    table: KBox<Table<MAX_CONNS>>,
    engines: KVec<Option<Engine>>,
}

/// What the engine decided for a packet of an offloaded connection.
pub(super) enum Verdict {
    /// Encrypted in place.
    Encrypted(Processed),
    /// For the software fallback; `resync`: ask the core for one.
    Fallback { resync: bool },
    /// A record the engine could not parse: drop the packet; ask for a resync.
    Drop { resync: bool },
}

/// The empty table, a constant: boxed, it is copied from the constant into the allocation
/// (built as a local it would take 14 KiB of the caller's stack, in `setsockopt`).
const EMPTY_TABLE: Table<MAX_CONNS> = Table::new(MAX_CONNS);

impl TlsState {
    fn new() -> Result<Self> {
        let mut engines = KVec::with_capacity(MAX_CONNS, GFP_KERNEL)?;
        for _ in 0..MAX_CONNS {
            engines.push(None, GFP_KERNEL)?;
        }
        Ok(TlsState {
            table: KBox::new(EMPTY_TABLE, GFP_KERNEL)?,
            engines,
        })
    }

    /// Notes a resync request for `h`: `true` unless one is pending (ask the core once).
    fn want_resync(&mut self, h: Handle) -> bool {
        matches!(self.table.request_resync(h), Ok(true))
    }

    /// A packet of connection `h` goes out by `hop` (its socket's route): if that is not
    /// the next hop the connection's path links to, the route changed and the path is
    /// relinked to the new one, with the neighbour entry `neighbour` reads (the next hop
    /// with its link-layer address and state). Only once that entry is usable: the packets
    /// that reach the driver while the new next hop is being resolved are the old route's
    /// (the new route's wait in the neighbour's queue), and a later packet relinks.
    pub(super) fn follow_route(
        &mut self,
        h: Handle,
        hop: &NextHop,
        neighbour: impl FnOnce() -> Option<(NextHop, [u8; 6], bool)>,
        stats: &TlsCounters,
    ) {
        let moved = |n: &Neigh, hop: &NextHop| {
            n.link != hop.link.as_pair() || n.family != hop.family || n.addr != hop.addr
        };
        match self.table.route(h) {
            Some((_, n)) if moved(n, hop) => {}
            _ => return,
        }
        let Some((hop, lladdr, true)) = neighbour() else {
            return;
        };
        let neigh = Neigh {
            link: hop.link.as_pair(),
            family: hop.family,
            addr: hop.addr,
            lladdr,
            state: NudState::Valid,
        };
        if self.table.relink(h, neigh).is_ok() {
            stats.relink.add(1, Relaxed);
        }
    }

    /// Runs the engine of connection `h` over a packet whose TCP payload `payload` starts at
    /// sequence `seq`: encrypted in place if it continues the stream, otherwise the
    /// fallback's, with the engine's state kept (or invalidated) as the module doc says.
    pub(super) fn transmit(
        &mut self,
        h: Handle,
        seq: u32,
        payload: &mut [u8],
        stats: &TlsCounters,
    ) -> Verdict {
        let Some(conn) = self.table.conn(h).copied() else {
            return Verdict::Fallback { resync: false };
        };
        let Some(Some(e)) = self.engines.get_mut(h.slot()) else {
            return Verdict::Fallback { resync: false };
        };
        // CAST: a packet's payload is below 64 KiB.
        let len = payload.len() as u32;
        let next = e.framer.next_seq();
        if conn.state != ConnState::Offloaded || !e.framer.is_synced() {
            return Verdict::Fallback {
                resync: self.want_resync(h),
            };
        }
        let mut gcm = Gcm {
            g: e.gcm.as_mut(),
            failed: false,
        };
        match e.framer.check(seq) {
            Ok(()) => match e.framer.process_in_place(&mut gcm, seq, payload) {
                Ok(p) if !gcm.failed => Verdict::Encrypted(p),
                _ => {
                    e.framer.desync();
                    invalidate(&mut self.table, h, Reason::BadRecord, stats);
                    Verdict::Drop {
                        resync: self.want_resync(h),
                    }
                }
            },
            Err(FrameError::Behind) => {
                let ahead = seq.wrapping_add(len).wrapping_sub(next) as i32;
                if ahead > 0 {
                    // Starts behind, ends ahead: the fallback sends it; the engine runs over
                    // the new bytes to keep its place (their output is not sent).
                    let from = (len as usize).saturating_sub(ahead as usize);
                    let keep = e
                        .framer
                        .process_in_place(&mut gcm, next, &mut payload[from..]);
                    if keep.is_err() || gcm.failed {
                        e.framer.desync();
                        invalidate(&mut self.table, h, Reason::BadRecord, stats);
                        return Verdict::Fallback {
                            resync: self.want_resync(h),
                        };
                    }
                }
                Verdict::Fallback { resync: false }
            }
            Err(_) => {
                // Bytes the engine never saw: it cannot bridge them.
                e.framer.desync();
                invalidate(&mut self.table, h, Reason::Gap, stats);
                Verdict::Fallback {
                    resync: self.want_resync(h),
                }
            }
        }
    }
}

/// Invalidates connection `h` for `reason`, counted.
fn invalidate(table: &mut Table<MAX_CONNS>, h: Handle, reason: Reason, stats: &TlsCounters) {
    if table.invalidate(h, reason).is_ok() {
        stats.invalidated.add(1, Relaxed);
    }
}

/// The table's handle in the TLS context's driver state.
fn handle_of(h: ktls::Handle) -> Option<Handle> {
    u32::try_from(h.0).ok().map(Handle::unpack)
}

impl<'a> NetPriv<'a> {
    fn tls(&self) -> &TlsOffload {
        &self.tls.offload
    }

    /// `tls_dev_add`: a TLS 1.2 AES-GCM connection's transmit direction enters the table.
    pub(super) fn tls_add(
        &self,
        dev: &Device,
        sk: &Socket,
        dir: Direction,
        info: &CryptoInfo<'_>,
        start: u32,
    ) -> Result<ktls::Handle> {
        let r = self.tls_try_add(dev, sk, dir, info, start);
        match &r {
            Ok(_) => self.tls().stats.ctx.add(1, Relaxed),
            Err(_) => self.tls().stats.refused.add(1, Relaxed),
        };
        r
    }

    fn tls_try_add(
        &self,
        dev: &Device,
        sk: &Socket,
        dir: Direction,
        info: &CryptoInfo<'_>,
        start: u32,
    ) -> Result<ktls::Handle> {
        if dir != Direction::Tx || !dev.features().contains(Features::HW_TLS_TX) {
            return Err(EOPNOTSUPP);
        }
        let m = match &info.material {
            Some(m) if info.offloadable() => m,
            _ => return Err(EOPNOTSUPP),
        };
        let salt: [u8; 4] = m.salt.try_into().map_err(|_| EINVAL)?;
        let rec_seq: [u8; 8] = m.rec_seq.try_into().map_err(|_| EINVAL)?;
        let route = sk.route()?;
        let neigh = Neigh {
            link: route.hop.link.as_pair(),
            family: route.hop.family,
            addr: route.hop.addr,
            lladdr: route.lladdr,
            state: if route.valid {
                NudState::Valid
            } else {
                NudState::Failed
            },
        };
        let engine = Engine {
            framer: Framer::new(salt, start, u64::from_be_bytes(rec_seq)),
            gcm: AesGcm::new(m.key)?,
        };
        let h = self.tls().with_state(|st| -> Result<Handle> {
            let h = st
                .table
                .add(neigh, route.src, route.dst, route.mss)
                .map_err(|e| match e {
                    TableError::Full => ENOSPC,
                    _ => EBUSY,
                })?;
            match st.engines.get_mut(h.slot()) {
                Some(slot) => {
                    // A slot's previous engine left with its entry: `del` took it.
                    *slot = Some(engine);
                    Ok(h)
                }
                None => {
                    let _ = st.table.del(h);
                    Err(EINVAL)
                }
            }
        })??;
        Ok(ktls::Handle(u64::from(h.pack())))
    }

    /// `tls_dev_del`: the connection leaves the table (with whatever path and neighbour only
    /// it used). Never takes the RTNL.
    pub(super) fn tls_del(&self, h: ktls::Handle) {
        let Some(h) = handle_of(h) else { return };
        let gone = {
            let mut guard = self.tls().state.lock();
            let Some(st) = Option::as_mut(&mut *guard) else {
                return;
            };
            if st.table.del(h).is_err() {
                return;
            }
            st.engines.get_mut(h.slot()).and_then(Option::take)
        };
        // The key is wiped and freed outside the lock.
        drop(gone);
        self.tls().stats.del.add(1, Relaxed);
    }

    /// `tls_dev_resync`: the record at `seq` is number `rcd_sn`; revalidates the connection
    /// unless what invalidated it is still in force (the core asks again at its next record).
    pub(super) fn tls_resync(&self, h: ktls::Handle, seq: u32, rcd_sn: &[u8; 8]) -> Result {
        let h = handle_of(h).ok_or(EINVAL)?;
        let mut guard = self.tls().state.lock();
        let st = Option::as_mut(&mut *guard).ok_or(EINVAL)?;
        st.table.resync(h).map_err(|_| EAGAIN)?;
        let e = st
            .engines
            .get_mut(h.slot())
            .and_then(Option::as_mut)
            .ok_or(EINVAL)?;
        e.framer.resync(seq, u64::from_be_bytes(*rcd_sn));
        drop(guard);
        self.tls().stats.resync.add(1, Relaxed);
        Ok(())
    }

    /// Transmits a packet of a connection offloaded to this device: through the engine if it
    /// continues the connection's stream, through the core's fallback otherwise.
    pub(super) fn xmit_tls(
        &self,
        skb: SkBuff,
        h: ktls::Handle,
        dev: &Device,
        xmit: &Xmit<'_>,
    ) -> TxResult {
        if self.tls_fault_pending() {
            // The engine failed: `ndo_work` withdraws the capability and reports it.
            dev.schedule_work(EVENT_HEALTH);
        }
        let Some(h) = handle_of(h) else {
            return self.xmit_fallback(skb, dev, xmit);
        };
        let mut skb = skb;
        let (seq, payload_off) = match (skb.tcp_seq(), skb.transport_offset(), skb.tcp_header_len())
        {
            (Ok(s), t, Ok(l)) if t > 0 => (s, t as u32 + l),
            _ => return self.xmit_fallback(skb, dev, xmit),
        };
        // A packet without payload (an ACK, a FIN) has nothing to encrypt; one whose checksum
        // the stack computed over the plaintext goes to the fallback, which redoes it.
        if payload_off >= skb.len() || skb.checksum() != Checksum::Partial {
            return if payload_off >= skb.len() {
                self.xmit_plain(skb, dev, xmit)
            } else {
                self.xmit_fallback(skb, dev, xmit)
            };
        }
        let mut plan = match Self::plan(&mut skb) {
            Ok(p) => p,
            Err(_) => {
                self.stats.tx_dropped.add(1, Relaxed);
                skb.drop_reason(DropReason::PktTooSmall);
                return TxResult::Ok;
            }
        };
        // The plan may have checksummed the packet in software (a protocol the hardware
        // does not parse): that sum covers the plaintext, and only the fallback redoes it.
        if !plan.opts.l4_csum {
            return self.xmit_fallback(skb, dev, xmit);
        }
        // Where the socket's route sends its packets: compared with the path's next hop
        // under the lock.
        let hop = skb.socket_hop();
        let q = xmit.queue();
        let len = skb.len();
        let wire = plan.wire_bytes;
        let needed = TxRing::descs_for_len(len) + u32::from(plan.context.is_some());
        let verdict;
        let tail = {
            let mut guard = self.tx.lock();
            let Some(ring) = Option::as_mut(&mut *guard) else {
                drop(guard);
                skb.drop_reason(DropReason::DevReady);
                return TxResult::Ok;
            };
            let region = if ring.free() < needed {
                None
            } else {
                ring.arena.alloc(len as usize)
            };
            let Some(region) = region else {
                // The ring or the arena is full: both empty as packets complete, and the
                // queue is woken then.
                q.stop();
                self.stats.tx_stop.add(1, Relaxed);
                let tail = ring.tail();
                drop(guard);
                self.tx_doorbell(tail);
                return TxResult::Busy(skb);
            };
            let filled = ring.arena.bytes_mut(&region).and_then(|buf| {
                skb.copy_bits(0, buf)?;
                let mut tls = self.tls().state.lock();
                let st = Option::as_mut(&mut *tls).ok_or(EINVAL)?;
                if let Some(hop) = &hop {
                    st.follow_route(h, hop, || skb.socket_neighbour(), &self.tls().stats);
                }
                let payload = buf.get_mut(payload_off as usize..).ok_or(EINVAL)?;
                Ok(st.transmit(h, seq, payload, &self.tls().stats))
            });
            verdict = match filled {
                Ok(v) => v,
                Err(_) => Verdict::Fallback { resync: false },
            };
            let Verdict::Encrypted(done) = verdict else {
                let _ = ring.arena.unalloc(region);
                drop(guard);
                return self.tls_not_encrypted(skb, h, verdict, dev, xmit);
            };
            plan.opts.tstamp = self.tsync.tx_request(&mut skb);
            if let Err((skb, region, _)) =
                ring.push_arena(skb, region, plan.context, plan.opts, plan.segs, wire)
            {
                let _ = ring.arena.unalloc(region);
                let tail = ring.tail();
                drop(guard);
                self.tx_doorbell(tail);
                self.stats.tx_dropped.add(1, Relaxed);
                if plan.opts.tstamp {
                    self.tsync.cancel_tx();
                }
                skb.drop_reason(DropReason::Nomem);
                return TxResult::Ok;
            }
            self.tls().stats.enc_packets.add(1, Relaxed);
            self.tls()
                .stats
                .enc_bytes
                .add(u64::from(done.payload), Relaxed);
            if ring.free() < TX_MAX_PER_PACKET {
                q.stop();
                self.stats.tx_stop.add(1, Relaxed);
            }
            ring.tail()
        };
        self.xmit_accounted(&plan, wire, dev);
        if xmit.sent(wire, Device::xmit_more()) {
            self.tx_doorbell(tail);
        }
        TxResult::Ok
    }

    /// A packet the engine did not encrypt: the fallback's, or dropped.
    fn tls_not_encrypted(
        &self,
        skb: SkBuff,
        h: Handle,
        verdict: Verdict,
        dev: &Device,
        xmit: &Xmit<'_>,
    ) -> TxResult {
        self.tls().stats.ooo.add(1, Relaxed);
        let (resync, drop) = match verdict {
            Verdict::Drop { resync } => (resync, true),
            Verdict::Fallback { resync } => (resync, false),
            Verdict::Encrypted(_) => (false, false),
        };
        if resync {
            if skb.tls_resync_request(dev) {
                self.tls().stats.resync_req.add(1, Relaxed);
            } else if let Some(st) = Option::as_mut(&mut *self.tls().state.lock()) {
                st.table.resync_not_sent(h);
            }
        }
        if drop {
            self.tls().stats.drop_no_sync.add(1, Relaxed);
            self.stats.tx_dropped.add(1, Relaxed);
            skb.drop_reason(DropReason::NotSpecified);
            return TxResult::Ok;
        }
        self.xmit_fallback(skb, dev, xmit)
    }

    /// Encrypts `skb` with the core's fallback and sends the result as a plain packet.
    fn xmit_fallback(&self, skb: SkBuff, dev: &Device, xmit: &Xmit<'_>) -> TxResult {
        match skb.tls_encrypt() {
            Some(skb) => {
                self.tls().stats.fallback.add(1, Relaxed);
                self.xmit_plain(skb, dev, xmit)
            }
            None => {
                // Freed by the fallback, as a drop.
                self.tls().stats.drop_no_sync.add(1, Relaxed);
                self.stats.tx_dropped.add(1, Relaxed);
                TxResult::Ok
            }
        }
    }
}

impl TlsOffload {
    /// Runs `f` on the table, made first if no connection made it yet.
    fn with_state<R>(&self, f: impl FnOnce(&mut TlsState) -> R) -> Result<R> {
        let mut fresh = if self.state.lock().is_none() {
            Some(TlsState::new()?)
        } else {
            None
        };
        let mut guard = self.state.lock();
        if guard.is_none() {
            *guard = fresh.take();
        }
        let r = Option::as_mut(&mut *guard).map(f).ok_or(ENOMEM);
        drop(guard);
        drop(fresh);
        r
    }

    /// Connections in the table.
    fn occupancy(&self) -> u64 {
        Option::as_ref(&*self.state.lock()).map_or(0, |st| st.table.occupancy() as u64)
    }
}

/// What the health dump shows of one connection, copied out of the table under its lock.
#[derive(Clone, Copy)]
struct DumpEntry {
    handle: u32,
    state: ConnState,
    resync_pending: bool,
    path: tls_table::Path,
    neigh: Neigh,
}

fn state_name(s: ConnState) -> &'static CStr {
    match s {
        ConnState::Offloaded => c"offloaded",
        ConnState::Invalid(Reason::Neighbour) => c"invalid: neighbour",
        ConnState::Invalid(Reason::Gap) => c"invalid: gap",
        ConnState::Invalid(Reason::BadRecord) => c"invalid: bad record",
        ConnState::Invalid(Reason::EngineFault) => c"invalid: engine fault",
    }
}

/// An address of `family` (4 or 6) as text.
fn addr_text(family: u8, a: &[u8; 16]) -> Result<CString> {
    if family == 4 {
        CString::try_from_fmt(fmt!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))
    } else {
        let w = |i: usize| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]);
        CString::try_from_fmt(fmt!(
            "{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
            w(0),
            w(1),
            w(2),
            w(3),
            w(4),
            w(5),
            w(6),
            w(7)
        ))
    }
}

fn mac_text(m: &[u8; 6]) -> Result<CString> {
    CString::try_from_fmt(fmt!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        m[5]
    ))
}

/// Id of the `tls_tx_contexts` devlink resource.
const RESOURCE_CONTEXTS: u64 = 1;

#[vtable]
impl devlink::Driver for TlsOffload {
    const RESOURCES: &'static [devlink::Resource<Self>] = &[devlink::Resource {
        name: c"tls_tx_contexts",
        id: RESOURCE_CONTEXTS,
        size: MAX_CONNS as u64,
        occupancy: TlsOffload::occupancy,
    }];

    const HEALTH: Option<&'static CStr> = Some(c"tls_engine");

    fn info(this: &Self, info: &mut devlink::Info<'_>) -> Result {
        let s = &this.serial;
        let sn = CString::try_from_fmt(fmt!(
            "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            s[0],
            s[1],
            s[2],
            s[3],
            s[4],
            s[5]
        ))?;
        info.serial(&sn)?;
        info.fixed(c"asic.id", c"82574L")?;
        info.running(c"tls.engine", c"software AES-GCM")
    }

    /// Connections per state, paths and neighbours in use, and the engine's state.
    fn health_diagnose(this: &Self, f: &mut devlink::Fmsg<'_>) -> Result {
        let (census, faulted) = match Option::as_ref(&*this.state.lock()) {
            Some(st) => (st.table.census(), st.table.is_faulted()),
            None => (tls_table::Census::default(), false),
        };
        // Memory: per context, its key and cipher state (a heap allocation at `tls_dev_add`)
        // and its share of the table and engine slots, which are allocated once, with the
        // first connection or fault.
        let slots = core::mem::size_of::<Table<MAX_CONNS>>()
            + MAX_CONNS * core::mem::size_of::<Option<Engine>>();
        let per_context = core::mem::size_of::<AesGcm>() + slots / MAX_CONNS;
        f.str(c"engine", if faulted { c"faulted" } else { c"ok" })
            .u64(c"capacity", MAX_CONNS as u64)
            .u64(c"offloaded", u64::from(census.offloaded))
            .u64(c"invalid", u64::from(census.invalid))
            .u64(c"paths", u64::from(census.paths))
            .u64(c"neighbours", u64::from(census.neighs))
            .u64(c"context_bytes", per_context as u64)
            .u64(c"table_bytes", slots as u64)
            .u64(
                c"last_fault_invalidated",
                this.last_invalidated.load(Relaxed),
            )
            .u64(c"last_fault_ns", this.last_invalidate_ns.load(Relaxed));
        Ok(())
    }

    /// The state tree: every connection with its path and next hop.
    fn health_dump(this: &Self, f: &mut devlink::Fmsg<'_>) -> Result {
        let mut entries: KVec<DumpEntry> = KVec::with_capacity(MAX_CONNS, GFP_KERNEL)?;
        {
            let guard = this.state.lock();
            if let Some(st) = Option::as_ref(&*guard) {
                for (h, c) in st.table.conns() {
                    if let Some((p, n)) = st.table.route(h) {
                        // Within the capacity reserved above: no allocation under the lock.
                        let _ = entries.push_within_capacity(DumpEntry {
                            handle: h.pack(),
                            state: c.state,
                            resync_pending: c.resync_pending,
                            path: *p,
                            neigh: *n,
                        });
                    }
                }
            }
        }
        let mut texts: KVec<[CString; 4]> = KVec::with_capacity(entries.len(), GFP_KERNEL)?;
        for e in entries.iter() {
            texts.push(
                [
                    addr_text(e.path.family, &e.path.src)?,
                    addr_text(e.path.family, &e.path.dst)?,
                    addr_text(e.neigh.family, &e.neigh.addr)?,
                    mac_text(&e.neigh.lladdr)?,
                ],
                GFP_KERNEL,
            )?;
        }
        f.array(c"connections", |f| {
            for (e, t) in entries.iter().zip(texts.iter()) {
                f.object(|f| {
                    f.u64(c"handle", u64::from(e.handle))
                        .str(c"state", state_name(e.state))
                        .u64(c"resync_pending", u64::from(e.resync_pending))
                        .str(c"src", &t[0])
                        .str(c"dst", &t[1])
                        .u64(c"mss", u64::from(e.path.mss))
                        .str(c"next_hop", &t[2])
                        .str(c"lladdr", &t[3])
                        .str(
                            c"nud",
                            if e.neigh.state == NudState::Valid {
                                c"valid"
                            } else {
                                c"failed"
                            },
                        );
                });
            }
        });
        Ok(())
    }

    /// Recovery: the engine is checked again and takes new connections; those it held
    /// revalidate at their next resync (each asks for one on its next packet).
    fn health_recover(this: &Self) -> Result {
        this.with_state(|st| st.table.recover())?;
        this.recovered.store(true, Relaxed);
        Ok(())
    }

    /// Fault injection: the engine fails as a hardware engine could. Every connection is
    /// invalidated at once and its engine state forgotten; its traffic goes through the
    /// fallback. The driver then withdraws `tls-hw-tx-offload` and reports the fault (its
    /// next `ndo_work`: within the 2 s watchdog period, sooner if packets come).
    fn health_test(this: &Self) -> Result {
        let (n, ns) = this.with_state(|st| {
            let t = Instant::<Monotonic>::now();
            for e in st.engines.iter_mut().flatten() {
                e.framer.desync();
            }
            let n = st.table.fault();
            (n, t.elapsed().as_nanos())
        })?;
        this.stats.invalidated.add(u64::from(n), Relaxed);
        this.last_invalidated.store(u64::from(n), Relaxed);
        this.last_invalidate_ns
            .store(u64::try_from(ns).unwrap_or(0), Relaxed);
        this.fault_pending.store(true, Relaxed);
        Ok(())
    }
}

impl<'a> NetPriv<'a> {
    /// Acts on the TLS engine's health (from `ndo_work`): a fault withdraws
    /// `tls-hw-tx-offload` from the hardware capabilities (a `FEATURES_NTF`) and is reported
    /// to devlink health; a recovery restores the capability.
    pub(super) fn tls_health(&self, dev: &Device, rtnl: &Rtnl) {
        let t = self.tls();
        if t.fault_pending.xchg(false, Relaxed) {
            dev_err!(
                self.pdev.as_ref(),
                "{}: TLS engine fault: offloaded connections invalidated, tls-hw-tx-offload withdrawn until recovered (devlink health)\n",
                dev.name()
            );
            self.set_conditions(Conditions::FAULT_TLS, true, rtnl);
            self.apply_conditions(dev, rtnl);
            // With auto-recovery on, the recovery runs inside the report.
            let _ = self.tls.devlink.health_report(c"TLS engine fault");
        }
        let faulted = Option::as_ref(&*t.state.lock()).is_some_and(|st| st.table.is_faulted());
        if t.recovered.xchg(false, Relaxed) && !faulted {
            dev_info!(
                self.pdev.as_ref(),
                "{}: TLS engine recovered, tls-hw-tx-offload restored\n",
                dev.name()
            );
            self.set_conditions(Conditions::FAULT_TLS, false, rtnl);
            self.apply_conditions(dev, rtnl);
        }
    }

    /// Whether an engine fault waits for `ndo_work`.
    pub(super) fn tls_fault_pending(&self) -> bool {
        self.tls().fault_pending.load(Relaxed)
    }
}

impl neigh::Handler for TlsOffload {
    /// A next hop of the table changed: a new link-layer address is taken in place, a
    /// neighbour that failed or went away invalidates the connections through it (they go
    /// through the fallback, and revalidate at a resync once it is usable again). The
    /// table's neighbours are those of the interfaces its routes go out of: this port's, or
    /// those of a bond it belongs to; an event of any other interface finds nothing.
    fn neigh_update(&self, ev: &NeighEvent) {
        // No connection, no next hop: the event is none of the table's.
        if self.stats.ctx.load(Relaxed) == self.stats.del.load(Relaxed) {
            return;
        }
        let n = Neigh {
            link: ev.device().as_pair(),
            family: ev.family,
            addr: ev.addr,
            lladdr: ev.lladdr,
            state: if ev.valid {
                NudState::Valid
            } else {
                NudState::Failed
            },
        };
        let hit = Option::as_mut(&mut *self.state.lock()).and_then(|st| st.table.neigh_update(n));
        if let Some(k) = hit {
            self.stats.neigh_update.add(1, Relaxed);
            self.stats.invalidated.add(u64::from(k), Relaxed);
        }
    }
}

impl<'a> NetPriv<'a> {
    /// The MTU changed: every path's MSS follows.
    pub(crate) fn tls_mtu_changed(&self, mtu: u32) {
        // IPv4 and IPv6 headers without options, and the TCP header.
        let (v4, v6) = (mtu.saturating_sub(40), mtu.saturating_sub(60));
        if let Some(st) = Option::as_mut(&mut *self.tls().state.lock()) {
            st.table.mtu_changed(v4, v6);
        }
    }
}
