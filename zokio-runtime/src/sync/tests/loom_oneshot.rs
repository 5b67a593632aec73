//! Loom models of the oneshot state machine.

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::sync::oneshot;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

#[test]
fn loom_oneshot_send_vs_recv() {
    model(|| {
        let (tx, rx) = oneshot::channel();
        let th = spawn(move || tx.send(1).unwrap());
        assert_eq!(block_on(rx), Ok(1));
        th.join().unwrap();
    });
}

#[test]
fn loom_oneshot_drop_sender_vs_recv() {
    model(|| {
        let (tx, rx) = oneshot::channel::<u8>();
        let th = spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        th.join().unwrap();
    });
}

#[test]
fn loom_oneshot_waker_change_vs_send() {
    model(|| {
        let (tx, mut rx) = oneshot::channel();
        let th = spawn(move || tx.send(2).unwrap());
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(&mut rx).poll(&mut cx) {
            std::task::Poll::Ready(v) => assert_eq!(v, Ok(2)),
            // Re-polled with a different waker while the send races.
            std::task::Poll::Pending => assert_eq!(block_on(rx), Ok(2)),
        }
        th.join().unwrap();
    });
}

#[test]
fn loom_oneshot_closed_vs_drop_receiver() {
    model(|| {
        let (mut tx, rx) = oneshot::channel::<u8>();
        let th = spawn(move || drop(rx));
        block_on(tx.closed());
        assert_eq!(tx.send(1), Err(1));
        th.join().unwrap();
    });
}
