//! The current-thread scheduler: every task runs on the thread that calls
//! `block_on`.
//!
//! The `Core` (run queue, driver, counters) is held by whichever thread is
//! inside `block_on`. While it runs a task or parks, the core sits in a
//! thread-local `Context`, so spawns and wakes from that thread go straight
//! to the local queue. Spawns and wakes from other threads go to the inject
//! queue and unpark the driver.
//!
//! A second thread that calls `block_on` while the core is taken polls its
//! own future on a parked thread and takes the core as soon as it is given
//! back (it is woken then).

use crate::blocking;
use crate::context;
use crate::coop;
use crate::driver::{self, Driver};
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::metrics::{WorkerMetrics, WorkerStats};
use crate::scheduler::inject::Inject;
use crate::task::{Id, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

type TaskRef = Notified<Arc<Handle>>;

/// The scheduler as the `Runtime` owns it.
pub(crate) struct CurrentThread {
    core: Mutex<Option<Box<Core>>>,
    /// Threads waiting for the core.
    core_waiters: Mutex<Vec<Waker>>,
}

/// What tasks and `spawn` hold.
pub(crate) struct Handle {
    inject: Inject<Arc<Handle>>,
    owned: OwnedTasks<Arc<Handle>>,
    /// Set by the `block_on` future's waker.
    woken: AtomicBool,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking_spawner: blocking::Spawner,
    config: Config,
    worker_metrics: [WorkerMetrics; 1],
}

/// Tuning knobs from the builder.
pub(crate) struct Config {
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) before_park: Option<crate::builder::Callback>,
    pub(crate) after_unpark: Option<crate::builder::Callback>,
}

struct Core {
    tasks: VecDeque<TaskRef>,
    driver: Option<Driver>,
    tick: u32,
    stats: WorkerStats,
}

/// The thread-local view of the core while it runs on this thread. On drop
/// (also when the `block_on` future panics) it gives the core back.
struct Context<'a> {
    scheduler: &'a CurrentThread,
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
    /// The thread-local pointer to restore.
    prev: *const (),
}

impl Drop for Context<'_> {
    fn drop(&mut self) {
        context::set_current_thread(self.prev);
        if let Some(core) = self.core.borrow_mut().take() {
            self.scheduler.give_back(core);
        }
    }
}

impl CurrentThread {
    pub(crate) fn new(
        driver: Driver,
        driver_handle: driver::Handle,
        blocking_spawner: blocking::Spawner,
        config: Config,
    ) -> (CurrentThread, Arc<Handle>) {
        let handle = Arc::new(Handle {
            inject: Inject::new(),
            owned: OwnedTasks::new(1),
            woken: AtomicBool::new(false),
            driver: driver_handle,
            blocking_spawner,
            config,
            worker_metrics: [WorkerMetrics::default()],
        });
        let core = Box::new(Core {
            tasks: VecDeque::with_capacity(64),
            driver: Some(driver),
            tick: 0,
            stats: WorkerStats::default(),
        });
        let scheduler = CurrentThread {
            core: Mutex::new(Some(core)),
            core_waiters: Mutex::new(Vec::new()),
        };
        (scheduler, handle)
    }

    /// Runs `future` to completion, driving every task while it waits.
    /// The caller has entered the runtime context and marked the thread as
    /// driving.
    pub(crate) fn block_on<F: Future>(&self, handle: &Arc<Handle>, future: F) -> F::Output {
        let mut future = pin!(future);
        let waker = park_waker();
        let mut cx = TaskContext::from_waker(&waker);
        loop {
            let core = self.core.lock().take();
            if let Some(core) = core {
                return run_with_core(self, handle, core, future.as_mut());
            }
            // Another thread drives the core: poll our future here and wait
            // to be woken by it or by the core coming back.
            self.core_waiters.lock().push(waker.clone());
            if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(&mut cx)) {
                return out;
            }
            if self.core.lock().is_none() {
                crate::park_thread::park();
            }
        }
    }

    /// Puts the core back and wakes threads waiting for it.
    fn give_back(&self, core: Box<Core>) {
        *self.core.lock() = Some(core);
        for waker in self.core_waiters.lock().drain(..) {
            waker.wake();
        }
    }

    /// Cancels every task and shuts the driver down.
    pub(crate) fn shutdown(&self, handle: &Arc<Handle>) {
        handle.inject.close();
        handle.owned.close_and_shutdown_all();
        // Take the core, unless another thread still drives it (a
        // `Handle::block_on` racing the drop): it will notice the closed
        // queues.
        let Some(mut core) = self.core.lock().take() else {
            return;
        };
        while let Some(task) = core.tasks.pop_front() {
            drop(task);
        }
        if let Some(mut driver) = core.driver.take() {
            driver.shutdown(&handle.driver);
        }
    }
}

fn park_waker() -> Waker {
    crate::park_thread::waker()
}

