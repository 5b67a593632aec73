//! Linux fast paths: file calls tried in place, on the worker, only where
//! the kernel promises not to wait; the blocking pool takes over wherever
//! it cannot keep that promise.
//!
//! - [`read_into`] and [`read_append`] are `preadv2(.., offset -1,
//!   RWF_NOWAIT)`: a read at the file position that the kernel serves only
//!   from the page cache. Data not cached gives `EAGAIN`.
//! - [`metadata_cached`] is `statx` on an `O_PATH` descriptor from
//!   `openat2(RESOLVE_CACHED)`, on the same file systems as below.
//! - [`open_cached`] opens a file read-only in three steps, each of which
//!   can only fail fast: an `O_PATH` descriptor from
//!   `openat2(RESOLVE_CACHED)` (the path is resolved only from the dentry
//!   cache, and an `O_PATH` open runs no file system or driver `open`); a
//!   look at that descriptor (`statx(AT_STATX_DONT_SYNC)`, `fstatfs`): a
//!   regular file on a local disk file system ([`in_place_fs`]); then the
//!   real open, with `O_NONBLOCK` (a file lease being broken makes it fail
//!   instead of wait), checked to be the same inode.
//!
//! Invariants:
//! - The results (data, errors and their kinds, the file position) are the
//!   same as the pool's `std` calls give: an attempt that cannot finish is
//!   answered with [`Attempt::UsePool`] or [`Attempt::Unsupported`] and the
//!   caller does the work on the pool from where it stopped.
//! - Only local disk and memory file systems are served in place (ext2/3/4,
//!   XFS, Btrfs, F2FS, tmpfs, overlayfs), never a network or FUSE file
//!   system, whose `open`/`read` may wait for a server; files opened with
//!   `O_DIRECT` (whose reads wait for the disk even with `RWF_NOWAIT`) are
//!   never read in place. What can still hold the worker briefly is what
//!   holds any syscall on a local file system (an fanotify permission
//!   listener, say).
//! - A kernel or sandbox without `openat2` or `RESOLVE_CACHED` (before
//!   5.12, or a seccomp filter) is remembered process-wide from the first
//!   `O_PATH` attempt and never asked again.
//! - Syscalls go through `libc::syscall`, so the binary needs no glibc
//!   newer than Rust's own minimum; `ENOSYS` means "not here".

use std::ffi::CString;
use std::fs::{File, Metadata};
use std::io;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use zokio_runtime::io::ReadBuf;

/// What an in-place attempt came to.
#[derive(Debug)]
pub(crate) enum Attempt<T> {
    /// Done: the result is final (an error too; the pool would have given
    /// the same one).
    Done(io::Result<T>),
    /// It would have waited this time: do it on the pool.
    UsePool,
    /// The kernel or file system cannot do it without waiting: do it on
    /// the pool, and do not ask again.
    Unsupported,
}

/// Set once `openat2` with `RESOLVE_CACHED` turned out to be unavailable.
static OPEN_UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// `f_type`s of the file systems served in place: ext2/3/4, XFS, Btrfs,
/// F2FS, tmpfs, overlayfs.
const IN_PLACE_FS: [u32; 6] = [
    0xEF53,
    0x5846_5342,
    0x9123_683E,
    0xF2F5_2010,
    0x0102_1994,
    0x794C_7630,
];

/// Whether `fd` lives on a file system whose reads and opens are served in
/// place (see [`IN_PLACE_FS`]).
fn in_place_fs(fd: libc::c_int) -> bool {
    // SAFETY: an all-zero `statfs` is a valid value for the kernel to fill.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is open for the call and `st` is live and writable.
    if unsafe { libc::fstatfs(fd, &mut st) } != 0 {
        return false;
    }
    // `f_type` is a signed long on most targets: compare the low 32 bits.
    IN_PLACE_FS.contains(&(st.f_type as u32))
}

/// Whether reads of `file` may be tried in place: a local file system (as
/// for opens) and no `O_DIRECT`.
pub(crate) fn file_reads_in_place(file: &File) -> bool {
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is open for the call; F_GETFL reads no memory of ours.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    flags >= 0 && flags & libc::O_DIRECT == 0 && in_place_fs(fd)
}

