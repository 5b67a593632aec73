//! The multi-thread, work-stealing scheduler.
//!
//! `Builder::new_multi_thread` makes one of these: N workers (threads of the
//! blocking pool that run `worker::run`), each with a LIFO slot and a local
//! queue; a shared inject queue; an idle protocol that keeps at most half
//! the workers searching and loses no wake-up; and a driver that one parked
//! worker at a time waits on. See README.md in this folder for the parking
//! protocol and why no wake-up is lost.

mod handle;
pub(crate) mod idle;
pub(crate) mod park;
pub(crate) mod queue;
mod worker;

pub(crate) use self::handle::Handle;

use self::handle::{Remote, Shared, Synced};
use self::idle::Idle;
use self::park::Parker;
use self::worker::{Core, Worker};
use crate::blocking;
use crate::driver::{self, Driver};
use crate::loom::sync::{Arc, Mutex};
use crate::metrics::WorkerMetrics;
use crate::scheduler::inject::Inject;
use crate::task::OwnedTasks;
use std::fmt;

/// Tuning knobs from the builder.
pub(crate) struct Config {
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) before_park: Option<crate::builder::Callback>,
    pub(crate) after_unpark: Option<crate::builder::Callback>,
}

/// The scheduler as the `Runtime` owns it.
pub(crate) struct MultiThread;

impl MultiThread {
    /// Builds the scheduler and starts its workers on the blocking pool.
    pub(crate) fn new(
        num_workers: usize,
        driver: Driver,
        driver_handle: driver::Handle,
        blocking_spawner: blocking::Spawner,
        config: Config,
    ) -> (MultiThread, Arc<Handle>) {
        let park_shared = park::Shared::new(driver);
        let mut cores = Vec::with_capacity(num_workers);
        let mut remotes = Vec::with_capacity(num_workers);
        for _ in 0..num_workers {
            let (steal, local) = queue::local();
            let parker = Parker::new(park_shared.clone());
            remotes.push(Remote {
                steal,
                unpark: parker.unparker(),
            });
            cores.push(Box::new(Core::new(local, parker, &config)));
        }
        let (idle, idle_synced) = Idle::new(num_workers);
        let shared = Shared {
            remotes: remotes.into_boxed_slice(),
            inject: Inject::new(),
            idle,
            owned: OwnedTasks::new(num_workers),
            idle_synced: Mutex::new(idle_synced),
            synced: Mutex::new(Synced {
                shutdown_cores: Vec::with_capacity(num_workers),
            }),
            config,
            worker_metrics: (0..num_workers).map(|_| WorkerMetrics::default()).collect(),
            driver: park_shared,
        };
        let handle = Arc::new(Handle::new(shared, driver_handle, blocking_spawner));
        for (index, core) in cores.into_iter().enumerate() {
            let worker = Arc::new(Worker::new(handle.clone(), index, core));
            handle
                .blocking_spawner
                .spawn_worker_thread(move || worker::run(worker));
        }
        (MultiThread, handle)
    }
}

impl fmt::Debug for MultiThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MultiThread")
    }
}

/// Hands the current worker's core to a new thread (see `worker.rs`).
pub(crate) fn hand_off_core() -> bool {
    worker::hand_off_core()
}
