//! `OwnedTasks`: every live task of a scheduler, so that shutdown can drop
//! each future exactly once.
//!
//! The list holds one reference per task (the "owned" reference, one of the
//! three a task starts with). It is sharded by task id to keep spawns on
//! different workers from contending on one lock; each shard is a mutex over
//! an intrusive list threaded through the task headers.
//!
//! Closing: `close_and_shutdown_all` sets `closed`, then drains every shard.
//! `bind` checks `closed` while holding its shard's lock, so a task is either
//! inserted before the drain of its shard takes that lock (and is drained),
//! or sees `closed` and is shut down by `bind` itself.

use super::core::OwnedLink;
use super::{Id, JoinHandle, Notified, RawTask, Schedule, Task};
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;
use crate::util::linked_list::LinkedList;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

pub(crate) struct OwnedTasks<S: 'static> {
    shards: Box<[crossbeam_utils::CachePadded<Mutex<LinkedList<OwnedLink>>>]>,
    mask: usize,
    closed: AtomicBool,
    alive: AtomicUsize,
    _p: PhantomData<S>,
}

impl<S: Schedule> OwnedTasks<S> {
    /// A list with about `4 * workers` shards (a power of two).
    pub(crate) fn new(workers: usize) -> OwnedTasks<S> {
        // Under loom one shard: ids come from a process-wide counter, so the
        // shard a task lands in would differ between model iterations.
        let n = if cfg!(all(test, loom)) {
            1
        } else {
            (workers.max(1) * 4).next_power_of_two()
        };
        let shards = (0..n)
            .map(|_| crossbeam_utils::CachePadded::new(Mutex::new(LinkedList::new())))
            .collect();
        OwnedTasks {
            shards,
            mask: n - 1,
            closed: AtomicBool::new(false),
            alive: AtomicUsize::new(0),
            _p: PhantomData,
        }
    }

    fn shard(&self, id: Id) -> &Mutex<LinkedList<OwnedLink>> {
        &self.shards[(id.as_u64() as usize) & self.mask]
    }

    /// Allocates a task for `future`, adds it to the list and returns its
    /// join handle and first `Notified` (`None` if the list is closed, in
    /// which case the task was cancelled at once).
    pub(crate) fn bind<F>(
        &self,
        future: F,
        scheduler: S,
        id: Id,
    ) -> (JoinHandle<F::Output>, Option<Notified<S>>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // SAFETY: the future and its output are Send, so the task may be
        // polled and joined from any thread.
        unsafe { self.bind_unchecked(future, scheduler, id) }
    }

    /// As `bind`, without the `Send` bounds.
    ///
    /// # Safety
    ///
    /// If `F` or its output is not `Send`, the scheduler must poll, cancel
    /// and drop the task only on the thread that owns it.
    pub(crate) unsafe fn bind_unchecked<F>(
        &self,
        future: F,
        scheduler: S,
        id: Id,
    ) -> (JoinHandle<F::Output>, Option<Notified<S>>)
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let raw = RawTask::new(future, scheduler, id);
        let task = Task::<S>::from_raw_task(raw);
        let notified = Notified(Task::<S>::from_raw_task(raw));
        let join = JoinHandle::new(raw);

        let mut shard = self.shard(id).lock();
        // Acquire: pairs with the Release store in `close_and_shutdown_all`;
        // the shard lock already orders it, this keeps the reasoning local.
        if self.closed.load(Acquire) {
            drop(shard);
            drop(notified);
            task.shutdown();
            return (join, None);
        }
        // SAFETY: the task is live and on no list; the list keeps it alive
        // through the owned reference, which `into_raw` hands over.
        unsafe { shard.push_front(task.into_raw().header_ptr()) };
        self.alive.fetch_add(1, Relaxed);
        (join, Some(notified))
    }

    /// Takes `task` off the list, returning the owned reference if it was on it.
    pub(crate) fn remove(&self, task: &Task<S>) -> Option<Task<S>> {
        let header = task.raw().header_ptr();
        let mut shard = self.shard(task.raw().id()).lock();
        // SAFETY: the task is live (the caller holds a reference) and is on
        // this list or none: tasks only join the list of their own scheduler,
        // and the shard is chosen by id.
        let removed = unsafe { shard.remove(header) }?;
        drop(shard);
        self.alive.fetch_sub(1, Relaxed);
        // SAFETY: the list's reference is handed back to the caller.
        Some(Task::from_raw_task(unsafe { RawTask::from_raw(removed) }))
    }

    /// Refuses new tasks and cancels every task on the list (at once if idle,
    /// else when its current poll returns).
    pub(crate) fn close_and_shutdown_all(&self) {
        // Release: pairs with the Acquire in `bind`.
        self.closed.store(true, Release);
        for shard in self.shards.iter() {
            loop {
                let Some(header) = shard.lock().pop_back() else {
                    break;
                };
                self.alive.fetch_sub(1, Relaxed);
                // SAFETY: the list held a reference to this live task.
                let raw = unsafe { RawTask::from_raw(header) };
                // The owned reference goes to `shutdown`, which consumes it.
                raw.shutdown();
            }
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Acquire)
    }

    /// Tasks spawned and not yet completed.
    pub(crate) fn alive(&self) -> usize {
        self.alive.load(Relaxed)
    }
}

impl<S> fmt::Debug for OwnedTasks<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedTasks")
            .field("alive", &self.alive.load(Relaxed))
            .field("closed", &self.closed.load(Relaxed))
            .finish()
    }
}
