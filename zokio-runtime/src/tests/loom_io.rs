//! Models of `ScheduledIo` (driver/io/scheduled_io.rs), the part of the
//! I/O driver that loom can run (mio cannot): the driver thread stores
//! readiness and wakes, a task thread polls, clears and registers wakers.
//!
//! - a stale clear (readiness observed at an older tick) never wipes
//!   readiness that a newer event set (rule 2);
//! - a waker registered while an event arrives is never lost, in either
//!   waiter form (direction slot and `readiness` list; rules 1 and 3);
//! - shutdown wakes a waiting poller.

use super::support::block_on;
use crate::driver::io::scheduled_io::{Direction, ScheduledIo, Tick};
use crate::io::{Interest, Ready};
use crate::loom::model;
use crate::loom::sync::Arc;
use crate::loom::thread;
use std::future::poll_fn;

#[test]
fn loom_io_stale_clear_keeps_fresh_readiness() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        io.set_readiness(Tick::Set(1), |r| r | Ready::READABLE);
        // The task observed readiness at tick 1 and will get WouldBlock.
        let event = io.ready_event(Direction::Read.mask()).unwrap();
        let driver = {
            let io = io.clone();
            thread::spawn(move || {
                // A new event at tick 2: data arrived after the attempt.
                io.set_readiness(Tick::Set(2), |r| r | Ready::READABLE);
                io.wake(Ready::READABLE);
            })
        };
        io.clear_readiness(event);
        driver.join().unwrap();
        assert!(io.ready().is_readable(), "the tick-2 readiness was lost");
    });
}

#[test]
fn loom_io_clear_then_event_leaves_ready() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        io.set_readiness(Tick::Set(1), |r| r | Ready::READABLE | Ready::READ_CLOSED);
        let event = io.ready_event(Direction::Read.mask()).unwrap();
        io.clear_readiness(event);
        // Closed bits survive a clear.
        assert!(io.ready().is_read_closed());
        assert!(io.ready() & Ready::READABLE == Ready::EMPTY);
    });
}

#[test]
fn loom_io_waker_registered_during_event_is_not_lost() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let driver = {
            let io = io.clone();
            thread::spawn(move || {
                io.set_readiness(Tick::Set(1), |r| r | Ready::READABLE);
                io.wake(Ready::READABLE);
            })
        };
        // Deadlocks (and fails the model) if the wake-up is lost.
        let event = block_on(poll_fn(|cx| io.poll_readiness(cx, Direction::Read)));
        assert!(event.ready.is_readable());
        driver.join().unwrap();
    });
}

#[test]
fn loom_io_list_waiter_registered_during_event_is_not_lost() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let driver = {
            let io = io.clone();
            thread::spawn(move || {
                io.set_readiness(Tick::Set(1), |r| r | Ready::WRITABLE);
                io.wake(Ready::WRITABLE);
            })
        };
        let mut key = None;
        let event = block_on(poll_fn(|cx| {
            io.poll_waiter(cx, Interest::WRITABLE, &mut key)
        }));
        assert!(event.ready.is_writable());
        assert!(key.is_none(), "a ready waiter leaves the list");
        driver.join().unwrap();
    });
}

#[test]
fn loom_io_shutdown_wakes_poller() {
    model(|| {
        let io = Arc::new(ScheduledIo::new());
        let driver = {
            let io = io.clone();
            thread::spawn(move || io.shutdown())
        };
        let event = block_on(poll_fn(|cx| io.poll_readiness(cx, Direction::Write)));
        assert!(event.is_shutdown);
        driver.join().unwrap();
    });
}
