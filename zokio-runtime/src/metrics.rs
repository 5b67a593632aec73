//! Runtime metrics: counters the workers keep, and the public
//! [`RuntimeMetrics`] view of them.
//!
//! Workers count in plain fields of their core and publish the totals into
//! these atomics at park time and every maintenance tick, so the hot path
//! pays no atomic per poll.

use crate::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
use crate::scheduler;
use std::time::Duration;

/// One worker's published counters.
#[derive(Debug, Default)]
pub(crate) struct WorkerMetrics {
    pub(crate) park_count: AtomicU64,
    pub(crate) steal_count: AtomicU64,
    pub(crate) poll_count: AtomicU64,
    pub(crate) busy_duration_ns: AtomicU64,
    pub(crate) overflow_count: AtomicU64,
}

/// Counts a worker keeps locally between publications.
#[derive(Debug, Default)]
pub(crate) struct WorkerStats {
    pub(crate) park_count: u64,
    pub(crate) steal_count: u64,
    pub(crate) poll_count: u64,
    pub(crate) busy_duration_ns: u64,
    pub(crate) overflow_count: u64,
}

impl WorkerStats {
    /// Publishes the local counts (they are totals, stored not added).
    pub(crate) fn submit(&self, to: &WorkerMetrics) {
        to.park_count.store(self.park_count, Relaxed);
        to.steal_count.store(self.steal_count, Relaxed);
        to.poll_count.store(self.poll_count, Relaxed);
        to.busy_duration_ns.store(self.busy_duration_ns, Relaxed);
        to.overflow_count.store(self.overflow_count, Relaxed);
    }
}

/// A view of a runtime's metrics, from [`Runtime::metrics`] or
/// [`Handle::metrics`].
///
/// Per-worker counters are published by each worker when it parks and at
/// regular intervals while it is busy, so they may lag a little.
///
/// [`Runtime::metrics`]: crate::runtime::Runtime::metrics
/// [`Handle::metrics`]: crate::runtime::Handle::metrics
///
/// # Examples
///
/// ```
/// let rt = zokio::runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .build()
///     .unwrap();
/// assert_eq!(rt.metrics().num_workers(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    handle: scheduler::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// The number of worker threads (1 for the current-thread runtime).
    pub fn num_workers(&self) -> usize {
        self.handle.num_workers()
    }

    /// Tasks spawned and not yet completed.
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks waiting in the global (inject) queue.
    pub fn global_queue_depth(&self) -> usize {
        self.handle.global_queue_depth()
    }

    /// Threads of the blocking pool other than the workers.
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_threads()
    }

    /// Threads of the blocking pool that are idle.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_idle_threads()
    }

    /// Blocking tasks queued and not yet started.
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking_spawner().queue_depth()
    }

    /// File descriptors registered with the I/O driver since it started
    /// (0 without `enable_io`). A TCP stream counts from its creation even
    /// though its `epoll` registration is deferred until it first waits
    /// (and never happens if it does not).
    pub fn io_driver_fd_registered_count(&self) -> u64 {
        self.handle
            .driver()
            .io()
            .map_or(0, |io| io.registered_count())
    }

    /// File descriptors deregistered from the I/O driver since it started.
    pub fn io_driver_fd_deregistered_count(&self) -> u64 {
        self.handle
            .driver()
            .io()
            .map_or(0, |io| io.deregistered_count())
    }

    /// File descriptors registered with the I/O driver right now.
    pub fn io_driver_fd_count(&self) -> usize {
        self.handle
            .driver()
            .io()
            .map_or(0, |io| io.num_registrations())
    }

    fn worker(&self, worker: usize) -> &WorkerMetrics {
        let all = self.handle.worker_metrics();
        match all.get(worker) {
            Some(m) => m,
            None => panic!(
                "worker index {worker} is out of range: the runtime has {} workers",
                all.len()
            ),
        }
    }

    /// How many times worker `worker` parked.
    ///
    /// # Panics
    ///
    /// Panics if `worker >= num_workers()` (as do the other `worker_*` methods).
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.worker(worker).park_count.load(Relaxed)
    }

    /// How many times worker `worker` stole tasks from a sibling.
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.worker(worker).steal_count.load(Relaxed)
    }

    /// How many task polls worker `worker` performed.
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.worker(worker).poll_count.load(Relaxed)
    }

    /// How many times worker `worker`'s local queue overflowed into the
    /// global queue.
    pub fn worker_overflow_count(&self, worker: usize) -> u64 {
        self.worker(worker).overflow_count.load(Relaxed)
    }

    /// Tasks currently in worker `worker`'s local queue.
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        let _ = self.worker(worker);
        self.handle.worker_local_queue_depth(worker)
    }

    /// Time worker `worker` spent awake: running tasks, and looking for
    /// more in the short spin before it parks (at most 50 µs per idle spell;
    /// none while its work comes back slowly). Parked time is not counted.
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        Duration::from_nanos(self.worker(worker).busy_duration_ns.load(Relaxed))
    }
}
