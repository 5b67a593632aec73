//! [`UnixStream`].

use super::split::{split, split_owned, OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use super::SocketAddr;
use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::os::unix::io::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use zokio_runtime::io::{AsyncRead, AsyncWrite, Interest, ReadBuf, Ready};
use zokio_runtime::io_support::PollEvented;

/// A Unix-domain stream socket.
///
/// # Examples
///
/// ```
/// use zokio::io::{AsyncReadExt, AsyncWriteExt};
/// use zokio::net::UnixStream;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = UnixStream::pair().unwrap();
/// a.write_all(b"hi").await.unwrap();
/// let mut buf = [0; 2];
/// b.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"hi");
/// # });
/// ```
pub struct UnixStream {
    io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// # Errors
    ///
    /// The OS's error (`NotFound`, `ConnectionRefused`).
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    pub async fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        let stream = UnixStream::new(mio::net::UnixStream::connect(path)?)?;
        // Wait for the OS's word, not the readiness a fresh stream assumes.
        stream.io.register_now()?;
        poll_fn(|cx| stream.io.poll_write_ready(cx)).await?;
        if let Some(e) = stream.io.get_ref().take_error()? {
            return Err(e);
        }
        Ok(stream)
    }

    /// A connected pair.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::new(a)?, UnixStream::new(b)?))
    }

    /// Wraps a connected (or connecting) mio stream, registering it with
    /// the OS only once an operation has to wait (as for TCP streams; see
    /// `PollEvented::new_deferred`).
    #[track_caller]
    pub(crate) fn new(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new_deferred(stream)?,
        })
    }

    /// Wraps a std stream, which must be in non-blocking mode.
    ///
    /// # Errors
    ///
    /// The registration's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        UnixStream::new(mio::net::UnixStream::from_std(stream))
    }

    /// Deregisters and returns the std stream.
    ///
    /// # Errors
    ///
    /// The deregistration's error.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        self.io.into_inner().map(Into::into)
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The credentials of the process at the other end: its user and group
    /// ID and, on Linux, Android and Apple targets, its process ID.
    ///
    /// They are the ones the kernel recorded when the connection was made.
    /// Available on Linux, Android, Apple targets, FreeBSD, DragonFly,
    /// NetBSD and OpenBSD; see [`UCred`](super::UCred) for the call used on
    /// each.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use zokio::net::UnixStream;
    ///
    /// # zokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// let cred = a.peer_cred().unwrap();
    /// // Both ends belong to this process.
    /// # #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    /// assert_eq!(cred.pid(), Some(std::process::id() as i32));
    /// println!("peer uid {} gid {}", cred.uid(), cred.gid());
    /// # });
    /// ```
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    pub fn peer_cred(&self) -> io::Result<super::UCred> {
        super::ucred::peer_cred(self.as_fd())
    }

    /// Takes the pending `SO_ERROR`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Waits for any of `interest`.
    ///
    /// Readiness can be a false positive: a fresh stream is assumed ready
    /// until it first has to wait (its epoll registration is deferred until
    /// then), and readiness in general may be stale. The `try_*` call that
    /// follows then returns `WouldBlock`, which clears it; loop on both.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until readable.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until writable.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Reads without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is there.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| (&*s).read(buf))
    }

    /// Reads into several buffers, in order, without waiting; returns the
    /// total number of bytes read (0 once the peer has shut down writing).
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is there (the readiness is then cleared), or
    /// the OS's error.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |s| (&*s).read_vectored(bufs))
    }

    /// Reads without waiting, appending to `buf` after what it already
    /// holds; returns how many bytes were appended. It reads into the
    /// spare capacity, or into 64 bytes of new room if less is spare.
    ///
    /// # Errors
    ///
    /// As [`try_read`](UnixStream::try_read); `buf` is left as it was.
    pub fn try_read_buf(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        let room = (buf.capacity() - start).max(64);
        buf.resize(start + room, 0);
        let res = self
            .io
            .try_io(Interest::READABLE, |s| (&*s).read(&mut buf[start..]));
        let got = match &res {
            Ok(n) => *n,
            Err(_) => 0,
        };
        buf.truncate(start + got);
        res
    }

    /// Writes without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if the buffer is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| (&*s).write(buf))
    }

    /// Writes from several buffers without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if the buffer is full.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| (&*s).write_vectored(bufs))
    }

    custom_io_methods!("stream");

    /// Polls read readiness.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx)
    }

    /// Polls write readiness.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_write_ready(cx)
    }

    /// Borrowed halves for one task.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split(self)
    }

    /// Owned halves for two tasks.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split_owned(self)
    }

    pub(crate) fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    pub(crate) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.io.poll_read(cx, buf)
    }

    pub(crate) fn poll_write_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    pub(crate) fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }

    pub(crate) fn poll_shutdown_priv(&self) -> Poll<io::Result<()>> {
        match self.shutdown_std(Shutdown::Write) {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            res => Poll::Ready(res),
        }
    }
}

impl AsyncRead for UnixStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for UnixStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored_priv(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_shutdown_priv()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
