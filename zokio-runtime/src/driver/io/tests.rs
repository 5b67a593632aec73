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
    let (mut driver, handle) = Driver::new(DEFAULT_EVENTS_PER_TICK).unwrap();
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
    let (mut driver, handle) = Driver::new(DEFAULT_EVENTS_PER_TICK).unwrap();
    let h2 = handle.clone();
    let t = std::thread::spawn(move || h2.unpark());
    // Returns because of the unpark, not a timeout (which is an hour).
    driver.park_timeout(&handle, Duration::from_secs(3600));
    t.join().unwrap();
}

#[test]
fn registration_after_shutdown_fails() {
    let (mut driver, handle) = Driver::new(DEFAULT_EVENTS_PER_TICK).unwrap();
    let (mut a, _b) = mio::net::UnixStream::pair().unwrap();
    let (io, _token) = handle.add_source(&mut a, Interest::READABLE).unwrap();
    driver.shutdown(&handle);
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(matches!(io.poll_readiness(&mut cx, Direction::Read), Poll::Ready(e) if e.is_shutdown));
    let (mut c, _d) = mio::net::UnixStream::pair().unwrap();
    assert!(handle.add_source(&mut c, Interest::READABLE).is_err());
}

/// Polls `reg`'s read readiness once.
fn poll_read(reg: &Registration, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
    reg.poll_read_ready(cx)
}

#[test]
fn deferred_registration_registers_only_when_a_poll_must_wait() {
    use std::os::unix::io::AsRawFd;
    let (mut driver, handle) = Driver::new(DEFAULT_EVENTS_PER_TICK).unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    let mut reg = Registration::new_deferred_with_handle(
        a.as_raw_fd(),
        Interest::READABLE | Interest::WRITABLE,
        handle.clone(),
    )
    .unwrap();
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    // Assumed readable: the first poll is ready without the OS.
    let event = match poll_read(&reg, &mut cx) {
        Poll::Ready(Ok(e)) => e,
        other => panic!("assumed readable, got {other:?}"),
    };
    assert!(event.ready.is_readable() && !event.ready.is_read_closed());
    let mut buf = [0u8; 4];
    assert_eq!(
        a.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    reg.clear_readiness(event);
    assert!(!reg.is_registered(), "no wait yet, no registration");
    // Now the poll must wait: it registers, with its waker stored.
    assert!(poll_read(&reg, &mut cx).is_pending());
    assert!(reg.is_registered());
    assert!(poll_read(&reg, &mut cx).is_pending(), "registers once");
    b.write_all(b"xy").unwrap();
    for _ in 0..100 {
        driver.park_timeout(&handle, Duration::from_millis(10));
        if count.0.load(SeqCst) > 0 {
            break;
        }
    }
    assert_eq!(count.0.load(SeqCst), 1, "the event reached the waiter");
    assert!(matches!(poll_read(&reg, &mut cx), Poll::Ready(Ok(_))));
    assert_eq!(a.read(&mut buf).unwrap(), 2);
    reg.deregister(&mut a).unwrap();
    assert_eq!(handle.num_registrations(), 0);
}

#[test]
fn deferred_registration_that_never_waits_never_reaches_the_os() {
    use std::os::unix::io::AsRawFd;
    let (_driver, handle) = Driver::new(DEFAULT_EVENTS_PER_TICK).unwrap();
    let (mut a, mut b) = mio::net::UnixStream::pair().unwrap();
    b.write_all(b"hi").unwrap();
    let mut reg =
        Registration::new_deferred_with_handle(a.as_raw_fd(), Interest::READABLE, handle.clone())
            .unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    assert!(matches!(poll_read(&reg, &mut cx), Poll::Ready(Ok(_))));
    let mut buf = [0u8; 2];
    assert_eq!(a.read(&mut buf).unwrap(), 2);
    assert!(!reg.is_registered());
    assert_eq!(handle.num_registrations(), 1);
    // The driver's epoll set does not hold the fd: adding it succeeds
    // (it would fail with EEXIST otherwise). Take it out again.
    let fd = a.as_raw_fd();
    let mut source = mio::unix::SourceFd(&fd);
    handle
        .register_token(&mut source, mio::Token(12_345), Interest::READABLE)
        .expect("the fd was never added");
    handle.inner.registry.deregister(&mut source).unwrap();
    reg.deregister(&mut a).unwrap();
    assert_eq!(handle.num_registrations(), 0);
    assert_eq!(handle.registered_count(), handle.deregistered_count());
}

#[test]
fn deferred_registration_refused_by_the_os_is_an_error_for_the_waiter() {
    let (_driver, handle) = Driver::new(DEFAULT_EVENTS_PER_TICK).unwrap();
    // -1 is never a valid descriptor: EPOLL_CTL_ADD fails with EBADF.
    let reg = Registration::new_deferred_with_handle(-1, Interest::READABLE, handle).unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(event)) = poll_read(&reg, &mut cx) else {
        panic!("assumed readable first");
    };
    reg.clear_readiness(event);
    match poll_read(&reg, &mut cx) {
        // EBADF (9 on Linux, macOS and the BSDs).
        Poll::Ready(Err(e)) => assert_eq!(e.raw_os_error(), Some(9)),
        other => panic!("expected the OS's refusal, got {other:?}"),
    }
    assert!(!reg.is_registered(), "a later poll tries again");
    assert!(matches!(poll_read(&reg, &mut cx), Poll::Ready(Err(_))));
}
