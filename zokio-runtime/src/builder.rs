//! `Builder`: configures and builds a [`Runtime`](crate::runtime::Runtime).

use crate::blocking::{BlockingPool, ThreadConfig};
use crate::driver::{self, Driver};
use crate::runtime::Runtime;
use crate::scheduler::{current_thread, multi_thread};
use std::fmt;
use std::io;
use std::time::Duration;

// Hooks are plain shared closures, not part of any concurrency protocol, so
// they use std's Arc even under loom.
#[allow(clippy::disallowed_types)]
type StdArc<T> = std::sync::Arc<T>;

/// A hook run on runtime threads.
pub(crate) type Callback = StdArc<dyn Fn() + Send + Sync>;
/// Produces the name of each new runtime thread.
pub(crate) type ThreadNameFn = StdArc<dyn Fn() -> String + Send + Sync>;

/// Builds a runtime with custom settings.
///
/// Methods can be chained; finish with [`build`](Builder::build).
///
/// # Examples
///
/// ```
/// use zokio::runtime::Builder;
///
/// let rt = Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-pool")
///     .thread_stack_size(2 * 1024 * 1024)
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 40 + 2 }), 42);
/// ```
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    thread_name: ThreadNameFn,
    thread_stack_size: Option<usize>,
    after_start: Option<Callback>,
    before_stop: Option<Callback>,
    before_park: Option<Callback>,
    after_unpark: Option<Callback>,
    enable_io: bool,
    enable_time: bool,
    start_paused: bool,
    event_interval: u32,
    max_io_events_per_tick: usize,
    global_queue_interval: Option<u32>,
    keep_alive: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CurrentThread,
    MultiThread,
}

/// Ticks between driver polls while a worker is busy (Tokio's default).
const DEFAULT_EVENT_INTERVAL: u32 = 61;
/// Ticks between inject-queue checks on the multi-thread scheduler.
const DEFAULT_GLOBAL_QUEUE_INTERVAL_MULTI: u32 = 61;
/// Ticks between inject-queue checks on the current-thread scheduler.
const DEFAULT_GLOBAL_QUEUE_INTERVAL_CURRENT: u32 = 31;
const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;
const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

