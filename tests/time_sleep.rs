//! `sleep`, `sleep_until` and `Sleep` through the public API, on every
//! runtime flavour (real clock), plus the paused-clock ordering test.

#[macro_use]
mod common;

use common::wait_until;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use zokio::time::{self, sleep, sleep_until, Duration, Instant, Sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Polls `fut` once with a no-op waker.
fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(std::task::Waker::noop()))
}

rt_test! {
    #[test]
    fn sleep_waits_at_least_its_duration() {
        rt().block_on(async {
            let start = Instant::now();
            sleep(ms(20)).await;
            let took = start.elapsed();
            assert!(took >= ms(20), "woke early after {took:?}");
            assert!(took < ms(2_000), "woke very late after {took:?}");
        });
    }

    #[test]
    fn sleep_in_spawned_tasks() {
        let rt = rt();
        let done = rt.block_on(async {
            let handles: Vec<_> = (0..50u64)
                .map(|i| zokio::spawn(async move {
                    let start = Instant::now();
                    sleep(ms(1 + i % 5)).await;
                    assert!(start.elapsed() >= ms(1 + i % 5));
                    i
                }))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(done, (0..50).sum::<u64>());
    }

    #[test]
    fn zero_and_past_deadlines_fire_at_once() {
        rt().block_on(async {
            let mut zero = pin!(sleep(Duration::ZERO));
            assert!(poll_once(zero.as_mut()).is_ready());
            assert!(zero.is_elapsed());
            let past = Instant::now().checked_sub(ms(50)).unwrap_or_else(Instant::now);
            let mut past = pin!(sleep_until(past));
            assert!(poll_once(past.as_mut()).is_ready());
        });
    }

    #[test]
    fn duration_max_saturates_and_stays_pending() {
        rt().block_on(async {
            let mut forever = pin!(sleep(Duration::MAX));
            assert!(forever.deadline() > Instant::now() + Duration::from_secs(86400 * 365));
            assert!(poll_once(forever.as_mut()).is_pending());
            assert!(!forever.is_elapsed());
            // Reset far into the past and back: neither overflows.
            let far_past = Instant::now().checked_sub(Duration::from_secs(3600)).unwrap_or_else(Instant::now);
            forever.as_mut().reset(far_past);
            assert!(poll_once(forever.as_mut()).is_ready());
            let beyond = Instant::now().checked_add(Duration::MAX);
            assert!(beyond.is_none());
            let mut huge = pin!(time::timeout(Duration::MAX, std::future::pending::<()>()));
            assert!(poll_once(huge.as_mut()).is_pending());
        });
    }

    #[test]
    fn reset_pending_sleep_earlier_and_later() {
        rt().block_on(async {
            let start = Instant::now();
            let mut s = pin!(sleep(Duration::from_secs(3600)));
            assert!(poll_once(s.as_mut()).is_pending());
            s.as_mut().reset(start + ms(10));
            assert_eq!(s.deadline(), start + ms(10));
            s.as_mut().await;
            assert!(start.elapsed() >= ms(10));
            assert!(start.elapsed() < Duration::from_secs(3000));
            assert!(s.is_elapsed());
            // Later: the old (earlier) deadline must not fire it.
            let mut s2 = pin!(sleep(ms(5)));
            assert!(poll_once(s2.as_mut()).is_pending());
            let t = Instant::now();
            s2.as_mut().reset(t + ms(40));
            assert!(!s2.is_elapsed());
            s2.await;
            assert!(t.elapsed() >= ms(40));
        });
    }

    #[test]
    fn reset_wakes_the_task_that_waits() {
        // The waiting task never polls the sleep again before the reset
        // deadline: the reset keeps its waker.
        let rt = rt();
        rt.block_on(async {
            let (tx, rx) = std::sync::mpsc::channel::<Pin<Box<Sleep>>>();
            let waiter = zokio::spawn(async move {
                let mut s = Box::pin(sleep(Duration::from_secs(3600)));
                std::future::poll_fn(|cx| {
                    let _ = s.as_mut().poll(cx);
                    Poll::Ready(())
                })
                .await;
                s.as_mut().reset(Instant::now() + ms(5));
                s.as_mut().await;
                tx.send(s).unwrap();
            });
            waiter.await.unwrap();
            assert!(rx.recv().unwrap().is_elapsed());
        });
    }

    #[test]
    fn dropping_pending_sleeps_cancels_them() {
        rt().block_on(async {
            for _ in 0..1_000 {
                // Long enough that no preemption of this thread (the tests
                // of this binary share two cores) lets it expire first.
                let mut s = pin!(sleep(ms(10_000)));
                assert!(poll_once(s.as_mut()).is_pending());
            }
            // The runtime still sleeps and wakes normally afterwards.
            sleep(ms(2)).await;
        });
    }

    #[test]
    fn many_concurrent_sleeps_all_complete() {
        let rt = rt();
        let count = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let handles: Vec<_> = (0..2_000u64)
                .map(|i| {
                    let count = count.clone();
                    zokio::spawn(async move {
                        sleep(ms(1 + i % 10)).await;
                        count.fetch_add(1, SeqCst);
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(count.load(SeqCst), 2_000);
    }

    #[test]
    fn sleep_on_runtime_without_timers_names_enable_time() {
        let rt = zokio::runtime::Builder::new_current_thread().build().unwrap();
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async { drop(sleep(ms(1))) })
        }))
        .unwrap_err();
        let msg = panic_message(&err);
        assert!(msg.contains("enable_time"), "message: {msg}");
    }
}

fn panic_message(err: &Box<dyn std::any::Any + Send>) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn sleep_outside_runtime_says_so() {
    let err = std::panic::catch_unwind(|| drop(sleep(ms(1)))).unwrap_err();
    let msg = panic_message(&err);
    assert!(
        msg.contains("there is no reactor running"),
        "message: {msg}"
    );
}

#[test]
fn sleep_without_timers_multi_thread_names_enable_time() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_io()
        .build()
        .unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _g = rt.enter();
        drop(sleep(ms(1)))
    }))
    .unwrap_err();
    assert!(panic_message(&err).contains("enable_time"));
}

