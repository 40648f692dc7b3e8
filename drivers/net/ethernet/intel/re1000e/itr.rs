// SPDX-License-Identifier: GPL-2.0

//! Adaptive interrupt moderation (`ethtool -C adaptive-rx on`).
//!
//! After each interrupt's worth of NAPI work the driver classifies the traffic it received
//! and the traffic it sent, each on its own, and picks the interrupt rate of the bulkier of
//! the two (a receiver's ACKs must not make a bulk stream look small). A sample with
//! transmit traffic only counts when that traffic is bulk (a sender's stream): the
//! completions of a receiver's ACKs or of a reply, in a NAPI run of their own, say nothing
//! about the latency the traffic needs, and would pull a receiver out of the bulk class.
//!
//! - [`Class::Latency`]: a few small packets, as request/response traffic: interrupt as soon
//!   as possible (70000 interrupts/s);
//! - [`Class::Mixed`]: everything else (20000 interrupts/s, the static default);
//! - [`Class::Bulk`]: streams of full-sized frames or TSO super-packets, where fewer
//!   interrupts save CPU without costing throughput (4000 interrupts/s).
//!
//! Moving towards more interrupts (lower latency) happens at once; moving towards fewer
//! needs [`SETTLE`] consecutive samples that agree, so that a single burst does not slow
//! down a latency-sensitive flow.
//!
//! The latency class has hysteresis: a sample enters it only with at most
//! [`ENTER_LATENCY_PACKETS`] packets and [`ENTER_LATENCY_BYTES`] bytes, and keeps it with up
//! to [`LATENCY_PACKETS`] and [`LATENCY_BYTES`]. A flow of small packets whose samples
//! straddle a single threshold would otherwise switch the rate (and rewrite the throttle
//! registers) at every other interrupt.
//!
//! Pure logic with no kernel types.

/// Traffic class of an interrupt's worth of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Few, small packets.
    Latency,
    /// Neither of the others.
    Mixed,
    /// Full-sized frames or super-packets in volume.
    Bulk,
}

impl Class {
    /// Interrupts per second for the class.
    pub(crate) const fn rate(self) -> u32 {
        match self {
            Class::Latency => 70_000,
            Class::Mixed => 20_000,
            Class::Bulk => 4_000,
        }
    }

    const fn index(self) -> u32 {
        match self {
            Class::Latency => 0,
            Class::Mixed => 1,
            Class::Bulk => 2,
        }
    }

    const fn from_index(i: u32) -> Class {
        match i {
            0 => Class::Latency,
            2 => Class::Bulk,
            _ => Class::Mixed,
        }
    }
}

/// Samples that must agree before the rate goes down.
pub(crate) const SETTLE: u32 = 2;

/// Average packet size above which a sample counts as bulk (full-sized frames).
const BULK_AVG: u32 = 1200;
/// Bytes in a sample above which full-sized frames count as a stream: three or more of
/// them arrived within one interrupt interval.
const BULK_BYTES: u32 = 4000;
/// Average size of TSO super-packets and jumbo frames: bulk whatever the volume.
const SUPER_AVG: u32 = 8000;
/// At most this many packets and bytes keep the latency class.
const LATENCY_PACKETS: u32 = 4;
const LATENCY_BYTES: u32 = 1024;
/// At most this many packets and bytes enter the latency class from another: one
/// request or response and its acknowledgement.
const ENTER_LATENCY_PACKETS: u32 = 2;
const ENTER_LATENCY_BYTES: u32 = 512;

/// Moderation state: the class in force and the streak of samples asking for a lower rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct State {
    /// The class in force.
    pub(crate) class: Class,
    /// The lower-rate class the last samples asked for, and how many in a row.
    pending: Option<(Class, u32)>,
}

impl State {
    /// The state after a reset: the static default.
    pub(crate) const INITIAL: State = State {
        class: Class::Mixed,
        pending: None,
    };

    /// Packs the state into a `u32` (for an atomic).
    pub(crate) const fn pack(self) -> u32 {
        let (p, n) = match self.pending {
            Some((c, n)) => (c.index() + 1, n),
            None => (0, 0),
        };
        self.class.index() | p << 2 | n << 4
    }