impl Builder {
    /// A builder for the current-thread runtime: all tasks run on the thread
    /// that calls `block_on`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = zokio::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async { zokio::spawn(async {}).await.unwrap() });
    /// ```
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    /// A builder for the multi-thread, work-stealing runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = zokio::runtime::Builder::new_multi_thread().build().unwrap();
    /// rt.block_on(async { zokio::spawn(async {}).await.unwrap() });
    /// ```
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            thread_name: StdArc::new(|| "zokio-runtime-worker".to_string()),
            thread_stack_size: None,
            after_start: None,
            before_stop: None,
            before_park: None,
            after_unpark: None,
            enable_io: false,
            enable_time: false,
            start_paused: false,
            event_interval: DEFAULT_EVENT_INTERVAL,
            max_io_events_per_tick: crate::driver::io::DEFAULT_EVENTS_PER_TICK,
            global_queue_interval: None,
            keep_alive: None,
        }
    }

    /// Enables both the I/O and the time drivers.
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io = true;
        self.enable_time = true;
        self
    }

    /// Enables the I/O driver (sockets, `AsyncFd`).
    pub fn enable_io(&mut self) -> &mut Self {
        self.enable_io = true;
        self
    }

    /// Enables the time driver (`sleep`, `timeout`, `interval`).
    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    /// Starts the runtime with its clock paused (tests; current-thread only;
    /// needs the `test-util` feature). See `zokio::time::pause`.
    ///
    /// # Panics
    ///
    /// [`build`](Builder::build) panics if this is set on a multi-thread
    /// runtime, or without the `test-util` feature.
    pub fn start_paused(&mut self, start_paused: bool) -> &mut Self {
        self.start_paused = start_paused;
        self
    }

    /// The number of worker threads of the multi-thread runtime (default: the
    /// number of CPUs available). Ignored by the current-thread runtime.
    ///
    /// # Panics
    ///
    /// Panics if `val` is 0.
    #[track_caller]
    pub fn worker_threads(&mut self, val: usize) -> &mut Self {
        assert!(val > 0, "Worker threads cannot be set to 0");
        self.worker_threads = Some(val);
        self
    }

    /// The most threads the blocking pool starts for `spawn_blocking`
    /// (default 512). Worker threads are not counted.
    ///
    /// # Panics
    ///
    /// Panics if `val` is 0.
    #[track_caller]
    pub fn max_blocking_threads(&mut self, val: usize) -> &mut Self {
        assert!(val > 0, "Max blocking threads cannot be set to 0");
        self.max_blocking_threads = val;
        self
    }

    /// Names every thread the runtime starts (default `zokio-runtime-worker`).
    pub fn thread_name(&mut self, val: impl Into<String>) -> &mut Self {
        let name: String = val.into();
        self.thread_name = StdArc::new(move || name.clone());
        self
    }

    /// Names each thread the runtime starts with the result of `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let next = AtomicUsize::new(0);
    /// let rt = zokio::runtime::Builder::new_multi_thread()
    ///     .thread_name_fn(move || format!("pool-{}", next.fetch_add(1, Ordering::Relaxed)))
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// ```
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = StdArc::new(f);
        self
    }

    /// The stack size, in bytes, of the threads the runtime starts.
    pub fn thread_stack_size(&mut self, val: usize) -> &mut Self {
        self.thread_stack_size = Some(val);
        self
    }

    /// Runs `f` on each runtime thread (worker or blocking) when it starts.
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_start = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on each runtime thread just before it exits.
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_stop = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on a worker just before it parks for lack of work.
    pub fn on_thread_park<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_park = Some(StdArc::new(f));
        self
    }

    /// Runs `f` on a worker just after it wakes from parking.
    pub fn on_thread_unpark<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_unpark = Some(StdArc::new(f));
        self
    }

    /// Scheduler ticks between polls of the drivers while a worker is busy
    /// (default 61).
    ///
    /// # Panics
    ///
    /// Panics if `val` is 0.
    #[track_caller]
    pub fn event_interval(&mut self, val: u32) -> &mut Self {
        assert!(val > 0, "event_interval must be greater than 0");
        self.event_interval = val;
        self
    }

    /// The most I/O events the driver takes from the OS per turn (default
    /// 1024); more wait for the next turn. A worker polls the driver every
    /// `event_interval` ticks, so this bounds how much waking one poll does.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is 0 (the driver could never see an event).
    #[track_caller]
    pub fn max_io_events_per_tick(&mut self, capacity: usize) -> &mut Self {
        assert!(
            capacity > 0,
            "max_io_events_per_tick must be greater than 0"
        );
        self.max_io_events_per_tick = capacity;
        self
    }

    /// Scheduler ticks between checks of the global queue ahead of local
    /// work (default 61 on the multi-thread runtime, 31 on current-thread).
    ///
    /// # Panics
    ///
    /// Panics if `val` is 0.
    #[track_caller]
    pub fn global_queue_interval(&mut self, val: u32) -> &mut Self {
        assert!(val > 0, "global_queue_interval must be greater than 0");
        self.global_queue_interval = Some(val);
        self
    }

    /// How long an idle blocking-pool thread waits for work before it exits
    /// (default 10 s).
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.keep_alive = Some(duration);
        self
    }

    /// Builds the runtime.
    ///
    /// # Errors
    ///
    /// Returns the I/O error if the drivers cannot be created.
    ///
    /// # Panics
    ///
    /// Panics if `start_paused(true)` was set on a multi-thread runtime, or if
    /// the operating system cannot start a worker thread.
    #[track_caller]
    pub fn build(&mut self) -> io::Result<Runtime> {
        if self.start_paused && self.kind == Kind::MultiThread {
            panic!(
                "`start_paused(true)` is only supported by the current-thread runtime: \
                 use `Builder::new_current_thread()` (a paused clock needs a single thread \
                 to decide when time may advance)"
            );
        }
        if self.start_paused && !cfg!(feature = "test-util") {
            panic!(
                "`start_paused(true)` needs the `test-util` feature of zokio (the paused clock \
                 is for tests): add `features = [\"test-util\"]` to the dev-dependency"
            );
        }
        let workers = match self.kind {
            Kind::CurrentThread => 1,
            Kind::MultiThread => self
                .worker_threads
                .unwrap_or_else(crate::loom::sys::num_cpus),
        };
        let (driver, driver_handle) = Driver::new(driver::Cfg {
            enable_io: self.enable_io,
            enable_time: self.enable_time,
            start_paused: self.start_paused,
            enable_pausing: self.kind == Kind::CurrentThread,
            workers,
            io_events_per_tick: self.max_io_events_per_tick,
        })?;
        let pool = BlockingPool::new(ThreadConfig {
            name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            after_start: self.after_start.clone(),
            before_stop: self.before_stop.clone(),
            max_blocking_threads: self.max_blocking_threads,
            keep_alive: self.keep_alive.unwrap_or(DEFAULT_KEEP_ALIVE),
        });
        let spawner = pool.spawner().clone();
        match self.kind {
            Kind::CurrentThread => {
                let config = current_thread::Config {
                    global_queue_interval: self
                        .global_queue_interval
                        .unwrap_or(DEFAULT_GLOBAL_QUEUE_INTERVAL_CURRENT),
                    event_interval: self.event_interval,
                    before_park: self.before_park.clone(),
                    after_unpark: self.after_unpark.clone(),
                };
                let (scheduler, handle) =
                    current_thread::CurrentThread::new(driver, driver_handle, spawner, config);
                Ok(Runtime::from_current_thread(scheduler, handle, pool))
            }
            Kind::MultiThread => {
                let config = multi_thread::Config {
                    global_queue_interval: self
                        .global_queue_interval
                        .unwrap_or(DEFAULT_GLOBAL_QUEUE_INTERVAL_MULTI),
                    event_interval: self.event_interval,
                    before_park: self.before_park.clone(),
                    after_unpark: self.after_unpark.clone(),
                };
                let (scheduler, handle) =
                    multi_thread::MultiThread::new(workers, driver, driver_handle, spawner, config);
                Ok(Runtime::from_multi_thread(scheduler, handle, pool))
            }
        }
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("enable_io", &self.enable_io)
            .field("enable_time", &self.enable_time)
            .field("start_paused", &self.start_paused)
            .field("event_interval", &self.event_interval)
            .field("max_io_events_per_tick", &self.max_io_events_per_tick)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("thread_keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}
