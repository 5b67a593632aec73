//! The I/O driver: a reactor over `mio::Poll` and a slab of registrations.
//!
//! # Parts
//!
//! - [`Driver`] owns the `mio::Poll` and its event buffer. Only the thread
//!   that parks on the driver touches it (it is `&mut`; the multi-thread
//!   scheduler hands it between parked workers).
//! - [`Handle`] is the shared side: the `mio::Registry` to (de)register
//!   sources, the `mio::Waker` that makes a blocked `poll` return, and the
//!   slab that maps a token to its [`ScheduledIo`].
//! - [`Registration`] (one per resource) holds its `ScheduledIo` and token
//!   and deregisters on drop; [`PollEvented`] pairs it with the mio source.
//!
//! # Tokens
//!
//! A token is `generation << INDEX_BITS | slab index`. The generation of a
//! slot changes each time it is reused, so an event that was already in the
//! driver's buffer when its resource deregistered (and the slot was handed
//! to a new resource) does not reach the new resource. `WAKER_TOKEN` is
//! reserved for the `mio::Waker`.
//!
//! # Locks
//!
//! `synced` (the slab and the shutdown flag) is taken to register, to
//! deregister, and by the driver once per turn to look up the tokens of its
//! events. Readiness is stored under it; each `ScheduledIo`'s own
//! `waiters` lock is taken only after it is released (the two never nest),
//! and wakers are called after both are released.
//!
//! # Shutdown
//!
//! `shutdown` sets `is_shutdown` under `synced`, then marks every
//! registration SHUTDOWN and wakes its waiters, who see an error. A
//! registration attempted later fails; a `Registration` that outlives the
//! runtime still drops cleanly (its `Handle` keeps the registry alive).
//!
//! # Portability
//!
//! Everything goes through mio (epoll, kqueue, IOCP); `Interest::PRIORITY`
//! maps to `EPOLLPRI` on Linux and Android only.

mod poll_evented;
mod registration;
pub(crate) mod scheduled_io;

pub use self::poll_evented::{PollEvented, QueueAfterRead};
pub(crate) use self::registration::Registration;
pub(crate) use self::scheduled_io::ReadyEvent;

use self::scheduled_io::{ScheduledIo, Tick};
use crate::io::{Interest, Ready};
use crate::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
use crate::loom::sync::{Arc, Mutex};
use std::fmt;
use std::io;
use std::time::Duration;

/// Events fetched per `mio::Poll::poll` call unless the builder says
/// otherwise (`Builder::max_io_events_per_tick`).
pub(crate) const DEFAULT_EVENTS_PER_TICK: usize = 1024;
/// The token of the `mio::Waker`.
const WAKER_TOKEN: mio::Token = mio::Token(usize::MAX);
#[cfg(target_pointer_width = "64")]
const INDEX_BITS: u32 = 32;
#[cfg(not(target_pointer_width = "64"))]
const INDEX_BITS: u32 = 20;
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Generations wrap within the bits left above the index (and never reach
/// `WAKER_TOKEN`, whose top bits are all ones).
const GENERATION_MASK: usize = (usize::MAX >> INDEX_BITS) >> 1;

/// The reactor: owned by whichever thread parks on it.
pub(crate) struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    /// The turn counter stamped on readiness (see `scheduled_io`).
    tick: u32,
    /// Registrations to wake after a turn (kept to reuse its allocation).
    to_wake: Vec<(Arc<ScheduledIo>, Ready)>,
}

/// The shared side of the reactor; cheap to clone.
#[derive(Clone)]
pub(crate) struct Handle {
    inner: Arc<Inner>,
}

struct Inner {
    /// Registers and deregisters sources (a clone of the poll's registry).
    registry: mio::Registry,
    /// Makes a blocked `poll` return.
    waker: mio::Waker,
    /// The slab and the shutdown flag (see "Locks").
    synced: Mutex<Synced>,
    /// Totals since start, for metrics.
    registered: AtomicU64,
    deregistered: AtomicU64,
}

struct Synced {
    is_shutdown: bool,
    slab: slab::Slab<Entry>,
    next_generation: usize,
}

struct Entry {
    io: Arc<ScheduledIo>,
    generation: usize,
}

