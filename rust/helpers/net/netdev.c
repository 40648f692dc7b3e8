// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the Rust net_device, sk_buff, NAPI, page pool and streaming DMA
 * abstractions (rust/kernel/net/): wrappers of static inline functions and
 * macros of <linux/netdevice.h>, <linux/skbuff.h>, <net/page_pool/helpers.h>,
 * <linux/dma-mapping.h> and <linux/timer.h>.
 */

#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/skbuff.h>
#include <linux/timer.h>
#include <net/arp.h>
#include <net/dst.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/netevent.h>
#include <net/page_pool/helpers.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tls.h>

__rust_helper void *rust_helper_netdev_priv(const struct net_device *dev)
{
	return netdev_priv(dev);
}

__rust_helper void rust_helper_netif_napi_add(struct net_device *dev,
					      struct napi_struct *napi,
					      int (*poll)(struct napi_struct *, int))
{
	netif_napi_add(dev, napi, poll);
}

__rust_helper void rust_helper_netif_napi_del(struct napi_struct *napi)
{
	netif_napi_del(napi);
}

__rust_helper bool rust_helper_napi_schedule(struct napi_struct *n)
{
	return napi_schedule(n);
}

__rust_helper struct netdev_queue *
rust_helper_netdev_get_tx_queue(const struct net_device *dev, unsigned int index)
{
	return netdev_get_tx_queue(dev, index);
}

__rust_helper void rust_helper_netif_tx_start_queue(struct netdev_queue *q)
{
	netif_tx_start_queue(q);
}

__rust_helper void rust_helper_netif_tx_stop_queue(struct netdev_queue *q)
{
	netif_tx_stop_queue(q);
}

__rust_helper bool rust_helper_netif_tx_queue_stopped(const struct netdev_queue *q)
{
	return netif_tx_queue_stopped(q);
}

__rust_helper void rust_helper_netdev_tx_sent_queue(struct netdev_queue *q,
						    unsigned int bytes)
{
	netdev_tx_sent_queue(q, bytes);
}

__rust_helper bool rust_helper___netdev_tx_sent_queue(struct netdev_queue *q,
						      unsigned int bytes, bool xmit_more)
{
	return __netdev_tx_sent_queue(q, bytes, xmit_more);
}

__rust_helper void rust_helper_netdev_tx_completed_queue(struct netdev_queue *q,
							 unsigned int pkts,
							 unsigned int bytes)
{
	netdev_tx_completed_queue(q, pkts, bytes);
}

__rust_helper void rust_helper_netdev_tx_reset_queue(struct netdev_queue *q)
{
	netdev_tx_reset_queue(q);
}

__rust_helper bool rust_helper_netdev_xmit_more(void)
{
	return netdev_xmit_more();
}

__rust_helper bool rust_helper_netif_carrier_ok(const struct net_device *dev)
{
	return netif_carrier_ok(dev);
}

__rust_helper bool rust_helper_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

__rust_helper bool rust_helper_netif_device_present(const struct net_device *dev)
{
	return netif_device_present(dev);
}

__rust_helper void rust_helper_eth_hw_addr_set(struct net_device *dev, const u8 *addr)
{
	eth_hw_addr_set(dev, addr);
}

__rust_helper bool rust_helper_is_valid_ether_addr(const u8 *addr)
{
	return is_valid_ether_addr(addr);
}

/* sk_buff */

__rust_helper unsigned int rust_helper_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

__rust_helper unsigned int rust_helper_skb_nr_frags(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->nr_frags;
}

__rust_helper skb_frag_t *rust_helper_skb_frag(struct sk_buff *skb, unsigned int i)
{
	return &skb_shinfo(skb)->frags[i];
}

__rust_helper unsigned int rust_helper_skb_frag_size(const skb_frag_t *frag)
{
	return skb_frag_size(frag);
}

