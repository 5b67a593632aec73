//! The inject queue: the global FIFO of tasks scheduled from outside a
//! worker, and of overflow from full local queues.
//!
//! It is crossbeam's lock-free `Injector` (a mutex-guarded `VecDeque` under
//! loom, which cannot see inside crossbeam). Closing it at shutdown must not
//! strand a task: see `push`.

use crate::loom::sync::atomic::{fence, AtomicBool, Ordering::*};
use crate::task::Notified;
use std::fmt;

pub(crate) struct Inject<S: 'static> {
    queue: imp::Queue<Notified<S>>,
    closed: AtomicBool,
}

impl<S: 'static> Inject<S> {
    pub(crate) fn new() -> Inject<S> {
        Inject {
            queue: imp::Queue::new(),
            closed: AtomicBool::new(false),
        }
    }

    /// Pushes a task; if the queue is closed, the task is dropped (its
    /// reference released) instead.
    ///
    /// A push racing with `close` is resolved like Dekker's protocol: the
    /// pusher pushes, fences, then checks `closed`; the closer sets `closed`,
    /// fences, then drains. With both SeqCst fences, either the pusher sees
    /// `closed` (and drains itself) or the closer's drain sees the task.
    pub(crate) fn push(&self, task: Notified<S>) {
        if self.closed.load(Acquire) {
            drop(task);
            return;
        }
        self.queue.push(task);
        // Pairs with the fence in `close`.
        fence(SeqCst);
        if self.closed.load(Relaxed) {
            self.drain();
        }
    }

    /// Pushes a batch (the overflow of a local queue).
    pub(crate) fn push_batch(&self, tasks: impl Iterator<Item = Notified<S>>) {
        for task in tasks {
            self.push(task);
        }
    }

    pub(crate) fn pop(&self) -> Option<Notified<S>> {
        self.queue.pop()
    }

    /// Moves up to `limit` tasks into `dst` in one batch and returns one more
    /// to run.
    pub(crate) fn pop_batch_into(
        &self,
        dst: &mut crate::scheduler::multi_thread::queue::Local<S>,
        limit: usize,
    ) -> Option<Notified<S>> {
        dst.fill_from(&self.queue, limit)
    }

    /// Closes the queue and drops every task in it. Returns false if it was
    /// already closed.
    pub(crate) fn close(&self) -> bool {
        let was = self.closed.swap(true, Relaxed);
        // Pairs with the fence in `push`.
        fence(SeqCst);
        self.drain();
        !was
    }

    fn drain(&self) {
        while let Some(task) = self.queue.pop() {
            drop(task);
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Acquire)
    }

    pub(crate) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

impl<S> fmt::Debug for Inject<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inject")
            .field("len", &self.queue.len())
            .field("closed", &self.closed.load(Relaxed))
            .finish()
    }
}

#[cfg(not(all(test, loom)))]
pub(crate) mod imp {
    /// crossbeam's lock-free injector.
    pub(crate) struct Queue<T>(pub(crate) crossbeam_deque::Injector<T>);

    impl<T> Queue<T> {
        pub(super) fn new() -> Self {
            Queue(crossbeam_deque::Injector::new())
        }

        pub(super) fn push(&self, value: T) {
            self.0.push(value);
        }

        pub(super) fn pop(&self) -> Option<T> {
            loop {
                match self.0.steal() {
                    crossbeam_deque::Steal::Success(t) => return Some(t),
                    crossbeam_deque::Steal::Empty => return None,
                    crossbeam_deque::Steal::Retry => crate::loom::thread::yield_now(),
                }
            }
        }

        pub(super) fn len(&self) -> usize {
            self.0.len()
        }

        pub(super) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }
}

#[cfg(all(test, loom))]
pub(crate) mod imp {
    use crate::loom::sync::Mutex;
    use std::collections::VecDeque;

    /// Stand-in for crossbeam's injector under loom: same API, a mutex.
    pub(crate) struct Queue<T>(pub(crate) Mutex<VecDeque<T>>);

    impl<T> Queue<T> {
        pub(super) fn new() -> Self {
            Queue(Mutex::new(VecDeque::new()))
        }

        pub(super) fn push(&self, value: T) {
            self.0.lock().push_back(value);
        }

        pub(super) fn pop(&self) -> Option<T> {
            self.0.lock().pop_front()
        }

        pub(super) fn len(&self) -> usize {
            self.0.lock().len()
        }

        pub(super) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }
}
