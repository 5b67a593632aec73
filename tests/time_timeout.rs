//! `timeout` and `timeout_at` through the public API.

#[macro_use]
mod common;

use common::drop_flag;
use std::future::{pending, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll};
use zokio::time::{self, error::Elapsed, timeout, timeout_at, Duration, Instant};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

rt_test! {
    #[test]
    fn timeout_fires_and_drops_the_inner_future() {
        rt().block_on(async {
            let (dropped, guard) = drop_flag();
            let inner = async move {
                let _guard = guard;
                pending::<()>().await
            };
            let start = Instant::now();
            let res = timeout(ms(10), inner).await;
            let _: Elapsed = res.unwrap_err();
            assert!(start.elapsed() >= ms(10));
            assert!(dropped.load(SeqCst), "the timed-out future was not dropped");
        });
    }

    #[test]
    fn ready_future_wins_even_with_zero_duration() {
        rt().block_on(async {
            assert_eq!(timeout(Duration::ZERO, async { 5 }).await, Ok(5));
            let past = Instant::now().checked_sub(ms(10)).unwrap_or_else(Instant::now);
            assert_eq!(timeout_at(past, std::future::ready("x")).await, Ok("x"));
        });
    }

    #[test]
    fn completes_before_deadline() {
        rt().block_on(async {
            let res = timeout(Duration::from_secs(10), async {
                time::sleep(ms(2)).await;
                9
            })
            .await;
            assert_eq!(res, Ok(9));
        });
    }

    #[test]
    fn timeout_at_deadline() {
        rt().block_on(async {
            let deadline = Instant::now() + ms(5);
            let res = timeout_at(deadline, pending::<()>()).await;
            assert!(res.is_err());
            assert!(Instant::now() >= deadline);
        });
    }

    #[test]
    fn churn_of_ready_timeouts() {
        rt().block_on(async {
            for i in 0..10_000u32 {
                assert_eq!(timeout(Duration::from_secs(1), async move { i }).await, Ok(i));
            }
        });
    }

    #[test]
    fn budget_hog_still_times_out() {
        // A future that wakes itself and spends the whole budget every poll.
        struct Hog;
        impl Future for Hog {
            type Output = ();
            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
                for _ in 0..200 {
                    let mut t = pin!(zokio::task::consume_budget());
                    if t.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
        rt().block_on(async {
            let start = Instant::now();
            assert!(timeout(ms(5), Hog).await.is_err());
            assert!(start.elapsed() < Duration::from_secs(10));
        });
    }
}

#[test]
fn accessors_and_into_inner() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut t = timeout(ms(1), std::future::ready(3));
        assert!(format!("{:?}", t.get_ref()).contains("Ready"));
        assert!(format!("{:?}", t.get_mut()).contains("Ready"));
        assert_eq!(t.into_inner().await, 3);
    });
}

#[test]
fn elapsed_error_converts_to_io_timed_out() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt.block_on(async { timeout(ms(1), pending::<()>()).await.unwrap_err() });
    assert_eq!(err.to_string(), "deadline has elapsed");
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
}

#[zokio::test(start_paused = true)]
async fn paused_timeout_of_an_hour_is_instant() {
    let start = Instant::now();
    let real = std::time::Instant::now();
    let res = timeout(Duration::from_secs(3600), pending::<()>()).await;
    assert!(res.is_err());
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert!(real.elapsed() < Duration::from_secs(5));
}
