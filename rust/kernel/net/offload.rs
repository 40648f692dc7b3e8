// SPDX-License-Identifier: GPL-2.0

//! Offload capabilities described in NDIS terms, and their translation into netdev features.
//!
//! Windows separates what a NIC *can* do (`NDIS_OFFLOAD`, reported through
//! `OID_TCP_OFFLOAD_HARDWARE_CAPABILITIES` and re-announced with
//! `NDIS_STATUS_TASK_OFFLOAD_HARDWARE_CAPABILITIES`) from what is switched on (the current
//! configuration). A Rust NIC driver describes its hardware once, as an [`Capabilities`]
//! value in those terms; [`Capabilities::translate`] turns it into the feature sets a
//! `net_device` carries ([`FeatureSets`]): `hw_features` (what a user may toggle), the
//! always-on bits, the initial `features`, what stacked devices inherit (`vlan_features`,
//! `hw_enc_features`, `mpls_features`) and the TSO limits. [`Capabilities::fix`] applies the
//! dependencies between features that the hardware description and the core imply; a driver
//! calls it from `ndo_fix_features` and adds rules of its own.
//!
//! Everything here is plain data and pure functions: no device, no lock, no allocation.
//!
//! The translation, field by field (see also
//! `Documentation/networking/device_drivers/ethernet/intel/re1000e.rst`):
//!
//! | NDIS capability | Linux |
//! |---|---|
//! | IPv4 transmit checksum, TCP **and** UDP, IP and TCP options | `NETIF_F_IP_CSUM` |
//! | IPv6 transmit checksum, TCP **and** UDP, extension headers and TCP options | `NETIF_F_IPV6_CSUM` |
//! | IPv4 or IPv6 receive checksum, TCP or UDP | `NETIF_F_RXCSUM` |
//! | LSOv1/LSOv2 IPv4, IP and TCP options, `MinSegmentCount` <= 2 | `NETIF_F_TSO` |
//! | LSOv2 IPv6, extension headers and TCP options, `MinSegmentCount` <= 2 | `NETIF_F_TSO6` |
//! | LSO `MaxOffLoadSize` | `tso_max_size` (the smallest over IPv4 and IPv6) |
//! | 802.1Q insertion / stripping / filtering | `NETIF_F_HW_VLAN_CTAG_TX` / `_RX` / `_FILTER` |
//! | an offload whose encapsulation includes 802.1Q (in band, and out of band when the NIC inserts tags) | the same bit in `vlan_features` |
//! | encapsulated-packet (VXLAN, GRE) checksum / LSO | `hw_enc_features` checksum / TSO bits and `NETIF_F_GSO_UDP_TUNNEL` / `NETIF_F_GSO_GRE` |
//! | receive hashing of any packet type | `NETIF_F_RXHASH` |
//! | scatter-gather DMA | `NETIF_F_SG`, inherited by every stacked device |
//! | 64-bit DMA addressing | `NETIF_F_HIGHDMA`, always on, inherited by every stacked device |
//! | receive the FCS / receive bad frames / MAC loopback | `NETIF_F_RXFCS` / `NETIF_F_RXALL` / `NETIF_F_LOOPBACK`, off by default |
//! | TCP connection offload of TLS 1.2 record encryption (the chimney's per-connection delegated state), with an IPv4 or IPv6 transmit checksum | `NETIF_F_HW_TLS_TX` |
//!
//! Linux has no feature bit for "IP options", "TCP options" or "IPv6 extension headers"
//! and no minimum segment count for GSO, so a capability that lacks one of them cannot be
//! promised for every packet: the translation withholds the feature instead of offering one
//! the hardware would get wrong. The IPv4 header checksum has no bit either: the stack always
//! computes it, and TSO hardware recomputes it per segment.

use super::features::Features;

/// Link-layer framings an offload understands (the `NDIS_ENCAPSULATION_*` flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Encapsulation {
    /// Plain Ethernet II frames (`NDIS_ENCAPSULATION_IEEE_802_3`).
    pub ethernet: bool,
    /// Frames carrying an 802.1Q tag in the packet data (`IEEE_802_3_P_AND_Q`).
    pub vlan_in_band: bool,
    /// Frames whose 802.1Q tag travels out of band, inserted or stripped by the NIC
    /// (`IEEE_802_3_P_AND_Q_IN_OOB`).
    pub vlan_out_of_band: bool,
}

