//! [`UdpSocket`].

use crate::addr::{resolve, try_each};
use crate::ToSocketAddrs;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::task::{Context, Poll};
use zokio_runtime::io::{Interest, ReadBuf, Ready};
use zokio_runtime::io_support::PollEvented;

/// A UDP socket. All methods take `&self`, so one socket can be shared by
/// several tasks (e.g. in an `Arc`), one receiving and one sending, or
/// several of each.
///
/// # Examples
///
/// ```
/// use zokio::net::UdpSocket;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
/// a.send_to(b"ping", b.local_addr().unwrap()).await.unwrap();
/// let mut buf = [0; 4];
/// let (n, from) = b.recv_from(&mut buf).await.unwrap();
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr().unwrap()));
/// # });
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to the first address of `addr` that works.
    ///
    /// # Errors
    ///
    /// The error of the last address tried.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_io`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addrs = resolve(addr).await?;
        try_each(addrs, |addr| async move {
            UdpSocket::new(mio::net::UdpSocket::bind(addr)?)
        })
        .await
    }

    #[track_caller]
    fn new(socket: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
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
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        UdpSocket::new(mio::net::UdpSocket::from_std(socket))
    }

    /// Deregisters and returns the std socket (still non-blocking).
    ///
    /// # Errors
    ///
    /// The deregistration's error.
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
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

    /// The connected peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected` if not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Sets the default destination (first address of `addr` that works)
    /// and filters received datagrams to it.
    ///
    /// # Errors
    ///
    /// The error of the last address tried.
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let addrs = resolve(addr).await?;
        try_each(addrs, |addr| async move { self.io.get_ref().connect(addr) }).await
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

    /// Polls read readiness.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx)
    }

    /// Polls write readiness.
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
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Polls a send to the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send(buf))
    }

    /// Sends to the connected peer without waiting.
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
    /// The OS's error (`ConnectionRefused` after an ICMP unreachable).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Polls a receive from the connected peer.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let res = self
            .io
            .poll_read_io(cx, |s| s.recv(buf.initialize_unfilled()));
        res.map_ok(|n| buf.advance(n))
    }

    /// Receives from the connected peer without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is there.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Copies the datagram at the head of the queue, from the connected
    /// peer, into `buf` without removing it: the next `recv` or `peek`
    /// returns it again. Returns how many bytes were copied; a datagram
    /// longer than `buf` is cut short in the copy only.
    ///
    /// # Errors
    ///
    /// The OS's error (`ConnectionRefused` after an ICMP unreachable).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the datagram stays queued until it is received.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Polls a [`peek`](UdpSocket::peek) into the unfilled part of `buf`,
    /// advancing its filled part by the bytes copied. While nothing is
    /// queued, registers `cx`'s waker and returns `Pending`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.io
            .poll_read_io(cx, |s| s.peek(buf.initialize_unfilled()))
            .map_ok(|n| buf.advance(n))
    }

    /// [`peek`](UdpSocket::peek) without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is queued, or the OS's error.
    pub fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.peek(buf))
    }

    /// Sends to `target` (its first address).
    ///
    /// # Errors
    ///
    /// The OS's error, or `InvalidInput` if `target` resolves to nothing.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let addr = resolve(target).await?.into_iter().next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")
        })?;
        self.io
            .async_io(Interest::WRITABLE, |s| s.send_to(buf, addr))
            .await
    }

    /// Polls a send to `target`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send_to(buf, target))
    }

    /// Sends to `target` without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if not writable.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives a datagram and its sender.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.recv_from(buf))
            .await
    }

    /// Polls a receive; returns the sender.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        let res = self
            .io
            .poll_read_io(cx, |s| s.recv_from(buf.initialize_unfilled()));
        res.map_ok(|(n, addr)| {
            buf.advance(n);
            addr
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

    /// Receives a datagram without removing it from the queue.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |s| s.peek_from(buf))
            .await
    }

    /// Polls a [`peek_from`](UdpSocket::peek_from) into the unfilled part
    /// of `buf`, advancing its filled part by the bytes copied; returns
    /// the sender. The datagram stays queued.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        self.io
            .poll_read_io(cx, |s| s.peek_from(buf.initialize_unfilled()))
            .map_ok(|(n, from)| {
                buf.advance(n);
                from
            })
    }

    /// Peeks without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is there.
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.peek_from(buf))
    }

    /// Waits for a datagram and returns who sent the one at the head of
    /// the queue, leaving it queued and copying none of its bytes.
    ///
    /// # Errors
    ///
    /// The OS's error.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: nothing is consumed.
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        self.io.async_io(Interest::READABLE, sender_of_head).await
    }

    /// Polls a [`peek_sender`](UdpSocket::peek_sender). While nothing is
    /// queued, registers `cx`'s waker and returns `Pending`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        self.io.poll_read_io(cx, sender_of_head)
    }

    /// [`peek_sender`](UdpSocket::peek_sender) without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if nothing is queued, or the OS's error.
    pub fn try_peek_sender(&self) -> io::Result<SocketAddr> {
        self.io.try_io(Interest::READABLE, sender_of_head)
    }

    custom_io_methods!("socket");

    /// `SO_BROADCAST`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets `SO_BROADCAST`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// `IP_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v4(on)
    }

    /// `IP_MULTICAST_TTL`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.get_ref().multicast_ttl_v4()
    }

    /// Sets `IP_MULTICAST_TTL`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// `IPV6_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v6()
    }

    /// Sets `IPV6_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v6(on)
    }

    /// Joins an IPv4 multicast group.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Joins an IPv6 multicast group.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv4 multicast group.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves an IPv6 multicast group.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
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

    /// Takes the pending `SO_ERROR`.
    ///
    /// # Errors
    ///
    /// The OS's error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }
}

/// The source address of the datagram at the head of `socket`'s queue,
/// read with `MSG_PEEK` (socket2 handles the platforms' quirks with short
/// buffers).
fn sender_of_head(socket: &mio::net::UdpSocket) -> io::Result<SocketAddr> {
    socket2::SockRef::from(socket)
        .peek_sender()?
        .as_socket()
        .ok_or_else(|| io::Error::other("datagram sender is not an IP address"))
}

impl TryFrom<std::net::UdpSocket> for UdpSocket {
    type Error = io::Error;

    fn try_from(s: std::net::UdpSocket) -> io::Result<UdpSocket> {
        UdpSocket::from_std(s)
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.get_ref().fmt(f)
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.io.get_ref().as_raw_fd()
    }
}
