//! `Registration`: one resource's link to the I/O driver.
//!
//! The resource polls readiness, tries its syscall, and on `WouldBlock`
//! clears exactly the readiness it observed (the tick rule of
//! `scheduled_io`), then polls again. Polls are budgeted (`coop`), so a
//! socket that is always ready cannot starve its worker.

use super::scheduled_io::{Direction, ReadyEvent, ScheduledIo};
use super::{shutdown_error, Handle};
use crate::coop;
use crate::io::{Interest, Ready};
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
        })
    }

    /// Deregisters `source` from the OS and frees the slot.
    pub(crate) fn deregister(&mut self, source: &mut impl mio::event::Source) -> io::Result<()> {
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
        let event = ready!(self.shared.poll_readiness(cx, direction));
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
            shared: &self.shared,
            interest,
            key: None,
        }
        .await;
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
    shared: &'a ScheduledIo,
    interest: Interest,
    key: Option<usize>,
}

impl Future for Readiness<'_> {
    type Output = ReadyEvent;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        let me = self.get_mut();
        me.shared.poll_waiter(cx, me.interest, &mut me.key)
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.shared.drop_waiter(key);
        }
    }
}
