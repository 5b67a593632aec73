//! `select!`: fairness, `biased;`, `else`, preconditions, pattern
//! fall-through, many branches, dropping of the losers, and control flow in
//! handlers.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// A future that is never ready and records that it was dropped.
fn pending_with_flag() -> (impl Future<Output = ()>, Rc<Cell<bool>>) {
    let flag = Rc::new(Cell::new(false));
    let guard = DropFlag(flag.clone());
    let fut = async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    };
    (fut, flag)
}

/// A future that logs its `id` each time it is polled, is ready after
/// `pending_polls` pending polls, and wakes itself when pending.
struct Logged {
    id: usize,
    pending_polls: usize,
    log: Rc<RefCell<Vec<usize>>>,
}

impl Future for Logged {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.log.borrow_mut().push(self.id);
        if self.pending_polls == 0 {
            return Poll::Ready(self.id);
        }
        self.pending_polls -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn logged(id: usize, pending_polls: usize, log: &Rc<RefCell<Vec<usize>>>) -> Logged {
    Logged {
        id,
        pending_polls,
        log: log.clone(),
    }
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

#[zokio::test]
async fn one_branch() {
    let v = zokio::select! {
        v = async { 1 } => v + 1,
    };
    assert_eq!(v, 2);
}

#[zokio::test]
async fn first_ready_branch_wins_and_losers_are_dropped_before_the_handler() {
    let (slow, slow_dropped) = pending_with_flag();
    let (slower, slower_dropped) = pending_with_flag();
    let v = zokio::select! {
        () = slow => unreachable!("never ready"),
        v = async { ready_after(3).await; "done" } => {
            // The other futures are gone before the handler runs.
            assert!(slow_dropped.get());
            assert!(slower_dropped.get());
            v
        }
        () = slower => unreachable!("never ready"),
    };
    assert_eq!(v, "done");
}

#[zokio::test]
async fn handler_may_use_what_the_futures_borrowed() {
    let mut items = vec![1, 2, 3];
    let n = zokio::select! {
        // The future borrows `items` mutably...
        n = async { items.pop() } => {
            // ...and the handler may borrow it again.
            items.push(10);
            n
        }
    };
    assert_eq!(n, Some(3));
    assert_eq!(items, [1, 2, 10]);
}

#[zokio::test]
async fn default_order_is_fair() {
    // Four branches, always ready: over 10 000 rounds each should win about
    // 2 500 times. No branch may get less than a third of that.
    const ROUNDS: usize = 10_000;
    let mut wins = [0usize; 4];
    for _ in 0..ROUNDS {
        let i = zokio::select! {
            i = async { 0 } => i,
            i = async { 1 } => i,
            i = async { 2 } => i,
            i = async { 3 } => i,
        };
        wins[i] += 1;
    }
    let floor = ROUNDS / wins.len() / 3;
    for (i, &w) in wins.iter().enumerate() {
        assert!(
            w >= floor,
            "branch {i} won {w} of {ROUNDS} rounds: {wins:?}"
        );
    }
}

#[zokio::test]
async fn default_order_is_fair_with_some_branches_disabled() {
    // Branch 1 is disabled: the three ready branches share the wins.
    const ROUNDS: usize = 10_000;
    let mut wins = [0usize; 4];
    let enabled = [true, false, true, true];
    for _ in 0..ROUNDS {
        let i = zokio::select! {
            i = async { 0 }, if enabled[0] => i,
            i = async { 1 }, if enabled[1] => i,
            i = async { 2 }, if enabled[2] => i,
            i = async { 3 }, if enabled[3] => i,
        };
        wins[i] += 1;
    }
    assert_eq!(wins[1], 0);
    let floor = ROUNDS / 3 / 3;
    for i in [0, 2, 3] {
        assert!(
            wins[i] >= floor,
            "branch {i} won {} times: {wins:?}",
            wins[i]
        );
    }
}

#[zokio::test]
async fn default_order_varies_the_first_branch_polled() {
    // Three futures that are never ready: the first one polled must vary.
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut first = [0usize; 3];
    for _ in 0..300 {
        log.borrow_mut().clear();
        zokio::select! {
            _ = logged(0, usize::MAX, &log) => unreachable!(),
            _ = logged(1, usize::MAX, &log) => unreachable!(),
            _ = logged(2, usize::MAX, &log) => unreachable!(),
            // A fourth branch that ends the round on the second poll.
            () = ready_after(1) => {}
        }
        let polls = log.borrow();
        first[polls[0]] += 1;
        // The first poll of the task polls every enabled branch once; the
        // second stops at the branch that finishes.
        let mut first_poll = polls[..3].to_vec();
        first_poll.sort_unstable();
        assert_eq!(first_poll, [0, 1, 2], "{polls:?}");
        assert!(polls.len() <= 6, "{polls:?}");
    }
    assert!(first.iter().all(|&n| n > 30), "{first:?}");
}

#[zokio::test]
async fn biased_polls_in_source_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    for _ in 0..100 {
        log.borrow_mut().clear();
        let v = zokio::select! {
            biased;
            v = logged(0, 2, &log) => v,
            v = logged(1, 2, &log) => v,
            v = logged(2, 0, &log) => v,
        };
        assert_eq!(v, 2);
        assert_eq!(*log.borrow(), [0, 1, 2]);
    }
}

#[zokio::test]
async fn biased_first_ready_branch_always_wins() {
    for _ in 0..1_000 {
        let v = zokio::select! {
            biased;
            _ = ready_after(1) => 0,
            v = async { 1 } => v,
            v = async { 2 } => v,
        };
        assert_eq!(v, 1);
    }
}

#[zokio::test]
async fn pattern_mismatch_disables_the_branch_and_keeps_waiting() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let (never, never_dropped) = pending_with_flag();
    let v = zokio::select! {
        // Ready at once, but with `None`: disabled, not chosen.
        Some(v) = async { log.borrow_mut().push("none"); None::<u32> } => v,
        v = async { ready_after(2).await; 5 } => v,
        () = never => unreachable!(),
    };
    assert_eq!(v, 5);
    assert!(never_dropped.get());
    // The mismatching future finished once and was never polled again.
    assert_eq!(*log.borrow(), ["none"]);
}

