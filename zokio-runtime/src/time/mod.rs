//! Utilities for tracking time: [`sleep`], [`timeout`], [`interval`] and a
//! clock that tests can pause.
//!
//! Every timer is handled by the runtime's time driver (build the runtime
//! with `enable_time` or `enable_all`; `#[zokio::main]` and `#[zokio::test]`
//! do): a hierarchical timer wheel with 1 ms resolution, one shard per
//! worker, which the parked worker waits on (see `docs/time.md`). Timers
//! register lazily on their first poll, so a [`timeout`] around a future
//! that is ready at once costs no registration, and dropping a timer
//! removes it in O(1).
//!
//! # Examples
//!
//! ```
//! use zokio::time::{self, Duration};
//!
//! # #[zokio::main(flavor = "current_thread")]
//! # async fn main() {
//! time::sleep(Duration::from_millis(2)).await;
//!
//! let res = time::timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
//! assert!(res.is_err());
//!
//! let mut ticks = time::interval(Duration::from_millis(1));
//! for _ in 0..3 {
//!     ticks.tick().await;
//! }
//! # }
//! ```
//!
//! # Testing with a paused clock
//!
//! With the `test-util` feature, `pause` freezes the runtime's clock
//! ([`Instant::now`] included): it then moves only by `advance`, or by
//! jumping to the next timer whenever the runtime has nothing else to do,
//! so a test of a one-hour timeout runs in microseconds.
//! `#[zokio::test(start_paused = true)]` starts paused.

pub mod error;
mod handle;
mod instant;
mod interval;
pub(crate) mod lease;
mod sleep;
mod timeout;

#[cfg(feature = "test-util")]
mod pause;

pub use self::instant::Instant;
pub use self::interval::{interval, interval_at, Interval, MissedTickBehavior};
#[cfg(feature = "test-util")]
pub use self::pause::{advance, pause, resume};
pub use self::sleep::{sleep, sleep_until, Sleep};
pub use self::timeout::{timeout, timeout_at, Timeout};
pub use std::time::Duration;
