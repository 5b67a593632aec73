//! TCP: [`TcpListener`], [`TcpStream`] (and its split halves), [`TcpSocket`].

// Raw `setsockopt`/`recvmsg` calls, each with its SAFETY argument.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod inq;
mod listener;
mod socket;
mod split;
mod split_owned;
mod stream;

pub use self::listener::TcpListener;
pub use self::socket::TcpSocket;
pub use self::split::{ReadHalf, WriteHalf};
pub use self::split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use self::stream::TcpStream;
