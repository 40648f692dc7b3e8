// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`).
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h)
//!
//! [`SkBuff`] owns one reference to a packet and is move-only. Every C call that consumes
//! the packet or may free it (GRO receive, padding on error, consume, free with a drop reason,
//! handing it back with `NETDEV_TX_BUSY`) takes the `SkBuff` by value, so a freed packet can
//! never be touched again. Dropping an `SkBuff` frees it (`dev_kfree_skb_any`).

use crate::{
    bindings,
    device,
    dma::DmaAddress,
    error::to_result,
    net::{
        dev::{
            Device,
            DeviceId, //
        },
        dma::{
            map_raw,
            unmap_raw, //
        },
        napi::Poll,
        neigh::NextHop,
        page_pool::{
            self,
            RxBuffer, //
        },
    },
    prelude::*, //
};
use core::ptr::NonNull;

/// Checksum state of a packet (`skb->ip_summed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// No checksum information (`CHECKSUM_NONE`).
    None,
    /// Verified by the device (`CHECKSUM_UNNECESSARY`).
    Unnecessary,
    /// Full packet checksum in `skb->csum` (`CHECKSUM_COMPLETE`).
    Complete,
    /// Transmit: the device must insert the checksum at `csum_start + csum_offset`
    /// (`CHECKSUM_PARTIAL`).
    Partial,
}

/// Why a packet is dropped (`enum skb_drop_reason`), as shown by `perf`/`dropwatch`.
#[derive(Clone, Copy, Debug)]
#[repr(u32)]
pub enum DropReason {
    /// No specific reason.
    NotSpecified = bindings::skb_drop_reason_SKB_DROP_REASON_NOT_SPECIFIED,
    /// The device was going down or failed.
    DevReady = bindings::skb_drop_reason_SKB_DROP_REASON_DEV_READY,
    /// Mapping or building the packet for the device failed.
    Nomem = bindings::skb_drop_reason_SKB_DROP_REASON_NOMEM,
    /// The packet is malformed for this device.
    PktTooSmall = bindings::skb_drop_reason_SKB_DROP_REASON_PKT_TOO_SMALL,
    /// The device cannot transmit it (e.g. too big).
    PktTooBig = bindings::skb_drop_reason_SKB_DROP_REASON_PKT_TOO_BIG,
}

/// An owned `struct sk_buff`.
///
/// # Invariants
///
/// `ptr` is a valid `struct sk_buff` of which this value owns one reference.
pub struct SkBuff {
    ptr: NonNull<bindings::sk_buff>,
}

// SAFETY: an owned skb may be moved to and freed on any thread.
unsafe impl Send for SkBuff {}

/// Bytes at the end of a packet buffer taken by its `skb_shared_info`, as
/// [`SkBuff::build_from_page`] lays it out: `PAGE_SIZE - SKB_WITH_OVERHEAD(PAGE_SIZE)`. A
/// receive buffer holds a frame, its headroom and this.
pub fn shinfo_overhead() -> u32 {
    // SAFETY: plain arithmetic on constants.
    page_pool::PAGE_SIZE - unsafe { bindings::netdev_skb_with_overhead(page_pool::PAGE_SIZE) }
}

impl SkBuff {
    /// Takes ownership of `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid skb whose reference the caller hands over.
    pub unsafe fn from_raw(ptr: *mut bindings::sk_buff) -> Self {
        // INVARIANT: guaranteed by the caller.
        SkBuff {
            // SAFETY: a valid skb pointer is not NULL.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
        }
    }

    /// Allocates a linear packet with room for `size` bytes (`alloc_skb`), empty.
    pub fn alloc(size: u32, flags: crate::alloc::Flags) -> Result<SkBuff> {
        // SAFETY: plain allocation; NULL is checked below.
        let raw = unsafe { bindings::alloc_skb(size, flags.as_raw()) };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `raw` is a fresh skb we own.
        Ok(unsafe { SkBuff::from_raw(raw) })
    }

    /// Appends `data` to the linear part; fails without change if the tailroom is too small.
    pub fn put_data(&mut self, data: &[u8]) -> Result {
        let len = u32::try_from(data.len())?;
        // SAFETY: the skb is valid and exclusively ours.
        if unsafe { bindings::skb_tailroom(self.raw()) } < len {
            return Err(ENOSPC);
        }
        // SAFETY: there is room for `len` bytes, checked above; `data` is readable.
        unsafe { bindings::skb_put_data(self.raw(), data.as_ptr().cast(), len) };
        Ok(())
    }

    /// Gives up ownership without freeing, returning the raw pointer.
    pub fn into_raw(self) -> *mut bindings::sk_buff {
        let p = self.ptr.as_ptr();
        core::mem::forget(self);
        p
    }

    fn raw(&self) -> *mut bindings::sk_buff {
        self.ptr.as_ptr()
    }

