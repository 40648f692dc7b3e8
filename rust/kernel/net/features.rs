// SPDX-License-Identifier: GPL-2.0

//! Network device features (`netdev_features_t`, `NETIF_F_*`).
//!
//! C header: [`include/linux/netdev_features.h`](srctree/include/linux/netdev_features.h)
//!
//! [`Features`] is a plain set: it carries no device and can be computed and tested
//! anywhere. Reading and writing a device's feature sets goes through
//! [`net::Device`](super::dev::Device).

use crate::bindings;
use core::fmt;
use core::ops::{
    BitAnd,
    BitAndAssign,
    BitOr,
    BitOrAssign,
    BitXor,
    Not,
    Sub,
    SubAssign, //
};

/// A set of network device features, as `netdev_features_t`.
///
/// # Examples
///
/// ```
/// use kernel::net::features::Features;
///
/// let offered = Features::SG | Features::IP_CSUM | Features::TSO;
/// let wanted = Features::TSO | Features::LRO;
/// assert_eq!(offered & wanted, Features::TSO);
/// assert!(offered.contains(Features::SG | Features::TSO));
/// assert_eq!(wanted - offered, Features::LRO);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
#[repr(transparent)]
pub struct Features(u64);

macro_rules! features {
    ($($(#[$doc:meta])* $name:ident = $bit:ident, $string:literal;)*) => {
        impl Features {
            $(
                $(#[$doc])*
                pub const $name: Features = Features(1u64 << bindings::$bit);
            )*

            /// Every named feature with the name `ethtool -k` shows for it.
            pub const NAMED: &'static [(Features, &'static str)] = &[
                $((Features::$name, $string),)*
            ];
        }
    };
}

features! {
    /// Scatter/gather I/O.
    SG = NETIF_F_SG_BIT, "tx-scatter-gather";
    /// TCP/UDP checksum over IPv4 only.
    IP_CSUM = NETIF_F_IP_CSUM_BIT, "tx-checksum-ipv4";
    /// Checksum any protocol (the device takes csum_start/csum_offset).
    HW_CSUM = NETIF_F_HW_CSUM_BIT, "tx-checksum-ip-generic";
    /// TCP/UDP checksum over IPv6 only.
    IPV6_CSUM = NETIF_F_IPV6_CSUM_BIT, "tx-checksum-ipv6";
    /// DMA to high memory.
    HIGHDMA = NETIF_F_HIGHDMA_BIT, "highdma";
    /// Scatter/gather of frag lists.
    FRAGLIST = NETIF_F_FRAGLIST_BIT, "tx-scatter-gather-fraglist";
    /// 802.1Q tag insertion.
    HW_VLAN_CTAG_TX = NETIF_F_HW_VLAN_CTAG_TX_BIT, "tx-vlan-hw-insert";
    /// 802.1Q tag stripping.
    HW_VLAN_CTAG_RX = NETIF_F_HW_VLAN_CTAG_RX_BIT, "rx-vlan-hw-parse";
    /// 802.1Q receive filtering by VLAN id.
    HW_VLAN_CTAG_FILTER = NETIF_F_HW_VLAN_CTAG_FILTER_BIT, "rx-vlan-filter";
    /// The device cannot carry VLAN traffic.
    VLAN_CHALLENGED = NETIF_F_VLAN_CHALLENGED_BIT, "vlan-challenged";
    /// Generic segmentation offload in software.
    GSO = NETIF_F_GSO_BIT, "tx-generic-segmentation";
    /// Generic receive offload in software.
    GRO = NETIF_F_GRO_BIT, "rx-gro";
    /// Large receive offload.
    LRO = NETIF_F_LRO_BIT, "rx-lro";
    /// TCP segmentation offload over IPv4.
    TSO = NETIF_F_TSO_BIT, "tx-tcp-segmentation";
    /// GSO of packets the stack does not trust.
    GSO_ROBUST = NETIF_F_GSO_ROBUST_BIT, "tx-gso-robust";
    /// TSO of packets with ECN set.
    TSO_ECN = NETIF_F_TSO_ECN_BIT, "tx-tcp-ecn-segmentation";
    /// TSO that may rewrite the IPv4 id.
    TSO_MANGLEID = NETIF_F_TSO_MANGLEID_BIT, "tx-tcp-mangleid-segmentation";
    /// TCP segmentation offload over IPv6.
    TSO6 = NETIF_F_TSO6_BIT, "tx-tcp6-segmentation";
    /// GRE segmentation offload.
    GSO_GRE = NETIF_F_GSO_GRE_BIT, "tx-gre-segmentation";
    /// GRE-with-checksum segmentation offload.
    GSO_GRE_CSUM = NETIF_F_GSO_GRE_CSUM_BIT, "tx-gre-csum-segmentation";
    /// IP-in-IPv4 segmentation offload.
    GSO_IPXIP4 = NETIF_F_GSO_IPXIP4_BIT, "tx-ipxip4-segmentation";
    /// IP-in-IPv6 segmentation offload.
    GSO_IPXIP6 = NETIF_F_GSO_IPXIP6_BIT, "tx-ipxip6-segmentation";
    /// UDP tunnel (VXLAN, Geneve) segmentation offload.
    GSO_UDP_TUNNEL = NETIF_F_GSO_UDP_TUNNEL_BIT, "tx-udp_tnl-segmentation";
    /// UDP tunnel with outer checksum segmentation offload.
    GSO_UDP_TUNNEL_CSUM = NETIF_F_GSO_UDP_TUNNEL_CSUM_BIT, "tx-udp_tnl-csum-segmentation";
    /// Partial GSO.
    GSO_PARTIAL = NETIF_F_GSO_PARTIAL_BIT, "tx-gso-partial";
    /// UDP segmentation offload (USO).
    GSO_UDP_L4 = NETIF_F_GSO_UDP_L4_BIT, "tx-udp-segmentation";
    /// SCTP CRC32c offload.
    SCTP_CRC = NETIF_F_SCTP_CRC_BIT, "tx-checksum-sctp";
    /// n-tuple receive filters.
    NTUPLE = NETIF_F_NTUPLE_BIT, "rx-ntuple-filter";
    /// Receive hashing.
    RXHASH = NETIF_F_RXHASH_BIT, "rx-hashing";
    /// Receive checksum offload.
    RXCSUM = NETIF_F_RXCSUM_BIT, "rx-checksum";
    /// Use non-temporal copies.
    NOCACHE_COPY = NETIF_F_NOCACHE_COPY_BIT, "tx-nocache-copy";
    /// Loop transmitted frames back to receive.
    LOOPBACK = NETIF_F_LOOPBACK_BIT, "loopback";
    /// Keep the frame check sequence on received frames.
    RXFCS = NETIF_F_RXFCS_BIT, "rx-fcs";
    /// Receive errored frames too.
    RXALL = NETIF_F_RXALL_BIT, "rx-all";
    /// 802.1ad tag insertion.
    HW_VLAN_STAG_TX = NETIF_F_HW_VLAN_STAG_TX_BIT, "tx-vlan-stag-hw-insert";
    /// 802.1ad tag stripping.
    HW_VLAN_STAG_RX = NETIF_F_HW_VLAN_STAG_RX_BIT, "rx-vlan-stag-hw-parse";
    /// 802.1ad receive filtering.
    HW_VLAN_STAG_FILTER = NETIF_F_HW_VLAN_STAG_FILTER_BIT, "rx-vlan-stag-filter";
    /// Traffic-control offload.
    HW_TC = NETIF_F_HW_TC_BIT, "hw-tc-offload";
    /// kTLS transmit offload.
    HW_TLS_TX = NETIF_F_HW_TLS_TX_BIT, "tls-hw-tx-offload";
    /// kTLS receive offload.
    HW_TLS_RX = NETIF_F_HW_TLS_RX_BIT, "tls-hw-rx-offload";
    /// Hardware GRO.
    GRO_HW = NETIF_F_GRO_HW_BIT, "rx-gro-hw";
    /// GRO of frag lists.
    GRO_FRAGLIST = NETIF_F_GRO_FRAGLIST_BIT, "rx-gro-list";
    /// UDP GRO forwarding.
    GRO_UDP_FWD = NETIF_F_GRO_UDP_FWD_BIT, "rx-udp-gro-forwarding";
}

impl Features {
    /// The empty set.
    pub const EMPTY: Features = Features(0);

    /// Every TX checksum feature (`NETIF_F_CSUM_MASK`).
    pub const CSUM_MASK: Features = Features(Self::IP_CSUM.0 | Self::IPV6_CSUM.0 | Self::HW_CSUM.0);

    /// Every TCP segmentation feature.
    pub const ALL_TSO: Features =
        Features(Self::TSO.0 | Self::TSO6.0 | Self::TSO_ECN.0 | Self::TSO_MANGLEID.0);

    /// Creates a set from the raw `netdev_features_t` value.
    pub const fn from_raw(raw: u64) -> Self {
        Features(raw)
    }

    /// Returns the raw `netdev_features_t` value.
    pub const fn raw(self) -> u64 {
        self.0
    }

    /// Returns `true` if every feature of `other` is in `self`.
    pub const fn contains(self, other: Features) -> bool {
        self.0 & other.0 == other.0
    }

    /// Returns `true` if any feature of `other` is in `self`.
    pub const fn intersects(self, other: Features) -> bool {
        self.0 & other.0 != 0
    }

    /// Returns `true` for the empty set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Returns the union of `self` and `other`.
    pub const fn union(self, other: Features) -> Features {
        Features(self.0 | other.0)
    }

    /// Returns the features of `self` that are not in `other`.
    pub const fn difference(self, other: Features) -> Features {
        Features(self.0 & !other.0)
    }

    /// Returns the `ethtool -k` name of a single feature, if it has one.
    pub fn name(self) -> Option<&'static str> {
        Self::NAMED
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, n)| *n)
    }

    /// Iterates over every subset of the set (each submask of its bits), the set itself
    /// first and the empty set last: for exhaustive tests of feature rules.
    pub fn subsets(self) -> impl Iterator<Item = Features> {
        let all = self.0;
        let mut next = Some(all);
        core::iter::from_fn(move || {
            let cur = next?;
            next = (cur != 0).then(|| (cur - 1) & all);
            Some(Features(cur))
        })
    }

    /// Iterates over the single features in the set, lowest bit first.
    pub fn iter(self) -> impl Iterator<Item = Features> {
        (0..64)
            .map(|b| Features(1u64 << b))
            .filter(move |f| self.contains(*f))
    }
}

