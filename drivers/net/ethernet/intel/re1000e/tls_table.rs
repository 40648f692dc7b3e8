// SPDX-License-Identifier: GPL-2.0

//! The offload-context table: the TCP chimney's state tree (neighbour -> path -> connection)
//! as re1000e keeps it for kTLS transmit offload, and the state machine of its entries.
//!
//! Every entry is found by a [`Handle`]: a slot and the generation the slot had when the
//! entry was made. A handle of a deleted entry never finds the slot's next occupant, so a
//! connection can be deleted late (the TLS core deletes transmit offloads from a work item,
//! after the socket may have been reused for a new connection that was added meanwhile)
//! without touching the wrong one. Connections link to a path, paths to a neighbour; links
//! are counted, so a neighbour or path lives exactly as long as something uses it.
//!
//! Connection states (the NDIS chimney's, for one direction of one connection):
//!
//! - `Offloaded`: the engine holds the connection's delegated state and encrypts its
//!   in-order traffic.
//! - `Invalid(reason)`: the engine's state cannot be trusted (its neighbour failed or went
//!   away, a gap it cannot bridge, a malformed record, an engine fault); the traffic goes
//!   through the software fallback. A resync from the host revalidates it, unless the reason
//!   is still in force (a failed neighbour, an engine fault not yet recovered).
//!
//! Deleting an entry (terminate) frees its slot whatever its state. Pure logic: no kernel
//! types; the driver keeps one table under a lock and the per-connection engine state beside
//! it, slot for slot.

/// Connections re1000e's table holds (the devlink resource's size). Paths and neighbours:
/// at most one each per connection.
pub(crate) const MAX_CONNS: usize = 64;

/// An entry's place in a table: slot and generation, packed in 32 bits for the TLS
/// context's driver state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Handle {
    slot: u16,
    gen: u16,
}

impl Handle {
    /// The packed form.
    pub(crate) fn pack(self) -> u32 {
        u32::from(self.slot) | u32::from(self.gen) << 16
    }

    /// A handle from its packed form.
    pub(crate) fn unpack(v: u32) -> Self {
        Handle {
            // CAST: the halves of a 32-bit value.
            slot: v as u16,
            gen: (v >> 16) as u16,
        }
    }

    /// The slot, for state the driver keeps beside the table.
    pub(crate) fn slot(self) -> usize {
        usize::from(self.slot)
    }
}

/// Why a connection is not offloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// Its neighbour failed or was deleted.
    Neighbour,
    /// Its traffic skipped bytes the engine never saw, or the engine lost its place.
    Gap,
    /// A record the engine could not parse.
    BadRecord,
    /// The engine faulted (the hardware-failure sequence).
    EngineFault,
}

/// A connection's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnState {
    /// Encrypted by the engine.
    Offloaded,
    /// Through the software fallback until revalidated.
    Invalid(Reason),
}

/// Why an entry could not be made or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TableError {
    /// No free slot.
    Full,
    /// The engine is faulted: nothing is offloaded until it recovers.
    Faulted,
    /// The handle names no live entry (deleted, or never made).
    Stale,
    /// A resync cannot revalidate the connection while its reason is in force.
    Blocked(Reason),
}

/// Neighbour reachability, as the table cares about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NudState {
    /// The link-layer address is usable.
    Valid,
    /// Resolution failed: frames would go nowhere.
    Failed,
}

/// A next hop: the interface whose neighbour table holds it, address family and address,
/// link-layer address, state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Neigh {
    /// The interface the route goes out of, as an identity (namespace, interface index):
    /// the port itself, or the bond (or other upper device) the port belongs to. The same
    /// address on two interfaces is two neighbours.
    pub(crate) link: (u64, i32),
    /// 4 or 6, and the address (IPv4 in the first 4 bytes).
    pub(crate) family: u8,
    pub(crate) addr: [u8; 16],
    pub(crate) lladdr: [u8; 6],
    pub(crate) state: NudState,
}

/// A path: the connection's addresses, the MSS its traffic shows, its next hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Path {
    pub(crate) family: u8,
    pub(crate) src: [u8; 16],
    pub(crate) dst: [u8; 16],
    pub(crate) mss: u32,
    pub(crate) neigh: Handle,
}

