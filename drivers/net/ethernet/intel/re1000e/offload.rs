// SPDX-License-Identifier: GPL-2.0

//! The 82574's offload capabilities and the rules between them (`ndo_fix_features`).

use kernel::net::features::Features;

/// Offloads a user may switch (`hw_features`).
pub(crate) const TOGGLABLE: Features = Features::SG
    .union(Features::IP_CSUM)
    .union(Features::IPV6_CSUM)
    .union(Features::TSO)
    .union(Features::TSO6)
    .union(Features::HW_VLAN_CTAG_TX)
    .union(Features::HW_VLAN_CTAG_RX)
    .union(Features::RXCSUM);

/// Always on (`[fixed]` in ethtool): 64-bit DMA.
pub(crate) const FIXED: Features = Features::HIGHDMA;

/// What a VLAN device on top may use: the same per-packet offloads (the 82574 parses one
/// 802.1Q tag in front of IP for checksum and TSO).
pub(crate) const VLAN_INHERITED: Features = Features::SG
    .union(Features::IP_CSUM)
    .union(Features::IPV6_CSUM)
    .union(Features::TSO)
    .union(Features::TSO6);

/// Returns `wanted` with every feature removed whose prerequisite is missing. Stateless:
/// the result depends on `wanted` only.
pub(crate) fn fix(wanted: Features) -> Features {
    let mut f = wanted;
    // CTRL.VME both strips received tags and enables insertion: no insertion without it.
    if !f.contains(Features::HW_VLAN_CTAG_RX) {
        f -= Features::HW_VLAN_CTAG_TX;
    }
    // TSO needs scatter-gather and the checksum engine of its IP version.
    if !f.contains(Features::SG) {
        f -= Features::TSO | Features::TSO6;
    }
    if !f.contains(Features::IP_CSUM) {
        f -= Features::TSO;
    }
    if !f.contains(Features::IPV6_CSUM) {
        f -= Features::TSO6;
    }
    f
}

#[cfg(CONFIG_RE1000E_KUNIT_TEST)]
#[kernel::prelude::kunit_tests(re1000e_offload)]
mod tests {
    use super::*;

    /// Every subset of the togglable features (all submasks of its bits).
    fn subsets() -> impl Iterator<Item = Features> {
        let all = TOGGLABLE.raw();
        let mut next = Some(all);
        core::iter::from_fn(move || {
            let cur = next?;
            next = if cur == 0 {
                None
            } else {
                Some((cur - 1) & all)
            };
            Some(Features::from_raw(cur))
        })
    }

    #[test]
    fn fixed_result_is_a_fixed_point_within_the_request() {
        let mut count = 0;
        for w in subsets() {
            let f = fix(w);
            assert!(w.contains(f));
            assert_eq!(fix(f), f);
            count += 1;
        }
        assert_eq!(count, 1 << 8);
    }

    #[test]
    fn dependencies_hold() {
        for w in subsets() {
            let f = fix(w);
            if f.contains(Features::HW_VLAN_CTAG_TX) {
                assert!(f.contains(Features::HW_VLAN_CTAG_RX));
            }
            if f.intersects(Features::TSO | Features::TSO6) {
                assert!(f.contains(Features::SG));
            }
            if f.contains(Features::TSO) {
                assert!(f.contains(Features::IP_CSUM));
            }
            if f.contains(Features::TSO6) {
                assert!(f.contains(Features::IPV6_CSUM));
            }
        }
    }

    #[test]
    fn nothing_is_removed_without_reason() {
        assert_eq!(fix(TOGGLABLE), TOGGLABLE);
        assert_eq!(fix(Features::RXCSUM), Features::RXCSUM);
        assert_eq!(fix(Features::TSO | Features::IP_CSUM), Features::IP_CSUM);
    }
}