__rust_helper dma_addr_t rust_helper_skb_frag_dma_map(struct device *dev,
						      const skb_frag_t *frag)
{
	return skb_frag_dma_map(dev, frag, 0, skb_frag_size(frag), DMA_TO_DEVICE);
}

__rust_helper bool rust_helper_skb_is_gso(const struct sk_buff *skb)
{
	return skb_is_gso(skb);
}

__rust_helper unsigned short rust_helper_skb_gso_size(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->gso_size;
}

__rust_helper unsigned int rust_helper_skb_gso_type(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->gso_type;
}

__rust_helper unsigned short rust_helper_skb_gso_segs(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->gso_segs;
}

__rust_helper int rust_helper_skb_checksum_start_offset(const struct sk_buff *skb)
{
	return skb_checksum_start_offset(skb);
}

__rust_helper __be16 rust_helper_skb_protocol(const struct sk_buff *skb)
{
	return skb->protocol;
}

__rust_helper void rust_helper_skb_set_protocol(struct sk_buff *skb, __be16 proto)
{
	skb->protocol = proto;
}

__rust_helper __u32 rust_helper_skb_get_hash_raw(const struct sk_buff *skb)
{
	return skb_get_hash_raw(skb);
}

__rust_helper gro_result_t rust_helper_napi_gro_receive(struct napi_struct *napi,
							struct sk_buff *skb)
{
	return napi_gro_receive(napi, skb);
}

/* Copies @len bytes of @skb from @offset into @to (head and fragments). */
__rust_helper int rust_helper_netdev_skb_copy_bits(const struct sk_buff *skb, int offset,
						   void *to, int len)
{
	return skb_copy_bits(skb, offset, to, len);
}

/*
 * The sequence number in @skb's TCP header, read as netdev_skb_tcp_hdrlen() reads the
 * header: only when one lies in the linear data. -EINVAL otherwise.
 */
__rust_helper int rust_helper_netdev_skb_tcp_seq(const struct sk_buff *skb, u32 *seq)
{
	if (!skb_transport_header_was_set(skb) || skb_transport_offset(skb) < 0 ||
	    skb_transport_offset(skb) + sizeof(struct tcphdr) > skb_headlen(skb))
		return -EINVAL;
	*seq = ntohl(tcp_hdr(skb)->seq);
	return 0;
}

__rust_helper u16 rust_helper_skb_csum_offset(const struct sk_buff *skb)
{
	return skb->csum_offset;
}

__rust_helper bool rust_helper_skb_tls_tx_device_offloaded(const struct sk_buff *skb)
{
#ifdef CONFIG_TLS_DEVICE
	return tls_is_skb_tx_device_offloaded(skb);
#else
	return false;
#endif
}

/*
 * A device's identity for comparisons: its namespace's cookie (never reused) and its
 * index in that namespace.
 */
__rust_helper void rust_helper_netdev_id(const struct net_device *dev, u64 *net, int *ifindex)
{
	*net = dev_net(dev)->net_cookie;
	*ifindex = READ_ONCE(dev->ifindex);
}

/*
 * The neighbour entry a NETEVENT_NEIGH_UPDATE passes (@ptr): its device's identity, address
 * family (4 or 6), address (16 bytes), link-layer address (MAX_ADDR_LEN bytes) and whether
 * it is usable and alive. False for a family other than IPv4 and IPv6.
 */
__rust_helper bool rust_helper_netdev_neigh_event(void *ptr, u64 *net, int *ifindex,
						  u8 *family, u8 *addr, u8 *lladdr, bool *valid)
{
	struct neighbour *n = ptr;

	if (n->tbl->family != AF_INET && n->tbl->family != AF_INET6)
		return false;
	rust_helper_netdev_id(n->dev, net, ifindex);
	*family = n->tbl->family == AF_INET ? 4 : 6;
	memset(addr, 0, 16);
	memcpy(addr, n->primary_key, min_t(unsigned int, n->tbl->key_len, 16));
	memset(lladdr, 0, MAX_ADDR_LEN);
	neigh_ha_snapshot(lladdr, n, n->dev);
	*valid = !READ_ONCE(n->dead) && (READ_ONCE(n->nud_state) & NUD_VALID);
	return true;
}

