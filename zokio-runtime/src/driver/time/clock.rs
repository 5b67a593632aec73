//! The runtime's clock: the one place that reads the system's monotonic
//! clock, and (with the `test-util` feature) the paused clock of tests.
//!
//! Runtime code asks [`now`] for the real time instead of calling
//! `Instant::now` (clippy.toml forbids it elsewhere). Code that must follow
//! a paused runtime clock (timers, `zokio::time::Instant::now`) asks the
//! runtime's [`Clock`] instead.
//!
//! Two builds of `Clock` share one API, chosen by feature (STYLE §8: whole
//! modules, no cfg in hot functions):
//!
//! - without `test-util` it is a zero-sized type whose `now` is [`now`] and
//!   which never pauses;
//! - with `test-util` it can be paused, advanced and resumed. Its state is
//!   behind a mutex (tests only); `did_wake` is an atomic set by every
//!   unpark of the driver, so auto-advance can tell "idle" from "woken".
//!
//! # Paused clock rules (test-util)
//!
//! 1. While paused, `now()` is `base`: it moves only by `advance` (explicit,
//!    or automatic when the runtime is idle, see `driver/time/mod.rs`).
//! 2. While running, `now()` is `base + (real now - unfrozen)`: resuming
//!    continues from the paused time without a jump.
//! 3. Only a current-thread runtime may pause (`enable_pausing`): one
//!    thread then decides when the runtime is idle, so auto-advance cannot
//!    race a worker that is about to make progress.

use std::time::Instant;

/// The current instant of the system's monotonic clock.
#[allow(clippy::disallowed_methods)]
#[inline]
pub(crate) fn now() -> Instant {
    Instant::now()
}

#[cfg(not(feature = "test-util"))]
pub(crate) use self::real::Clock;

#[cfg(feature = "test-util")]
pub(crate) use self::paused::Clock;

#[cfg(not(feature = "test-util"))]
mod real {
    use std::time::Instant;

    /// The real clock: never paused.
    #[derive(Debug, Default)]
    pub(crate) struct Clock {}

    impl Clock {
        pub(crate) fn new(_enable_pausing: bool, _start_paused: bool) -> Clock {
            Clock {}
        }

        #[inline]
        pub(crate) fn now(&self) -> Instant {
            super::now()
        }

        /// Never: the real clock does not pause.
        #[inline]
        pub(crate) fn can_auto_advance(&self) -> bool {
            false
        }

        /// Records an unpark of the driver (nothing to record here).
        #[inline]
        pub(crate) fn note_unpark(&self) {}

        /// Nothing to hold (and so no `allow_auto_advance`): the real clock
        /// never auto-advances.
        #[inline]
        pub(crate) fn inhibit_auto_advance(&self) {}

        #[inline]
        pub(crate) fn take_did_wake(&self) -> bool {
            false
        }

        pub(crate) fn advance_to(&self, _target: Instant) {
            unreachable!("the real clock never auto-advances (can_auto_advance is false)");
        }
    }
}

#[cfg(feature = "test-util")]
mod paused {
    use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
    use crate::loom::sync::Mutex;
    use std::time::{Duration, Instant};

    /// A clock that tests can pause, advance and resume.
    #[derive(Debug)]
    pub(crate) struct Clock {
        inner: Mutex<Inner>,
        /// Set by every unpark of the driver; taken by the auto-advance check.
        did_wake: AtomicBool,
        /// Blocking tasks in flight: while any runs, a paused clock does not
        /// auto-advance (its result may be what the runtime waits for).
        inhibit: AtomicUsize,
    }

    #[derive(Debug)]
    struct Inner {
        /// Whether this runtime may pause (current-thread only, rule 3).
        enable_pausing: bool,
        /// The clock's time at `unfrozen`, or the frozen time while paused.
        base: Instant,
        /// The real instant at which the clock last resumed; `None` while paused.
        unfrozen: Option<Instant>,
    }

    impl Clock {
        pub(crate) fn new(enable_pausing: bool, start_paused: bool) -> Clock {
            let now = super::now();
            let clock = Clock {
                inner: Mutex::new(Inner {
                    enable_pausing,
                    base: now,
                    unfrozen: Some(now),
                }),
                did_wake: AtomicBool::new(false),
                inhibit: AtomicUsize::new(0),
            };
            if start_paused {
                if let Err(msg) = clock.pause() {
                    panic!("{msg}");
                }
            }
            clock
        }

        pub(crate) fn now(&self) -> Instant {
            let inner = self.inner.lock();
            match inner.unfrozen {
                Some(unfrozen) => inner.base + super::now().saturating_duration_since(unfrozen),
                None => inner.base,
            }
        }

        pub(crate) fn is_paused(&self) -> bool {
            self.inner.lock().unfrozen.is_none()
        }

        /// Paused, and no blocking task in flight.
        pub(crate) fn can_auto_advance(&self) -> bool {
            self.inhibit.load(SeqCst) == 0 && self.is_paused()
        }

        /// A blocking task was queued: hold auto-advance until it is done.
        pub(crate) fn inhibit_auto_advance(&self) {
            self.inhibit.fetch_add(1, SeqCst);
        }

        /// A blocking task finished (after waking its joiner, so the
        /// driver sees that wake before it may auto-advance again).
        pub(crate) fn allow_auto_advance(&self) {
            self.inhibit.fetch_sub(1, SeqCst);
        }

        pub(crate) fn pause(&self) -> Result<(), &'static str> {
            let mut inner = self.inner.lock();
            if !inner.enable_pausing {
                return Err(
                    "`time::pause()` requires the current-thread runtime: a paused clock \
                            needs a single thread to decide when time may advance. \
                            `#[zokio::test]` uses the current-thread runtime by default.",
                );
            }
            let Some(unfrozen) = inner.unfrozen.take() else {
                return Err("time is already frozen: `time::pause()` was called twice");
            };
            inner.base += super::now().saturating_duration_since(unfrozen);
            Ok(())
        }

        pub(crate) fn resume(&self) -> Result<(), &'static str> {
            let mut inner = self.inner.lock();
            if inner.unfrozen.is_some() {
                return Err("time is not frozen: `time::resume()` needs a paused clock");
            }
            inner.unfrozen = Some(super::now());
            Ok(())
        }

        pub(crate) fn advance(&self, duration: Duration) -> Result<(), &'static str> {
            let mut inner = self.inner.lock();
            if inner.unfrozen.is_some() {
                return Err(
                    "time is not frozen: `time::advance()` needs a paused clock \
                            (`time::pause()` or `start_paused = true`)",
                );
            }
            inner.base = inner
                .base
                .checked_add(duration)
                .ok_or("`time::advance()` moved the clock past what `Instant` can represent")?;
            Ok(())
        }

        /// Moves a paused clock forward to `target` (never backward).
        pub(crate) fn advance_to(&self, target: Instant) {
            let mut inner = self.inner.lock();
            if inner.unfrozen.is_none() && target > inner.base {
                inner.base = target;
            }
        }

        pub(crate) fn note_unpark(&self) {
            // Relaxed: a hint for the next auto-advance decision, which the
            // driver thread makes after its park returns; the unpark itself
            // (a SeqCst state change in the parker) orders it.
            self.did_wake.store(true, Relaxed);
        }

        pub(crate) fn take_did_wake(&self) -> bool {
            self.did_wake.swap(false, Relaxed)
        }
    }
}
