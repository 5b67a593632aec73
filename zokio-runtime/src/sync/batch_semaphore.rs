//! The fair counting semaphore under `Semaphore`, `Mutex`, `RwLock`, `OnceCell`
//! and bounded `mpsc`.
//!
//! # State
//!
//! `state` packs `permits << PERMIT_SHIFT | WAITERS | CLOSED`:
//!
//! - `CLOSED`: set once by [`Semaphore::close`], never cleared.
//! - `WAITERS`: the waiter list is non-empty. Set and cleared only with the
//!   waiters mutex held, by the same compare-and-swap that moves permits.
//! - `permits`: permits nobody holds or has been promised.
//!
//! Each queued [`Acquire`] embeds a [`Node`] whose `remaining` counts the
//! permits it still lacks; its top bit, `WAITER_CLOSED`, means "unlinked because
//! the semaphore closed".
//!
//! # Rules
//!
//! 1. While the list is non-empty, `WAITERS` is set and `permits` is 0: a waiter
//!    that cannot be served takes every available permit before it queues, and a
//!    release that finds `WAITERS` hands its permits to the queue (under the
//!    mutex) instead of to the counter. Hence a newcomer's lock-free fast path
//!    can never overtake a queued waiter: FIFO order holds.
//! 2. Permits are handed out front to back. The front waiter may be given part
//!    of what it needs (its `remaining` drops); it is unlinked only when
//!    `remaining` reaches 0. Permits left over once the list empties go back to
//!    the counter together with clearing `WAITERS`.
//! 3. A node's `remaining` and `waker` are written only with the mutex held. The
//!    releaser that completes a waiter first unlinks it and takes its waker, and
//!    only then stores `remaining = 0` with `Release`; after that store it never
//!    touches the node (`wait_list` rule 4). The waiter may observe the 0 without
//!    the lock (`Acquire`) and return.
//! 4. A dropped `Acquire` that may still be queued locks the mutex and, if still
//!    linked, unlinks itself. Whatever permits it had been given (all of them if
//!    it was completed but never observed it) are released again, so the next
//!    waiters get them: cancellation loses neither permits nor wake-ups.
//! 5. [`Semaphore::close`] sets `CLOSED` with the mutex held, then unlinks every
//!    waiter, marking it `WAITER_CLOSED`. A waiter checks `CLOSED` under the mutex
//!    before queueing, so none can queue after the drain.
//!
//! # No lost wake-ups
//!
//! A waiter queues (and sets `WAITERS`) with the mutex held, after seeing too
//! few permits in the same CAS. A release either lands its CAS before that one
//! (and the waiter's CAS sees the permits) or observes `WAITERS` and takes the
//! mutex, which orders it after the enqueue, so it finds the waiter.

use super::wait_list::{List, Node};
use super::wake_list::WakeList;
use crate::coop;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{ready, Context, Poll, Waker};

const CLOSED: usize = 0b01;
const WAITERS: usize = 0b10;
const PERMIT_SHIFT: u32 = 2;

/// The most permits a semaphore can hold.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// Set in a waiter's `remaining` when `close` unlinked it.
const WAITER_CLOSED: usize = 1 << (usize::BITS - 1);

/// The error returned when acquiring from a closed semaphore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// The error returned by the `try_acquire` family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore has been [closed](crate::sync::Semaphore::close).
    Closed,
    /// Not enough permits are available right now.
    NoPermits,
}

impl TryAcquireError {
    /// Whether the semaphore was closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, TryAcquireError::Closed)
    }

    /// Whether there were not enough permits.
    pub fn is_no_permits(&self) -> bool {
        matches!(self, TryAcquireError::NoPermits)
    }
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

pub(crate) struct Semaphore {
    state: AtomicUsize,
    waiters: Mutex<List<Waiter>>,
}

