//! [`split`]: a read half and a write half of one stream, usable from two
//! tasks. The stream sits behind a mutex held only for one poll call.

use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::loom::sync::{Arc, Mutex};
use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The read half of a stream split by [`split`].
pub struct ReadHalf<T> {
    inner: Arc<Inner<T>>,
}

/// The write half of a stream split by [`split`].
pub struct WriteHalf<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    /// `None` only after `unsplit` took the stream out.
    stream: Mutex<Option<T>>,
    is_write_vectored: bool,
}

/// Splits `stream` into a read half and a write half.
///
/// For `TcpStream`, prefer its own `split`/`into_split`: they need no lock.
///
/// # Examples
///
/// ```
/// use zokio::io::{self, AsyncReadExt, AsyncWriteExt};
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, mut b) = io::duplex(64);
/// let (mut r, mut w) = io::split(a);
/// w.write_all(b"ping").await.unwrap();
/// let mut buf = [0; 4];
/// b.read_exact(&mut buf).await.unwrap();
/// b.write_all(b"pong").await.unwrap();
/// r.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"pong");
/// # });
/// ```
pub fn split<T: AsyncRead + AsyncWrite>(stream: T) -> (ReadHalf<T>, WriteHalf<T>) {
    let is_write_vectored = stream.is_write_vectored();
    let inner = Arc::new(Inner {
        stream: Mutex::new(Some(stream)),
        is_write_vectored,
    });
    (
        ReadHalf {
            inner: inner.clone(),
        },
        WriteHalf { inner },
    )
}

impl<T> Inner<T> {
    fn with_pin<R>(&self, f: impl FnOnce(Pin<&mut T>) -> R) -> R {
        let mut guard = self.stream.lock();
        // The stream lives in the Arc and never moves until `unsplit`
        // takes it out, which needs both halves (no poll is running then).
        // We do not hand out `Pin` for `!Unpin` types without that
        // guarantee: see `ReadHalf::unsplit`.
        let stream: &mut T = guard
            .as_mut()
            .expect("the stream is only taken out by unsplit, which consumes both halves");
        f(pin_mut(stream))
    }
}

/// Pins a value that stays put inside the `Arc` for as long as it is
/// used through a half.
fn pin_mut<T>(stream: &mut T) -> Pin<&mut T> {
    // SAFETY: the `T` lives inside `Arc<Inner<T>>` and is only moved out
    // by `unsplit`, which consumes both halves; a moved-out `T` was never
    // pinned again after that. Until then its address is stable, which is
    // all `Pin` requires (same argument as tokio's split).
    unsafe { Pin::new_unchecked(stream) }
}

impl<T> ReadHalf<T> {
    /// Whether `other` is the write half of the same stream.
    pub fn is_pair_of(&self, other: &WriteHalf<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Joins the halves back into the stream.
    ///
    /// # Panics
    ///
    /// Panics if `wr` is not this half's pair.
    #[track_caller]
    pub fn unsplit(self, wr: WriteHalf<T>) -> T
    where
        T: Unpin,
    {
        assert!(
            self.is_pair_of(&wr),
            "Unrelated `split::Write` passed to `split::Read::unsplit`."
        );
        drop(wr);
        let stream = self.inner.stream.lock().take();
        stream.expect("the stream is taken out only once")
    }
}

impl<T: AsyncRead> AsyncRead for ReadHalf<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner.with_pin(|s| s.poll_read(cx, buf))
    }
}

impl<T: AsyncWrite> AsyncWrite for WriteHalf<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner.with_pin(|s| s.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.with_pin(|s| s.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.with_pin(|s| s.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.with_pin(|s| s.poll_shutdown(cx))
    }
}

impl<T> WriteHalf<T> {
    /// Whether `other` is the read half of the same stream.
    pub fn is_pair_of(&self, other: &ReadHalf<T>) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T: fmt::Debug> fmt::Debug for ReadHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("split::ReadHalf").finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for WriteHalf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("split::WriteHalf").finish()
    }
}
