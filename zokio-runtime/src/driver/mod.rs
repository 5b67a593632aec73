//! The drivers a parked scheduler thread waits on.
//!
//! The driver is the seam between schedulers and the world: a scheduler that
//! runs out of work parks on its `Driver`, and anyone who makes work for it
//! wakes it through the matching `Handle::unpark`. Three calls make the
//! interface: `park`, `park_timeout` and `unpark`.
//!
//! # Layers
//!
//! ```text
//! Driver = TimeDriver                     Handle = { io: IoHandle,
//!   Enabled  { time::Driver over IoStack }            time: Option<time::Handle>,
//!   Disabled (IoStack)                                clock: Clock }
//! IoStack  = Enabled (io::Driver)  | Disabled (park::ParkThread)
//! IoHandle = Enabled (io::Handle)  | Disabled (park::UnparkThread)
//! ```
//!
//! The time layer computes the park timeout from the nearest timer, parks
//! the I/O layer (mio's poll, or a condvar when I/O is off), and fires the
//! timers that are due when the park returns. `Handle::unpark` goes through
//! the I/O layer (mio's waker, or the condvar), after telling the paused
//! clock that the driver was woken (`time/clock.rs`).
//!
//! Only one thread drives a `Driver` at a time (it is `&mut`); the
//! multi-thread scheduler hands it between parked workers (see
//! `scheduler/multi_thread/park.rs`).

pub(crate) mod io;
pub(crate) mod park;
pub(crate) mod time;

/// The runtime's clock (real time, or paused in tests): see `time/clock.rs`.
pub(crate) use self::time::clock;

use self::park::{ParkThread, UnparkThread};
use self::time::clock::Clock;
use std::time::Duration;

/// What the builder asked the drivers to enable.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cfg {
    pub(crate) enable_io: bool,
    pub(crate) enable_time: bool,
    /// Start with the clock paused (test-util; current-thread only).
    pub(crate) start_paused: bool,
    /// Whether `time::pause` may pause this runtime's clock (current-thread).
    pub(crate) enable_pausing: bool,
    /// Scheduler workers: the timer wheel gets one shard per worker.
    pub(crate) workers: usize,
    /// Most I/O events handled per driver turn.
    pub(crate) io_events_per_tick: usize,
}

/// The driver: owned by whichever thread parks on it.
#[derive(Debug)]
pub(crate) struct Driver {
    inner: TimeDriver,
}

/// The time layer: a timer wheel over the I/O layer, or the I/O layer alone.
#[derive(Debug)]
enum TimeDriver {
    Enabled { driver: time::Driver },
    Disabled(IoStack),
}

/// The I/O layer: what the thread finally blocks in.
#[derive(Debug)]
pub(crate) enum IoStack {
    /// mio's poll (see `io/mod.rs`).
    Enabled(io::Driver),
    Disabled(ParkThread),
}

/// The shared side of the driver: wakes it, and reaches the I/O and timer
/// state and the clock.
#[derive(Debug)]
pub(crate) struct Handle {
    /// Unparks the I/O layer (and reaches the reactor when enabled).
    io: IoHandle,
    /// The timer wheel, if `enable_time`.
    time: Option<time::Handle>,
    /// The runtime's clock (paused in tests).
    clock: Clock,
}

/// The shared side of the I/O layer.
#[derive(Debug)]
pub(crate) enum IoHandle {
    /// The reactor's handle: registration, and unpark via `mio::Waker`.
    Enabled(io::Handle),
    Disabled(UnparkThread),
}

impl Driver {
    pub(crate) fn new(cfg: Cfg) -> std::io::Result<(Driver, Handle)> {
        let (io_stack, io_handle) = create_io_stack(cfg)?;
        let clock = Clock::new(cfg.enable_pausing, cfg.start_paused);
        let (inner, time) = if cfg.enable_time {
            let handle = time::Handle::new(cfg.workers, clock.now());
            let driver = time::Driver::new(io_stack);
            (TimeDriver::Enabled { driver }, Some(handle))
        } else {
            (TimeDriver::Disabled(io_stack), None)
        };
        let handle = Handle {
            io: io_handle,
            time,
            clock,
        };
        Ok((Driver { inner }, handle))
    }

