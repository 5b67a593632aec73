//! TCP workloads over loopback, Zokio vs Tokio vs smol (async-io +
//! async-net), 2 workers each, one process, interleaved rounds, medians and
//! ratios to Tokio.
//!
//! ```text
//! cargo bench -p zokio-benches --bench net [-- FILTER...]
//! ZOKIO_BENCH_ROUNDS=5 cargo bench -p zokio-benches --bench net -- tcp_echo
//! ```
//!
//! - `tcp_echo`: 50 concurrent clients x 2 000 round trips of 64 bytes to an
//!   echo server on the same runtime;
//! - `tcp_throughput`: one connection streaming 256 MiB (64 KiB writes);
//!   reader and writer are both tasks on the runtime's workers (until
//!   2026-11-25 the Zokio and Tokio writers ran in `block_on` on the
//!   calling thread while smol's was a task);
//! - `tcp_connect`: 10 000 sequential connect/accept/close cycles;
//! - `tcp_paced`: a lightly loaded server. One blocking client on the
//!   calling thread makes 200 round trips of 64 bytes to an echo task, 500 µs
//!   apart. The figure is the CPU time all threads but the caller's used
//!   per round trip (from `/proc/self/task/*/schedstat`), not wall time:
//!   it shows what a runtime burns between requests (spinning, polling).
//!
//! Each sample binds a fresh listener, so connections of earlier samples
//! (in `TIME_WAIT`) never collide with new ones. The smol contender runs
//! its executor threads in `async_io::block_on`, as `smol::block_on` does,
//! so they drive async-io's reactor when idle.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use zokio_benches::rt::{self, WORKERS};
use zokio_benches::{compare, markdown_table, Comparison, Config, Contender};

const ECHO_CLIENTS: usize = 50;
const ECHO_ROUND_TRIPS: usize = 2_000;
const ECHO_MSG: usize = 64;
const THROUGHPUT_BYTES: usize = 256 << 20;
const CHUNK: usize = 64 * 1024;
const CONNECTS: usize = 10_000;
const PACED_TRIPS: u32 = 200;
const PACED_GAP: std::time::Duration = std::time::Duration::from_micros(500);

/// `serve_echo(s)`: echoes what `s` reads until EOF or an error. Expanded
/// in each contender's module, where `TcpStream` and the read/write
/// extension traits name that contender's own.
macro_rules! serve_echo {
    () => {
        async fn serve_echo(mut s: TcpStream) {
            s.set_nodelay(true).unwrap();
            let mut buf = [0u8; 4096];
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => s.write_all(&buf[..n]).await.unwrap(),
                }
            }
        }
    };
}

