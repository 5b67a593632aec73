//! Unix-only I/O: [`AsyncFd`], readiness for file descriptors the caller
//! owns.

use crate::driver::io::{ReadyEvent, Registration};
use crate::io::{Interest, Ready};
use std::fmt;
use std::io;
use std::os::unix::io::{AsRawFd, RawFd};
use std::task::{ready, Context, Poll};

/// Registers a caller-owned file descriptor (anything `AsRawFd`, set to
/// non-blocking by the caller) with the I/O driver and waits for its
/// readiness.
///
/// The driver never reads or writes the fd: the caller does, through
/// [`AsyncFdReadyGuard::try_io`], which clears readiness on `WouldBlock`.
/// Dropping the `AsyncFd` deregisters the fd (it is closed only when the
/// inner value closes it).
///
/// # Examples
///
/// ```
/// use std::os::unix::net::UnixStream;
/// use zokio::io::unix::AsyncFd;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, _b) = UnixStream::pair().unwrap();
/// a.set_nonblocking(true).unwrap();
/// let fd = AsyncFd::new(a).unwrap();
/// let mut guard = fd.writable().await.unwrap();
/// let n = guard
///     .try_io(|inner| std::io::Write::write(&mut inner.get_ref(), b"hi"))
///     .unwrap()
///     .unwrap();
/// assert_eq!(n, 2);
/// # });
/// ```
pub struct AsyncFd<T: AsRawFd> {
    registration: Registration,
    /// `None` only after `into_inner` took it.
    inner: Option<T>,
}

/// Readiness observed by [`AsyncFd::readable`] and friends.
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    async_fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// Like [`AsyncFdReadyGuard`], with mutable access to the inner value.
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    async_fd: &'a mut AsyncFd<T>,
    event: Option<ReadyEvent>,
}

/// The error of [`AsyncFdReadyGuard::try_io`] when the closure would block.
#[derive(Debug)]
pub struct TryIoError(());

impl fmt::Display for TryIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operation would block")
    }
}

impl std::error::Error for TryIoError {}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner` for reads and writes.
    ///
    /// # Errors
    ///
    /// The registration's error (e.g. the fd is not pollable).
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on a runtime built without `enable_io`.
    #[track_caller]
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner` for `interest`.
    ///
    /// # Errors
    ///
    /// The registration's error.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on a runtime built without `enable_io`.
    #[track_caller]
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        let fd = inner.as_raw_fd();
        let registration = Registration::new(&mut mio::unix::SourceFd(&fd), interest)?;
        Ok(AsyncFd {
            registration,
            inner: Some(inner),
        })
    }

    /// The inner value.
    pub fn get_ref(&self) -> &T {
        self.inner
            .as_ref()
            .expect("AsyncFd holds its value until into_inner")
    }

    /// The inner value, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner
            .as_mut()
            .expect("AsyncFd holds its value until into_inner")
    }

    /// Deregisters the fd and returns the inner value.
    pub fn into_inner(mut self) -> T {
        self.take_inner()
            .expect("AsyncFd holds its value until into_inner")
    }

    fn take_inner(&mut self) -> Option<T> {
        let inner = self.inner.take()?;
        let fd = inner.as_raw_fd();
        let _ = self.registration.deregister(&mut mio::unix::SourceFd(&fd));
        Some(inner)
    }

    /// Polls read readiness.
    pub fn poll_read_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.registration.poll_read_ready(cx))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Polls write readiness.
    pub fn poll_write_ready<'a>(
        &'a self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<AsyncFdReadyGuard<'a, T>>> {
        let event = ready!(self.registration.poll_write_ready(cx))?;
        Poll::Ready(Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        }))
    }

    /// Waits for any of `interest`.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let event = self.registration.readiness(interest).await?;
        Ok(AsyncFdReadyGuard {
            async_fd: self,
            event: Some(event),
        })
    }

    /// Waits for any of `interest`, with mutable access to the value.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let event = self.registration.readiness(interest).await?;
        Ok(AsyncFdReadyMutGuard {
            async_fd: self,
            event: Some(event),
        })
    }

    /// Waits until readable.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until writable.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until readable, with mutable access to the value.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Waits until writable, with mutable access to the value.
    ///
    /// # Errors
    ///
    /// An error if the runtime shut down.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// Waits for `interest` and runs `f` until it does not return
    /// `WouldBlock`.
    ///
    /// # Errors
    ///
    /// `f`'s error, or an error if the runtime shut down.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let inner = self.get_ref();
        self.registration.async_io(interest, || f(inner)).await
    }

    /// Runs `f` once if the fd looks ready for `interest`.
    ///
    /// # Errors
    ///
    /// `WouldBlock` if not ready (or if `f` would block), else `f`'s error.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let inner = self.get_ref();
        self.registration.try_io(interest, || f(inner))
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd> Drop for AsyncFd<T> {
    fn drop(&mut self) {
        drop(self.take_inner());
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", &self.inner)
            .finish()
    }
}

macro_rules! guard_methods {
    () => {
        /// The readiness this guard observed.
        pub fn ready(&self) -> Ready {
            self.event.map_or(Ready::EMPTY, |e| e.ready)
        }

        /// Clears the observed readiness: the next wait blocks until the OS
        /// reports readiness anew.
        pub fn clear_ready(&mut self) {
            if let Some(event) = self.event.take() {
                self.async_fd.registration.clear_readiness(event);
            }
        }

        /// Clears only `ready` of the observed readiness.
        pub fn clear_ready_matching(&mut self, ready: Ready) {
            if let Some(mut event) = self.event.take() {
                let keep = event.ready - ready;
                event.ready = ready;
                self.async_fd.registration.clear_readiness(event);
                if !keep.is_empty() {
                    event.ready = keep;
                    self.event = Some(event);
                }
            }
        }

        /// Keeps the readiness (the next wait returns at once).
        pub fn retain_ready(&mut self) {}
    };
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    guard_methods!();

    /// The `AsyncFd` this guard is for.
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.async_fd
    }

    /// Runs `f`; on `WouldBlock` clears the readiness and returns
    /// `Err(TryIoError)`.
    ///
    /// # Errors
    ///
    /// `Err(TryIoError)` if `f` would block.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.async_fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            res => Ok(res),
        }
    }
}

impl<T: AsRawFd> AsyncFdReadyMutGuard<'_, T> {
    guard_methods!();

    /// The `AsyncFd` this guard is for.
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.async_fd
    }

    /// The `AsyncFd` this guard is for, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.async_fd
    }

    /// Runs `f`; on `WouldBlock` clears the readiness and returns
    /// `Err(TryIoError)`.
    ///
    /// # Errors
    ///
    /// `Err(TryIoError)` if `f` would block.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.async_fd) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_ready();
                Err(TryIoError(()))
            }
            res => Ok(res),
        }
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyGuard")
            .field("ready", &self.ready())
            .finish()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFdReadyMutGuard")
            .field("ready", &self.ready())
            .finish()
    }
}
