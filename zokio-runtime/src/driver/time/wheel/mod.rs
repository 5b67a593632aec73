//! The hierarchical timer wheel of one shard.
//!
//! Six levels of 64 slots. A slot of level 0 spans one tick (1 ms), a slot
//! of level `l` spans `64^l` ticks, so the wheel covers `2^36` ms (about
//! 2.2 years) ahead of `elapsed`; later deadlines are filed in the top
//! level's slots as in a ring and re-filed each time their slot comes up.
//!
//! # Invariants (all under the shard lock, which guards the whole wheel)
//!
//! 1. `elapsed` only grows, and every entry filed in a level has
//!    `cached_when > elapsed`.
//! 2. An entry due at tick `when` is filed at level
//!    `level_for(elapsed, when)`, in slot `slot_for(when, level)`. Slots are
//!    processed in deadline order and `elapsed` never skips an occupied slot,
//!    so an entry's level computed at removal time is the level it was
//!    filed at: removal is O(1) (`remove`).
//! 3. Processing a slot (`process_expiration`) claims the due entries
//!    (`mark_pending`: `deadline -> PENDING`) onto `pending` and re-files
//!    the others (extended deadlines, or entries cascading down a level).
//! 4. `len` counts entries linked anywhere in the wheel (slots + pending).
//!
//! Entries fire in tick order: all entries due at a tick are claimed before
//! any entry of a later tick. Within a tick the order is unspecified.

mod level;

pub(crate) use self::level::Expiration;
use self::level::Level;
use super::entry::{tick_of, EntryLink, TimerShared, CACHED_PENDING, NANOS_PER_TICK};
use crate::util::linked_list::LinkedList;
use std::fmt;
use std::ptr::NonNull;

/// A list of timer entries.
pub(crate) type EntryList = LinkedList<EntryLink>;

/// Levels of the wheel.
pub(crate) const NUM_LEVELS: usize = 6;
/// Slots per level.
const LEVEL_MULT: usize = 64;
/// The farthest tick (relative to `elapsed`) the levels can tell apart.
const MAX_DURATION: u64 = (1 << (6 * NUM_LEVELS)) - 1;
/// The driver scans the next slot for its exact earliest deadline only if
/// it holds at most this many entries; fuller slots fire on the tick.
const EXACT_SCAN_MAX: u32 = 32;

/// The timer wheel of one shard.
pub(crate) struct Wheel {
    /// The last tick processed (invariant 1).
    elapsed: u64,
    levels: Box<[Level; NUM_LEVELS]>,
    /// Claimed entries waiting to be fired (invariant 3).
    pending: EntryList,
    /// How many entries `pending` holds.
    pending_len: usize,
    /// Entries linked anywhere in the wheel (invariant 4).
    len: usize,
}

