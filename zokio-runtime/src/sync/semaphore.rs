//! The public counting semaphore, a thin layer over `batch_semaphore`.

use super::batch_semaphore as ll;
use super::batch_semaphore::{AcquireError, TryAcquireError};
use super::Arc;
use std::fmt;

/// A fair counting semaphore for async code.
///
/// A semaphore holds a number of permits. [`acquire`](Semaphore::acquire)
/// waits until a permit is free and returns it as a guard; dropping the guard
/// gives the permit back. Waiters are served strictly in the order they began
/// waiting (FIFO), including those asking for several permits at once: a
/// request for many permits at the front of the queue holds back smaller
/// requests behind it rather than letting them starve it.
///
/// # Examples
///
/// Bounding the number of concurrent jobs:
///
/// ```
/// use std::sync::Arc;
/// use zokio::sync::Semaphore;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let semaphore = Arc::new(Semaphore::new(2));
/// let mut jobs = Vec::new();
/// for i in 0..5 {
///     let permit = semaphore.clone().acquire_owned().await.unwrap();
///     jobs.push(zokio::task::spawn(async move {
///         let _permit = permit; // released when the job ends
///         i * 2
///     }));
/// }
/// for job in jobs {
///     job.await.unwrap();
/// }
/// assert_eq!(semaphore.available_permits(), 2);
/// # });
/// ```
pub struct Semaphore {
    ll_sem: ll::Semaphore,
}

/// A permit from a [`Semaphore`], borrowed from it; returned on drop.
#[must_use = "the permit is released as soon as it is dropped"]
#[clippy::has_significant_drop]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: u32,
}

