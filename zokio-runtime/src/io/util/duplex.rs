//! [`duplex`]: an in-memory, bidirectional pipe.
//!
//! Each direction is a [`SimplexStream`] behind a mutex shared by the two
//! ends: one end writes into it, the other reads from it. The simplex
//! stream does the buffering, the waking and the cooperative budget; this
//! module only routes each call to the right direction and closes both
//! directions when an end is dropped.

use crate::io::util::simplex::SimplexStream;
use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::loom::sync::{Arc, Mutex};
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

/// One end of a [`duplex`] pipe. Dropping it closes both directions for
/// the peer: its reads see end of stream, its writes `BrokenPipe`.
#[derive(Debug)]
pub struct DuplexStream {
    read: Arc<Mutex<SimplexStream>>,
    write: Arc<Mutex<SimplexStream>>,
}

/// Two connected in-memory streams; each direction buffers up to
/// `max_buf_size` bytes.
///
/// # Examples
///
/// ```
/// use zokio::io::{self, AsyncReadExt, AsyncWriteExt};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = io::duplex(64);
/// a.write_all(b"ping").await.unwrap();
/// let mut buf = [0; 4];
/// b.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"ping");
/// # });
/// ```
pub fn duplex(max_buf_size: usize) -> (DuplexStream, DuplexStream) {
    let one = Arc::new(Mutex::new(SimplexStream::new_unsplit(max_buf_size)));
    let two = Arc::new(Mutex::new(SimplexStream::new_unsplit(max_buf_size)));
    (
        DuplexStream {
            read: one.clone(),
            write: two.clone(),
        },
        DuplexStream {
            read: two,
            write: one,
        },
    )
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.read.lock()).poll_read(cx, buf)
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.write.lock()).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.write.lock()).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.write.lock()).poll_shutdown(cx)
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        // Our peer reads from `write` and writes into `read`.
        self.write.lock().close();
        self.read.lock().close();
    }
}
