//! `select!`, `join!`, `try_join!` and `pin!`.
//!
//! `select!`, `join!` and `try_join!` are thin `macro_rules!` wrappers that
//! hand the tokens, prefixed with `crate_path = $crate;`, to procedural macros
//! in `zokio-macros`. Passing `$crate` along means the expansion names this
//! crate by a path that resolves in the caller's crate even when `zokio` is
//! renamed in its `Cargo.toml`. The expansions reach the procedural macros
//! and their helpers through `zokio::__macro_support` ([`support`]), which
//! `lib.rs` re-exports hidden.

pub mod support;

/// Waits on several futures at once and runs the handler of the first one to
/// finish with a value that matches its pattern.
///
/// ```text
/// zokio::select! {
///     [biased;]
///     <pattern> = <future> [, if <precondition>] => <handler>,
///     ...
///     [else => <handler>,]
/// }
/// ```
///
/// Must be used inside an `async` function or block. The whole `select!`
/// is an expression whose value is the value of the handler that ran, so all
/// handlers have the same type.
///
/// # How it runs
///
/// 1. Every `<precondition>` is evaluated, in source order. A branch whose
///    precondition is `false` is *disabled* for this run of `select!`.
/// 2. Every `<future>` expression is evaluated, in source order, including
///    those of disabled branches (their futures are never polled). A value
///    that implements [`IntoFuture`](std::future::IntoFuture) is turned into
///    its future.
/// 3. The futures of the enabled branches are polled concurrently, in the
///    current task. When one finishes, its branch is disabled, and its output
///    is matched against `<pattern>`:
///    - if it matches, all the futures are dropped, and the branch's
///      `<handler>` runs with the pattern's bindings in scope;
///    - if it does not, the output is dropped and the other branches are
///      still waited on.
/// 4. If every branch is disabled (by preconditions, or by outputs that did
///    not match), the `else` handler runs; without an `else` branch,
///    `select!` panics.
///
/// Handlers run in the enclosing function's own context, after the futures
/// are dropped: `return`, `?`, `.await`, and `break`/`continue` of an
/// enclosing loop work in them as anywhere else, and a handler may use what
/// the futures had borrowed.
///
/// # Fairness
///
/// By default, each time the task is polled the branches are polled starting
/// at a random one, so a branch whose future is always ready cannot starve
/// the others. With `biased;` as the first token, branches are polled in
/// source order, which is cheaper and deterministic; it is then up to the
/// caller to order the branches so that none starves.
///
/// There is no limit on the number of branches.
///
/// # Panics
///
/// If every branch is disabled and there is no `else` branch.
///
/// # Cancel safety
///
/// When one branch completes, the other branches' futures are dropped. Using
/// `select!` in a loop is only correct if dropping those futures loses
/// nothing: either the futures are cancel safe, or they are created once
/// outside the loop, pinned with [`pin!`](crate::pin), and selected on by
/// reference (`&mut fut`).
///
/// # Examples
///
/// The first branch to finish wins; the other is dropped:
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     let slow = async {
///         for _ in 0..10 {
///             zokio::task::yield_now().await;
///         }
///         "slow"
///     };
///     let fast = async { "fast" };
///
///     let winner = zokio::select! {
///         v = slow => v,
///         v = fast => v,
///     };
///     assert_eq!(winner, "fast");
/// }
/// ```
///
/// A pattern that does not match disables its branch, and `select!` goes on
/// waiting on the others:
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     let value = zokio::select! {
///         // Finishes first, but `None` does not match `Some(_)`.
///         Some(v) = async { None::<u32> } => v,
///         v = async {
///             zokio::task::yield_now().await;
///             7
///         } => v,
///     };
///     assert_eq!(value, 7);
/// }
/// ```
///
/// Preconditions and `else`: the loop ends when every branch is disabled.
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     let mut count = 0;
///     loop {
///         count = zokio::select! {
///             n = async { count + 1 }, if count < 3 => n,
///             else => break,
///         };
///     }
///     assert_eq!(count, 3);
/// }
/// ```
///
/// Selecting on a future by reference, so that it survives the loop instead
/// of starting over on each round:
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     let job = async {
///         for _ in 0..3 {
///             zokio::task::yield_now().await;
///         }
///         7
///     };
///     zokio::pin!(job);
///
///     let mut rounds = 0;
///     let result = loop {
///         rounds += 1;
///         zokio::select! {
///             biased;
///             v = &mut job => break v,
///             () = zokio::task::yield_now() => {}
///         }
///     };
///     assert_eq!(result, 7);
///     assert!(rounds > 1);
/// }
/// ```
#[macro_export]
macro_rules! select {
    ($($input:tt)*) => {
        $crate::__macro_support::select_internal! { crate_path = $crate; $($input)* }
    };
}

/// Waits on several futures concurrently and returns all their outputs as a
/// tuple, in the order the futures were written.
///
/// ```text
/// zokio::join!([biased;] <future>, <future>, ...)
/// ```
///
/// Must be used inside an `async` function or block. The future expressions
/// are evaluated in order (values implementing
/// [`IntoFuture`](std::future::IntoFuture) are converted), then polled
/// together **in the current task**: `join!` gives concurrency, not
/// parallelism. To run futures in parallel, [`spawn`](crate::spawn) them and
/// `join!` the [`JoinHandle`](crate::task::JoinHandle)s.
///
/// Each future is dropped as soon as it finishes. Unless `biased;` is given,
/// the future polled first rotates at each poll, so a future that keeps
/// waking the task does not delay the others; with `biased;` they are polled
/// in source order.
///
/// `join!()` with no futures evaluates to `()`.
///
/// # Examples
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     async fn double(x: u32) -> u32 {
///         zokio::task::yield_now().await;
///         x * 2
///     }
///
///     let (a, b, c) = zokio::join!(double(1), double(2), async { "three" });
///     assert_eq!((a, b, c), (2, 4, "three"));
/// }
/// ```
#[macro_export]
macro_rules! join {
    ($($input:tt)*) => {
        $crate::__macro_support::join_internal! { crate_path = $crate; $($input)* }
    };
}

/// Waits on several futures that return [`Result`] concurrently, until all
/// return `Ok` or one returns `Err`.
///
/// ```text
/// zokio::try_join!([biased;] <future>, <future>, ...)
/// ```
///
/// Like [`join!`](crate::join), but every future's output must be a
/// `Result<_, E>` with the same `E`. If all succeed, the value is
/// `Ok((v1, v2, ...))`. As soon as one returns `Err(e)`, the macro returns
/// `Err(e)` and drops every future that has not finished, without polling
/// them again.
///
/// `try_join!()` with no futures evaluates to `Ok(())`.
///
/// # Examples
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     async fn parse(s: &str) -> Result<u32, String> {
///         s.parse().map_err(|_| format!("not a number: {s}"))
///     }
///
///     assert_eq!(zokio::try_join!(parse("1"), parse("2")), Ok((1, 2)));
///
///     let err = zokio::try_join!(parse("1"), parse("two"), std::future::pending());
///     assert_eq!(err, Err::<(u32, u32, ()), _>("not a number: two".to_owned()));
/// }
/// ```
#[macro_export]
macro_rules! try_join {
    ($($input:tt)*) => {
        $crate::__macro_support::try_join_internal! { crate_path = $crate; $($input)* }
    };
}

/// Pins values on the stack, so that `!Unpin` futures can be polled by
/// reference (`(&mut fut).await`, `select!` on `&mut fut`) or through
/// [`Pin::as_mut`](std::pin::Pin::as_mut).
///
/// Two forms: `pin!(a, b)` shadows existing variables `a` and `b` with
/// pinned mutable references to their values (the values move into the
/// macro's scope), and `pin! { let a = expr; ... }` declares pinned
/// variables directly. Either way the variables have the type
/// `Pin<&mut T>`. Safe: it is built on [`std::pin::pin!`].
///
/// # Examples
///
/// ```
/// #[zokio::main(flavor = "current_thread")]
/// async fn main() {
///     let fut = async { 1 };
///     zokio::pin!(fut);
///     assert_eq!((&mut fut).await, 1);
///
///     zokio::pin! {
///         let a = async { 2 };
///         let b = async { 3 };
///     }
///     assert_eq!(a.as_mut().await + b.as_mut().await, 5);
/// }
/// ```
#[macro_export]
macro_rules! pin {
    ($($x:ident),* $(,)?) => {
        $(
            #[allow(unused_mut)]
            let mut $x = ::core::pin::pin!($x);
        )*
    };
    ($(let $x:ident = $init:expr;)*) => {
        $(
            #[allow(unused_mut)]
            let mut $x = ::core::pin::pin!($init);
        )*
    };
}
