//! The runtime handle a timer keeps, and the per-worker lease that makes
//! taking it cheap.
//!
//! A timer must keep its runtime's handle alive (it may outlive the task
//! that made it, and its drop must reach the wheel). Cloning the runtime's
//! `Arc` for every `sleep`/`timeout` makes all workers increment and
//! decrement one shared reference count: with two workers making a million
//! timeouts, that cache line bouncing between cores was a third of the cost.
//!
//! So a worker thread keeps one lease (`lease.rs`: a clone of the runtime
//! handle with a reference count biased to that thread) in a thread-local.
//! Timers made on that worker take a reference to the lease without an
//! atomic operation, and release it the same way when dropped on that
//! worker (one atomic add when dropped elsewhere). Timers made elsewhere (a
//! `block_on` thread, the current-thread runtime, a thread inside
//! `Runtime::enter`) clone the runtime handle directly.
//!
//! Lifetime: the worker abandons its lease when the thread exits (the
//! runtime's drop joins its threads) or serves another runtime; the lease
//! is freed when its last timer is gone. A timer holding it keeps the
//! runtime's shared state alive exactly as a direct clone would.

use super::lease::{LeaseRef, Owner};
use crate::context;
use crate::scheduler;
use std::cell::RefCell;
use std::fmt;
use std::mem::ManuallyDrop;

/// What a timer holds to reach its runtime.
pub(super) enum TimerHandle {
    /// A clone of the runtime handle.
    Direct(scheduler::Handle),
    /// A reference to this worker's lease (released in `drop`).
    Lease(ManuallyDrop<LeaseRef<scheduler::Handle>>),
}

std::thread_local! {
    /// The lease of the worker running on this thread, if it made a timer.
    static LEASE: RefCell<Option<Owner<scheduler::Handle>>> = const { RefCell::new(None) };
}

impl TimerHandle {
    /// A handle to `handle` (the current runtime), leased if this thread is
    /// one of its workers.
    pub(super) fn for_current(handle: &scheduler::Handle) -> TimerHandle {
        let on_worker =
            matches!(handle, scheduler::Handle::MultiThread(_)) && !context::worker().is_null();
        if !on_worker {
            return TimerHandle::Direct(handle.clone());
        }
        LEASE
            .try_with(|cell| {
                let mut slot = cell.try_borrow_mut().ok()?;
                match &*slot {
                    Some(owner) if same_runtime(owner.get(), handle) => {}
                    // First timer of this worker, or the thread moved to
                    // another runtime: the old lease is abandoned (freed
                    // once its last timer is gone).
                    _ => *slot = Some(Owner::new(handle.clone())),
                }
                slot.as_ref().map(Owner::acquire)
            })
            .ok()
            .flatten()
            .map(|r| TimerHandle::Lease(ManuallyDrop::new(r)))
            .unwrap_or_else(|| TimerHandle::Direct(handle.clone()))
    }

    #[inline]
    pub(super) fn get(&self) -> &scheduler::Handle {
        match self {
            TimerHandle::Direct(handle) => handle,
            TimerHandle::Lease(lease) => lease.get(),
        }
    }
}

impl Drop for TimerHandle {
    fn drop(&mut self) {
        let TimerHandle::Lease(lease) = self else {
            return;
        };
        // SAFETY: `lease` is not used again: this is the handle's drop.
        let mut lease = Some(unsafe { ManuallyDrop::take(lease) });
        // On the owner thread, release without an atomic operation.
        let _ = LEASE.try_with(|cell| {
            if let Ok(slot) = cell.try_borrow() {
                if let Some(owner) = &*slot {
                    if lease.as_ref().is_some_and(|r| owner.owns(r)) {
                        owner.release(lease.take().expect("checked above"));
                    }
                }
            }
        });
        // Anywhere else (or during thread exit): an atomic release.
        drop(lease);
    }
}

fn same_runtime(a: &scheduler::Handle, b: &scheduler::Handle) -> bool {
    use crate::loom::sync::Arc;
    match (a, b) {
        (scheduler::Handle::CurrentThread(a), scheduler::Handle::CurrentThread(b)) => {
            Arc::ptr_eq(a, b)
        }
        (scheduler::Handle::MultiThread(a), scheduler::Handle::MultiThread(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}
