//! UDP and Unix-domain sockets: ping-pong, stream and datagram echo, peer
//! credentials.

#[macro_use]
mod common;
mod net_common;

use net_common::Watchdog;
use std::sync::Arc;
use std::time::Duration;
use zokio::io::{AsyncReadExt, AsyncWriteExt};
use zokio::net::unix::UCred;
use zokio::net::{UdpSocket, UnixDatagram, UnixListener, UnixStream};

const LIMIT: Duration = Duration::from_secs(60);

fn temp_path(name: &str) -> std::path::PathBuf {
    let n = std::sync::atomic::AtomicUsize::new(0);
    let _ = &n;
    std::env::temp_dir().join(format!(
        "zokio-test-{}-{}-{:?}.sock",
        name,
        std::process::id(),
        std::thread::current().id()
    ))
}

rt_test! {
    #[test]
    fn udp_ping_pong() {
        let _w = Watchdog::new("udp_ping_pong", LIMIT);
        rt().block_on(async {
            let a = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let a_addr = a.local_addr().unwrap();
            b.connect(a_addr).await.unwrap();
            let a2 = a.clone();
            let ponger = zokio::spawn(async move {
                let mut buf = [0u8; 64];
                for _ in 0..200 {
                    let (n, from) = a2.recv_from(&mut buf).await.unwrap();
                    a2.send_to(&buf[..n], from).await.unwrap();
                }
            });
            let mut buf = [0u8; 64];
            for i in 0..200u32 {
                let msg = i.to_be_bytes();
                b.send(&msg).await.unwrap();
                let n = b.recv(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], &msg);
            }
            ponger.await.unwrap();
            let mut peek = [0u8; 4];
            b.send(b"peek").await.unwrap();
            let (n, _) = a.peek_from(&mut peek).await.unwrap();
            assert_eq!(&peek[..n], b"peek");
            let (n, _) = a.recv_from(&mut peek).await.unwrap();
            assert_eq!(n, 4);
            assert!(a.try_recv_from(&mut peek).is_err());
            a.set_broadcast(true).unwrap();
            assert!(a.broadcast().unwrap());
        });
    }

    #[test]
    fn unix_stream_echo() {
        let _w = Watchdog::new("unix_stream_echo", LIMIT);
        let path = temp_path("stream");
        let _ = std::fs::remove_file(&path);
        rt().block_on(async {
            let listener = UnixListener::bind(&path).unwrap();
            let server = zokio::spawn(async move {
                for _ in 0..10 {
                    let (mut s, _) = listener.accept().await.unwrap();
                    zokio::spawn(async move {
                        let (mut r, mut w) = s.split();
                        zokio::io::copy(&mut r, &mut w).await.unwrap();
                    });
                }
            });
            for i in 0..10u8 {
                let s = UnixStream::connect(&path).await.unwrap();
                let (mut r, mut w) = s.into_split();
                let msg = vec![i; 10_000];
                let m2 = msg.clone();
                let wt = zokio::spawn(async move {
                    w.write_all(&m2).await.unwrap();
                    w.shutdown().await.unwrap();
                });
                let mut back = Vec::new();
                r.read_to_end(&mut back).await.unwrap();
                assert_eq!(back, msg);
                wt.await.unwrap();
            }
            server.await.unwrap();
        });
        std::fs::remove_file(&path).unwrap();
    }

    /// Unix streams register with epoll only when they first wait: both
    /// ends of a fresh pair wait at once here, and each must be woken.
    #[test]
    fn unix_pair_fresh_ends_that_must_wait_are_woken() {
        let _w = Watchdog::new("unix_pair_fresh_ends", Duration::from_secs(60));
        let rt = rt();
        let metrics = rt.metrics();
        rt.block_on(async {
            let (mut a, mut b) = UnixStream::pair().unwrap();
            let reader_a = zokio::spawn(async move {
                let mut buf = [0u8; 3];
                a.read_exact(&mut buf).await.unwrap();
                a.write_all(b"pong").await.unwrap();
                buf
            });
            zokio::time::sleep(Duration::from_millis(20)).await;
            b.write_all(b"pin").await.unwrap();
            let mut buf = [0u8; 4];
            b.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"pong");
            assert_eq!(&reader_a.await.unwrap(), b"pin");
        });
        drop(rt);
        assert_eq!(metrics.io_driver_fd_count(), 0);
    }

    #[test]
    fn unix_peer_cred_names_this_process() {
        let _w = Watchdog::new("unix_peer_cred_names_this_process", LIMIT);
        let path = temp_path("peer-cred");
        let _ = std::fs::remove_file(&path);
        rt().block_on(async {
            // socketpair: both ends were made by this process.
            let (a, b) = UnixStream::pair().unwrap();
            assert_is_this_process(a.peer_cred().unwrap());
            assert_is_this_process(b.peer_cred().unwrap());
            // listen + connect: each side reads the other's, both ours.
            let listener = UnixListener::bind(&path).unwrap();
            let client = UnixStream::connect(&path).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            let seen_by_client = client.peer_cred().unwrap();
            let seen_by_server = server.peer_cred().unwrap();
            assert_is_this_process(seen_by_client);
            assert_is_this_process(seen_by_server);
            // Copy, Eq and Hash: the same process gives one credential.
            let set: std::collections::HashSet<UCred> =
                [seen_by_client, seen_by_server, a.peer_cred().unwrap()].into();
            assert_eq!(set.len(), 1);
            // A stream split and reunited still answers.
            let (r, w) = client.into_split();
            let client = r.reunite(w).unwrap();
            assert_eq!(client.peer_cred().unwrap(), seen_by_client);
        });
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn unix_datagram_echo() {
        let _w = Watchdog::new("unix_datagram_echo", LIMIT);
        let server_path = temp_path("dgram-server");
        let client_path = temp_path("dgram-client");
        let _ = std::fs::remove_file(&server_path);
        let _ = std::fs::remove_file(&client_path);
        rt().block_on(async {
            let server = UnixDatagram::bind(&server_path).unwrap();
            let client = UnixDatagram::bind(&client_path).unwrap();
            let echo = zokio::spawn(async move {
                let mut buf = [0u8; 64];
                for _ in 0..50 {
                    let (n, from) = server.recv_from(&mut buf).await.unwrap();
                    let to = from.as_pathname().unwrap().to_owned();
                    server.send_to(&buf[..n], to).await.unwrap();
                }
            });
            let mut buf = [0u8; 64];
            for i in 0..50u32 {
                client.send_to(&i.to_le_bytes(), &server_path).await.unwrap();
                let n = client.recv(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], &i.to_le_bytes());
            }
            echo.await.unwrap();
            let (a, b) = UnixDatagram::pair().unwrap();
            a.send(b"pair").await.unwrap();
            assert_eq!(b.recv(&mut buf).await.unwrap(), 4);
        });
        let _ = std::fs::remove_file(&server_path);
        let _ = std::fs::remove_file(&client_path);
    }
}

/// Asserts that `cred` is this process's: its pid and effective ids.
fn assert_is_this_process(cred: UCred) {
    // SAFETY: geteuid and getegid take no arguments, touch no memory of
    // ours and cannot fail.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    let pid = i32::try_from(std::process::id()).unwrap();
    assert_eq!(cred.uid(), uid, "{cred:?}");
    assert_eq!(cred.gid(), gid, "{cred:?}");
    assert_eq!(cred.pid(), Some(pid), "{cred:?}");
}

#[test]
fn lookup_host_resolves_localhost_on_the_blocking_pool() {
    let rt = zokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let addrs: Vec<_> = zokio::net::lookup_host(("localhost", 8080))
            .await
            .unwrap()
            .collect();
        assert!(!addrs.is_empty());
        assert!(addrs
            .iter()
            .all(|a| a.port() == 8080 && a.ip().is_loopback()));
        let direct: Vec<_> = zokio::net::lookup_host("127.0.0.1:1")
            .await
            .unwrap()
            .collect();
        assert_eq!(direct, ["127.0.0.1:1".parse().unwrap()]);
    });
}