/// Drives tasks and `future` with `core` until the future is ready.
fn run_with_core<F: Future>(
    scheduler: &CurrentThread,
    handle: &Arc<Handle>,
    core: Box<Core>,
    mut future: std::pin::Pin<&mut F>,
) -> F::Output {
    let cx = Context {
        scheduler,
        handle: handle.clone(),
        core: RefCell::new(Some(core)),
        prev: context::set_current_thread(std::ptr::null()),
    };
    context::set_current_thread(&cx as *const Context<'_> as *const ());

    let waker = block_on_waker(handle);
    let mut task_cx = TaskContext::from_waker(&waker);
    handle.woken.store(true, Relaxed);
    let config = &handle.config;
    loop {
        if handle.woken.swap(false, AcqRel) {
            if let Poll::Ready(out) = coop::budget(|| future.as_mut().poll(&mut task_cx)) {
                return out;
            }
        }
        let mut went_idle = false;
        for _ in 0..config.event_interval.max(1) {
            let mut core = cx.take_core();
            if handle.owned.is_closed() {
                // The runtime shut down under us (a `Handle::block_on`
                // racing the drop): nothing will run any more.
                cx.put_core(core);
                panic!("the runtime was shut down while `block_on` was running on it");
            }
            let tick = core.tick;
            core.tick = core.tick.wrapping_add(1);
            let task = if tick % config.global_queue_interval.max(1) == 0 {
                handle.inject.pop().or_else(|| core.tasks.pop_front())
            } else {
                core.tasks.pop_front().or_else(|| handle.inject.pop())
            };
            let Some(task) = task else {
                cx.put_core(core);
                if !handle.woken.load(Acquire) {
                    cx.park(None);
                } else {
                    // The `block_on` future is runnable: still turn the
                    // driver (without blocking), or a future that keeps
                    // waking itself would starve timers and I/O.
                    cx.park(Some(Duration::ZERO));
                }
                went_idle = true;
                break;
            };
            core.stats.poll_count += 1;
            cx.put_core(core);
            coop::budget(|| task.run());
        }
        if !went_idle {
            // Let the driver deliver events even while busy.
            cx.park(Some(Duration::ZERO));
        }
    }
}

impl Context<'_> {
    fn take_core(&self) -> Box<Core> {
        self.core
            .borrow_mut()
            .take()
            .expect("the current-thread core is missing from its context")
    }

    fn put_core(&self, core: Box<Core>) {
        *self.core.borrow_mut() = Some(core);
    }

    fn park(&self, timeout: Option<Duration>) {
        let handle = &self.handle;
        let mut core = self.core.borrow_mut().take().expect("core missing at park");
        let mut driver = core.driver.take().expect("driver missing at park");
        let sleeping = timeout != Some(Duration::ZERO);
        if sleeping {
            if let Some(f) = &handle.config.before_park {
                f();
            }
            core.stats.park_count += 1;
            core.stats.submit(&handle.worker_metrics[0]);
        }
        // Tasks woken on this thread by the driver go to the local queue.
        *self.core.borrow_mut() = Some(core);
        if sleeping && self.has_local_work() {
            // A `before_park` hook may have spawned work.
        } else {
            match timeout {
                Some(t) => driver.park_timeout(&handle.driver, t),
                None => driver.park(&handle.driver),
            }
        }
        let mut core = self
            .core
            .borrow_mut()
            .take()
            .expect("core missing after park");
        core.driver = Some(driver);
        *self.core.borrow_mut() = Some(core);
        if sleeping {
            if let Some(f) = &handle.config.after_unpark {
                f();
            }
        }
    }

    fn has_local_work(&self) -> bool {
        self.core
            .borrow()
            .as_ref()
            .is_some_and(|c| !c.tasks.is_empty())
    }
}

/// The waker of the `block_on` future: flags it and unparks the driver.
fn block_on_waker(handle: &Arc<Handle>) -> Waker {
    #[allow(clippy::disallowed_types)]
    struct BlockOnWaker(Arc<Handle>);
    #[allow(clippy::disallowed_types)]
    impl std::task::Wake for BlockOnWaker {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            // Release: pairs with the AcqRel swap in the core loop.
            self.0.woken.store(true, Release);
            self.0.driver.unpark();
        }
    }
    #[allow(clippy::disallowed_types)]
    let waker = Waker::from(std::sync::Arc::new(BlockOnWaker(handle.clone())));
    waker
}

impl Handle {
    pub(crate) fn spawn<F>(me: &Arc<Handle>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (join, notified) = me.owned.bind(future, me.clone(), id);
        if let Some(notified) = notified {
            me.schedule(notified);
        }
        join
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.owned.alive()
    }

    pub(crate) fn global_queue_depth(&self) -> usize {
        self.inject.len()
    }

    pub(crate) fn worker_metrics(&self) -> &[WorkerMetrics] {
        &self.worker_metrics
    }

    pub(crate) fn local_queue_depth(&self) -> usize {
        0
    }
}

/// Runs `f` with the core if this thread drives `handle`'s core right now.
fn with_local_core<T>(
    handle: &Arc<Handle>,
    value: T,
    f: impl FnOnce(&mut Core, T),
) -> Result<(), T> {
    let ptr = context::current_thread() as *const Context<'_>;
    // SAFETY: `run_with_core` sets the pointer to a Context on its stack and
    // resets it (also on unwind) before that frame ends; only this thread
    // reads it. So a non-null pointer refers to a live Context.
    let Some(cx) = (unsafe { ptr.as_ref() }) else {
        return Err(value);
    };
    if !std::ptr::eq(&*cx.handle, &**handle) {
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
}

impl Schedule for Arc<Handle> {
    fn schedule(&self, task: Notified<Self>) {
        let task = match with_local_core(self, task, |core, task| core.tasks.push_back(task)) {
            Ok(()) => return,
            Err(task) => task,
        };
        self.inject.push(task);
        self.driver.unpark();
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.owned.remove(task)
    }
}

impl fmt::Debug for CurrentThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CurrentThread")
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("current_thread::Handle")
            .field("inject", &self.inject)
            .field("owned", &self.owned)
            .finish()
    }
}