impl Encapsulation {
    /// Ethernet with and without an 802.1Q tag, in band and out of band.
    pub const ETHERNET_AND_VLAN: Encapsulation = Encapsulation {
        ethernet: true,
        vlan_in_band: true,
        vlan_out_of_band: true,
    };
}

/// Checksum offload of one IP version in one direction (`NDIS_TCP_IP_CHECKSUM_OFFLOAD`
/// `IPv4Transmit`, `IPv4Receive`, `IPv6Transmit`, `IPv6Receive`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Checksum {
    /// Framings the engine parses.
    pub encapsulation: Encapsulation,
    /// IPv4 options (`IpOptionsSupported`) or IPv6 extension headers
    /// (`IpExtensionHeadersSupported`) are handled.
    pub ip_options: bool,
    /// TCP options are handled (`TcpOptionsSupported`).
    pub tcp_options: bool,
    /// TCP checksums (`TcpChecksum`).
    pub tcp: bool,
    /// UDP checksums (`UdpChecksum`).
    pub udp: bool,
}

/// Large send offload of one IP version (`NDIS_TCP_LARGE_SEND_OFFLOAD_V1`/`_V2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Lso {
    /// Framings the engine parses.
    pub encapsulation: Encapsulation,
    /// Largest packet handed to the NIC, headers included (`MaxOffLoadSize`).
    pub max_offload_size: u32,
    /// Fewest segments a packet must produce (`MinSegmentCount`).
    pub min_segment_count: u32,
    /// IPv4 options / IPv6 extension headers are handled.
    pub ip_options: bool,
    /// TCP options are handled.
    pub tcp_options: bool,
}

/// 802.1Q tag handling (`NDIS_MAC_OPTION_8021Q_VLAN` and the VLAN filter table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Vlan {
    /// The NIC inserts the tag given out of band.
    pub insertion: bool,
    /// The NIC strips received tags into the receive descriptor.
    pub stripping: bool,
    /// The NIC filters received frames by VLAN id.
    pub filtering: bool,
    /// Insertion and stripping are switched by one control: neither can be on alone.
    pub insertion_tied_to_stripping: bool,
}

/// Offloads of one tunnel type for the inner packet (`NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tunnel {
    /// Inner (and outer) checksums on transmit.
    pub checksum: bool,
    /// Segmentation of the inner TCP packet.
    pub lso: bool,
}

/// Receive hashing (`NDIS_RECEIVE_SCALE_CAPABILITIES` hash types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ReceiveHash {
    /// Hash over the IPv4 addresses.
    pub ipv4: bool,
    /// Hash over the IPv4 addresses and TCP ports.
    pub ipv4_tcp: bool,
    /// Hash over the IPv6 addresses.
    pub ipv6: bool,
    /// Hash over the IPv6 addresses and TCP ports.
    pub ipv6_tcp: bool,
}

/// What a NIC can offload (`NDIS_OFFLOAD` plus the receive-side and DMA facts Linux needs).
///
/// `None` means the hardware does not offer that service at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// IPv4 transmit checksum.
    pub ipv4_tx_checksum: Option<Checksum>,
    /// IPv4 receive checksum.
    pub ipv4_rx_checksum: Option<Checksum>,
    /// IPv6 transmit checksum.
    pub ipv6_tx_checksum: Option<Checksum>,
    /// IPv6 receive checksum.
    pub ipv6_rx_checksum: Option<Checksum>,
    /// LSO of IPv4 TCP (v1 or v2).
    pub ipv4_lso: Option<Lso>,
    /// LSO of IPv6 TCP (v2).
    pub ipv6_lso: Option<Lso>,
    /// 802.1Q tag handling.
    pub vlan: Vlan,
    /// VXLAN inner-packet offloads.
    pub vxlan: Option<Tunnel>,
    /// GRE (NVGRE) inner-packet offloads.
    pub gre: Option<Tunnel>,
    /// Receive hashing.
    pub receive_hash: Option<ReceiveHash>,
    /// Scatter-gather DMA of packet fragments.
    pub scatter_gather: bool,
    /// 64-bit DMA addresses.
    pub dma_64bit: bool,
    /// Received frames can keep their FCS.
    pub rx_fcs: bool,
    /// Frames with errors can be received.
    pub rx_all: bool,
    /// The MAC can loop transmitted frames back.
    pub loopback: bool,
    /// Per-connection TLS 1.2 transmit offload: the device (or its driver's engine) holds
    /// each offloaded connection's delegated state and encrypts its records. Offered only
    /// with a transmit checksum (the record's TCP checksum covers the ciphertext).
    pub tls_tx: bool,
}

