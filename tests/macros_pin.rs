//! `pin!`: both forms, and polling `!Unpin` futures through the pin.

use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A `!Unpin` future that is ready on its second poll.
struct NotUnpin {
    polled: bool,
    _pinned: PhantomPinned,
}

impl Future for NotUnpin {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        if self.polled {
            return Poll::Ready("done");
        }
        // `Pin::set` replaces the value in place, which is allowed for a
        // pinned `!Unpin` value, unlike taking `&mut Self`.
        self.set(NotUnpin {
            polled: true,
            _pinned: PhantomPinned,
        });
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn not_unpin() -> NotUnpin {
    NotUnpin {
        polled: false,
        _pinned: PhantomPinned,
    }
}

#[zokio::test]
async fn shadowing_form_pins_existing_variables() {
    let a = not_unpin();
    let b = async { 2 };
    zokio::pin!(a, b);
    // The shadowed variable is a pinned mutable reference.
    let a_ref: &mut Pin<&mut NotUnpin> = &mut a;
    assert!(!a_ref.polled);
    assert_eq!((&mut a).await, "done");
    assert_eq!(b.as_mut().await, 2);
}

#[zokio::test]
async fn declaration_form_pins_new_variables() {
    zokio::pin! {
        let a = not_unpin();
        let b = async { 3 };
    }
    assert_eq!(a.as_mut().await, "done");
    assert_eq!((&mut b).await, 3);
}

#[zokio::test]
async fn trailing_comma_and_single_variable() {
    let fut = async { 4 };
    zokio::pin!(fut,);
    assert_eq!(fut.await, 4);
}

#[zokio::test]
async fn pinned_future_survives_select_rounds() {
    let slow = async {
        for _ in 0..3 {
            zokio::task::yield_now().await;
        }
        "slow"
    };
    zokio::pin!(slow);
    let mut rounds = 0;
    let out = loop {
        rounds += 1;
        assert!(rounds < 100, "the pinned future never finished");
        zokio::select! {
            biased;
            v = &mut slow => break v,
            () = std::future::ready(()) => {}
        }
    };
    assert_eq!(out, "slow");
}
