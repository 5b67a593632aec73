//! `zokio::fs` calls served on the worker from the kernel's caches (Linux:
//! `preadv2(RWF_NOWAIT)`, `openat2(RESOLVE_CACHED)`), and their fallback to
//! the blocking pool: same results either way, no pool thread when the
//! caches answer, never a blocked worker, and a yield in long loops.
#![cfg(all(feature = "fs", target_os = "linux"))]

mod fs_common;

use fs_common::{pattern, TempDir};
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use zokio::fs::{self, File};
use zokio::io::{AsyncReadExt, AsyncWriteExt};

/// Writes `data` to `path`, syncs it (so its pages are clean) and drops
/// the pages of `from..` from the page cache.
fn write_then_evict(path: &Path, data: &[u8], from: usize) {
    std::fs::write(path, data).unwrap();
    let f = std::fs::File::open(path).unwrap();
    f.sync_all().unwrap();
    // SAFETY: `f` is an open descriptor; the advice only drops clean
    // cached pages.
    let rc = unsafe {
        libc::posix_fadvise(
            f.as_raw_fd(),
            from as libc::off_t,
            0,
            libc::POSIX_FADV_DONTNEED,
        )
    };
    assert_eq!(rc, 0);
}

fn current_thread() -> zokio::runtime::Runtime {
    zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Cached data is read without a single pool thread: `fs::read`,
/// `fs::read_to_string`, `File::open` and `File` reads.
#[test]
fn cached_reads_use_no_pool_thread() {
    let dir = TempDir::new("cached");
    let path = dir.path().join("data");
    let data = pattern(100_000, 1);
    std::fs::write(&path, &data).unwrap();
    std::fs::write(dir.path().join("text"), "hello, page cache").unwrap();
    // Warm the cache (and the dentry) from this thread first.
    assert_eq!(std::fs::read(&path).unwrap(), data);
    let rt = current_thread();
    rt.block_on(async {
        assert_eq!(fs::read(&path).await.unwrap(), data);
        assert_eq!(
            fs::read_to_string(dir.path().join("text")).await.unwrap(),
            "hello, page cache"
        );
        let mut f = File::open(&path).await.unwrap();
        let mut back = Vec::new();
        f.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, data);
    });
    if openat2_cached_available() {
        assert_eq!(rt.metrics().num_blocking_threads(), 0);
    } else {
        // A sandbox (or valgrind) without openat2: everything went to the
        // pool, as designed; the results above still had to match.
        eprintln!("openat2(RESOLVE_CACHED) unavailable here: pool path checked only");
    }
}

/// Whether this kernel (and sandbox) offers `openat2` with
/// `RESOLVE_CACHED`, which the in-place opens need.
fn openat2_cached_available() -> bool {
    // SAFETY: an all-zero `open_how` is valid; the fields are set below.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (libc::O_PATH | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_CACHED;
    // SAFETY: a NUL-terminated path and a valid `open_how` of the passed
    // size, both live for the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            c"/".as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return false;
    }
    // SAFETY: `fd` was just opened here and is closed once.
    unsafe { libc::close(fd as libc::c_int) };
    true
}