/// A connection: its path, its state, its counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Conn {
    pub(crate) path: Handle,
    pub(crate) state: ConnState,
    /// Whether the driver asked the host for a resync that has not come yet.
    pub(crate) resync_pending: bool,
}

#[derive(Clone, Copy, Debug)]
struct Slot<T> {
    gen: u16,
    refs: u32,
    val: Option<T>,
}

/// A fixed set of slots with generation-checked handles and use counts.
#[derive(Debug)]
struct Slab<T: Copy, const N: usize> {
    slots: [Slot<T>; N],
}

impl<T: Copy, const N: usize> Slab<T, N> {
    const fn new() -> Self {
        Slab {
            slots: [Slot {
                gen: 0,
                refs: 0,
                val: None,
            }; N],
        }
    }

    fn insert(&mut self, val: T) -> Result<Handle, TableError> {
        let (i, s) = self
            .slots
            .iter_mut()
            .enumerate()
            .find(|(_, s)| s.val.is_none())
            .ok_or(TableError::Full)?;
        s.val = Some(val);
        s.refs = 0;
        Ok(Handle {
            // CAST: N is far below 2^16.
            slot: i as u16,
            gen: s.gen,
        })
    }

    fn get(&self, h: Handle) -> Option<&T> {
        let s = self.slots.get(h.slot())?;
        if s.gen == h.gen {
            s.val.as_ref()
        } else {
            None
        }
    }

    fn get_mut(&mut self, h: Handle) -> Option<&mut T> {
        let s = self.slots.get_mut(h.slot())?;
        if s.gen == h.gen {
            s.val.as_mut()
        } else {
            None
        }
    }

    fn remove(&mut self, h: Handle) -> Option<T> {
        let s = self.slots.get_mut(h.slot())?;
        if s.gen != h.gen {
            return None;
        }
        let v = s.val.take()?;
        s.gen = s.gen.wrapping_add(1);
        s.refs = 0;
        Some(v)
    }

    fn refs_mut(&mut self, h: Handle) -> Option<&mut u32> {
        let s = self.slots.get_mut(h.slot())?;
        (s.gen == h.gen && s.val.is_some()).then_some(&mut s.refs)
    }

    fn iter(&self) -> impl Iterator<Item = (Handle, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.val.as_ref().map(|v| {
                (
                    Handle {
                        // CAST: N is far below 2^16.
                        slot: i as u16,
                        gen: s.gen,
                    },
                    v,
                )
            })
        })
    }

    fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.val.is_some()).count()
    }
}

/// Counts of connections by state (devlink health diagnose).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Census {
    pub(crate) offloaded: u32,
    pub(crate) invalid: u32,
    pub(crate) paths: u32,
    pub(crate) neighs: u32,
}

/// The offload-context table of one device, with room for `N` connections (and as many
/// paths and neighbours). A few KiB for re1000e's [`MAX_CONNS`]: the driver keeps it in a
/// heap allocation.
#[derive(Debug)]
pub(crate) struct Table<const N: usize> {
    conns: Slab<Conn, N>,
    paths: Slab<Path, N>,
    neighs: Slab<Neigh, N>,
    /// Connections the table may hold (the devlink resource's size), at most `N`.
    limit: usize,
    faulted: bool,
}

impl<const N: usize> Table<N> {
    /// An empty table that holds at most `limit` connections (capped at `N`).
    pub(crate) const fn new(limit: usize) -> Self {
        Table {
            conns: Slab::new(),
            paths: Slab::new(),
            neighs: Slab::new(),
            limit: if limit < N { limit } else { N },
            faulted: false,
        }
    }

    /// Connections in the table (the devlink resource's occupancy).
    pub(crate) fn occupancy(&self) -> usize {
        self.conns.len()
    }

    /// Connections the table may hold.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Whether the engine is faulted.
    pub(crate) fn is_faulted(&self) -> bool {
        self.faulted
    }

