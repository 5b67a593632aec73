//! Zokio demo: shows the runtime at work and prints what it did.
use std::time::Instant;

fn main() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build runtime");
    let start = Instant::now();
    let total: u64 = rt.block_on(async {
        let mut handles = Vec::new();
        for i in 0..100_000u64 {
            handles.push(zokio::spawn(async move { i }));
        }
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    println!("100000 tasks summed to {total} in {:?}", start.elapsed());
    let m = rt.metrics();
    for w in 0..m.num_workers() {
        println!(
            "worker {w}: polls {} steals {} parks {}",
            m.worker_poll_count(w),
            m.worker_steal_count(w),
            m.worker_park_count(w)
        );
    }
    tcp_echo(&rt);
    channels_timers_and_blocking(&rt);
}

/// A pipeline over an mpsc channel, a few timers, a JoinSet and the
/// blocking pool, with what each did.
fn channels_timers_and_blocking(rt: &zokio::runtime::Runtime) {
    use std::time::Duration;
    use zokio::sync::mpsc;
    use zokio::task::JoinSet;

    rt.block_on(async {
        // 4 producers x 25 000 messages through a bounded channel.
        let start = Instant::now();
        let (tx, mut rx) = mpsc::channel::<u64>(1024);
        for p in 0..4u64 {
            let tx = tx.clone();
            zokio::spawn(async move {
                for i in 0..25_000u64 {
                    tx.send(p * 25_000 + i).await.expect("receiver alive");
                }
            });
        }
        drop(tx);
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(v) = rx.recv().await {
            count += 1;
            sum += v;
        }
        println!(
            "mpsc: {count} messages from 4 producers (sum {sum}) in {:?}",
            start.elapsed()
        );

        // Timers: ten sleeps of 1..=10 ms run concurrently.
        let start = Instant::now();
        let mut set = JoinSet::new();
        for ms in 1..=10u64 {
            set.spawn(async move {
                zokio::time::sleep(Duration::from_millis(ms)).await;
                ms
            });
        }
        let mut order = Vec::new();
        while let Some(ms) = set.join_next().await {
            order.push(ms.expect("sleep task"));
        }
        println!(
            "timers: ten sleeps of 1..=10 ms finished in order {order:?} after {:?}",
            start.elapsed()
        );
        let late =
            zokio::time::timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
        println!(
            "timeout: a pending future gave up after 5 ms: {}",
            late.is_err()
        );

        // The blocking pool runs what would stall a worker.
        let start = Instant::now();
        let hs: Vec<_> = (0..4)
            .map(|_| zokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(20))))
            .collect();
        for h in hs {
            h.await.expect("blocking task");
        }
        println!(
            "blocking pool: four 20 ms blocking calls took {:?} together",
            start.elapsed()
        );
    });
    let m = rt.metrics();
    println!(
        "runtime: {} workers, {} blocking threads, tasks alive: {} (the echo server's accept loop)",
        m.num_workers(),
        m.num_blocking_threads(),
        m.num_alive_tasks()
    );
}

/// TCP over loopback: an echo server task and 10 clients, each doing 100
/// round trips.
fn tcp_echo(rt: &zokio::runtime::Runtime) {
    use zokio::io::{AsyncReadExt, AsyncWriteExt};
    use zokio::net::{TcpListener, TcpStream};

    let start = Instant::now();
    let round_trips: usize = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local_addr");
        zokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                zokio::spawn(async move {
                    let (mut r, mut w) = sock.split();
                    let _ = zokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        let mut clients = Vec::new();
        for _ in 0..10 {
            clients.push(zokio::spawn(async move {
                let mut s = TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let mut buf = [0u8; 64];
                for _ in 0..100 {
                    s.write_all(&[7u8; 64]).await.expect("write");
                    s.read_exact(&mut buf).await.expect("read");
                }
                100
            }));
        }
        let mut n = 0;
        for c in clients {
            n += c.await.expect("client task");
        }
        n
    });
    println!(
        "tcp echo: {round_trips} round trips of 64 bytes over loopback in {:?}; \
         {} sockets registered with the I/O driver so far",
        start.elapsed(),
        rt.metrics().io_driver_fd_registered_count()
    );
}