/// Reads into `dst`'s unfilled part (at most `max` bytes) at `file`'s
/// position, from the page cache only; on success the bytes are filled.
pub(crate) fn read_into(file: &File, dst: &mut ReadBuf<'_>, max: usize) -> Attempt<()> {
    // SAFETY: the kernel only writes into the unfilled part, and only the
    // `n` bytes it reports are then marked initialized and filled.
    unsafe {
        let unfilled = dst.unfilled_mut();
        let len = std::cmp::min(unfilled.len(), max);
        match read_raw(file, unfilled.as_mut_ptr(), len) {
            Attempt::Done(Ok(n)) => {
                dst.assume_init(n);
                dst.advance(n);
                Attempt::Done(Ok(()))
            }
            Attempt::Done(Err(e)) => Attempt::Done(Err(e)),
            Attempt::UsePool => Attempt::UsePool,
            Attempt::Unsupported => Attempt::Unsupported,
        }
    }
}

/// Reads up to `max` more bytes at `file`'s position onto the end of
/// `data`, from the page cache only.
pub(crate) fn read_append(file: &File, data: &mut Vec<u8>, max: usize) -> Attempt<usize> {
    data.reserve(max);
    let spare = data.spare_capacity_mut();
    let len = std::cmp::min(spare.len(), max);
    // SAFETY: the spare capacity is live and writable for `len` bytes; the
    // kernel only writes into it.
    let res = unsafe { read_raw(file, spare.as_mut_ptr(), len) };
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
unsafe fn read_raw(file: &File, ptr: *mut MaybeUninit<u8>, len: usize) -> Attempt<usize> {
    let iov = libc::iovec {
        iov_base: ptr.cast(),
        iov_len: len,
    };
    // The position is passed as two halves; -1 in both means "the file
    // position" on 32- and 64-bit kernels alike.
    // SAFETY: `iov` describes memory the caller keeps writable for the
    // call; `file` keeps the descriptor open until it returns.
    let n = unsafe {
        libc::syscall(
            libc::SYS_preadv2,
            file.as_raw_fd(),
            &iov as *const libc::iovec,
            1 as libc::c_int,
            -1 as libc::c_long,
            -1 as libc::c_long,
            libc::RWF_NOWAIT,
        )
    };
    if n >= 0 {
        return Attempt::Done(Ok(n as usize));
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EINTR) => Attempt::UsePool,
        // No RWF_NOWAIT for this file (EOPNOTSUPP), no preadv2 (ENOSYS),
        // or flags the kernel does not know (EINVAL, before 4.14); a real
        // EINVAL comes back from the pool.
        Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) | Some(libc::EINVAL) => Attempt::Unsupported,
        _ => Attempt::Done(Err(e)),
    }
}

/// `openat2(AT_FDCWD, path, flags, RESOLVE_CACHED)`.
fn openat2_cached(path: &CString, flags: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: an all-zero `open_how` is a valid value (no flags, no mode).
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC | libc::O_LARGEFILE) as u64;
    how.resolve = libc::RESOLVE_CACHED;
    // SAFETY: `path` is NUL-terminated and `how` a valid `open_how` whose
    // size is passed; both outlive the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            path.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `openat2` just returned this descriptor and nothing else
    // owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// Opens `path` read-only if the kernel can resolve it from its caches and
/// it is a regular file on an [`in_place_fs`]. The descriptor has
/// `O_NONBLOCK` set: call [`make_blocking`] before it reaches a caller or
/// the pool. Also returns the size the kernel has at hand (a hint: the
/// file may change).
pub(crate) fn open_cached(path: &Path) -> Attempt<(File, u64)> {
    if OPEN_UNSUPPORTED.load(Relaxed) {
        return Attempt::Unsupported;
    }
    let Ok(cpath) = CString::new(path.as_os_str().as_bytes()) else {
        // The pool's `open` reports the NUL byte as std words it.
        return Attempt::UsePool;
    };
    let probe = match openat2_cached(&cpath, libc::O_PATH) {
        Ok(fd) => fd,
        Err(e) => return open_error(e),
    };
    let Some((id, size)) = regular_file(probe.as_raw_fd()) else {
        // A FIFO, a device or a directory: the pool opens it properly.
        return Attempt::UsePool;
    };
    if !in_place_fs(probe.as_raw_fd()) {
        return Attempt::UsePool;
    }
    let file = match openat2_cached(&cpath, libc::O_RDONLY | libc::O_NONBLOCK) {
        Ok(fd) => File::from(fd),
        Err(e) => {
            return match e.raw_os_error() {
                // Read permission is checked only by this open.
                Some(libc::EACCES) => Attempt::Done(Err(e)),
                // Anything else (a lease, a race) is the pool's to answer.
                _ => Attempt::UsePool,
            };
        }
    };
    // The path may have been replaced between the two opens.
    match regular_file(file.as_raw_fd()) {
        Some((again, _)) if again == id => Attempt::Done(Ok((file, size))),
        _ => Attempt::UsePool,
    }
}