    /// Inverse of [`State::pack`].
    pub(crate) const fn unpack(v: u32) -> State {
        let p = (v >> 2) & 3;
        State {
            class: Class::from_index(v & 3),
            pending: if p == 0 {
                None
            } else {
                Some((Class::from_index(p - 1), (v >> 4) & 0xff))
            },
        }
    }

    /// The state after a sample of received and sent traffic, each as (packets, bytes). A
    /// sample with no packets, or with transmitted packets only that are not bulk, changes
    /// nothing.
    pub(crate) fn next(self, rx: (u32, u32), tx: (u32, u32)) -> State {
        let want = match (rx.0, tx.0) {
            (0, 0) => return self,
            (0, _) => match classify(tx.0, tx.1, self.class) {
                Class::Bulk => Class::Bulk,
                _ => return self,
            },
            (_, 0) => classify(rx.0, rx.1, self.class),
            _ => {
                let (r, t) = (
                    classify(rx.0, rx.1, self.class),
                    classify(tx.0, tx.1, self.class),
                );
                if r.rate() < t.rate() {
                    r
                } else {
                    t
                }
            }
        };
        if want.rate() >= self.class.rate() {
            return State {
                class: want,
                pending: None,
            };
        }
        let streak = match self.pending {
            Some((c, n)) if c == want => n + 1,
            _ => 1,
        };
        if streak >= SETTLE {
            State {
                class: want,
                pending: None,
            }
        } else {
            State {
                class: self.class,
                pending: Some((want, streak)),
            }
        }
    }
}

/// The class of one sample (`packets` > 0) while `current` is in force.
pub(crate) fn classify(packets: u32, bytes: u32, current: Class) -> Class {
    let avg = bytes / packets.max(1);
    let (max_packets, max_bytes) = if current == Class::Latency {
        (LATENCY_PACKETS, LATENCY_BYTES)
    } else {
        (ENTER_LATENCY_PACKETS, ENTER_LATENCY_BYTES)
    };
    if avg >= SUPER_AVG || (avg > BULK_AVG && bytes > BULK_BYTES) {
        Class::Bulk
    } else if packets <= max_packets && bytes <= max_bytes {
        Class::Latency
    } else {
        Class::Mixed
    }
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(CONFIG_RE1000E_KUNIT_TEST, kernel::prelude::kunit_tests(re1000e_itr))]
mod tests {
    use super::*;

    #[test]
    fn classes_of_typical_samples() {
        for c in [Class::Latency, Class::Mixed, Class::Bulk] {
            // One 64-byte request and its ACK.
            assert_eq!(classify(2, 150, c), Class::Latency);
            // 16 full-sized frames of a TCP stream.
            assert_eq!(classify(16, 16 * 1514, c), Class::Bulk);
            // One 64 KiB TSO super-packet.
            assert_eq!(classify(1, 65_226, c), Class::Bulk);
            // A burst of small UDP packets.
            assert_eq!(classify(40, 40 * 64, c), Class::Mixed);
            // Three full-sized frames in one interrupt: a stream.
            assert_eq!(classify(3, 3 * 1514, c), Class::Bulk);
            // Two: not enough volume for bulk.
            assert_eq!(classify(2, 2 * 1514, c), Class::Mixed);
        }
    }

    #[test]
    fn latency_class_has_hysteresis() {
        // Four small packets keep the latency class but do not enter it.
        assert_eq!(classify(4, 4 * 106, Class::Latency), Class::Latency);
        assert_eq!(classify(4, 4 * 106, Class::Mixed), Class::Mixed);
        assert_eq!(classify(3, 3 * 106, Class::Bulk), Class::Mixed);
        // Limits are inclusive, by packets and by bytes.
        assert_eq!(classify(2, 512, Class::Mixed), Class::Latency);
        assert_eq!(classify(2, 513, Class::Mixed), Class::Mixed);
        assert_eq!(classify(4, 1024, Class::Latency), Class::Latency);
        assert_eq!(classify(5, 5 * 64, Class::Latency), Class::Mixed);
        assert_eq!(classify(1, 1025, Class::Latency), Class::Mixed);

        // A flood of small packets, 3 to 6 per interrupt, does not flap: it stays in the
        // default class. (Without the hysteresis this sequence changed class 61 times.)
        let mut s = State::INITIAL;
        let mut changes = 0;
        for _ in 0..10 {
            for n in [3, 5, 6, 4, 6, 5, 3, 6, 6, 4] {
                let next = s.next((n, n * 106), (0, 0));
                changes += u32::from(next.class != s.class);
                s = next;
            }
        }
        assert_eq!(s.class, Class::Mixed);
        assert_eq!(changes, 0);
        // ...and a request/response exchange still gets the latency rate at once.
        assert_eq!(s.next((1, 98), (1, 98)).class, Class::Latency);
    }

