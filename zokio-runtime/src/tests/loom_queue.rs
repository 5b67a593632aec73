//! Models of a worker's run queue: the owner pushes (overflowing half of a
//! full queue into the inject queue) and pops while a sibling steals half.
//! Every task must run exactly once, wherever it ends up.
//!
//! The LIFO slot is a plain field of the worker's core, touched only by the
//! thread that holds the core, so it adds no interleavings of its own; the
//! second model checks the hand-off it does take part in: a task displaced
//! from the slot into the queue, stolen concurrently.

use super::support::TestSched;
use crate::loom::model;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::loom::thread;
use crate::scheduler::inject::Inject;
use crate::scheduler::multi_thread::queue;
use crate::task::Notified;

type Task = Notified<Arc<TestSched>>;

/// `n` tasks that each bump `ran` when polled.
fn tasks(sched: &Arc<TestSched>, n: usize, ran: &Arc<AtomicUsize>) -> Vec<Task> {
    for _ in 0..n {
        let ran = ran.clone();
        drop(TestSched::spawn(sched, async move {
            ran.fetch_add(1, SeqCst);
        }));
    }
    sched.queue.lock().drain(..).collect()
}

fn thief(steal: queue::Steal<Arc<TestSched>>) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let (_unused, mut dst) = queue::local();
        let mut n = 0;
        if let Some(task) = steal.steal_into(&mut dst) {
            task.run();
            n += 1;
        }
        while let Some(task) = dst.pop() {
            task.run();
            n += 1;
        }
        n
    })
}

#[test]
fn loom_queue_overflow_during_steal() {
    model(|| {
        let sched = TestSched::new();
        let ran = Arc::new(AtomicUsize::new(0));
        // One more than the loom capacity (4): the last push overflows.
        let all = tasks(&sched, queue::LOCAL_QUEUE_CAPACITY + 1, &ran);
        let inject = Inject::new();
        let (steal, mut local) = queue::local();
        let th = thief(steal);
        for task in all {
            local.push_back_or_overflow(task, &inject);
        }
        let mut n = 0;
        while let Some(task) = local.pop() {
            task.run();
            n += 1;
        }
        while let Some(task) = inject.pop() {
            task.run();
            n += 1;
        }
        n += th.join().unwrap();
        assert_eq!(n, queue::LOCAL_QUEUE_CAPACITY + 1);
        assert_eq!(ran.load(SeqCst), queue::LOCAL_QUEUE_CAPACITY + 1);
    });
}

#[test]
fn loom_queue_lifo_displacement_and_steal() {
    model(|| {
        let sched = TestSched::new();
        let ran = Arc::new(AtomicUsize::new(0));
        let mut all = tasks(&sched, 3, &ran);
        let inject = Inject::new();
        let (steal, mut local) = queue::local();
        let th = thief(steal);
        // The owner's LIFO slot: each new task displaces the previous one
        // into the stealable queue.
        let mut lifo_slot: Option<Task> = None;
        for task in all.drain(..) {
            if let Some(prev) = lifo_slot.replace(task) {
                local.push_back_or_overflow(prev, &inject);
            }
        }
        let mut n = 0;
        if let Some(task) = lifo_slot.take() {
            task.run();
            n += 1;
        }
        while let Some(task) = local.pop() {
            task.run();
            n += 1;
        }
        n += th.join().unwrap();
        assert_eq!(n, 3);
        assert_eq!(ran.load(SeqCst), 3);
    });
}