    /// Initiate: a connection over the path from `src` to `dst` through next hop `neigh`.
    /// Finds or makes the neighbour and the path entries and links the connection to them.
    /// Refused, with nothing made, when the table is full, the engine faulted or the
    /// neighbour failed.
    pub(crate) fn add(
        &mut self,
        neigh: Neigh,
        src: [u8; 16],
        dst: [u8; 16],
        mss: u32,
    ) -> Result<Handle, TableError> {
        if self.faulted {
            return Err(TableError::Faulted);
        }
        if self.conns.len() >= self.limit {
            return Err(TableError::Full);
        }
        if neigh.state != NudState::Valid {
            return Err(TableError::Blocked(Reason::Neighbour));
        }
        // The entries and the connection are made or nothing is (a failure undoes the
        // uses taken so far).
        let nh = match self.find_neigh(neigh.link, neigh.family, &neigh.addr) {
            Some(h) => {
                if let Some(n) = self.neighs.get_mut(h) {
                    n.lladdr = neigh.lladdr;
                }
                h
            }
            None => self.neighs.insert(neigh)?,
        };
        // The path's use of the neighbour, whether the path is made or found.
        self.link_neigh(nh, 1);
        let ph = match self.find_path(neigh.family, &src, &dst, nh) {
            Some(h) => {
                // The path found already uses the neighbour.
                self.unlink_neigh(nh);
                h
            }
            None => match self.paths.insert(Path {
                family: neigh.family,
                src,
                dst,
                mss,
                neigh: nh,
            }) {
                Ok(h) => h,
                Err(e) => {
                    self.unlink_neigh(nh);
                    return Err(e);
                }
            },
        };
        if let Some(p) = self.paths.get_mut(ph) {
            p.mss = mss;
        }
        // The connection's use of the path.
        if let Some(r) = self.paths.refs_mut(ph) {
            *r += 1;
        }
        match self.conns.insert(Conn {
            path: ph,
            state: ConnState::Offloaded,
            resync_pending: false,
        }) {
            Ok(h) => Ok(h),
            Err(e) => {
                self.release_path(ph);
                Err(e)
            }
        }
    }

    /// Terminate: deletes connection `h` and whatever path and neighbour only it used.
    pub(crate) fn del(&mut self, h: Handle) -> Result<(), TableError> {
        let c = self.conns.remove(h).ok_or(TableError::Stale)?;
        self.release_path(c.path);
        Ok(())
    }

    /// Upload-all: deletes every connection (the device went down).
    pub(crate) fn clear(&mut self) {
        let live: [Option<Handle>; N] = {
            let mut a = [None; N];
            for (slot, (h, _)) in a.iter_mut().zip(self.conns.iter()) {
                *slot = Some(h);
            }
            a
        };
        for h in live.into_iter().flatten() {
            let _ = self.del(h);
        }
    }

    /// Connection `h`.
    pub(crate) fn conn(&self, h: Handle) -> Option<&Conn> {
        self.conns.get(h)
    }

    /// The path of connection `h`, and its neighbour.
    pub(crate) fn route(&self, h: Handle) -> Option<(&Path, &Neigh)> {
        let p = self.paths.get(self.conns.get(h)?.path)?;
        Some((p, self.neighs.get(p.neigh)?))
    }

    /// Invalidate: connection `h` stops using the engine, for `reason`.
    pub(crate) fn invalidate(&mut self, h: Handle, reason: Reason) -> Result<(), TableError> {
        let c = self.conns.get_mut(h).ok_or(TableError::Stale)?;
        c.state = ConnState::Invalid(reason);
        Ok(())
    }

    /// Notes that a resync was asked for connection `h`; returns `false` if one was already
    /// pending (ask once).
    pub(crate) fn request_resync(&mut self, h: Handle) -> Result<bool, TableError> {
        let c = self.conns.get_mut(h).ok_or(TableError::Stale)?;
        Ok(!core::mem::replace(&mut c.resync_pending, true))
    }

    /// The resync asked for `h` could not be sent (the host was finishing one: its answer
    /// has come, its request flag is not cleared yet): the next packet that needs one asks
    /// again, instead of the connection waiting for an answer that will not come.
    pub(crate) fn resync_not_sent(&mut self, h: Handle) {
        if let Some(c) = self.conns.get_mut(h) {
            c.resync_pending = false;
        }
    }

