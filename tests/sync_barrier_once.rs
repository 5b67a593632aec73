//! `zokio::sync::{Barrier, OnceCell}` through the public API.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use zokio::sync::{Barrier, OnceCell};

rt_test! {
    #[test]
    fn barrier_generations() {
        let rt = rt();
        rt.block_on(async {
            let b = Arc::new(Barrier::new(4));
            let mut tasks = Vec::new();
            for _ in 0..4 {
                let b = b.clone();
                tasks.push(zokio::spawn(async move {
                    let mut leaders = 0;
                    for _ in 0..20 {
                        if b.wait().await.is_leader() {
                            leaders += 1;
                        }
                    }
                    leaders
                }));
            }
            let mut leaders = 0;
            for t in tasks {
                leaders += t.await.unwrap();
            }
            assert_eq!(leaders, 20);
        });
    }

    #[test]
    fn once_cell_initialises_once() {
        let rt = rt();
        rt.block_on(async {
            let cell = Arc::new(OnceCell::new());
            let calls = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::new();
            for i in 0..8 {
                let (cell, calls) = (cell.clone(), calls.clone());
                tasks.push(zokio::spawn(async move {
                    *cell
                        .get_or_init(|| async {
                            calls.fetch_add(1, SeqCst);
                            zokio::task::yield_now().await;
                            i
                        })
                        .await
                }));
            }
            let mut values = Vec::new();
            for t in tasks {
                values.push(t.await.unwrap());
            }
            assert_eq!(calls.load(SeqCst), 1);
            assert!(values.windows(2).all(|w| w[0] == w[1]));
        });
    }
}
