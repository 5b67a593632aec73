//! A channel for sending a single value between tasks.
//!
//! [`channel`] returns a [`Sender`] and a [`Receiver`]. The sender hands over at
//! most one value with [`Sender::send`]; the receiver is a future that resolves
//! to it, or to [`error::RecvError`] if the sender is dropped without sending.
//!
//! ```
//! use zokio::sync::oneshot;
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, rx) = oneshot::channel();
//! zokio::task::spawn(async move {
//!     let _ = tx.send(3);
//! });
//! assert_eq!(rx.await, Ok(3));
//! # });
//! ```
//!
//! # Protocol
//!
//! Both halves share one allocation with a state word of four flags:
//!
//! - `VALUE_SENT`: the value is in `value` and belongs to the receiver;
//! - `CLOSED`: the sender was dropped without sending, or the receiver closed;
//! - `RX_TASK_SET`: `rx_task` holds the receiver's waker;
//! - `TX_TASK_SET`: `tx_task` holds the waker of a task in `Sender::closed`.
//!
//! Rules:
//!
//! 1. `value` belongs to the sender until it sets `VALUE_SENT`, and to the
//!    receiver afterwards. The sender writes the value first, then sets
//!    `VALUE_SENT` by CAS unless `CLOSED` is set; if it is, it takes the value
//!    back and reports the failure.
//! 2. `rx_task` may be written by the receiver only while `RX_TASK_SET` is clear
//!    (it clears the flag first to replace the waker), and read by the sender
//!    only if the RMW with which it set `VALUE_SENT` or `CLOSED` saw the flag
//!    set. A receiver whose clearing RMW sees `VALUE_SENT` or `CLOSED` leaves
//!    the cell alone, since the sender may be reading it. `tx_task` is the
//!    mirror image with the halves swapped.
//! 3. Whoever completes the channel (`VALUE_SENT` or `CLOSED`) wakes the other
//!    side if its task flag was set in the same RMW. Since the waiter sets its
//!    flag with an RMW and re-checks the returned state, one of the two always
//!    sees the other: no lost wake-up.
//!
//! Every flag RMW is `AcqRel` (or `Acquire` loads): it publishes the cell it
//! guards and acquires the cells the other side published.

use crate::context;
use crate::coop;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Arc;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

const RX_TASK_SET: usize = 0b0001;
const VALUE_SENT: usize = 0b0010;
const CLOSED: usize = 0b0100;
const TX_TASK_SET: usize = 0b1000;

pub mod error {
    //! Errors of the oneshot channel.
    use std::fmt;

    /// The sender was dropped without sending a value.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    /// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned nothing.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TryRecvError {
        /// No value has been sent yet.
        Empty,
        /// The sender was dropped without sending, or the value was already
        /// taken.
        Closed,
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use self::error::{RecvError, TryRecvError};

/// Creates a oneshot channel.
///
/// # Examples
///
/// ```
/// use zokio::sync::oneshot;
///
/// let (tx, mut rx) = oneshot::channel::<u8>();
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_task: UnsafeCell::new(None),
        tx_task: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

/// Sends a single value to the paired [`Receiver`].
pub struct Sender<T> {
    inner: Option<Arc<Inner<T>>>,
}

/// Receives the single value sent by the paired [`Sender`]; a future.
///
/// Awaiting it yields `Ok(value)`, or `Err(RecvError)` if the sender was
/// dropped without sending.
///
/// # Cancel safety
///
/// Dropping the receiver (or the future awaiting it) drops the value if one
/// was sent; the channel is single-use, so there is no place to give back.
/// Polling `&mut Receiver` in a `select!` loop is cancel safe: the value stays
/// in the channel until a poll returns it.
#[must_use = "futures do nothing unless `.await`ed or polled"]
pub struct Receiver<T> {
    inner: Option<Arc<Inner<T>>>,
}

struct Inner<T> {
    state: AtomicUsize,
    /// Owned as rule 1 says.
    value: UnsafeCell<Option<T>>,
    /// Owned as rule 2 says.
    rx_task: UnsafeCell<Option<Waker>>,
    /// Owned as rule 2 says, halves swapped.
    tx_task: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are handed between the halves by the protocol above, so
// each is accessed by one thread at a time; the value moves between threads
// (`T: Send`) but is never shared.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("terminated", &self.is_terminated())
            .finish()
    }
}