    /// Update: the host resynced connection `h` (its sequence state is the host's again):
    /// revalidates it unless its neighbour has failed or the engine is faulted.
    pub(crate) fn resync(&mut self, h: Handle) -> Result<(), TableError> {
        if self.faulted {
            return Err(TableError::Blocked(Reason::EngineFault));
        }
        let path = self.conns.get(h).ok_or(TableError::Stale)?.path;
        let neigh_ok = self
            .paths
            .get(path)
            .and_then(|p| self.neighs.get(p.neigh))
            .is_some_and(|n| n.state == NudState::Valid);
        let c = self.conns.get_mut(h).ok_or(TableError::Stale)?;
        c.resync_pending = false;
        if !neigh_ok {
            c.state = ConnState::Invalid(Reason::Neighbour);
            return Err(TableError::Blocked(Reason::Neighbour));
        }
        c.state = ConnState::Offloaded;
        Ok(())
    }

    /// A neighbour update (`NETEVENT_NEIGH_UPDATE`): a known next hop takes its new
    /// link-layer address and state in place; one that failed invalidates the connections
    /// through it. Returns how many connections were invalidated, or `None` if the table
    /// holds no such neighbour.
    pub(crate) fn neigh_update(&mut self, n: Neigh) -> Option<u32> {
        let h = self.find_neigh(n.link, n.family, &n.addr)?;
        let e = self.neighs.get_mut(h)?;
        e.lladdr = n.lladdr;
        e.state = n.state;
        Some(if n.state == NudState::Failed {
            self.invalidate_through(h, Reason::Neighbour)
        } else {
            0
        })
    }

    /// A neighbour deleted: its connections are invalidated and the entry marked failed
    /// (it stays while paths link to it). Returns how many were invalidated.
    pub(crate) fn neigh_delete(&mut self, link: (u64, i32), family: u8, addr: &[u8; 16]) -> u32 {
        let Some(h) = self.find_neigh(link, family, addr) else {
            return 0;
        };
        if let Some(e) = self.neighs.get_mut(h) {
            e.state = NudState::Failed;
        }
        self.invalidate_through(h, Reason::Neighbour)
    }

    /// A route change: the path of connection `h` now goes through next hop `neigh`.
    /// Relinks the path (making the neighbour entry if needed); the old neighbour goes when
    /// nothing uses it. A failed new neighbour invalidates the connections on the path.
    pub(crate) fn relink(&mut self, h: Handle, neigh: Neigh) -> Result<(), TableError> {
        let ph = self.conns.get(h).ok_or(TableError::Stale)?.path;
        let old = self.paths.get(ph).ok_or(TableError::Stale)?.neigh;
        let nh = match self.find_neigh(neigh.link, neigh.family, &neigh.addr) {
            Some(nh) if nh == old => return Ok(()),
            Some(nh) => nh,
            None => self.neighs.insert(neigh)?,
        };
        if let Some(e) = self.neighs.get_mut(nh) {
            e.lladdr = neigh.lladdr;
            e.state = neigh.state;
        }
        self.link_neigh(nh, 1);
        if let Some(p) = self.paths.get_mut(ph) {
            p.neigh = nh;
        }
        self.unlink_neigh(old);
        if neigh.state == NudState::Failed {
            self.invalidate_through(nh, Reason::Neighbour);
        }
        Ok(())
    }

    /// The device's MTU changed: every path's MSS is capped at what the new MTU carries.
    pub(crate) fn mtu_changed(&mut self, mss_v4: u32, mss_v6: u32) {
        for s in self.paths.slots.iter_mut() {
            if let Some(p) = s.val.as_mut() {
                let cap = if p.family == 6 { mss_v6 } else { mss_v4 };
                p.mss = p.mss.min(cap);
            }
        }
    }

