//! The channel core shared by the bounded and unbounded flavours.
//!
//! See the protocol in `mpsc/mod.rs`.

use super::error::TryRecvError;
use crate::coop;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::sync::batch_semaphore as ll;
use crate::sync::Notify;
use std::collections::VecDeque;
use std::fmt;
use std::task::{ready, Context, Poll, Waker};

pub(super) struct Chan<T> {
    /// The queue and everything the wake-up protocol needs (rule 1).
    shared: Mutex<Shared<T>>,
    /// Live `Sender`s / `UnboundedSender`s (rule 4).
    tx_count: AtomicUsize,
    /// Live weak senders.
    tx_weak_count: AtomicUsize,
    /// Capacity of a bounded channel; 0 for an unbounded one.
    bound: usize,
    /// Free slots of a bounded channel (rule 2); unused when unbounded.
    semaphore: ll::Semaphore,
    /// Mirror of `Shared::rx_closed` for lock-free `is_closed`.
    rx_closed: AtomicBool,
    /// Woken (all waiters) when the receiver closes, for `Sender::closed`.
    notify_rx_closed: Notify,
}

struct Shared<T> {
    queue: VecDeque<T>,
    /// The receiver's waker while it waits (rule 1).
    rx_waker: Option<Waker>,
    /// Every sender is gone (rule 4).
    tx_closed: bool,
    /// `close` was called or the receiver dropped.
    rx_closed: bool,
    /// The receiver dropped: values sent afterwards are dropped at once.
    rx_dropped: bool,
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chan")
            .field("bound", &self.bound)
            .field("tx_count", &self.tx_count.load(Ordering::Relaxed))
            .field("rx_closed", &self.rx_closed.load(Ordering::Relaxed))
            .finish()
    }
}

/// Creates the core; `bound == 0` means unbounded.
pub(super) fn channel<T>(bound: usize) -> (Tx<T>, Rx<T>) {
    let chan = Arc::new(Chan {
        shared: Mutex::new(Shared {
            queue: VecDeque::new(),
            rx_waker: None,
            tx_closed: false,
            rx_closed: false,
            rx_dropped: false,
        }),
        tx_count: AtomicUsize::new(1),
        tx_weak_count: AtomicUsize::new(0),
        bound,
        semaphore: ll::Semaphore::new(bound),
        rx_closed: AtomicBool::new(false),
        notify_rx_closed: Notify::new(),
    });
    (
        Tx { chan: chan.clone() },
        Rx {
            chan,
            local: VecDeque::new(),
        },
    )
}

