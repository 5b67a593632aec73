//! `PollEvented`: a mio source and its registration, as one value.
//!
//! This is what the socket types of `zokio-net` are built on (reached
//! through `zokio_runtime::io_support`, which is not public API). On drop it
//! deregisters the source from the OS *before* the source is closed, then
//! frees the slot, so no registration outlives its socket.

use super::registration::Registration;
use super::scheduled_io::Direction;
use crate::io::{Interest, ReadBuf, Ready};
use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::task::{ready, Context, Poll};

/// Whether mio's readiness is edge-triggered here (epoll, kqueue): then a
/// short read or write proves the socket drained, and readiness can be
/// cleared without a `WouldBlock` round trip.
const EDGE_TRIGGERED: bool = cfg!(unix);

/// What a read call learned about the receive queue it read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueAfterRead {
    /// Nothing: whether the queue is empty is judged by the read's length
    /// (a read shorter than its buffer drained the queue).
    Unknown,
    /// The OS reported the queue empty after the read.
    Empty,
    /// The OS reported bytes (or an end of stream) still queued.
    NotEmpty,
}

/// A mio source registered with the current runtime's I/O driver.
pub struct PollEvented<E: mio::event::Source> {
    /// `None` only after `into_inner` took it.
    io: Option<E>,
    registration: Registration,
}

