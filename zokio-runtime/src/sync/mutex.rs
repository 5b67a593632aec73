//! An async mutex: a one-permit `batch_semaphore` guarding an `UnsafeCell`.
//!
//! # Rules
//!
//! 1. Whoever holds the semaphore's single permit has exclusive access to
//!    `data`. Every guard type owns that permit and releases it exactly once, on
//!    drop; mapping a guard moves the permit into the mapped guard
//!    (`mem::forget` on the old one), so it is still released exactly once.
//! 2. The permit's hand-over is ordered by the semaphore (`Release` on release,
//!    `Acquire` on acquire, or its mutex when handed to a queued waiter), so the
//!    next holder sees every write of the previous one.
//!
//! Waiters are served in FIFO order, and a dropped `lock()` future gives its
//! place to the next waiter (see `batch_semaphore` rules 1 and 4).

use super::batch_semaphore as ll;
use super::Arc;
use crate::context;
use crate::loom::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::{self, ManuallyDrop};
use std::ops::{Deref, DerefMut};
use std::ptr;

/// An asynchronous mutual-exclusion lock with fair (FIFO) hand-over.
///
/// Unlike `std::sync::Mutex`, [`lock`](Mutex::lock) is `async` and its guard
/// may be held across `.await` points. For short critical sections that never
/// await, a blocking mutex is often faster; this one is for state that must
/// stay locked while the holder awaits.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use zokio::sync::Mutex;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let counter = Arc::new(Mutex::new(0));
/// let mut tasks = Vec::new();
/// for _ in 0..10 {
///     let counter = counter.clone();
///     tasks.push(zokio::task::spawn(async move {
///         *counter.lock().await += 1;
///     }));
/// }
/// for t in tasks {
///     t.await.unwrap();
/// }
/// assert_eq!(*counter.lock().await, 10);
/// # });
/// ```
pub struct Mutex<T> {
    s: ll::Semaphore,
    c: UnsafeCell<T>,
}

/// Exclusive access to a [`Mutex`]'s data; unlocks on drop.
#[must_use = "if unused the Mutex will immediately unlock"]
#[clippy::has_significant_drop]
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
}

/// Like [`MutexGuard`], but holds an `Arc` of the mutex, so it is `'static`
/// when `T` is.
#[must_use = "if unused the Mutex will immediately unlock"]
#[clippy::has_significant_drop]
pub struct OwnedMutexGuard<T> {
    lock: Arc<Mutex<T>>,
}

/// A [`MutexGuard`] narrowed to part of the data by [`MutexGuard::map`].
#[must_use = "if unused the Mutex will immediately unlock"]
#[clippy::has_significant_drop]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    s: &'a ll::Semaphore,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

/// An [`OwnedMutexGuard`] narrowed to part of the data by
/// [`OwnedMutexGuard::map`].
#[must_use = "if unused the Mutex will immediately unlock"]
#[clippy::has_significant_drop]
pub struct OwnedMappedMutexGuard<T, U: ?Sized = T> {
    data: *mut U,
    lock: Arc<Mutex<T>>,
}

