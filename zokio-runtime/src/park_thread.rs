//! Blocking the current OS thread on a future, outside of any scheduler.
//!
//! Used by the `blocking_*` methods of the sync primitives, by a
//! current-thread `block_on` that waits for another thread to give back the
//! scheduler core, and by `Handle::block_on` on a multi-thread runtime: the
//! thread parks between polls and the waker unparks it. The waker is built
//! once per thread and cached, so waking allocates nothing.

// The thread's waker is a std `Wake` impl, which needs std's Arc.
#![allow(clippy::disallowed_types)]

use std::future::Future;
use std::pin::pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

#[allow(clippy::disallowed_types)]
struct ThreadWaker {
    thread: std::thread::Thread,
    notified: std::sync::atomic::AtomicBool,
}

#[allow(clippy::disallowed_types)]
impl Wake for ThreadWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        // Release: pairs with the Acquire swap in `park`, so whatever the
        // waker's caller wrote before waking is visible after the park.
        if !self
            .notified
            .swap(true, std::sync::atomic::Ordering::Release)
        {
            self.thread.unpark();
        }
    }
}

std::thread_local! {
    #[allow(clippy::disallowed_types)]
    static THREAD_WAKER: StdArc<ThreadWaker> = StdArc::new(ThreadWaker {
        thread: std::thread::current(),
        notified: std::sync::atomic::AtomicBool::new(false),
    });
}

/// A waker that unparks the current thread.
pub(crate) fn waker() -> Waker {
    Waker::from(THREAD_WAKER.with(StdArc::clone))
}

/// Parks the current thread until a waker from [`waker`] was woken since the
/// last `park` (returns at once if it already was).
pub(crate) fn park() {
    THREAD_WAKER.with(|inner| {
        // Acquire: pairs with the Release swap in `wake_by_ref`.
        while !inner
            .notified
            .swap(false, std::sync::atomic::Ordering::Acquire)
        {
            std::thread::park();
        }
    });
}

/// Polls `future` to completion on this thread, parking while it is pending.
///
/// The caller must already have checked that blocking here is allowed (see
/// `context::assert_may_block`).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = crate::coop::budget(|| future.as_mut().poll(&mut cx)) {
            return out;
        }
        park();
    }
}