impl<E: mio::event::Source> PollEvented<E> {
    /// Registers `io` for reads and writes.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on a runtime built without `enable_io`.
    #[track_caller]
    pub fn new(io: E) -> io::Result<PollEvented<E>> {
        PollEvented::new_with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` for `interest`.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on a runtime built without `enable_io`.
    #[track_caller]
    pub fn new_with_interest(mut io: E, interest: Interest) -> io::Result<PollEvented<E>> {
        let registration = Registration::new(&mut io, interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// Like [`new`](Self::new), but registers `io` with the OS only once an
    /// operation has to wait for it; until then it is assumed readable and
    /// writable, so the first reads and writes go straight to the syscall.
    /// A connected stream that is used and closed without ever waiting
    /// costs no `epoll_ctl` at all. (Elsewhere than on Unix, the same as
    /// `new`.)
    ///
    /// Because of that assumption, a first [`ready`](Self::ready) or
    /// `poll_*_ready` may report readiness the OS has not (a false positive
    /// the caller's syscall then answers with `WouldBlock`, as readiness
    /// APIs allow); call [`register_now`](Self::register_now) when only
    /// the OS's word will do.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on a runtime built without `enable_io`.
    #[cfg(unix)]
    #[track_caller]
    pub fn new_deferred(io: E) -> io::Result<PollEvented<E>>
    where
        E: std::os::unix::io::AsRawFd,
    {
        let interest = Interest::READABLE | Interest::WRITABLE;
        let registration = Registration::new_deferred(io.as_raw_fd(), interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// Drops the readiness a [`new_deferred`](Self::new_deferred) source
    /// assumes and registers it with the OS now, so the next readiness poll
    /// waits for a real event. A no-op for a source registered at creation.
    ///
    /// # Errors
    ///
    /// The OS's refusal to register the source.
    pub fn register_now(&self) -> io::Result<()> {
        self.registration.register_now()
    }

    /// The source.
    pub fn get_ref(&self) -> &E {
        self.io
            .as_ref()
            .expect("PollEvented's source is present until into_inner")
    }

    /// The source, mutably.
    pub fn get_mut(&mut self) -> &mut E {
        self.io
            .as_mut()
            .expect("PollEvented's source is present until into_inner")
    }

    /// Deregisters and returns the source.
    pub fn into_inner(mut self) -> io::Result<E> {
        let mut io = self
            .io
            .take()
            .expect("PollEvented's source is present until into_inner");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }

    /// Polls read readiness (charging the task's budget).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration.poll_read_ready(cx).map_ok(|_| ())
    }

    /// Polls write readiness (charging the task's budget).
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration.poll_write_ready(cx).map_ok(|_| ())
    }

    /// Polls write readiness like [`poll_write_ready`](Self::poll_write_ready),
    /// returning what was observed (`WRITABLE` and/or `WRITE_CLOSED`), so a
    /// caller can tell a clean completion from a hang-up without a syscall.
    pub fn poll_write_readiness(&self, cx: &mut Context<'_>) -> Poll<io::Result<Ready>> {
        self.registration.poll_write_ready(cx).map_ok(|e| e.ready)
    }

    /// Runs `f` when readable until it does not return `WouldBlock`.
    pub fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        self.registration.poll_io(cx, Direction::Read, || f(io))
    }

    /// Runs `f` when writable until it does not return `WouldBlock`.
    pub fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        self.registration.poll_io(cx, Direction::Write, || f(io))
    }

    /// Runs `f` once if the source looks ready for `interest`, else returns
    /// `WouldBlock`; a `WouldBlock` from `f` clears the readiness.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = self.get_ref();
        self.registration.try_io(interest, || f(io))
    }

    /// Waits until the source is ready for `interest`; returns the readiness.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        let event = self.registration.readiness(interest).await?;
        Ok(Registration::ready_of(&event, interest))
    }

    /// Waits for `interest` and runs `f` until it does not return
    /// `WouldBlock`.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = self.get_ref();
        self.registration.async_io(interest, || f(io)).await
    }

    /// Reads into `buf` when readable.
    ///
    /// A read that fills less than the buffer drained the socket (mio's
    /// sources are edge-triggered), so the readiness is cleared right away
    /// and the next read waits for an event instead of first trying a
    /// syscall that would return `WouldBlock` (as Tokio does).
    pub fn poll_read<'a>(
        &'a self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>>
    where
        &'a E: Read,
    {
        self.poll_read_with(cx, buf, |io, dst| {
            let mut r: &'a E = io;
            r.read(dst).map(|n| (n, QueueAfterRead::Unknown))
        })
    }

    /// Like [`poll_read`](Self::poll_read), with a read call that may also
    /// report whether it left the receive queue empty (Linux's `TCP_INQ`
    /// does). A full read that emptied the queue then clears the readiness
    /// too, where the length alone could not tell.
    ///
    /// An end-of-stream read (0 bytes) never clears it, so the next read
    /// sees the end again without waiting.
    pub fn poll_read_with<'a>(
        &'a self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
        mut read: impl FnMut(&'a E, &mut [u8]) -> io::Result<(usize, QueueAfterRead)>,
    ) -> Poll<io::Result<()>> {
        let io = self.get_ref();
        loop {
            let event = ready!(self.registration.poll_read_ready(cx))?;
            let dst = buf.initialize_unfilled();
            let len = dst.len();
            match read(io, dst) {
                Ok((n, queue)) => {
                    let drained = match queue {
                        QueueAfterRead::Empty => true,
                        QueueAfterRead::NotEmpty => false,
                        QueueAfterRead::Unknown => n < len,
                    };
                    if EDGE_TRIGGERED && n > 0 && drained {
                        self.registration.clear_readiness(event);
                    }
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.registration.clear_readiness(event);
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Writes `buf` when writable; a short write clears the readiness (the
    /// send buffer is full), as for reads.
    pub fn poll_write<'a>(&'a self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>
    where
        &'a E: Write,
    {
        let io = self.get_ref();
        loop {
            let event = ready!(self.registration.poll_write_ready(cx))?;
            let mut w: &'a E = io;
            match w.write(buf) {
                Ok(n) => {
                    if EDGE_TRIGGERED && n > 0 && n < buf.len() {
                        self.registration.clear_readiness(event);
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.registration.clear_readiness(event);
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Writes `bufs` when writable.
    pub fn poll_write_vectored<'a>(
        &'a self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>>
    where
        &'a E: Write,
    {
        let io = self.get_ref();
        self.registration.poll_io(cx, Direction::Write, || {
            let mut w: &'a E = io;
            w.write_vectored(bufs)
        })
    }
}

impl<E: mio::event::Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregister before `io` closes; an error only means the OS
            // already forgot the source.
            let _ = self.registration.deregister(&mut io);
        }
    }
}

impl<E: mio::event::Source + fmt::Debug> fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollEvented").field("io", &self.io).finish()
    }
}
