//! `zokio::fs::File`: round trips, concurrent readers, seeks, append mode,
//! the write-behind buffer and its error reporting, drop without flush.
#![cfg(feature = "fs")]

mod fs_common;

use fs_common::{pattern, TempDir};
use std::future::Future;
use std::time::{Duration, Instant};
use zokio::fs::{self, File, OpenOptions};
use zokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};

/// An FNV-1a checksum.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_64_mib_with_checksum() {
    let dir = TempDir::new("rt64");
    let path = dir.path().join("big");
    let data = pattern(64 << 20, 7);
    let mut f = File::create(&path).await.unwrap();
    // Odd chunk sizes exercise the write-behind queue's partial accepts.
    for chunk in data.chunks(100_003) {
        f.write_all(chunk).await.unwrap();
    }
    f.flush().await.unwrap();
    f.sync_all().await.unwrap();
    drop(f);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), data.len() as u64);

    let mut f = File::open(&path).await.unwrap();
    let mut back = Vec::new();
    f.read_to_end(&mut back).await.unwrap();
    assert_eq!(back.len(), data.len());
    assert_eq!(fnv(&back), fnv(&data));

    let whole = fs::read(&path).await.unwrap();
    assert_eq!(fnv(&whole), fnv(&data));
}

#[zokio::test]
async fn round_trip_on_current_thread_small_max_buf() {
    let dir = TempDir::new("rtct");
    let path = dir.path().join("f");
    let data = pattern(1 << 20, 3);
    let mut f = File::create(&path).await.unwrap();
    f.set_max_buf_size(4096);
    assert_eq!(f.max_buf_size(), 4096);
    for chunk in data.chunks(1000) {
        f.write_all(chunk).await.unwrap();
    }
    f.shutdown().await.unwrap();
    drop(f);
    let mut f = File::open(&path).await.unwrap();
    f.set_max_buf_size(777);
    let mut back = Vec::new();
    f.read_to_end(&mut back).await.unwrap();
    assert_eq!(back, data);
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_readers_of_one_file() {
    let dir = TempDir::new("conc");
    let path = dir.path().join("shared");
    let data = pattern(4 << 20, 11);
    fs::write(&path, &data).await.unwrap();
    let sum = fnv(&data);
    let readers: Vec<_> = (0..8)
        .map(|i| {
            let path = path.clone();
            zokio::spawn(async move {
                let mut f = File::open(&path).await.unwrap();
                if i % 2 == 1 {
                    f.set_max_buf_size(64 * 1024);
                }
                let mut back = Vec::new();
                f.read_to_end(&mut back).await.unwrap();
                fnv(&back)
            })
        })
        .collect();
    for r in readers {
        assert_eq!(r.await.unwrap(), sum);
    }
}

#[zokio::test]
async fn seek_and_read() {
    let dir = TempDir::new("seek");
    let path = dir.path().join("f");
    let data = pattern(100_000, 5);
    fs::write(&path, &data).await.unwrap();
    let mut f = File::open(&path).await.unwrap();
    let mut buf = [0u8; 100];

    assert_eq!(f.seek(SeekFrom::Start(5000)).await.unwrap(), 5000);
    f.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf[..], &data[5000..5100]);

    // Read-ahead must not move the position the user sees.
    assert_eq!(f.stream_position().await.unwrap(), 5100);
    assert_eq!(f.seek(SeekFrom::Current(-50)).await.unwrap(), 5050);
    f.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf[..], &data[5050..5150]);

    assert_eq!(f.seek(SeekFrom::End(-100)).await.unwrap(), 99_900);
    f.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf[..], &data[99_900..]);
    assert_eq!(f.read(&mut buf).await.unwrap(), 0);

    // Random reads, checked against the data.
    for i in 0..200u64 {
        let off = (i * 7919) % (100_000 - 100);
        f.seek(SeekFrom::Start(off)).await.unwrap();
        f.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf[..], &data[off as usize..off as usize + 100]);
    }

    let err = f.seek(SeekFrom::Current(-1_000_000)).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[zokio::test]
async fn write_after_read_lands_at_the_seen_position() {
    let dir = TempDir::new("rw");
    let path = dir.path().join("f");
    fs::write(&path, b"0123456789").await.unwrap();
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .await
        .unwrap();
    let mut two = [0u8; 2];
    f.read_exact(&mut two).await.unwrap(); // reads ahead the whole file
    f.write_all(b"ab").await.unwrap();
    f.flush().await.unwrap();
    assert_eq!(fs::read(&path).await.unwrap(), b"01ab456789");
    let std = f.into_std().await;
    drop(std);
}

