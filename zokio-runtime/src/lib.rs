//! The Zokio runtime: task system, schedulers, drivers, blocking pool,
//! cooperative budgeting and sync primitives.
//!
//! Users depend on the `zokio` facade crate, which re-exports this crate's
//! public modules; this crate holds all of the runtime's `unsafe` code and
//! atomics.
//!
//! Layout (see `docs/architecture.md` at the repository root):
//! - `task/`: one allocation per task, its state word and vtable, wakers,
//!   `JoinHandle`, the owned-tasks list;
//! - `scheduler/`: the current-thread and multi-thread schedulers and the
//!   inject queue;
//! - `driver/`: what a parked scheduler waits on (`driver/io/`: the mio
//!   reactor; see `docs/io.md`);
//! - `io/`: the public `AsyncRead`/`AsyncWrite` traits and utilities;
//! - `blocking/`: the blocking pool;
//! - `loom/`: the concurrency facade, so the same code runs under loom.
#![deny(unsafe_op_in_unsafe_fn)]

mod loom;

mod blocking;
mod builder;
mod context;
mod coop;
mod driver;
mod handle;
mod metrics;
mod park_thread;
mod scheduler;
mod util;

pub mod io;
pub mod runtime;
pub mod sync;
pub mod task;
pub mod time;

/// The I/O driver's resource type, for `zokio-net`. Not public API.
#[doc(hidden)]
pub mod io_support {
    pub use crate::driver::io::{PollEvented, QueueAfterRead};

    /// One unit of the current task's cooperative budget, for work done in
    /// place (a file read served without the pool) that must still make a
    /// busy task yield in time. Call [`spend`](Self::spend) once the work
    /// was done; dropping it instead restores the budget as it was when the
    /// unit was taken, so settle it in the same poll, before any `.await`.
    #[derive(Debug)]
    pub struct BudgetUnit(crate::coop::RestoreOnPending);

    impl BudgetUnit {
        /// Keeps the unit spent.
        pub fn spend(mut self) {
            self.0.made_progress();
        }
    }

    /// Takes a unit of the task's budget, or wakes the task and returns
    /// `Pending` when none is left (outside a task, always `Ready`).
    pub fn poll_take_budget(cx: &mut std::task::Context<'_>) -> std::task::Poll<BudgetUnit> {
        crate::coop::poll_proceed(cx).map(BudgetUnit)
    }
}

/// Items used by the macros of the `zokio` crate. Not public API.
#[doc(hidden)]
pub mod macros_support {
    /// A random number in `0..n` from a thread-local generator (`n` > 0).
    pub fn thread_rng_n(n: u32) -> u32 {
        crate::util::rand::thread_rng_n(n)
    }

    /// `Pending` (after waking the task) if the task's cooperative budget is
    /// used up, so that a `select!` loop over always-ready futures yields.
    pub fn poll_budget_available(cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if crate::coop::has_budget_remaining() {
            std::task::Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests;