/// `metadata`, `symlink_metadata` and `try_exists` of cached paths need no
/// pool thread, and agree with `std` on files, directories, symlinks
/// (also broken ones) and errors; a `/proc` path (not a disk file system)
/// is answered by the pool.
#[test]
fn cached_metadata_matches_std() {
    let dir = TempDir::new("meta");
    let file = dir.path().join("file");
    std::fs::write(&file, b"twelve bytes").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let broken = dir.path().join("broken");
    std::os::unix::fs::symlink(dir.path().join("nothing"), &broken).unwrap();
    let missing = dir.path().join("missing");
    let below_file = file.join("below");
    // Warm the dentry cache.
    for p in [&file, &link, &broken, &missing, &below_file] {
        let _ = std::fs::symlink_metadata(p);
        let _ = std::fs::metadata(p);
    }
    let rt = current_thread();
    rt.block_on(async {
        let same = |a: &std::fs::Metadata, b: &std::fs::Metadata| {
            assert_eq!(a.len(), b.len());
            assert_eq!(a.file_type(), b.file_type());
            assert_eq!(a.permissions(), b.permissions());
            assert_eq!(a.modified().unwrap(), b.modified().unwrap());
        };
        for p in [&file, &link, &dir.path().to_path_buf()] {
            same(
                &fs::metadata(p).await.unwrap(),
                &std::fs::metadata(p).unwrap(),
            );
            same(
                &fs::symlink_metadata(p).await.unwrap(),
                &std::fs::symlink_metadata(p).unwrap(),
            );
            assert!(fs::try_exists(p).await.unwrap());
        }
        assert!(fs::symlink_metadata(&link).await.unwrap().is_symlink());
        assert!(fs::metadata(&link).await.unwrap().is_file());
        assert!(fs::symlink_metadata(&broken).await.unwrap().is_symlink());
        assert!(!fs::try_exists(&broken).await.unwrap());
        assert!(!fs::try_exists(&missing).await.unwrap());
        for (p, e) in [
            (&missing, fs::metadata(&missing).await.unwrap_err()),
            (&broken, fs::metadata(&broken).await.unwrap_err()),
        ] {
            assert_eq!(e.kind(), std::fs::metadata(p).unwrap_err().kind(), "{p:?}");
        }
    });
    if openat2_cached_available() {
        assert_eq!(rt.metrics().num_blocking_threads(), 0);
    }
    // A path through a regular file: `RESOLVE_CACHED` says `EAGAIN`, and
    // the pool gives std's error.
    rt.block_on(async {
        assert_eq!(
            fs::metadata(&below_file).await.unwrap_err().kind(),
            std::fs::metadata(&below_file).unwrap_err().kind()
        );
        assert_eq!(
            fs::try_exists(&below_file).await.unwrap_err().kind(),
            below_file.try_exists().unwrap_err().kind()
        );
    });
    // Not a disk file system: the pool answers, with the same result.
    let proc_meta = rt.block_on(fs::metadata("/proc/self/status")).unwrap();
    assert!(proc_meta.is_file());
    assert!(rt.metrics().num_blocking_threads() > 0);
}

/// Pages not in the cache go to the pool, from the point reached: the
/// result is the same bytes.
#[test]
fn uncached_pages_are_read_on_the_pool() {
    let dir = TempDir::new("evicted");
    let data = pattern(3 << 20, 2);
    let rt = current_thread();
    for (name, from) in [("whole", 0), ("tail", 1 << 20)] {
        let path = dir.path().join(name);
        write_then_evict(&path, &data, from);
        let got = rt.block_on(fs::read(&path)).unwrap();
        assert!(got == data, "fs::read of {name} differs");
        write_then_evict(&path, &data, from);
        let got = rt.block_on(async {
            let mut f = File::open(&path).await.unwrap();
            let mut back = Vec::new();
            f.read_to_end(&mut back).await.unwrap();
            back
        });
        assert!(got == data, "File read of {name} differs");
    }
    // The evicted pages could not be read in place.
    assert!(rt.metrics().num_blocking_threads() > 0);
}

/// A file larger than what one call reads in place (2 MiB) is finished on
/// the pool, with every byte in order.
#[test]
fn large_cached_file_is_finished_on_the_pool() {
    let dir = TempDir::new("large");
    let path = dir.path().join("big");
    let data = pattern((5 << 20) + 123, 3);
    std::fs::write(&path, &data).unwrap();
    let rt = current_thread();
    assert!(rt.block_on(fs::read(&path)).unwrap() == data);
    assert!(rt.metrics().num_blocking_threads() > 0);
}

