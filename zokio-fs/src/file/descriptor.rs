//! The `File`'s own reference to its `std` file, and where the file is
//! closed when the `File` drops (rule 7 of the parent module).
//!
//! Closing can be slow after a large write: ext4 starts writing back a
//! file that was truncated and rewritten when it is closed (its
//! `auto_da_alloc` heuristic; about 12 ms for 256 MiB here), and an NFS
//! close writes back all dirty data. So a `File` that wrote at least
//! [`CLOSE_ON_POOL_AFTER`] bytes is closed on the blocking pool, and the
//! worker goes on at once. Smaller files are closed in place, where a pool
//! round trip would cost more than the close.
//!
//! Invariants:
//! - The descriptor is closed exactly once, when the last reference goes:
//!   a pool call in flight may hold another one and then closes it there.
//! - Without a runtime (a `File` dropped outside one) or with the pool
//!   gone, the close happens in place, before `drop` returns.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Bytes written through a `File` from which its close goes to the pool.
const CLOSE_ON_POOL_AFTER: u64 = 1024 * 1024;

pub(super) struct Descriptor {
    /// `None` only after `into_arc` took it.
    file: Option<Arc<std::fs::File>>,
    /// Bytes accepted for writing through this `File`.
    written: u64,
}

impl Descriptor {
    pub(super) fn new(file: std::fs::File) -> Descriptor {
        Descriptor {
            file: Some(Arc::new(file)),
            written: 0,
        }
    }

    /// Counts bytes accepted for writing.
    pub(super) fn note_written(&mut self, n: usize) {
        self.written = self.written.saturating_add(n as u64);
    }

    /// The `std` file, if no pool call holds a reference; else `self`.
    pub(super) fn try_unwrap(mut self) -> Result<std::fs::File, Descriptor> {
        let file = self
            .file
            .take()
            .expect("a File's descriptor is present until into_arc");
        Arc::try_unwrap(file).map_err(|file| {
            self.file = Some(file);
            self
        })
    }

    /// The reference, for `into_std`: nothing is closed.
    pub(super) fn into_arc(mut self) -> Arc<std::fs::File> {
        self.file
            .take()
            .expect("a File's descriptor is present until into_arc")
    }
}

impl Deref for Descriptor {
    type Target = Arc<std::fs::File>;

    fn deref(&self) -> &Arc<std::fs::File> {
        self.file
            .as_ref()
            .expect("a File's descriptor is present until into_arc")
    }
}

impl Drop for Descriptor {
    fn drop(&mut self) {
        let Some(file) = self.file.take() else { return };
        if self.written < CLOSE_ON_POOL_AFTER || Arc::strong_count(&file) > 1 {
            // In place, or by the pool call that still holds it.
            return;
        }
        if let Ok(handle) = zokio_runtime::runtime::Handle::try_current() {
            // Not joined; if the pool has shut down the closure is dropped,
            // and the file closed, right here.
            drop(handle.spawn_blocking(move || drop(file)));
        }
    }
}

impl fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
