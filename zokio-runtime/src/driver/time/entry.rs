//! A timer's state: the part the wheel links ([`TimerShared`], pinned on
//! the heap) and the owner's side ([`TimerEntry`], embedded in a `Sleep`).
//!
//! # Ground rules
//!
//! A `TimerShared` lives in at most one shard's wheel at a time. Its fields
//! are guarded as follows:
//!
//! 1. `pointers` and `cached_when` belong to the wheel of shard `shard`
//!    and are read or written only under that shard's lock, while the entry
//!    is linked there.
//! 2. `state` is atomic. It holds the true deadline (nanoseconds since the
//!    driver's start) while the entry is in a wheel, [`PENDING`] while the
//!    driver has claimed it for firing (it then sits on the wheel's pending
//!    list), and [`FIRED`] or [`SHUTDOWN`] once it is in no wheel.
//!    - The driver moves `deadline -> PENDING` (CAS, under the lock) only if
//!      the deadline is due, and `PENDING -> FIRED` (store, under the lock)
//!      after unlinking the entry and taking its waker; that store is its
//!      last touch of the entry.
//!    - The owner may move `deadline -> later deadline` without the lock
//!      (CAS, "extend"), because the wheel files an entry no later than its
//!      true deadline and re-files it when it comes up early
//!      (`cached_when <= tick(state)` is kept by every writer). Every other
//!      owner transition happens under the lock.
//! 3. `waker` is accessed under the shard lock while `state` is not
//!    FIRED/SHUTDOWN, and by the owner alone once it has seen FIRED/SHUTDOWN
//!    with Acquire (which pairs with the driver's Release store, so the
//!    driver's accesses happen before).
//! 4. `shard`, `registered` and the box belong to the owner (`&mut` access
//!    only). `registered` is true from insertion until the owner observes
//!    the entry out of every wheel; while it is true the owner must
//!    deregister (under the lock) before the box goes away: `Sleep`'s drop
//!    does (a `TimerEntry` dropped while registered leaks its box instead).
//!
//! Rule 2 is why O(1) removal is possible: under the lock, `cached_when`
//! (or PENDING) names the one list that holds the entry.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU64, Ordering::*};
use crate::util::linked_list::{Link, Pointers};
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::Waker;

/// The entry is in no wheel: it fired, was cancelled, or never registered.
pub(crate) const FIRED: u64 = u64::MAX;
/// The driver claimed the entry for firing; it sits on the pending list.
pub(crate) const PENDING: u64 = u64::MAX - 1;
/// The driver shut down and removed the entry.
pub(crate) const SHUTDOWN: u64 = u64::MAX - 2;
/// The largest deadline an entry can hold; later deadlines saturate here.
pub(crate) const MAX_DEADLINE: u64 = u64::MAX - 3;

/// `cached_when` of an entry on the pending list.
pub(super) const CACHED_PENDING: u64 = u64::MAX;

/// Nanoseconds per wheel tick (level-0 slot): 1 ms.
pub(crate) const NANOS_PER_TICK: u64 = 1_000_000;

/// The tick at which a deadline is due: rounded up, so a timer never fires
/// before its deadline.
#[inline]
pub(crate) fn tick_of(deadline_ns: u64) -> u64 {
    deadline_ns.div_ceil(NANOS_PER_TICK)
}

/// The part of a timer that the wheel links and the driver fires.
pub(crate) struct TimerShared {
    /// Wheel links (rule 1).
    pointers: Pointers<TimerShared>,
    /// The tick the entry is filed at, or `CACHED_PENDING` (rule 1).
    cached_when: UnsafeCell<u64>,
    /// True deadline or FIRED/PENDING/SHUTDOWN (rule 2).
    state: AtomicU64,
    /// The task to wake when the timer fires (rule 3).
    waker: UnsafeCell<Option<Waker>>,
    /// The wheel holds raw pointers to this: it must not move.
    _pin: PhantomPinned,
}

// SAFETY: every non-atomic field is guarded by the shard lock or owned by
// whoever observed FIRED (ground rules 1-3), so sharing references across
// threads is sound; `Waker` is Send + Sync.
unsafe impl Sync for TimerShared {}
// SAFETY: as above; nothing in it is tied to a thread.
unsafe impl Send for TimerShared {}

