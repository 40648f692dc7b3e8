// SPDX-License-Identifier: GPL-2.0

//! IEEE 1588 time synchronisation of the 82574 (datasheet 7.8): the SYSTIM increment and its
//! frequency adjustment, the conversion of SYSTIM values to nanoseconds, and the timestamping
//! configuration (which packets get a receive timestamp).
//!
//! Pure logic with no kernel types (tested by KUnit and `cargo test`).
//!
//! SYSTIM is a 64-bit counter that gains TIMINCA.INCVALUE every TIMINCA.INCPERIOD ticks of
//! the 25 MHz clock. With an increment of 40 << 18 per 40 ns tick it counts nanoseconds in
//! units of 2^-18 ns, so it wraps after 2^46 ns (19.5 hours) and is read at least every four
//! hours ([`OVERFLOW_CHECK_SECS`]) to keep track of the wraps. A frequency offset scales
//! INCVALUE, which has 24 bits: that bounds the offset to [`MAX_ADJ_PPB`].

/// TIMINCA.INCPERIOD: one 25 MHz tick per increment.
const INCPERIOD: u32 = 1;
/// Nanoseconds per 25 MHz tick.
const NS_PER_TICK: u64 = 40;
/// SYSTIM counts in units of 2^-SHIFT ns.
pub(crate) const SHIFT: u32 = 18;
/// Mask of TIMINCA.INCVALUE.
const INCVALUE_MASK: u64 = 0x00ff_ffff;
/// INCVALUE at the nominal frequency.
pub(crate) const BASE_INCVALUE: u64 = NS_PER_TICK << SHIFT;
/// Largest frequency offset in parts per billion (INCVALUE must stay within 24 bits).
pub(crate) const MAX_ADJ_PPB: i32 = 599_999_900;
/// How often SYSTIM is read to follow its wraps, in seconds (it wraps every 19.5 hours).
pub(crate) const OVERFLOW_CHECK_SECS: u32 = 4 * 60 * 60;

/// A frequency offset outside [`MAX_ADJ_PPB`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutOfRange;

/// The TIMINCA register value for a frequency offset of `scaled_ppm` (parts per million with
/// 16 fractional bits, as `adjfine` gets it).
pub(crate) fn timinca(scaled_ppm: i64) -> Result<u32, OutOfRange> {
    // With |scaled_ppm| <= 2^40 (checked below) and BASE_INCVALUE < 2^24 the product fits
    // in 64 bits.
    let mag = scaled_ppm.unsigned_abs();
    // Far beyond any offset INCVALUE can take; keeps the product below within 64 bits.
    if mag > 1 << 40 {
        return Err(OutOfRange);
    }
    let diff = (BASE_INCVALUE * mag + (1_000_000 << 15)) / (1_000_000 << 16);
    let inc = if scaled_ppm < 0 {
        BASE_INCVALUE - diff
    } else {
        BASE_INCVALUE + diff
    };
    if inc > INCVALUE_MASK || inc == 0 {
        return Err(OutOfRange);
    }
    Ok((INCPERIOD << 24) | inc as u32)
}

/// Largest plausible difference between two SYSTIM readings taken one after the other (the
/// 82574 errata workaround of the C driver: 2^35 units, about 131 us).
const REREAD_EPSILON: u64 = 1 << 35;
/// Re-reads of SYSTIM at most before the last one is taken as it is.
const MAX_REREADS: u32 = 50;

