//! A multi-producer, multi-consumer channel where every receiver sees every
//! value.
//!
//! [`channel`] creates a ring buffer of `capacity` slots (rounded up to a power
//! of two). Each [`Sender::send`] stores a value in the next slot and wakes the
//! waiting receivers; each [`Receiver`] reads the slots in order, cloning the
//! value (the last receiver to read a slot takes it without cloning). A
//! receiver that falls more than `capacity` values behind loses the oldest
//! ones: its next `recv` returns [`RecvError::Lagged`] with the number
//! skipped, and the one after that continues from the oldest value kept.
//!
//! ```
//! use zokio::sync::broadcast;
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, mut rx1) = broadcast::channel(16);
//! let mut rx2 = tx.subscribe();
//! tx.send(10).unwrap();
//! tx.send(20).unwrap();
//! assert_eq!(rx1.recv().await.unwrap(), 10);
//! assert_eq!(rx2.recv().await.unwrap(), 10);
//! assert_eq!(rx1.recv().await.unwrap(), 20);
//! # });
//! ```
//!
//! # Protocol
//!
//! All state is in `Tail`, behind one mutex: the slots, the next position
//! `pos`, the receiver count, `closed`, and the list of waiting `Recv` futures.
//!
//! 1. A slot written at position `p` records `p` and `rem`, the number of
//!    receivers that have yet to read it. A receiver at `next` finds its value
//!    at slot `next & mask` iff `tail.pos - capacity <= next < tail.pos`.
//!    Below that window it has lagged, at `tail.pos` it is up to date.
//! 2. A `Recv` that finds nothing registers its waker and the current `pos`
//!    in the list, in the same critical section as its check. A send wakes
//!    (unlinks) every waiter registered at a position up to the one it wrote;
//!    later registrants already saw its value. Batches of wakers are woken
//!    with the mutex released. Senders dropping to zero set `closed` and wake
//!    everyone, under the mutex.
//! 3. A dropped `Recv` unlinks itself under the mutex if still linked; it
//!    never took a value, so it is cancel safe. A dropped `Receiver` gives
//!    up its claim (`rem`) on the slots it had not read, so values are dropped
//!    as soon as the last interested receiver has seen them.
//!
//! `T::clone` runs with the mutex held; keep clones cheap (an `Arc` inside is
//! the usual way to broadcast large values).

use super::notify::Notify;
use super::wait_list::{List, Node};
use super::wake_list::WakeList;
use crate::context;
use crate::coop;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{ready, Context, Poll, Waker};

pub mod error {
    //! Errors of the broadcast channel.
    use std::fmt;

    /// There are no receivers; the value is given back.
    #[derive(PartialEq, Eq, Clone, Copy)]
    pub struct SendError<T>(pub T);