#[zokio::test]
async fn pattern_with_bindings_literals_and_alternatives() {
    for _ in 0..100 {
        let v = zokio::select! {
            Ok(0 | 1) = async { Ok::<u32, ()>(7) } => "never: 7 is not 0 or 1",
            Err(ref msg) = async { Err::<u32, String>("boom".to_owned()) } => {
                // `ref` works in the handler's pattern.
                let msg: &String = msg;
                assert_eq!(msg, "boom");
                "err"
            }
            (a, mut b) = async { ready_after(1).await; (1, 2) } => {
                b += a;
                assert_eq!(b, 3);
                "tuple"
            }
        };
        // The `Err` branch is ready at once and matches; the tuple branch
        // needs a second poll, so the `Err` branch wins every time.
        assert_eq!(v, "err");
    }
}

#[zokio::test]
async fn pattern_may_name_a_unit_variant_or_literal() {
    for _ in 0..100 {
        let v = zokio::select! {
            // `None` is a pattern to test, not a binding.
            None = async { Some(1) } => "None matched Some",
            Some(0) = async { Some(5_u32) } => "0 matched 5",
            x = async { ready_after(1).await; 9 } => if x == 9 { "fell through" } else { "?" },
        };
        assert_eq!(v, "fell through");
    }
}

#[zokio::test]
async fn else_runs_when_every_pattern_mismatches() {
    let v = zokio::select! {
        Some(v) = async { None::<u32> } => v,
        Ok(v) = async { ready_after(1).await; Err::<u32, ()>(()) } => v,
        else => 99,
    };
    assert_eq!(v, 99);
}

