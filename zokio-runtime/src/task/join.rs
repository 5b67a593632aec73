//! `JoinHandle`: an owned permission to await a task's output.

use super::raw::RawTask;
use super::{AbortHandle, Id, JoinError};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// An owned permission to join on a task (await its termination).
///
/// The handle is a future that resolves to the task's output, or to a
/// [`JoinError`] if the task panicked or was cancelled. Dropping the handle
/// *detaches* the task: it keeps running and its output is dropped.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = zokio::spawn(async { "hello" });
/// assert_eq!(handle.await.unwrap(), "hello");
/// # });
/// ```
///
/// # Panics
///
/// Polling the handle again after it returned `Ready` panics.
///
/// # Cancel safety
///
/// Awaiting a handle is cancel safe: if the await is dropped, the output
/// stays in the task until the handle is polled again or dropped.
pub struct JoinHandle<T> {
    raw: RawTask,
    /// The handle already moved the output out of the task.
    taken: bool,
    _p: PhantomData<T>,
}

// SAFETY: the handle only moves `T` out (so `T: Send` suffices) and touches
// the task through its atomic state protocol.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows no access to `T`.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

// The handle is a pointer to the heap task; moving it moves nothing pinned.
impl<T> Unpin for JoinHandle<T> {}

impl<T> UnwindSafe for JoinHandle<T> {}
impl<T> RefUnwindSafe for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(super) fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            taken: false,
            _p: PhantomData,
        }
    }

    /// Aborts the task.
    ///
    /// An idle task has its future dropped at once, on the calling thread; a
    /// task that is being polled is cancelled as soon as that poll returns.
    /// Awaiting the handle then yields a cancelled [`JoinError`], unless the
    /// task completed first, in which case it yields the output as usual.
    ///
    /// # Examples
    ///
    /// ```
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = zokio::spawn(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort(&self) {
        if !self.taken {
            self.raw.abort();
        }
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = zokio::spawn(async {});
    /// while !handle.is_finished() {
    ///     zokio::task::yield_now().await;
    /// }
    /// assert!(handle.await.is_ok());
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.taken || self.raw.is_complete()
    }

    /// A handle that can abort the task but not await it.
    ///
    /// # Examples
    ///
    /// ```
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = zokio::spawn(std::future::pending::<()>());
    /// let abort = handle.abort_handle();
    /// abort.abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle::new(self.raw)
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.taken {
            panic!("`JoinHandle` polled after it returned `Ready`");
        }
        let mut coop = std::task::ready!(crate::coop::poll_proceed(cx));
        let mut out: Poll<Result<T, JoinError>> = Poll::Pending;
        // SAFETY: `out` has the task's output type: this handle was made
        // together with the task, for its `F::Output`.
        unsafe {
            self.raw
                .try_read_output(&mut out as *mut _ as *mut (), cx.waker())
        };
        if out.is_ready() {
            self.taken = true;
            coop.made_progress();
        }
        out
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.raw.drop_join_handle_slow(self.taken);
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}
