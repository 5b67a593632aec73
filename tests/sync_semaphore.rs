//! `zokio::sync::Semaphore` through the public API.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use zokio::sync::{Semaphore, TryAcquireError};

rt_test! {
    #[test]
    fn limits_concurrency() {
        let rt = rt();
        rt.block_on(async {
            let s = Arc::new(Semaphore::new(3));
            let inside = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let (s, inside) = (s.clone(), inside.clone());
                tasks.push(zokio::spawn(async move {
                    for _ in 0..200 {
                        let _p = s.acquire().await.unwrap();
                        assert!(inside.fetch_add(1, SeqCst) < 3);
                        zokio::task::yield_now().await;
                        inside.fetch_sub(1, SeqCst);
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(s.available_permits(), 3);
        });
    }

    #[test]
    fn close_fails_waiting_tasks() {
        let rt = rt();
        rt.block_on(async {
            let s = Arc::new(Semaphore::new(0));
            let mut waiters = Vec::new();
            for _ in 0..4 {
                let s = s.clone();
                waiters.push(zokio::spawn(async move { s.acquire_many_owned(2).await.is_err() }));
            }
            for _ in 0..10 {
                zokio::task::yield_now().await;
            }
            s.close();
            for w in waiters {
                assert!(w.await.unwrap());
            }
            assert_eq!(s.try_acquire().err(), Some(TryAcquireError::Closed));
        });
    }

    #[test]
    fn aborted_acquire_passes_permits_on() {
        let rt = rt();
        rt.block_on(async {
            let s = Arc::new(Semaphore::new(1));
            let s2 = s.clone();
            // Queues for 2 while holding the only free permit as a partial.
            let greedy = zokio::spawn(async move { s2.acquire_many(2).await.map(|p| p.forget()) });
            for _ in 0..10 {
                zokio::task::yield_now().await;
            }
            greedy.abort();
            let _ = greedy.await;
            let p = s.acquire().await.unwrap();
            assert_eq!(p.num_permits(), 1);
        });
    }
}