/* Wipes key material (rust/kernel/net/tls.rs's AES-GCM keys). */
__rust_helper void rust_helper_netdev_memzero_explicit(void *s, size_t count)
{
	memzero_explicit(s, count);
}

/*
 * Where connected IP socket @sk's cached route sends its packets now: the next hop's key
 * (@family 4 or 6, 16 bytes at @nh, IPv4 in the first 4) and the device the route goes
 * out of (@net, @ifindex). With @lladdr, also the next hop's neighbour entry: its
 * link-layer address (MAX_ADDR_LEN bytes) and whether it is valid (@valid); -ENOENT if
 * there is none (one is never made here). The key is the one the output path resolves:
 * the gateway (an IPv4 route may have an IPv6 one), or the destination on a connected
 * network. Called with RCU held.
 */
static inline int netdev_sk_hop(const struct sock *sk, u8 *family, u8 *nh, u64 *net,
				int *ifindex, u8 *lladdr, bool *valid)
{
	const struct dst_entry *d = rcu_dereference(sk->sk_dst_cache);
	struct neighbour *n = NULL;
	struct net_device *dev;

	if (!d || dst_xfrm(d))
		return -ENOENT;
	memset(nh, 0, 16);
	dev = dst_dev_rcu(d);
	if (d->ops->family == AF_INET) {
		const struct rtable *rt = dst_rtable(d);

		if (rt->rt_gw_family == AF_INET6) {
			*family = 6;
			memcpy(nh, &rt->rt_gw6, 16);
		} else {
			__be32 a = rt_nexthop(rt, sk->sk_daddr);

			*family = 4;
			memcpy(nh, &a, 4);
		}
#if IS_ENABLED(CONFIG_IPV6)
	} else if (d->ops->family == AF_INET6 && sk->sk_family == AF_INET6) {
		*family = 6;
		memcpy(nh, rt6_nexthop(dst_rt6_info(d), &sk->sk_v6_daddr), 16);
#endif
	} else {
		return -EAFNOSUPPORT;
	}
	rust_helper_netdev_id(dev, net, ifindex);
	if (!lladdr)
		return 0;
	if (*family == 4) {
		__be32 key;

		memcpy(&key, nh, 4);
		n = __ipv4_neigh_lookup_noref(dev, (__force u32)key);
	}
#if IS_BUILTIN(CONFIG_IPV6)
	else
		n = __ipv6_neigh_lookup_noref(dev, nh);
#endif
	if (!n)
		return -ENOENT;
	memset(lladdr, 0, MAX_ADDR_LEN);
	neigh_ha_snapshot(lladdr, n, n->dev);
	*valid = !READ_ONCE(n->dead) && (READ_ONCE(n->nud_state) & NUD_VALID);
	return 0;
}

/*
 * Where the route of @skb's socket sends its packets now (netdev_sk_hop(), with the
 * neighbour entry if @lladdr): for a packet of a full IP socket, which the skb holds.
 * -ENOENT for a packet without one, or a socket without a cached route.
 */
