//! The time driver: a sharded hierarchical timer wheel under the I/O layer's
//! park.
//!
//! # Parts
//!
//! - [`Handle`] (shared, inside `driver::Handle`): one [`Wheel`] per shard,
//!   each behind its own mutex, plus `next_wake` and the shutdown flag.
//!   Timers register here from any thread.
//! - [`Driver`] (owned by whichever thread parks on the driver): computes
//!   the park timeout from the nearest deadline, parks the I/O layer, then
//!   fires what is due. Anyone holding the shard locks may fire timers
//!   (`process_at`); `advance` does it from the task that advanced.
//! - `entry.rs`: a timer's state and the rules for who may touch what;
//!   `wheel/`: the wheel of one shard; `clock.rs`: real and paused clocks.
//!
//! Deadlines are nanoseconds since `start` (the driver's creation, on the
//! runtime's clock); the wheel files them by 1 ms tick, rounded up, so a
//! timer never fires early. When the next slot to come up is small (at most
//! 32 entries), the driver wakes at its earliest exact deadline rather than
//! at the tick boundary, and fires what is due then.
//!
//! # Sharding
//!
//! A timer registers in its thread's preferred shard (threads get
//! consecutive hints per runtime, so the workers of an N-worker runtime
//! spread over its N shards), falling over to the next shard whose lock is
//! free. Registrations of different workers therefore do not serialise on
//! one lock; the driver locks each shard in turn to find the nearest
//! deadline and to fire.
//!
//! # Waking the parked driver (`next_wake`)
//!
//! `next_wake` is the deadline the driver sleeps until while it is in (or
//! about to enter) a blocking park, `u64::MAX` while it computes that
//! deadline or sleeps with no timer at all, and 0 when it is not parked.
//!
//! 1. Before a blocking park the driver stores `u64::MAX`, then locks each
//!    shard to read its earliest deadline, stores the minimum and parks.
//!    After the park it stores 0, then fires what is due.
//! 2. A registrant inserts under the shard lock, unlocks, loads `next_wake`
//!    and unparks the driver if its deadline is earlier.
//!
//! Why no registration is missed: if the driver's read of shard `k` comes
//! after the insert, it sees the entry. Otherwise the driver's `u64::MAX`
//! store happens before its unlock of `k`, which happens before the
//! registrant's lock of `k` and its load; so the load sees `u64::MAX` (it
//! unparks), the computed minimum (it unparks if earlier; else the driver
//! wakes first anyway), or a 0 stored after the driver woke (the driver
//! recomputes before it parks again). Unparks are sticky, so one that
//! lands before the park makes it return at once. A thread that registers
//! while the driver runs tasks (`next_wake == 0`) never pays for an unpark.
//!
//! # Paused clock
//!
//! With `test-util`, a paused clock and an idle runtime (a blocking park),
//! the driver polls the I/O layer without blocking; if nothing unparked it
//! meanwhile (`Clock::take_did_wake`), it advances the clock to the next
//! deadline and fires. Time never auto-advances while a task is runnable.
//!
//! # Shutdown
//!
//! `shutdown` sets `is_shutdown`, then unlinks every entry (state
//! SHUTDOWN) and wakes its task; the `Sleep` reports the shutdown when
//! polled. Registrations check the flag under the shard lock, so none
//! slips in behind the drain.

pub(crate) mod clock;
pub(crate) mod entry;
mod wheel;

#[cfg(test)]
pub(crate) mod tests;

use self::entry::{TimerEntry, FIRED, MAX_DEADLINE, PENDING, SHUTDOWN};
use self::wheel::{Elapsed, Wheel};
use super::IoStack;
use crate::loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use crate::loom::sync::{Mutex, MutexGuard};
use crossbeam_utils::CachePadded;
use std::cell::Cell;
use std::fmt;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// The shared side of the time driver.
pub(crate) struct Handle {
    /// One wheel per shard, each behind its own lock.
    shards: Box<[CachePadded<Mutex<Wheel>>]>,
    /// See "Waking the parked driver".
    next_wake: AtomicU64,
    /// Set once by `shutdown`; read under the shard locks.
    is_shutdown: AtomicBool,
    /// Hands out per-thread shard hints.
    next_hint: AtomicUsize,
    /// Deadline 0.
    start: Instant,
}

/// The time layer of the driver, over the I/O layer.
#[derive(Debug)]
pub(crate) struct Driver {
    park: IoStack,
}

/// The runtime shut down: the timer will never fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shutdown;

/// The outcome of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(crate) enum Registered {
    /// In the wheel; `unpark`: the caller must unpark the driver (the
    /// deadline is earlier than the one it sleeps until).
    Pending { unpark: bool },
    /// The deadline's tick was already processed: the timer is done.
    Elapsed,
}

