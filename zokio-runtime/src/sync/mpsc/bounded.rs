//! The bounded channel: senders wait for capacity.

use super::chan::{self, Rx, Tx};
use super::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
use crate::context;
use crate::loom::sync::Arc;
use std::fmt;
use std::task::{Context, Poll};
use std::time::Duration;

/// Creates a bounded channel holding at most `buffer` messages.
///
/// Once `buffer` messages are queued (or reserved through permits), `send`
/// waits until the receiver takes one.
///
/// # Panics
///
/// Panics if `buffer` is 0 (a rendezvous channel is not supported; use a
/// capacity of 1), or exceeds `Semaphore::MAX_PERMITS`.
///
/// # Examples
///
/// ```
/// use zokio::sync::mpsc;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = mpsc::channel(8);
/// for i in 0..3 {
///     let tx = tx.clone();
///     zokio::task::spawn(async move { tx.send(i).await.unwrap() });
/// }
/// drop(tx);
/// let mut got = Vec::new();
/// while let Some(i) = rx.recv().await {
///     got.push(i);
/// }
/// got.sort();
/// assert_eq!(got, [0, 1, 2]);
/// # });
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        buffer > 0,
        "mpsc bounded channel requires buffer > 0 (got 0); use a capacity of at least 1"
    );
    assert!(
        buffer <= crate::sync::Semaphore::MAX_PERMITS,
        "mpsc bounded channel capacity {buffer} exceeds Semaphore::MAX_PERMITS"
    );
    let (tx, rx) = chan::channel(buffer);
    (Sender { chan: tx }, Receiver { chan: rx })
}

/// Sends values to the paired [`Receiver`]; clone it for more producers.
pub struct Sender<T> {
    chan: Tx<T>,
}

/// A sender that does not keep the channel open; see [`Sender::downgrade`].
pub struct WeakSender<T> {
    chan: Arc<chan::Chan<T>>,
}

/// Receives values from the [`Sender`]s of a bounded channel.
///
/// Also a [`futures_core::Stream`] of the values, ending when the channel is
/// closed and drained.
pub struct Receiver<T> {
    chan: Rx<T>,
}

/// One reserved slot of capacity; [`send`](Permit::send) fills it without
/// waiting. Dropping it unused gives the slot back.
pub struct Permit<'a, T> {
    chan: &'a Sender<T>,
}

/// Like [`Permit`], but owns its [`Sender`] (which
/// [`send`](OwnedPermit::send) gives back).
pub struct OwnedPermit<T> {
    chan: Option<Sender<T>>,
}

/// An iterator of `n` permits reserved together by
/// [`Sender::reserve_many`]; unused ones are given back on drop.
pub struct PermitIterator<'a, T> {
    chan: &'a Sender<T>,
    n: usize,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.chan.inc_weak();
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.chan.dec_weak();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.chan).finish()
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
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("remaining", &self.n)
            .finish()
    }
}

