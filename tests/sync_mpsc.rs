//! `zokio::sync::mpsc` through the public API, on every runtime flavour.

#[macro_use]
mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use zokio::sync::mpsc::{self, error::TryRecvError, error::TrySendError};

rt_test! {
    #[test]
    fn many_producers_bounded() {
        let rt = rt();
        let sum = rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(16);
            for p in 0..4u64 {
                let tx = tx.clone();
                zokio::spawn(async move {
                    for i in 0..1000u64 {
                        tx.send(p * 1000 + i).await.unwrap();
                    }
                });
            }
            drop(tx);
            let mut last = [None::<u64>; 4];
            let mut sum = 0;
            while let Some(v) = rx.recv().await {
                let p = (v / 1000) as usize;
                assert!(last[p].is_none_or(|l| l < v), "per-producer order");
                last[p] = Some(v);
                sum += v;
            }
            sum
        });
        assert_eq!(sum, (0..4000u64).sum::<u64>());
    }

    #[test]
    fn unbounded_and_recv_many() {
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let producer = zokio::spawn(async move {
                for i in 0..500 {
                    tx.send(i).unwrap();
                }
            });
            let mut buf = Vec::new();
            while rx.recv_many(&mut buf, 64).await > 0 {}
            producer.await.unwrap();
            assert_eq!(buf, (0..500).collect::<Vec<_>>());
        });
    }

    #[test]
    fn backpressure_and_close() {
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(1).await.unwrap();
            assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
            let tx2 = tx.clone();
            let blocked = zokio::spawn(async move { tx2.send(2).await.map_err(|e| e.0) });
            zokio::task::yield_now().await;
            rx.close();
            // No slot frees before the close, so the blocked sender fails
            // and gets its value back.
            assert_eq!(blocked.await.unwrap(), Err(2));
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(rx.recv().await, None);
            assert!(tx.is_closed());
            tx.closed().await;
        });
    }

    #[test]
    fn send_timeout_times_out_then_succeeds() {
        use std::time::Duration;
        use zokio::sync::mpsc::error::SendTimeoutError;
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(1).await.unwrap();
            let res = tx.send_timeout(2, Duration::from_millis(20)).await;
            assert!(matches!(res, Err(SendTimeoutError::Timeout(2))));
            let tx2 = tx.clone();
            let later = zokio::spawn(async move {
                tx2.send_timeout(3, Duration::from_secs(10)).await.map_err(|e| e.into_inner())
            });
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(later.await.unwrap(), Ok(()));
            assert_eq!(rx.recv().await, Some(3));
            drop(rx);
            let res = tx.send_timeout(4, Duration::from_secs(10)).await;
            assert!(matches!(res, Err(SendTimeoutError::Closed(4))));
        });
    }

    #[test]
    fn receiver_as_stream() {
        use futures_core::Stream;
        use std::pin::Pin;
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel(4);
            zokio::spawn(async move {
                for i in 0..3 {
                    tx.send(i).await.unwrap();
                }
            });
            let mut got = Vec::new();
            while let Some(v) = std::future::poll_fn(|cx| Pin::new(&mut rx).poll_next(cx)).await {
                got.push(v);
            }
            assert_eq!(got, [0, 1, 2]);
        });
    }

    #[test]
    fn weak_sender_does_not_keep_channel_open() {
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = mpsc::channel::<u8>(1);
            let weak = tx.downgrade();
            drop(tx);
            assert!(weak.upgrade().is_none());
            assert_eq!(rx.recv().await, None);
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        });
    }

    #[test]
    fn blocking_recv_in_runtime_panics() {
        let rt = rt();
        let (_tx, mut rx) = mpsc::channel::<u8>(1);
        let err = catch_unwind(AssertUnwindSafe(|| rt.block_on(async { rx.blocking_recv() })))
            .unwrap_err();
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(msg.contains("blocking_recv"), "{msg}");
    }
}

#[test]
#[should_panic(expected = "buffer > 0")]
fn zero_capacity_panics() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn blocking_bridge_between_threads_and_runtime() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (tx, mut rx) = mpsc::channel(2);
    let producer = std::thread::spawn(move || {
        for i in 0..100 {
            tx.blocking_send(i).unwrap();
        }
    });
    let sum = rt.block_on(async move {
        let mut sum = 0;
        while let Some(v) = rx.recv().await {
            sum += v;
        }
        sum
    });
    producer.join().unwrap();
    assert_eq!(sum, 4950);
}
