//! Loom models of the watch channel.

use super::support::{block_on, spawn};
use crate::loom::model;
use crate::sync::watch;

#[test]
fn loom_watch_send_vs_changed() {
    model(|| {
        let (tx, mut rx) = watch::channel(0);
        let th = spawn(move || {
            tx.send(1).unwrap();
        });
        // Either the change is seen, or the sender's drop closes the channel
        // after it: in both cases the final value is 1.
        let _ = block_on(rx.changed());
        assert_eq!(*rx.borrow_and_update(), 1);
        th.join().unwrap();
    });
}
