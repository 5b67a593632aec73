//! [`AsyncBufReadExt`], [`Lines`], [`Split`] and the futures of the trait.

use crate::io::AsyncBufRead;
use pin_project_lite::pin_project;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Helpers for every [`AsyncBufRead`].
///
/// # Examples
///
/// ```
/// use zokio::io::AsyncBufReadExt;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut lines = (&b"one\ntwo\r\n"[..]).lines();
/// assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("one"));
/// assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("two"));
/// assert_eq!(lines.next_line().await.unwrap(), None);
/// # });
/// ```
pub trait AsyncBufReadExt: AsyncBufRead {
    /// Appends to `buf` up to and including `byte` (or to end of stream);
    /// returns the count read. `Ok(0)` means end of stream.
    ///
    /// # Errors
    ///
    /// The reader's error; the bytes read before it stay in `buf`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as in Tokio: bytes are appended to `buf` as they are
    /// consumed from the reader, so if the future is dropped (say it lost a
    /// `select!`), the partial segment is already in `buf` and calling
    /// `read_until` again continues it. The returned count covers only the
    /// call that completed.
    fn read_until<'a>(&'a mut self, byte: u8, buf: &'a mut Vec<u8>) -> ReadUntil<'a, Self>
    where
        Self: Unpin,
    {
        ReadUntil {
            reader: self,
            byte,
            buf,
            read: 0,
        }
    }

    /// Appends a line (with its `\n`, if any) to `buf`; returns the count
    /// read. `Ok(0)` means end of stream.
    ///
    /// # Errors
    ///
    /// `InvalidData` if the line is not UTF-8; `buf` then keeps only what it
    /// held before the call. On a reader error, the bytes read before it
    /// stay in `buf` if they are UTF-8 (else `buf` is restored likewise).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe as far as UTF-8 allows, which is more than Tokio promises
    /// (Tokio documents its `read_line` as not cancel safe, leaving `buf`
    /// unspecified). If the future is dropped before it completes, `buf`
    /// holds its earlier contents plus the bytes read so far, so calling
    /// `read_line` again continues the same line. Because a `String` holds
    /// only UTF-8, there are two exceptions:
    ///
    /// - a drop in the middle of a multi-byte character loses the (at most
    ///   three) bytes of it already read; the next call then reports the
    ///   loss as `InvalidData`, since the rest of the line does not decode;
    /// - if the bytes read so far are not UTF-8, `buf` keeps only its
    ///   earlier contents, as when a completed call fails.
    ///
    /// For lossless cancellation use [`read_until`](Self::read_until) with
    /// `b'\n'` and check the UTF-8 yourself, or [`Lines::next_line`].
    fn read_line<'a>(&'a mut self, buf: &'a mut String) -> ReadLine<'a, Self>
    where
        Self: Unpin,
    {
        ReadLine {
            reader: self,
            bytes: std::mem::take(buf).into_bytes(),
            out: buf,
            read: 0,
        }
    }

    /// The lines of this reader, without their `\n` / `\r\n`.
    fn lines(self) -> Lines<Self>
    where
        Self: Sized,
    {
        Lines {
            reader: self,
            buf: Vec::new(),
        }
    }

    /// The segments of this reader between `byte`s.
    fn split(self, byte: u8) -> Split<Self>
    where
        Self: Sized,
    {
        Split {
            reader: self,
            delim: byte,
            buf: Vec::new(),
        }
    }

    /// Returns the buffered data, filling the buffer if it is empty.
    fn fill_buf(&mut self) -> FillBuf<'_, Self>
    where
        Self: Unpin,
    {
        FillBuf { reader: Some(self) }
    }

    /// Marks `amt` buffered bytes as read.
    fn consume(&mut self, amt: usize)
    where
        Self: Unpin,
    {
        Pin::new(self).consume(amt)
    }
}

impl<R: AsyncBufRead + ?Sized> AsyncBufReadExt for R {}

/// Appends to `buf` through `delim`; `read` counts what this call added.
fn poll_read_until<R: AsyncBufRead + ?Sized>(
    mut reader: Pin<&mut R>,
    cx: &mut Context<'_>,
    delim: u8,
    buf: &mut Vec<u8>,
    read: &mut usize,
) -> Poll<io::Result<usize>> {
    loop {
        let (done, used) = {
            let available = ready!(reader.as_mut().poll_fill_buf(cx))?;
            match available.iter().position(|&b| b == delim) {
                Some(i) => {
                    buf.extend_from_slice(&available[..=i]);
                    (true, i + 1)
                }
                None => {
                    buf.extend_from_slice(available);
                    (available.is_empty(), available.len())
                }
            }
        };
        reader.as_mut().consume(used);
        *read += used;
        if done {
            return Poll::Ready(Ok(std::mem::replace(read, 0)));
        }
    }
}

/// Future of [`AsyncBufReadExt::read_until`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadUntil<'a, R: ?Sized> {
    reader: &'a mut R,
    byte: u8,
    buf: &'a mut Vec<u8>,
    read: usize,
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadUntil<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        poll_read_until(Pin::new(&mut *me.reader), cx, me.byte, me.buf, &mut me.read)
    }
}

/// Future of [`AsyncBufReadExt::read_line`].
///
/// It takes the caller's `String` as bytes, appends to them, and gives them
/// back as a `String` on completion or drop (see the method's cancel
/// safety), so no invalid UTF-8 is ever visible in the caller's `String`.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadLine<'a, R: ?Sized> {
    reader: &'a mut R,
    out: &'a mut String,
    /// `out`'s earlier contents, then the bytes read so far.
    bytes: Vec<u8>,
    /// How many of `bytes` this call has read.
    read: usize,
}