#[zokio::test]
async fn append_mode() {
    let dir = TempDir::new("append");
    let path = dir.path().join("log");
    fs::write(&path, b"first\n").await.unwrap();
    for line in ["second\n", "third\n"] {
        let mut f = OpenOptions::new().append(true).open(&path).await.unwrap();
        f.write_all(line.as_bytes()).await.unwrap();
        f.flush().await.unwrap();
    }
    assert_eq!(
        fs::read_to_string(&path).await.unwrap(),
        "first\nsecond\nthird\n"
    );
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_then_drop_without_flush_keeps_the_data() {
    let dir = TempDir::new("drop");
    let path = dir.path().join("f");
    let data = pattern(3 << 20, 9);
    let mut f = File::create(&path).await.unwrap();
    // Many small writes: one in flight, the rest queued behind it.
    for chunk in data.chunks(10_000) {
        f.write_all(chunk).await.unwrap();
    }
    drop(f);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let len = std::fs::metadata(&path).unwrap().len();
        if len == data.len() as u64 {
            break;
        }
        assert!(Instant::now() < deadline, "only {len} bytes arrived");
        zokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(fnv(&fs::read(&path).await.unwrap()), fnv(&data));
}

#[test]
fn file_dropped_outside_the_runtime_keeps_the_data() {
    let dir = TempDir::new("dropout");
    let path = dir.path().join("f");
    let rt = zokio::runtime::Runtime::new().unwrap();
    let data = pattern(1 << 20, 4);
    let f = rt.block_on(async {
        let mut f = File::create(&path).await.unwrap();
        for chunk in data.chunks(4096) {
            f.write_all(chunk).await.unwrap();
        }
        f
    });
    drop(f);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&path).unwrap().len() != data.len() as u64 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(std::fs::read(&path).unwrap(), data);
}

/// Accepted writes survive a runtime shutdown: the one blocking thread is
/// busy, so the `File`'s background write and the bytes queued behind it
/// are still waiting in the pool when the runtime drops the task that owns
/// the `File`. Shutdown cancels queued blocking tasks, but not these. (On
/// the current-thread runtime this fails if they are cancelled; on the
/// multi-thread one the workers' threads may drain the queue before the
/// pool shuts down, so it checks the same promise on the other path.)
fn writes_queued_at_shutdown_are_not_lost(mut builder: zokio::runtime::Builder, tag: &str) {
    let dir = TempDir::new(tag);
    let path = dir.path().join("f");
    let std_file = std::fs::File::create(&path).unwrap();
    let rt = builder
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let data = pattern(256 << 10, 5);
    let (accepted_tx, accepted_rx) = zokio::sync::oneshot::channel();
    rt.block_on(async {
        zokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(300)));
        let data = data.clone();
        zokio::spawn(async move {
            let mut f = File::from_std(std_file);
            // The first chunk becomes the write in flight, the rest queue.
            for chunk in data.chunks(4096) {
                f.write_all(chunk).await.unwrap();
            }
            accepted_tx.send(()).unwrap();
            // Hold the file until the runtime drops this task.
            std::future::pending::<()>().await;
            drop(f);
        });
        zokio::time::timeout(Duration::from_secs(10), accepted_rx)
            .await
            .expect("the writes are accepted in time")
            .unwrap();
    });
    drop(rt);
    // Dropping the runtime waited for the pool, so the bytes are there.
    assert_eq!(fnv(&std::fs::read(&path).unwrap()), fnv(&data));
}

#[test]
fn writes_queued_at_shutdown_are_not_lost_current_thread() {
    writes_queued_at_shutdown_are_not_lost(
        zokio::runtime::Builder::new_current_thread(),
        "shut-ct",
    );
}

#[test]
fn writes_queued_at_shutdown_are_not_lost_multi_thread() {
    let mut b = zokio::runtime::Builder::new_multi_thread();
    b.worker_threads(2);
    writes_queued_at_shutdown_are_not_lost(b, "shut-mt");
}

/// Whether descriptor `fd` of this process refers to `path`.
#[cfg(target_os = "linux")]
fn fd_points_to(fd: i32, path: &std::path::Path) -> bool {
    std::fs::read_link(format!("/proc/self/fd/{fd}")).is_ok_and(|p| p == path)
}

