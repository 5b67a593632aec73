use super::support::{task, while_driving};
use crate::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use std::sync::Arc;

#[test]
fn every_receiver_sees_every_value() {
    let (tx, mut a) = broadcast::channel(4);
    let mut b = tx.subscribe();
    assert_eq!(tx.send(1).unwrap(), 2);
    tx.send(2).unwrap();
    assert_eq!(task(a.recv()).ready(), Ok(1));
    assert_eq!(task(a.recv()).ready(), Ok(2));
    assert_eq!(b.try_recv(), Ok(1));
    assert_eq!(b.try_recv(), Ok(2));
    assert_eq!(b.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn waiting_receivers_are_woken() {
    let (tx, mut a) = broadcast::channel(2);
    let mut b = tx.subscribe();
    let mut ta = task(a.recv());
    let mut tb = task(b.recv());
    ta.pending();
    tb.pending();
    tx.send(5).unwrap();
    assert!(ta.is_woken() && tb.is_woken());
    assert_eq!(ta.ready(), Ok(5));
    assert_eq!(tb.ready(), Ok(5));
}

#[test]
fn lagging_receiver_skips_and_continues() {
    let (tx, mut rx) = broadcast::channel(2);
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 5);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(3)));
    assert_eq!(task(rx.recv()).ready(), Ok(3));
    assert_eq!(task(rx.recv()).ready(), Ok(4));
}

#[test]
fn closed_after_draining() {
    let (tx, mut rx) = broadcast::channel(2);
    tx.send(1).unwrap();
    let mut t = task(async move {
        let a = rx.recv().await;
        let b = rx.recv().await;
        (a, b)
    });
    drop(tx);
    assert_eq!(t.ready(), (Ok(1), Err(RecvError::Closed)));
}

#[test]
fn closing_wakes_waiters() {
    let (tx, mut rx) = broadcast::channel::<u8>(2);
    let mut t = task(rx.recv());
    t.pending();
    drop(tx);
    assert!(t.is_woken());
    assert_eq!(t.ready(), Err(RecvError::Closed));
}

#[test]
fn send_without_receivers_fails() {
    let (tx, rx) = broadcast::channel(1);
    drop(rx);
    assert_eq!(tx.send(3).unwrap_err().0, 3);
    let mut rx = tx.subscribe();
    tx.send(4).unwrap();
    assert_eq!(rx.try_recv(), Ok(4));
}

#[test]
fn values_dropped_when_all_have_read() {
    let v = Arc::new(());
    let (tx, mut a) = broadcast::channel(4);
    let b = tx.subscribe();
    tx.send(v.clone()).unwrap();
    assert_eq!(Arc::strong_count(&v), 2);
    let got = a.try_recv().unwrap();
    drop(got);
    assert_eq!(Arc::strong_count(&v), 2, "b has not read it");
    drop(b);
    assert_eq!(Arc::strong_count(&v), 1);
    assert!(tx.is_empty());
}

#[test]
fn resubscribe_starts_at_tail() {
    let (tx, rx) = broadcast::channel(4);
    tx.send(1).unwrap();
    let mut rx2 = rx.resubscribe();
    assert_eq!(rx2.try_recv(), Err(TryRecvError::Empty));
    assert!(rx2.same_channel(&rx));
    assert_eq!(tx.receiver_count(), 2);
}

#[test]
fn cancelled_recv_unlinks() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut t = task(rx.recv());
        t.pending();
    }
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn many_waiters_woken() {
    let (tx, rx) = broadcast::channel(2);
    let mut rxs: Vec<_> = (0..50).map(|_| rx.resubscribe()).collect();
    let mut tasks: Vec<_> = rxs.iter_mut().map(|r| task(r.recv())).collect();
    for t in &mut tasks {
        t.pending();
    }
    tx.send(1).unwrap();
    for t in &mut tasks {
        assert!(t.is_woken());
        assert_eq!(t.ready(), Ok(1));
    }
}

#[test]
fn sender_closed_and_weak() {
    let (tx, rx) = broadcast::channel::<u8>(1);
    let mut closed = task(tx.closed());
    closed.pending();
    drop(rx);
    assert!(closed.is_woken());
    closed.ready();
    drop(closed);
    let weak = tx.downgrade();
    assert_eq!(tx.weak_count(), 1);
    assert!(weak.upgrade().is_some());
    drop(tx);
    assert!(weak.upgrade().is_none());
}

#[test]
#[should_panic(expected = "capacity cannot be zero")]
fn zero_capacity_panics() {
    let _ = broadcast::channel::<u8>(0);
}

#[test]
#[should_panic(expected = "blocking_recv")]
fn blocking_recv_inside_runtime_panics() {
    let (_tx, mut rx) = broadcast::channel::<u8>(1);
    while_driving(|| rx.blocking_recv()).ok();
}

#[test]
fn threads() {
    let (tx, rx) = broadcast::channel(1024);
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.resubscribe();
            std::thread::spawn(move || {
                let mut sum = 0u64;
                loop {
                    match rx.blocking_recv() {
                        Ok(v) => sum += v,
                        Err(RecvError::Closed) => return sum,
                        Err(RecvError::Lagged(_)) => panic!("capacity is large enough"),
                    }
                }
            })
        })
        .collect();
    drop(rx);
    for i in 0..1000u64 {
        tx.send(i).unwrap();
    }
    drop(tx);
    for h in handles {
        assert_eq!(h.join().unwrap(), 999 * 1000 / 2);
    }
}
