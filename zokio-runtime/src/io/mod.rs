//! Asynchronous I/O: the core traits, their extension traits and helpers.
//!
//! The traits have Tokio's signatures: [`AsyncRead`] (reading into a
//! [`ReadBuf`]), [`AsyncWrite`] (with vectored writes and `poll_shutdown`),
//! [`AsyncBufRead`] and [`AsyncSeek`]. The `*Ext` traits add the `async`
//! methods (`read_exact`, `write_all`, `read_line`, ...), implemented for
//! every type that implements the core trait.
//!
//! Readiness of a registered resource is described by [`Interest`] (what a
//! caller waits for) and [`Ready`] (what the OS reported).
//!
//! [`compat`] bridges these traits and the `futures-io` ones, so readers
//! and writers of the futures ecosystem work on Zokio and the other way
//! round.
//!
//! For tests and in-process plumbing there are in-memory pipes with a
//! bounded buffer: [`duplex`] connects two [`DuplexStream`]s both ways,
//! [`simplex`] (or [`SimplexStream::new_unsplit`]) carries bytes one way.
//!
//! # Examples
//!
//! ```
//! use zokio::io::{self, AsyncReadExt, AsyncWriteExt, BufReader, AsyncBufReadExt};
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let (client, mut server) = io::duplex(1024);
//! let echo = zokio::spawn(async move {
//!     let mut buf = [0u8; 64];
//!     let n = server.read(&mut buf).await.unwrap();
//!     server.write_all(&buf[..n]).await.unwrap();
//! });
//! let (r, mut w) = io::split(client);
//! w.write_all(b"hello\n").await.unwrap();
//! let mut line = String::new();
//! BufReader::new(r).read_line(&mut line).await.unwrap();
//! assert_eq!(line, "hello\n");
//! echo.await.unwrap();
//! # });
//! ```

pub mod compat;
mod interest;
mod read_buf;
mod ready;
mod stdio;
mod traits;
#[cfg(unix)]
pub mod unix;
mod util;

pub use self::interest::Interest;
pub use self::read_buf::ReadBuf;
pub use self::ready::Ready;
pub use self::stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};
pub use self::traits::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use self::util::buf_read_ext::{AsyncBufReadExt, Lines, Split};
pub use self::util::buf_reader::BufReader;
pub use self::util::buf_stream::BufStream;
pub use self::util::buf_writer::BufWriter;
pub use self::util::chain::Chain;
pub use self::util::copy::{copy, copy_bidirectional, copy_bidirectional_with_sizes, copy_buf};
pub use self::util::duplex::{duplex, DuplexStream};
pub use self::util::join::{join, Join};
pub use self::util::mem::{empty, repeat, sink, Empty, Repeat, Sink};
pub use self::util::read_ext::AsyncReadExt;
pub use self::util::seek_ext::AsyncSeekExt;
pub use self::util::simplex::{simplex, SimplexStream};
pub use self::util::split::{split, ReadHalf, WriteHalf};
pub use self::util::take::Take;
pub use self::util::write_ext::AsyncWriteExt;
pub use std::io::{Error, ErrorKind, Result, SeekFrom};

/// The futures returned by the extension traits' methods.
pub mod futures {
    pub use super::util::buf_read_ext::{FillBuf, ReadLine, ReadUntil};
    pub use super::util::read_ext::{
        Num, NumBytes, Read, ReadBufFuture, ReadExact, ReadNum, ReadToEnd, ReadToString,
    };
    pub use super::util::seek_ext::Seek;
    pub use super::util::write_ext::{
        Flush, Shutdown, Write, WriteAll, WriteAllBuf, WriteBuf, WriteNum, WriteVectored,
    };
}
