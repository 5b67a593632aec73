//! [`copy`], [`copy_buf`] and [`copy_bidirectional`].

use super::buf_reader::DEFAULT_BUF_SIZE;
use crate::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};
use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The state of one copying direction: a buffer the reader fills at
/// `cap..` while the writer drains `pos..cap`.
///
/// Whenever the buffer has free space the reader is asked for more, even
/// while earlier bytes wait for the writer (read-ahead, as Tokio's copy
/// does): a slow writer and a bursty reader then overlap, and the writer's
/// next call gets everything that arrived meanwhile. Once drained, the
/// buffer starts over at the front.
#[derive(Debug)]
pub(super) struct CopyBuffer {
    read_done: bool,
    need_flush: bool,
    pos: usize,
    cap: usize,
    amt: u64,
    buf: Box<[u8]>,
}

impl CopyBuffer {
    pub(super) fn new() -> CopyBuffer {
        CopyBuffer::with_size(DEFAULT_BUF_SIZE)
    }

    /// A buffer of `size` bytes; `size` is not 0 (an empty buffer would
    /// read 0 bytes, which means end of stream).
    fn with_size(size: usize) -> CopyBuffer {
        CopyBuffer {
            read_done: false,
            need_flush: false,
            pos: 0,
            cap: 0,
            amt: 0,
            buf: vec![0; size].into_boxed_slice(),
        }
    }

    /// Copies until the reader ends and all is written and flushed; returns
    /// the bytes written.
    pub(super) fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        loop {
            if self.has_room() && self.poll_fill(cx, reader.as_mut())?.is_pending() {
                // With bytes buffered, go on to write them. With none,
                // push out what was written: the reader may be waiting
                // for the peer to see it.
                if self.pos == self.cap {
                    if self.need_flush {
                        ready!(writer.as_mut().poll_flush(cx))?;
                        self.need_flush = false;
                    }
                    return Poll::Pending;
                }
            }
            ready!(self.poll_drain(cx, reader.as_mut(), writer.as_mut()))?;
            if self.read_done {
                ready!(writer.as_mut().poll_flush(cx))?;
                return Poll::Ready(Ok(self.amt));
            }
        }
    }

    /// True while the reader may add bytes: not ended, buffer not full.
    fn has_room(&self) -> bool {
        !self.read_done && self.cap < self.buf.len()
    }

    /// Reads once into the free space; `Ok(0)` from the reader marks its end.
    fn poll_fill<R>(&mut self, cx: &mut Context<'_>, reader: Pin<&mut R>) -> Poll<io::Result<()>>
    where
        R: AsyncRead + ?Sized,
    {
        let mut buf = ReadBuf::new(&mut self.buf[self.cap..]);
        ready!(reader.poll_read(cx, &mut buf))?;
        match buf.filled().len() {
            0 => self.read_done = true,
            n => self.cap += n,
        }
        Poll::Ready(Ok(()))
    }

    /// Reads until the buffer is full, the reader ends or is not ready.
    fn poll_read_ahead<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
    ) -> Poll<io::Result<()>>
    where
        R: AsyncRead + ?Sized,
    {
        while self.has_room() {
            ready!(self.poll_fill(cx, reader.as_mut()))?;
        }
        Poll::Ready(Ok(()))
    }

    /// Writes all buffered bytes, then empties the buffer. While the
    /// writer is not ready, reads ahead into the free space.
    fn poll_drain<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<()>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        while self.pos < self.cap {
            let written = writer
                .as_mut()
                .poll_write(cx, &self.buf[self.pos..self.cap]);
            let Poll::Ready(written) = written else {
                // A read error surfaces now; otherwise wait for the writer.
                ready!(self.poll_read_ahead(cx, reader.as_mut()))?;
                return Poll::Pending;
            };
            match written? {
                0 => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "write zero byte into writer",
                    )))
                }
                n => {
                    self.pos += n;
                    self.amt += n as u64;
                    self.need_flush = true;
                }
            }
        }
        self.pos = 0;
        self.cap = 0;
        Poll::Ready(Ok(()))
    }
}

/// Copies all of `reader` into `writer`; returns the byte count.
///
/// Uses an internal buffer. While the writer is not ready, the reader keeps
/// filling that buffer's free space, so the next write carries what came
/// meanwhile. When the reader has nothing and the buffer is empty, the
/// writer is flushed before waiting.
///
/// # Errors
///
/// The first error of either side.
///
/// # Cancel safety
///
/// Not cancel safe: buffered bytes are lost on drop.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut src: &[u8] = b"hello";
/// let mut dst = Vec::new();
/// assert_eq!(zokio::io::copy(&mut src, &mut dst).await.unwrap(), 5);
/// assert_eq!(dst, b"hello");
/// # });
/// ```
pub async fn copy<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buf = CopyBuffer::new();
    poll_fn(|cx| buf.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer))).await
}

