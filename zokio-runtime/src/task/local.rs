//! `LocalSet` and `spawn_local`: running `!Send` futures on one thread.
//!
//! A `LocalSet` owns a run queue and an owned-tasks list of its own. Its
//! tasks are polled only inside `LocalSet::run_until` / `block_on` / its own
//! `Future` impl, which only run on the thread that created the set (the set
//! is `!Send`). Wakers may fire from any thread: they push the task on the
//! set's queue (a mutex) and wake the task that drives the set.
//!
//! Invariants that make `bind_unchecked` sound here:
//! - polling: only `tick`, on the owner thread;
//! - cancelling: an abort from another thread does not drop the future in
//!   place (`may_cancel_here` is false there): the task is queued with
//!   CANCELLED and the owner cancels it; shutdown happens in `Drop`, on the
//!   owner thread;
//! - the queue is closed when the set drops, so a late wake from another
//!   thread drops its reference instead of keeping the task alive.

use super::{Id, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use crate::loom::sync::{Arc, Mutex};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::thread::ThreadId;

/// Tasks run per call of `tick` before the driving task yields.
const MAX_TASKS_PER_TICK: usize = 61;

/// A set of `!Send` tasks that all run on the current thread.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
/// use zokio::task::LocalSet;
///
/// let rt = zokio::runtime::Builder::new_current_thread().build().unwrap();
/// let local = LocalSet::new();
/// let shared = Rc::new(5); // !Send
/// let out = local.block_on(&rt, async move {
///     let s = shared.clone();
///     zokio::task::spawn_local(async move { *s + 1 }).await.unwrap()
/// });
/// assert_eq!(out, 6);
/// ```
pub struct LocalSet {
    context: Rc<LocalContext>,
    _not_send: PhantomData<*const ()>,
}

struct LocalContext {
    shared: Arc<Shared>,
    /// Set while `tick` runs, to catch re-entrant driving.
    running: Cell<bool>,
}

/// The part of a `LocalSet` that wakers reach from any thread.
struct Shared {
    owner: ThreadId,
    /// `None` once the set is dropped.
    queue: Mutex<Option<VecDeque<Notified<Arc<Shared>>>>>,
    owned: OwnedTasks<Arc<Shared>>,
    /// The task that drives the set.
    waker: Mutex<Option<Waker>>,
}

std::thread_local! {
    static CURRENT: RefCell<Option<Rc<LocalContext>>> = const { RefCell::new(None) };
}

/// Spawns a `!Send` future on the current [`LocalSet`].
///
/// # Panics
///
/// Panics if called outside of a `LocalSet` (not inside its `run_until`,
/// `block_on`, its own polling, or an [`LocalSet::enter`] guard).
///
/// # Examples
///
/// ```
/// let rt = zokio::runtime::Builder::new_current_thread().build().unwrap();
/// zokio::task::LocalSet::new().block_on(&rt, async {
///     let v = std::rc::Rc::new(1);
///     zokio::task::spawn_local(async move { *v }).await.unwrap();
/// });
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let cx = CURRENT.with(|c| c.borrow().clone());
    match cx {
        Some(cx) => cx.spawn(future),
        None => panic!("`spawn_local` called from outside of a `task::LocalSet`"),
    }
}