/// The error of [`Mutex::try_lock`]: the lock is held.
#[derive(Debug)]
pub struct TryLockError(pub(super) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

// SAFETY: the data is only reached through a guard, and only one guard exists
// at a time (rule 1), so sharing the mutex shares at most one `&mut T` across
// threads at a time: `T: Send` suffices, as for `std::sync::Mutex`.
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: see `Send`.
unsafe impl<T: Send> Sync for Mutex<T> {}
// SAFETY: `&MutexGuard` hands out `&T`, so sharing it needs `T: Sync`; the
// guard itself may move to another thread when `T: Send`.
unsafe impl<T: Send + Sync> Sync for MutexGuard<'_, T> {}
// SAFETY: as for `MutexGuard`: sharing the guard shares `&T`.
unsafe impl<T: Send + Sync> Sync for OwnedMutexGuard<T> {}
// SAFETY: as for `MutexGuard`.
unsafe impl<T: Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedMappedMutexGuard<T, U> {}
// SAFETY: the guard owns exclusive access to a `U` inside a `Mutex<T>`; moving it
// moves that access (`U: Send`) and the `Arc` of the mutex (`T: Send`).
unsafe impl<T: Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: as for `MutexGuard`.
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}
// SAFETY: the guard is exclusive access to a `T`; moving it moves that access.
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `t`.
    pub fn new(t: T) -> Mutex<T> {
        Mutex {
            s: ll::Semaphore::new(1),
            c: UnsafeCell::new(t),
        }
    }

    /// Creates an unlocked mutex in a `const` context, e.g. for a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Mutex;
    ///
    /// static LOG: Mutex<Vec<u32>> = Mutex::const_new(Vec::new());
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// LOG.lock().await.push(1);
    /// # });
    /// ```
    #[cfg(not(all(test, loom)))]
    pub const fn const_new(t: T) -> Mutex<T> {
        Mutex {
            s: ll::Semaphore::const_new(1),
            c: UnsafeCell::new(t),
        }
    }

    /// Consumes the mutex, returning the data.
    pub fn into_inner(self) -> T {
        self.c.into_inner()
    }
}

