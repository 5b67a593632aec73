//! `ScheduledIo`: the readiness of one registered resource and the tasks
//! waiting on it.
//!
//! # The readiness word
//!
//! `readiness` packs three fields into one `AtomicU64`:
//!
//! ```text
//! | tick (32 bits) | unused | SHUTDOWN (bit 8) | Ready bits (bits 0..8) |
//! ```
//!
//! - **Ready bits** are set by the driver from OS events (OR-ed in, never
//!   replaced) and cleared by a resource when its syscall says `WouldBlock`.
//! - **tick** is the driver turn that last set readiness. A resource that
//!   observed readiness at tick `t` and then got `WouldBlock` clears with
//!   `Tick::Clear(t)`: the clear is dropped if the tick moved on, because an
//!   event newer than the resource's attempt arrived in between and its
//!   readiness must not be lost (rule 2).
//! - **SHUTDOWN** is set once when the driver shuts down; every waiter is
//!   then woken and every later poll is ready (with an error, one level up).
//!
//! # Waiters
//!
//! `waiters` (a mutex) holds one waker per direction — the `poll_read_ready`
//! / `poll_write_ready` slots used by `AsyncRead`/`AsyncWrite`
//! implementations, where a single task drives each direction — and a list
//! of waiters for `readiness(interest)` futures (`readable()`, `ready()`,
//! `recv` on a shared `&UdpSocket`), where many tasks may wait at once.
//!
//! # Rules
//!
//! 1. The driver stores readiness (the atomic) *before* it takes `waiters`
//!    to take the wakers to wake.
//! 2. A clear only takes effect if the tick it carries is still current.
//!    Closed bits (`READ_CLOSED`, `WRITE_CLOSED`) are never cleared: once a
//!    half is closed it stays closed.
//! 3. A poller that finds no readiness stores its waker under `waiters` and
//!    loads readiness *again while holding the lock* before it returns
//!    `Pending`.
//!
//! No lost wake-up: by rules 1 and 3 the driver's store and the poller's
//! second load are ordered by the lock. Either the driver's critical section
//! comes first — then the store happened before the poller's lock, so its
//! second load sees the readiness and it returns `Ready` — or the poller's
//! critical section comes first — then its waker is in place when the driver
//! takes the lock, and the driver wakes it.
//!
//! No stale clear (rule 2): the clear and the driver's set are both CAS
//! loops on the same word, so they are totally ordered. If the set comes
//! first it bumps the tick and the older clear is dropped; if the clear
//! comes first the set re-adds the bits afterwards.

use crate::io::{Interest, Ready};
use crate::loom::sync::atomic::{AtomicU64, Ordering::*};
use crate::loom::sync::Mutex;
use std::fmt;
use std::task::{Context, Poll, Waker};

/// Set once when the driver shuts down.
const SHUTDOWN: u64 = 1 << 8;
/// The Ready bits.
const READY_MASK: u64 = 0xff;
/// Where the tick starts.
const TICK_SHIFT: u32 = 32;

/// Which of the two waker slots a poll uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    pub(crate) fn mask(self) -> Ready {
        match self {
            Direction::Read => Ready::READABLE | Ready::READ_CLOSED,
            Direction::Write => Ready::WRITABLE | Ready::WRITE_CLOSED,
        }
    }
}

/// How a readiness update treats the tick.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tick {
    /// The driver sets readiness at this turn.
    Set(u32),
    /// A resource clears readiness it observed at this tick.
    Clear(u32),
}

/// Readiness observed by a poll: what to clear on `WouldBlock`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadyEvent {
    pub(crate) tick: u32,
    pub(crate) ready: Ready,
    pub(crate) is_shutdown: bool,
}

/// One registered resource's readiness and waiters.
pub(crate) struct ScheduledIo {
    /// See the module doc for the layout.
    readiness: AtomicU64,
    /// Wakers; see rules 1 and 3.
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    /// The task in `poll_read_ready`.
    reader: Option<Waker>,
    /// The task in `poll_write_ready`.
    writer: Option<Waker>,
    /// `readiness(interest)` futures, keyed by the index each one keeps.
    list: slab::Slab<Waiter>,
}

struct Waiter {
    interest: Interest,
    waker: Option<Waker>,
}

fn unpack(word: u64) -> (Ready, u32, bool) {
    (
        Ready::from_u8((word & READY_MASK) as u8),
        (word >> TICK_SHIFT) as u32,
        word & SHUTDOWN != 0,
    )
}

impl ScheduledIo {
    #[cfg(test)]
    pub(crate) fn new() -> ScheduledIo {
        ScheduledIo::with_readiness(Ready::EMPTY)
    }

    /// Starts with `ready` at tick 0 (the readiness a resource whose OS
    /// registration is deferred assumes; the driver's turns start at 1).
    pub(crate) fn with_readiness(ready: Ready) -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicU64::new(ready.as_u8() as u64),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// The readiness bits, for tests.
    #[cfg(test)]
    pub(crate) fn ready(&self) -> Ready {
        unpack(self.readiness.load(Acquire)).0
    }

