//! The unbounded channel: sending never waits.

use super::chan::{self, Rx, Tx};
use super::error::{SendError, TryRecvError};
use crate::context;
use crate::loom::sync::Arc;
use std::fmt;
use std::task::{Context, Poll};

/// Creates an unbounded channel: [`send`](UnboundedSender::send) never waits,
/// so the queue grows as long as the receiver lags behind.
///
/// # Examples
///
/// ```
/// use zokio::sync::mpsc;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// assert_eq!(rx.recv().await, Some(1));
/// assert_eq!(rx.recv().await, Some(2));
/// # });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::channel(0);
    (UnboundedSender { chan: tx }, UnboundedReceiver { chan: rx })
}

/// Sends values to the paired [`UnboundedReceiver`]; clone it for more
/// producers.
pub struct UnboundedSender<T> {
    chan: Tx<T>,
}

/// An unbounded sender that does not keep the channel open.
pub struct WeakUnboundedSender<T> {
    chan: Arc<chan::Chan<T>>,
}

/// Receives values from the [`UnboundedSender`]s; also a
/// [`futures_core::Stream`].
pub struct UnboundedReceiver<T> {
    chan: Rx<T>,
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.inc_weak();
        WeakUnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakUnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.dec_weak();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> UnboundedSender<T> {
    /// Sends a value without waiting.
    ///
    /// # Errors
    ///
    /// Returns the value inside [`SendError`] if the receiver is dropped or
    /// closed.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.chan().push(value, true).map_err(SendError)
    }

    /// Waits until the receiver is dropped or closed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
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

    /// A [`WeakUnboundedSender`] that does not keep the channel open.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        self.chan.chan().inc_weak();
        WeakUnboundedSender {
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

impl<T> WeakUnboundedSender<T> {
    /// An [`UnboundedSender`] again, if some sender still keeps the channel
    /// open.
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        chan::Chan::upgrade(&self.chan).map(|chan| UnboundedSender { chan })
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

impl<T> UnboundedReceiver<T> {
    /// Receives the next value, waiting while the channel is empty; `None`
    /// once every sender is gone and the queue is drained.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped future took no value.
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.chan.poll_recv(cx)).await
    }

    /// Receives up to `limit` values into `buffer`, waiting for at least one;
    /// returns how many were added (0 if `limit` is 0 or the channel is
    /// finished).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        std::future::poll_fn(|cx| self.chan.poll_recv_many(cx, buffer, limit)).await
    }

    /// Takes the next value if one is queued.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] or [`TryRecvError::Disconnected`].
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
        context::assert_may_block("mpsc::UnboundedReceiver::blocking_recv");
        crate::park_thread::block_on(self.recv())
    }

    /// Like [`blocking_recv`](UnboundedReceiver::blocking_recv), for up to
    /// `limit` values.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        context::assert_may_block("mpsc::UnboundedReceiver::blocking_recv_many");
        crate::park_thread::block_on(self.recv_many(buffer, limit))
    }

    /// Closes the channel for sending; queued values can still be received.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// The poll form of [`recv`](UnboundedReceiver::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// The poll form of [`recv_many`](UnboundedReceiver::recv_many).
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.chan.poll_recv_many(cx, buffer, limit)
    }

    /// Whether every sender is gone or [`close`](UnboundedReceiver::close) was
    /// called.
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

    /// Live (strong) senders of this channel.
    pub fn sender_strong_count(&self) -> usize {
        self.chan.chan().strong_count()
    }

    /// Live weak senders of this channel.
    pub fn sender_weak_count(&self) -> usize {
        self.chan.chan().weak_count()
    }
}

impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().chan.poll_recv(cx)
    }
}

// Queued values are never pinned, so the receiver may move freely whatever `T`.
impl<T> Unpin for UnboundedReceiver<T> {}