/// Reads SYSTIM the way the 82574 needs: `lo` reads SYSTIML, which should latch SYSTIMH,
/// and `hi` reads SYSTIMH; `timinca` is the TIMINCA value in force.
///
/// The latch is unreliable: if SYSTIML wraps between the two reads the high half is one
/// ahead, so a low half close to wrapping is read again and, if it wrapped, the high half
/// too. And a reading can still be wrong, so SYSTIM is read again until two consecutive
/// readings are close together and a whole number of increments apart.
pub(crate) fn read_systim(
    mut lo: impl FnMut() -> u32,
    mut hi: impl FnMut() -> u32,
    timinca: u32,
) -> u64 {
    let incvalue = u64::from(timinca) & INCVALUE_MASK;
    let mut l = lo();
    let mut h = hi();
    if l >= u32::MAX - INCVALUE_MASK as u32 {
        let l2 = lo();
        if l2 < l {
            h = hi();
            l = l2;
        }
    }
    let mut systim = u64::from(l) | (u64::from(h) << 32);
    for _ in 0..MAX_REREADS {
        let next = u64::from(lo()) | (u64::from(hi()) << 32);
        let delta = next.wrapping_sub(systim);
        systim = next;
        let whole = match incvalue {
            0 => delta == 0,
            inc => delta % inc == 0,
        };
        if delta < REREAD_EPSILON && whole {
            break;
        }
    }
    systim
}

/// Mask of the fractional nanoseconds of a SYSTIM value.
const FRAC_MASK: u64 = (1 << SHIFT) - 1;

/// Nanosecond time kept from SYSTIM readings (the C `struct timecounter` with a 64-bit
/// counter, multiplier 1 and shift [`SHIFT`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeCounter {
    /// SYSTIM at the last reading.
    cycle_last: u64,
    /// Time at the last reading, in nanoseconds.
    nsec: u64,
    /// Fractional nanoseconds (units of 2^-SHIFT ns) not yet added to `nsec`.
    frac: u64,
}

impl TimeCounter {
    /// A counter that reads `ns` when SYSTIM is `cycles`.
    pub(crate) const fn new(cycles: u64, ns: u64) -> Self {
        Self {
            cycle_last: cycles,
            nsec: ns,
            frac: 0,
        }
    }

    /// Advances to the SYSTIM value `cycles` (read less than one wrap after the last) and
    /// returns the time in nanoseconds.
    pub(crate) fn read(&mut self, cycles: u64) -> u64 {
        let delta = cycles.wrapping_sub(self.cycle_last);
        let frac = (delta & FRAC_MASK) + self.frac;
        let ns = (delta >> SHIFT) + (frac >> SHIFT);
        self.frac = frac & FRAC_MASK;
        self.cycle_last = cycles;
        self.nsec = self.nsec.wrapping_add(ns);
        self.nsec
    }

    /// The time at the last reading, in nanoseconds.
    pub(crate) fn nsec(&self) -> u64 {
        self.nsec
    }

    /// Moves the time by `delta` nanoseconds.
    pub(crate) fn adjust(&mut self, delta: i64) {
        self.nsec = self.nsec.wrapping_add(delta as u64);
    }

    /// The time of a timestamp the hardware latched at SYSTIM `cycles`, which may be a little
    /// before or after the last reading (less than half a wrap either way).
    pub(crate) fn cyc2time(&self, cycles: u64) -> u64 {
        let delta = cycles.wrapping_sub(self.cycle_last);
        if delta > u64::MAX / 2 {
            let back = self.cycle_last.wrapping_sub(cycles);
            // The fraction kept since the last reading belongs to the past of `nsec`.
            let ns = (back + FRAC_MASK - self.frac) >> SHIFT;
            self.nsec.wrapping_sub(ns)
        } else {
            self.nsec.wrapping_add((delta + self.frac) >> SHIFT)
        }
    }
}

/// `enum hwtstamp_tx_types` values (`include/uapi/linux/net_tstamp.h`).
pub(crate) mod tx_type {
    pub(crate) const OFF: u32 = 0;
    pub(crate) const ON: u32 = 1;
}

