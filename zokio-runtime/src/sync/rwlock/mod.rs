//! An async reader-writer lock over a `batch_semaphore` of `max_readers`
//! permits.
//!
//! # Rules
//!
//! 1. A reader holds 1 permit, a writer all `mr` of them. So readers share, a
//!    writer excludes everyone, and because the semaphore serves waiters in
//!    FIFO order a queued writer holds back readers that arrive after it
//!    (no writer starvation) while readers queued before it go first.
//! 2. Every guard owns its permits and releases them exactly once, on drop.
//!    Mapping moves the permits into the new guard (the old one is forgotten);
//!    `downgrade` releases `mr - 1` of a writer's permits and keeps one.
//! 3. Shared access (`&T`) is handed out only while holding >= 1 permit, and
//!    `&mut T` only while holding all `mr`. Permit hand-over is ordered by the
//!    semaphore (see `mutex.rs` rule 2).

use super::batch_semaphore as ll;
use super::mutex::TryLockError;
use super::Arc;
use crate::context;
use crate::loom::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::mem;
use std::ops::{Deref, DerefMut};

/// The most concurrent readers a [`RwLock`] admits: `u32::MAX >> 3`.
const MAX_READS: u32 = u32::MAX >> 3;

/// An asynchronous reader-writer lock, fair between readers and writers.
///
/// Any number of readers (up to `max_readers`) or one writer may hold the lock.
/// Acquirers are served in the order they asked (FIFO), so a waiting writer
/// is not starved by a stream of new readers.
///
/// # Examples
///
/// ```
/// use zokio::sync::RwLock;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let lock = RwLock::new(5);
/// {
///     let r1 = lock.read().await;
///     let r2 = lock.read().await;
///     assert_eq!(*r1 + *r2, 10);
/// }
/// *lock.write().await += 1;
/// assert_eq!(*lock.read().await, 6);
/// # });
/// ```
pub struct RwLock<T> {
    mr: u32,
    s: ll::Semaphore,
    c: UnsafeCell<T>,
}

/// Shared access to a [`RwLock`]'s data; releases on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    s: &'a ll::Semaphore,
    data: *const T,
    marker: PhantomData<&'a T>,
}

/// Exclusive access to a [`RwLock`]'s data; releases on drop.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    permits_acquired: u32,
    s: &'a ll::Semaphore,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

/// A write guard narrowed by [`RwLockWriteGuard::map`]; it cannot downgrade.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    permits_acquired: u32,
    s: &'a ll::Semaphore,
    data: *mut T,
    marker: PhantomData<&'a mut T>,
}

