//! A fixed-size batch of wakers, collected under a lock and woken after it.
//!
//! Wakers run arbitrary code (a foreign executor's may even take locks), so the
//! primitives never call them with their own mutex held: they move up to
//! [`CAPACITY`] wakers into a `WakeList`, release the mutex, wake the batch, and
//! lock again if more waiters remain. No allocation is involved.

use std::fmt;
use std::mem::MaybeUninit;
use std::task::Waker;

/// How many wakers one batch holds.
const CAPACITY: usize = 32;

pub(crate) struct WakeList {
    /// Slots `0..len` are initialised; the rest are not.
    wakers: [MaybeUninit<Waker>; CAPACITY],
    len: usize,
}

impl fmt::Debug for WakeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakeList").field("len", &self.len).finish()
    }
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList {
            wakers: [const { MaybeUninit::uninit() }; CAPACITY],
            len: 0,
        }
    }

    pub(crate) fn can_push(&self) -> bool {
        self.len < CAPACITY
    }

    /// Adds a waker.
    ///
    /// # Panics
    ///
    /// Panics if the batch is full; check [`WakeList::can_push`] first.
    pub(crate) fn push(&mut self, waker: Waker) {
        assert!(self.can_push(), "WakeList overflow: callers check can_push");
        self.wakers[self.len].write(waker);
        self.len += 1;
    }

    /// Wakes every waker in the batch, emptying it.
    pub(crate) fn wake_all(&mut self) {
        while self.len > 0 {
            self.len -= 1;
            // SAFETY: slot `len` (after the decrement) was initialised by `push`
            // and is read exactly once, because `len` no longer covers it.
            let waker = unsafe { self.wakers[self.len].assume_init_read() };
            waker.wake();
        }
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        let len = self.len;
        self.len = 0;
        for slot in &mut self.wakers[..len] {
            // SAFETY: slots below the old `len` are initialised, and `len` was
            // reset first so none of them is dropped twice.
            unsafe { slot.assume_init_drop() };
        }
    }
}