    impl<T> fmt::Debug for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("SendError").finish_non_exhaustive()
        }
    }

    impl<T> fmt::Display for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl<T> std::error::Error for SendError<T> {}

    /// Why [`Receiver::recv`](super::Receiver::recv) returned no value.
    #[derive(Debug, PartialEq, Eq, Clone)]
    pub enum RecvError {
        /// Every sender is gone and all values were received.
        Closed,
        /// The receiver fell behind: this many values were dropped before it
        /// read them. The next receive continues with the oldest value kept.
        Lagged(u64),
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                RecvError::Closed => f.write_str("channel closed"),
                RecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for RecvError {}

    /// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no value.
    #[derive(Debug, PartialEq, Eq, Clone)]
    pub enum TryRecvError {
        /// Nothing new right now.
        Empty,
        /// Every sender is gone and all values were received.
        Closed,
        /// The receiver fell behind by this many values (see
        /// [`RecvError::Lagged`]).
        Lagged(u64),
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
                TryRecvError::Lagged(n) => write!(f, "channel lagged by {n}"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use self::error::{RecvError, SendError, TryRecvError};

/// Creates a broadcast channel keeping the last `capacity` values (rounded up
/// to a power of two) for receivers that lag.
///
/// # Panics
///
/// Panics if `capacity` is 0 or greater than `usize::MAX / 2`.
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let tx = Sender::new(capacity);
    let rx = tx.subscribe();
    (tx, rx)
}

/// Sends values to every [`Receiver`]; clone it for more producers.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A sender that does not keep the channel open; see [`Sender::downgrade`].
pub struct WeakSender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every value sent after it subscribed.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Position of the next value to read.
    next: u64,
}

struct Shared<T> {
    tail: Mutex<Tail<T>>,
    mask: usize,
    num_tx: AtomicUsize,
    num_weak_tx: AtomicUsize,
    /// Woken when the last receiver goes, for `Sender::closed`.
    notify_last_rx_drop: Notify,
}

struct Tail<T> {
    slots: Box<[Slot<T>]>,
    /// Position the next send writes.
    pos: u64,
    rx_cnt: usize,
    closed: bool,
    waiters: List<Waiter>,
}

struct Slot<T> {
    pos: u64,
    /// Receivers that have yet to read this slot.
    rem: usize,
    val: Option<T>,
}

/// A waiting `Recv`'s payload; both fields are guarded by the tail mutex.
struct Waiter {
    waker: UnsafeCell<Option<Waker>>,
    /// `tail.pos` when the waiter registered (rule 2).
    pos: UnsafeCell<u64>,
}

// SAFETY: both cells are only accessed with the tail mutex held.
unsafe impl Sync for Waiter {}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl<T> Shared<T> {
    fn capacity(&self) -> u64 {
        self.mask as u64 + 1
    }

    /// Wakes the waiters registered at or before `up_to` (all of them for
    /// `u64::MAX`), in batches with the mutex released (rule 2).
    fn wake_waiters<'a>(&'a self, mut tail: MutexGuard<'a, Tail<T>>, up_to: u64) {
        loop {
            let mut wakers = WakeList::new();
            while wakers.can_push() {
                let Some(node) = tail.waiters.front() else {
                    break;
                };
                // SAFETY: linked nodes are alive while we hold the mutex
                // (wait_list rule 3).
                let waiter = unsafe { &node.as_ref().data };
                // SAFETY: guarded by the tail mutex, which we hold.
                if waiter.pos.with(|p| unsafe { *p }) > up_to {
                    break;
                }
                tail.waiters.pop_front();
                // SAFETY: guarded by the tail mutex, which we hold.
                if let Some(waker) = waiter.waker.with_mut(|w| unsafe { (*w).take() }) {
                    wakers.push(waker);
                }
            }
            let more = !wakers.can_push();
            drop(tail);
            wakers.wake_all();
            if !more {
                return;
            }
            tail = self.tail.lock();
        }
    }
}

impl<T> Sender<T> {
    /// Creates a sender with no receivers yet; see [`channel`].
    ///
    /// # Panics
    ///
    /// Panics if `capacity` is 0 or greater than `usize::MAX / 2`.
    #[track_caller]
    pub fn new(capacity: usize) -> Sender<T> {
        assert!(capacity > 0, "broadcast channel capacity cannot be zero");
        assert!(
            capacity <= usize::MAX >> 1,
            "broadcast channel capacity {capacity} exceeds usize::MAX / 2"
        );
        let capacity = capacity.next_power_of_two();
        let slots = (0..capacity)
            .map(|i| Slot {
                // A position no receiver can be at, so empty slots never match.
                pos: (i as u64).wrapping_sub(capacity as u64),
                rem: 0,
                val: None,
            })
            .collect();
        Sender {
            shared: Arc::new(Shared {
                tail: Mutex::new(Tail {
                    slots,
                    pos: 0,
                    rx_cnt: 0,
                    closed: false,
                    waiters: List::new(),
                }),
                mask: capacity - 1,
                num_tx: AtomicUsize::new(1),
                num_weak_tx: AtomicUsize::new(0),
                notify_last_rx_drop: Notify::new(),
            }),
        }
    }

