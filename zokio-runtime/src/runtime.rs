//! The runtime: [`Builder`], [`Runtime`], [`Handle`] and metrics.
//!
//! A `Runtime` owns a scheduler, its drivers and its blocking pool.

pub use crate::builder::Builder;
pub use crate::handle::{EnterGuard, Handle, TryCurrentError};
pub use crate::metrics::RuntimeMetrics;

use crate::blocking::BlockingPool;
use crate::context;
use crate::loom::sync::Arc;
use crate::scheduler::{self, current_thread, multi_thread};
use crate::task::JoinHandle;
use std::fmt;
use std::future::Future;
use std::time::Duration;

/// The Zokio runtime: a scheduler, the I/O and time drivers, and a blocking
/// pool.
///
/// Build one with [`Runtime::new`] (multi-thread, everything enabled) or
/// with a [`Builder`]. Most programs use
/// `#[zokio::main]` instead.
///
/// # Shutdown
///
/// Dropping the runtime (or [`shutdown_timeout`](Runtime::shutdown_timeout),
/// [`shutdown_background`](Runtime::shutdown_background)) stops the workers,
/// drops every task's future exactly once — at once if idle, after its
/// current poll if running — and waits for blocking-pool threads: without
/// limit on drop, up to the timeout with `shutdown_timeout`, not at all with
/// `shutdown_background`.
///
/// # Examples
///
/// ```
/// let rt = zokio::runtime::Runtime::new().unwrap();
/// let out = rt.block_on(async {
///     let a = zokio::spawn(async { 1 });
///     let b = zokio::spawn(async { 2 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(out, 3);
/// ```
pub struct Runtime {
    scheduler: Scheduler,
    handle: Handle,
    blocking_pool: BlockingPool,
    /// Set once shutdown ran, so that `Drop` after `shutdown_timeout` does
    /// nothing more.
    shut_down: bool,
}

enum Scheduler {
    CurrentThread(current_thread::CurrentThread),
    MultiThread(#[allow(dead_code)] multi_thread::MultiThread),
}

/// Which scheduler a runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Everything runs on the thread that calls `block_on`.
    CurrentThread,
    /// Work-stealing across a pool of worker threads.
    MultiThread,
}

impl Runtime {
    /// A multi-thread runtime with one worker per CPU and every driver on.
    ///
    /// # Errors
    ///
    /// Returns the I/O error if the drivers cannot be created.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = zokio::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {});
    /// ```
    pub fn new() -> std::io::Result<Runtime> {
        crate::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    }

    pub(crate) fn from_current_thread(
        scheduler: current_thread::CurrentThread,
        handle: Arc<current_thread::Handle>,
        blocking_pool: BlockingPool,
    ) -> Runtime {
        Runtime {
            scheduler: Scheduler::CurrentThread(scheduler),
            handle: Handle::new(scheduler::Handle::CurrentThread(handle)),
            blocking_pool,
            shut_down: false,
        }
    }

    pub(crate) fn from_multi_thread(
        scheduler: multi_thread::MultiThread,
        handle: Arc<multi_thread::Handle>,
        blocking_pool: BlockingPool,
    ) -> Runtime {
        Runtime {
            scheduler: Scheduler::MultiThread(scheduler),
            handle: Handle::new(scheduler::Handle::MultiThread(handle)),
            blocking_pool,
            shut_down: false,
        }
    }

    /// Runs `future` to completion on this thread, driving the runtime.
    ///
    /// On the current-thread runtime this thread also runs every spawned
    /// task while it waits; on the multi-thread runtime the workers do.
    ///
    /// # Panics
    ///
    /// Panics if called from within a runtime (an async context): blocking
    /// there would stall the tasks of that thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = zokio::runtime::Runtime::new().unwrap();
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _driving = context::enter_runtime();
        let _enter = context::enter(self.handle.inner.clone());
        match (&self.scheduler, &self.handle.inner) {
            (Scheduler::CurrentThread(ct), scheduler::Handle::CurrentThread(h)) => {
                ct.block_on(h, future)
            }
            _ => crate::park_thread::block_on(future),
        }
    }

    /// Spawns a task on this runtime (see [`spawn`](crate::task::spawn)).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = zokio::runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 5);
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    /// A handle to this runtime.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this the current runtime of the thread until the guard drops,
    /// so that `zokio::spawn` works outside of `block_on`.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = zokio::runtime::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// let handle = zokio::spawn(async { 1 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 1);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// The runtime's metrics.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts down, waiting at most `duration` for blocking-pool threads
    /// (and workers stuck in a long poll) to finish.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = zokio::runtime::Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(200)));
    /// rt.shutdown_timeout(Duration::from_millis(10)); // returns without waiting 200 ms
    /// ```
    pub fn shutdown_timeout(mut self, duration: Duration) {
        self.shutdown(Some(duration));
    }

    /// Shuts down without waiting for anything.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        if std::mem::replace(&mut self.shut_down, true) {
            return;
        }
        let _enter = context::enter(self.handle.inner.clone());
        match (&self.scheduler, &self.handle.inner) {
            (Scheduler::CurrentThread(ct), scheduler::Handle::CurrentThread(h)) => ct.shutdown(h),
            (_, scheduler::Handle::MultiThread(h)) => h.shutdown(),
            _ => unreachable!("a runtime's scheduler and handle are of the same flavour"),
        }
        self.blocking_pool.shutdown(timeout);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.shut_down {
            return;
        }
        if context::is_driving() && !std::thread::panicking() {
            // Waiting here would block a thread that drives tasks; shut down
            // in the background, then say why this is a bug.
            self.shutdown(Some(Duration::ZERO));
            panic!(
                "Cannot drop a runtime in a context where blocking is not allowed. This \
                 happens when a runtime is dropped from within an asynchronous context; use \
                 `shutdown_background` there instead."
            );
        }
        let timeout = if context::is_driving() {
            Some(Duration::ZERO)
        } else {
            None
        };
        self.shutdown(timeout);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.handle.runtime_flavor())
            .finish_non_exhaustive()
    }
}
