// SPDX-License-Identifier: GPL-2.0

//! Rust driver for the Intel 82574L Gigabit Ethernet controller.
//!
//! The layout follows the C e1000e driver so that a reader who knows it finds the same thing
//! in the same place: `regs.rs` (register map), `mac.rs` (reset and address registers),
//! `nvm.rs` (NVM access) with its pure image logic in `nvm_image.rs`, and `driver.rs` (PCI
//! probe and unbind).

mod driver;
mod mac;
mod nvm;
mod nvm_image;
mod regs;

kernel::module_pci_driver! {
    type: driver::Re1000e,
    name: "re1000e",
    authors: ["The re1000e authors"],
    description: "Intel(R) 82574L Gigabit Ethernet driver (Rust)",
    license: "GPL",
}
