//! Counted futures and a test scheduler, for exact counts on every path.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use crate::task::{Id, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A scheduler that queues woken tasks for the test to run by hand, and
/// counts how often it was asked to schedule.
pub(crate) struct TestSched {
    pub(crate) queue: Mutex<VecDeque<Notified<Arc<TestSched>>>>,
    pub(crate) owned: OwnedTasks<Arc<TestSched>>,
    pub(crate) scheduled: AtomicUsize,
}

impl TestSched {
    pub(crate) fn new() -> Arc<TestSched> {
        Arc::new(TestSched {
            queue: Mutex::new(VecDeque::new()),
            owned: OwnedTasks::new(1),
            scheduled: AtomicUsize::new(0),
        })
    }

    /// Spawns `future`: binds it and queues its first `Notified`.
    pub(crate) fn spawn<F>(this: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = this.owned.bind(future, this.clone(), Id::next());
        if let Some(n) = notified {
            this.queue.lock().push_back(n);
        }
        join
    }

    /// Runs queued tasks until the queue is empty; returns how many ran.
    pub(crate) fn run_queued(&self) -> usize {
        let mut n = 0;
        loop {
            let task = self.queue.lock().pop_front();
            match task {
                Some(task) => {
                    task.run();
                    n += 1;
                }
                None => return n,
            }
        }
    }
}

impl Schedule for Arc<TestSched> {
    fn schedule(&self, task: Notified<Self>) {
        self.scheduled.fetch_add(1, SeqCst);
        self.queue.lock().push_back(task);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }
}

/// Counts drops of the value it wraps.
#[derive(Debug)]
pub(crate) struct DropCounter(pub(crate) Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A future that counts its polls and drops, and returns `Pending` for its
/// first `pending` polls (waking itself if `self_wake`).
pub(crate) struct Counted {
    pub(crate) polls: Arc<AtomicUsize>,
    pub(crate) _drop: DropCounter,
    pub(crate) pending: usize,
    pub(crate) self_wake: bool,
}

impl Counted {
    /// The future and its (polls, drops) counters.
    pub(crate) fn new(
        pending: usize,
        self_wake: bool,
    ) -> (Counted, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let polls = Arc::new(AtomicUsize::new(0));
        let drops = Arc::new(AtomicUsize::new(0));
        let fut = Counted {
            polls: polls.clone(),
            _drop: DropCounter(drops.clone()),
            pending,
            self_wake,
        };
        (fut, polls, drops)
    }
}

impl Future for Counted {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let n = self.polls.fetch_add(1, SeqCst);
        if n < self.pending {
            if self.self_wake {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

/// Blocks the current (model) thread on `future`.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    #[cfg(loom)]
    return loom::future::block_on(future);
    #[cfg(not(loom))]
    return crate::park_thread::block_on(future);
}
