//! Loom models of the mpsc channel: queue hand-off, wake-up, closing.

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::sync::mpsc;

#[test]
fn loom_mpsc_two_senders_bounded() {
    model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let tx2 = tx.clone();
        let a = spawn(move || block_on(tx.send(1)).unwrap());
        let b = spawn(move || block_on(tx2.send(2)).unwrap());
        let mut sum = 0;
        block_on(async {
            while let Some(v) = rx.recv().await {
                sum += v;
            }
        });
        assert_eq!(sum, 3);
        a.join().unwrap();
        b.join().unwrap();
    });
}

#[test]
fn loom_mpsc_unbounded_order() {
    model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let th = spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        });
        let got = block_on(async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        assert_eq!(got, [1, 2]);
        th.join().unwrap();
    });
}

#[test]
fn loom_mpsc_close_vs_waiting_send() {
    model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        let th = spawn(move || block_on(tx.send(2)).map_err(|e| e.0));
        rx.close();
        let first = block_on(rx.recv());
        assert_eq!(first, Some(1));
        let second = block_on(rx.recv());
        let sent = th.join().unwrap();
        // The second send either got a slot before the close (and must be
        // received) or failed.
        match sent {
            Ok(()) => assert_eq!(second, Some(2)),
            Err(v) => assert_eq!((v, second), (2, None)),
        }
    });
}

#[test]
fn loom_mpsc_permit_drop_wakes_closed_receiver() {
    model(|| {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let permit_holder = spawn(move || {
            let permit = tx.try_reserve().ok();
            drop(permit);
            drop(tx);
        });
        rx.close();
        assert_eq!(block_on(rx.recv()), None);
        permit_holder.join().unwrap();
    });
}