/// Feature sets and limits of a `net_device`, the result of [`Capabilities::translate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureSets {
    /// What a user may switch (`hw_features`).
    pub hw_features: Features,
    /// Always on, not switchable (ethtool shows them `[fixed]`).
    pub always_on: Features,
    /// The initial `features`: everything offered, except the diagnostic receive modes.
    pub features: Features,
    /// What an 802.1Q device on top inherits (`vlan_features`).
    pub vlan_features: Features,
    /// What a tunnel device on top inherits (`hw_enc_features`).
    pub hw_enc_features: Features,
    /// What MPLS traffic may use (`mpls_features`).
    pub mpls_features: Features,
    /// Largest GSO packet in bytes (`netif_set_tso_max_size`).
    pub tso_max_size: u32,
    /// Largest number of GSO segments (`netif_set_tso_max_segs`).
    pub tso_max_segs: u32,
}

/// `GSO_MAX_SEGS`: the segment limit when the hardware states none.
pub const GSO_MAX_SEGS: u32 = 65535;
/// `GSO_LEGACY_MAX_SIZE`: the size limit of a device that offers no LSO.
pub const GSO_LEGACY_MAX_SIZE: u32 = 65536;

/// Diagnostic receive modes: offered, but off until a user asks.
const OFF_BY_DEFAULT: Features = Features::RXFCS
    .union(Features::RXALL)
    .union(Features::LOOPBACK);

impl Checksum {
    /// The engine checksums TCP and UDP with any options: what `NETIF_F_IP_CSUM` and
    /// `NETIF_F_IPV6_CSUM` promise.
    const fn full_tx(&self) -> bool {
        self.encapsulation.ethernet && self.tcp && self.udp && self.ip_options && self.tcp_options
    }

    /// The engine verifies at least one transport checksum.
    const fn any_rx(&self) -> bool {
        self.encapsulation.ethernet && (self.tcp || self.udp)
    }
}

impl Lso {
    /// Every TCP packet the stack may hand over can be segmented.
    const fn usable(&self) -> bool {
        self.encapsulation.ethernet
            && self.ip_options
            && self.tcp_options
            && self.min_segment_count <= 2
            && self.max_offload_size > 0
    }
}

/// Whether an offload with framings `e` may be inherited by 802.1Q devices: the tag is in
/// the frame when insertion is off, and out of band when the NIC inserts it.
const fn vlan_ok(e: &Encapsulation, insertion: bool) -> bool {
    e.vlan_in_band && (!insertion || e.vlan_out_of_band)
}

/// `f` if `cond`, else nothing.
const fn when(cond: bool, f: Features) -> Features {
    if cond {
        f
    } else {
        Features::EMPTY
    }
}