    /// Total length in bytes (head and fragments).
    pub fn len(&self) -> u32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { (*self.raw()).len }
    }

    /// Memory the packet is charged for (`truesize`): what it counts against a socket's
    /// buffer.
    pub fn truesize(&self) -> u32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { (*self.raw()).truesize }
    }

    /// Returns `true` for an empty packet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Length of the linear (head) part.
    pub fn head_len(&self) -> u32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_headlen(self.raw()) }
    }

    /// The linear part of the packet.
    pub fn head_data(&self) -> &[u8] {
        // SAFETY: `data` points to `skb_headlen()` initialised bytes owned by the skb.
        unsafe { core::slice::from_raw_parts((*self.raw()).data, self.head_len() as usize) }
    }

    /// Number of page fragments.
    pub fn nr_frags(&self) -> u32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_nr_frags(self.raw()) }
    }

    /// Length of fragment `i`, or `None` if there is no such fragment.
    pub fn frag_len(&self, i: u32) -> Option<u32> {
        if i >= self.nr_frags() {
            return None;
        }
        // SAFETY: `i` is below `nr_frags`.
        Some(unsafe { bindings::skb_frag_size(bindings::skb_frag(self.raw(), i)) })
    }

    /// The link-layer protocol (`skb->protocol`), host order.
    pub fn protocol(&self) -> u16 {
        // SAFETY: by the type invariant the skb is valid.
        u16::from_be(unsafe { bindings::skb_protocol(self.raw()) })
    }

    /// The network protocol below any VLAN tags, host order.
    pub fn vlan_protocol(&self) -> u16 {
        // SAFETY: by the type invariant the skb is valid.
        u16::from_be(unsafe { bindings::skb_vlan_get_protocol(self.raw()) })
    }

    /// The checksum state.
    pub fn checksum(&self) -> Checksum {
        // SAFETY: by the type invariant the skb is valid.
        match unsafe { bindings::skb_ip_summed(self.raw()) } {
            bindings::CHECKSUM_UNNECESSARY => Checksum::Unnecessary,
            bindings::CHECKSUM_COMPLETE => Checksum::Complete,
            bindings::CHECKSUM_PARTIAL => Checksum::Partial,
            _ => Checksum::None,
        }
    }

    /// For [`Checksum::Partial`]: offset from the start of the packet where checksumming
    /// starts.
    pub fn csum_start_offset(&self) -> i32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_checksum_start_offset(self.raw()) }
    }

    /// For [`Checksum::Partial`]: offset of the checksum field from the checksum start.
    pub fn csum_offset(&self) -> u16 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_csum_offset(self.raw()) }
    }

    /// Offset of the network header from the start of the packet.
    pub fn network_offset(&self) -> i32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_network_offset(self.raw()) }
    }

    /// Offset of the transport header from the start of the packet.
    pub fn transport_offset(&self) -> i32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_transport_offset(self.raw()) }
    }

    /// Length of the TCP header at the transport header, including options.
    ///
    /// Fails with `EINVAL` if the packet has no transport header or no TCP header's worth
    /// of linear data there (the header is not read then).
    pub fn tcp_header_len(&self) -> Result<u32> {
        // SAFETY: by the type invariant the skb is valid; the helper reads the header only
        // after checking that it lies in the linear data.
        let len = unsafe { bindings::netdev_skb_tcp_hdrlen(self.raw()) };
        to_result(len)?;
        Ok(len as u32)
    }

    /// Returns `true` for a GSO (super-)packet.
    pub fn is_gso(&self) -> bool {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_is_gso(self.raw()) }
    }

    /// GSO segment payload size (MSS).
    pub fn gso_size(&self) -> u16 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_gso_size(self.raw()) }
    }

    /// GSO type bits (`SKB_GSO_*`).
    pub fn gso_type(&self) -> u32 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_gso_type(self.raw()) }
    }

    /// Number of segments a GSO packet becomes.
    pub fn gso_segs(&self) -> u16 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_gso_segs(self.raw()) }
    }

    /// The 802.1Q tag (TCI) to insert, if the stack left it to the device.
    pub fn vlan_tag(&self) -> Option<u16> {
        // SAFETY: by the type invariant the skb is valid.
        unsafe {
            if bindings::skb_vlan_tag_present(self.raw()) {
                Some(bindings::skb_vlan_tag_get(self.raw()))
            } else {
                None
            }
        }
    }

    /// The flow hash (`skb->hash`), if one was set.
    pub fn hash(&self) -> Option<u32> {
        // SAFETY: by the type invariant the skb is valid.
        let h = unsafe { bindings::skb_get_hash_raw(self.raw()) };
        if h == 0 {
            None
        } else {
            Some(h)
        }
    }

    /// The queue the stack chose for transmission.
    pub fn queue_mapping(&self) -> u16 {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_get_queue_mapping(self.raw()) }
    }

    /// Returns `true` if the packet belongs to a kTLS socket offloaded to `dev`'s TLS engine.
    pub fn is_tls_device_offloaded(&self) -> bool {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_tls_tx_device_offloaded(self.raw()) }
    }

    /// For a packet the TLS core hands `dev` to encrypt (its socket's transmit direction is
    /// offloaded to `dev`), the handle `dev`'s driver returned from
    /// [`Driver::tls_add`](super::dev::Driver::tls_add) for the connection. `None` for any
    /// other packet, including one of a socket offloaded to another device, which the core's
    /// software fallback has already encrypted.
    #[cfg(all(CONFIG_TLS = "y", CONFIG_TLS_DEVICE))]
    pub fn tls_tx_handle(&self, dev: &super::dev::Device) -> Option<super::tls::Handle> {
        let mut state = 0u64;
        // SAFETY: by the type invariant the skb is valid, `dev` is a valid device and
        // `state` is writable; the helper reads the socket's TLS context only after
        // checking that the socket is transmit-offloaded (the skb's reference keeps it).
        let ours = unsafe { bindings::netdev_tls_tx_state(self.raw(), dev.as_raw(), &mut state) };
        ours.then_some(super::tls::Handle(state))
    }

    /// Encrypts a packet of a transmit-offloaded kTLS socket with the TLS core's software
    /// fallback (`tls_encrypt_skb`): the packet that results, ready to send as it is, or
    /// `None` if the fallback failed (or the packet is not one of such a socket), in which
    /// case the packet was freed as a drop.
    #[cfg(all(CONFIG_TLS = "y", CONFIG_TLS_DEVICE))]
    pub fn tls_encrypt(self) -> Option<SkBuff> {
        // SAFETY: we own the reference and hand it to the helper, which consumes it (and
        // checks that the socket is transmit-offloaded before the fallback reads it).
        let raw = unsafe { bindings::netdev_tls_encrypt_skb(self.into_raw()) };
        // SAFETY: a non-NULL result is a packet whose reference we now own.
        (!raw.is_null()).then(|| unsafe { SkBuff::from_raw(raw) })
    }

    /// Asks the TLS core to resync the transmit offload of this packet's socket, offloaded
    /// to `dev`: the core answers with [`Driver::tls_resync`](super::dev::Driver::tls_resync)
    /// when it pushes its next record. Returns `false` (and does nothing) if a request is
    /// already pending or the packet is not of a socket offloaded to `dev`. (`got` and `exp`,
    /// the sequence numbers the device got and expected, are for the caller's logs.)
    #[cfg(all(CONFIG_TLS = "y", CONFIG_TLS_DEVICE))]
    pub fn tls_resync_request(&self, dev: &super::dev::Device) -> bool {
        // SAFETY: by the type invariant the skb is valid and `dev` is a valid device; the
        // helper checks the socket before it reads its TLS context.
        unsafe { bindings::netdev_tls_tx_resync_request(self.raw(), dev.as_raw()) }
    }

    /// Where the route of the packet's socket sends its packets now (the socket's cached
    /// route, which TCP keeps current: the device drops a packet's own route before it
    /// gets the packet): the next hop and the interface the route goes out of. `None` for
    /// a packet without a full IP socket, or a socket without a cached route.
    pub fn socket_hop(&self) -> Option<NextHop> {
        self.hop(false).map(|(h, _, _)| h)
    }

    /// [`SkBuff::socket_hop`] with the next hop's neighbour entry: its link-layer address
    /// (the first 6 bytes) and whether it is usable (`NUD_VALID`). `None` also when the
    /// next hop has no neighbour entry (none is made: this may run in any context, under
    /// any driver lock).
    pub fn socket_neighbour(&self) -> Option<(NextHop, [u8; 6], bool)> {
        self.hop(true)
    }

    fn hop(&self, neighbour: bool) -> Option<(NextHop, [u8; 6], bool)> {
        let mut hop = NextHop {
            link: DeviceId { net: 0, ifindex: 0 },
            family: 0,
            addr: [0; 16],
        };
        let mut ll = [0u8; bindings::MAX_ADDR_LEN as usize];
        let mut valid = false;
        let lladdr = if neighbour {
            ll.as_mut_ptr()
        } else {
            core::ptr::null_mut()
        };
        // SAFETY: by the type invariant the skb is valid (and holds its socket); the buffers
        // have the sizes the helper writes (16 bytes, and `MAX_ADDR_LEN` unless `lladdr` is
        // NULL). The helper reads the socket's route under RCU.
        to_result(unsafe {
            bindings::netdev_skb_sk_hop(
                self.raw(),
                &mut hop.family,
                hop.addr.as_mut_ptr(),
                &mut hop.link.net,
                &mut hop.link.ifindex,
                lladdr,
                &mut valid,
            )
        })
        .ok()?;
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&ll[..6]);
        Some((hop, mac, valid))
    }

    /// The sequence number in the packet's TCP header; `EINVAL` if it has no transport
    /// header with a TCP header in the linear data.
    pub fn tcp_seq(&self) -> Result<u32> {
        let mut seq = 0u32;
        // SAFETY: by the type invariant the skb is valid; the helper reads the header only
        // after checking that it lies in the linear data.
        to_result(unsafe { bindings::netdev_skb_tcp_seq(self.raw(), &mut seq) })?;
        Ok(seq)
    }

    /// Copies `dst.len()` bytes of the packet from `offset` into `dst`, from the head and
    /// fragments alike (`skb_copy_bits`); `EFAULT` if the packet is shorter.
    pub fn copy_bits(&self, offset: u32, dst: &mut [u8]) -> Result {
        let len = i32::try_from(dst.len())?;
        let off = i32::try_from(offset)?;
        // SAFETY: by the type invariant the skb is valid; `dst` is writable for `len` bytes
        // and the C code checks `offset + len` against the packet's length.
        to_result(unsafe {
            bindings::netdev_skb_copy_bits(self.raw(), off, dst.as_mut_ptr().cast(), len)
        })
    }

    /// Pads the packet with zeroes to at least `len` bytes. On failure the C code has already
    /// freed the packet, so it is consumed and only the error is returned.
    pub fn put_padto(self, len: u32) -> Result<SkBuff> {
        let raw = self.into_raw();
        // SAFETY: we own `raw`; `skb_put_padto` frees it on error.
        if unsafe { bindings::skb_put_padto(raw, len) } != 0 {
            return Err(ENOMEM);
        }
        // SAFETY: on success `raw` is still ours.
        Ok(unsafe { SkBuff::from_raw(raw) })
    }

    /// The first `len` bytes of the packet, writable: un-shares the header first
    /// (`skb_cow_head`). Fails if they are not all in the linear part.
    pub fn headers_mut(&mut self, len: u32) -> Result<&mut [u8]> {
        // SAFETY: the skb is valid and exclusively ours.
        if unsafe { bindings::skb_cow_head(self.raw(), 0) } != 0 {
            return Err(ENOMEM);
        }
        if len > self.head_len() {
            return Err(EINVAL);
        }
        // SAFETY: after `skb_cow_head` the header is private to this skb, and `len` bytes from
        // `data` are in the linear part (checked above); `&mut self` makes the access unique.
        Ok(unsafe { core::slice::from_raw_parts_mut((*self.raw()).data, len as usize) })
    }

    /// Computes a pending (`CHECKSUM_PARTIAL`) checksum in software (`skb_checksum_help`),
    /// for packets the device cannot checksum.
    pub fn checksum_help(&mut self) -> Result {
        // SAFETY: the skb is valid and exclusively ours.
        to_result(unsafe { bindings::skb_checksum_help(self.raw()) })
    }

    /// Frees a packet that was transmitted (`dev_consume_skb_any`: not counted as a drop).
    pub fn consume(self) {
        // SAFETY: we own the reference, released here.
        unsafe { bindings::dev_consume_skb_any(self.into_raw()) }
    }

    /// Frees a packet that was transmitted, from the NAPI poll `poll` (`napi_consume_skb`):
    /// its head goes to the CPU's NAPI cache, where the next received packet's head is taken
    /// from, and its freeing is batched. In a netpoll poll, which may run with interrupts
    /// off, it is freed as by [`SkBuff::consume`].
    pub fn napi_consume(self, poll: &super::napi::Poll<'_>) {
        // SAFETY: reads the current context only.
        let irqs_off = unsafe { bindings::netdev_bh_forbidden() };
        let budget = if poll.is_tx_only() || irqs_off { 0 } else { 1 };
        // SAFETY: we own the reference, released here. The poll token exists only inside a
        // NAPI poll, which runs with bottom halves off (softirq, threaded or busy polling):
        // the context `napi_consume_skb` needs for a non-zero budget. A netpoll poll, or a
        // poll that turned interrupts off (a lock taken with them off), passes 0, which
        // frees as `dev_consume_skb_any` does: deferred while interrupts are off.
        unsafe { bindings::napi_consume_skb(self.into_raw(), budget) }
    }

    /// Drops the packet for `reason` (`dev_kfree_skb_any_reason`).
    pub fn drop_reason(self, reason: DropReason) {
        // SAFETY: we own the reference, released here.
        unsafe {
            bindings::dev_kfree_skb_any_reason(self.into_raw(), reason as bindings::skb_drop_reason)
        }
    }

    /// Builds a received packet around a page-pool buffer holding a frame (`napi_build_skb`):
    /// the packet's head is the buffer (a page, or a part of one), its data the received
    /// bytes at the layout's offset, which becomes the headroom; it is charged the buffer's
    /// size. The buffer is recycled to its pool when the packet is freed.
    ///
    /// Any context but a hard interrupt handler or one with interrupts off (it turns bottom
    /// halves off and on).
    ///
    /// Fails with `EINVAL` if the frame leaves no room at the end of the buffer for the
    /// packet's `skb_shared_info` ([`page_pool::fits_linear`]) or if called where bottom halves
    /// cannot be turned off, with `ENOMEM` if no packet could be allocated; the buffer is
    /// handed back with the error (dropping it returns the page to its pool).
    pub fn build_from_page(buf: RxBuffer) -> core::result::Result<SkBuff, (RxBuffer, Error)> {
        let size = buf.buf_size();
        if !page_pool::fits_linear(size, buf.offset(), buf.len(), shinfo_overhead()) {
            return Err((buf, EINVAL));
        }
        // SAFETY: reads the current context only.
        if unsafe { bindings::netdev_bh_forbidden() } {
            return Err((buf, EINVAL));
        }
        let va = buf.address();
        // SAFETY: `va` is the start of a buffer of `size` bytes owned by `buf` (a page, or a
        // part of one); the frame and the shared info fit in it (checked above). Bottom
        // halves are off around `napi_build_skb()`, whose skb cache only that context may
        // use: callers may be in any context.
        let raw = unsafe { bindings::netdev_napi_build_skb_bh(va, size) };
        if raw.is_null() {
            return Err((buf, ENOMEM));
        }
        let (headroom, len) = (buf.offset(), buf.len());
        // The skb now owns the page.
        buf.into_skb();
        // SAFETY: `raw` is a fresh skb whose buffer has `headroom + len` bytes of frame, all
        // synced for the CPU (`RxBuffer`'s invariant).
        unsafe {
            bindings::skb_mark_for_recycle(raw);
            bindings::skb_reserve(raw, headroom as i32);
            bindings::__skb_put(raw, len);
            Ok(SkBuff::from_raw(raw))
        }
    }

    /// Copies a small received frame out of its buffer into a packet of its own
    /// (`napi_alloc_skb`, from the poll's per-CPU cache), so that the buffer can go straight
    /// back to the device ([`RxBuffer::give_back`]) and the packet charges its socket for
    /// its few bytes rather than a page. Only from the poll of the NAPI instance, as `poll`
    /// proves; refused (`EINVAL`) in a netpoll poll or with interrupts off, and `ENOMEM` when
    /// memory is short.
    pub fn napi_copy(poll: &Poll<'_>, buf: &page_pool::RxBuffer) -> Result<SkBuff> {
        // SAFETY: reads the current context only.
        if poll.is_tx_only() || unsafe { bindings::netdev_bh_forbidden() } {
            return Err(EINVAL);
        }
        let data = buf.data();
        let len = u32::try_from(data.len())?;
        // SAFETY: we are in the poll of `poll.napi()` (softirq, threaded or busy polling, all
        // with bottom halves off), the context `napi_alloc_skb` needs.
        let raw = unsafe { bindings::napi_alloc_skb(poll.napi().as_raw(), len) };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `raw` is a fresh packet with room for `len` bytes of tailroom (asked for
        // above); `data` is `len` readable bytes that do not overlap it.
        unsafe { bindings::skb_put_data(raw, data.as_ptr().cast(), len) };
        // SAFETY: the fresh packet's reference is ours.
        Ok(unsafe { SkBuff::from_raw(raw) })
    }

    /// Appends a received page-pool buffer as the next page fragment (`skb_add_rx_frag`),
    /// for frames the device spread over several buffers. The whole buffer is charged to the
    /// packet (its `truesize`), which recycles the page when freed.
    ///
    /// Fails with `EINVAL`, leaving the packet as it was and returning the page to its pool,
    /// if the packet has no fragment slot left or is not marked for page-pool recycling (it
    /// was not built with [`SkBuff::build_from_page`]: freeing it would put the page, not
    /// recycle it).
    pub fn add_rx_frag(&mut self, buf: RxBuffer) -> Result {
        // SAFETY: plain constant read.
        let max = unsafe { bindings::netdev_max_skb_frags() };
        let nr = self.nr_frags();
        // SAFETY: by the type invariant the skb is valid.
        let recycled = unsafe { bindings::netdev_skb_pp_recycle(self.raw()) };
        if nr >= max || !recycled {
            return Err(EINVAL);
        }
        let (raw_page, offset, len, truesize) = (
            buf.as_raw(),
            buf.base() + buf.offset(),
            buf.len(),
            buf.buf_size(),
        );
        // The packet now owns the page.
        buf.into_skb();
        // SAFETY: `nr` is the next free fragment slot (below `MAX_SKB_FRAGS`); the range lies
        // within the buffer, which lies within the page, and was synced for the CPU
        // (`RxBuffer`'s invariants); the buffer's page reference moves to the packet, which
        // is marked for page-pool recycling.
        unsafe {
            bindings::skb_add_rx_frag(
                self.raw(),
                nr as i32,
                raw_page,
                offset as i32,
                len as i32,
                truesize,
            )
        };
        Ok(())
    }

    /// Sets the protocol from the Ethernet header and pulls it (`eth_type_trans`).
    ///
    /// Fails with `EINVAL`, leaving the packet untouched, if its linear data holds less than
    /// an Ethernet header.
    pub fn eth_type_trans(&mut self, dev: &Device) -> Result {
        if self.head_len() < bindings::ETH_HLEN {
            return Err(EINVAL);
        }
        // SAFETY: the skb's linear data holds an Ethernet header (checked above); `dev` is
        // valid.
        unsafe {
            bindings::skb_set_protocol(
                self.raw(),
                bindings::eth_type_trans(self.raw(), dev.as_raw()),
            )
        };
        Ok(())
    }

    /// Marks the checksum as verified by the device.
    pub fn set_checksum_unnecessary(&mut self) {
        // SAFETY: by the type invariant the skb is valid and exclusively ours.
        unsafe { bindings::skb_set_ip_summed(self.raw(), bindings::CHECKSUM_UNNECESSARY) }
    }

    /// Records the flow hash the device computed; `l4` says it covers the ports.
    pub fn set_hash(&mut self, hash: u32, l4: bool) {
        let t = if l4 {
            bindings::pkt_hash_types_PKT_HASH_TYPE_L4
        } else {
            bindings::pkt_hash_types_PKT_HASH_TYPE_L3
        };
        // SAFETY: by the type invariant the skb is valid and exclusively ours.
        unsafe { bindings::skb_set_hash(self.raw(), hash, t) }
    }

    /// Records an 802.1Q tag the device stripped.
    pub fn put_vlan_tag(&mut self, tci: u16) {
        // SAFETY: by the type invariant the skb is valid and exclusively ours.
        unsafe {
            bindings::__vlan_hwaccel_put_tag(
                self.raw(),
                (bindings::ETH_P_8021Q as u16).to_be(),
                tci,
            )
        }
    }

    /// Records the receive queue the packet came from.
    pub fn record_rx_queue(&mut self, queue: u16) {
        // SAFETY: by the type invariant the skb is valid and exclusively ours.
        unsafe { bindings::skb_record_rx_queue(self.raw(), queue) }
    }

    /// Records the software transmit timestamp if the socket asked for one
    /// (`skb_tx_timestamp`); call it just before the device is told about the packet.
    pub fn tx_timestamp(&mut self) {
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_tx_timestamp(self.raw()) }
    }

    /// Returns `true` if the socket asked for a hardware transmit timestamp of this packet
    /// (`SKBTX_HW_TSTAMP`).
    pub fn wants_hw_tstamp(&self) -> bool {
        let want = (bindings::SKBTX_HW_TSTAMP_NOBPF | bindings::SKBTX_BPF) as u8;
        // SAFETY: by the type invariant the skb is valid.
        unsafe { bindings::skb_tx_flags(self.raw()) & want != 0 }
    }

    /// Takes on the delivery of this packet's hardware transmit timestamp: marks it
    /// `SKBTX_IN_PROGRESS` (the stack then reports no software timestamp for it) and returns
    /// the extra packet reference [`TxTstamp::complete`] delivers the timestamp through.
    /// Returns `None` if no hardware timestamp was asked for.
    pub fn start_hw_tstamp(&mut self) -> Option<TxTstamp> {
        if !self.wants_hw_tstamp() {
            return None;
        }
        // SAFETY: by the type invariant the skb is valid and exclusively ours to modify.
        unsafe { bindings::skb_set_tx_in_progress(self.raw()) };
        // SAFETY: the skb is valid; `skb_get` takes a new reference, which `TxTstamp` owns.
        let ptr = unsafe { bindings::skb_get(self.raw()) };
        // INVARIANT: `ptr` is the skb we hold, with the reference just taken.
        Some(TxTstamp {
            // SAFETY: `skb_get` returns its (non-NULL) argument.
            ptr: unsafe { NonNull::new_unchecked(ptr) },
        })
    }

    /// Attaches the hardware receive timestamp `ns` (nanoseconds of the device clock) to a
    /// received packet.
    pub fn set_hw_tstamp(&mut self, ns: u64) {
        // SAFETY: by the type invariant the skb is valid and exclusively ours.
        unsafe { bindings::skb_set_hwtstamp(self.raw(), ns) }
    }

    /// Hands a received packet to GRO (`napi_gro_receive`), which consumes it. Only from
    /// the poll of the NAPI instance, as `poll` proves, and not from a netpoll poll (budget
    /// 0, maybe with interrupts off), where nothing may be received: there the packet is
    /// dropped instead.
    pub fn gro_receive(self, poll: &Poll<'_>) {
        if poll.is_tx_only() {
            self.drop_reason(DropReason::NotSpecified);
            return;
        }
        let napi = poll.napi();
        // SAFETY: `napi` is a valid, scheduled NAPI instance (we are in its poll); the skb
        // reference is handed over.
        unsafe { bindings::napi_gro_receive(napi.as_raw(), self.into_raw()) };
    }
}