    #[test]
    fn rate_goes_up_at_once_and_down_after_settling() {
        const NONE: (u32, u32) = (0, 0);
        const BULK: (u32, u32) = (16, 16 * 1514);
        const SMALL: (u32, u32) = (40, 40 * 64);
        let s = State::INITIAL.next((1, 64), NONE);
        assert_eq!(s.class, Class::Latency);
        // One bulk sample is not enough to slow down...
        let s = s.next(BULK, NONE);
        assert_eq!(s.class, Class::Latency);
        // ...two in a row are.
        let s = s.next(BULK, NONE);
        assert_eq!(s.class, Class::Bulk);
        // A latency sample speeds up at once.
        let s = s.next((1, 64), (1, 64));
        assert_eq!(s.class, Class::Latency);
        // A streak that changes its mind starts again.
        let s = s.next(SMALL, NONE).next(BULK, NONE).next(SMALL, NONE);
        assert_eq!(s.class, Class::Latency);
        let s = s.next(SMALL, NONE);
        assert_eq!(s.class, Class::Mixed);
    }

    #[test]
    fn the_bulkier_direction_decides() {
        // A receiver of a stream sends small ACKs: still bulk.
        let ack = (8, 8 * 66);
        let s = State::INITIAL
            .next((16, 16 * 1514), ack)
            .next((16, 16 * 1514), ack);
        assert_eq!(s.class, Class::Bulk);
        // Small both ways: request/response.
        let s = State::INITIAL.next((1, 64), (1, 64));
        assert_eq!(s.class, Class::Latency);
    }

    #[test]
    fn small_transmit_only_samples_change_nothing() {
        const STREAM: (u32, u32) = (16, 16 * 1514);
        const NONE: (u32, u32) = (0, 0);
        // A receiver of a stream: its ACKs complete in NAPI runs of their own, between the
        // runs that receive. It reaches bulk and stays there.
        let mut s = State::INITIAL;
        for _ in 0..4 {
            s = s.next(STREAM, (2, 132)).next(NONE, (1, 66));
        }
        assert_eq!(s.class, Class::Bulk);
        // The ACK-only samples do not break the streak towards bulk either.
        let s = State::INITIAL
            .next(STREAM, NONE)
            .next(NONE, (1, 66))
            .next(STREAM, NONE);
        assert_eq!(s.class, Class::Bulk);
        // A sender of small packets keeps the class in force.
        let s = State::INITIAL
            .next(NONE, (1, 106))
            .next(NONE, (40, 40 * 106));
        assert_eq!(s, State::INITIAL);
        // A sender of a stream (TSO super-packets) still slows its interrupts down.
        let s = State::INITIAL
            .next(NONE, (1, 65_226))
            .next(NONE, (1, 65_226));
        assert_eq!(s.class, Class::Bulk);
    }

    #[test]
    fn empty_samples_change_nothing() {
        let s = State::INITIAL.next((16, 16 * 1514), (0, 0));
        assert_eq!(s.next((0, 0), (0, 0)), s);
    }

    #[test]
    fn pack_round_trips() {
        let mut s = State::INITIAL;
        for (p, b) in [(1, 64), (16, 24_224), (16, 24_224), (40, 2560), (1, 65_000)] {
            s = s.next((p, b), (0, 0));
            assert_eq!(State::unpack(s.pack()), s);
        }
        assert_eq!(State::unpack(State::INITIAL.pack()), State::INITIAL);
    }

    #[test]
    fn rates_are_ordered() {
        assert!(Class::Latency.rate() > Class::Mixed.rate());
        assert!(Class::Mixed.rate() > Class::Bulk.rate());
    }
}
