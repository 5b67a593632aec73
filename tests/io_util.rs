//! The io traits and utilities through the public API (in-memory streams
//! only: duplex, simplex, slices, cursors, vectors).

#[macro_use]
mod common;

use std::io::{Cursor, SeekFrom};
use zokio::io::{
    self, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufStream,
    BufWriter, SimplexStream,
};

/// Writes `data` to `stream` and shuts it down while reading it to its
/// end; returns what was read.
async fn send_all_and_read_all(stream: io::DuplexStream, data: Vec<u8>) -> Vec<u8> {
    let (mut r, mut w) = io::split(stream);
    let send = async {
        w.write_all(&data).await.unwrap();
        w.shutdown().await.unwrap();
    };
    let mut got = Vec::new();
    let recv = r.read_to_end(&mut got);
    let (_, n) = zokio::join!(send, recv);
    n.unwrap();
    got
}

#[test]
#[should_panic(expected = "buffer sizes must be greater than 0")]
fn copy_bidirectional_with_a_zero_size_panics() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (mut a, mut b) = io::duplex(4);
        let _ = io::copy_bidirectional_with_sizes(&mut a, &mut b, 0, 8).await;
    });
}

rt_test! {
    #[test]
    fn join_reads_from_one_half_and_writes_to_the_other() {
        rt().block_on(async {
            let (mut peer, ours) = io::duplex(8);
            let (rd, wr) = io::split(ours);
            let mut joined = io::join(BufReader::new(rd), wr);
            let echo = zokio::spawn(async move {
                let mut line = [0u8; 6];
                peer.read_exact(&mut line).await.unwrap();
                peer.write_all(b"pong\nrest").await.unwrap();
                peer.shutdown().await.unwrap();
                line
            });
            joined.write_all(b"ping\n!").await.unwrap();
            joined.flush().await.unwrap();
            // AsyncBufRead through the reader half.
            let mut line = String::new();
            joined.read_line(&mut line).await.unwrap();
            assert_eq!(line, "pong\n");
            let mut rest = String::new();
            joined.read_to_string(&mut rest).await.unwrap();
            assert_eq!(rest, "rest");
            assert_eq!(&echo.await.unwrap(), b"ping\n!");
            let (rd, wr) = joined.into_inner();
            assert!(rd.get_ref().is_pair_of(&wr));
        });
    }

    #[test]
    fn copy_bidirectional_with_sizes_moves_everything() {
        rt().block_on(async {
            let (a_user, mut a) = io::duplex(5);
            let (mut b, b_user) = io::duplex(7);
            let a_data: Vec<u8> = (0..20_000u32).map(|i| (i * 7) as u8).collect();
            let b_data: Vec<u8> = (0..9_999u32).map(|i| (i * 13) as u8).collect();
            let side_a = zokio::spawn(send_all_and_read_all(a_user, a_data.clone()));
            let side_b = zokio::spawn(send_all_and_read_all(b_user, b_data.clone()));
            // Buffers of 1 and 3 bytes: many short reads and writes.
            let (ab, ba) = io::copy_bidirectional_with_sizes(&mut a, &mut b, 1, 3)
                .await
                .unwrap();
            assert_eq!((ab, ba), (a_data.len() as u64, b_data.len() as u64));
            drop((a, b));
            assert_eq!(side_b.await.unwrap(), a_data);
            assert_eq!(side_a.await.unwrap(), b_data);
        });
    }

    #[test]
    fn read_write_numbers_both_endians() {
        rt().block_on(async {
            let mut out = Vec::new();
            out.write_u8(1).await.unwrap();
            out.write_i16(-2).await.unwrap();
            out.write_u32_le(3).await.unwrap();
            out.write_u64(4).await.unwrap();
            out.write_i128_le(-5).await.unwrap();
            out.write_f32(1.5).await.unwrap();
            out.write_f64_le(-2.25).await.unwrap();
            let mut r = &out[..];
            assert_eq!(r.read_u8().await.unwrap(), 1);
            assert_eq!(r.read_i16().await.unwrap(), -2);
            assert_eq!(r.read_u32_le().await.unwrap(), 3);
            assert_eq!(r.read_u64().await.unwrap(), 4);
            assert_eq!(r.read_i128_le().await.unwrap(), -5);
            assert_eq!(r.read_f32().await.unwrap(), 1.5);
            assert_eq!(r.read_f64_le().await.unwrap(), -2.25);
            let err = r.read_u16().await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
        });
    }

    #[test]
    fn duplex_round_trip_and_eof_on_drop() {
        rt().block_on(async {
            let (mut a, mut b) = io::duplex(16);
            let writer = zokio::spawn(async move {
                // More than the 16-byte buffer: the writer must wait.
                a.write_all(&[9u8; 1000]).await.unwrap();
            });
            let mut got = Vec::new();
            b.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, vec![9u8; 1000]);
            writer.await.unwrap();
            let err = b.write_all(b"x").await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        });
    }

    #[test]
    fn buf_reader_lines_split_read_until() {
        rt().block_on(async {
            let data = b"alpha\nbeta\r\ngamma";
            let mut lines = BufReader::with_capacity(4, &data[..]).lines();
            let mut all = Vec::new();
            while let Some(l) = lines.next_line().await.unwrap() {
                all.push(l);
            }
            assert_eq!(all, ["alpha", "beta", "gamma"]);

            let mut parts = AsyncBufReadExt::split(&b"a,b,,c"[..], b',');
            let mut segs = Vec::new();
            while let Some(s) = parts.next_segment().await.unwrap() {
                segs.push(String::from_utf8(s).unwrap());
            }
            assert_eq!(segs, ["a", "b", "", "c"]);

            let mut r = BufReader::new(&b"key=value;rest"[..]);
            let mut v = Vec::new();
            assert_eq!(r.read_until(b';', &mut v).await.unwrap(), 10);
            assert_eq!(v, b"key=value;");
            let mut line = String::new();
            assert_eq!(r.read_line(&mut line).await.unwrap(), 4);
            assert_eq!(line, "rest");
            assert_eq!(r.fill_buf().await.unwrap(), b"");
        });
    }

    #[test]
    fn buf_writer_flushes_and_buf_stream_round_trips() {
        rt().block_on(async {
            let mut w = BufWriter::with_capacity(8, Vec::new());
            w.write_all(b"abc").await.unwrap();
            assert!(w.get_ref().is_empty());
            w.write_all(b"defghijk").await.unwrap();
            w.flush().await.unwrap();
            assert_eq!(w.get_ref(), b"abcdefghijk");

            let (a, mut b) = io::duplex(1024);
            let mut s = BufStream::new(a);
            s.write_all(b"ping\n").await.unwrap();
            s.flush().await.unwrap();
            let mut buf = [0u8; 5];
            b.read_exact(&mut buf).await.unwrap();
            b.write_all(b"pong\n").await.unwrap();
            let mut line = String::new();
            s.read_line(&mut line).await.unwrap();
            assert_eq!(line, "pong\n");
        });
    }

    #[test]
    fn copy_copy_buf_and_bidirectional() {
        rt().block_on(async {
            let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
            let mut out = Vec::new();
            assert_eq!(io::copy(&mut &data[..], &mut out).await.unwrap(), 100_000);
            assert_eq!(out, data);
            let mut out2 = Vec::new();
            let mut r = BufReader::new(&data[..]);
            assert_eq!(io::copy_buf(&mut r, &mut out2).await.unwrap(), 100_000);
            assert_eq!(out2, data);

            let (mut a1, mut a2) = io::duplex(64);
            let (mut b1, mut b2) = io::duplex(64);
            let proxy = zokio::spawn(async move { io::copy_bidirectional(&mut a2, &mut b1).await });
            a1.write_all(b"to b").await.unwrap();
            a1.shutdown().await.unwrap();
            let mut got = [0u8; 4];
            b2.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"to b");
            b2.write_all(b"to a!").await.unwrap();
            b2.shutdown().await.unwrap();
            let mut back = Vec::new();
            a1.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, b"to a!");
            assert_eq!(proxy.await.unwrap().unwrap(), (4, 5));
        });
    }

    #[test]
    fn read_line_and_read_until_losing_a_select_keep_partial_data() {
        rt().block_on(async {
            let (mut w, r) = io::duplex(64);
            let mut r = BufReader::new(r);
            let mut line = String::new();
            w.write_all("hé".as_bytes()).await.unwrap();
            zokio::select! {
                biased;
                _ = r.read_line(&mut line) => panic!("no newline was sent"),
                _ = zokio::task::yield_now() => {}
            }
            assert_eq!(line, "hé");
            w.write_all(b"llo\n").await.unwrap();
            assert_eq!(r.read_line(&mut line).await.unwrap(), 4);
            assert_eq!(line, "héllo\n");

            let mut seg = Vec::new();
            w.write_all(b"ab").await.unwrap();
            zokio::select! {
                biased;
                _ = r.read_until(b';', &mut seg) => panic!("no delimiter was sent"),
                _ = zokio::task::yield_now() => {}
            }
            assert_eq!(seg, b"ab");
            w.write_all(b"c;").await.unwrap();
            assert_eq!(r.read_until(b';', &mut seg).await.unwrap(), 2);
            assert_eq!(seg, b"abc;");
        });
    }

    #[test]
    fn copy_totals_exact_through_small_duplexes() {
        rt().block_on(async {
            let data = random_bytes(100_000, 1);
            let (src_w, mut src_r) = io::duplex(7);
            let (mut dst_w, dst_r) = io::duplex(13);
            let feeder = zokio::spawn(write_in_random_chunks(src_w, data.clone(), 2));
            let sink = zokio::spawn(read_in_random_chunks(dst_r, 3));
            let n = io::copy(&mut src_r, &mut dst_w).await.unwrap();
            drop(dst_w);
            feeder.await.unwrap();
            assert_eq!(n, data.len() as u64);
            assert!(sink.await.unwrap() == data, "copied bytes differ");

            // The same through `copy_buf` and a small `BufReader`.
            let (src_w, src_r) = io::duplex(7);
            let (mut dst_w, dst_r) = io::duplex(13);
            let feeder = zokio::spawn(write_in_random_chunks(src_w, data.clone(), 4));
            let sink = zokio::spawn(read_in_random_chunks(dst_r, 5));
            let mut src_r = BufReader::with_capacity(5, src_r);
            let n = io::copy_buf(&mut src_r, &mut dst_w).await.unwrap();
            drop(dst_w);
            feeder.await.unwrap();
            assert_eq!(n, data.len() as u64);
            assert!(sink.await.unwrap() == data, "copy_buf bytes differ");
        });
    }

    #[test]
    fn copy_bidirectional_totals_exact_through_small_duplexes() {
        rt().block_on(async {
            let to_b = random_bytes(60_000, 6);
            let to_a = random_bytes(40_001, 7);
            let (a, mut a_proxy) = io::duplex(5);
            let (mut b_proxy, b) = io::duplex(11);
            let proxy = zokio::spawn(async move {
                io::copy_bidirectional(&mut a_proxy, &mut b_proxy).await
            });
            let (a_r, a_w) = io::split(a);
            let (b_r, b_w) = io::split(b);
            let a_send = zokio::spawn(write_in_random_chunks(a_w, to_b.clone(), 8));
            let b_send = zokio::spawn(write_in_random_chunks(b_w, to_a.clone(), 9));
            let a_got = zokio::spawn(read_in_random_chunks(a_r, 10));
            let b_got = zokio::spawn(read_in_random_chunks(b_r, 11));
            a_send.await.unwrap();
            b_send.await.unwrap();
            assert!(b_got.await.unwrap() == to_b, "a to b bytes differ");
            assert!(a_got.await.unwrap() == to_a, "b to a bytes differ");
            let counts = proxy.await.unwrap().unwrap();
            assert_eq!(counts, (to_b.len() as u64, to_a.len() as u64));
        });
    }

    #[test]
    fn split_unsplit_take_chain_empty_sink_repeat() {
        rt().block_on(async {
            let (a, mut b) = io::duplex(64);
            let (mut r, mut w) = io::split(a);
            w.write_all(b"x").await.unwrap();
            let mut one = [0u8; 1];
            b.read_exact(&mut one).await.unwrap();
            b.write_all(b"y").await.unwrap();
            r.read_exact(&mut one).await.unwrap();
            assert_eq!(&one, b"y");
            assert!(r.is_pair_of(&w));
            let _a = r.unsplit(w);

            let mut s = String::new();
            (&b"hello"[..]).take(3).chain(&b" world"[..]).read_to_string(&mut s).await.unwrap();
            assert_eq!(s, "hel world");

            let mut v = Vec::new();
            assert_eq!(io::empty().read_to_end(&mut v).await.unwrap(), 0);
            io::sink().write_all(&[0u8; 100]).await.unwrap();
            let mut rep = Vec::new();
            io::repeat(3).take(10).read_to_end(&mut rep).await.unwrap();
            assert_eq!(rep, vec![3u8; 10]);
        });
    }

    #[test]
    fn simplex_round_trip_through_a_tiny_buffer() {
        rt().block_on(async {
            let data = random_bytes(50_000, 21);
            // A 3-byte buffer: every few bytes the writer waits for the
            // reader and the reader for the writer.
            let (rx, tx) = io::simplex(3);
            let writer = zokio::spawn(write_in_random_chunks(tx, data.clone(), 22));
            let reader = zokio::spawn(read_in_random_chunks(rx, 23));
            // The reader returns only at end of stream: after the writer's
            // shutdown and the last byte.
            assert!(reader.await.unwrap() == data, "simplex bytes differ");
            writer.await.unwrap();
        });
    }

    #[test]
    fn simplex_eof_after_shutdown_then_broken_pipe() {
        rt().block_on(async {
            let (mut rx, mut tx) = io::simplex(8);
            tx.write_all(b"tail").await.unwrap();
            tx.shutdown().await.unwrap();
            // Buffered bytes are still delivered, then end of stream, which
            // stays.
            let mut got = Vec::new();
            assert_eq!(rx.read_to_end(&mut got).await.unwrap(), 4);
            assert_eq!(got, b"tail");
            assert_eq!(rx.read(&mut [0u8; 4]).await.unwrap(), 0);
            let err = tx.write_all(b"x").await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);

            // A reader already waiting is woken by the shutdown.
            let (mut rx, mut tx) = io::simplex(8);
            let reader = zokio::spawn(async move {
                let mut got = Vec::new();
                rx.read_to_end(&mut got).await.unwrap();
                got
            });
            zokio::task::yield_now().await;
            tx.write_all(b"ab").await.unwrap();
            zokio::task::yield_now().await;
            tx.shutdown().await.unwrap();
            assert_eq!(reader.await.unwrap(), b"ab");
        });
    }

    #[test]
    fn simplex_stream_split_and_unsplit() {
        rt().block_on(async {
            let (mut rx, mut tx) = io::split(SimplexStream::new_unsplit(2));
            let writer = zokio::spawn(async move {
                tx.write_all(b"split halves").await.unwrap();
                tx
            });
            let mut buf = [0u8; 12];
            rx.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"split halves");
            let tx = writer.await.unwrap();
            // Joined again, one value both writes and reads.
            let mut pipe = rx.unsplit(tx);
            pipe.write_all(b"ok").await.unwrap();
            let mut two = [0u8; 2];
            pipe.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"ok");
        });
    }

    #[test]
    fn seek_cursor_and_buf_reader() {
        rt().block_on(async {
            let mut c = Cursor::new(b"0123456789".to_vec());
            assert_eq!(c.seek(SeekFrom::Start(4)).await.unwrap(), 4);
            let mut r = BufReader::with_capacity(4, c);
            let mut two = [0u8; 2];
            r.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"45");
            // Buffered bytes are accounted for in a relative seek.
            assert_eq!(r.seek(SeekFrom::Current(1)).await.unwrap(), 7);
            r.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"78");
            assert_eq!(r.stream_position().await.unwrap(), 9);
            r.rewind().await.unwrap();
            let mut all = String::new();
            r.read_to_string(&mut all).await.unwrap();
            assert_eq!(all, "0123456789");
        });
    }

    #[test]
    fn read_to_string_rejects_invalid_utf8_and_keeps_buffer() {
        rt().block_on(async {
            let mut s = String::from("kept");
            let err = (&[0xffu8, 0xfe][..]).read_to_string(&mut s).await.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
            assert_eq!(s, "kept");
        });
    }

    #[test]
    fn write_buf_and_read_buf_with_bytes() {
        rt().block_on(async {
            let mut src = std::io::Cursor::new(&b"bytes!"[..]);
            let mut out = Vec::new();
            out.write_all_buf(&mut src).await.unwrap();
            assert_eq!(out, b"bytes!");
            let mut dst = Vec::with_capacity(3);
            let n = (&b"abcdef"[..]).read_buf(&mut dst).await.unwrap();
            assert!(n > 0);
            assert_eq!(&dst[..], &b"abcdef"[..n]);
        });
    }
}