__rust_helper int rust_helper_netdev_skb_sk_hop(const struct sk_buff *skb, u8 *family, u8 *nh,
						u64 *net, int *ifindex, u8 *lladdr,
						bool *valid)
{
	const struct sock *sk = skb->sk;
	int ret;

	if (!sk || !sk_fullsock(sk) || (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return -ENOENT;
	rcu_read_lock();
	ret = netdev_sk_hop(sk, family, nh, net, ifindex, lladdr, valid);
	rcu_read_unlock();
	return ret;
}

#if IS_BUILTIN(CONFIG_TLS) && IS_ENABLED(CONFIG_TLS_DEVICE)
/*
 * The driver state @skb's socket keeps for its transmit offload, if @skb is one the core
 * hands @dev to encrypt: its socket is offloaded to @dev. (A packet of a socket offloaded
 * elsewhere reaches a device only after the core's software fallback encrypted it, as
 * tls_validate_xmit_skb() does for every device but the socket's.)
 */
__rust_helper bool rust_helper_netdev_tls_tx_state(const struct sk_buff *skb,
						   const struct net_device *dev, u64 *state)
{
	struct tls_context *ctx;
	struct net_device *nd;

	if (!tls_is_skb_tx_device_offloaded(skb))
		return false;
	ctx = tls_get_ctx(skb->sk);
	/*
	 * NULL: tls_device_down() is taking the offload back from this device and waits
	 * (synchronize_net) for packets in flight, which are still ours to encrypt; the
	 * handle stays valid until tls_dev_del, after that wait.
	 */
	nd = rcu_access_pointer(ctx->netdev);
	if (nd && nd != dev)
		return false;
	memcpy(state, __tls_driver_ctx(ctx, TLS_OFFLOAD_CTX_DIR_TX), sizeof(*state));
	return true;
}

/* Stores @state in the driver state of @sk's TLS context for direction @dir. */
__rust_helper void rust_helper_netdev_tls_set_state(struct sock *sk,
						    enum tls_offload_ctx_dir dir, u64 state)
{
	memcpy(tls_driver_ctx(sk, dir), &state, sizeof(state));
}

/* The driver state @ctx keeps for direction @dir. */
__rust_helper u64 rust_helper_netdev_tls_state(struct tls_context *ctx,
					       enum tls_offload_ctx_dir dir)
{
	u64 state;

	memcpy(&state, __tls_driver_ctx(ctx, dir), sizeof(state));
	return state;
}

/* The driver state @sk's TLS context keeps for direction @dir. */
__rust_helper u64 rust_helper_netdev_tls_sk_state(struct sock *sk,
						  enum tls_offload_ctx_dir dir)
{
	return rust_helper_netdev_tls_state(tls_get_ctx(sk), dir);
}

/*
 * Encrypts a packet of a transmit-offloaded socket with the core's software fallback;
 * consumes @skb. NULL (and @skb freed) if it cannot, or if @skb is not such a packet.
 */
__rust_helper struct sk_buff *rust_helper_netdev_tls_encrypt_skb(struct sk_buff *skb)
{
	if (!tls_is_skb_tx_device_offloaded(skb)) {
		kfree_skb(skb);
		return NULL;
	}
	return tls_encrypt_skb(skb);
}

/*
 * Asks the core to resync @skb's socket's transmit offload (tls_dev_resync at its next
 * record), if the socket is offloaded to @dev and no request is pending. The flag is set
 * here with test_and_set_bit(), as tls_offload_tx_resync_request() does: that function
 * warns when a request is pending, which concurrent transmits on two queues could
 * otherwise provoke (its tracepoint is not emitted).
 */
__rust_helper bool rust_helper_netdev_tls_tx_resync_request(const struct sk_buff *skb,
							    const struct net_device *dev)
{
	struct tls_context *ctx;
	struct net_device *nd;

	if (!tls_is_skb_tx_device_offloaded(skb))
		return false;
	ctx = tls_get_ctx(skb->sk);
	nd = rcu_access_pointer(ctx->netdev);
	if (nd && nd != dev)
		return false;
	return !test_and_set_bit(TLS_TX_SYNC_SCHED, &ctx->flags);
}

/*
 * The path of connected socket @sk (locked, as in tls_dev_add): source and destination
 * addresses, the next hop and its neighbour entry and device (netdev_sk_hop()), and the
 * MSS in use. The addresses' family is the connection's, which for an IPv4 route through
 * an IPv6 gateway differs from the next hop's (@nh_family).
 */
__rust_helper int rust_helper_netdev_tls_sk_route(struct sock *sk, u8 *family, u8 *src,
						  u8 *dst, u8 *nh_family, u8 *nh, u8 *lladdr,
						  bool *valid, u32 *mss, u64 *net, int *ifindex)
{
	int ret;

	memset(src, 0, 16);
	memset(dst, 0, 16);
	if (sk->sk_family == AF_INET) {
		*family = 4;
		memcpy(src, &sk->sk_rcv_saddr, 4);
		memcpy(dst, &sk->sk_daddr, 4);
#if IS_ENABLED(CONFIG_IPV6)
	} else if (sk->sk_family == AF_INET6 && ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		*family = 4;
		memcpy(src, &sk->sk_rcv_saddr, 4);
		memcpy(dst, &sk->sk_daddr, 4);
	} else if (sk->sk_family == AF_INET6) {
		*family = 6;
		memcpy(src, &sk->sk_v6_rcv_saddr, 16);
		memcpy(dst, &sk->sk_v6_daddr, 16);
#endif
	} else {
		return -EAFNOSUPPORT;
	}
	rcu_read_lock();
	ret = netdev_sk_hop(sk, nh_family, nh, net, ifindex, lladdr, valid);
	rcu_read_unlock();
	*mss = tcp_sk(sk)->mss_cache;
	return ret;
}
#endif

__rust_helper int rust_helper_skb_network_offset(const struct sk_buff *skb)
{
	return skb_network_offset(skb);
}

__rust_helper int rust_helper_skb_transport_offset(const struct sk_buff *skb)
{
	return skb_transport_offset(skb);
}

/*
 * tcp_hdrlen() reads the TCP header at the transport header: only when one is
 * set and a minimal TCP header lies in the linear data. -EINVAL otherwise.
 */
__rust_helper int rust_helper_netdev_skb_tcp_hdrlen(const struct sk_buff *skb)
{
	if (!skb_transport_header_was_set(skb) || skb_transport_offset(skb) < 0 ||
	    skb_transport_offset(skb) + sizeof(struct tcphdr) > skb_headlen(skb))
		return -EINVAL;
	return tcp_hdrlen(skb);
}

__rust_helper unsigned int rust_helper_skb_ip_summed(const struct sk_buff *skb)
{
	return skb->ip_summed;
}

__rust_helper void rust_helper_skb_set_ip_summed(struct sk_buff *skb, unsigned int v)
{
	skb->ip_summed = v;
}

__rust_helper __be16 rust_helper_skb_vlan_get_protocol(const struct sk_buff *skb)
{
	return vlan_get_protocol(skb);
}

__rust_helper bool rust_helper_skb_vlan_tag_present(const struct sk_buff *skb)
{
	return skb_vlan_tag_present(skb);
}

__rust_helper u16 rust_helper_skb_vlan_tag_get(const struct sk_buff *skb)
{
	return skb_vlan_tag_get(skb);
}

__rust_helper void rust_helper___vlan_hwaccel_put_tag(struct sk_buff *skb,
						      __be16 proto, u16 tci)
{
	__vlan_hwaccel_put_tag(skb, proto, tci);
}

__rust_helper void rust_helper_skb_set_hash(struct sk_buff *skb, __u32 hash,
					    enum pkt_hash_types type)
{
	skb_set_hash(skb, hash, type);
}

__rust_helper int rust_helper_skb_put_padto(struct sk_buff *skb, unsigned int len)
{
	return skb_put_padto(skb, len);
}

__rust_helper void rust_helper_skb_mark_for_recycle(struct sk_buff *skb)
{
	skb_mark_for_recycle(skb);
}

__rust_helper void rust_helper_skb_reserve(struct sk_buff *skb, int len)
{
	skb_reserve(skb, len);
}

__rust_helper void *rust_helper___skb_put(struct sk_buff *skb, unsigned int len)
{
	return __skb_put(skb, len);
}

__rust_helper void rust_helper_skb_record_rx_queue(struct sk_buff *skb, u16 q)
{
	skb_record_rx_queue(skb, q);
}

__rust_helper u16 rust_helper_skb_get_queue_mapping(const struct sk_buff *skb)
{
	return skb_get_queue_mapping(skb);
}

__rust_helper void rust_helper_dev_consume_skb_any(struct sk_buff *skb)
{
	dev_consume_skb_any(skb);
}

/* Streaming DMA */

__rust_helper dma_addr_t rust_helper_dma_map_single(struct device *dev, void *ptr,
						    size_t size,
						    enum dma_data_direction dir)
{
	return dma_map_single(dev, ptr, size, dir);
}

__rust_helper void rust_helper_dma_unmap_single(struct device *dev, dma_addr_t addr,
						size_t size,
						enum dma_data_direction dir)
{
	dma_unmap_single(dev, addr, size, dir);
}

__rust_helper void rust_helper_dma_unmap_page(struct device *dev, dma_addr_t addr,
					      size_t size,
					      enum dma_data_direction dir)
{
	dma_unmap_page(dev, addr, size, dir);
}

__rust_helper int rust_helper_dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	return dma_mapping_error(dev, addr);
}

__rust_helper void rust_helper_dma_sync_single_for_cpu(struct device *dev,
						       dma_addr_t addr, size_t size,
						       enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr, size, dir);
}