impl<T> Sender<T> {
    /// Sends a value, waiting for capacity if the channel is full.
    ///
    /// # Errors
    ///
    /// Returns the value inside [`SendError`] if the receiver is dropped or
    /// closed (before or while waiting).
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped before it completes, the value is dropped too
    /// and was not sent; the place in the queue of waiting senders is lost. Use
    /// [`reserve`](Sender::reserve) first where the value must survive
    /// cancellation.
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.reserve().await {
            Ok(permit) => {
                permit.send(value);
                Ok(())
            }
            Err(_) => Err(SendError(value)),
        }
    }

    /// Sends a value, waiting at most `timeout` for capacity.
    ///
    /// # Errors
    ///
    /// [`SendTimeoutError::Timeout`] if no slot became free in time,
    /// [`SendTimeoutError::Closed`] if the receiver is dropped or closed; both
    /// give the value back.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime whose time driver is enabled, like
    /// `zokio::time::timeout`.
    ///
    /// # Cancel safety
    ///
    /// As [`send`](Sender::send).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use zokio::sync::mpsc::{self, error::SendTimeoutError};
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, _rx) = mpsc::channel(1);
    /// tx.send(1).await.unwrap();
    /// let err = tx.send_timeout(2, Duration::from_millis(10)).await;
    /// assert!(matches!(err, Err(SendTimeoutError::Timeout(2))));
    /// # });
    /// ```
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        match crate::time::timeout(timeout, self.reserve()).await {
            Ok(Ok(permit)) => {
                permit.send(value);
                Ok(())
            }
            Ok(Err(_)) => Err(SendTimeoutError::Closed(value)),
            Err(_) => Err(SendTimeoutError::Timeout(value)),
        }
    }

    /// Sends a value if there is capacity right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] if the channel is at capacity,
    /// [`TrySendError::Closed`] if the receiver is gone; both give the value
    /// back.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc::{self, error::TrySendError};
    ///
    /// let (tx, _rx) = mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.chan.chan().semaphore().try_acquire(1) {
            Ok(()) => {
                Permit { chan: self }.send(value);
                Ok(())
            }
            Err(e) if e.is_closed() => Err(TrySendError::Closed(value)),
            Err(_) => Err(TrySendError::Full(value)),
        }
    }

    /// Sends from synchronous code, blocking the thread while the channel is
    /// full.
    ///
    /// # Errors
    ///
    /// As [`send`](Sender::send).
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// for i in 0..3 {
    ///     assert_eq!(rx.blocking_recv(), Some(i));
    /// }
    /// producer.join().unwrap();
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        context::assert_may_block("mpsc::Sender::blocking_send");
        crate::park_thread::block_on(self.send(value))
    }

    /// Waits for one slot of capacity and reserves it.
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver is dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future gives up its place in the queue; a slot
    /// it had been handed passes to the next waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let permit = tx.reserve().await.unwrap();
    /// assert!(tx.try_send(1).is_err()); // the only slot is reserved
    /// permit.send(2);
    /// assert_eq!(rx.recv().await, Some(2));
    /// # });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        match self.chan.chan().semaphore().acquire(1).await {
            Ok(()) => Ok(Permit { chan: self }),
            Err(_) => Err(SendError(())),
        }
    }

    /// Waits for `n` slots at once and reserves them.
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver is dropped or closed.
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds the channel's capacity (it could never be served).
    ///
    /// # Cancel safety
    ///
    /// As [`reserve`](Sender::reserve).
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        assert!(
            n <= self.max_capacity(),
            "reserve_many({n}) exceeds the channel capacity {}",
            self.max_capacity()
        );
        match self.chan.chan().semaphore().acquire(n).await {
            Ok(()) => Ok(PermitIterator { chan: self, n }),
            Err(_) => Err(SendError(())),
        }
    }

    /// Reserves one slot, returning a permit that owns this sender (useful to
    /// move it into a task).
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver is dropped or closed (the sender is
    /// dropped).
    ///
    /// # Cancel safety
    ///
    /// As [`reserve`](Sender::reserve) (the sender is dropped with the future).
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        match self.chan.chan().semaphore().acquire(1).await {
            Ok(()) => Ok(OwnedPermit { chan: Some(self) }),
            Err(_) => Err(SendError(())),
        }
    }

    /// Reserves one slot if one is free right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], carrying `()`.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        match self.chan.chan().semaphore().try_acquire(1) {
            Ok(()) => Ok(Permit { chan: self }),
            Err(e) if e.is_closed() => Err(TrySendError::Closed(())),
            Err(_) => Err(TrySendError::Full(())),
        }
    }

    /// Reserves `n` slots if they are free right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], carrying `()`.
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.max_capacity() {
            return Err(TrySendError::Full(()));
        }
        match self.chan.chan().semaphore().try_acquire(n) {
            Ok(()) => Ok(PermitIterator { chan: self, n }),
            Err(e) if e.is_closed() => Err(TrySendError::Closed(())),
            Err(_) => Err(TrySendError::Full(())),
        }
    }

    /// Reserves one slot now if free, returning a permit that owns the sender.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] or [`TrySendError::Closed`], giving the sender
    /// back.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.chan.chan().semaphore().try_acquire(1) {
            Ok(()) => Ok(OwnedPermit { chan: Some(self) }),
            Err(e) if e.is_closed() => Err(TrySendError::Closed(self)),
            Err(_) => Err(TrySendError::Full(self)),
        }
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, rx) = mpsc::channel::<()>(1);
    /// zokio::task::spawn(async move { drop(rx) });
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&self) {
        self.chan.chan().rx_closed().await;
    }

    /// Whether the receiver is dropped or closed.
    pub fn is_closed(&self) -> bool {
        self.chan.chan().is_rx_closed()
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.chan.same_channel(&other.chan)
    }

    /// Free slots right now (capacity minus queued and reserved messages).
    pub fn capacity(&self) -> usize {
        self.chan.chan().semaphore().available_permits()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.chan.chan().bound()
    }

    /// A [`WeakSender`] that does not keep the channel open.
    pub fn downgrade(&self) -> WeakSender<T> {
        self.chan.chan().inc_weak();
        WeakSender {
            chan: self.chan.chan().clone(),
        }
    }

    /// Live (strong) senders of this channel.
    pub fn strong_count(&self) -> usize {
        self.chan.chan().strong_count()
    }

    /// Live weak senders of this channel.
    pub fn weak_count(&self) -> usize {
        self.chan.chan().weak_count()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`] again, if some sender still keeps the channel open.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel::<u8>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        chan::Chan::upgrade(&self.chan).map(|chan| Sender { chan })
    }

    /// Live (strong) senders of this channel.
    pub fn strong_count(&self) -> usize {
        self.chan.strong_count()
    }

    /// Live weak senders of this channel.
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<'a, T> Permit<'a, T> {
    /// Sends `value` into the reserved slot. Never waits or fails; if the
    /// receiver has closed, the value is queued for it to drain (or dropped if
    /// it is gone).
    pub fn send(self, value: T) {
        // The slot stays taken: the receiver releases it when it takes the value.
        let chan = self.chan;
        std::mem::forget(self);
        let _ = chan.chan.chan().push(value, false);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.chan.chan().permit_released();
    }
}

impl<T> OwnedPermit<T> {
    /// Sends `value` into the reserved slot and gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self
            .chan
            .take()
            .expect("OwnedPermit invariant: the sender is present until consumed");
        let _ = sender.chan.chan().push(value, false);
        sender
    }

    /// Gives the slot back unused and returns the sender.
    pub fn release(mut self) -> Sender<T> {
        let sender = self
            .chan
            .take()
            .expect("OwnedPermit invariant: the sender is present until consumed");
        sender.chan.chan().permit_released();
        sender
    }

    /// Whether the permit belongs to the same channel as `sender`.
    pub fn same_channel(&self, sender: &Sender<T>) -> bool {
        self.chan.as_ref().is_some_and(|s| s.same_channel(sender))
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.chan.take() {
            sender.chan.chan().permit_released();
        }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(Permit { chan: self.chan })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        for _ in 0..std::mem::take(&mut self.n) {
            self.chan.chan.chan().permit_released();
        }
    }
}

impl<T> Receiver<T> {
    /// Receives the next value, waiting while the channel is empty. Returns
    /// `None` once every sender is gone (or the receiver is closed and no
    /// permit is outstanding) and the queue is drained.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before completing, no value was
    /// taken from the channel.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = mpsc::channel(4);
    /// tx.send("hello").await.unwrap();
    /// drop(tx);
    /// assert_eq!(rx.recv().await, Some("hello"));
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.chan.poll_recv(cx)).await
    }

    /// Receives up to `limit` values into `buffer`, waiting until at least one
    /// is available; returns how many were added. Returns 0 at once if `limit`
    /// is 0, and 0 once the channel is closed and drained.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped future took no values.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::mpsc;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = mpsc::channel(4);
    /// for i in 0..3 {
    ///     tx.send(i).await.unwrap();
    /// }
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.recv_many(&mut buf, 2).await, 2);
    /// assert_eq!(buf, [0, 1]);
    /// # });
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        std::future::poll_fn(|cx| self.chan.poll_recv_many(cx, buffer, limit)).await
    }

    /// Takes the next value if one is queued.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if nothing is queued but senders remain,
    /// [`TryRecvError::Disconnected`] if nothing more can arrive.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Receives from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        context::assert_may_block("mpsc::Receiver::blocking_recv");
        crate::park_thread::block_on(self.recv())
    }

    /// Like [`blocking_recv`](Receiver::blocking_recv), for up to `limit`
    /// values.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        context::assert_may_block("mpsc::Receiver::blocking_recv_many");
        crate::park_thread::block_on(self.recv_many(buffer, limit))
    }

    /// Closes the channel for sending, without dropping queued values: senders
    /// fail from now on (pending `send`s and `reserve`s included), while the
    /// values already queued, and those sent through permits reserved before
    /// the close, can still be received.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Polls for the next value (the poll form of [`recv`](Receiver::recv)).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// The poll form of [`recv_many`](Receiver::recv_many).
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.chan.poll_recv_many(cx, buffer, limit)
    }

    /// Whether the channel is closed: every sender is gone, or
    /// [`close`](Receiver::close) was called. Values may still be queued.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Whether no value is queued.
    pub fn is_empty(&self) -> bool {
        self.chan.is_empty()
    }

    /// How many values are queued.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Free slots right now.
    pub fn capacity(&self) -> usize {
        self.chan.chan().semaphore().available_permits()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.chan.chan().bound()
    }

    /// Live (strong) senders of this channel.
    pub fn sender_strong_count(&self) -> usize {
        self.chan.chan().strong_count()
    }

    /// Live weak senders of this channel.
    pub fn sender_weak_count(&self) -> usize {
        self.chan.chan().weak_count()
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().chan.poll_recv(cx)
    }
}

// Queued values are never pinned, so the receiver may move freely whatever `T`.
impl<T> Unpin for Receiver<T> {}
