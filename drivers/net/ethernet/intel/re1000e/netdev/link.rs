// SPDX-License-Identifier: GPL-2.0

//! Link state: reading and reporting it, and applying a new link configuration.

use super::*;

impl<'a> NetPriv<'a> {
    /// Reads the link state and reports it: carrier, and a speed or duplex change while
    /// the link stays up. Records whether the link is slow (10/100 Mb/s: no TSO on the
    /// 82574); the caller applies the conditions.
    pub(crate) fn update_link(&self, dev: &Device, rtnl: &Rtnl) {
        match hw::link(&self.bar) {
            Some((speed, full)) => {
                let seen = speed << 1 | u32::from(full);
                if self.link_seen.xchg(seen, Relaxed) != seen || !dev.carrier_ok() {
                    dev_info!(
                        self.pdev.as_ref(),
                        "{}: Link is Up {} Mbps {} Duplex\n",
                        dev.name(),
                        speed,
                        if full { "Full" } else { "Half" }
                    );
                }
                if !dev.carrier_ok() {
                    dev.carrier_on();
                }
                self.set_conditions(Conditions::SLOW_LINK, speed < 1000, rtnl);
            }
            None => {
                self.link_seen.store(0, Relaxed);
                if dev.carrier_ok() {
                    dev_info!(self.pdev.as_ref(), "{}: Link is Down\n", dev.name());
                    dev.carrier_off();
                }
            }
        }
    }

    /// Applies a new link configuration (ethtool), then reports the link as it is now.
    pub(crate) fn set_link_config(&self, dev: &Device, rtnl: &Rtnl, cfg: LinkConfig) -> Result {
        hw::program_link(&self.bar, cfg)?;
        self.link_cfg.set(rtnl, cfg.pack());
        if dev.is_running() {
            self.update_link(dev, rtnl);
            self.apply_conditions(dev, rtnl);
        }
        Ok(())
    }
}
