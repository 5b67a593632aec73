//! `OnceCell`: a cell initialised at most once, possibly by an async function.
//!
//! # Rules
//!
//! 1. `value` is written only by the holder of the semaphore's single permit,
//!    and only while `value_set` is false. The holder then sets `value_set`
//!    (`Release`), closes the semaphore and forgets its permit: from then on
//!    `value` is read-only until `&mut self` access.
//! 2. Readers check `value_set` (`Acquire`) before touching `value`.
//! 3. An initialiser that fails or is cancelled drops its permit, which goes to
//!    the next waiting initialiser (FIFO); waiters blocked on the closed
//!    semaphore see `value_set`.

use super::batch_semaphore as ll;
use super::batch_semaphore::TryAcquireError;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use std::fmt;
use std::future::Future;

/// A thread-safe cell written at most once, with async initialisation.
///
/// Concurrent [`get_or_init`](OnceCell::get_or_init) calls run at most one
/// initialiser at a time; the others wait and then share its value. If the
/// initialiser fails or is cancelled, the next waiter tries.
///
/// # Examples
///
/// ```
/// use zokio::sync::OnceCell;
///
/// static CONFIG: OnceCell<String> = OnceCell::const_new();
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let value = CONFIG.get_or_init(|| async { "loaded".to_string() }).await;
/// assert_eq!(value, "loaded");
/// assert_eq!(CONFIG.get().map(String::as_str), Some("loaded"));
/// # });
/// ```
pub struct OnceCell<T> {
    value_set: AtomicBool,
    value: UnsafeCell<Option<T>>,
    semaphore: ll::Semaphore,
}

/// Why [`OnceCell::set`] failed; the value is given back.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell was already initialised.
    AlreadyInitializedError(T),
    /// Another task is initialising the cell right now.
    InitializingError(T),
}

impl<T> SetError<T> {
    /// Whether the cell was already initialised.
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, SetError::AlreadyInitializedError(_))
    }

    /// Whether another task was initialising the cell.
    pub fn is_initializing_err(&self) -> bool {
        matches!(self, SetError::InitializingError(_))
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("AlreadyInitializedError"),
            SetError::InitializingError(_) => f.write_str("InitializingError"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

// SAFETY: the value is written once by one thread (rule 1) and then shared
// read-only, so sharing the cell needs `T: Sync` and moving a value in from
// another thread needs `T: Send`.
unsafe impl<T: Send + Sync> Sync for OnceCell<T> {}
// SAFETY: the cell owns its value.
unsafe impl<T: Send> Send for OnceCell<T> {}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    fn clone(&self) -> Self {
        OnceCell::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> Self {
        OnceCell::new_with(Some(value))
    }
}

/// Releases the initialisation permit unless the value was set (rule 3).
struct InitGuard<'a>(&'a ll::Semaphore);

impl Drop for InitGuard<'_> {
    fn drop(&mut self) {
        self.0.release(1);
    }
}

impl<T> OnceCell<T> {
    /// Creates an empty cell.
    pub fn new() -> Self {
        OnceCell {
            value_set: AtomicBool::new(false),
            value: UnsafeCell::new(None),
            semaphore: ll::Semaphore::new(1),
        }
    }

    /// Creates a cell holding `value` if it is `Some`, else an empty one.
    pub fn new_with(value: Option<T>) -> Self {
        match value {
            None => OnceCell::new(),
            Some(value) => OnceCell {
                value_set: AtomicBool::new(true),
                value: UnsafeCell::new(Some(value)),
                semaphore: ll::Semaphore::new_closed(),
            },
        }
    }

    /// Creates an empty cell in a `const` context.
    #[cfg(not(all(test, loom)))]
    pub const fn const_new() -> Self {
        OnceCell {
            value_set: AtomicBool::new(false),
            value: UnsafeCell::new(None),
            semaphore: ll::Semaphore::const_new(1),
        }
    }

    /// Creates an initialised cell in a `const` context.
    #[cfg(not(all(test, loom)))]
    pub const fn const_new_with(value: T) -> Self {
        OnceCell {
            value_set: AtomicBool::new(true),
            value: UnsafeCell::new(Some(value)),
            semaphore: ll::Semaphore::const_new_closed(),
        }
    }

    /// Whether the cell holds a value.
    pub fn initialized(&self) -> bool {
        // Acquire: pairs with the Release store in `set_value` (rule 2).
        self.value_set.load(Ordering::Acquire)
    }

    /// The value, if initialised.
    pub fn get(&self) -> Option<&T> {
        if self.initialized() {
            // SAFETY: `value_set` was observed, so the value is written and
            // read-only from now on (rules 1 and 2).
            self.value.with(|v| unsafe { (*v).as_ref() })
        } else {
            None
        }
    }

    /// Mutable access to the value, if initialised.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        // SAFETY: `&mut self` excludes every other access.
        self.value.with_mut(|v| unsafe { (*v).as_mut() })
    }

    /// Writes the value and publishes it; the caller holds the permit.
    fn set_value(&self, value: T, guard: InitGuard<'_>) -> &T {
        // SAFETY: we hold the permit and `value_set` is false (rule 1).
        self.value.with_mut(|v| unsafe { *v = Some(value) });
        // Release: pairs with the Acquire in `initialized` (rule 2).
        self.value_set.store(true, Ordering::Release);
        self.semaphore.close();
        // The permit is never given back: the cell stays initialised.
        std::mem::forget(guard);
        self.get()
            .expect("OnceCell invariant: the value was set just above")
    }

    /// Sets the value if the cell is empty and nobody is initialising it.
    ///
    /// # Errors
    ///
    /// [`SetError::AlreadyInitializedError`] or
    /// [`SetError::InitializingError`], giving the value back.
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitializedError(value));
        }
        match self.semaphore.try_acquire(1) {
            Ok(()) => {
                self.set_value(value, InitGuard(&self.semaphore));
                Ok(())
            }
            Err(TryAcquireError::Closed) => Err(SetError::AlreadyInitializedError(value)),
            Err(TryAcquireError::NoPermits) => Err(SetError::InitializingError(value)),
        }
    }

    /// Returns the value, initialising it with `f` if the cell is empty.
    ///
    /// Only one initialiser runs at a time; others wait for it.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped while `f`'s future runs, that
    /// initialisation is abandoned and the next waiter runs its own.
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(f().await) })
            .await
        {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Returns the value, initialising it with the fallible `f` if the cell is
    /// empty.
    ///
    /// # Errors
    ///
    /// Returns `f`'s error; the cell stays empty and the next waiter tries.
    ///
    /// # Cancel safety
    ///
    /// As [`get_or_init`](OnceCell::get_or_init).
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.get() {
            return Ok(value);
        }
        match self.semaphore.acquire(1).await {
            Ok(()) => {
                let guard = InitGuard(&self.semaphore);
                if let Some(value) = self.get() {
                    return Ok(value);
                }
                let value = f().await?;
                Ok(self.set_value(value, guard))
            }
            // Closed: the value was set (rule 3).
            Err(_) => Ok(self
                .get()
                .expect("OnceCell invariant: the semaphore closes only after the value is set")),
        }
    }

    /// Consumes the cell, returning its value if initialised.
    pub fn into_inner(self) -> Option<T> {
        self.value.into_inner()
    }

    /// Takes the value out, leaving the cell empty.
    pub fn take(&mut self) -> Option<T> {
        std::mem::take(self).into_inner()
    }
}
