use super::support::task;
use crate::sync::watch;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn auto_traits() {
    assert_send_sync::<watch::Sender<u8>>();
    assert_send_sync::<watch::Receiver<u8>>();
    fn is_send<T: Send>(_: &T) {}
    let (_tx, mut rx) = watch::channel(0u8);
    is_send(&rx.changed());
    is_send(&rx.wait_for(|_| true));
}

#[test]
fn initial_value_is_seen() {
    let (_tx, rx) = watch::channel(1);
    assert_eq!(*rx.borrow(), 1);
    assert!(!rx.borrow().has_changed());
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn changed_waits_for_send() {
    let (tx, mut rx) = watch::channel(0);
    let mut t = task(async move {
        rx.changed().await.unwrap();
        let v = *rx.borrow_and_update();
        (v, rx)
    });
    t.pending();
    tx.send(5).unwrap();
    assert!(t.is_woken());
    let (v, rx) = t.ready();
    assert_eq!(v, 5);
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn intermediate_values_are_skipped() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    task(rx.changed()).ready().unwrap();
    assert_eq!(*rx.borrow_and_update(), 2);
    task(rx.changed()).pending();
}

#[test]
fn closed_sender_errors_after_last_change() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    drop(tx);
    assert!(rx.has_changed().is_err());
    task(rx.changed()).ready().unwrap();
    assert!(task(rx.changed()).ready().is_err());
    let mut t = task(rx.changed());
    assert!(t.ready().is_err());
}

#[test]
fn dropping_sender_wakes_waiter() {
    let (tx, mut rx) = watch::channel(0);
    let mut t = task(rx.changed());
    t.pending();
    drop(tx);
    assert!(t.is_woken());
    assert!(t.ready().is_err());
}

#[test]
fn send_fails_without_receivers_but_modify_works() {
    let (tx, rx) = watch::channel(0);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(1).unwrap_err().0, 1);
    assert_eq!(*tx.borrow(), 0);
    tx.send_modify(|v| *v = 2);
    assert_eq!(tx.send_replace(3), 2);
    let rx = tx.subscribe();
    assert_eq!(*rx.borrow(), 3);
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(rx.has_changed(), Ok(false));
    assert!(tx.send_if_modified(|v| {
        *v = 4;
        true
    }));
    assert_eq!(rx.has_changed(), Ok(true));
}

#[test]
fn mark_changed_and_unchanged() {
    let (_tx, mut rx) = watch::channel(0);
    rx.mark_changed();
    assert_eq!(rx.has_changed(), Ok(true));
    task(rx.changed()).ready().unwrap();
    rx.mark_changed();
    rx.mark_unchanged();
    task(rx.changed()).pending();
}

#[test]
fn wait_for_checks_current_then_changes() {
    let (tx, mut rx) = watch::channel(3);
    assert_eq!(*task(rx.wait_for(|v| *v == 3)).ready().unwrap(), 3);
    let mut t = task(async move {
        let v = *rx.wait_for(|v| *v > 10).await.unwrap();
        v
    });
    t.pending();
    tx.send(5).unwrap();
    assert!(t.is_woken());
    t.pending();
    tx.send(11).unwrap();
    assert_eq!(t.ready(), 11);
}

#[test]
fn wait_for_errors_when_closed() {
    let (tx, mut rx) = watch::channel(0);
    let mut t = task(async move { rx.wait_for(|v| *v == 1).await.is_err() });
    t.pending();
    drop(tx);
    assert!(t.ready());
}

#[test]
fn sender_closed_future_and_counts() {
    let (tx, rx) = watch::channel(0);
    let rx2 = rx.clone();
    assert_eq!(tx.receiver_count(), 2);
    let tx2 = tx.clone();
    assert_eq!(tx.sender_count(), 2);
    drop(tx2);
    let mut c = task(tx.closed());
    c.pending();
    drop(rx);
    c.pending();
    drop(rx2);
    assert!(c.is_woken());
    c.ready();
}

#[test]
fn borrows_from_sender_and_receivers_coexist() {
    let (tx, rx) = watch::channel(1);
    let rx2 = rx.clone();
    let a = tx.borrow();
    let b = rx.borrow();
    let c = rx2.borrow();
    assert_eq!(*a + *b + *c, 3);
}

#[test]
fn blocking_changed_from_thread() {
    let (tx, mut rx) = watch::channel(0);
    let th = std::thread::spawn(move || {
        rx.blocking_changed().unwrap();
        *rx.borrow()
    });
    std::thread::sleep(std::time::Duration::from_millis(10));
    tx.send(7).unwrap();
    assert_eq!(th.join().unwrap(), 7);
}
