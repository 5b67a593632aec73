//! A TCP echo server.
//!
//! ```text
//! cargo run --release --example echo [ADDR]      # default 127.0.0.1:8080
//! ```
//!
//! Each connection gets a task that copies what it reads back to the
//! client until the client closes its side.

use zokio::io::{AsyncReadExt, AsyncWriteExt};
use zokio::net::TcpListener;

#[zokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    loop {
        let (mut socket, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                // E.g. out of file descriptors: report and keep serving.
                eprintln!("accept failed: {e}");
                zokio::task::yield_now().await;
                continue;
            }
        };
        zokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = match socket.read(&mut buf).await {
                    Ok(0) => return,
                    Ok(n) => n,
                    Err(e) => {
                        eprintln!("{peer}: read failed: {e}");
                        return;
                    }
                };
                if let Err(e) = socket.write_all(&buf[..n]).await {
                    eprintln!("{peer}: write failed: {e}");
                    return;
                }
            }
        });
    }
}
