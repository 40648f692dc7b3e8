// SPDX-License-Identifier: GPL-2.0

//! The packet buffer split and the flow-control thresholds.
//!
//! The 82574 has one on-chip packet buffer of [`TOTAL_KB`] KiB. PBA.RXA gives the receive
//! FIFO its share in KiB and the transmit FIFO gets the rest; a new split takes effect at the
//! next MAC reset (CTRL.RST), so it is written just before one. The default split,
//! [`DEFAULT_RX_KB`] for receive, suits standard frames. With jumbo frames the transmit FIFO
//! must hold two whole frames to keep the wire busy, and the receive FIFO one, so receive
//! gives up what transmit lacks, but never below one frame.
//!
//! When the driver sends pause frames (transmit flow control), the MAC sends XOFF once the
//! receive FIFO holds FCRTH bytes and XON when it drains to FCRTL. The high mark is the
//! lower of 90% of the FIFO and the FIFO less one whole frame, so a frame that starts
//! arriving as XOFF goes out still fits; the low mark is 8 bytes (the registers'
//! granularity) below it.
//!
//! Pure logic with no kernel types.

/// Size of the packet buffer, receive and transmit together, in KiB.
pub(crate) const TOTAL_KB: u32 = 40;
/// Receive share of the packet buffer for standard frames, in KiB.
pub(crate) const DEFAULT_RX_KB: u32 = 32;
/// Largest frame on the wire for the standard MTU (1522 bytes).
const STD_MAX_FRAME: u32 = max_frame(1500);
/// Bytes of descriptor information the transmit FIFO keeps with each frame.
const TX_FIFO_OVERHEAD: u32 = 16;
/// Frame check sequence: appended by the MAC, not stored in the transmit FIFO.
const FCS_LEN: u32 = 4;
/// Granularity of FCRTH and FCRTL, in bytes.
const WATER_STEP: u32 = 8;

/// Largest frame on the wire for `mtu`: Ethernet header, one VLAN tag, payload and FCS.
pub(crate) const fn max_frame(mtu: u32) -> u32 {
    mtu + 14 + 4 + FCS_LEN
}

/// Bytes rounded up to whole KiB.
const fn kib(bytes: u32) -> u32 {
    bytes.div_ceil(1024)
}

/// The packet buffer split and flow-control thresholds for one MTU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fifo {
    /// Receive share of the packet buffer in KiB (PBA.RXA); transmit has the rest.
    pub(crate) rx_kb: u32,
    /// Receive FIFO fill level, in bytes, at which XOFF is sent (FCRTH).
    pub(crate) high_water: u32,
    /// Receive FIFO fill level, in bytes, at which XON is sent (FCRTL).
    pub(crate) low_water: u32,
}

/// Transmit share of the packet buffer in KiB (PBA.TXA) when receive has `rx_kb`.
const fn tx_kb(rx_kb: u32) -> u32 {
    TOTAL_KB - rx_kb
}

/// The split and thresholds for `mtu`.
pub(crate) fn plan(mtu: u32) -> Fifo {
    let frame = max_frame(mtu);
    let mut rx_kb = DEFAULT_RX_KB;
    if frame > STD_MAX_FRAME {
        let min_tx_kb = kib((frame + TX_FIFO_OVERHEAD - FCS_LEN) * 2);
        let min_rx_kb = kib(frame);
        if tx_kb(rx_kb) < min_tx_kb {
            rx_kb = rx_kb
                .saturating_sub(min_tx_kb - tx_kb(rx_kb))
                .max(min_rx_kb);
        }
    }
    let fifo = rx_kb * 1024;
    let high_water = (fifo * 9 / 10).min(fifo.saturating_sub(frame)) & !(WATER_STEP - 1);
    Fifo {
        rx_kb,
        high_water,
        low_water: high_water.saturating_sub(WATER_STEP),
    }
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(CONFIG_RE1000E_KUNIT_TEST, kernel::prelude::kunit_tests(re1000e_fifo))]
mod tests {
    use super::*;

    #[test]
    fn standard_frames_keep_the_default_split() {
        for mtu in [68, 1500] {
            let f = plan(mtu);
            assert_eq!(f.rx_kb, 32);
            assert_eq!(tx_kb(f.rx_kb), 8);
            // 90% of 32 KiB is 29491; the FIFO less a frame is larger: 29488 after
            // rounding down to 8 bytes.
            assert_eq!(f.high_water, 29488);
            assert_eq!(f.low_water, 29480);
        }
    }

    #[test]
    fn jumbo_frames_move_space_to_transmit() {
        // MTU 9000: a 9022-byte frame. Transmit needs 2 * (9022 + 16 - 4) = 18068 bytes,
        // 18 KiB: receive gives up 10 of its 32 KiB and keeps 22 (over the 9 KiB of a frame).
        let f = plan(9000);
        assert_eq!((f.rx_kb, tx_kb(f.rx_kb)), (22, 18));
        // 22 KiB less a frame: 22528 - 9022 = 13506, rounded down to 8 bytes.
        assert_eq!(f.high_water, 13504);
        assert_eq!(f.low_water, 13496);

        // The largest MTU, 9216: 9238-byte frames, 2 * 9250 = 18500 bytes, 19 KiB.
        let f = plan(9216);
        assert_eq!((f.rx_kb, tx_kb(f.rx_kb)), (21, 19));
        assert_eq!(f.high_water, (21 * 1024 - 9238) & !7);

        // MTU 4000: 4022-byte frames need 2 * 4034 = 8068 bytes, 8 KiB: transmit already
        // has that. The high mark leaves room for a frame: 32768 - 4022 = 28746 is below 90%.
        let f = plan(4000);
        assert_eq!((f.rx_kb, tx_kb(f.rx_kb)), (32, 8));
        assert_eq!(f.high_water, 28744);
    }

    #[test]
    fn the_receive_fifo_always_holds_a_frame_above_the_high_mark() {
        let mut mtu = 68;
        while mtu <= 9216 {
            let f = plan(mtu);
            let frame = max_frame(mtu);
            assert!(f.rx_kb * 1024 >= f.high_water + frame);
            assert!(tx_kb(f.rx_kb) * 1024 >= 2 * (frame + 12) || frame <= 1522);
            assert!(f.low_water < f.high_water);
            assert_eq!(f.high_water % 8, 0);
            assert_eq!(f.rx_kb + tx_kb(f.rx_kb), TOTAL_KB);
            mtu += 97;
        }
    }
}