#[zokio::test]
async fn false_precondition_disables_the_branch_without_polling_it() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let evaluated = Cell::new(0);
    let v = zokio::select! {
        v = { evaluated.set(evaluated.get() + 1); logged(0, 0, &log) }, if false => v,
        v = logged(1, 1, &log) => v,
    };
    assert_eq!(v, 1);
    // The future expression was evaluated, but the future never polled.
    assert_eq!(evaluated.get(), 1);
    assert!(!log.borrow().contains(&0), "{:?}", log.borrow());
}

#[zokio::test]
async fn preconditions_are_evaluated_before_the_futures() {
    let order = RefCell::new(Vec::new());
    let v = zokio::select! {
        v = { order.borrow_mut().push("future 0"); async { 0 } },
            if { order.borrow_mut().push("condition 0"); true } => v,
        v = { order.borrow_mut().push("future 1"); async { 1 } },
            if { order.borrow_mut().push("condition 1"); false } => v,
    };
    assert_eq!(v, 0);
    assert_eq!(
        *order.borrow(),
        ["condition 0", "condition 1", "future 0", "future 1"]
    );
}

#[zokio::test]
async fn else_runs_when_all_preconditions_are_false() {
    let polled = Cell::new(false);
    let v = zokio::select! {
        _ = async { polled.set(true); } , if false => 1,
        _ = async { polled.set(true); } , if 1 > 2 => 2,
        else => 3,
    };
    assert_eq!(v, 3);
    assert!(!polled.get());
}

#[zokio::test]
#[should_panic(expected = "all branches of `select!` are disabled and there is no `else` branch")]
async fn all_disabled_without_else_panics() {
    zokio::select! {
        Some(v) = async { None::<u32> } => { let _ = v; }
        _ = async {}, if false => {}
    }
}

#[zokio::test]
async fn precondition_loop_ends_in_else() {
    let mut count = 0;
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 10, "the loop did not end");
        count = zokio::select! {
            n = async { count + 1 }, if count < 3 => n,
            else => break,
        };
    }
    assert_eq!(count, 3);
    assert_eq!(rounds, 4);
}

#[zokio::test]
async fn break_and_continue_in_handlers_apply_to_the_enclosing_loop() {
    let mut seen = Vec::new();
    let mut i = 0;
    while i < 100 {
        i += 1;
        zokio::select! {
            biased;
            v = async { i }, if i % 2 == 0 => {
                if v == 6 {
                    break;
                }
                seen.push(v);
                continue;
            }
            v = async { i } => seen.push(v * 100),
        }
        seen.push(0);
    }
    assert_eq!(seen, [100, 0, 2, 300, 0, 4, 500, 0]);
}

#[zokio::test]
async fn labeled_break_out_of_nested_loops() {
    let mut rounds = 0;
    'outer: for _ in 0..10 {
        for _ in 0..10 {
            rounds += 1;
            zokio::select! {
                _ = async {}, if rounds == 3 => break 'outer,
                _ = async {} => {}
                else => {}
            }
        }
    }
    // The second branch may win while the first is enabled, but only the
    // first breaks out, so rounds is 3 whenever it wins at round 3; else the
    // nested loops run to completion.
    assert!(rounds == 3 || rounds == 100, "{rounds}");
}

async fn first_even(values: Vec<u32>) -> Option<u32> {
    for v in values {
        zokio::select! {
            biased;
            v = async { v }, if v % 2 == 0 => return Some(v),
            _ = async {} => {}
        }
    }
    None
}

#[zokio::test]
async fn return_in_a_handler_returns_from_the_async_fn() {
    assert_eq!(first_even(vec![1, 3, 4, 6]).await, Some(4));
    assert_eq!(first_even(vec![1, 3]).await, None);
}

#[zokio::test]
async fn return_in_a_handler_returns_from_the_async_block() {
    let block = async {
        let v = zokio::select! {
            biased;
            v = async { 5 } => return v * 2,
            v = async { 6 } => v,
        };
        v + 1_000
    };
    assert_eq!(block.await, 10);
}