    /// The hardware-failure sequence, first half: the engine faulted; every connection is
    /// invalidated and nothing new is offloaded. Returns how many were offloaded.
    pub(crate) fn fault(&mut self) -> u32 {
        self.faulted = true;
        let mut n = 0;
        for s in self.conns.slots.iter_mut() {
            if let Some(c) = s.val.as_mut() {
                if c.state == ConnState::Offloaded {
                    n += 1;
                }
                c.state = ConnState::Invalid(Reason::EngineFault);
            }
        }
        n
    }

    /// The second half: the engine was checked and works again. Connections stay invalid
    /// until the host resyncs them; new ones are offloaded again.
    pub(crate) fn recover(&mut self) {
        self.faulted = false;
    }

    /// Connections by state, with the paths and neighbours in use.
    pub(crate) fn census(&self) -> Census {
        let mut c = Census::default();
        for (_, e) in self.conns.iter() {
            match e.state {
                ConnState::Offloaded => c.offloaded += 1,
                ConnState::Invalid(_) => c.invalid += 1,
            }
        }
        // CAST: at most N, far below 2^32.
        c.paths = self.paths.len() as u32;
        c.neighs = self.neighs.len() as u32;
        c
    }

    /// Every connection with its handle (for the health dump and for invalidating all).
    pub(crate) fn conns(&self) -> impl Iterator<Item = (Handle, &Conn)> {
        self.conns.iter()
    }

    fn find_neigh(&self, link: (u64, i32), family: u8, addr: &[u8; 16]) -> Option<Handle> {
        self.neighs
            .iter()
            .find(|(_, n)| n.link == link && n.family == family && n.addr == *addr)
            .map(|(h, _)| h)
    }

    fn find_path(&self, family: u8, src: &[u8; 16], dst: &[u8; 16], nh: Handle) -> Option<Handle> {
        self.paths
            .iter()
            .find(|(_, p)| p.family == family && p.src == *src && p.dst == *dst && p.neigh == nh)
            .map(|(h, _)| h)
    }

    fn link_neigh(&mut self, h: Handle, n: u32) {
        if let Some(r) = self.neighs.refs_mut(h) {
            *r += n;
        }
    }

    /// Drops one use of neighbour `h`, deleting it with its last.
    fn unlink_neigh(&mut self, h: Handle) {
        let last = match self.neighs.refs_mut(h) {
            Some(r) => {
                *r = r.saturating_sub(1);
                *r == 0
            }
            None => false,
        };
        if last {
            self.neighs.remove(h);
        }
    }

    /// Drops one use of path `h`, deleting it (and its use of its neighbour) with its last.
    fn release_path(&mut self, h: Handle) {
        let last = match self.paths.refs_mut(h) {
            Some(r) => {
                *r = r.saturating_sub(1);
                *r == 0
            }
            None => false,
        };
        if last {
            if let Some(p) = self.paths.remove(h) {
                self.unlink_neigh(p.neigh);
            }
        }
    }

    /// Invalidates the offloaded connections whose path goes through neighbour `nh`.
    fn invalidate_through(&mut self, nh: Handle, reason: Reason) -> u32 {
        let paths = &self.paths;
        let mut n = 0;
        for s in self.conns.slots.iter_mut() {
            if let Some(c) = s.val.as_mut() {
                let through = paths.get(c.path).is_some_and(|p| p.neigh == nh);
                if through && c.state == ConnState::Offloaded {
                    c.state = ConnState::Invalid(reason);
                    n += 1;
                }
            }
        }
        n
    }
}

#[cfg(any(test, CONFIG_RE1000E_KUNIT_TEST))]
#[cfg_attr(
    CONFIG_RE1000E_KUNIT_TEST,
    kernel::prelude::kunit_tests(re1000e_tls_table)
)]
mod tests {
    use super::*;

    /// Small tables: they live on the test's stack.
    type T = Table<8>;

    fn v4(last: u8) -> [u8; 16] {
        let mut a = [0u8; 16];
        a[..4].copy_from_slice(&[198, 51, 100, last]);
        a
    }

    fn census(offloaded: u32, invalid: u32, paths: u32, neighs: u32) -> Census {
        Census {
            offloaded,
            invalid,
            paths,
            neighs,
        }
    }

