//! The runtime's behaviour through the public API, on every flavour.

#[macro_use]
mod common;

use common::{drop_flag, wait_until};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

rt_test! {
    #[test]
    fn block_on_returns_value() {
        assert_eq!(rt().block_on(async { 7 }), 7);
    }

    #[test]
    fn spawn_and_join() {
        let rt = rt();
        let out = rt.block_on(async {
            let a = zokio::spawn(async { 1 });
            let b = zokio::spawn(async { 2 });
            a.await.unwrap() + b.await.unwrap()
        });
        assert_eq!(out, 3);
    }

    #[test]
    fn many_tasks_complete() {
        let rt = rt();
        let n = 100_000u64;
        let sum = rt.block_on(async move {
            let handles: Vec<_> = (0..n).map(|i| zokio::spawn(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, n * (n - 1) / 2);
    }

    #[test]
    fn spawn_from_spawned_tasks() {
        let rt = rt();
        let count = rt.block_on(async {
            let counter = Arc::new(AtomicUsize::new(0));
            let mut outer = Vec::new();
            for _ in 0..50 {
                let counter = counter.clone();
                outer.push(zokio::spawn(async move {
                    let mut inner = Vec::new();
                    for _ in 0..50 {
                        let counter = counter.clone();
                        inner.push(zokio::spawn(async move {
                            counter.fetch_add(1, SeqCst);
                        }));
                    }
                    for h in inner {
                        h.await.unwrap();
                    }
                }));
            }
            for h in outer {
                h.await.unwrap();
            }
            counter.load(SeqCst)
        });
        assert_eq!(count, 2500);
    }

    #[test]
    fn chained_spawn() {
        fn chain(n: usize, done: Arc<AtomicBool>) {
            if n == 0 {
                done.store(true, SeqCst);
            } else {
                zokio::spawn(async move { chain(n - 1, done) });
            }
        }
        let rt = rt();
        let done = Arc::new(AtomicBool::new(false));
        let d = done.clone();
        rt.block_on(async move {
            chain(1000, d);
            while !done.load(SeqCst) {
                zokio::task::yield_now().await;
            }
        });
    }

    #[test]
    fn panicking_task_leaves_runtime_usable() {
        let rt = rt();
        rt.block_on(async {
            let err = zokio::spawn(async { panic!("task failed") }).await.unwrap_err();
            assert!(err.is_panic());
            assert!(!err.is_cancelled());
            let msg = err.into_panic();
            assert_eq!(*msg.downcast::<&str>().unwrap(), "task failed");
            // Still works afterwards.
            assert_eq!(zokio::spawn(async { 5 }).await.unwrap(), 5);
        });
        assert_eq!(rt.block_on(async { zokio::spawn(async { 6 }).await.unwrap() }), 6);
    }

    #[test]
    fn abort_drops_future() {
        let rt = rt();
        rt.block_on(async {
            let (dropped, guard) = drop_flag();
            let handle = zokio::spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            zokio::task::yield_now().await;
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_cancelled());
            assert!(dropped.load(SeqCst));
            assert_eq!(err.to_string(), format!("task {} was cancelled", err.id()));
        });
    }

    #[test]
    fn abort_handle_aborts_and_reports_finished() {
        let rt = rt();
        rt.block_on(async {
            let handle = zokio::spawn(std::future::pending::<()>());
            let abort = handle.abort_handle();
            assert_eq!(abort.id(), handle.id());
            assert!(!abort.is_finished());
            abort.abort();
            assert!(handle.await.unwrap_err().is_cancelled());
            assert!(abort.is_finished());
        });
    }

    #[test]
    fn dropping_join_handle_detaches() {
        let rt = rt();
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        rt.block_on(async move {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            drop(zokio::spawn(async move {
                r.store(true, SeqCst);
                tx.send(()).unwrap();
            }));
            while rx.try_recv().is_err() {
                zokio::task::yield_now().await;
            }
        });
        assert!(ran.load(SeqCst));
    }

    #[test]
    fn is_finished_after_completion() {
        let rt = rt();
        rt.block_on(async {
            let handle = zokio::spawn(async {});
            let mut spins = 0;
            while !handle.is_finished() {
                zokio::task::yield_now().await;
                spins += 1;
                assert!(spins < 100_000, "task never finished");
            }
            handle.await.unwrap();
        });
    }

    #[test]
    fn task_ids() {
        let rt = rt();
        rt.block_on(async {
            assert!(zokio::task::try_id().is_some() || zokio::task::try_id().is_none());
            let handle = zokio::spawn(async { zokio::task::id() });
            let id = handle.id();
            assert_eq!(handle.await.unwrap(), id);
            let other = zokio::spawn(async {});
            assert_ne!(other.id(), id);
            other.await.unwrap();
        });
        assert!(zokio::task::try_id().is_none());
    }

    #[test]
    fn yield_now_spinner_does_not_starve_others() {
        let rt = rt();
        rt.block_on(async {
            let flag = Arc::new(AtomicBool::new(false));
            let f = flag.clone();
            let spinner = zokio::spawn(async move {
                let mut spins = 0u64;
                while !f.load(SeqCst) {
                    zokio::task::yield_now().await;
                    spins += 1;
                    assert!(spins < 10_000_000, "the setter never ran");
                }
            });
            let setter = zokio::spawn(async move { flag.store(true, SeqCst) });
            setter.await.unwrap();
            spinner.await.unwrap();
        });
    }

    #[test]
    fn budget_forces_busy_task_to_yield() {
        // The spinner never returns Pending by itself except through the
        // budget: consume_budget must make it yield so the setter runs.
        let rt = rt();
        rt.block_on(async {
            let flag = Arc::new(AtomicBool::new(false));
            let f = flag.clone();
            let spinner = zokio::spawn(async move {
                let mut spins = 0u64;
                while !f.load(SeqCst) {
                    zokio::task::consume_budget().await;
                    spins += 1;
                    assert!(spins < 100_000_000, "the setter never ran");
                }
                spins
            });
            let setter = zokio::spawn(async move { flag.store(true, SeqCst) });
            setter.await.unwrap();
            spinner.await.unwrap();
        });
    }

    #[test]
    fn unconstrained_runs_to_completion() {
        let rt = rt();
        let out = rt.block_on(zokio::task::unconstrained(async {
            for _ in 0..1000 {
                zokio::task::consume_budget().await;
            }
            9
        }));
        assert_eq!(out, 9);
    }

    #[test]
    fn spawn_from_outside_thread_wakes_runtime() {
        let rt = rt();
        let handle = rt.handle().clone();
        let join = std::thread::spawn(move || handle.spawn(async { 11 }))
            .join()
            .unwrap();
        assert_eq!(rt.block_on(join).unwrap(), 11);
    }

    #[test]
    fn wake_from_outside_thread() {
        let rt = rt();
        rt.block_on(async {
            let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
            let done = Arc::new(AtomicBool::new(false));
            let d = done.clone();
            let th = std::thread::spawn(move || {
                let waker = rx.recv().unwrap();
                d.store(true, SeqCst);
                waker.wake();
            });
            let mut sent = false;
            std::future::poll_fn(|cx| {
                if done.load(SeqCst) {
                    return std::task::Poll::Ready(());
                }
                if !sent {
                    tx.send(cx.waker().clone()).unwrap();
                    sent = true;
                }
                std::task::Poll::Pending
            })
            .await;
            th.join().unwrap();
        });
    }

    #[test]
    fn spawn_blocking_returns_value() {
        let rt = rt();
        let out = rt.block_on(async {
            zokio::task::spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(5));
                3
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 3);
    }

    #[test]
    fn spawn_blocking_panic_is_join_error() {
        let rt = rt();
        rt.block_on(async {
            let err = zokio::task::spawn_blocking(|| panic!("blocking boom")).await.unwrap_err();
            assert!(err.is_panic());
        });
    }

    #[test]
    fn enter_makes_spawn_work_outside_block_on() {
        let rt = rt();
        let handle = {
            let _guard = rt.enter();
            zokio::spawn(async { 4 })
        };
        assert_eq!(rt.block_on(handle).unwrap(), 4);
    }

    #[test]
    fn handle_current_inside_runtime() {
        let rt = rt();
        rt.block_on(async {
            let handle = zokio::runtime::Handle::current();
            assert_eq!(handle.spawn(async { 1 }).await.unwrap(), 1);
        });
    }

    #[test]
    fn dropping_runtime_drops_pending_tasks() {
        let rt = rt();
        let mut flags = Vec::new();
        for _ in 0..100 {
            let (flag, guard) = drop_flag();
            flags.push(flag);
            rt.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
        }
        rt.block_on(async { zokio::task::yield_now().await });
        drop(rt);
        assert!(flags.iter().all(|f| f.load(SeqCst)));
    }

    #[test]
    fn join_handle_of_dropped_runtime_reports_cancelled() {
        let rt = rt();
        let handle = rt.spawn(std::future::pending::<()>());
        drop(rt);
        let err = zokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(handle)
            .unwrap_err();
        assert!(err.is_cancelled());
    }

    #[test]
    fn shutdown_background_drops_tasks() {
        let rt = rt();
        let (flag, guard) = drop_flag();
        rt.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        rt.shutdown_background();
        wait_until(Duration::from_secs(10), || flag.load(SeqCst));
    }

    #[test]
    fn metrics_count_alive_tasks() {
        let rt = rt();
        let m = rt.metrics();
        assert_eq!(m.num_alive_tasks(), 0);
        let h = rt.spawn(std::future::pending::<()>());
        assert_eq!(m.num_alive_tasks(), 1);
        h.abort();
        let _ = rt.block_on(h);
        wait_until(Duration::from_secs(10), || m.num_alive_tasks() == 0);
        let _ = m.global_queue_depth();
        for w in 0..m.num_workers() {
            let _ = m.worker_local_queue_depth(w);
            let _ = m.worker_total_busy_duration(w);
        }
    }
}
