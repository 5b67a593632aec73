//! The one place that reads the system's monotonic clock.
//!
//! Runtime code asks this module for the time instead of calling
//! `Instant::now` (clippy.toml forbids it elsewhere), so that a paused test
//! clock can later stand in for it in one place.

use std::time::Instant;

/// The current instant of the monotonic clock.
#[allow(clippy::disallowed_methods)]
pub(crate) fn now() -> Instant {
    Instant::now()
}
