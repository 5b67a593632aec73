//! How long a thread keeps looking for work before it parks.
//!
//! A worker that runs out of work may spin (poll the driver and the queues,
//! yielding the CPU between rounds) instead of parking at once; so may a
//! thread in `block_on` whose future is pending (it watches its wake flag).
//! That pays when work comes back within microseconds — a socket's peer
//! answering, a sibling spawning — because a futex sleep and wake cost more
//! than that, and the woken thread may land on a busy CPU. It is waste when
//! work comes back in milliseconds, as on a lightly loaded server.
//!
//! [`SpinPolicy`] decides from the thread's own recent *idle gaps*: the time
//! from finding no work to running a task again (spinning or parked, wake-up
//! latency included). It keeps a moving average of the gaps, each capped at
//! [`GAP_CAP`] so that one long quiet spell counts like a few short ones.
//!
//! Invariants:
//! - the window is zero while the average gap is at least [`MAX_SPIN`]: a
//!   thread whose work comes back slowly never spins;
//! - otherwise it is four times the average gap, clamped to
//!   [`MIN_SPIN`]..=[`MAX_SPIN`]: enough to cover most gaps of the recent
//!   mix, never more than 50 µs of CPU per idle spell.

use std::cell::Cell;
use std::time::{Duration, Instant};

std::thread_local! {
    /// Set when this thread woke a sleeping runtime thread.
    static WOKE_A_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Records that this thread just woke a sleeping thread (a futex or driver
/// wake, not a flag that a running thread will see). Workers set it too but
/// never read it; it is one thread-local store.
pub(crate) fn note_thread_woken() {
    WOKE_A_THREAD.with(|w| w.set(true));
}

/// Whether this thread woke a sleeping thread since the last call.
///
/// A `block_on` thread that did should not spin: the kernel tends to place
/// the woken thread on the waker's CPU, where a spin (even one that yields)
/// delays it. Measured on `--bench latency`: a `block_on` thread that spun
/// after sending the wake took 12–13 µs to see its task run, 10 µs without;
/// with a spin that did not yield, 57 µs. (Workers ignore the flag: on
/// `chained_spawn` they were 10 % slower with it, and their spin follows
/// runs of tasks, not a wake they sent.)
pub(crate) fn take_thread_woken() -> bool {
    WOKE_A_THREAD.with(|w| w.replace(false))
}

/// The longest spin.
const MAX_SPIN: Duration = Duration::from_micros(50);

/// The shortest spin, when the thread spins at all.
const MIN_SPIN: Duration = Duration::from_micros(10);

/// The most a single gap adds to the average.
const GAP_CAP: Duration = Duration::from_micros(200);

/// Weight of the newest gap in the average: 1 / 2^`AVG_SHIFT`.
const AVG_SHIFT: u32 = 3;

/// A thread's record of its idle gaps.
#[derive(Debug, Default)]
pub(crate) struct SpinPolicy {
    /// When the current idle spell began; `None` while the thread is busy.
    idle_since: Option<Instant>,
    /// Moving average of the capped gaps, in nanoseconds.
    avg_gap_ns: u64,
}

impl SpinPolicy {
    /// The thread found no work at `now()`. Only the first call of an idle
    /// spell counts: a spurious wake-up does not restart the gap, and
    /// `now` is called only then.
    pub(crate) fn idle(&mut self, now: impl FnOnce() -> Instant) {
        self.idle_since.get_or_insert_with(now);
    }

    /// The thread is about to run a task: closes the idle spell, if any.
    /// `now` is called only then, so a busy thread reads no clock.
    pub(crate) fn busy(&mut self, now: impl FnOnce() -> Instant) {
        if let Some(since) = self.idle_since.take() {
            let gap = now().saturating_duration_since(since).min(GAP_CAP);
            let gap = gap.as_nanos() as u64;
            self.avg_gap_ns = self.avg_gap_ns - (self.avg_gap_ns >> AVG_SHIFT) + (gap >> AVG_SHIFT);
        }
    }

    /// How long to spin now (zero: park at once).
    pub(crate) fn window(&self) -> Duration {
        let avg = Duration::from_nanos(self.avg_gap_ns);
        if avg >= MAX_SPIN {
            return Duration::ZERO;
        }
        (avg * 4).clamp(MIN_SPIN, MAX_SPIN)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn spell(p: &mut SpinPolicy, start: Instant, gap: Duration) {
        p.idle(|| start);
        p.busy(|| start + gap);
    }

    #[test]
    fn short_gaps_spin_long_gaps_park() {
        let t = crate::driver::clock::now();
        let mut p = SpinPolicy::default();
        assert_eq!(p.window(), MIN_SPIN);
        for _ in 0..64 {
            spell(&mut p, t, Duration::from_micros(2));
        }
        assert_eq!(p.window(), MIN_SPIN);
        for _ in 0..64 {
            spell(&mut p, t, Duration::from_micros(8));
        }
        let w = p.window();
        assert!(w > Duration::from_micros(30) && w <= MAX_SPIN, "{w:?}");
        for _ in 0..64 {
            spell(&mut p, t, Duration::from_millis(1));
        }
        assert_eq!(p.window(), Duration::ZERO);
        // Short gaps bring the spin back.
        for _ in 0..64 {
            spell(&mut p, t, Duration::from_micros(2));
        }
        assert_eq!(p.window(), MIN_SPIN);
    }

    #[test]
    fn one_long_spell_does_not_stop_a_spinning_worker() {
        let t = crate::driver::clock::now();
        let mut p = SpinPolicy::default();
        for _ in 0..64 {
            spell(&mut p, t, Duration::from_micros(3));
        }
        spell(&mut p, t, Duration::from_secs(10));
        assert!(p.window() > Duration::ZERO);
    }

    #[test]
    fn repeated_idle_calls_keep_the_first_instant() {
        let t = crate::driver::clock::now();
        let mut p = SpinPolicy::default();
        p.idle(|| t);
        p.idle(|| unreachable!("no clock read within an idle spell"));
        p.busy(|| t + Duration::from_millis(5));
        // The gap counted is 5 ms (capped), not 0.
        assert_eq!(p.avg_gap_ns, GAP_CAP.as_nanos() as u64 >> AVG_SHIFT);
        // A busy worker without an idle spell changes nothing.
        p.busy(|| unreachable!("no clock read while busy"));
    }
}
