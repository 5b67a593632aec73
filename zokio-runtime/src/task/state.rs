//! The task state word: lifecycle bits, notification, cancellation, join
//! handle bits and the reference count, packed in one `AtomicUsize`.
//!
//! Every transition is a single atomic read-modify-write and returns a
//! `#[must_use]` outcome, so no caller can forget to act on it (submit the
//! task, cancel it, free it). The rules these transitions implement are
//! written in `task/mod.rs`.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use std::fmt;

/// The task is being polled (or cancelled) by whoever set this bit.
const RUNNING: usize = 0b00_0001;
/// The future is gone and the output (or error) has been stored.
const COMPLETE: usize = 0b00_0010;
/// The task has been woken: a `Notified` exists, or it is running and must be
/// rescheduled when its poll returns.
const NOTIFIED: usize = 0b00_0100;
/// The task has been aborted or the runtime is shutting down.
const CANCELLED: usize = 0b00_1000;
/// A `JoinHandle` still exists and may read the output.
const JOIN_INTEREST: usize = 0b01_0000;
/// The join waker field is written and owned by the runtime, not the handle.
const JOIN_WAKER: usize = 0b10_0000;

const LIFECYCLE_MASK: usize = RUNNING | COMPLETE;
const STATE_MASK: usize = LIFECYCLE_MASK | NOTIFIED | CANCELLED | JOIN_INTEREST | JOIN_WAKER;
const REF_COUNT_SHIFT: u32 = STATE_MASK.count_ones();
/// One reference, in units of the packed word.
const REF_ONE: usize = 1 << REF_COUNT_SHIFT;

/// A new task: three references (the owned-tasks list, the first `Notified`,
/// the `JoinHandle`), notified, with join interest.
const INITIAL_STATE: usize = (REF_ONE * 3) | JOIN_INTEREST | NOTIFIED;

/// The state word.
pub(super) struct State {
    val: AtomicUsize,
}

/// A value loaded from the state word.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) struct Snapshot(usize);

/// What `transition_to_running` found.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToRunning {
    /// The caller now owns the future and must poll it.
    Success,
    /// The caller now owns the future and must cancel it.
    Cancelled,
    /// Someone else runs or completed the task; the caller's ref was dropped.
    Failed,
    /// As `Failed`, and that was the last reference: free the task.
    Dealloc,
}

/// What `transition_to_idle` found.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToIdle {
    /// Idle; the running reference was dropped.
    Ok,
    /// Woken during the poll: the running reference is now a `Notified` that
    /// must be submitted.
    OkNotified,
    /// Idle and the running reference was the last: free the task.
    OkDealloc,
    /// Cancelled during the poll: the caller still owns the future and must
    /// cancel it.
    Cancelled,
}

/// What a wake by reference must do.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToNotifiedByRef {
    DoNothing,
    /// A new reference was taken for a `Notified`: submit it.
    Submit,
}

/// What a wake by value (which consumes a reference) must do.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToNotifiedByVal {
    DoNothing,
    /// The waker's reference became a `Notified`: submit it.
    Submit,
    /// The waker's reference was the last: free the task.
    Dealloc,
}

/// What an abort must do.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToAborted {
    /// Already complete or cancelled, or running (it will cancel itself when
    /// its poll returns), or queued (it will be cancelled when it is popped).
    DoNothing,
    /// The task was idle: the caller set RUNNING, took a reference, and must
    /// cancel it now.
    CancelInPlace,
}

