//! Sync-primitive workloads, Zokio (`zokio::sync`) vs Tokio (`tokio::sync`)
//! vs smol (async-channel, async-lock, event-listener on async-executor),
//! 2 workers each, one process, interleaved rounds, medians and ratios to
//! Tokio.
//!
//! ```text
//! cargo bench -p zokio-benches --bench sync [-- FILTER...]
//! ZOKIO_BENCH_ROUNDS=30 cargo bench -p zokio-benches --bench sync -- mpsc
//! ```
//!
//! - `mpsc_bounded`: 4 producer tasks x 100 000 messages into
//!   `channel(1024)`, one consumer task;
//! - `mpsc_unbounded`: the same into an unbounded channel;
//! - `oneshot_ping`: 100 000 round trips between two tasks, each leg a fresh
//!   oneshot that carries the sender of the next leg;
//! - `cross_thread_wake`: two tasks bouncing two `Notify`s 100 000 times;
//! - `mutex_contended`: 8 tasks x 10 000 lock/unlock of one async `Mutex`;
//! - `semaphore`: 8 tasks x 10 000 acquire/release on a 2-permit semaphore.
//!
//! Every task is spawned from `block_on` with the runtime's in-runtime spawn
//! and joined there, so all the work runs on the 2 workers; `block_on`'s
//! thread only waits. smol's equivalents: `async_channel::bounded(1024)` /
//! `unbounded()`, `async_channel::bounded(1)` as the oneshot (smol has no
//! oneshot; `smol::channel` is async-channel), an `event_listener::Event`
//! plus an `AtomicBool` as the permit-storing `Notify`, and
//! `async_lock::{Mutex, Semaphore}`.

use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;

use zokio_benches::rt::{self, Rt, Smol, Spawner};
use zokio_benches::{compare, markdown_table, Comparison, Config, Contender};

const PRODUCERS: usize = 4;
const MESSAGES: u64 = 100_000;
const CAPACITY: usize = 1024;
const ROUND_TRIPS: usize = 100_000;
const WAKES: usize = 100_000;
const LOCK_TASKS: usize = 8;
const LOCKS_PER_TASK: u64 = 10_000;
const PERMITS: usize = 2;

/// What the consumer of an mpsc workload must have seen: every message of
/// every producer (`0..MESSAGES` each).
fn check_consumed(count: u64, sum: u64) {
    assert_eq!(count, PRODUCERS as u64 * MESSAGES, "messages received");
    assert_eq!(sum, PRODUCERS as u64 * (MESSAGES * (MESSAGES - 1) / 2));
}

/// The six workloads.
#[derive(Debug, Clone, Copy)]
enum Workload {
    MpscBounded,
    MpscUnbounded,
    OneshotPing,
    CrossThreadWake,
    MutexContended,
    Semaphore,
}

impl Workload {
    const ALL: [Workload; 6] = [
        Workload::MpscBounded,
        Workload::MpscUnbounded,
        Workload::OneshotPing,
        Workload::CrossThreadWake,
        Workload::MutexContended,
        Workload::Semaphore,
    ];

    fn name(self) -> &'static str {
        match self {
            Workload::MpscBounded => "mpsc_bounded",
            Workload::MpscUnbounded => "mpsc_unbounded",
            Workload::OneshotPing => "oneshot_ping",
            Workload::CrossThreadWake => "cross_thread_wake",
            Workload::MutexContended => "mutex_contended",
            Workload::Semaphore => "semaphore",
        }
    }

    /// Workload iterations per sample, so that on our 2-core machine one
    /// sample takes 10-100 ms (Zokio's fastest regime to Tokio's usual one;
    /// the lock workloads are 2-5x slower when both workers truly run in
    /// parallel than when one of them is descheduled).
    fn iters(self) -> u32 {
        match self {
            Workload::MpscBounded | Workload::MpscUnbounded => 1,
            Workload::OneshotPing | Workload::CrossThreadWake => 1,
            Workload::MutexContended | Workload::Semaphore => 6,
        }
    }
}

