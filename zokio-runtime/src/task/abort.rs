//! `AbortHandle`: permission to abort a task without awaiting it.

use super::raw::RawTask;
use super::Id;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};

/// An owned permission to abort a task, obtained from
/// [`JoinHandle::abort_handle`](super::JoinHandle::abort_handle).
///
/// Dropping it does nothing to the task.
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: the handle only touches the task through its atomic state protocol.
unsafe impl Send for AbortHandle {}
// SAFETY: as above.
unsafe impl Sync for AbortHandle {}

impl UnwindSafe for AbortHandle {}
impl RefUnwindSafe for AbortHandle {}

impl AbortHandle {
    pub(super) fn new(raw: RawTask) -> AbortHandle {
        AbortHandle { raw }
    }

    /// Aborts the task, as [`JoinHandle::abort`](super::JoinHandle::abort).
    pub fn abort(&self) {
        self.raw.abort();
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.raw.is_complete()
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
