// SPDX-License-Identifier: GPL-2.0

//! Builds the kernel tree's pure modules on the host so that `cargo test` runs their tests.

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/nvm_image.rs"]
mod nvm_image;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/desc.rs"]
mod desc;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/filter.rs"]
mod filter;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/csum.rs"]
mod csum;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/itr.rs"]
mod itr;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/fifo.rs"]
mod fifo;

#[path = "../../drivers/net/ethernet/intel/re1000e/tsync.rs"]
#[allow(dead_code)]
mod tsync;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/tls_frame.rs"]
mod tls_frame;

#[cfg(test)]
mod tls_gcm;

#[allow(dead_code)]
#[path = "../../drivers/net/ethernet/intel/re1000e/tls_table.rs"]
mod tls_table;
