//! Task ids: unique for the life of the process, never reused.

use std::fmt;
use std::num::NonZeroU64;

/// An opaque id that uniquely identifies a task among all tasks of the process.
///
/// Ids are never reused, even after the task completes.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = zokio::spawn(async { zokio::task::id() });
/// let id = handle.id();
/// assert_eq!(handle.await.unwrap(), id);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

impl Id {
    /// The next fresh id.
    pub(crate) fn next() -> Id {
        #[allow(clippy::disallowed_types)]
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        // Relaxed: only uniqueness matters, which the RMW gives on its own.
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match NonZeroU64::new(id) {
            Some(id) => Id(id),
            None => panic!("task id counter wrapped around after 2^64 spawns"),
        }
    }

    /// The id as a number (for diagnostics).
    pub(crate) fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The id of the task being polled.
///
/// # Panics
///
/// Panics if called outside of a task.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = zokio::spawn(async { zokio::task::id() });
/// let expected = handle.id();
/// assert_eq!(handle.await.unwrap(), expected);
/// # });
/// ```
#[track_caller]
pub fn id() -> Id {
    match try_id() {
        Some(id) => id,
        None => panic!("can't get a task id when not inside a task"),
    }
}

/// The id of the task being polled, or `None` outside of a task.
///
/// # Examples
///
/// ```
/// assert!(zokio::task::try_id().is_none());
/// ```
pub fn try_id() -> Option<Id> {
    crate::context::current_task()
}
