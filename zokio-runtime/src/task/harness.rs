//! `Harness`: the typed operations on a task — poll, complete, cancel, join —
//! following the rules in task/mod.rs.

use super::core::{Cell, Core, Header, Output, Trailer};
use super::state::{Snapshot, State, TransitionToAborted, TransitionToIdle, TransitionToRunning};
use super::{waker, JoinError, Notified, Schedule, Task};
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// A typed view of a task.
pub(super) struct Harness<F: Future, S: 'static> {
    cell: NonNull<Cell<F, S>>,
    _p: PhantomData<(F, S)>,
}

impl<F: Future, S: Schedule> Harness<F, S> {
    /// # Safety
    ///
    /// `ptr` must point to the header of a live `Cell<F, S>`.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Harness<F, S> {
        Harness {
            cell: ptr.cast(),
            _p: PhantomData,
        }
    }

    fn header_ptr(&self) -> NonNull<Header> {
        self.cell.cast()
    }

    fn header(&self) -> &Header {
        // SAFETY: the cell is live while a Harness exists (`from_raw`).
        unsafe { &self.cell.as_ref().header }
    }

    fn state(&self) -> &State {
        &self.header().state
    }

    fn core(&self) -> &Core<F, S> {
        // SAFETY: as in `header`.
        unsafe { &self.cell.as_ref().core }
    }

    fn trailer(&self) -> &Trailer {
        // SAFETY: as in `header`.
        unsafe { &self.cell.as_ref().trailer }
    }

    // ---- running ------------------------------------------------------------

    /// Runs the task once, consuming the `Notified` reference it came with.
    pub(super) fn poll(self) {
        match self.state().transition_to_running() {
            TransitionToRunning::Success => {
                let waker = waker::waker_ref(self.header_ptr());
                let mut cx = Context::from_waker(&waker);
                match self.poll_future(&mut cx) {
                    Poll::Ready(output) => {
                        // SAFETY: RUNNING is ours and the future was dropped by
                        // `poll_future` (rule 2: we own the stage).
                        unsafe { self.core().store_output(output) };
                        self.complete();
                    }
                    Poll::Pending => self.after_pending(),
                }
            }
            TransitionToRunning::Cancelled => {
                self.cancel_future();
                self.complete();
            }
            TransitionToRunning::Failed => {}
            TransitionToRunning::Dealloc => self.dealloc(),
        }
    }

    /// Polls the future under panic protection. On `Ready` (output or panic)
    /// the future has been dropped.
    fn poll_future(&self, cx: &mut Context<'_>) -> Poll<Output<F::Output>> {
        let id = self.header().id();
        let prev = crate::context::set_current_task(Some(id));
        // SAFETY: RUNNING is ours and the future is live (rule 2).
        let res = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.core().poll(cx) }));
        let out = match res {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => {
                // SAFETY: as above; the future finished and is dropped once.
                let dropped =
                    panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.core().drop_future() }));
                Poll::Ready(match dropped {
                    Ok(()) => Ok(value),
                    Err(payload) => Err(JoinError::panic(id, payload)),
                })
            }
            Err(payload) => {
                // SAFETY: as above; a future that panicked is still dropped.
                let _ =
                    panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.core().drop_future() }));
                Poll::Ready(Err(JoinError::panic(id, payload)))
            }
        };
        crate::context::set_current_task(prev);
        out
    }

    fn after_pending(self) {
        match self.state().transition_to_idle() {
            TransitionToIdle::Ok => {}
            TransitionToIdle::OkNotified => {
                // SAFETY: the running reference became this Notified (state.rs).
                let notified = unsafe { Notified::<S>::from_raw(self.header_ptr()) };
                self.core().scheduler.yield_now(notified);
            }
            TransitionToIdle::OkDealloc => self.dealloc(),
            TransitionToIdle::Cancelled => {
                self.cancel_future();
                self.complete();
            }
        }
    }

    /// Drops the future and stores a cancellation (or, if the drop panicked,
    /// a panic) as the output.
    fn cancel_future(&self) {
        let id = self.header().id();
        let prev = crate::context::set_current_task(Some(id));
        // SAFETY: RUNNING is ours and the future is live (rule 2).
        let res = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.core().drop_future() }));
        crate::context::set_current_task(prev);
        let err = match res {
            Ok(()) => JoinError::cancelled(id),
            Err(payload) => JoinError::panic(id, payload),
        };
        // SAFETY: RUNNING is ours and the future is gone.
        unsafe { self.core().store_output(Err(err)) };
    }

    /// Publishes the stored output, notifies the join handle, leaves the
    /// owned list and drops the running reference.
    fn complete(self) {
        let snapshot = self.state().transition_to_complete();
        let _ = panic::catch_unwind(AssertUnwindSafe(|| self.notify_join(snapshot)));

        let task = Task::<S>::from_header_ref(self.header_ptr());
        let released = self.core().scheduler.release(&task);
        let num_release = match released {
            Some(owned) => {
                // The owned-list reference is dropped by the count below.
                std::mem::forget(owned);
                2
            }
            None => 1,
        };
        if self.state().transition_to_terminal(num_release) {
            self.dealloc();
        }
    }

    fn notify_join(&self, snapshot: Snapshot) {
        if !snapshot.is_join_interested() {
            // SAFETY: no join handle remains, so by rule 4 the runtime
            // consumes the output it just stored.
            unsafe { self.core().drop_output() };
        } else if snapshot.is_join_waker_set() {
            // SAFETY: COMPLETE and JOIN_WAKER are set: the runtime may read
            // the waker (rule 5).
            unsafe { self.trailer().wake_join() };
            let prev = self.state().unset_waker_after_complete();
            if !prev.is_join_interested() {
                // SAFETY: the handle dropped meanwhile and left the waker to us.
                unsafe { self.trailer().set_waker(None) };
            }
        }
    }

    /// Submits a `Notified` made from a reference the caller gives up.
    pub(super) fn schedule(self) {
        // SAFETY: the caller's reference becomes the Notified.
        let notified = unsafe { Notified::<S>::from_raw(self.header_ptr()) };
        self.core().scheduler.schedule(notified);
    }

    pub(super) fn dealloc(self) {
        // SAFETY: the reference count reached zero, so no one else can reach
        // the cell; the stage holds nothing live (rule 4), so dropping the
        // Box drops just the scheduler handle and the (empty) waker slot.
        drop(unsafe { Box::from_raw(self.cell.as_ptr()) });
    }

    // ---- cancellation -------------------------------------------------------

    /// Aborts: cancels at once if idle, else marks the task so that whoever
    /// runs it cancels it.
    pub(super) fn abort(self) {
        if !self.core().scheduler.may_cancel_here() {
            if self.state().transition_to_notified_and_cancel() {
                // The new reference becomes the Notified that `schedule` takes.
                self.schedule();
            }
            return;
        }
        match self.state().transition_to_aborted() {
            TransitionToAborted::DoNothing => {}
            TransitionToAborted::CancelInPlace => {
                self.cancel_future();
                self.complete();
            }
        }
    }

    /// Shutdown: called with the owned-list reference after the task was
    /// taken off the list.
    pub(super) fn shutdown(self) {
        if self.state().transition_to_shutdown() {
            // We claimed the idle task; the owned reference is the running one.
            self.cancel_future();
            self.complete();
        } else if self.state().ref_dec() {
            // Someone else is running it and will see CANCELLED.
            self.dealloc();
        }
    }

    // ---- joining ------------------------------------------------------------

    pub(super) fn try_read_output(self, dst: *mut Poll<Output<F::Output>>, waker: &Waker) {
        if self.can_read_output(waker) {
            // SAFETY: COMPLETE is set and the join handle (our caller) is the
            // one party entitled to take the output (rule 4).
            let output = unsafe { self.core().take_output() };
            // SAFETY: `dst` is a valid `Poll<Output<T>>` slot (raw.rs contract).
            unsafe { *dst = Poll::Ready(output) };
        }
    }

    /// True if complete; else makes sure `waker` is the stored join waker.
    fn can_read_output(&self, waker: &Waker) -> bool {
        let snapshot = self.state().load();
        if snapshot.is_complete() {
            return true;
        }
        let res = if snapshot.is_join_waker_set() {
            // SAFETY: the handle may read the waker it stored (rule 5).
            if unsafe { self.trailer().will_wake(waker) } {
                return false;
            }
            self.state()
                .unset_waker()
                .and_then(|_| self.set_join_waker(waker.clone()))
        } else {
            self.set_join_waker(waker.clone())
        };
        match res {
            Ok(_) => false,
            Err(snapshot) => {
                debug_assert!(snapshot.is_complete());
                true
            }
        }
    }

    fn set_join_waker(&self, waker: Waker) -> Result<Snapshot, Snapshot> {
        // SAFETY: JOIN_WAKER is unset, so the handle owns the field (rule 5).
        unsafe { self.trailer().set_waker(Some(waker)) };
        let res = self.state().set_join_waker();
        if res.is_err() {
            // SAFETY: the set failed, so JOIN_WAKER is still unset and the
            // field is still ours.
            unsafe { self.trailer().set_waker(None) };
        }
        res
    }

    pub(super) fn drop_join_handle_slow(self, output_taken: bool) {
        let (prev, next) = self.state().transition_to_join_handle_dropped();
        if prev.is_complete() && !output_taken {
            // SAFETY: COMPLETE was set while we still had interest, so the
            // output is ours to consume (rule 4).
            let _ = panic::catch_unwind(AssertUnwindSafe(|| unsafe { self.core().drop_output() }));
        }
        if !next.is_join_waker_set() {
            // SAFETY: JOIN_WAKER is unset, so the field is ours (rule 5).
            unsafe { self.trailer().set_waker(None) };
        }
        if self.state().ref_dec() {
            self.dealloc();
        }
    }
}
