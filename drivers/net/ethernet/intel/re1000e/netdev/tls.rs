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

use kernel::net::tls::{
    self as ktls,
    AesGcm,
    CryptoInfo,
    Direction,
    Socket, //
};

/// `ethtool -S` names of [`TlsCounters`], in [`TlsCounters::values`] order.
pub(crate) const TLS_STATS: [&CStr; 10] = [
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

/// The table and, slot for slot, the engines of its connections.
pub(crate) struct TlsState {
    table: KBox<Table<MAX_CONNS>>,
    engines: KVec<Option<Engine>>,
}

/// What the engine decided for a packet of an offloaded connection.
pub(super) enum Verdict {
    /// Encrypted in place.
    Encrypted(Processed),
    /// For the software fallback; `resync`: ask the core for one (got, expected).
    Fallback { resync: Option<(u32, u32)> },
    /// A record the engine could not parse: drop the packet; ask for a resync.
    Drop { resync: Option<(u32, u32)> },
}

impl TlsState {
    fn new() -> Result<Self> {
        let mut engines = KVec::with_capacity(MAX_CONNS, GFP_KERNEL)?;
        for _ in 0..MAX_CONNS {
            engines.push(None, GFP_KERNEL)?;
        }
        Ok(TlsState {
            table: KBox::new(Table::new(MAX_CONNS), GFP_KERNEL)?,
            engines,
        })
    }

    /// Asks for a resync of `h` unless one is pending; the pair to pass to the core.
    fn want_resync(&mut self, h: Handle, got: u32, exp: u32) -> Option<(u32, u32)> {
        match self.table.request_resync(h) {
            Ok(true) => Some((got, exp)),
            _ => None,
        }
    }

    /// Runs the engine of connection `h` over a packet whose TCP payload `payload` starts at
    /// sequence `seq`: encrypted in place if it continues the stream, otherwise the
    /// fallback's, with the engine's state kept (or invalidated) as the module doc says.
    pub(super) fn transmit(&mut self, h: Handle, seq: u32, payload: &mut [u8]) -> Verdict {
        let Some(conn) = self.table.conn(h).copied() else {
            return Verdict::Fallback { resync: None };
        };
        let Some(Some(e)) = self.engines.get_mut(h.slot()) else {
            return Verdict::Fallback { resync: None };
        };
        // CAST: a packet's payload is below 64 KiB.
        let len = payload.len() as u32;
        let next = e.framer.next_seq();
        if conn.state != ConnState::Offloaded || !e.framer.is_synced() {
            return Verdict::Fallback {
                resync: self.want_resync(h, seq, next),
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
                    let _ = self.table.invalidate(h, Reason::BadRecord);
                    Verdict::Drop {
                        resync: self.want_resync(h, seq, next),
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
                        let _ = self.table.invalidate(h, Reason::BadRecord);
                        return Verdict::Fallback {
                            resync: self.want_resync(h, seq, next),
                        };
                    }
                }
                Verdict::Fallback { resync: None }
            }
            Err(_) => {
                // Bytes the engine never saw: it cannot bridge them.
                e.framer.desync();
                let _ = self.table.invalidate(h, Reason::Gap);
                Verdict::Fallback {
                    resync: self.want_resync(h, seq, next),
                }
            }
        }
    }
}

/// The table's handle in the TLS context's driver state.
fn handle_of(h: ktls::Handle) -> Option<Handle> {
    u32::try_from(h.0).ok().map(Handle::unpack)
}

impl<'a> NetPriv<'a> {
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
            Ok(_) => self.tls_stats.ctx.add(1, Relaxed),
            Err(_) => self.tls_stats.refused.add(1, Relaxed),
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
            family: route.family,
            addr: route.next_hop,
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
        // The table is made with the first connection, outside the lock.
        let mut fresh = if self.tls.lock().is_none() {
            Some(TlsState::new()?)
        } else {
            None
        };
        let mut guard = self.tls.lock();
        if guard.is_none() {
            *guard = fresh.take();
        }
        let st = Option::as_mut(&mut *guard).ok_or(ENOMEM)?;
        let h = st
            .table
            .add(neigh, route.src, route.dst, route.mss)
            .map_err(|e| match e {
                TableError::Full => ENOSPC,
                _ => EBUSY,
            })?;
        match st.engines.get_mut(h.slot()) {
            Some(slot) => *slot = Some(engine),
            None => {
                let _ = st.table.del(h);
                return Err(EINVAL);
            }
        }
        drop(guard);
        drop(fresh);
        Ok(ktls::Handle(u64::from(h.pack())))
    }

    /// `tls_dev_del`: the connection leaves the table (with whatever path and neighbour only
    /// it used). Never takes the RTNL.
    pub(super) fn tls_del(&self, h: ktls::Handle) {
        let Some(h) = handle_of(h) else { return };
        let gone = {
            let mut guard = self.tls.lock();
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
        self.tls_stats.del.add(1, Relaxed);
    }

    /// `tls_dev_resync`: the record at `seq` is number `rcd_sn`; revalidates the connection
    /// unless what invalidated it is still in force (the core asks again at its next record).
    pub(super) fn tls_resync(&self, h: ktls::Handle, seq: u32, rcd_sn: &[u8; 8]) -> Result {
        let h = handle_of(h).ok_or(EINVAL)?;
        let mut guard = self.tls.lock();
        let st = Option::as_mut(&mut *guard).ok_or(EINVAL)?;
        st.table.resync(h).map_err(|_| EAGAIN)?;
        let e = st
            .engines
            .get_mut(h.slot())
            .and_then(Option::as_mut)
            .ok_or(EINVAL)?;
        e.framer.resync(seq, u64::from_be_bytes(*rcd_sn));
        drop(guard);
        self.tls_stats.resync.add(1, Relaxed);
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
                let mut tls = self.tls.lock();
                let st = Option::as_mut(&mut *tls).ok_or(EINVAL)?;
                let payload = buf.get_mut(payload_off as usize..).ok_or(EINVAL)?;
                Ok(st.transmit(h, seq, payload))
            });
            verdict = match filled {
                Ok(v) => v,
                Err(_) => Verdict::Fallback { resync: None },
            };
            let Verdict::Encrypted(done) = verdict else {
                let _ = ring.arena.unalloc(region);
                drop(guard);
                return self.tls_not_encrypted(skb, verdict, dev, xmit);
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
            self.tls_stats.enc_packets.add(1, Relaxed);
            self.tls_stats
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
        verdict: Verdict,
        dev: &Device,
        xmit: &Xmit<'_>,
    ) -> TxResult {
        self.tls_stats.ooo.add(1, Relaxed);
        let (resync, drop) = match verdict {
            Verdict::Drop { resync } => (resync, true),
            Verdict::Fallback { resync } => (resync, false),
            Verdict::Encrypted(_) => (None, false),
        };
        if let Some((got, exp)) = resync {
            if skb.tls_resync_request(got, exp) {
                self.tls_stats.resync_req.add(1, Relaxed);
            }
        }
        if drop {
            self.tls_stats.drop_no_sync.add(1, Relaxed);
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
                self.tls_stats.fallback.add(1, Relaxed);
                self.xmit_plain(skb, dev, xmit)
            }
            None => {
                // Freed by the fallback, as a drop.
                self.tls_stats.drop_no_sync.add(1, Relaxed);
                self.stats.tx_dropped.add(1, Relaxed);
                TxResult::Ok
            }
        }
    }
}
