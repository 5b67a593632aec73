//! Parking a worker: on the driver if it is free, else on a condvar.
//!
//! One parked worker at a time owns the driver (a `try_lock` on it) and
//! waits in it — for I/O events, the nearest timer or an unpark through the
//! driver's waker. The other parked workers sleep on their own condvar.
//!
//! The driver is also taken briefly by busy and spinning workers, which
//! poll it without blocking. A worker about to sleep that finds it held
//! that way (`Shared::blocked` is false) retries a few times, yielding in
//! between, before it settles for its condvar: otherwise an idle runtime
//! could end up with every sleeper on a condvar, and timers and I/O would
//! wait for the busy worker's next poll.
//!
//! `state` is EMPTY, PARKED_CONDVAR, PARKED_DRIVER or NOTIFIED. `unpark`
//! swaps in NOTIFIED and then wakes the worker the way it sleeps: a condvar
//! signal (after taking the mutex, so the signal cannot fall between the
//! parker's state change and its wait) or a driver unpark. A NOTIFIED left
//! in `state` makes the next `park` return at once, so no wake-up is lost.

use crate::driver::{self, Driver};
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};
use std::fmt;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// How many times a worker about to sleep retries the driver while a
/// non-blocking poll holds it.
const DRIVER_RETRIES: usize = 4;

/// A worker's parker (moves with the worker's core).
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// Wakes the matching parker.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
    shared: Arc<Shared>,
}

/// The driver, shared by all parkers of one runtime.
pub(crate) struct Shared {
    driver: Mutex<Driver>,
    /// True while the driver's holder blocks in it (a parked worker); false
    /// while it is free or held for a non-blocking poll. A hint only: it
    /// decides whether retrying the lock is worth it, never correctness.
    blocked: AtomicBool,
}

impl Shared {
    pub(crate) fn new(driver: Driver) -> Arc<Shared> {
        Arc::new(Shared {
            driver: Mutex::new(driver),
            blocked: AtomicBool::new(false),
        })
    }

    /// Shuts the driver down (waiting for whoever holds it to let go).
    pub(crate) fn shutdown(&self, handle: &driver::Handle) {
        self.driver.lock().shutdown(handle);
    }
}

impl Parker {
    pub(crate) fn new(shared: Arc<Shared>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
                shared,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Parks until unparked.
    pub(crate) fn park(&mut self, handle: &driver::Handle) {
        self.inner.park(handle, None);
    }

    /// Parks until unparked or `timeout` passes; a zero timeout polls the
    /// driver (if free) without blocking.
    pub(crate) fn park_timeout(&mut self, handle: &driver::Handle, timeout: Duration) {
        self.inner.park(handle, Some(timeout));
    }
}

impl Unparker {
    pub(crate) fn unpark(&self, handle: &driver::Handle) {
        self.inner.unpark(handle);
    }
}

impl Inner {
    fn park(&self, handle: &driver::Handle, timeout: Option<Duration>) {
        // SeqCst on `state` throughout: it is the only link between parker
        // and unparker, and one total order keeps the argument simple.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if let Some(mut driver) = self.shared.driver.try_lock() {
            self.park_driver(&mut driver, handle, timeout);
        } else if timeout == Some(Duration::ZERO) {
            // A poll: the driver is someone else's now.
        } else if let Some(mut driver) = self.retry_driver() {
            self.park_driver(&mut driver, handle, timeout);
        } else {
            self.park_condvar(timeout);
        }
    }

    /// The driver was held: if only for a non-blocking poll, try again a
    /// few times (see the module docs).
    fn retry_driver(&self) -> Option<crate::loom::sync::MutexGuard<'_, Driver>> {
        if cfg!(loom) {
            // Which way a worker sleeps does not change the protocol the
            // models check; the retries would only multiply their states.
            return None;
        }
        for _ in 0..DRIVER_RETRIES {
            if self.shared.blocked.load(Relaxed) {
                return None;
            }
            std::thread::yield_now();
            if let Some(driver) = self.shared.driver.try_lock() {
                return Some(driver);
            }
        }
        None
    }

    fn park_driver(&self, driver: &mut Driver, handle: &driver::Handle, timeout: Option<Duration>) {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state {actual}"),
        }
        // Only a blocking park flips the hint: a poll holds the driver
        // while it is false anyway, and busy workers poll often.
        let blocks = timeout != Some(Duration::ZERO);
        if blocks {
            self.shared.blocked.store(true, Relaxed);
        }
        match timeout {
            Some(t) => driver.park_timeout(handle, t),
            None => driver.park(handle),
        }
        if blocks {
            self.shared.blocked.store(false, Relaxed);
        }
        match self.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => panic!("inconsistent park_driver state {actual}"),
        }
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.mutex.lock();
        match self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state {actual}"),
        }
        loop {
            guard = match timeout {
                Some(t) => self.condvar.wait_timeout(guard, t).0,
                None => self.condvar.wait(guard),
            };
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
            if timeout.is_some() {
                self.state.swap(EMPTY, SeqCst);
                return;
            }
        }
    }

    fn unpark(&self, handle: &driver::Handle) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                drop(self.mutex.lock());
                self.condvar.notify_one();
                crate::util::spin::note_thread_woken();
            }
            PARKED_DRIVER => {
                handle.unpark();
                crate::util::spin::note_thread_woken();
            }
            actual => panic!("inconsistent unpark state {actual}"),
        }
    }
}

impl fmt::Debug for Parker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parker").finish_non_exhaustive()
    }
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unparker").finish_non_exhaustive()
    }
}