/// A `File` that wrote 1 MiB or more is closed on the blocking pool (its
/// close may flush); a smaller one is closed in place. The pool's only
/// thread is kept busy, so a close queued there is visibly pending.
#[cfg(target_os = "linux")]
#[test]
fn large_written_file_is_closed_on_the_pool() {
    use std::os::unix::io::AsRawFd;
    let dir = TempDir::new("close");
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let big = dir.path().join("big");
    let small = dir.path().join("small");
    rt.block_on(async {
        let mut f = File::create(&big).await.unwrap();
        f.write_all(&pattern(2 << 20, 5)).await.unwrap();
        f.flush().await.unwrap();
        let mut g = File::create(&small).await.unwrap();
        g.write_all(b"small").await.unwrap();
        g.flush().await.unwrap();
        let (fd_big, fd_small) = (f.as_raw_fd(), g.as_raw_fd());
        // Occupy the pool's one thread.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let blocker = zokio::task::spawn_blocking(move || wait.recv().unwrap());
        drop(g);
        assert!(
            !fd_points_to(fd_small, &small),
            "a small file closes in place"
        );
        drop(f);
        assert!(fd_points_to(fd_big, &big), "the close waits for the pool");
        release.send(()).unwrap();
        blocker.await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while fd_points_to(fd_big, &big) {
            assert!(Instant::now() < deadline, "the pool never closed the file");
            zokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    assert_eq!(std::fs::read(&big).unwrap(), pattern(2 << 20, 5));
    // Outside a runtime, the close happens in place.
    let mut f = rt.block_on(File::create(&big)).unwrap();
    rt.block_on(async {
        f.write_all(&pattern(2 << 20, 6)).await.unwrap();
        f.flush().await.unwrap();
    });
    let fd = f.as_raw_fd();
    drop(f);
    assert!(!fd_points_to(fd, &big));
}

#[zokio::test]
async fn background_write_error_is_reported_by_the_next_operation() {
    // A read-only handle: the write is accepted, fails in the background,
    // and the failure comes back from flush with its kind.
    let dir = TempDir::new("werr");
    let path = dir.path().join("f");
    fs::write(&path, b"x").await.unwrap();
    let mut f = File::open(&path).await.unwrap();
    assert_eq!(f.write(b"data").await.unwrap(), 4);
    let err = f.flush().await.unwrap_err();
    assert!(err.raw_os_error().is_some(), "{err:?}");
    // Reported once; the file is usable afterwards.
    f.flush().await.unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).await.unwrap();
    assert_eq!(s, "x");

    let mut f = File::open(&path).await.unwrap();
    f.write_all(b"data").await.unwrap();
    let err = f.sync_all().await.unwrap_err();
    assert!(err.raw_os_error().is_some(), "{err:?}");
}

#[cfg(unix)]
fn writable(_: std::fs::Permissions) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o600)
}

#[cfg(not(unix))]
#[allow(clippy::permissions_set_readonly_false)]
fn writable(mut perm: std::fs::Permissions) -> std::fs::Permissions {
    perm.set_readonly(false);
    perm
}

#[zokio::test]
async fn file_methods() {
    let dir = TempDir::new("methods");
    let path = dir.path().join("f");
    let mut f = File::create_new(&path).await.unwrap();
    f.write_all(b"hello world").await.unwrap();
    f.sync_data().await.unwrap();
    assert_eq!(f.metadata().await.unwrap().len(), 11);
    f.set_len(5).await.unwrap();
    assert_eq!(fs::read(&path).await.unwrap(), b"hello");
    let clone = f.try_clone().await.unwrap();
    assert_eq!(clone.metadata().await.unwrap().len(), 5);

    let mut perm = f.metadata().await.unwrap().permissions();
    perm.set_readonly(true);
    f.set_permissions(perm.clone()).await.unwrap();
    assert!(fs::metadata(&path).await.unwrap().permissions().readonly());
    // Restore write access (owner only) through the free function.
    fs::set_permissions(&path, writable(perm)).await.unwrap();

    // set_len keeps the position (11); come back to the new end.
    assert_eq!(f.seek(SeekFrom::Start(5)).await.unwrap(), 5);
    let std = f.try_into_std().expect("nothing in flight");
    let mut f = File::from_std(std);
    f.write_all(b"!").await.unwrap();
    // A write in flight keeps the std file.
    let f = match f.try_into_std() {
        Ok(_) => panic!("a write is in flight"),
        Err(f) => f,
    };
    let std = f.into_std().await;
    drop(std);
    drop(clone);
    assert_eq!(fs::read(&path).await.unwrap(), b"hello!");

    let err = File::create_new(&path).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
}

