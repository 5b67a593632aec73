//! `Notify`: wake one task or all, with a stored permit for `notify_one`.
//!
//! # State
//!
//! `state` packs `calls << CALLS_SHIFT | mode`, where `calls` counts
//! [`Notify::notify_waiters`] calls (wrapping) and `mode` is one of:
//!
//! - `EMPTY`: no waiter, no permit;
//! - `WAITING`: the waiter list is non-empty (set and cleared under the mutex);
//! - `NOTIFIED`: a permit from `notify_one` is stored (no waiter then).
//!
//! A [`Notified`] records `calls` when it is created (its *epoch*), and embeds a
//! list node whose `notification` says why it was unlinked: `NONE`, `ONE`
//! (handed a `notify_one`) or `ALL` (a `notify_waiters`).
//!
//! # Rules
//!
//! 1. `WAITING` ⇔ the list is non-empty. Both change only under the mutex;
//!    lock-free paths only flip `EMPTY` ⇄ `NOTIFIED` by CAS, and fall back to
//!    the mutex when they see `WAITING`.
//! 2. `notify_one` with `WAITING` unlinks the front waiter under the mutex,
//!    takes its waker, then stores `notification = ONE` (`Release`), and never
//!    touches the node again (`wait_list` rule 4). `notify_last` takes the back.
//! 3. `notify_waiters` increments `calls` under the mutex, then unlinks every
//!    waiter whose epoch predates the increment, marking it `ALL`. Waiters join
//!    the list only under the mutex and only if `calls` still equals their
//!    epoch, so list order is epoch order and the old ones form a prefix; that
//!    lets the call wake them in batches, unlocking in between, without waking
//!    anyone who arrived later.
//! 4. A `Notified` whose epoch differs from `calls` completes at once: a
//!    `notify_waiters` ran after it was created, even if it was never polled.
//! 5. A `Notified` dropped after being handed a `ONE` it never returned passes
//!    that notification on (to the next waiter, or as the stored permit), so a
//!    `notify_one` is never lost to cancellation.
//!
//! # No lost wake-ups
//!
//! A waiter checks for a permit and enqueues (setting `WAITING`) in one
//! critical section; `notify_one` either stores the permit by CAS before that
//! (the waiter's check under the mutex sees it) or sees `WAITING` and takes the
//! mutex after the enqueue (and finds the waiter).

use super::wait_list::{List, Node};
use super::wake_list::WakeList;
use super::Arc;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

const EMPTY: usize = 0;
const WAITING: usize = 1;
const NOTIFIED: usize = 2;
const MODE_MASK: usize = 0b11;
const CALLS_SHIFT: u32 = 2;
/// Half the range of `calls`: epochs closer than this compare correctly.
const CALLS_HALF: usize = 1 << (usize::BITS - CALLS_SHIFT - 1);

const NONE: usize = 0;
const ONE: usize = 1;
const ALL: usize = 2;

fn mode(state: usize) -> usize {
    state & MODE_MASK
}

fn with_mode(state: usize, mode: usize) -> usize {
    (state & !MODE_MASK) | mode
}

fn calls(state: usize) -> usize {
    state >> CALLS_SHIFT
}

/// Notifies one waiting task, or all of them.
///
/// `Notify` is a building block for waiting on a condition that another task
/// makes true. [`notify_one`](Notify::notify_one) wakes the task that has
/// waited longest or, when none waits, stores a single permit that the next
/// [`notified()`](Notify::notified) consumes at once, so a notification sent
/// just before the receiver starts waiting is not lost.
/// [`notify_waiters`](Notify::notify_waiters) wakes every task waiting right
/// now and stores nothing.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use zokio::sync::Notify;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let notify = Arc::new(Notify::new());
/// let notify2 = notify.clone();
/// let waiter = zokio::task::spawn(async move {
///     notify2.notified().await;
///     "woken"
/// });
/// notify.notify_one();
/// assert_eq!(waiter.await.unwrap(), "woken");
/// # });
/// ```
pub struct Notify {
    state: AtomicUsize,
    waiters: Mutex<List<Waiter>>,
}

/// A waiting `Notified`'s payload.
struct Waiter {
    /// Guarded by the `Notify` mutex.
    waker: UnsafeCell<Option<Waker>>,
    /// Why the node was unlinked (`NONE` while linked); written under the mutex.
    notification: AtomicUsize,
    /// `calls` when the `Notified` was created; immutable.
    epoch: usize,
}

// SAFETY: `waker` is only touched with the `Notify` mutex held; the other fields
// are atomic or immutable.
unsafe impl Sync for Waiter {}