/// The error for a line that is not UTF-8.
fn invalid_utf8() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

/// `bytes` as a `String`, or, if they are not UTF-8, their first `keep`
/// bytes (the caller's earlier, valid contents) and an `InvalidData` error.
fn into_string(bytes: Vec<u8>, keep: usize) -> (String, io::Result<()>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, Ok(())),
        Err(e) => (valid_prefix(e.into_bytes(), keep), Err(invalid_utf8())),
    }
}

/// What a dropped [`ReadLine`] leaves: all of `bytes` less an incomplete
/// final character, or only the earlier `keep` bytes if the rest is
/// invalid (not merely cut short).
fn into_string_on_drop(bytes: Vec<u8>, keep: usize) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let err = e.utf8_error();
            let end = match err.error_len() {
                None => err.valid_up_to(),
                Some(_) => keep,
            };
            valid_prefix(e.into_bytes(), end)
        }
    }
}

/// The first `len` bytes of `bytes`, which the caller knows are UTF-8.
fn valid_prefix(mut bytes: Vec<u8>, len: usize) -> String {
    bytes.truncate(len);
    String::from_utf8(bytes).expect("a prefix checked to be UTF-8")
}

impl<R: AsyncBufRead + Unpin + ?Sized> Future for ReadLine<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let earlier = me.bytes.len() - me.read;
        let res = ready!(poll_read_until(
            Pin::new(&mut *me.reader),
            cx,
            b'\n',
            &mut me.bytes,
            &mut me.read
        ));
        // Taking `bytes` also tells `drop` there is nothing left to return.
        let (s, utf8) = into_string(std::mem::take(&mut me.bytes), earlier);
        *me.out = s;
        me.read = 0;
        Poll::Ready(res.and_then(|n| utf8.map(|()| n)))
    }
}

impl<R: ?Sized> Drop for ReadLine<'_, R> {
    /// Gives the caller's `String` back, with the partial line, if the
    /// future did not complete.
    fn drop(&mut self) {
        if !self.bytes.is_empty() {
            let earlier = self.bytes.len() - self.read;
            *self.out = into_string_on_drop(std::mem::take(&mut self.bytes), earlier);
        }
    }
}

/// Future of [`AsyncBufReadExt::fill_buf`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct FillBuf<'a, R: ?Sized> {
    reader: Option<&'a mut R>,
}

impl<'a, R: AsyncBufRead + Unpin + ?Sized> Future for FillBuf<'a, R> {
    type Output = io::Result<&'a [u8]>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&'a [u8]>> {
        let me = self.get_mut();
        let reader = me.reader.take().expect("FillBuf polled after completion");
        // Poll through a short reborrow first: on Pending the `&'a mut`
        // must go back unused. A non-empty buffer then stays filled, so
        // the second poll (for the full lifetime) returns it at once.
        let filled = match Pin::new(&mut *reader).poll_fill_buf(cx) {
            Poll::Pending => false,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok([])) => return Poll::Ready(Ok(&[])),
            Poll::Ready(Ok(_)) => true,
        };
        if !filled {
            me.reader = Some(reader);
            return Poll::Pending;
        }
        Pin::new(reader).poll_fill_buf(cx)
    }
}

pin_project! {
    /// The lines of a reader ([`AsyncBufReadExt::lines`]).
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Lines<R> {
        #[pin]
        reader: R,
        buf: Vec<u8>,
    }
}

impl<R: AsyncBufRead> Lines<R> {
    /// The next line without its line ending, or `None` at end of stream.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a partial line stays buffered for the next call.
    pub async fn next_line(&mut self) -> io::Result<Option<String>>
    where
        R: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_line(cx)).await
    }

    /// Polls for the next line.
    pub fn poll_next_line(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<String>>> {
        let me = self.project();
        let mut read = 0;
        let n = ready!(poll_read_until(me.reader, cx, b'\n', me.buf, &mut read))?;
        if n == 0 && me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut bytes = std::mem::take(me.buf);
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        Poll::Ready(
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| invalid_utf8()),
        )
    }

    /// The inner reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The inner reader, mutably.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// Returns the inner reader.
    pub fn into_inner(self) -> R {
        self.reader
    }
}

impl<R: AsyncBufRead> futures_core::Stream for Lines<R> {
    type Item = io::Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_next_line(cx).map(Result::transpose)
    }
}

pin_project! {
    /// The segments of a reader between delimiters ([`AsyncBufReadExt::split`]).
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct Split<R> {
        #[pin]
        reader: R,
        delim: u8,
        buf: Vec<u8>,
    }
}

impl<R: AsyncBufRead> Split<R> {
    /// The next segment without its delimiter, or `None` at end of stream.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a partial segment stays buffered.
    pub async fn next_segment(&mut self) -> io::Result<Option<Vec<u8>>>
    where
        R: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_segment(cx)).await
    }

    /// Polls for the next segment.
    pub fn poll_next_segment(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<Option<Vec<u8>>>> {
        let me = self.project();
        let mut read = 0;
        let n = ready!(poll_read_until(me.reader, cx, *me.delim, me.buf, &mut read))?;
        if n == 0 && me.buf.is_empty() {
            return Poll::Ready(Ok(None));
        }
        let mut bytes = std::mem::take(me.buf);
        if bytes.last() == Some(me.delim) {
            bytes.pop();
        }
        Poll::Ready(Ok(Some(bytes)))
    }
}

impl<R: AsyncBufRead> futures_core::Stream for Split<R> {
    type Item = io::Result<Vec<u8>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_next_segment(cx).map(Result::transpose)
    }
}
