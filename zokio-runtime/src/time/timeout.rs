//! `Timeout`, `timeout` and `timeout_at`.

use crate::coop;
use crate::time::error::Elapsed;
use crate::time::{sleep, sleep_until, Instant, Sleep};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Requires `future` to complete within `duration`.
///
/// Resolves to `Ok(output)` if the future completes first and to
/// `Err(Elapsed)` if the duration passes first; the future is dropped then.
/// The future is polled before the timer, so a future that is ready at
/// once yields `Ok` even with a zero `duration`. Until its future is
/// pending, a `Timeout` costs no timer registration at all.
///
/// # Examples
///
/// ```
/// use zokio::time::{timeout, Duration};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
/// let slow = std::future::pending::<()>();
/// assert!(timeout(Duration::from_millis(5), slow).await.is_err());
/// # }
/// ```
///
/// # Panics
///
/// Outside a Zokio runtime, and on a runtime built without `enable_time`.
///
/// # Cancel safety
///
/// As cancel safe as `future`: dropping the `Timeout` drops the future.
#[track_caller]
pub fn timeout<F>(duration: Duration, future: F) -> Timeout<F::IntoFuture>
where
    F: IntoFuture,
{
    Timeout::new(future.into_future(), sleep(duration))
}

/// Requires `future` to complete before `deadline`; see [`timeout`].
///
/// # Examples
///
/// ```
/// use zokio::time::{timeout_at, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let deadline = Instant::now() + Duration::from_secs(1);
/// assert_eq!(timeout_at(deadline, async { 1 }).await, Ok(1));
/// # }
/// ```
///
/// # Panics
///
/// Outside a Zokio runtime, and on a runtime built without `enable_time`.
///
/// # Cancel safety
///
/// As [`timeout`].
#[track_caller]
pub fn timeout_at<F>(deadline: Instant, future: F) -> Timeout<F::IntoFuture>
where
    F: IntoFuture,
{
    Timeout::new(future.into_future(), sleep_until(deadline))
}

pin_project_lite::pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        #[pin]
        delay: Sleep,
    }
}

impl<T> Timeout<T> {
    fn new(value: T, delay: Sleep) -> Timeout<T> {
        Timeout { value, delay }
    }

    /// The inner future.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The inner future, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// Consumes the `Timeout`, returning the inner future.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.project();
        if let Poll::Ready(v) = me.value.poll(cx) {
            // The common case pays for nothing else: no budget check, no
            // timer registration.
            return Poll::Ready(Ok(v));
        }
        let delay = me.delay;
        let poll_delay = || match delay.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        };
        if coop::has_budget_remaining() {
            poll_delay()
        } else {
            // The budget is spent (most likely by the inner future): check
            // the deadline anyway, or a future that always uses up the
            // budget would never time out.
            coop::with_unconstrained(poll_delay)
        }
    }
}
