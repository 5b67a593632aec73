//! [`simplex`] and [`SimplexStream`]: an in-memory, one-way pipe.
//!
//! A `SimplexStream` is a byte queue holding at most `max_buf_size` bytes,
//! a slot for the waker of a reader waiting for bytes, a slot for the
//! waker of a writer waiting for room, and a flag set when the writing side
//! shuts down. A read that finds the queue empty parks its waker, a write
//! that finds it full parks its own; whichever side moves bytes wakes the
//! other. Both sides reach the value through one `&mut` (behind the lock
//! of [`split`](crate::io::split) or of [`duplex`](crate::io::duplex)), so
//! parking and waking never race.
//!
//! [`duplex`](crate::io::duplex) is built from two of these, one per
//! direction.

use crate::coop;
use crate::io::util::split::{split, ReadHalf, WriteHalf};
use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

/// A one-way in-memory pipe: bytes written to it are read back from it,
/// with at most `max_buf_size` bytes waiting in between.
///
/// Reading waits while the buffer is empty and returns end of stream once
/// the buffer is drained after a shutdown ([`AsyncWriteExt::shutdown`]);
/// writing waits while the buffer is full and fails with
/// [`io::ErrorKind::BrokenPipe`] after a shutdown. Flushing does nothing.
///
/// [`simplex`] hands out the two ends as a [`ReadHalf`] and a
/// [`WriteHalf`], for two tasks; [`SimplexStream::new_unsplit`] gives a
/// single value that is both the reader and the writer. Dropping the write
/// half of a [`simplex`] pair does not shut the stream down (the stream
/// lives on in the read half): shut it down first so that the reader sees
/// end of stream.
///
/// Reads and writes take part in cooperative scheduling, as socket
/// operations do: a task that keeps finding the pipe ready yields now and
/// then.
///
/// [`AsyncWriteExt::shutdown`]: crate::io::AsyncWriteExt::shutdown
///
/// # Examples
///
/// ```
/// use zokio::io::{AsyncReadExt, AsyncWriteExt, SimplexStream};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut pipe = SimplexStream::new_unsplit(16);
/// pipe.write_all(b"abc").await.unwrap();
/// pipe.shutdown().await.unwrap();
/// let mut got = Vec::new();
/// pipe.read_to_end(&mut got).await.unwrap();
/// assert_eq!(got, b"abc");
/// # });
/// ```
pub struct SimplexStream {
    buffer: VecDeque<u8>,
    /// Set by a shutdown of the writing side (or, inside a duplex pair, by
    /// dropping either end).
    is_closed: bool,
    max_buf_size: usize,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
}

/// Creates a one-way in-memory pipe holding up to `max_buf_size` bytes and
/// returns its read end and its write end.
///
/// The halves can be used from different tasks and joined back with
/// [`ReadHalf::unsplit`]. A `max_buf_size` of 0 does not panic, but no
/// byte ever fits, so writes wait until the stream is shut down.
///
/// # Examples
///
/// ```
/// use zokio::io::{self, AsyncReadExt, AsyncWriteExt};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut rx, mut tx) = io::simplex(4);
/// let producer = zokio::spawn(async move {
///     // Larger than the buffer: `write_all` waits for the reader.
///     tx.write_all(b"hello, simplex").await.unwrap();
///     tx.shutdown().await.unwrap();
/// });
/// let mut got = String::new();
/// rx.read_to_string(&mut got).await.unwrap();
/// assert_eq!(got, "hello, simplex");
/// producer.await.unwrap();
/// # });
/// ```
pub fn simplex(max_buf_size: usize) -> (ReadHalf<SimplexStream>, WriteHalf<SimplexStream>) {
    split(SimplexStream::new_unsplit(max_buf_size))
}

impl SimplexStream {
    /// Creates a one-way pipe holding up to `max_buf_size` bytes, as one
    /// value that implements both [`AsyncRead`] and [`AsyncWrite`]. Use
    /// [`simplex`] for separate read and write ends.
    ///
    /// A write to a full buffer returns `Poll::Pending` until a read makes
    /// room.
    pub fn new_unsplit(max_buf_size: usize) -> SimplexStream {
        SimplexStream {
            buffer: VecDeque::new(),
            is_closed: false,
            max_buf_size,
            read_waker: None,
            write_waker: None,
        }
    }

    /// Marks the pipe closed and wakes both sides: a waiting reader then
    /// drains what is left and sees end of stream, a waiting writer gets
    /// `BrokenPipe`.
    pub(crate) fn close(&mut self) {
        self.is_closed = true;
        if let Some(w) = self.read_waker.take() {
            w.wake();
        }
        if let Some(w) = self.write_waker.take() {
            w.wake();
        }
    }

    fn poll_read_bytes(&mut self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<()> {
        if self.buffer.is_empty() {
            if self.is_closed {
                return Poll::Ready(());
            }
            self.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = std::cmp::min(self.buffer.len(), buf.remaining());
        let (front, back) = self.buffer.as_slices();
        let from_front = std::cmp::min(front.len(), n);
        buf.put_slice(&front[..from_front]);
        buf.put_slice(&back[..n - from_front]);
        self.buffer.drain(..n);
        if let Some(w) = self.write_waker.take() {
            w.wake();
        }
        Poll::Ready(())
    }

    fn poll_write_bytes(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.is_closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let room = self.max_buf_size - self.buffer.len();
        if room == 0 {
            self.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let mut written = 0;
        for b in bufs {
            let n = std::cmp::min(b.len(), room - written);
            self.buffer.extend(&b[..n]);
            written += n;
            if written == room {
                break;
            }
        }
        if let Some(w) = self.read_waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(written))
    }
}

impl AsyncRead for SimplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut coop = ready!(coop::poll_proceed(cx));
        ready!(self.get_mut().poll_read_bytes(cx, buf));
        coop.made_progress();
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SimplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let mut coop = ready!(coop::poll_proceed(cx));
        let res = ready!(self.get_mut().poll_write_bytes(cx, bufs));
        coop.made_progress();
        Poll::Ready(res)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().close();
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for SimplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimplexStream")
            .field("buffered", &self.buffer.len())
            .field("max_buf_size", &self.max_buf_size)
            .field("is_closed", &self.is_closed)
            .finish()
    }
}
