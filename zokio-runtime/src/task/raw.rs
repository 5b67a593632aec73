//! `RawTask`: an untyped pointer to a task, and the per-future vtable that
//! lets untyped code (wakers, queues, join handles) reach typed operations.

use super::core::{Cell, Header};
use super::harness::Harness;
use super::{Id, Schedule};
use std::future::Future;
use std::ptr::NonNull;
use std::task::Waker;

/// Typed operations on a task, one table per (future, scheduler) type.
pub(crate) struct Vtable {
    /// Runs the task: consumes a `Notified` reference.
    pub(super) poll: unsafe fn(NonNull<Header>),
    /// Hands a `Notified` reference to the task's scheduler.
    pub(super) schedule: unsafe fn(NonNull<Header>),
    /// Frees the allocation.
    pub(super) dealloc: unsafe fn(NonNull<Header>),
    /// Reads the output into `*mut Poll<Output<T>>` if complete, else stores the waker.
    pub(super) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// Drops the join handle's interest (and output); the bool says whether
    /// the handle already took the output.
    pub(super) drop_join_handle_slow: unsafe fn(NonNull<Header>, bool),
    /// Aborts the task.
    pub(super) abort: unsafe fn(NonNull<Header>),
    /// Cancels the task for runtime shutdown; consumes the owned-list reference.
    pub(super) shutdown: unsafe fn(NonNull<Header>),
}

/// The vtable of `Cell<F, S>`.
pub(super) fn vtable<F: Future, S: Schedule>() -> &'static Vtable {
    &Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle_slow: drop_join_handle_slow::<F, S>,
        abort: abort::<F, S>,
        shutdown: shutdown::<F, S>,
    }
}

/// An untyped, copyable pointer to a task. Holding one says nothing about
/// references: the typed wrappers (`Task`, `Notified`, `JoinHandle`, wakers)
/// each own one reference.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

impl RawTask {
    pub(super) fn new<F: Future, S: Schedule>(future: F, scheduler: S, id: Id) -> RawTask {
        RawTask {
            ptr: Cell::allocate(future, scheduler, id),
        }
    }

    /// # Safety
    ///
    /// `ptr` must point to a live task header.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a RawTask is only made from a live task, and the typed
        // wrapper that holds it keeps a reference for as long as it exists.
        unsafe { self.ptr.as_ref() }
    }

    pub(super) fn poll(self) {
        // SAFETY: the vtable matches the cell it came with; the caller gives
        // up a Notified reference, as `poll` requires.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    pub(super) fn dealloc(self) {
        // SAFETY: called when the reference count reached zero.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    ///
    /// `dst` must be a `*mut Poll<Output<T>>` of the task's output type.
    pub(super) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    pub(super) fn drop_join_handle_slow(self, output_taken: bool) {
        // SAFETY: called once, by the join handle, with its reference.
        unsafe { (self.header().vtable.drop_join_handle_slow)(self.ptr, output_taken) }
    }

    pub(super) fn abort(self) {
        // SAFETY: the caller holds a reference, which keeps the task alive.
        unsafe { (self.header().vtable.abort)(self.ptr) }
    }

    pub(super) fn shutdown(self) {
        // SAFETY: called with the owned-list reference, which it consumes.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    pub(super) fn ref_inc(self) {
        self.header().state.ref_inc();
    }

    /// Drops one reference, freeing the task if it was the last.
    pub(super) fn drop_reference(self) {
        if self.header().state.ref_dec() {
            self.dealloc();
        }
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id()
    }

    pub(super) fn is_complete(&self) -> bool {
        self.header().state.load().is_complete()
    }
}

// Each entry recovers the typed harness from the header pointer: valid
// because a vtable is only ever stored in a `Cell<F, S>` of its own types.

unsafe fn poll<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable belongs to a Cell<F, S> (see above).
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll();
}

unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable belongs to a Cell<F, S>; the caller gives up a
    // reference, which becomes the Notified.
    unsafe { Harness::<F, S>::from_raw(ptr) }.schedule();
}

unsafe fn dealloc<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable belongs to a Cell<F, S>, and the count reached zero.
    unsafe { Harness::<F, S>::from_raw(ptr) }.dealloc();
}

unsafe fn try_read_output<F: Future, S: Schedule>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) {
    // SAFETY: the vtable belongs to a Cell<F, S>; `dst` has the output's type
    // (the JoinHandle<F::Output> that calls us was made with this task).
    unsafe { Harness::<F, S>::from_raw(ptr).try_read_output(dst.cast(), waker) };
}

unsafe fn drop_join_handle_slow<F: Future, S: Schedule>(ptr: NonNull<Header>, taken: bool) {
    // SAFETY: the vtable belongs to a Cell<F, S>.
    unsafe { Harness::<F, S>::from_raw(ptr) }.drop_join_handle_slow(taken);
}

unsafe fn abort<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable belongs to a Cell<F, S>.
    unsafe { Harness::<F, S>::from_raw(ptr) }.abort();
}

unsafe fn shutdown<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the vtable belongs to a Cell<F, S>.
    unsafe { Harness::<F, S>::from_raw(ptr) }.shutdown();
}