impl<T> Chan<T> {
    /// Appends a value and wakes the receiver (rule 1). Returns the value if
    /// the receiver closed and `fail_if_closed` is set (unbounded sends;
    /// bounded sends hold a permit and always succeed, rule 3).
    pub(super) fn push(&self, value: T, fail_if_closed: bool) -> Result<(), T> {
        let mut shared = self.shared.lock();
        if shared.rx_dropped || (fail_if_closed && shared.rx_closed) {
            drop(shared);
            return Err(value);
        }
        shared.queue.push_back(value);
        let waker = shared.rx_waker.take();
        drop(shared);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    pub(super) fn semaphore(&self) -> &ll::Semaphore {
        &self.semaphore
    }

    pub(super) fn bound(&self) -> usize {
        self.bound
    }

    pub(super) fn is_rx_closed(&self) -> bool {
        // Acquire: pairs with the Release store in `close_rx`.
        self.rx_closed.load(Ordering::Acquire)
    }

    /// Waits until the receiver closes (for `Sender::closed`).
    pub(super) async fn rx_closed(&self) {
        loop {
            // Created before the check, so a close in between still wakes it.
            let notified = self.notify_rx_closed.notified();
            if self.is_rx_closed() {
                return;
            }
            notified.await;
        }
    }

    /// All permits are back: no bounded sender can still push (rule 3).
    fn is_idle(&self) -> bool {
        self.bound == 0 || self.semaphore.available_permits() == self.bound
    }

    /// A bounded permit was returned unused; if the receiver is closed it may
    /// be waiting for the last one (rule 3).
    pub(super) fn permit_released(&self) {
        self.semaphore.release(1);
        if self.is_rx_closed() {
            let waker = self.shared.lock().rx_waker.take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    pub(super) fn strong_count(&self) -> usize {
        self.tx_count.load(Ordering::Acquire)
    }

    pub(super) fn weak_count(&self) -> usize {
        self.tx_weak_count.load(Ordering::Relaxed)
    }

    pub(super) fn inc_weak(&self) {
        self.tx_weak_count.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn dec_weak(&self) {
        self.tx_weak_count.fetch_sub(1, Ordering::Relaxed);
    }

    /// Turns a weak reference into a sender if any sender is still alive.
    pub(super) fn upgrade(this: &Arc<Self>) -> Option<Tx<T>> {
        let mut curr = this.tx_count.load(Ordering::Relaxed);
        loop {
            if curr == 0 {
                // Rule 4: once every sender is gone, none may come back.
                return None;
            }
            match this.tx_count.compare_exchange_weak(
                curr,
                curr + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(Tx { chan: this.clone() }),
                Err(actual) => curr = actual,
            }
        }
    }
}

/// A strong sending handle: keeps the channel open while it lives.
pub(super) struct Tx<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Tx<T> {
    pub(super) fn chan(&self) -> &Arc<Chan<T>> {
        &self.chan
    }

    pub(super) fn same_channel(&self, other: &Tx<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Self {
        // Relaxed: a clone is made from a live sender, so the count is > 0 and
        // cannot reach 0 concurrently (as in `Arc::clone`).
        self.chan.tx_count.fetch_add(1, Ordering::Relaxed);
        Tx {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        // AcqRel: the last sender's decrement must come after every other
        // sender's (Release) so that nothing is pushed after `tx_closed`.
        if self.chan.tx_count.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let mut shared = self.chan.shared.lock();
        shared.tx_closed = true;
        let waker = shared.rx_waker.take();
        drop(shared);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Tx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.chan, f)
    }
}

/// The receiving half: the shared channel plus a private batch (rule 1).
pub(super) struct Rx<T> {
    chan: Arc<Chan<T>>,
    /// Values already taken from the shared queue, in order. Owned by the
    /// receiver alone, so popping from it needs no synchronisation.
    local: VecDeque<T>,
}

impl<T> fmt::Debug for Rx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rx")
            .field("chan", &self.chan)
            .field("buffered", &self.local.len())
            .finish()
    }
}

/// What the receiver found when its private batch was empty.
enum Refill {
    Got,
    Closed,
    Empty,
}

impl<T> Rx<T> {
    pub(super) fn chan(&self) -> &Arc<Chan<T>> {
        &self.chan
    }

    /// Values are released one permit each as they leave the receiver, so a
    /// bounded channel's capacity covers the private batch too (rule 2).
    fn release(&self, n: usize) {
        if self.chan.bound != 0 {
            self.chan.semaphore.release(n);
        }
    }

    /// Moves the whole shared queue into the private batch; if it is empty,
    /// reports whether the channel is finished, registering `waker` if not.
    fn refill(&mut self, waker: Option<&Waker>) -> Refill {
        let mut shared = self.chan.shared.lock();
        if !shared.queue.is_empty() {
            // Swapping keeps both buffers' allocations: no allocation per batch.
            std::mem::swap(&mut shared.queue, &mut self.local);
            return Refill::Got;
        }
        if shared.tx_closed || (shared.rx_closed && self.chan.is_idle()) {
            return Refill::Closed;
        }
        if let Some(waker) = waker {
            match &shared.rx_waker {
                Some(old) if old.will_wake(waker) => {}
                _ => shared.rx_waker = Some(waker.clone()),
            }
        }
        Refill::Empty
    }

    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut coop = ready!(coop::poll_proceed(cx));
        if self.local.is_empty() {
            match self.refill(Some(cx.waker())) {
                Refill::Got => {}
                Refill::Closed => {
                    coop.made_progress();
                    return Poll::Ready(None);
                }
                Refill::Empty => return Poll::Pending,
            }
        }
        let value = self.local.pop_front();
        self.release(1);
        coop.made_progress();
        Poll::Ready(value)
    }

    pub(super) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let mut coop = ready!(coop::poll_proceed(cx));
        if self.local.is_empty() {
            match self.refill(Some(cx.waker())) {
                Refill::Got => {}
                Refill::Closed => {
                    coop.made_progress();
                    return Poll::Ready(0);
                }
                Refill::Empty => return Poll::Pending,
            }
        }
        let n = limit.min(self.local.len());
        buffer.reserve(n);
        buffer.extend(self.local.drain(..n));
        self.release(n);
        coop.made_progress();
        Poll::Ready(n)
    }

    pub(super) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if self.local.is_empty() {
            match self.refill(None) {
                Refill::Got => {}
                Refill::Closed => return Err(TryRecvError::Disconnected),
                Refill::Empty => return Err(TryRecvError::Empty),
            }
        }
        let value = self.local.pop_front().ok_or(TryRecvError::Empty)?;
        self.release(1);
        Ok(value)
    }

    /// Closes the receiving side (rule 3): senders fail from now on, queued
    /// values stay receivable.
    pub(super) fn close(&mut self) {
        let mut shared = self.chan.shared.lock();
        if shared.rx_closed {
            return;
        }
        shared.rx_closed = true;
        drop(shared);
        // Release: pairs with the Acquire load in `is_rx_closed`.
        self.chan.rx_closed.store(true, Ordering::Release);
        self.chan.semaphore.close();
        self.chan.notify_rx_closed.notify_waiters();
    }

    pub(super) fn is_closed(&self) -> bool {
        let shared = self.chan.shared.lock();
        shared.rx_closed || shared.tx_closed
    }

    pub(super) fn len(&self) -> usize {
        self.local.len() + self.chan.shared.lock().queue.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.local.is_empty() && self.chan.shared.lock().queue.is_empty()
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.close();
        let mut shared = self.chan.shared.lock();
        shared.rx_dropped = true;
        shared.rx_waker = None;
        let queued = std::mem::take(&mut shared.queue);
        drop(shared);
        // User destructors run outside the lock.
        drop(queued);
    }
}