__rust_helper void rust_helper_dma_sync_single_for_device(struct device *dev,
							  dma_addr_t addr, size_t size,
							  enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr, size, dir);
}

/* Page pool */

/*
 * The pool's allocation cache is lockless: the owning NAPI instance may recycle
 * into it whenever it runs on this CPU. With bottom halves off it cannot run
 * meanwhile, whatever context the caller is in (process context at ring set-up,
 * or the poll itself, where this nests for free).
 */
__rust_helper netmem_ref rust_helper_netdev_page_pool_alloc_bh(struct page_pool *pool)
{
	netmem_ref netmem;

	local_bh_disable();
	netmem = page_pool_dev_alloc_netmems(pool);
	local_bh_enable();
	return netmem;
}

/* Takes @nr references to a page fresh from its pool: one per buffer cut from it. */
__rust_helper void rust_helper_page_pool_fragment_netmem(netmem_ref netmem, long nr)
{
	page_pool_fragment_netmem(netmem, nr);
}

/*
 * Whether bottom halves cannot be turned off and on here: hard interrupt context, or
 * interrupts disabled (local_bh_enable() would run softirqs with them off).
 */
__rust_helper bool rust_helper_netdev_bh_forbidden(void)
{
	return in_hardirq() || in_nmi() || irqs_disabled();
}

