//! Each worker's run queue: a fixed-capacity Chase-Lev deque (crossbeam's
//! `Worker`/`Stealer`, FIFO flavour), owned by the worker (`Local`) and
//! stolen from by its siblings (`Steal`).
//!
//! Capacity: `LOCAL_QUEUE_CAPACITY`. A push onto a full queue first moves
//! half of the queued tasks (the oldest) to the inject queue, so a worker
//! that produces faster than it runs cannot grow its deque without bound and
//! the others can pick the overflow up.
//!
//! Stealing takes half of the victim's tasks (at most half the capacity),
//! runs one and queues the rest locally.
//!
//! Under loom, crossbeam is replaced by a mutex-guarded `VecDeque` behind
//! the same API (loom cannot see inside crossbeam): models then check our
//! protocol around the queue, not the deque itself.

use super::super::inject::Inject;
use crate::task::Notified;
use std::fmt;

/// How many tasks a local queue holds before it overflows.
#[cfg(not(all(test, loom)))]
pub(crate) const LOCAL_QUEUE_CAPACITY: usize = 256;
/// Small under loom, so models reach the overflow path.
#[cfg(all(test, loom))]
pub(crate) const LOCAL_QUEUE_CAPACITY: usize = 4;

/// The owner's end of a worker's queue.
pub(crate) struct Local<S: 'static> {
    inner: imp::Worker<Notified<S>>,
}

/// The stealers' end of a worker's queue.
pub(crate) struct Steal<S: 'static> {
    inner: imp::Stealer<Notified<S>>,
}

/// A new, empty queue.
pub(crate) fn local<S: 'static>() -> (Steal<S>, Local<S>) {
    let worker = imp::Worker::new();
    let stealer = worker.stealer();
    (Steal { inner: stealer }, Local { inner: worker })
}

impl<S: 'static> Local<S> {
    /// Pushes `task` at the back; if the queue is full, moves half of it to
    /// `inject` first. Returns true if it overflowed.
    pub(crate) fn push_back_or_overflow(&mut self, task: Notified<S>, inject: &Inject<S>) -> bool {
        let overflowed = self.inner.len() >= LOCAL_QUEUE_CAPACITY;
        if overflowed {
            let inner = &self.inner;
            let half = LOCAL_QUEUE_CAPACITY / 2;
            inject.push_batch((0..half).map_while(|_| inner.pop()));
        }
        self.inner.push(task);
        overflowed
    }

    /// Pops the oldest task.
    pub(crate) fn pop(&mut self) -> Option<Notified<S>> {
        self.inner.pop()
    }

    /// Takes up to `limit` tasks from the inject queue in one batch, queues
    /// them here and returns one more to run.
    pub(crate) fn fill_from(
        &mut self,
        inject: &crate::scheduler::inject::imp::Queue<Notified<S>>,
        limit: usize,
    ) -> Option<Notified<S>> {
        self.inner.fill_from(inject, limit)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl<S: 'static> Steal<S> {
    /// Steals about half of this queue into `dst` and returns one task to
    /// run. `dst` must be empty-ish; at most half the capacity is taken.
    pub(crate) fn steal_into(&self, dst: &mut Local<S>) -> Option<Notified<S>> {
        self.inner
            .steal_half_into(&dst.inner, LOCAL_QUEUE_CAPACITY / 2)
    }

    pub(crate) fn len(&self) -> usize {
        self.inner.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

impl<S> fmt::Debug for Local<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local")
            .field("len", &self.inner.len())
            .finish()
    }
}

impl<S> fmt::Debug for Steal<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Steal")
            .field("len", &self.inner.len())
            .finish()
    }
}

#[cfg(not(all(test, loom)))]
mod imp {
    use crossbeam_deque::Steal as S;

    pub(super) struct Worker<T>(crossbeam_deque::Worker<T>);
    pub(super) struct Stealer<T>(crossbeam_deque::Stealer<T>);

    impl<T> Worker<T> {
        pub(super) fn new() -> Self {
            Worker(crossbeam_deque::Worker::new_fifo())
        }
        pub(super) fn stealer(&self) -> Stealer<T> {
            Stealer(self.0.stealer())
        }
        pub(super) fn push(&self, t: T) {
            self.0.push(t)
        }
        pub(super) fn pop(&self) -> Option<T> {
            self.0.pop()
        }
        pub(super) fn len(&self) -> usize {
            self.0.len()
        }
        pub(super) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(super) fn fill_from(
            &self,
            inject: &crate::scheduler::inject::imp::Queue<T>,
            limit: usize,
        ) -> Option<T> {
            loop {
                match inject.0.steal_batch_with_limit_and_pop(&self.0, limit) {
                    S::Success(t) => return Some(t),
                    S::Empty => return None,
                    S::Retry => crate::loom::thread::yield_now(),
                }
            }
        }
    }

    impl<T> Stealer<T> {
        pub(super) fn steal_half_into(&self, dst: &Worker<T>, limit: usize) -> Option<T> {
            let n = self.0.len().div_ceil(2).clamp(1, limit);
            // A Retry means another thief raced us; a few tries, then give up
            // on this victim (the caller moves on to the next one).
            for _ in 0..4 {
                match self.0.steal_batch_with_limit_and_pop(&dst.0, n) {
                    S::Success(t) => return Some(t),
                    S::Empty => return None,
                    S::Retry => crate::loom::thread::yield_now(),
                }
            }
            None
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
mod imp {
    use crate::loom::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    /// Stand-in for crossbeam's deque under loom (see the module docs).
    pub(super) struct Worker<T>(Arc<Mutex<VecDeque<T>>>);
    pub(super) struct Stealer<T>(Arc<Mutex<VecDeque<T>>>);

    impl<T> Worker<T> {
        pub(super) fn new() -> Self {
            Worker(Arc::new(Mutex::new(VecDeque::new())))
        }
        pub(super) fn stealer(&self) -> Stealer<T> {
            Stealer(self.0.clone())
        }
        pub(super) fn push(&self, t: T) {
            self.0.lock().push_back(t)
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
        pub(super) fn fill_from(
            &self,
            inject: &crate::scheduler::inject::imp::Queue<T>,
            limit: usize,
        ) -> Option<T> {
            let mut src = inject.0.lock();
            let first = src.pop_front()?;
            let mut dst = self.0.lock();
            for _ in 1..limit {
                match src.pop_front() {
                    Some(t) => dst.push_back(t),
                    None => break,
                }
            }
            Some(first)
        }
    }

    impl<T> Stealer<T> {
        pub(super) fn steal_half_into(&self, dst: &Worker<T>, limit: usize) -> Option<T> {
            let mut batch = {
                let mut src = self.0.lock();
                let n = src.len().div_ceil(2).min(limit);
                src.drain(..n).collect::<VecDeque<_>>()
            };
            let first = batch.pop_front();
            dst.0.lock().extend(batch);
            first
        }
        pub(super) fn len(&self) -> usize {
            self.0.lock().len()
        }
        pub(super) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }
}