impl Driver {
    /// Creates the reactor and its handle, fetching up to `events_per_tick`
    /// (more than 0) events per turn.
    pub(crate) fn new(events_per_tick: usize) -> io::Result<(Driver, Handle)> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let registry = poll.registry().try_clone()?;
        let handle = Handle {
            inner: Arc::new(Inner {
                registry,
                waker,
                synced: Mutex::new(Synced {
                    is_shutdown: false,
                    slab: slab::Slab::new(),
                    next_generation: 0,
                }),
                registered: AtomicU64::new(0),
                deregistered: AtomicU64::new(0),
            }),
        };
        let driver = Driver {
            poll,
            events: mio::Events::with_capacity(events_per_tick),
            tick: 0,
            to_wake: Vec::new(),
        };
        Ok((driver, handle))
    }

    /// Waits for events or an unpark.
    pub(crate) fn park(&mut self, handle: &Handle) {
        self.turn(handle, None);
    }

    /// Waits for events, an unpark or the timeout (zero: just collect the
    /// events that are there).
    pub(crate) fn park_timeout(&mut self, handle: &Handle, timeout: Duration) {
        self.turn(handle, Some(timeout));
    }

    /// Wakes every waiter with a shutdown error and refuses new
    /// registrations.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        let ios: Vec<Arc<ScheduledIo>> = {
            let mut synced = handle.inner.synced.lock();
            if synced.is_shutdown {
                return;
            }
            synced.is_shutdown = true;
            synced.slab.iter().map(|(_, e)| e.io.clone()).collect()
        };
        for io in ios {
            io.shutdown();
        }
    }

    fn turn(&mut self, handle: &Handle, timeout: Option<Duration>) {
        // Tick 0 is never a turn: it marks readiness a deferred
        // registration assumed (see `registration.rs`).
        self.tick = self.tick.wrapping_add(1).max(1);
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return,
            Err(e) => panic!("unexpected error from the I/O driver's poll: {e}"),
        }
        let wake = &mut self.to_wake;
        {
            let synced = handle.inner.synced.lock();
            for event in self.events.iter() {
                let token = event.token();
                if token == WAKER_TOKEN {
                    continue;
                }
                let index = token.0 & INDEX_MASK;
                let generation = token.0 >> INDEX_BITS;
                let Some(entry) = synced.slab.get(index) else {
                    continue;
                };
                if entry.generation != generation {
                    // A stale event for a slot that was reused.
                    continue;
                }
                let ready = Ready::from_mio(event);
                entry
                    .io
                    .set_readiness(Tick::Set(self.tick), |curr| curr | ready);
                wake.push((entry.io.clone(), ready));
            }
        }
        for (io, ready) in wake.drain(..) {
            io.wake(ready);
        }
    }
}

impl Handle {
    /// Makes the driver's current or next `park` return.
    pub(crate) fn unpark(&self) {
        // A failure here means the eventfd/kqueue is broken: nothing can
        // wake the driver any more, so the runtime cannot go on.
        self.inner
            .waker
            .wake()
            .expect("failed to wake the I/O driver");
    }

    /// Registers `source` for `interest`; returns its state and token.
    pub(super) fn add_source(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<(Arc<ScheduledIo>, mio::Token)> {
        let (io, token) = self.add_entry(Ready::EMPTY)?;
        if let Err(e) = self.register_token(source, token, interest) {
            self.release(token);
            return Err(e);
        }
        Ok((io, token))
    }

    /// Takes a slot (and token) for a resource whose readiness starts as
    /// `assumed`, without telling the OS yet: see
    /// [`register_token`](Self::register_token).
    pub(super) fn add_entry(&self, assumed: Ready) -> io::Result<(Arc<ScheduledIo>, mio::Token)> {
        let io = Arc::new(ScheduledIo::with_readiness(assumed));
        let mut synced = self.inner.synced.lock();
        if synced.is_shutdown {
            return Err(shutdown_error());
        }
        if synced.slab.len() >= INDEX_MASK {
            return Err(io::Error::other(
                "the I/O driver has reached its registration limit",
            ));
        }
        let generation = synced.next_generation;
        synced.next_generation = (generation + 1) & GENERATION_MASK;
        let index = synced.slab.insert(Entry {
            io: io.clone(),
            generation,
        });
        drop(synced);
        self.inner.registered.fetch_add(1, Relaxed);
        Ok((io, mio::Token(generation << INDEX_BITS | index)))
    }

    /// Registers `source` with the OS under a slot's `token`.
    pub(super) fn register_token(
        &self,
        source: &mut impl mio::event::Source,
        token: mio::Token,
        interest: Interest,
    ) -> io::Result<()> {
        self.inner
            .registry
            .register(source, token, interest.to_mio())
    }

    /// Deregisters `source` from the OS (it must be the source registered
    /// under `token`), then frees the slot.
    pub(super) fn deregister_source(
        &self,
        token: mio::Token,
        source: &mut impl mio::event::Source,
    ) -> io::Result<()> {
        // The registry is a clone of the poll's, so this works even after
        // the driver itself is gone.
        let res = self.inner.registry.deregister(source);
        self.release(token);
        res
    }

    /// Frees the slot of `token` (idempotent for a token that is gone).
    pub(super) fn release(&self, token: mio::Token) {
        let index = token.0 & INDEX_MASK;
        let generation = token.0 >> INDEX_BITS;
        let removed = {
            let mut synced = self.inner.synced.lock();
            match synced.slab.get(index) {
                Some(e) if e.generation == generation => Some(synced.slab.remove(index)),
                _ => None,
            }
        };
        if let Some(entry) = removed {
            entry.io.clear_wakers();
            self.inner.deregistered.fetch_add(1, Relaxed);
        }
    }

    /// How many sources are registered right now.
    pub(crate) fn num_registrations(&self) -> usize {
        self.inner.synced.lock().slab.len()
    }

    /// Sources registered since the driver started.
    pub(crate) fn registered_count(&self) -> u64 {
        self.inner.registered.load(Relaxed)
    }

    /// Sources deregistered since the driver started.
    pub(crate) fn deregistered_count(&self) -> u64 {
        self.inner.deregistered.load(Relaxed)
    }
}

/// The error a resource returns once its driver has shut down.
pub(crate) fn shutdown_error() -> io::Error {
    io::Error::other("A Zokio 1.x context was found, but it is being shutdown.")
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("io::Driver")
            .field("tick", &self.tick)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("io::Handle").finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom), unix))]
mod tests;
