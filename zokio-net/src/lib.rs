//! Zokio's networking: TCP, UDP and Unix-domain sockets.
//!
//! Every socket is a mio source registered with the current runtime's I/O
//! driver through `zokio_runtime::io_support::PollEvented`: an operation
//! tries the non-blocking syscall while the driver reports readiness, and
//! on `WouldBlock` clears that readiness and waits for the next event. The
//! shared mutable state lives in `zokio-runtime`, and so does all `unsafe`
//! but one module: `unix::ucred` calls `getsockopt`/`getpeereid` for
//! `UnixStream::peer_cred`, and is the only place allowed to.
//!
//! Creating a socket needs a runtime built with `enable_io` (or
//! `enable_all`), and panics outside one, as Tokio's do.
//!
//! # Examples
//!
//! ```
//! use zokio::io::{AsyncReadExt, AsyncWriteExt};
//! use zokio::net::{TcpListener, TcpStream};
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let addr = listener.local_addr().unwrap();
//! zokio::spawn(async move {
//!     let (mut sock, _) = listener.accept().await.unwrap();
//!     let mut buf = [0; 5];
//!     sock.read_exact(&mut buf).await.unwrap();
//!     sock.write_all(&buf).await.unwrap();
//! });
//! let mut s = TcpStream::connect(addr).await.unwrap();
//! s.write_all(b"hello").await.unwrap();
//! let mut buf = [0; 5];
//! s.read_exact(&mut buf).await.unwrap();
//! assert_eq!(&buf, b"hello");
//! # });
//! ```
#![deny(unsafe_code)]

mod addr;
pub mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

pub use self::addr::{lookup_host, ToSocketAddrs};
pub use self::tcp::{TcpListener, TcpSocket, TcpStream};
pub use self::udp::UdpSocket;
#[cfg(unix)]
pub use self::unix::{UnixDatagram, UnixListener, UnixStream};
