//! Wake-to-poll latency on an idle runtime (the DESIGN's "p99 < 10 µs"
//! target), Zokio vs Tokio vs smol, 2 workers each, one process.
//!
//! ```text
//! cargo bench -p zokio-benches --bench latency
//! ```
//!
//! - `wake_to_poll`: a task waits on a oneshot (the harness's own, the
//!   same code on every runtime); the runtime is left idle for 1 ms so its
//!   workers park; a thread outside the runtime then stamps the time and
//!   sends it. The task reads the clock when it is polled with the value.
//!   The difference is what a wake from outside costs until the task runs:
//!   the queue push, the unpark of a sleeping worker (an OS thread wake)
//!   and the worker's way to the task. 1 000 wakes per runtime, taken in
//!   interleaved batches of 50; p50, p90, p99 and max.

use std::time::{Duration, Instant};

use zokio_benches::oneshot;
use zokio_benches::rt::{self, Rt, Smol};
use zokio_benches::{fmt_duration, percentile, Config};

const WAKES: usize = 1_000;
const BATCH: usize = 50;
/// How long the runtime idles before each wake, so that its workers park.
const IDLE: Duration = Duration::from_millis(1);

/// `n` wake-to-poll latencies on `rt`.
fn wake_latencies<R: Rt>(rt: &R, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let (tx, rx) = oneshot::channel::<Instant>();
            let join = rt.spawn_remote(async move {
                let sent = rx.await.expect("the sender sends");
                sent.elapsed()
            });
            std::thread::sleep(IDLE);
            tx.send(Instant::now()).expect("the task waits for it");
            rt.block_on(join)
        })
        .collect()
}

fn main() {
    let cfg = Config::from_env_and_args();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "latency: {} workers per runtime, {WAKES} wakes each, {cores} cores available",
        rt::WORKERS
    );
    let zokio = rt::zokio_runtime();
    let tokio = rt::tokio_runtime();
    let smol = Smol::start();
    let names = ["zokio", "tokio", "smol"];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); 3];
    // Warm-up, not recorded.
    let _ = wake_latencies(&zokio, 5);
    let _ = wake_latencies(&tokio, 5);
    let _ = wake_latencies(&smol, 5);
    for round in 0..WAKES / BATCH {
        for k in 0..3 {
            let i = (round + k) % 3;
            if !cfg.runs(names[i]) {
                continue;
            }
            let batch = match i {
                0 => wake_latencies(&zokio, BATCH),
                1 => wake_latencies(&tokio, BATCH),
                _ => wake_latencies(&smol, BATCH),
            };
            samples[i].extend(batch);
        }
    }
    println!("wake_to_poll (idle runtime, wake from a thread outside it)");
    println!("| runtime | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|");
    for (name, s) in names.iter().zip(&samples) {
        if s.is_empty() {
            continue;
        }
        println!(
            "| {name} | {} | {} | {} | {} |",
            fmt_duration(percentile(s, 50)),
            fmt_duration(percentile(s, 90)),
            fmt_duration(percentile(s, 99)),
            fmt_duration(percentile(s, 100)),
        );
    }
}