impl Handle {
    pub(crate) fn new(shards: usize, start: Instant) -> Handle {
        Handle {
            shards: (0..shards.max(1))
                .map(|_| CachePadded::new(Mutex::new(Wheel::new())))
                .collect(),
            next_wake: AtomicU64::new(0),
            is_shutdown: AtomicBool::new(false),
            next_hint: AtomicUsize::new(0),
            start,
        }
    }

    /// A deadline as nanoseconds since `start`: saturating at both ends
    /// (the past is 0, the far future `MAX_DEADLINE`).
    pub(crate) fn deadline_ns(&self, t: Instant) -> u64 {
        let ns = t.saturating_duration_since(self.start).as_nanos();
        u64::try_from(ns).unwrap_or(MAX_DEADLINE).min(MAX_DEADLINE)
    }

    fn instant_of(&self, ns: u64) -> Option<Instant> {
        self.start.checked_add(Duration::from_nanos(ns))
    }

    /// Registers `entry` (in no wheel) with `deadline` and `waker`; a
    /// deadline at or before `now` is done at once, without the lock.
    pub(crate) fn register(
        &self,
        entry: &mut TimerEntry,
        deadline: u64,
        now: u64,
        waker: Option<&Waker>,
    ) -> Result<Registered, Shutdown> {
        debug_assert!(!entry.is_registered(), "register of a registered entry");
        if deadline <= now {
            return Ok(Registered::Elapsed);
        }
        let (shard, mut wheel) = self.lock_for_register();
        if self.is_shutdown.load(Relaxed) {
            // Relaxed: read under the shard lock (see `shutdown`).
            entry.set_unregistered();
            return Err(Shutdown);
        }
        // SAFETY: the entry is in no wheel and we hold the lock we insert
        // under (rules 2 and 3).
        unsafe {
            entry.set_state(deadline);
            if let Some(waker) = waker {
                entry.set_waker(waker);
            }
        }
        // SAFETY: the linked part is pinned on the heap, and its owner
        // deregisters it before freeing it (rule 4); we hold the lock.
        match unsafe { wheel.insert(entry.ptr(), deadline) } {
            Ok(()) => {
                entry.shard = shard as u32;
                entry.registered = true;
                drop(wheel);
                Ok(Registered::Pending {
                    unpark: deadline < self.next_wake.load(Relaxed),
                })
            }
            Err(Elapsed) => {
                // SAFETY: never linked: the owner owns the waker (rule 3).
                let waker = unsafe { entry.take_waker() };
                // SAFETY: as above; FIRED is its resting state.
                unsafe { entry.set_state(FIRED) };
                drop(wheel);
                drop(waker);
                Ok(Registered::Elapsed)
            }
        }
    }

    /// Polls a registered entry: `Ready` once it fired (or the runtime shut
    /// down), else stores `waker` and returns `Pending`.
    pub(crate) fn poll_registered(
        &self,
        entry: &mut TimerEntry,
        waker: &Waker,
    ) -> Poll<Result<(), Shutdown>> {
        debug_assert!(entry.is_registered());
        if let Some(done) = observe_end(entry, entry.state()) {
            return Poll::Ready(done);
        }
        let wheel = self.shards[entry.shard as usize].lock();
        let state = entry.state();
        if let Some(done) = observe_end(entry, state) {
            drop(wheel);
            return Poll::Ready(done);
        }
        // SAFETY: linked in this shard and we hold its lock (rule 3).
        unsafe { entry.set_waker(waker) };
        drop(wheel);
        Poll::Pending
    }

    /// Moves a registered entry to `deadline`, keeping its waker; a deadline
    /// at or before `now` fires it at once (waking the waker). Returns true
    /// if the caller must unpark the driver.
    pub(crate) fn reset(&self, entry: &mut TimerEntry, deadline: u64, now: u64) -> bool {
        debug_assert!(entry.is_registered());
        if entry.try_extend(deadline) {
            // Later than before: the wheel re-files it when it comes up.
            return false;
        }
        let mut wheel = self.shards[entry.shard as usize].lock();
        let state = entry.state();
        if state <= MAX_DEADLINE || state == PENDING {
            // SAFETY: linked here (rule 2), we hold the lock.
            unsafe { wheel.remove(entry.ptr()) };
        }
        if self.is_shutdown.load(Relaxed) {
            // SAFETY: unlinked above (or never): we own the waker now.
            let waker = unsafe { entry.take_waker() };
            // SAFETY: as above.
            unsafe { entry.set_state(SHUTDOWN) };
            drop(wheel);
            wake(waker);
            return false;
        }
        // SAFETY: in no wheel now, and we hold the lock.
        unsafe { entry.set_state(deadline) };
        let inserted = if deadline <= now {
            Err(Elapsed)
        } else {
            // SAFETY: as in `register`.
            unsafe { wheel.insert(entry.ptr(), deadline) }
        };
        match inserted {
            Ok(()) => {
                drop(wheel);
                deadline < self.next_wake.load(Relaxed)
            }
            Err(Elapsed) => {
                // SAFETY: never linked again: the waker is ours (rule 3).
                let waker = unsafe { entry.take_waker() };
                // SAFETY: as above.
                unsafe { entry.set_state(FIRED) };
                drop(wheel);
                // The owner may wait on this entry: let it see the change.
                wake(waker);
                false
            }
        }
    }

