//! TCP through the public API: echo, split halves, half-close, large
//! transfers, errors of the right kind, and registration accounting.
//! Loopback only; every loop is bounded and every test has a watchdog.

#[macro_use]
mod common;
mod net_common;

use net_common::{fill, Checksum, Watchdog};
use std::io::ErrorKind;
use std::time::Duration;
use zokio::io::{AsyncReadExt, AsyncWriteExt};
use zokio::net::{TcpListener, TcpSocket, TcpStream};

const LIMIT: Duration = Duration::from_secs(120);

async fn echo_server(listener: TcpListener, conns: usize) {
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (mut sock, _) = listener.accept().await.unwrap();
        tasks.push(zokio::spawn(async move {
            let mut buf = [0u8; 1024];
            loop {
                let n = sock.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                sock.write_all(&buf[..n]).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

rt_test! {
    #[test]
    fn echo_100_concurrent_clients() {
        let _w = Watchdog::new("echo_100_concurrent_clients", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = zokio::spawn(echo_server(listener, 100));
            let mut clients = Vec::new();
            for c in 0..100u32 {
                clients.push(zokio::spawn(async move {
                    let mut s = TcpStream::connect(addr).await.unwrap();
                    s.set_nodelay(true).unwrap();
                    for round in 0..20u32 {
                        let msg = format!("client {c} round {round}");
                        s.write_all(msg.as_bytes()).await.unwrap();
                        let mut back = vec![0u8; msg.len()];
                        s.read_exact(&mut back).await.unwrap();
                        assert_eq!(back, msg.as_bytes());
                    }
                }));
            }
            for c in clients {
                c.await.unwrap();
            }
            server.await.unwrap();
        });
    }

    #[test]
    fn split_halves_in_two_tasks() {
        let _w = Watchdog::new("split_halves_in_two_tasks", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = zokio::spawn(echo_server(listener, 1));
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut rd, mut wr) = stream.into_split();
            const TOTAL: usize = 1 << 20;
            let writer = zokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut sent = 0;
                while sent < TOTAL {
                    fill(&mut buf, sent as u64);
                    wr.write_all(&buf).await.unwrap();
                    sent += buf.len();
                }
                wr
            });
            let reader = zokio::spawn(async move {
                let mut got = vec![0u8; TOTAL];
                rd.read_exact(&mut got).await.unwrap();
                let mut want = vec![0u8; TOTAL];
                fill(&mut want, 0);
                assert!(got == want, "echoed bytes differ");
                rd
            });
            let wr = writer.await.unwrap();
            let rd = reader.await.unwrap();
            let stream = rd.reunite(wr).unwrap();
            drop(stream);
            server.await.unwrap();
        });
    }

    #[test]
    fn borrowed_split_copies_in_one_task() {
        let _w = Watchdog::new("borrowed_split_copies_in_one_task", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = zokio::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let (mut r, mut w) = s.split();
                zokio::io::copy(&mut r, &mut w).await.unwrap()
            });
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"through copy").await.unwrap();
            c.shutdown().await.unwrap();
            let mut back = String::new();
            c.read_to_string(&mut back).await.unwrap();
            assert_eq!(back, "through copy");
            assert_eq!(server.await.unwrap(), 12);
        });
    }

    #[test]
    fn half_close_reads_eof() {
        let _w = Watchdog::new("half_close_reads_eof", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = zokio::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut all = Vec::new();
                s.read_to_end(&mut all).await.unwrap();
                // Our write side is still open after the peer's FIN.
                s.write_all(&all).await.unwrap();
                s.write_all(b"!").await.unwrap();
            });
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"half").await.unwrap();
            c.shutdown().await.unwrap();
            let mut back = Vec::new();
            c.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, b"half!");
            server.await.unwrap();
        });
    }

    #[test]
    fn connect_refused_is_an_error_of_that_kind() {
        let _w = Watchdog::new("connect_refused", LIMIT);
        rt().block_on(async {
            // Bind then drop: nothing listens on the port any more.
            let addr = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap()
            };
            let err = TcpStream::connect(addr).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
        });
    }

    #[test]
    fn bind_in_use_is_addr_in_use() {
        rt().block_on(async {
            let a = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let err = TcpListener::bind(a.local_addr().unwrap()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AddrInUse);
        });
    }

    #[test]
    fn write_to_reset_peer_errors_not_panics() {
        let _w = Watchdog::new("write_to_reset_peer", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut c = TcpStream::connect(addr).await.unwrap();
            let (s, _) = listener.accept().await.unwrap();
            // Linger 0: close sends RST.
            s.set_linger(Some(Duration::ZERO)).unwrap();
            drop(s);
            let chunk = vec![1u8; 64 * 1024];
            let mut err = None;
            for _ in 0..1000 {
                if let Err(e) = c.write_all(&chunk).await {
                    err = Some(e);
                    break;
                }
            }
            let err = err.expect("writes to a reset peer must fail");
            assert!(
                matches!(err.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe),
                "{err:?}"
            );
        });
    }

    #[test]
    fn drop_stream_while_another_task_waits() {
        let _w = Watchdog::new("drop_stream_while_waiting", LIMIT);
        let rt = rt();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let c = TcpStream::connect(addr).await.unwrap();
            let (s, _) = listener.accept().await.unwrap();
            let (mut rd, wr) = c.into_split();
            let waiter = zokio::spawn(async move {
                let mut buf = [0u8; 8];
                // The peer closes: EOF, not a crash.
                rd.read(&mut buf).await
            });
            zokio::task::yield_now().await;
            drop(wr);
            drop(s);
            let res = waiter.await.unwrap();
            assert!(matches!(res, Ok(0)) || res.is_err());
        });
        assert_eq!(rt.metrics().io_driver_fd_count(), 0);
    }

    #[test]
    fn abort_task_blocked_in_read_releases_registration() {
        let _w = Watchdog::new("abort_blocked_read", LIMIT);
        let rt = rt();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut c = TcpStream::connect(addr).await.unwrap();
            let (s, _) = listener.accept().await.unwrap();
            let t = zokio::spawn(async move {
                let mut buf = [0u8; 8];
                c.read(&mut buf).await
            });
            zokio::task::yield_now().await;
            t.abort();
            assert!(t.await.unwrap_err().is_cancelled());
            drop(s);
        });
        assert_eq!(rt.metrics().io_driver_fd_count(), 0);
    }

    /// An accepted stream is registered with epoll only when it first has
    /// to wait: these two wait right away, in both directions at once
    /// (split halves in two tasks), and must still be woken.
    #[test]
    fn fresh_streams_that_must_wait_are_woken() {
        let _w = Watchdog::new("fresh_streams_that_must_wait", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = zokio::spawn(async move {
                let mut c = TcpStream::connect(addr).await.unwrap();
                // Let the server's reader find nothing and wait.
                zokio::time::sleep(Duration::from_millis(30)).await;
                c.write_all(b"ping").await.unwrap();
                // Then read everything the server's writer pushes.
                let mut total = 0usize;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = c.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    total += n;
                }
                total
            });
            let (s, _) = listener.accept().await.unwrap();
            let (mut rd, mut wr) = s.into_split();
            let reader = zokio::spawn(async move {
                let mut buf = [0u8; 4];
                rd.read_exact(&mut buf).await.unwrap();
                buf
            });
            // 8 MiB: far more than the socket buffers hold before the
            // client starts reading, so the writer must wait as well.
            let writer = zokio::spawn(async move {
                let chunk = vec![7u8; 64 * 1024];
                for _ in 0..128 {
                    wr.write_all(&chunk).await.unwrap();
                }
                wr.shutdown().await.unwrap();
            });
            assert_eq!(&reader.await.unwrap(), b"ping");
            writer.await.unwrap();
            assert_eq!(client.await.unwrap(), 128 * 64 * 1024);
        });
    }

    /// A read that fills its whole buffer and empties the queue: the next
    /// read must wait for new bytes and get them, and an end of stream
    /// right behind a full read must still be seen. On Linux the stream
    /// learns from the kernel (`TCP_INQ`) that the queue is empty, so it
    /// reports itself not readable without trying a syscall.
    #[test]
    fn full_reads_that_empty_the_queue() {
        let _w = Watchdog::new("full_reads_that_empty_the_queue", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut c = TcpStream::connect(addr).await.unwrap();
            let (mut s, _) = listener.accept().await.unwrap();
            // The first full read switches the kernel's report on; the
            // later ones carry it.
            for round in 0..3u8 {
                c.write_all(&[round; 64]).await.unwrap();
                let mut buf = [0u8; 64];
                s.read_exact(&mut buf).await.unwrap();
                assert_eq!(buf, [round; 64]);
            }
            #[cfg(target_os = "linux")]
            {
                let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
                assert!(
                    s.poll_read_ready(&mut cx).is_pending(),
                    "a full read that emptied the queue left the stream readable"
                );
            }
            // Bytes sent later still arrive, to a reader that waits first.
            let reader = zokio::spawn(async move {
                let mut buf = [0u8; 4];
                s.read_exact(&mut buf).await.unwrap();
                (s, buf)
            });
            zokio::time::sleep(Duration::from_millis(20)).await;
            c.write_all(b"late").await.unwrap();
            let (mut s, buf) = reader.await.unwrap();
            assert_eq!(&buf, b"late");
            // A full read followed by the peer's FIN: the next read is 0.
            c.write_all(&[9; 64]).await.unwrap();
            c.shutdown().await.unwrap();
            let mut buf = [0u8; 64];
            s.read_exact(&mut buf).await.unwrap();
            assert_eq!(buf, [9; 64]);
            assert_eq!(s.read(&mut buf).await.unwrap(), 0);
        });
    }

    /// Messages of random sizes, first as request/reply (each read fills
    /// its buffer exactly and usually empties the queue), then as a stream
    /// read with random buffer sizes: every byte arrives, in order.
    #[test]
    fn random_sized_exchanges_arrive_intact() {
        let _w = Watchdog::new("random_sized_exchanges_arrive_intact", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut x = 0x2545_f491_4f6c_dd1du64;
            let mut sizes = std::iter::from_fn(move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                Some(1 + (x % 3000) as usize)
            });
            let plan: Vec<usize> = sizes.by_ref().take(400).collect();
            let reads: Vec<usize> = sizes.take(4000).collect();
            let server = zokio::spawn(async move {
                let (mut s, _) = listener.accept().await.unwrap();
                // Request/reply: read exactly the announced size, echo it.
                loop {
                    let mut len = [0u8; 4];
                    s.read_exact(&mut len).await.unwrap();
                    let len = u32::from_be_bytes(len) as usize;
                    if len == 0 {
                        break;
                    }
                    let mut msg = vec![0u8; len];
                    s.read_exact(&mut msg).await.unwrap();
                    s.write_all(&msg).await.unwrap();
                }
                // Stream: read with random buffer sizes until the end.
                let mut sum = Checksum::default();
                let mut total = 0u64;
                for &r in reads.iter().cycle().take(1 << 20) {
                    let mut buf = vec![0u8; r];
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        return (total, sum.finish());
                    }
                    sum.update(&buf[..n]);
                    total += n as u64;
                }
                panic!("the stream did not end");
            });
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.set_nodelay(true).unwrap();
            let mut at = 0u64;
            for &len in &plan {
                let mut msg = vec![0u8; len];
                fill(&mut msg, at);
                at += len as u64;
                c.write_all(&(len as u32).to_be_bytes()).await.unwrap();
                c.write_all(&msg).await.unwrap();
                let mut back = vec![0u8; len];
                c.read_exact(&mut back).await.unwrap();
                assert_eq!(back, msg);
            }
            c.write_all(&0u32.to_be_bytes()).await.unwrap();
            let mut sum = Checksum::default();
            let mut total = 0u64;
            for (i, &len) in plan.iter().cycle().take(2000).enumerate() {
                let mut msg = vec![0u8; len];
                fill(&mut msg, total);
                sum.update(&msg);
                total += len as u64;
                c.write_all(&msg).await.unwrap();
                if i % 50 == 0 {
                    zokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            c.shutdown().await.unwrap();
            assert_eq!(server.await.unwrap(), (total, sum.finish()));
        });
    }

    /// `readable()` on a fresh accepted stream may first report a false
    /// positive (its readiness is assumed until it is registered), but a
    /// readiness loop still ends with the data, not a spin.
    #[test]
    fn readiness_loop_on_a_fresh_stream_gets_the_data() {
        let _w = Watchdog::new("readiness_loop_on_a_fresh_stream", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = zokio::spawn(async move {
                let mut c = TcpStream::connect(addr).await.unwrap();
                zokio::time::sleep(Duration::from_millis(30)).await;
                c.write_all(b"data").await.unwrap();
                c
            });
            let (s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 16];
            let mut would_block = 0;
            let n = loop {
                s.readable().await.unwrap();
                match s.try_read(&mut buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => would_block += 1,
                    Err(e) => panic!("{e}"),
                }
                assert!(would_block < 100, "readable() keeps reporting a false positive");
            };
            assert_eq!(&buf[..n], b"data");
            assert!(would_block <= 1, "{would_block} false positives");
            drop(client.await.unwrap());
        });
    }

    #[test]
    fn registrations_return_to_zero_after_1000_connections() {
        let _w = Watchdog::new("registrations_return_to_zero", LIMIT);
        let rt = rt();
        let metrics = rt.metrics();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = zokio::spawn(async move {
                for _ in 0..1000 {
                    let (mut s, _) = listener.accept().await.unwrap();
                    zokio::spawn(async move {
                        let mut b = [0u8; 1];
                        let _ = s.read(&mut b).await;
                    });
                }
            });
            for _ in 0..1000 {
                let mut c = TcpStream::connect(addr).await.unwrap();
                c.write_all(b"x").await.unwrap();
            }
            server.await.unwrap();
        });
        drop(rt);
        assert_eq!(metrics.io_driver_fd_registered_count(), 2001);
        assert_eq!(metrics.io_driver_fd_count(), 0);
        assert_eq!(metrics.io_driver_fd_deregistered_count(), 2001);
    }

    #[test]
    fn readable_writable_try_read_try_write_peek() {
        let _w = Watchdog::new("readable_try_read", LIMIT);
        rt().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let c = TcpStream::connect(addr).await.unwrap();
            let (s, _) = listener.accept().await.unwrap();
            c.writable().await.unwrap();
            assert_eq!(c.try_write(b"abc").unwrap(), 3);
            let mut peeked = [0u8; 3];
            assert_eq!(s.peek(&mut peeked).await.unwrap(), 3);
            assert_eq!(&peeked, b"abc");
            let mut got = Vec::new();
            for _ in 0..1000 {
                s.readable().await.unwrap();
                let mut buf = [0u8; 16];
                match s.try_read(&mut buf) {
                    Ok(n) => {
                        got.extend_from_slice(&buf[..n]);
                        if got.len() == 3 {
                            break;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(got, b"abc");
            let mut buf = [0u8; 4];
            assert_eq!(s.try_read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
            assert!(c.nodelay().is_ok());
            c.set_ttl(64).unwrap();
            assert_eq!(c.ttl().unwrap(), 64);
            assert_eq!(c.peer_addr().unwrap(), addr);
        });
    }

    #[test]
    fn tcp_socket_bind_listen_connect() {
        let _w = Watchdog::new("tcp_socket", LIMIT);
        rt().block_on(async {
            let sock = TcpSocket::new_v4().unwrap();
            sock.set_reuseaddr(true).unwrap();
            sock.set_reuseport(true).unwrap();
            sock.set_recv_buffer_size(1 << 16).unwrap();
            assert!(sock.recv_buffer_size().unwrap() > 0);
            sock.bind("127.0.0.1:0".parse().unwrap()).unwrap();
            let listener = sock.listen(64).unwrap();
            let addr = listener.local_addr().unwrap();
            let client = TcpSocket::new_v4().unwrap();
            client.set_nodelay(true).unwrap();
            let mut s = client.connect(addr).await.unwrap();
            let (mut a, _) = listener.accept().await.unwrap();
            s.write_all(b"ok").await.unwrap();
            let mut b = [0u8; 2];
            a.read_exact(&mut b).await.unwrap();
            assert_eq!(&b, b"ok");
        });
    }

    #[test]
    fn writer_waits_when_peer_stops_reading() {
        let _w = Watchdog::new("writer_waits", LIMIT);
        let rt = rt();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut c = TcpStream::connect(addr).await.unwrap();
            let (mut s, _) = listener.accept().await.unwrap();
            let writer = zokio::spawn(async move {
                let chunk = vec![7u8; 64 * 1024];
                let mut sent = 0usize;
                // Far more than the socket buffers hold: the writer must park.
                while sent < 64 << 20 {
                    c.write_all(&chunk).await.unwrap();
                    sent += chunk.len();
                }
                sent
            });
            // Let the writer fill the buffers and park.
            for _ in 0..50 {
                zokio::task::yield_now().await;
            }
            std::thread::sleep(Duration::from_millis(50));
            assert!(!writer.is_finished());
            let mut total = 0usize;
            let mut buf = vec![0u8; 64 * 1024];
            while total < 64 << 20 {
                total += s.read(&mut buf).await.unwrap();
            }
            assert_eq!(writer.await.unwrap(), 64 << 20);
        });
        // A parked writer does not spin: the workers parked meanwhile.
        let m = rt.metrics();
        let parks: u64 = (0..m.num_workers()).map(|w| m.worker_park_count(w)).sum();
        assert!(parks > 0);
    }
}

