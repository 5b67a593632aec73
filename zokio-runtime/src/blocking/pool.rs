//! The pool's threads and queue.
//!
//! All state is in `Shared`, behind one mutex (jobs are coarse: a blocking
//! call or a whole worker loop, so the lock is not hot). Rules:
//! - `num_idle` counts threads waiting on `condvar`. A spawner that finds
//!   an idle thread decrements `num_idle` and increments `num_notify` on its
//!   behalf, then signals; a woken thread that finds `num_notify > 0` takes
//!   one and goes back to the queue. So each job wakes at most one thread,
//!   and a spurious wake-up is told apart from a real one.
//! - With no idle thread and fewer than the cap running, a spawner starts a
//!   thread. Worker threads are started unconditionally (they are not
//!   counted against the cap).
//! - At shutdown, queued blocking tasks are cancelled, never started,
//!   except *mandatory* ones (writes that a caller was already told had
//!   succeeded, e.g. a `File`'s background write), which run before the
//!   threads exit. A mandatory job pushed after shutdown runs on the
//!   pushing thread. The threads exit once the queue is empty and
//!   `shutdown` waits for them, up to its timeout.

use super::task::{BlockingSchedule, BlockingTask};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::scheduler;
use crate::task::{self, Id, JoinHandle, Notified};
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

/// How threads are named, sized and hooked.
#[derive(Clone)]
pub(crate) struct ThreadConfig {
    pub(crate) name: crate::builder::ThreadNameFn,
    pub(crate) stack_size: Option<usize>,
    pub(crate) after_start: Option<crate::builder::Callback>,
    pub(crate) before_stop: Option<crate::builder::Callback>,
    pub(crate) max_blocking_threads: usize,
    pub(crate) keep_alive: Duration,
}

/// The pool as the `Runtime` owns it: dropping it shuts it down.
pub(crate) struct BlockingPool {
    spawner: Spawner,
    /// `shutdown` already ran (with its own timeout): `Drop` must not wait again.
    shut_down: bool,
}

/// Starts jobs on the pool; cheap to clone.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// Idle threads wait here for jobs.
    condvar: Condvar,
    /// `shutdown` waits here for threads to exit.
    exited: Condvar,
    config: ThreadConfig,
}

struct Shared {
    queue: VecDeque<Job>,
    num_th: usize,
    num_idle: usize,
    num_notify: usize,
    /// Threads currently running a worker loop.
    num_worker_loops: usize,
    shutdown: bool,
    /// Join handles of live threads, by thread number; a thread that exits
    /// on its own (idle timeout) takes its handle out and detaches.
    threads: std::collections::HashMap<usize, std::thread::JoinHandle<()>>,
    next_thread_id: usize,
}

struct Job {
    task: Notified<BlockingSchedule>,
    /// Runs even when the pool shuts down before it starts.
    mandatory: bool,
    /// Holds a paused clock's auto-advance until the job is done.
    _hold: AutoAdvanceHold,
}

/// While alive, a paused clock (test-util) does not auto-advance: a
/// blocking task in flight may be what the runtime is waiting for, so
/// jumping to the next timer would fire it early. Dropped after the job
/// ran (its joiner already woken) or was cancelled.
struct AutoAdvanceHold {
    #[cfg(feature = "test-util")]
    rt: scheduler::Handle,
}

impl AutoAdvanceHold {
    fn new(rt: &scheduler::Handle) -> AutoAdvanceHold {
        rt.driver().clock().inhibit_auto_advance();
        AutoAdvanceHold {
            #[cfg(feature = "test-util")]
            rt: rt.clone(),
        }
    }
}

impl Drop for AutoAdvanceHold {
    fn drop(&mut self) {
        #[cfg(feature = "test-util")]
        self.rt.driver().clock().allow_auto_advance();
    }
}

std::thread_local! {
    /// The pool this thread belongs to, so that a shutdown started from one
    /// of its own threads does not wait for itself.
    static CURRENT_POOL: Cell<*const ()> = const { Cell::new(std::ptr::null()) };
}

