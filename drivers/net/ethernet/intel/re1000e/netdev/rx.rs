// SPDX-License-Identifier: GPL-2.0

//! The receive path: frames from the ring to GRO, with checksum, hash, VLAN tag and
//! timestamp, and the receive checksum engine watch.

use super::*;

impl<'a> NetPriv<'a> {
    /// Whether an untagged (or tag-stripped) received frame carries IPv4.
    pub(super) fn is_ipv4(skb: &SkBuff) -> bool {
        matches!(skb.head_data().get(12..14), Some(t) if t == ETH_P_IP.to_be_bytes())
    }

    /// Receive checksum engine watch: every IPv4 frame gets an IPv4 checksum verdict while
    /// RXCSUM.IPOFLD is on. A run of frames without one is evidence the engine stopped;
    /// `ndo_work` then checks its registers.
    pub(super) fn watch_rx_csum(&self, dev: &Device, checked: bool) {
        if checked {
            self.rx_csum_misses.store(0, Relaxed);
        } else if self.rx_csum_misses.fetch_add(1, Relaxed) + 1 == RX_CSUM_MISSES {
            dev.schedule_work(EVENT_HEALTH);
        }
    }

    /// Receives up to the budget and refills the ring. Returns `true` when a page allocation
    /// failed and the ring is short of buffers: the caller keeps polling, since a ring the
    /// hardware has run dry raises no interrupt and nothing else would refill it.
    pub(super) fn receive(&self, dev: &Device, poll: &Poll<'_>, budget: &mut Budget) -> bool {
        let mut guard = self.rx.lock();
        let Some(ring) = Option::as_mut(&mut *guard) else {
            return false;
        };
        let features = dev.features();
        let rxcsum = features.contains(Features::RXCSUM);
        let rxall = features.contains(Features::RXALL);
        let rxhash = features.contains(Features::RXHASH);
        // Counted here and added to the shared counters once per poll: an atomic update per
        // frame costs more than the rest of the bookkeeping.
        let (mut packets, mut bytes, mut csum_ok) = (0u32, 0u32, 0u32);
        while budget.remaining() > 0 {
            let Some(frame) = ring.next(rxhash, rxall, Some(poll)) else {
                break;
            };
            budget.take();
            let Ok(frame) = frame else {
                self.stats.rx_errors.add(1, Relaxed);
                continue;
            };
            let mut skb = frame.skb;
            let (len, ipv4) = (skb.len(), Self::is_ipv4(&skb));
            // Sets the protocol and pulls the Ethernet header; a runt (less than a header in
            // the packet's head) is refused.
            if skb.eth_type_trans(dev).is_err() {
                self.stats.rx_dropped.add(1, Relaxed);
                skb.drop_reason(DropReason::PktTooSmall);
                continue;
            }
            if rxcsum && frame.info.csum == desc::RxCsum::Good {
                skb.set_checksum_unnecessary();
                csum_ok += 1;
            }
            if rxcsum && ipv4 {
                self.watch_rx_csum(dev, frame.info.ip_checked);
            }
            if let Some((hash, l4)) = frame.info.hash {
                skb.set_hash(hash, l4);
            }
            if let Some(tci) = frame.info.vlan {
                skb.put_vlan_tag(tci);
            }
            self.tsync
                .rx_stamp(&self.bar, frame.info.timestamped, &mut skb);
            packets += 1;
            bytes = bytes.wrapping_add(len);
            skb.record_rx_queue(0);
            skb.gro_receive(poll);
        }
        Self::account(&self.itr_rx, poll, packets, bytes);
        if packets > 0 {
            self.stats.rx_packets.add(u64::from(packets), Relaxed);
            // A poll takes at most its budget of frames, each under 64 KiB: no wrap.
            self.stats.rx_bytes.add(u64::from(bytes), Relaxed);
        }
        if csum_ok > 0 {
            self.stats.rx_csum_ok.add(u64::from(csum_ok), Relaxed);
        }
        let (tail, short) = ring.refill(false);
        if short {
            self.stats.rx_alloc_fail.add(1, Relaxed);
        }
        if let Some(tail) = tail {
            self.bar
                .write_reg(regs::RDT::zeroed().with_tail(tail as u16));
        }
        short
    }
}