impl Capabilities {
    /// Translates the description into feature sets; see the module documentation for the
    /// table. A pure function: equal inputs give equal outputs.
    pub const fn translate(&self) -> FeatureSets {
        let ins = self.vlan.insertion;
        let sg = self.scatter_gather;

        let (ip_csum, ip_csum_vlan) = match &self.ipv4_tx_checksum {
            Some(c) if c.full_tx() => (true, vlan_ok(&c.encapsulation, ins)),
            _ => (false, false),
        };
        let (ip6_csum, ip6_csum_vlan) = match &self.ipv6_tx_checksum {
            Some(c) if c.full_tx() => (true, vlan_ok(&c.encapsulation, ins)),
            _ => (false, false),
        };
        let rx4 = matches!(&self.ipv4_rx_checksum, Some(c) if c.any_rx());
        let rx6 = matches!(&self.ipv6_rx_checksum, Some(c) if c.any_rx());

        // TSO needs scatter-gather and the transmit checksum of its IP version (the core
        // would drop it otherwise: `netdev_fix_features`).
        let mut tso_max_size = u32::MAX;
        let (tso, tso_vlan) = match &self.ipv4_lso {
            Some(l) if l.usable() && sg && ip_csum => {
                if l.max_offload_size < tso_max_size {
                    tso_max_size = l.max_offload_size;
                }
                (true, ip_csum_vlan && vlan_ok(&l.encapsulation, ins))
            }
            _ => (false, false),
        };
        let (tso6, tso6_vlan) = match &self.ipv6_lso {
            Some(l) if l.usable() && sg && ip6_csum => {
                if l.max_offload_size < tso_max_size {
                    tso_max_size = l.max_offload_size;
                }
                (true, ip6_csum_vlan && vlan_ok(&l.encapsulation, ins))
            }
            _ => (false, false),
        };
        if tso_max_size == u32::MAX {
            tso_max_size = GSO_LEGACY_MAX_SIZE;
        }

        let rxhash = match &self.receive_hash {
            Some(h) => h.ipv4 || h.ipv4_tcp || h.ipv6 || h.ipv6_tcp,
            None => false,
        };

        let vxlan_csum = matches!(&self.vxlan, Some(t) if t.checksum);
        let vxlan_lso = matches!(&self.vxlan, Some(t) if t.checksum && t.lso) && sg;
        let gre_csum = matches!(&self.gre, Some(t) if t.checksum);
        let gre_lso = matches!(&self.gre, Some(t) if t.checksum && t.lso) && sg;
        let tunnel_csum = vxlan_csum || gre_csum;
        let tunnel_lso = vxlan_lso || gre_lso;

        // Scatter-gather and 64-bit DMA need no parsing of the packet: valid for any
        // encapsulation.
        let agnostic = when(sg, Features::SG).union(when(self.dma_64bit, Features::HIGHDMA));

        let hw_features = when(sg, Features::SG)
            .union(when(ip_csum, Features::IP_CSUM))
            .union(when(ip6_csum, Features::IPV6_CSUM))
            .union(when(rx4 || rx6, Features::RXCSUM))
            .union(when(tso, Features::TSO))
            .union(when(tso6, Features::TSO6))
            .union(when(self.vlan.insertion, Features::HW_VLAN_CTAG_TX))
            .union(when(self.vlan.stripping, Features::HW_VLAN_CTAG_RX))
            .union(when(self.vlan.filtering, Features::HW_VLAN_CTAG_FILTER))
            .union(when(rxhash, Features::RXHASH))
            .union(when(vxlan_lso, Features::GSO_UDP_TUNNEL))
            .union(when(gre_lso, Features::GSO_GRE))
            .union(when(self.rx_fcs, Features::RXFCS))
            .union(when(self.rx_all, Features::RXALL))
            .union(when(self.loopback, Features::LOOPBACK))
            .union(when(
                self.tls_tx && (ip_csum || ip6_csum),
                Features::HW_TLS_TX,
            ));
        let always_on = when(self.dma_64bit, Features::HIGHDMA);

        let vlan_features = agnostic
            .union(when(ip_csum_vlan, Features::IP_CSUM))
            .union(when(ip6_csum_vlan, Features::IPV6_CSUM))
            .union(when(tso_vlan, Features::TSO))
            .union(when(tso6_vlan, Features::TSO6));

        let hw_enc_features = agnostic
            .union(when(tunnel_csum && ip_csum, Features::IP_CSUM))
            .union(when(tunnel_csum && ip6_csum, Features::IPV6_CSUM))
            .union(when(tunnel_lso && tso, Features::TSO))
            .union(when(tunnel_lso && tso6, Features::TSO6));

        FeatureSets {
            hw_features,
            always_on,
            features: hw_features.difference(OFF_BY_DEFAULT).union(always_on),
            vlan_features,
            hw_enc_features,
            // Nothing in NDIS describes MPLS parsing: only what needs no parsing.
            mpls_features: agnostic,
            tso_max_size,
            tso_max_segs: GSO_MAX_SEGS,
        }
    }