#[test]
fn transfer_256_mib_checksum() {
    let _w = Watchdog::new("transfer_256_mib_checksum", Duration::from_secs(300));
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    const TOTAL: u64 = 256 << 20;
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = zokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut sum = Checksum::default();
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                sum.update(&buf[..n]);
            }
            sum.finish()
        });
        let mut c = TcpStream::connect(addr).await.unwrap();
        let mut sum = Checksum::default();
        // One pattern block, reused with a rotating offset so the bytes vary.
        let mut block = vec![0u8; 1 << 20];
        let mut sent = 0u64;
        while sent < TOTAL {
            fill(&mut block[..4096], sent);
            let chunk = &block[..];
            sum.update(chunk);
            c.write_all(chunk).await.unwrap();
            sent += chunk.len() as u64;
        }
        c.shutdown().await.unwrap();
        let got = receiver.await.unwrap();
        assert_eq!(got, sum.finish());
        assert_eq!(got.1, TOTAL);
    });
}

#[test]
fn socket_without_enable_io_panics_naming_it() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { TcpListener::bind("127.0.0.1:0").await })
    }))
    .unwrap_err();
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap();
    assert!(msg.contains("enable_io"), "{msg}");
}

#[test]
fn socket_outside_runtime_panics_saying_so() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let err = std::panic::catch_unwind(|| TcpListener::from_std(std_listener)).unwrap_err();
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap();
    assert!(msg.contains("no reactor running"), "{msg}");
}