/*
 * napi_build_skb() takes its skb from a per-CPU cache that only bottom-half context
 * may use: with bottom halves off the caller may be anywhere (a poll, where this nests
 * for free, or a self-test in process context).
 */
__rust_helper struct sk_buff *rust_helper_netdev_napi_build_skb_bh(void *data,
								  unsigned int frag_size)
{
	struct sk_buff *skb;

	local_bh_disable();
	skb = napi_build_skb(data, frag_size);
	local_bh_enable();
	return skb;
}

/* Whether the device of a NAPI instance is registered (stable under the RTNL). */
__rust_helper bool rust_helper_netdev_napi_dev_registered(struct napi_struct *napi)
{
	return READ_ONCE(napi->dev->reg_state) == NETREG_REGISTERED;
}

/* Bytes handed to a transmit queue's byte queue limit and not completed yet. */
__rust_helper unsigned int rust_helper_netdev_bql_outstanding(struct netdev_queue *q)
{
#ifdef CONFIG_BQL
	return READ_ONCE(q->dql.num_queued) - q->dql.num_completed;
#else
	return UINT_MAX;
#endif
}

/* netif_queue_set_napi() for a transmit queue given by its struct. */
__rust_helper void rust_helper_netdev_txq_set_napi(struct netdev_queue *q,
						  struct napi_struct *napi)
{
	netif_queue_set_napi(q->dev, q - q->dev->_tx, NETDEV_QUEUE_TYPE_TX, napi);
}

