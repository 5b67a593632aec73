//! Linux fast paths: file calls tried in place, on the worker, with the
//! kernel's promise not to block; the blocking pool takes over when it
//! cannot keep that promise.
//!
//! - [`read`] is `preadv2(.., offset -1, RWF_NOWAIT)`: a read at the file
//!   position that the kernel serves only from the page cache. Data not
//!   cached gives `EAGAIN`; a file system without non-blocking reads gives
//!   `EOPNOTSUPP` (then the caller stops asking for that file).
//! - [`open_cached`] is `openat2(.., RESOLVE_CACHED)` for a read-only open:
//!   the kernel resolves the path only from its dentry cache, else
//!   `EAGAIN`. `O_NONBLOCK` keeps a FIFO (waiting for a writer) or a file
//!   lease (waiting for its break) from blocking the open; anything but a
//!   regular file (asked with `AT_STATX_DONT_SYNC`, so a network file
//!   system is not consulted) is closed again and left to the pool.
//!
//! Invariants:
//! - Nothing here waits: a call that could is answered with
//!   [`Attempt::UsePool`] or [`Attempt::Unsupported`], and the caller does
//!   the work on the pool exactly as it would have without this module, so
//!   results (data, errors and their kinds, the file position) are the same
//!   either way.
//! - A kernel or sandbox without `openat2` (`ENOSYS`, or `EPERM` from a
//!   seccomp filter) or without `RESOLVE_CACHED` (`EINVAL` before 5.12) is
//!   remembered process-wide and never asked again.
//! - A regular file's descriptor handed to the user is the one `open(2)`
//!   with `O_RDONLY | O_CLOEXEC` would give: `O_NONBLOCK` is cleared again
//!   (a descriptor only read and closed here keeps it).

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::{AsRawFd, FromRawFd};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// What an in-place attempt came to.
#[derive(Debug)]
pub(crate) enum Attempt<T> {
    /// Done: the result is final (an error too; the pool would have given
    /// the same one).
    Done(io::Result<T>),
    /// It would have blocked this time: do it on the pool.
    UsePool,
    /// The kernel or file system cannot do it without blocking: do it on the
    /// pool, and do not ask again.
    Unsupported,
}

/// Set once `openat2` with `RESOLVE_CACHED` turned out to be unavailable.
static OPEN_UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// Reads into `dst` at `file`'s position, from the page cache only.
pub(crate) fn read(file: &File, dst: &mut [u8]) -> Attempt<usize> {
    // SAFETY: `dst` is live and writable for `dst.len()` bytes.
    unsafe { read_raw(file, dst.as_mut_ptr(), dst.len()) }
}

/// Reads up to `max` more bytes at `file`'s position onto the end of
/// `data`, from the page cache only.
pub(crate) fn read_append(file: &File, data: &mut Vec<u8>, max: usize) -> Attempt<usize> {
    data.reserve(max);
    let spare = data.spare_capacity_mut();
    let len = std::cmp::min(spare.len(), max);
    // SAFETY: the spare capacity is live and writable for `len` bytes; the
    // kernel only writes into it.
    let res = unsafe { read_raw(file, spare.as_mut_ptr().cast(), len) };
    if let Attempt::Done(Ok(n)) = res {
        // SAFETY: the kernel initialized the first `n <= len` spare bytes.
        unsafe { data.set_len(data.len() + n) };
    }
    res
}

/// `preadv2(fd, [ptr..ptr + len], -1, RWF_NOWAIT)`.
///
/// # Safety
///
/// `ptr` must be valid for writes of `len` bytes for the whole call.
unsafe fn read_raw(file: &File, ptr: *mut u8, len: usize) -> Attempt<usize> {
    let iov = libc::iovec {
        iov_base: ptr.cast(),
        iov_len: len,
    };
    // SAFETY: `iov` describes memory the caller keeps writable for the
    // call; `file` keeps the descriptor open until it returns.
    let n = unsafe { libc::preadv2(file.as_raw_fd(), &iov, 1, -1, libc::RWF_NOWAIT) };
    if n >= 0 {
        return Attempt::Done(Ok(n as usize));
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EINTR) => Attempt::UsePool,
        // No RWF_NOWAIT for this file (EOPNOTSUPP), no preadv2 (ENOSYS),
        // or flags the kernel does not know (EINVAL, before 4.14); a real
        // EINVAL (an O_DIRECT alignment, say) comes back from the pool.
        Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) | Some(libc::EINVAL) => Attempt::Unsupported,
        _ => Attempt::Done(Err(e)),
    }
}

/// Opens `path` read-only if the kernel can resolve it from its caches and
/// it is a regular file. With `for_user`, the descriptor is made blocking
/// again, as `File::open` gives it (for a regular file `O_NONBLOCK` changes
/// nothing the kernel does, so an internal descriptor keeps it). Also
/// returns the size the kernel has at hand (a hint: the file may change).
pub(crate) fn open_cached(path: &Path, for_user: bool) -> Attempt<(File, u64)> {
    if OPEN_UNSUPPORTED.load(Relaxed) {
        return Attempt::Unsupported;
    }
    let Ok(cpath) = CString::new(path.as_os_str().as_bytes()) else {
        // The pool's `open` reports the NUL byte as std words it.
        return Attempt::UsePool;
    };
    // SAFETY: an all-zero `open_how` is a valid value (no flags, no mode).
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK) as u64;
    how.resolve = libc::RESOLVE_CACHED;
    // SAFETY: `cpath` is a NUL-terminated string and `how` a valid
    // `open_how` whose size is passed; both outlive the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            cpath.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::EAGAIN) | Some(libc::EINTR) => Attempt::UsePool,
            Some(libc::ENOSYS) | Some(libc::EPERM) | Some(libc::EINVAL) | Some(libc::E2BIG) => {
                // EPERM here is a sandbox refusing the syscall; a real
                // permission problem is EACCES.
                OPEN_UNSUPPORTED.store(true, Relaxed);
                Attempt::Unsupported
            }
            _ => Attempt::Done(Err(e)),
        };
    }
    // SAFETY: `openat2` just returned this descriptor, and nothing else
    // owns it.
    let file = unsafe { File::from_raw_fd(fd as libc::c_int) };
    let Some(size) = regular_file_size(&file) else {
        // A FIFO, a device or a directory: the pool opens it properly.
        return Attempt::UsePool;
    };
    if !for_user {
        return Attempt::Done(Ok((file, size)));
    }
    // SAFETY: `file` owns an open descriptor for the duration of the call.
    let cleared = unsafe {
        let flags = libc::fcntl(file.as_raw_fd(), libc::F_GETFL);
        flags >= 0 && libc::fcntl(file.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
    };
    if !cleared {
        return Attempt::UsePool;
    }
    Attempt::Done(Ok((file, size)))
}

/// `file`'s size if it is a regular file, from the attributes the kernel
/// has at hand (`AT_STATX_DONT_SYNC`: a network file system is not asked).
fn regular_file_size(file: &File) -> Option<u64> {
    // SAFETY: an all-zero `statx` is a valid value for the kernel to fill.
    let mut stx: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: the empty path with `AT_EMPTY_PATH` names the open
    // descriptor itself, and `stx` is a live, writable `statx`.
    let rc = unsafe {
        libc::statx(
            file.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_EMPTY_PATH | libc::AT_STATX_DONT_SYNC,
            libc::STATX_TYPE | libc::STATX_SIZE,
            &mut stx,
        )
    };
    let regular = rc == 0 && u32::from(stx.stx_mode) & libc::S_IFMT == libc::S_IFREG;
    regular.then_some(stx.stx_size)
}
