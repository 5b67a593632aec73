//! [`File`]: a `std::fs::File` driven through the blocking pool.
//!
//! # The state machine
//!
//! A `File` is `Idle` (it holds its `Buf`) or `Busy` (a pool call owns
//! the `Buf` until it returns it with the call's `Operation` result).
//! Only one call is in flight at a time, so calls reach the OS in order.
//!
//! 1. **Reads** fill the `Buf` on the pool (as much as the caller asked
//!    for, at most `max_buf_size`), then copy out; bytes left over (from a
//!    read whose future was dropped) serve the next reads without a pool
//!    call.
//! 2. **Writes** copy into the `Buf`, start the write on the pool and
//!    report success at once. While that write call runs, further writes
//!    are appended to the shared *backlog* (up to `max_buf_size`; beyond
//!    that `poll_write` waits for room) and reported done; the pool call
//!    takes the backlog and writes it after its own bytes, again and again,
//!    and ends only when it finds the backlog empty. So a steady writer
//!    keeps one pool thread writing with no hand-off back to the task
//!    between batches. A failed write drops the backlog and its error is
//!    returned by the next operation.
//! 3. A read or write while read-ahead bytes sit in the `Buf` first moves
//!    the OS offset back over them, so the file position is what the user
//!    saw.
//! 4. **Seeks**: `Start` and `Current` only move the offset (an in-kernel
//!    update, no I/O, on Linux's local file systems, NFS and FUSE), so
//!    they run in place; `End` needs the file size
//!    and runs on the pool.
//! 5. **Drop** never loses accepted data: the write call in flight goes
//!    on without the `File` and drains the backlog. It is a *mandatory*
//!    pool job, so a runtime shutdown runs it even if it has not started.
//! 6. **Reads from the page cache** (Linux): an idle `File` with no
//!    read-ahead first tries `preadv2(RWF_NOWAIT)` at the file position,
//!    straight into the caller's buffer, on the worker. The kernel answers
//!    only from its cache, else `EAGAIN`, and then the read goes to the pool
//!    as in rule 1. The first read checks that the file is on a local disk
//!    or memory file system and not opened with `O_DIRECT`; otherwise (or
//!    once the kernel refuses with `EOPNOTSUPP`) the `File` never asks
//!    again. A read served in place spends a unit of the task's cooperative
//!    budget.
//! 7. **Closing** (`descriptor.rs`): a `File` that wrote 1 MiB or more
//!    is closed on the pool when dropped, because that close may flush
//!    (ext4 after truncate-and-rewrite, NFS); smaller ones close in place.

mod descriptor;
mod inner;

use self::descriptor::Descriptor;
use self::inner::Inner;
use crate::asyncify;
use std::fmt;
use std::fs::{Metadata, Permissions};
use std::future::poll_fn;
use std::io::{self, IoSlice, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use zokio_runtime::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use zokio_runtime::sync::{Mutex, MutexGuard};

/// The default most bytes one pool call reads or writes (Tokio's value).
const DEFAULT_MAX_BUF_SIZE: usize = 2 * 1024 * 1024;

/// An open file, read and written through the blocking pool. The async
/// twin of [`std::fs::File`], with Tokio's semantics.
///
/// Writes are buffered and performed in the background: `write` returns
/// once the bytes are in the buffer, so call
/// [`flush`](zokio_runtime::io::AsyncWriteExt::flush) (or `sync_all`) to
/// wait for them and see their errors. Dropping a `File` does not lose
/// accepted bytes; they are written on the pool after the drop.
///
/// # Examples
///
/// ```
/// use zokio::fs::File;
/// use zokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("zokio-file-doc-{}", std::process::id()));
/// let mut f = File::options().read(true).write(true).create(true).truncate(true).open(&path).await?;
/// f.write_all(b"hello, world").await?;
/// f.seek(SeekFrom::Start(7)).await?;
/// let mut s = String::new();
/// f.read_to_string(&mut s).await?;
/// assert_eq!(s, "world");
/// # zokio::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub struct File {
    std: Descriptor,
    /// Locked by the `&self` methods that must wait for a call in flight;
    /// the poll methods take `&mut self` and use `get_mut`.
    inner: Mutex<Inner>,
    max_buf_size: usize,
}