async fn parse_both(a: &str, b: &str) -> Result<u32, std::num::ParseIntError> {
    let x = zokio::select! {
        r = async { a.parse::<u32>() } => r?,
    };
    let y = zokio::select! {
        r = async { b.parse::<u32>() } => { let y = r?; y * 10 }
    };
    Ok(x + y)
}

#[zokio::test]
async fn question_mark_in_a_handler() {
    assert_eq!(parse_both("1", "2").await, Ok(21));
    assert!(parse_both("1", "x").await.is_err());
    assert!(parse_both("x", "2").await.is_err());
}

#[zokio::test]
async fn await_in_future_expressions_handlers_and_preconditions() {
    async fn yes() -> bool {
        zokio::task::yield_now().await;
        true
    }
    let v = zokio::select! {
        v = async { 1 }, if yes().await => {
            zokio::task::yield_now().await;
            v + async { 1 }.await
        }
    };
    assert_eq!(v, 2);
}

#[zokio::test]
async fn select_on_a_pinned_future_by_reference_keeps_it_across_rounds() {
    let job = ready_after(20);
    zokio::pin!(job);
    let mut ticks = 0;
    loop {
        zokio::select! {
            biased;
            () = &mut job => break,
            () = zokio::task::yield_now() => ticks += 1,
        }
        assert!(ticks < 1_000, "the pinned future never finished");
    }
    // The pinned future made progress on every round: it was not recreated.
    assert!(ticks <= 20, "{ticks}");
}

#[zokio::test]
async fn accepts_into_future_values() {
    struct Seven;
    impl std::future::IntoFuture for Seven {
        type Output = u32;
        type IntoFuture = std::future::Ready<u32>;
        fn into_future(self) -> Self::IntoFuture {
            std::future::ready(7)
        }
    }
    let v = zokio::select! { v = Seven => v };
    assert_eq!(v, 7);
}

#[zokio::test]
async fn join_handles_of_spawned_tasks() {
    let a = zokio::spawn(async {
        for _ in 0..5 {
            zokio::task::yield_now().await;
        }
        "a"
    });
    let b = zokio::spawn(async { "b" });
    // Whichever finishes first, both handles resolve; select on both twice.
    zokio::pin!(a, b);
    let mut got = Vec::new();
    for _ in 0..2 {
        zokio::select! {
            r = &mut a, if !got.contains(&"a") => got.push(r.unwrap()),
            r = &mut b, if !got.contains(&"b") => got.push(r.unwrap()),
        }
    }
    got.sort_unstable();
    assert_eq!(got, ["a", "b"]);
}

#[test]
fn works_in_a_plain_async_block_on_a_runtime() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let v = rt.block_on(async {
        zokio::select! {
            v = zokio::spawn(async { 3 }) => v.unwrap(),
        }
    });
    assert_eq!(v, 3);
}

/// Expands to a `select!` with one branch per listed index; only the branch
/// whose index equals `$target` is enabled.
macro_rules! select_by_index {
    ($target:expr; $($i:literal)*) => {
        zokio::select! {
            $( v = async { $i }, if $i == $target => v, )*
        }
    };
}

#[zokio::test]
async fn sixty_four_branches() {
    for target in [0, 1, 31, 32, 62, 63] {
        let v: u32 = select_by_index!(target;
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
            31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58
            59 60 61 62 63
        );
        assert_eq!(v, target);
    }
}

#[zokio::test]
async fn more_than_sixty_four_branches() {
    for target in [0, 64, 99] {
        let v: u32 = select_by_index!(target;
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
            31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58
            59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86
            87 88 89 90 91 92 93 94 95 96 97 98 99
        );
        assert_eq!(v, target);
    }
}