impl BitOr for Features {
    type Output = Features;
    fn bitor(self, rhs: Features) -> Features {
        Features(self.0 | rhs.0)
    }
}

impl BitOrAssign for Features {
    fn bitor_assign(&mut self, rhs: Features) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Features {
    type Output = Features;
    fn bitand(self, rhs: Features) -> Features {
        Features(self.0 & rhs.0)
    }
}

impl BitAndAssign for Features {
    fn bitand_assign(&mut self, rhs: Features) {
        self.0 &= rhs.0;
    }
}

impl BitXor for Features {
    type Output = Features;
    fn bitxor(self, rhs: Features) -> Features {
        Features(self.0 ^ rhs.0)
    }
}

impl SubAssign for Features {
    fn sub_assign(&mut self, rhs: Features) {
        self.0 &= !rhs.0;
    }
}

impl Sub for Features {
    type Output = Features;
    fn sub(self, rhs: Features) -> Features {
        Features(self.0 & !rhs.0)
    }
}

impl Not for Features {
    type Output = Features;
    fn not(self) -> Features {
        Features(!self.0)
    }
}

/// Shows the set as `ethtool -k` names, `bit N` for unnamed bits: `{tx-scatter-gather, rx-gro}`.
impl fmt::Display for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, feat) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match feat.name() {
                Some(n) => f.write_str(n)?,
                None => write!(f, "bit {}", feat.0.trailing_zeros())?,
            }
        }
        f.write_str("}")
    }
}

