//! Barrier and OnceCell.
use super::support::task;
use crate::sync::{Barrier, OnceCell, SetError};
use std::sync::Arc;

#[test]
fn barrier_releases_all_with_one_leader() {
    let b = Barrier::new(3);
    let mut t1 = task(b.wait());
    let mut t2 = task(b.wait());
    t1.pending();
    t2.pending();
    let leader = task(b.wait()).ready();
    assert!(leader.is_leader());
    assert!(t1.is_woken() && t2.is_woken());
    assert!(!t1.ready().is_leader());
    assert!(!t2.ready().is_leader());
    // Next generation.
    let mut t3 = task(b.wait());
    t3.pending();
}

#[test]
fn barrier_of_zero_acts_like_one() {
    let b = Barrier::new(0);
    assert!(task(b.wait()).ready().is_leader());
}

#[test]
fn barrier_threads() {
    let b = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let b = b.clone();
            std::thread::spawn(move || {
                (0..50)
                    .filter(|_| crate::park_thread::block_on(b.wait()).is_leader())
                    .count()
            })
        })
        .collect();
    let leaders: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(leaders, 50);
}

#[test]
fn once_cell_set_get() {
    let c = OnceCell::new();
    assert!(c.get().is_none());
    assert!(!c.initialized());
    c.set(1).unwrap();
    assert_eq!(c.get(), Some(&1));
    assert_eq!(c.set(2), Err(SetError::AlreadyInitializedError(2)));
    assert!(c.set(3).unwrap_err().is_already_init_err());
    assert_eq!(c.clone().into_inner(), Some(1));
}

#[test]
fn once_cell_single_initialiser() {
    let c = OnceCell::new();
    let mut a = task(c.get_or_init(|| async {
        std::future::pending::<()>().await;
        1
    }));
    a.pending();
    assert!(c.set(5).unwrap_err().is_initializing_err());
    let mut b = task(c.get_or_init(|| async { 2 }));
    b.pending();
    // Cancel the first initialiser: the second runs its own.
    drop(a);
    assert!(b.is_woken());
    assert_eq!(*b.ready(), 2);
    assert_eq!(*task(c.get_or_init(|| async { 3 })).ready(), 2);
}

#[test]
fn once_cell_failed_init_passes_on() {
    let c = OnceCell::<u8>::new();
    let r = task(c.get_or_try_init(|| async { Err::<u8, _>("no") })).ready();
    assert_eq!(r, Err("no"));
    assert!(!c.initialized());
    assert_eq!(
        *task(c.get_or_try_init(|| async { Ok::<_, ()>(4) }))
            .ready()
            .unwrap(),
        4
    );
}

#[test]
fn once_cell_waiters_see_value() {
    let c = OnceCell::new();
    let mut a = task(c.get_or_init(|| async {
        crate::sync::tests::support::yield_once().await;
        1
    }));
    a.pending();
    let mut b = task(c.get_or_init(|| async { 2 }));
    b.pending();
    assert_eq!(*a.ready(), 1);
    assert!(b.is_woken());
    assert_eq!(*b.ready(), 1);
}

#[test]
fn once_cell_take_and_statics() {
    static CELL: OnceCell<u32> = OnceCell::const_new();
    assert_eq!(*task(CELL.get_or_init(|| async { 9 })).ready(), 9);
    let mut c = OnceCell::new_with(Some(1));
    assert_eq!(c.take(), Some(1));
    assert!(c.get().is_none());
    c.set(2).unwrap();
    *c.get_mut().unwrap() += 1;
    assert_eq!(c.into_inner(), Some(3));
    let c: OnceCell<u8> = OnceCell::from(5);
    assert_eq!(c, OnceCell::const_new_with(5));
}