    /// Takes a registered entry out of its wheel (drop, cancellation).
    pub(crate) fn deregister(&self, entry: &mut TimerEntry) {
        if !entry.is_registered() {
            return;
        }
        let state = entry.state();
        if state == FIRED || state == SHUTDOWN {
            // The driver is done with it (Acquire in `state`, rule 3).
            entry.set_unregistered();
            return;
        }
        let mut wheel = self.shards[entry.shard as usize].lock();
        let state = entry.state();
        if state <= MAX_DEADLINE || state == PENDING {
            // SAFETY: linked in this shard (rule 2); we hold its lock.
            unsafe { wheel.remove(entry.ptr()) };
        }
        // SAFETY: unlinked (or never linked again): the waker is ours.
        let waker = unsafe { entry.take_waker() };
        // SAFETY: as above.
        unsafe { entry.set_state(FIRED) };
        drop(wheel);
        entry.set_unregistered();
        drop(waker);
    }

    /// Fires every timer due at `now` (nanoseconds since start).
    pub(crate) fn process_at(&self, now: u64) {
        let mut wakers = WakeList::new();
        for shard in self.shards.iter() {
            let mut wheel = shard.lock();
            while let Some(entry) = wheel.poll(now) {
                // SAFETY: claimed and unlinked by `poll` under our lock.
                if let Some(waker) = unsafe { entry.as_ref().fire(FIRED) } {
                    wakers.push(waker);
                    if wakers.is_full() {
                        // Wake outside the lock: a wake may schedule a task
                        // or unpark a thread.
                        drop(wheel);
                        wakers.wake_all();
                        wheel = shard.lock();
                    }
                }
            }
            drop(wheel);
            wakers.wake_all();
        }
    }

    /// Protocol step 1 (module doc): publishes that the driver is about to
    /// park, finds the earliest deadline, publishes it and returns it.
    pub(crate) fn before_park(&self) -> Option<u64> {
        // Relaxed: the shard locks taken by `next_deadline` order these
        // stores against registrants (see the proof in the module doc).
        self.next_wake.store(u64::MAX, Relaxed);
        let next = self.next_deadline();
        self.next_wake.store(next.unwrap_or(u64::MAX), Relaxed);
        next
    }

    /// Publishes that the driver is no longer parked (protocol step 1).
    pub(crate) fn after_park(&self) {
        self.next_wake.store(0, Relaxed);
    }

    /// The earliest time any shard may have a timer due.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.shards
            .iter()
            .filter_map(|shard| shard.lock().next_deadline_ns())
            .min()
    }

    /// Entries registered across all shards.
    #[cfg(test)]
    pub(crate) fn num_registered(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// Marks the driver shut down and releases every timer (see the module
    /// doc, "Shutdown").
    pub(crate) fn shutdown(&self) {
        // Relaxed: each shard's drain below happens after this store and
        // before the unlock that a later registrant's lock synchronises with.
        if self.is_shutdown.swap(true, Relaxed) {
            return;
        }
        let mut wakers = WakeList::new();
        for shard in self.shards.iter() {
            let mut wheel = shard.lock();
            while let Some(entry) = wheel.drain_one() {
                // SAFETY: unlinked by `drain_one` under our lock.
                if let Some(waker) = unsafe { entry.as_ref().fire(SHUTDOWN) } {
                    wakers.push(waker);
                    if wakers.is_full() {
                        drop(wheel);
                        wakers.wake_all();
                        wheel = shard.lock();
                    }
                }
            }
            drop(wheel);
            wakers.wake_all();
        }
    }

    /// Locks the shard this thread prefers, or the next free one.
    fn lock_for_register(&self) -> (usize, MutexGuard<'_, Wheel>) {
        let n = self.shards.len();
        if n == 1 {
            return (0, self.shards[0].lock());
        }
        let hint = self.shard_hint() % n;
        for i in 0..n {
            let idx = (hint + i) % n;
            if let Some(guard) = self.shards[idx].try_lock() {
                if i != 0 {
                    set_shard_hint(self, idx);
                }
                return (idx, guard);
            }
        }
        (hint, self.shards[hint].lock())
    }

    fn shard_hint(&self) -> usize {
        let key = self as *const Handle as usize;
        match SHARD_HINT.try_with(|h| h.get()) {
            Ok((k, hint)) if k == key => hint,
            _ => {
                // Relaxed: a counter; only uniqueness per thread matters.
                let hint = self.next_hint.fetch_add(1, Relaxed);
                set_shard_hint(self, hint);
                hint
            }
        }
    }
}

