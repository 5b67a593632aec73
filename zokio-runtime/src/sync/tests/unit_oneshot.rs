use super::support::{task, while_driving};
use crate::sync::oneshot::{self, error::TryRecvError};

#[test]
fn send_then_recv() {
    let (tx, rx) = oneshot::channel();
    assert!(tx.send(1).is_ok());
    assert_eq!(task(rx).ready(), Ok(1));
}

#[test]
fn recv_then_send_wakes() {
    let (tx, rx) = oneshot::channel();
    let mut t = task(rx);
    t.pending();
    tx.send(2).unwrap();
    assert!(t.is_woken());
    assert_eq!(t.ready(), Ok(2));
}

#[test]
fn sender_dropped_wakes_with_error() {
    let (tx, rx) = oneshot::channel::<u8>();
    let mut t = task(rx);
    t.pending();
    drop(tx);
    assert!(t.is_woken());
    assert!(t.ready().is_err());
}

#[test]
fn receiver_dropped_returns_value() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(String::from("x")), Err(String::from("x")));
}

#[test]
fn close_then_closed_future() {
    let (mut tx, mut rx) = oneshot::channel::<u8>();
    let mut closed = task(async move {
        tx.closed().await;
        tx
    });
    closed.pending();
    rx.close();
    assert!(closed.is_woken());
    let tx = closed.ready();
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn value_sent_before_close_is_still_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(3).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert!(rx.is_terminated());
}

#[test]
fn try_recv_states() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert!(rx.is_empty());
    tx.send(4).unwrap();
    assert!(!rx.is_empty());
    assert_eq!(rx.try_recv(), Ok(4));
}

#[test]
fn waker_is_replaced() {
    let (tx, rx) = oneshot::channel();
    let mut rx = rx;
    // Poll the receiver from two different tasks; the latest waker is woken.
    let mut a = task(std::future::poll_fn(|cx| {
        std::pin::Pin::new(&mut rx).poll(cx).map(|_| ())
    }));
    a.pending();
    drop(a);
    let mut b = task(rx);
    b.pending();
    tx.send(1).unwrap();
    assert!(b.is_woken());
    assert_eq!(b.ready(), Ok(1));
}

#[test]
fn value_dropped_with_receiver() {
    let (tx, rx) = oneshot::channel();
    let v = std::sync::Arc::new(());
    tx.send(v.clone()).unwrap();
    drop(rx);
    assert_eq!(std::sync::Arc::strong_count(&v), 1);
}

#[test]
fn blocking_recv_from_thread() {
    let (tx, rx) = oneshot::channel();
    let th = std::thread::spawn(move || rx.blocking_recv());
    std::thread::sleep(std::time::Duration::from_millis(10));
    tx.send(5).unwrap();
    assert_eq!(th.join().unwrap(), Ok(5));
}

#[test]
#[should_panic(expected = "blocking_recv")]
fn blocking_recv_inside_runtime_panics() {
    let (_tx, rx) = oneshot::channel::<u8>();
    while_driving(|| rx.blocking_recv()).ok();
}

#[test]
fn threads_stress() {
    for _ in 0..2000 {
        let (tx, rx) = oneshot::channel();
        let th = std::thread::spawn(move || tx.send(1).unwrap());
        assert_eq!(crate::park_thread::block_on(rx), Ok(1));
        th.join().unwrap();
    }
}

use std::future::Future;