impl<T> Inner<T> {
    /// Takes the value.
    ///
    /// # Safety
    ///
    /// Only the receiver may call this, after observing `VALUE_SENT` (rule 1).
    unsafe fn take_value(&self) -> Option<T> {
        // SAFETY: the receiver owns the cell after VALUE_SENT (caller's contract).
        self.value.with_mut(|v| unsafe { (*v).take() })
    }

    /// Wakes the waker in `cell`.
    ///
    /// # Safety
    ///
    /// The caller completed the channel with an RMW that saw the matching task
    /// flag set (rule 2), so the other half no longer writes the cell.
    unsafe fn wake(cell: &UnsafeCell<Option<Waker>>) {
        // SAFETY: per the caller's contract, reads are allowed and nobody writes.
        cell.with(|w| {
            // SAFETY: see above.
            if let Some(waker) = unsafe { &*w } {
                waker.wake_by_ref();
            }
        });
    }
}

/// Registers `waker` in `cell` guarded by `flag` (rule 2). Returns the state
/// seen last, from which the caller decides whether the channel completed.
///
/// # Safety
///
/// Only the half that owns `cell` for writing (the receiver for `rx_task`, the
/// sender for `tx_task`) may call this.
unsafe fn register(
    state: &AtomicUsize,
    cell: &UnsafeCell<Option<Waker>>,
    flag: usize,
    done: usize,
    waker: &Waker,
) -> usize {
    let mut curr = state.load(Ordering::Acquire);
    if curr & done != 0 {
        return curr;
    }
    if curr & flag != 0 {
        // SAFETY: the flag is set and we are the writer, so only the other half
        // may read, and reading alongside a read is fine.
        let same = cell.with(|w| unsafe { (*w).as_ref() }.is_some_and(|w| w.will_wake(waker)));
        if same {
            return curr;
        }
        // AcqRel: Release so the other half's next read sees the cleared flag
        // before any rewrite; Acquire to see a completion.
        curr = state.fetch_and(!flag, Ordering::AcqRel);
        if curr & done != 0 {
            // The other half may be reading the cell right now: leave it.
            return curr;
        }
    }
    // SAFETY: the flag is clear, so we are the only one touching the cell.
    cell.with_mut(|w| unsafe { *w = Some(waker.clone()) });
    // AcqRel: Release publishes the waker to the half that sees the flag;
    // Acquire sees a completion that raced with us (rule 3).
    state.fetch_or(flag, Ordering::AcqRel) | flag
}

impl<T> Sender<T> {
    /// Sends `t`, consuming the sender.
    ///
    /// # Errors
    ///
    /// Returns `Err(t)` if the receiver was dropped or
    /// [closed](Receiver::close), giving the value back.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5));
    /// ```
    pub fn send(mut self, t: T) -> Result<(), T> {
        let inner = self
            .inner
            .take()
            .expect("oneshot::Sender invariant: inner is present until send or drop");
        // SAFETY: the sender owns `value` until VALUE_SENT (rule 1).
        inner.value.with_mut(|v| unsafe { *v = Some(t) });
        let mut curr = inner.state.load(Ordering::Relaxed);
        loop {
            if curr & CLOSED != 0 {
                // SAFETY: VALUE_SENT was never set, so the value is still ours.
                let t = inner.value.with_mut(|v| unsafe { (*v).take() });
                return Err(t.expect("the value was written just above"));
            }
            // AcqRel: Release publishes the value (rule 1); Acquire sees the
            // receiver's waker if RX_TASK_SET is set (rule 2).
            match inner.state.compare_exchange_weak(
                curr,
                curr | VALUE_SENT,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => curr = actual,
            }
        }
        if curr & RX_TASK_SET != 0 {
            // SAFETY: our RMW saw RX_TASK_SET (rule 2).
            unsafe { Inner::<T>::wake(&inner.rx_task) };
        }
        Ok(())
    }

    /// Whether the receiver has been dropped or closed.
    pub fn is_closed(&self) -> bool {
        match &self.inner {
            Some(inner) => inner.state.load(Ordering::Acquire) & CLOSED != 0,
            None => true,
        }
    }

