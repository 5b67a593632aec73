//! Whole-file reads, read-only opens and metadata lookups served on the worker when the
//! kernel can answer from its caches (Linux), with the blocking pool as the
//! fallback: see [`nowait`](crate::nowait) for the calls and their promise.
//!
//! Invariants:
//! - The result is what the pool's `std` call would give: the same bytes,
//!   the same errors with the same kinds. Anything the caches cannot answer
//!   is handed to the pool at the point it was reached (an opened file and
//!   the bytes read so far move to the pool call, which reads on).
//! - At most [`IN_PLACE_LIMIT`] bytes (plus a probe for the end) are read
//!   on the worker per call, so a large cached file does not hold a worker
//!   for long; the rest is read on the pool.
//! - A call that does its work in place spends one unit of the task's
//!   cooperative budget, so a loop of cached reads still yields. The unit
//!   is settled (spent or given back) before any `.await`.

use crate::asyncify;
use crate::nowait::{self, Attempt};
use std::fs::Metadata;
use std::future::poll_fn;
use std::io::{self, Read};
use std::path::Path;
use zokio_runtime::io_support::poll_take_budget;

/// The most bytes one call reads on the worker (the `File` buffer's
/// default size).
const IN_PLACE_LIMIT: usize = 2 * 1024 * 1024;

/// Bytes asked for beyond the expected size, to see the end of the file
/// (or that it grew) in the same pass.
const PROBE: usize = 32;

/// The smallest read once the size hint is used up (the file grew, or its
/// size was not known): reads then double.
const MIN_CHUNK: usize = 8 * 1024;

/// `std::fs::read`, in place when the caches allow.
pub(crate) async fn read(path: &Path) -> io::Result<Vec<u8>> {
    let unit = poll_fn(poll_take_budget).await;
    let (file, size) = match nowait::open_cached(path) {
        Attempt::Done(Ok(opened)) => opened,
        Attempt::Done(Err(e)) => {
            unit.spend();
            return Err(e);
        }
        Attempt::UsePool | Attempt::Unsupported => {
            drop(unit);
            let path = path.to_owned();
            return asyncify(move || std::fs::read(path)).await;
        }
    };
    let expected = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_add(PROBE);
    let mut data = Vec::new();
    while data.len() < IN_PLACE_LIMIT + PROBE {
        let hinted = expected.saturating_sub(data.len());
        let chunk = hinted
            .max(data.len())
            .max(MIN_CHUNK)
            .min(IN_PLACE_LIMIT + PROBE - data.len());
        match nowait::read_append(&file, &mut data, chunk) {
            Attempt::Done(Ok(0)) => {
                unit.spend();
                return Ok(data);
            }
            Attempt::Done(Ok(_)) => {}
            Attempt::Done(Err(e)) => {
                unit.spend();
                return Err(e);
            }
            Attempt::UsePool | Attempt::Unsupported => break,
        }
    }
    // Not cached, or too large to finish here: the pool reads on from the
    // file's position, on a blocking descriptor as `std` would.
    unit.spend();
    nowait::make_blocking(&file)?;
    asyncify(move || {
        (&file).read_to_end(&mut data)?;
        Ok(data)
    })
    .await
}

/// `File::open` (read-only), in place when the caches allow; `None` means
/// "open it on the pool".
pub(crate) async fn open(path: &Path) -> Option<io::Result<std::fs::File>> {
    let unit = poll_fn(poll_take_budget).await;
    match nowait::open_cached(path) {
        Attempt::Done(res) => {
            unit.spend();
            Some(res.and_then(|(file, _)| nowait::make_blocking(&file).map(|()| file)))
        }
        Attempt::UsePool | Attempt::Unsupported => None,
    }
}

/// `std::fs::metadata` (`follow`) or `std::fs::symlink_metadata`, in place
/// when the caches allow.
pub(crate) async fn metadata(path: &Path, follow: bool) -> io::Result<Metadata> {
    let unit = poll_fn(poll_take_budget).await;
    match nowait::metadata_cached(path, follow) {
        Attempt::Done(res) => {
            unit.spend();
            res
        }
        Attempt::UsePool | Attempt::Unsupported => {
            drop(unit);
            let path = path.to_owned();
            asyncify(move || {
                if follow {
                    std::fs::metadata(path)
                } else {
                    std::fs::symlink_metadata(path)
                }
            })
            .await
        }
    }
}
