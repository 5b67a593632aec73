//! Unit tests of the wheel and the time handle, driven by hand (no runtime,
//! no clock: deadlines and "now" are nanoseconds since the handle's start).

use super::entry::{tick_of, TimerEntry, FIRED, NANOS_PER_TICK, SHUTDOWN};
use super::{Handle, Registered, Shutdown};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use std::task::{Poll, Wake, Waker};

const MS: u64 = NANOS_PER_TICK;

/// A waker that counts its wakes.
#[allow(clippy::disallowed_types)]
struct CountWaker(Arc<AtomicUsize>);

#[allow(clippy::disallowed_types)]
impl Wake for CountWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[allow(clippy::disallowed_types)]
pub(crate) fn counting_waker() -> (Waker, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let waker = Waker::from(std::sync::Arc::new(CountWaker(count.clone())));
    (waker, count)
}

/// An entry that deregisters itself when dropped, as `Sleep` does.
pub(crate) struct Timer<'a> {
    handle: &'a Handle,
    entry: TimerEntry,
}

impl<'a> Timer<'a> {
    pub(crate) fn new(handle: &'a Handle) -> Timer<'a> {
        Timer {
            handle,
            entry: TimerEntry::new(),
        }
    }

    pub(crate) fn register(&mut self, deadline: u64, now: u64, waker: &Waker) -> Registered {
        self.handle
            .register(&mut self.entry, deadline, now, Some(waker))
            .expect("not shut down")
    }

    pub(crate) fn poll(&mut self, waker: &Waker) -> Poll<Result<(), Shutdown>> {
        self.handle.poll_registered(&mut self.entry, waker)
    }

    pub(crate) fn reset(&mut self, deadline: u64, now: u64) -> bool {
        self.handle.reset(&mut self.entry, deadline, now)
    }

    pub(crate) fn state(&self) -> u64 {
        self.entry.state()
    }
}

impl Drop for Timer<'_> {
    fn drop(&mut self) {
        self.handle.deregister(&mut self.entry);
    }
}

fn handle(shards: usize) -> Handle {
    Handle::new(shards, crate::driver::clock::now())
}

#[cfg(not(loom))]
mod plain {
    use super::*;

    #[test]
    fn tick_rounds_up() {
        assert_eq!(tick_of(0), 0);
        assert_eq!(tick_of(1), 1);
        assert_eq!(tick_of(MS), 1);
        assert_eq!(tick_of(MS + 1), 2);
    }

    #[test]
    fn fires_at_deadline_not_before() {
        let h = handle(1);
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        assert_eq!(
            t.register(5 * MS, 0, &waker),
            Registered::Pending { unpark: false }
        );
        assert_eq!(h.next_deadline(), Some(5 * MS));
        h.process_at(5 * MS - 1);
        assert_eq!(wakes.load(SeqCst), 0);
        assert!(t.poll(&waker).is_pending());
        h.process_at(5 * MS);
        assert_eq!(wakes.load(SeqCst), 1);
        assert_eq!(t.state(), FIRED);
        assert_eq!(t.poll(&waker), Poll::Ready(Ok(())));
        assert_eq!(h.num_registered(), 0);
    }

    #[test]
    fn exact_deadline_inside_a_tick() {
        // 2.3 ms: due at tick 3, but a lone timer wakes the driver at 2.3 ms
        // and fires then.
        let h = handle(1);
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(2 * MS + 300_000, 0, &waker);
        assert_eq!(h.next_deadline(), Some(2 * MS + 300_000));
        h.process_at(2 * MS + 299_999);
        assert_eq!(wakes.load(SeqCst), 0);
        h.process_at(2 * MS + 300_000);
        assert_eq!(wakes.load(SeqCst), 1);
    }

