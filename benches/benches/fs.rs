//! Filesystem workloads, Zokio (`zokio::fs`) vs Tokio (`tokio::fs`) vs smol
//! (`async-fs` on an async-executor), 2 workers each, one process,
//! interleaved rounds, medians and ratios to Tokio.
//!
//! ```text
//! cargo bench -p zokio-benches --bench fs [-- FILTER...]
//! ZOKIO_BENCH_ROUNDS=5 cargo bench -p zokio-benches --bench fs -- fs_read_4k
//! ```
//!
//! - `fs_small_files`: 10 000 files, each created, written (4 KiB, then
//!   `flush`), read back whole and removed; [`SMALL_TASKS`] tasks share
//!   the files;
//! - `fs_read_4k`: 100 000 seek + 4 KiB `read_exact`s at random aligned
//!   offsets of one 256 MiB file (built once, in the page cache);
//!   [`READ_TASKS`] tasks, each with its own handle;
//! - `fs_seq_write`: one file written with 256 MiB of 64 KiB `write_all`s,
//!   then `flush` (page cache; no `fsync`).
//!
//! Files live in a directory under `std::env::temp_dir()` (set `TMPDIR` to
//! move it), removed at the end.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use zokio_benches::rt::{self, Rt, WORKERS};
use zokio_benches::{compare, markdown_table, Comparison, Config, Contender};

const SMALL_FILES: usize = 10_000;
const SMALL_TASKS: usize = 4;
const SMALL_SIZE: usize = 4096;
const READ_FILE: u64 = 256 << 20;
const READS: usize = 100_000;
const READ_TASKS: usize = 4;
const READ_SIZE: usize = 4096;
const WRITE_BYTES: usize = 256 << 20;
const CHUNK: usize = 64 * 1024;

/// Offsets of 4 KiB blocks for task `t` (xorshift; same for every runtime).
fn offsets(t: usize) -> Vec<u64> {
    let blocks = READ_FILE / READ_SIZE as u64;
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ (t as u64 + 1);
    (0..READS / READ_TASKS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % blocks) * READ_SIZE as u64
        })
        .collect()
}