impl Drop for SkBuff {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference, released here.
        unsafe {
            bindings::dev_kfree_skb_any_reason(
                self.raw(),
                DropReason::NotSpecified as bindings::skb_drop_reason,
            )
        }
    }
}

/// A reference to a sent packet whose hardware transmit timestamp is pending.
///
/// It only delivers the timestamp ([`TxTstamp::complete`]) or, dropped, releases the
/// reference: the packet itself belongs to whoever sent it.
///
/// # Invariants
///
/// `ptr` is a valid `struct sk_buff` marked `SKBTX_IN_PROGRESS`, of which this value owns one
/// reference.
pub struct TxTstamp {
    ptr: NonNull<bindings::sk_buff>,
}

// SAFETY: the reference may be released on any thread, and `skb_tstamp_tx` runs in any
// context.
unsafe impl Send for TxTstamp {}

impl TxTstamp {
    /// Delivers the hardware timestamp `ns` to the sending socket's error queue
    /// (`skb_tstamp_tx`) and releases the reference.
    pub fn complete(self, ns: u64) {
        // SAFETY: all-zero is a valid `skb_shared_hwtstamps` (a time of 0).
        let mut hw: bindings::skb_shared_hwtstamps = unsafe { core::mem::zeroed() };
        hw.__bindgen_anon_1.hwtstamp = ns as bindings::ktime_t;
        // SAFETY: by the type invariant the skb is valid; `skb_tstamp_tx` only reads it and
        // `hw`, and clones what it queues. Dropping `self` releases our reference.
        unsafe { bindings::skb_tstamp_tx(self.ptr.as_ptr(), &mut hw) };
    }
}