/// Sleeps registered on a worker complete when awaited on another thread
/// (the `block_on` thread, which is no worker), and the other way round;
/// and sleeps hop between the workers through a channel.
#[test]
fn sleeps_cross_workers_and_threads() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Worker -> block_on thread.
        let (tx, rx) = mpsc::channel::<(Pin<Box<Sleep>>, std::thread::ThreadId)>();
        for i in 0..20u64 {
            let tx = tx.clone();
            zokio::spawn(async move {
                let mut s = Box::pin(sleep(ms(2 + i % 3)));
                // Register it here, on a worker.
                assert!(poll_once(s.as_mut()).is_pending());
                tx.send((s, std::thread::current().id())).unwrap();
            });
        }
        drop(tx);
        let here = std::thread::current().id();
        let mut crossed = 0;
        while let Ok((s, registered_on)) = rx.recv_timeout(Duration::from_secs(10)) {
            assert_ne!(registered_on, here);
            let start = Instant::now();
            s.await;
            assert!(start.elapsed() < Duration::from_secs(5));
            crossed += 1;
        }
        assert_eq!(crossed, 20);

        // block_on thread -> workers, and worker -> worker via a channel.
        let (stx, srx) = zokio::sync::mpsc::unbounded_channel::<Pin<Box<Sleep>>>();
        let consumer = zokio::spawn(async move {
            let mut srx = srx;
            let mut n = 0;
            while let Some(s) = srx.recv().await {
                s.await;
                n += 1;
                assert!(n <= 20, "more sleeps than were sent");
            }
            n
        });
        let mut producers = Vec::new();
        for i in 0..10u64 {
            let stx = stx.clone();
            producers.push(zokio::spawn(async move {
                let mut s = Box::pin(sleep(ms(3 + i % 4)));
                assert!(poll_once(s.as_mut()).is_pending());
                stx.send(s).unwrap();
            }));
        }
        for i in 0..10u64 {
            let mut s = Box::pin(sleep(ms(1 + i)));
            assert!(poll_once(s.as_mut()).is_pending());
            stx.send(s).unwrap();
        }
        for p in producers {
            p.await.unwrap();
        }
        drop(stx);
        assert_eq!(consumer.await.unwrap(), 20);
    });
}

/// A timer registered from a thread outside the runtime wakes the parked
/// driver (it is earlier than the timer the driver sleeps on).
#[test]
fn earlier_timer_from_another_thread_wakes_parked_driver() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The driver sleeps on a one-hour timer.
    let _long = rt.spawn(async { sleep(Duration::from_secs(3600)).await });
    std::thread::sleep(ms(20));
    let handle = rt.handle().clone();
    let start = std::time::Instant::now();
    let fired = Arc::new(AtomicUsize::new(0));
    let f = fired.clone();
    std::thread::spawn(move || {
        let _g = handle.enter();
        let s = sleep(ms(10));
        handle.spawn(async move {
            s.await;
            f.fetch_add(1, SeqCst);
        });
    })
    .join()
    .unwrap();
    wait_until(Duration::from_secs(5), || fired.load(SeqCst) == 1);
    assert!(start.elapsed() < Duration::from_secs(2));
}

/// 10 000 timers with random deadlines fire in deadline order on a paused
/// clock, each exactly at its deadline.
#[zokio::test(start_paused = true)]
async fn ten_thousand_random_timers_fire_in_order() {
    let start = Instant::now();
    let order = Arc::new(std::sync::Mutex::new(Vec::with_capacity(10_000)));
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut handles = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let after = Duration::from_micros(seed % 10_000_000);
        let order = order.clone();
        handles.push(zokio::spawn(async move {
            sleep_until(start + after).await;
            let now = Instant::now();
            assert!(now >= start + after, "fired before its deadline");
            order.lock().unwrap().push((after, now));
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let order = order.lock().unwrap();
    assert_eq!(order.len(), 10_000);
    for w in order.windows(2) {
        // Firing order follows deadlines at the wheel's 1 ms resolution,
        // and the (paused) time of firing never goes back.
        assert!(w[0].1 <= w[1].1, "time went backwards");
        let tick = |d: Duration| d.as_nanos().div_ceil(1_000_000);
        assert!(
            tick(w[0].0) <= tick(w[1].0),
            "{:?} fired before {:?}",
            w[1].0,
            w[0].0
        );
    }
    // Auto-advance moved the clock to the last deadline, no further than a tick.
    let last = order.iter().map(|e| e.0).max().unwrap();
    assert!(start.elapsed() >= last && start.elapsed() <= last + ms(1));
}
