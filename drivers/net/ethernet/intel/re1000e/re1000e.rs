// SPDX-License-Identifier: GPL-2.0

//! Rust driver for the Intel 82574L Gigabit Ethernet controller.
//!
//! The layout follows the C e1000e driver so that a reader who knows it finds the same thing
//! in the same place:
//!
//! - `regs.rs`: the register map;
//! - `mac.rs`: reset and receive-address registers; `nvm.rs`: NVM access;
//! - `hw.rs`: the hardware-access type (`hw::Hw`) and data-path register programming;
//!   `ring.rs`: descriptor rings;
//! - `netdev.rs`: the network interface (ops, NAPI, interrupt, bring-up and teardown), with
//!   `netdev/tx.rs` (transmit), `netdev/rx.rs` (receive), `netdev/link.rs` (link state),
//!   `netdev/health.rs` (a device gone from the bus, offload conditions and engine faults) and
//!   `netdev/selftest.rs` (interrupt and loopback self-tests); `ethtool.rs`: ethtool_ops;
//! - `stats.rs`: hardware statistics counters; `offload.rs`: capabilities and feature rules;
//! - `clock.rs`: the IEEE 1588 clock (PTP hardware clock) and packet timestamps;
//! - `driver.rs`: PCI probe and the bound state.
//!
//! Pure logic with no kernel types, unit-tested by KUnit and on the host: `desc.rs`
//! (descriptor encoders and decoders), `csum.rs` (TSO header preparation), `filter.rs`
//! (multicast hash, VLAN filter table), `itr.rs` (adaptive interrupt moderation),
//! `nvm_image.rs` (NVM checksum and address), `tsync.rs` (clock arithmetic and timestamping
//! configuration).

#![deny(unsafe_code)]

mod clock;
mod csum;
mod desc;
mod driver;
mod ethtool;
mod fifo;
mod filter;
mod hw;
mod itr;
mod mac;
mod netdev;
mod nvm;
mod nvm_image;
mod offload;
mod regs;
mod ring;
mod stats;
// The kTLS transmit offload's pure logic (record framing, the offload-context table),
// tested by KUnit and on the host; the engine that uses them is not in the driver yet.
#[allow(dead_code)]
mod tls_frame;
#[allow(dead_code)]
mod tls_table;
mod tsync;

kernel::module_pci_driver! {
    type: driver::Re1000e,
    name: "re1000e",
    authors: ["The re1000e authors"],
    description: "Intel(R) 82574L Gigabit Ethernet driver (Rust)",
    license: "GPL",
    params: {
        int_mode: u32 {
            default: 2,
            description: "Interrupt mode: 0 = INTx, 1 = MSI, 2 = MSI-X (default); a device falls back to the next simpler mode it can get",
        },
    },
}
