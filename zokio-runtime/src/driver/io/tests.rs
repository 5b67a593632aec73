//! Unit tests of the reactor with real mio sources (Unix socket pairs).
// Test code counts wakes with std atomics and spawns plain threads.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use super::scheduled_io::{Direction, ScheduledIo, Tick};
use super::*;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Wake, Waker};

struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (std::sync::Arc<CountWaker>, Waker) {
    let c = std::sync::Arc::new(CountWaker(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

#[test]
fn stale_clear_is_dropped_fresh_clear_applies() {
    let io = ScheduledIo::new();
    io.set_readiness(Tick::Set(1), |r| r | Ready::READABLE | Ready::WRITABLE);
    let old = io.ready_event(Direction::Read.mask()).unwrap();
    io.set_readiness(Tick::Set(2), |r| r | Ready::READABLE);
    io.clear_readiness(old);
    assert!(
        io.ready().is_readable(),
        "a clear from tick 1 wiped tick-2 readiness"
    );
    let fresh = io.ready_event(Direction::Read.mask()).unwrap();
    io.clear_readiness(fresh);
    assert!(!io.ready().is_readable());
    // The other direction was not touched.
    assert!(io.ready().is_writable());
}

#[test]
fn poll_registers_waker_and_wake_fires_it_once() {
    let io = ScheduledIo::new();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(io.poll_readiness(&mut cx, Direction::Read).is_pending());
    // A write event does not wake the reader.
    io.set_readiness(Tick::Set(1), |r| r | Ready::WRITABLE);
    io.wake(Ready::WRITABLE);
    assert_eq!(count.0.load(SeqCst), 0);
    io.set_readiness(Tick::Set(2), |r| r | Ready::READABLE);
    io.wake(Ready::READABLE);
    assert_eq!(count.0.load(SeqCst), 1);
    assert!(io.poll_readiness(&mut cx, Direction::Read).is_ready());
}

#[test]
fn list_waiters_all_wake_and_drop_cleanly() {
    let io = ScheduledIo::new();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let (mut k1, mut k2, mut k3) = (None, None, None);
    assert!(io
        .poll_waiter(&mut cx, Interest::READABLE, &mut k1)
        .is_pending());
    assert!(io
        .poll_waiter(&mut cx, Interest::READABLE, &mut k2)
        .is_pending());
    assert!(io
        .poll_waiter(&mut cx, Interest::WRITABLE, &mut k3)
        .is_pending());
    io.set_readiness(Tick::Set(1), |r| r | Ready::READABLE);
    io.wake(Ready::READABLE);
    assert_eq!(count.0.load(SeqCst), 2);
    assert!(io
        .poll_waiter(&mut cx, Interest::READABLE, &mut k1)
        .is_ready());
    assert!(k1.is_none());
    io.drop_waiter(k2.take().unwrap());
    io.drop_waiter(k3.take().unwrap());
}

#[test]
fn shutdown_makes_every_poll_ready_with_shutdown() {
    let io = ScheduledIo::new();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert!(io.poll_readiness(&mut cx, Direction::Write).is_pending());
    io.shutdown();
    assert_eq!(count.0.load(SeqCst), 1);
    match io.poll_readiness(&mut cx, Direction::Read) {
        Poll::Ready(e) => assert!(e.is_shutdown),
        Poll::Pending => panic!("shut down io must be ready"),
    }
}

#[test]
fn driver_delivers_readiness_and_deregisters() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    let (io, token) = handle
        .add_source(&mut a, Interest::READABLE | Interest::WRITABLE)
        .unwrap();
    assert_eq!(handle.num_registrations(), 1);
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    // Drain the initial writable event, then wait for data.
    driver.park_timeout(&handle, Duration::ZERO);
    assert!(io.poll_readiness(&mut cx, Direction::Read).is_pending());
    b.write_all(b"x").unwrap();
    for _ in 0..100 {
        driver.park_timeout(&handle, Duration::from_millis(10));
        if count.0.load(SeqCst) > 0 {
            break;
        }
    }
    assert_eq!(count.0.load(SeqCst), 1);
    let event = match io.poll_readiness(&mut cx, Direction::Read) {
        Poll::Ready(e) => e,
        Poll::Pending => panic!("readable after the event"),
    };
    let mut buf = [0u8; 4];
    assert_eq!(a.read(&mut buf).unwrap(), 1);
    assert_eq!(
        a.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    io.clear_readiness(event);
    assert!(io.poll_readiness(&mut cx, Direction::Read).is_pending());
    handle.deregister_source(token, &mut a).unwrap();
    assert_eq!(handle.num_registrations(), 0);
    assert_eq!(handle.registered_count(), 1);
    assert_eq!(handle.deregistered_count(), 1);
    // Releasing twice is harmless.
    handle.release(token);
    assert_eq!(handle.deregistered_count(), 1);
}

#[test]
fn unpark_wakes_a_blocked_turn() {
    let (mut driver, handle) = Driver::new().unwrap();
    let h2 = handle.clone();
    let t = std::thread::spawn(move || h2.unpark());
    // Returns because of the unpark, not a timeout (which is an hour).
    driver.park_timeout(&handle, Duration::from_secs(3600));
    t.join().unwrap();
}

#[test]
fn registration_after_shutdown_fails() {
    let (mut driver, handle) = Driver::new().unwrap();
    let (mut a, _b) = mio::net::UnixStream::pair().unwrap();
    let (io, _token) = handle.add_source(&mut a, Interest::READABLE).unwrap();
    driver.shutdown(&handle);
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(matches!(io.poll_readiness(&mut cx, Direction::Read), Poll::Ready(e) if e.is_shutdown));
    let (mut c, _d) = mio::net::UnixStream::pair().unwrap();
    assert!(handle.add_source(&mut c, Interest::READABLE).is_err());
}
