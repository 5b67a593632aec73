//! Blocking the current OS thread on a future, outside of any scheduler.
//!
//! Used by the `blocking_*` methods of the sync primitives, by a
//! current-thread `block_on` that waits for another thread to give back the
//! scheduler core, and by `Handle::block_on` on a multi-thread runtime: the
//! thread parks between polls and the waker unparks it. The waker is built
//! once per thread and cached, so waking allocates nothing.

// The thread's waker is a std `Wake` impl, which needs std's Arc.
#![allow(clippy::disallowed_types)]

use crate::util::spin::SpinPolicy;
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

std::thread_local! {
    /// How long this thread spins before it parks (see `util/spin.rs`).
    static SPIN: std::cell::RefCell<SpinPolicy> = std::cell::RefCell::new(SpinPolicy::default());
}

/// Parks the current thread until a waker from [`waker`] was woken since the
/// last `park` (returns at once if it already was).
///
/// Before it sleeps, the thread watches its wake flag for the window its
/// spin policy gives, yielding the CPU between looks: a wake that comes
/// within it costs neither side a futex call (`Thread::unpark` of a thread
/// that is not parked only sets its token; the spurious return of the next
/// `thread::park` that token causes is absorbed by the loop below).
pub(crate) fn park() {
    THREAD_WAKER.with(|inner| {
        // Acquire: pairs with the Release swap in `wake_by_ref`.
        let take = || {
            inner.notified.load(std::sync::atomic::Ordering::Relaxed)
                && inner
                    .notified
                    .swap(false, std::sync::atomic::Ordering::Acquire)
        };
        if take() {
            return;
        }
        let now = crate::driver::clock::now;
        let window = SPIN.with(|s| {
            let mut s = s.borrow_mut();
            s.idle(now);
            s.window()
        });
        // Taken every time, so that the flag covers only this wait.
        let woke_a_thread = crate::util::spin::take_thread_woken();
        let spin = !cfg!(loom) && !window.is_zero() && !woke_a_thread;
        let found = spin && {
            let deadline = now() + window;
            loop {
                std::thread::yield_now();
                if take() {
                    break true;
                }
                if now() >= deadline {
                    break false;
                }
            }
        };
        if !found {
            while !take() {
                std::thread::park();
            }
        }
        SPIN.with(|s| s.borrow_mut().busy(now));
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
