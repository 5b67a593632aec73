//! The task system: one allocation per task, an atomic state word, a
//! per-future vtable, and wakers made from the task pointer.
//!
//! # The allocation
//!
//! `Cell<F, S>` = `Header` (state, vtable, owned-list links, id) | `Core`
//! (scheduler handle, stage) | `Trailer` (join waker). See `core.rs`.
//!
//! # References
//!
//! The state word counts references. A task starts with three: the
//! owned-tasks list's (`Task`), the first `Notified` (it is scheduled at once)
//! and the `JoinHandle`'s. Every `Waker` and `AbortHandle` owns one more.
//! Whoever drops the count to zero frees the allocation.
//!
//! # Rules
//!
//! 1. **NOTIFIED.** A `Notified` exists only while NOTIFIED is set; it is
//!    cleared only by `transition_to_running`, so at most one `Notified` can
//!    make progress. A wake while RUNNING sets NOTIFIED without making a
//!    `Notified`; when the poll returns `Pending`, the running reference is
//!    turned into the `Notified` and the task is rescheduled (yielded).
//! 2. **RUNNING owns the stage.** Whoever sets RUNNING (a worker popping a
//!    `Notified`, an abort or a shutdown that claims an idle task) has
//!    exclusive access to the future until it clears RUNNING or sets COMPLETE.
//! 3. **Cancellation.** CANCELLED makes the next owner of the stage drop the
//!    future instead of polling it: the runner when its poll returns, or the
//!    aborter / shutdown at once if the task was idle (they claim RUNNING).
//!    A task that completes before it sees CANCELLED keeps its output.
//! 4. **Stage.** Before COMPLETE the stage holds the future (or, transiently
//!    under RUNNING, nothing); after COMPLETE it holds the output until it is
//!    consumed by exactly one party: the `JoinHandle` that reads it, the
//!    `JoinHandle` that is dropped after COMPLETE, or — if JOIN_INTEREST was
//!    already clear at completion — the completing thread. Both sides decide
//!    on the same atomic word, so exactly one of them consumes it. When the
//!    allocation is freed, nothing in the stage is live.
//! 5. **Join waker.** While JOIN_WAKER is clear the `JoinHandle` owns the
//!    waker field and may write it; it then sets JOIN_WAKER (which fails if
//!    COMPLETE is set) and from then on only reads it. To replace it, the
//!    handle first clears JOIN_WAKER (which also fails if COMPLETE). On
//!    completion the runtime wakes the stored waker and clears JOIN_WAKER,
//!    handing the field back; if the handle was dropped meanwhile (no
//!    JOIN_INTEREST), the runtime drops the waker itself. A handle that is
//!    dropped before completion clears JOIN_WAKER with JOIN_INTEREST and
//!    drops the waker.
//! 6. **Release.** On completion the task removes itself from the owned list
//!    and drops the owned and running references together.

mod abort;
mod core;
mod error;
mod harness;
mod id;
mod join;
mod list;
mod raw;
mod state;
mod waker;

mod api;
mod join_set;
mod local;
mod task_local;

pub use self::abort::AbortHandle;
pub use self::error::JoinError;
pub use self::id::{id, try_id, Id};
pub use self::join::JoinHandle;
pub(crate) use self::list::OwnedTasks;
pub(crate) use self::raw::RawTask;

pub use self::join_set::JoinSet;
pub use self::local::{spawn_local, LocalEnterGuard, LocalSet, RunUntil};
pub use self::task_local::{AccessError, LocalKey, TaskLocalFuture};

#[doc(hidden)]
pub use self::api::spawn_mandatory_blocking;
pub use self::api::{
    block_in_place, consume_budget, spawn, spawn_blocking, unconstrained, yield_now, Unconstrained,
};

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

/// What a task needs from the scheduler that owns it.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Schedules a woken task.
    fn schedule(&self, task: Notified<Self>);

    /// Reschedules a task that was woken during its own poll; it should run
    /// after the tasks already waiting.
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    /// Takes a completed task off the owned list.
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>>;

    /// Whether an abort on the current thread may drop the future in place.
    /// False for schedulers of `!Send` tasks when called off their thread:
    /// the task is then queued and cancelled by its own scheduler.
    fn may_cancel_here(&self) -> bool {
        true
    }
}

/// An owned reference to a task (the owned-tasks list holds one of these).
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _p: PhantomData<S>,
}

// SAFETY: a `Task` is a counted reference; all access goes through the
// atomic state protocol, and tasks made with `bind` (Send futures) are the
// only ones that cross threads (`bind_unchecked` documents the rest).
unsafe impl<S> Send for Task<S> {}
// SAFETY: as above.
unsafe impl<S> Sync for Task<S> {}

/// A task that has been woken and may run: holds one reference.
pub(crate) struct Notified<S: 'static>(Task<S>);

impl<S: 'static> Task<S> {
    fn from_raw_task(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _p: PhantomData,
        }
    }

    /// A `Task` that does not own a reference, for passing `&Task` around.
    fn from_header_ref(ptr: NonNull<core::Header>) -> ManuallyDrop<Task<S>> {
        // SAFETY: the caller holds a reference for as long as it uses this.
        ManuallyDrop::new(Task::from_raw_task(unsafe { RawTask::from_raw(ptr) }))
    }

    pub(crate) fn raw(&self) -> RawTask {
        self.raw
    }

    fn into_raw(self) -> RawTask {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }

    /// Cancels the task for shutdown, consuming this (owned) reference.
    pub(crate) fn shutdown(self) {
        self.into_raw().shutdown();
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

/// Makes a task that is on no owned list (a blocking task): returns its
/// first `Notified` and its join handle.
pub(crate) fn unowned<F, S>(future: F, scheduler: S, id: Id) -> (Notified<S>, JoinHandle<F::Output>)
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let raw = RawTask::new(future, scheduler, id);
    let notified = Notified(Task::from_raw_task(raw));
    let join = JoinHandle::new(raw);
    // No list keeps the owned reference: drop it at once.
    drop(Task::<S>::from_raw_task(raw));
    (notified, join)
}

impl<S: 'static> Notified<S> {
    /// Cancels the task without running it, consuming this reference.
    pub(crate) fn shutdown(self) {
        self.0.shutdown();
    }

    /// # Safety
    ///
    /// `ptr` must be a live task of scheduler type `S`, and the caller must
    /// give up one reference for this `Notified` (with NOTIFIED set).
    unsafe fn from_raw(ptr: NonNull<core::Header>) -> Notified<S> {
        // SAFETY: forwarded contract.
        Notified(Task::from_raw_task(unsafe { RawTask::from_raw(ptr) }))
    }

    /// Runs the task once; consumes this reference.
    pub(crate) fn run(self) {
        self.0.into_raw().poll();
    }
}

impl<S> fmt::Debug for Task<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Task({:?})", self.raw.id())
    }
}

impl<S> fmt::Debug for Notified<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Notified({:?})", self.0.raw.id())
    }
}

impl fmt::Debug for RawTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawTask({:?})", self.id())
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
