//! Loom models of `batch_semaphore`: hand-over, cancellation, close.

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::loom::sync::Arc;
use crate::sync::Semaphore;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

#[test]
fn loom_semaphore_release_wakes_waiter() {
    model(|| {
        let s = Arc::new(Semaphore::new(1));
        let s2 = s.clone();
        let th = spawn(move || {
            block_on(async {
                let _p = s2.acquire().await.unwrap();
            })
        });
        block_on(async {
            let _p = s.acquire().await.unwrap();
        });
        th.join().unwrap();
        assert_eq!(s.available_permits(), 1);
    });
}

#[test]
fn loom_semaphore_cancelled_acquire_loses_no_permit() {
    model(|| {
        let s = Arc::new(Semaphore::new(0));
        let s2 = s.clone();
        let th = spawn(move || s2.add_permits(1));
        {
            let mut acquire = pin!(s.acquire());
            let mut cx = Context::from_waker(Waker::noop());
            // Ready or not, dropping it must leave the permit available.
            let _ = acquire.as_mut().poll(&mut cx);
        }
        th.join().unwrap();
        assert_eq!(s.available_permits(), 1);
    });
}

#[test]
fn loom_semaphore_close_wakes_waiter() {
    model(|| {
        let s = Arc::new(Semaphore::new(0));
        let s2 = s.clone();
        let th = spawn(move || s2.close());
        assert!(block_on(s.acquire()).is_err());
        th.join().unwrap();
    });
}

#[test]
fn loom_semaphore_many_and_one() {
    model(|| {
        let s = Arc::new(Semaphore::new(2));
        let s2 = s.clone();
        let th = spawn(move || {
            block_on(async {
                let _p = s2.acquire_many(2).await.unwrap();
            })
        });
        block_on(async {
            let _p = s.acquire().await.unwrap();
        });
        th.join().unwrap();
        assert_eq!(s.available_permits(), 2);
    });
}

#[test]
fn loom_semaphore_cancel_races_release() {
    model(|| {
        let s = Arc::new(Semaphore::new(0));
        let s2 = s.clone();
        let waiter = spawn(move || {
            block_on(async {
                let _p = s2.acquire().await.unwrap();
            })
        });
        {
            let mut acquire = pin!(s.acquire());
            let mut cx = Context::from_waker(Waker::noop());
            let _ = acquire.as_mut().poll(&mut cx);
            s.add_permits(1);
            // Dropped while (maybe) queued and (maybe) served: the permit must
            // reach the other waiter or the counter.
        }
        waiter.join().unwrap();
        assert_eq!(s.available_permits(), 1);
    });
}