/// The workloads for a Tokio-shaped API (Zokio ports by renaming the
/// crate, so the same text serves both).
macro_rules! tokio_like {
    ($m:ident, $krate:ident) => {
        mod $m {
            use super::*;
            use $krate::fs::{self, File};
            use $krate::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};

            pub(super) async fn small_files(dir: Arc<PathBuf>) {
                let tasks: Vec<_> = (0..SMALL_TASKS)
                    .map(|t| {
                        let dir = dir.clone();
                        $krate::spawn(async move {
                            let data = vec![t as u8; SMALL_SIZE];
                            for i in (t..SMALL_FILES).step_by(SMALL_TASKS) {
                                let path = dir.join(format!("s{i}"));
                                let mut f = File::create(&path).await.unwrap();
                                f.write_all(&data).await.unwrap();
                                f.flush().await.unwrap();
                                drop(f);
                                let back = fs::read(&path).await.unwrap();
                                assert_eq!(back.len(), SMALL_SIZE);
                                fs::remove_file(&path).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            }

            pub(super) async fn read_4k(path: Arc<PathBuf>, offsets: Arc<Vec<Vec<u64>>>) {
                let tasks: Vec<_> = (0..READ_TASKS)
                    .map(|t| {
                        let path = path.clone();
                        let offsets = offsets.clone();
                        $krate::spawn(async move {
                            let mut f = File::open(&*path).await.unwrap();
                            let mut buf = vec![0u8; READ_SIZE];
                            for &off in &offsets[t] {
                                f.seek(SeekFrom::Start(off)).await.unwrap();
                                f.read_exact(&mut buf).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            }

            pub(super) async fn seq_write(path: Arc<PathBuf>) {
                $krate::spawn(async move {
                    let mut f = File::create(&*path).await.unwrap();
                    let chunk = vec![1u8; CHUNK];
                    for _ in 0..WRITE_BYTES / CHUNK {
                        f.write_all(&chunk).await.unwrap();
                    }
                    f.flush().await.unwrap();
                })
                .await
                .unwrap();
            }
        }
    };
}

tokio_like!(zk, zokio);
tokio_like!(tk, tokio);

/// smol: `async-fs` (files on the `blocking` crate's pool) on an
/// async-executor run by `WORKERS` threads.
mod sm {
    use super::*;
    use async_fs::File;
    use futures_lite::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, SeekFrom};

    use zokio_benches::rt::{SmolSpawn as Ex, Spawner};

    pub(super) async fn small_files(ex: Ex, dir: Arc<PathBuf>) {
        let tasks: Vec<_> = (0..SMALL_TASKS)
            .map(|t| {
                let dir = dir.clone();
                Spawner::spawn(ex, async move {
                    let data = vec![t as u8; SMALL_SIZE];
                    for i in (t..SMALL_FILES).step_by(SMALL_TASKS) {
                        let path = dir.join(format!("s{i}"));
                        let mut f = File::create(&path).await.unwrap();
                        f.write_all(&data).await.unwrap();
                        f.flush().await.unwrap();
                        drop(f);
                        let back = async_fs::read(&path).await.unwrap();
                        assert_eq!(back.len(), SMALL_SIZE);
                        async_fs::remove_file(&path).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await;
        }
    }

    pub(super) async fn read_4k(ex: Ex, path: Arc<PathBuf>, offsets: Arc<Vec<Vec<u64>>>) {
        let tasks: Vec<_> = (0..READ_TASKS)
            .map(|t| {
                let path = path.clone();
                let offsets = offsets.clone();
                Spawner::spawn(ex, async move {
                    let mut f = File::open(&*path).await.unwrap();
                    let mut buf = vec![0u8; READ_SIZE];
                    for &off in &offsets[t] {
                        f.seek(SeekFrom::Start(off)).await.unwrap();
                        f.read_exact(&mut buf).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await;
        }
    }

    pub(super) async fn seq_write(ex: Ex, path: Arc<PathBuf>) {
        Spawner::spawn(ex, async move {
            let mut f = File::create(&*path).await.unwrap();
            let chunk = vec![1u8; CHUNK];
            for _ in 0..WRITE_BYTES / CHUNK {
                f.write_all(&chunk).await.unwrap();
            }
            f.flush().await.unwrap();
        })
        .await;
    }
}

/// The bench directory, removed on drop.
struct BenchDir(PathBuf);

impl BenchDir {
    fn new() -> BenchDir {
        let p = std::env::temp_dir().join(format!("zokio-bench-fs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create the bench directory");
        BenchDir(p)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for BenchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes the 256 MiB file for `fs_read_4k` once, with std.
fn build_read_file(path: &Path) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).expect("create the read file");
    let mut block = vec![0u8; 1 << 20];
    for i in 0..READ_FILE >> 20 {
        block.fill(i as u8);
        f.write_all(&block).expect("write the read file");
    }
}

fn main() {
    let cfg = Config::from_env_and_args();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "fs: {} workers per runtime, {} rounds, {cores} cores available",
        WORKERS, cfg.rounds
    );
    let dir = BenchDir::new();
    let zokio = rt::zokio_runtime();
    let tokio = rt::tokio_runtime();
    let smol = rt::Smol::start();
    let ex = smol.spawner();
    let mut results: Vec<Comparison> = Vec::new();

    if cfg.selected("fs_small_files") {
        let d = |name: &str| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(&p).unwrap();
            Arc::new(p)
        };
        let (dz, dt, ds) = (d("small-zokio"), d("small-tokio"), d("small-smol"));
        results.push(compare(
            &cfg,
            "fs_small_files",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || zokio.block_on(zk::small_files(dz.clone()))),
                Contender::new("tokio", || tokio.block_on(tk::small_files(dt.clone()))),
                Contender::new("smol", || smol.block_on(sm::small_files(ex, ds.clone()))),
            ],
        ));
        report_rate(results.last().unwrap(), "files/s", SMALL_FILES as f64);
    }
    if cfg.selected("fs_read_4k") {
        let path = Arc::new(dir.path().join("read-256m"));
        build_read_file(&path);
        let offs = Arc::new((0..READ_TASKS).map(offsets).collect::<Vec<_>>());
        results.push(compare(
            &cfg,
            "fs_read_4k",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || {
                    zokio.block_on(zk::read_4k(path.clone(), offs.clone()))
                }),
                Contender::new("tokio", || {
                    tokio.block_on(tk::read_4k(path.clone(), offs.clone()))
                }),
                Contender::new("smol", || {
                    smol.block_on(sm::read_4k(ex, path.clone(), offs.clone()))
                }),
            ],
        ));
        report_rate(results.last().unwrap(), "reads/s", READS as f64);
        let _ = std::fs::remove_file(&*path);
    }
    if cfg.selected("fs_seq_write") {
        let p = |name: &str| Arc::new(dir.path().join(name));
        let (pz, pt, ps) = (p("w-zokio"), p("w-tokio"), p("w-smol"));
        results.push(compare(
            &cfg,
            "fs_seq_write",
            1,
            "tokio",
            vec![
                Contender::new("zokio", || zokio.block_on(zk::seq_write(pz.clone()))),
                Contender::new("tokio", || tokio.block_on(tk::seq_write(pt.clone()))),
                Contender::new("smol", || smol.block_on(sm::seq_write(ex, ps.clone()))),
            ],
        ));
        report_rate(results.last().unwrap(), "MiB/s", (WRITE_BYTES >> 20) as f64);
    }
    println!("\n{}", markdown_table(&results, "tokio"));
}

/// Prints `units` per second for each contender's median.
fn report_rate(c: &Comparison, unit: &str, units_per_iter: f64) {
    for (name, _) in &c.samples {
        if let Some(m) = c.median(name) {
            println!(
                "  {name:<11} {:>12.0} {unit}",
                units_per_iter / m.as_secs_f64()
            );
        }
    }
}
