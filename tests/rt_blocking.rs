//! The blocking pool and block_in_place.

#[macro_use]
mod common;

use common::wait_until;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;
use zokio::runtime::Builder;

#[test]
fn max_blocking_threads_caps_concurrency() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let hs: Vec<_> = (0..10)
            .map(|_| {
                let (running, peak) = (running.clone(), peak.clone());
                zokio::task::spawn_blocking(move || {
                    let now = running.fetch_add(1, SeqCst) + 1;
                    peak.fetch_max(now, SeqCst);
                    std::thread::sleep(Duration::from_millis(10));
                    running.fetch_sub(1, SeqCst);
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    });
    assert!(
        peak.load(SeqCst) <= 2,
        "peak concurrency {}",
        peak.load(SeqCst)
    );
    assert_eq!(rt.metrics().num_blocking_threads(), 2);
}

#[test]
fn idle_blocking_threads_exit_after_keep_alive() {
    let rt = Builder::new_current_thread()
        .thread_keep_alive(Duration::from_millis(20))
        .build()
        .unwrap();
    rt.block_on(async { zokio::task::spawn_blocking(|| ()).await.unwrap() });
    let m = rt.metrics();
    wait_until(Duration::from_secs(10), || m.num_blocking_threads() == 0);
}

#[test]
fn blocking_threads_are_named() {
    let rt = Builder::new_current_thread()
        .thread_name("blk")
        .build()
        .unwrap();
    let name = rt.block_on(async {
        zokio::task::spawn_blocking(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap()
    });
    assert_eq!(name.as_deref(), Some("blk"));
}

#[test]
fn thread_name_fn_names_each_thread() {
    let n = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name_fn(move || format!("w-{}", n.fetch_add(1, SeqCst)))
        .build()
        .unwrap();
    let name = rt.block_on(async {
        zokio::spawn(async { std::thread::current().name().map(str::to_owned) })
            .await
            .unwrap()
    });
    assert!(name.unwrap().starts_with("w-"));
}

#[test]
fn block_in_place_keeps_other_tasks_running() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // This task blocks its worker until the other task has run.
        let blocker = zokio::spawn(async move {
            zokio::task::block_in_place(move || {
                rx.recv_timeout(Duration::from_secs(10))
                    .expect("the other task never ran while this one blocked")
            });
            1
        });
        // Give the blocker time to start blocking on the only worker.
        std::thread::sleep(Duration::from_millis(20));
        let other = zokio::spawn(async move {
            tx.send(()).unwrap();
            2
        });
        assert_eq!(blocker.await.unwrap() + other.await.unwrap(), 3);
        // The runtime keeps working afterwards.
        assert_eq!(zokio::spawn(async { 5 }).await.unwrap(), 5);
    });
}

#[test]
fn block_in_place_outside_runtime_just_runs() {
    assert_eq!(zokio::task::block_in_place(|| 3), 3);
}

#[test]
fn block_in_place_in_block_on_of_multi_thread_runs() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    assert_eq!(rt.block_on(async { zokio::task::block_in_place(|| 4) }), 4);
}

#[test]
fn spawn_blocking_from_outside_via_handle() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let h = rt.handle().spawn_blocking(|| 8);
    assert_eq!(rt.block_on(h).unwrap(), 8);
}

#[test]
fn metrics_report_workers_and_polls() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let hs: Vec<_> = (0..1000).map(|_| zokio::spawn(async {})).collect();
        for h in hs {
            h.await.unwrap();
        }
    });
    let m = rt.metrics();
    assert_eq!(m.num_workers(), 2);
    wait_until(Duration::from_secs(10), || {
        (0..2).map(|w| m.worker_poll_count(w)).sum::<u64>() >= 1000
    });
    wait_until(Duration::from_secs(10), || {
        (0..2).any(|w| m.worker_park_count(w) > 0)
    });
}

/// Shutdown cancels a queued blocking task but runs a queued mandatory one
/// (the kind `zokio::fs::File` uses for writes it has already reported);
/// once the pool is gone a mandatory task runs on the caller's thread.
#[test]
fn shutdown_runs_queued_mandatory_tasks_and_cancels_the_rest() {
    let rt = Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let (plain, mandatory) = rt.block_on(async {
        // Ahead of the next two on the only thread: they are still queued
        // when the runtime shuts down.
        zokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(100)));
        let r = ran.clone();
        let plain = zokio::task::spawn_blocking(move || r.fetch_add(1, SeqCst));
        let r = ran.clone();
        let mandatory = zokio::task::spawn_mandatory_blocking(move || r.fetch_add(10, SeqCst));
        (plain, mandatory)
    });
    let handle = rt.handle().clone();
    drop(rt);
    assert_eq!(ran.load(SeqCst), 10, "only the mandatory task ran");
    assert!(plain.is_finished() && mandatory.is_finished());

    let _enter = handle.enter();
    let caller = std::thread::current().id();
    let join = zokio::task::spawn_mandatory_blocking(move || std::thread::current().id());
    assert!(join.is_finished(), "ran before returning");
    let ran_on = handle
        .block_on(join)
        .expect("a mandatory task is not cancelled");
    assert_eq!(ran_on, caller);
}