    /// Applies the dependencies between features to a request, for `ndo_fix_features`:
    /// keeps only what [`Capabilities::translate`] offers (plus bits outside the hardware's
    /// reach, which the core manages), ties VLAN insertion to stripping where the hardware
    /// does, and removes TSO without scatter-gather or the checksum of its IP version, and
    /// kTLS offloads without the checksums they need. Stateless: the result depends on
    /// `wanted` and `self` only, and is a fixed point (`fix(fix(w)) == fix(w)`).
    pub const fn fix(&self, wanted: Features) -> Features {
        let sets = self.translate();
        let offered = sets.hw_features.union(sets.always_on);
        // Bits no capability describes are the core's (GSO, GRO, ...): leave them alone.
        let hardware = HARDWARE_BITS;
        let mut f = wanted
            .difference(hardware.difference(offered))
            .union(sets.always_on);

        if self.vlan.insertion_tied_to_stripping
            && !(f.contains(Features::HW_VLAN_CTAG_TX) && f.contains(Features::HW_VLAN_CTAG_RX))
        {
            f = f.difference(Features::HW_VLAN_CTAG_TX.union(Features::HW_VLAN_CTAG_RX));
        }
        if !f.contains(Features::SG) {
            f = f.difference(
                Features::ALL_TSO.union(Features::GSO_UDP_TUNNEL.union(Features::GSO_GRE)),
            );
        }
        if !f.contains(Features::IP_CSUM) {
            f = f.difference(Features::TSO);
        }
        if !f.contains(Features::IPV6_CSUM) {
            f = f.difference(Features::TSO6);
        }
        if !f.intersects(Features::CSUM_MASK) {
            f = f.difference(Features::HW_TLS_TX);
        }
        if !f.contains(Features::RXCSUM) {
            f = f.difference(Features::HW_TLS_RX);
        }
        f
    }
}

/// Every bit a [`Capabilities`] value can offer: the rest belongs to the core.
pub const HARDWARE_BITS: Features = Features::SG
    .union(Features::IP_CSUM)
    .union(Features::IPV6_CSUM)
    .union(Features::HW_CSUM)
    .union(Features::RXCSUM)
    .union(Features::ALL_TSO)
    .union(Features::HW_VLAN_CTAG_TX)
    .union(Features::HW_VLAN_CTAG_RX)
    .union(Features::HW_VLAN_CTAG_FILTER)
    .union(Features::RXHASH)
    .union(Features::GSO_UDP_TUNNEL)
    .union(Features::GSO_GRE)
    .union(Features::RXFCS)
    .union(Features::RXALL)
    .union(Features::LOOPBACK)
    .union(Features::HIGHDMA);

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[macros::kunit_tests(rust_net_offload)]
mod tests {
    use super::*;

    const FULL_CSUM: Checksum = Checksum {
        encapsulation: Encapsulation::ETHERNET_AND_VLAN,
        ip_options: true,
        tcp_options: true,
        tcp: true,
        udp: true,
    };

    const FULL_LSO: Lso = Lso {
        encapsulation: Encapsulation::ETHERNET_AND_VLAN,
        max_offload_size: 65536,
        min_segment_count: 2,
        ip_options: true,
        tcp_options: true,
    };

    /// A NIC offering everything this model describes, without tunnels.
    const RICH: Capabilities = Capabilities {
        ipv4_tx_checksum: Some(FULL_CSUM),
        ipv4_rx_checksum: Some(FULL_CSUM),
        ipv6_tx_checksum: Some(FULL_CSUM),
        ipv6_rx_checksum: Some(FULL_CSUM),
        ipv4_lso: Some(FULL_LSO),
        ipv6_lso: Some(FULL_LSO),
        vlan: Vlan {
            insertion: true,
            stripping: true,
            filtering: true,
            insertion_tied_to_stripping: false,
        },
        vxlan: None,
        gre: None,
        receive_hash: Some(ReceiveHash {
            ipv4: true,
            ipv4_tcp: true,
            ipv6: true,
            ipv6_tcp: true,
        }),
        scatter_gather: true,
        dma_64bit: true,
        rx_fcs: true,
        rx_all: true,
        loopback: true,
        tls_tx: true,
    };