/// A xorshift generator: reproducible sizes and bytes without a crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A size in `1..=max`.
    fn size(&mut self, max: u64) -> usize {
        (self.next() % max + 1) as usize
    }
}

fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    (0..len).map(|_| rng.next() as u8).collect()
}

/// Writes `data` in random-sized pieces, now and then yielding, then shuts
/// the writer down.
async fn write_in_random_chunks<W>(mut w: W, data: Vec<u8>, seed: u64)
where
    W: zokio::io::AsyncWrite + Unpin,
{
    let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut rest = &data[..];
    while !rest.is_empty() {
        let n = rng.size(3000).min(rest.len());
        w.write_all(&rest[..n]).await.unwrap();
        rest = &rest[n..];
        if rng.next() % 4 == 0 {
            zokio::task::yield_now().await;
        }
    }
    w.shutdown().await.unwrap();
}

/// Reads to end of stream in random-sized pieces; returns all bytes.
async fn read_in_random_chunks<R>(mut r: R, seed: u64) -> Vec<u8>
where
    R: zokio::io::AsyncRead + Unpin,
{
    let mut rng = XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut got = Vec::new();
    let mut piece = vec![0u8; 4096];
    loop {
        let n = rng.size(piece.len() as u64);
        match r.read(&mut piece[..n]).await.unwrap() {
            0 => return got,
            k => got.extend_from_slice(&piece[..k]),
        }
        if rng.next() % 4 == 0 {
            zokio::task::yield_now().await;
        }
    }
}

