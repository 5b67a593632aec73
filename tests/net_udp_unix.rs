//! UDP and Unix-domain sockets: ping-pong, stream and datagram echo, peer
//! credentials.

#[macro_use]
mod common;
mod net_common;

use net_common::Watchdog;
use std::future::poll_fn;
use std::io::{self, IoSliceMut};
use std::os::unix::io::{AsRawFd, RawFd};
use std::sync::Arc;
use std::task::{Context, Waker};
use std::time::Duration;
use zokio::io::{AsyncReadExt, AsyncWriteExt, Interest, ReadBuf};
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

    #[test]
    fn udp_peek_leaves_the_datagram_queued() {
        let _w = Watchdog::new("udp_peek_leaves_the_datagram_queued", LIMIT);
        rt().block_on(async {
            let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
            a.connect(b_addr).await.unwrap();
            b.connect(a_addr).await.unwrap();
            let mut buf = [0u8; 32];
            // Nothing queued yet: the try_ forms do not wait.
            assert_would_block(b.try_peek(&mut buf));
            assert_would_block(b.try_peek_sender());
            a.send(b"first").await.unwrap();
            assert_eq!(b.peek_sender().await.unwrap(), a_addr);
            assert_eq!(b.peek(&mut buf).await.unwrap(), 5);
            assert_eq!(&buf[..5], b"first");
            // A short buffer gets a cut copy; the datagram is untouched.
            let mut short = [0u8; 2];
            assert_eq!(b.try_peek(&mut short).unwrap(), 2);
            assert_eq!(&short, b"fi");
            assert_eq!(b.try_peek_sender().unwrap(), a_addr);
            let mut storage = [0u8; 32];
            let mut rb = ReadBuf::new(&mut storage);
            poll_fn(|cx| b.poll_peek(cx, &mut rb)).await.unwrap();
            assert_eq!(rb.filled(), b"first");
            let mut storage = [0u8; 32];
            let mut rb = ReadBuf::new(&mut storage);
            let from = poll_fn(|cx| b.poll_peek_from(cx, &mut rb)).await.unwrap();
            assert_eq!((rb.filled(), from), (&b"first"[..], a_addr));
            assert_eq!(poll_fn(|cx| b.poll_peek_sender(cx)).await.unwrap(), a_addr);
            // Every peek left it there: recv gets it, and then it is gone.
            assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
            assert_eq!(&buf[..5], b"first");
            assert_would_block(b.try_peek(&mut buf));

            // An unconnected socket: peek_sender names each datagram's own
            // sender, in turn, as they are received.
            let r = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let r_addr = r.local_addr().unwrap();
            let s1 = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let s2 = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            s1.send_to(b"1", r_addr).await.unwrap();
            s2.send_to(b"2", r_addr).await.unwrap();
            for s in [&s1, &s2] {
                let sender = r.peek_sender().await.unwrap();
                assert_eq!(sender, s.local_addr().unwrap());
                let (_, from) = r.recv_from(&mut buf).await.unwrap();
                assert_eq!(from, sender);
            }
        });
    }

    #[test]
    fn unix_stream_try_read_vectored_buf_and_custom_io() {
        let _w = Watchdog::new("unix_stream_try_read_vectored_buf", LIMIT);
        rt().block_on(async {
            let (mut a, b) = UnixStream::pair().unwrap();
            a.write_all(b"hello world").await.unwrap();
            let (mut head, mut tail) = ([0u8; 5], [0u8; 6]);
            let n = when_readable(&b, |s| {
                s.try_read_vectored(&mut [IoSliceMut::new(&mut head), IoSliceMut::new(&mut tail)])
            })
            .await;
            assert_eq!((n, &head, &tail), (11, b"hello", b" world"));

            // try_read_buf appends; a WouldBlock leaves the Vec as it was.
            let mut v = b"kept:".to_vec();
            assert_would_block(b.try_read_buf(&mut v));
            assert_eq!(v, b"kept:");
            a.write_all(b"more").await.unwrap();
            assert_eq!(when_readable(&b, |s| s.try_read_buf(&mut v)).await, 4);
            assert_eq!(v, b"kept:more");

            // try_io runs a syscall the type does not wrap.
            a.write_all(b"raw").await.unwrap();
            let mut raw = [0u8; 8];
            let fd = b.as_raw_fd();
            let n = when_readable(&b, |s| {
                s.try_io(Interest::READABLE, || raw_read(fd, &mut raw))
            })
            .await;
            assert_eq!(&raw[..n], b"raw");
            let sent = a.try_io(Interest::WRITABLE, || raw_write(a.as_raw_fd(), b"w"));
            assert_eq!(sent.unwrap(), 1);
            assert_eq!(when_readable(&b, |s| s.try_read(&mut raw)).await, 1);

            // async_io: a fresh stream is assumed ready, so the first call
            // runs at once and finds nothing; only after that miss is the
            // data written, so async_io must wait and call again.
            let (mut c, d) = UnixStream::pair().unwrap();
            let (tx, rx) = zokio::sync::oneshot::channel::<()>();
            let writer = zokio::spawn(async move {
                rx.await.unwrap();
                c.write_all(b"late").await.unwrap();
                c
            });
            let mut tx = Some(tx);
            let mut calls = 0;
            let fd = d.as_raw_fd();
            let n = d
                .async_io(Interest::READABLE, || {
                    calls += 1;
                    let res = raw_read(fd, &mut raw);
                    // Let the writer go only once this call has missed.
                    if let (Err(_), Some(tx)) = (&res, tx.take()) {
                        tx.send(()).unwrap();
                    }
                    res
                })
                .await
                .unwrap();
            assert_eq!(&raw[..n], b"late");
            assert!(calls >= 2, "f ran {calls} time(s)");
            drop(writer.await.unwrap());
        });
    }

    #[test]
    fn unix_datagram_poll_methods_and_custom_io() {
        let _w = Watchdog::new("unix_datagram_poll_methods", LIMIT);
        let server_path = temp_path("dgram-poll-server");
        let client_path = temp_path("dgram-poll-client");
        let _ = std::fs::remove_file(&server_path);
        let _ = std::fs::remove_file(&client_path);
        rt().block_on(async {
            let (a, b) = UnixDatagram::pair().unwrap();
            let mut storage = [0u8; 16];
            let mut rb = ReadBuf::new(&mut storage);
            // Nothing queued: poll_recv is Pending.
            let mut cx = Context::from_waker(Waker::noop());
            assert!(b.poll_recv(&mut cx, &mut rb).is_pending());
            poll_fn(|cx| a.poll_send_ready(cx)).await.unwrap();
            assert_eq!(poll_fn(|cx| a.poll_send(cx, b"one")).await.unwrap(), 3);
            poll_fn(|cx| b.poll_recv_ready(cx)).await.unwrap();
            poll_fn(|cx| b.poll_recv(cx, &mut rb)).await.unwrap();
            assert_eq!(rb.filled(), b"one");
            // A second datagram lands after the first in the same ReadBuf.
            a.send(b"two").await.unwrap();
            poll_fn(|cx| b.poll_recv(cx, &mut rb)).await.unwrap();
            assert_eq!(rb.filled(), b"onetwo");

            // By path: poll_send_to and poll_recv_from.
            let server = UnixDatagram::bind(&server_path).unwrap();
            let client = UnixDatagram::bind(&client_path).unwrap();
            let sent = poll_fn(|cx| client.poll_send_to(cx, b"to", &server_path)).await;
            assert_eq!(sent.unwrap(), 2);
            let mut storage = [0u8; 16];
            let mut rb = ReadBuf::new(&mut storage);
            let from = poll_fn(|cx| server.poll_recv_from(cx, &mut rb)).await.unwrap();
            assert_eq!(rb.filled(), b"to");
            assert_eq!(from.as_pathname(), Some(client_path.as_path()));

            // try_io and async_io around raw syscalls.
            let mut raw = [0u8; 8];
            let fd = server.as_raw_fd();
            client.send_to(b"raw", &server_path).await.unwrap();
            let n = server
                .async_io(Interest::READABLE, || raw_read(fd, &mut raw))
                .await
                .unwrap();
            assert_eq!(&raw[..n], b"raw");
            // Consumed: the next try either sees no readiness or gets
            // WouldBlock from the OS.
            assert_would_block(server.try_io(Interest::READABLE, || raw_read(fd, &mut raw)));
            a.writable().await.unwrap();
            let sent = a.try_io(Interest::WRITABLE, || raw_write(a.as_raw_fd(), b"x"));
            assert_eq!(sent.unwrap(), 1);
            assert_eq!(b.recv(&mut raw).await.unwrap(), 1);
        });
        let _ = std::fs::remove_file(&server_path);
        let _ = std::fs::remove_file(&client_path);
    }
}

/// Runs `op` each time `s` looks readable until it does not return
/// `WouldBlock` (at most 1000 tries); returns its value.
async fn when_readable<T>(s: &UnixStream, mut op: impl FnMut(&UnixStream) -> io::Result<T>) -> T {
    for _ in 0..1000 {
        s.readable().await.unwrap();
        match op(s) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            res => return res.unwrap(),
        }
    }
    panic!("still WouldBlock after 1000 readiness events");
}

fn assert_would_block<T: std::fmt::Debug>(res: io::Result<T>) {
    assert_eq!(res.unwrap_err().kind(), io::ErrorKind::WouldBlock);
}

/// `read(2)` on `fd`, as a custom operation for `try_io` / `async_io`.
fn raw_read(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes and `fd` is
    // an open socket owned by the caller for the duration of the call.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// `write(2)` on `fd`.
fn raw_write(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes and `fd` is an
    // open socket owned by the caller for the duration of the call.
    let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
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
