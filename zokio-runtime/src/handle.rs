//! The public `Handle` to a runtime, and `EnterGuard`.

use crate::context::{self, TryCurrentErrorKind};
use crate::metrics::RuntimeMetrics;
use crate::runtime::RuntimeFlavor;
use crate::scheduler;
use crate::task::{Id, JoinHandle};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

/// A cheap, cloneable handle to a runtime: spawn onto it, enter it, or read
/// its metrics from anywhere.
///
/// # Examples
///
/// ```
/// let rt = zokio::runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let out = std::thread::spawn(move || handle.block_on(async { 3 }))
///     .join()
///     .unwrap();
/// assert_eq!(out, 3);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Makes a runtime current on this thread until dropped (from
/// [`Runtime::enter`](crate::runtime::Runtime::enter) or [`Handle::enter`]).
///
/// # Panics
///
/// Guards must be dropped in the reverse order of their creation; dropping
/// them out of order panics.
#[must_use = "the runtime is current only while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: context::SetCurrentGuard,
    _p: PhantomData<&'a Handle>,
}

/// There is no current runtime (see [`Handle::try_current`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryCurrentError {
    kind: TryCurrentErrorKind,
}

impl Handle {
    pub(crate) fn new(inner: scheduler::Handle) -> Handle {
        Handle { inner }
    }

    /// The handle of the current runtime.
    ///
    /// # Panics
    ///
    /// Panics if called outside of a runtime (not inside `block_on`, a task,
    /// or an [`EnterGuard`]'s scope).
    ///
    /// # Examples
    ///
    /// ```
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = zokio::runtime::Handle::current();
    /// handle.spawn(async {}).await.unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => panic!("{err}"),
        }
    }

    /// The handle of the current runtime, or an error outside of one.
    ///
    /// # Errors
    ///
    /// Returns an error outside of a runtime, or while the thread exits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(zokio::runtime::Handle::try_current().is_err());
    /// ```
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::try_current()
            .map(Handle::new)
            .map_err(|kind| TryCurrentError { kind })
    }

    /// Spawns a task onto this runtime.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Id::next())
    }

    /// Runs a blocking closure on this runtime's blocking pool.
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner
            .blocking_spawner()
            .spawn_blocking(&self.inner, func)
    }

    /// Blocks this thread on `future`, with this runtime entered.
    ///
    /// Unlike [`Runtime::block_on`](crate::runtime::Runtime::block_on), this
    /// does not drive a current-thread runtime's tasks or drivers: only its
    /// `Runtime::block_on` does.
    ///
    /// # Panics
    ///
    /// Panics if called from within a runtime (an async context).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _driving = context::enter_runtime();
        let _enter = self.enter();
        crate::park_thread::block_on(future)
    }

    /// Makes this runtime current on this thread until the guard drops.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::enter(self.inner.clone()),
            _p: PhantomData,
        }
    }

    /// Which scheduler the runtime uses.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::runtime::{Builder, RuntimeFlavor};
    /// let rt = Builder::new_current_thread().build().unwrap();
    /// assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::CurrentThread);
    /// ```
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        if self.inner.is_current_thread() {
            RuntimeFlavor::CurrentThread
        } else {
            RuntimeFlavor::MultiThread
        }
    }

    /// The runtime's metrics.
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.inner.clone())
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .finish()
    }
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish()
    }
}

impl TryCurrentError {
    /// True if no runtime was entered on this thread.
    pub fn is_missing_context(&self) -> bool {
        self.kind == TryCurrentErrorKind::NoContext
    }

    /// True if the thread-local context was already destroyed (the thread
    /// is exiting).
    pub fn is_thread_local_destroyed(&self) -> bool {
        self.kind == TryCurrentErrorKind::ThreadLocalDestroyed
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TryCurrentErrorKind::NoContext => f.write_str(context::NO_RUNTIME),
            TryCurrentErrorKind::ThreadLocalDestroyed => f.write_str(
                "The Zokio context thread-local variable has been destroyed: the thread is \
                 exiting",
            ),
        }
    }
}

impl std::error::Error for TryCurrentError {}
