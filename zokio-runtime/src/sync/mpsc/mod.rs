//! Multi-producer, single-consumer FIFO channels.
//!
//! [`channel`] creates a bounded channel whose senders wait while it is full
//! (backpressure); [`unbounded_channel`] creates one whose senders never wait.
//! Clone the sender for more producers. The receiver yields values in the
//! order they were sent (per sender, and in push order across senders), and
//! returns `None` once every sender is gone and the queue is drained.
//!
//! Both receivers implement [`futures_core::Stream`].
//!
//! ```
//! use zokio::sync::mpsc;
//!
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let (tx, mut rx) = mpsc::channel(16);
//! zokio::task::spawn(async move {
//!     for i in 0..10 {
//!         tx.send(i).await.unwrap();
//!     }
//! });
//! let mut sum = 0;
//! while let Some(i) = rx.recv().await {
//!     sum += i;
//! }
//! assert_eq!(sum, 45);
//! # });
//! ```
//!
//! Calling `blocking_send`/`blocking_recv` from synchronous threads lets a
//! channel connect async code with plain threads; from inside a runtime they
//! panic.
//!
//! # Protocol
//!
//! One `Chan` allocation is shared by all handles. It holds a mutex-protected
//! `Shared { queue, rx_waker, tx_closed, rx_closed, rx_dropped }`, the sender
//! counts, and for a bounded channel a `batch_semaphore` of `bound` permits.
//!
//! 1. **Queue and wake-up.** Every push, every registration of the receiver's
//!    waker and every change of the closed flags happens under the mutex. A
//!    pusher takes `rx_waker` in the same critical section as its push and wakes
//!    it after unlocking; the receiver checks the queue and the flags and
//!    registers its waker in one critical section. So a push either lands
//!    before the receiver's check (it sees the value) or after its
//!    registration (the pusher finds the waker): no lost wake-up. The receiver
//!    keeps a private batch: when it runs dry it swaps the whole shared queue
//!    into it, so one lock serves many values, and neither buffer allocates
//!    once grown.
//! 2. **Capacity.** A bounded sender takes a permit before pushing (`send` is
//!    `reserve` + `Permit::send`) and the receiver releases it when a value
//!    leaves the channel (including the private batch). So at most `bound`
//!    values are queued or reserved, and waiting senders are served FIFO by the
//!    semaphore, with its cancellation guarantees.
//! 3. **Closing the receiver.** `close` (and dropping the receiver) sets
//!    `rx_closed` under the mutex, closes the semaphore (failing waiting and
//!    future reservations) and wakes `Sender::closed` waiters. Values already
//!    queued stay receivable, and so do values sent through permits reserved
//!    before the close; so after a close `recv` returns `None` only once the
//!    queue is empty *and* every permit is back. A permit dropped unused wakes
//!    the receiver when the channel is closed, because it may be the last one.
//!    A dropped receiver drains the queue, and later pushes drop their value.
//! 4. **Closing the senders.** `tx_count` counts strong senders; the last one
//!    to go sets `tx_closed` under the mutex and wakes the receiver. A
//!    `WeakSender` upgrades by CAS only while `tx_count > 0`, so the count never
//!    leaves 0 once it reached it.

mod bounded;
mod chan;
pub mod error;
mod unbounded;

pub use self::bounded::{
    channel, OwnedPermit, Permit, PermitIterator, Receiver, Sender, WeakSender,
};
pub use self::unbounded::{
    unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender,
};
