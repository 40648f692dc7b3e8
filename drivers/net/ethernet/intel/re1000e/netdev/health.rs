// SPDX-License-Identifier: GPL-2.0

//! Device health: a device gone from the bus (surprise removal), and the offload
//! conditions (slow link, engine faults) that decide which features the hardware offers.

use super::*;

impl<'a> NetPriv<'a> {
    /// Whether the device is gone from the bus: surprise-removed, or behind a link that went
    /// down. Such a device answers configuration reads with all-ones (or the PCI core marked
    /// it disconnected), ignores register writes and reads back garbage (all-ones on real
    /// hardware, zeroes under QEMU), so it is asked through configuration space. Once gone
    /// it stays gone (reported the first time); until then each call costs one
    /// configuration read, so callers ask when the device stopped answering, not per packet.
    pub(crate) fn is_lost(&self) -> bool {
        if self.bar.lost.load(Relaxed) {
            return true;
        }
        if self.pdev.is_present() {
            return false;
        }
        if !self.bar.lost.xchg(true, Relaxed) {
            dev_err!(
                self.pdev.as_ref(),
                "device gone from the bus (surprise removal or PCIe link down)\n"
            );
        }
        true
    }

    /// `Err(ENODEV)` if the device is gone ([`NetPriv::is_lost`]).
    pub(crate) fn present(&self) -> Result {
        if self.is_lost() {
            Err(ENODEV)
        } else {
            Ok(())
        }
    }

    /// Detaches `dev` if its device is gone ([`NetPriv::is_lost`]): no more transmits, no
    /// open, ethtool answers `ENODEV`, no carrier. The data path stays as it is until
    /// `ndo_stop` releases it without touching the device. Returns whether it is gone.
    /// Any context.
    pub(crate) fn detach_if_lost(&self, dev: &Device) -> bool {
        if !self.is_lost() {
            return false;
        }
        if dev.is_present() {
            dev.device_detach();
            dev.carrier_off();
            self.link_seen.store(0, Relaxed);
        }
        true
    }

    /// The offload conditions in force.
    pub(crate) fn conditions(&self, rtnl: &Rtnl) -> Conditions {
        Conditions(self.conditions.get(rtnl))
    }

    /// Whether an offload engine fault is in force.
    pub(crate) fn has_faults(&self, rtnl: &Rtnl) -> bool {
        self.conditions(rtnl).0 & Conditions::FAULTS != 0
    }

    /// The link configuration.
    pub(crate) fn link_config(&self, rtnl: &Rtnl) -> LinkConfig {
        LinkConfig::unpack(self.link_cfg.get(rtnl))
    }

    /// Sets or clears condition bits `bits`; the caller holds the RTNL.
    pub(super) fn set_conditions(&self, bits: u32, on: bool, rtnl: &Rtnl) {
        let c = self.conditions.get(rtnl);
        self.conditions
            .set(rtnl, if on { c | bits } else { c & !bits });
    }

    /// Makes the device's feature sets follow the offload conditions, if they changed since
    /// last time: an engine fault or its recovery changes the hardware capabilities
    /// (`hw_features`, `vlan_features`; upper devices are told through
    /// `netdev_change_features`), a link speed change only the current configuration
    /// (`netdev_update_features`). Either way `ndo_fix_features` recomputes `features` from
    /// what the user wanted, and userspace gets `ETHTOOL_MSG_FEATURES_NTF` if it changed.
    /// Never called from inside a features callback.
    pub(crate) fn apply_conditions(&self, dev: &Device, rtnl: &Rtnl) {
        let now = self.conditions(rtnl);
        let before = Conditions(self.applied.replace(rtnl, now.0));
        if now == before {
            return;
        }
        if (now.0 ^ before.0) & Conditions::FAULTS != 0 {
            dev.set_hw_features(rtnl, offload::hw_features(now));
            dev.set_vlan_features(rtnl, offload::vlan_features(now));
            dev.change_features(rtnl);
        } else {
            dev.update_features(rtnl);
        }
    }

    /// Checks the offload engines' control registers against what the features say they
    /// should hold. An engine that lost its configuration is faulty: its offloads are
    /// withdrawn (a hardware capability change) until a reset verifies it again. Returns
    /// the fault bits found.
    pub(crate) fn check_engines(&self, dev: &Device, rtnl: &Rtnl) -> u32 {
        let known = self.conditions(rtnl).0 & Conditions::FAULTS;
        let found = self.engine_faults(dev.features()) & !known;
        if found != 0 {
            let which = match found {
                Conditions::FAULT_RX_CSUM => "receive checksum",
                Conditions::FAULT_VLAN => "VLAN",
                _ => "receive checksum and VLAN",
            };
            dev_err!(
                self.pdev.as_ref(),
                "{}: {} offload engine lost its configuration; withdrawing its offloads until the next reset\n",
                dev.name(),
                which
            );
            self.engine_faults.add(1, Relaxed);
            self.set_conditions(found, true, rtnl);
            self.apply_conditions(dev, rtnl);
        }
        found
    }

    /// Engines ([`Conditions`] fault bits) whose control registers do not hold what features
    /// `f` program into them.
    pub(super) fn engine_faults(&self, f: Features) -> u32 {
        hw::engine_faults(
            &self.bar,
            f.contains(Features::RXCSUM),
            f.contains(Features::HW_VLAN_CTAG_RX),
        )
    }

    /// Programs the feature bits in `changed` to their value in `f`, each checked by reading
    /// the register back.
    pub(super) fn program_features(
        &self,
        dev: &Device,
        rtnl: &Rtnl,
        changed: Features,
        f: Features,
    ) -> Result {
        if changed.contains(Features::HW_VLAN_CTAG_FILTER) {
            let on = Self::vlan_filtering(dev, f);
            hw::set_vlan_filter(&self.bar, &self.vlan_table(rtnl), on);
            if self.bar.read(regs::RCTL).vfe() != on {
                return Err(EIO);
            }
        }
        if changed.contains(Features::RXCSUM) {
            hw::set_rx_checksum(&self.bar, f.contains(Features::RXCSUM));
            if self.engine_faults(f) & Conditions::FAULT_RX_CSUM != 0 {
                return Err(EIO);
            }
        }
        if changed.contains(Features::HW_VLAN_CTAG_RX) {
            hw::set_vlan_mode(&self.bar, f.contains(Features::HW_VLAN_CTAG_RX));
            if self.engine_faults(f) & Conditions::FAULT_VLAN != 0 {
                return Err(EIO);
            }
        }
        if changed.contains(Features::RXHASH) {
            let on = f.contains(Features::RXHASH);
            hw::set_rss(&self.bar, on);
            if (self.bar.read(regs::MRQC).mrq().get() == 1) != on
                || self.bar.read(regs::RXCSUM).pcsd() != on
            {
                return Err(EIO);
            }
        }
        let modes = Features::RXFCS | Features::RXALL | Features::LOOPBACK;
        if changed.intersects(modes) {
            let (fcs, all, lb) = (
                f.contains(Features::RXFCS),
                f.contains(Features::RXALL),
                f.contains(Features::LOOPBACK),
            );
            hw::set_rx_modes(&self.bar, fcs, all, lb);
            let r = self.bar.read(regs::RCTL);
            if r.secrc() == fcs || r.sbp() != all || (r.lbm().get() == 3) != lb {
                return Err(EIO);
            }
        }
        Ok(())
    }
}
