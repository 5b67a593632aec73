//! The worker loop.
//!
//! Each worker thread owns a `Core` (its LIFO slot, local queue, parker and
//! counters) and loops:
//!
//! 1. every `global_queue_interval` ticks, take from the inject queue first
//!    (so remote spawns are never starved by local work);
//! 2. otherwise the LIFO slot (at most `MAX_LIFO_POLLS_PER_TICK` times in a
//!    row), then the local queue, then a batch from the inject queue;
//! 3. with nothing local, become a searcher (if fewer than half the workers
//!    search) and steal half of a random sibling's queue;
//! 4. with nothing anywhere: if it ran a task since it last spun, keep
//!    looking (driver, queues, siblings) for the window `util/spin.rs` gives
//!    (0–50 µs, from its recent idle gaps), yielding the CPU between
//!    rounds; then park (see `idle.rs` and `park.rs`). A worker woken
//!    without work parks again at once: spinning there would only take the
//!    CPU from the thread that woke it.
//!
//! Every `event_interval` ticks a busy worker polls the driver without
//! blocking and checks for shutdown.
//!
//! The core lives in the thread's `Context` while a task runs, so that
//! `spawn` and wakes from that task reach the LIFO slot and local queue
//! without synchronisation, and so that `block_in_place` can take the core
//! and hand it to a replacement thread: when the task's poll returns and the
//! core is gone, this thread leaves the loop.

use super::handle::Handle;
use super::park::Parker;
use super::queue::Local;
use crate::context;
use crate::coop;
use crate::loom::sync::{Arc, Mutex};
use crate::metrics::WorkerStats;
use crate::scheduler::inject::Inject;
use crate::task::Notified;
use crate::util::rand::FastRand;
use crate::util::spin::SpinPolicy;
use std::cell::RefCell;
use std::time::Duration;

/// How many LIFO-slot tasks may run back to back before the worker turns to
/// its queue: two tasks waking each other must not starve the rest.
const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// The most tasks moved from the inject queue to a local queue at once.
const INJECT_BATCH: usize = 32;

type Task = Notified<Arc<Handle>>;

/// A worker: its index, and its core while no thread runs it.
pub(super) struct Worker {
    pub(super) handle: Arc<Handle>,
    pub(super) index: usize,
    /// The core, parked here between threads (at start, on block_in_place).
    core: Mutex<Option<Box<Core>>>,
}

/// Per-worker state that moves with the worker between threads.
pub(crate) struct Core {
    tick: u32,
    pub(super) lifo_slot: Option<Task>,
    pub(super) lifo_enabled: bool,
    run_queue: Local<Arc<Handle>>,
    is_searching: bool,
    is_shutdown: bool,
    /// Set when a task runs; cleared when the worker spins before parking.
    /// A worker that woke and found nothing parks again without spinning.
    ran_since_spin: bool,
    /// How long to spin before parking, from this worker's idle gaps.
    spin_policy: SpinPolicy,
    /// `None` while parked (the parker is in use).
    pub(super) park: Option<Parker>,
    stats: WorkerStats,
    rand: FastRand,
    global_queue_interval: u32,
    event_interval: u32,
}

/// The thread-local view of the worker that runs on this thread.
struct Context {
    worker: Arc<Worker>,
    core: RefCell<Option<Box<Core>>>,
}

/// The result of running a task: the core back, or `Err` if it was handed
/// off (block_in_place) and this thread must leave the loop.
type RunResult = Result<Box<Core>, ()>;

impl Worker {
    pub(super) fn new(handle: Arc<Handle>, index: usize, core: Box<Core>) -> Worker {
        Worker {
            handle,
            index,
            core: Mutex::new(Some(core)),
        }
    }
}

impl Core {
    pub(super) fn new(run_queue: Local<Arc<Handle>>, park: Parker, config: &super::Config) -> Core {
        Core {
            tick: 0,
            lifo_slot: None,
            lifo_enabled: true,
            run_queue,
            is_searching: false,
            is_shutdown: false,
            ran_since_spin: false,
            spin_policy: SpinPolicy::default(),
            park: Some(park),
            stats: WorkerStats::default(),
            rand: FastRand::from_seed_source(),
            global_queue_interval: config.global_queue_interval.max(1),
            event_interval: config.event_interval.max(1),
        }
    }