/// The workloads for a Tokio-shaped `sync` API (Zokio ports by renaming the
/// crate, so the same text serves both).
macro_rules! tokio_like {
    ($m:ident, $krate:ident) => {
        mod $m {
            use super::*;
            use $krate::sync::{mpsc, oneshot, Mutex, Notify, Semaphore};

            pub(super) async fn run<S: Spawner>(w: Workload, s: S) {
                match w {
                    Workload::MpscBounded => mpsc_bounded(s).await,
                    Workload::MpscUnbounded => mpsc_unbounded(s).await,
                    Workload::OneshotPing => oneshot_ping(s).await,
                    Workload::CrossThreadWake => cross_thread_wake(s).await,
                    Workload::MutexContended => mutex_contended(s).await,
                    Workload::Semaphore => semaphore(s).await,
                }
            }

            async fn mpsc_bounded<S: Spawner>(s: S) {
                let (tx, mut rx) = mpsc::channel::<u64>(CAPACITY);
                let consumer = s.spawn(async move {
                    let (mut count, mut sum) = (0, 0);
                    while let Some(v) = rx.recv().await {
                        count += 1;
                        sum += v;
                    }
                    (count, sum)
                });
                let producers: Vec<_> = (0..PRODUCERS)
                    .map(|_| {
                        let tx = tx.clone();
                        s.spawn(async move {
                            for i in 0..MESSAGES {
                                tx.send(i).await.unwrap();
                            }
                        })
                    })
                    .collect();
                drop(tx);
                for p in producers {
                    p.await;
                }
                let (count, sum) = consumer.await;
                check_consumed(count, sum);
            }

            async fn mpsc_unbounded<S: Spawner>(s: S) {
                let (tx, mut rx) = mpsc::unbounded_channel::<u64>();
                let consumer = s.spawn(async move {
                    let (mut count, mut sum) = (0, 0);
                    while let Some(v) = rx.recv().await {
                        count += 1;
                        sum += v;
                    }
                    (count, sum)
                });
                let producers: Vec<_> = (0..PRODUCERS)
                    .map(|_| {
                        let tx = tx.clone();
                        s.spawn(async move {
                            for i in 0..MESSAGES {
                                tx.send(i).unwrap();
                            }
                        })
                    })
                    .collect();
                drop(tx);
                for p in producers {
                    p.await;
                }
                let (count, sum) = consumer.await;
                check_consumed(count, sum);
            }

            /// A ping carries the sender for the pong.
            struct Ping(oneshot::Sender<Pong>);
            /// A pong carries the sender for the next ping.
            struct Pong(oneshot::Sender<Ping>);

            async fn oneshot_ping<S: Spawner>(s: S) {
                let (to_b, mut from_a) = oneshot::channel::<Ping>();
                let b = s.spawn(async move {
                    // Ends when A drops the sender of the next ping.
                    while let Ok(Ping(reply)) = from_a.await {
                        let (next_tx, next_rx) = oneshot::channel();
                        from_a = next_rx;
                        assert!(reply.send(Pong(next_tx)).is_ok(), "A is gone");
                    }
                });
                let a = s.spawn(async move {
                    let mut to_b = to_b;
                    for _ in 0..ROUND_TRIPS {
                        let (tx, rx) = oneshot::channel();
                        assert!(to_b.send(Ping(tx)).is_ok(), "B is gone");
                        let Pong(next) = rx.await.unwrap();
                        to_b = next;
                    }
                });
                a.await;
                b.await;
            }

            async fn cross_thread_wake<S: Spawner>(s: S) {
                let ping = Arc::new(Notify::new());
                let pong = Arc::new(Notify::new());
                let b = s.spawn({
                    let (ping, pong) = (ping.clone(), pong.clone());
                    async move {
                        for _ in 0..WAKES {
                            ping.notified().await;
                            pong.notify_one();
                        }
                    }
                });
                let a = s.spawn(async move {
                    for _ in 0..WAKES {
                        ping.notify_one();
                        pong.notified().await;
                    }
                });
                a.await;
                b.await;
            }

            async fn mutex_contended<S: Spawner>(s: S) {
                let m = Arc::new(Mutex::new(0u64));
                let tasks: Vec<_> = (0..LOCK_TASKS)
                    .map(|_| {
                        let m = m.clone();
                        s.spawn(async move {
                            for _ in 0..LOCKS_PER_TASK {
                                *m.lock().await += 1;
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
                assert_eq!(*m.lock().await, LOCK_TASKS as u64 * LOCKS_PER_TASK);
            }

            async fn semaphore<S: Spawner>(s: S) {
                let sem = Arc::new(Semaphore::new(PERMITS));
                let tasks: Vec<_> = (0..LOCK_TASKS)
                    .map(|_| {
                        let sem = sem.clone();
                        s.spawn(async move {
                            for _ in 0..LOCKS_PER_TASK {
                                drop(sem.acquire().await.unwrap());
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
                assert_eq!(sem.available_permits(), PERMITS);
            }
        }
    };
}

tokio_like!(zk, zokio);
tokio_like!(tk, tokio);

/// smol: the smol-ecosystem crates on the async-executor contender.
mod sm {
    use super::*;
    use async_lock::{Mutex, Semaphore};
    use event_listener::Event;

    pub(super) async fn run<S: Spawner>(w: Workload, s: S) {
        match w {
            Workload::MpscBounded => mpsc(s, async_channel::bounded(CAPACITY)).await,
            Workload::MpscUnbounded => mpsc(s, async_channel::unbounded()).await,
            Workload::OneshotPing => oneshot_ping(s).await,
            Workload::CrossThreadWake => cross_thread_wake(s).await,
            Workload::MutexContended => mutex_contended(s).await,
            Workload::Semaphore => semaphore(s).await,
        }
    }

    /// async-channel has one type for both flavours; an unbounded sender's
    /// `send` never waits.
    async fn mpsc<S: Spawner>(
        s: S,
        (tx, rx): (async_channel::Sender<u64>, async_channel::Receiver<u64>),
    ) {
        let consumer = s.spawn(async move {
            let (mut count, mut sum) = (0, 0);
            while let Ok(v) = rx.recv().await {
                count += 1;
                sum += v;
            }
            (count, sum)
        });
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|_| {
                let tx = tx.clone();
                s.spawn(async move {
                    for i in 0..MESSAGES {
                        tx.send(i).await.unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        for p in producers {
            p.await;
        }
        let (count, sum) = consumer.await;
        check_consumed(count, sum);
    }

    /// The oneshot: `async_channel::bounded(1)`, sent to once with
    /// `try_send` (a fresh channel has room, so it never waits).
    fn oneshot<T>() -> (async_channel::Sender<T>, async_channel::Receiver<T>) {
        async_channel::bounded(1)
    }

    struct Ping(async_channel::Sender<Pong>);
    struct Pong(async_channel::Sender<Ping>);

    async fn oneshot_ping<S: Spawner>(s: S) {
        let (to_b, mut from_a) = oneshot::<Ping>();
        let b = s.spawn(async move {
            while let Ok(Ping(reply)) = from_a.recv().await {
                let (next_tx, next_rx) = oneshot();
                from_a = next_rx;
                assert!(reply.try_send(Pong(next_tx)).is_ok(), "A is gone");
            }
        });
        let a = s.spawn(async move {
            let mut to_b = to_b;
            for _ in 0..ROUND_TRIPS {
                let (tx, rx) = oneshot();
                assert!(to_b.try_send(Ping(tx)).is_ok(), "B is gone");
                let Pong(next) = rx.recv().await.unwrap();
                to_b = next;
            }
        });
        a.await;
        b.await;
    }

    /// `Notify` with a stored permit: a flag plus an `Event`, in the
    /// check / listen / re-check pattern of event-listener's docs.
    #[derive(Default)]
    struct Signal {
        permit: AtomicBool,
        event: Event,
    }

    impl Signal {
        fn notify_one(&self) {
            self.permit.store(true, SeqCst);
            // `notify` with a plain count emits a SeqCst fence first, which
            // pairs with the one `listen` emits after registering.
            self.event.notify(1);
        }

        async fn notified(&self) {
            loop {
                if self.permit.swap(false, SeqCst) {
                    return;
                }
                let listener = self.event.listen();
                if self.permit.swap(false, SeqCst) {
                    return;
                }
                listener.await;
            }
        }
    }

    async fn cross_thread_wake<S: Spawner>(s: S) {
        let ping = Arc::new(Signal::default());
        let pong = Arc::new(Signal::default());
        let b = s.spawn({
            let (ping, pong) = (ping.clone(), pong.clone());
            async move {
                for _ in 0..WAKES {
                    ping.notified().await;
                    pong.notify_one();
                }
            }
        });
        let a = s.spawn(async move {
            for _ in 0..WAKES {
                ping.notify_one();
                pong.notified().await;
            }
        });
        a.await;
        b.await;
    }

    async fn mutex_contended<S: Spawner>(s: S) {
        let m = Arc::new(Mutex::new(0u64));
        let tasks: Vec<_> = (0..LOCK_TASKS)
            .map(|_| {
                let m = m.clone();
                s.spawn(async move {
                    for _ in 0..LOCKS_PER_TASK {
                        *m.lock().await += 1;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await;
        }
        assert_eq!(*m.lock().await, LOCK_TASKS as u64 * LOCKS_PER_TASK);
    }

    async fn semaphore<S: Spawner>(s: S) {
        let sem = Arc::new(Semaphore::new(PERMITS));
        let tasks: Vec<_> = (0..LOCK_TASKS)
            .map(|_| {
                let sem = sem.clone();
                s.spawn(async move {
                    for _ in 0..LOCKS_PER_TASK {
                        drop(sem.acquire().await);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await;
        }
        // All permits are back: `PERMITS` can be taken at once.
        let held: Vec<_> = (0..PERMITS).map(|_| sem.try_acquire()).collect();
        assert!(held.iter().all(Option::is_some), "a permit was lost");
    }
}

struct Runtimes {
    zokio: zokio::runtime::Runtime,
    tokio: tokio::runtime::Runtime,
    smol: Smol,
}

impl Runtimes {
    /// Interleaved rounds of `w` on the three runtimes.
    fn compare(&self, cfg: &Config, w: Workload) -> Option<Comparison> {
        if !cfg.selected(w.name()) {
            return None;
        }
        let cs = vec![
            Contender::new("zokio", || {
                self.zokio.block_on(zk::run(w, self.zokio.spawner()));
            }),
            Contender::new("tokio", || {
                self.tokio.block_on(tk::run(w, self.tokio.spawner()));
            }),
            Contender::new("smol", || {
                self.smol.block_on(sm::run(w, self.smol.spawner()));
            }),
        ];
        Some(compare(cfg, w.name(), w.iters(), "tokio", cs))
    }
}

fn main() {
    let cfg = Config::from_env_and_args();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "sync: {} workers per runtime, {} rounds, {cores} cores available",
        rt::WORKERS,
        cfg.rounds
    );
    let rts = Runtimes {
        zokio: rt::zokio_runtime(),
        tokio: rt::tokio_runtime(),
        smol: Smol::start(),
    };
    let results: Vec<Comparison> = Workload::ALL
        .into_iter()
        .filter_map(|w| rts.compare(&cfg, w))
        .collect();
    println!("\n{}", markdown_table(&results, "tokio"));
}
