//! JoinSet through the public API.

#[macro_use]
mod common;

use common::drop_flag;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;
use zokio::task::JoinSet;

rt_test! {
    #[test]
    fn join_next_returns_all_in_completion_order() {
        rt().block_on(async {
            let mut set = JoinSet::new();
            assert!(set.is_empty());
            for i in 0..100u64 {
                set.spawn(async move {
                    for _ in 0..(i % 7) {
                        zokio::task::yield_now().await;
                    }
                    i
                });
            }
            assert_eq!(set.len(), 100);
            let mut seen = Vec::new();
            while let Some(res) = set.join_next().await {
                seen.push(res.unwrap());
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..100).collect::<Vec<_>>());
            assert!(set.join_next().await.is_none());
        });
    }

    #[test]
    fn join_next_with_id_matches_abort_handle() {
        rt().block_on(async {
            let mut set = JoinSet::new();
            let abort = set.spawn(async { 3 });
            let (id, v) = set.join_next_with_id().await.unwrap().unwrap();
            assert_eq!(id, abort.id());
            assert_eq!(v, 3);
        });
    }

    #[test]
    fn dropping_the_set_aborts_its_tasks() {
        rt().block_on(async {
            let (dropped, guard) = drop_flag();
            let mut set = JoinSet::new();
            set.spawn(async move {
                let _g = guard;
                std::future::pending::<()>().await;
            });
            zokio::task::yield_now().await;
            drop(set);
            let mut spins = 0;
            while !dropped.load(SeqCst) {
                zokio::task::yield_now().await;
                spins += 1;
                assert!(spins < 100_000, "task never dropped");
            }
        });
    }

    #[test]
    fn abort_all_then_join_reports_cancelled() {
        rt().block_on(async {
            let mut set = JoinSet::new();
            for _ in 0..10 {
                set.spawn(std::future::pending::<()>());
            }
            set.abort_all();
            let mut cancelled = 0;
            while let Some(res) = set.join_next().await {
                assert!(res.unwrap_err().is_cancelled());
                cancelled += 1;
            }
            assert_eq!(cancelled, 10);
        });
    }

    #[test]
    fn shutdown_empties_the_set() {
        rt().block_on(async {
            let mut set = JoinSet::new();
            for _ in 0..5 {
                set.spawn(std::future::pending::<()>());
            }
            set.shutdown().await;
            assert!(set.is_empty());
        });
    }

    #[test]
    fn detach_all_keeps_tasks_running() {
        rt().block_on(async {
            let (tx, rx) = std::sync::mpsc::channel();
            let mut set = JoinSet::new();
            set.spawn(async move {
                zokio::task::yield_now().await;
                tx.send(1).unwrap();
            });
            set.detach_all();
            assert!(set.is_empty());
            drop(set);
            let mut spins = 0;
            while rx.try_recv().is_err() {
                zokio::task::yield_now().await;
                spins += 1;
                assert!(spins < 1_000_000, "detached task never ran");
            }
        });
    }

    #[test]
    fn join_all_collects_outputs() {
        rt().block_on(async {
            let mut set = JoinSet::new();
            for i in 0..10 {
                set.spawn(async move { i });
            }
            let mut all = set.join_all().await;
            all.sort_unstable();
            assert_eq!(all, (0..10).collect::<Vec<_>>());
        });
    }

    #[test]
    fn try_join_next_does_not_wait() {
        rt().block_on(async {
            let mut set: JoinSet<()> = JoinSet::new();
            assert!(set.try_join_next().is_none());
            set.spawn(async {});
            let mut got = None;
            for _ in 0..100_000 {
                if let Some(res) = set.try_join_next() {
                    got = Some(res);
                    break;
                }
                zokio::task::yield_now().await;
            }
            got.expect("task never finished").unwrap();
        });
    }

    #[test]
    fn spawn_blocking_in_set() {
        rt().block_on(async {
            let mut set = JoinSet::new();
            set.spawn_blocking(|| {
                std::thread::sleep(Duration::from_millis(1));
                4
            });
            assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
        });
    }
}

#[test]
#[should_panic(expected = "boom in set")]
fn join_all_resumes_a_task_panic() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut set = JoinSet::new();
        set.spawn(async { panic!("boom in set") });
        set.join_all().await;
    });
}

/// `spawn_local_on` puts `!Send` futures on a given `LocalSet`: they run
/// when that set is driven, and the `JoinSet` collects their outputs.
#[test]
fn spawn_local_on_runs_on_the_given_local_set() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = zokio::task::LocalSet::new();
    let mut set = zokio::task::JoinSet::new();
    for i in 0..5u32 {
        // An Rc makes the future !Send.
        let shared = std::rc::Rc::new(i);
        set.spawn_local_on(async move { *shared * 10 }, &local);
    }
    assert_eq!(set.len(), 5);
    let mut got = local.block_on(&rt, async {
        let mut got = Vec::new();
        while let Some(res) = set.join_next().await {
            got.push(res.unwrap());
        }
        got
    });
    got.sort_unstable();
    assert_eq!(got, vec![0, 10, 20, 30, 40]);
}