    pub(super) fn push_back(&mut self, task: Task, inject: &Inject<Arc<Handle>>) {
        if self.run_queue.push_back_or_overflow(task, inject) {
            self.stats.overflow_count += 1;
        }
    }

    fn next_task(&mut self, worker: &Worker) -> Option<Task> {
        let inject = &worker.handle.shared.inject;
        if self.tick % self.global_queue_interval == 0 {
            return inject.pop().or_else(|| self.next_local_task());
        }
        if let Some(task) = self.next_local_task() {
            return Some(task);
        }
        if inject.is_empty() {
            return None;
        }
        // Take a fair share of the inject queue into the local queue in one
        // batch, so the next few ticks need no shared access. At most
        // `INJECT_BATCH`: the local deque's buffer starts at 64 slots and a
        // batch that fits never makes it grow and shrink back.
        let workers = worker.handle.shared.remotes.len();
        let share = (inject.len() / workers + 1).min(INJECT_BATCH);
        // The local queue is empty here (`next_local_task` found nothing and
        // only this thread pushes to it).
        inject.pop_batch_into(&mut self.run_queue, share)
    }

    fn next_local_task(&mut self) -> Option<Task> {
        self.lifo_slot.take().or_else(|| self.run_queue.pop())
    }

    /// Searches siblings' queues, then the inject queue.
    fn steal_work(&mut self, worker: &Worker) -> Option<Task> {
        if !self.transition_to_searching(worker) {
            return None;
        }
        let remotes = &worker.handle.shared.remotes;
        let n = remotes.len();
        let start = self.rand.next_below(n as u32) as usize;
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == worker.index {
                continue;
            }
            if let Some(task) = remotes[victim].steal.steal_into(&mut self.run_queue) {
                self.stats.steal_count += 1;
                return Some(task);
            }
        }
        worker.handle.shared.inject.pop()
    }

    fn transition_to_searching(&mut self, worker: &Worker) -> bool {
        if !self.is_searching {
            self.is_searching = worker.handle.shared.idle.transition_worker_to_searching();
        }
        self.is_searching
    }

    fn transition_from_searching(&mut self, worker: &Worker) {
        if !self.is_searching {
            return;
        }
        self.is_searching = false;
        if worker.handle.shared.idle.transition_worker_from_searching() {
            // We were the last searcher and found work: there may be more,
            // so make sure someone keeps looking.
            worker.handle.notify_parked();
        }
    }

    fn has_tasks(&self) -> bool {
        self.lifo_slot.is_some() || !self.run_queue.is_empty()
    }

    /// Registers as a sleeper. Returns false if the worker has work after all.
    fn transition_to_parked(&mut self, worker: &Worker) -> bool {
        if self.has_tasks() {
            return false;
        }
        let shared = &worker.handle.shared;
        let was_last_searcher = shared.idle.transition_worker_to_parked(
            &shared.idle_synced,
            worker.index,
            self.is_searching,
        );
        self.is_searching = false;
        if was_last_searcher {
            worker.handle.notify_if_work_pending();
        }
        true
    }

    /// After waking: true if the worker should run, false to park again.
    fn transition_from_parked(&mut self, worker: &Worker) -> bool {
        let shared = &worker.handle.shared;
        if self.has_tasks() {
            // Woken by its own driver events rather than a notifier: leave
            // the sleepers list without becoming a searcher.
            self.is_searching = !shared
                .idle
                .unpark_worker_by_id(&shared.idle_synced, worker.index);
            return true;
        }
        if shared.idle.is_parked(&shared.idle_synced, worker.index) {
            return false;
        }
        // A notifier took us off the list and counted us as searching.
        self.is_searching = true;
        true
    }

    /// Publishes counters and notices shutdown.
    fn maintenance(&mut self, worker: &Worker) {
        self.stats
            .submit(&worker.handle.shared.worker_metrics[worker.index]);
        if !self.is_shutdown {
            self.is_shutdown = worker.handle.shared.inject.is_closed();
        }
    }

    /// Drops every queued task (their references; the futures are dropped
    /// by the owned-tasks shutdown).
    pub(super) fn drain_queues(&mut self) {
        drop(self.lifo_slot.take());
        while let Some(task) = self.run_queue.pop() {
            drop(task);
        }
    }
}