impl fmt::Debug for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("notification", &self.notification.load(Ordering::Relaxed))
            .finish()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(Ordering::Relaxed);
        f.debug_struct("Notify")
            .field("waiting", &(mode(state) == WAITING))
            .field("permit", &(mode(state) == NOTIFIED))
            .finish()
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Init,
    Waiting,
    Done,
}

/// Which end of the queue `notify_one`/`notify_last` serves.
#[derive(Clone, Copy)]
enum End {
    Front,
    Back,
}

impl Notify {
    /// Creates a `Notify` with no waiters and no permit.
    pub fn new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(List::new()),
        }
    }

    /// Creates a `Notify` in a `const` context, e.g. for a `static`.
    #[cfg(not(all(test, loom)))]
    pub const fn const_new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(List::new()),
        }
    }

    /// Returns a future that completes when this `Notify` is notified.
    ///
    /// The future takes part in [`notify_waiters`](Notify::notify_waiters)
    /// calls made after this method returns, even before it is first polled.
    /// It joins the queue for [`notify_one`](Notify::notify_one) when first
    /// polled or [enabled](Notified::enable).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future leaves the queue, and a `notify_one`
    /// it had been handed but not yet returned passes to the next waiter (or
    /// is stored as the permit).
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Notify;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = Notify::new();
    /// notify.notify_one(); // stored as a permit
    /// notify.notified().await; // consumes it at once
    /// # });
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            state: State::Init,
            node: self.new_node(),
        }
    }

    /// Like [`notified`](Notify::notified), but the future owns an `Arc` of the
    /// `Notify`, so it is `'static`.
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        let node = self.new_node();
        OwnedNotified {
            notify: self,
            state: State::Init,
            node,
        }
    }

    fn new_node(&self) -> Node<Waiter> {
        // Acquire: pairs with the Release increment in `notify_waiters`, so a
        // call that happened before this one is seen.
        let epoch = calls(self.state.load(Ordering::Acquire));
        Node::new(Waiter {
            waker: UnsafeCell::new(None),
            notification: AtomicUsize::new(NONE),
            epoch,
        })
    }

    /// Wakes the task that has waited longest, or stores a permit if no task
    /// waits (at most one permit is stored).
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Notify;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = Notify::new();
    /// notify.notify_one();
    /// notify.notify_one(); // permits do not accumulate
    /// notify.notified().await;
    /// # });
    /// ```
    pub fn notify_one(&self) {
        self.notify(End::Front);
    }

    /// Like [`notify_one`](Notify::notify_one), but wakes the task that began
    /// waiting most recently.
    pub fn notify_last(&self) {
        self.notify(End::Back);
    }

    fn notify(&self, end: End) {
        let mut curr = self.state.load(Ordering::Relaxed);
        while mode(curr) != WAITING {
            // Release: pairs with the Acquire CAS of the waiter that consumes the
            // permit, so what we wrote before notifying is visible to it. Done
            // even when a permit is already stored, to extend that release.
            match self.state.compare_exchange_weak(
                curr,
                with_mode(curr, NOTIFIED),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
        let waiters = self.waiters.lock();
        if let Some(waker) = self.notify_locked(waiters, end) {
            waker.wake();
        }
    }

    /// Hands one notification out under the mutex (consumed by the guard).
    /// Returns the waker to call once the mutex is released.
    fn notify_locked<'a>(
        &'a self,
        mut waiters: MutexGuard<'a, List<Waiter>>,
        end: End,
    ) -> Option<Waker> {
        let mut curr = self.state.load(Ordering::Relaxed);
        loop {
            if mode(curr) == WAITING {
                break;
            }
            // Release: as in `notify`.
            match self.state.compare_exchange_weak(
                curr,
                with_mode(curr, NOTIFIED),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return None,
                Err(actual) => curr = actual,
            }
        }
        let node = match end {
            End::Front => waiters.pop_front(),
            End::Back => waiters.pop_back(),
        }
        .expect("Notify invariant broken: WAITING with an empty waiter list");
        // SAFETY: the node was linked, so its owner is alive and cannot free it
        // before taking the mutex we hold (wait_list rule 3).
        let waiter = unsafe { &node.as_ref().data };
        // SAFETY: the waker is guarded by the mutex, which we hold.
        let waker = waiter.waker.with_mut(|w| unsafe { (*w).take() });
        // Release: pairs with the Acquire load in `poll_waiting`. Not touched
        // after this (rule 2).
        waiter.notification.store(ONE, Ordering::Release);
        if waiters.is_empty() {
            // Only mutex holders leave WAITING (rule 1), so a plain store is safe.
            self.state.store(with_mode(curr, EMPTY), Ordering::Release);
        }
        drop(waiters);
        waker
    }

    /// Wakes every task waiting right now. Stores no permit: a task that starts
    /// waiting afterwards is not woken by this call.
    ///
    /// A [`Notified`] future counts as waiting from the moment
    /// [`notified()`](Notify::notified) returned it, polled or not.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Notify;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = Notify::new();
    /// let a = notify.notified();
    /// let b = notify.notified();
    /// notify.notify_waiters();
    /// a.await;
    /// b.await;
    /// # });
    /// ```
    pub fn notify_waiters(&self) {
        let mut waiters = self.waiters.lock();
        // A RMW, not a store: lock-free `notify_one`s may flip EMPTY/NOTIFIED
        // concurrently. Release: pairs with the Acquire loads that capture and
        // compare epochs (`new_node`, `poll_init`).
        let prev = self.state.fetch_add(1 << CALLS_SHIFT, Ordering::Release);
        if mode(prev) != WAITING {
            return;
        }
        let my_calls = calls(prev.wrapping_add(1 << CALLS_SHIFT));
        loop {
            let mut wakers = WakeList::new();
            while wakers.can_push() {
                let Some(node) = waiters.front() else {
                    break;
                };
                // SAFETY: linked nodes are alive while we hold the mutex.
                let waiter = unsafe { &node.as_ref().data };
                let age = my_calls.wrapping_sub(waiter.epoch) & (usize::MAX >> CALLS_SHIFT);
                if age == 0 || age >= CALLS_HALF {
                    // Created after our increment: not ours to wake (rule 3).
                    break;
                }
                waiters.pop_front();
                // SAFETY: the waker is guarded by the mutex, which we hold.
                if let Some(waker) = waiter.waker.with_mut(|w| unsafe { (*w).take() }) {
                    wakers.push(waker);
                }
                // Release: pairs with the Acquire load in `poll_waiting`.
                waiter.notification.store(ALL, Ordering::Release);
            }
            let batch_full = !wakers.can_push();
            if waiters.is_empty() {
                let curr = self.state.load(Ordering::Relaxed);
                // A waiter's drop may have emptied the list (and left WAITING)
                // while we were unlocked; only mutex holders leave WAITING.
                if mode(curr) == WAITING {
                    self.state.store(with_mode(curr, EMPTY), Ordering::Relaxed);
                }
            }
            drop(waiters);
            wakers.wake_all();
            if !batch_full {
                return;
            }
            waiters = self.waiters.lock();
        }
    }
}