impl Drop for TxTstamp {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference, released here (not a drop:
        // the packet was sent).
        unsafe {
            bindings::dev_kfree_skb_any_reason(
                self.ptr.as_ptr(),
                bindings::skb_drop_reason_SKB_CONSUMED,
            )
        }
    }
}

/// Most fragments a packet can have (`MAX_SKB_FRAGS`).
const MAX_FRAGS: usize = bindings::MAX_SKB_FRAGS as usize;

/// A place for one packet mapped for the device to read (`DMA_TO_DEVICE`), reused packet
/// after packet: a transmit ring slot. [`MapSlot::map`] maps a packet's linear part and
/// every fragment into it, and [`MapSlot::unmap`] undoes the mappings and gives the packet
/// back, both in place: the record of bus addresses (one per buffer, for the largest
/// packet) is written where it stays and never moved, which a record returned by value
/// would be, once or twice per packet.
///
/// The slot owns the packet it holds, so nothing can free, pad or reallocate the packet
/// while it is mapped; dropping a slot that holds one unmaps every buffer, then frees it.
/// It borrows the bound device, so it cannot outlive the driver's binding. Keeping the
/// packet mapped until the device is done with it (a transmit ring unmaps it once the
/// hardware reports its descriptors done) is the ring's bookkeeping.
///
/// # Invariants
///
/// If `skb` is `Some`, its linear part (if `head` is `Some`, at that address) and its first
/// `mapped` fragments (at `frags[..mapped]`) are mapped for `dev` with `DMA_TO_DEVICE`, with
/// the lengths the packet gives them, which do not change while it is owned here. If `skb`
/// is `None`, `head` is `None` and `mapped` is 0.
pub struct MapSlot<'a> {
    dev: &'a device::Device<device::Bound>,
    skb: Option<SkBuff>,
    head: Option<DmaAddress>,
    frags: [DmaAddress; MAX_FRAGS],
    mapped: u32,
}