impl std::fmt::Debug for TimerShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerShared")
            .field("state", &self.state.load(Relaxed))
            .finish_non_exhaustive()
    }
}

impl TimerShared {
    fn new() -> TimerShared {
        TimerShared {
            pointers: Pointers::new(),
            cached_when: UnsafeCell::new(0),
            state: AtomicU64::new(FIRED),
            waker: UnsafeCell::new(None),
            _pin: PhantomPinned,
        }
    }

    /// The state word with Acquire (pairs with the driver's Release FIRED
    /// store: after seeing FIRED, the owner owns the waker, rule 3).
    #[inline]
    pub(crate) fn state(&self) -> u64 {
        self.state.load(Acquire)
    }

    /// The filed tick (or `CACHED_PENDING`).
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the shard whose wheel links the entry.
    pub(super) unsafe fn cached_when(&self) -> u64 {
        // SAFETY: rule 1, upheld by the caller.
        self.cached_when.with(|p| unsafe { *p })
    }

    /// # Safety
    ///
    /// As [`cached_when`](Self::cached_when).
    pub(super) unsafe fn set_cached_when(&self, when: u64) {
        // SAFETY: rule 1, upheld by the caller.
        self.cached_when.with_mut(|p| unsafe { *p = when });
    }

    /// Claims a due entry for firing: `deadline -> PENDING` if its tick is
    /// at most `not_after`; else returns the (possibly extended) deadline
    /// so that the wheel re-files it.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the shard whose wheel links the entry.
    pub(super) unsafe fn mark_pending(&self, not_after: u64) -> Result<(), u64> {
        let mut cur = self.state.load(Relaxed);
        loop {
            debug_assert!(cur <= MAX_DEADLINE, "an entry in a wheel has a deadline");
            if tick_of(cur) > not_after {
                return Err(cur);
            }
            // AcqRel: the owner's extend CAS races this one; whoever wins,
            // the other sees its value.
            match self
                .state
                .compare_exchange_weak(cur, PENDING, AcqRel, Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// Like [`mark_pending`](Self::mark_pending), but against an exact
    /// deadline in nanoseconds (the driver's precise early firing).
    ///
    /// # Safety
    ///
    /// As `mark_pending`.
    pub(super) unsafe fn mark_pending_ns(&self, now_ns: u64) -> bool {
        let mut cur = self.state.load(Relaxed);
        loop {
            if cur > now_ns {
                return false;
            }
            // AcqRel: as in `mark_pending`.
            match self
                .state
                .compare_exchange_weak(cur, PENDING, AcqRel, Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The deadline as last stored (a hint when read without the owner).
    pub(super) fn deadline_hint(&self) -> u64 {
        self.state.load(Relaxed)
    }

    /// Fires an unlinked entry: takes its waker and publishes `end`
    /// (FIRED or SHUTDOWN). The caller wakes the waker after dropping the
    /// lock.
    ///
    /// # Safety
    ///
    /// The caller holds the shard lock, and the entry was just unlinked from
    /// that shard's wheel (so it is PENDING, or a deadline at shutdown).
    pub(super) unsafe fn fire(&self, end: u64) -> Option<Waker> {
        // SAFETY: rule 3, the state is not FIRED and we hold the lock.
        let waker = self.waker.with_mut(|p| unsafe { (*p).take() });
        // Release: pairs with the owner's Acquire load in `state()`; our
        // waker access above happens before its own (rule 3).
        self.state.store(end, Release);
        waker
    }
}

/// The link that threads `TimerShared` on wheel slot lists.
pub(crate) struct EntryLink;

// SAFETY: `pointers` returns the entry's own embedded field; entries are
// pinned on the heap by their owner and deregistered before they are freed
// (ground rule 4), so a linked entry is live and does not move.
unsafe impl Link for EntryLink {
    type Target = TimerShared;

    unsafe fn pointers(target: NonNull<TimerShared>) -> NonNull<Pointers<TimerShared>> {
        // SAFETY: target is live (caller contract); addr_of avoids a reference.
        unsafe { NonNull::new_unchecked(std::ptr::addr_of_mut!((*target.as_ptr()).pointers)) }
    }
}

/// The owner's side of a timer, embedded in a `Sleep`.
///
/// The linked part ([`TimerShared`]) is allocated at the first
/// registration and reused by later ones (resets, interval ticks), so a
/// timer that never registers (a `timeout` whose future is ready) is three
/// words and never allocates, and `Sleep` moves cheaply and is `Unpin`.
#[derive(Debug, Default)]
pub(crate) struct TimerEntry {
    /// The linked part, pinned on the heap (rule 4).
    shared: Option<Pin<Box<TimerShared>>>,
    /// The shard whose wheel may hold the entry (rule 4).
    pub(super) shard: u32,
    /// Whether a wheel may hold the entry (rule 4).
    pub(super) registered: bool,
    /// The owner saw the deadline pass (kept here to pack the `Sleep`).
    pub(crate) elapsed: bool,
}

impl TimerEntry {
    pub(crate) fn new() -> TimerEntry {
        TimerEntry::default()
    }

    /// Whether the entry was inserted in a wheel and may still be there.
    #[inline]
    pub(crate) fn is_registered(&self) -> bool {
        self.registered
    }

    /// The state word (see the ground rules); FIRED before the first
    /// registration.
    #[inline]
    pub(crate) fn state(&self) -> u64 {
        self.shared.as_ref().map_or(FIRED, |s| s.state())
    }

    /// The linked part, allocated on first use.
    pub(super) fn shared(&mut self) -> &TimerShared {
        self.shared
            .get_or_insert_with(|| Box::pin(TimerShared::new()))
            .as_ref()
            .get_ref()
    }

    /// The linked part of an entry that has registered before.
    fn existing(&self) -> &TimerShared {
        self.shared
            .as_ref()
            .expect("a registered timer entry has its linked part")
            .as_ref()
            .get_ref()
    }

    /// Moves the deadline later without the lock, if the entry is in a
    /// wheel with a deadline at or before `new` (rule 2, "extend").
    pub(super) fn try_extend(&self, new: u64) -> bool {
        let state = &self.existing().state;
        let mut cur = state.load(Relaxed);
        loop {
            if cur > MAX_DEADLINE || new < cur {
                return false;
            }
            // AcqRel: races the driver's `mark_pending` CAS (see there).
            match state.compare_exchange_weak(cur, new, AcqRel, Relaxed) {
                Ok(_) => return true,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Stores a deadline (before insertion) or a resting state (FIRED,
    /// SHUTDOWN).
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the shard it is about to insert into, or
    /// that last held the entry, and the entry is in no wheel.
    pub(super) unsafe fn set_state(&mut self, state: u64) {
        // Relaxed: a driver reads it only under the same lock.
        self.shared().state.store(state, Relaxed);
    }

    /// Replaces the stored waker unless it would wake the same task.
    ///
    /// # Safety
    ///
    /// Rule 3: the caller holds the shard lock while the entry is in a wheel,
    /// or owns the entry outright (in no wheel, FIRED seen).
    pub(super) unsafe fn set_waker(&mut self, waker: &Waker) {
        // SAFETY: rule 3, upheld by the caller.
        self.shared().waker.with_mut(|p| unsafe {
            match &mut *p {
                Some(old) if old.will_wake(waker) => {}
                slot => *slot = Some(waker.clone()),
            }
        });
    }

    /// Takes the stored waker (to drop or wake it outside the lock).
    ///
    /// # Safety
    ///
    /// As [`set_waker`](Self::set_waker).
    pub(super) unsafe fn take_waker(&mut self) -> Option<Waker> {
        let shared = self.shared.as_ref()?;
        // SAFETY: rule 3, upheld by the caller.
        shared.waker.with_mut(|p| unsafe { (*p).take() })
    }

    /// Marks the entry out of every wheel after a deregistration under the
    /// lock (or after observing FIRED).
    pub(super) fn set_unregistered(&mut self) {
        self.registered = false;
    }

    /// The address the wheel links (allocating the linked part if needed).
    pub(super) fn ptr(&mut self) -> NonNull<TimerShared> {
        NonNull::from(self.shared())
    }
}

impl Drop for TimerEntry {
    fn drop(&mut self) {
        if self.registered {
            // The owner must deregister first (rule 4); if it did not, a
            // wheel may still link the linked part: leak it rather than
            // leave the wheel a dangling pointer.
            debug_assert!(false, "a registered timer entry was dropped");
            std::mem::forget(self.shared.take());
        }
    }
}
