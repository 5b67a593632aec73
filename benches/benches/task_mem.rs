//! Per-task memory: bytes the runtime allocates for each spawned task that
//! stays pending, beyond the future's own size, on Zokio, Tokio and smol.
//!
//! ```text
//! cargo bench -p zokio-benches --bench task_mem
//! ```
//!
//! For each runtime (fresh, 2 workers): warm up, then spawn 10 000 copies of
//! a 24-byte future that returns `Pending` forever, from outside through the
//! handle; wait until every one has been polled once (so it sits idle in the
//! runtime, as a waiting task would); read the counting allocator. Reported
//! per task: bytes allocated and bytes still held (both minus the future's
//! 24 bytes), allocations, and the most common allocation size (the task
//! cell). The runtime is then dropped, which drops the pending tasks.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use zokio_benches::alloc::{snapshot, CountingAlloc, Delta};
use zokio_benches::rt::{self, Rt, Smol};
use zokio_benches::Config;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const TASKS: usize = 10_000;
const WARMUP_TASKS: usize = 1_000;

/// Polls of every [`Pending24`] so far.
static POLLS: AtomicUsize = AtomicUsize::new(0);

/// A 24-byte future that never completes.
struct Pending24 {
    _payload: [u64; 3],
}

impl Future for Pending24 {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        POLLS.fetch_add(1, Relaxed);
        Poll::Pending
    }
}

const FUTURE_SIZE: usize = std::mem::size_of::<Pending24>();
const _: () = assert!(FUTURE_SIZE == 24);

/// What one runtime allocated for `TASKS` pending tasks.
struct Measured {
    name: &'static str,
    delta: Delta,
}

impl Measured {
    fn allocated_per_task(&self) -> f64 {
        self.delta.bytes_allocated as f64 / TASKS as f64 - FUTURE_SIZE as f64
    }

    fn held_per_task(&self) -> f64 {
        self.delta.live_bytes as f64 / TASKS as f64 - FUTURE_SIZE as f64
    }

    fn allocs_per_task(&self) -> f64 {
        self.delta.allocs as f64 / TASKS as f64
    }
}

fn measure<R: Rt>(rt: &R) -> Measured {
    // Warm up: thread-locals, queues, the allocator's own caches.
    let warm: Vec<_> = (0..WARMUP_TASKS)
        .map(|_| rt.spawn_remote(async {}))
        .collect();
    rt.block_on(async {
        for h in warm {
            h.await;
        }
    });
    std::thread::sleep(Duration::from_millis(20));

    let mut handles = Vec::with_capacity(TASKS);
    POLLS.store(0, Relaxed);
    let before = snapshot();
    for _ in 0..TASKS {
        handles.push(rt.spawn_remote(Pending24 { _payload: [0; 3] }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while POLLS.load(Relaxed) < TASKS {
        assert!(
            Instant::now() < deadline,
            "{}: tasks were not polled",
            R::NAME
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    // Let the workers finish the poll they are in and go idle.
    std::thread::sleep(Duration::from_millis(20));
    let after = snapshot();
    // Detach (Zokio, Tokio) or cancel (smol); the runtime drop frees the rest.
    drop(handles);
    Measured {
        name: R::NAME,
        delta: after.since(&before),
    }
}

fn main() {
    let cfg = Config::from_env_and_args();
    if !cfg.selected("task_mem") {
        return;
    }
    // Memory is deterministic enough that a few repetitions suffice.
    let reps = cfg.rounds.min(3);
    println!(
        "task_mem: {TASKS} pending tasks of a {FUTURE_SIZE}-byte future, {} workers, {reps} repetitions",
        rt::WORKERS
    );
    let mut all = Vec::new();
    for _ in 0..reps {
        let zokio = rt::zokio_runtime();
        all.push(measure(&zokio));
        drop(zokio);
        let tokio = rt::tokio_runtime();
        all.push(measure(&tokio));
        drop(tokio);
        let smol = Smol::start();
        all.push(measure(&smol));
        drop(smol);
    }
    for m in &all {
        println!(
            "  {:<6} allocated/task {:>6.1} B beyond the future, held/task {:>6.1} B, allocs/task {:.3}",
            m.name,
            m.allocated_per_task(),
            m.held_per_task(),
            m.allocs_per_task(),
        );
        let sizes: Vec<String> = m
            .delta
            .by_count()
            .iter()
            .map(|(size, n)| format!("{n} x <={size} B"))
            .collect();
        println!("         allocations by size: {}", sizes.join(", "));
    }
    println!();
    println!("| runtime | allocated per task beyond the future | held per task beyond the future | allocations per task | task allocation size |");
    println!("|---|---:|---:|---:|---:|");
    // The last repetition's figures; the printout above shows all of them.
    for m in &all[all.len() - 3..] {
        let cell = m
            .delta
            .most_common_size()
            .map_or_else(|| "-".to_string(), |(size, _)| format!("{size} B"));
        println!(
            "| {} | {:.1} B | {:.1} B | {:.2} | {cell} |",
            m.name,
            m.allocated_per_task(),
            m.held_per_task(),
            m.allocs_per_task(),
        );
    }
}
