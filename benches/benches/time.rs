//! Timer workloads, Zokio vs Tokio vs smol (async-io's `Timer`), 2 workers
//! each, one process, interleaved rounds, medians and ratios to Tokio.
//!
//! ```text
//! cargo bench -p zokio-benches --bench time [-- FILTER...]
//! ZOKIO_BENCH_ROUNDS=30 cargo bench -p zokio-benches --bench time -- timeout_churn
//! ```
//!
//! - `timers`: 100 000 concurrent sleeps of 1..=10 ms, spawned from the
//!   runtime's context; the sample ends when the last one has woken. The
//!   floor is the 10 ms of the longest sleep; the rest is registration,
//!   firing and scheduling of 100 000 tasks.
//! - `timeout_churn`: 1 000 000 `timeout(1 s, ready)` calls in 100 tasks,
//!   the common case where the timer never fires. smol has no `timeout`;
//!   its equivalent is `future::or(ready, Timer::after(1 s))`, which
//!   likewise polls the ready future first and never arms the timer.
//! - `sleep_accuracy`: how late 1 000 sequential 1 ms sleeps wake on an
//!   otherwise idle runtime (p50 and p99 of `elapsed - 1 ms`), taken in
//!   interleaved batches of 50 per runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use zokio_benches::rt::{self, Rt, Smol, Spawner};
use zokio_benches::{
    compare, fmt_duration, markdown_table, percentile, Comparison, Config, Contender,
};

const NUM_TIMERS: usize = 100_000;
const CHURN_TASKS: usize = 100;
const CHURN_PER_TASK: usize = 10_000;
const ACCURACY_SLEEPS: usize = 1_000;
const ACCURACY_BATCH: usize = 50;

/// The timer API of a runtime, as a user of that runtime would call it.
trait Timers: Rt {
    /// `sleep(d)`.
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static;
    /// `timeout(d, ready(v))`, mapped to `Option`.
    fn timeout_ready(d: Duration, v: u64) -> impl Future<Output = Option<u64>> + Send + 'static;
}

impl Timers for zokio::runtime::Runtime {
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        zokio::time::sleep(d)
    }

    fn timeout_ready(d: Duration, v: u64) -> impl Future<Output = Option<u64>> + Send + 'static {
        Ok_(zokio::time::timeout(d, std::future::ready(v)))
    }
}

impl Timers for tokio::runtime::Runtime {
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        tokio::time::sleep(d)
    }

    fn timeout_ready(d: Duration, v: u64) -> impl Future<Output = Option<u64>> + Send + 'static {
        Ok_(tokio::time::timeout(d, std::future::ready(v)))
    }
}

/// Maps a `timeout` future's `Result` to an `Option` without an `async`
/// block (which would hold the future twice and cost a larger copy).
struct Ok_<F>(F);

impl<F: Future<Output = Result<u64, E>>, E> Future for Ok_<F> {
    type Output = Option<u64>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
        // SAFETY: structural pinning of the only field: `Ok_` never moves
        // it out, and has no `Drop` or `Unpin` impl of its own.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        inner.poll(cx).map(Result::ok)
    }
}

impl Timers for Smol {
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        let t = async_io::Timer::after(d);
        async move {
            t.await;
        }
    }

    fn timeout_ready(d: Duration, v: u64) -> impl Future<Output = Option<u64>> + Send + 'static {
        let timer = async_io::Timer::after(d);
        futures_lite::future::or(async move { Some(v) }, async move {
            timer.await;
            None
        })
    }
}

/// 100 000 tasks, each sleeping 1..=10 ms; the last to wake signals.
fn timers<R: Timers>(rt: &R) {
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let rem = Arc::new(AtomicUsize::new(NUM_TIMERS));
    let s = rt.spawner();
    rt.block_on(async {
        for i in 0..NUM_TIMERS {
            let done_tx = done_tx.clone();
            let rem = rem.clone();
            // Spread over 1..=10 ms without a pattern per worker.
            let d = Duration::from_millis(1 + (i as u64 * 7919) % 10);
            R::Spawner::detach(s.spawn(async move {
                R::sleep(d).await;
                if rem.fetch_sub(1, Relaxed) == 1 {
                    done_tx.send(()).unwrap();
                }
            }));
        }
    });
    done_rx.recv().unwrap();
}

