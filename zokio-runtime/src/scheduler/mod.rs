//! The schedulers, and the `Handle` that reaches whichever one a runtime uses.
//!
//! `Handle` is what the thread-local context stores and what `spawn`
//! consults: a cheap clone of an `Arc` to the scheduler's shared state.

pub(crate) mod current_thread;
pub(crate) mod inject;
pub(crate) mod multi_thread;

use crate::blocking;
use crate::context;
use crate::loom::sync::Arc;
use crate::metrics::WorkerMetrics;
use crate::task::{Id, JoinHandle};
use std::future::Future;

/// A handle to a runtime's scheduler.
#[derive(Debug, Clone)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(h) => current_thread::Handle::spawn(h, future, id),
            Handle::MultiThread(h) => multi_thread::Handle::spawn(h, future, id),
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(h) => &h.blocking_spawner,
            Handle::MultiThread(h) => &h.blocking_spawner,
        }
    }

    /// The driver handle of this runtime (I/O registration, unpark).
    pub(crate) fn driver(&self) -> &crate::driver::Handle {
        match self {
            Handle::CurrentThread(h) => &h.driver,
            Handle::MultiThread(h) => &h.driver,
        }
    }

    pub(crate) fn is_current_thread(&self) -> bool {
        matches!(self, Handle::CurrentThread(_))
    }

    pub(crate) fn num_workers(&self) -> usize {
        match self {
            Handle::CurrentThread(_) => 1,
            Handle::MultiThread(h) => h.num_workers(),
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::CurrentThread(h) => h.num_alive_tasks(),
            Handle::MultiThread(h) => h.num_alive_tasks(),
        }
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        match self {
            Handle::CurrentThread(h) => h.global_queue_depth(),
            Handle::MultiThread(h) => h.global_queue_depth(),
        }
    }

    pub(crate) fn worker_metrics(&self) -> &[WorkerMetrics] {
        match self {
            Handle::CurrentThread(h) => h.worker_metrics(),
            Handle::MultiThread(h) => h.worker_metrics(),
        }
    }

    pub(crate) fn worker_local_queue_depth(&self, worker: usize) -> usize {
        match self {
            Handle::CurrentThread(h) => h.local_queue_depth(),
            Handle::MultiThread(h) => h.worker_local_queue_depth(worker),
        }
    }
}

/// See `task::block_in_place`.
#[track_caller]
pub(crate) fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    let on_current_thread = context::with_current(|h| h.is_current_thread()).unwrap_or(false);
    if on_current_thread && context::is_driving() {
        panic!(
            "can call blocking only when running on the multi-threaded runtime: \
             `block_in_place` was called on a current-thread runtime, which has no other \
             thread to hand its tasks to"
        );
    }
    // On a worker, hand its core to a new thread first; elsewhere (a plain
    // thread, a blocking thread, a `block_on` thread) just run `f`.
    multi_thread::hand_off_core();
    context::exit_runtime(f)
}
