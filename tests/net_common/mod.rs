//! Helpers shared by the net and io integration tests.
#![allow(dead_code)]

use std::sync::mpsc;
use std::time::Duration;

/// Fails the whole test binary if the guard is not dropped within `limit`:
/// a hung socket test must not hang CI.
pub(crate) struct Watchdog(Option<mpsc::Sender<()>>);

impl Watchdog {
    pub(crate) fn new(name: &'static str, limit: Duration) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
                eprintln!("test `{name}` did not finish within {limit:?}");
                std::process::exit(101);
            }
        });
        Watchdog(Some(tx))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// Byte `i` of the deterministic test stream.
pub(crate) fn pattern(i: u64) -> u8 {
    (i.wrapping_mul(31) ^ (i >> 11)) as u8
}

/// Fills `buf` with the stream bytes starting at offset `at`.
pub(crate) fn fill(buf: &mut [u8], at: u64) {
    for (k, b) in buf.iter_mut().enumerate() {
        *b = pattern(at + k as u64);
    }
}

/// A running checksum (FNV-1a over 8-byte words, then the tail).
#[derive(Default)]
pub(crate) struct Checksum {
    hash: u64,
    len: u64,
    tail: Vec<u8>,
}

impl Checksum {
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if !self.tail.is_empty() {
            let need = 8 - self.tail.len();
            let take = need.min(data.len());
            self.tail.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.tail.len() == 8 {
                let w = u64::from_le_bytes(self.tail[..].try_into().unwrap());
                self.word(w);
                self.tail.clear();
            }
        }
        let mut chunks = data.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes(c.try_into().unwrap()));
        }
        self.tail.extend_from_slice(chunks.remainder());
    }

    fn word(&mut self, w: u64) {
        self.hash = (self.hash ^ w).wrapping_mul(0x100_0000_01b3);
    }

    pub(crate) fn finish(mut self) -> (u64, u64) {
        let tail = std::mem::take(&mut self.tail);
        for b in tail {
            self.word(b as u64);
        }
        (self.hash, self.len)
    }
}
