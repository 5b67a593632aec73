//! The Tokio twin of `examples/hello_http.rs`, for the `wrk` comparison in
//! `docs/benchmarks.md`: the same code with the crate renamed, so the same
//! parsing, the same response and the same read/write calls.
//!
//! ```text
//! cargo run --release -p zokio-benches --example hello_http_tokio [ADDR] [WORKERS]
//! wrk -t2 -c100 -d10s http://127.0.0.1:8080/
//! ```
//!
//! `ADDR` may also come from `HELLO_HTTP_ADDR` and `WORKERS` (worker
//! threads) from `HELLO_HTTP_WORKERS`; arguments win. Without either, the
//! runtime is Tokio's multi-thread default (one worker per core).
//!
//! Every request (any method and path) gets `Hello, World!`. Requests are
//! parsed just enough to find where each ends (headers, plus a
//! `Content-Length` body), so pipelined requests work; `Connection: close`
//! closes after the response. Not a real HTTP implementation.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = "Hello, World!";

fn main() -> std::io::Result<()> {
    let arg = |i: usize, var: &str| std::env::args().nth(i).or_else(|| std::env::var(var).ok());
    let addr = arg(1, "HELLO_HTTP_ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = arg(2, "HELLO_HTTP_WORKERS") {
        let workers = workers.parse().map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "WORKERS: not a number")
        })?;
        builder.worker_threads(workers);
    }
    builder.enable_all().build()?.block_on(run(addr))
}

async fn run(addr: String) -> std::io::Result<()> {
    let listener = TcpListener::bind(&addr).await?;
    println!("hello_http listening on http://{}", listener.local_addr()?);
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(async move {
                    if let Err(e) = serve(socket).await {
                        if e.kind() != std::io::ErrorKind::ConnectionReset {
                            eprintln!("connection error: {e}");
                        }
                    }
                });
            }
            Err(e) => {
                eprintln!("accept failed: {e}");
                tokio::task::yield_now().await;
            }
        }
    }
}

/// One parsed request: its length in the buffer and whether to close.
struct Request {
    len: usize,
    close: bool,
}

/// Finds the first complete request in `buf`, if there is one.
fn parse(buf: &[u8]) -> Option<Request> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?;
    let http10 = request_line.ends_with("HTTP/1.0");
    let mut content_length = 0usize;
    let mut close = http10;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("connection") {
            if value.eq_ignore_ascii_case("close") {
                close = true;
            } else if value.eq_ignore_ascii_case("keep-alive") {
                close = false;
            }
        }
    }
    let len = head_end + content_length;
    (buf.len() >= len).then_some(Request { len, close })
}

async fn serve(mut socket: TcpStream) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buf = Vec::with_capacity(4096);
    let mut out = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 64 * 1024 {
            // A request head this large is not something we serve.
            socket.write_all(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await?;
            return Ok(());
        }
        // Answer every complete (possibly pipelined) request at once.
        let mut close = false;
        while let Some(req) = parse(&buf) {
            out.extend_from_slice(response.as_bytes());
            buf.drain(..req.len);
            if req.close {
                close = true;
                break;
            }
        }
        if !out.is_empty() {
            socket.write_all(&out).await?;
            out.clear();
        }
        if close {
            socket.shutdown().await?;
            return Ok(());
        }
    }
}
