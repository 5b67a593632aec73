//! `join!` and `try_join!`: output order, concurrency in one task,
//! short-circuiting, and when futures are dropped.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn flag() -> (DropFlag, Rc<Cell<bool>>) {
    let flag = Rc::new(Cell::new(false));
    (DropFlag(flag.clone()), flag)
}

/// Pending the first `n` times it is polled (waking itself), then ready.
async fn ready_after(n: usize) {
    let mut left = n;
    poll_fn(|cx| {
        if left == 0 {
            return Poll::Ready(());
        }
        left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// Logs `(id, step)` at each of `steps` steps, yielding between them.
async fn stepper(id: u32, steps: u32, log: &RefCell<Vec<(u32, u32)>>) -> u32 {
    for step in 0..steps {
        log.borrow_mut().push((id, step));
        ready_after(1).await;
    }
    id
}

#[zokio::test]
async fn outputs_come_back_in_source_order() {
    let (a, b, c) = zokio::join!(
        async {
            ready_after(5).await;
            "a"
        },
        async { 2_u8 },
        async {
            ready_after(1).await;
            'c'
        },
    );
    assert_eq!((a, b, c), ("a", 2, 'c'));
}

#[zokio::test]
async fn single_future_gives_a_one_tuple() {
    let (v,) = zokio::join!(async { 1 });
    assert_eq!(v, 1);
    let one: (u32,) = zokio::join!(async { 7 });
    assert_eq!(one, (7,));
}

#[zokio::test]
async fn empty_join_is_unit_and_empty_try_join_is_ok() {
    let () = zokio::join!();
    let r: Result<(), String> = zokio::try_join!();
    assert_eq!(r, Ok(()));
}

#[zokio::test]
async fn futures_run_interleaved_in_one_task() {
    let log = RefCell::new(Vec::new());
    let thread = std::thread::current().id();
    let (a, b) = zokio::join!(stepper(1, 3, &log), async {
        // Polled on the calling task's thread: no new task was spawned.
        assert_eq!(std::thread::current().id(), thread);
        stepper(2, 3, &log).await
    });
    assert_eq!((a, b), (1, 2));
    let log = log.into_inner();
    assert_eq!(log.len(), 6);
    // Both had started before either finished.
    let first_of_2 = log.iter().position(|&e| e == (2, 0)).unwrap();
    let last_of_1 = log.iter().position(|&e| e == (1, 2)).unwrap();
    assert!(first_of_2 < last_of_1, "{log:?}");
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn futures_are_polled_by_the_calling_task() {
    let ids = zokio::spawn(async {
        let outer = zokio::task::id();
        let (a, b, c) = zokio::join!(
            async { zokio::task::id() },
            async {
                zokio::task::yield_now().await;
                zokio::task::id()
            },
            async {
                ready_after(3).await;
                zokio::task::id()
            },
        );
        (outer, [a, b, c])
    })
    .await
    .unwrap();
    assert_eq!(ids.1, [ids.0; 3]);
}

#[zokio::test]
async fn each_future_is_dropped_as_soon_as_it_finishes() {
    let (guard_a, a_dropped) = flag();
    let seen = Cell::new(false);
    let ((), ()) = zokio::join!(
        async move {
            let _guard = guard_a;
        },
        async {
            ready_after(3).await;
            // The first future finished on the first poll and is gone.
            seen.set(a_dropped.get());
        },
    );
    assert!(seen.get());
}

#[zokio::test]
async fn finished_futures_are_not_polled_again() {
    let polls = Cell::new(0);
    let counted = poll_fn(|_| {
        polls.set(polls.get() + 1);
        Poll::Ready(())
    });
    let ((), ()) = zokio::join!(counted, ready_after(10));
    assert_eq!(polls.get(), 1);
}

#[zokio::test]
async fn first_future_polled_rotates_unless_biased() {
    let log = RefCell::new(Vec::new());
    let record = |id: u32| {
        let log = &log;
        poll_fn(move |cx| {
            log.borrow_mut().push(id);
            if log.borrow().len() >= 9 {
                return Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    };
    zokio::join!(record(0), record(1), record(2));
    let rotated = log.replace(Vec::new());
    // Poll 1 starts at 0, poll 2 at 1, poll 3 at 2 (finished futures are
    // skipped).
    assert_eq!(rotated[..6], [0, 1, 2, 1, 2, 0], "{rotated:?}");

    zokio::join!(biased; record(0), record(1), record(2));
    let in_order = log.replace(Vec::new());
    assert_eq!(in_order[..6], [0, 1, 2, 0, 1, 2], "{in_order:?}");
}

#[zokio::test]
async fn accepts_into_future_values_and_references() {
    struct Five;
    impl std::future::IntoFuture for Five {
        type Output = u32;
        type IntoFuture = std::future::Ready<u32>;
        fn into_future(self) -> Self::IntoFuture {
            std::future::ready(5)
        }
    }
    let fut = ready_after(2);
    zokio::pin!(fut);
    let (five, ()) = zokio::join!(Five, &mut fut);
    assert_eq!(five, 5);
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_handles_in_parallel() {
    let (a, b) = zokio::join!(zokio::spawn(async { 1 }), zokio::spawn(async { 2 }));
    assert_eq!((a.unwrap(), b.unwrap()), (1, 2));
}

#[zokio::test]
async fn try_join_all_ok() {
    let r: Result<(u32, &str), String> = zokio::try_join!(
        async {
            ready_after(2).await;
            Ok(1)
        },
        async { Ok("two") },
    );
    assert_eq!(r, Ok((1, "two")));
}

#[zokio::test]
async fn try_join_returns_the_first_err_and_drops_the_rest() {
    let (guard_slow, slow_dropped) = flag();
    let (guard_never, never_dropped) = flag();
    let slow_finished = Cell::new(false);
    let r: Result<(u32, u32, ()), &str> = zokio::try_join!(
        async {
            let _guard = guard_slow;
            ready_after(100).await;
            slow_finished.set(true);
            Ok(1)
        },
        async {
            ready_after(3).await;
            Err("failed")
        },
        async move {
            let _guard = guard_never;
            std::future::pending::<Result<(), &str>>().await
        },
    );
    assert_eq!(r, Err("failed"));
    assert!(slow_dropped.get());
    assert!(never_dropped.get());
    assert!(!slow_finished.get());
}

#[zokio::test]
async fn try_join_err_of_an_already_ok_mix() {
    // One future finished with `Ok` before another fails: still `Err`.
    let r: Result<(u32, u32), u8> = zokio::try_join!(async { Ok(1) }, async {
        ready_after(2).await;
        Err(7)
    });
    assert_eq!(r, Err(7));
}

#[zokio::test]
async fn try_join_stops_polling_after_the_err() {
    let polls_after = Cell::new(0);
    let err_sent = Cell::new(false);
    let r: Result<((), ()), ()> = zokio::try_join!(
        biased;
        async {
            err_sent.set(true);
            Err(())
        },
        poll_fn(|cx| {
            if err_sent.get() {
                polls_after.set(polls_after.get() + 1);
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        }),
    );
    assert_eq!(r, Err(()));
    assert_eq!(polls_after.get(), 0);
}

#[zokio::test]
async fn try_join_infers_the_error_type_across_futures() {
    // The first future names no error type; it comes from the second.
    let r = zokio::try_join!(async { Ok(1_u8) }, async { Err::<u8, _>("bad") });
    assert_eq!(r, Err("bad"));
}

async fn both(a: &str, b: &str) -> Result<(u32, u32), std::num::ParseIntError> {
    zokio::try_join!(async { a.parse::<u32>() }, async { b.parse::<u32>() })
}

#[zokio::test]
async fn try_join_with_question_mark() {
    async fn sum(a: &str, b: &str) -> Result<u32, std::num::ParseIntError> {
        let (x, y) = both(a, b).await?;
        Ok(x + y)
    }
    assert_eq!(sum("2", "3").await, Ok(5));
    assert!(sum("2", "x").await.is_err());
}

#[zokio::test]
async fn renamed_crate_works() {
    use zokio as other_name;
    let (a, b) = other_name::join!(async { 1 }, async { 2 });
    assert_eq!(a + b, 3);
    let r: Result<(u32,), ()> = other_name::try_join!(async { Ok(3) });
    assert_eq!(r, Ok((3,)));
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_join_in_a_spawned_task_is_send() {
    let task = zokio::spawn(async {
        zokio::try_join!(async { Ok::<_, String>(1) }, async {
            zokio::task::yield_now().await;
            Ok(2)
        })
    });
    assert_eq!(task.await.unwrap(), Ok((1, 2)));
}