impl<'a> MapSlot<'a> {
    /// An empty slot for packets mapped for `dev`.
    pub fn new(dev: &'a device::Device<device::Bound>) -> Self {
        // INVARIANT: empty, nothing mapped.
        Self {
            dev,
            skb: None,
            head: None,
            frags: [0; MAX_FRAGS],
            mapped: 0,
        }
    }

    /// Whether the slot holds no packet.
    pub fn is_empty(&self) -> bool {
        self.skb.is_none()
    }

    /// Maps `skb` into the slot: its linear part and every fragment. On failure (the slot
    /// holds a packet already: `EBUSY`; more fragments than a packet can have; a buffer
    /// that cannot be mapped) nothing stays mapped, the slot is as it was and the packet is
    /// handed back with the error.
    pub fn map(&mut self, skb: SkBuff) -> core::result::Result<(), (SkBuff, Error)> {
        self.map_with(skb, |_| Ok(()))
    }

    /// Maps `skb` into the slot as [`MapSlot::map`] does, then calls `f` with its mapped
    /// buffers (to write the descriptors that point at them). If `f` fails, the packet is
    /// unmapped and handed back with `f`'s error, and the slot is as it was.
    pub fn map_with<R>(
        &mut self,
        skb: SkBuff,
        f: impl FnOnce(MappedBuffers<'_>) -> Result<R>,
    ) -> core::result::Result<R, (SkBuff, Error)> {
        if self.skb.is_some() {
            return Err((skb, EBUSY));
        }
        let nr = skb.nr_frags();
        if nr as usize > MAX_FRAGS {
            return Err((skb, EINVAL));
        }
        // The slot's fields are written together once every buffer is mapped: until then
        // the head's address and the count are kept here, and only the fragment addresses
        // (past the count, which the slot does not read while it is empty) are written in
        // place.
        let len = skb.head_len();
        let head = if len > 0 {
            // SAFETY: `data` points to `head_len()` bytes of the packet, which is owned here
            // and then by the slot, and not modified or freed until the mapping is released.
            match unsafe { map_raw(self.dev, (*skb.raw()).data.cast(), len as usize, false) } {
                Ok(a) => Some(a),
                Err(e) => return Err((skb, e)),
            }
        } else {
            None
        };
        let mut mapped = 0;
        while mapped < nr {
            let i = mapped;
            let r = match (skb.frag_len(i), self.frags.get_mut(i as usize)) {
                (Some(len), Some(slot)) => {
                    // SAFETY: `i` is a valid fragment of `len` bytes whose page the packet,
                    // owned here and then by the slot, keeps referenced until the mapping is
                    // released.
                    let frag = unsafe { bindings::skb_frag(skb.raw(), i) };
                    // SAFETY: as above.
                    unsafe { map_raw(self.dev, frag.cast(), len as usize, true) }.map(|a| {
                        *slot = a;
                    })
                }
                _ => Err(EINVAL),
            };
            if let Err(e) = r {
                // SAFETY: `head` and `frags[..mapped]` are the live mappings of `skb` made
                // above for `self.dev`, undone only here.
                unsafe { Self::release(self.dev, &skb, head, &self.frags, mapped) };
                return Err((skb, e));
            }
            mapped += 1;
        }
        match f(MappedBuffers::new(Some(&skb), head, &self.frags, mapped)) {
            Ok(r) => {
                // INVARIANT: every buffer of `skb` is mapped at the addresses recorded.
                self.skb = Some(skb);
                self.head = head;
                self.mapped = mapped;
                Ok(r)
            }
            Err(e) => {
                // SAFETY: `head` and `frags[..mapped]` are every live mapping of `skb` made
                // above for `self.dev` (`f` only read them), undone only here.
                unsafe { Self::release(self.dev, &skb, head, &self.frags, mapped) };
                Err((skb, e))
            }
        }
    }

    /// The mapped buffers of the packet held, in transmit order, as (bus address, length):
    /// the linear part, then every fragment; empty ones are left out. None for an empty slot.
    pub fn buffers(&self) -> MappedBuffers<'_> {
        MappedBuffers::new(self.skb.as_ref(), self.head, &self.frags, self.mapped)
    }

