//! `JoinError`: why a task did not produce its output.

use super::Id;
use std::any::Any;
use std::fmt;
use std::io;

/// A task failed to run to completion: it was cancelled, or it panicked.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let err = zokio::spawn(async { panic!("boom") }).await.unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// # });
/// ```
pub struct JoinError {
    repr: Repr,
    id: Id,
}

enum Repr {
    Cancelled,
    Panic(SyncWrapper),
}

/// Makes the panic payload `Sync`. Through a shared reference the payload is
/// only inspected by `panic_message`; everything else needs `&mut` or takes it
/// by value.
struct SyncWrapper(Box<dyn Any + Send + 'static>);

// SAFETY: through `&SyncWrapper` the only access is `panic_message`, which
// calls `type_id` (a read of the vtable, not of the value) and then reads the
// value only if it is a `&'static str` or a `String`, both of which are Sync.
unsafe impl Sync for SyncWrapper {}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
            id,
        }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            repr: Repr::Panic(SyncWrapper(payload)),
            id,
        }
    }

    /// True if the task was cancelled (aborted, or dropped by runtime shutdown).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload.
    ///
    /// # Panics
    ///
    /// Panics if the error is not a panic (see [`JoinError::is_panic`]).
    ///
    /// # Examples
    ///
    /// ```should_panic
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let err = zokio::spawn(async { panic!("boom") }).await.unwrap_err();
    /// std::panic::resume_unwind(err.into_panic());
    /// # });
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(err) => panic!("`JoinError` reason is not a panic: {err}"),
        }
    }

    /// The panic payload, or the error back if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(SyncWrapper(payload)) => Ok(payload),
            Repr::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }

    fn panic_message(&self) -> Option<&str> {
        let Repr::Panic(SyncWrapper(payload)) = &self.repr else {
            return None;
        };
        // Look only at the two (Sync) types a panic message comes as: this is
        // what keeps `SyncWrapper`'s `Sync` impl sound.
        let any: &(dyn Any + Send) = &**payload;
        any.downcast_ref::<&'static str>()
            .copied()
            .or_else(|| any.downcast_ref::<String>().map(String::as_str))
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "task {} was cancelled", self.id),
            (Repr::Panic(_), Some(msg)) => {
                write!(f, "task {} panicked with message {msg:?}", self.id)
            }
            (Repr::Panic(_), None) => write!(f, "task {} panicked", self.id),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "JoinError::Cancelled({:?})", self.id),
            (Repr::Panic(_), Some(msg)) => {
                write!(f, "JoinError::Panic({:?}, {msg:?}, ...)", self.id)
            }
            (Repr::Panic(_), None) => write!(f, "JoinError::Panic({:?}, ...)", self.id),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(err: JoinError) -> io::Error {
        io::Error::other(err.to_string())
    }
}
