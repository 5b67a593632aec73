//! [`TcpStream`].

use super::split::{split, ReadHalf, WriteHalf};
use super::split_owned::{split_owned, OwnedReadHalf, OwnedWriteHalf};
use crate::addr::{resolve, try_each};
use crate::ToSocketAddrs;
use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use zokio_runtime::io::{AsyncRead, AsyncWrite, Interest, ReadBuf, Ready};
use zokio_runtime::io_support::PollEvented;

/// A TCP connection.
///
/// Reading and writing go through [`AsyncRead`]/[`AsyncWrite`] (use the
/// `AsyncReadExt`/`AsyncWriteExt` methods), or through `readable()` +
/// `try_read()` style calls on `&self`. Dropping it closes the connection.
///
/// # Examples
///
/// ```no_run
/// use zokio::io::AsyncWriteExt;
/// use zokio::net::TcpStream;
///
/// # async fn f() -> std::io::Result<()> {
/// let mut stream = TcpStream::connect("127.0.0.1:8080").await?;
/// stream.write_all(b"hello world!").await?;
/// # Ok(()) }
/// ```
pub struct TcpStream {
    io: PollEvented<mio::net::TcpStream>,
    /// Whether reads can learn that they emptied the receive queue.
    #[cfg(target_os = "linux")]
    inq: super::inq::Inq,
}

impl TcpStream {
    /// Connects to the first address of `addr` that accepts.
    ///
    /// # Errors
    ///
    /// The error of the last address tried (`ConnectionRefused`, ...), or
    /// `InvalidInput` if `addr` resolved to nothing.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addrs = resolve(addr).await?;
        try_each(addrs, TcpStream::connect_addr).await
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let sys = mio::net::TcpStream::connect(addr)?;
        TcpStream::connect_mio(sys).await
    }

    /// Waits for a non-blocking connect on `sys` to finish.
    ///
    /// It always waits for the driver's "writable", even when (as over
    /// loopback) the handshake is already done: that round trip paces a
    /// client to its listener. Without it, a loop of connects to a server
    /// in the same process outruns `accept`, the backlog overflows, and
    /// the dropped SYNs cost whole seconds of retransmission.
    pub(crate) async fn connect_mio(sys: mio::net::TcpStream) -> io::Result<TcpStream> {
        let stream = TcpStream::new(sys)?;
        stream.io.register_now()?;
        // Writable means the connect finished, one way or the other.
        let ready = poll_fn(|cx| stream.io.poll_write_readiness(cx)).await?;
        if let Some(e) = stream.io.get_ref().take_error()? {
            return Err(e);
        }
        if !ready.is_write_closed() {
            // Writable with no hang-up and no pending error: connected.
            // (Tokio does not look further either; this saves a
            // `getpeername` per connect.)
            return Ok(stream);
        }
        // A reset before we looked can leave no error but no peer either.
        if let Err(e) = stream.io.get_ref().peer_addr() {
            if e.kind() == io::ErrorKind::NotConnected {
                return Err(io::ErrorKind::ConnectionRefused.into());
            }
            return Err(e);
        }
        Ok(stream)
    }

    /// Wraps a connected (or connecting) mio stream. Its OS registration
    /// is deferred until an operation has to wait (see
    /// `PollEvented::new_deferred`): an accepted stream that is answered
    /// and closed without waiting never touches epoll.
    #[track_caller]
    pub(crate) fn new(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        #[cfg(unix)]
        let io = PollEvented::new_deferred(stream)?;
        #[cfg(not(unix))]
        let io = PollEvented::new(stream)?;
        Ok(TcpStream {
            io,
            #[cfg(target_os = "linux")]
            inq: Default::default(),
        })
    }

    /// Wraps a connected std stream, which must be in non-blocking mode.
    ///
    /// # Errors
    ///
    /// The registration's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        TcpStream::new(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters and returns the std stream (still non-blocking).
    ///
    /// # Errors
    ///
    /// The deregistration's error.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
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
    /// `NotConnected` once the peer is gone, or another OS error.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Takes the pending `SO_ERROR`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

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

    /// Waits for any of `interest`; returns the readiness seen.
    ///
    /// Readiness can be a false positive: a fresh stream is assumed ready
    /// until it first has to wait (its epoll registration is deferred until
    /// then), and readiness in general may be stale. The `try_*` call that
    /// follows then returns `WouldBlock`, which clears it; loop on both.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until readable (data, end of stream or an error).
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until writable.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Reads without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if no data is there (readiness is then cleared), or the
    /// OS's error.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| (&*s).read(buf))
    }

    /// Reads into several buffers without waiting.
    ///
    /// # Errors
    ///
    /// As [`try_read`](TcpStream::try_read).
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |s| (&*s).read_vectored(bufs))
    }

    /// Reads into a `BufMut`-like `Vec` without waiting, appending.
    ///
    /// # Errors
    ///
    /// As [`try_read`](TcpStream::try_read).
    pub fn try_read_buf(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let len = buf.len();
        let spare = std::cmp::max(buf.capacity() - len, 64);
        buf.resize(len + spare, 0);
        let res = self
            .io
            .try_io(Interest::READABLE, |s| (&*s).read(&mut buf[len..]));
        buf.truncate(len + *res.as_ref().unwrap_or(&0));
        res
    }

    /// Writes without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if the send buffer is full (readiness is then cleared),
    /// or the OS's error (`BrokenPipe`, `ConnectionReset`, ...).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| (&*s).write(buf))
    }

    /// Writes from several buffers without waiting.
    ///
    /// # Errors
    ///
    /// As [`try_write`](TcpStream::try_write).
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| (&*s).write_vectored(bufs))
    }

    custom_io_methods!("stream");

    /// Reads without removing the data from the socket's queue.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Polls a peek into `buf`; returns how many bytes were peeked.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        let res = self
            .io
            .poll_read_io(cx, |s| s.peek(buf.initialize_unfilled()));
        if let Poll::Ready(Ok(n)) = res {
            buf.advance(n);
        }
        res
    }

    /// Shuts down the read half, the write half or both.
    ///
    /// # Errors
    ///
    /// The OS's error (`NotConnected` if the peer is gone).
    pub(crate) fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// `TCP_NODELAY`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when true).
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// `SO_LINGER`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self.io.get_ref()).linger()
    }

    /// Sets `SO_LINGER`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self.io.get_ref()).set_linger(dur)
    }

    /// `IP_TTL`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `IP_TTL`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// Borrowed read and write halves, for use in one task (e.g. with
    /// `select!` or `copy`); no locking.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split(self)
    }

    /// Owned read and write halves, for use in two tasks; join them back
    /// with [`OwnedReadHalf::reunite`]. Dropping the write half shuts
    /// down the write direction.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split_owned(self)
    }

    pub(crate) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        #[cfg(target_os = "linux")]
        return self
            .io
            .poll_read_with(cx, buf, |io, dst| self.inq.read(io, dst));
        #[cfg(not(target_os = "linux"))]
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
            // Already gone: the write side is as shut as it gets.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            res => Poll::Ready(res),
        }
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.poll_read_priv(cx, buf)
    }
}

impl AsyncWrite for TcpStream {
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
        // Writes go straight to the socket: nothing to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_shutdown_priv()
    }
}

impl TryFrom<std::net::TcpStream> for TcpStream {
    type Error = io::Error;

    fn try_from(s: std::net::TcpStream) -> io::Result<TcpStream> {
        TcpStream::from_std(s)
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsFd for TcpStream {
    fn as_fd(&self) -> std::os::unix::io::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