/// `enum hwtstamp_rx_filters` values (`include/uapi/linux/net_tstamp.h`).
pub(crate) mod rx_filter {
    pub(crate) const NONE: u32 = 0;
    pub(crate) const ALL: u32 = 1;
    pub(crate) const SOME: u32 = 2;
    pub(crate) const PTP_V1_L4_EVENT: u32 = 3;
    pub(crate) const PTP_V1_L4_SYNC: u32 = 4;
    pub(crate) const PTP_V1_L4_DELAY_REQ: u32 = 5;
    pub(crate) const PTP_V2_L4_EVENT: u32 = 6;
    pub(crate) const PTP_V2_L4_SYNC: u32 = 7;
    pub(crate) const PTP_V2_L4_DELAY_REQ: u32 = 8;
    pub(crate) const PTP_V2_L2_EVENT: u32 = 9;
    pub(crate) const PTP_V2_L2_SYNC: u32 = 10;
    pub(crate) const PTP_V2_L2_DELAY_REQ: u32 = 11;
    pub(crate) const PTP_V2_EVENT: u32 = 12;
    pub(crate) const PTP_V2_SYNC: u32 = 13;
    pub(crate) const PTP_V2_DELAY_REQ: u32 = 14;
    pub(crate) const NTP_ALL: u32 = 15;
}

/// Transmit types offered (a bit per [`tx_type`] value).
pub(crate) const TX_TYPES: u32 = (1 << tx_type::OFF) | (1 << tx_type::ON);

/// Receive filters offered (a bit per [`rx_filter`] value): those the hardware implements
/// exactly or by a wider class it reports back (see [`plan`]).
pub(crate) const RX_FILTERS: u32 = (1 << rx_filter::NONE)
    | (1 << rx_filter::ALL)
    | (1 << rx_filter::PTP_V1_L4_SYNC)
    | (1 << rx_filter::PTP_V1_L4_DELAY_REQ)
    | (1 << rx_filter::PTP_V2_L4_SYNC)
    | (1 << rx_filter::PTP_V2_L4_DELAY_REQ)
    | (1 << rx_filter::PTP_V2_L2_SYNC)
    | (1 << rx_filter::PTP_V2_L2_DELAY_REQ)
    | (1 << rx_filter::PTP_V2_EVENT)
    | (1 << rx_filter::PTP_V2_SYNC)
    | (1 << rx_filter::PTP_V2_DELAY_REQ);

/// TSYNCTXCTL/TSYNCRXCTL bits.
pub(crate) mod ctl {
    /// A timestamp is latched (cleared by reading TXSTMPH/RXSTMPH).
    pub(crate) const VALID: u32 = 1 << 0;
    /// Receive message type field (TSYNCRXCTL bits 3:1).
    pub(crate) const TYPE_MASK: u32 = 0x7 << 1;
    /// Timestamping enabled.
    pub(crate) const ENABLED: u32 = 1 << 4;
}

/// TSYNCRXCTL.TYPE values.
mod rx_type {
    pub(crate) const L2_V2: u32 = 0x0 << 1;
    pub(crate) const L4_V1: u32 = 0x1 << 1;
    pub(crate) const L2_L4_V2: u32 = 0x2 << 1;
    pub(crate) const ALL: u32 = 0x4 << 1;
    pub(crate) const EVENT_V2: u32 = 0x5 << 1;
}

/// RXMTRL: message type to timestamp (bits 31:16 hold the V1 control or V2 messageType
/// field), ethertype of L2 PTP frames (bits 15:0).
mod rxmtrl {
    pub(crate) const V1_SYNC: u32 = 0x00 << 16;
    pub(crate) const V1_DELAY_REQ: u32 = 0x01 << 16;
    pub(crate) const V2_SYNC: u32 = 0x00 << 24;
    pub(crate) const V2_DELAY_REQ: u32 = 0x01 << 24;
    /// ETH_P_1588.
    pub(crate) const ETHERTYPE_1588: u32 = 0x88f7;
}

/// UDP port of PTP event messages.
const PTP_EVENT_PORT: u16 = 319;

/// Register values for a timestamping configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// TSYNCTXCTL.ENABLED.
    pub(crate) tx_ctl: u32,
    /// TSYNCRXCTL.ENABLED and TYPE.
    pub(crate) rx_ctl: u32,
    /// RXMTRL.
    pub(crate) rxmtrl: u32,
    /// RXUDP: the UDP destination port to match, in network order in the low 16 bits.
    pub(crate) rxudp: u32,
    /// The receive filter in force, as `ndo_hwtstamp_get` reports it: the one asked for,
    /// or the wider class applied instead.
    pub(crate) rx_filter: u32,
    /// The receive filter written back to the caller of `ndo_hwtstamp_set`: as
    /// `rx_filter`, except [`rx_filter::SOME`] ("these and some others") for the PTPv2
    /// Sync and Delay_Req filters, with which the hardware also timestamps the peer delay
    /// messages (as the C driver reports).
    pub(crate) reply: u32,
}