impl BlockingPool {
    pub(crate) fn new(config: ThreadConfig) -> BlockingPool {
        BlockingPool {
            shut_down: false,
            spawner: Spawner {
                inner: Arc::new(Inner {
                    shared: Mutex::new(Shared {
                        queue: VecDeque::new(),
                        num_th: 0,
                        num_idle: 0,
                        num_notify: 0,
                        num_worker_loops: 0,
                        shutdown: false,
                        threads: std::collections::HashMap::new(),
                        next_thread_id: 0,
                    }),
                    condvar: Condvar::new(),
                    exited: Condvar::new(),
                    config,
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Stops the pool: queued tasks are cancelled, running ones finish; waits
    /// for the threads to exit, at most `timeout` (`None`: no limit).
    /// Returns false if threads were still running at the deadline.
    pub(crate) fn shutdown(&mut self, timeout: Option<Duration>) -> bool {
        self.shut_down = true;
        let inner = &self.spawner.inner;
        let mut shared = inner.shared.lock();
        if !shared.shutdown {
            shared.shutdown = true;
            inner.condvar.notify_all();
        }
        let own = CURRENT_POOL.with(|p| p.get()) == &**inner as *const Inner as *const ();
        let target = usize::from(own);
        let deadline = timeout.and_then(|t| crate::driver::clock::now().checked_add(t));
        while shared.num_th > target {
            match deadline {
                None => shared = inner.exited.wait(shared),
                Some(deadline) => {
                    let now = crate::driver::clock::now();
                    if now >= deadline {
                        return false;
                    }
                    shared = inner.exited.wait_timeout(shared, deadline - now).0;
                }
            }
        }
        // Every thread has left the pool; join them so that their
        // thread-locals are gone too when shutdown returns.
        let threads: Vec<_> = shared.threads.drain().map(|(_, t)| t).collect();
        drop(shared);
        let me = std::thread::current().id();
        for thread in threads {
            if thread.thread().id() != me {
                let _ = thread.join();
            }
        }
        true
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        if !self.shut_down {
            self.shutdown(None);
        }
    }
}

impl Spawner {
    /// Runs `func` on the pool as a task with a join handle.
    pub(crate) fn spawn_blocking<F, R>(&self, rt: &scheduler::Handle, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.spawn_job(rt, func, false)
    }

    /// Runs `func` on the pool and never cancels it: a shutdown that starts
    /// while it is queued runs it before the threads exit, and if the pool
    /// is already shut down it runs here, on the calling thread, before
    /// this returns.
    pub(crate) fn spawn_mandatory_blocking<F, R>(
        &self,
        rt: &scheduler::Handle,
        func: F,
    ) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.spawn_job(rt, func, true)
    }

    fn spawn_job<F, R>(&self, rt: &scheduler::Handle, func: F, mandatory: bool) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (notified, join) = task::unowned(BlockingTask::new(func), BlockingSchedule, Id::next());
        let job = Job {
            task: notified,
            mandatory,
            _hold: AutoAdvanceHold::new(rt),
        };
        match self.push(job) {
            Ok(()) => {}
            // Refused: the pool is shut down.
            Err(job) if job.mandatory => job.run(),
            Err(job) => job.cancel(),
        }
        join
    }

    /// Starts a new thread that runs `run` (a worker loop) and then serves
    /// the pool like any other thread.
    pub(crate) fn spawn_worker_thread(&self, run: impl FnOnce() + Send + 'static) {
        let inner = self.inner.clone();
        {
            let mut shared = inner.shared.lock();
            shared.num_th += 1;
            shared.num_worker_loops += 1;
        }
        let worker = Box::new(move || {
            struct Exit<'a>(&'a Inner);
            impl Drop for Exit<'_> {
                fn drop(&mut self) {
                    self.0.shared.lock().num_worker_loops -= 1;
                }
            }
            let _exit = Exit(&inner);
            run();
        });
        if let Err(err) = Inner::start_thread(self.inner.clone(), Some(worker)) {
            let mut shared = self.inner.shared.lock();
            shared.num_th -= 1;
            shared.num_worker_loops -= 1;
            drop(shared);
            panic!("failed to spawn a runtime worker thread: {err}");
        }
    }

    /// Queues a job, waking or starting a thread for it. Gives the job back
    /// if the pool is shut down.
    fn push(&self, job: Job) -> Result<(), Job> {
        let mut shared = self.inner.shared.lock();
        if shared.shutdown {
            return Err(job);
        }
        shared.queue.push_back(job);
        if shared.num_idle > 0 {
            shared.num_idle -= 1;
            shared.num_notify += 1;
            self.inner.condvar.notify_one();
            return Ok(());
        }
        let blocking_threads = shared.num_th - shared.num_worker_loops;
        if blocking_threads >= self.inner.config.max_blocking_threads {
            // At the cap: the job waits for a thread to free up.
            return Ok(());
        }
        shared.num_th += 1;
        drop(shared);
        if let Err(err) = Inner::start_thread(self.inner.clone(), None) {
            let mut shared = self.inner.shared.lock();
            shared.num_th -= 1;
            if shared.num_th == 0 {
                // No thread will ever take the queued jobs: fail loudly
                // rather than hang the caller's join handle.
                let jobs: Vec<Job> = shared.queue.drain(..).collect();
                drop(shared);
                drop(jobs);
                panic!("failed to spawn a blocking pool thread and none is running: {err}");
            }
        }
        Ok(())
    }

    pub(crate) fn num_threads(&self) -> usize {
        let shared = self.inner.shared.lock();
        shared.num_th - shared.num_worker_loops
    }

    pub(crate) fn num_idle_threads(&self) -> usize {
        self.inner.shared.lock().num_idle
    }

    pub(crate) fn queue_depth(&self) -> usize {
        self.inner.shared.lock().queue.len()
    }
}

type WorkerFn = Box<dyn FnOnce() + Send>;

impl Inner {
    fn start_thread(inner: Arc<Inner>, first: Option<WorkerFn>) -> std::io::Result<()> {
        let mut builder = crate::loom::thread::Builder::new().name((inner.config.name)());
        if let Some(size) = inner.config.stack_size {
            builder = builder.stack_size(size);
        }
        // Hold the lock across the spawn so the new thread cannot look for
        // its handle before it is stored.
        let mut shared = inner.shared.lock();
        let id = shared.next_thread_id;
        shared.next_thread_id += 1;
        let this = inner.clone();
        #[allow(clippy::disallowed_methods)]
        let handle = builder.spawn(move || Inner::run(this, id, first))?;
        shared.threads.insert(id, handle);
        Ok(())
    }