/// A queued acquirer's payload (see rule 3 for who writes what).
pub(crate) struct Waiter {
    /// Permits still lacking, plus `WAITER_CLOSED`; written under the mutex.
    remaining: AtomicUsize,
    /// Guarded by the waiters mutex.
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: `waker` is only accessed with the waiters mutex held (rule 3);
// `remaining` is atomic.
unsafe impl Sync for Waiter {}

impl fmt::Debug for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("remaining", &self.remaining.load(Ordering::Relaxed))
            .finish()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Semaphore {
    /// # Panics
    ///
    /// Panics if `permits` exceeds [`MAX_PERMITS`].
    #[track_caller]
    pub(crate) fn new(permits: usize) -> Semaphore {
        assert_permits(permits);
        Semaphore {
            state: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(List::new()),
        }
    }

    /// `new` for `const` contexts (not available under loom, whose types have
    /// no `const` constructors).
    #[cfg(not(all(test, loom)))]
    #[track_caller]
    pub(crate) const fn const_new(permits: usize) -> Semaphore {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS permits"
        );
        Semaphore {
            state: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(List::new()),
        }
    }

    /// A closed semaphore with no permits (used by `OnceCell::new_with(Some(..))`).
    pub(crate) fn new_closed() -> Semaphore {
        Semaphore {
            state: AtomicUsize::new(CLOSED),
            waiters: Mutex::new(List::new()),
        }
    }

    /// `new_closed` for `const` contexts.
    #[cfg(not(all(test, loom)))]
    pub(crate) const fn const_new_closed() -> Semaphore {
        Semaphore {
            state: AtomicUsize::new(CLOSED),
            waiters: Mutex::new(List::new()),
        }
    }

    pub(crate) fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> PERMIT_SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED == CLOSED
    }

    /// Takes `n` permits if they are available right now.
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquireError> {
        assert_permits(n);
        let mut curr = self.state.load(Ordering::Acquire);
        loop {
            if curr & CLOSED == CLOSED {
                return Err(TryAcquireError::Closed);
            }
            if curr >> PERMIT_SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            // Acquire: pairs with the Release of the `release` that put these
            // permits back, so what its holder wrote is visible to us.
            match self.state.compare_exchange_weak(
                curr,
                curr - (n << PERMIT_SHIFT),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => curr = actual,
            }
        }
    }

    /// Returns a future that resolves once `n` permits are held.
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds [`MAX_PERMITS`].
    #[track_caller]
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        assert_permits(n);
        Acquire {
            semaphore: self,
            node: Node::new(Waiter {
                remaining: AtomicUsize::new(0),
                waker: UnsafeCell::new(None),
            }),
            needed: n,
            state: AcquireState::Idle,
        }
    }

    /// Gives back `n` permits, serving queued waiters first (rule 2).
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut curr = self.state.load(Ordering::Relaxed);
        loop {
            if curr & WAITERS == WAITERS {
                let waiters = self.waiters.lock();
                self.add_permits_locked(n, waiters);
                return;
            }
            check_overflow(curr >> PERMIT_SHIFT, n);
            // Release: pairs with the Acquire CAS of the next acquirer.
            match self.state.compare_exchange_weak(
                curr,
                curr + (n << PERMIT_SHIFT),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
    }

    /// Removes up to `n` available permits for good; returns how many.
    pub(crate) fn forget_permits(&self, n: usize) -> usize {
        let mut curr = self.state.load(Ordering::Relaxed);
        loop {
            let take = n.min(curr >> PERMIT_SHIFT);
            if take == 0 {
                return 0;
            }
            match self.state.compare_exchange_weak(
                curr,
                curr - (take << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return take,
                Err(actual) => curr = actual,
            }
        }
    }

    /// Closes the semaphore and fails every queued acquirer (rule 5).
    pub(crate) fn close(&self) {
        let mut waiters = self.waiters.lock();
        // Release: pairs with the Acquire loads in `is_closed` and the acquire
        // paths; set under the mutex so no waiter can queue after the drain.
        self.state.fetch_or(CLOSED, Ordering::Release);
        loop {
            let mut wakers = WakeList::new();
            while wakers.can_push() {
                let Some(node) = waiters.pop_front() else {
                    break;
                };
                // SAFETY: the node was linked, so its owner is alive and blocked
                // on the mutex we hold before it can free it (wait_list rule 3).
                let waiter = unsafe { &node.as_ref().data };
                // SAFETY: the waker is guarded by the mutex, which we hold.
                if let Some(waker) = waiter.waker.with_mut(|w| unsafe { (*w).take() }) {
                    wakers.push(waker);
                }
                let remaining = waiter.remaining.load(Ordering::Relaxed);
                // Release: pairs with the Acquire load in `Acquire::poll`. The
                // node is not touched after this store (rule 3).
                waiter
                    .remaining
                    .store(remaining | WAITER_CLOSED, Ordering::Release);
            }
            let done = waiters.is_empty();
            if done {
                self.state.fetch_and(!WAITERS, Ordering::Relaxed);
            }
            drop(waiters);
            wakers.wake_all();
            if done {
                return;
            }
            waiters = self.waiters.lock();
        }
    }

    /// Hands `rem` permits to the queue front to back, wakes those completed,
    /// and returns the rest to the counter once the queue is empty (rule 2).
    /// Also clears `WAITERS` if the queue has emptied, even when `rem == 0`.
    fn add_permits_locked<'a>(&'a self, mut rem: usize, mut waiters: MutexGuard<'a, List<Waiter>>) {
        loop {
            let mut wakers = WakeList::new();
            while let Some(node) = waiters.front() {
                // SAFETY: linked nodes are alive while we hold the mutex
                // (wait_list rule 3).
                let waiter = unsafe { &node.as_ref().data };
                let needed = waiter.remaining.load(Ordering::Relaxed);
                if needed > rem {
                    // Partial assignment; the waiter stays at the front.
                    waiter.remaining.store(needed - rem, Ordering::Relaxed);
                    rem = 0;
                    break;
                }
                if !wakers.can_push() {
                    break;
                }
                rem -= needed;
                waiters.pop_front();
                // SAFETY: the waker is guarded by the mutex, which we hold.
                if let Some(waker) = waiter.waker.with_mut(|w| unsafe { (*w).take() }) {
                    wakers.push(waker);
                }
                // Release: pairs with the Acquire load in `Acquire::poll`; the
                // node is not touched after this store (rule 3).
                waiter.remaining.store(0, Ordering::Release);
                if rem == 0 {
                    // Nothing left to hand out, but the queue may now be empty.
                    break;
                }
            }
            let done = waiters.is_empty() || rem == 0;
            if waiters.is_empty() {
                let mut curr = self.state.load(Ordering::Relaxed);
                loop {
                    check_overflow(curr >> PERMIT_SHIFT, rem);
                    let next = (curr & !WAITERS) + (rem << PERMIT_SHIFT);
                    // Release: pairs with the Acquire CAS of the next acquirer.
                    match self.state.compare_exchange_weak(
                        curr,
                        next,
                        Ordering::Release,
                        Ordering::Relaxed,
                    ) {
                        Ok(_) => break,
                        Err(actual) => curr = actual,
                    }
                }
            }
            drop(waiters);
            wakers.wake_all();
            if done {
                return;
            }
            waiters = self.waiters.lock();
        }
    }
}