/// Future returned by [`Notify::notified`].
///
/// Fused: once it has completed, polling it again returns `Ready` at once.
#[must_use = "futures do nothing unless `.await`ed or polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    state: State,
    node: Node<Waiter>,
}

/// Future returned by [`Notify::notified_owned`]; like [`Notified`], but
/// `'static`.
#[must_use = "futures do nothing unless `.await`ed or polled"]
pub struct OwnedNotified {
    notify: Arc<Notify>,
    state: State,
    node: Node<Waiter>,
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("state", &self.state)
            .finish()
    }
}

impl fmt::Debug for OwnedNotified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedNotified")
            .field("state", &self.state)
            .finish()
    }
}

impl Notified<'_> {
    /// Joins the `notify_one` queue without registering a waker, as a first
    /// poll would. Returns `true` if the future is already complete (a
    /// `notify_waiters` ran since its creation, a stored permit was consumed,
    /// or a notification has been handed to it).
    ///
    /// Use it to close the gap between checking a condition and awaiting:
    /// enable, check, then await.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::pin;
    /// use zokio::sync::Notify;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = Notify::new();
    /// let mut notified = pin!(notify.notified());
    /// assert!(!notified.as_mut().enable());
    /// notify.notify_one(); // handed to the enabled future
    /// assert!(notified.as_mut().enable());
    /// notified.await;
    /// # });
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let (notify, state, node) = self.project();
        poll_notified(notify, state, node, None).is_ready()
    }

    fn project(self: Pin<&mut Self>) -> (&Notify, &mut State, &Node<Waiter>) {
        // SAFETY: `node` is structurally pinned (never moved out of the pinned
        // future; `Drop` unlinks it in place); the other fields are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        (this.notify, &mut this.state, &this.node)
    }
}

impl OwnedNotified {
    /// As [`Notified::enable`].
    pub fn enable(self: Pin<&mut Self>) -> bool {
        let (notify, state, node) = self.project();
        poll_notified(notify, state, node, None).is_ready()
    }

    fn project(self: Pin<&mut Self>) -> (&Notify, &mut State, &Node<Waiter>) {
        // SAFETY: as for `Notified::project`.
        let this = unsafe { self.get_unchecked_mut() };
        (&this.notify, &mut this.state, &this.node)
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (notify, state, node) = self.project();
        poll_notified(notify, state, node, Some(cx.waker()))
    }
}