/// Runs worker `worker` on the current thread until shutdown (or until its
/// core is handed to another thread).
pub(super) fn run(worker: Arc<Worker>) {
    let Some(core) = worker.core.lock().take() else {
        return;
    };
    let handle = crate::scheduler::Handle::MultiThread(worker.handle.clone());
    let _enter = context::enter(handle);
    let _driving = context::enter_runtime();
    let cx = Context {
        worker,
        core: RefCell::new(None),
    };
    let prev = context::set_worker(&cx as *const Context as *const ());
    let _ = cx.run(core);
    context::set_worker(prev);
}

impl Context {
    fn run(&self, mut core: Box<Core>) -> Result<(), ()> {
        let worker = &*self.worker;
        let mut busy_since = crate::driver::clock::now();
        while !core.is_shutdown {
            core.tick = core.tick.wrapping_add(1);
            if core.tick % core.event_interval == 0 {
                core = self.park_timeout(core, Some(Duration::ZERO));
                core.maintenance(worker);
            }
            if let Some(task) = core.next_task(worker) {
                core = self.run_task(task, core)?;
                continue;
            }
            if let Some(task) = core.steal_work(worker) {
                core = self.run_task(task, core)?;
                continue;
            }
            core.spin_policy.idle(crate::driver::clock::now);
            if core.ran_since_spin {
                let (spun, found) = self.spin(core);
                core = spun;
                if let Some(task) = found {
                    core = self.run_task(task, core)?;
                    continue;
                }
                if core.is_shutdown {
                    break;
                }
            }
            core.stats.busy_duration_ns += busy_since.elapsed().as_nanos() as u64;
            core = self.park(core);
            busy_since = crate::driver::clock::now();
        }
        core.drain_queues();
        core.stats
            .submit(&worker.handle.shared.worker_metrics[worker.index]);
        worker.handle.shutdown_core(core);
        Ok(())
    }

    fn run_task(&self, task: Task, mut core: Box<Core>) -> RunResult {
        core.transition_from_searching(&self.worker);
        core.ran_since_spin = true;
        core.spin_policy.busy(crate::driver::clock::now);
        core.lifo_enabled = true;
        core.stats.poll_count += 1;
        *self.core.borrow_mut() = Some(core);
        coop::budget(|| {
            task.run();
            let mut lifo_polls = 0;
            loop {
                // Gone if the task called block_in_place: leave the loop.
                let mut core = self.core.borrow_mut().take().ok_or(())?;
                let Some(task) = core.lifo_slot.take() else {
                    return Ok(core);
                };
                if !coop::has_budget_remaining() {
                    // The chain used up its budget: let the queue run first.
                    core.push_back(task, &self.worker.handle.shared.inject);
                    return Ok(core);
                }
                lifo_polls += 1;
                if lifo_polls >= MAX_LIFO_POLLS_PER_TICK {
                    core.lifo_enabled = false;
                }
                core.stats.poll_count += 1;
                *self.core.borrow_mut() = Some(core);
                task.run();
            }
        })
    }