    #[test]
    fn nothing_offers_nothing() {
        let s = Capabilities::default().translate();
        assert_eq!(s.hw_features, Features::EMPTY);
        assert_eq!(s.always_on, Features::EMPTY);
        assert_eq!(s.features, Features::EMPTY);
        assert_eq!(s.vlan_features, Features::EMPTY);
        assert_eq!(s.hw_enc_features, Features::EMPTY);
        assert_eq!(s.mpls_features, Features::EMPTY);
        assert_eq!(s.tso_max_size, GSO_LEGACY_MAX_SIZE);
        assert_eq!(s.tso_max_segs, GSO_MAX_SEGS);
    }

    #[test]
    fn rich_nic() {
        let s = RICH.translate();
        let expect = Features::SG
            | Features::IP_CSUM
            | Features::IPV6_CSUM
            | Features::RXCSUM
            | Features::TSO
            | Features::TSO6
            | Features::HW_VLAN_CTAG_TX
            | Features::HW_VLAN_CTAG_RX
            | Features::HW_VLAN_CTAG_FILTER
            | Features::RXHASH
            | Features::RXFCS
            | Features::RXALL
            | Features::LOOPBACK
            | Features::HW_TLS_TX;
        assert_eq!(s.hw_features, expect);
        assert_eq!(s.always_on, Features::HIGHDMA);
        assert_eq!(
            s.features,
            (expect - (Features::RXFCS | Features::RXALL | Features::LOOPBACK)) | Features::HIGHDMA
        );
        assert_eq!(
            s.vlan_features,
            Features::SG
                | Features::HIGHDMA
                | Features::IP_CSUM
                | Features::IPV6_CSUM
                | Features::TSO
                | Features::TSO6
        );
        // No tunnel offloads: tunnels inherit only what needs no parsing.
        assert_eq!(s.hw_enc_features, Features::SG | Features::HIGHDMA);
        assert_eq!(s.mpls_features, Features::SG | Features::HIGHDMA);
        assert_eq!(s.tso_max_size, 65536);
    }

    #[test]
    fn tls_transmit_offload_needs_a_transmit_checksum() {
        let mut caps = RICH;
        caps.ipv4_tx_checksum = None;
        assert!(caps.translate().features.contains(Features::HW_TLS_TX));
        caps.ipv6_tx_checksum = None;
        assert!(!caps.translate().hw_features.contains(Features::HW_TLS_TX));
        caps = RICH;
        caps.tls_tx = false;
        assert!(!caps.translate().hw_features.contains(Features::HW_TLS_TX));
    }

    #[test]
    fn each_checksum_condition_is_required() {
        let weaken: [fn(&mut Checksum); 5] = [
            |c| c.tcp = false,
            |c| c.udp = false,
            |c| c.ip_options = false,
            |c| c.tcp_options = false,
            |c| c.encapsulation.ethernet = false,
        ];
        for w in weaken {
            let mut caps = RICH;
            let mut c = FULL_CSUM;
            w(&mut c);
            caps.ipv4_tx_checksum = Some(c);
            let s = caps.translate();
            assert!(!s.hw_features.contains(Features::IP_CSUM));
            // TSO over IPv4 goes with its checksum; IPv6 is untouched.
            assert!(!s.hw_features.contains(Features::TSO));
            assert!(s.hw_features.contains(Features::IPV6_CSUM | Features::TSO6));
        }
        // Receive: either transport protocol suffices.
        let mut caps = RICH;
        caps.ipv4_rx_checksum = Some(Checksum {
            udp: false,
            ..FULL_CSUM
        });
        caps.ipv6_rx_checksum = None;
        assert!(caps.translate().hw_features.contains(Features::RXCSUM));
        caps.ipv4_rx_checksum = None;
        assert!(!caps.translate().hw_features.contains(Features::RXCSUM));
    }

