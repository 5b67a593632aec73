//! The blocking pool: threads for `spawn_blocking`, and the threads the
//! multi-thread scheduler's workers run on.
//!
//! Threads start on demand, up to `max_blocking_threads` for blocking tasks
//! (worker threads come on top), take jobs from one FIFO queue, and exit
//! after `thread_keep_alive` without work. See `pool.rs` for the protocol.

mod pool;
mod task;

pub(crate) use self::pool::{BlockingPool, Spawner, ThreadConfig};
