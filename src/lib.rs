//! # Zokio
//!
//! A multi-threaded async runtime for Rust in the mould of Tokio: a
//! [`runtime::Builder`]-constructed [`runtime::Runtime`] owns a work-stealing
//! scheduler, drivers and a blocking pool, used through [`spawn`],
//! [`runtime::Runtime::block_on`], [`task::JoinHandle`],
//! [`task::spawn_blocking`] and `#[zokio::main]`.
//!
//! A Tokio program ports by renaming the crate.
//!
//! ```
//! let rt = zokio::runtime::Runtime::new().unwrap();
//! let answer = rt.block_on(async {
//!     let handle = zokio::spawn(async { 6 * 7 });
//!     handle.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```
//!
//! ## Features
//!
//! Unlike Tokio, every feature but `test-util` is on by default; trim with
//! `default-features = false`.
//!
//! | feature | what it turns on |
//! |---|---|
//! | `rt` | the current-thread runtime, `spawn`, `task`, the blocking pool |
//! | `rt-multi-thread` | the work-stealing multi-thread runtime |
//! | `net` | `zokio::net` (TCP, UDP, Unix sockets) |
//! | `fs` | `zokio::fs`, on the blocking pool |
//! | `time` | `zokio::time` |
//! | `sync` | `zokio::sync` (channels, locks, `Notify`, ...) |
//! | `macros` | `#[zokio::main]`, `#[zokio::test]`, `select!`, `join!`, `try_join!`, `pin!` |
//! | `io-util`, `io-std` | the io extension traits and stdio handles |
//! | `full` | all of the above |
//! | `test-util` | the paused clock (`time::pause`, `advance`) |
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod runtime {
    //! The runtime: [`Builder`], [`Runtime`], [`Handle`] and metrics.
    pub use zokio_runtime::runtime::*;
}

pub mod task {
    //! Asynchronous green threads: spawning, joining, aborting, yielding.
    pub use zokio_runtime::task::*;
}

pub use zokio_runtime::task::spawn;
pub use zokio_runtime::task_local;

#[cfg(feature = "sync")]
pub use zokio_runtime::sync;

#[cfg(feature = "time")]
pub use zokio_runtime::time;

pub use zokio_runtime::io;

#[cfg(feature = "net")]
pub use zokio_net as net;

#[cfg(feature = "fs")]
pub use zokio_fs as fs;

#[cfg(feature = "macros")]
mod macros;

#[cfg(feature = "macros")]
#[doc(hidden)]
pub use macros::support as __macro_support;

#[cfg(feature = "macros")]
pub use zokio_macros::{main, test};