    /// Sends a value to every current receiver; returns how many there are.
    ///
    /// A full buffer never blocks the sender: the oldest value is overwritten
    /// and lagging receivers learn about it through [`RecvError::Lagged`].
    ///
    /// # Errors
    ///
    /// Returns the value inside [`SendError`] if there is no receiver.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut tail = self.shared.tail.lock();
        let rx_cnt = tail.rx_cnt;
        if rx_cnt == 0 {
            return Err(SendError(value));
        }
        let pos = tail.pos;
        let idx = (pos as usize) & self.shared.mask;
        let slot = &mut tail.slots[idx];
        let old = slot.val.replace(value);
        slot.pos = pos;
        slot.rem = rx_cnt;
        tail.pos = pos + 1;
        self.shared.wake_waiters(tail, pos);
        // A value nobody read is dropped outside the lock.
        drop(old);
        Ok(rx_cnt)
    }

    /// A new receiver that sees values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        new_receiver(self.shared.clone())
    }

    /// A [`WeakSender`] that does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        self.shared.num_weak_tx.fetch_add(1, Ordering::Relaxed);
        WeakSender {
            shared: self.shared.clone(),
        }
    }

    /// How many values are held for at least one receiver.
    pub fn len(&self) -> usize {
        let tail = self.shared.tail.lock();
        tail.slots.iter().filter(|s| s.rem > 0).count()
    }

    /// Whether no value is held for any receiver.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.shared.tail.lock().rx_cnt
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Waits until there is no receiver.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn closed(&self) {
        loop {
            let notified = self.shared.notify_last_rx_drop.notified();
            if self.receiver_count() == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Live (strong) senders.
    pub fn strong_count(&self) -> usize {
        self.shared.num_tx.load(Ordering::Acquire)
    }

    /// Live weak senders.
    pub fn weak_count(&self) -> usize {
        self.shared.num_weak_tx.load(Ordering::Relaxed)
    }
}

fn new_receiver<T>(shared: Arc<Shared<T>>) -> Receiver<T> {
    let mut tail = shared.tail.lock();
    tail.rx_cnt = tail
        .rx_cnt
        .checked_add(1)
        .expect("broadcast receiver count overflowed");
    let next = tail.pos;
    drop(tail);
    Receiver { shared, next }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        // Relaxed: cloned from a live sender, so the count cannot hit 0 now.
        self.shared.num_tx.fetch_add(1, Ordering::Relaxed);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // AcqRel: the last decrement comes after all others.
        if self.shared.num_tx.fetch_sub(1, Ordering::AcqRel) == 1 {
            let mut tail = self.shared.tail.lock();
            tail.closed = true;
            self.shared.wake_waiters(tail, u64::MAX);
        }
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`] again, if some sender still keeps the channel open.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let mut curr = self.shared.num_tx.load(Ordering::Relaxed);
        loop {
            if curr == 0 {
                return None;
            }
            match self.shared.num_tx.compare_exchange_weak(
                curr,
                curr + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    return Some(Sender {
                        shared: self.shared.clone(),
                    })
                }
                Err(actual) => curr = actual,
            }
        }
    }

    /// Live (strong) senders.
    pub fn strong_count(&self) -> usize {
        self.shared.num_tx.load(Ordering::Acquire)
    }

    /// Live weak senders.
    pub fn weak_count(&self) -> usize {
        self.shared.num_weak_tx.load(Ordering::Relaxed)
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.shared.num_weak_tx.fetch_add(1, Ordering::Relaxed);
        WeakSender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.shared.num_weak_tx.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<T> Receiver<T> {
    /// How many values were sent that this receiver has yet to read
    /// (including any it will have to skip as lagged).
    pub fn len(&self) -> usize {
        let tail = self.shared.tail.lock();
        (tail.pos - self.next) as usize
    }

    /// Whether there is nothing new to read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Whether every sender is gone (values may still be left to read).
    pub fn is_closed(&self) -> bool {
        self.shared.tail.lock().closed
    }

    /// A new receiver of the same channel, starting with values sent from
    /// now on (not at this receiver's position).
    pub fn resubscribe(&self) -> Self {
        new_receiver(self.shared.clone())
    }

    /// Live (strong) senders.
    pub fn sender_strong_count(&self) -> usize {
        self.shared.num_tx.load(Ordering::Acquire)
    }

    /// Live weak senders.
    pub fn sender_weak_count(&self) -> usize {
        self.shared.num_weak_tx.load(Ordering::Relaxed)
    }
}

impl<T: Clone> Receiver<T> {
    /// Reads the next value at `next` (rule 1).
    fn recv_locked(&mut self, tail: &mut Tail<T>) -> Result<T, TryRecvError> {
        if self.next >= tail.pos {
            return Err(if tail.closed {
                TryRecvError::Closed
            } else {
                TryRecvError::Empty
            });
        }
        let oldest = tail.pos.saturating_sub(self.shared.capacity());
        if self.next < oldest {
            let missed = oldest - self.next;
            self.next = oldest;
            return Err(TryRecvError::Lagged(missed));
        }
        let slot = &mut tail.slots[(self.next as usize) & self.shared.mask];
        debug_assert_eq!(slot.pos, self.next, "broadcast slot/position mismatch");
        self.next += 1;
        slot.rem -= 1;
        let value = if slot.rem == 0 {
            // The last reader takes the value instead of cloning it.
            slot.val.take()
        } else {
            slot.val.clone()
        };
        Ok(value.expect("broadcast invariant: a slot with readers left holds its value"))
    }

    /// Receives the next value, waiting for one to be sent.
    ///
    /// # Errors
    ///
    /// [`RecvError::Closed`] once every sender is gone and everything was
    /// read; [`RecvError::Lagged`] if values were lost because this receiver
    /// fell behind (receiving again continues with the oldest value kept).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped future took no value.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::broadcast::{self, error::RecvError};
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = broadcast::channel(2);
    /// for i in 0..4 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(rx.recv().await, Err(RecvError::Lagged(2)));
    /// assert_eq!(rx.recv().await, Ok(2));
    /// assert_eq!(rx.recv().await, Ok(3));
    /// drop(tx);
    /// assert_eq!(rx.recv().await, Err(RecvError::Closed));
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        Recv {
            receiver: self,
            node: Node::new(Waiter {
                waker: UnsafeCell::new(None),
                pos: UnsafeCell::new(0),
            }),
            queued: false,
        }
        .await
    }

    /// Reads the next value if one is there.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`], [`TryRecvError::Closed`] or
    /// [`TryRecvError::Lagged`], as for [`recv`](Receiver::recv).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let shared = self.shared.clone();
        let mut tail = shared.tail.lock();
        self.recv_locked(&mut tail)
    }

    /// Receives from synchronous code, blocking the thread.
    ///
    /// # Errors
    ///
    /// As [`recv`](Receiver::recv).
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        context::assert_may_block("broadcast::Receiver::blocking_recv");
        crate::park_thread::block_on(self.recv())
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut tail = self.shared.tail.lock();
        let oldest = tail.pos.saturating_sub(self.shared.capacity());
        let mut dropped = Vec::new();
        for pos in self.next.max(oldest)..tail.pos {
            let slot = &mut tail.slots[(pos as usize) & self.shared.mask];
            slot.rem -= 1;
            if slot.rem == 0 {
                if let Some(v) = slot.val.take() {
                    dropped.push(v);
                }
            }
        }
        tail.rx_cnt -= 1;
        let last = tail.rx_cnt == 0;
        drop(tail);
        drop(dropped);
        if last {
            self.shared.notify_last_rx_drop.notify_waiters();
        }
    }
}