    fn run(this: Arc<Inner>, id: usize, first: Option<WorkerFn>) {
        let this = &*this;
        CURRENT_POOL.with(|p| p.set(this as *const Inner as *const ()));
        if let Some(f) = &this.config.after_start {
            f();
        }
        if let Some(first) = first {
            first();
        }
        let timed_out = this.serve();
        if let Some(f) = &this.config.before_stop {
            f();
        }
        let mut shared = this.shared.lock();
        if timed_out {
            // Leaving on our own: nobody will join us.
            drop(shared.threads.remove(&id));
        }
        shared.num_th -= 1;
        drop(shared);
        this.exited.notify_all();
    }

    /// Takes jobs until the pool shuts down (returns false) or the thread
    /// idles too long (returns true).
    fn serve(&self) -> bool {
        let mut shared = self.shared.lock();
        loop {
            if let Some(job) = shared.queue.pop_front() {
                let cancel = shared.shutdown && !job.mandatory;
                drop(shared);
                if cancel {
                    job.cancel();
                } else {
                    job.run();
                }
                shared = self.shared.lock();
                continue;
            }
            if shared.shutdown {
                return false;
            }
            shared.num_idle += 1;
            loop {
                let (guard, timed_out) = self.condvar.wait_timeout(shared, self.config.keep_alive);
                shared = guard;
                if shared.num_notify > 0 {
                    // A spawner counted us out of `num_idle` already.
                    shared.num_notify -= 1;
                    break;
                }
                if shared.shutdown || timed_out {
                    shared.num_idle -= 1;
                    if shared.shutdown {
                        break;
                    }
                    return true;
                }
            }
        }
    }
}

impl Job {
    fn run(self) {
        let Job {
            task, _hold: hold, ..
        } = self;
        task.run();
        // Only now: the joiner's wake reached the driver first.
        drop(hold);
    }

    fn cancel(self) {
        let Job {
            task, _hold: hold, ..
        } = self;
        task.shutdown();
        drop(hold);
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool").finish_non_exhaustive()
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner").finish_non_exhaustive()
    }
}
