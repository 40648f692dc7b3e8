// SPDX-License-Identifier: GPL-2.0

//! MAC control: bus-master quiescing, reset and the receive address registers.
//!
//! The sequence follows the 82574 datasheet (4.6 "Software Initialization", 4.2.1
//! "Software reset") and the order the C e1000e driver uses for this part.

use kernel::{
    io::{
        poll::read_poll_timeout,
        register::Array,
        Io, //
    },
    prelude::*,
    time::{
        delay::fsleep,
        Delta, //
    }, //
};

use crate::regs::Bar0;
use crate::{
    fifo,
    filter,
    nvm_image,
    regs, //
};

/// Stops the device issuing PCIe master requests and waits for outstanding ones.
///
/// Datasheet 5.2.5.3.2: set CTRL.GIO_MASTER_DISABLE, then wait for STATUS.GIO_MASTER_ENABLE
/// to clear. The C driver waits up to 80 ms.
fn disable_pcie_master(bar: &Bar0<'_>) -> Result {
    bar.update(regs::CTRL, |r| r.with_gio_master_disable(true));
    read_poll_timeout(
        || Ok(bar.read(regs::STATUS)),
        |s: &regs::STATUS| !s.gio_master_enable(),
        Delta::from_micros(100),
        Delta::from_millis(80),
    )
    .map(|_| ())
}

/// Masks every interrupt cause and clears pending ones.
fn mask_interrupts(bar: &Bar0<'_>) {
    bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
    let _ = bar.read(regs::ICR);
}

/// Stops the receive and transmit units.
fn stop_rx_tx(bar: &Bar0<'_>) {
    bar.write_reg(regs::RCTL::zeroed());
    bar.write_reg(regs::TCTL::zeroed().with_psp(true));
    // Flush the posted writes before waiting for in-flight DMA to drain.
    let _ = bar.read(regs::STATUS);
    fsleep(Delta::from_millis(10));
}

/// Masks every interrupt and stops the receive and transmit units, waiting for in-flight
/// DMA to drain.
pub(crate) fn quiesce(bar: &Bar0<'_>) {
    mask_interrupts(bar);
    stop_rx_tx(bar);
}

/// Resets the MAC to its power-on state and waits for the NVM auto-load.
///
/// DMA is quiesced first so that a reset never races a descriptor fetch. A device that does
/// not stop mastering is still reset (as the C driver does), but the timeout is reported.
pub(crate) fn reset(dev: &kernel::device::Device, bar: &Bar0<'_>, rx_kb: u32) -> Result {
    if disable_pcie_master(bar).is_err() {
        dev_warn!(
            dev,
            "PCIe master requests still pending, resetting anyway\n"
        );
    }
    quiesce(bar);

    // The packet buffer split takes effect at the reset.
    // CAST: the receive share is at most the 40 KiB of the packet buffer.
    bar.write_reg(regs::PBA::zeroed().with_rxa(rx_kb as u16));
    bar.update(regs::CTRL, |r| r.with_rst(true));
    // Datasheet 4.2.1: wait at least 1 ms after CTRL.RST before accessing the device.
    fsleep(Delta::from_millis(2));

    read_poll_timeout(
        || Ok(bar.read(regs::EECD)),
        |e: &regs::EECD| e.auto_rd(),
        Delta::from_millis(1),
        Delta::from_millis(10),
    )
    .inspect_err(|_| dev_err!(dev, "NVM auto-read did not complete after reset\n"))?;

    mask_interrupts(bar);
    Ok(())
}

/// Tells firmware whether a driver owns the device (CTRL_EXT.DRV_LOAD).
pub(crate) fn set_driver_loaded(bar: &Bar0<'_>, loaded: bool) {
    bar.update(regs::CTRL_EXT, |r| r.with_drv_load(loaded));
}

/// Quiesces the device for unbind: no interrupts, no DMA, MAC reset, firmware told.
pub(crate) fn stop(dev: &kernel::device::Device, bar: &Bar0<'_>) {
    if reset(dev, bar, fifo::DEFAULT_RX_KB).is_err() {
        dev_warn!(dev, "reset on unbind did not complete\n");
    }
    set_driver_loaded(bar, false);
}

/// Reads receive address 0, the one the hardware loads from the NVM at reset.
pub(crate) fn read_rar0(bar: &Bar0<'_>) -> Option<[u8; 6]> {
    let rah = bar.read(regs::RAH::at(0));
    if !rah.av() {
        return None;
    }
    let ral = bar.read(regs::RAL::at(0)).low().get();
    Some(nvm_image::mac_from_ral_rah(ral, u16::from(rah.high())))
}

/// Programs receive address 0 with `mac` and marks it valid.
pub(crate) fn set_rar0(bar: &Bar0<'_>, mac: &[u8; 6]) {
    let low = u32::from_le_bytes([mac[0], mac[1], mac[2], mac[3]]);
    let high = u16::from_le_bytes([mac[4], mac[5]]);
    bar.write(regs::RAL::at(0), regs::RAL::zeroed().with_low(low));
    bar.write(
        regs::RAH::at(0),
        regs::RAH::zeroed().with_high(high).with_av(true),
    );
}

/// Clears the multicast table.
pub(crate) fn clear_mta(bar: &Bar0<'_>) {
    write_mta(bar, &[]);
}

/// Programs the multicast table to accept exactly `addrs` (up to hash collisions).
pub(crate) fn write_mta(bar: &Bar0<'_>, addrs: &[[u8; 6]]) {
    for (i, bits) in filter::mta_table(addrs).iter().enumerate() {
        if let Some(loc) = regs::MTA::try_at(i) {
            bar.write(loc, regs::MTA::zeroed().with_bits(*bits));
        }
    }
}