impl<T> Mutex<T> {
    /// Locks the mutex, waiting (in FIFO order) while another holder has it.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future before it completes gives up its place
    /// in the queue, and if the lock had already been handed to it, passes the
    /// lock on to the next waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Mutex;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mutex = Mutex::new(1);
    /// let mut n = mutex.lock().await;
    /// *n = 2;
    /// # });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.acquire().await;
        MutexGuard { lock: self }
    }

    async fn acquire(&self) {
        if self.s.acquire(1).await.is_err() {
            // The semaphore of a mutex is never closed.
            unreachable!("the semaphore of a Mutex was closed");
        }
    }

    /// Locks the mutex from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime (inside async
    /// code): blocking there could deadlock the runtime. Use
    /// [`lock`](Mutex::lock) there, or call this from `spawn_blocking`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use zokio::sync::Mutex;
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let m = mutex.clone();
    /// std::thread::spawn(move || *m.blocking_lock() += 1).join().unwrap();
    /// assert_eq!(*mutex.blocking_lock(), 2);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        context::assert_may_block("Mutex::blocking_lock");
        crate::park_thread::block_on(self.lock())
    }

    /// Like [`blocking_lock`](Mutex::blocking_lock), returning an owned guard.
    ///
    /// # Panics
    ///
    /// As [`blocking_lock`](Mutex::blocking_lock).
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        context::assert_may_block("Mutex::blocking_lock_owned");
        crate::park_thread::block_on(self.lock_owned())
    }

    /// Locks the mutex, returning a guard that owns an `Arc` of it.
    ///
    /// # Cancel safety
    ///
    /// As [`lock`](Mutex::lock).
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.acquire().await;
        OwnedMutexGuard { lock: self }
    }

    /// Locks the mutex if it is free right now.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if it is held (or promised to a queued waiter).
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.s.try_acquire(1) {
            Ok(()) => Ok(MutexGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Like [`try_lock`](Mutex::try_lock), returning an owned guard.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the mutex is held.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.s.try_acquire(1) {
            Ok(()) => Ok(OwnedMutexGuard { lock: self }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Mutable access without locking: `&mut self` proves no guard exists.
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard (they borrow or own an Arc
        // of `self`, and an Arc never yields `&mut`), so no other access exists.
        self.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(inner) => d.field("data", &&*inner),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(t: T) -> Self {
        Mutex::new(t)
    }
}

// ---- MutexGuard -------------------------------------------------------------

impl<'a, T> MutexGuard<'a, T> {
    /// Narrows the guard to a part of the data; the lock stays held.
    ///
    /// An associated function (`MutexGuard::map(guard, ..)`), so it does not
    /// shadow a method of `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::{Mutex, MutexGuard};
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let pair = Mutex::new((1, 2));
    /// let mut second = MutexGuard::map(pair.lock().await, |p| &mut p.1);
    /// *second = 5;
    /// drop(second);
    /// assert_eq!(*pair.lock().await, (1, 5));
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data = f(&mut *this) as *mut U;
        let s = &this.lock.s;
        // The permit moves into the mapped guard (rule 1).
        mem::forget(this);
        MappedMutexGuard {
            s,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](MutexGuard::map), but `f` may decline, giving the guard
    /// back.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(mut this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut U,
            None => return Err(this),
        };
        let s = &this.lock.s;
        mem::forget(this);
        Ok(MappedMutexGuard {
            s,
            data,
            marker: PhantomData,
        })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the permit (rule 1).
        self.lock.c.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the permit (rule 1), and `&mut self` makes
        // this the only reference derived from it.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

// ---- OwnedMutexGuard --------------------------------------------------------

impl<T> OwnedMutexGuard<T> {
    /// Moves the `Arc` out without running `Drop` (the caller takes over the
    /// permit, rule 1).
    fn into_arc(this: Self) -> Arc<Mutex<T>> {
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the Arc is moved
        // out exactly once.
        unsafe { ptr::read(&this.lock) }
    }

    /// Narrows the guard to a part of the data; the lock stays held.
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> OwnedMappedMutexGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data = f(&mut *this) as *mut U;
        OwnedMappedMutexGuard {
            data,
            lock: OwnedMutexGuard::into_arc(this),
        }
    }

    /// Like [`map`](OwnedMutexGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(mut this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut U,
            None => return Err(this),
        };
        Ok(OwnedMappedMutexGuard {
            data,
            lock: OwnedMutexGuard::into_arc(this),
        })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the permit (rule 1).
        self.lock.c.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the permit (rule 1); `&mut self` is unique.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

// ---- MappedMutexGuard -------------------------------------------------------

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the guard further.
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data = f(&mut *this) as *mut U;
        let s = this.s;
        mem::forget(this);
        MappedMutexGuard {
            s,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](MappedMutexGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(mut this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut U,
            None => return Err(this),
        };
        let s = this.s;
        mem::forget(this);
        Ok(MappedMutexGuard {
            s,
            data,
            marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(1);
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `data` points into the locked data and the guard holds the
        // permit (rule 1).
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` is unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

// ---- OwnedMappedMutexGuard --------------------------------------------------

impl<T, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    fn into_parts(this: Self) -> (*mut U, Arc<Mutex<T>>) {
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the Arc is moved
        // out exactly once.
        (this.data, unsafe { ptr::read(&this.lock) })
    }

    /// Narrows the guard further.
    pub fn map<S: ?Sized, F>(mut this: Self, f: F) -> OwnedMappedMutexGuard<T, S>
    where
        F: FnOnce(&mut U) -> &mut S,
    {
        let data = f(&mut *this) as *mut S;
        let (_, lock) = OwnedMappedMutexGuard::into_parts(this);
        OwnedMappedMutexGuard { data, lock }
    }

    /// Like [`map`](OwnedMappedMutexGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<S: ?Sized, F>(mut this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, S>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut S>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut S,
            None => return Err(this),
        };
        let (_, lock) = OwnedMappedMutexGuard::into_parts(this);
        Ok(OwnedMappedMutexGuard { data, lock })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

impl<T, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: `data` points into the locked data and the guard holds the
        // permit (rule 1).
        unsafe { &*self.data }
    }
}

impl<T, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`; `&mut self` is unique.
        unsafe { &mut *self.data }
    }
}

impl<T, U: ?Sized + fmt::Debug> fmt::Debug for OwnedMappedMutexGuard<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T, U: ?Sized + fmt::Display> fmt::Display for OwnedMappedMutexGuard<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
