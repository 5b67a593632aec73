//! Asynchronous filesystem access for Zokio, as `zokio::fs`.
//!
//! Every operation runs the matching `std::fs` call on the runtime's
//! blocking pool (see `docs/fs.md`), so it works on every platform and
//! never blocks a worker. The API is Tokio's: [`File`], [`OpenOptions`],
//! [`DirBuilder`], [`ReadDir`] / [`DirEntry`] and one `async fn` per
//! `std::fs` function.
//!
//! Errors are the `std::io::Error`s of the underlying call, with their
//! [`std::io::ErrorKind`] intact.
//!
//! # Speed
//!
//! - [`File`] writes are accepted into a buffer and written in the
//!   background; while one write runs, further writes are gathered into a
//!   second buffer (up to the max buffer size, 2 MiB by default) and written
//!   by one call when the first ends, so a stream of small writes costs far
//!   fewer round trips to the pool than one per write.
//! - `SeekFrom::Start` and `SeekFrom::Current` seeks only move the file
//!   offset (no I/O), so they run in place instead of
//!   on the pool.
//! - [`ReadDir`] fetches entries in batches, one pool call per batch.
//! - On Linux, reads the kernel's caches can answer (`File` reads, [`read`],
//!   [`read_to_string`], [`File::open`], [`metadata`],
//!   [`symlink_metadata`], [`try_exists`]) run on the worker with its
//!   non-blocking flags (`RWF_NOWAIT`, `RESOLVE_CACHED`), on local disk
//!   file systems, and fall back to the pool when they cannot.
//!
//! # Examples
//!
//! ```
//! # zokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = std::env::temp_dir().join(format!("zokio-fs-doc-{}", std::process::id()));
//! zokio::fs::create_dir_all(&dir).await?;
//! let path = dir.join("hello.txt");
//! zokio::fs::write(&path, b"hello").await?;
//! assert_eq!(zokio::fs::read_to_string(&path).await?, "hello");
//! zokio::fs::remove_dir_all(&dir).await?;
//! # std::io::Result::Ok(())
//! # }).unwrap();
//! ```
#![deny(unsafe_code)]

mod dir_builder;
mod file;
#[cfg(target_os = "linux")]
mod in_place;
// Raw `preadv2`/`openat2`/`statx` calls, each with its SAFETY argument.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod nowait;
mod open_options;
mod ops;
mod read_dir;

pub use self::dir_builder::DirBuilder;
pub use self::file::File;
pub use self::open_options::OpenOptions;
#[cfg(unix)]
pub use self::ops::symlink;
pub use self::ops::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link,
    read_to_string, remove_dir, remove_dir_all, remove_file, rename, set_permissions,
    symlink_metadata, try_exists, write,
};
pub use self::read_dir::{read_dir, DirEntry, ReadDir};

use std::io;
use zokio_runtime::task::spawn_blocking;

/// Runs `f` on the blocking pool and returns its result; a failure of the
/// pool task itself (a panic, or the runtime shutting down) becomes an
/// `io::Error` of kind `Other`.
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match spawn_blocking(f).await {
        Ok(res) => res,
        Err(e) => Err(background_failed(&e)),
    }
}

/// The error reported when a pool task did not return.
pub(crate) fn background_failed(e: &zokio_runtime::task::JoinError) -> io::Error {
    io::Error::other(format!("background task failed: {e}"))
}
