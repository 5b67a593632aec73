//! The bridge between Zokio's io traits and the `futures-io` traits that
//! the futures ecosystem (async-compression, async-tungstenite, ...) is
//! written against.
//!
//! One wrapper, [`Compat`], works both ways: wrapping a Zokio reader or
//! writer gives a `futures_io` one, and wrapping a `futures_io` reader or
//! writer gives a Zokio one. The extension traits name the direction:
//!
//! | you have | call | you get |
//! |---|---|---|
//! | `zokio::io::AsyncRead` (+ `AsyncBufRead`, `AsyncSeek`) | [`ZokioAsyncReadCompatExt::compat`] | `futures_io::AsyncRead` (+ `AsyncBufRead`, `AsyncSeek`) |
//! | `zokio::io::AsyncWrite` | [`ZokioAsyncWriteCompatExt::compat_write`] | `futures_io::AsyncWrite` |
//! | `futures_io::AsyncRead` (+ `AsyncBufRead`, `AsyncSeek`) | [`FuturesAsyncReadCompatExt::compat`] | `zokio::io::AsyncRead` (+ `AsyncBufRead`, `AsyncSeek`) |
//! | `futures_io::AsyncWrite` | [`FuturesAsyncWriteCompatExt::compat_write`] | `zokio::io::AsyncWrite` |
//!
//! (Tokio keeps this in `tokio_util::compat`, with `Tokio*` in place of
//! `Zokio*`.) The traits differ in two places, bridged here:
//! - `futures_io::AsyncWrite::poll_close` is Zokio's `poll_shutdown`;
//! - futures' seek is one call, `poll_seek(pos)`, Zokio's two,
//!   `start_seek(pos)` then `poll_complete()`. A Zokio seeker seen through
//!   `Compat` starts the seek on the first `poll_seek` and remembers it
//!   until it completes; a futures seeker seen through `Compat` keeps the
//!   position from `start_seek` for `poll_complete`.
//!
//! When a type implements both families (`&[u8]`, `Vec<u8>`), both
//! extension traits apply; import only the one you need, or call it by its
//! trait name.
//!
//! # Examples
//!
//! ```
//! use zokio::io::compat::{FuturesAsyncReadCompatExt, ZokioAsyncWriteCompatExt};
//! use zokio::io::AsyncReadExt;
//!
//! /// Code written against futures-io.
//! fn takes_futures_writer<W: futures_io::AsyncWrite + Unpin>(w: W) -> W {
//!     w
//! }
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! // A Zokio stream where a futures writer is wanted...
//! let (ours, _peer) = zokio::io::duplex(64);
//! let ours = takes_futures_writer(ours.compat_write()).into_inner();
//! # drop(ours);
//!
//! // ...and a futures reader where a Zokio one is.
//! let mut reader = FuturesAsyncReadCompatExt::compat(&b"bytes"[..]);
//! let mut s = String::new();
//! reader.read_to_string(&mut s).await?;
//! assert_eq!(s, "bytes");
//! # std::io::Result::Ok(())
//! # }).unwrap();
//! ```

use crate::io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use pin_project_lite::pin_project;
use std::io::{self, IoSlice, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// A reader or writer of one trait family presented as the other
    /// (see the [module docs](self)).
    #[derive(Debug)]
    pub struct Compat<T> {
        #[pin]
        inner: T,
        // A seek started but not yet complete (see the module docs).
        seek_pos: Option<SeekFrom>,
    }
}

impl<T> Compat<T> {
    fn new(inner: T) -> Compat<T> {
        Compat {
            inner,
            seek_pos: None,
        }
    }

    /// The wrapped value.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped value, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped value back.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// Turns a Zokio reader into a `futures_io` reader.
pub trait ZokioAsyncReadCompatExt: AsyncRead {
    /// Wraps `self` so that it implements `futures_io::AsyncRead` (and
    /// `AsyncBufRead`/`AsyncSeek` where `self` implements Zokio's).
    fn compat(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: AsyncRead> ZokioAsyncReadCompatExt for T {}

/// Turns a Zokio writer into a `futures_io` writer.
pub trait ZokioAsyncWriteCompatExt: AsyncWrite {
    /// Wraps `self` so that it implements `futures_io::AsyncWrite`.
    fn compat_write(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: AsyncWrite> ZokioAsyncWriteCompatExt for T {}

/// Turns a `futures_io` reader into a Zokio reader.
pub trait FuturesAsyncReadCompatExt: futures_io::AsyncRead {
    /// Wraps `self` so that it implements Zokio's `AsyncRead` (and
    /// `AsyncBufRead`/`AsyncSeek` where `self` implements the futures
    /// ones).
    fn compat(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: futures_io::AsyncRead> FuturesAsyncReadCompatExt for T {}

/// Turns a `futures_io` writer into a Zokio writer.
pub trait FuturesAsyncWriteCompatExt: futures_io::AsyncWrite {
    /// Wraps `self` so that it implements Zokio's `AsyncWrite`.
    fn compat_write(self) -> Compat<Self>
    where
        Self: Sized,
    {
        Compat::new(self)
    }
}

impl<T: futures_io::AsyncWrite> FuturesAsyncWriteCompatExt for T {}

// Zokio traits on a futures value.

impl<T: futures_io::AsyncRead> AsyncRead for Compat<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // futures' readers take an initialized slice.
        let slice = buf.initialize_unfilled();
        let n = ready!(self.project().inner.poll_read(cx, slice))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: futures_io::AsyncWrite> AsyncWrite for Compat<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

impl<T: futures_io::AsyncBufRead> AsyncBufRead for Compat<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.project().inner.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt)
    }
}

impl<T: futures_io::AsyncSeek> AsyncSeek for Compat<T> {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        *self.project().seek_pos = Some(position);
        Ok(())
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let me = self.project();
        // With no seek started, report the position (a seek by 0).
        let pos = me.seek_pos.unwrap_or(SeekFrom::Current(0));
        let res = ready!(me.inner.poll_seek(cx, pos));
        *me.seek_pos = None;
        Poll::Ready(res)
    }
}

// futures traits on a Zokio value.

impl<T: AsyncRead> futures_io::AsyncRead for Compat<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        slice: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(slice);
        ready!(self.project().inner.poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().len()))
    }
}

impl<T: AsyncWrite> futures_io::AsyncWrite for Compat<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

impl<T: AsyncBufRead> futures_io::AsyncBufRead for Compat<T> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        self.project().inner.poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.project().inner.consume(amt)
    }
}

impl<T: AsyncSeek> futures_io::AsyncSeek for Compat<T> {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let mut me = self.project();
        // Start the seek once; later polls (or a different `pos` after a
        // cancelled call) first finish the one in progress.
        if *me.seek_pos != Some(pos) {
            if me.seek_pos.is_some() {
                ready!(me.inner.as_mut().poll_complete(cx))?;
            }
            me.inner.as_mut().start_seek(pos)?;
            *me.seek_pos = Some(pos);
        }
        let res = ready!(me.inner.poll_complete(cx));
        *me.seek_pos = None;
        Poll::Ready(res)
    }
}