    #[test]
    fn exact_deadline_of_an_entry_waiting_at_level_one() {
        // Due at tick 128 (a multiple of 64): filed at level 1 while the
        // wheel is at 0, yet the driver still wakes at the exact deadline.
        let h = handle(1);
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(127 * MS + 500_000, 0, &waker);
        assert_eq!(h.next_deadline(), Some(127 * MS + 500_000));
        h.process_at(127 * MS + 499_999);
        assert_eq!(wakes.load(SeqCst), 0);
        assert_eq!(h.next_deadline(), Some(127 * MS + 500_000));
        h.process_at(127 * MS + 500_000);
        assert_eq!(wakes.load(SeqCst), 1);
        assert_eq!(h.num_registered(), 0);
    }

    #[test]
    fn past_deadline_is_elapsed_without_registration() {
        let h = handle(1);
        let (waker, _) = counting_waker();
        let mut t = Timer::new(&h);
        assert_eq!(t.register(3 * MS, 3 * MS, &waker), Registered::Elapsed);
        assert_eq!(h.num_registered(), 0);
        // A tick the wheel already processed is elapsed too.
        h.process_at(10 * MS);
        let mut t2 = Timer::new(&h);
        assert_eq!(t2.register(9 * MS, 0, &waker), Registered::Elapsed);
    }

    #[test]
    fn far_future_deadlines_cascade_and_refile() {
        // Deadlines at every level and beyond the wheel's range.
        let h = handle(1);
        let (waker, wakes) = counting_waker();
        let deadlines: Vec<u64> = (0..8).map(|l| 64u64.pow(l) * MS + 7 * MS).collect();
        let mut timers: Vec<Timer<'_>> = deadlines.iter().map(|_| Timer::new(&h)).collect();
        for (t, &d) in timers.iter_mut().zip(&deadlines) {
            let _ = t.register(d, 0, &waker);
        }
        for (i, &d) in deadlines.iter().enumerate() {
            // Jump to just before, then to the deadline: fires exactly then.
            let mut now = 0;
            let mut steps = 0;
            while let Some(next) = h.next_deadline() {
                steps += 1;
                assert!(steps < 1_000, "the wheel makes no progress towards {d}");
                if next >= d {
                    break;
                }
                now = next.max(now);
                h.process_at(now);
            }
            assert_eq!(wakes.load(SeqCst), i, "deadline {d} fired early");
            h.process_at(d);
            assert_eq!(wakes.load(SeqCst), i + 1, "deadline {d} did not fire");
        }
        assert_eq!(h.num_registered(), 0);
    }

    #[test]
    fn random_deadlines_fire_in_tick_order() {
        let h = handle(2);
        let rng = crate::util::rand::FastRand::new(7);
        let (waker, _) = counting_waker();
        let n = 2_000;
        let deadlines: Vec<u64> = (0..n)
            .map(|_| u64::from(rng.next_below(5_000_000)) * 1_000)
            .collect();
        let mut timers: Vec<Timer<'_>> = (0..n).map(|_| Timer::new(&h)).collect();
        for (t, &d) in timers.iter_mut().zip(&deadlines) {
            let _ = t.register(d + 1, 0, &waker);
        }
        let mut fired_order = Vec::new();
        let mut now = 0;
        let mut steps = 0;
        while let Some(next) = h.next_deadline() {
            steps += 1;
            assert!(steps < 100_000, "the wheel does not drain");
            now = next.max(now);
            h.process_at(now);
            for (i, t) in timers.iter().enumerate() {
                if t.state() == FIRED && !fired_order.contains(&i) {
                    assert!(deadlines[i] < now, "timer {i} fired before its deadline");
                    fired_order.push(i);
                }
            }
        }
        assert_eq!(fired_order.len(), n);
        for w in fired_order.windows(2) {
            assert!(
                tick_of(deadlines[w[0]] + 1) <= tick_of(deadlines[w[1]] + 1),
                "fired out of tick order"
            );
        }
    }

