//! Models of the timer entry protocol (`driver/time/entry.rs` ground
//! rules) and of the park/registration handshake (`driver/time/mod.rs`,
//! "Waking the parked driver"): the driver fires or computes its timeout on
//! one thread while the timer's owner drops, resets, polls or registers on
//! another. Each model has one shard, one or two timers and two threads.

use crate::driver::time::entry::{FIRED, NANOS_PER_TICK};
use crate::driver::time::tests::{counting_waker, Timer};
use crate::driver::time::{Handle, Registered};
use crate::loom::model;
use crate::loom::sync::atomic::Ordering::SeqCst;
use crate::loom::sync::Arc;
use crate::loom::thread;

const MS: u64 = NANOS_PER_TICK;

fn handle() -> Arc<Handle> {
    Arc::new(Handle::new(1, crate::driver::clock::now()))
}

#[test]
fn loom_time_fire_races_drop() {
    model(|| {
        let h = handle();
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(MS, 0, &waker);
        let driver = h.clone();
        let th = thread::spawn(move || driver.process_at(MS));
        drop(t);
        th.join().unwrap();
        assert_eq!(h.num_registered(), 0);
        assert!(wakes.load(SeqCst) <= 1);
    });
}

#[test]
fn loom_time_fire_races_extend() {
    model(|| {
        let h = handle();
        let (waker, wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(MS, 0, &waker);
        let driver = h.clone();
        let th = thread::spawn(move || driver.process_at(MS));
        let unpark = t.reset(5 * MS, 0);
        th.join().unwrap();
        assert!(!unpark);
        // Whatever the order, the timer now waits for 5 ms.
        assert_eq!(t.state(), 5 * MS);
        assert_eq!(h.num_registered(), 1);
        assert!(wakes.load(SeqCst) <= 1);
        h.process_at(5 * MS);
        assert_eq!(t.state(), FIRED);
    });
}

#[test]
fn loom_time_fire_races_poll_no_lost_wakeup() {
    model(|| {
        let h = handle();
        let (first, _) = counting_waker();
        let (second, second_wakes) = counting_waker();
        let mut t = Timer::new(&h);
        let _ = t.register(MS, 0, &first);
        let driver = h.clone();
        let th = thread::spawn(move || driver.process_at(MS));
        // The task is polled again with a new waker while the timer fires.
        let polled = t.poll(&second);
        th.join().unwrap();
        if polled.is_pending() {
            assert_eq!(second_wakes.load(SeqCst), 1, "the new waker was lost");
        }
    });
}

#[test]
fn loom_time_register_races_park_no_missed_deadline() {
    model(|| {
        let h = handle();
        let (waker, _) = counting_waker();
        // An older timer keeps the driver's timeout at 10 ms.
        let mut old = Timer::new(&h);
        let _ = old.register(10 * MS, 0, &waker);
        let driver = h.clone();
        let th = thread::spawn(move || driver.before_park());
        let mut t = Timer::new(&h);
        let registered = t.register(2 * MS, 0, &waker);
        let parked_until = th.join().unwrap();
        // Either the driver saw the new timer, or the registrant unparks it.
        let unparked = registered == Registered::Pending { unpark: true };
        assert!(
            unparked || parked_until == Some(2 * MS),
            "driver sleeps until {parked_until:?} past a 2 ms timer, not unparked"
        );
    });
}

mod lease {
    //! The biased lease of `time/lease.rs`: the value is dropped exactly
    //! once whatever the order of the owner's abandonment and the remote
    //! releases (rule 4).

    use crate::loom::model;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use crate::loom::sync::Arc;
    use crate::loom::thread;
    use crate::tests::support::DropCounter;
    use crate::time::lease::Owner;

    #[test]
    fn loom_time_lease_remote_release_races_abandon() {
        model(|| {
            let drops = Arc::new(AtomicUsize::new(0));
            let owner = Owner::new(DropCounter(drops.clone()));
            let a = owner.acquire();
            let b = owner.acquire();
            let th = thread::spawn(move || drop(a));
            owner.release(b);
            drop(owner);
            th.join().unwrap();
            assert_eq!(drops.load(SeqCst), 1);
        });
    }

    #[test]
    fn loom_time_lease_last_release_after_abandon() {
        model(|| {
            let drops = Arc::new(AtomicUsize::new(0));
            let owner = Owner::new(DropCounter(drops.clone()));
            let a = owner.acquire();
            let b = owner.acquire();
            let th = thread::spawn(move || {
                let _value = a.get();
                drop(a);
            });
            drop(owner);
            assert_eq!(drops.load(SeqCst), 0, "freed with a reference outstanding");
            drop(b);
            th.join().unwrap();
            assert_eq!(drops.load(SeqCst), 1);
        });
    }
}
