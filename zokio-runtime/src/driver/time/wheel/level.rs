//! One level of the wheel: 64 slots, each a list of entries, and a bitmap
//! of the slots that hold any.

use super::{EntryList, LEVEL_MULT};
use crate::driver::time::entry::TimerShared;
use std::fmt;
use std::ptr::NonNull;

/// A level: slot `i` of level `l` holds the entries due in the `i`-th
/// `64^l`-tick span of the current `64^(l+1)`-tick rotation.
pub(super) struct Level {
    level: usize,
    /// Bit `i` is set iff slot `i` is non-empty.
    occupied: u64,
    /// The entries of each slot.
    slots: [EntryList; LEVEL_MULT],
    /// How many entries each slot holds (the driver scans only small
    /// slots for exact deadlines).
    counts: [u32; LEVEL_MULT],
}

/// The next slot of a level that holds entries, and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expiration {
    pub(crate) level: usize,
    pub(crate) slot: usize,
    /// The first tick of the slot's span.
    pub(crate) deadline: u64,
}

impl Level {
    pub(super) fn new(level: usize) -> Level {
        Level {
            level,
            occupied: 0,
            slots: std::array::from_fn(|_| EntryList::new()),
            counts: [0; LEVEL_MULT],
        }
    }

    /// The first occupied slot at or after `now`'s position, and its tick.
    pub(super) fn next_expiration(&self, now: u64) -> Option<Expiration> {
        let slot = self.next_occupied_slot(now)?;
        let level_range = level_range(self.level);
        let slot_range = slot_range(self.level);
        let level_start = now & !(level_range - 1);
        let mut deadline = level_start + slot as u64 * slot_range;
        if deadline <= now {
            // Only the top level wraps: entries beyond its range are filed in
            // its slots as in a ring (see `level_for`), so a slot "before"
            // now belongs to the next rotation.
            debug_assert_eq!(
                self.level,
                super::NUM_LEVELS - 1,
                "only the top level wraps"
            );
            deadline += level_range;
        }
        Some(Expiration {
            level: self.level,
            slot,
            deadline,
        })
    }

    /// The first occupied slot after `now`'s own slot, wrapping around.
    ///
    /// `now`'s slot comes last: below the top level it is never occupied
    /// (an entry there would differ from `now` only in lower digits and sit
    /// at a lower level), and at the top level it can only hold entries of
    /// a later rotation (filed as in a ring, see `level_for`).
    fn next_occupied_slot(&self, now: u64) -> Option<usize> {
        if self.occupied == 0 {
            return None;
        }
        let now_slot = (now / slot_range(self.level)) % LEVEL_MULT as u64;
        let start = ((now_slot + 1) % LEVEL_MULT as u64) as u32;
        let zeros = self.occupied.rotate_right(start).trailing_zeros();
        Some((zeros as usize + start as usize) % LEVEL_MULT)
    }

    /// Files `entry`, due at tick `when`, in its slot.
    ///
    /// # Safety
    ///
    /// `entry` is live, pinned and on no list; the caller holds the shard lock.
    pub(super) unsafe fn add(&mut self, entry: NonNull<TimerShared>, when: u64) {
        let slot = slot_for(when, self.level);
        // SAFETY: caller contract.
        unsafe { self.slots[slot].push_front(entry) };
        self.counts[slot] += 1;
        self.occupied |= 1 << slot;
    }

    /// Unlinks `entry`, filed at tick `when`, from its slot.
    ///
    /// # Safety
    ///
    /// `entry` is live and filed in this level at `when`; the caller holds
    /// the shard lock.
    pub(super) unsafe fn remove(&mut self, entry: NonNull<TimerShared>, when: u64) {
        let slot = slot_for(when, self.level);
        // SAFETY: caller contract: the entry is on this slot's list.
        let removed = unsafe { self.slots[slot].remove(entry) };
        debug_assert!(removed.is_some(), "a filed entry is on its slot's list");
        if removed.is_some() {
            self.counts[slot] -= 1;
        }
        if self.counts[slot] == 0 {
            self.occupied &= !(1 << slot);
        }
    }

    /// Takes every entry of `slot`.
    pub(super) fn take_slot(&mut self, slot: usize) -> EntryList {
        self.occupied &= !(1 << slot);
        self.counts[slot] = 0;
        std::mem::replace(&mut self.slots[slot], EntryList::new())
    }

    /// The number of entries in `slot`.
    pub(super) fn count(&self, slot: usize) -> u32 {
        self.counts[slot]
    }

    /// The list of `slot`, to scan or edit in place (the caller keeps
    /// `counts` right through `note_removed`).
    pub(super) fn slot_mut(&mut self, slot: usize) -> &mut EntryList {
        &mut self.slots[slot]
    }

    /// Accounts for an entry the caller unlinked from `slot`'s list.
    pub(super) fn note_removed(&mut self, slot: usize) {
        self.counts[slot] -= 1;
        if self.counts[slot] == 0 {
            self.occupied &= !(1 << slot);
        }
    }
}

/// Ticks covered by one slot of `level`.
fn slot_range(level: usize) -> u64 {
    (LEVEL_MULT as u64).pow(level as u32)
}

/// Ticks covered by all of `level`'s slots.
fn level_range(level: usize) -> u64 {
    LEVEL_MULT as u64 * slot_range(level)
}

/// The slot of `level` that tick `when` falls in.
pub(super) fn slot_for(when: u64, level: usize) -> usize {
    ((when >> (level * 6)) % LEVEL_MULT as u64) as usize
}

impl fmt::Debug for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Level")
            .field("level", &self.level)
            .field("occupied", &format_args!("{:#066b}", self.occupied))
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn slot_for_each_level() {
        for pos in 0..64u64 {
            assert_eq!(pos as usize, slot_for(pos, 0));
        }
        for level in 1..super::super::NUM_LEVELS {
            for pos in level as u64..64 {
                let a = pos * (LEVEL_MULT as u64).pow(level as u32);
                assert_eq!(pos as usize, slot_for(a, level));
            }
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(slot_range(0), 1);
        assert_eq!(level_range(0), 64);
        assert_eq!(slot_range(1), 64);
        assert_eq!(level_range(5), 1 << 36);
    }
}
