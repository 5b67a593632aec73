//! Which workers are searching for work and which are asleep.
//!
//! `state` packs two counts: searching workers (low 16 bits) and unparked
//! workers (the rest). The list of sleeping workers is in `Synced`, behind
//! the scheduler mutex.
//!
//! Protocol (see README.md in this folder for the proof sketch):
//! - At most half of the workers search (steal) at once.
//! - Whoever makes work available (a spawn, a wake, an overflow) calls
//!   `worker_to_notify` after publishing the work: a SeqCst fence, then a
//!   check that no worker is searching and some worker sleeps; if so, one
//!   sleeper is woken *as a searcher* (the counts are bumped on its behalf).
//! - A worker that parks first registers as a sleeper (under the lock, with
//!   a SeqCst update of the counts). If it was the last searcher, it checks
//!   every queue once more before sleeping and wakes a worker if it finds
//!   work.
//! - A searcher that finds work stops searching; if it was the last
//!   searcher, it wakes another worker so that the rest of the work found
//!   gets picked up.

use crate::loom::sync::atomic::{fence, AtomicUsize, Ordering::SeqCst};
use std::fmt;

const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;

pub(crate) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
}

/// The part of the idle state behind the scheduler mutex.
#[derive(Debug)]
pub(crate) struct Synced {
    /// Indices of the workers that are parked (or about to park).
    sleepers: Vec<usize>,
}

impl Idle {
    pub(crate) fn new(num_workers: usize) -> (Idle, Synced) {
        assert!(num_workers < SEARCH_MASK, "too many worker threads");
        let idle = Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            num_workers,
        };
        let synced = Synced {
            sleepers: Vec::with_capacity(num_workers),
        };
        (idle, synced)
    }

    /// Called after work was published: returns a sleeping worker to wake,
    /// already counted as unparked and searching.
    pub(crate) fn worker_to_notify(
        &self,
        synced: &crate::loom::sync::Mutex<Synced>,
    ) -> Option<usize> {
        if !self.should_notify() {
            return None;
        }
        let mut synced = synced.lock();
        // Re-check under the lock: another notifier may have won.
        if !self.should_notify() {
            return None;
        }
        let worker = synced.sleepers.pop()?;
        // One more unparked and one more searching.
        self.state.fetch_add((1 << UNPARK_SHIFT) | 1, SeqCst);
        Some(worker)
    }

    fn should_notify(&self) -> bool {
        // Pairs with the SeqCst updates in `transition_worker_to_parked` and
        // `transition_worker_from_searching`: either we see the parking
        // worker's registration, or it sees the work we published.
        fence(SeqCst);
        let state = self.state.load(SeqCst);
        state & SEARCH_MASK == 0 && (state >> UNPARK_SHIFT) < self.num_workers
    }

    /// The worker `index` is about to park. Returns true if it was the last
    /// searching worker (it must then check the queues once more).
    pub(crate) fn transition_worker_to_parked(
        &self,
        synced: &crate::loom::sync::Mutex<Synced>,
        index: usize,
        is_searching: bool,
    ) -> bool {
        let mut synced = synced.lock();
        let dec = (1 << UNPARK_SHIFT) | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        synced.sleepers.push(index);
        // Pairs with the fence in `should_notify` (Dekker): the caller's
        // re-check of the queues after this returns must see any task whose
        // publisher then saw us still counted as searching or unparked. A
        // SeqCst RMW alone does not order our later non-SeqCst queue loads.
        fence(SeqCst);
        is_searching && prev & SEARCH_MASK == 1
    }

    /// Tries to become a searcher; fails if half the workers already search.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * (state & SEARCH_MASK) >= self.num_workers {
            return false;
        }
        // Racy by design: a few extra searchers for a moment are harmless.
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searcher stopped searching. Returns true if it was the last one.
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        debug_assert!(prev & SEARCH_MASK > 0);
        prev & SEARCH_MASK == 1
    }

    /// Whether `index` is still on the sleepers list (not woken by anyone).
    pub(crate) fn is_parked(
        &self,
        synced: &crate::loom::sync::Mutex<Synced>,
        index: usize,
    ) -> bool {
        synced.lock().sleepers.contains(&index)
    }

    /// Takes `index` off the sleepers list if it is there (a worker that woke
    /// for another reason, such as driver events). Returns true if it was.
    pub(crate) fn unpark_worker_by_id(
        &self,
        synced: &crate::loom::sync::Mutex<Synced>,
        index: usize,
    ) -> bool {
        let mut synced = synced.lock();
        let Some(pos) = synced.sleepers.iter().position(|&i| i == index) else {
            return false;
        };
        synced.sleepers.swap_remove(pos);
        // One more unparked, not searching.
        self.state.fetch_add(1 << UNPARK_SHIFT, SeqCst);
        true
    }
}

impl fmt::Debug for Idle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(SeqCst);
        f.debug_struct("Idle")
            .field("searching", &(state & SEARCH_MASK))
            .field("unparked", &(state >> UNPARK_SHIFT))
            .field("workers", &self.num_workers)
            .finish()
    }
}