/// A transmit type or receive filter the hardware does not offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unsupported {
    /// The transmit type.
    TxType,
    /// The receive filter.
    RxFilter,
}

/// The register values for transmit type `tx` and receive filter `rx`, or what is not
/// supported.
pub(crate) fn plan(tx: u32, rx: u32) -> Result<Plan, Unsupported> {
    use rx_filter as f;
    let tx_ctl = match tx {
        tx_type::OFF => 0,
        tx_type::ON => ctl::ENABLED,
        _ => return Err(Unsupported::TxType),
    };
    // (type, message type, L2, L4, filter in force)
    let (ty, msg, l2, l4, eff) = match rx {
        f::NONE => {
            return Ok(Plan {
                tx_ctl,
                rx_ctl: 0,
                rxmtrl: 0,
                rxudp: 0,
                rx_filter: f::NONE,
                reply: f::NONE,
            })
        }
        f::PTP_V1_L4_SYNC => (rx_type::L4_V1, rxmtrl::V1_SYNC, false, true, rx),
        f::PTP_V1_L4_DELAY_REQ => (rx_type::L4_V1, rxmtrl::V1_DELAY_REQ, false, true, rx),
        f::PTP_V2_L2_SYNC => (rx_type::L2_V2, rxmtrl::V2_SYNC, true, false, rx),
        f::PTP_V2_L2_DELAY_REQ => (rx_type::L2_V2, rxmtrl::V2_DELAY_REQ, true, false, rx),
        // The hardware matches V2 messages over L2 and L4 together only.
        f::PTP_V2_L4_SYNC | f::PTP_V2_SYNC => (rx_type::L2_L4_V2, rxmtrl::V2_SYNC, true, true, rx),
        f::PTP_V2_L4_DELAY_REQ | f::PTP_V2_DELAY_REQ => {
            (rx_type::L2_L4_V2, rxmtrl::V2_DELAY_REQ, true, true, rx)
        }
        f::PTP_V2_L4_EVENT | f::PTP_V2_L2_EVENT | f::PTP_V2_EVENT => {
            (rx_type::EVENT_V2, 0, true, true, f::PTP_V2_EVENT)
        }
        // V1 can match Sync or Delay_Req but not both: timestamp everything.
        f::PTP_V1_L4_EVENT | f::NTP_ALL | f::ALL => (rx_type::ALL, 0, true, true, f::ALL),
        _ => return Err(Unsupported::RxFilter),
    };
    let v2_sync_or_delay = matches!(
        rx,
        f::PTP_V2_L2_SYNC
            | f::PTP_V2_L2_DELAY_REQ
            | f::PTP_V2_L4_SYNC
            | f::PTP_V2_L4_DELAY_REQ
            | f::PTP_V2_SYNC
            | f::PTP_V2_DELAY_REQ
    );
    Ok(Plan {
        tx_ctl,
        rx_ctl: ctl::ENABLED | ty,
        rxmtrl: msg | if l2 { rxmtrl::ETHERTYPE_1588 } else { 0 },
        rxudp: if l4 {
            u32::from(u16::from_ne_bytes(PTP_EVENT_PORT.to_be_bytes()))
        } else {
            0
        },
        rx_filter: eff,
        reply: if v2_sync_or_delay { f::SOME } else { eff },
    })
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(CONFIG_RE1000E_KUNIT_TEST, kernel::prelude::kunit_tests(re1000e_tsync))]
mod tests {
    use super::*;

