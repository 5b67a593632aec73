//! The task functions users call: `spawn`, `spawn_blocking`,
//! `block_in_place`, `yield_now`, `consume_budget`, `unconstrained`.

use super::{Id, JoinHandle};
use crate::context;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Spawns a new asynchronous task on the current runtime, returning a
/// [`JoinHandle`] for it.
///
/// The task starts running in the background right away, even if the handle
/// is never awaited. On the multi-thread runtime it may run on any worker;
/// when called from a worker, the new task goes to that worker's LIFO slot so
/// it runs next, with its data still in cache.
///
/// # Panics
///
/// Panics if called outside of a Zokio runtime.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = zokio::spawn(async { 1 + 1 });
/// assert_eq!(handle.await.unwrap(), 2);
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let id = Id::next();
    match context::with_current(|handle| handle.spawn(future, id)) {
        Ok(join) => join,
        Err(_) => panic!("{}", context::NO_RUNTIME),
    }
}

/// Runs the blocking closure `f` on the runtime's blocking pool and returns
/// a [`JoinHandle`] for its result.
///
/// Threads are started on demand, up to `Builder::max_blocking_threads`;
/// beyond that, calls queue. Blocking tasks cannot be aborted once they have
/// started: `abort` only prevents a queued one from starting.
///
/// # Panics
///
/// Panics if called outside of a Zokio runtime.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let sum = zokio::task::spawn_blocking(|| (1..=10).sum::<u32>()).await.unwrap();
/// assert_eq!(sum, 55);
/// # });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match context::with_current(|handle| handle.blocking_spawner().spawn_blocking(handle, f)) {
        Ok(join) => join,
        Err(_) => panic!("{}", context::NO_RUNTIME),
    }
}

/// Like [`spawn_blocking`], but the closure is never cancelled: if the
/// runtime starts shutting down before a pool thread takes it, it still
/// runs before the pool's threads exit, and if the pool is already shut
/// down it runs on the calling thread before this returns.
///
/// For writes whose success the caller has already reported (the
/// background write of `zokio::fs::File`); not part of the public API.
///
/// # Panics
///
/// Panics if called outside of a Zokio runtime.
#[doc(hidden)]
#[track_caller]
pub fn spawn_mandatory_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match context::with_current(|handle| {
        handle
            .blocking_spawner()
            .spawn_mandatory_blocking(handle, f)
    }) {
        Ok(join) => join,
        Err(_) => panic!("{}", context::NO_RUNTIME),
    }
}

/// Runs the blocking closure `f` on the current worker thread, after handing
/// that worker's queued tasks to a replacement worker so they keep running.
///
/// Outside of a runtime this simply calls `f`.
///
/// # Panics
///
/// Panics when called from a current-thread runtime: it has no other thread
/// to hand its tasks to.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let value = zokio::task::block_in_place(|| {
///     std::thread::sleep(std::time::Duration::from_millis(1));
///     7
/// });
/// assert_eq!(value, 7);
/// # });
/// ```
#[track_caller]
pub fn block_in_place<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    crate::scheduler::block_in_place(f)
}

/// Yields execution back to the scheduler: the current task is put at the
/// back of its worker's queue, so others run first.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// zokio::task::yield_now().await;
/// # });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // A wake during the poll makes the harness reschedule the task at the
        // back of the queue (task/mod.rs rule 1), which is what yielding is.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Spends one unit of the task's cooperative budget, yielding if it is used
/// up.
///
/// Use it in long loops over work that never returns `Pending` by itself, so
/// the task still lets others run.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut sum = 0u64;
/// for i in 0..1000 {
///     zokio::task::consume_budget().await;
///     sum += i;
/// }
/// assert_eq!(sum, 499_500);
/// # });
/// ```
pub async fn consume_budget() {
    std::future::poll_fn(|cx| {
        let mut coop = std::task::ready!(crate::coop::poll_proceed(cx));
        coop.made_progress();
        Poll::Ready(())
    })
    .await
}

/// Turns off cooperative scheduling for a future: the runtime will never
/// force it to yield.
///
/// Use with care: a future that loops on always-ready resources under
/// `unconstrained` can starve the other tasks of its worker.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let out = zokio::task::unconstrained(async { 5 }).await;
/// assert_eq!(out, 5);
/// # });
/// ```
pub fn unconstrained<F: Future>(inner: F) -> Unconstrained<F> {
    Unconstrained { inner }
}

pin_project_lite::pin_project! {
    /// Future for [`unconstrained`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Unconstrained<F> {
        #[pin]
        inner: F,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let inner = self.project().inner;
        crate::coop::with_unconstrained(|| inner.poll(cx))
    }
}
