//! `zokio::sync::{broadcast, watch}` through the public API.

#[macro_use]
mod common;

use zokio::sync::{broadcast, watch};

rt_test! {
    #[test]
    fn broadcast_fan_out() {
        let rt = rt();
        rt.block_on(async {
            let (tx, rx) = broadcast::channel(128);
            let mut tasks = Vec::new();
            for _ in 0..4 {
                let mut rx = rx.resubscribe();
                tasks.push(zokio::spawn(async move {
                    let mut sum = 0u64;
                    loop {
                        match rx.recv().await {
                            Ok(v) => sum += v,
                            Err(broadcast::error::RecvError::Closed) => return sum,
                            Err(broadcast::error::RecvError::Lagged(n)) => panic!("lagged {n}"),
                        }
                    }
                }));
            }
            drop(rx);
            for i in 0..100u64 {
                tx.send(i).unwrap();
                if i % 50 == 0 {
                    zokio::task::yield_now().await;
                }
            }
            drop(tx);
            for t in tasks {
                assert_eq!(t.await.unwrap(), 4950);
            }
        });
    }

    #[test]
    fn broadcast_lag_is_reported() {
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = broadcast::channel(4);
            for i in 0..10 {
                tx.send(i).unwrap();
            }
            assert_eq!(rx.recv().await, Err(broadcast::error::RecvError::Lagged(6)));
            assert_eq!(rx.recv().await, Ok(6));
        });
    }

    #[test]
    fn watch_latest_value_and_close() {
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = watch::channel(0);
            let observer = zokio::spawn(async move {
                let mut seen = Vec::new();
                while rx.changed().await.is_ok() {
                    seen.push(*rx.borrow_and_update());
                }
                seen
            });
            for i in 1..=100 {
                tx.send(i).unwrap();
                zokio::task::yield_now().await;
            }
            drop(tx);
            let seen = observer.await.unwrap();
            assert_eq!(seen.last(), Some(&100));
            assert!(seen.windows(2).all(|w| w[0] < w[1]));
        });
    }

    #[test]
    fn watch_wait_for() {
        let rt = rt();
        rt.block_on(async {
            let (tx, mut rx) = watch::channel(0);
            zokio::spawn(async move {
                for i in 1..=10 {
                    tx.send_modify(|v| *v = i);
                    zokio::task::yield_now().await;
                }
                tx.closed().await;
            });
            assert_eq!(*rx.wait_for(|v| *v >= 10).await.unwrap(), 10);
        });
    }
}
