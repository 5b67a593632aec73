use super::support::task;
use crate::sync::Notify;
use std::pin::pin;
use std::sync::Arc;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn auto_traits() {
    assert_send_sync::<Notify>();
    assert_send_sync::<crate::sync::futures::Notified<'static>>();
    assert_send_sync::<crate::sync::futures::OwnedNotified>();
}

#[test]
fn permit_is_stored_once() {
    let n = Notify::new();
    n.notify_one();
    n.notify_one();
    task(n.notified()).ready();
    task(n.notified()).pending();
}

#[test]
fn notify_one_wakes_oldest_waiter() {
    let n = Notify::new();
    let mut a = task(n.notified());
    let mut b = task(n.notified());
    a.pending();
    b.pending();
    n.notify_one();
    assert!(a.is_woken() && !b.is_woken());
    a.ready();
    b.pending();
    n.notify_one();
    assert!(b.is_woken());
    b.ready();
}

#[test]
fn notify_last_wakes_newest_waiter() {
    let n = Notify::new();
    let mut a = task(n.notified());
    let mut b = task(n.notified());
    a.pending();
    b.pending();
    n.notify_last();
    assert!(b.is_woken() && !a.is_woken());
    b.ready();
    a.pending();
}

#[test]
fn notify_waiters_wakes_all_and_stores_nothing() {
    let n = Notify::new();
    let mut a = task(n.notified());
    let mut b = task(n.notified());
    a.pending();
    b.pending();
    let unpolled = n.notified();
    n.notify_waiters();
    assert!(a.is_woken() && b.is_woken());
    a.ready();
    b.ready();
    // Created before the call: completes although it never waited.
    task(unpolled).ready();
    // Created after: not notified, and no permit was stored.
    task(n.notified()).pending();
}

#[test]
fn notify_waiters_many() {
    let n = Notify::new();
    let mut tasks: Vec<_> = (0..100).map(|_| task(n.notified())).collect();
    for t in &mut tasks {
        t.pending();
    }
    n.notify_waiters();
    for t in &mut tasks {
        assert!(t.is_woken());
        t.ready();
    }
    let mut t = task(n.notified());
    t.pending();
    n.notify_one();
    t.ready();
}

#[test]
fn dropped_waiter_forwards_notify_one() {
    let n = Notify::new();
    let mut a = task(n.notified());
    let mut b = task(n.notified());
    a.pending();
    b.pending();
    n.notify_one();
    assert!(a.is_woken());
    drop(a);
    assert!(b.is_woken());
    b.ready();
}

#[test]
fn dropped_notified_waiter_without_others_stores_permit() {
    let n = Notify::new();
    let mut a = task(n.notified());
    a.pending();
    n.notify_one();
    drop(a);
    task(n.notified()).ready();
}

#[test]
fn cancelled_waiter_is_removed() {
    let n = Notify::new();
    let mut a = task(n.notified());
    a.pending();
    drop(a);
    n.notify_one(); // becomes a permit, not lost on the dropped waiter
    task(n.notified()).ready();
}

#[test]
fn enable_registers_without_polling() {
    let n = Notify::new();
    let mut f = pin!(n.notified());
    assert!(!f.as_mut().enable());
    n.notify_one();
    assert!(f.as_mut().enable());
    let mut g = pin!(n.notified());
    n.notify_one();
    assert!(g.as_mut().enable(), "consumes the stored permit");
}

#[test]
fn owned_notified() {
    let n = Arc::new(Notify::new());
    let mut t = task(n.clone().notified_owned());
    t.pending();
    n.notify_one();
    assert!(t.is_woken());
    t.ready();
}

#[test]
fn fused_after_completion() {
    let n = Notify::new();
    let mut f = pin!(n.notified());
    n.notify_one();
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(f.as_mut().poll(&mut cx).is_ready());
    assert!(f.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn ping_pong_threads() {
    let ping = Arc::new(Notify::new());
    let pong = Arc::new(Notify::new());
    let (p2, q2) = (ping.clone(), pong.clone());
    let th = std::thread::spawn(move || {
        for _ in 0..2000 {
            crate::park_thread::block_on(p2.notified());
            q2.notify_one();
        }
    });
    for _ in 0..2000 {
        ping.notify_one();
        crate::park_thread::block_on(pong.notified());
    }
    th.join().unwrap();
}

use std::future::Future;
