//! [`TcpListener`].

use super::TcpStream;
use crate::addr::{resolve, try_each};
use crate::ToSocketAddrs;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use zokio_runtime::io::Interest;
use zokio_runtime::io_support::PollEvented;

/// A TCP socket server, listening for connections.
///
/// # Examples
///
/// ```
/// use zokio::net::{TcpListener, TcpStream};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let addr = listener.local_addr().unwrap();
/// let client = zokio::spawn(async move { TcpStream::connect(addr).await.unwrap() });
/// let (_sock, peer) = listener.accept().await.unwrap();
/// assert_eq!(peer, client.await.unwrap().local_addr().unwrap());
/// # });
/// ```
pub struct TcpListener {
    io: PollEvented<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds to the first address of `addr` that works (`SO_REUSEADDR` is
    /// set on Unix; mio's backlog of 128, as with Tokio; use
    /// [`TcpSocket::listen`](crate::TcpSocket::listen) to choose another).
    ///
    /// # Errors
    ///
    /// The error of the last address tried (e.g. `AddrInUse`), or
    /// `InvalidInput` if `addr` resolved to nothing.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addrs = resolve(addr).await?;
        try_each(addrs, |addr| async move { TcpListener::bind_addr(addr) }).await
    }

    #[track_caller]
    fn bind_addr(addr: SocketAddr) -> io::Result<TcpListener> {
        TcpListener::new(mio::net::TcpListener::bind(addr)?)
    }

    #[track_caller]
    pub(crate) fn new(listener: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: PollEvented::new_with_interest(listener, Interest::READABLE)?,
        })
    }

    /// Accepts a new connection.
    ///
    /// # Errors
    ///
    /// The OS's error; e.g. `EMFILE` when out of file descriptors. The
    /// listener stays usable: a later `accept` succeeds once descriptors
    /// are free again.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no connection is lost if the future is dropped.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, addr) = self.io.async_io(Interest::READABLE, |l| l.accept()).await?;
        Ok((TcpStream::new(stream)?, addr))
    }

    /// Polls for a new connection.
    ///
    /// # Errors
    ///
    /// As [`accept`](TcpListener::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.io
            .poll_read_io(cx, |l| l.accept())
            .map(|res| res.and_then(|(s, a)| Ok((TcpStream::new(s)?, a))))
    }

    /// Wraps a std listener, which must be in non-blocking mode.
    ///
    /// # Errors
    ///
    /// The registration's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    #[track_caller]
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters and returns the std listener (still non-blocking).
    ///
    /// # Errors
    ///
    /// The deregistration's error.
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
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

    /// The `IP_TTL` option.
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
}

impl TryFrom<std::net::TcpListener> for TcpListener {
    type Error = io::Error;

    fn try_from(l: std::net::TcpListener) -> io::Result<TcpListener> {
        TcpListener::from_std(l)
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsFd for TcpListener {
    fn as_fd(&self) -> std::os::unix::io::BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
