// SPDX-License-Identifier: GPL-2.0

//! The 82574's offload capabilities, the runtime conditions that withhold some of them, and
//! the rules between features (`ndo_fix_features`).
//!
//! The hardware is described once, in NDIS terms ([`CAPS`]); the feature sets come from the
//! generic translation in `kernel::net::offload`. Two kinds of runtime change exist:
//!
//! - the *current configuration* changes while the hardware stays capable: at 10 or 100 Mb/s
//!   the 82574 family must not do TSO (the condition the C e1000e once handled in its
//!   watchdog). TSO stays in `hw_features`; [`fix`] withholds it while the link is slow.
//! - the *hardware capabilities* change: an offload engine lost its configuration
//!   (a fault). Its features leave `hw_features` and `vlan_features` ([`hw_features`],
//!   [`vlan_features`]), so `ethtool -K` refuses them, and [`fix`] withholds them, until
//!   a reset verifies the engine again.
//!
//! In both cases what the user asked for stays in `wanted_features` and comes back by itself.

use kernel::net::{
    features::Features,
    offload::{
        Capabilities,
        Checksum,
        Encapsulation,
        FeatureSets,
        Lso,
        ReceiveHash,
        Vlan, //
    },
};

/// The transmit checksum engine: context descriptors carry the IP and TCP/UDP offsets, so any
/// IPv4 options, IPv6 extension headers and TCP options are handled, with or without an
/// 802.1Q tag in the frame or inserted from the descriptor (datasheet 7.2.5).
const TX_CSUM: Checksum = Checksum {
    encapsulation: Encapsulation::ETHERNET_AND_VLAN,
    ip_options: true,
    tcp_options: true,
    tcp: true,
    udp: true,
};

/// The receive checksum engine (RXCSUM.IPOFLD/TUOFLD), TCP and UDP over IPv4 and IPv6.
const RX_CSUM: Checksum = TX_CSUM;

/// TCP segmentation (datasheet 7.2.4). The hardware takes up to 256 KiB of payload; the
/// driver's descriptor budget (context, head and 17 fragments) is sized for 64 KiB packets.
const LSO: Lso = Lso {
    encapsulation: Encapsulation::ETHERNET_AND_VLAN,
    max_offload_size: 65536,
    min_segment_count: 2,
    ip_options: true,
    tcp_options: true,
};

/// What the 82574L can offload.
pub(crate) const CAPS: Capabilities = Capabilities {
    ipv4_tx_checksum: Some(TX_CSUM),
    ipv4_rx_checksum: Some(RX_CSUM),
    ipv6_tx_checksum: Some(TX_CSUM),
    ipv6_rx_checksum: Some(RX_CSUM),
    ipv4_lso: Some(LSO),
    ipv6_lso: Some(LSO),
    // CTRL.VME switches insertion and stripping together; RCTL.VFE the VFTA filter.
    vlan: Vlan {
        insertion: true,
        stripping: true,
        filtering: true,
        insertion_tied_to_stripping: true,
    },
    // No tunnel parsing in the 82574.
    vxlan: None,
    gre: None,
    // MRQC hash types (datasheet 7.1.10.1).
    receive_hash: Some(ReceiveHash {
        ipv4: true,
        ipv4_tcp: true,
        ipv6: true,
        ipv6_tcp: true,
    }),
    scatter_gather: true,
    dma_64bit: true,
    // RCTL.SECRC, RCTL.SBP and RCTL.LBM.
    rx_fcs: true,
    rx_all: true,
    loopback: true,
    // No crypto in the 82574: the driver's own engine encrypts offloaded connections'
    // records in its transmit path and keeps their delegated state (netdev/tls.rs).
    tls_tx: cfg!(CONFIG_RE1000E_TLS),
};

/// The feature sets of [`CAPS`].
pub(crate) const SETS: FeatureSets = CAPS.translate();

/// Runtime conditions that withhold offloads, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Conditions(pub(crate) u32);

impl Conditions {
    /// The link runs at 10 or 100 Mb/s: no TSO.
    pub(crate) const SLOW_LINK: u32 = 1 << 0;
    /// The receive checksum engine (RXCSUM) lost its configuration.
    pub(crate) const FAULT_RX_CSUM: u32 = 1 << 1;
    /// The VLAN engine (CTRL.VME, VET) lost its configuration.
    pub(crate) const FAULT_VLAN: u32 = 1 << 2;
    /// The TLS transmit engine faulted (injected through devlink health); recovered through
    /// devlink health, not by a reset.
    pub(crate) const FAULT_TLS: u32 = 1 << 3;
    /// Faults of the hardware engines, which a reset verifies again.
    pub(crate) const HW_FAULTS: u32 = Self::FAULT_RX_CSUM | Self::FAULT_VLAN;
    /// Every fault bit.
    pub(crate) const FAULTS: u32 = Self::HW_FAULTS | Self::FAULT_TLS;

