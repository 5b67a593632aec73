//! `interval` under each `MissedTickBehavior`, on a paused clock, and its
//! resets.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};
use zokio::time::{self, interval, interval_at, Duration, Instant, MissedTickBehavior};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Ticks of `i` that are ready right now, without waiting.
fn ready_ticks(i: &mut time::Interval) -> Vec<Instant> {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut out = Vec::new();
    for _ in 0..100 {
        match i.poll_tick(&mut cx) {
            Poll::Ready(t) => out.push(t),
            Poll::Pending => return out,
        }
    }
    panic!("an interval kept ticking without waiting");
}

#[zokio::test(start_paused = true)]
async fn first_tick_is_immediate_then_every_period() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    assert_eq!(i.period(), ms(10));
    assert_eq!(i.missed_tick_behavior(), MissedTickBehavior::Burst);
    assert_eq!(i.tick().await, start);
    assert_eq!(i.tick().await, start + ms(10));
    assert_eq!(Instant::now(), start + ms(10));
    assert_eq!(i.tick().await, start + ms(20));
}

#[zokio::test(start_paused = true)]
async fn burst_catches_up_then_keeps_the_schedule() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    i.tick().await;
    // Miss three and a half periods.
    time::advance(ms(35)).await;
    let ticks = ready_ticks(&mut i);
    assert_eq!(ticks, vec![start + ms(10), start + ms(20), start + ms(30)]);
    assert_eq!(i.tick().await, start + ms(40));
    assert_eq!(Instant::now(), start + ms(40));
}

#[zokio::test(start_paused = true)]
async fn delay_shifts_the_schedule() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    i.set_missed_tick_behavior(MissedTickBehavior::Delay);
    i.tick().await;
    time::advance(ms(35)).await;
    assert_eq!(ready_ticks(&mut i), vec![start + ms(10)]);
    // Next tick one period after the late one was taken (at 35 ms).
    assert_eq!(i.tick().await, start + ms(45));
    assert_eq!(i.tick().await, start + ms(55));
}

#[zokio::test(start_paused = true)]
async fn skip_keeps_the_grid_and_drops_missed_ticks() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    i.set_missed_tick_behavior(MissedTickBehavior::Skip);
    i.tick().await;
    time::advance(ms(35)).await;
    assert_eq!(ready_ticks(&mut i), vec![start + ms(10)]);
    assert_eq!(i.tick().await, start + ms(40));
    assert_eq!(i.tick().await, start + ms(50));
}

#[zokio::test(start_paused = true)]
async fn small_lateness_is_not_a_missed_tick() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    i.set_missed_tick_behavior(MissedTickBehavior::Delay);
    i.tick().await;
    time::advance(ms(13)).await; // 3 ms late: within the 5 ms grace
    assert_eq!(ready_ticks(&mut i), vec![start + ms(10)]);
    assert_eq!(i.tick().await, start + ms(20));
}

#[zokio::test(start_paused = true)]
async fn resets() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    i.tick().await;
    time::advance(ms(3)).await;
    i.reset();
    assert_eq!(i.tick().await, start + ms(13));
    i.reset_immediately();
    assert_eq!(i.tick().await, start + ms(13));
    i.reset_after(ms(7));
    assert_eq!(i.tick().await, start + ms(20));
    i.reset_at(start + ms(100));
    assert_eq!(i.tick().await, start + ms(100));
    assert_eq!(i.tick().await, start + ms(110));
}

#[zokio::test(start_paused = true)]
async fn interval_at_starts_later() {
    let start = Instant::now();
    let mut i = interval_at(start + ms(50), ms(5));
    assert_eq!(i.tick().await, start + ms(50));
    assert_eq!(i.tick().await, start + ms(55));
}

#[zokio::test(start_paused = true)]
async fn tick_is_cancel_safe() {
    let start = Instant::now();
    let mut i = interval(ms(10));
    i.tick().await;
    {
        let mut t = pin!(i.tick());
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(t.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(i.tick().await, start + ms(10));
}

#[test]
#[should_panic(expected = "`period` must be non-zero")]
fn zero_period_panics() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = interval(Duration::ZERO);
    });
}

#[test]
#[should_panic(expected = "`period` must be non-zero")]
fn zero_period_interval_at_panics() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = interval_at(Instant::now(), Duration::ZERO);
    });
}

#[test]
fn real_clock_interval_on_multi_thread() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let mut i = interval(ms(3));
        for _ in 0..5 {
            i.tick().await;
        }
        assert!(start.elapsed() >= ms(12));
    });
}
