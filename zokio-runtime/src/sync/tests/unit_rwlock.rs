use super::support::{task, while_driving};
use crate::sync::{OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::sync::Arc;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn auto_traits() {
    assert_send_sync::<RwLock<u8>>();
    assert_send_sync::<RwLockReadGuard<'static, u8>>();
    assert_send_sync::<RwLockWriteGuard<'static, u8>>();
    assert_send_sync::<OwnedRwLockWriteGuard<u8>>();
}

#[test]
fn readers_share_writer_excludes() {
    let l = RwLock::new(1);
    let r1 = l.try_read().unwrap();
    let r2 = task(l.read()).ready();
    assert!(l.try_write().is_err());
    let mut w = task(l.write());
    w.pending();
    drop(r1);
    assert!(!w.is_woken());
    drop(r2);
    assert!(w.is_woken());
    let mut g = w.ready();
    *g = 2;
    assert!(l.try_read().is_err());
    drop(g);
    assert_eq!(*l.try_read().unwrap(), 2);
}

#[test]
fn queued_writer_blocks_new_readers() {
    let l = RwLock::new(0);
    let r = l.try_read().unwrap();
    let mut w = task(l.write());
    w.pending();
    // A reader arriving after the writer waits behind it (no writer starvation).
    assert!(l.try_read().is_err());
    let mut r2 = task(l.read());
    r2.pending();
    drop(r);
    assert!(w.is_woken());
    assert!(!r2.is_woken());
    drop(w.ready());
    assert!(r2.is_woken());
    drop(r2.ready());
}

#[test]
fn cancelled_writer_lets_readers_through() {
    let l = RwLock::new(0);
    let r = l.try_read().unwrap();
    let mut w = task(l.write());
    w.pending();
    let mut r2 = task(l.read());
    r2.pending();
    drop(w);
    assert!(r2.is_woken());
    drop(r2.ready());
    drop(r);
}

#[test]
fn downgrade_admits_readers_but_not_writers() {
    let l = RwLock::new(1);
    let mut w = l.try_write().unwrap();
    *w = 5;
    let mut r = task(l.read());
    r.pending();
    let mut w2 = task(l.write());
    w2.pending();
    let d = w.downgrade();
    assert!(r.is_woken());
    assert_eq!(*r.ready(), 5);
    assert_eq!(*d, 5);
    drop(d);
    assert!(w2.is_woken());
    drop(w2.ready());
}

#[test]
fn max_readers() {
    let l = RwLock::with_max_readers(0, 2);
    let a = l.try_read().unwrap();
    let _b = l.try_read().unwrap();
    assert!(l.try_read().is_err());
    let mut c = task(l.read());
    c.pending();
    drop(a);
    drop(c.ready());
}

#[test]
#[should_panic(expected = "at least one reader")]
fn zero_max_readers_panics() {
    let _ = RwLock::with_max_readers(0, 0);
}

#[test]
#[should_panic(expected = "more than")]
fn too_many_max_readers_panics() {
    let _ = RwLock::with_max_readers(0, u32::MAX);
}

#[test]
fn mapping_and_owned_guards() {
    let l = Arc::new(RwLock::new((1, 2)));
    {
        let r = RwLockReadGuard::map(l.try_read().unwrap(), |p| &p.1);
        assert_eq!(*r, 2);
        let w = l.try_write();
        assert!(w.is_err());
    }
    {
        let w = l.try_write().unwrap();
        let mut m = RwLockWriteGuard::map(w, |p| &mut p.0);
        *m = 10;
        assert!(l.try_read().is_err());
    }
    {
        let w = l.try_write().unwrap();
        let r = RwLockWriteGuard::downgrade_map(w, |p| &p.0);
        assert_eq!(*r, 10);
        assert!(l.try_read().is_ok());
        assert!(l.try_write().is_err());
    }
    {
        let w = l.clone().try_write_owned().unwrap();
        let mut m = OwnedRwLockWriteGuard::map(w, |p| &mut p.1);
        *m = 20;
    }
    {
        let w = l.clone().try_write_owned().unwrap();
        let r = w.downgrade();
        assert_eq!(*r, (10, 20));
        let r2 = crate::sync::OwnedRwLockReadGuard::map(r, |p| &p.0);
        assert_eq!(*r2, 10);
        assert!(l.try_write().is_err());
    }
    let mut t = task(l.clone().read_owned());
    assert_eq!(t.ready().1, 20);
    assert_eq!(*l.try_write().unwrap(), (10, 20));
}

#[test]
#[should_panic(expected = "RwLock::blocking_write")]
fn blocking_write_inside_runtime_panics() {
    let l = RwLock::new(0);
    while_driving(|| drop(l.blocking_write()));
}

#[test]
fn blocking_read_write_from_threads() {
    let l = Arc::new(RwLock::new(0));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let l = l.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    *l.blocking_write() += 1;
                    let _ = *l.blocking_read();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*l.blocking_read(), 3000);
}