    /// Whether condition `bit` holds.
    pub(crate) const fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// Features an engine fault takes away (a hardware capability change).
const fn faulted(c: Conditions) -> Features {
    let mut f = Features::EMPTY;
    if c.has(Conditions::FAULT_RX_CSUM) {
        f = f.union(Features::RXCSUM);
    }
    if c.has(Conditions::FAULT_VLAN) {
        f = f
            .union(Features::HW_VLAN_CTAG_RX)
            .union(Features::HW_VLAN_CTAG_TX);
    }
    if c.has(Conditions::FAULT_TLS) {
        f = f.union(Features::HW_TLS_TX);
    }
    f
}

/// Features withheld under `c`, capability changes and configuration limits together.
pub(crate) const fn withheld(c: Conditions) -> Features {
    let mut f = faulted(c);
    if c.has(Conditions::SLOW_LINK) {
        f = f.union(Features::ALL_TSO);
    }
    f
}

/// `hw_features` under `c`: what a user may switch right now.
pub(crate) const fn hw_features(c: Conditions) -> Features {
    SETS.hw_features.difference(faulted(c))
}

/// `vlan_features` under `c`.
pub(crate) const fn vlan_features(c: Conditions) -> Features {
    SETS.vlan_features.difference(faulted(c))
}

/// `ndo_fix_features`: `wanted` without what `c` withholds, with the dependencies between
/// features applied (the 82574 adds none to those of [`Capabilities::fix`]: its VLAN tie is
/// in [`CAPS`]). Stateless: the result depends on `wanted` and `c` only.
pub(crate) const fn fix(wanted: Features, c: Conditions) -> Features {
    CAPS.fix(wanted.difference(withheld(c)))
}

#[cfg(CONFIG_RE1000E_KUNIT_TEST)]
#[kernel::prelude::kunit_tests(re1000e_offload)]
mod tests {
    use super::*;

    #[test]
    fn the_82574_translates_as_the_c_driver_advertises() {
        let togglable = Features::SG
            | Features::IP_CSUM
            | Features::IPV6_CSUM
            | Features::TSO
            | Features::TSO6
            | Features::HW_VLAN_CTAG_TX
            | Features::HW_VLAN_CTAG_RX
            | Features::HW_VLAN_CTAG_FILTER
            | Features::RXCSUM
            | Features::RXHASH
            | Features::RXFCS
            | Features::RXALL
            | Features::LOOPBACK
            | Features::HW_TLS_TX;
        assert_eq!(SETS.hw_features, togglable);
        assert_eq!(SETS.always_on, Features::HIGHDMA);
        assert_eq!(
            SETS.features,
            (togglable - (Features::RXFCS | Features::RXALL | Features::LOOPBACK))
                | Features::HIGHDMA
        );
        assert_eq!(
            SETS.vlan_features,
            Features::SG
                | Features::HIGHDMA
                | Features::IP_CSUM
                | Features::IPV6_CSUM
                | Features::TSO
                | Features::TSO6
        );
        assert_eq!(SETS.hw_enc_features, Features::SG | Features::HIGHDMA);
        assert_eq!(SETS.tso_max_size, 65536);
    }

    #[test]
    fn every_request_under_every_condition() {
        let mut n = 0u32;
        for c in 0..=(Conditions::SLOW_LINK | Conditions::FAULTS) {
            let c = Conditions(c);
            for w in SETS.hw_features.subsets() {
                let f = fix(w, c);
                // A fixed point, within the request and what the hardware offers now.
                assert_eq!(fix(f, c), f);
                assert!((w | SETS.always_on).contains(f));
                assert!((hw_features(c) | SETS.always_on).contains(f));
                assert!(!f.intersects(withheld(c)));
                // Dependencies.
                if f.intersects(Features::TSO | Features::TSO6) {
                    assert!(f.contains(Features::SG));
                }
                if f.contains(Features::TSO) {
                    assert!(f.contains(Features::IP_CSUM));
                }
                if f.contains(Features::TSO6) {
                    assert!(f.contains(Features::IPV6_CSUM));
                }
                assert_eq!(
                    f.contains(Features::HW_VLAN_CTAG_TX),
                    f.contains(Features::HW_VLAN_CTAG_RX)
                );
                if c.has(Conditions::SLOW_LINK) {
                    assert!(!f.intersects(Features::ALL_TSO));
                }
                if f.contains(Features::HW_TLS_TX) {
                    assert!(f.intersects(Features::IP_CSUM | Features::IPV6_CSUM));
                }
                n += 1;
            }
        }
        assert_eq!(n, 16 << 14);
    }

    #[test]
    fn nothing_is_removed_without_reason() {
        let none = Conditions::default();
        assert_eq!(
            fix(SETS.hw_features, none),
            SETS.hw_features | Features::HIGHDMA
        );
        assert_eq!(
            fix(Features::RXCSUM, none),
            Features::RXCSUM | Features::HIGHDMA
        );
        // What a slow link or a fault removes comes back when the condition clears.
        let all = SETS.features;
        let slow = fix(all, Conditions(Conditions::SLOW_LINK));
        assert_eq!(all - slow, Features::TSO | Features::TSO6);
        let fault = fix(all, Conditions(Conditions::FAULT_RX_CSUM));
        assert_eq!(all - fault, Features::RXCSUM);
        assert_eq!(fix(all, none), all);
    }

    #[test]
    fn faults_change_capabilities_slow_links_do_not() {
        let slow = Conditions(Conditions::SLOW_LINK);
        assert_eq!(hw_features(slow), SETS.hw_features);
        assert_eq!(vlan_features(slow), SETS.vlan_features);
        let vlan = Conditions(Conditions::FAULT_VLAN);
        assert_eq!(
            SETS.hw_features - hw_features(vlan),
            Features::HW_VLAN_CTAG_RX | Features::HW_VLAN_CTAG_TX
        );
        let tls = Conditions(Conditions::FAULT_TLS);
        assert_eq!(
            SETS.hw_features - hw_features(tls),
            SETS.hw_features & Features::HW_TLS_TX
        );
        assert_eq!(vlan_features(tls), SETS.vlan_features);
    }
}
