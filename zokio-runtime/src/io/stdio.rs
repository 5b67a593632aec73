//! [`stdin`], [`stdout`], [`stderr`]: the process's standard streams, with
//! each blocking read or write run on the blocking pool.
//!
//! `Blocking<T>` is a two-state machine: `Idle` holds the std handle and a
//! buffer; `Busy` holds the `JoinHandle` of the blocking call that owns
//! them until it finishes. A write copies (up to `MAX_BUF` bytes) into the
//! buffer and reports success at once; the next write, flush or shutdown
//! waits for the previous call first, so errors surface there.

use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::task::{spawn_blocking, JoinHandle};
use std::fmt;
use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// The most a single blocking call reads or writes.
const MAX_BUF: usize = 2 * 1024 * 1024;

enum State<T> {
    Idle(Option<(T, Vec<u8>)>),
    Busy(JoinHandle<(io::Result<usize>, T, Vec<u8>)>),
}

struct Blocking<T> {
    state: State<T>,
    /// Bytes of the last read not yet handed out (`buf[pos..]`).
    pos: usize,
    /// The result of the last write, reported by the next operation.
    need_flush: bool,
}

impl<T> Blocking<T> {
    fn new(inner: T) -> Blocking<T> {
        Blocking {
            state: State::Idle(Some((inner, Vec::new()))),
            pos: 0,
            need_flush: false,
        }
    }

    /// Waits for a running call; returns its result.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if let State::Busy(join) = &mut self.state {
            let (res, inner, buf) = ready!(Pin::new(join).poll(cx)).map_err(io::Error::other)?;
            self.state = State::Idle(Some((inner, buf)));
            return Poll::Ready(res);
        }
        Poll::Ready(Ok(0))
    }

    fn take_idle(&mut self) -> (T, Vec<u8>) {
        match &mut self.state {
            State::Idle(inner) => inner.take().expect("an idle stdio handle holds its stream"),
            State::Busy(_) => unreachable!("take_idle is called after poll_idle"),
        }
    }
}

impl<T: Read + Send + 'static> Blocking<T> {
    fn poll_read(&mut self, cx: &mut Context<'_>, dst: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            if let State::Idle(Some((_, buf))) = &self.state {
                if self.pos < buf.len() {
                    let n = std::cmp::min(buf.len() - self.pos, dst.remaining());
                    dst.put_slice(&buf[self.pos..self.pos + n]);
                    self.pos += n;
                    return Poll::Ready(Ok(()));
                }
            }
            if matches!(self.state, State::Busy(_)) {
                let res = ready!(self.poll_idle(cx));
                let n = res?;
                self.pos = 0;
                if n == 0 {
                    return Poll::Ready(Ok(()));
                }
                continue;
            }
            let (mut inner, mut buf) = self.take_idle();
            let want = std::cmp::min(dst.remaining(), MAX_BUF);
            self.state = State::Busy(spawn_blocking(move || {
                buf.resize(want, 0);
                let res = inner.read(&mut buf);
                buf.truncate(*res.as_ref().unwrap_or(&0));
                (res, inner, buf)
            }));
        }
    }
}

impl<T: Write + Send + 'static> Blocking<T> {
    fn poll_write(&mut self, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        ready!(self.poll_idle(cx))?;
        let (mut inner, mut buf) = self.take_idle();
        let n = std::cmp::min(src.len(), MAX_BUF);
        buf.clear();
        buf.extend_from_slice(&src[..n]);
        self.need_flush = true;
        self.state = State::Busy(spawn_blocking(move || {
            let res = inner.write_all(&buf).map(|()| buf.len());
            (res, inner, buf)
        }));
        Poll::Ready(Ok(n))
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_idle(cx))?;
        if !self.need_flush {
            return Poll::Ready(Ok(()));
        }
        let (mut inner, buf) = self.take_idle();
        self.need_flush = false;
        self.state = State::Busy(spawn_blocking(move || {
            let res = inner.flush().map(|()| 0);
            (res, inner, buf)
        }));
        self.poll_idle(cx).map_ok(drop)
    }
}

macro_rules! std_stream {
    ($(#[$doc:meta])* $name:ident, $ctor:ident, $std:path) => {
        $(#[$doc])*
        pub struct $name {
            inner: Blocking<$std>,
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        impl $name {
            fn new() -> $name {
                $name {
                    inner: Blocking::new(std::io::$ctor()),
                }
            }
        }
    };
}

std_stream!(
    /// The standard input stream ([`stdin`]).
    Stdin, stdin, std::io::Stdin
);
std_stream!(
    /// The standard output stream ([`stdout`]). Writes are buffered by the
    /// blocking call; `flush` waits for them.
    Stdout, stdout, std::io::Stdout
);
std_stream!(
    /// The standard error stream ([`stderr`]).
    Stderr, stderr, std::io::Stderr
);

/// The process's standard input, read on the blocking pool.
///
/// # Panics
///
/// Reading panics outside a runtime.
pub fn stdin() -> Stdin {
    Stdin::new()
}

/// The process's standard output, written on the blocking pool.
///
/// # Examples
///
/// ```
/// use zokio::io::AsyncWriteExt;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut out = zokio::io::stdout();
/// out.write_all(b"hello from zokio\n").await.unwrap();
/// out.flush().await.unwrap();
/// # });
/// ```
pub fn stdout() -> Stdout {
    Stdout::new()
}

/// The process's standard error, written on the blocking pool.
pub fn stderr() -> Stderr {
    Stderr::new()
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().inner.poll_read(cx, buf)
    }
}

macro_rules! impl_write {
    ($($name:ident),*) => {$(
        impl AsyncWrite for $name {
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                self.get_mut().inner.poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().inner.poll_flush(cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().inner.poll_flush(cx)
            }
        }
    )*};
}

impl_write!(Stdout, Stderr);
