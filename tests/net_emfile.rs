//! `accept` under file-descriptor exhaustion returns the error, and the
//! listener keeps working once descriptors are free again.
//!
//! The limit is lowered in a child process (this test binary re-executed
//! with `ZOKIO_EMFILE_CHILD` set), so no other test is affected.

mod net_common;

use net_common::Watchdog;
use std::time::Duration;
use zokio::net::TcpListener;

const CHILD_ENV: &str = "ZOKIO_EMFILE_CHILD";

#[test]
fn accept_emfile_recovers() {
    if std::env::var_os(CHILD_ENV).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .args([
            "accept_emfile_recovers",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn child() {
    let _w = Watchdog::new("accept_emfile_recovers (child)", Duration::from_secs(60));
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Three clients wait in the backlog (blocking connects complete there).
        let clients: Vec<_> = (0..3)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        // Lower the limit to what is open now plus a little, then use it up.
        let limit = 256;
        // SAFETY: `rlim` is a valid, initialized rlimit for the duration of
        // the call; setrlimit has no other memory effects.
        let rc = unsafe {
            let rlim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &rlim)
        };
        assert_eq!(rc, 0, "setrlimit failed");
        let mut hogs = Vec::new();
        for _ in 0..limit {
            match std::fs::File::open("/dev/null") {
                Ok(f) => hogs.push(f),
                Err(e) => {
                    assert_eq!(e.raw_os_error(), Some(libc::EMFILE));
                    break;
                }
            }
        }
        assert!(!hogs.is_empty());
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err:?}");
        // A second attempt fails the same way, without hanging.
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err:?}");
        drop(hogs);
        for _ in 0..clients.len() {
            let (s, peer) = listener.accept().await.unwrap();
            assert_eq!(s.peer_addr().unwrap(), peer);
        }
        drop(clients);
    });
}
