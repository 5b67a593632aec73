//! A driver-less parker: a thread sleeps on a condvar until unparked.
//!
//! This is what a scheduler parks on when no I/O or timer driver is
//! enabled, and what loom models use (mio cannot run under loom).
//!
//! Protocol: `state` is EMPTY, PARKED or NOTIFIED. `unpark` swaps in
//! NOTIFIED; if it replaced PARKED, it takes the mutex (so the parker is
//! either not yet waiting, and will see NOTIFIED under the lock, or is
//! waiting and gets the notification) and signals the condvar. `park`
//! consumes a NOTIFIED without sleeping. A notification is never lost: it is
//! either consumed by a `park` or left in `state` for the next one.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// Parks the thread that owns it.
#[derive(Debug)]
pub(crate) struct ParkThread {
    inner: Arc<Inner>,
}

/// Wakes the matching `ParkThread`; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct UnparkThread {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl ParkThread {
    pub(crate) fn new() -> ParkThread {
        ParkThread {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
            }),
        }
    }

    pub(crate) fn unparker(&self) -> UnparkThread {
        UnparkThread {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until unparked (returns at once if a notification is pending).
    pub(crate) fn park(&mut self) {
        self.inner.park(None);
    }

    /// Blocks until unparked or until `timeout` passes.
    pub(crate) fn park_timeout(&mut self, timeout: Duration) {
        self.inner.park(Some(timeout));
    }
}

impl UnparkThread {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        // SeqCst throughout: the state word is the only synchronisation
        // between parker and unparker, and the protocol is easiest to
        // reason about in a single total order.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.mutex.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Notified between the first check and taking the lock.
                let old = self.state.swap(EMPTY, SeqCst);
                debug_assert_eq!(old, NOTIFIED);
                return;
            }
            Err(actual) => {
                panic!("inconsistent park state {actual}: two threads park on one parker")
            }
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
                // Timed out (or spurious): stop parking either way.
                match self.state.swap(EMPTY, SeqCst) {
                    NOTIFIED | PARKED => return,
                    actual => panic!("inconsistent park_timeout state {actual}"),
                }
            }
            // Spurious wake-up without a timeout: wait again.
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the lock orders us after the parker's move to PARKED
                // and before (or during) its wait, so the signal is not lost.
                drop(self.mutex.lock());
                self.condvar.notify_one();
            }
            actual => panic!("inconsistent unpark state {actual}"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use crate::loom::thread;

    #[test]
    fn loom_park_unpark_no_lost_wakeup() {
        crate::loom::model(|| {
            let mut park = ParkThread::new();
            let unpark = park.unparker();
            let th = thread::spawn(move || unpark.unpark());
            park.park();
            th.join().unwrap();
        });
    }

    #[test]
    fn loom_unpark_twice_park_twice_returns() {
        crate::loom::model(|| {
            let mut park = ParkThread::new();
            let unpark = park.unparker();
            let u2 = unpark.clone();
            let th = thread::spawn(move || {
                unpark.unpark();
            });
            park.park();
            th.join().unwrap();
            u2.unpark();
            park.park();
        });
    }
}