    /// Looks for work for as long as the spin policy says (see `util/spin.rs`):
    /// the driver (if no sibling holds it), the local and inject queues, the
    /// siblings' queues. Yields the CPU between rounds, so a thread that
    /// shares it runs.
    ///
    /// `park_timeout(ZERO)` consumes a pending unpark; the inject queue is
    /// checked for closure after each one, so the unpark sent by shutdown is
    /// never lost to the spin.
    fn spin(&self, mut core: Box<Core>) -> (Box<Core>, Option<Task>) {
        core.ran_since_spin = false;
        if cfg!(loom) || core.is_shutdown {
            // The models check parking; a timed spin only multiplies states.
            return (core, None);
        }
        let worker = &*self.worker;
        let window = core.spin_policy.window();
        if window.is_zero() {
            return (core, None);
        }
        let deadline = crate::driver::clock::now() + window;
        loop {
            core = self.park_timeout(core, Some(Duration::ZERO));
            if worker.handle.shared.inject.is_closed() {
                core.is_shutdown = true;
                return (core, None);
            }
            let found = core.next_task(worker).or_else(|| core.steal_work(worker));
            if found.is_some() || crate::driver::clock::now() >= deadline {
                return (core, found);
            }
            std::thread::yield_now();
        }
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        let config = &self.worker.handle.shared.config;
        if let Some(f) = &config.before_park {
            f();
        }
        if core.transition_to_parked(&self.worker) {
            while !core.is_shutdown {
                // Checked here as well as in `spin`: a pending unpark taken
                // by an earlier non-blocking poll may have been shutdown's.
                if self.worker.handle.shared.inject.is_closed() {
                    core.is_shutdown = true;
                    break;
                }
                core.stats.park_count += 1;
                core.maintenance(&self.worker);
                core = self.park_timeout(core, None);
                core.maintenance(&self.worker);
                if core.transition_from_parked(&self.worker) {
                    break;
                }
            }
        }
        if let Some(f) = &config.after_unpark {
            f();
        }
        core
    }

    fn park_timeout(&self, mut core: Box<Core>, timeout: Option<Duration>) -> Box<Core> {
        let mut park = core.park.take().expect("a worker's parker is missing");
        let handle = &self.worker.handle;
        // The core stays reachable while parked, so that wakes fired by the
        // driver on this thread go to the local queue.
        *self.core.borrow_mut() = Some(core);
        match timeout {
            Some(t) => park.park_timeout(&handle.driver, t),
            None => park.park(&handle.driver),
        }
        let mut core = self
            .core
            .borrow_mut()
            .take()
            .expect("a worker's core went missing while it was parked");
        core.park = Some(park);
        if !core.run_queue.is_empty() {
            handle.notify_parked();
        }
        core
    }
}

/// Calls `f(core, value)` with the core of the worker running on this
/// thread, if that worker belongs to `handle` and has its core; else gives
/// `value` back.
pub(super) fn with_current_core<T>(
    handle: &Arc<Handle>,
    value: T,
    f: impl FnOnce(&mut Core, T),
) -> Result<(), T> {
    with_context(|cx| {
        let Some(cx) = cx else { return Err(value) };
        if !std::ptr::eq(&*cx.worker.handle, &**handle) {
            return Err(value);
        }
        let mut core = cx.core.borrow_mut();
        match core.as_mut() {
            Some(core) => {
                f(core, value);
                Ok(())
            }
            None => Err(value),
        }
    })
}

fn with_context<R>(f: impl FnOnce(Option<&Context>) -> R) -> R {
    let ptr = context::worker() as *const Context;
    // SAFETY: the pointer is set by `run` to a `Context` on its stack and
    // reset before that frame returns, and only this thread reads it; so a
    // non-null pointer here refers to a live Context of this thread.
    let cx = unsafe { ptr.as_ref() };
    f(cx)
}

/// Hands this worker's core to a new thread so that `f` can block here.
/// Returns false if the thread is not a worker with its core (nothing done).
pub(super) fn hand_off_core() -> bool {
    with_context(|cx| {
        let Some(cx) = cx else { return false };
        let Some(mut core) = cx.core.borrow_mut().take() else {
            return false;
        };
        // The replacement must not think it is searching on our behalf.
        core.transition_from_searching(&cx.worker);
        *cx.worker.core.lock() = Some(core);
        let worker = cx.worker.clone();
        let spawner = &cx.worker.handle.blocking_spawner;
        spawner.spawn_worker_thread(move || run(worker));
        true
    })
}
