use super::support::{poll_once, task, while_driving};
use crate::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use std::sync::Arc;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn auto_traits() {
    assert_send_sync::<mpsc::Sender<u8>>();
    assert_send_sync::<mpsc::Receiver<u8>>();
    assert_send_sync::<mpsc::UnboundedSender<u8>>();
    assert_send_sync::<mpsc::UnboundedReceiver<u8>>();
    assert_send_sync::<mpsc::Permit<'static, u8>>();
    fn is_send<T: Send>(_: &T) {}
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    is_send(&tx.send(1));
    is_send(&rx.recv());
}

#[test]
#[should_panic(expected = "buffer > 0")]
fn zero_capacity_panics() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn send_recv_in_order() {
    let (tx, mut rx) = mpsc::channel(4);
    for i in 0..4 {
        task(tx.send(i)).ready().unwrap();
    }
    assert_eq!(rx.len(), 4);
    for i in 0..4 {
        assert_eq!(task(rx.recv()).ready(), Some(i));
    }
    assert!(rx.is_empty());
}

#[test]
fn full_channel_waits_then_proceeds_fifo() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
    let mut a = task(tx.send(1));
    let mut b = task(tx.send(2));
    a.pending();
    b.pending();
    assert_eq!(rx.try_recv(), Ok(0));
    assert!(a.is_woken() && !b.is_woken());
    a.ready().unwrap();
    b.pending();
    assert_eq!(rx.try_recv(), Ok(1));
    b.ready().unwrap();
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn recv_waits_and_is_woken() {
    let (tx, mut rx) = mpsc::channel(2);
    let mut r = task(async move { rx.recv().await });
    r.pending();
    tx.try_send(7).unwrap();
    assert!(r.is_woken());
    assert_eq!(r.ready(), Some(7));
}

#[test]
fn dropping_all_senders_ends_the_stream() {
    let (tx, mut rx) = mpsc::channel(2);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    drop(tx);
    let mut r = task(async move {
        let a = rx.recv().await;
        let b = rx.recv().await;
        (a, b, rx)
    });
    r.pending();
    drop(tx2);
    assert!(r.is_woken());
    let (a, b, mut rx) = r.ready();
    assert_eq!((a, b), (Some(1), None));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(rx.is_closed());
}

#[test]
fn try_recv_empty() {
    let (_tx, mut rx) = mpsc::channel::<u8>(1);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn close_fails_waiting_senders_but_keeps_queue() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut waiting = task(tx.send(2));
    waiting.pending();
    let mut closed = task(tx.closed());
    closed.pending();
    rx.close();
    assert!(waiting.is_woken());
    assert_eq!(waiting.ready().unwrap_err().0, 2);
    assert!(closed.is_woken());
    closed.ready();
    assert!(tx.is_closed());
    assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
    assert_eq!(task(rx.recv()).ready(), Some(1));
    assert_eq!(task(rx.recv()).ready(), None);
}

#[test]
fn outstanding_permit_keeps_closed_receiver_waiting() {
    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    let mut r = task(async move {
        let v = rx.recv().await;
        (v, rx)
    });
    r.pending();
    permit.send(5);
    assert!(r.is_woken());
    let (v, mut rx) = r.ready();
    assert_eq!(v, Some(5));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));

    let (tx, mut rx) = mpsc::channel::<u8>(2);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    let mut r = task(async move { rx.recv().await });
    r.pending();
    drop(permit);
    assert!(
        r.is_woken(),
        "dropping the last permit wakes the closed receiver"
    );
    assert_eq!(r.ready(), None);
}

#[test]
fn permits_and_capacity() {
    let (tx, mut rx) = mpsc::channel(3);
    assert_eq!((tx.capacity(), tx.max_capacity()), (3, 3));
    let p = task(tx.reserve()).ready().unwrap();
    assert_eq!(tx.capacity(), 2);
    drop(p);
    assert_eq!(tx.capacity(), 3);
    let p = tx.try_reserve().unwrap();
    p.send(1);
    assert_eq!((tx.capacity(), rx.capacity(), rx.len()), (2, 2, 1));
    let many: Vec<_> = tx.try_reserve_many(2).unwrap().collect();
    assert!(matches!(tx.try_reserve(), Err(TrySendError::Full(()))));
    for (i, p) in many.into_iter().enumerate() {
        p.send(i as i32 + 2);
    }
    let mut buf = Vec::new();
    assert_eq!(task(rx.recv_many(&mut buf, 10)).ready(), 3);
    assert_eq!(buf, [1, 2, 3]);
    assert_eq!(tx.capacity(), 3);
    assert_eq!(task(rx.recv_many(&mut buf, 0)).ready(), 0);
    let owned = task(tx.clone().reserve_owned()).ready().unwrap();
    assert!(owned.same_channel(&tx));
    let tx2 = owned.send(9);
    assert!(tx2.same_channel(&tx));
    let owned = tx2.try_reserve_owned().unwrap();
    let _tx3 = owned.release();
    assert_eq!(tx.capacity(), 2);
    assert_eq!(rx.try_recv(), Ok(9));
}

