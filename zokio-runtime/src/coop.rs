//! Cooperative scheduling: a budget of resource operations per task poll.
//!
//! Every task poll runs under a budget of [`INITIAL_BUDGET`] units. Each
//! resource operation that could make progress (a channel receive, a socket
//! read, a timer check) first calls [`poll_proceed`]; once the budget is spent,
//! the operation wakes its task and returns `Pending` even if it could have
//! completed, so the task yields back to the scheduler and the others run. A
//! task that loops on an always-ready resource therefore cannot starve its
//! worker.
//!
//! The budget lives in the thread-local context. Outside a task poll there is
//! no budget (unconstrained), so code driven by a foreign executor never sees
//! a spurious `Pending` from us.

use crate::context;
use std::task::{Context, Poll};

/// Units of work a task may perform in one poll before it is forced to yield.
pub(crate) const INITIAL_BUDGET: u8 = 128;

/// The remaining units, or `None` when unconstrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget(Option<u8>);

impl Budget {
    /// A fresh budget for one task poll.
    pub(crate) const fn initial() -> Budget {
        Budget(Some(INITIAL_BUDGET))
    }

    /// No limit at all.
    pub(crate) const fn unconstrained() -> Budget {
        Budget(None)
    }

    fn is_exhausted(self) -> bool {
        self.0 == Some(0)
    }
}

/// Runs `f` with a fresh budget, restoring the previous one afterwards.
#[inline]
pub(crate) fn budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::initial(), f)
}

/// Runs `f` with no budget, restoring the previous one afterwards.
#[inline]
pub(crate) fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::unconstrained(), f)
}

#[inline]
fn with_budget<R>(budget: Budget, f: impl FnOnce() -> R) -> R {
    struct ResetGuard(Budget);
    impl Drop for ResetGuard {
        fn drop(&mut self) {
            context::set_budget(self.0);
        }
    }
    let _reset = ResetGuard(context::replace_budget(budget));
    f()
}

/// Whether the current task still has budget left.
pub(crate) fn has_budget_remaining() -> bool {
    !context::budget().is_exhausted()
}

/// Takes one unit of budget, or (when none is left) wakes the task and
/// returns `Pending` so that it yields.
///
/// The returned guard gives the unit back when dropped, unless the caller
/// calls [`RestoreOnPending::made_progress`]: an operation that ends up
/// `Pending` for its own reasons did no work and should not be charged.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    // One thread-local access for the read and the write.
    let taken = context::with_budget_cell(|cell| {
        let Some(cell) = cell else {
            return Some(Budget::unconstrained());
        };
        let before = cell.get();
        match before.0 {
            None => Some(before),
            Some(0) => None,
            Some(n) => {
                cell.set(Budget(Some(n - 1)));
                Some(before)
            }
        }
    });
    match taken {
        Some(Budget(None)) => Poll::Ready(RestoreOnPending(None)),
        Some(before) => Poll::Ready(RestoreOnPending(Some(before))),
        None => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Gives a unit of budget back unless the operation made progress.
#[derive(Debug)]
#[must_use = "dropping the guard at once gives the unit straight back"]
pub(crate) struct RestoreOnPending(Option<Budget>);

impl RestoreOnPending {
    /// The operation did its work: keep the unit spent.
    pub(crate) fn made_progress(&mut self) {
        self.0 = None;
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if let Some(budget) = self.0 {
            context::set_budget(budget);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn budget_runs_out_after_initial_units() {
        let mut cx = Context::from_waker(Waker::noop());
        budget(|| {
            for _ in 0..INITIAL_BUDGET {
                match poll_proceed(&mut cx) {
                    Poll::Ready(mut guard) => guard.made_progress(),
                    Poll::Pending => panic!("budget ran out early"),
                }
            }
            assert!(poll_proceed(&mut cx).is_pending());
            assert!(!has_budget_remaining());
        });
        // Outside a poll there is no budget.
        assert!(poll_proceed(&mut cx).is_ready());
    }

    #[test]
    fn unused_unit_is_given_back() {
        let mut cx = Context::from_waker(Waker::noop());
        budget(|| {
            for _ in 0..(INITIAL_BUDGET as usize * 2) {
                let guard = poll_proceed(&mut cx);
                assert!(guard.is_ready());
            }
        });
    }

    #[test]
    fn unconstrained_never_yields() {
        let mut cx = Context::from_waker(Waker::noop());
        budget(|| {
            with_unconstrained(|| {
                for _ in 0..1000 {
                    if let Poll::Ready(mut g) = poll_proceed(&mut cx) {
                        g.made_progress();
                    } else {
                        panic!("unconstrained code was told to yield");
                    }
                }
            })
        });
    }
}
