//! Wakers built from the task pointer: waking allocates nothing.
//!
//! A `Waker` made here owns one task reference (cloning takes another). The
//! one handed to the future during a poll is borrowed from the running
//! reference and is never dropped (`waker_ref`).

use super::core::Header;
use super::state::{TransitionToNotifiedByRef, TransitionToNotifiedByVal};
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_waker, wake_by_val, wake_by_ref, drop_waker);

/// A waker that borrows the caller's reference: dropping it does nothing.
pub(super) struct WakerRef {
    waker: ManuallyDrop<Waker>,
}

impl Deref for WakerRef {
    type Target = Waker;

    fn deref(&self) -> &Waker {
        &self.waker
    }
}

/// A waker for the task at `header`, valid while the caller's reference is.
pub(super) fn waker_ref(header: NonNull<Header>) -> WakerRef {
    let raw = RawWaker::new(header.as_ptr() as *const (), &WAKER_VTABLE);
    // SAFETY: the vtable's functions uphold the RawWaker contract for a
    // pointer to a live task header; ManuallyDrop keeps this borrowed waker
    // from dropping a reference it does not own.
    let waker = unsafe { Waker::from_raw(raw) };
    WakerRef {
        waker: ManuallyDrop::new(waker),
    }
}

/// # Safety (for every function below)
///
/// `ptr` is the data pointer of a waker made by this module: it points to a
/// live task header, kept alive by the reference the waker owns (or borrows).
unsafe fn header<'a>(ptr: *const ()) -> &'a Header {
    // SAFETY: see the module-level contract above.
    unsafe { &*(ptr as *const Header) }
}

unsafe fn clone_waker(ptr: *const ()) -> RawWaker {
    // SAFETY: waker contract (see `header`).
    unsafe { header(ptr) }.state.ref_inc();
    RawWaker::new(ptr, &WAKER_VTABLE)
}

unsafe fn wake_by_val(ptr: *const ()) {
    // SAFETY: waker contract (see `header`).
    let header = unsafe { header(ptr) };
    let nn = NonNull::from(header);
    match header.state.transition_to_notified_by_val() {
        // SAFETY: the waker's reference became a Notified, which `schedule`
        // takes.
        TransitionToNotifiedByVal::Submit => unsafe { (header.vtable.schedule)(nn) },
        // SAFETY: that was the last reference.
        TransitionToNotifiedByVal::Dealloc => unsafe { (header.vtable.dealloc)(nn) },
        TransitionToNotifiedByVal::DoNothing => {}
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    // SAFETY: waker contract (see `header`).
    let header = unsafe { header(ptr) };
    match header.state.transition_to_notified_by_ref() {
        // SAFETY: the transition took a new reference for the Notified.
        TransitionToNotifiedByRef::Submit => unsafe {
            (header.vtable.schedule)(NonNull::from(header))
        },
        TransitionToNotifiedByRef::DoNothing => {}
    }
}

unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: waker contract (see `header`).
    let header = unsafe { header(ptr) };
    if header.state.ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(NonNull::from(header)) }
    }
}
