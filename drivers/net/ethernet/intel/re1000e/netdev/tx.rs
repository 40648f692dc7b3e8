// SPDX-License-Identifier: GPL-2.0

//! The transmit path: header parsing into a plan (offload context, TSO), queueing on the
//! ring, the doorbell, and completion cleaning with byte queue limits.

use super::*;

impl<'a> NetPriv<'a> {
    pub(super) fn xmit(&self, skb: SkBuff, dev: &Device, xmit: &Xmit<'_>) -> TxResult {
        // A packet of a kTLS connection offloaded to this device, in plaintext: the engine's.
        #[cfg(CONFIG_RE1000E_TLS)]
        if let Some(h) = skb.tls_tx_handle(dev) {
            return self.xmit_tls(skb, h, dev, xmit);
        }
        self.xmit_plain(skb, dev, xmit)
    }

    /// Transmits a packet as it is: mapped, its buffers straight into the ring.
    pub(super) fn xmit_plain(&self, skb: SkBuff, dev: &Device, xmit: &Xmit<'_>) -> TxResult {
        let q = xmit.queue();
        // Parsing the headers needs no ring: it is done before the ring lock is taken, which
        // `clean_tx` in NAPI needs too. The buffers are mapped under it, straight into the
        // ring's slots: no allocation per packet.
        let mut skb = skb;
        let mut plan = match Self::plan(&mut skb) {
            Ok(p) => p,
            Err(_) => {
                self.stats.tx_dropped.add(1, Relaxed);
                skb.drop_reason(DropReason::PktTooSmall);
                return TxResult::Ok;
            }
        };
        let needed = TxRing::descs_for(&skb) + u32::from(plan.context.is_some());
        let len = plan.wire_bytes;
        let tail = {
            let mut guard = self.tx.lock();
            let Some(ring) = Option::as_mut(&mut *guard) else {
                drop(guard);
                skb.drop_reason(DropReason::DevReady);
                return TxResult::Ok;
            };
            // On both early returns below the packets queued so far (an `xmit_more` batch
            // this one was to end) still get their doorbell.
            if ring.free() < needed {
                // The queue is stopped while fewer than TX_MAX_PER_PACKET descriptors are
                // free, so this takes more, larger fragments than that allows for.
                q.stop();
                self.stats.tx_stop.add(1, Relaxed);
                let tail = ring.tail();
                drop(guard);
                self.tx_doorbell(tail);
                return TxResult::Busy(skb);
            }
            plan.opts.tstamp = self.tsync.tx_request(&mut skb);
            if let Err((skb, _)) = ring.push(skb, plan.context, plan.opts, plan.segs, len) {
                let tail = ring.tail();
                drop(guard);
                self.tx_doorbell(tail);
                self.stats.tx_dropped.add(1, Relaxed);
                // The timestamp's reference goes first: the packet is then freed as a drop.
                if plan.opts.tstamp {
                    self.tsync.cancel_tx();
                }
                skb.drop_reason(DropReason::Nomem);
                return TxResult::Ok;
            }
            // Stopped before the doorbell decision: a batch (`xmit_more`) cut short by a
            // full ring still reaches the hardware.
            if ring.free() < TX_MAX_PER_PACKET {
                q.stop();
                self.stats.tx_stop.add(1, Relaxed);
            }
            ring.tail()
        };
        self.xmit_accounted(&plan, len, dev);
        // The doorbell is rung outside the ring lock: `ndo_start_xmit` runs under the queue's
        // xmit lock, so no other transmit moves the tail meanwhile, and `down` disables the
        // queue (taking that lock) before the ring goes. An MMIO write can be slow (a trap
        // under virtualization, where the device may send the frame there and then), and
        // `clean_tx` on another CPU must not spin for it.
        if xmit.sent(len, Device::xmit_more()) {
            self.tx_doorbell(tail);
        }
        TxResult::Ok
    }