impl LocalSet {
    /// An empty set, owned by the current thread.
    pub fn new() -> LocalSet {
        LocalSet {
            context: Rc::new(LocalContext {
                shared: Arc::new(Shared {
                    owner: std::thread::current().id(),
                    queue: Mutex::new(Some(VecDeque::new())),
                    owned: OwnedTasks::new(1),
                    waker: Mutex::new(None),
                }),
                running: Cell::new(false),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` future on this set. It runs when the set is driven.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.context.spawn(future)
    }

    /// Makes this the current set, so that [`spawn_local`] works, until the
    /// guard drops.
    pub fn enter(&self) -> LocalEnterGuard {
        let prev = CURRENT.with(|c| c.replace(Some(self.context.clone())));
        LocalEnterGuard {
            prev,
            _not_send: PhantomData,
        }
    }

    /// Runs `future` on `rt`, driving this set's tasks while it waits.
    ///
    /// # Panics
    ///
    /// As [`Runtime::block_on`](crate::runtime::Runtime::block_on).
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &crate::runtime::Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Drives this set's tasks until `future` completes.
    pub fn run_until<F: Future>(&self, future: F) -> RunUntil<'_, F> {
        RunUntil {
            local_set: self,
            future,
        }
    }

    /// Runs `f` with this set current.
    fn with<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.enter();
        f()
    }

    /// Runs up to `MAX_TASKS_PER_TICK` tasks; true if more are queued.
    fn tick(&self) -> bool {
        assert!(
            !self.context.running.replace(true),
            "a `LocalSet` is being driven from inside one of its own tasks"
        );
        struct Reset<'a>(&'a Cell<bool>);
        impl Drop for Reset<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        let _reset = Reset(&self.context.running);
        for _ in 0..MAX_TASKS_PER_TICK {
            let task = self.context.shared.pop();
            match task {
                Some(task) => crate::coop::budget(|| task.run()),
                None => return false,
            }
        }
        self.context.shared.has_queued()
    }

    fn register(&self, waker: &Waker) {
        let mut slot = self.context.shared.waker.lock();
        match &*slot {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }
}

impl LocalContext {
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let shared = &self.shared;
        // SAFETY: the module invariants: tasks of this set are polled and
        // cancelled only on the owner thread, which is the current thread
        // (a `LocalContext` is reachable only from its owner: it is `Rc`).
        let (join, notified) = unsafe {
            shared
                .owned
                .bind_unchecked(future, shared.clone(), Id::next())
        };
        if let Some(notified) = notified {
            shared.schedule(notified);
        }
        join
    }
}

impl Shared {
    fn pop(&self) -> Option<Notified<Arc<Shared>>> {
        self.queue.lock().as_mut().and_then(VecDeque::pop_front)
    }

    fn has_queued(&self) -> bool {
        self.queue.lock().as_ref().is_some_and(|q| !q.is_empty())
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified<Self>) {
        {
            let mut queue = self.queue.lock();
            match queue.as_mut() {
                Some(queue) => queue.push_back(task),
                // The set is gone: release the reference (the task was
                // already cancelled by the set's drop).
                None => {
                    drop(queue);
                    drop(task);
                    return;
                }
            }
        }
        let waker = self.waker.lock().clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }

    fn may_cancel_here(&self) -> bool {
        std::thread::current().id() == self.owner
    }
}

pin_project_lite::pin_project! {
    /// Future for [`LocalSet::run_until`].
    pub struct RunUntil<'a, F> {
        local_set: &'a LocalSet,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for RunUntil<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        let local_set = *this.local_set;
        local_set.with(|| {
            local_set.register(cx.waker());
            if let Poll::Ready(out) = this.future.poll(cx) {
                return Poll::Ready(out);
            }
            if local_set.tick() {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
    }
}

/// Runs the set until every task in it has completed.
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let this = &*self;
        this.with(|| {
            this.register(cx.waker());
            if this.tick() {
                cx.waker().wake_by_ref();
                Poll::Pending
            } else if this.context.shared.owned.alive() == 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        LocalSet::new()
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        self.with(|| {
            let shared = &self.context.shared;
            shared.owned.close_and_shutdown_all();
            let queue = shared.queue.lock().take();
            drop(queue);
            shared.waker.lock().take();
        });
    }
}

/// Makes a [`LocalSet`] current until dropped (from [`LocalSet::enter`]).
pub struct LocalEnterGuard {
    prev: Option<Rc<LocalContext>>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for LocalEnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet").finish_non_exhaustive()
    }
}

impl fmt::Debug for LocalEnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish()
    }
}

impl<F> fmt::Debug for RunUntil<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntil").finish_non_exhaustive()
    }
}
