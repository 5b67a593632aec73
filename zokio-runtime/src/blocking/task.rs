//! A blocking closure as a task: it runs to completion on its first poll.

use crate::task::{Notified, Schedule, Task};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `func` once, with cooperative budgeting off (it may block).
pub(crate) struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(crate) fn new(func: F) -> BlockingTask<F> {
        BlockingTask { func: Some(func) }
    }
}

// The closure is never pinned: it is moved out before it runs.
impl<F> Unpin for BlockingTask<F> {}

impl<F, R> Future for BlockingTask<F>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("a blocking task was polled after it completed");
        Poll::Ready(crate::coop::with_unconstrained(func))
    }
}

/// The scheduler of blocking tasks: they are never woken (they finish on
/// their first poll) and are not on an owned list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, _task: Notified<Self>) {
        unreachable!("a blocking task completes on its first poll and is never woken");
    }

    fn release(&self, _task: &Task<Self>) -> Option<Task<Self>> {
        None
    }
}
