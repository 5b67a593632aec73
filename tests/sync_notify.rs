//! `zokio::sync::Notify` through the public API.

#[macro_use]
mod common;

use std::sync::Arc;
use zokio::sync::Notify;

rt_test! {
    #[test]
    fn ping_pong_between_tasks() {
        let rt = rt();
        rt.block_on(async {
            let ping = Arc::new(Notify::new());
            let pong = Arc::new(Notify::new());
            let (p, q) = (ping.clone(), pong.clone());
            let other = zokio::spawn(async move {
                for _ in 0..2000 {
                    p.notified().await;
                    q.notify_one();
                }
            });
            for _ in 0..2000 {
                ping.notify_one();
                pong.notified().await;
            }
            other.await.unwrap();
        });
    }

    #[test]
    fn notify_waiters_wakes_every_task() {
        let rt = rt();
        rt.block_on(async {
            let n = Arc::new(Notify::new());
            let ready = Arc::new(zokio::sync::Semaphore::new(0));
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let (n, ready) = (n.clone(), ready.clone());
                tasks.push(zokio::spawn(async move {
                    let notified = n.notified();
                    ready.add_permits(1);
                    notified.await;
                }));
            }
            ready.acquire_many(8).await.unwrap().forget();
            n.notify_waiters();
            for t in tasks {
                t.await.unwrap();
            }
        });
    }
}