std::thread_local! {
    /// (time handle address, preferred shard) of this thread. A stale
    /// address only costs a less even spread, never correctness.
    static SHARD_HINT: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

fn set_shard_hint(handle: &Handle, hint: usize) {
    let key = handle as *const Handle as usize;
    let _ = SHARD_HINT.try_with(|h| h.set((key, hint)));
}

/// If `state` says the entry left its wheel, records that and returns the
/// outcome.
fn observe_end(entry: &mut TimerEntry, state: u64) -> Option<Result<(), Shutdown>> {
    match state {
        FIRED => {
            entry.set_unregistered();
            Some(Ok(()))
        }
        SHUTDOWN => {
            entry.set_unregistered();
            Some(Err(Shutdown))
        }
        _ => None,
    }
}

fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl Driver {
    pub(crate) fn new(park: IoStack) -> Driver {
        Driver { park }
    }

    /// Parks until an event, an unpark or the next timer, then fires timers.
    pub(crate) fn park(&mut self, handle: &super::Handle) {
        self.park_internal(handle, None);
    }

    /// As `park`, but for at most `limit` (zero: poll without blocking).
    pub(crate) fn park_timeout(&mut self, handle: &super::Handle, limit: Duration) {
        self.park_internal(handle, Some(limit));
    }

    /// Releases every timer, then shuts the I/O layer down.
    pub(crate) fn shutdown(&mut self, handle: &super::Handle) {
        if let Some(time) = &handle.time {
            time.shutdown();
        }
        self.park.shutdown(&handle.io);
    }

    fn park_internal(&mut self, rt: &super::Handle, limit: Option<Duration>) {
        let time = rt
            .time
            .as_ref()
            .expect("an enabled time driver has a time handle");
        let clock = &rt.clock;
        if limit == Some(Duration::ZERO) {
            // A busy worker polling for events: no timeout to compute, and
            // `next_wake` stays 0 (not parked).
            self.park.park_timeout(&rt.io, Duration::ZERO);
        } else {
            let next = time.before_park();
            match next {
                Some(next) if clock.can_auto_advance() => {
                    self.park.park_timeout(&rt.io, Duration::ZERO);
                    if !clock.take_did_wake() {
                        // Idle with a paused clock: jump to the next timer.
                        let mut target = time.instant_of(next);
                        if let Some(limit) = limit {
                            let cap = clock.now().checked_add(limit);
                            target = target.min(cap).or(target);
                        }
                        if let Some(target) = target {
                            clock.advance_to(target);
                        }
                    }
                }
                Some(next) => {
                    let now = clock.now();
                    let mut timeout = match time.instant_of(next) {
                        Some(at) => at.saturating_duration_since(now),
                        None => Duration::MAX,
                    };
                    if let Some(limit) = limit {
                        timeout = timeout.min(limit);
                    }
                    self.park.park_timeout(&rt.io, timeout);
                }
                None => match limit {
                    Some(limit) => self.park.park_timeout(&rt.io, limit),
                    None => self.park.park(&rt.io),
                },
            }
            time.after_park();
        }
        time.process_at(time.deadline_ns(clock.now()));
    }
}

/// Wakers collected under a shard lock, woken after it is released.
struct WakeList {
    wakers: [Option<Waker>; WakeList::CAPACITY],
    len: usize,
}

impl WakeList {
    const CAPACITY: usize = 32;

    fn new() -> WakeList {
        WakeList {
            wakers: std::array::from_fn(|_| None),
            len: 0,
        }
    }

    fn push(&mut self, waker: Waker) {
        debug_assert!(self.len < Self::CAPACITY);
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    fn is_full(&self) -> bool {
        self.len == Self::CAPACITY
    }

    fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("time::Handle")
            .field("shards", &self.shards.len())
            .field("next_wake", &self.next_wake.load(Relaxed))
            .field("is_shutdown", &self.is_shutdown.load(Relaxed))
            .finish_non_exhaustive()
    }
}