    /// Waits until the receiver is dropped or closed, e.g. to stop computing a
    /// value nobody wants.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::oneshot;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (mut tx, rx) = oneshot::channel::<()>();
    /// zokio::task::spawn(async move { drop(rx) });
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await;
    }

    /// Polls whether the receiver is gone, registering the task to be woken
    /// when it goes.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut coop = ready!(coop::poll_proceed(cx));
        let inner = self
            .inner
            .as_ref()
            .expect("oneshot::Sender invariant: inner is present until send or drop");
        // SAFETY: the sender is the writer of `tx_task` (rule 2).
        let state = unsafe {
            register(
                &inner.state,
                &inner.tx_task,
                TX_TASK_SET,
                CLOSED,
                cx.waker(),
            )
        };
        if state & CLOSED != 0 {
            coop.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            // AcqRel: Release so the receiver that sees CLOSED also sees that no
            // value will come; Acquire for its waker (rule 2).
            let prev = inner.state.fetch_or(CLOSED, Ordering::AcqRel);
            if prev & (RX_TASK_SET | VALUE_SENT | CLOSED) == RX_TASK_SET {
                // SAFETY: our RMW saw RX_TASK_SET and completed the channel.
                unsafe { Inner::<T>::wake(&inner.rx_task) };
            }
        }
    }
}

impl<T> Receiver<T> {
    /// Stops the sender from sending: a later [`Sender::send`] fails and
    /// [`Sender::closed`] completes. A value sent before the call can still be
    /// received.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        if let Some(inner) = &self.inner {
            // AcqRel: as in `Sender::drop`, for `tx_task`.
            let prev = inner.state.fetch_or(CLOSED, Ordering::AcqRel);
            if prev & (TX_TASK_SET | VALUE_SENT | CLOSED) == TX_TASK_SET {
                // SAFETY: our RMW saw TX_TASK_SET and completed the channel.
                unsafe { Inner::<T>::wake(&inner.tx_task) };
            }
        }
    }

    /// Whether the receiver has already yielded its value or error, i.e.
    /// awaiting it again would panic.
    pub fn is_terminated(&self) -> bool {
        self.inner.is_none()
    }

    /// Whether no value is waiting to be received right now.
    pub fn is_empty(&self) -> bool {
        match &self.inner {
            Some(inner) => inner.state.load(Ordering::Acquire) & VALUE_SENT == 0,
            None => true,
        }
    }

    /// Takes the value if it has been sent.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if nothing was sent yet,
    /// [`TryRecvError::Closed`] if the sender is gone without sending or the
    /// value was already taken.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        // Acquire: pairs with the Release of `send` (rule 1).
        let state = inner.state.load(Ordering::Acquire);
        if state & VALUE_SENT != 0 {
            // SAFETY: we are the receiver and saw VALUE_SENT.
            let value = unsafe { inner.take_value() };
            self.inner = None;
            value.ok_or(TryRecvError::Closed)
        } else if state & CLOSED != 0 {
            self.inner = None;
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Waits for the value from synchronous code, blocking the thread.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if the sender is dropped without sending.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// std::thread::spawn(move || tx.send(9).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(9));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        context::assert_may_block("oneshot::Receiver::blocking_recv");
        crate::park_thread::block_on(self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut coop = ready!(coop::poll_proceed(cx));
        let inner = self
            .inner
            .as_ref()
            .expect("oneshot::Receiver polled after it completed");
        // SAFETY: the receiver is the writer of `rx_task` (rule 2).
        let state = unsafe {
            register(
                &inner.state,
                &inner.rx_task,
                RX_TASK_SET,
                VALUE_SENT | CLOSED,
                cx.waker(),
            )
        };
        let result = if state & VALUE_SENT != 0 {
            // SAFETY: we are the receiver and saw VALUE_SENT (rule 1).
            match unsafe { inner.take_value() } {
                Some(value) => Ok(value),
                None => Err(RecvError(())),
            }
        } else if state & CLOSED != 0 {
            Err(RecvError(()))
        } else {
            return Poll::Pending;
        };
        coop.made_progress();
        self.inner = None;
        Poll::Ready(result)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        if let Some(inner) = self.inner.take() {
            if inner.state.load(Ordering::Acquire) & VALUE_SENT != 0 {
                // SAFETY: we are the receiver and saw VALUE_SENT (rule 1); drop
                // the value now rather than when the allocation goes.
                drop(unsafe { inner.take_value() });
            }
        }
    }
}