/// `insert` refused an entry whose tick has already been processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elapsed;

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            levels: Box::new(std::array::from_fn(Level::new)),
            pending: EntryList::new(),
            pending_len: 0,
            len: 0,
        }
    }

    /// Entries linked in this wheel.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Files `entry` with deadline `deadline_ns`.
    ///
    /// # Safety
    ///
    /// `entry` is live, pinned, on no list, and stays so until it is removed
    /// or fired; the caller holds this wheel's shard lock.
    pub(crate) unsafe fn insert(
        &mut self,
        entry: NonNull<TimerShared>,
        deadline_ns: u64,
    ) -> Result<(), Elapsed> {
        let when = tick_of(deadline_ns);
        if when <= self.elapsed {
            return Err(Elapsed);
        }
        // SAFETY: caller contract (we hold the lock, the entry is ours now).
        unsafe { entry.as_ref().set_cached_when(when) };
        let level = level_for(self.elapsed, when);
        // SAFETY: caller contract.
        unsafe { self.levels[level].add(entry, when) };
        self.len += 1;
        Ok(())
    }

    /// Unlinks `entry` (O(1), invariant 2).
    ///
    /// # Safety
    ///
    /// `entry` is live and linked in this wheel; the caller holds the lock.
    pub(crate) unsafe fn remove(&mut self, entry: NonNull<TimerShared>) {
        // SAFETY: caller contract.
        let when = unsafe { entry.as_ref().cached_when() };
        if when == CACHED_PENDING {
            // SAFETY: a PENDING entry is on `pending` (invariant 3).
            let removed = unsafe { self.pending.remove(entry) };
            debug_assert!(removed.is_some(), "a claimed entry is on the pending list");
            self.pending_len -= 1;
        } else {
            debug_assert!(when > self.elapsed, "filed entries are not yet due");
            let level = level_for(self.elapsed, when);
            // SAFETY: invariant 2 names the list.
            unsafe { self.levels[level].remove(entry, when) };
        }
        self.len -= 1;
    }

    /// The next slot to process: the pending list first, then the levels
    /// from the bottom up (a lower level is always due sooner).
    pub(crate) fn next_expiration(&self) -> Option<Expiration> {
        if self.pending_len > 0 {
            return Some(Expiration {
                level: 0,
                slot: 0,
                deadline: self.elapsed,
            });
        }
        self.levels
            .iter()
            .find_map(|level| level.next_expiration(self.elapsed))
    }

    /// When the next entry may be due, in nanoseconds since the driver's
    /// start: the start of its slot's first tick, or the earliest exact
    /// deadline in that slot if the slot is small (so a lone 1 ms sleep
    /// wakes on time, not on the next tick boundary).
    pub(crate) fn next_deadline_ns(&mut self) -> Option<u64> {
        if self.pending_len > 0 {
            return Some(0);
        }
        let exp = self.next_expiration()?;
        let tick_start = exp.deadline.saturating_mul(NANOS_PER_TICK);
        if self.levels[exp.level].count(exp.slot) > EXACT_SCAN_MAX {
            return Some(tick_start);
        }
        // Every entry of the slot is due at or after the slot's first tick
        // begins, and nothing else is due before: the earliest exact
        // deadline in the slot is the next wake. (Higher levels too: an
        // entry due at a multiple of 64 ticks waits at level 1 until its
        // slot comes up.) An extended entry may be due later than that;
        // `tick_start` caps the wake so the slot is still re-filed in time.
        let mut earliest = tick_start;
        scan(
            self.levels[exp.level].slot_mut(exp.slot),
            |entry| {
                // A racing extend only makes this later: waking early is
                // harmless.
                earliest = earliest.min(entry.deadline_hint());
                true
            },
            |_| unreachable!("every entry is kept"),
        );
        Some(earliest)
    }

    /// Returns the next entry due at `now_ns`, claimed (PENDING) and
    /// unlinked; the caller fires it under the lock. `None` when nothing
    /// more is due.
    pub(crate) fn poll(&mut self, now_ns: u64) -> Option<NonNull<TimerShared>> {
        let now_tick = now_ns / NANOS_PER_TICK;
        loop {
            if let Some(entry) = self.pending.pop_back() {
                self.pending_len -= 1;
                self.len -= 1;
                return Some(entry);
            }
            match self.next_expiration() {
                Some(exp) if exp.deadline <= now_tick => self.process_expiration(&exp),
                Some(exp)
                    if exp.deadline == now_tick + 1
                        && self.levels[exp.level].count(exp.slot) <= EXACT_SCAN_MAX =>
                {
                    // The next tick has started: claim its entries whose
                    // exact deadline has passed (the precise wake of
                    // `next_deadline_ns`).
                    if self.claim_exact(&exp, now_ns) == 0 {
                        self.set_elapsed(now_tick);
                        return None;
                    }
                }
                _ => {
                    self.set_elapsed(now_tick);
                    return None;
                }
            }
        }
    }

    /// Unlinks the next remaining entry (shutdown), claimed or not.
    pub(crate) fn drain_one(&mut self) -> Option<NonNull<TimerShared>> {
        if let Some(entry) = self.pending.pop_back() {
            self.pending_len -= 1;
            self.len -= 1;
            return Some(entry);
        }
        let exp = self
            .levels
            .iter()
            .find_map(|level| level.next_expiration(self.elapsed))?;
        let level = &mut self.levels[exp.level];
        let entry = level.slot_mut(exp.slot).pop_back()?;
        level.note_removed(exp.slot);
        self.len -= 1;
        Some(entry)
    }

    /// Claims the due entries of an expired slot and re-files the others
    /// (invariant 3), then moves `elapsed` to the slot's tick.
    fn process_expiration(&mut self, exp: &Expiration) {
        let mut list = self.levels[exp.level].take_slot(exp.slot);
        while let Some(entry) = list.pop_back() {
            // SAFETY: linked entries are live (entry.rs rule 4); we hold the
            // shard lock (`&mut self` of the locked wheel).
            let entry_ref = unsafe { entry.as_ref() };
            // SAFETY: as above.
            match unsafe { entry_ref.mark_pending(exp.deadline) } {
                Ok(()) => {
                    // SAFETY: as above.
                    unsafe {
                        entry_ref.set_cached_when(CACHED_PENDING);
                        self.pending.push_front(entry);
                    }
                    self.pending_len += 1;
                }
                Err(deadline) => {
                    let when = tick_of(deadline);
                    let level = level_for(exp.deadline, when);
                    // SAFETY: as above; the entry was unlinked by the pop.
                    unsafe {
                        entry_ref.set_cached_when(when);
                        self.levels[level].add(entry, when);
                    }
                }
            }
        }
        self.set_elapsed(exp.deadline);
    }

    /// Claims the entries of the slot of `exp` whose exact deadline is at
    /// most `now_ns`; returns how many.
    fn claim_exact(&mut self, exp: &Expiration, now_ns: u64) -> usize {
        let pending = &mut self.pending;
        let level = &mut self.levels[exp.level];
        let mut claimed = 0;
        scan(
            level.slot_mut(exp.slot),
            |entry| {
                // SAFETY: linked entry, shard lock held (see process_expiration).
                if !unsafe { entry.mark_pending_ns(now_ns) } {
                    return true;
                }
                // SAFETY: as above; `scan` unlinks the entries it does not keep
                // (this one) before calling us again, and never touches them.
                unsafe {
                    entry.set_cached_when(CACHED_PENDING);
                }
                claimed += 1;
                false
            },
            |entry| {
                // SAFETY: unlinked by `scan`, live and pinned.
                unsafe { pending.push_front(entry) };
            },
        );
        for _ in 0..claimed {
            level.note_removed(exp.slot);
        }
        self.pending_len += claimed;
        claimed
    }

    fn set_elapsed(&mut self, when: u64) {
        // Several threads may process (the driver, `advance`), each with its
        // own reading of the clock: never move backwards (invariant 1).
        if when > self.elapsed {
            self.elapsed = when;
        }
    }
}