    /// Counts a queued packet's offloads and schedules its hardware timestamp's collection.
    pub(super) fn xmit_accounted(&self, plan: &TxPlan, len: u32, dev: &Device) {
        if plan.opts.l4_csum {
            self.stats.tx_csum.add(1, Relaxed);
        }
        if plan.opts.tso {
            self.stats.tx_tso_packets.add(1, Relaxed);
            self.stats.tx_tso_bytes.add(u64::from(len), Relaxed);
        }
        if plan.opts.tstamp {
            if let Some(c) = dev.ptp_clock() {
                c.schedule_aux_work(0);
            }
        }
    }

    /// Works out the offloads of `skb`: checksum insertion for `CHECKSUM_PARTIAL`
    /// packets the hardware understands (IPv4/IPv6 TCP/UDP; others get a software checksum),
    /// TSO for GSO packets (headers rewritten for the hardware), and the VLAN tag.
    pub(super) fn plan(skb: &mut SkBuff) -> Result<TxPlan> {
        let mut opts = desc::DataOpts {
            vlan: skb.vlan_tag(),
            ..Default::default()
        };
        let mut plan = TxPlan {
            context: None,
            opts,
            segs: 1,
            wire_bytes: skb.len(),
        };
        if skb.checksum() != Checksum::Partial {
            return Ok(plan);
        }
        let proto = skb.vlan_protocol();
        let l4 = match skb.csum_offset() {
            16 => Some(desc::L4::Tcp),
            6 => Some(desc::L4::Udp),
            _ => None,
        };
        let (Some(l4), true) = (l4, proto == ETH_P_IP || proto == ETH_P_IPV6) else {
            skb.checksum_help()?;
            return Ok(plan);
        };
        let layout = desc::Layout {
            ipv4: proto == ETH_P_IP,
            network_offset: u32::try_from(skb.network_offset())?,
            transport_offset: u32::try_from(skb.csum_start_offset())?,
            csum_offset: u32::from(skb.csum_offset()),
            l4,
        };
        let tso = if skb.is_gso() {
            let header_len = layout.transport_offset + skb.tcp_header_len()?;
            let t = desc::Tso {
                mss: u32::from(skb.gso_size()),
                header_len,
                total_len: skb.len(),
            };
            csum::tso_prepare(skb.headers_mut(header_len)?, &layout).map_err(|_| EINVAL)?;
            let segs = u32::from(skb.gso_segs()).max(1);
            plan.segs = segs;
            plan.wire_bytes = skb.len() + (segs - 1) * header_len;
            Some(t)
        } else {
            None
        };
        plan.context = Some(desc::context(&layout, tso.as_ref()).map_err(|_| EINVAL)?);
        opts.l4_csum = true;
        opts.tso = tso.is_some();
        // With TSO the hardware rewrites the IPv4 header of each segment, so it must redo its
        // checksum; otherwise the stack already computed it.
        opts.ip_csum = tso.is_some() && layout.ipv4;
        plan.opts = opts;
        Ok(plan)
    }

    /// Tells the device that the transmit ring is filled up to `tail` (TDT).
    pub(super) fn tx_doorbell(&self, tail: u32) {
        // CAST: ring indices are below the largest ring, 4096 descriptors.
        self.bar
            .write_reg(regs::TDT::zeroed().with_tail(tail as u16));
    }

    pub(super) fn clean_tx(&self, dev: &Device, poll: &Poll<'_>) {
        let Some(q) = dev.tx_queue(0) else { return };
        let mut guard = self.tx.lock();
        let Some(ring) = Option::as_mut(&mut *guard) else {
            return;
        };
        let done = ring.clean(Some(poll));
        Self::account(&self.itr_tx, poll, done.packets, done.bytes);
        if done.packets > 0 {
            // Refused only from another instance's poll or for more than was sent: `up`
            // gave the queue to this instance, and the ring completes what it was given.
            let _ = q.completed(poll, done.packets, done.bytes);
            self.stats.tx_packets.add(u64::from(done.packets), Relaxed);
            self.stats.tx_bytes.add(u64::from(done.bytes), Relaxed);
        }
        if q.is_stopped() && ring.free() >= TX_WAKE_THRESHOLD && dev.carrier_ok() {
            q.wake();
            self.stats.tx_wake.add(1, Relaxed);
        }
    }
}