    fn gw(last: u8, mac: u8) -> Neigh {
        Neigh {
            link: (1, 1),
            family: 4,
            addr: v4(last),
            lladdr: [2, 0, 0, 0, 0, mac],
            state: NudState::Valid,
        }
    }

    #[test]
    fn handles_of_deleted_entries_never_find_the_next_one() -> Result<(), TableError> {
        let mut t = T::new(4);
        let a = t.add(gw(2, 1), v4(1), v4(2), 1448)?;
        t.del(a)?;
        // The slot is reused by a new connection (a socket reused at the same address).
        let b = t.add(gw(2, 1), v4(1), v4(2), 1448)?;
        assert_eq!(a.slot(), b.slot());
        assert!(a != b);
        // The late delete of the old connection finds nothing; the new one stays.
        assert_eq!(t.del(a), Err(TableError::Stale));
        assert_eq!(t.invalidate(a, Reason::Gap), Err(TableError::Stale));
        assert!(t.conn(b).is_some());
        assert_eq!(Handle::unpack(b.pack()), b);
        assert_eq!(t.occupancy(), 1);
        Ok(())
    }

    #[test]
    fn the_tree_is_shared_and_freed_with_its_last_user() -> Result<(), TableError> {
        let mut t = T::new(8);
        let a = t.add(gw(254, 1), v4(1), v4(2), 1448)?;
        let b = t.add(gw(254, 1), v4(1), v4(2), 1448)?;
        let c = t.add(gw(254, 1), v4(1), v4(3), 1448)?;
        assert!(t.census() == census(3, 0, 2, 1));
        t.del(a)?;
        assert!(t.census() == census(2, 0, 2, 1));
        t.del(b)?;
        assert!(t.census() == census(1, 0, 1, 1));
        t.del(c)?;
        assert!(t.census() == Census::default());
        Ok(())
    }

    #[test]
    fn a_full_table_or_a_fault_refuses_and_changes_nothing() -> Result<(), TableError> {
        let mut t = T::new(2);
        t.add(gw(2, 1), v4(1), v4(2), 1448)?;
        t.add(gw(2, 1), v4(1), v4(3), 1448)?;
        assert_eq!(t.add(gw(2, 1), v4(1), v4(4), 1448), Err(TableError::Full));
        assert!(t.census() == census(2, 0, 2, 1));
        assert_eq!(t.fault(), 2);
        assert_eq!(
            t.add(gw(2, 1), v4(1), v4(4), 1448),
            Err(TableError::Faulted)
        );
        let mut failed = gw(9, 9);
        failed.state = NudState::Failed;
        t.recover();
        t.clear();
        assert_eq!(
            t.add(failed, v4(1), v4(4), 1448),
            Err(TableError::Blocked(Reason::Neighbour))
        );
        assert!(t.census() == Census::default());
        assert!(T::new(13).limit() == 8);
        Ok(())
    }

    #[test]
    fn neighbour_events_update_in_place_or_invalidate_dependants() -> Result<(), TableError> {
        let mut t = T::new(8);
        let a = t.add(gw(254, 1), v4(1), v4(2), 1448)?;
        let b = t.add(gw(253, 2), v4(1), v4(3), 1448)?;
        // A new link-layer address: updated in place, nothing invalidated.
        assert_eq!(t.neigh_update(gw(254, 7)), Some(0));
        assert!(t.route(a).map(|(_, n)| n.lladdr) == Some([2, 0, 0, 0, 0, 7]));
        assert!(t.conn(a).map(|c| c.state) == Some(ConnState::Offloaded));
        // A neighbour the table does not hold.
        assert_eq!(t.neigh_update(gw(1, 1)), None);
        // Failed: its connection goes to the fallback, the other stays.
        let mut failed = gw(254, 7);
        failed.state = NudState::Failed;
        assert_eq!(t.neigh_update(failed), Some(1));
        assert!(t.conn(a).map(|c| c.state) == Some(ConnState::Invalid(Reason::Neighbour)));
        assert!(t.conn(b).map(|c| c.state) == Some(ConnState::Offloaded));
        // A resync cannot revalidate it while the neighbour is failed...
        assert_eq!(t.resync(a), Err(TableError::Blocked(Reason::Neighbour)));
        // ...and can once it is reachable again.
        assert_eq!(t.neigh_update(gw(254, 8)), Some(0));
        t.resync(a)?;
        assert!(t.conn(a).map(|c| c.state) == Some(ConnState::Offloaded));
        // Deleted: dependants invalidated.
        assert_eq!(t.neigh_delete((1, 1), 4, &v4(253)), 1);
        assert!(t.conn(b).map(|c| c.state) == Some(ConnState::Invalid(Reason::Neighbour)));
        Ok(())
    }