impl Future for OwnedNotified {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let (notify, state, node) = self.project();
        poll_notified(notify, state, node, Some(cx.waker()))
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        // `self` is pinned if it was ever polled; `drop_waiter` only reads the
        // node in place.
        drop_waiter(self.notify, self.state, &self.node);
    }
}

impl Drop for OwnedNotified {
    fn drop(&mut self) {
        drop_waiter(&self.notify, self.state, &self.node);
    }
}

fn poll_notified(
    notify: &Notify,
    state: &mut State,
    node: &Node<Waiter>,
    waker: Option<&Waker>,
) -> Poll<()> {
    let poll = match *state {
        State::Init => poll_init(notify, node, waker),
        State::Waiting => poll_waiting(notify, node, waker),
        State::Done => Poll::Ready(()),
    };
    *state = match poll {
        Poll::Ready(()) => State::Done,
        Poll::Pending => State::Waiting,
    };
    poll
}

fn poll_init(notify: &Notify, node: &Node<Waiter>, waker: Option<&Waker>) -> Poll<()> {
    let epoch = node.data.epoch;
    // Acquire: pairs with the Release stores of `notify_waiters` (rule 4).
    let curr = notify.state.load(Ordering::Acquire);
    if calls(curr) != epoch {
        return Poll::Ready(());
    }
    // Acquire: pairs with the Release CAS of `notify_one` that stored the permit.
    if mode(curr) == NOTIFIED
        && notify
            .state
            .compare_exchange(
                curr,
                with_mode(curr, EMPTY),
                Ordering::Acquire,
                Ordering::Relaxed,
            )
            .is_ok()
    {
        return Poll::Ready(());
    }
    let mut waiters = notify.waiters.lock();
    let mut curr = notify.state.load(Ordering::Acquire);
    loop {
        if calls(curr) != epoch {
            return Poll::Ready(());
        }
        match mode(curr) {
            WAITING => break,
            mode => {
                let (next, done) = if mode == NOTIFIED {
                    (with_mode(curr, EMPTY), true)
                } else {
                    (with_mode(curr, WAITING), false)
                };
                // Acquire: consuming a permit, as above. Relaxed would do for
                // EMPTY -> WAITING, which is published by the mutex.
                match notify.state.compare_exchange(
                    curr,
                    next,
                    Ordering::Acquire,
                    Ordering::Acquire,
                ) {
                    Ok(_) if done => return Poll::Ready(()),
                    Ok(_) => break,
                    Err(actual) => curr = actual,
                }
            }
        }
    }
    if let Some(waker) = waker {
        let waker = waker.clone();
        // SAFETY: the waker is guarded by the mutex, which we hold.
        node.data.waker.with_mut(|w| unsafe { *w = Some(waker) });
    }
    // SAFETY: the node lives in a pinned future (`poll`/`enable` take
    // `Pin<&mut Self>`), is in no list (state was Init), and `Drop` unlinks it.
    unsafe { waiters.push_back(NonNull::from(node)) };
    Poll::Pending
}

fn poll_waiting(notify: &Notify, node: &Node<Waiter>, waker: Option<&Waker>) -> Poll<()> {
    // Acquire: pairs with the Release stores of rules 2 and 3.
    if node.data.notification.load(Ordering::Acquire) != NONE {
        return Poll::Ready(());
    }
    let waiters = notify.waiters.lock();
    if node.data.notification.load(Ordering::Acquire) != NONE {
        return Poll::Ready(());
    }
    if let Some(waker) = waker {
        node.data.waker.with_mut(|w| {
            // SAFETY: the waker is guarded by the mutex, which we hold.
            let slot = unsafe { &mut *w };
            match slot {
                Some(old) if old.will_wake(waker) => {}
                _ => *slot = Some(waker.clone()),
            }
        });
    }
    drop(waiters);
    Poll::Pending
}

fn drop_waiter(notify: &Notify, state: State, node: &Node<Waiter>) {
    if state != State::Waiting {
        return;
    }
    let mut waiters = notify.waiters.lock();
    match node.data.notification.load(Ordering::Relaxed) {
        NONE => {
            // SAFETY: the node is alive (we are dropping its owner in place) and
            // is linked into this list (notification NONE while Waiting).
            unsafe { waiters.remove(NonNull::from(node)) };
            if waiters.is_empty() {
                let curr = notify.state.load(Ordering::Relaxed);
                if mode(curr) == WAITING {
                    notify
                        .state
                        .store(with_mode(curr, EMPTY), Ordering::Relaxed);
                }
            }
        }
        ONE => {
            // Rule 5: pass the unused notification on.
            if let Some(waker) = notify.notify_locked(waiters, End::Front) {
                waker.wake();
            }
        }
        _ => {}
    }
}