#[test]
fn sockets_fail_after_runtime_shutdown_without_crashing() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (listener, client) = rt.block_on(async {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
        (l, c)
    });
    drop(rt);
    // Outliving the runtime: dropping them must neither panic nor leak.
    drop(listener);
    drop(client);
}

/// With one I/O event per driver turn, 20 echo clients still all finish:
/// events beyond the limit wait for the next turn, none is lost.
#[test]
fn one_io_event_per_tick_still_serves_every_client() {
    let _w = Watchdog::new("one_io_event_per_tick", LIMIT);
    for multi in [false, true] {
        let mut builder = if multi {
            let mut b = zokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        } else {
            zokio::runtime::Builder::new_current_thread()
        };
        let rt = builder
            .max_io_events_per_tick(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = zokio::spawn(echo_server(listener, 20));
            let clients: Vec<_> = (0..20u8)
                .map(|i| {
                    zokio::spawn(async move {
                        let mut c = TcpStream::connect(addr).await.unwrap();
                        for round in 0..50u8 {
                            let msg = [i, round, 7, 9];
                            c.write_all(&msg).await.unwrap();
                            let mut back = [0u8; 4];
                            c.read_exact(&mut back).await.unwrap();
                            assert_eq!(back, msg);
                        }
                    })
                })
                .collect();
            for c in clients {
                c.await.unwrap();
            }
            server.await.unwrap();
        });
    }
}