    /// Waits for events, a timer or an unpark.
    pub(crate) fn park(&mut self, handle: &Handle) {
        match &mut self.inner {
            TimeDriver::Enabled { driver } => driver.park(handle),
            TimeDriver::Disabled(io) => io.park(&handle.io),
        }
    }

    /// Waits for events, a timer, an unpark or the timeout (zero: collect
    /// what is ready without blocking).
    pub(crate) fn park_timeout(&mut self, handle: &Handle, timeout: Duration) {
        match &mut self.inner {
            TimeDriver::Enabled { driver } => driver.park_timeout(handle, timeout),
            TimeDriver::Disabled(io) => io.park_timeout(&handle.io, timeout),
        }
    }

    /// Releases resources at runtime shutdown: fires every timer with a
    /// shutdown error and wakes every I/O waiter.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        match &mut self.inner {
            TimeDriver::Enabled { driver } => driver.shutdown(handle),
            TimeDriver::Disabled(io) => io.shutdown(&handle.io),
        }
    }
}

fn create_io_stack(cfg: Cfg) -> std::io::Result<(IoStack, IoHandle)> {
    if cfg.enable_io {
        let (driver, handle) = io::Driver::new(cfg.io_events_per_tick)?;
        return Ok((IoStack::Enabled(driver), IoHandle::Enabled(handle)));
    }
    let park = ParkThread::new();
    let unpark = park.unparker();
    Ok((IoStack::Disabled(park), IoHandle::Disabled(unpark)))
}

impl IoStack {
    pub(crate) fn park(&mut self, handle: &IoHandle) {
        match (self, handle) {
            (IoStack::Enabled(driver), IoHandle::Enabled(handle)) => driver.park(handle),
            (IoStack::Disabled(park), IoHandle::Disabled(_)) => park.park(),
            _ => unreachable!("the I/O stack and its handle are built together"),
        }
    }

    pub(crate) fn park_timeout(&mut self, handle: &IoHandle, timeout: Duration) {
        match (self, handle) {
            (IoStack::Enabled(driver), IoHandle::Enabled(handle)) => {
                driver.park_timeout(handle, timeout)
            }
            (IoStack::Disabled(park), IoHandle::Disabled(_)) => park.park_timeout(timeout),
            _ => unreachable!("the I/O stack and its handle are built together"),
        }
    }

    pub(crate) fn shutdown(&mut self, handle: &IoHandle) {
        match (self, handle) {
            (IoStack::Enabled(driver), IoHandle::Enabled(handle)) => driver.shutdown(handle),
            (IoStack::Disabled(_), IoHandle::Disabled(_)) => {}
            _ => unreachable!("the I/O stack and its handle are built together"),
        }
    }
}

impl IoHandle {
    pub(crate) fn unpark(&self) {
        match self {
            IoHandle::Enabled(handle) => handle.unpark(),
            IoHandle::Disabled(unpark) => unpark.unpark(),
        }
    }
}

impl Handle {
    /// Wakes the thread parked on the driver (or makes its next park return).
    pub(crate) fn unpark(&self) {
        self.clock.note_unpark();
        self.io.unpark();
    }

    /// The I/O reactor, if the runtime has `enable_io`.
    pub(crate) fn io(&self) -> Option<&io::Handle> {
        match &self.io {
            IoHandle::Enabled(handle) => Some(handle),
            IoHandle::Disabled(_) => None,
        }
    }

    /// The timer wheel, if the runtime has `enable_time`.
    pub(crate) fn time(&self) -> Option<&time::Handle> {
        self.time.as_ref()
    }

    /// The runtime's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }
}
