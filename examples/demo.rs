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
