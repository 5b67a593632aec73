//! The guards that own an `Arc` of their `RwLock` (see the rules in the
//! parent module).

use super::RwLock;
use crate::sync::Arc;
use std::fmt;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr;

/// Shared access holding an `Arc` of the lock; `U` is the (possibly mapped)
/// target.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct OwnedRwLockReadGuard<T, U: ?Sized = T> {
    pub(super) lock: Arc<RwLock<T>>,
    pub(super) data: *const U,
}

/// Exclusive access holding an `Arc` of the lock.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct OwnedRwLockWriteGuard<T> {
    pub(super) permits_acquired: u32,
    pub(super) lock: Arc<RwLock<T>>,
    pub(super) data: *mut T,
}

/// An owned write guard narrowed by [`OwnedRwLockWriteGuard::map`].
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct OwnedRwLockMappedWriteGuard<T, U: ?Sized = T> {
    pub(super) permits_acquired: u32,
    pub(super) lock: Arc<RwLock<T>>,
    pub(super) data: *mut U,
}

// SAFETY: holds an `Arc<RwLock<T>>` (needs `RwLock<T>: Send + Sync`) and a
// `&U`.
unsafe impl<T: Send + Sync, U: ?Sized + Send + Sync> Send for OwnedRwLockReadGuard<T, U> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedRwLockReadGuard<T, U> {}
// SAFETY: holds an `Arc<RwLock<T>>` and a `&mut T`.
unsafe impl<T: Send + Sync> Send for OwnedRwLockWriteGuard<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}
// SAFETY: holds an `Arc<RwLock<T>>` and a `&mut U`.
unsafe impl<T: Send + Sync, U: ?Sized + Send + Sync> Send for OwnedRwLockMappedWriteGuard<T, U> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedRwLockMappedWriteGuard<T, U> {}

// ---- owned guards -------------------------------------------------------------

/// Moves the `Arc` out of an owned guard without running its `Drop`, so the
/// permits pass to whatever the caller builds next (rule 2).
fn take_lock<G, T>(guard: G, lock: impl FnOnce(&G) -> &Arc<RwLock<T>>) -> Arc<RwLock<T>> {
    let guard = ManuallyDrop::new(guard);
    // SAFETY: `guard` is never used or dropped again, so the Arc is moved out
    // exactly once.
    unsafe { ptr::read(lock(&guard)) }
}

impl<T, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// Narrows the guard to a part of the data.
    pub fn map<V: ?Sized, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, V>
    where
        F: FnOnce(&U) -> &V,
    {
        let data = f(&*this) as *const V;
        let lock = take_lock(this, |g| &g.lock);
        OwnedRwLockReadGuard { lock, data }
    }

    /// Like [`map`](OwnedRwLockReadGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<V: ?Sized, F>(this: Self, f: F) -> Result<OwnedRwLockReadGuard<T, V>, Self>
    where
        F: FnOnce(&U) -> Option<&V>,
    {
        let data = match f(&*this) {
            Some(data) => data as *const V,
            None => return Err(this),
        };
        let lock = take_lock(this, |g| &g.lock);
        Ok(OwnedRwLockReadGuard { lock, data })
    }

    /// The lock this guard holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T, U: ?Sized> Deref for OwnedRwLockReadGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: the guard holds a read permit (rule 3).
        unsafe { &*self.data }
    }
}

impl<T, U: ?Sized> Drop for OwnedRwLockReadGuard<T, U> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

guard_fmt!([T, U: ?Sized] OwnedRwLockReadGuard<T, U> => U);

impl<T> OwnedRwLockWriteGuard<T> {
    /// Narrows the guard to a part of the data.
    pub fn map<U: ?Sized, F>(mut this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        let data = f(&mut *this) as *mut U;
        let permits_acquired = this.permits_acquired;
        let lock = take_lock(this, |g| &g.lock);
        OwnedRwLockMappedWriteGuard {
            permits_acquired,
            lock,
            data,
        }
    }

    /// Like [`map`](OwnedRwLockWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<U: ?Sized, F>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut U,
            None => return Err(this),
        };
        let permits_acquired = this.permits_acquired;
        let lock = take_lock(this, |g| &g.lock);
        Ok(OwnedRwLockMappedWriteGuard {
            permits_acquired,
            lock,
            data,
        })
    }

    /// Turns the guard into a mapped guard of the whole data.
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        OwnedRwLockWriteGuard::map(this, |t| t)
    }

    /// Atomically turns write access into read access.
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        let (data, permits) = (self.data as *const T, self.permits_acquired);
        let lock = take_lock(self, |g| &g.lock);
        lock.s.release(permits as usize - 1);
        OwnedRwLockReadGuard { lock, data }
    }

    /// Downgrades and narrows in one step.
    pub fn downgrade_map<U: ?Sized, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, U>
    where
        F: FnOnce(&T) -> &U,
    {
        OwnedRwLockReadGuard::map(this.downgrade(), f)
    }

    /// The lock this guard holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit (rule 3).
        unsafe { &*self.data }
    }
}

impl<T> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds every permit (rule 3); `&mut self` is unique.
        unsafe { &mut *self.data }
    }
}

impl<T> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(self.permits_acquired as usize);
    }
}

guard_fmt!([T] OwnedRwLockWriteGuard<T> => T);

impl<T, U: ?Sized> OwnedRwLockMappedWriteGuard<T, U> {
    /// Narrows the guard further.
    pub fn map<V: ?Sized, F>(mut this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, V>
    where
        F: FnOnce(&mut U) -> &mut V,
    {
        let data = f(&mut *this) as *mut V;
        let permits_acquired = this.permits_acquired;
        let lock = take_lock(this, |g| &g.lock);
        OwnedRwLockMappedWriteGuard {
            permits_acquired,
            lock,
            data,
        }
    }

    /// Like [`map`](OwnedRwLockMappedWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// Returns the original guard if `f` returns `None`.
    pub fn try_map<V: ?Sized, F>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut V>,
    {
        let data = match f(&mut *this) {
            Some(data) => data as *mut V,
            None => return Err(this),
        };
        let permits_acquired = this.permits_acquired;
        let lock = take_lock(this, |g| &g.lock);
        Ok(OwnedRwLockMappedWriteGuard {
            permits_acquired,
            lock,
            data,
        })
    }

    /// The lock this guard holds.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T, U: ?Sized> Deref for OwnedRwLockMappedWriteGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: the guard holds every permit (rule 3).
        unsafe { &*self.data }
    }
}

impl<T, U: ?Sized> DerefMut for OwnedRwLockMappedWriteGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: the guard holds every permit (rule 3); `&mut self` is unique.
        unsafe { &mut *self.data }
    }
}

impl<T, U: ?Sized> Drop for OwnedRwLockMappedWriteGuard<T, U> {
    fn drop(&mut self) {
        self.lock.s.release(self.permits_acquired as usize);
    }
}

guard_fmt!([T, U: ?Sized] OwnedRwLockMappedWriteGuard<T, U> => U);
