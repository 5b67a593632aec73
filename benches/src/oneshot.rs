//! A minimal oneshot channel that works on any runtime.
//!
//! `ping_pong` uses it on Zokio, Tokio and smol alike, so the comparison
//! measures the schedulers (spawn, wake, run) and not three different
//! channel implementations. It is one allocation (an `Arc` of a small
//! mutex-guarded slot), like Tokio's oneshot; the mutex is never contended
//! for long because each side takes it once or twice.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

struct Slot<T> {
    value: Option<T>,
    waker: Option<Waker>,
    sender_alive: bool,
    receiver_alive: bool,
}

/// Creates a connected sender and receiver.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let slot = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
        sender_alive: true,
        receiver_alive: true,
    }));
    (Sender { slot: slot.clone() }, Receiver { slot })
}

/// The sending half; [`Sender::send`] consumes it.
pub struct Sender<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// The receiving half: a future of the sent value, or [`RecvError`] if the
/// sender was dropped without sending.
pub struct Receiver<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

/// The sender was dropped without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver; gives it back if the receiver is
    /// gone.
    pub fn send(self, value: T) -> Result<(), T> {
        let waker = {
            let mut slot = self.slot.lock().unwrap();
            if !slot.receiver_alive {
                return Err(value);
            }
            slot.value = Some(value);
            slot.waker.take()
        };
        // Wake outside the lock so the woken task never blocks on it.
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = self.slot.lock().unwrap();
            slot.sender_alive = false;
            slot.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.lock().unwrap();
        if let Some(v) = slot.value.take() {
            return Poll::Ready(Ok(v));
        }
        if !slot.sender_alive {
            return Poll::Ready(Err(RecvError));
        }
        match &mut slot.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            other => *other = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.slot.lock().unwrap().receiver_alive = false;
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_then_receive() {
        let (tx, rx) = channel();
        tx.send(7).unwrap();
        assert_eq!(futures_lite::future::block_on(rx), Ok(7));
    }

    #[test]
    fn receive_across_threads() {
        let (tx, rx) = channel();
        let t = std::thread::spawn(move || tx.send("hi").unwrap());
        assert_eq!(futures_lite::future::block_on(rx), Ok("hi"));
        t.join().unwrap();
    }

    #[test]
    fn dropped_sender_and_receiver() {
        let (tx, rx) = channel::<u8>();
        drop(tx);
        assert_eq!(futures_lite::future::block_on(rx), Err(RecvError));
        let (tx, rx) = channel();
        drop(rx);
        assert_eq!(tx.send(1), Err(1));
    }
}