/// The workloads for a Tokio-shaped API (Zokio ports by renaming the
/// crate, so the same text serves both).
macro_rules! tokio_like {
    ($m:ident, $krate:ident) => {
        mod $m {
            use super::*;
            use $krate::io::{AsyncReadExt, AsyncWriteExt};
            use $krate::net::{TcpListener, TcpStream};

            pub(super) async fn echo() {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = $krate::spawn(async move {
                    for _ in 0..ECHO_CLIENTS {
                        let (s, _) = listener.accept().await.unwrap();
                        $krate::spawn(serve_echo(s));
                    }
                });
                let clients: Vec<_> = (0..ECHO_CLIENTS)
                    .map(|_| {
                        $krate::spawn(async move {
                            let mut s = TcpStream::connect(addr).await.unwrap();
                            s.set_nodelay(true).unwrap();
                            let msg = [7u8; ECHO_MSG];
                            let mut buf = [0u8; ECHO_MSG];
                            for _ in 0..ECHO_ROUND_TRIPS {
                                s.write_all(&msg).await.unwrap();
                                s.read_exact(&mut buf).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
                server.await.unwrap();
            }

            pub(super) async fn throughput() {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = $krate::spawn(async move {
                    let (mut s, _) = listener.accept().await.unwrap();
                    let mut buf = vec![0u8; CHUNK];
                    let mut total = 0;
                    loop {
                        let n = s.read(&mut buf).await.unwrap();
                        if n == 0 {
                            return total;
                        }
                        total += n;
                    }
                });
                // The writer is a task too, as in the smol version: both
                // ends run on the runtime's workers in all three.
                let client = $krate::spawn(async move {
                    let mut c = TcpStream::connect(addr).await.unwrap();
                    let chunk = vec![1u8; CHUNK];
                    for _ in 0..THROUGHPUT_BYTES / CHUNK {
                        c.write_all(&chunk).await.unwrap();
                    }
                    c.shutdown().await.unwrap();
                });
                client.await.unwrap();
                assert_eq!(server.await.unwrap(), THROUGHPUT_BYTES);
            }

            pub(super) async fn connect() {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let accepted = Arc::new(AtomicUsize::new(0));
                let acc = accepted.clone();
                let server = $krate::spawn(async move {
                    for _ in 0..CONNECTS {
                        let (s, _) = listener.accept().await.unwrap();
                        drop(s);
                        acc.fetch_add(1, Relaxed);
                    }
                });
                for _ in 0..CONNECTS {
                    let s = TcpStream::connect(addr).await.unwrap();
                    drop(s);
                }
                server.await.unwrap();
                assert_eq!(accepted.load(Relaxed), CONNECTS);
            }

            /// Runs the paced client on the calling thread (it blocks, as
            /// a client in another process would) against an echo task.
            pub(super) async fn paced() -> std::time::Duration {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = $krate::spawn(async move {
                    let (s, _) = listener.accept().await.unwrap();
                    serve_echo(s).await
                });
                let cpu = super::paced_client(addr);
                server.await.unwrap();
                cpu
            }

            serve_echo!();
        }
    };
}

/// The blocking client of `tcp_paced`: returns the CPU time the other
/// threads of the process used while it ran.
fn paced_client(addr: std::net::SocketAddr) -> std::time::Duration {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_nodelay(true).unwrap();
    let msg = [7u8; ECHO_MSG];
    let mut buf = [0u8; ECHO_MSG];
    // Let the accept and the first wake-ups settle before measuring.
    s.write_all(&msg).unwrap();
    s.read_exact(&mut buf).unwrap();
    std::thread::sleep(PACED_GAP);
    let before = other_threads_cpu();
    for _ in 0..PACED_TRIPS {
        s.write_all(&msg).unwrap();
        s.read_exact(&mut buf).unwrap();
        std::thread::sleep(PACED_GAP);
    }
    let used = other_threads_cpu().saturating_sub(before);
    drop(s);
    used
}

/// CPU time of every thread of this process but the calling one, from the
/// first field of `/proc/self/task/<tid>/schedstat` (nanoseconds on CPU).
fn other_threads_cpu() -> std::time::Duration {
    let me = std::fs::read_link("/proc/thread-self").expect("/proc/thread-self");
    let me = me.file_name().expect("a thread id").to_owned();
    let mut ns = 0u64;
    for entry in std::fs::read_dir("/proc/self/task").expect("/proc/self/task") {
        let entry = entry.expect("a task entry");
        if entry.file_name() == me {
            continue;
        }
        // A thread may exit between the listing and the read.
        if let Ok(stat) = std::fs::read_to_string(entry.path().join("schedstat")) {
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    std::time::Duration::from_nanos(ns)
}

tokio_like!(zk, zokio);
tokio_like!(tk, tokio);

/// smol: async-net sockets on an async-executor run by `WORKERS` threads.
mod sm {
    use super::*;
    use async_net::{TcpListener, TcpStream};
    use futures_lite::io::{AsyncReadExt, AsyncWriteExt};

    pub(super) struct SmolNet {
        pub(super) ex: &'static async_executor::Executor<'static>,
        stop: Option<async_channel::Sender<()>>,
        threads: Vec<std::thread::JoinHandle<()>>,
    }

    impl SmolNet {
        pub(super) fn start() -> SmolNet {
            let ex: &'static async_executor::Executor<'static> =
                Box::leak(Box::new(async_executor::Executor::new()));
            let (stop, stopped) = async_channel::bounded::<()>(1);
            let threads = (0..WORKERS)
                .map(|i| {
                    let stopped = stopped.clone();
                    std::thread::Builder::new()
                        .name(format!("smol-net-{i}"))
                        .spawn(move || {
                            let _ = async_io::block_on(ex.run(stopped.recv()));
                        })
                        .expect("spawn a smol thread")
                })
                .collect();
            SmolNet {
                ex,
                stop: Some(stop),
                threads,
            }
        }

        pub(super) fn block_on<F: Future>(&self, f: F) -> F::Output {
            async_io::block_on(f)
        }
    }

    impl Drop for SmolNet {
        fn drop(&mut self) {
            drop(self.stop.take());
            for t in self.threads.drain(..) {
                let _ = t.join();
            }
        }
    }

    pub(super) async fn echo(ex: &'static async_executor::Executor<'static>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ex.spawn(async move {
            for _ in 0..ECHO_CLIENTS {
                let (s, _) = listener.accept().await.unwrap();
                ex.spawn(serve_echo(s)).detach();
            }
        });
        let clients: Vec<_> = (0..ECHO_CLIENTS)
            .map(|_| {
                ex.spawn(async move {
                    let mut s = TcpStream::connect(addr).await.unwrap();
                    s.set_nodelay(true).unwrap();
                    let msg = [7u8; ECHO_MSG];
                    let mut buf = [0u8; ECHO_MSG];
                    for _ in 0..ECHO_ROUND_TRIPS {
                        s.write_all(&msg).await.unwrap();
                        s.read_exact(&mut buf).await.unwrap();
                    }
                })
            })
            .collect();
        for c in clients {
            c.await;
        }
        server.await;
    }

    pub(super) async fn throughput(ex: &'static async_executor::Executor<'static>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ex.spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; CHUNK];
            let mut total = 0;
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    return total;
                }
                total += n;
            }
        });
        let client = ex.spawn(async move {
            let mut c = TcpStream::connect(addr).await.unwrap();
            let chunk = vec![1u8; CHUNK];
            for _ in 0..THROUGHPUT_BYTES / CHUNK {
                c.write_all(&chunk).await.unwrap();
            }
            c.shutdown(std::net::Shutdown::Write).unwrap();
        });
        client.await;
        assert_eq!(server.await, THROUGHPUT_BYTES);
    }

    pub(super) async fn connect(ex: &'static async_executor::Executor<'static>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ex.spawn(async move {
            for _ in 0..CONNECTS {
                let (s, _) = listener.accept().await.unwrap();
                drop(s);
            }
        });
        // The client loop runs on the calling thread, as in the Zokio and
        // Tokio versions. The caller blocks with `futures_lite`'s
        // `block_on` (see `main`), which leaves async-io's reactor to the
        // two executor threads, as Zokio's and Tokio's `block_on` threads
        // leave their driver to the workers.
        for _ in 0..CONNECTS {
            let s = TcpStream::connect(addr).await.unwrap();
            drop(s);
        }
        server.await;
    }

    pub(super) async fn paced(
        ex: &'static async_executor::Executor<'static>,
    ) -> std::time::Duration {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = ex.spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            serve_echo(s).await
        });
        let cpu = super::paced_client(addr);
        server.await;
        cpu
    }

    serve_echo!();
}

