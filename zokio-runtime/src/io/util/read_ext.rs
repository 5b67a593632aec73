//! [`AsyncReadExt`] and the futures its methods return.

use super::chain::{chain, Chain};
use super::take::{take, Take};
use crate::io::{AsyncRead, ReadBuf};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

macro_rules! read_num_methods {
    ($($(#[$doc:meta])* $name:ident => $ty:ty, $from:ident;)*) => {$(
        $(#[$doc])*
        fn $name(&mut self) -> ReadNum<'_, Self, $ty>
        where
            Self: Unpin,
        {
            ReadNum::new(self, <$ty>::$from)
        }
    )*};
}

/// Reading helpers for every [`AsyncRead`].
///
/// # Examples
///
/// ```
/// use zokio::io::AsyncReadExt;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut src: &[u8] = b"\x00\x2aabc";
/// assert_eq!(src.read_u16().await.unwrap(), 42);
/// let mut rest = String::new();
/// src.read_to_string(&mut rest).await.unwrap();
/// assert_eq!(rest, "abc");
/// # });
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf`; `Ok(0)` means end of stream (or an
    /// empty `buf`).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if dropped before it completes, no data was read.
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> Read<'a, Self>
    where
        Self: Unpin,
    {
        Read { reader: self, buf }
    }

    /// Reads some bytes into a `bytes::BufMut`, advancing it.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, like [`read`](AsyncReadExt::read).
    fn read_buf<'a, B: bytes::BufMut + ?Sized>(
        &'a mut self,
        buf: &'a mut B,
    ) -> ReadBufFuture<'a, Self, B>
    where
        Self: Unpin,
    {
        ReadBufFuture { reader: self, buf }
    }

    /// Reads exactly `buf.len()` bytes.
    ///
    /// # Errors
    ///
    /// `UnexpectedEof` if the stream ends first.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: bytes read before the drop are lost.
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        ReadExact {
            reader: self,
            buf,
            pos: 0,
        }
    }

    /// Reads to end of stream, appending to `buf`; returns the count read.
    ///
    /// # Cancel safety
    ///
    /// Bytes read before a drop stay in `buf`.
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, Self>
    where
        Self: Unpin,
    {
        let start = buf.len();
        ReadToEnd {
            reader: self,
            buf,
            start,
        }
    }

    /// Reads to end of stream, appending to `buf`.
    ///
    /// # Errors
    ///
    /// `InvalidData` if the bytes are not UTF-8; `buf` is then unchanged.
    fn read_to_string<'a>(&'a mut self, buf: &'a mut String) -> ReadToString<'a, Self>
    where
        Self: Unpin,
    {
        let bytes = std::mem::take(buf).into_bytes();
        let start = bytes.len();
        ReadToString {
            reader: self,
            out: buf,
            bytes,
            start,
        }
    }

    /// At most `limit` bytes of this reader.
    fn take(self, limit: u64) -> Take<Self>
    where
        Self: Sized,
    {
        take(self, limit)
    }

    /// This reader, then `next`.
    fn chain<R: AsyncRead>(self, next: R) -> Chain<Self, R>
    where
        Self: Sized,
    {
        chain(self, next)
    }

    read_num_methods! {
        /// Reads a `u8`.
        read_u8 => u8, from_be_bytes;
        /// Reads an `i8`.
        read_i8 => i8, from_be_bytes;
        /// Reads a big-endian `u16`.
        read_u16 => u16, from_be_bytes;
        /// Reads a big-endian `i16`.
        read_i16 => i16, from_be_bytes;
        /// Reads a big-endian `u32`.
        read_u32 => u32, from_be_bytes;
        /// Reads a big-endian `i32`.
        read_i32 => i32, from_be_bytes;
        /// Reads a big-endian `u64`.
        read_u64 => u64, from_be_bytes;
        /// Reads a big-endian `i64`.
        read_i64 => i64, from_be_bytes;
        /// Reads a big-endian `u128`.
        read_u128 => u128, from_be_bytes;
        /// Reads a big-endian `i128`.
        read_i128 => i128, from_be_bytes;
        /// Reads a big-endian `f32`.
        read_f32 => f32, from_be_bytes;
        /// Reads a big-endian `f64`.
        read_f64 => f64, from_be_bytes;
        /// Reads a little-endian `u16`.
        read_u16_le => u16, from_le_bytes;
        /// Reads a little-endian `i16`.
        read_i16_le => i16, from_le_bytes;
        /// Reads a little-endian `u32`.
        read_u32_le => u32, from_le_bytes;
        /// Reads a little-endian `i32`.
        read_i32_le => i32, from_le_bytes;
        /// Reads a little-endian `u64`.
        read_u64_le => u64, from_le_bytes;
        /// Reads a little-endian `i64`.
        read_i64_le => i64, from_le_bytes;
        /// Reads a little-endian `u128`.
        read_u128_le => u128, from_le_bytes;
        /// Reads a little-endian `i128`.
        read_i128_le => i128, from_le_bytes;
        /// Reads a little-endian `f32`.
        read_f32_le => f32, from_le_bytes;
        /// Reads a little-endian `f64`.
        read_f64_le => f64, from_le_bytes;
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// Future of [`AsyncReadExt::read`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Read<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
}

impl<R: AsyncRead + Unpin + ?Sized> Future for Read<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let mut buf = ReadBuf::new(me.buf);
        ready!(Pin::new(&mut *me.reader).poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(buf.filled().len()))
    }
}

/// Future of [`AsyncReadExt::read_buf`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadBufFuture<'a, R: ?Sized, B: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut B,
}

impl<R: AsyncRead + Unpin + ?Sized, B: bytes::BufMut + ?Sized> Future for ReadBufFuture<'_, R, B> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        poll_read_buf(Pin::new(&mut *me.reader), cx, me.buf)
    }
}

/// Reads into `buf`'s spare capacity and advances it.
pub(crate) fn poll_read_buf<R: AsyncRead + ?Sized, B: bytes::BufMut + ?Sized>(
    reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    buf: &mut B,
) -> Poll<io::Result<usize>> {
    if !buf.has_remaining_mut() {
        return Poll::Ready(Ok(0));
    }
    let n = {
        let dst = buf.chunk_mut();
        // SAFETY: `UninitSlice` is a `[MaybeUninit<u8>]` view of the same
        // memory; `ReadBuf` never de-initializes bytes.
        let dst = unsafe { dst.as_uninit_slice_mut() };
        let mut rb = ReadBuf::uninit(dst);
        let ptr = rb.filled().as_ptr();
        ready!(reader.poll_read(cx, &mut rb))?;
        // The reader must have filled our buffer, not swapped in another.
        assert_eq!(ptr, rb.filled().as_ptr(), "the reader swapped the ReadBuf");
        rb.filled().len()
    };
    // SAFETY: `ReadBuf` guarantees its first `n` (filled) bytes were
    // initialized, and they are the first `n` bytes of `chunk_mut`.
    unsafe { buf.advance_mut(n) };
    Poll::Ready(Ok(n))
}

/// Future of [`AsyncReadExt::read_exact`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadExact<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
    pos: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadExact<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        while me.pos < me.buf.len() {
            let mut buf = ReadBuf::new(&mut me.buf[me.pos..]);
            ready!(Pin::new(&mut *me.reader).poll_read(cx, &mut buf))?;
            let n = buf.filled().len();
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
            me.pos += n;
        }
        Poll::Ready(Ok(me.pos))
    }
}

/// Appends to `buf` until end of stream; returns the total appended since
/// `start`.
fn poll_read_to_end<R: AsyncRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    buf: &mut Vec<u8>,
    start: usize,
) -> Poll<io::Result<usize>> {
    loop {
        if buf.capacity() - buf.len() < 32 {
            buf.reserve(std::cmp::max(32, buf.len()));
        }
        let n = {
            let mut rb = ReadBuf::uninit(buf.spare_capacity_mut());
            let ptr = rb.filled().as_ptr();
            ready!(reader.as_mut().poll_read(cx, &mut rb))?;
            assert_eq!(ptr, rb.filled().as_ptr(), "the reader swapped the ReadBuf");
            rb.filled().len()
        };
        if n == 0 {
            return Poll::Ready(Ok(buf.len() - start));
        }
        // SAFETY: the first `n` bytes of the spare capacity were filled,
        // hence initialized (ReadBuf invariant), and `n` is within capacity.
        unsafe { buf.set_len(buf.len() + n) };
    }
}

/// Future of [`AsyncReadExt::read_to_end`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadToEnd<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut Vec<u8>,
    start: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToEnd<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        poll_read_to_end(Pin::new(&mut *me.reader), cx, me.buf, me.start)
    }
}

/// Future of [`AsyncReadExt::read_to_string`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadToString<'a, R: ?Sized> {
    reader: &'a mut R,
    out: &'a mut String,
    bytes: Vec<u8>,
    start: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToString<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let res = ready!(poll_read_to_end(
            Pin::new(&mut *me.reader),
            cx,
            &mut me.bytes,
            me.start
        ));
        let mut bytes = std::mem::take(&mut me.bytes);
        let res = res.and_then(|n| match std::str::from_utf8(&bytes[me.start..]) {
            Ok(_) => Ok(n),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )),
        });
        if res.is_err() {
            bytes.truncate(me.start);
        }
        // The prefix came from a String and the rest was just validated.
        *me.out = String::from_utf8(bytes).expect("validated as UTF-8 above");
        me.start = 0;
        Poll::Ready(res)
    }
}

impl<R: ?Sized> Drop for ReadToString<'_, R> {
    fn drop(&mut self) {
        // Cancelled before completion: give back what the string held.
        if !self.bytes.is_empty() || self.start > 0 {
            let mut bytes = std::mem::take(&mut self.bytes);
            bytes.truncate(self.start);
            *self.out = String::from_utf8(bytes).unwrap_or_default();
        }
    }
}

/// Future of the `read_u8`..`read_f64_le` methods.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadNum<'a, R: ?Sized, T: Num> {
    reader: &'a mut R,
    buf: [u8; 16],
    pos: usize,
    convert: fn(NumBytes<T>) -> T,
}

/// The byte array of a number type (`[u8; size_of::<T>()]`).
pub type NumBytes<T> = <T as Num>::Bytes;

/// Number types with a fixed-size byte representation.
pub trait Num: Sized {
    /// `[u8; N]`.
    type Bytes: for<'b> TryFrom<&'b [u8]>;
    /// `size_of::<Self>()`.
    const SIZE: usize;
}

macro_rules! num {
    ($($ty:ty),*) => {$(
        impl Num for $ty {
            type Bytes = [u8; std::mem::size_of::<$ty>()];
            const SIZE: usize = std::mem::size_of::<$ty>();
        }
    )*};
}
num!(u8, i8, u16, i16, u32, i32, u64, i64, u128, i128, f32, f64);

impl<'a, R: ?Sized, T: Num> ReadNum<'a, R, T> {
    fn new(reader: &'a mut R, convert: fn(NumBytes<T>) -> T) -> Self {
        ReadNum {
            reader,
            buf: [0; 16],
            pos: 0,
            convert,
        }
    }
}

impl<R: AsyncRead + Unpin + ?Sized, T: Num> Future for ReadNum<'_, R, T> {
    type Output = io::Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let me = self.get_mut();
        while me.pos < T::SIZE {
            let mut buf = ReadBuf::new(&mut me.buf[me.pos..T::SIZE]);
            ready!(Pin::new(&mut *me.reader).poll_read(cx, &mut buf))?;
            let n = buf.filled().len();
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
            }
            me.pos += n;
        }
        let Ok(bytes) = NumBytes::<T>::try_from(&me.buf[..T::SIZE]) else {
            unreachable!("the slice has exactly size_of::<T>() bytes");
        };
        Poll::Ready(Ok((me.convert)(bytes)))
    }
}

impl<R: ?Sized, T: Num> std::fmt::Debug for ReadNum<'_, R, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadNum")
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}