#[track_caller]
fn assert_permits(n: usize) {
    assert!(
        n <= MAX_PERMITS,
        "a semaphore cannot hold or hand out more than MAX_PERMITS ({MAX_PERMITS}) permits; \
         {n} were requested"
    );
}

#[track_caller]
fn check_overflow(available: usize, added: usize) {
    assert!(
        added <= MAX_PERMITS - available,
        "adding {added} permits to a semaphore with {available} available would exceed \
         MAX_PERMITS ({MAX_PERMITS})"
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcquireState {
    /// Not queued; nothing held.
    Idle,
    /// The node may be linked (see rule 4 for how `Drop` finds out).
    Queued,
    /// The permits were handed to the caller, or the acquire failed.
    Done,
}

pin_project_lite::pin_project! {
    /// Future of [`Semaphore::acquire`]: resolves once `needed` permits are held.
    ///
    /// Budgeted like Tokio's: each poll spends a unit of the task's coop budget.
    pub(crate) struct Acquire<'a> {
        semaphore: &'a Semaphore,
        #[pin]
        node: Node<Waiter>,
        needed: usize,
        state: AcquireState,
    }

    impl PinnedDrop for Acquire<'_> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if *this.state != AcquireState::Queued {
                return;
            }
            let node: &Node<Waiter> = &this.node;
            let semaphore = *this.semaphore;
            let mut waiters = semaphore.waiters.lock();
            let remaining = node.data.remaining.load(Ordering::Relaxed);
            let given = if remaining & WAITER_CLOSED == WAITER_CLOSED {
                *this.needed - (remaining & !WAITER_CLOSED)
            } else if remaining == 0 {
                // Completed but never observed: everything goes back.
                *this.needed
            } else {
                // SAFETY: the node is alive (we are its owner, pinned) and it is
                // linked into this list or none; we hold the mutex.
                unsafe { waiters.remove(NonNull::from(node)) };
                *this.needed - remaining
            };
            semaphore.add_permits_locked(given, waiters);
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("needed", &self.needed)
            .field("state", &self.state)
            .finish()
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut coop = ready!(coop::poll_proceed(cx));
        let this = self.project();
        let node: &Node<Waiter> = &this.node;
        let semaphore = *this.semaphore;
        let needed = *this.needed;
        let result = match *this.state {
            AcquireState::Idle => match semaphore.try_acquire(needed) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TryAcquireError::Closed) => Poll::Ready(Err(AcquireError(()))),
                Err(TryAcquireError::NoPermits) => {
                    let poll = poll_slow(semaphore, node, needed, cx);
                    if poll.is_pending() {
                        *this.state = AcquireState::Queued;
                    }
                    poll
                }
            },
            AcquireState::Queued => {
                // Acquire: pairs with the Release store of rule 3.
                let remaining = node.data.remaining.load(Ordering::Acquire);
                if remaining == 0 {
                    Poll::Ready(Ok(()))
                } else {
                    poll_queued(semaphore, node, needed, cx)
                }
            }
            AcquireState::Done => panic!("`Acquire` polled after it completed"),
        };
        if result.is_ready() {
            *this.state = AcquireState::Done;
            coop.made_progress();
        }
        result
    }
}