// SAFETY: the lock hands out `&mut T` to one writer (needs `T: Send` to move
// access between threads) and `&T` to many readers at once (needs `T: Sync`).
unsafe impl<T: Send> Send for RwLock<T> {}
// SAFETY: see `Send`.
unsafe impl<T: Send + Sync> Sync for RwLock<T> {}
// SAFETY: a read guard is a `&T` that may cross threads (rule 3).
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: a write guard is a `&mut T` that may cross threads; it may be
// downgraded into a read guard, hence `Sync` too.
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockWriteGuard<'_, T> {}
// SAFETY: `&RwLockWriteGuard` yields `&T`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}
// SAFETY: as for `RwLockWriteGuard`.
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockMappedWriteGuard<'_, T> {}
// SAFETY: as for `RwLockWriteGuard`.
unsafe impl<T: Send + Sync> Sync for RwLockMappedWriteGuard<'_, T> {}
impl<T> RwLock<T> {
    /// Creates an unlocked lock admitting up to `u32::MAX >> 3` readers.
    pub fn new(value: T) -> RwLock<T> {
        RwLock {
            mr: MAX_READS,
            s: ll::Semaphore::new(MAX_READS as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked lock admitting at most `max_reads` readers at once.
    ///
    /// # Panics
    ///
    /// Panics if `max_reads` is 0 or exceeds `u32::MAX >> 3`.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::RwLock;
    ///
    /// let lock = RwLock::with_max_readers(0u8, 2);
    /// let r1 = lock.try_read().unwrap();
    /// let r2 = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_err());
    /// # drop((r1, r2));
    /// ```
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        assert_max_reads(max_reads);
        RwLock {
            mr: max_reads,
            s: ll::Semaphore::new(max_reads as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked lock in a `const` context.
    #[cfg(not(all(test, loom)))]
    pub const fn const_new(value: T) -> RwLock<T> {
        RwLock {
            mr: MAX_READS,
            s: ll::Semaphore::const_new(MAX_READS as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// [`with_max_readers`](RwLock::with_max_readers) in a `const` context.
    ///
    /// # Panics
    ///
    /// As [`with_max_readers`](RwLock::with_max_readers).
    #[cfg(not(all(test, loom)))]
    pub const fn const_with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        assert!(
            max_reads != 0 && max_reads <= MAX_READS,
            "a RwLock needs between 1 and u32::MAX >> 3 readers"
        );
        RwLock {
            mr: max_reads,
            s: ll::Semaphore::const_new(max_reads as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock, returning the data.
    pub fn into_inner(self) -> T {
        self.c.into_inner()
    }
}

#[track_caller]
fn assert_max_reads(max_reads: u32) {
    assert!(
        max_reads != 0,
        "a RwLock must admit at least one reader (max_reads was 0)"
    );
    assert!(
        max_reads <= MAX_READS,
        "a RwLock may not be created with more than {MAX_READS} readers ({max_reads} requested)"
    );
}

impl<T> RwLock<T> {
    async fn acquire(&self, n: u32) {
        if self.s.acquire(n as usize).await.is_err() {
            unreachable!("the semaphore of a RwLock was closed");
        }
    }

    fn read_guard(&self) -> RwLockReadGuard<'_, T> {
        RwLockReadGuard {
            s: &self.s,
            data: self.c.with(|p| p),
            marker: PhantomData,
        }
    }

    fn write_guard(&self) -> RwLockWriteGuard<'_, T> {
        RwLockWriteGuard {
            permits_acquired: self.mr,
            s: &self.s,
            data: self.c.with_mut(|p| p),
            marker: PhantomData,
        }
    }

    fn owned_read_guard(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        let data = self.c.with(|p| p);
        OwnedRwLockReadGuard { lock: self, data }
    }

    fn owned_write_guard(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        let data = self.c.with_mut(|p| p);
        OwnedRwLockWriteGuard {
            permits_acquired: self.mr,
            lock: self,
            data,
        }
    }

    /// Locks for shared reading, waiting behind earlier writers (and any
    /// acquirer queued before this one).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future gives up its place in the queue.
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.acquire(1).await;
        self.read_guard()
    }

    /// Like [`read`](RwLock::read), returning a guard that owns an `Arc`.
    ///
    /// # Cancel safety
    ///
    /// As [`read`](RwLock::read).
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.acquire(1).await;
        self.owned_read_guard()
    }

    /// Locks for reading if that is possible right now.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if a writer holds the lock or is queued, or all reader
    /// slots are taken.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        match self.s.try_acquire(1) {
            Ok(()) => Ok(self.read_guard()),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Like [`try_read`](RwLock::try_read), returning an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_read`](RwLock::try_read).
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        match self.s.try_acquire(1) {
            Ok(()) => Ok(self.owned_read_guard()),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Locks for exclusive writing, waiting until all earlier holders are done.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future gives up its place in the queue, and
    /// the reader slots it had gathered pass to the next waiters.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.acquire(self.mr).await;
        self.write_guard()
    }

    /// Like [`write`](RwLock::write), returning a guard that owns an `Arc`.
    ///
    /// # Cancel safety
    ///
    /// As [`write`](RwLock::write).
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.acquire(self.mr).await;
        self.owned_write_guard()
    }

    /// Locks for writing if the lock is free right now.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if anyone holds or waits for the lock.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        match self.s.try_acquire(self.mr as usize) {
            Ok(()) => Ok(self.write_guard()),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Like [`try_write`](RwLock::try_write), returning an owned guard.
    ///
    /// # Errors
    ///
    /// As [`try_write`](RwLock::try_write).
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        match self.s.try_acquire(self.mr as usize) {
            Ok(()) => Ok(self.owned_write_guard()),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Locks for reading from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        context::assert_may_block("RwLock::blocking_read");
        crate::park_thread::block_on(self.read())
    }

    /// Locks for writing from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// Panics when called from a thread that drives a runtime.
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        context::assert_may_block("RwLock::blocking_write");
        crate::park_thread::block_on(self.write())
    }

    /// Mutable access without locking: `&mut self` proves no guard exists.
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard.
        self.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(inner) => d.field("data", &&*inner),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

/// Implements `Debug` and `Display` for a guard by forwarding to its target.
macro_rules! guard_fmt {
    ([$($gen:tt)*] $guard:ty => $target:ty) => {
        impl<$($gen)*> fmt::Debug for $guard
        where
            $target: fmt::Debug,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($gen)*> fmt::Display for $guard
        where
            $target: fmt::Display,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    };
}

// ---- RwLockReadGuard ----------------------------------------------------------

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// Narrows the guard to a part of the data.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::{RwLock, RwLockReadGuard};
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let lock = RwLock::new((1, 2));
    /// let first = RwLockReadGuard::map(lock.read().await, |p| &p.0);
    /// assert_eq!(*first, 1);
    /// # });
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        let data = f(&*this) as *const U;
        let s = this.s;
        // The permit moves into the new guard (rule 2).
        mem::forget(this);
        RwLockReadGuard {
            s,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](RwLockReadGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let data = match f(&*this) {
            Some(data) => data as *const U,
            None => return Err(this),
        };
        let s = this.s;
        mem::forget(this);
        Ok(RwLockReadGuard {
            s,
            data,
            marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit (rule 3).
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(1);
    }
}

guard_fmt!(['a, T: ?Sized] RwLockReadGuard<'a, T> => T);

// ---- RwLockWriteGuard ---------------------------------------------------------

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Narrows the guard to a part of the data.
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data = f(&mut *this) as *mut U;
        let (s, permits_acquired) = (this.s, this.permits_acquired);
        mem::forget(this);
        RwLockMappedWriteGuard {
            permits_acquired,
            s,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](RwLockWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(
        mut this: Self,
        f: F,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut U,
            None => return Err(this),
        };
        let (s, permits_acquired) = (this.s, this.permits_acquired);
        mem::forget(this);
        Ok(RwLockMappedWriteGuard {
            permits_acquired,
            s,
            data,
            marker: PhantomData,
        })
    }

    /// Turns the guard into a mapped guard of the whole data.
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        RwLockWriteGuard::map(this, |t| t)
    }

    /// Atomically turns write access into read access: readers queued behind
    /// the writer may proceed, and no other writer can slip in between.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::RwLock;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let lock = RwLock::new(1);
    /// let mut w = lock.write().await;
    /// *w = 2;
    /// let r = w.downgrade();
    /// assert_eq!(*r, 2);
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// # });
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let (s, data, permits) = (self.s, self.data as *const T, self.permits_acquired);
        mem::forget(self);
        // Keep one permit (rule 2).
        s.release(permits as usize - 1);
        RwLockReadGuard {
            s,
            data,
            marker: PhantomData,
        }
    }

    /// Downgrades and narrows in one step.
    pub fn downgrade_map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        RwLockReadGuard::map(this.downgrade(), f)
    }

    /// Downgrades and narrows if `f` agrees.
    ///
    /// # Errors
    ///
    /// Returns the original (still write) guard if `f` returns `None`.
    pub fn try_downgrade_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let data = match f(&*this) {
            Some(data) => data as *const U,
            None => return Err(this),
        };
        let (s, permits) = (this.s, this.permits_acquired);
        mem::forget(this);
        s.release(permits as usize - 1);
        Ok(RwLockReadGuard {
            s,
            data,
            marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit (rule 3).
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds every permit (rule 3); `&mut self` is unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(self.permits_acquired as usize);
    }
}

guard_fmt!(['a, T: ?Sized] RwLockWriteGuard<'a, T> => T);

// ---- RwLockMappedWriteGuard ---------------------------------------------------

impl<'a, T: ?Sized> RwLockMappedWriteGuard<'a, T> {
    /// Narrows the guard further.
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data = f(&mut *this) as *mut U;
        let (s, permits_acquired) = (this.s, this.permits_acquired);
        mem::forget(this);
        RwLockMappedWriteGuard {
            permits_acquired,
            s,
            data,
            marker: PhantomData,
        }
    }

    /// Like [`map`](RwLockMappedWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(
        mut this: Self,
        f: F,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut U,
            None => return Err(this),
        };
        let (s, permits_acquired) = (this.s, this.permits_acquired);
        mem::forget(this);
        Ok(RwLockMappedWriteGuard {
            permits_acquired,
            s,
            data,
            marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for RwLockMappedWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit (rule 3).
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for RwLockMappedWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds every permit (rule 3); `&mut self` is unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for RwLockMappedWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(self.permits_acquired as usize);
    }
}

guard_fmt!(['a, T: ?Sized] RwLockMappedWriteGuard<'a, T> => T);

mod owned;

pub use self::owned::{OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard};