    #[test]
    fn timinca_nominal_and_limits() {
        // INCPERIOD 1 in bits 31:24, INCVALUE 40 << 18 = 0xa00000.
        assert_eq!(timinca(0), Ok(0x01a0_0000));
        // +1 ppm = 65536 scaled: 10485760 / 1e6 = 10.49 -> 10 more.
        assert_eq!(timinca(65536), Ok(0x01a0_000a));
        assert_eq!(timinca(-65536), Ok(0x019f_fff6));
        // +100 ppm: 1048.6 -> 1049.
        assert_eq!(timinca(100 * 65536), Ok(0x01a0_0419));
        // The largest offset still fits INCVALUE's 24 bits: 10485760 * 1.5999999 =
        // 16777215 (0xffffff).
        let max = (i64::from(MAX_ADJ_PPB) * 65536) / 1000;
        assert_eq!(timinca(max), Ok(0x01ff_ffff));
        assert_eq!(timinca(-max), Ok(0x0140_0001));
        // Up to where INCVALUE would need 25 bits.
        assert_eq!(timinca(max + 3428), Ok(0x01ff_ffff));
        assert_eq!(timinca(max + 3429), Err(OutOfRange));
        assert_eq!(timinca(i64::MIN), Err(OutOfRange));
        assert_eq!(timinca(i64::MAX), Err(OutOfRange));
    }

    #[test]
    fn counter_counts_nanoseconds() {
        let mut tc = TimeCounter::new(1000 << SHIFT, 5_000);
        // 40 ns = one tick = 40 << 18.
        assert_eq!(tc.read(1040 << SHIFT), 5_040);
        // Fractions add up: two half nanoseconds make one.
        assert_eq!(tc.read((1040 << SHIFT) + (1 << (SHIFT - 1))), 5_040);
        assert_eq!(tc.read(1041 << SHIFT), 5_041);
        tc.adjust(-41);
        assert_eq!(tc.read(1041 << SHIFT), 5_000);
        tc.adjust(1_000_000_000);
        assert_eq!(tc.read(1042 << SHIFT), 1_000_005_001);
    }

    #[test]
    fn counter_follows_wrap() {
        // 100 ns before the 64-bit counter wraps, then 300 ns later.
        let start = u64::MAX - (100 << SHIFT) + 1;
        let mut tc = TimeCounter::new(start, 1_000);
        assert_eq!(tc.read(200 << SHIFT), 1_300);
    }

    #[test]
    fn latched_timestamps_either_side() {
        let mut tc = TimeCounter::new(0, 0);
        tc.read(1_000 << SHIFT);
        assert_eq!(tc.cyc2time(1_500 << SHIFT), 1_500);
        assert_eq!(tc.cyc2time(400 << SHIFT), 400);
        // A latch from before a wrap the last reading saw.
        let mut tc = TimeCounter::new(u64::MAX - (50 << SHIFT) + 1, 10_000);
        tc.read(50 << SHIFT);
        assert_eq!(tc.cyc2time(u64::MAX - (10 << SHIFT) + 1), 10_040);
        assert_eq!(tc.cyc2time(60 << SHIFT), 10_110);
    }

    /// Reads of SYSTIML and SYSTIMH answered from `vals`, pairs of (SYSTIML, SYSTIMH)
    /// values: the n-th read of each half gets the n-th pair's half.
    fn systim_from(vals: &[u32]) -> u64 {
        let (i, j) = (core::cell::Cell::new(0), core::cell::Cell::new(0));
        let lo = || {
            i.set(i.get() + 1);
            vals[2 * i.get() - 2]
        };
        let hi = || {
            j.set(j.get() + 1);
            vals[2 * j.get() - 1]
        };
        read_systim(lo, hi, (1 << 24) | INC)
    }

    const INC: u32 = 40 << SHIFT;

    #[test]
    fn systim_reads_survive_the_errata() {
        // A reading, and a re-read one increment later, which is taken.
        assert_eq!(
            systim_from(&[3 * INC, 7, 4 * INC, 7]),
            (7 << 32) | u64::from(4 * INC)
        );
        // SYSTIML wraps between the reads of the halves, so the high half read is the next
        // one's: SYSTIML is read again, and having wrapped, SYSTIMH with it.
        let near = u32::MAX - 100;
        assert_eq!(
            systim_from(&[near, 9, 50, 9, 50 + INC, 9]),
            (9 << 32) | u64::from(50 + INC)
        );
        // A wrong high half: re-read until two readings are one increment apart.
        assert_eq!(
            systim_from(&[0, 9, 0, 3, INC, 3]),
            (3 << 32) | u64::from(INC)
        );
        // Readings that never agree: the last one is taken.
        let mut v = [0u32; 2 * 52];
        for (k, w) in v.chunks_mut(2).enumerate() {
            w[0] = k as u32 * 3;
            w[1] = 1;
        }
        assert_eq!(systim_from(&v), (1 << 32) | (50 * 3));
    }