/// The metadata of `path` (of the link itself unless `follow`) if the
/// kernel can resolve it from its caches and it is on an [`in_place_fs`]:
/// an `O_PATH` descriptor (no file system `open` runs) and `statx` on it.
pub(crate) fn metadata_cached(path: &Path, follow: bool) -> Attempt<Metadata> {
    if OPEN_UNSUPPORTED.load(Relaxed) {
        return Attempt::Unsupported;
    }
    let Ok(cpath) = CString::new(path.as_os_str().as_bytes()) else {
        return Attempt::UsePool;
    };
    let flags = if follow {
        libc::O_PATH
    } else {
        libc::O_PATH | libc::O_NOFOLLOW
    };
    let fd = match openat2_cached(&cpath, flags) {
        Ok(fd) => fd,
        Err(e) => return open_error(e),
    };
    if !in_place_fs(fd.as_raw_fd()) {
        return Attempt::UsePool;
    }
    // `std`'s `File::metadata` is `statx(fd, "", AT_EMPTY_PATH)`, which
    // describes what an `O_PATH` descriptor names (a symlink too).
    Attempt::Done(File::from(fd).metadata())
}

/// What a failed `O_PATH` open with `RESOLVE_CACHED` means for the caller.
fn open_error<T>(e: io::Error) -> Attempt<T> {
    match e.raw_os_error() {
        Some(libc::EAGAIN) | Some(libc::EINTR) => Attempt::UsePool,
        // No openat2 (ENOSYS), a sandbox refusing it (EPERM: a real
        // permission problem is EACCES), or no RESOLVE_CACHED (EINVAL,
        // E2BIG).
        Some(libc::ENOSYS) | Some(libc::EPERM) | Some(libc::EINVAL) | Some(libc::E2BIG) => {
            OPEN_UNSUPPORTED.store(true, Relaxed);
            Attempt::Unsupported
        }
        // ENOENT, ENOTDIR, ELOOP, EACCES on a directory on the way,
        // ENAMETOOLONG: what `open` and `stat` would say too.
        _ => Attempt::Done(Err(e)),
    }
}

/// Clears the `O_NONBLOCK` that [`open_cached`] set, so the descriptor is
/// the one `open(2)` gives (some pseudo-files honour the flag).
pub(crate) fn make_blocking(file: &File) -> io::Result<()> {
    // F_SETFL can change only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME and
    // O_NONBLOCK, and `open_cached` set none of them but O_NONBLOCK.
    // SAFETY: the descriptor is open for the call; no memory is passed.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETFL, 0) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The identity (device and inode) and size of `fd` if it is a regular
/// file, from the attributes the kernel has at hand (`AT_STATX_DONT_SYNC`:
/// no server is asked).
fn regular_file(fd: libc::c_int) -> Option<((u32, u32, u64), u64)> {
    // SAFETY: an all-zero `statx` is a valid value for the kernel to fill.
    let mut stx: libc::statx = unsafe { std::mem::zeroed() };
    // SAFETY: the empty path with `AT_EMPTY_PATH` names the descriptor
    // itself (an `O_PATH` one too), and `stx` is live and writable.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_statx,
            fd,
            c"".as_ptr(),
            libc::AT_EMPTY_PATH | libc::AT_STATX_DONT_SYNC,
            libc::STATX_TYPE | libc::STATX_INO | libc::STATX_SIZE,
            &mut stx as *mut libc::statx,
        )
    };
    let regular = rc == 0 && u32::from(stx.stx_mode) & libc::S_IFMT == libc::S_IFREG;
    let id = (stx.stx_dev_major, stx.stx_dev_minor, stx.stx_ino);
    regular.then_some((id, stx.stx_size))
}
