//! The multi-thread scheduler's shared state and handle: how tasks are
//! spawned, scheduled and woken, and how the scheduler shuts down.

use super::idle::{Idle, Synced as IdleSynced};
use super::park::Unparker;
use super::queue::Steal;
use super::worker::{self, Core};
use super::Config;
use crate::blocking;
use crate::driver;
use crate::loom::sync::{Arc, Mutex};
use crate::metrics::WorkerMetrics;
use crate::scheduler::inject::Inject;
use crate::task::{Id, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use std::fmt;
use std::future::Future;

/// Cheap to clone (behind an `Arc`): what tasks and `spawn` hold.
pub(crate) struct Handle {
    pub(super) shared: Shared,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking_spawner: blocking::Spawner,
}

/// Read by every worker.
pub(super) struct Shared {
    /// Per-worker: the stealer end of its queue and its unparker.
    pub(super) remotes: Box<[Remote]>,
    pub(super) inject: Inject<Arc<Handle>>,
    pub(super) idle: Idle,
    pub(super) owned: OwnedTasks<Arc<Handle>>,
    /// The sleepers list, behind its own lock.
    pub(super) idle_synced: Mutex<IdleSynced>,
    pub(super) synced: Mutex<Synced>,
    pub(super) config: Config,
    pub(super) worker_metrics: Box<[WorkerMetrics]>,
    pub(super) driver: Arc<super::park::Shared>,
}

/// Behind the scheduler mutex.
pub(super) struct Synced {
    /// Cores of workers that have shut down; the last one finishes shutdown.
    #[allow(clippy::vec_box)] // cores move between threads boxed; no re-boxing here
    pub(super) shutdown_cores: Vec<Box<Core>>,
}

pub(super) struct Remote {
    pub(super) steal: Steal<Arc<Handle>>,
    pub(super) unpark: Unparker,
}

impl Handle {
    pub(super) fn new(
        shared: Shared,
        driver: driver::Handle,
        blocking_spawner: blocking::Spawner,
    ) -> Handle {
        Handle {
            shared,
            driver,
            blocking_spawner,
        }
    }

    pub(crate) fn spawn<F>(me: &Arc<Handle>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = me.shared.owned.bind(future, me.clone(), id);
        if let Some(notified) = notified {
            Handle::schedule_task(me, notified, false);
        }
        join
    }

    /// Schedules a task: onto this worker's LIFO slot if called from one of
    /// our workers, else onto the inject queue, waking a sleeper if needed.
    pub(super) fn schedule_task(me: &Arc<Handle>, task: Notified<Arc<Handle>>, is_yield: bool) {
        let task = match worker::with_current_core(me, task, |core, task| {
            me.schedule_local(core, task, is_yield)
        }) {
            Ok(()) => return,
            Err(task) => task,
        };
        me.shared.inject.push(task);
        me.notify_parked();
    }

    fn schedule_local(&self, core: &mut Core, task: Notified<Arc<Handle>>, is_yield: bool) {
        let should_notify = if is_yield || !core.lifo_enabled {
            core.push_back(task, &self.shared.inject);
            true
        } else {
            match core.lifo_slot.replace(task) {
                Some(prev) => {
                    core.push_back(prev, &self.shared.inject);
                    true
                }
                None => false,
            }
        };
        // A parked core (`park` is None while parked) is about to look at
        // its queues anyway.
        if should_notify && core.park.is_some() {
            self.notify_parked();
        }
    }

    /// Wakes a sleeping worker as a searcher if none is searching (rule 1
    /// of README.md in this folder).
    pub(super) fn notify_parked(&self) {
        if let Some(index) = self.shared.idle.worker_to_notify(&self.shared.idle_synced) {
            self.shared.remotes[index].unpark.unpark(&self.driver);
        }
    }

    /// Wakes a worker if any queue has work (called by the last searcher
    /// before it parks).
    pub(super) fn notify_if_work_pending(&self) {
        let pending = self.shared.remotes.iter().any(|r| !r.steal.is_empty())
            || !self.shared.inject.is_empty();
        if pending {
            self.notify_parked();
        }
    }

    /// Begins shutdown: closes the inject queue and wakes every worker; each
    /// then drains its queues and hands its core in (`shutdown_core`).
    pub(crate) fn shutdown(&self) {
        if self.shared.inject.close() {
            for remote in self.shared.remotes.iter() {
                remote.unpark.unpark(&self.driver);
            }
        }
    }

    /// Collects a shut-down core; the last one cancels every remaining task.
    pub(super) fn shutdown_core(&self, core: Box<Core>) {
        let mut synced = self.shared.synced.lock();
        synced.shutdown_cores.push(core);
        if synced.shutdown_cores.len() != self.shared.remotes.len() {
            return;
        }
        let cores = std::mem::take(&mut synced.shutdown_cores);
        drop(synced);
        self.shared.owned.close_and_shutdown_all();
        // Cancelling tasks may have woken others; those pushes were dropped
        // by the closed inject queue or went to no core (all are in).
        self.shared.inject.close();
        for mut core in cores {
            core.drain_queues();
        }
        self.shared.driver.shutdown(&self.driver);
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.shared.remotes.len()
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.shared.owned.alive()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.shared.inject.len()
    }

    pub(crate) fn worker_metrics(&self) -> &[WorkerMetrics] {
        &self.shared.worker_metrics
    }

    pub(crate) fn worker_local_queue_depth(&self, worker: usize) -> usize {
        self.shared.remotes[worker].steal.len()
    }
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified<Self>) {
        Handle::schedule_task(self, task, false);
    }

    fn yield_now(&self, task: Notified<Self>) {
        Handle::schedule_task(self, task, true);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.shared.owned.remove(task)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("multi_thread::Handle")
            .field("workers", &self.shared.remotes.len())
            .field("inject", &self.shared.inject)
            .field("idle", &self.shared.idle)
            .finish()
    }
}
