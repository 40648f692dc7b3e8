// SPDX-License-Identifier: GPL-2.0

//! PCI binding: the device table, probe and unbind.

use kernel::{
    device::{
        Bound,
        Core, //
    },
    pci,
    prelude::*, //
};

use crate::{
    mac,
    nvm,
    regs, //
};

/// BAR0: the 82574 memory-mapped register window.
pub(crate) type Bar0<'a> = pci::Bar<'a, { regs::BAR0_SIZE }>;

/// PCI device ID of the Intel 82574L.
const DEV_ID_82574L: u32 = 0x10d3;

/// Per-device state while re1000e is bound.
///
/// Field order is teardown order: the register mapping is released before the device is
/// disabled.
pub(crate) struct Adapter<'bound> {
    pdev: &'bound pci::Device<Bound>,
    bar: Bar0<'bound>,
    perm_addr: [u8; 6],
    _enabled: pci::EnabledDevice<'bound>,
}

/// The re1000e PCI driver.
pub(crate) struct Re1000e;

kernel::pci_device_table!(
    PCI_TABLE,
    <Re1000e as pci::Driver>::IdInfo,
    [(
        pci::DeviceId::from_id(pci::Vendor::INTEL, DEV_ID_82574L),
        ()
    )]
);

impl pci::Driver for Re1000e {
    type IdInfo = ();
    type Data<'bound> = Adapter<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let enabled = pdev.enable_device_mem_master()?;
        let bar = pdev.iomap_region_sized::<{ regs::BAR0_SIZE }>(0, c"re1000e")?;
        let dev: &kernel::device::Device = pdev.as_ref();

        mac::reset(dev, &bar)?;
        let perm_addr = nvm::read_permanent_mac(dev, &bar)?;
        match mac::read_rar0(&bar) {
            Some(rar0) if rar0 != perm_addr => dev_warn!(
                dev,
                "receive address 0 {:02x?} differs from the NVM address\n",
                rar0
            ),
            None => dev_warn!(dev, "receive address 0 is not valid after reset\n"),
            _ => {}
        }
        mac::set_driver_loaded(&bar, true);

        dev_info!(
            dev,
            "Intel 82574L (rev {:#04x}), NVM checksum ok, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n",
            pdev.revision_id(),
            perm_addr[0],
            perm_addr[1],
            perm_addr[2],
            perm_addr[3],
            perm_addr[4],
            perm_addr[5]
        );

        Ok(Adapter {
            pdev,
            bar,
            perm_addr,
            _enabled: enabled,
        })
    }

    fn unbind<'bound>(pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        mac::stop(pdev.as_ref(), &this.bar);
    }
}

impl Drop for Adapter<'_> {
    fn drop(&mut self) {
        dev_dbg!(
            self.pdev.as_ref(),
            "released 82574L {:02x?}\n",
            self.perm_addr
        );
    }
}
