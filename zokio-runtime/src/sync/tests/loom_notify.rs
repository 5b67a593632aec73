//! Loom models of `Notify`.

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::loom::sync::Arc;
use crate::sync::Notify;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

#[test]
fn loom_notify_one_vs_wait() {
    model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        let th = spawn(move || n2.notify_one());
        block_on(n.notified());
        th.join().unwrap();
    });
}

#[test]
fn loom_notify_waiters_vs_wait() {
    model(|| {
        let n = Arc::new(Notify::new());
        let notified = n.notified();
        let n2 = n.clone();
        let th = spawn(move || n2.notify_waiters());
        block_on(notified);
        th.join().unwrap();
    });
}

#[test]
fn loom_notify_dropped_waiter_forwards() {
    model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        {
            let mut first = pin!(n.notified());
            let mut cx = Context::from_waker(Waker::noop());
            let _ = first.as_mut().poll(&mut cx);
            let th = spawn(move || n2.notify_one());
            th.join().unwrap();
            // `first` may hold the notification: dropping it must pass it on.
        }
        block_on(n.notified());
    });
}

#[test]
fn loom_notify_ping_pong() {
    model(|| {
        let ping = Arc::new(Notify::new());
        let pong = Arc::new(Notify::new());
        let (ping2, pong2) = (ping.clone(), pong.clone());
        let th = spawn(move || {
            block_on(ping2.notified());
            pong2.notify_one();
        });
        ping.notify_one();
        block_on(pong.notified());
        th.join().unwrap();
    });
}

#[test]
fn loom_notify_waiters_vs_notify_one() {
    model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        let mut first = Box::pin(n.notified());
        let mut cx = Context::from_waker(Waker::noop());
        let _ = first.as_mut().poll(&mut cx);
        let th = spawn(move || {
            n2.notify_waiters();
            n2.notify_one();
        });
        block_on(first);
        block_on(n.notified());
        th.join().unwrap();
    });
}
