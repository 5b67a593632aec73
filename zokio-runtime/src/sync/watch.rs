//! A single-value channel: receivers see the latest value and are told when
//! it changes.
//!
//! [`channel`] creates a [`Sender`] and a [`Receiver`] sharing one value.
//! Sending replaces it and marks it changed for every receiver;
//! [`Receiver::changed`] waits for the next change, and
//! [`Receiver::borrow_and_update`] reads the value and marks it seen.
//! Intermediate values may be skipped: a receiver only ever sees the latest.
//!
//! ```
//! use zokio::sync::watch;
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, mut rx) = watch::channel("initial");
//! zokio::task::spawn(async move {
//!     tx.send("updated").unwrap();
//! });
//! rx.changed().await.unwrap();
//! assert_eq!(*rx.borrow_and_update(), "updated");
//! # });
//! ```
//!
//! # Protocol
//!
//! The value sits in a blocking reader-writer lock; `state` holds
//! `version << 1 | CLOSED`.
//!
//! 1. Writers bump the version (by 2) while they still hold the write lock,
//!    so a reader holding the read lock sees the version of exactly the value
//!    it reads. Each receiver remembers the version it has seen.
//! 2. After bumping, the writer calls `notify_waiters` on `notify_rx`. A
//!    waiting receiver creates its `Notified` *before* comparing versions, and
//!    `notify_waiters` completes every `Notified` created before it, so a
//!    change between the comparison and the await is not missed.
//! 3. The last sender sets `CLOSED` and notifies the same way; the last
//!    receiver notifies `notify_tx` for [`Sender::closed`].
//!
//! The lock is held only while a [`Ref`] is alive: keep those short, and never
//! hold one across an `.await` (a sender on the same thread would deadlock).

use crate::context;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, RwLock, RwLockReadGuard};
use crate::sync::Notify;
use std::fmt;
use std::ops::Deref;

const CLOSED: usize = 1;
const VERSION_STEP: usize = 2;

pub mod error {
    //! Errors of the watch channel.
    use std::fmt;

    /// There is no receiver; the value is given back.
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

    /// Every sender is gone.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use self::error::{RecvError, SendError};

/// Creates a watch channel holding `init`, which counts as already seen.
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let tx = Sender::new(init);
    let rx = tx.subscribe();
    (tx, rx)
}

struct Shared<T> {
    value: RwLock<T>,
    /// `version << 1 | CLOSED` (rule 1).
    state: AtomicUsize,
    rx_count: AtomicUsize,
    tx_count: AtomicUsize,
    notify_rx: Notify,
    notify_tx: Notify,
}

/// Publishes new values to the [`Receiver`]s; clone it for more producers.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Observes the latest value; clone it for more observers.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver has seen.
    version: usize,
}

/// A read borrow of the current value. Holds a read lock: keep it short.
pub struct Ref<'a, T> {
    inner: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// Whether the value had not been seen by the receiver when borrowed
    /// (always `false` for [`Sender::borrow`]).
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("version", &(self.version >> 1))
            .finish_non_exhaustive()
    }
}

impl<T> Shared<T> {
    fn version(&self) -> usize {
        // Acquire: pairs with the Release bump in `Sender::modify`.
        self.state.load(Ordering::Acquire) & !CLOSED
    }

    fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED == CLOSED
    }
}

impl<T> Sender<T> {
    /// Creates a sender with no receiver yet.
    pub fn new(init: T) -> Sender<T> {
        Sender {
            shared: Arc::new(Shared {
                value: RwLock::new(init),
                state: AtomicUsize::new(0),
                rx_count: AtomicUsize::new(0),
                tx_count: AtomicUsize::new(1),
                notify_rx: Notify::new(),
                notify_tx: Notify::new(),
            }),
        }
    }

    /// Replaces the value and notifies receivers.
    ///
    /// # Errors
    ///
    /// Returns the value inside [`SendError`] if there is no receiver (the
    /// stored value is left unchanged then).
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Modifies the value in place and notifies receivers, even if there are
    /// none.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify<F: FnOnce(&mut T)>(&self, modify: F) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Modifies the value in place; receivers are notified only if `modify`
    /// returns `true`. Returns what `modify` returned.
    ///
    /// If `modify` panics, the change is not announced (the value may be left
    /// partly modified) and the panic propagates.
    pub fn send_if_modified<F: FnOnce(&mut T) -> bool>(&self, modify: F) -> bool {
        let mut value = self.shared.value.write();
        if !modify(&mut value) {
            return false;
        }
        // Release, under the write lock (rule 1): pairs with the Acquire loads
        // of `version`, so a receiver that sees the new version sees the value.
        self.shared.state.fetch_add(VERSION_STEP, Ordering::Release);
        drop(value);
        self.shared.notify_rx.notify_waiters();
        true
    }

