//! [`AsyncWriteExt`] and the futures its methods return.

use crate::io::AsyncWrite;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

macro_rules! write_num_methods {
    ($($(#[$doc:meta])* $name:ident => $ty:ty, $to:ident;)*) => {$(
        $(#[$doc])*
        fn $name(&mut self, n: $ty) -> WriteNum<'_, Self>
        where
            Self: Unpin,
        {
            WriteNum::new(self, &n.$to())
        }
    )*};
}

/// Writing helpers for every [`AsyncWrite`].
///
/// # Examples
///
/// ```
/// use zokio::io::AsyncWriteExt;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut out = Vec::new();
/// out.write_all(b"hello ").await.unwrap();
/// out.write_u16_le(0x0201).await.unwrap();
/// out.flush().await.unwrap();
/// assert_eq!(out, b"hello \x01\x02");
/// # });
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some of `src`; returns how many bytes were written.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if dropped before it completes, nothing was written.
    fn write<'a>(&'a mut self, src: &'a [u8]) -> Write<'a, Self>
    where
        Self: Unpin,
    {
        Write {
            writer: self,
            buf: src,
        }
    }

    /// Writes some of `bufs`.
    fn write_vectored<'a, 'b>(&'a mut self, bufs: &'a [IoSlice<'b>]) -> WriteVectored<'a, 'b, Self>
    where
        Self: Unpin,
    {
        WriteVectored { writer: self, bufs }
    }

    /// Writes some of a `bytes::Buf`, advancing it.
    fn write_buf<'a, B: bytes::Buf>(&'a mut self, src: &'a mut B) -> WriteBuf<'a, Self, B>
    where
        Self: Unpin,
    {
        WriteBuf {
            writer: self,
            buf: src,
        }
    }

    /// Writes all of a `bytes::Buf`, advancing it.
    ///
    /// # Cancel safety
    ///
    /// Bytes written before a drop are advanced past in `src`.
    fn write_all_buf<'a, B: bytes::Buf>(&'a mut self, src: &'a mut B) -> WriteAllBuf<'a, Self, B>
    where
        Self: Unpin,
    {
        WriteAllBuf {
            writer: self,
            buf: src,
        }
    }

    /// Writes all of `src`.
    ///
    /// # Errors
    ///
    /// `WriteZero` if the writer accepts no more bytes.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: how much was written is lost on drop.
    fn write_all<'a>(&'a mut self, src: &'a [u8]) -> WriteAll<'a, Self>
    where
        Self: Unpin,
    {
        WriteAll {
            writer: self,
            buf: src,
        }
    }

    /// Flushes buffered data.
    fn flush(&mut self) -> Flush<'_, Self>
    where
        Self: Unpin,
    {
        Flush { writer: self }
    }

    /// Flushes and shuts the writer down.
    fn shutdown(&mut self) -> Shutdown<'_, Self>
    where
        Self: Unpin,
    {
        Shutdown { writer: self }
    }

    write_num_methods! {
        /// Writes a `u8`.
        write_u8 => u8, to_be_bytes;
        /// Writes an `i8`.
        write_i8 => i8, to_be_bytes;
        /// Writes a big-endian `u16`.
        write_u16 => u16, to_be_bytes;
        /// Writes a big-endian `i16`.
        write_i16 => i16, to_be_bytes;
        /// Writes a big-endian `u32`.
        write_u32 => u32, to_be_bytes;
        /// Writes a big-endian `i32`.
        write_i32 => i32, to_be_bytes;
        /// Writes a big-endian `u64`.
        write_u64 => u64, to_be_bytes;
        /// Writes a big-endian `i64`.
        write_i64 => i64, to_be_bytes;
        /// Writes a big-endian `u128`.
        write_u128 => u128, to_be_bytes;
        /// Writes a big-endian `i128`.
        write_i128 => i128, to_be_bytes;
        /// Writes a big-endian `f32`.
        write_f32 => f32, to_be_bytes;
        /// Writes a big-endian `f64`.
        write_f64 => f64, to_be_bytes;
        /// Writes a little-endian `u16`.
        write_u16_le => u16, to_le_bytes;
        /// Writes a little-endian `i16`.
        write_i16_le => i16, to_le_bytes;
        /// Writes a little-endian `u32`.
        write_u32_le => u32, to_le_bytes;
        /// Writes a little-endian `i32`.
        write_i32_le => i32, to_le_bytes;
        /// Writes a little-endian `u64`.
        write_u64_le => u64, to_le_bytes;
        /// Writes a little-endian `i64`.
        write_i64_le => i64, to_le_bytes;
        /// Writes a little-endian `u128`.
        write_u128_le => u128, to_le_bytes;
        /// Writes a little-endian `i128`.
        write_i128_le => i128, to_le_bytes;
        /// Writes a little-endian `f32`.
        write_f32_le => f32, to_le_bytes;
        /// Writes a little-endian `f64`.
        write_f64_le => f64, to_le_bytes;
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}

/// Future of [`AsyncWriteExt::write`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Write<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Write<'_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        Pin::new(&mut *me.writer).poll_write(cx, me.buf)
    }
}

/// Future of [`AsyncWriteExt::write_vectored`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteVectored<'a, 'b, W: ?Sized> {
    writer: &'a mut W,
    bufs: &'a [IoSlice<'b>],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteVectored<'_, '_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        Pin::new(&mut *me.writer).poll_write_vectored(cx, me.bufs)
    }
}