/// A permit from an `Arc<Semaphore>`, which it keeps alive; returned on drop.
#[must_use = "the permit is released as soon as it is dropped"]
#[clippy::has_significant_drop]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: u32,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("ll_sem", &self.ll_sem)
            .finish()
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl Default for Semaphore {
    /// A semaphore with no permits.
    fn default() -> Self {
        Semaphore::new(0)
    }
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`.
    pub const MAX_PERMITS: usize = ll::MAX_PERMITS;

    /// Creates a semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// Panics if `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            ll_sem: ll::Semaphore::new(permits),
        }
    }

    /// Creates a semaphore in a `const` context, e.g. for a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Semaphore;
    ///
    /// static LIMIT: Semaphore = Semaphore::const_new(10);
    /// assert_eq!(LIMIT.available_permits(), 10);
    /// ```
    ///
    /// # Panics
    ///
    /// Panics (at compile time in a `const`) if `permits` exceeds
    /// [`Semaphore::MAX_PERMITS`].
    #[cfg(not(all(test, loom)))]
    pub const fn const_new(permits: usize) -> Semaphore {
        Semaphore {
            ll_sem: ll::Semaphore::const_new(permits),
        }
    }

    /// The number of permits available right now.
    pub fn available_permits(&self) -> usize {
        self.ll_sem.available_permits()
    }

    /// Adds `n` permits, serving waiting acquirers first (in FIFO order).
    ///
    /// # Panics
    ///
    /// Panics if the total would exceed [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        assert!(
            n <= Semaphore::MAX_PERMITS,
            "cannot add more than MAX_PERMITS ({}) permits to a semaphore; {n} were added",
            Semaphore::MAX_PERMITS
        );
        self.ll_sem.release(n);
    }

    /// Removes up to `n` currently available permits for good, returning how
    /// many were removed. Permits held by others are not affected.
    pub fn forget_permits(&self, n: usize) -> usize {
        self.ll_sem.forget_permits(n)
    }

    /// Waits for one permit.
    ///
    /// # Errors
    ///
    /// Fails with [`AcquireError`] if the semaphore is, or becomes,
    /// [closed](Semaphore::close).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in the sense that matters for fairness: dropping the future
    /// gives up its place in the queue, and any permits it had been promised
    /// pass to the next waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::Semaphore;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let semaphore = Semaphore::new(1);
    /// let permit = semaphore.acquire().await.unwrap();
    /// assert_eq!(semaphore.available_permits(), 0);
    /// drop(permit);
    /// assert_eq!(semaphore.available_permits(), 1);
    /// # });
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.ll_sem.acquire(1).await?;
        Ok(SemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Waits for `n` permits at once.
    ///
    /// The request keeps its place in the queue while it accumulates permits,
    /// so requests behind it wait even if they could be served (fairness).
    ///
    /// # Errors
    ///
    /// Fails with [`AcquireError`] if the semaphore is, or becomes, closed.
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds [`Semaphore::MAX_PERMITS`] (only possible where
    /// `usize` is 32 bits wide).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future releases the permits it had accumulated to the next
    /// waiters and gives up its place.
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.ll_sem.acquire(n as usize).await?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes one permit if one is available right now.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError::Closed`] if the semaphore is closed,
    /// [`TryAcquireError::NoPermits`] if no permit is free (this includes the
    /// case where permits are free but promised to queued waiters).
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.ll_sem.try_acquire(1)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Takes `n` permits if they are available right now.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds [`Semaphore::MAX_PERMITS`].
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.ll_sem.try_acquire(n as usize)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Waits for one permit, returning a permit that owns an `Arc` of the
    /// semaphore (so it can move into a spawned task).
    ///
    /// # Errors
    ///
    /// Fails with [`AcquireError`] if the semaphore is, or becomes, closed.
    ///
    /// # Cancel safety
    ///
    /// As [`acquire`](Semaphore::acquire).
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.ll_sem.acquire(1).await?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Waits for `n` permits, returning an owned permit.
    ///
    /// # Errors
    ///
    /// Fails with [`AcquireError`] if the semaphore is, or becomes, closed.
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// # Cancel safety
    ///
    /// As [`acquire_many`](Semaphore::acquire_many).
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.ll_sem.acquire(n as usize).await?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes one permit now if one is free, returning an owned permit.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.ll_sem.try_acquire(1)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Takes `n` permits now if they are free, returning an owned permit.
    ///
    /// # Errors
    ///
    /// As [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Panics
    ///
    /// Panics if `n` exceeds [`Semaphore::MAX_PERMITS`].
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.ll_sem.try_acquire(n as usize)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Closes the semaphore: every pending and future acquire fails with
    /// [`AcquireError`] (or [`TryAcquireError::Closed`]). Permits already held
    /// stay valid and may still be released.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::sync::{Semaphore, TryAcquireError};
    ///
    /// let semaphore = Semaphore::new(1);
    /// semaphore.close();
    /// assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::Closed));
    /// ```
    pub fn close(&self) {
        self.ll_sem.close();
    }

    /// Whether [`close`](Semaphore::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.ll_sem.is_closed()
    }
}

impl<'a> SemaphorePermit<'a> {
    /// Forgets the permit: it is not returned to the semaphore on drop.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// Merges `other` into this permit; both must come from the same semaphore.
    ///
    /// # Panics
    ///
    /// Panics if the permits come from different semaphores.
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits from different semaphores"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit; `None` if this one holds fewer
    /// than `n`.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let n = u32::try_from(n).ok()?;
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(SemaphorePermit {
            sem: self.sem,
            permits: n,
        })
    }

    /// How many permits this guard holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }
}

impl OwnedSemaphorePermit {
    /// Forgets the permit: it is not returned to the semaphore on drop.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// Merges `other` into this permit; both must come from the same semaphore.
    ///
    /// # Panics
    ///
    /// Panics if the permits come from different semaphores.
    #[track_caller]
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits from different semaphores"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit; `None` if this one holds fewer
    /// than `n`.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let n = u32::try_from(n).ok()?;
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            sem: self.sem.clone(),
            permits: n,
        })
    }

    /// The semaphore this permit came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }

    /// How many permits this guard holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.add_permits(self.permits as usize);
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.add_permits(self.permits as usize);
    }
}
