use super::support::task;
use crate::sync::{Semaphore, TryAcquireError};
use std::sync::Arc;

#[test]
fn try_acquire_counts_permits() {
    let s = Semaphore::new(2);
    let a = s.try_acquire().unwrap();
    let b = s.try_acquire().unwrap();
    assert_eq!(s.try_acquire().err(), Some(TryAcquireError::NoPermits));
    drop(a);
    assert_eq!(s.available_permits(), 1);
    drop(b);
    assert_eq!(s.available_permits(), 2);
}

#[test]
fn acquire_waits_and_is_woken_on_release() {
    let s = Semaphore::new(1);
    let held = s.try_acquire().unwrap();
    let mut t = task(s.acquire());
    t.pending();
    assert!(!t.is_woken());
    drop(held);
    assert!(t.is_woken());
    let permit = t.ready().unwrap();
    assert_eq!(permit.num_permits(), 1);
    assert_eq!(s.available_permits(), 0);
}

#[test]
fn fifo_large_request_blocks_later_small_ones() {
    let s = Semaphore::new(1);
    let held = s.try_acquire().unwrap();
    let mut big = task(s.acquire_many(2));
    let mut small = task(s.acquire());
    big.pending();
    small.pending();
    drop(held);
    // One permit is free but promised to `big`, which is first in line.
    assert!(!small.is_woken());
    small.pending();
    assert_eq!(s.try_acquire().err(), Some(TryAcquireError::NoPermits));
    s.add_permits(1);
    assert!(big.is_woken());
    let big_permit = big.ready().unwrap();
    assert_eq!(big_permit.num_permits(), 2);
    small.pending();
    drop(big_permit);
    assert!(small.is_woken());
    drop(small.ready().unwrap());
}

#[test]
fn waiters_are_served_in_order() {
    let s = Semaphore::new(0);
    let mut tasks: Vec<_> = (0..4).map(|_| task(s.acquire())).collect();
    for t in &mut tasks {
        t.pending();
    }
    for i in 0..4 {
        s.add_permits(1);
        for (j, t) in tasks.iter().enumerate() {
            assert_eq!(t.is_woken(), j == i, "after {i} releases");
        }
        tasks[i].ready().unwrap().forget();
    }
}

#[test]
fn dropped_waiter_gives_its_place_and_partial_permits_back() {
    let s = Semaphore::new(1);
    let mut big = task(s.acquire_many(3));
    let mut small = task(s.acquire());
    big.pending(); // took the free permit as a partial assignment
    small.pending();
    assert_eq!(s.available_permits(), 0);
    drop(big);
    // The partial permit passes to `small`.
    assert!(small.is_woken());
    drop(small.ready().unwrap());
}

#[test]
fn dropped_after_being_served_passes_permits_on() {
    let s = Semaphore::new(0);
    let mut first = task(s.acquire());
    let mut second = task(s.acquire());
    first.pending();
    second.pending();
    s.add_permits(1);
    assert!(first.is_woken());
    // `first` is cancelled after it was handed the permit but before it saw it.
    drop(first);
    assert!(second.is_woken());
    drop(second.ready().unwrap());
}

#[test]
fn close_fails_pending_and_future_acquires() {
    let s = Semaphore::new(0);
    let mut a = task(s.acquire());
    let mut b = task(s.acquire_many(2));
    a.pending();
    b.pending();
    s.close();
    assert!(a.is_woken() && b.is_woken());
    assert!(a.ready().is_err());
    assert!(b.ready().is_err());
    assert!(s.is_closed());
    assert_eq!(s.try_acquire().err(), Some(TryAcquireError::Closed));
    assert!(task(s.acquire()).ready().is_err());
}

#[test]
fn permit_held_across_close_can_still_be_released() {
    let s = Semaphore::new(1);
    let p = s.try_acquire().unwrap();
    s.close();
    drop(p);
    assert_eq!(s.available_permits(), 1);
}

#[test]
fn owned_permits_split_merge_forget() {
    let s = Arc::new(Semaphore::new(5));
    let mut p = s.clone().try_acquire_many_owned(3).unwrap();
    let q = p.split(1).unwrap();
    assert!(p.split(5).is_none());
    assert_eq!((p.num_permits(), q.num_permits()), (2, 1));
    p.merge(q);
    assert_eq!(p.num_permits(), 3);
    assert!(Arc::ptr_eq(p.semaphore(), &s));
    p.forget();
    assert_eq!(s.available_permits(), 2);
    assert_eq!(s.forget_permits(5), 2);
    assert_eq!(s.available_permits(), 0);
    let mut t = task(s.clone().acquire_owned());
    t.pending();
    s.add_permits(1);
    assert_eq!(t.ready().unwrap().num_permits(), 1);
    assert_eq!(s.available_permits(), 1);
}

#[test]
fn acquire_zero_is_immediate() {
    let s = Semaphore::new(0);
    assert_eq!(task(s.acquire_many(0)).ready().unwrap().num_permits(), 0);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn new_above_max_panics() {
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn add_permits_overflow_panics() {
    let s = Semaphore::new(Semaphore::MAX_PERMITS);
    s.add_permits(1);
}

#[test]
#[should_panic(expected = "different semaphores")]
fn merge_from_other_semaphore_panics() {
    let a = Semaphore::new(1);
    let b = Semaphore::new(1);
    let mut p = a.try_acquire().unwrap();
    p.merge(b.try_acquire().unwrap());
}

#[test]
fn many_waiters_beyond_a_wake_batch() {
    // More waiters than one WakeList batch (32) are all served by one release.
    let s = Semaphore::new(0);
    let mut tasks: Vec<_> = (0..100).map(|_| task(s.acquire())).collect();
    for t in &mut tasks {
        t.pending();
    }
    s.add_permits(100);
    for t in &mut tasks {
        assert!(t.is_woken());
        t.ready().unwrap().forget();
    }
    let mut tasks: Vec<_> = (0..100).map(|_| task(s.acquire())).collect();
    for t in &mut tasks {
        t.pending();
    }
    s.close();
    for t in &mut tasks {
        assert!(t.ready().is_err());
    }
}

#[test]
fn threads_stress() {
    let s = Arc::new(Semaphore::new(3));
    let inside = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            let inside = inside.clone();
            std::thread::spawn(move || {
                for _ in 0..2000 {
                    crate::park_thread::block_on(async {
                        let _p = s.acquire().await.unwrap();
                        let n = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        assert!(n < 3);
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(s.available_permits(), 3);
}
