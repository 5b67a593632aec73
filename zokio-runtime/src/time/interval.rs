//! `Interval`, `interval`, `interval_at` and `MissedTickBehavior`.

use crate::time::{sleep_until, Instant, Sleep};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

/// Ticks every `period`; the first tick completes at once.
///
/// Ticks that are missed (the interval was not polled in time) are caught
/// up according to [`MissedTickBehavior`], [`Burst`](MissedTickBehavior::Burst)
/// by default.
///
/// # Examples
///
/// ```
/// use zokio::time::{interval, Duration};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut ticks = interval(Duration::from_millis(2));
/// ticks.tick().await; // at once
/// ticks.tick().await; // 2 ms later
/// # }
/// ```
///
/// # Panics
///
/// If `period` is zero; outside a Zokio runtime; on a runtime built without
/// `enable_time`.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert_non_zero(period);
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Examples
///
/// ```
/// use zokio::time::{interval_at, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let start = Instant::now() + Duration::from_millis(2);
/// let mut ticks = interval_at(start, Duration::from_millis(2));
/// assert_eq!(ticks.tick().await, start);
/// # }
/// ```
///
/// # Panics
///
/// As [`interval`].
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert_non_zero(period);
    Interval {
        delay: Box::pin(sleep_until(start)),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

#[track_caller]
fn assert_non_zero(period: Duration) {
    assert!(
        !period.is_zero(),
        "`period` must be non-zero: an interval with a zero period would tick forever \
         without waiting"
    );
}

/// What an [`Interval`] does about ticks it missed (it was polled more than
/// 5 ms after a tick was due).
///
/// # Examples
///
/// ```
/// use zokio::time::{interval, Duration, MissedTickBehavior};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut ticks = interval(Duration::from_millis(10));
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
/// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Delay);
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Tick as fast as possible until caught up, then keep the original
    /// schedule (`start + n * period`).
    #[default]
    Burst,
    /// Tick once now, then every `period` from now: the schedule shifts.
    Delay,
    /// Tick once now, then at the next multiple of `period` on the original
    /// schedule: the missed ticks are skipped.
    Skip,
}

impl MissedTickBehavior {
    /// The next deadline after a tick that was due at `timeout` and is
    /// handled at `now`, late.
    fn next_timeout(self, timeout: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => timeout + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let late = (now - timeout).as_nanos() % period.as_nanos();
                // `late < period`, which is a `Duration`: it fits.
                now + period - Duration::from_nanos(late as u64)
            }
        }
    }
}

/// The stream of ticks made by [`interval`] and [`interval_at`].
#[derive(Debug)]
pub struct Interval {
    delay: Pin<Box<Sleep>>,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Completes at the next tick, with the instant it was due.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a tick is consumed only when `tick` completes.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: `Ready` with the instant it was due.
    ///
    /// When this returns `Pending`, the waker of `cx` is woken at the next
    /// tick; only the waker of the last call is kept.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(self.delay.as_mut().poll(cx));
        let timeout = self.delay.deadline();
        let now = Instant::now();
        let next = if now > timeout + Duration::from_millis(5) {
            self.missed_tick_behavior
                .next_timeout(timeout, now, self.period)
        } else {
            timeout
                .checked_add(self.period)
                .unwrap_or_else(Instant::far_future)
        };
        // The tick was taken: the next poll registers the next one.
        self.delay.as_mut().reset_without_reregister(next);
        Poll::Ready(timeout)
    }

    /// Restarts the schedule: the next tick is one `period` from now.
    pub fn reset(&mut self) {
        self.delay.as_mut().reset(Instant::now() + self.period);
    }

    /// Restarts the schedule with a tick right away.
    pub fn reset_immediately(&mut self) {
        self.delay.as_mut().reset(Instant::now());
    }

    /// Restarts the schedule: the next tick is `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        self.delay.as_mut().reset(Instant::now() + after);
    }

    /// Restarts the schedule: the next tick is at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        self.delay.as_mut().reset(deadline);
    }

    /// What the interval does about missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what the interval does about missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }
}
