//! LocalSet and spawn_local through the public API.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use zokio::runtime::Builder;
use zokio::task::LocalSet;

#[test]
fn spawn_local_runs_non_send_futures() {
    let rt = Builder::new_current_thread().build().unwrap();
    let local = LocalSet::new();
    let counter = Rc::new(Cell::new(0));
    let c = counter.clone();
    local.block_on(&rt, async move {
        let mut handles = Vec::new();
        for _ in 0..100 {
            let c = c.clone();
            handles.push(zokio::task::spawn_local(async move {
                zokio::task::yield_now().await;
                c.set(c.get() + 1);
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(counter.get(), 100);
}

#[test]
fn local_set_on_multi_thread_runtime() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let local = LocalSet::new();
    let out = local.block_on(&rt, async {
        let rc = Rc::new(5);
        let from_pool = zokio::spawn(async { 1 }).await.unwrap();
        let local = zokio::task::spawn_local(async move { *rc }).await.unwrap();
        from_pool + local
    });
    assert_eq!(out, 6);
}

#[test]
fn local_set_as_future_runs_until_empty() {
    let rt = Builder::new_current_thread().build().unwrap();
    let local = LocalSet::new();
    let done = Rc::new(Cell::new(false));
    let d = done.clone();
    local.spawn_local(async move {
        zokio::task::yield_now().await;
        d.set(true);
    });
    rt.block_on(local);
    assert!(done.get());
}

#[test]
fn wake_from_another_thread_reaches_local_task() {
    let rt = Builder::new_current_thread().build().unwrap();
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let (tx, rx) = std::sync::mpsc::channel::<std::task::Waker>();
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let th = std::thread::spawn(move || {
            let w = rx.recv().unwrap();
            f.store(true, SeqCst);
            w.wake();
        });
        let not_send = Rc::new(());
        zokio::task::spawn_local(async move {
            let _keep = not_send;
            let mut sent = false;
            std::future::poll_fn(|cx| {
                if flag.load(SeqCst) {
                    return std::task::Poll::Ready(());
                }
                if !sent {
                    tx.send(cx.waker().clone()).unwrap();
                    sent = true;
                }
                std::task::Poll::Pending
            })
            .await;
        })
        .await
        .unwrap();
        th.join().unwrap();
    });
}

#[test]
fn abort_from_another_thread_cancels_on_owner() {
    let rt = Builder::new_current_thread().build().unwrap();
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let owner = std::thread::current().id();
        // The Rc makes the future !Send, as a real local task would be.
        struct Check(std::thread::ThreadId, #[allow(dead_code)] Rc<()>);
        impl Drop for Check {
            fn drop(&mut self) {
                assert_eq!(
                    std::thread::current().id(),
                    self.0,
                    "dropped off its thread"
                );
            }
        }
        let check = Check(owner, Rc::new(()));
        let handle = zokio::task::spawn_local(async move {
            let _c = check;
            std::future::pending::<()>().await;
        });
        zokio::task::yield_now().await;
        let abort = handle.abort_handle();
        std::thread::spawn(move || abort.abort()).join().unwrap();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled());
    });
}

#[test]
fn dropping_local_set_drops_its_tasks() {
    let rt = Builder::new_current_thread().build().unwrap();
    let dropped = Rc::new(Cell::new(false));
    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    {
        let local = LocalSet::new();
        let flag = Flag(dropped.clone());
        local.spawn_local(async move {
            let _f = flag;
            std::future::pending::<()>().await;
        });
        local.block_on(&rt, async { zokio::task::yield_now().await });
    }
    assert!(dropped.get());
}

#[test]
fn enter_allows_spawn_local() {
    let local = LocalSet::new();
    let handle = {
        let _guard = local.enter();
        zokio::task::spawn_local(async { 2 })
    };
    let rt = Builder::new_current_thread().build().unwrap();
    assert_eq!(local.block_on(&rt, handle).unwrap(), 2);
}

#[test]
#[should_panic(expected = "`spawn_local` called from outside of a `task::LocalSet`")]
fn spawn_local_outside_local_set_panics() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        drop(zokio::task::spawn_local(async {}));
    });
}