__rust_helper struct page *rust_helper_netmem_to_page(netmem_ref netmem)
{
	return netmem_to_page(netmem);
}

__rust_helper dma_addr_t rust_helper_page_pool_get_dma_addr(const struct page *page)
{
	return page_pool_get_dma_addr(page);
}

__rust_helper void rust_helper_page_pool_put_full_page(struct page_pool *pool,
						       struct page *page,
						       bool allow_direct)
{
	page_pool_put_full_page(pool, page, allow_direct);
}

__rust_helper void rust_helper_page_pool_dma_sync_for_cpu(const struct page_pool *pool,
							  const struct page *page,
							  u32 offset, u32 len)
{
	page_pool_dma_sync_for_cpu(pool, page, offset, len);
}

/*
 * A received buffer goes back to its device without a trip through the pool: synced for
 * the device over all it may write, @len bytes at @offset in the page (only its own part
 * of a split page).
 */
__rust_helper void rust_helper_netdev_page_pool_sync_for_device(const struct page_pool *pool,
								struct page *page, u32 offset,
								u32 len)
{
	dma_sync_single_range_for_device(pool->p.dev, page_pool_get_dma_addr(page), offset, len,
					 pool->p.dma_dir);
}

__rust_helper void *rust_helper_netdev_page_address(struct page *page)
{
	return page_address(page);
}

__rust_helper unsigned int rust_helper_netdev_max_skb_frags(void)
{
	return MAX_SKB_FRAGS;
}

__rust_helper unsigned int rust_helper_netdev_skb_with_overhead(unsigned int size)
{
	return SKB_WITH_OVERHEAD(size);
}

__rust_helper bool rust_helper_netdev_skb_pp_recycle(const struct sk_buff *skb)
{
	return skb->pp_recycle;
}

__rust_helper void rust_helper_skb_add_rx_frag(struct sk_buff *skb, int i, struct page *page,
					       int off, int size, unsigned int truesize)
{
	skb_add_rx_frag(skb, i, page, off, size, truesize);
}

/* Copies up to @max multicast addresses of @dev into @out; list lock held by caller. */
__rust_helper int rust_helper_netdev_mc_copy(struct net_device *dev, u8 *out, int max)
{
	struct netdev_hw_addr *ha;
	int n = 0;

	netdev_for_each_mc_addr(ha, dev) {
		if (n == max)
			break;
		memcpy(out + n * ETH_ALEN, ha->addr, ETH_ALEN);
		n++;
	}
	return n;
}

/*
 * page_pool_params is made of struct_group_tagged() unions that bindgen
 * renders with generated names; build it here from plain arguments.
 */
__rust_helper struct page_pool *
rust_helper_page_pool_create_dma(struct device *dev, struct napi_struct *napi,
				 struct net_device *netdev, unsigned int pool_size,
				 unsigned int offset, unsigned int max_len,
				 unsigned int queue_idx)
{
	struct page_pool_params pp = {
		.order = 0,
		.flags = PP_FLAG_DMA_MAP | PP_FLAG_DMA_SYNC_DEV,
		.pool_size = pool_size,
		.nid = dev_to_node(dev),
		.dev = dev,
		.napi = napi,
		.netdev = netdev,
		.queue_idx = queue_idx,
		.dma_dir = DMA_FROM_DEVICE,
		.offset = offset,
		.max_len = max_len,
	};

	return page_pool_create(&pp);
}

__rust_helper void rust_helper_netdev_spin_lock_bh(spinlock_t *lock)
{
	spin_lock_bh(lock);
}

__rust_helper void rust_helper_netdev_spin_unlock_bh(spinlock_t *lock)
{
	spin_unlock_bh(lock);
}

__rust_helper void rust_helper_netif_tx_disable(struct net_device *dev)
{
	netif_tx_disable(dev);
}

