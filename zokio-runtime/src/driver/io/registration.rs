//! `Registration`: one resource's link to the I/O driver.
//!
//! The resource polls readiness, tries its syscall, and on `WouldBlock`
//! clears exactly the readiness it observed (the tick rule of
//! `scheduled_io`), then polls again. Polls are budgeted (`coop`), so a
//! socket that is always ready cannot starve its worker.
//!
//! # Deferred registration (Unix)
//!
//! A connected stream often never waits: a server accepts it, finds the
//! request already there, answers and closes it, or a client connects and
//! closes. Telling epoll about it (`EPOLL_CTL_ADD`, later `_DEL`) would be
//! two syscalls for nothing, so [`Registration::new_deferred`] takes a slot
//! but does not register with the OS. Its readiness starts as *assumed*
//! (readable and writable at tick 0, a tick no driver turn uses), so the
//! first attempt goes straight to the syscall. Only when a poll finds no
//! readiness — after a `WouldBlock` cleared the assumption — and is about
//! to return `Pending` is the fd registered, with the waker already
//! stored: epoll reports a source that is ready at `EPOLL_CTL_ADD` time,
//! so that wake-up is not lost. Exactly one caller registers (a CAS on
//! `registered`); if the OS refuses, the state goes back and every waiter is
//! woken to retry and see the error. Registration and deregistration of a
//! deferred source both go through its raw fd (`SourceFd`).

use super::scheduled_io::{Direction, ReadyEvent, ScheduledIo};
use super::{shutdown_error, Handle};
use crate::coop;
use crate::io::{Interest, Ready};
#[cfg(unix)]
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Arc;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A source registered with the I/O driver.
///
/// Dropping it frees its slot; the source itself must be deregistered from
/// the OS first with [`Registration::deregister`] (`PollEvented` does), or
/// closed.
pub(crate) struct Registration {
    handle: Handle,
    shared: Arc<ScheduledIo>,
    token: mio::Token,
    /// For a deferred registration: what to register, and whether it is.
    #[cfg(unix)]
    deferred: Option<Deferred>,
}

/// A registration the OS does not know about until a poll must wait.
#[cfg(unix)]
struct Deferred {
    fd: std::os::unix::io::RawFd,
    interest: Interest,
    /// Whether the fd is registered with the OS (or being registered).
    registered: AtomicBool,
}