impl File {
    /// Opens `path` read-only.
    ///
    /// # Errors
    ///
    /// `NotFound`, `PermissionDenied`, ... from `open`.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::io::AsyncReadExt;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut f = zokio::fs::File::open("Cargo.toml").await?;
    /// let mut text = String::new();
    /// f.read_to_string(&mut text).await?;
    /// assert!(text.contains("[package]"));
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Cancel safety
    ///
    /// If dropped after the open started, the file is opened and closed.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        #[cfg(target_os = "linux")]
        if let Some(res) = crate::in_place::open(path.as_ref()).await {
            return res.map(File::from_std);
        }
        File::options().read(true).open(path).await
    }

    /// Opens `path` write-only, creating it or truncating it.
    ///
    /// # Errors
    ///
    /// `NotFound` for a missing parent directory, `PermissionDenied`, ...
    ///
    /// # Cancel safety
    ///
    /// If dropped after the open started, the file is still created.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates `path` for reading and writing; fails if it exists.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` if `path` exists, and the errors of
    /// [`create`](File::create).
    ///
    /// # Cancel safety
    ///
    /// If dropped after the open started, the file is still created.
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// A new [`OpenOptions`](crate::OpenOptions), for chained settings.
    pub fn options() -> crate::OpenOptions {
        crate::OpenOptions::new()
    }

    /// Wraps an open `std` file.
    ///
    /// # Examples
    ///
    /// ```
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let std = std::fs::File::open("Cargo.toml")?;
    /// let f = zokio::fs::File::from_std(std);
    /// assert!(f.metadata().await?.is_file());
    /// # std::io::Result::Ok(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(std: std::fs::File) -> File {
        File {
            std: Descriptor::new(std),
            inner: Mutex::new(Inner::new()),
            max_buf_size: DEFAULT_MAX_BUF_SIZE,
        }
    }

    /// Waits for the calls in flight; returns a pending write error.
    async fn flush_inner(&self) -> io::Result<MutexGuard<'_, Inner>> {
        let mut inner = self.inner.lock().await;
        poll_fn(|cx| inner.poll_flush(cx)).await?;
        Ok(inner)
    }

    /// Writes all data and metadata to the device (`fsync`), after the
    /// buffered writes.
    ///
    /// # Errors
    ///
    /// The error of a background write, or of `fsync`.
    ///
    /// # Cancel safety
    ///
    /// Once started, the sync runs to completion.
    pub async fn sync_all(&self) -> io::Result<()> {
        let _inner = self.flush_inner().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_all()).await
    }

    /// Writes all data (and the metadata needed to read it) to the device
    /// (`fdatasync`), after the buffered writes.
    ///
    /// # Errors
    ///
    /// The error of a background write, or of `fdatasync`.
    ///
    /// # Cancel safety
    ///
    /// Once started, the sync runs to completion.
    pub async fn sync_data(&self) -> io::Result<()> {
        let _inner = self.flush_inner().await?;
        let std = self.std.clone();
        asyncify(move || std.sync_data()).await
    }

    /// Truncates or extends the file to `size` bytes, after the buffered
    /// writes. The position is unchanged.
    ///
    /// # Errors
    ///
    /// The error of a background write, or `InvalidInput` / `PermissionDenied`
    /// (not opened for writing) from `ftruncate`.
    ///
    /// # Cancel safety
    ///
    /// Once started, the change runs to completion.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        let mut inner = self.flush_inner().await?;
        inner.rewind_read_ahead(&self.std)?;
        let std = self.std.clone();
        asyncify(move || std.set_len(size)).await
    }

    /// The file's metadata.
    ///
    /// # Errors
    ///
    /// The error of `fstat`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        asyncify(move || std.metadata()).await
    }

    /// A new `File` for the same open file (sharing the position), after
    /// the buffered writes.
    ///
    /// # Errors
    ///
    /// The error of a background write, or of `dup`.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe.
    pub async fn try_clone(&self) -> io::Result<File> {
        let mut inner = self.flush_inner().await?;
        inner.rewind_read_ahead(&self.std)?;
        let std = self.std.clone();
        let clone = asyncify(move || std.try_clone()).await?;
        Ok(File::from_std(clone))
    }

    /// Sets the file's permissions.
    ///
    /// # Errors
    ///
    /// The error of `fchmod`.
    ///
    /// # Cancel safety
    ///
    /// Once started, the change runs to completion.
    pub async fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        let std = self.std.clone();
        asyncify(move || std.set_permissions(perm)).await
    }

    /// Waits for the calls in flight, then gives back the `std` file, its
    /// position where the user saw it. A pending write error is dropped;
    /// call `flush` first to see it.
    pub async fn into_std(mut self) -> std::fs::File {
        let inner = self.inner.get_mut();
        poll_fn(|cx| inner.poll_idle(cx)).await;
        let _ = inner.rewind_read_ahead(&self.std);
        let File { std, inner, .. } = self;
        drop(inner);
        Arc::try_unwrap(std.into_arc()).expect("no pool call holds the file once it is idle")
    }

    /// Gives back the `std` file at once if no call is in flight (and
    /// none has finished unobserved); otherwise gives `self` back.
    ///
    /// # Errors
    ///
    /// `Err(self)` if a call is (or may be) in flight.
    // Tokio's signature: the `File` itself comes back on failure.
    #[allow(clippy::result_large_err)]
    pub fn try_into_std(mut self) -> Result<std::fs::File, File> {
        let inner = self.inner.get_mut();
        if inner.is_busy_or_failed() {
            return Err(self);
        }
        let _ = inner.rewind_read_ahead(&self.std);
        let File {
            std,
            inner,
            max_buf_size,
        } = self;
        std.try_unwrap().map_err(|std| File {
            std,
            inner,
            max_buf_size,
        })
    }

    /// Sets the most bytes one pool call reads or writes (default 2 MiB).
    /// Takes effect at the next call.
    pub fn set_max_buf_size(&mut self, max_buf_size: usize) {
        self.max_buf_size = max_buf_size.max(1);
    }

    /// The most bytes one pool call reads or writes.
    pub fn max_buf_size(&self) -> usize {
        self.max_buf_size
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("std", &self.std)
            .field("max_buf_size", &self.max_buf_size)
            .finish_non_exhaustive()
    }
}

impl From<std::fs::File> for File {
    fn from(std: std::fs::File) -> File {
        File::from_std(std)
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let max = me.max_buf_size;
        me.inner.get_mut().poll_read(cx, &me.std, max, dst)
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let max = me.max_buf_size;
        let res = me
            .inner
            .get_mut()
            .poll_write(cx, &me.std, max, &[IoSlice::new(src)]);
        if let Poll::Ready(Ok(n)) = res {
            me.std.note_written(n);
        }
        res
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let max = me.max_buf_size;
        let res = me.inner.get_mut().poll_write(cx, &me.std, max, bufs);
        if let Poll::Ready(Ok(n)) = res {
            me.std.note_written(n);
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        me.inner.get_mut().poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn start_seek(self: Pin<&mut Self>, pos: SeekFrom) -> io::Result<()> {
        let me = self.get_mut();
        me.inner.get_mut().start_seek(&me.std, pos)
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let me = self.get_mut();
        me.inner.get_mut().poll_complete(cx)
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for File {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.std.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsFd for File {
    fn as_fd(&self) -> std::os::unix::io::BorrowedFd<'_> {
        self.std.as_fd()
    }
}
