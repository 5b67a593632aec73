//! `zokio::sync::{Mutex, RwLock}` through the public API.

#[macro_use]
mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use zokio::sync::{Mutex, MutexGuard, RwLock};

rt_test! {
    #[test]
    fn contended_counter() {
        let rt = rt();
        let total = rt.block_on(async {
            let m = Arc::new(Mutex::new(0u64));
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let m = m.clone();
                tasks.push(zokio::spawn(async move {
                    for _ in 0..1000 {
                        let mut g = m.lock().await;
                        *g += 1;
                        if *g % 100 == 0 {
                            // Hold the lock across a yield now and then.
                            zokio::task::yield_now().await;
                        }
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            let v = *m.lock().await;
            v
        });
        assert_eq!(total, 8000);
    }

    #[test]
    fn lock_is_handed_over_fifo() {
        let rt = rt();
        rt.block_on(async {
            let m = Arc::new(Mutex::new(Vec::new()));
            let guard = m.lock().await;
            let mut tasks = Vec::new();
            for i in 0..5 {
                let m2 = m.clone();
                let (queued_tx, queued_rx) = zokio::sync::oneshot::channel();
                tasks.push(zokio::spawn(async move {
                    // The first poll of `lock` queues the task; report it
                    // after that poll, then wait for the lock as usual.
                    let mut lock = std::pin::pin!(m2.lock());
                    let mut queued_tx = Some(queued_tx);
                    let mut guard = std::future::poll_fn(|cx| {
                        let poll = std::future::Future::poll(lock.as_mut(), cx);
                        if let Some(tx) = queued_tx.take() {
                            let _ = tx.send(());
                        }
                        poll
                    })
                    .await;
                    guard.push(i)
                }));
                // Task `i` is queued before the next one is spawned.
                queued_rx.await.unwrap();
            }
            drop(guard);
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*m.lock().await, [0, 1, 2, 3, 4]);
        });
    }

    #[test]
    fn aborted_waiter_gives_its_place_back() {
        let rt = rt();
        rt.block_on(async {
            let m = Arc::new(Mutex::new(0));
            let guard = m.clone().lock_owned().await;
            let m2 = m.clone();
            let waiter = zokio::spawn(async move { *m2.lock().await += 1 });
            for _ in 0..10 {
                zokio::task::yield_now().await;
            }
            waiter.abort();
            let _ = waiter.await;
            drop(guard);
            *m.lock().await += 10;
            assert_eq!(*m.lock().await, 10);
        });
    }

    #[test]
    fn mapped_and_owned_guards() {
        let rt = rt();
        rt.block_on(async {
            let m = Mutex::new((1, 2));
            let mut second = MutexGuard::map(m.lock().await, |p| &mut p.1);
            *second += 1;
            drop(second);
            assert_eq!(*m.lock().await, (1, 3));
        });
    }

    #[test]
    fn rwlock_readers_and_writers() {
        let rt = rt();
        rt.block_on(async {
            let l = Arc::new(RwLock::new(0u64));
            let mut tasks = Vec::new();
            for i in 0..8 {
                let l = l.clone();
                tasks.push(zokio::spawn(async move {
                    for _ in 0..200 {
                        if i % 2 == 0 {
                            *l.write().await += 1;
                        } else {
                            let r = l.read().await;
                            assert!(*r <= 800);
                        }
                    }
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*l.read().await, 800);
        });
    }

    #[test]
    fn blocking_lock_in_runtime_panics() {
        let rt = rt();
        let m = Mutex::new(0);
        let err = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                drop(m.blocking_lock());
            })
        }))
        .unwrap_err();
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("Mutex::blocking_lock"), "{msg}");
    }
}

#[test]
fn blocking_lock_outside_runtime() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let m = Arc::new(Mutex::new(0));
    let m2 = m.clone();
    let th = std::thread::spawn(move || {
        for _ in 0..100 {
            *m2.blocking_lock() += 1;
        }
    });
    rt.block_on(async {
        for _ in 0..100 {
            *m.lock().await += 1;
        }
    });
    th.join().unwrap();
    assert_eq!(*m.blocking_lock(), 200);
}
