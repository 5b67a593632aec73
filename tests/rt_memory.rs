//! A dropped runtime returns every byte it allocated (counting allocator).
//!
//! This binary holds a single test: the counter is process-wide.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};
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

fn run_100k_and_drop(flavor: &str) {
    let rt = match flavor {
        "current" => Builder::new_current_thread().enable_all().build().unwrap(),
        _ => Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    };
    rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|i| zokio::spawn(async move { i * 2 }))
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        // Some tasks still pending at drop time.
        for _ in 0..1000 {
            zokio::spawn(std::future::pending::<()>());
        }
    });
    drop(rt);
    collect_epoch_garbage();
}

/// crossbeam's deques free retired buffers (and the per-thread records of
/// exited threads) through epoch-based reclamation: not leaked, but freed
/// later, by whichever thread next pins an epoch. Drive that to the end so
/// the count is exact.
fn collect_epoch_garbage() {
    for _ in 0..256 {
        crossbeam_epoch::pin().flush();
    }
}

fn assert_no_bytes_left(flavor: &str) {
    // Warm up: process-wide lazily allocated state (parking_lot's table,
    // thread-locals of this thread) is allocated once and kept.
    run_100k_and_drop(flavor);
    let before = LIVE.load(SeqCst);
    run_100k_and_drop(flavor);
    let after = LIVE.load(SeqCst);
    assert_eq!(
        after - before,
        0,
        "{flavor}: bytes left allocated after runtime drop"
    );
}

// One test in this binary, so nothing else allocates while it measures.
#[test]
fn dropped_runtime_that_ran_100k_tasks_returns_all_memory() {
    assert_no_bytes_left("current");
    assert_no_bytes_left("multi");
}