/// A task that only writes to and reads from an always-ready simplex pipe
/// still yields, so another task on the same thread gets to run.
#[test]
fn simplex_takes_part_in_the_budget() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::sync::Arc;
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let spinner = zokio::spawn(async move {
            let mut pipe = SimplexStream::new_unsplit(16);
            let mut byte = [0u8; 1];
            for spins in 0..10_000u32 {
                if f.load(SeqCst) {
                    return spins;
                }
                pipe.write_all(b"z").await.unwrap();
                pipe.read_exact(&mut byte).await.unwrap();
            }
            panic!("the other task never ran: simplex never yielded");
        });
        let setter = zokio::spawn(async move { flag.store(true, SeqCst) });
        setter.await.unwrap();
        assert!(spinner.await.unwrap() > 0);
    });
}

#[cfg(unix)]
#[test]
fn async_fd_on_a_socket_pair() {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use zokio::io::unix::AsyncFd;
    let rt = zokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let fd = AsyncFd::new(a).unwrap();
        let reader = async {
            let mut buf = [0u8; 5];
            loop {
                let mut guard = fd.readable().await.unwrap();
                match guard.try_io(|inner| inner.get_ref().read(&mut buf)) {
                    Ok(res) => return (res.unwrap(), buf),
                    Err(_would_block) => continue,
                }
            }
        };
        b.write_all(b"hello").unwrap();
        let (n, buf) = reader.await;
        assert_eq!(&buf[..n], b"hello");
        let inner = fd.into_inner();
        drop(inner);
    });
}

