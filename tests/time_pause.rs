//! The paused clock: `pause`, `resume`, `advance`, auto-advance and
//! `start_paused`.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Context;
use zokio::time::{self, sleep, Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn current_thread() -> zokio::runtime::Runtime {
    zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn panic_message(err: Box<dyn std::any::Any + Send>) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[zokio::test(start_paused = true)]
async fn instant_now_stands_still_while_paused() {
    let a = Instant::now();
    std::thread::sleep(ms(5));
    assert_eq!(Instant::now(), a);
}

#[zokio::test(start_paused = true)]
async fn auto_advance_jumps_to_the_next_timer() {
    let start = Instant::now();
    let real = std::time::Instant::now();
    sleep(Duration::from_secs(86400)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(86400));
    sleep(ms(1)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(86400) + ms(1));
    assert!(real.elapsed() < Duration::from_secs(5));
}

#[zokio::test(start_paused = true)]
async fn no_auto_advance_while_tasks_run() {
    // A task that keeps yielding is work: time must not jump under it.
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let start = Instant::now();
    let spinner = zokio::spawn(async move {
        let mut n = 0u32;
        while !s.load(SeqCst) && n < 10_000 {
            assert_eq!(
                Instant::now(),
                start,
                "time advanced while a task was runnable"
            );
            zokio::task::yield_now().await;
            n += 1;
        }
    });
    zokio::task::yield_now().await;
    zokio::task::yield_now().await;
    stop.store(true, SeqCst);
    spinner.await.unwrap();
}

#[zokio::test(start_paused = true)]
async fn no_auto_advance_while_a_blocking_task_runs() {
    // The blocking task takes 50 ms of real time; a paused clock must not
    // jump over the 1 s timeout while the runtime waits for it.
    for _ in 0..20 {
        let start = Instant::now();
        let res = time::timeout(
            Duration::from_secs(1),
            zokio::task::spawn_blocking(|| std::thread::sleep(ms(50))),
        )
        .await;
        assert!(
            res.is_ok(),
            "the timeout fired under a running blocking task"
        );
        assert_eq!(Instant::now(), start, "time moved while it was held");
    }
    // Held only while the task is in flight: afterwards time jumps again.
    let start = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
}

#[test]
fn a_queued_blocking_task_holds_auto_advance_too() {
    // One blocking thread: the second task waits in the queue behind the
    // first, and the clock holds for it as well.
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .max_blocking_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let first = zokio::task::spawn_blocking(|| std::thread::sleep(ms(30)));
        let second = zokio::task::spawn_blocking(|| std::thread::sleep(ms(30)));
        let start = Instant::now();
        let res = time::timeout(Duration::from_secs(1), async {
            let _ = first.await;
            // Time may not move between the two either.
            assert_eq!(Instant::now(), start);
            second.await.unwrap();
        })
        .await;
        assert!(
            res.is_ok(),
            "the timeout fired under a queued blocking task"
        );
    });
}

#[zokio::test(start_paused = true)]
async fn advance_fires_due_timers_before_returning() {
    let start = Instant::now();
    let mut s = pin!(sleep(ms(100)));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert!(s.as_mut().poll(&mut cx).is_pending());
    time::advance(ms(99)).await;
    assert!(s.as_mut().poll(&mut cx).is_pending());
    assert!(!s.is_elapsed());
    time::advance(ms(1)).await;
    assert!(s.is_elapsed());
    assert!(s.as_mut().poll(&mut cx).is_ready());
    assert_eq!(start.elapsed(), ms(100));
}

#[zokio::test(start_paused = true)]
async fn advance_wakes_sleeping_tasks() {
    let start = Instant::now();
    let woke = zokio::spawn(async move {
        sleep(ms(30)).await;
        Instant::now()
    });
    zokio::task::yield_now().await; // let it register
    time::advance(ms(30)).await;
    assert!(woke.is_finished() || woke.await.unwrap() == start + ms(30));
}

#[test]
fn pause_resume_continues_without_a_jump() {
    current_thread().block_on(async {
        time::pause();
        let paused_at = Instant::now();
        time::advance(ms(500)).await;
        assert_eq!(Instant::now(), paused_at + ms(500));
        time::resume();
        let after = Instant::now();
        assert!(after >= paused_at + ms(500));
        assert!(after < paused_at + ms(500) + Duration::from_secs(5));
        // Running again: a real sleep takes real time.
        let real = std::time::Instant::now();
        sleep(ms(5)).await;
        assert!(real.elapsed() >= ms(5));
    });
}

#[test]
fn pause_twice_panics() {
    let err = std::panic::catch_unwind(|| {
        current_thread().block_on(async {
            time::pause();
            time::pause();
        })
    })
    .unwrap_err();
    assert!(panic_message(err).contains("already frozen"));
}

#[test]
fn resume_without_pause_panics() {
    let err = std::panic::catch_unwind(|| current_thread().block_on(async { time::resume() }))
        .unwrap_err();
    assert!(panic_message(err).contains("not frozen"));
}

#[test]
fn advance_without_pause_panics() {
    let err = std::panic::catch_unwind(|| {
        current_thread().block_on(async { time::advance(ms(1)).await })
    })
    .unwrap_err();
    assert!(panic_message(err).contains("not frozen"));
}

#[test]
fn pause_outside_runtime_panics() {
    let err = std::panic::catch_unwind(time::pause).unwrap_err();
    assert!(panic_message(err).contains("outside the Zokio runtime"));
}

#[test]
fn pause_on_multi_thread_panics() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { time::pause() })
    }))
    .unwrap_err();
    assert!(panic_message(err).contains("current-thread runtime"));
}

#[test]
fn start_paused_on_multi_thread_panics() {
    let err = std::panic::catch_unwind(|| {
        zokio::runtime::Builder::new_multi_thread()
            .start_paused(true)
            .enable_all()
            .build()
    })
    .unwrap_err();
    assert!(panic_message(err).contains("current-thread"));
}

#[test]
fn start_paused_builder_on_current_thread() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let real = std::time::Instant::now();
        time::timeout(Duration::from_secs(60), std::future::pending::<()>())
            .await
            .unwrap_err();
        assert_eq!(start.elapsed(), Duration::from_secs(60));
        assert!(real.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn instant_now_outside_runtime_is_real_time() {
    let a = Instant::now();
    std::thread::sleep(ms(2));
    assert!(a.elapsed() >= ms(2));
}
