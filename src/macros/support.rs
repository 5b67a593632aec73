//! Items the macros' expansions name through `$crate::__macro_support`.
//!
//! Not a public API: names and signatures here change without notice.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use zokio_macros::{join_internal, select_internal, try_join_internal};
pub use zokio_runtime::macros_support::{poll_budget_available, thread_rng_n};

/// Polls one `join!` branch: `fut` holds the future until it finishes, then
/// its output moves to `out` and the future is dropped in place. Returns true
/// once the output is in `out`.
#[inline]
pub fn poll_join<F: Future>(
    mut fut: Pin<&mut Option<F>>,
    out: &mut Option<F::Output>,
    cx: &mut Context<'_>,
) -> bool {
    let Some(inner) = fut.as_mut().as_pin_mut() else {
        return true;
    };
    match inner.poll(cx) {
        Poll::Ready(value) => {
            *out = Some(value);
            fut.set(None);
            true
        }
        Poll::Pending => false,
    }
}

/// Polls one `try_join!` branch like [`poll_join`], but hands an `Err` back
/// instead of storing it: `Ready(Ok(()))` means the `Ok` value is in `out`.
///
/// The bound names `Result<T, E>` (rather than a trait over the output) so
/// that type inference can flow from it into the futures.
#[inline]
pub fn poll_try_join<F, T, E>(
    mut fut: Pin<&mut Option<F>>,
    out: &mut Option<T>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), E>>
where
    F: Future<Output = Result<T, E>>,
{
    let Some(inner) = fut.as_mut().as_pin_mut() else {
        return Poll::Ready(Ok(()));
    };
    match inner.poll(cx) {
        Poll::Ready(result) => {
            fut.set(None);
            match result {
                Ok(value) => {
                    *out = Some(value);
                    Poll::Ready(Ok(()))
                }
                Err(e) => Poll::Ready(Err(e)),
            }
        }
        Poll::Pending => Poll::Pending,
    }
}

/// Moves a finished branch's output out of its slot.
///
/// # Panics
///
/// If the slot is empty: the expansion calls this only after every branch
/// reported its output, once per branch.
#[inline]
#[track_caller]
pub fn take_output<T>(out: &mut Option<T>) -> T {
    match out.take() {
        Some(value) => value,
        None => unreachable!("join!: an output was taken twice or before its future finished"),
    }
}