impl fmt::Debug for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Features({:#x} ", self.0)?;
        fmt::Display::fmt(self, f)?;
        f.write_str(")")
    }
}

#[cfg(CONFIG_RUST_NETDEV_KUNIT_TEST)]
#[macros::kunit_tests(rust_net_features)]
mod tests {
    use super::*;

    #[test]
    fn bits_match_c() {
        assert_eq!(Features::SG.raw(), 1u64 << bindings::NETIF_F_SG_BIT);
        assert_eq!(Features::TSO6.raw(), 1u64 << bindings::NETIF_F_TSO6_BIT);
        assert_eq!(
            Features::HW_TLS_TX.raw(),
            1u64 << bindings::NETIF_F_HW_TLS_TX_BIT
        );
    }

    #[test]
    fn named_bits_are_distinct_and_single() {
        let mut seen = Features::EMPTY;
        for (f, _) in Features::NAMED {
            assert_eq!(f.raw().count_ones(), 1);
            assert!(!seen.intersects(*f));
            seen |= *f;
        }
    }

    #[test]
    fn algebra() {
        let a = Features::SG | Features::TSO | Features::RXCSUM;
        let b = Features::TSO | Features::GRO;
        assert_eq!(a & b, Features::TSO);
        assert_eq!(a | b, a.union(b));
        assert_eq!(a - b, Features::SG | Features::RXCSUM);
        assert_eq!(a.difference(b), a - b);
        assert!(a.contains(Features::SG | Features::TSO));
        assert!(!a.contains(b));
        assert!(a.intersects(b));
        assert!((a - (a | b)).is_empty());
        assert_eq!(!Features::EMPTY & a, a);
        assert_eq!(a.iter().count(), 3);
        assert_eq!(a.subsets().count(), 8);
        assert!(a.subsets().all(|s| a.contains(s)));
        assert_eq!(Features::EMPTY.subsets().count(), 1);
    }

    #[test]
    fn names() {
        assert_eq!(Features::TSO.name(), Some("tx-tcp-segmentation"));
        assert_eq!((Features::SG | Features::TSO).name(), None);
        assert_eq!(Features::from_raw(1u64 << 63).name(), None);
    }
}