    #[test]
    fn neighbours_are_per_interface() -> Result<(), TableError> {
        let mut t = T::new(8);
        // The port's own neighbour and the bond's with the same address: two entries.
        let a = t.add(gw(254, 1), v4(1), v4(2), 1448)?;
        let mut on_bond = gw(254, 2);
        on_bond.link = (1, 2);
        let b = t.add(on_bond, v4(1), v4(2), 1448)?;
        assert!(t.census() == census(2, 0, 2, 2));
        // An event on the bond's table reaches only the connection routed through the bond.
        on_bond.state = NudState::Failed;
        assert_eq!(t.neigh_update(on_bond), Some(1));
        assert!(t.conn(a).map(|c| c.state) == Some(ConnState::Offloaded));
        assert!(t.conn(b).map(|c| c.state) == Some(ConnState::Invalid(Reason::Neighbour)));
        // An interface the table knows nothing of.
        let mut elsewhere = gw(254, 3);
        elsewhere.link = (2, 1);
        assert_eq!(t.neigh_update(elsewhere), None);
        assert_eq!(t.neigh_delete((2, 1), 4, &v4(254)), 0);
        Ok(())
    }

    #[test]
    fn a_route_change_relinks_the_path() -> Result<(), TableError> {
        let mut t = T::new(8);
        let a = t.add(gw(254, 1), v4(1), v4(2), 1448)?;
        t.relink(a, gw(253, 2))?;
        assert!(t.route(a).map(|(_, n)| n.addr) == Some(v4(253)));
        // The old next hop went with its last user.
        assert!(t.census() == census(1, 0, 1, 1));
        assert_eq!(t.neigh_delete((1, 1), 4, &v4(254)), 0);
        let mut failed = gw(252, 3);
        failed.state = NudState::Failed;
        t.relink(a, failed)?;
        assert!(t.conn(a).map(|c| c.state) == Some(ConnState::Invalid(Reason::Neighbour)));
        t.mtu_changed(536, 1220);
        assert!(t.route(a).map(|(p, _)| p.mss) == Some(536));
        Ok(())
    }

    #[test]
    fn the_failure_sequence_and_recovery() -> Result<(), TableError> {
        let mut t = T::new(8);
        let a = t.add(gw(2, 1), v4(1), v4(2), 1448)?;
        let b = t.add(gw(2, 1), v4(1), v4(3), 1448)?;
        t.invalidate(b, Reason::Gap)?;
        assert_eq!(t.request_resync(b), Ok(true));
        assert_eq!(t.request_resync(b), Ok(false));
        // A request that could not be sent is asked again.
        t.resync_not_sent(b);
        assert_eq!(t.request_resync(b), Ok(true));
        // One was offloaded when the engine faulted; both are invalid now.
        assert_eq!(t.fault(), 1);
        assert!(t.census() == census(0, 2, 2, 1));
        assert_eq!(t.resync(a), Err(TableError::Blocked(Reason::EngineFault)));
        t.recover();
        // Still invalid until resynced; new connections are offloaded again.
        assert!(t.conn(a).map(|c| c.state) == Some(ConnState::Invalid(Reason::EngineFault)));
        let c = t.add(gw(2, 1), v4(1), v4(4), 1448)?;
        t.resync(a)?;
        t.resync(b)?;
        assert!(t.conn(b).map(|c| c.resync_pending) == Some(false));
        assert!(t.census() == census(3, 0, 3, 1));
        // Upload-all.
        t.clear();
        assert!(t.census() == Census::default());
        assert!(t.conn(c).is_none());
        Ok(())
    }
}