#[cfg(unix)]
#[zokio::test]
async fn unix_mode_and_custom_flags() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("mode");
    let path = dir.path().join("f");
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .await
        .unwrap();
    let mode = f.metadata().await.unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let link = dir.path().join("link");
    fs::symlink(&path, &link).await.unwrap();
    let err = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&link)
        .await
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ELOOP));
}

#[zokio::test]
async fn deleted_underneath_follows_os_semantics() {
    let dir = TempDir::new("unlinked");
    let path = dir.path().join("f");
    fs::write(&path, b"still here").await.unwrap();
    let mut f = File::open(&path).await.unwrap();
    fs::remove_file(&path).await.unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).await.unwrap();
    // Unix keeps an unlinked file alive while it is open.
    #[cfg(unix)]
    assert_eq!(s, "still here");
    assert!(!fs::try_exists(&path).await.unwrap());
}

/// Random reads, writes, seeks, flushes and `set_len`s on one `File`,
/// checked step by step against an in-memory model of the file: read-ahead,
/// queued writes and offset rewinds must never show in what the user sees.
/// Small buffers make every path (partial reads, queued writes, rewinds)
/// common. 3 000 steps per buffer size, each awaited.
#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_operations_match_a_model() {
    let dir = TempDir::new("model");
    for (round, max_buf) in [1usize, 7, 64, 4096].into_iter().enumerate() {
        let path = dir.path().join(format!("m{round}"));
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        f.set_max_buf_size(max_buf);
        let mut model: Vec<u8> = Vec::new();
        let mut pos = 0usize;
        let mut x = 0x2545_f491_4f6c_dd1du64 ^ round as u64;
        let mut rand = move |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for step in 0..3_000 {
            match rand(11) {
                0..=3 => {
                    let len = 1 + rand(200);
                    let data: Vec<u8> = (0..len).map(|i| (step + i) as u8).collect();
                    f.write_all(&data).await.unwrap();
                    if model.len() < pos + len {
                        model.resize(pos + len, 0);
                    }
                    model[pos..pos + len].copy_from_slice(&data);
                    pos += len;
                }
                4..=6 => {
                    let want = 1 + rand(300);
                    let mut buf = vec![0u8; want];
                    let n = f.read(&mut buf).await.unwrap();
                    let avail = model.len().saturating_sub(pos);
                    assert!(n <= want.min(avail), "step {step}: read {n} of {avail}");
                    if avail > 0 {
                        assert!(n > 0, "step {step}: early EOF");
                    }
                    if n > 0 {
                        assert_eq!(&buf[..n], &model[pos..pos + n], "step {step}");
                    }
                    pos += n;
                }
                7 => {
                    let target = rand(model.len() + 50);
                    let got = match rand(3) {
                        0 => f.seek(SeekFrom::Start(target as u64)).await.unwrap(),
                        1 => {
                            let off = target as i64 - pos as i64;
                            f.seek(SeekFrom::Current(off)).await.unwrap()
                        }
                        _ => {
                            let off = target as i64 - model.len() as i64;
                            f.seek(SeekFrom::End(off)).await.unwrap()
                        }
                    };
                    assert_eq!(got, target as u64, "step {step}");
                    pos = target;
                }
                8 => {
                    f.flush().await.unwrap();
                    assert_eq!(f.stream_position().await.unwrap(), pos as u64);
                }
                9 => {
                    // A read dropped after one poll: its pool call goes on
                    // and fills the buffer (read-ahead), but nothing was
                    // delivered, so the position the user sees is unchanged.
                    let mut big = vec![0u8; 1 + rand(400)];
                    let mut read = std::pin::pin!(f.read(&mut big));
                    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                    if let std::task::Poll::Ready(n) = read.as_mut().poll(&mut cx) {
                        // Served from the buffer at once: it was delivered.
                        let n = n.unwrap();
                        if n > 0 {
                            assert_eq!(&big[..n], &model[pos..pos + n], "step {step}");
                        }
                        pos += n;
                    }
                }
                _ => {
                    let len = rand(model.len() + 100);
                    f.set_len(len as u64).await.unwrap();
                    model.resize(len, 0);
                }
            }
        }
        f.flush().await.unwrap();
        drop(f);
        assert_eq!(std::fs::read(&path).unwrap(), model, "round {round}");
    }
}