/// Errors keep their kinds on the in-place path.
#[test]
fn in_place_errors_keep_their_kinds() {
    let dir = TempDir::new("errors");
    let rt = current_thread();
    rt.block_on(async {
        let missing = dir.path().join("missing");
        for e in [
            fs::read(&missing).await.unwrap_err(),
            File::open(&missing).await.unwrap_err(),
        ] {
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        }
        let not_dir = dir.path().join("file");
        std::fs::write(&not_dir, b"x").unwrap();
        let e = fs::read(not_dir.join("below")).await.unwrap_err();
        assert_eq!(
            e.kind(),
            std::fs::read(not_dir.join("below")).unwrap_err().kind()
        );
        // A directory opens, then its read fails, as with std.
        let e = fs::read(dir.path()).await.unwrap_err();
        assert_eq!(e.kind(), std::fs::read(dir.path()).unwrap_err().kind());
        std::fs::write(dir.path().join("bad"), [0xff, 0xfe]).unwrap();
        let e = fs::read_to_string(dir.path().join("bad"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    });
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: `c` is a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// A FIFO is opened on the pool, not on the worker (whose open would wait
/// for a writer): on a current-thread runtime the writer below needs the
/// worker (its timer) before it opens the other end.
#[test]
fn fifo_read_before_its_writer() {
    let dir = TempDir::new("fifo");
    let path = dir.path().join("fifo");
    mkfifo(&path);
    let _w = Watchdog::new("fifo_read_before_its_writer");
    let rt = current_thread();
    rt.block_on(async {
        let p = path.clone();
        let writer = zokio::spawn(async move {
            zokio::time::sleep(Duration::from_millis(20)).await;
            let mut f = fs::OpenOptions::new().write(true).open(&p).await.unwrap();
            f.write_all(b"through the fifo").await.unwrap();
            f.flush().await.unwrap();
        });
        assert_eq!(fs::read(&path).await.unwrap(), b"through the fifo");
        writer.await.unwrap();
    });
}

/// A writer already blocked opening a FIFO must meet the one real reader:
/// no probing open on the worker may wake it and then leave it without a
/// reader (its write would fail with `EPIPE` and the read would hang).
#[test]
fn fifo_writer_before_its_reader() {
    let dir = TempDir::new("fifo-w");
    let path = dir.path().join("fifo");
    mkfifo(&path);
    let _w = Watchdog::new("fifo_writer_before_its_reader");
    let p = path.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        f.write_all(b"the writer came first").unwrap();
    });
    // Let the writer block in its open.
    std::thread::sleep(Duration::from_millis(50));
    let rt = current_thread();
    for (what, got) in [
        ("fs::read", rt.block_on(fs::read(&path))),
        ("File::open", {
            // A second writer for the second reader.
            let p = path.clone();
            let second = std::thread::spawn(move || {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
                f.write_all(b"the writer came first").unwrap();
            });
            std::thread::sleep(Duration::from_millis(50));
            let got = rt.block_on(async {
                let mut f = File::open(&path).await?;
                let mut v = Vec::new();
                f.read_to_end(&mut v).await.map(|_| v)
            });
            second.join().unwrap();
            got
        }),
    ] {
        assert_eq!(got.unwrap(), b"the writer came first", "{what}");
    }
    writer.join().unwrap();
}

/// `File::open`'s descriptor is blocking, as `open(2)` gives it.
#[test]
fn opened_descriptor_is_blocking() {
    let dir = TempDir::new("flags");
    let path = dir.path().join("f");
    std::fs::write(&path, b"x").unwrap();
    std::fs::read(&path).unwrap();
    let rt = current_thread();
    let f = rt.block_on(File::open(&path)).unwrap();
    let std = rt.block_on(f.into_std());
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", std.as_raw_fd())).unwrap();
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
        .unwrap();
    assert_eq!(flags & libc::O_NONBLOCK as u32, 0, "flags {flags:o}");
    assert_ne!(flags & libc::O_CLOEXEC as u32, 0, "flags {flags:o}");
}

/// A task reading a cached file in small pieces still yields: another
/// task on the same worker gets to run long before the loop ends.
fn read_loop_lets_a_neighbour_run(rt: zokio::runtime::Runtime) {
    let _w = Watchdog::new("read_loop_lets_a_neighbour_run");
    let dir = TempDir::new("yield");
    let path = dir.path().join("f");
    std::fs::write(&path, pattern(64 * 1024, 4)).unwrap();
    std::fs::read(&path).unwrap();
    rt.block_on(async move {
        // Spawned from a worker (or the current-thread scheduler), the
        // neighbour lands on the loop's own worker.
        zokio::spawn(async move {
            let ran = Arc::new(AtomicBool::new(false));
            let r = ran.clone();
            zokio::spawn(async move { r.store(true, Ordering::SeqCst) });
            let mut f = File::open(&path).await.unwrap();
            let mut buf = [0u8; 16];
            let mut reads = 0usize;
            while !ran.load(Ordering::SeqCst) {
                assert!(reads < 4096, "the other task never ran");
                f.read_exact(&mut buf).await.unwrap();
                reads += 1;
            }
        })
        .await
        .unwrap();
    });
}

#[test]
fn cached_read_loop_yields_current_thread() {
    read_loop_lets_a_neighbour_run(current_thread());
}

#[test]
fn cached_read_loop_yields_one_worker() {
    read_loop_lets_a_neighbour_run(
        zokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap(),
    );
}

/// Fails the test (by aborting) if it runs past a minute.
struct Watchdog(Option<std::sync::mpsc::Sender<()>>);

impl Watchdog {
    fn new(name: &'static str) -> Watchdog {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                rx.recv_timeout(Duration::from_secs(60))
            {
                eprintln!("{name} hung");
                std::process::abort();
            }
        });
        Watchdog(Some(tx))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.0.take());
    }
}