    /// Updates the readiness bits (rule 2 for clears). Returns false if a
    /// clear was dropped because the tick moved on.
    pub(crate) fn set_readiness(&self, tick: Tick, f: impl Fn(Ready) -> Ready) -> bool {
        let mut current = self.readiness.load(Acquire);
        loop {
            let (ready, current_tick, _) = unpack(current);
            let new_tick = match tick {
                Tick::Set(t) => t,
                Tick::Clear(t) => {
                    if t != current_tick {
                        return false;
                    }
                    t
                }
            };
            let new_ready = f(ready);
            let next =
                (current & SHUTDOWN) | ((new_tick as u64) << TICK_SHIFT) | new_ready.as_u8() as u64;
            // AcqRel: the release half publishes readiness to the poller's
            // Acquire loads (rule 1's store); the acquire half orders us after
            // the previous update we build on.
            match self
                .readiness
                .compare_exchange_weak(current, next, AcqRel, Acquire)
            {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    /// Clears the readiness in `event` unless newer readiness arrived since
    /// it was observed (rule 2). Closed bits stay.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let mask = event.ready - Ready::READ_CLOSED - Ready::WRITE_CLOSED;
        self.set_readiness(Tick::Clear(event.tick), |curr| curr - mask);
    }

    /// Marks the resource as shut down and wakes everyone.
    pub(crate) fn shutdown(&self) {
        // AcqRel: pairs with the Acquire loads of pollers, as in set_readiness.
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        self.wake(Ready::ALL);
    }

    /// Wakes the waiters that `ready` satisfies (rule 1: readiness was
    /// stored before this is called).
    pub(crate) fn wake(&self, ready: Ready) {
        // The direction slots need no allocation; the list rarely has
        // entries, so its Vec stays unallocated on the hot path.
        let (reader, writer, others) = {
            let mut waiters = self.waiters.lock();
            let reader = if (ready & Direction::Read.mask()).is_empty() {
                None
            } else {
                waiters.reader.take()
            };
            let writer = if (ready & Direction::Write.mask()).is_empty() {
                None
            } else {
                waiters.writer.take()
            };
            let mut others: Vec<Waker> = Vec::new();
            for (_, waiter) in waiters.list.iter_mut() {
                if ready.satisfies(waiter.interest) {
                    others.extend(waiter.waker.take());
                }
            }
            (reader, writer, others)
        };
        if let Some(w) = reader {
            w.wake();
        }
        if let Some(w) = writer {
            w.wake();
        }
        for w in others {
            w.wake();
        }
    }

    /// The readiness in `mask` recorded now (or shutdown), if any.
    pub(crate) fn ready_event(&self, mask: Ready) -> Option<ReadyEvent> {
        // Acquire: pairs with the AcqRel updates in set_readiness/shutdown.
        let (ready, tick, is_shutdown) = unpack(self.readiness.load(Acquire));
        let ready = ready & mask;
        if is_shutdown {
            Some(ReadyEvent {
                tick,
                ready: mask,
                is_shutdown,
            })
        } else if ready.is_empty() {
            None
        } else {
            Some(ReadyEvent {
                tick,
                ready,
                is_shutdown,
            })
        }
    }

    /// Polls for readiness in one direction, storing `cx`'s waker in that
    /// direction's slot if there is none (rule 3).
    pub(crate) fn poll_readiness(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        let mask = direction.mask();
        if let Some(event) = self.ready_event(mask) {
            return Poll::Ready(event);
        }
        let mut waiters = self.waiters.lock();
        let slot = match direction {
            Direction::Read => &mut waiters.reader,
            Direction::Write => &mut waiters.writer,
        };
        match slot {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => *slot = Some(cx.waker().clone()),
        }
        // Rule 3: look again while holding the lock.
        match self.ready_event(mask) {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Polls a `readiness(interest)` waiter: `key` is the waiter's place in
    /// the list, `None` before its first poll and again once it is ready.
    pub(crate) fn poll_waiter(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        key: &mut Option<usize>,
    ) -> Poll<ReadyEvent> {
        let mask = Ready::from_interest(interest);
        if key.is_none() {
            if let Some(event) = self.ready_event(mask) {
                return Poll::Ready(event);
            }
        }
        let mut waiters = self.waiters.lock();
        // Rule 3: look again while holding the lock.
        if let Some(event) = self.ready_event(mask) {
            if let Some(k) = key.take() {
                waiters.list.remove(k);
            }
            return Poll::Ready(event);
        }
        match key {
            Some(k) => {
                let waiter = &mut waiters.list[*k];
                match &waiter.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => waiter.waker = Some(cx.waker().clone()),
                }
            }
            None => {
                *key = Some(waiters.list.insert(Waiter {
                    interest,
                    waker: Some(cx.waker().clone()),
                }));
            }
        }
        Poll::Pending
    }

    /// Removes a waiter that is dropped before it became ready.
    pub(crate) fn drop_waiter(&self, key: usize) {
        let mut waiters = self.waiters.lock();
        if waiters.list.contains(key) {
            waiters.list.remove(key);
        }
    }

    /// Drops stored wakers (at deregistration), so that a task they refer
    /// to is not kept alive by a resource that is gone.
    pub(crate) fn clear_wakers(&self) {
        let mut waiters = self.waiters.lock();
        waiters.reader = None;
        waiters.writer = None;
    }
}

impl fmt::Debug for ScheduledIo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ready, tick, shutdown) = unpack(self.readiness.load(Relaxed));
        f.debug_struct("ScheduledIo")
            .field("ready", &ready)
            .field("tick", &tick)
            .field("shutdown", &shutdown)
            .finish_non_exhaustive()
    }
}
