//! [`read_dir`], [`ReadDir`] and [`DirEntry`].
//!
//! `ReadDir` reads entries in batches of [`BATCH`], one pool call per batch,
//! and hands them out one by one; the `std::fs::ReadDir` iterator travels
//! to the pool and back with each batch.

use crate::asyncify;
use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{FileType, Metadata};
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use zokio_runtime::task::{spawn_blocking, JoinHandle};

/// Entries read per pool call.
const BATCH: usize = 64;

/// Entries of one batch, the iterator, and whether it may hold more.
type Batch = (VecDeque<io::Result<DirEntry>>, std::fs::ReadDir, bool);

/// Opens the directory `path` for listing.
///
/// # Errors
///
/// `NotFound`, `PermissionDenied`, `NotADirectory` (if `path` is a file), ...
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut entries = zokio::fs::read_dir(".").await?;
/// let mut names = Vec::new();
/// while let Some(entry) = entries.next_entry().await? {
///     names.push(entry.file_name());
/// }
/// assert!(names.iter().any(|n| n == "Cargo.toml"));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    // The first batch is read by the same pool call that opens the directory.
    let batch = asyncify(move || {
        let mut it = std::fs::read_dir(path)?;
        let (entries, more) = next_batch(&mut it);
        Ok((entries, it, more))
    })
    .await?;
    Ok(ReadDir {
        state: State::Idle(Some(batch)),
    })
}

/// Reads up to [`BATCH`] entries; the flag says whether `it` may hold more.
fn next_batch(it: &mut std::fs::ReadDir) -> (VecDeque<io::Result<DirEntry>>, bool) {
    let mut entries = VecDeque::with_capacity(BATCH);
    for _ in 0..BATCH {
        match it.next() {
            Some(Ok(std)) => {
                let file_type = std.file_type().ok();
                entries.push_back(Ok(DirEntry {
                    std: Arc::new(std),
                    file_type,
                }));
            }
            Some(Err(e)) => entries.push_back(Err(e)),
            None => return (entries, false),
        }
    }
    (entries, true)
}

/// A directory listing, from [`read_dir`]. Read it with
/// [`next_entry`](ReadDir::next_entry) or as a `futures_core::Stream` of
/// `io::Result<DirEntry>`.
///
/// Entries `.` and `..` are skipped; the order is the file system's.
pub struct ReadDir {
    state: State,
}

enum State {
    Idle(Option<Batch>),
    Pending(JoinHandle<Batch>),
    /// The pool task failed and took the iterator with it.
    Done,
}

impl ReadDir {
    /// The next entry, or `None` at the end of the listing.
    ///
    /// # Errors
    ///
    /// An error reading the directory; later calls may go on.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: an entry fetched for a dropped call is kept for the
    /// next one.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry, as [`next_entry`](ReadDir::next_entry).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(batch) => {
                    let (entries, _, more) =
                        batch.as_mut().expect("an idle ReadDir holds its batch");
                    if let Some(entry) = entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    if !*more {
                        return Poll::Ready(Ok(None));
                    }
                    let (mut entries, mut it, _) = batch.take().expect("checked above");
                    self.state = State::Pending(spawn_blocking(move || {
                        let (more_entries, more) = next_batch(&mut it);
                        entries.extend(more_entries);
                        (entries, it, more)
                    }));
                }
                State::Pending(join) => {
                    let batch = ready!(Pin::new(join).poll(cx));
                    match batch {
                        Ok(batch) => self.state = State::Idle(Some(batch)),
                        Err(e) => {
                            // The iterator was lost with the task: report
                            // the failure, then end the listing.
                            self.state = State::Done;
                            return Poll::Ready(Err(crate::background_failed(&e)));
                        }
                    }
                }
                State::Done => return Poll::Ready(Ok(None)),
            }
        }
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir").finish_non_exhaustive()
    }
}

impl futures_core::Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_entry(cx).map(Result::transpose)
    }
}

/// One entry of a [`ReadDir`] listing.
///
/// The file type comes with the listing (from `d_type` where the file
/// system gives it), so [`file_type`](DirEntry::file_type) rarely needs a
/// pool call.
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    file_type: Option<FileType>,
}

impl DirEntry {
    /// The full path: the `read_dir` path joined with the file name.
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The bare file name of the entry.
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The inode number of the entry.
    #[cfg(unix)]
    pub fn ino(&self) -> u64 {
        std::os::unix::fs::DirEntryExt::ino(&*self.std)
    }

    /// The entry's metadata, not following symlinks.
    ///
    /// # Errors
    ///
    /// `NotFound` if the entry was removed since the listing, ...
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe; the pool call finishes on its own.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// The entry's file type, not following symlinks.
    ///
    /// # Errors
    ///
    /// An error of the `lstat` call when the listing gave no type.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        asyncify(move || std.file_type()).await
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DirEntry").field(&self.path()).finish()
    }
}
