//! The io traits and utilities through the public API (in-memory streams
//! only: duplex, slices, cursors, vectors).

#[macro_use]
mod common;

use std::io::{Cursor, SeekFrom};
use zokio::io::{
    self, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufStream,
    BufWriter,
};

rt_test! {
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
