//! The thread-local context: which runtime this thread has entered, whether
//! it is driving one, the cooperative budget and the id of the task being
//! polled.
//!
//! Invariants:
//! - `handle` is set by [`enter`] guards, which nest and restore the previous
//!   handle on drop (a guard dropped out of order panics).
//! - `runtime` is `Entered` exactly while this thread drives a scheduler
//!   (a worker loop or a `block_on`); blocking operations are refused then.

use crate::coop::Budget;
use crate::scheduler;
use crate::task::Id;
use std::cell::{Cell, RefCell};

struct Context {
    /// The runtime this thread has entered (`Runtime::enter`, workers, `block_on`).
    handle: RefCell<Option<scheduler::Handle>>,
    /// How many `enter` guards are live, to check they drop in order.
    depth: Cell<usize>,
    /// Whether this thread is driving a runtime right now.
    driving: Cell<bool>,
    /// Remaining budget of the task being polled.
    budget: Cell<Budget>,
    /// Id of the task being polled, if any.
    current_task: Cell<Option<Id>>,
    /// The multi-thread worker running on this thread, if any (type-erased
    /// pointer, owned by `scheduler::multi_thread::worker`).
    worker: Cell<*const ()>,
    /// The current-thread scheduler core driven on this thread, if any
    /// (type-erased pointer, owned by `scheduler::current_thread`).
    current_thread: Cell<*const ()>,
}

impl Context {
    const fn new() -> Context {
        Context {
            handle: RefCell::new(None),
            depth: Cell::new(0),
            driving: Cell::new(false),
            budget: Cell::new(Budget::unconstrained()),
            current_task: Cell::new(None),
            worker: Cell::new(std::ptr::null()),
            current_thread: Cell::new(std::ptr::null()),
        }
    }
}

// A `const` initialiser: every access is a plain TLS load, with no lazy
// initialisation check on the hot paths (coop budget, current worker).
#[cfg(not(all(test, loom)))]
std::thread_local! {
    static CONTEXT: Context = const { Context::new() };
}

#[cfg(all(test, loom))]
loom::thread_local! {
    static CONTEXT: Context = Context::new();
}

// ---- budget ---------------------------------------------------------------

pub(crate) fn budget() -> Budget {
    CONTEXT
        .try_with(|c| c.budget.get())
        .unwrap_or(Budget::unconstrained())
}

pub(crate) fn set_budget(budget: Budget) {
    let _ = CONTEXT.try_with(|c| c.budget.set(budget));
}

/// Calls `f` with the budget cell in one thread-local access (`None` while
/// the thread is exiting).
#[inline]
pub(crate) fn with_budget_cell<R>(f: impl FnOnce(Option<&Cell<Budget>>) -> R) -> R {
    let mut f = Some(f);
    match CONTEXT.try_with(|c| (f.take().expect("called once"))(Some(&c.budget))) {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called yet"))(None),
    }
}

pub(crate) fn replace_budget(budget: Budget) -> Budget {
    CONTEXT
        .try_with(|c| c.budget.replace(budget))
        .unwrap_or(Budget::unconstrained())
}

// ---- current task ---------------------------------------------------------

/// Sets the id of the task being polled, returning the previous one.
pub(crate) fn set_current_task(id: Option<Id>) -> Option<Id> {
    CONTEXT
        .try_with(|c| c.current_task.replace(id))
        .unwrap_or(None)
}

pub(crate) fn current_task() -> Option<Id> {
    CONTEXT.try_with(|c| c.current_task.get()).unwrap_or(None)
}

// ---- worker pointer -------------------------------------------------------

pub(crate) fn worker() -> *const () {
    CONTEXT
        .try_with(|c| c.worker.get())
        .unwrap_or(std::ptr::null())
}

pub(crate) fn set_worker(ptr: *const ()) -> *const () {
    CONTEXT
        .try_with(|c| c.worker.replace(ptr))
        .unwrap_or(std::ptr::null())
}

pub(crate) fn current_thread() -> *const () {
    CONTEXT
        .try_with(|c| c.current_thread.get())
        .unwrap_or(std::ptr::null())
}

pub(crate) fn set_current_thread(ptr: *const ()) -> *const () {
    CONTEXT
        .try_with(|c| c.current_thread.replace(ptr))
        .unwrap_or(std::ptr::null())
}

// ---- entered handle -------------------------------------------------------