    #[test]
    fn cancel_100k_leaves_wheel_empty() {
        let h = handle(2);
        let (waker, wakes) = counting_waker();
        let rng = crate::util::rand::FastRand::new(3);
        let mut timers: Vec<Timer<'_>> = (0..100_000).map(|_| Timer::new(&h)).collect();
        for t in timers.iter_mut() {
            let d = u64::from(rng.next_below(u32::MAX)) * 1_000 + 1;
            let _ = t.register(d, 0, &waker);
        }
        assert_eq!(h.num_registered(), 100_000);
        // Drop in a shuffled order: O(1) removal from the middle of lists.
        let mut order: Vec<usize> = (0..timers.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.next_below(i as u32 + 1) as usize);
        }
        let mut slots: Vec<Option<Timer<'_>>> = timers.drain(..).map(Some).collect();
        for i in order {
            drop(slots[i].take());
        }
        assert_eq!(h.num_registered(), 0);
        assert_eq!(h.next_deadline(), None);
        h.process_at(u64::MAX / 2);
        assert_eq!(wakes.load(SeqCst), 0, "a cancelled timer fired");
    }

    #[test]
    fn extend_is_lock_free_and_refiles() {
        let h = handle(1);
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(2 * MS, 0, &waker);
        assert!(!t.reset(50 * MS, 0), "a later deadline needs no unpark");
        h.process_at(2 * MS);
        assert_eq!(wakes.load(SeqCst), 0, "fired at the old deadline");
        assert_eq!(h.num_registered(), 1);
        h.process_at(50 * MS);
        assert_eq!(wakes.load(SeqCst), 1);
    }

    #[test]
    fn reset_earlier_and_to_the_past() {
        let h = handle(1);
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(100 * MS, 0, &waker);
        let _ = t.reset(10 * MS, 0);
        h.process_at(10 * MS);
        assert_eq!(wakes.load(SeqCst), 1);
        // Reset after firing: registered again, keeps no stale waker.
        assert!(t.poll(&waker).is_ready());
        let _ = h.register(&mut t.entry, 20 * MS, 10 * MS, Some(&waker));
        // Reset to the past: fires at once and wakes the waiter.
        let _ = t.reset(5 * MS, 10 * MS);
        assert_eq!(wakes.load(SeqCst), 2);
        assert_eq!(t.state(), FIRED);
        assert_eq!(h.num_registered(), 0);
    }

    #[test]
    fn unpark_only_when_earlier_than_the_parked_driver() {
        let h = handle(1);
        let (waker, _) = counting_waker();
        // Not parked (next_wake 0): no unpark.
        let mut a = Timer::new(&h);
        assert_eq!(
            a.register(5 * MS, 0, &waker),
            Registered::Pending { unpark: false }
        );
        // Parked until 5 ms: an earlier timer unparks, a later one does not.
        h.next_wake.store(5 * MS, SeqCst);
        let mut b = Timer::new(&h);
        assert_eq!(
            b.register(3 * MS, 0, &waker),
            Registered::Pending { unpark: true }
        );
        let mut c = Timer::new(&h);
        assert_eq!(
            c.register(9 * MS, 0, &waker),
            Registered::Pending { unpark: false }
        );
    }

    #[test]
    fn shutdown_releases_every_timer() {
        let h = handle(2);
        let (waker, wakes) = counting_waker();
        let mut timers: Vec<Timer<'_>> = (0..100).map(|_| Timer::new(&h)).collect();
        for (i, t) in timers.iter_mut().enumerate() {
            let _ = t.register((i as u64 + 1) * MS, 0, &waker);
        }
        h.shutdown();
        assert_eq!(wakes.load(SeqCst), 100);
        assert_eq!(h.num_registered(), 0);
        for t in timers.iter_mut() {
            assert_eq!(t.state(), SHUTDOWN);
            assert_eq!(t.poll(&waker), Poll::Ready(Err(Shutdown)));
        }
        let mut late = Timer::new(&h);
        assert_eq!(
            h.register(&mut late.entry, 5 * MS, 0, Some(&waker)),
            Err(Shutdown)
        );
    }
}
