//! A hand-driven task for unit tests, and thread/block_on helpers that pick
//! loom's versions inside models.
#![cfg_attr(loom, allow(dead_code))] // the hand-driven task serves the unit tests only

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future polled by hand, counting the wake-ups it receives.
pub(crate) struct Task<F: Future> {
    fut: Pin<Box<F>>,
    count: Arc<CountWaker>,
    waker: Waker,
}

pub(crate) fn task<F: Future>(fut: F) -> Task<F> {
    let count = Arc::new(CountWaker(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    Task {
        fut: Box::pin(fut),
        count,
        waker,
    }
}

impl<F: Future> Task<F> {
    pub(crate) fn poll(&mut self) -> Poll<F::Output> {
        self.count.0.store(0, Ordering::SeqCst);
        let mut cx = Context::from_waker(&self.waker);
        self.fut.as_mut().poll(&mut cx)
    }

    /// Whether the task was woken since the last poll.
    pub(crate) fn is_woken(&self) -> bool {
        self.count.0.load(Ordering::SeqCst) > 0
    }

    #[track_caller]
    pub(crate) fn ready(&mut self) -> F::Output {
        match self.poll() {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("expected the task to be ready"),
        }
    }

    #[track_caller]
    pub(crate) fn pending(&mut self) {
        assert!(self.poll().is_pending(), "expected the task to be pending");
    }
}

/// Polls once with a no-op waker.
pub(crate) fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    Pin::new(fut).poll(&mut cx)
}

/// Runs `f` as if this thread drove a runtime (for the `blocking_*` panics).
pub(crate) fn while_driving<R>(f: impl FnOnce() -> R) -> R {
    let _driving = crate::context::enter_runtime();
    f()
}

#[cfg(not(loom))]
pub(crate) use crate::park_thread::block_on;
#[cfg(loom)]
pub(crate) use loom::future::block_on;

#[cfg(loom)]
pub(crate) fn spawn<F, T>(f: F) -> loom::thread::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    loom::thread::spawn(f)
}

#[cfg(not(loom))]
pub(crate) fn spawn<F, T>(f: F) -> std::thread::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    std::thread::spawn(f)
}

/// Returns `Pending` once (waking itself), then `Ready`.
pub(crate) async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}