/// Copies all of a buffered `reader` into `writer`, without an extra buffer.
///
/// Writes straight from the reader's own buffer, so there is no read-ahead
/// while the writer is not ready: the reader refills only once drained.
///
/// # Errors
///
/// The first error of either side.
pub async fn copy_buf<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncBufRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut amt = 0u64;
    poll_fn(|cx| loop {
        let mut reader = Pin::new(&mut *reader);
        let buf = ready!(reader.as_mut().poll_fill_buf(cx))?;
        if buf.is_empty() {
            ready!(Pin::new(&mut *writer).poll_flush(cx))?;
            return Poll::Ready(Ok(amt));
        }
        let i = ready!(Pin::new(&mut *writer).poll_write(cx, buf))?;
        if i == 0 {
            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
        }
        amt += i as u64;
        reader.consume(i);
    })
    .await
}

enum TransferState {
    Running(CopyBuffer),
    ShuttingDown(u64),
    Done(u64),
}

fn transfer_one_direction<A, B>(
    cx: &mut Context<'_>,
    state: &mut TransferState,
    r: &mut A,
    w: &mut B,
) -> Poll<io::Result<u64>>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    loop {
        match state {
            TransferState::Running(buf) => {
                let count = ready!(buf.poll_copy(cx, Pin::new(&mut *r), Pin::new(&mut *w)))?;
                *state = TransferState::ShuttingDown(count);
            }
            TransferState::ShuttingDown(count) => {
                ready!(Pin::new(&mut *w).poll_shutdown(cx))?;
                *state = TransferState::Done(*count);
            }
            TransferState::Done(count) => return Poll::Ready(Ok(*count)),
        }
    }
}

/// Copies `a` to `b` and `b` to `a` at once, until both reach end of
/// stream (each write side is shut down when its read side ends); returns
/// `(a to b, b to a)` byte counts. Each direction buffers and reads ahead
/// as [`copy`] does.
///
/// # Errors
///
/// The first error of any side.
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    copy_both_ways(a, b, CopyBuffer::new(), CopyBuffer::new()).await
}

/// [`copy_bidirectional`] with a buffer of `a_to_b_buf_size` bytes for the
/// `a` to `b` direction and one of `b_to_a_buf_size` bytes for the other
/// (the default is 8 KiB each).
///
/// # Errors
///
/// The first error of any side.
///
/// # Panics
///
/// If either size is 0: a buffer with no room would read nothing, which
/// looks like end of stream, and the copy would stop short.
pub async fn copy_bidirectional_with_sizes<A, B>(
    a: &mut A,
    b: &mut B,
    a_to_b_buf_size: usize,
    b_to_a_buf_size: usize,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    assert!(
        a_to_b_buf_size > 0 && b_to_a_buf_size > 0,
        "copy_bidirectional_with_sizes: buffer sizes must be greater than 0"
    );
    let a_to_b = CopyBuffer::with_size(a_to_b_buf_size);
    let b_to_a = CopyBuffer::with_size(b_to_a_buf_size);
    copy_both_ways(a, b, a_to_b, b_to_a).await
}

async fn copy_both_ways<A, B>(
    a: &mut A,
    b: &mut B,
    a_to_b: CopyBuffer,
    b_to_a: CopyBuffer,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let mut a_to_b = TransferState::Running(a_to_b);
    let mut b_to_a = TransferState::Running(b_to_a);
    poll_fn(|cx| {
        let ab = transfer_one_direction(cx, &mut a_to_b, a, b)?;
        let ba = transfer_one_direction(cx, &mut b_to_a, b, a)?;
        let ab = ready!(ab);
        let ba = ready!(ba);
        Poll::Ready(Ok((ab, ba)))
    })
    .await
}

// `copy` futures are used across `spawn`: keep them `Send`.
#[allow(dead_code)]
fn _assert_send() {
    fn is_send<T: Send>(_: &T) {}
    let (mut r, mut w): (&[u8], Vec<u8>) = (&[], Vec::new());
    let f = copy(&mut r, &mut w);
    is_send(&f);
    let _: &dyn Future<Output = io::Result<u64>> = &f;
}