/// 1 000 000 `timeout(1 s, ready)` in 100 tasks over the workers.
fn timeout_churn<R: Timers>(rt: &R) {
    let handles: Vec<_> = (0..CHURN_TASKS)
        .map(|t| {
            rt.spawn_remote(async move {
                let mut sum = 0u64;
                for i in 0..CHURN_PER_TASK as u64 {
                    let v = R::timeout_ready(Duration::from_secs(1), i ^ t as u64).await;
                    sum = sum.wrapping_add(std::hint::black_box(v).unwrap_or(0));
                }
                sum
            })
        })
        .collect();
    let total = rt.block_on(async {
        let mut total = 0u64;
        for h in handles {
            total = total.wrapping_add(h.await);
        }
        total
    });
    std::hint::black_box(total);
}

/// `n` sequential 1 ms sleeps in one task; their lateness.
fn sleep_lateness<R: Timers>(rt: &R, n: usize) -> Vec<Duration> {
    rt.block_on(rt.spawn_remote(async move {
        let mut late = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            R::sleep(Duration::from_millis(1)).await;
            late.push(start.elapsed().saturating_sub(Duration::from_millis(1)));
        }
        late
    }))
}

fn sleep_accuracy(
    cfg: &Config,
    zokio: &impl Timers,
    tokio: &impl Timers,
    smol: &impl Timers,
) -> Comparison {
    let names = ["zokio", "tokio", "smol"];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); 3];
    // Warm-up: one batch each, not recorded.
    let _ = sleep_lateness(zokio, 5);
    let _ = sleep_lateness(tokio, 5);
    let _ = sleep_lateness(smol, 5);
    for round in 0..ACCURACY_SLEEPS / ACCURACY_BATCH {
        for k in 0..3 {
            let i = (round + k) % 3;
            if !cfg.runs(names[i]) {
                continue;
            }
            let batch = match i {
                0 => sleep_lateness(zokio, ACCURACY_BATCH),
                1 => sleep_lateness(tokio, ACCURACY_BATCH),
                _ => sleep_lateness(smol, ACCURACY_BATCH),
            };
            samples[i].extend(batch);
        }
    }
    let cmp = Comparison {
        workload: "sleep_accuracy (lateness of 1 ms sleeps)".to_string(),
        iters: 1,
        samples: names
            .iter()
            .zip(samples)
            .filter(|(n, s)| cfg.runs(n) && !s.is_empty())
            .map(|(n, s)| (*n, s))
            .collect(),
    };
    println!("{} ({} sleeps each)", cmp.workload, ACCURACY_SLEEPS);
    for (name, s) in &cmp.samples {
        println!(
            "  {name:<11} p50 {:>10}  p90 {:>10}  p99 {:>10}  max {:>10}",
            fmt_duration(percentile(s, 50)),
            fmt_duration(percentile(s, 90)),
            fmt_duration(percentile(s, 99)),
            fmt_duration(percentile(s, 100)),
        );
    }
    cmp
}

fn main() {
    let cfg = Config::from_env_and_args();
    let zokio = rt::zokio_runtime();
    let tokio = rt::tokio_runtime();
    let smol = Smol::start();
    let mut results = Vec::new();

    if cfg.selected("timers") {
        results.push(compare(
            &cfg,
            "timers",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || timers(&zokio)),
                Contender::new("tokio", || timers(&tokio)),
                Contender::new("smol", || timers(&smol)),
            ],
        ));
    }
    if cfg.selected("timeout_churn") {
        results.push(compare(
            &cfg,
            "timeout_churn",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || timeout_churn(&zokio)),
                Contender::new("tokio", || timeout_churn(&tokio)),
                Contender::new("smol", || timeout_churn(&smol)),
            ],
        ));
    }
    let mut accuracy = None;
    if cfg.selected("sleep_accuracy") {
        accuracy = Some(sleep_accuracy(&cfg, &zokio, &tokio, &smol));
    }

    println!();
    println!("{}", markdown_table(&results, "tokio"));
    if let Some(cmp) = accuracy {
        println!("| sleep_accuracy | p50 | p99 | max |\n|---|---:|---:|---:|");
        for (name, s) in &cmp.samples {
            println!(
                "| {name} | {} | {} | {} |",
                fmt_duration(percentile(s, 50)),
                fmt_duration(percentile(s, 99)),
                fmt_duration(percentile(s, 100))
            );
        }
    }
}
