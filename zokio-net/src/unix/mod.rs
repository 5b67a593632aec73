//! Unix-domain sockets: [`UnixListener`], [`UnixStream`] (and its split
//! halves), [`UnixDatagram`].

mod datagram;
mod listener;
mod split;
mod stream;

pub use self::datagram::UnixDatagram;
pub use self::listener::UnixListener;
pub use self::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
pub use self::stream::UnixStream;
pub use std::os::unix::net::SocketAddr;