impl State {
    pub(super) fn new() -> State {
        State {
            val: AtomicUsize::new(INITIAL_STATE),
        }
    }

    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.val.load(Acquire))
    }

    /// Applies `f` until the compare-exchange succeeds; `f` returns the
    /// action and the value to store (`None`: store nothing).
    fn fetch_update_action<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Option<Snapshot>)) -> T {
        let mut curr = self.load();
        loop {
            let (output, next) = f(curr);
            let Some(next) = next else { return output };
            // AcqRel: the Release half publishes what the caller wrote to the
            // task (stage, waker) before this transition; the Acquire half
            // makes what the previous owner wrote visible to us.
            match self.val.compare_exchange(curr.0, next.0, AcqRel, Acquire) {
                Ok(_) => return output,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    /// `Notified` → running. Consumes the `Notified`'s reference on failure.
    pub(super) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_notified(), "a Notified task must have NOTIFIED set");
            let mut next = curr;
            if !next.is_idle() {
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (action, Some(next));
            }
            next.0 |= RUNNING;
            next.0 &= !NOTIFIED;
            let action = if next.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (action, Some(next))
        })
    }

    /// Running → idle after a `Pending` poll.
    pub(super) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_running());
            if curr.is_cancelled() {
                return (TransitionToIdle::Cancelled, None);
            }
            let mut next = curr;
            next.0 &= !RUNNING;
            if next.is_notified() {
                return (TransitionToIdle::OkNotified, Some(next));
            }
            next.ref_dec();
            let action = if next.ref_count() == 0 {
                TransitionToIdle::OkDealloc
            } else {
                TransitionToIdle::Ok
            };
            (action, Some(next))
        })
    }

    /// Running → complete. Returns the new snapshot.
    pub(super) fn transition_to_complete(&self) -> Snapshot {
        const DELTA: usize = RUNNING | COMPLETE;
        // AcqRel: Release publishes the stored output to the JoinHandle that
        // reads it after seeing COMPLETE; Acquire sees the join waker written
        // before JOIN_WAKER was set.
        let prev = Snapshot(self.val.fetch_xor(DELTA, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        Snapshot(prev.0 ^ DELTA)
    }

    /// Drops `count` references after completion; true if they were the last.
    pub(super) fn transition_to_terminal(&self, count: usize) -> bool {
        let prev = Snapshot(self.val.fetch_sub(count * REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= count, "task reference count underflow");
        prev.ref_count() == count
    }

    /// Wake through a reference that stays alive (`wake_by_ref`).
    pub(super) fn transition_to_notified_by_ref(&self) -> TransitionToNotifiedByRef {
        self.fetch_update_action(|curr| {
            if curr.is_complete() || curr.is_notified() {
                return (TransitionToNotifiedByRef::DoNothing, None);
            }
            let mut next = curr;
            next.0 |= NOTIFIED;
            if curr.is_running() {
                return (TransitionToNotifiedByRef::DoNothing, Some(next));
            }
            next.ref_inc();
            (TransitionToNotifiedByRef::Submit, Some(next))
        })
    }

    /// Wake through a reference that is consumed (`wake`).
    pub(super) fn transition_to_notified_by_val(&self) -> TransitionToNotifiedByVal {
        self.fetch_update_action(|curr| {
            let mut next = curr;
            if curr.is_running() {
                // The poller holds a reference too, so this cannot be the last.
                next.0 |= NOTIFIED;
                next.ref_dec();
                debug_assert!(next.ref_count() > 0);
                (TransitionToNotifiedByVal::DoNothing, Some(next))
            } else if curr.is_complete() || curr.is_notified() {
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToNotifiedByVal::Dealloc
                } else {
                    TransitionToNotifiedByVal::DoNothing
                };
                (action, Some(next))
            } else {
                next.0 |= NOTIFIED;
                (TransitionToNotifiedByVal::Submit, Some(next))
            }
        })
    }

    /// Abort from a `JoinHandle` or `AbortHandle`.
    pub(super) fn transition_to_aborted(&self) -> TransitionToAborted {
        self.fetch_update_action(|curr| {
            if curr.is_complete() || curr.is_cancelled() {
                return (TransitionToAborted::DoNothing, None);
            }
            let mut next = curr;
            next.0 |= CANCELLED;
            if curr.is_running() {
                return (TransitionToAborted::DoNothing, Some(next));
            }
            // Idle (queued or not): claim it and cancel it here. A queued
            // `Notified` will find it RUNNING or COMPLETE and drop itself.
            next.0 |= RUNNING;
            next.ref_inc();
            (TransitionToAborted::CancelInPlace, Some(next))
        })
    }

    /// Abort for a task that must be cancelled by its own scheduler (a local
    /// task aborted from another thread): marks it cancelled and, if it is
    /// idle and not queued, takes a reference for a new `Notified` that the
    /// caller must submit (returns true).
    pub(super) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update_action(|curr| {
            if curr.is_complete() || curr.is_cancelled() {
                return (false, None);
            }
            let mut next = curr;
            next.0 |= CANCELLED;
            if curr.is_running() || curr.is_notified() {
                // The runner, or the queued Notified, will see CANCELLED.
                return (false, Some(next));
            }
            next.0 |= NOTIFIED;
            next.ref_inc();
            (true, Some(next))
        })
    }

    /// Marks the task cancelled for shutdown and claims it if it is idle.
    /// Returns true if the caller now owns the future and must cancel it.
    pub(super) fn transition_to_shutdown(&self) -> bool {
        self.fetch_update_action(|curr| {
            let mut next = curr;
            next.0 |= CANCELLED;
            let claimed = curr.is_idle();
            if claimed {
                next.0 |= RUNNING;
            }
            (claimed, Some(next))
        })
    }

    /// Clears JOIN_INTEREST when the `JoinHandle` drops. If the task is not
    /// complete, JOIN_WAKER is cleared too and the handle takes back the waker
    /// field. Returns (previous, next).
    pub(super) fn transition_to_join_handle_dropped(&self) -> (Snapshot, Snapshot) {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_join_interested());
            let mut next = curr;
            next.0 &= !JOIN_INTEREST;
            if !curr.is_complete() {
                next.0 &= !JOIN_WAKER;
            }
            ((curr, next), Some(next))
        })
    }

    /// Sets JOIN_WAKER after the handle wrote the waker; fails if complete.
    pub(super) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_join_interested() && !curr.is_join_waker_set());
            if curr.is_complete() {
                return (Err(curr), None);
            }
            let next = Snapshot(curr.0 | JOIN_WAKER);
            (Ok(next), Some(next))
        })
    }

    /// Clears JOIN_WAKER so the handle can replace the waker; fails if complete.
    pub(super) fn unset_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update_action(|curr| {
            debug_assert!(curr.is_join_interested());
            if curr.is_complete() {
                // The runtime may already have handed the waker back
                // (JOIN_WAKER clear): the handle reads the output instead.
                return (Err(curr), None);
            }
            debug_assert!(curr.is_join_waker_set());
            let next = Snapshot(curr.0 & !JOIN_WAKER);
            (Ok(next), Some(next))
        })
    }

    /// After waking the join waker on completion, gives the field back to the
    /// handle. Returns the previous snapshot.
    pub(super) fn unset_waker_after_complete(&self) -> Snapshot {
        // AcqRel: Release hands the waker field back to the JoinHandle
        // (which reads it after seeing JOIN_WAKER unset); Acquire pairs with
        // the handle's clearing of JOIN_INTEREST.
        Snapshot(self.val.fetch_and(!JOIN_WAKER, AcqRel))
    }

    /// Takes one more reference.
    pub(super) fn ref_inc(&self) {
        // Relaxed: a new reference is made from an existing one, which keeps
        // the task alive; nothing is published by the increment itself.
        let prev = self.val.fetch_add(REF_ONE, Relaxed);
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Drops one reference; true if it was the last.
    pub(super) fn ref_dec(&self) -> bool {
        // AcqRel: Release publishes this owner's accesses to whoever frees the
        // task; Acquire (for the last owner) sees everyone else's.
        let prev = Snapshot(self.val.fetch_sub(REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= 1, "task reference count underflow");
        prev.ref_count() == 1
    }
}

impl Snapshot {
    pub(super) fn is_idle(self) -> bool {
        self.0 & LIFECYCLE_MASK == 0
    }

    pub(super) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }

    pub(super) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }

    pub(super) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }

    pub(super) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }

    pub(super) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }

    pub(super) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }

    pub(super) fn ref_count(self) -> usize {
        self.0 >> REF_COUNT_SHIFT
    }

    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }

    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interested", &self.is_join_interested())
            .field("join_waker_set", &self.is_join_waker_set())
            .field("ref_count", &self.ref_count())
            .finish()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}
