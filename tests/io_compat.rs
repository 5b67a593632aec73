//! `zokio::io::compat`: Zokio readers and writers as `futures_io` ones and
//! the other way round, driven through the other family's poll methods.

#[macro_use]
mod common;

use std::future::poll_fn;
use std::io::{self, Cursor, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};
use zokio::io::compat::{
    FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt, ZokioAsyncReadCompatExt,
    ZokioAsyncWriteCompatExt,
};
use zokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Reads `r` (a futures reader) to its end with futures' `poll_read`.
async fn futures_read_to_end<R: futures_io::AsyncRead + Unpin>(r: &mut R) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 7];
    for _ in 0..100_000 {
        let n = poll_fn(|cx| Pin::new(&mut *r).poll_read(cx, &mut buf))
            .await
            .unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
    panic!("no end of stream");
}

/// Writes all of `data` to `w` (a futures writer), then closes it.
async fn futures_write_all_and_close<W: futures_io::AsyncWrite + Unpin>(w: &mut W, data: &[u8]) {
    let mut done = 0;
    while done < data.len() {
        let n = poll_fn(|cx| Pin::new(&mut *w).poll_write(cx, &data[done..]))
            .await
            .unwrap();
        assert!(n > 0);
        done += n;
    }
    poll_fn(|cx| Pin::new(&mut *w).poll_flush(cx))
        .await
        .unwrap();
    poll_fn(|cx| Pin::new(&mut *w).poll_close(cx))
        .await
        .unwrap();
}

/// A futures-only reader/seeker over bytes (futures-io has no `Cursor`).
struct FuturesCursor {
    data: Vec<u8>,
    pos: u64,
}

impl futures_io::AsyncRead for FuturesCursor {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let start = (self.pos as usize).min(self.data.len());
        let n = buf.len().min(self.data.len() - start);
        buf[..n].copy_from_slice(&self.data[start..start + n]);
        self.pos += n as u64;
        Poll::Ready(Ok(n))
    }
}

impl futures_io::AsyncSeek for FuturesCursor {
    fn poll_seek(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let new = match pos {
            SeekFrom::Start(p) => p as i64,
            SeekFrom::Current(d) => self.pos as i64 + d,
            SeekFrom::End(d) => self.data.len() as i64 + d,
        };
        if new < 0 {
            return Poll::Ready(Err(io::ErrorKind::InvalidInput.into()));
        }
        self.pos = new as u64;
        Poll::Ready(Ok(self.pos))
    }
}

rt_test! {
    #[test]
    fn zokio_duplex_through_futures_traits() {
        rt().block_on(async {
            let (ours, mut theirs) = zokio::io::duplex(16);
            // A duplex end is both a reader and a writer: one wrapper
            // gives both futures traits.
            let mut ours = ours.compat();
            let data: Vec<u8> = (0..5_000u32).map(|i| i as u8).collect();
            let echo = zokio::spawn(async move {
                let mut got = Vec::new();
                theirs.read_to_end(&mut got).await.unwrap();
                theirs.write_all(&got).await.unwrap();
                theirs.shutdown().await.unwrap();
                got.len()
            });
            futures_write_all_and_close(&mut ours, &data).await;
            assert_eq!(futures_read_to_end(&mut ours).await, data);
            assert_eq!(echo.await.unwrap(), data.len());
            // And back to the Zokio value.
            let _duplex: zokio::io::DuplexStream = ours.into_inner();
        });
    }

    #[test]
    fn futures_reader_and_writer_through_zokio_traits() {
        rt().block_on(async {
            // futures-io implements AsyncRead/AsyncBufRead for &[u8] and
            // AsyncWrite for Vec<u8>; so does Zokio, so name the direction.
            let mut reader = FuturesAsyncReadCompatExt::compat(&b"first line\nsecond"[..]);
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            assert_eq!(line, "first line\n");
            let mut rest = String::new();
            reader.read_to_string(&mut rest).await.unwrap();
            assert_eq!(rest, "second");

            let mut writer = FuturesAsyncWriteCompatExt::compat_write(Vec::new());
            writer.write_all(b"abc").await.unwrap();
            writer.write_u32(7).await.unwrap();
            writer.shutdown().await.unwrap();
            assert_eq!(writer.into_inner(), b"abc\0\0\0\x07");
        });
    }

    #[test]
    fn seeking_both_ways() {
        rt().block_on(async {
            // A futures seeker used with Zokio's AsyncSeekExt.
            let mut f = FuturesCursor {
                data: b"0123456789".to_vec(),
                pos: 0,
            }
            .compat();
            assert_eq!(f.seek(SeekFrom::Start(4)).await.unwrap(), 4);
            let mut two = [0u8; 2];
            f.read_exact(&mut two).await.unwrap();
            assert_eq!(&two, b"45");
            assert_eq!(f.seek(SeekFrom::End(-1)).await.unwrap(), 9);
            assert_eq!(f.stream_position().await.unwrap(), 9);
            assert_eq!(
                f.seek(SeekFrom::Current(-20)).await.unwrap_err().kind(),
                io::ErrorKind::InvalidInput
            );

            // A Zokio seeker (Cursor) used through futures' poll_seek.
            let mut c = Cursor::new(b"abcdef".to_vec()).compat();
            let pos = poll_fn(|cx| {
                futures_io::AsyncSeek::poll_seek(Pin::new(&mut c), cx, SeekFrom::Start(3))
            })
            .await
            .unwrap();
            assert_eq!(pos, 3);
            let mut rest = Vec::new();
            let mut buf = [0u8; 8];
            let n = poll_fn(|cx| futures_io::AsyncRead::poll_read(Pin::new(&mut c), cx, &mut buf))
                .await
                .unwrap();
            rest.extend_from_slice(&buf[..n]);
            assert_eq!(rest, b"def");
            let end = poll_fn(|cx| {
                futures_io::AsyncSeek::poll_seek(Pin::new(&mut c), cx, SeekFrom::End(0))
            })
            .await
            .unwrap();
            assert_eq!(end, 6);

            // A Zokio File: `SeekFrom::End` runs on the blocking pool, so
            // futures' poll_seek sees Pending and must resume the same seek.
            let path = std::env::temp_dir()
                .join(format!("zokio-compat-seek-{}-{:?}", std::process::id(), std::thread::current().id()));
            zokio::fs::write(&path, b"hello world").await.unwrap();
            let mut file = zokio::fs::File::open(&path).await.unwrap().compat();
            let pos = poll_fn(|cx| {
                futures_io::AsyncSeek::poll_seek(Pin::new(&mut file), cx, SeekFrom::End(-5))
            })
            .await
            .unwrap();
            assert_eq!(pos, 6);
            assert_eq!(futures_read_to_end(&mut file).await, b"world");
            zokio::fs::remove_file(&path).await.unwrap();
        });
    }

    #[test]
    fn a_zokio_writer_alone_through_futures_write() {
        rt().block_on(async {
            let (mut rx, tx) = zokio::io::simplex(8);
            let mut tx = tx.compat_write();
            let reader = zokio::spawn(async move {
                let mut got = Vec::new();
                rx.read_to_end(&mut got).await.unwrap();
                got
            });
            futures_write_all_and_close(&mut tx, b"through a simplex pipe").await;
            assert_eq!(reader.await.unwrap(), b"through a simplex pipe");
        });
    }
}