    /// The packet held, to read.
    pub fn skb(&self) -> Option<&SkBuff> {
        self.skb.as_ref()
    }

    /// Takes the software transmit timestamp (`skb_tx_timestamp`) of the packet held, which
    /// does not touch what the device reads.
    pub fn tx_timestamp(&mut self) {
        if let Some(skb) = &mut self.skb {
            skb.tx_timestamp();
        }
    }

    /// Unmaps every buffer of the packet held and gives it back, leaving the slot empty.
    pub fn unmap(&mut self) -> Option<SkBuff> {
        let skb = self.skb.take()?;
        // SAFETY: by the type invariant the slot held `skb` with its buffers mapped for
        // `self.dev` at `head` and `frags[..mapped]`; the slot forgets them right here.
        unsafe { Self::release(self.dev, &skb, self.head.take(), &self.frags, self.mapped) };
        // INVARIANT: empty, nothing mapped.
        self.mapped = 0;
        Some(skb)
    }

    /// Undoes the mappings of `skb`: its linear part at `head` and its first `mapped`
    /// fragments at `frags`.
    ///
    /// # Safety
    ///
    /// `head` (if `Some`) must be a live mapping of `skb`'s linear part for `dev`, and
    /// `frags[..mapped]` live mappings of its first `mapped` fragments, each made with the
    /// length the packet gives it now; none of them may be used after this call.
    unsafe fn release(
        dev: &device::Device<device::Bound>,
        skb: &SkBuff,
        head: Option<DmaAddress>,
        frags: &[DmaAddress],
        mapped: u32,
    ) {
        if let Some(a) = head {
            // SAFETY: by the function's safety requirements the linear part is mapped at `a`
            // for `dev` with this length.
            unsafe { unmap_raw(dev, a, skb.head_len() as usize, false) };
        }
        for (i, &a) in (0..mapped).zip(frags) {
            // A fragment was mapped only after its length was read, and the lengths do not
            // change while the packet is owned here: every one is found.
            let Some(len) = skb.frag_len(i) else {
                continue;
            };
            // SAFETY: by the function's safety requirements fragment `i` is mapped at `a` for
            // `dev` with this length.
            unsafe { unmap_raw(dev, a, len as usize, true) };
        }
    }
}

