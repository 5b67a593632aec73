//! `pause`, `resume` and `advance`: the paused clock of tests (feature
//! `test-util`). The clock itself is `driver/time/clock.rs`.

use crate::context;
use crate::time::Duration;

/// Pauses time on the current runtime.
///
/// [`Instant::now`](crate::time::Instant::now) then returns the instant of
/// the pause until time moves, which it does only by [`advance`], or
/// automatically: when the runtime has no task to run and a timer is
/// pending, the clock jumps to that timer's deadline (so `sleep(1h).await`
/// returns at once, with `Instant::now()` one hour later). Only this
/// runtime's clock stops; `std::time::Instant` is not affected.
///
/// # Examples
///
/// ```
/// use zokio::time::{self, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// time::pause();
/// let start = Instant::now();
/// time::sleep(Duration::from_secs(3600)).await; // returns at once
/// assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// # }
/// ```
///
/// # Panics
///
/// If time is already paused, outside a runtime, or on a multi-thread
/// runtime (pausing needs the current-thread runtime, which is what
/// `#[zokio::test]` uses by default).
#[track_caller]
pub fn pause() {
    with_clock("frozen", |clock| clock.pause());
}

/// Resumes time after [`pause`]: the clock runs again from where it stood.
///
/// # Examples
///
/// ```
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// zokio::time::pause();
/// zokio::time::resume();
/// # }
/// ```
///
/// # Panics
///
/// If time is not paused, or outside a runtime.
#[track_caller]
pub fn resume() {
    with_clock("resumed", |clock| clock.resume());
}

/// Moves the paused clock forward by `duration`, fires every timer that is
/// then due, and yields so that their tasks run before this one goes on.
///
/// Timers advanced past complete "at the same time", in no set order. For a
/// wait that the runtime ends by itself, `sleep` on a paused clock instead
/// (auto-advance: when the runtime is idle, the clock jumps to the next
/// timer; never while a `spawn_blocking` task is queued or running).
///
/// # Examples
///
/// ```
/// use zokio::time::{self, Duration, Instant};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// time::pause();
/// let start = Instant::now();
/// time::advance(Duration::from_millis(250)).await;
/// assert_eq!(start.elapsed(), Duration::from_millis(250));
/// # }
/// ```
///
/// # Panics
///
/// If time is not paused, or outside a runtime.
///
/// # Cancel safety
///
/// The clock moves on the first poll; dropping the future afterwards only
/// skips the yield.
pub async fn advance(duration: Duration) {
    let handle = match context::try_current() {
        Ok(handle) => handle,
        Err(_) => panic!("time cannot be advanced from outside the Zokio runtime"),
    };
    let driver = handle.driver();
    if let Err(msg) = driver.clock().advance(duration) {
        panic!("{msg}");
    }
    if let Some(time) = driver.time() {
        time.process_at(time.deadline_ns(driver.clock().now()));
    }
    crate::task::yield_now().await;
}

#[track_caller]
fn with_clock(
    what: &str,
    f: impl FnOnce(&crate::driver::clock::Clock) -> Result<(), &'static str>,
) {
    match context::with_current(|h| f(h.driver().clock())) {
        Ok(Ok(())) => {}
        Ok(Err(msg)) => panic!("{msg}"),
        Err(_) => panic!("time cannot be {what} from outside the Zokio runtime"),
    }
}