/// Future of [`AsyncWriteExt::write_buf`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteBuf<'a, W: ?Sized, B> {
    writer: &'a mut W,
    buf: &'a mut B,
}

impl<W: AsyncWrite + Unpin + ?Sized, B: bytes::Buf> Future for WriteBuf<'_, W, B> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        if !me.buf.has_remaining() {
            return Poll::Ready(Ok(0));
        }
        let n = ready!(Pin::new(&mut *me.writer).poll_write(cx, me.buf.chunk()))?;
        me.buf.advance(n);
        Poll::Ready(Ok(n))
    }
}

/// Future of [`AsyncWriteExt::write_all_buf`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteAllBuf<'a, W: ?Sized, B> {
    writer: &'a mut W,
    buf: &'a mut B,
}

impl<W: AsyncWrite + Unpin + ?Sized, B: bytes::Buf> Future for WriteAllBuf<'_, W, B> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        while me.buf.has_remaining() {
            let n = if me.writer.is_write_vectored() {
                let mut slices = [IoSlice::new(&[]); 64];
                let cnt = me.buf.chunks_vectored(&mut slices);
                ready!(Pin::new(&mut *me.writer).poll_write_vectored(cx, &slices[..cnt]))?
            } else {
                ready!(Pin::new(&mut *me.writer).poll_write(cx, me.buf.chunk()))?
            };
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            me.buf.advance(n);
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`AsyncWriteExt::write_all`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteAll<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteAll<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        while !me.buf.is_empty() {
            let n = ready!(Pin::new(&mut *me.writer).poll_write(cx, me.buf))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            me.buf = &me.buf[n..];
        }
        Poll::Ready(Ok(()))
    }
}

/// Future of [`AsyncWriteExt::flush`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Flush<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Flush<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().writer).poll_flush(cx)
    }
}

/// Future of [`AsyncWriteExt::shutdown`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Shutdown<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Shutdown<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().writer).poll_shutdown(cx)
    }
}

/// Future of the `write_u8`..`write_f64_le` methods.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteNum<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: [u8; 16],
    pos: usize,
    len: usize,
}

impl<'a, W: ?Sized> WriteNum<'a, W> {
    fn new(writer: &'a mut W, bytes: &[u8]) -> Self {
        let mut buf = [0; 16];
        buf[..bytes.len()].copy_from_slice(bytes);
        WriteNum {
            writer,
            buf,
            pos: 0,
            len: bytes.len(),
        }
    }
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteNum<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        while me.pos < me.len {
            let n = ready!(Pin::new(&mut *me.writer).poll_write(cx, &me.buf[me.pos..me.len]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            me.pos += n;
        }
        Poll::Ready(Ok(()))
    }
}