__rust_helper int rust_helper_netdev_spin_trylock_bh(spinlock_t *lock)
{
	return spin_trylock_bh(lock);
}

__rust_helper struct sk_buff *rust_helper_alloc_skb(unsigned int size, gfp_t priority)
{
	return alloc_skb(size, priority);
}

__rust_helper void *rust_helper_skb_put_data(struct sk_buff *skb, const void *data,
					     unsigned int len)
{
	return skb_put_data(skb, data, len);
}

__rust_helper unsigned int rust_helper_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

__rust_helper int rust_helper_skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	return skb_cow_head(skb, headroom);
}

__rust_helper void rust_helper_netif_napi_set_irq(struct napi_struct *napi, int irq)
{
	netif_napi_set_irq(napi, irq);
}

/*
 * Calls the driver's ndo_set_rx_mode again with the address lists locked, as
 * __dev_set_rx_mode() does, for a driver whose reset cleared its receive filters. Only for an
 * interface that is up; the caller holds the RTNL.
 */
__rust_helper void rust_helper_netdev_resync_rx_mode(struct net_device *dev)
{
	if (!(dev->flags & IFF_UP) || !dev->netdev_ops->ndo_set_rx_mode)
		return;
	netif_addr_lock_bh(dev);
	dev->netdev_ops->ndo_set_rx_mode(dev);
	netif_addr_unlock_bh(dev);
}

__rust_helper u8 rust_helper_skb_tx_flags(const struct sk_buff *skb)
{
	return skb_shinfo(skb)->tx_flags;
}

__rust_helper void rust_helper_skb_set_tx_in_progress(struct sk_buff *skb)
{
	skb_shinfo(skb)->tx_flags |= SKBTX_IN_PROGRESS;
}

__rust_helper struct sk_buff *rust_helper_skb_get(struct sk_buff *skb)
{
	return skb_get(skb);
}

__rust_helper void rust_helper_skb_tx_timestamp(struct sk_buff *skb)
{
	skb_tx_timestamp(skb);
}

__rust_helper void rust_helper_skb_set_hwtstamp(struct sk_buff *skb, u64 ns)
{
	skb_hwtstamps(skb)->hwtstamp = ns_to_ktime(ns);
}

__rust_helper void rust_helper_ptp_read_system_prets(struct ptp_system_timestamp *sts)
{
	ptp_read_system_prets(sts);
}

__rust_helper void rust_helper_ptp_read_system_postts(struct ptp_system_timestamp *sts)
{
	ptp_read_system_postts(sts);
}

__rust_helper void rust_helper_timer_setup(struct timer_list *timer,
					   void (*func)(struct timer_list *),
					   unsigned int flags)
{
	timer_setup(timer, func, flags);
}

#ifdef CONFIG_RUST_NETDEV_KUNIT_TEST
#include <kunit/test.h>
#include <linux/dma-direct.h>
#include <linux/iommu.h>

/*
 * For the KUnit tests of the DMA abstractions: the kernel address of the memory a device
 * reaches at bus address @addr (the bounce slot under swiotlb, the IOMMU's translation of an
 * IOVA), or NULL if it is not lowmem. Only valid from a driver bound to @dev.
 */
__rust_helper void *rust_helper_netdev_kunit_device_view(struct device *dev, dma_addr_t addr)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	phys_addr_t phys;

	if (domain && (domain->type & __IOMMU_DOMAIN_PAGING))
		phys = iommu_iova_to_phys(domain, addr);
	else
		phys = dma_to_phys(dev, addr);
	if (!phys || !pfn_valid(PHYS_PFN(phys)) || PageHighMem(pfn_to_page(PHYS_PFN(phys))))
		return NULL;
	return phys_to_virt(phys);
}

__rust_helper void rust_helper_netdev_kunit_skip(struct kunit *test, const char *why)
{
	kunit_mark_skipped(test, "%s", why);
}
#endif
