//! Loom models of `Mutex` (hand-over and cancellation over the semaphore).

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::loom::sync::Arc;
use crate::sync::Mutex;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

#[test]
fn loom_mutex_two_lockers() {
    model(|| {
        let m = Arc::new(Mutex::new(0));
        let m2 = m.clone();
        let th = spawn(move || block_on(async { *m2.lock().await += 1 }));
        block_on(async { *m.lock().await += 1 });
        th.join().unwrap();
        assert_eq!(*m.try_lock().unwrap(), 2);
    });
}

#[test]
fn loom_mutex_cancelled_lock_passes_on() {
    model(|| {
        let m = Arc::new(Mutex::new(0));
        let guard = m.try_lock().unwrap();
        let m2 = m.clone();
        let th = spawn(move || block_on(async { *m2.lock().await += 1 }));
        {
            let mut lock = pin!(m.lock());
            let mut cx = Context::from_waker(Waker::noop());
            assert!(lock.as_mut().poll(&mut cx).is_pending());
            drop(guard);
            let _ = lock.as_mut().poll(&mut cx);
        }
        th.join().unwrap();
        assert_eq!(*m.try_lock().unwrap(), 1);
    });
}
