//! The drivers a parked scheduler thread waits on.
//!
//! The driver is the seam between schedulers and the world: a scheduler that
//! runs out of work parks on its `Driver`, and anyone who makes work for it
//! wakes it through the matching `Handle::unpark`. In this version the
//! driver is a condvar parker (`park.rs`); the I/O reactor (mio) and the
//! timer wheel plug in behind the same three calls: `park`, `park_timeout`
//! (with the timeout of the nearest timer) and `unpark`.
//!
//! Only one thread drives a `Driver` at a time (it is `&mut`); the
//! multi-thread scheduler hands it between parked workers (see
//! `scheduler/multi_thread/park.rs`).

pub(crate) mod clock;
pub(crate) mod park;

use self::park::{ParkThread, UnparkThread};
use std::time::Duration;

/// What the builder asked the drivers to enable. Recorded now; the I/O and
/// time drivers read it when they plug in.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cfg {
    pub(crate) enable_io: bool,
    pub(crate) enable_time: bool,
    pub(crate) start_paused: bool,
}

/// The driver: owned by whichever thread parks on it.
#[derive(Debug)]
pub(crate) struct Driver {
    park: ParkThread,
}

/// The shared side of the driver: wakes it, and (later) reaches the I/O and
/// timer state.
#[derive(Debug)]
pub(crate) struct Handle {
    unpark: UnparkThread,
    #[allow(dead_code)]
    cfg: Cfg,
}

impl Driver {
    pub(crate) fn new(cfg: Cfg) -> std::io::Result<(Driver, Handle)> {
        let park = ParkThread::new();
        let handle = Handle {
            unpark: park.unparker(),
            cfg,
        };
        Ok((Driver { park }, handle))
    }

    /// Waits for events or an unpark.
    pub(crate) fn park(&mut self, _handle: &Handle) {
        self.park.park();
    }

    /// Waits for events, an unpark or the timeout.
    pub(crate) fn park_timeout(&mut self, _handle: &Handle, timeout: Duration) {
        self.park.park_timeout(timeout);
    }

    /// Releases resources at runtime shutdown.
    pub(crate) fn shutdown(&mut self, _handle: &Handle) {}
}

impl Handle {
    /// Wakes the thread parked on the driver (or makes its next park return).
    pub(crate) fn unpark(&self) {
        self.unpark.unpark();
    }

    #[allow(dead_code)]
    pub(crate) fn cfg(&self) -> Cfg {
        self.cfg
    }
}
