//! Models of the multi-thread parker: two workers park, one of them on the
//! shared driver and the other on its condvar (whichever wins the driver's
//! try-lock), and are unparked from a third thread. Neither may sleep
//! through its unpark, whether the unpark comes before, during or after the
//! park.

use crate::driver::{self, Driver};
use crate::loom::model;
use crate::loom::thread;
use crate::scheduler::multi_thread::park::{Parker, Shared};

#[test]
fn loom_park_two_workers_no_lost_wakeup() {
    model(|| {
        let (drv, handle) = Driver::new(driver::Cfg::default()).unwrap();
        let handle = crate::loom::sync::Arc::new(handle);
        let shared = Shared::new(drv);
        let mut p1 = Parker::new(shared.clone());
        let mut p2 = Parker::new(shared);
        let (u1, u2) = (p1.unparker(), p2.unparker());
        let h1 = handle.clone();
        let t1 = thread::spawn(move || p1.park(&h1));
        let h2 = handle.clone();
        let t2 = thread::spawn(move || p2.park(&h2));
        u1.unpark(&handle);
        u2.unpark(&handle);
        t1.join().unwrap();
        t2.join().unwrap();
    });
}

#[test]
fn loom_park_unpark_before_park_is_kept() {
    model(|| {
        let (drv, handle) = Driver::new(driver::Cfg::default()).unwrap();
        let shared = Shared::new(drv);
        let mut p = Parker::new(shared);
        let u = p.unparker();
        let handle = crate::loom::sync::Arc::new(handle);
        let h = handle.clone();
        let t = thread::spawn(move || u.unpark(&h));
        t.join().unwrap();
        // The notification was stored: this returns without any other wake.
        p.park(&handle);
    });
}

/// A worker that spins before parking polls its parker without blocking,
/// which consumes a pending unpark. Shutdown closes the inject queue and
/// then unparks every worker; the spinning worker checks the queue after
/// each poll and parks for real only if it is still open. Whatever the
/// interleaving, the worker must notice the shutdown: this model hangs
/// (loom reports a deadlock) if the unpark can be consumed without the
/// closed queue being visible.
#[test]
fn loom_park_spinning_worker_sees_shutdown() {
    use crate::loom::sync::Arc;
    use crate::scheduler::inject::Inject;
    use crate::tests::support::TestSched;
    use std::time::Duration;

    model(|| {
        let (drv, handle) = Driver::new(driver::Cfg::default()).unwrap();
        let handle = Arc::new(handle);
        let shared = Shared::new(drv);
        let mut p = Parker::new(shared);
        let u = p.unparker();
        let inject: Arc<Inject<Arc<TestSched>>> = Arc::new(Inject::new());
        let (h, i) = (handle.clone(), inject.clone());
        let worker = thread::spawn(move || {
            // One spin round, then the park the worker would enter.
            p.park_timeout(&h, Duration::ZERO);
            if i.is_closed() {
                return;
            }
            p.park(&h);
            assert!(i.is_closed(), "woken without the shutdown visible");
        });
        // Shutdown, as `Handle::shutdown` does it.
        inject.close();
        u.unpark(&handle);
        worker.join().unwrap();
    });
}