/// `tcp_paced`: interleaved rounds as `compare` runs them, but each sample
/// is CPU time per round trip rather than wall time.
fn paced(
    cfg: &Config,
    zokio: &zokio::runtime::Runtime,
    tokio: &tokio::runtime::Runtime,
    smol: &sm::SmolNet,
) -> Comparison {
    let names = ["zokio", "tokio", "smol"];
    let sample = |i: usize| match i {
        0 => zokio.block_on(zk::paced()),
        1 => tokio.block_on(tk::paced()),
        _ => futures_lite::future::block_on(sm::paced(smol.ex)),
    };
    let mut samples: Vec<Vec<std::time::Duration>> = vec![Vec::new(); 3];
    for (i, name) in names.iter().enumerate() {
        if cfg.runs(name) {
            let _ = sample(i); // warm-up, not recorded
        }
    }
    for round in 0..cfg.rounds {
        for k in 0..3 {
            let i = (round + k) % 3;
            if cfg.runs(names[i]) {
                samples[i].push(sample(i) / PACED_TRIPS);
            }
        }
    }
    let cmp = Comparison {
        workload: "tcp_paced".to_string(),
        iters: PACED_TRIPS,
        samples: names
            .into_iter()
            .zip(samples)
            .filter(|(_, s)| !s.is_empty())
            .collect(),
    };
    print!("{}", cmp.summary("tokio"));
    println!("  (CPU per round trip of the runtime's threads, not wall time)");
    cmp
}

fn main() {
    let cfg = Config::from_env_and_args();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "net: {} workers per runtime, {} rounds, {cores} cores available",
        rt::WORKERS,
        cfg.rounds
    );
    let zokio = rt::zokio_runtime();
    let tokio = rt::tokio_runtime();
    let smol = sm::SmolNet::start();
    let ex = smol.ex;
    let mut results: Vec<Comparison> = Vec::new();
    if cfg.selected("tcp_echo") {
        results.push(compare(
            &cfg,
            "tcp_echo",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || zokio.block_on(zk::echo())),
                Contender::new("tokio", || tokio.block_on(tk::echo())),
                Contender::new("smol", || smol.block_on(sm::echo(ex))),
            ],
        ));
        let trips = (ECHO_CLIENTS * ECHO_ROUND_TRIPS) as f64;
        report_rate(results.last().unwrap(), "round trips/s", trips);
    }
    if cfg.selected("tcp_throughput") {
        results.push(compare(
            &cfg,
            "tcp_throughput",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || zokio.block_on(zk::throughput())),
                Contender::new("tokio", || tokio.block_on(tk::throughput())),
                Contender::new("smol", || smol.block_on(sm::throughput(ex))),
            ],
        ));
        report_rate(
            results.last().unwrap(),
            "MiB/s",
            (THROUGHPUT_BYTES >> 20) as f64,
        );
    }
    if cfg.selected("tcp_connect") {
        results.push(compare(
            &cfg,
            "tcp_connect",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || zokio.block_on(zk::connect())),
                Contender::new("tokio", || tokio.block_on(tk::connect())),
                // Not `async_io::block_on`: with three threads taking turns
                // on async-io's reactor (its 500 µs hand-off and the
                // async-io thread's 50 µs–10 ms back-off), connects ran at
                // 400–1 500/s, bimodal from run to run.
                Contender::new("smol", || futures_lite::future::block_on(sm::connect(ex))),
            ],
        ));
        report_rate(results.last().unwrap(), "connections/s", CONNECTS as f64);
    }
    if cfg.selected("tcp_paced") {
        results.push(paced(&cfg, &zokio, &tokio, &smol));
    }
    println!("\n{}", markdown_table(&results, "tokio"));
}

/// Prints `units` per second for each contender's median.
fn report_rate(c: &Comparison, unit: &str, units_per_iter: f64) {
    for (name, _) in &c.samples {
        if let Some(m) = c.median(name) {
            println!(
                "  {name:<11} {:>12.0} {unit}",
                units_per_iter / m.as_secs_f64()
            );
        }
    }
}