impl Registration {
    /// Registers `source` with the driver of the current runtime.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime, or on a runtime built without
    /// `enable_io`.
    #[track_caller]
    pub(crate) fn new(
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<Registration> {
        let handle = current_handle();
        Registration::new_with_handle(source, interest, handle)
    }

    pub(crate) fn new_with_handle(
        source: &mut impl mio::event::Source,
        interest: Interest,
        handle: Handle,
    ) -> io::Result<Registration> {
        let (shared, token) = handle.add_source(source, interest)?;
        Ok(Registration {
            handle,
            shared,
            token,
            #[cfg(unix)]
            deferred: None,
        })
    }

    /// Takes a slot for `fd` on the current runtime's driver but registers
    /// it with the OS only once a poll has to wait (see the module doc).
    /// Until then the resource is assumed ready for `interest`.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime, or on a runtime built without
    /// `enable_io`.
    #[cfg(unix)]
    #[track_caller]
    pub(crate) fn new_deferred(
        fd: std::os::unix::io::RawFd,
        interest: Interest,
    ) -> io::Result<Registration> {
        Registration::new_deferred_with_handle(fd, interest, current_handle())
    }

    #[cfg(unix)]
    pub(crate) fn new_deferred_with_handle(
        fd: std::os::unix::io::RawFd,
        interest: Interest,
        handle: Handle,
    ) -> io::Result<Registration> {
        // Never the closed bits: those are sticky (they are never cleared),
        // so assuming one would make every poll ready for good.
        let assumed = Ready::from_interest(interest) - Ready::READ_CLOSED - Ready::WRITE_CLOSED;
        let (shared, token) = handle.add_entry(assumed)?;
        Ok(Registration {
            handle,
            shared,
            token,
            deferred: Some(Deferred {
                fd,
                interest,
                registered: AtomicBool::new(false),
            }),
        })
    }

    /// Registers a deferred source with the OS now, if it is not yet
    /// (a no-op for an ordinary registration). Called with the caller's
    /// waker already stored, just before it returns `Pending`.
    fn ensure_registered(&self) -> io::Result<()> {
        #[cfg(unix)]
        if let Some(d) = &self.deferred {
            // Acquire/AcqRel: a caller that sees `true` may rely on the
            // registering caller's ADD having been issued or being under way;
            // either way its stored waker is woken by the resulting event.
            if d.registered.load(Acquire)
                || d.registered
                    .compare_exchange(false, true, AcqRel, Acquire)
                    .is_err()
            {
                return Ok(());
            }
            let res =
                self.handle
                    .register_token(&mut mio::unix::SourceFd(&d.fd), self.token, d.interest);
            if res.is_err() {
                // Let the next waiter try (and see the error) itself.
                d.registered.store(false, Release);
                self.shared.wake(Ready::ALL);
            }
            return res;
        }
        Ok(())
    }

    /// Whether the OS knows the source (always, unless deferred).
    #[cfg(test)]
    pub(crate) fn is_registered(&self) -> bool {
        #[cfg(unix)]
        if let Some(d) = &self.deferred {
            return d.registered.load(Acquire);
        }
        true
    }

    /// Stops assuming readiness and registers now, so that the next poll
    /// waits for what the OS reports (a connect that is still in progress
    /// needs a real "writable"). A no-op for an ordinary registration.
    pub(crate) fn register_now(&self) -> io::Result<()> {
        #[cfg(unix)]
        if self.deferred.is_some() {
            // Tick 0: only the assumed readiness is dropped; no driver turn
            // can have set any before the source is registered.
            self.shared.clear_readiness(ReadyEvent {
                tick: 0,
                ready: Ready::ALL,
                is_shutdown: false,
            });
            return self.ensure_registered();
        }
        Ok(())
    }

    /// Deregisters `source` from the OS (if it was registered) and frees
    /// the slot.
    pub(crate) fn deregister(&mut self, source: &mut impl mio::event::Source) -> io::Result<()> {
        #[cfg(unix)]
        if let Some(d) = &self.deferred {
            let res = if d.registered.load(Acquire) {
                self.handle
                    .deregister_source(self.token, &mut mio::unix::SourceFd(&d.fd))
            } else {
                self.handle.release(self.token);
                Ok(())
            };
            return res;
        }
        self.handle.deregister_source(self.token, source)
    }

    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.poll_ready(cx, Direction::Read)
    }

    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.poll_ready(cx, Direction::Write)
    }

    /// Polls readiness in `direction`, charging the task's budget.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        let mut coop = ready!(coop::poll_proceed(cx));
        let Poll::Ready(event) = self.shared.poll_readiness(cx, direction) else {
            self.ensure_registered()?;
            return Poll::Pending;
        };
        if event.is_shutdown {
            return Poll::Ready(Err(shutdown_error()));
        }
        coop.made_progress();
        Poll::Ready(Ok(event))
    }

    /// Clears readiness observed in `event` (dropped if newer readiness
    /// arrived meanwhile).
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.shared.clear_readiness(event);
    }

    /// Runs `f` until it does not return `WouldBlock`, waiting for
    /// readiness in `direction` before each attempt.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, direction))?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                res => return Poll::Ready(res),
            }
        }
    }

    /// Runs `f` once if the resource looks ready for `interest`; a
    /// `WouldBlock` from `f` clears that readiness.
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let Some(event) = self.current_event(interest) else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        if event.is_shutdown {
            return Err(shutdown_error());
        }
        match f() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.clear_readiness(event);
                Err(e)
            }
            res => res,
        }
    }

    fn current_event(&self, interest: Interest) -> Option<ReadyEvent> {
        self.shared.ready_event(Ready::from_interest(interest))
    }

    /// Waits until the resource is ready for `interest`.
    pub(crate) async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let event = Readiness {
            registration: self,
            interest,
            key: None,
        }
        .await?;
        if event.is_shutdown {
            return Err(shutdown_error());
        }
        Ok(event)
    }

    /// Waits for readiness and runs `f` until it does not return
    /// `WouldBlock`.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(interest).await?;
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                res => return res,
            }
        }
    }

    /// The readiness currently recorded (for `ready()` results).
    pub(crate) fn ready_of(event: &ReadyEvent, interest: Interest) -> Ready {
        event.ready.intersection(interest)
            | (event.ready & (Ready::READ_CLOSED | Ready::WRITE_CLOSED | Ready::ERROR))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // Frees the slot if `deregister` did not already.
        self.handle.release(self.token);
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.token)
            .field("shared", &self.shared)
            .finish()
    }
}

/// The I/O driver handle of the current runtime.
///
/// # Panics
///
/// Outside a runtime, or on a runtime without the I/O driver.
#[track_caller]
pub(crate) fn current_handle() -> Handle {
    match crate::context::with_current(|h| h.driver().io().cloned()) {
        Ok(Some(handle)) => handle,
        Ok(None) => panic!(
            "A Zokio 1.x context was found, but IO is disabled. Call `enable_io` on the \
             runtime builder to enable IO."
        ),
        Err(_) => panic!("{}", crate::context::NO_RUNTIME),
    }
}

/// The future behind `Registration::readiness`.
struct Readiness<'a> {
    registration: &'a Registration,
    interest: Interest,
    key: Option<usize>,
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        let me = self.get_mut();
        let shared = &me.registration.shared;
        let Poll::Ready(event) = shared.poll_waiter(cx, me.interest, &mut me.key) else {
            me.registration.ensure_registered()?;
            return Poll::Pending;
        };
        Poll::Ready(Ok(event))
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.registration.shared.drop_waiter(key);
        }
    }
}
