//! The task allocation: `Cell` = `Header` | `Core` (scheduler + stage) |
//! `Trailer` (join waker), one heap allocation per task.
//!
//! The stage is a union of the future and its output rather than an enum:
//! the state word already says which of the two is live (task/mod.rs,
//! "Stage"), so a discriminant would only cost memory in every task.

use super::state::State;
use super::{Id, JoinError, Schedule};
use crate::loom::cell::UnsafeCell;
use crate::util::linked_list::{self, Pointers};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// What a task's join handle receives.
pub(super) type Output<T> = Result<T, JoinError>;

/// The whole task, laid out so that a `*mut Cell` is a `*mut Header`.
#[repr(C)]
pub(super) struct Cell<F: Future, S> {
    pub(super) header: Header,
    pub(super) core: Core<F, S>,
    pub(super) trailer: Trailer,
}

/// The part of a task that is the same for every future type.
#[repr(C)]
pub(crate) struct Header {
    /// State bits and reference count.
    pub(super) state: State,
    /// Functions that know the concrete `Cell<F, S>`.
    pub(super) vtable: &'static super::raw::Vtable,
    /// Links on the owned-tasks list, guarded by that list's shard lock.
    pub(super) owned: Pointers<Header>,
    /// The task's id.
    pub(super) id: Id,
}

/// The scheduler handle and the stage.
pub(super) struct Core<F: Future, S> {
    pub(super) scheduler: S,
    stage: UnsafeCell<Stage<F>>,
}

/// The future, or its output; the state word says which is live.
union Stage<F: Future> {
    future: ManuallyDrop<F>,
    output: ManuallyDrop<Output<F::Output>>,
}

/// The join waker, owned by the handle or the runtime per JOIN_WAKER.
pub(super) struct Trailer {
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the header's fields are an atomic, a shared `'static` vtable, an id,
// and links that are only touched under the owned list's lock.
unsafe impl Send for Header {}
// SAFETY: as above.
unsafe impl Sync for Header {}

impl<F: Future, S: Schedule> Cell<F, S> {
    /// Allocates a new task and returns a pointer to its header.
    pub(super) fn allocate(future: F, scheduler: S, id: Id) -> NonNull<Header> {
        let cell = Box::new(Cell {
            header: Header {
                state: State::new(),
                vtable: super::raw::vtable::<F, S>(),
                owned: Pointers::new(),
                id,
            },
            core: Core {
                scheduler,
                stage: UnsafeCell::new(Stage {
                    future: ManuallyDrop::new(future),
                }),
            },
            trailer: Trailer {
                waker: UnsafeCell::new(None),
            },
        });
        NonNull::from(Box::leak(cell)).cast()
    }
}

impl<F: Future, S> Core<F, S> {
    /// Polls the future.
    ///
    /// # Safety
    ///
    /// The caller must have set RUNNING (it owns the stage) and the future
    /// must be live (not COMPLETE, not yet dropped).
    pub(super) unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.stage.with_mut(|stage| {
            // SAFETY: the caller owns the stage and the future is live; the
            // task allocation never moves, so pinning it is sound.
            let future = unsafe { Pin::new_unchecked(&mut *(*stage).future) };
            future.poll(cx)
        })
    }

    /// Drops the future in place.
    ///
    /// # Safety
    ///
    /// As for `poll`; afterwards the future is gone and must not be touched.
    pub(super) unsafe fn drop_future(&self) {
        // SAFETY: the caller owns the stage and the future is live.
        self.stage
            .with_mut(|stage| unsafe { ManuallyDrop::drop(&mut (*stage).future) });
    }

    /// Writes the output.
    ///
    /// # Safety
    ///
    /// The caller must own the stage (RUNNING) and the future must be gone.
    pub(super) unsafe fn store_output(&self, output: Output<F::Output>) {
        // SAFETY: the caller owns the stage; the future's storage is dead, so
        // overwriting it leaks nothing.
        self.stage.with_mut(|stage| unsafe {
            std::ptr::write(&mut (*stage).output, ManuallyDrop::new(output));
        });
    }

    /// Moves the output out.
    ///
    /// # Safety
    ///
    /// The task must be COMPLETE, the output not yet consumed, and the caller
    /// the one party entitled to consume it (task/mod.rs, "Stage").
    pub(super) unsafe fn take_output(&self) -> Output<F::Output> {
        // SAFETY: per the caller's contract the output is live and ours.
        self.stage
            .with_mut(|stage| unsafe { ManuallyDrop::take(&mut (*stage).output) })
    }

    /// Drops the output in place.
    ///
    /// # Safety
    ///
    /// As for `take_output`.
    pub(super) unsafe fn drop_output(&self) {
        // SAFETY: per the caller's contract the output is live and ours.
        self.stage
            .with_mut(|stage| unsafe { ManuallyDrop::drop(&mut (*stage).output) });
    }
}

impl Trailer {
    /// Replaces the join waker.
    ///
    /// # Safety
    ///
    /// The caller must own the waker field (task/mod.rs, "Join waker").
    pub(super) unsafe fn set_waker(&self, waker: Option<Waker>) {
        // SAFETY: the caller owns the field.
        self.waker.with_mut(|w| unsafe { *w = waker });
    }

    /// Whether the stored waker would wake the same task as `waker`.
    ///
    /// # Safety
    ///
    /// The caller must be allowed to read the field (owner, or JOIN_WAKER set
    /// and the caller is the join handle).
    pub(super) unsafe fn will_wake(&self, waker: &Waker) -> bool {
        // SAFETY: the caller may read the field.
        self.waker
            .with(|w| unsafe { (*w).as_ref() }.is_some_and(|w| w.will_wake(waker)))
    }

    /// Wakes the join waker by reference.
    ///
    /// # Safety
    ///
    /// JOIN_WAKER must be set and the task COMPLETE (the runtime may read).
    pub(super) unsafe fn wake_join(&self) {
        // SAFETY: the caller may read the field.
        self.waker.with(|w| match unsafe { &*w } {
            Some(waker) => waker.wake_by_ref(),
            None => panic!("JOIN_WAKER was set without a waker stored"),
        });
    }
}

impl Header {
    pub(super) fn id(&self) -> Id {
        self.id
    }
}

/// Threads task headers on the owned-tasks list.
pub(crate) struct OwnedLink;

// SAFETY: `pointers` returns the header's own `owned` field; a task is on at
// most one owned list (the one of the runtime that spawned it) and stays
// allocated while on it, because the list holds a reference.
unsafe impl linked_list::Link for OwnedLink {
    type Target = Header;

    unsafe fn pointers(target: NonNull<Header>) -> NonNull<Pointers<Header>> {
        // SAFETY: target is live (caller contract); addr_of avoids making a
        // reference to the whole header.
        unsafe { NonNull::new_unchecked(std::ptr::addr_of_mut!((*target.as_ptr()).owned)) }
    }
}
