//! `Barrier`: a rendezvous point for a fixed number of tasks.
//!
//! Arrivals are counted under a small blocking mutex. The task that completes
//! a generation resets the count, bumps the generation and calls
//! `notify_waiters`; every other task created its `Notified` while holding the
//! mutex, i.e. before that call, so it is woken (notify.rs rule 4) and no
//! wake-up can be lost.

use crate::loom::sync::Mutex;
use crate::sync::Notify;
use std::fmt;

/// Lets `n` tasks wait for each other: [`wait`](Barrier::wait) returns once
/// `n` calls are waiting, then the barrier is ready for the next `n`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use zokio::sync::Barrier;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let barrier = Arc::new(Barrier::new(3));
/// let mut tasks = Vec::new();
/// for _ in 0..3 {
///     let barrier = barrier.clone();
///     tasks.push(zokio::task::spawn(async move { barrier.wait().await.is_leader() }));
/// }
/// let mut leaders = 0;
/// for t in tasks {
///     leaders += t.await.unwrap() as usize;
/// }
/// assert_eq!(leaders, 1);
/// # });
/// ```
pub struct Barrier {
    state: Mutex<State>,
    notify: Notify,
    n: usize,
}

struct State {
    arrived: usize,
    generation: usize,
}

/// What [`Barrier::wait`] returns: exactly one task per generation is the
/// leader.
#[derive(Debug, Clone, Copy)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this task was the one that completed the generation.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}

impl Barrier {
    /// Creates a barrier for `n` tasks; `n == 0` behaves like `n == 1`.
    pub fn new(n: usize) -> Barrier {
        Barrier {
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
            }),
            notify: Notify::new(),
            n: n.max(1),
        }
    }

    /// Waits until `n` tasks are waiting.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: the arrival counts as soon as the future is first
    /// polled, so dropping it afterwards lets the generation complete with
    /// one task fewer actually waiting.
    pub async fn wait(&self) -> BarrierWaitResult {
        let notified = {
            let mut state = self.state.lock();
            state.arrived += 1;
            if state.arrived == self.n {
                state.arrived = 0;
                state.generation = state.generation.wrapping_add(1);
                drop(state);
                self.notify.notify_waiters();
                return BarrierWaitResult(true);
            }
            // Created with the mutex held, so before the leader's
            // `notify_waiters`.
            self.notify.notified()
        };
        notified.await;
        BarrierWaitResult(false)
    }
}