/// Cancellation of `read_line` / `read_until` and read-ahead in `copy`,
/// driven by hand (a no-op waker, one poll at a time) so each step of the
/// futures is observable.
mod by_hand {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::{pin, Pin};
    use std::rc::Rc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    use zokio::io::{
        self, AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, ReadBuf, SimplexStream,
    };

    /// Polls `fut` once with a waker that does nothing.
    fn poll_once<F: Future>(fut: Pin<&mut F>) -> Poll<F::Output> {
        fut.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Polls `fut` until it is ready (the scripts below wake themselves, so
    /// every `Pending` is followed by progress).
    fn poll_to_end<F: Future>(fut: F) -> F::Output {
        let mut fut = pin!(fut);
        for _ in 0..1000 {
            if let Poll::Ready(out) = poll_once(fut.as_mut()) {
                return out;
            }
        }
        panic!("future did not complete");
    }

    /// A reader that plays a script: `Some(chunk)` is data, `None` is one
    /// `Pending`; after the script, end of stream. The log records each
    /// poll as `R:<data>` or `R:pending` (or `R:eof`).
    struct ScriptReader {
        steps: VecDeque<Option<Vec<u8>>>,
        log: Rc<RefCell<Vec<String>>>,
    }

    impl ScriptReader {
        fn new(steps: &[Option<&[u8]>], log: &Rc<RefCell<Vec<String>>>) -> ScriptReader {
            ScriptReader {
                steps: steps.iter().map(|s| s.map(<[u8]>::to_vec)).collect(),
                log: log.clone(),
            }
        }

        /// Drops empty chunks and plays a `Pending` step; true if the
        /// front step is now data (or the script is over).
        fn ready(&mut self, cx: &mut Context<'_>) -> bool {
            while let Some(Some(c)) = self.steps.front() {
                if !c.is_empty() {
                    return true;
                }
                self.steps.pop_front();
            }
            if self.steps.is_empty() {
                return true;
            }
            self.steps.pop_front();
            self.log.borrow_mut().push("R:pending".into());
            cx.waker().wake_by_ref();
            false
        }
    }

    impl AsyncRead for ScriptReader {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let me = self.get_mut();
            if !me.ready(cx) {
                return Poll::Pending;
            }
            let Some(Some(chunk)) = me.steps.front_mut() else {
                me.log.borrow_mut().push("R:eof".into());
                return Poll::Ready(Ok(()));
            };
            let n = chunk.len().min(buf.remaining());
            buf.put_slice(&chunk[..n]);
            let taken: Vec<u8> = chunk.drain(..n).collect();
            me.log
                .borrow_mut()
                .push(format!("R:{}", String::from_utf8_lossy(&taken)));
            Poll::Ready(Ok(()))
        }
    }

    impl AsyncBufRead for ScriptReader {
        fn poll_fill_buf(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<&[u8]>> {
            let me = self.get_mut();
            if !me.ready(cx) {
                return Poll::Pending;
            }
            match me.steps.front() {
                Some(Some(chunk)) => Poll::Ready(Ok(chunk)),
                _ => Poll::Ready(Ok(&[])),
            }
        }

        fn consume(self: Pin<&mut Self>, amt: usize) {
            if let Some(Some(chunk)) = self.get_mut().steps.front_mut() {
                chunk.drain(..amt);
            }
        }
    }

    fn log() -> Rc<RefCell<Vec<String>>> {
        Rc::new(RefCell::new(Vec::new()))
    }

    #[test]
    fn read_until_cancelled_keeps_partial_bytes_in_buf() {
        let log = log();
        let mut r = ScriptReader::new(&[Some(b"ke"), Some(b"y="), None, Some(b"val;x")], &log);
        let mut buf = b"old|".to_vec();
        {
            let fut = pin!(r.read_until(b';', &mut buf));
            assert!(poll_once(fut).is_pending());
        } // dropped mid-segment, as by a lost `select!`
        assert_eq!(buf, b"old|key=");
        // The count restarts with the new call; the segment completes.
        assert_eq!(poll_to_end(r.read_until(b';', &mut buf)).unwrap(), 4);
        assert_eq!(buf, b"old|key=val;");
        let mut rest = Vec::new();
        assert_eq!(poll_to_end(r.read_until(b';', &mut rest)).unwrap(), 1);
        assert_eq!(rest, b"x");
    }

    #[test]
    fn read_line_cancelled_keeps_partial_line_in_buf() {
        let log = log();
        let steps: &[Option<&[u8]>] = &[Some(b"hel"), None, Some(b"lo"), None, Some(b"!\nnext\n")];
        let mut r = ScriptReader::new(steps, &log);
        let mut line = String::from("> ");
        for expected in ["> hel", "> hello"] {
            assert!(poll_once(pin!(r.read_line(&mut line))).is_pending());
            assert_eq!(line, expected, "cancelled read_line lost bytes");
        }
        // The line arrives exactly once, completed by the new call.
        assert_eq!(poll_to_end(r.read_line(&mut line)).unwrap(), 2);
        assert_eq!(line, "> hello!\n");
        line.clear();
        assert_eq!(poll_to_end(r.read_line(&mut line)).unwrap(), 5);
        assert_eq!(line, "next\n");
    }

    #[test]
    fn read_line_dropped_unpolled_leaves_buf_untouched() {
        let log = log();
        let mut r = ScriptReader::new(&[Some(b"a\n")], &log);
        let mut line = String::from("kept");
        drop(r.read_line(&mut line));
        assert_eq!(line, "kept");
        assert_eq!(poll_to_end(r.read_line(&mut line)).unwrap(), 2);
        assert_eq!(line, "kepta\n");
    }

    #[test]
    fn read_line_cancelled_inside_a_character_drops_only_that_character() {
        // "é" is C3 A9; the pause falls between its two bytes.
        let log = log();
        let steps: &[Option<&[u8]>] = &[Some(b"caf\xc3"), None, Some(b"\xa9\n")];
        let mut r = ScriptReader::new(steps, &log);
        let mut line = String::new();
        assert!(poll_once(pin!(r.read_line(&mut line))).is_pending());
        // A String cannot hold half a character: the complete ones stay.
        assert_eq!(line, "caf");
        // The loss is reported, not silent: the rest of the line is not UTF-8.
        let err = poll_to_end(r.read_line(&mut line)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(line, "caf");
    }

    #[test]
    fn read_line_cancelled_after_invalid_utf8_restores_buf() {
        let log = log();
        let steps: &[Option<&[u8]>] = &[Some(b"ab\xffcd"), None, Some(b"\nok\n")];
        let mut r = ScriptReader::new(steps, &log);
        let mut line = String::from("pre:");
        assert!(poll_once(pin!(r.read_line(&mut line))).is_pending());
        // As on a completed call that fails with InvalidData.
        assert_eq!(line, "pre:");
    }

    #[test]
    fn read_line_reassembles_a_character_split_across_chunks() {
        let log = log();
        let steps: &[Option<&[u8]>] = &[Some(b"caf\xc3"), None, Some(b"\xa9\n")];
        let mut r = ScriptReader::new(steps, &log);
        let mut line = String::new();
        assert_eq!(poll_to_end(r.read_line(&mut line)).unwrap(), 6);
        assert_eq!(line, "café\n");
    }

    /// A writer whose first `poll_write` is `Pending`; afterwards it takes
    /// everything. The log records `W:pending`, `W:<data>` and `W:flush`.
    struct SlowStartWriter {
        stalled: bool,
        out: Vec<u8>,
        log: Rc<RefCell<Vec<String>>>,
    }

    impl SlowStartWriter {
        fn new(log: &Rc<RefCell<Vec<String>>>) -> SlowStartWriter {
            SlowStartWriter {
                stalled: false,
                out: Vec::new(),
                log: log.clone(),
            }
        }
    }

    impl AsyncWrite for SlowStartWriter {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let me = self.get_mut();
            if !me.stalled {
                me.stalled = true;
                me.log.borrow_mut().push("W:pending".into());
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            me.log
                .borrow_mut()
                .push(format!("W:{}", String::from_utf8_lossy(buf)));
            me.out.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            self.log.borrow_mut().push("W:flush".into());
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[test]
    fn copy_reads_ahead_while_the_writer_is_pending() {
        let log = log();
        let steps: &[Option<&[u8]>] = &[Some(b"ab"), Some(b"cd"), Some(b"ef"), None];
        let mut r = ScriptReader::new(steps, &log);
        let mut w = SlowStartWriter::new(&log);
        {
            let mut fut = pin!(io::copy(&mut r, &mut w));
            assert!(poll_once(fut.as_mut()).is_pending());
            // While the first write waits, the reader fills the free space.
            assert_eq!(
                *log.borrow(),
                ["R:ab", "W:pending", "R:cd", "R:ef", "R:pending"]
            );
            assert_eq!(poll_to_end(fut).unwrap(), 6);
        }
        // So the writer's next call gets the whole burst at once.
        assert_eq!(log.borrow()[5..], ["R:eof", "W:abcdef", "W:flush"]);
        assert_eq!(w.out, b"abcdef");
    }

    /// Counts how often it is woken.
    #[derive(Default)]
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    impl CountingWaker {
        fn new() -> (Arc<CountingWaker>, Waker) {
            let count = Arc::new(CountingWaker::default());
            (count.clone(), Waker::from(count))
        }

        fn wakes(&self) -> usize {
            self.0.load(SeqCst)
        }
    }

    #[test]
    fn simplex_writer_waits_when_full_and_each_side_wakes_the_other() {
        let (reader, reader_waker) = CountingWaker::new();
        let (writer, writer_waker) = CountingWaker::new();
        let mut rcx = Context::from_waker(&reader_waker);
        let mut wcx = Context::from_waker(&writer_waker);
        let mut pipe = SimplexStream::new_unsplit(4);
        let mut space = [0u8; 8];

        // Empty: the reader parks.
        let mut buf = ReadBuf::new(&mut space);
        assert!(Pin::new(&mut pipe)
            .poll_read(&mut rcx, &mut buf)
            .is_pending());
        // A write takes what fits and wakes the reader.
        let res = Pin::new(&mut pipe).poll_write(&mut wcx, b"abcdef");
        assert!(matches!(res, Poll::Ready(Ok(4))), "{res:?}");
        assert_eq!(reader.wakes(), 1);
        // Full: the writer parks.
        assert!(Pin::new(&mut pipe).poll_write(&mut wcx, b"ef").is_pending());
        assert_eq!(writer.wakes(), 0);
        // A read makes room and wakes the writer, whose retry completes.
        let mut small = [0u8; 3];
        let mut buf = ReadBuf::new(&mut small);
        let res = Pin::new(&mut pipe).poll_read(&mut rcx, &mut buf);
        assert!(matches!(res, Poll::Ready(Ok(()))), "{res:?}");
        assert_eq!(buf.filled(), b"abc");
        assert_eq!(writer.wakes(), 1);
        let res = Pin::new(&mut pipe).poll_write(&mut wcx, b"ef");
        assert!(matches!(res, Poll::Ready(Ok(2))), "{res:?}");

        // Drained, the reader parks again; shutdown wakes it, it gets end
        // of stream, and writes fail.
        let mut buf = ReadBuf::new(&mut space);
        assert!(Pin::new(&mut pipe).poll_read(&mut rcx, &mut buf).is_ready());
        assert_eq!(buf.filled(), b"def");
        let mut buf = ReadBuf::new(&mut space);
        assert!(Pin::new(&mut pipe)
            .poll_read(&mut rcx, &mut buf)
            .is_pending());
        let before = reader.wakes();
        assert!(Pin::new(&mut pipe).poll_shutdown(&mut wcx).is_ready());
        assert_eq!(reader.wakes(), before + 1);
        let res = Pin::new(&mut pipe).poll_read(&mut rcx, &mut buf);
        assert!(matches!(res, Poll::Ready(Ok(()))) && buf.filled().is_empty());
        let res = Pin::new(&mut pipe).poll_write(&mut wcx, b"x");
        assert!(
            matches!(&res, Poll::Ready(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe),
            "{res:?}"
        );
    }

    #[test]
    fn simplex_with_no_room_does_not_panic_and_never_accepts_a_byte() {
        let (writer, writer_waker) = CountingWaker::new();
        let mut wcx = Context::from_waker(&writer_waker);
        let mut pipe = SimplexStream::new_unsplit(0);
        assert!(Pin::new(&mut pipe).poll_write(&mut wcx, b"x").is_pending());
        // Only a shutdown releases the parked writer, with BrokenPipe.
        assert!(Pin::new(&mut pipe).poll_shutdown(&mut wcx).is_ready());
        assert_eq!(writer.wakes(), 1);
        let res = Pin::new(&mut pipe).poll_write(&mut wcx, b"x");
        assert!(matches!(res, Poll::Ready(Err(_))), "{res:?}");
    }

    #[test]
    fn copy_flushes_when_the_reader_stalls_with_nothing_buffered() {
        let log = log();
        let mut r = ScriptReader::new(&[Some(b"ab"), None, Some(b"c")], &log);
        let mut w = SlowStartWriter::new(&log);
        w.stalled = true;
        assert_eq!(poll_to_end(io::copy(&mut r, &mut w)).unwrap(), 3);
        assert_eq!(
            *log.borrow(),
            [
                "R:ab",
                "W:ab",
                "R:pending",
                "W:flush",
                "R:c",
                "W:c",
                "R:eof",
                "W:flush"
            ]
        );
    }
}