#[test]
fn cancelled_reserve_passes_slot_on() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut a = task(tx.reserve());
    let mut b = task(tx.reserve());
    a.pending();
    b.pending();
    rx.try_recv().unwrap();
    assert!(a.is_woken());
    drop(a);
    assert!(b.is_woken());
    b.ready().unwrap().send(1);
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn cancelled_recv_loses_nothing() {
    let (tx, mut rx) = mpsc::channel(2);
    {
        let mut r = task(rx.recv());
        r.pending();
    }
    tx.try_send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn weak_sender() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    let weak2 = weak.clone();
    assert_eq!(rx.sender_weak_count(), 2);
    drop(weak2);
    let tx2 = weak.upgrade().unwrap();
    assert_eq!(rx.sender_strong_count(), 2);
    drop(tx);
    drop(tx2);
    assert!(weak.upgrade().is_none());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn receiver_drop_drops_queued_values_and_fails_senders() {
    let v = Arc::new(());
    let (tx, rx) = mpsc::channel(4);
    tx.try_send(v.clone()).unwrap();
    let p = tx.try_reserve().unwrap();
    drop(rx);
    assert_eq!(Arc::strong_count(&v), 1);
    p.send(v.clone());
    assert_eq!(Arc::strong_count(&v), 1, "sends after the drop are dropped");
    assert!(task(tx.send(v.clone())).ready().is_err());
}

#[test]
fn stream_impl() {
    use futures_core::Stream;
    let (tx, mut rx) = mpsc::unbounded_channel();
    tx.send(1).unwrap();
    drop(tx);
    let mut next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut rx).poll_next(cx));
    assert_eq!(poll_once(&mut next), std::task::Poll::Ready(Some(1)));
    let mut next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut rx).poll_next(cx));
    assert_eq!(poll_once(&mut next), std::task::Poll::Ready(None));
}

#[test]
fn unbounded_basics() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..100 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 100);
    let mut buf = Vec::new();
    assert_eq!(task(rx.recv_many(&mut buf, 60)).ready(), 60);
    assert_eq!(rx.len(), 40);
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(tx.send(1).unwrap_err().0, 1);
    let mut n = 0;
    while rx.try_recv().is_ok() {
        n += 1;
    }
    assert_eq!(n, 40);
    assert_eq!(task(rx.recv()).ready(), None);
    let weak = tx.downgrade();
    assert!(weak.upgrade().is_some());
}

#[test]
fn blocking_send_recv_threads() {
    let (tx, mut rx) = mpsc::channel(2);
    let producers: Vec<_> = (0..3)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..1000 {
                    tx.blocking_send(p * 1000 + i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut seen = vec![Vec::new(); 3];
    while let Some(v) = rx.blocking_recv() {
        seen[v / 1000].push(v % 1000);
    }
    for p in producers {
        p.join().unwrap();
    }
    for s in seen {
        assert_eq!(s, (0..1000).collect::<Vec<_>>(), "per-sender order");
    }
}

#[test]
#[should_panic(expected = "blocking_send")]
fn blocking_send_inside_runtime_panics() {
    let (tx, _rx) = mpsc::channel(1);
    while_driving(|| tx.blocking_send(1)).ok();
}

#[test]
#[should_panic(expected = "blocking_recv")]
fn blocking_recv_inside_runtime_panics() {
    let (_tx, mut rx) = mpsc::unbounded_channel::<u8>();
    while_driving(|| rx.blocking_recv());
}

#[test]
fn coop_budget_forces_yield() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..1000 {
        tx.send(i).unwrap();
    }
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    crate::coop::budget(|| {
        let mut n = 0;
        while rx.poll_recv(&mut cx).is_ready() {
            n += 1;
        }
        assert_eq!(n, crate::coop::INITIAL_BUDGET as usize);
    });
}