/// The future of [`Receiver::recv`]; `node` is structurally pinned.
struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
    node: Node<Waiter>,
    /// Whether `node` may be linked (rule 3).
    queued: bool,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut coop = ready!(coop::poll_proceed(cx));
        // SAFETY: `node` is never moved out of the pinned future (`Drop` unlinks
        // it in place); the other fields are not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let shared = this.receiver.shared.clone();
        let mut tail = shared.tail.lock();
        let result = match this.receiver.recv_locked(&mut tail) {
            Ok(value) => Ok(value),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Empty) => {
                let waiter = &this.node.data;
                let pos = tail.pos;
                // SAFETY: guarded by the tail mutex, which we hold.
                waiter.pos.with_mut(|p| unsafe { *p = pos });
                waiter.waker.with_mut(|w| {
                    // SAFETY: guarded by the tail mutex, which we hold.
                    let slot = unsafe { &mut *w };
                    match slot {
                        Some(old) if old.will_wake(cx.waker()) => {}
                        _ => *slot = Some(cx.waker().clone()),
                    }
                });
                let node = NonNull::from(&this.node);
                // Re-link at the back (a send may have unlinked it meanwhile);
                // order among broadcast waiters does not matter.
                // SAFETY: the node is alive and in this list or none.
                unsafe { tail.waiters.remove(node) };
                // SAFETY: pinned inside this future, in no list now, and `Drop`
                // unlinks it before it goes away (rule 3).
                unsafe { tail.waiters.push_back(node) };
                this.queued = true;
                return Poll::Pending;
            }
        };
        if this.queued {
            // SAFETY: the node is alive and in this list or none.
            unsafe { tail.waiters.remove(NonNull::from(&this.node)) };
            this.queued = false;
        }
        drop(tail);
        coop.made_progress();
        Poll::Ready(result)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if self.queued {
            let mut tail = self.receiver.shared.tail.lock();
            // SAFETY: the node is alive (dropped in place) and in this list or
            // none.
            unsafe { tail.waiters.remove(NonNull::from(&self.node)) };
        }
    }
}