#[zokio::test]
async fn sixty_four_ready_branches_are_all_chosen_sometimes() {
    // All 64 enabled and ready: with random order each should win some of
    // 10 000 rounds (fair share 156; require a third of it).
    let mut wins = [0usize; 64];
    for _ in 0..10_000 {
        let i: usize = zokio::select! {
            v = async { 0 } => v, v = async { 1 } => v, v = async { 2 } => v,
            v = async { 3 } => v, v = async { 4 } => v, v = async { 5 } => v,
            v = async { 6 } => v, v = async { 7 } => v, v = async { 8 } => v,
            v = async { 9 } => v, v = async { 10 } => v, v = async { 11 } => v,
            v = async { 12 } => v, v = async { 13 } => v, v = async { 14 } => v,
            v = async { 15 } => v, v = async { 16 } => v, v = async { 17 } => v,
            v = async { 18 } => v, v = async { 19 } => v, v = async { 20 } => v,
            v = async { 21 } => v, v = async { 22 } => v, v = async { 23 } => v,
            v = async { 24 } => v, v = async { 25 } => v, v = async { 26 } => v,
            v = async { 27 } => v, v = async { 28 } => v, v = async { 29 } => v,
            v = async { 30 } => v, v = async { 31 } => v, v = async { 32 } => v,
            v = async { 33 } => v, v = async { 34 } => v, v = async { 35 } => v,
            v = async { 36 } => v, v = async { 37 } => v, v = async { 38 } => v,
            v = async { 39 } => v, v = async { 40 } => v, v = async { 41 } => v,
            v = async { 42 } => v, v = async { 43 } => v, v = async { 44 } => v,
            v = async { 45 } => v, v = async { 46 } => v, v = async { 47 } => v,
            v = async { 48 } => v, v = async { 49 } => v, v = async { 50 } => v,
            v = async { 51 } => v, v = async { 52 } => v, v = async { 53 } => v,
            v = async { 54 } => v, v = async { 55 } => v, v = async { 56 } => v,
            v = async { 57 } => v, v = async { 58 } => v, v = async { 59 } => v,
            v = async { 60 } => v, v = async { 61 } => v, v = async { 62 } => v,
            v = async { 63 } => v,
        };
        wins[i] += 1;
    }
    let floor = 10_000 / 64 / 3;
    for (i, &w) in wins.iter().enumerate() {
        assert!(w >= floor, "branch {i} won {w} times");
    }
}

#[zokio::test]
async fn renamed_crate_works() {
    use zokio as other_name;
    let v = other_name::select! {
        v = async { 1 } => v,
    };
    assert_eq!(v, 1);
}

#[zokio::test]
async fn local_names_do_not_clash_with_the_expansion() {
    // Names the expansion uses internally; user code must see its own.
    let disabled = 1;
    let output = 2;
    let fut0 = async { 3 };
    let cx = 4;
    let value = 5;
    let v = zokio::select! {
        v = fut0 => v + disabled + output + cx + value,
    };
    assert_eq!(v, 15);
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_in_a_spawned_task_is_send() {
    // `spawn` needs a `Send` future: the expansion's state across the
    // `.await` (pinned futures, the disabled set) must not spoil that.
    let task = zokio::spawn(async {
        let mut wins = 0;
        for round in 0..100_u32 {
            wins += zokio::select! {
                v = async move { round % 2 }, if round > 0 => v,
                () = zokio::task::yield_now() => 0,
                else => 0,
            };
        }
        wins
    });
    assert!(task.await.unwrap() <= 50);
}

#[test]
fn select_loop_over_ready_branches_yields_to_other_tasks() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::sync::Arc;
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let spinner = zokio::spawn(async move {
            let mut rounds = 0u64;
            while !f.load(SeqCst) {
                // Once the budget is spent, the first branch is Pending but
                // the second is always ready: only select!'s own budget check
                // makes the task yield.
                zokio::select! {
                    biased;
                    _ = zokio::task::consume_budget() => {}
                    _ = std::future::ready(()) => {}
                }
                rounds += 1;
                assert!(rounds < 10_000_000, "select! never yielded");
            }
        });
        let setter = zokio::spawn(async move { flag.store(true, SeqCst) });
        setter.await.unwrap();
        spinner.await.unwrap();
    });
}
