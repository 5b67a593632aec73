//! `Sleep`, `sleep` and `sleep_until`.

use crate::context::{self, TryCurrentErrorKind};
use crate::coop;
use crate::driver::time::entry::{TimerEntry, FIRED};
use crate::driver::time::{self, Registered, Shutdown};
use crate::scheduler;
use crate::time::handle::TimerHandle;
use crate::time::Instant;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

const TIMERS_DISABLED: &str = "A Zokio 1.x context was found, but timers are disabled. Call \
    `enable_time` on the runtime builder to enable timers.";

const RUNTIME_SHUT_DOWN: &str = "A Zokio 1.x context was found, but it is being shutdown: the \
    runtime that owns this timer shut down, so it will never fire.";

/// Waits until `duration` has elapsed.
///
/// Equivalent to `sleep_until(Instant::now() + duration)`. The sleep has
/// millisecond granularity and never completes early. A `duration` too
/// large to add to the current instant (such as `Duration::MAX`) sleeps
/// "forever" (about 30 years); `Duration::ZERO` completes on the first poll.
///
/// The timer registers with the runtime on its first poll; dropping the
/// [`Sleep`] cancels it.
///
/// # Examples
///
/// ```
/// use zokio::time::{sleep, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let start = Instant::now();
/// sleep(Duration::from_millis(10)).await;
/// assert!(start.elapsed() >= Duration::from_millis(10));
/// # }
/// ```
///
/// # Panics
///
/// Outside a Zokio runtime, and on a runtime built without `enable_time`.
///
/// # Cancel safety
///
/// Cancel safe: dropping the future before it completes only cancels the
/// timer.
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let handle = current_handle();
    let now = Instant::from_std(handle.get().driver().clock().now());
    let deadline = now
        .checked_add(duration)
        .unwrap_or_else(|| now + FAR_FUTURE);
    Sleep::new(handle, deadline)
}

/// Waits until `deadline` is reached.
///
/// A deadline in the past completes on the first poll.
///
/// # Examples
///
/// ```
/// use zokio::time::{sleep_until, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// sleep_until(Instant::now() + Duration::from_millis(10)).await;
/// # }
/// ```
///
/// # Panics
///
/// Outside a Zokio runtime, and on a runtime built without `enable_time`.
///
/// # Cancel safety
///
/// Cancel safe, as [`sleep`].
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(current_handle(), deadline)
}

/// How far "forever" is: the deadline of a sleep that overflows `Instant`.
const FAR_FUTURE: Duration = Duration::from_secs(86400 * 365 * 30);

/// The current runtime's handle, checked to have timers.
#[track_caller]
fn current_handle() -> TimerHandle {
    let handle = context::with_current(|h| {
        h.driver()
            .time()
            .is_some()
            .then(|| TimerHandle::for_current(h))
    });
    match handle {
        Ok(Some(handle)) => handle,
        Ok(None) => panic!("{}", TIMERS_DISABLED),
        Err(TryCurrentErrorKind::NoContext) => panic!("{}", context::NO_RUNTIME),
        Err(TryCurrentErrorKind::ThreadLocalDestroyed) => panic!(
            "The Zokio context thread-local variable has been destroyed: timers cannot be \
             created while the thread exits."
        ),
    }
}

/// The future returned by [`sleep`] and [`sleep_until`]: completes at its
/// deadline.
///
/// Unlike Tokio's, Zokio's `Sleep` is `Unpin` (the part the runtime links
/// lives on the heap, allocated at the first registration), so it can be
/// polled by `&mut` directly; `pin!` and `Box::pin` work as in Tokio.
///
/// # Examples
///
/// Reset a sleep to push its deadline back:
///
/// ```
/// use zokio::time::{sleep, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut sleep = std::pin::pin!(sleep(Duration::from_secs(3600)));
/// sleep.as_mut().reset(Instant::now() + Duration::from_millis(5));
/// sleep.await;
/// # }
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    handle: TimerHandle,
    deadline: Instant,
    entry: TimerEntry,
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.entry.is_registered() {
            time_handle(self.handle.get()).deregister(&mut self.entry);
        }
    }
}

