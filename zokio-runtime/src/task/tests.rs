//! Unit tests of the task system with counted futures and the test
//! scheduler: exact poll, schedule and drop counts on every path.

use super::core::Cell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::tests::support::{block_on, Counted, DropCounter, TestSched};
use std::future::{pending, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

#[test]
fn task_overhead_is_at_most_64_bytes() {
    #[allow(dead_code)] // only its size matters
    struct Fut24([u64; 3]);
    impl Future for Fut24 {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }
    let cell = std::mem::size_of::<Cell<Fut24, Arc<TestSched>>>();
    let overhead = cell - std::mem::size_of::<Fut24>();
    assert!(overhead <= 64, "per-task overhead is {overhead} bytes");
}

#[test]
fn ready_task_runs_once_and_frees() {
    let sched = TestSched::new();
    let (fut, polls, drops) = Counted::new(0, false);
    let join = TestSched::spawn(&sched, fut);
    assert_eq!(sched.run_queued(), 1);
    assert!(join.is_finished());
    block_on(join).unwrap();
    assert_eq!(polls.load(SeqCst), 1);
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(Arc::strong_count(&sched), 1);
}

#[test]
fn self_wake_reschedules_through_yield() {
    let sched = TestSched::new();
    let (fut, polls, drops) = Counted::new(3, true);
    let join = TestSched::spawn(&sched, fut);
    assert_eq!(sched.run_queued(), 4);
    assert_eq!(sched.scheduled.load(SeqCst), 3);
    block_on(join).unwrap();
    assert_eq!(polls.load(SeqCst), 4);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn abort_idle_task_drops_future_at_once() {
    let sched = TestSched::new();
    let (fut, polls, drops) = Counted::new(usize::MAX, false);
    let join = TestSched::spawn(&sched, fut);
    sched.run_queued();
    assert_eq!(polls.load(SeqCst), 1);
    join.abort();
    assert_eq!(
        drops.load(SeqCst),
        1,
        "abort of an idle task drops it at once"
    );
    let err = block_on(join).unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(Arc::strong_count(&sched), 1);
}

#[test]
fn abort_queued_task_never_polls_it() {
    let sched = TestSched::new();
    let (fut, polls, drops) = Counted::new(0, false);
    let join = TestSched::spawn(&sched, fut);
    join.abort();
    assert_eq!(drops.load(SeqCst), 1);
    sched.run_queued();
    assert_eq!(polls.load(SeqCst), 0);
    assert!(block_on(join).unwrap_err().is_cancelled());
    assert_eq!(Arc::strong_count(&sched), 1);
}

#[test]
fn panic_in_poll_becomes_join_error() {
    let sched = TestSched::new();
    let join = TestSched::spawn(&sched, async { panic!("boom") });
    sched.run_queued();
    let err = block_on(join).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(
        err.to_string(),
        format!("task {} panicked with message \"boom\"", err.id())
    );
    assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
}

#[test]
fn panic_in_drop_on_cancel_becomes_join_error() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("drop boom");
        }
    }
    let sched = TestSched::new();
    let guard = PanicOnDrop;
    let join = TestSched::spawn(&sched, async move {
        let _g = guard;
        pending::<()>().await
    });
    sched.run_queued();
    join.abort();
    let err = block_on(join).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(Arc::strong_count(&sched), 1);
}

#[test]
fn detached_output_is_dropped_by_runtime() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let out = DropCounter(drops.clone());
    let join = TestSched::spawn(&sched, async move { out });
    drop(join);
    sched.run_queued();
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(Arc::strong_count(&sched), 1);
}

#[test]
fn output_read_then_handle_dropped_drops_output_once() {
    let sched = TestSched::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let out = DropCounter(drops.clone());
    let join = TestSched::spawn(&sched, async move { out });
    sched.run_queued();
    let value = block_on(join).unwrap();
    assert_eq!(drops.load(SeqCst), 0);
    drop(value);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn shutdown_cancels_idle_tasks() {
    let sched = TestSched::new();
    let (fut, _polls, drops) = Counted::new(usize::MAX, false);
    let join = TestSched::spawn(&sched, fut);
    sched.run_queued();
    sched.owned.close_and_shutdown_all();
    assert_eq!(drops.load(SeqCst), 1);
    assert!(block_on(join).unwrap_err().is_cancelled());
    // Spawning after close cancels at once.
    let (fut, polls, drops) = Counted::new(0, false);
    let join = TestSched::spawn(&sched, fut);
    assert_eq!(drops.load(SeqCst), 1);
    assert_eq!(polls.load(SeqCst), 0);
    assert!(block_on(join).unwrap_err().is_cancelled());
    assert_eq!(Arc::strong_count(&sched), 1);
}
