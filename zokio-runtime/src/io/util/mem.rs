//! [`empty`], [`sink`] and [`repeat`]: readers and writers with no backing
//! resource. Each charges the task's budget, so a loop over one yields.

use crate::coop;
use crate::io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A reader at end of stream and a writer that discards ([`empty`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct Empty {
    _p: (),
}

/// A reader at end of stream that also swallows writes.
///
/// # Examples
///
/// ```
/// use zokio::io::{self, AsyncReadExt};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut buf = Vec::new();
/// io::empty().read_to_end(&mut buf).await.unwrap();
/// assert!(buf.is_empty());
/// # });
/// ```
pub fn empty() -> Empty {
    Empty { _p: () }
}

fn budget(cx: &mut Context<'_>) -> Poll<()> {
    let mut c = ready!(coop::poll_proceed(cx));
    c.made_progress();
    Poll::Ready(())
}

impl AsyncRead for Empty {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(budget(cx));
        Poll::Ready(Ok(()))
    }
}

impl AsyncBufRead for Empty {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        ready!(budget(cx));
        Poll::Ready(Ok(&[]))
    }

    fn consume(self: Pin<&mut Self>, _: usize) {}
}

impl AsyncWrite for Empty {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(budget(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(budget(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(budget(cx));
        Poll::Ready(Ok(()))
    }
}

impl AsyncSeek for Empty {
    fn start_seek(self: Pin<&mut Self>, _: SeekFrom) -> io::Result<()> {
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(0))
    }
}

/// A writer that discards everything ([`sink`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct Sink {
    _p: (),
}

/// A writer that accepts and discards every byte.
///
/// # Examples
///
/// ```
/// use zokio::io::{self, AsyncWriteExt};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// io::sink().write_all(b"gone").await.unwrap();
/// # });
/// ```
pub fn sink() -> Sink {
    Sink { _p: () }
}

impl AsyncWrite for Sink {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(budget(cx));
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(budget(cx));
        Poll::Ready(Ok(bufs.iter().map(|b| b.len()).sum()))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(budget(cx));
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(budget(cx));
        Poll::Ready(Ok(()))
    }
}

/// A reader that yields one byte forever ([`repeat`]).
#[derive(Debug, Clone, Copy)]
pub struct Repeat {
    byte: u8,
}

/// A reader that yields `byte` forever.
///
/// # Examples
///
/// ```
/// use zokio::io::{self, AsyncReadExt};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut buf = [0u8; 3];
/// io::repeat(7).read_exact(&mut buf).await.unwrap();
/// assert_eq!(buf, [7, 7, 7]);
/// # });
/// ```
pub fn repeat(byte: u8) -> Repeat {
    Repeat { byte }
}

impl AsyncRead for Repeat {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        ready!(budget(cx));
        let n = buf.remaining();
        buf.initialize_unfilled_to(n).fill(self.byte);
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}
