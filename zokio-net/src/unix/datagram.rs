//! [`UnixDatagram`].

use super::SocketAddr;
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::io::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::path::Path;
use std::task::{Context, Poll};
use zokio_runtime::io::{Interest, ReadBuf, Ready};
use zokio_runtime::io_support::PollEvented;

/// A Unix-domain datagram socket.
///
/// # Examples
///
/// ```
/// use zokio::net::UnixDatagram;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = UnixDatagram::pair().unwrap();
/// a.send(b"ping").await.unwrap();
/// let mut buf = [0; 4];
/// let n = b.recv(&mut buf).await.unwrap();
/// assert_eq!(&buf[..n], b"ping");
/// # });
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Binds to `path`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::bind(path)?)
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
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::new(a)?, UnixDatagram::new(b)?))
    }

    /// A socket bound to no address.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::unbound()?)
    }

    #[track_caller]
    fn new(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Wraps a std socket, which must be in non-blocking mode.
    ///
    /// # Errors
    ///
    /// The registration's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::from_std(socket))
    }

    /// Deregisters and returns the std socket.
    ///
    /// # Errors
    ///
    /// The deregistration's error.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        self.io.into_inner().map(Into::into)
    }

    /// Sets the default peer.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn connect<P: AsRef<Path>>(&self, path: P) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Waits for any of `interest`.
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

    /// Polls for read readiness: `Ready(Ok(()))` once a datagram may be
    /// waiting, else registers `cx`'s waker (only the latest task to poll
    /// is woken).
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx)
    }

    /// Polls for write readiness: `Ready(Ok(()))` once a send may go
    /// through, else registers `cx`'s waker (only the latest task to poll
    /// is woken).
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_write_ready(cx)
    }

    /// Sends to the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Polls a send of `buf` to the connected peer; returns the number of
    /// bytes sent. While the socket is not writable, registers `cx`'s
    /// waker and returns `Pending`.
    ///
    /// # Errors
    ///
    /// The OS's error (`NotConnected` without a default peer).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send(buf))
    }

    /// Sends without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if not writable.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives from the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Polls a receive from the connected peer into the unfilled part of
    /// `buf`, advancing its filled part by the datagram's length (the
    /// excess of a datagram longer than the space is lost). While nothing
    /// is queued, registers `cx`'s waker and returns `Pending`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.io
            .poll_read_io(cx, |s| s.recv(buf.initialize_unfilled()))
            .map_ok(|n| buf.advance(n))
    }

    /// Receives without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is there.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Sends to the socket at `target`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub async fn send_to<P: AsRef<Path>>(&self, buf: &[u8], target: P) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, target))
            .await
    }

    /// Polls a send of `buf` to the socket at `target`; returns the number
    /// of bytes sent. While the socket is not writable, registers `cx`'s
    /// waker and returns `Pending`.
    ///
    /// # Errors
    ///
    /// The OS's error (`NotFound` or `ConnectionRefused` if nothing is
    /// bound at `target`).
    pub fn poll_send_to<P: AsRef<Path>>(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: P,
    ) -> Poll<io::Result<usize>> {
        let target = target.as_ref();
        self.io.poll_write_io(cx, |s| s.send_to(buf, target))
    }

    /// Sends to `target` without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if not writable.
    pub fn try_send_to<P: AsRef<Path>>(&self, buf: &[u8], target: P) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives a datagram and its sender's address.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Polls a receive like [`poll_recv`](UnixDatagram::poll_recv), from
    /// any sender; returns the sender's address.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        self.io
            .poll_read_io(cx, |s| s.recv_from(buf.initialize_unfilled()))
            .map_ok(|(n, from)| {
                buf.advance(n);
                from
            })
    }

    /// Receives a datagram and its sender without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is there.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    custom_io_methods!("socket");

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

    /// Takes the pending `SO_ERROR`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Shuts down reads, writes or both.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