/// Makes `handle` the current runtime of this thread until the guard drops.
pub(crate) fn enter(handle: scheduler::Handle) -> SetCurrentGuard {
    CONTEXT.with(|c| {
        let prev = c.handle.replace(Some(handle));
        let depth = c.depth.get() + 1;
        c.depth.set(depth);
        SetCurrentGuard { prev, depth }
    })
}

/// Restores the previously entered runtime when dropped.
#[derive(Debug)]
pub(crate) struct SetCurrentGuard {
    prev: Option<scheduler::Handle>,
    depth: usize,
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|c| {
            if c.depth.get() != self.depth {
                if !std::thread::panicking() {
                    panic!(
                        "`EnterGuard` values were dropped out of order: guards returned by \
                         `Runtime::enter` / `Handle::enter` must be dropped in the reverse \
                         order in which they were created"
                    );
                }
                return;
            }
            c.depth.set(self.depth - 1);
            *c.handle.borrow_mut() = self.prev.take();
        });
    }
}

/// The handle of the runtime this thread has entered, if any.
pub(crate) fn try_current() -> Result<scheduler::Handle, TryCurrentErrorKind> {
    match CONTEXT.try_with(|c| c.handle.borrow().clone()) {
        Ok(Some(handle)) => Ok(handle),
        Ok(None) => Err(TryCurrentErrorKind::NoContext),
        Err(_) => Err(TryCurrentErrorKind::ThreadLocalDestroyed),
    }
}

/// Calls `f` with the current handle without cloning it.
pub(crate) fn with_current<R>(
    f: impl FnOnce(&scheduler::Handle) -> R,
) -> Result<R, TryCurrentErrorKind> {
    match CONTEXT.try_with(|c| c.handle.borrow().as_ref().map(f)) {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(TryCurrentErrorKind::NoContext),
        Err(_) => Err(TryCurrentErrorKind::ThreadLocalDestroyed),
    }
}

/// Why there is no current runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryCurrentErrorKind {
    /// No runtime was entered on this thread.
    NoContext,
    /// The thread is exiting and its thread-locals are gone.
    ThreadLocalDestroyed,
}

/// The message for a call that needs a runtime and found none.
pub(crate) const NO_RUNTIME: &str =
    "there is no reactor running, must be called from the context of a Zokio 1.x runtime";

// ---- driving a runtime ----------------------------------------------------

/// Marks this thread as driving a runtime until the guard drops.
///
/// # Panics
///
/// Panics if the thread already drives one: starting a runtime from within a
/// runtime would block the thread that drives the outer one.
#[track_caller]
pub(crate) fn enter_runtime() -> DrivingGuard {
    match try_enter_runtime() {
        Some(guard) => guard,
        None => panic!(
            "Cannot start a runtime from within a runtime. This happens because a function \
             (like `block_on`) attempted to block the current thread while the thread is being \
             used to drive asynchronous tasks."
        ),
    }
}

/// Like [`enter_runtime`], but returns `None` instead of panicking.
pub(crate) fn try_enter_runtime() -> Option<DrivingGuard> {
    CONTEXT.with(|c| {
        if c.driving.get() {
            None
        } else {
            c.driving.set(true);
            Some(DrivingGuard { _priv: () })
        }
    })
}

/// Whether this thread is driving a runtime (a worker or a `block_on`).
pub(crate) fn is_driving() -> bool {
    CONTEXT.try_with(|c| c.driving.get()).unwrap_or(false)
}

/// Clears the driving flag for the length of a closure that may block
/// (`block_in_place`), restoring it afterwards.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|c| c.driving.set(self.0));
        }
    }
    let was = CONTEXT.with(|c| c.driving.replace(false));
    let _reset = Reset(was);
    f()
}

/// Clears the driving flag when dropped.
#[derive(Debug)]
pub(crate) struct DrivingGuard {
    _priv: (),
}

impl Drop for DrivingGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|c| c.driving.set(false));
    }
}

/// Panics with a message naming `what` if this thread drives a runtime.
///
/// Blocking calls (`blocking_recv`, `blocking_lock`, ...) would stall every
/// task the thread is responsible for, so they are refused there.
#[track_caller]
pub(crate) fn assert_may_block(what: &str) {
    if is_driving() {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called from \
             asynchronous code. Use its async counterpart, or call it from `spawn_blocking` \
             or a thread outside the runtime."
        );
    }
}
