//! Multi-thread scheduler workloads, Zokio vs Tokio vs smol, 2 workers each,
//! one process, interleaved rounds, medians and ratios to Tokio.
//!
//! ```text
//! cargo bench -p zokio-benches --bench rt_multi_threaded [-- FILTER...]
//! ZOKIO_BENCH_ROUNDS=30 cargo bench -p zokio-benches --bench rt_multi_threaded -- ping_pong
//! ```
//!
//! The shapes follow Tokio's `benches/rt_multi_threaded.rs`: completion is
//! signalled to the (blocked) driving thread over a `std::sync::mpsc`
//! channel, and `ping_pong` uses the runtime-neutral
//! [`zokio_benches::oneshot`] on all three runtimes.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc;
use std::sync::Arc;

use zokio_benches::rt::{self, Rt, Smol, Spawner};
use zokio_benches::{compare, markdown_table, oneshot, Comparison, Config, Contender};

const NUM_SPAWN: usize = 10_000;
const YIELD_TASKS: usize = 200;
const NUM_YIELD: usize = 1_000;
const NUM_PINGS: usize = 1_000;
const CHAIN_LEN: usize = 1_000;

/// 10 000 spawns from inside the runtime (`block_on`'s context), each task
/// counting down; the last one signals completion.
fn spawn_many_local<R: Rt>(rt: &R) {
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let rem = Arc::new(AtomicUsize::new(NUM_SPAWN));
    let s = rt.spawner();
    rt.block_on(async {
        for _ in 0..NUM_SPAWN {
            let done_tx = done_tx.clone();
            let rem = rem.clone();
            R::Spawner::detach(s.spawn(async move {
                if rem.fetch_sub(1, Relaxed) == 1 {
                    done_tx.send(()).unwrap();
                }
            }));
        }
        done_rx.recv().unwrap();
    });
}

/// 10 000 empty tasks spawned from outside the runtime through its handle,
/// then all joined from `block_on`.
fn spawn_many_remote_idle<R: Rt>(rt: &R) {
    let handles: Vec<_> = (0..NUM_SPAWN).map(|_| rt.spawn_remote(async {})).collect();
    rt.block_on(async {
        for h in handles {
            h.await;
        }
    });
}

/// 200 tasks spawned from outside, each yielding 1 000 times.
fn yield_many<R: Rt>(rt: &R) {
    let (done_tx, done_rx) = mpsc::sync_channel(YIELD_TASKS);
    for _ in 0..YIELD_TASKS {
        let done_tx = done_tx.clone();
        R::Spawner::detach(rt.spawn_remote(async move {
            for _ in 0..NUM_YIELD {
                R::Spawner::yield_now().await;
            }
            done_tx.send(()).unwrap();
        }));
    }
    for _ in 0..YIELD_TASKS {
        done_rx.recv().unwrap();
    }
}

/// One task spawns 1 000 tasks; each spawns a partner and the two exchange
/// a ping and a pong over oneshot channels.
fn ping_pong<R: Rt>(rt: &R) {
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let rem = Arc::new(AtomicUsize::new(NUM_PINGS));
    let s = rt.spawner();
    rt.block_on(async {
        R::Spawner::detach(s.spawn(async move {
            for _ in 0..NUM_PINGS {
                let rem = rem.clone();
                let done_tx = done_tx.clone();
                R::Spawner::detach(s.spawn(async move {
                    let (ping_tx, ping_rx) = oneshot::channel::<()>();
                    let (pong_tx, pong_rx) = oneshot::channel::<()>();
                    R::Spawner::detach(s.spawn(async move {
                        ping_rx.await.unwrap();
                        pong_tx.send(()).unwrap();
                    }));
                    ping_tx.send(()).unwrap();
                    pong_rx.await.unwrap();
                    if rem.fetch_sub(1, Relaxed) == 1 {
                        done_tx.send(()).unwrap();
                    }
                }));
            }
        }));
        done_rx.recv().unwrap();
    });
}

/// A chain of 1 000 tasks, each spawning the next; the last signals.
fn chained_spawn<R: Rt>(rt: &R) {
    fn link<S: Spawner>(s: S, done_tx: mpsc::SyncSender<()>, n: usize) {
        if n == 0 {
            done_tx.send(()).unwrap();
        } else {
            S::detach(s.spawn(async move { link(s, done_tx, n - 1) }));
        }
    }
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let s = rt.spawner();
    rt.block_on(async {
        R::Spawner::detach(s.spawn(async move { link(s, done_tx, CHAIN_LEN) }));
        done_rx.recv().unwrap();
    });
}

struct Runtimes {
    zokio: zokio::runtime::Runtime,
    tokio: tokio::runtime::Runtime,
    tokio_nodrv: tokio::runtime::Runtime,
    smol: Smol,
}

impl Runtimes {
    /// Interleaved rounds of `workload` on the three runtimes.
    fn compare<W: Workload>(&self, cfg: &Config, w: W, iters: u32) -> Option<Comparison> {
        if !cfg.selected(W::NAME) {
            return None;
        }
        let cs = vec![
            Contender::new("zokio", || w.run(&self.zokio)),
            Contender::new("tokio", || w.run(&self.tokio)),
            Contender::new("smol", || w.run(&self.smol)),
            Contender::new("tokio-nodrv", || w.run(&self.tokio_nodrv)),
        ];
        Some(compare(cfg, W::NAME, iters, "tokio", cs))
    }
}

/// A workload generic over the runtime (closures cannot be generic).
trait Workload: Copy {
    const NAME: &'static str;
    fn run<R: Rt>(self, rt: &R);
}

macro_rules! workload {
    ($ty:ident, $f:ident) => {
        #[derive(Clone, Copy)]
        struct $ty;
        impl Workload for $ty {
            const NAME: &'static str = stringify!($f);
            fn run<R: Rt>(self, rt: &R) {
                $f(rt)
            }
        }
    };
}

workload!(SpawnManyLocal, spawn_many_local);
workload!(SpawnManyRemoteIdle, spawn_many_remote_idle);
workload!(YieldMany, yield_many);
workload!(PingPong, ping_pong);
workload!(ChainedSpawn, chained_spawn);

fn main() {
    let cfg = Config::from_env_and_args();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "rt_multi_threaded: {} workers per runtime, {} rounds, {cores} cores available",
        rt::WORKERS,
        cfg.rounds
    );
    let rts = Runtimes {
        zokio: rt::zokio_runtime(),
        tokio: rt::tokio_runtime(),
        tokio_nodrv: rt::tokio_runtime_without_drivers(),
        smol: Smol::start(),
    };
    // Iterations per sample are chosen so one sample takes 10-40 ms.
    let results: Vec<Comparison> = [
        rts.compare(&cfg, SpawnManyLocal, 8),
        rts.compare(&cfg, SpawnManyRemoteIdle, 8),
        rts.compare(&cfg, YieldMany, 2),
        rts.compare(&cfg, PingPong, 32),
        rts.compare(&cfg, ChainedSpawn, 64),
    ]
    .into_iter()
    .flatten()
    .collect();
    println!("\n{}", markdown_table(&results, "tokio"));
}