    #[test]
    fn plans_match_the_datasheet() {
        // Off.
        let p = plan(tx_type::OFF, rx_filter::NONE).unwrap();
        assert_eq!((p.tx_ctl, p.rx_ctl, p.rxmtrl, p.rxudp), (0, 0, 0, 0));
        // V1 Sync over UDP: TYPE 1, control 0, port 319 = 0x013f in network order.
        let p = plan(tx_type::ON, rx_filter::PTP_V1_L4_SYNC).unwrap();
        assert_eq!(p.tx_ctl, 0x10);
        assert_eq!(p.rx_ctl, 0x12);
        assert_eq!(p.rxmtrl, 0);
        assert_eq!(p.rxudp.to_ne_bytes()[..2], [0x01, 0x3f]);
        assert_eq!(
            (p.rx_filter, p.reply),
            (rx_filter::PTP_V1_L4_SYNC, rx_filter::PTP_V1_L4_SYNC)
        );
        // V1 Delay_Req: control 1 in bits 23:16.
        let p = plan(tx_type::OFF, rx_filter::PTP_V1_L4_DELAY_REQ).unwrap();
        assert_eq!((p.rx_ctl, p.rxmtrl), (0x12, 0x0001_0000));
        // V2 over L2 only: TYPE 0, ethertype 0x88f7, no UDP port.
        let p = plan(tx_type::OFF, rx_filter::PTP_V2_L2_DELAY_REQ).unwrap();
        assert_eq!((p.rx_ctl, p.rxmtrl, p.rxudp), (0x10, 0x0100_88f7, 0));
        assert_eq!(p.rx_filter, rx_filter::PTP_V2_L2_DELAY_REQ);
        assert_eq!(p.reply, rx_filter::SOME);
        // V2 over L4 only is not possible: L2 and L4 together; peer delay messages are
        // stamped too, so the caller hears "some".
        let p = plan(tx_type::OFF, rx_filter::PTP_V2_L4_SYNC).unwrap();
        assert_eq!((p.rx_ctl, p.rxmtrl), (0x14, 0x88f7));
        assert_eq!(
            (p.rx_filter, p.reply),
            (rx_filter::PTP_V2_L4_SYNC, rx_filter::SOME)
        );
        // Any V2 event: TYPE 5.
        let p = plan(tx_type::OFF, rx_filter::PTP_V2_L2_EVENT).unwrap();
        assert_eq!((p.rx_ctl, p.rx_filter), (0x1a, rx_filter::PTP_V2_EVENT));
        assert_eq!(p.reply, rx_filter::PTP_V2_EVENT);
        // Everything: TYPE 4.
        let p = plan(tx_type::OFF, rx_filter::NTP_ALL).unwrap();
        assert_eq!((p.rx_ctl, p.rx_filter), (0x18, rx_filter::ALL));
    }

    #[test]
    fn unsupported_requests() {
        assert_eq!(plan(2, rx_filter::NONE), Err(Unsupported::TxType));
        assert_eq!(
            plan(tx_type::ON, rx_filter::SOME),
            Err(Unsupported::RxFilter)
        );
        assert_eq!(plan(tx_type::ON, 16), Err(Unsupported::RxFilter));
        // Every filter offered is accepted and reported as itself or a wider one.
        for f in 0..32 {
            if RX_FILTERS & (1 << f) != 0 {
                let p = plan(tx_type::OFF, f).unwrap();
                assert!(p.rx_filter == f || RX_FILTERS & (1 << p.rx_filter) != 0);
            }
        }
    }
}
