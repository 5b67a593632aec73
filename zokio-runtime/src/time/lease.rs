//! A reference count biased to one thread: the owner thread takes and
//! drops references without atomic operations; other threads drop theirs
//! with one atomic add.
//!
//! Used by `handle.rs` so that every `sleep`/`timeout` made on a worker
//! keeps its runtime alive without an atomic increment and decrement (see
//! there for why that matters).
//!
//! # Protocol
//!
//! A `Lease<T>` holds `value`, `local`, `final_local` and `state` (remote
//! releases in the low bits, `ABANDONED` in the top bit).
//!
//! 1. [`Owner`] is `!Send`: it stays on the thread that made it. Only
//!    through it are references taken (`local += 1`) and released on the
//!    owner thread (`local -= 1`), so `local` is only touched by that
//!    thread while the owner lives.
//! 2. A [`LeaseRef`] dropped anywhere else (or after its owner is gone)
//!    adds 1 to `state` (AcqRel). References outstanding = `local` minus
//!    the remote releases in `state`; it never goes negative.
//! 3. Dropping the `Owner` ("abandon") freezes `local`: it publishes it in
//!    `final_local`, then sets `ABANDONED` with an AcqRel `fetch_or`.
//! 4. Exactly one party frees the lease: the owner if `state` already
//!    counted `final_local` remote releases when it set `ABANDONED` (none
//!    are outstanding, so no later release can come); else the remote
//!    release whose `fetch_add` brings the count to `final_local` after
//!    `ABANDONED` was set. Both decisions read one modification order of
//!    `state`, so they cannot both hold. The RMWs on `state` carry every
//!    earlier use of the lease to the freeing thread (a release sequence),
//!    and the `fetch_add` that saw `ABANDONED` synchronises with the owner's
//!    `fetch_or`, so it reads the `final_local` stored before it.
//!
//! The loom models in `src/tests/loom_time.rs` check rules 2-4.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

const ABANDONED: usize = 1 << (usize::BITS - 1);
const COUNT: usize = !ABANDONED;

struct Lease<T> {
    value: T,
    /// References taken minus those released on the owner thread (rule 1).
    local: UnsafeCell<usize>,
    /// `local` when the owner abandoned the lease (rule 3).
    final_local: AtomicUsize,
    /// Remote releases | ABANDONED (rules 2-4).
    state: AtomicUsize,
}

/// The owner thread's side of a lease.
pub(crate) struct Owner<T> {
    ptr: NonNull<Lease<T>>,
    /// `!Send` and `!Sync`: rule 1.
    _not_send: PhantomData<*const ()>,
}

/// A counted reference to a lease's value.
pub(crate) struct LeaseRef<T> {
    ptr: NonNull<Lease<T>>,
    _owns: PhantomData<Lease<T>>,
}

// SAFETY: a `LeaseRef` gives `&T` on any thread (so `T: Sync`) and may drop
// the value on any thread (so `T: Send`); its own release is an atomic
// operation (rule 2).
unsafe impl<T: Send + Sync> Send for LeaseRef<T> {}
// SAFETY: `&LeaseRef` only gives `&T`.
unsafe impl<T: Send + Sync> Sync for LeaseRef<T> {}

impl<T> Owner<T> {
    pub(crate) fn new(value: T) -> Owner<T> {
        let lease = Box::new(Lease {
            value,
            local: UnsafeCell::new(0),
            final_local: AtomicUsize::new(0),
            state: AtomicUsize::new(0),
        });
        Owner {
            ptr: NonNull::from(Box::leak(lease)),
            _not_send: PhantomData,
        }
    }

    fn lease(&self) -> &Lease<T> {
        // SAFETY: the owner keeps the lease alive until it abandons it (in
        // its drop), rule 4.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn get(&self) -> &T {
        &self.lease().value
    }

    /// Takes a reference: no atomic operation.
    pub(crate) fn acquire(&self) -> LeaseRef<T> {
        // SAFETY: rule 1, we are the owner on its thread.
        self.lease().local.with_mut(|p| unsafe { *p += 1 });
        LeaseRef {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }

    /// Whether `r` is a reference to this owner's lease.
    pub(crate) fn owns(&self, r: &LeaseRef<T>) -> bool {
        self.ptr == r.ptr
    }

    /// Releases `r` on the owner thread: no atomic operation.
    ///
    /// # Panics
    ///
    /// If `r` is not a reference to this lease (see [`owns`](Self::owns)).
    pub(crate) fn release(&self, r: LeaseRef<T>) {
        assert!(self.owns(&r), "released a reference to another lease");
        std::mem::forget(r);
        // SAFETY: rule 1; `r` was counted in `local` and is gone now, so
        // the count stays at least the number of outstanding references.
        self.lease().local.with_mut(|p| unsafe { *p -= 1 });
    }
}

impl<T> Drop for Owner<T> {
    fn drop(&mut self) {
        let lease = self.lease();
        // SAFETY: rule 1; this is the owner's last access.
        let local = lease.local.with(|p| unsafe { *p });
        // Relaxed: published by the AcqRel `fetch_or` below (rule 4).
        lease.final_local.store(local, Relaxed);
        let prev = lease.state.fetch_or(ABANDONED, AcqRel);
        debug_assert_eq!(prev & ABANDONED, 0, "a lease is abandoned once");
        if prev & COUNT == local {
            // SAFETY: every reference was released (rule 4): we are the
            // only party left.
            unsafe { free(self.ptr) };
        }
    }
}

impl<T> LeaseRef<T> {
    pub(crate) fn get(&self) -> &T {
        // SAFETY: a live reference keeps the lease allocated (rule 4).
        unsafe { &self.ptr.as_ref().value }
    }
}

impl<T> Drop for LeaseRef<T> {
    fn drop(&mut self) {
        // SAFETY: live until this release is counted (rule 4).
        let lease = unsafe { self.ptr.as_ref() };
        // AcqRel: our uses of the lease happen before the free, whoever
        // frees; and seeing ABANDONED syncs with the owner (rule 4).
        let prev = lease.state.fetch_add(1, AcqRel);
        debug_assert!(prev & COUNT < COUNT, "lease release count overflow");
        if prev & ABANDONED != 0 && (prev & COUNT) + 1 == lease.final_local.load(Relaxed) {
            // SAFETY: the last outstanding reference, after abandonment.
            unsafe { free(self.ptr) };
        }
    }
}

/// # Safety
///
/// `ptr` came from `Owner::new` and the caller is the one party rule 4
/// lets free it.
unsafe fn free<T>(ptr: NonNull<Lease<T>>) {
    // SAFETY: caller contract; the box was leaked by `Owner::new`.
    drop(unsafe { Box::from_raw(ptr.as_ptr()) });
}

impl<T: fmt::Debug> fmt::Debug for LeaseRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl<T> fmt::Debug for Owner<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Owner").finish_non_exhaustive()
    }
}
