//! The concurrency facade.
//!
//! Runtime code never names `std::sync`, `parking_lot`, `std::thread` or
//! `std::cell::UnsafeCell` directly: it imports them from here. In a normal
//! build these are the real types (`real.rs`); in this crate's own unit tests
//! built with `RUSTFLAGS="--cfg loom"` they are loom's model-checked types
//! (`mocked.rs`), so the same code is explored under every interleaving loom
//! can reach.
//!
//! The key is `all(test, loom)`: a user who builds their program with
//! `--cfg loom` still gets the real types.
//!
//! What loom cannot see is stated where it matters: crossbeam-deque has no
//! loom support, so `scheduler::multi_thread::queue` swaps in a mutex-guarded
//! `VecDeque` behind the same API under loom; mio cannot run under loom, so the
//! models build schedulers with the driver-less parker.

#[cfg(not(all(test, loom)))]
mod real;
#[cfg(not(all(test, loom)))]
pub(crate) use self::real::*;

#[cfg(all(test, loom))]
mod mocked;
#[cfg(all(test, loom))]
pub(crate) use self::mocked::*;

/// Runs `f` under `loom::model` when loom is on, and once otherwise, so every
/// model is also an ordinary unit test.
#[cfg(test)]
pub(crate) fn model<F>(f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    #[cfg(loom)]
    loom::model(f);
    #[cfg(not(loom))]
    f();
}
