//! Issue target: a server that served 1 000 connections and shut down
//! leaves no driver registration, no file descriptor and no heap byte
//! behind.
//!
//! This binary holds a single test: open descriptors (`/proc/self/fd`) and
//! live heap bytes (a counting allocator) are process-wide.
#![cfg(target_os = "linux")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};
use std::time::{Duration, Instant};
use zokio::io::{AsyncReadExt, AsyncWriteExt};
use zokio::net::{TcpListener, TcpStream};
use zokio::runtime::Builder;

/// Counts live heap bytes of the whole test binary.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, SeqCst);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const CONNECTIONS: usize = 1_000;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .count()
}

/// An echo server on `flavor` that serves `CONNECTIONS` clients (each
/// sends a line, reads it back and closes; every tenth closes without
/// reading, so the server sees resets and early EOFs too), then the
/// runtime is dropped. Returns the driver's (registered, deregistered)
/// totals and how many are registered at the end.
fn serve_and_shut_down(multi: bool) -> (u64, u64, usize) {
    let rt = if multi {
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    } else {
        Builder::new_current_thread().enable_all().build().unwrap()
    };
    let metrics = rt.metrics();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = zokio::spawn(async move {
            for _ in 0..CONNECTIONS {
                let (mut s, _) = listener.accept().await.unwrap();
                zokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    loop {
                        match s.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if s.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
            // The listener drops here, with the server task.
        });
        for i in 0..CONNECTIONS {
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"hello\n").await.unwrap();
            if i % 10 != 0 {
                let mut back = [0u8; 6];
                c.read_exact(&mut back).await.unwrap();
                assert_eq!(&back, b"hello\n");
            }
        }
        server.await.unwrap();
        // Let the per-connection tasks see their EOFs and finish.
        let deadline = Instant::now() + Duration::from_secs(20);
        while metrics.num_alive_tasks() > 0 {
            assert!(Instant::now() < deadline, "connection tasks never ended");
            zokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    drop(rt);
    // crossbeam's deques free retired buffers through epoch-based
    // reclamation, by whichever thread next pins: drive it to the end.
    for _ in 0..256 {
        crossbeam_epoch::pin().flush();
    }
    (
        metrics.io_driver_fd_registered_count(),
        metrics.io_driver_fd_deregistered_count(),
        metrics.io_driver_fd_count(),
    )
}

#[test]
fn server_with_1000_closed_connections_leaves_nothing_behind() {
    for multi in [false, true] {
        // Warm-up: process-wide state allocated once and kept (parking_lot's
        // table, this thread's thread-locals, std's resolver state).
        serve_and_shut_down(multi);
        let fds_before = open_fds();
        let bytes_before = LIVE.load(SeqCst);
        let (registered, deregistered, live) = serve_and_shut_down(multi);
        let bytes_after = LIVE.load(SeqCst);
        let fds_after = open_fds();
        // 1 listener + 1 000 accepted + 1 000 connected streams.
        assert_eq!(registered, 2 * CONNECTIONS as u64 + 1, "multi={multi}");
        assert_eq!(deregistered, registered, "multi={multi}");
        assert_eq!(live, 0, "multi={multi}: registrations left");
        assert_eq!(
            fds_after, fds_before,
            "multi={multi}: descriptors left open"
        );
        assert_eq!(
            bytes_after - bytes_before,
            0,
            "multi={multi}: heap bytes left allocated"
        );
    }
}
