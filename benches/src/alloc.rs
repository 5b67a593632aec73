//! A counting global allocator, for the per-task memory benchmark.
//!
//! A bench binary installs it with
//! `#[global_allocator] static A: CountingAlloc = CountingAlloc;` and reads
//! [`snapshot`]s before and after the work it measures. Counters are
//! process-wide and `Relaxed`: the measuring thread reads them only after
//! the threads it waits for have finished allocating (it synchronizes with
//! them through the runtime, not through these counters).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Allocation sizes are histogrammed in 8-byte buckets up to this size;
/// larger ones share the last bucket.
pub const HISTOGRAM_LIMIT: usize = 1024;
/// Number of size buckets in [`Snapshot::sizes`].
pub const BUCKETS: usize = HISTOGRAM_LIMIT / 8 + 1;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static DEALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES_ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static BYTES_FREED: AtomicUsize = AtomicUsize::new(0);
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicUsize = AtomicUsize::new(0);
static SIZES: [AtomicUsize; BUCKETS] = [ZERO; BUCKETS];

/// The system allocator, counting every allocation and deallocation.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

fn record_alloc(size: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    BYTES_ALLOCATED.fetch_add(size, Relaxed);
    SIZES[size.div_ceil(8).min(BUCKETS - 1)].fetch_add(1, Relaxed);
}

fn record_dealloc(size: usize) {
    DEALLOCS.fetch_add(1, Relaxed);
    BYTES_FREED.fetch_add(size, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees carry over; the counting touches only
// atomics and never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which
        // is `System::alloc`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            record_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            record_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record_dealloc(layout.size());
        // SAFETY: the caller passes a block this allocator (that is,
        // `System`) returned, with its layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract for a
        // block `System` returned.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            record_dealloc(layout.size());
            record_alloc(new_size);
        }
        p
    }
}

/// The allocator's counters at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Allocations so far (a `realloc` counts as one free and one alloc).
    pub allocs: usize,
    /// Deallocations so far.
    pub deallocs: usize,
    /// Bytes requested so far.
    pub bytes_allocated: usize,
    /// Bytes returned so far.
    pub bytes_freed: usize,
    /// Allocations so far per size bucket: bucket `i` counts sizes in
    /// `8 * i - 7 ..= 8 * i` (the last one, everything larger).
    pub sizes: [usize; BUCKETS],
}

impl Snapshot {
    /// Bytes allocated and not yet freed.
    pub fn live_bytes(&self) -> isize {
        self.bytes_allocated as isize - self.bytes_freed as isize
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Snapshot) -> Delta {
        Delta {
            allocs: self.allocs - earlier.allocs,
            deallocs: self.deallocs - earlier.deallocs,
            bytes_allocated: self.bytes_allocated - earlier.bytes_allocated,
            live_bytes: self.live_bytes() - earlier.live_bytes(),
            sizes: std::array::from_fn(|i| self.sizes[i] - earlier.sizes[i]),
        }
    }
}

/// The allocator activity between two [`Snapshot`]s.
#[derive(Debug, Clone)]
pub struct Delta {
    /// Allocations made.
    pub allocs: usize,
    /// Deallocations made.
    pub deallocs: usize,
    /// Bytes requested.
    pub bytes_allocated: usize,
    /// Change in bytes held.
    pub live_bytes: isize,
    /// Allocations made per size bucket (see [`Snapshot::sizes`]).
    pub sizes: [usize; BUCKETS],
}

impl Delta {
    /// The size bucket (its upper bound in bytes) that received the most
    /// allocations, and how many; `None` if nothing was allocated.
    pub fn most_common_size(&self) -> Option<(usize, usize)> {
        self.by_count().first().copied()
    }

    /// Every size bucket that received allocations, as (upper bound in
    /// bytes, allocations), most allocations first. The last bucket's bound
    /// is printed as [`HISTOGRAM_LIMIT`] + 8 and means "larger".
    pub fn by_count(&self) -> Vec<(usize, usize)> {
        let mut v: Vec<(usize, usize)> = self
            .sizes
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (i * 8, n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// The current counters (all zero unless [`CountingAlloc`] is the global
/// allocator).
pub fn snapshot() -> Snapshot {
    Snapshot {
        allocs: ALLOCS.load(Relaxed),
        deallocs: DEALLOCS.load(Relaxed),
        bytes_allocated: BYTES_ALLOCATED.load(Relaxed),
        bytes_freed: BYTES_FREED.load(Relaxed),
        sizes: std::array::from_fn(|i| SIZES[i].load(Relaxed)),
    }
}
