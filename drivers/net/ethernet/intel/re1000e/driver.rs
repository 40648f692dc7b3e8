// SPDX-License-Identifier: GPL-2.0

//! PCI binding: the device table, probe and the bound state.

use kernel::{
    device::Core,
    net::{
        dev::{
            Config,
            IrqPlan,
            Registration, //
        },
        ptp::ClockInfo,
    },
    pci,
    prelude::*, //
};

use crate::{
    fifo,
    hw,
    mac,
    netdev::{
        Net,
        NetPriv, //
    },
    nvm,
    offload,
    regs, //
};

/// PCI device ID of the Intel 82574L.
const DEV_ID_82574L: u32 = 0x10d3;

/// Interrupt vector names after the interface's, by slot: with MSI-X the receive, transmit
/// and other vectors ([`hw::VEC_RX`] and the others: `eth0-rx-0`, `eth0-tx-0`, `eth0`, as
/// the C driver); with MSI or INTx the one vector takes the interface name.
const IRQ_NAMES: &[&CStr] = &[c"rx-0", c"tx-0", c""];

/// State while re1000e is bound to a device.
///
/// Field order is teardown order: the interface (with its interrupts and register mapping)
/// goes first, the PCI device is disabled last.
pub(crate) struct Adapter<'bound> {
    _netdev: Registration<'bound, Net>,
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

/// What the interface starts with: the feature sets translated from the 82574's
/// capabilities ([`offload::CAPS`]).
fn config(perm_addr: [u8; 6]) -> Config {
    let sets = offload::SETS;
    Config {
        address: perm_addr,
        queues: (1, 1),
        mtu_range: (68, crate::netdev::MAX_MTU),
        hw_features: sets.hw_features,
        features: sets.features,
        vlan_features: sets.vlan_features,
        hw_enc_features: sets.hw_enc_features,
        mpls_features: sets.mpls_features,
        tso_max_size: sets.tso_max_size,
        tso_max_segs: sets.tso_max_segs,
        watchdog_ms: 5000,
        ptp: Some(ClockInfo {
            name: c"re1000e",
            max_adj_ppb: crate::tsync::MAX_ADJ_PPB,
            owner: kernel::module::this_module::<crate::LocalModule>(),
        }),
    }
}

/// The interrupt vectors to ask for with module parameter `int_mode`: MSI-X (one vector per
/// role), MSI or INTx, each falling back to the simpler ones.
fn irq_plan(dev: &kernel::device::Device, int_mode: u32) -> Result<IrqPlan> {
    let intx = pci::IrqTypes::default().with(pci::IrqType::Intx);
    let (types, max) = match int_mode {
        0 => (intx, 1),
        1 => (intx.with(pci::IrqType::Msi), 1),
        2 => (
            intx.with(pci::IrqType::Msi).with(pci::IrqType::MsiX),
            hw::VEC_OTHER + 1,
        ),
        _ => {
            dev_err!(
                dev,
                "int_mode={} is not 0 (INTx), 1 (MSI) or 2 (MSI-X)\n",
                int_mode
            );
            return Err(EINVAL);
        }
    };
    Ok(IrqPlan {
        min: 1,
        max,
        types,
        names: IRQ_NAMES,
    })
}

fn probe_device<'bound>(pdev: &'bound pci::Device<Core<'_>>) -> Result<Adapter<'bound>> {
    // A device that left the bus (surprise removal the PCI core was not told of) answers
    // nothing: every step below would only time out.
    if !pdev.is_present() {
        dev_err!(pdev.as_ref(), "device does not answer on the bus\n");
        return Err(ENODEV);
    }
    let enabled = pdev.enable_device_mem_master()?;
    let bar = pdev.iomap_region_sized::<{ regs::BAR0_SIZE }>(0, c"re1000e")?;
    let dev: &kernel::device::Device = pdev.as_ref();

    // The standard MTU's packet buffer split, until the interface is opened.
    mac::reset(dev, &bar, fifo::DEFAULT_RX_KB)?;
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

    let irq = irq_plan(dev, crate::module_parameters::int_mode.value())?;
    // The TLS offload's devlink instance comes before the netdev and goes after it.
    #[cfg(CONFIG_RE1000E_TLS)]
    let tls = crate::netdev::TlsParts::new(pdev.as_ref(), perm_addr)?;
    #[cfg(not(CONFIG_RE1000E_TLS))]
    let tls = ();
    let netdev = Registration::<Net>::new(pdev, &config(perm_addr), &irq, |ndev, info| {
        NetPriv::new(ndev, pdev, bar, perm_addr, info, tls)
    })?;

    if let Some(n) = netdev.irq_number(hw::VEC_RX) {
        netdev.priv_data().set_napi_irq(n);
    }
    // Start the clock's worker: it follows SYSTIM's wraps.
    if let Some(c) = netdev.device().ptp_clock() {
        c.schedule_aux_work(0);
    }
    dev_info!(
        dev,
        "{}: Intel 82574L (rev {:#04x}), NVM checksum ok, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}, {:?} interrupts\n",
        netdev.device().name(),
        pdev.revision_id(),
        perm_addr[0],
        perm_addr[1],
        perm_addr[2],
        perm_addr[3],
        perm_addr[4],
        perm_addr[5],
        netdev.priv_data().irq.kind
    );
    Ok(Adapter {
        _netdev: netdev,
        _enabled: enabled,
    })
}

impl pci::Driver for Re1000e {
    type IdInfo = ();
    type Data<'bound> = Adapter<'bound>;

    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        probe_device(pdev)
    }
}
