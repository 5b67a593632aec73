//! `JoinSet`: a collection of spawned tasks, awaited in completion order.
//!
//! Each entry's join handle is polled with its own waker, which queues the
//! entry's key on a shared "notified" list and wakes whoever waits in
//! `join_next`. So `join_next` only polls handles that were woken (plus each
//! new handle once, to register its waker) instead of scanning the whole set.

use super::{AbortHandle, Id, JoinError, JoinHandle};
use crate::loom::sync::Mutex;
use crate::runtime::Handle;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

// Entry wakers are std `Wake` impls, which need std's Arc.
#[allow(clippy::disallowed_types)]
type StdArc<T> = std::sync::Arc<T>;

/// A set of tasks spawned on a runtime, joined in the order they finish.
///
/// Dropping the set aborts every task still in it.
///
/// # Examples
///
/// ```
/// use zokio::task::JoinSet;
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut set = JoinSet::new();
/// for i in 0..10u32 {
///     set.spawn(async move { i * i });
/// }
/// let mut sum = 0;
/// while let Some(res) = set.join_next().await {
///     sum += res.unwrap();
/// }
/// assert_eq!(sum, 285);
/// # });
/// ```
pub struct JoinSet<T> {
    entries: HashMap<u64, Entry<T>>,
    next_key: u64,
    shared: StdArc<Shared>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Waker,
}

struct Shared {
    /// Keys of entries whose handle may be ready.
    notified: Mutex<Notified>,
}

struct Notified {
    keys: VecDeque<u64>,
    /// The task waiting in `join_next`.
    waiter: Option<Waker>,
}

struct EntryWaker {
    key: u64,
    shared: StdArc<Shared>,
}

impl Wake for EntryWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        let waiter = {
            let mut notified = self.shared.notified.lock();
            notified.keys.push_back(self.key);
            notified.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: HashMap::new(),
            next_key: 0,
            shared: StdArc::new(Shared {
                notified: Mutex::new(Notified {
                    keys: VecDeque::new(),
                    waiter: None,
                }),
            }),
        }
    }

    /// How many tasks are in the set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let key = self.next_key;
        self.next_key += 1;
        let waker = Waker::from(StdArc::new(EntryWaker {
            key,
            shared: self.shared.clone(),
        }));
        self.entries.insert(key, Entry { handle, waker });
        // Poll it once in `join_next`, which registers its waker.
        self.shared.notified.lock().keys.push_back(key);
        abort
    }

    /// Aborts every task in the set; they stay in it until joined.
    pub fn abort_all(&mut self) {
        for entry in self.entries.values() {
            entry.handle.abort();
        }
    }

    /// Removes every task from the set without aborting them.
    pub fn detach_all(&mut self) {
        self.entries.clear();
        self.shared.notified.lock().keys.clear();
    }

    /// Waits for the next task to finish and returns its output, or `None`
    /// if the set is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a task that finished stays in the set until a call
    /// returns it.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx))
            .await
            .map(|res| res.map(|(_, v)| v))
    }

    /// Like [`join_next`](JoinSet::join_next), with the task's id.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as `join_next`.
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Returns the output of a finished task if there is one, without
    /// waiting.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id().map(|res| res.map(|(_, v)| v))
    }

    /// Like [`try_join_next`](JoinSet::try_join_next), with the task's id.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        let mut cx = Context::from_waker(Waker::noop());
        match self.poll_next_notified(&mut cx) {
            Poll::Ready(res) => res,
            Poll::Pending => None,
        }
    }

    /// Aborts every task and waits for them all to finish.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    ///
    /// If a task panicked, the set is aborted and the panic resumed here; if
    /// a task was cancelled, this panics.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        while let Some(res) = self.join_next().await {
            match res {
                Ok(value) => out.push(value),
                Err(err) if err.is_panic() => {
                    self.abort_all();
                    std::panic::resume_unwind(err.into_panic());
                }
                Err(err) => panic!("a task of the `JoinSet` failed: {err}"),
            }
        }
        out
    }

    /// Polls for the next finished task.
    pub fn poll_join_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.entries.is_empty() {
            return Poll::Ready(None);
        }
        match self.poll_next_notified(cx) {
            Poll::Ready(Some(res)) => Poll::Ready(Some(res)),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Polls the notified entries; `Ready(None)` means the set is empty.
    fn poll_next_notified(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        loop {
            let key = {
                let mut notified = self.shared.notified.lock();
                match notified.keys.pop_front() {
                    Some(key) => key,
                    None => {
                        if self.entries.is_empty() {
                            return Poll::Ready(None);
                        }
                        notified.waiter = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
            };
            let Some(entry) = self.entries.get_mut(&key) else {
                // A stale key (already joined or detached).
                continue;
            };
            let mut entry_cx = Context::from_waker(&entry.waker);
            if let Poll::Ready(res) = Pin::new(&mut entry.handle).poll(&mut entry_cx) {
                let entry = self.entries.remove(&key).expect("entry vanished");
                let id = entry.handle.id();
                return Poll::Ready(Some(res.map(|v| (id, v))));
            }
            // The coop budget may have said Pending: make sure we come back.
            if !crate::coop::has_budget_remaining() {
                self.shared.notified.lock().keys.push_back(key);
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Panics if called outside of a runtime.
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(super::spawn(future))
    }

    /// Spawns `future` on the runtime of `handle` and adds it to the set.
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs `f` on the blocking pool and adds it to the set.
    ///
    /// # Panics
    ///
    /// Panics if called outside of a runtime.
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(super::spawn_blocking(f))
    }

    /// Runs `f` on the blocking pool of `handle`'s runtime and adds it.
    pub fn spawn_blocking_on<F>(&mut self, f: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(handle.spawn_blocking(f))
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns a `!Send` future on the current [`LocalSet`](super::LocalSet)
    /// and adds it to the set.
    ///
    /// # Panics
    ///
    /// Panics if called outside of a `LocalSet`.
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(super::spawn_local(future))
    }

    /// Spawns a `!Send` future on `local_set` and adds it to the set; it
    /// runs when the `LocalSet` is driven (`run_until`, or awaiting it).
    pub fn spawn_local_on<F>(&mut self, future: F, local_set: &super::LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(local_set.spawn_local(future))
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
