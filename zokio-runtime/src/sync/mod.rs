//! Synchronization primitives for async code.
//!
//! These work on any executor (they only use wakers), take part in Zokio's
//! cooperative budget where Tokio's do (channel receives, `Semaphore`/`Mutex`
//! acquisition, `watch::Receiver::changed`), and have Tokio's names, errors and
//! documented behaviour.
//!
//! | primitive | use it to |
//! |---|---|
//! | [`mpsc`] | send many values from many producers to one consumer |
//! | [`oneshot`] | send one value, e.g. a reply |
//! | [`broadcast`] | send every value to every subscriber |
//! | [`watch`] | publish the latest value of some state |
//! | [`Notify`] | wake one or all waiting tasks |
//! | [`Mutex`], [`RwLock`] | guard state across `.await` points |
//! | [`Semaphore`] | limit concurrency |
//! | [`Barrier`] | rendezvous a fixed number of tasks |
//! | [`OnceCell`] | initialise a value once, asynchronously |
//!
//! Waiting is fair where it matters: `Mutex`, `RwLock` and `Semaphore` serve
//! waiters in FIFO order, and a dropped (cancelled) `lock()`/`acquire()`/
//! `recv()` future gives its place, and anything it had been handed, to the
//! next waiter. The `blocking_*` methods let plain threads use the same
//! primitives; called from a thread that drives a runtime they panic with a
//! message naming the call.
//!
//! # Internals
//!
//! - `wait_list`: the intrusive FIFO of waiting futures (rules for who may
//!   touch a node when), shared by the semaphore, `Notify` and `broadcast`.
//! - `batch_semaphore`: the fair semaphore under `Semaphore`, `Mutex`,
//!   `RwLock`, `OnceCell` and bounded `mpsc` (protocol and lost-wake-up proof
//!   in its module doc).
//! - `notify`, `oneshot`, `mpsc` (`mpsc/mod.rs`), `broadcast`, `watch`: each
//!   opens with its own protocol.
//! - Loom models: `tests/loom_*.rs`; unit tests: `tests/unit_*.rs`.

mod barrier;
mod batch_semaphore;
pub mod broadcast;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
pub mod oneshot;
mod rwlock;
mod semaphore;
mod wait_list;
mod wake_list;
pub mod watch;

#[cfg(test)]
mod tests;

pub use self::barrier::{Barrier, BarrierWaitResult};
pub use self::batch_semaphore::{AcquireError, TryAcquireError};
pub use self::mutex::{
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, TryLockError,
};
pub use self::notify::Notify;
pub use self::once_cell::{OnceCell, SetError};
pub use self::rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use self::semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

pub mod futures {
    //! Named future types of this module.
    pub use super::notify::{Notified, OwnedNotified};
}

/// The `Arc` of the public owned APIs (`self: Arc<Self>`, owned guards).
///
/// It is `std`'s even under loom, as in Tokio: loom's `Arc` cannot be a method
/// receiver. These `Arc`s only keep a primitive alive; none of our protocols
/// relies on their orderings, so the models lose nothing by not seeing them.
/// Shared state *inside* the primitives uses `crate::loom::sync::Arc`.
#[allow(clippy::disallowed_types)]
pub(crate) type Arc<T> = std::sync::Arc<T>;

/// Runs `fut` under the coop budget: one unit per poll, kept when it completes
/// (as for Tokio's budgeted sync operations).
pub(crate) async fn cooperative<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        let mut coop = std::task::ready!(crate::coop::poll_proceed(cx));
        let out = std::task::ready!(fut.as_mut().poll(cx));
        coop.made_progress();
        std::task::Poll::Ready(out)
    })
    .await
}
