//! Zokio demo: shows the runtime at work and prints what it did.
use std::time::Instant;

fn main() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build runtime");
    let start = Instant::now();
    let total: u64 = rt.block_on(async {
        let mut handles = Vec::new();
        for i in 0..100_000u64 {
            handles.push(zokio::spawn(async move { i }));
        }
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    println!("100000 tasks summed to {total} in {:?}", start.elapsed());
    let m = rt.metrics();
    for w in 0..m.num_workers() {
        println!(
            "worker {w}: polls {} steals {} parks {}",
            m.worker_poll_count(w),
            m.worker_steal_count(w),
            m.worker_park_count(w)
        );
    }
}
