//! Borrowed and owned halves of a [`UnixStream`] (as for `TcpStream`).

use super::UnixStream;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use zokio_runtime::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The read half of [`UnixStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a UnixStream);

/// The write half of [`UnixStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a UnixStream);

/// The read half of [`UnixStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<UnixStream>,
}

/// The write half of [`UnixStream::into_split`]; dropping it shuts down
/// the write direction.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<UnixStream>,
    shutdown_on_drop: bool,
}

pub(crate) fn split(stream: &mut UnixStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

pub(crate) fn split_owned(stream: UnixStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

impl OwnedReadHalf {
    /// Joins the halves back into the stream, or gives them back if they
    /// are not a pair.
    ///
    /// # Errors
    ///
    /// Both halves, if they came from different streams.
    pub fn reunite(
        self,
        mut other: OwnedWriteHalf,
    ) -> Result<UnixStream, (OwnedReadHalf, OwnedWriteHalf)> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err((self, other));
        }
        other.shutdown_on_drop = false;
        drop(other);
        Ok(Arc::try_unwrap(self.inner)
            .expect("both halves were given, so this is the last reference"))
    }
}

impl OwnedWriteHalf {
    /// Drops the half without shutting down the write direction.
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.inner.shutdown_std(Shutdown::Write);
        }
    }
}

macro_rules! read_impl {
    ($ty:ty) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let stream: &UnixStream = self.stream();
                stream.poll_read_priv(cx, buf)
            }
        }
    };
}

macro_rules! write_impl {
    ($ty:ty) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let stream: &UnixStream = self.stream();
                stream.poll_write_priv(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                let stream: &UnixStream = self.stream();
                stream.poll_write_vectored_priv(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let stream: &UnixStream = self.stream();
                stream.poll_shutdown_priv()
            }
        }
    };
}

/// Reaches the stream behind a half.
trait Half {
    fn stream(&self) -> &UnixStream;
}

impl Half for ReadHalf<'_> {
    fn stream(&self) -> &UnixStream {
        self.0
    }
}

impl Half for WriteHalf<'_> {
    fn stream(&self) -> &UnixStream {
        self.0
    }
}

impl Half for OwnedReadHalf {
    fn stream(&self) -> &UnixStream {
        &self.inner
    }
}

impl Half for OwnedWriteHalf {
    fn stream(&self) -> &UnixStream {
        &self.inner
    }
}

read_impl!(ReadHalf<'_>);
write_impl!(WriteHalf<'_>);
read_impl!(OwnedReadHalf);
write_impl!(OwnedWriteHalf);