    #[test]
    fn lso_conditions_and_limits() {
        let mut caps = RICH;
        caps.ipv4_lso = Some(Lso {
            min_segment_count: 3,
            ..FULL_LSO
        });
        assert!(!caps.translate().hw_features.contains(Features::TSO));

        let mut caps = RICH;
        caps.ipv6_lso = Some(Lso {
            tcp_options: false,
            ..FULL_LSO
        });
        assert!(!caps.translate().hw_features.contains(Features::TSO6));

        let mut caps = RICH;
        caps.ipv6_lso = Some(Lso {
            max_offload_size: 32768,
            ..FULL_LSO
        });
        assert_eq!(caps.translate().tso_max_size, 32768);

        let mut caps = RICH;
        caps.scatter_gather = false;
        let s = caps.translate();
        assert!(!s
            .hw_features
            .intersects(Features::SG | Features::TSO | Features::TSO6));
        assert!(s.hw_features.contains(Features::IP_CSUM));
    }

    #[test]
    fn vlan_inheritance_follows_encapsulation() {
        let mut caps = RICH;
        caps.ipv6_tx_checksum = Some(Checksum {
            encapsulation: Encapsulation {
                ethernet: true,
                vlan_in_band: true,
                vlan_out_of_band: false,
            },
            ..FULL_CSUM
        });
        // The NIC inserts tags, but the IPv6 engine cannot see an out-of-band tag.
        let s = caps.translate();
        assert!(s.hw_features.contains(Features::IPV6_CSUM | Features::TSO6));
        assert!(!s
            .vlan_features
            .intersects(Features::IPV6_CSUM | Features::TSO6));
        assert!(s.vlan_features.contains(Features::IP_CSUM | Features::TSO));
        // Without insertion the tag is always in band: inherited again.
        caps.vlan.insertion = false;
        assert!(caps.translate().vlan_features.contains(Features::IPV6_CSUM));
    }

    #[test]
    fn tunnels() {
        let mut caps = RICH;
        caps.vxlan = Some(Tunnel {
            checksum: true,
            lso: true,
        });
        let s = caps.translate();
        assert!(s.hw_features.contains(Features::GSO_UDP_TUNNEL));
        assert!(!s.hw_features.contains(Features::GSO_GRE));
        assert!(s
            .hw_enc_features
            .contains(Features::IP_CSUM | Features::IPV6_CSUM | Features::TSO | Features::TSO6));
        caps.vxlan = Some(Tunnel {
            checksum: true,
            lso: false,
        });
        let s = caps.translate();
        assert!(!s.hw_features.contains(Features::GSO_UDP_TUNNEL));
        assert!(!s.hw_enc_features.intersects(Features::TSO | Features::TSO6));
        assert!(s.hw_enc_features.contains(Features::IP_CSUM));
    }

    #[test]
    fn fix_is_a_fixed_point_within_the_offer() {
        for tied in [false, true] {
            let mut caps = RICH;
            caps.vlan.insertion_tied_to_stripping = tied;
            let s = caps.translate();
            let mut n = 0u32;
            for w in (s.hw_features | Features::HW_TLS_TX | Features::HW_TLS_RX).subsets() {
                let f = caps.fix(w);
                assert_eq!(caps.fix(f), f);
                assert!(f.contains(s.always_on));
                assert!(
                    (s.hw_features | s.always_on | Features::HW_TLS_TX | Features::HW_TLS_RX)
                        .contains(f)
                );
                assert!((w | s.always_on).contains(f));
                if f.contains(Features::TSO) {
                    assert!(f.contains(Features::SG | Features::IP_CSUM));
                }
                if f.contains(Features::TSO6) {
                    assert!(f.contains(Features::SG | Features::IPV6_CSUM));
                }
                if tied {
                    assert_eq!(
                        f.contains(Features::HW_VLAN_CTAG_TX),
                        f.contains(Features::HW_VLAN_CTAG_RX)
                    );
                }
                if f.contains(Features::HW_TLS_TX) {
                    assert!(f.intersects(Features::CSUM_MASK));
                }
                if f.contains(Features::HW_TLS_RX) {
                    assert!(f.contains(Features::RXCSUM));
                }
                n += 1;
            }
            assert_eq!(n, 1 << 15);
        }
    }

    #[test]
    fn fix_keeps_core_bits_and_drops_unoffered_ones() {
        let caps = Capabilities {
            scatter_gather: true,
            ..Capabilities::default()
        };
        let w = Features::GRO | Features::GSO | Features::SG | Features::RXHASH;
        assert_eq!(caps.fix(w), Features::GRO | Features::GSO | Features::SG);
    }
}
