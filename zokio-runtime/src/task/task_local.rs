//! Task-local storage: `task_local!` keys whose value is set for the length
//! of a future (`scope`) or a closure (`sync_scope`).
//!
//! The value lives in a thread-local slot only while the scoped future is
//! being polled (or dropped): `TaskLocalFuture` swaps it in before each poll
//! and back out after, so two tasks on one thread never see each other's
//! value, and a task that moves between workers takes its value along.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares task-local keys of type [`LocalKey`].
///
/// # Examples
///
/// ```
/// zokio::task_local! {
///     static REQUEST_ID: u64;
/// }
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// REQUEST_ID
///     .scope(7, async {
///         assert_eq!(REQUEST_ID.get(), 7);
///     })
///     .await;
/// assert!(REQUEST_ID.try_with(|_| ()).is_err());
/// # });
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __KEY: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey { inner: __KEY }
        };
    };
}

/// A task-local key, declared with [`task_local!`](crate::task_local).
pub struct LocalKey<T: 'static> {
    #[doc(hidden)]
    pub inner: std::thread::LocalKey<RefCell<Option<T>>>,
}

/// The key was accessed outside of a `scope` that set it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl<T: 'static> LocalKey<T> {
    /// Runs `future` with the key set to `value`.
    ///
    /// The value is dropped when the returned future completes or is dropped.
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
        }
    }

    /// Runs `f` with the key set to `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// zokio::task_local! { static NAME: &'static str; }
    /// let len = NAME.sync_scope("zokio", || NAME.with(|n| n.len()));
    /// assert_eq!(len, 5);
    /// ```
    pub fn sync_scope<F, R>(&'static self, value: T, f: F) -> R
    where
        F: FnOnce() -> R,
    {
        let mut slot = Some(value);
        let _guard = Swap::enter(self, &mut slot);
        f()
    }

    /// Calls `f` with a reference to the value.
    ///
    /// # Panics
    ///
    /// Panics if the key is not set by an enclosing `scope` / `sync_scope`.
    #[track_caller]
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        match self.try_with(f) {
            Ok(r) => r,
            Err(_) => panic!(
                "cannot access a task-local storage value without setting it first \
                 (use `scope` or `sync_scope`)"
            ),
        }
    }

    /// Calls `f` with a reference to the value, or returns an error if the
    /// key is not set.
    ///
    /// # Errors
    ///
    /// Returns [`AccessError`] outside of a scope that set the key.
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        self.inner
            .try_with(|cell| cell.borrow().as_ref().map(f))
            .ok()
            .flatten()
            .ok_or(AccessError { _private: () })
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A clone of the value.
    ///
    /// # Panics
    ///
    /// Panics if the key is not set.
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
    }
}

/// Swaps a value into the thread-local slot and back out on drop.
struct Swap<'a, T: 'static> {
    key: &'static LocalKey<T>,
    slot: &'a mut Option<T>,
}

impl<'a, T: 'static> Swap<'a, T> {
    fn enter(key: &'static LocalKey<T>, slot: &'a mut Option<T>) -> Swap<'a, T> {
        key.inner
            .with(|cell| std::mem::swap(&mut *cell.borrow_mut(), slot));
        Swap { key, slot }
    }
}

impl<T: 'static> Drop for Swap<'_, T> {
    fn drop(&mut self) {
        let _ = self
            .key
            .inner
            .try_with(|cell| std::mem::swap(&mut *cell.borrow_mut(), self.slot));
    }
}

pin_project_lite::pin_project! {
    /// A future with a task-local value set while it runs (see
    /// [`LocalKey::scope`]).
    pub struct TaskLocalFuture<T: 'static, F> {
        key: &'static LocalKey<T>,
        slot: Option<T>,
        #[pin]
        future: Option<F>,
    }

    impl<T: 'static, F> PinnedDrop for TaskLocalFuture<T, F> {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            if this.future.is_some() {
                // Drop the inner future with its value set, as it may read it.
                let _guard = Swap::enter(this.key, this.slot);
                this.future.set(None);
            }
        }
    }
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let _guard = Swap::enter(this.key, this.slot);
        let res = match this.future.as_mut().as_pin_mut() {
            Some(future) => future.poll(cx),
            None => panic!("`TaskLocalFuture` polled after completion"),
        };
        if res.is_ready() {
            this.future.set(None);
        }
        res
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalKey { .. }")
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture").finish_non_exhaustive()
    }
}

impl fmt::Debug for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessError")
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl std::error::Error for AccessError {}