/// The mapped buffers of a packet in a [`MapSlot`], in transmit order, as (bus address,
/// length): the linear part, then every fragment; empty ones are left out.
pub struct MappedBuffers<'s> {
    skb: Option<&'s SkBuff>,
    head: Option<DmaAddress>,
    frags: &'s [DmaAddress],
    next: u32,
}

impl<'s> MappedBuffers<'s> {
    /// The buffers of `skb`: its linear part at `head` and its first `mapped` fragments at
    /// `frags`.
    fn new(
        skb: Option<&'s SkBuff>,
        head: Option<DmaAddress>,
        frags: &'s [DmaAddress],
        mapped: u32,
    ) -> Self {
        Self {
            skb,
            head,
            frags: frags.get(..mapped as usize).unwrap_or(&[]),
            next: 0,
        }
    }
}

impl Iterator for MappedBuffers<'_> {
    type Item = (DmaAddress, u32);

    fn next(&mut self) -> Option<Self::Item> {
        let skb = self.skb?;
        if let Some(a) = self.head.take() {
            let len = skb.head_len();
            if len > 0 {
                return Some((a, len));
            }
        }
        loop {
            let i = self.next;
            let a = *self.frags.get(i as usize)?;
            self.next += 1;
            match skb.frag_len(i) {
                Some(len) if len > 0 => return Some((a, len)),
                _ => {}
            }
        }
    }
}

impl Drop for MapSlot<'_> {
    fn drop(&mut self) {
        // Unmapped before the packet is freed.
        drop(self.unmap());
    }
}

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[macros::kunit_tests(rust_net_skb)]
mod tests {
    use super::*;

