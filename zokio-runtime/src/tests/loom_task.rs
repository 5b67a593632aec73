//! Models of the task state machine (task/mod.rs rules 1–6): wakes, aborts
//! and join-handle traffic racing a running or completing task. Each checks
//! exact counts: the future is dropped once, the output once, and the task
//! is freed (its scheduler handle released).

use super::support::{block_on, Counted, DropCounter, TestSched};
use crate::loom::model;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::thread;
use std::future::poll_fn;
use std::task::{Poll, Waker};

/// Only the test's own reference to the scheduler is left: every task that
/// held one was freed.
fn assert_all_tasks_freed(sched: &Arc<TestSched>) {
    assert_eq!(Arc::strong_count(sched), 1, "a task was leaked");
}

#[test]
fn loom_task_wake_while_running() {
    model(|| {
        let sched = TestSched::new();
        let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
        let polls = Arc::new(AtomicUsize::new(0));
        let (slot2, polls2) = (slot.clone(), polls.clone());
        let join = TestSched::spawn(
            &sched,
            poll_fn(move |cx| {
                if polls2.fetch_add(1, SeqCst) == 0 {
                    *slot2.lock() = Some(cx.waker().clone());
                    Poll::Pending
                } else {
                    Poll::Ready(7)
                }
            }),
        );
        let waker_thread = thread::spawn(move || loop {
            if let Some(waker) = slot.lock().take() {
                waker.wake();
                return;
            }
            thread::yield_now();
        });
        // Run until the task completes: the wake lands either during the
        // first poll (rescheduled by the harness) or after it (by the waker).
        while !join.is_finished() {
            sched.run_queued();
            thread::yield_now();
        }
        waker_thread.join().unwrap();
        assert_eq!(polls.load(SeqCst), 2);
        assert_eq!(block_on(join).unwrap(), 7);
        sched.run_queued();
        assert_all_tasks_freed(&sched);
    });
}

#[test]
fn loom_task_abort_while_running() {
    model(|| {
        let sched = TestSched::new();
        let (fut, polls, drops) = Counted::new(usize::MAX, false);
        let join = TestSched::spawn(&sched, fut);
        let abort = join.abort_handle();
        let aborter = thread::spawn(move || abort.abort());
        sched.run_queued();
        aborter.join().unwrap();
        sched.run_queued();
        let err = block_on(join).unwrap_err();
        assert!(err.is_cancelled());
        assert!(polls.load(SeqCst) <= 1);
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the future must be dropped exactly once"
        );
        assert_all_tasks_freed(&sched);
    });
}

#[test]
fn loom_task_join_waker_set_while_completing() {
    model(|| {
        let sched = TestSched::new();
        let join = TestSched::spawn(&sched, async { 42 });
        let sched2 = sched.clone();
        let runner = thread::spawn(move || {
            sched2.run_queued();
        });
        assert_eq!(block_on(join).unwrap(), 42);
        runner.join().unwrap();
        assert_all_tasks_freed(&sched);
    });
}

#[test]
fn loom_task_drop_join_handle_while_completing() {
    model(|| {
        let sched = TestSched::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let output = DropCounter(drops.clone());
        let join = TestSched::spawn(&sched, async move { output });
        let sched2 = sched.clone();
        let runner = thread::spawn(move || {
            sched2.run_queued();
        });
        drop(join);
        runner.join().unwrap();
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the output must be dropped exactly once"
        );
        assert_all_tasks_freed(&sched);
    });
}

#[test]
fn loom_task_shutdown_while_running() {
    model(|| {
        let sched = TestSched::new();
        let (fut, _polls, drops) = Counted::new(1, true);
        let join = TestSched::spawn(&sched, fut);
        let sched2 = sched.clone();
        let runner = thread::spawn(move || {
            sched2.run_queued();
        });
        sched.owned.close_and_shutdown_all();
        runner.join().unwrap();
        // A reschedule that raced the shutdown may still be queued.
        sched.run_queued();
        let res = block_on(join);
        // Either it completed before the shutdown reached it, or it was cancelled.
        assert!(res.is_ok() || res.unwrap_err().is_cancelled());
        assert_eq!(drops.load(SeqCst), 1);
        assert_all_tasks_freed(&sched);
    });
}
