//! Shutdown: futures are dropped, threads are joined and stopped, and
//! timeouts are honoured.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zokio::runtime::Builder;

#[test]
fn shutdown_timeout_with_stuck_blocking_task_returns_in_time() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    rt.spawn_blocking(move || {
        // Stuck until the test ends (bounded: at most 30 s).
        let _ = rx.recv_timeout(Duration::from_secs(30));
    });
    let start = Instant::now();
    rt.shutdown_timeout(Duration::from_millis(100));
    let took = start.elapsed();
    drop(tx);
    assert!(
        took < Duration::from_secs(10),
        "shutdown_timeout took {took:?}"
    );
}

#[test]
fn shutdown_background_does_not_wait() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    rt.spawn_blocking(move || {
        let _ = rx.recv_timeout(Duration::from_secs(30));
    });
    let start = Instant::now();
    rt.shutdown_background();
    let took = start.elapsed();
    drop(tx);
    assert!(
        took < Duration::from_secs(10),
        "shutdown_background took {took:?}"
    );
}

#[test]
fn thread_start_and_stop_hooks_run_once_per_thread() {
    for flavor in ["current", "multi"] {
        let starts = Arc::new(AtomicUsize::new(0));
        let stops = Arc::new(AtomicUsize::new(0));
        let names = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (s1, s2, n) = (starts.clone(), stops.clone(), names.clone());
        let mut builder = if flavor == "current" {
            Builder::new_current_thread()
        } else {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(3);
            b
        };
        let rt = builder
            .thread_name("hooked")
            .on_thread_start(move || {
                s1.fetch_add(1, SeqCst);
                n.lock()
                    .unwrap()
                    .push(std::thread::current().name().map(str::to_owned));
            })
            .on_thread_stop(move || {
                s2.fetch_add(1, SeqCst);
            })
            .build()
            .unwrap();
        rt.block_on(async {
            let hs: Vec<_> = (0..4)
                .map(|_| {
                    zokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20)))
                })
                .collect();
            for h in hs {
                h.await.unwrap();
            }
        });
        drop(rt);
        let started = starts.load(SeqCst);
        assert!(started >= 4, "{flavor}: only {started} threads started");
        assert_eq!(
            started,
            stops.load(SeqCst),
            "{flavor}: every started thread stops once"
        );
        assert!(names
            .lock()
            .unwrap()
            .iter()
            .all(|n| n.as_deref() == Some("hooked")));
    }
}

#[test]
fn tasks_that_spawn_while_being_dropped_do_not_leak() {
    struct SpawnOnDrop;
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            // The runtime is shutting down: this spawn is cancelled at once.
            if let Ok(handle) = zokio::runtime::Handle::try_current() {
                drop(handle.spawn(async {}));
            }
        }
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for _ in 0..100 {
        let guard = SpawnOnDrop;
        rt.spawn(async move {
            let _g = guard;
            std::future::pending::<()>().await;
        });
    }
    drop(rt);
}

/// A worker that has just run a task keeps looking for work for a few
/// microseconds before it parks. Dropping the runtime in that window must
/// still stop every worker: the shutdown's unpark must not be lost to the
/// spin. 300 runtimes, each dropped right after its last task finished,
/// under a watchdog.
#[test]
fn drop_while_workers_look_for_work_stops_them() {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for i in 0..300u64 {
            let rt = Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let hs: Vec<_> = (0..4).map(|k| zokio::spawn(async move { k + i })).collect();
                for h in hs {
                    h.await.unwrap();
                }
            });
            // Vary the gap so the drop lands in different phases of the spin.
            if i % 3 == 1 {
                std::thread::yield_now();
            } else if i % 3 == 2 {
                std::thread::sleep(Duration::from_micros(20));
            }
            drop(rt);
        }
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("a runtime's drop hung: a worker missed the shutdown");
}