/// Visits every entry of `list`; entries for which `keep` returns false
/// are unlinked and handed to `removed`. The kept entries keep their order.
fn scan(
    list: &mut EntryList,
    mut keep: impl FnMut(&TimerShared) -> bool,
    mut removed: impl FnMut(NonNull<TimerShared>),
) {
    let mut kept = EntryList::new();
    while let Some(entry) = list.pop_back() {
        // SAFETY: linked entries are live (entry.rs rule 4); the caller holds
        // the shard lock.
        if keep(unsafe { entry.as_ref() }) {
            // SAFETY: just unlinked from `list`, live and pinned.
            unsafe { kept.push_front(entry) };
        } else {
            removed(entry);
        }
    }
    *list = kept;
}

/// The level at which an entry due at `when` is filed when the wheel has
/// processed up to `elapsed`: the highest 6-bit digit in which they differ.
fn level_for(elapsed: u64, when: u64) -> usize {
    const SLOT_MASK: u64 = (1 << 6) - 1;
    let mut masked = elapsed ^ when | SLOT_MASK;
    if masked >= MAX_DURATION {
        // Beyond the top level: file in the top level as in a ring.
        masked = MAX_DURATION - 1;
    }
    let significant = 63 - masked.leading_zeros() as usize;
    significant / 6
}

impl fmt::Debug for Wheel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wheel")
            .field("elapsed", &self.elapsed)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn level_for_digits() {
        for pos in 0..64 {
            assert_eq!(0, level_for(0, pos), "level_for({pos})");
        }
        for level in 1..5 {
            for pos in level as u64..64 {
                let a = pos * 64_u64.pow(level as u32);
                assert_eq!(level, level_for(0, a), "level_for({a})");
                if pos > level as u64 {
                    assert_eq!(level, level_for(0, a - 1), "level_for({a} - 1)");
                }
                if pos < 64 {
                    assert_eq!(level, level_for(0, a + 1), "level_for({a} + 1)");
                }
            }
        }
        // Far beyond the range: the top level.
        assert_eq!(NUM_LEVELS - 1, level_for(0, u64::MAX / 2));
    }
}