    #[test]
    fn alloc_put_and_accessors() -> Result {
        let mut skb = SkBuff::alloc(128, GFP_KERNEL)?;
        assert!(skb.is_empty());
        let data = [0xabu8; 60];
        skb.put_data(&data)?;
        assert_eq!(skb.len(), 60);
        assert_eq!(skb.head_len(), 60);
        assert_eq!(skb.nr_frags(), 0);
        assert_eq!(skb.frag_len(0), None);
        assert_eq!(skb.head_data(), &data[..]);
        assert_eq!(skb.checksum(), Checksum::None);
        assert!(!skb.is_gso());
        assert_eq!(skb.vlan_tag(), None);
        skb.consume();
        Ok(())
    }

    #[test]
    fn put_data_refuses_overflow_without_change() -> Result {
        let mut skb = SkBuff::alloc(64, GFP_KERNEL)?;
        skb.put_data(&[1u8; 32])?;
        let room = 4096;
        assert_eq!(skb.put_data(&[0u8; 4096][..room]), Err(ENOSPC));
        assert_eq!(skb.len(), 32);
        Ok(())
    }

    #[test]
    fn padto_extends_with_zeroes() -> Result {
        let mut skb = SkBuff::alloc(32, GFP_KERNEL)?;
        skb.put_data(&[7u8; 20])?;
        let skb = skb.put_padto(200)?;
        assert_eq!(skb.len(), 200);
        assert!(skb.head_data()[..20].iter().all(|b| *b == 7));
        assert!(skb.head_data()[20..].iter().all(|b| *b == 0));
        skb.drop_reason(DropReason::NotSpecified);
        Ok(())
    }

    #[test]
    fn vlan_tag_and_hash_round_trip() -> Result {
        let mut skb = SkBuff::alloc(64, GFP_KERNEL)?;
        skb.put_vlan_tag(100);
        assert_eq!(skb.vlan_tag(), Some(100));
        skb.set_hash(0x1234_5678, true);
        assert_eq!(skb.hash(), Some(0x1234_5678));
        skb.set_checksum_unnecessary();
        assert_eq!(skb.checksum(), Checksum::Unnecessary);
        Ok(())
    }

    #[test]
    fn raw_round_trip_keeps_ownership() -> Result {
        let mut skb = SkBuff::alloc(64, GFP_KERNEL)?;
        skb.put_data(&[1, 2, 3, 4])?;
        let raw = skb.into_raw();
        // SAFETY: `raw` came from `into_raw` just above; ownership is handed back.
        let skb = unsafe { SkBuff::from_raw(raw) };
        // The same packet, contents untouched, and ours again to free (kmemleak would report
        // the packet if the round trip lost the reference).
        assert_eq!(skb.raw(), raw);
        assert_eq!(skb.head_data(), &[1, 2, 3, 4]);
        skb.consume();
        Ok(())
    }

    #[test]
    fn tcp_header_len_needs_a_transport_header() -> Result {
        let mut skb = SkBuff::alloc(128, GFP_KERNEL)?;
        skb.put_data(&[0u8; 60])?;
        // No transport header set: refused, and the header is not read.
        assert_eq!(skb.tcp_header_len(), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn whole_page_packets_leave_room_for_shared_info() {
        let overhead = shinfo_overhead();
        assert!(overhead as usize >= core::mem::size_of::<bindings::skb_shared_info>());
        let page = page_pool::PAGE_SIZE;
        // A 2048-byte buffer after 256 bytes of headroom fits a page (re1000e's receive
        // buffers for long frames)...
        assert!(page_pool::fits_linear(page, 256, 2048, overhead));
        // ...a frame reaching into the shared info does not, nor does one past the page.
        assert!(!page_pool::fits_linear(page, 256, page - 256, overhead));
        assert!(page_pool::fits_linear(page, 0, page - overhead, overhead));
        assert!(!page_pool::fits_linear(
            page,
            0,
            page - overhead + 1,
            overhead
        ));
        assert!(!page_pool::fits_linear(page, u32::MAX, 1, overhead));
        assert!(!page_pool::fits_linear(page, 1, u32::MAX, 0));
        // Half-page buffers: a full-sized 1522-byte frame with a VLAN tag and its FCS after
        // 64 bytes of headroom fits 2048 bytes; the same after 256 bytes does not.
        assert!(page_pool::fits_linear(2048, 64, 1526, overhead));
        assert!(!page_pool::fits_linear(2048, 256, 1526, overhead));
        assert!(!page_pool::fits_linear(
            2048,
            0,
            2048 - overhead + 1,
            overhead
        ));
    }
    #[test]
    fn eth_type_trans_needs_an_ethernet_header() -> Result {
        // SAFETY: plain allocation of an unregistered Ethernet device, freed below.
        let raw = unsafe { bindings::alloc_etherdev_mqs(0, 1, 1) };
        if raw.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `raw` is valid until `free_netdev` below.
        let dev = unsafe { Device::from_raw(raw) };
        let mut runt = SkBuff::alloc(64, GFP_KERNEL)?;
        runt.put_data(&[0u8; 13])?;
        // Refused, and the packet is left as it was.
        assert_eq!(runt.eth_type_trans(dev), Err(EINVAL));
        assert_eq!(runt.len(), 13);
        let mut frame = SkBuff::alloc(64, GFP_KERNEL)?;
        let mut data = [0u8; 60];
        data[12..14].copy_from_slice(&0x0800u16.to_be_bytes());
        frame.put_data(&data)?;
        assert_eq!(frame.eth_type_trans(dev), Ok(()));
        // The Ethernet header was pulled and the protocol set from it.
        assert_eq!((frame.len(), frame.protocol()), (46, 0x0800));
        drop((runt, frame));
        // SAFETY: never registered; nothing refers to it any more.
        unsafe { bindings::free_netdev(raw) };
        Ok(())
    }
}