fn time_handle(handle: &scheduler::Handle) -> &time::Handle {
    handle
        .driver()
        .time()
        .expect("a `Sleep` is only made on a runtime with timers")
}

impl Sleep {
    fn new(handle: TimerHandle, deadline: Instant) -> Sleep {
        Sleep {
            handle,
            deadline,
            entry: TimerEntry::new(),
        }
    }

    /// The instant at which the sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline was reached: the sleep completed, or the
    /// runtime fired its timer.
    pub fn is_elapsed(&self) -> bool {
        self.entry.elapsed || (self.entry.is_registered() && self.entry.state() == FIRED)
    }

    /// Moves the deadline to `deadline`, whether or not the sleep has
    /// completed; it then completes at the new deadline. The task that
    /// last polled the sleep is woken at the new deadline without polling
    /// it again.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::time::{sleep, Duration, Instant};
    ///
    /// # #[zokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let mut sleep = Box::pin(sleep(Duration::from_millis(1)));
    /// (&mut sleep).await;
    /// assert!(sleep.is_elapsed());
    /// sleep.as_mut().reset(Instant::now() + Duration::from_millis(1));
    /// assert!(!sleep.is_elapsed());
    /// sleep.await;
    /// # }
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let me = self.get_mut();
        me.deadline = deadline;
        me.entry.elapsed = false;
        let driver = me.handle.get().driver();
        let time = time_handle(me.handle.get());
        let deadline_ns = time.deadline_ns(deadline.into_std());
        let now_ns = time.deadline_ns(driver.clock().now());
        if me.entry.is_registered() {
            if time.reset(&mut me.entry, deadline_ns, now_ns) {
                driver.unpark();
            }
            return;
        }
        // Registered now (without a waker), like a fresh timer.
        match time.register(&mut me.entry, deadline_ns, now_ns, None) {
            Ok(Registered::Pending { unpark: true }) => driver.unpark(),
            Ok(Registered::Pending { unpark: false }) => {}
            Ok(Registered::Elapsed) => me.entry.elapsed = true,
            // Reported by the next poll.
            Err(Shutdown) => {}
        }
    }

    /// Moves the deadline without registering the timer: the next poll does
    /// (`Interval` after a tick, when no task waits on the sleep).
    pub(crate) fn reset_without_reregister(self: Pin<&mut Self>, deadline: Instant) {
        let me = self.get_mut();
        if me.entry.is_registered() {
            time_handle(me.handle.get()).deregister(&mut me.entry);
        }
        me.deadline = deadline;
        me.entry.elapsed = false;
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Shutdown>> {
        if self.entry.elapsed {
            return Poll::Ready(Ok(()));
        }
        let driver = self.handle.get().driver();
        let time = time_handle(self.handle.get());
        let done = if self.entry.is_registered() {
            ready!(time.poll_registered(&mut self.entry, cx.waker()))
        } else {
            // First poll: register lazily, so a sleep that is never polled
            // (a `timeout` whose future is ready) costs no lock.
            let deadline = time.deadline_ns(self.deadline.into_std());
            let now = time.deadline_ns(driver.clock().now());
            match time.register(&mut self.entry, deadline, now, Some(cx.waker())) {
                Ok(Registered::Pending { unpark }) => {
                    if unpark {
                        driver.unpark();
                    }
                    return Poll::Pending;
                }
                Ok(Registered::Elapsed) => Ok(()),
                Err(Shutdown) => Err(Shutdown),
            }
        };
        if done.is_ok() {
            self.entry.elapsed = true;
        }
        Poll::Ready(done)
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A timer check is a resource operation: it takes part in the
        // task's cooperative budget.
        let mut coop = ready!(coop::poll_proceed(cx));
        match ready!(self.get_mut().poll_elapsed(cx)) {
            Ok(()) => {
                coop.made_progress();
                Poll::Ready(())
            }
            Err(Shutdown) => panic!("{}", RUNTIME_SHUT_DOWN),
        }
    }
}
