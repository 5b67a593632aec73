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

/// Expands, inside an `impl` of a socket type with an
/// `io: PollEvented<_>` field, to its `try_io` and `async_io`: custom
/// syscalls driven by the same readiness as the type's own methods.
/// `$what` names the type in the docs ("stream", "socket").
macro_rules! custom_io_methods {
    ($what:literal) => {
        #[doc = concat!(
                    "Runs `f` once if the ", $what, " looks ready for `interest`, for a\n",
                    "syscall the type does not wrap (on its raw fd or socket). If `f`\n",
                    "returns `WouldBlock`, the readiness is cleared so the next wait asks\n",
                    "the OS again; `f` must only return `WouldBlock` when the OS said so.\n",
                    "\n",
                    "# Errors\n",
                    "\n",
                    "`WouldBlock` if the ", $what, " is not known to be ready, else\n",
                    "whatever `f` returns.",
                )]
        pub fn try_io<R>(
            &self,
            interest: Interest,
            f: impl FnOnce() -> io::Result<R>,
        ) -> io::Result<R> {
            self.io.try_io(interest, |_| f())
        }

        #[doc = concat!(
                    "Waits until the ", $what, " is ready for `interest`, then runs `f`,\n",
                    "clearing the readiness and waiting again each time `f` returns\n",
                    "`WouldBlock`; returns `f`'s first other result.\n",
                    "\n",
                    "# Errors\n",
                    "\n",
                    "`f`'s error, or an error if the runtime shut down.\n",
                    "\n",
                    "# Cancel safety\n",
                    "\n",
                    "Cancel safe as long as `f` is: dropping the future between calls of\n",
                    "`f` loses nothing.",
                )]
        pub async fn async_io<R>(
            &self,
            interest: Interest,
            mut f: impl FnMut() -> io::Result<R>,
        ) -> io::Result<R> {
            self.io.async_io(interest, |_| f()).await
        }
    };
}

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
