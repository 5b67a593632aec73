//! `Instant`: a measurement of the monotonic clock that follows the
//! runtime's paused clock in tests.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A measurement of a monotonically nondecreasing clock, opaque and useful
/// only with [`Duration`].
///
/// Like `std::time::Instant`, except that with the `test-util` feature
/// [`Instant::now`] reads the current runtime's clock, which tests can
/// pause and advance (see `time::pause`). Outside a runtime,
/// and without `test-util`, it is the system's clock.
///
/// # Examples
///
/// ```
/// use zokio::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(10);
/// assert_eq!(later - start, Duration::from_millis(10));
/// assert!(later > start);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current instant: the runtime's clock (paused or not) with the
    /// `test-util` feature inside a runtime, else the system's clock.
    ///
    /// # Examples
    ///
    /// ```
    /// let now = zokio::time::Instant::now();
    /// assert!(now.elapsed() < std::time::Duration::from_secs(60));
    /// ```
    #[inline]
    pub fn now() -> Instant {
        Instant::from_std(now_std())
    }

    /// An `Instant` from a `std::time::Instant`.
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std::time::Instant` behind this one.
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// An instant about 30 years from now: the deadline of a timer that
    /// should never fire (`sleep(Duration::MAX)`).
    pub(crate) fn far_future() -> Instant {
        Instant::now() + Duration::from_secs(86400 * 365 * 30)
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is
    /// later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// The time elapsed from `earlier` to `self`, or `None` if `earlier` is
    /// later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is
    /// later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// The time elapsed since this instant, on the same clock as
    /// [`Instant::now`].
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` on overflow.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` on underflow.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }
}

#[cfg(feature = "test-util")]
fn now_std() -> std::time::Instant {
    crate::context::with_current(|h| h.driver().clock().now())
        .unwrap_or_else(|_| crate::driver::clock::now())
}

#[cfg(not(feature = "test-util"))]
#[inline]
fn now_std() -> std::time::Instant {
    crate::driver::clock::now()
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// On overflow, like `std::time::Instant`.
    fn add(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub for Instant {
    type Output = Duration;

    /// Saturates at zero, like `duration_since`.
    fn sub(self, rhs: Instant) -> Duration {
        self.std.saturating_duration_since(rhs.std)
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// On underflow, like `std::time::Instant`.
    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