    /// Replaces the value, returning the old one, and notifies receivers,
    /// even if there are none.
    pub fn send_replace(&self, value: T) -> T {
        let mut old = Some(value);
        self.send_modify(|v| {
            if let Some(new) = old.take() {
                old = Some(std::mem::replace(v, new));
            }
        });
        old.expect("send_modify runs the closure exactly once")
    }

    /// Borrows the current value. Holds a read lock until the [`Ref`] drops.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            inner: self.shared.value.read(),
            has_changed: false,
        }
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn closed(&self) {
        loop {
            let notified = self.shared.notify_tx.notified();
            if self.receiver_count() == 0 {
                return;
            }
            notified.await;
        }
    }

    /// A new receiver, which counts the current value as seen.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.rx_count.fetch_add(1, Ordering::Relaxed);
        let version = self.shared.version();
        Receiver {
            shared: self.shared.clone(),
            version,
        }
    }

    /// How many receivers exist.
    pub fn receiver_count(&self) -> usize {
        self.shared.rx_count.load(Ordering::Acquire)
    }

    /// How many senders exist.
    pub fn sender_count(&self) -> usize {
        self.shared.tx_count.load(Ordering::Acquire)
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.tx_count.fetch_add(1, Ordering::Relaxed);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // AcqRel: the last decrement comes after every other sender's.
        if self.shared.tx_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            // Release: pairs with the Acquire loads in `is_closed`.
            self.shared.state.fetch_or(CLOSED, Ordering::Release);
            self.shared.notify_rx.notify_waiters();
        }
    }
}

impl<T> Receiver<T> {
    /// Borrows the current value without marking it seen.
    pub fn borrow(&self) -> Ref<'_, T> {
        let inner = self.shared.value.read();
        // Under the read lock the version matches the value (rule 1).
        let has_changed = self.shared.version() != self.version;
        Ref { inner, has_changed }
    }

    /// Borrows the current value and marks it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let inner = self.shared.value.read();
        let version = self.shared.version();
        let has_changed = version != self.version;
        self.version = version;
        Ref { inner, has_changed }
    }

    /// Whether the value changed since this receiver last marked it seen.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if every sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        // Acquire: pairs with the Release `fetch_or` of the last sender.
        let state = self.shared.state.load(Ordering::Acquire);
        if state & CLOSED == CLOSED {
            return Err(RecvError(()));
        }
        Ok(state & !CLOSED != self.version)
    }

    /// Marks the current value as not seen, so `changed` completes at once.
    pub fn mark_changed(&mut self) {
        self.version = self.shared.version().wrapping_sub(VERSION_STEP);
    }

    /// Marks the current value as seen.
    pub fn mark_unchanged(&mut self) {
        self.version = self.shared.version();
    }

    /// Waits for a value this receiver has not seen, and marks it seen.
    ///
    /// Completes at once if the current value is unseen.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if every sender is gone and the value was seen.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped future marks nothing seen.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        crate::sync::cooperative(async {
            loop {
                // Created before the comparison (rule 2).
                let notified = self.shared.notify_rx.notified();
                let version = self.shared.version();
                if version != self.version {
                    self.version = version;
                    return Ok(());
                }
                if self.shared.is_closed() {
                    return Err(RecvError(()));
                }
                notified.await;
            }
        })
        .await
    }

    /// Waits until the value satisfies `f`, marks it seen and returns a
    /// borrow of it. The current value is checked first.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if every sender is gone before a value satisfies `f`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::watch;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (tx, mut rx) = watch::channel(0);
    /// zokio::task::spawn(async move {
    ///     for i in 1..=5 {
    ///         tx.send(i).unwrap();
    ///     }
    /// });
    /// let v = rx.wait_for(|v| *v == 5).await.unwrap();
    /// assert_eq!(*v, 5);
    /// # });
    /// ```
    pub async fn wait_for(
        &mut self,
        mut f: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        let Receiver { shared, version } = self;
        let shared: &Shared<T> = shared;
        crate::sync::cooperative(async move {
            loop {
                let notified = shared.notify_rx.notified();
                let current = {
                    // Scoped so the (non-`Send`) guard is never held across
                    // the await below.
                    let inner = shared.value.read();
                    let current = shared.version();
                    let has_changed = current != *version;
                    *version = current;
                    if f(&inner) {
                        return Ok(Ref { inner, has_changed });
                    }
                    current
                };
                if shared.is_closed() && shared.version() == current {
                    return Err(RecvError(()));
                }
                notified.await;
            }
        })
        .await
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Waits for a change from synchronous code, blocking the thread.
    ///
    /// # Errors
    ///
    /// As [`changed`](Receiver::changed).
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_changed(&mut self) -> Result<(), RecvError> {
        context::assert_may_block("watch::Receiver::blocking_changed");
        crate::park_thread::block_on(self.changed())
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.rx_count.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            version: self.version,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // AcqRel: the last decrement comes after every other receiver's.
        if self.shared.rx_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.notify_tx.notify_waiters();
        }
    }
}
