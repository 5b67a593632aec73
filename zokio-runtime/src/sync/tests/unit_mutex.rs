use super::support::{task, while_driving};
use crate::sync::{Mutex, MutexGuard, OwnedMutexGuard};
use std::sync::Arc;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn auto_traits() {
    assert_send_sync::<Mutex<u8>>();
    assert_send_sync::<MutexGuard<'static, u8>>();
    assert_send_sync::<OwnedMutexGuard<u8>>();
    fn is_send<T: Send>(_: &T) {}
    let m = Mutex::new(1);
    is_send(&m.lock());
}

#[test]
fn lock_unlock() {
    let m = Mutex::new(1);
    {
        let mut g = task(m.lock()).ready();
        *g += 1;
        assert!(m.try_lock().is_err());
    }
    assert_eq!(*m.try_lock().unwrap(), 2);
    assert_eq!(m.into_inner(), 2);
}

#[test]
fn waiters_get_the_lock_in_fifo_order() {
    let m = Mutex::new(Vec::new());
    let g = m.try_lock().unwrap();
    let mut tasks: Vec<_> = (0..3)
        .map(|i| {
            let m = &m;
            task(async move { m.lock().await.push(i) })
        })
        .collect();
    for t in &mut tasks {
        t.pending();
    }
    drop(g);
    for (i, t) in tasks.iter_mut().enumerate() {
        assert!(t.is_woken(), "waiter {i} should be next");
        t.ready();
    }
    assert_eq!(*m.try_lock().unwrap(), [0, 1, 2]);
}

#[test]
fn cancelled_waiter_passes_the_lock_on() {
    let m = Mutex::new(0);
    let g = m.try_lock().unwrap();
    let mut a = task(m.lock());
    let mut b = task(m.lock());
    a.pending();
    b.pending();
    drop(g);
    assert!(a.is_woken());
    drop(a); // granted but never observed
    assert!(b.is_woken());
    drop(b.ready());
}

#[test]
fn try_lock_does_not_jump_the_queue() {
    let m = Mutex::new(0);
    let g = m.try_lock().unwrap();
    let mut a = task(m.lock());
    a.pending();
    drop(g);
    assert!(m.try_lock().is_err(), "the lock was handed to the waiter");
    drop(a.ready());
}

#[test]
fn mapped_guards() {
    let m = Mutex::new((1, String::from("a")));
    {
        let g = m.try_lock().unwrap();
        assert!(std::ptr::eq(MutexGuard::mutex(&g), &m));
        let mut s = MutexGuard::map(g, |p| &mut p.1);
        s.push('b');
        let mut s2 = crate::sync::MappedMutexGuard::map(s, |s| s);
        s2.push('c');
        assert!(m.try_lock().is_err());
    }
    let g = m.try_lock().unwrap();
    let g = MutexGuard::try_map(g, |_| None::<&mut u8>).unwrap_err();
    assert_eq!(g.1, "abc");
    drop(g);
    let m = Arc::new(m);
    let og = m.clone().try_lock_owned().unwrap();
    let mut first = OwnedMutexGuard::map(og, |p| &mut p.0);
    *first = 7;
    assert!(m.try_lock().is_err());
    drop(first);
    assert_eq!(m.try_lock().unwrap().0, 7);
}

#[test]
fn owned_lock_waits() {
    let m = Arc::new(Mutex::new(0));
    let g = m.clone().try_lock_owned().unwrap();
    let mut t = task(m.clone().lock_owned());
    t.pending();
    drop(g);
    *t.ready() = 3;
    assert_eq!(*m.try_lock().unwrap(), 3);
}

#[test]
fn blocking_lock_from_thread() {
    let m = Arc::new(Mutex::new(0));
    let g = m.try_lock().unwrap();
    let m2 = m.clone();
    let th = std::thread::spawn(move || *m2.blocking_lock() += 1);
    std::thread::sleep(std::time::Duration::from_millis(20));
    drop(g);
    th.join().unwrap();
    assert_eq!(*m.blocking_lock(), 1);
}

#[test]
#[should_panic(expected = "Mutex::blocking_lock")]
fn blocking_lock_inside_runtime_panics() {
    let m = Mutex::new(0);
    while_driving(|| drop(m.blocking_lock()));
}

#[test]
fn debug_and_display() {
    let m = Mutex::new(5);
    assert_eq!(format!("{m:?}"), "Mutex { data: 5 }");
    let g = m.try_lock().unwrap();
    assert_eq!(format!("{m:?}"), "Mutex { data: <locked> }");
    assert_eq!(format!("{g} {g:?}"), "5 5");
}

#[test]
fn threads_stress() {
    let m = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                for _ in 0..5000 {
                    crate::park_thread::block_on(async { *m.lock().await += 1 });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*m.try_lock().unwrap(), 20000);
}
