//! Unix-domain sockets: [`UnixListener`], [`UnixStream`] (and its split
//! halves), [`UnixDatagram`], and [`UCred`], the peer credentials from
//! [`UnixStream::peer_cred`].

mod datagram;
mod listener;
mod split;
mod stream;
mod ucred;

pub use self::datagram::UnixDatagram;
pub use self::listener::UnixListener;
pub use self::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
pub use self::stream::UnixStream;
pub use self::ucred::{gid_t, pid_t, uid_t, UCred};
pub use std::os::unix::net::SocketAddr;