/// First pending poll: take what is there and queue for the rest.
fn poll_slow(
    semaphore: &Semaphore,
    node: &Node<Waiter>,
    needed: usize,
    cx: &mut Context<'_>,
) -> Poll<Result<(), AcquireError>> {
    let mut waiters = semaphore.waiters.lock();
    let mut curr = semaphore.state.load(Ordering::Acquire);
    let taken = loop {
        if curr & CLOSED == CLOSED {
            return Poll::Ready(Err(AcquireError(())));
        }
        let available = curr >> PERMIT_SHIFT;
        let taken = available.min(needed);
        let mut next = curr - (taken << PERMIT_SHIFT);
        if taken < needed {
            next |= WAITERS;
        }
        // AcqRel: Acquire pairs with the Release of whoever released these
        // permits; Release publishes `WAITERS` (set under the mutex, rule 1).
        match semaphore
            .state
            .compare_exchange_weak(curr, next, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => break taken,
            Err(actual) => curr = actual,
        }
    };
    if taken == needed {
        return Poll::Ready(Ok(()));
    }
    node.data.remaining.store(needed - taken, Ordering::Relaxed);
    let waker = cx.waker().clone();
    // SAFETY: the waker is guarded by the mutex, which we hold.
    node.data.waker.with_mut(|w| unsafe { *w = Some(waker) });
    // SAFETY: the node is pinned inside the `Acquire`, is in no list (state was
    // Idle), and `Acquire::drop` unlinks it before it goes away (rule 4).
    unsafe { waiters.push_back(NonNull::from(node)) };
    Poll::Pending
}

/// A queued waiter was polled again without having been served lock-free.
fn poll_queued(
    semaphore: &Semaphore,
    node: &Node<Waiter>,
    needed: usize,
    cx: &mut Context<'_>,
) -> Poll<Result<(), AcquireError>> {
    let waiters = semaphore.waiters.lock();
    let remaining = node.data.remaining.load(Ordering::Relaxed);
    if remaining == 0 {
        return Poll::Ready(Ok(()));
    }
    if remaining & WAITER_CLOSED == WAITER_CLOSED {
        // Unlinked by `close`: give back what we had been handed.
        semaphore.add_permits_locked(needed - (remaining & !WAITER_CLOSED), waiters);
        return Poll::Ready(Err(AcquireError(())));
    }
    node.data.waker.with_mut(|w| {
        // SAFETY: the waker is guarded by the mutex, which we hold.
        let slot = unsafe { &mut *w };
        match slot {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
    });
    drop(waiters);
    Poll::Pending
}
