//! Loom models of the broadcast channel.

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::sync::broadcast::{self, error::RecvError};

#[test]
fn loom_broadcast_send_then_close() {
    model(|| {
        let (tx, mut rx) = broadcast::channel(2);
        let th = spawn(move || {
            tx.send(1).unwrap();
        });
        assert_eq!(block_on(rx.recv()), Ok(1));
        assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
        th.join().unwrap();
    });
}

#[test]
fn loom_broadcast_two_receivers() {
    model(|| {
        let (tx, mut rx1) = broadcast::channel(1);
        let mut rx2 = tx.subscribe();
        let th = spawn(move || block_on(rx2.recv()));
        tx.send(7).unwrap();
        assert_eq!(block_on(rx1.recv()), Ok(7));
        assert_eq!(th.join().unwrap(), Ok(7));
    });
}
