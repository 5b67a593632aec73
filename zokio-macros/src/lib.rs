//! Procedural macros for Zokio.
//!
//! Users do not depend on this crate directly: the `zokio` facade re-exports
//! [`main`] and [`test`] as `#[zokio::main]` and `#[zokio::test]`, and its
//! `select!`, `join!` and `try_join!` macros forward to the hidden function-like
//! macros here, passing `$crate` along so that a renamed `zokio` dependency
//! still resolves.
//!
//! The entry points are thin: parsing and code generation live in
//! `entry.rs` (the attributes), `select.rs` and `join.rs`, with the helpers
//! the last two share in `common.rs`. See `docs/macros.md` in the repository
//! for the design.
#![deny(unsafe_code)]

mod common;
mod entry;
mod join;
mod select;

use proc_macro::TokenStream;

/// Marks an `async fn` as the program's entry point, run on a Zokio runtime.
///
/// The function becomes a plain `fn` that builds a runtime with
/// `enable_all()` and `block_on`s the original body; the runtime is shut
/// down when the function returns. The multi-thread runtime is the default.
///
/// # Arguments
///
/// | argument | values | default |
/// |---|---|---|
/// | `flavor` | `"multi_thread"`, `"current_thread"` | `"multi_thread"` |
/// | `worker_threads` | an integer above 0; multi-thread only | one per CPU core |
/// | `start_paused` | `true`, `false`; current-thread only, needs the `test-util` feature | `false` |
/// | `crate` | a path in a string, for a renamed dependency | `"zokio"` |
///
/// A function named `main` may not take parameters. Any other function may:
/// the attribute works on any `async fn`, turning it into a blocking one, and
/// the parameters are moved into the body.
///
/// # Examples
///
/// ```
/// #[zokio::main]
/// async fn main() {
///     let answer = zokio::spawn(async { 6 * 7 }).await.unwrap();
///     assert_eq!(answer, 42);
/// }
/// ```
///
/// A `Result` return type, and a chosen runtime:
///
/// ```
/// use std::error::Error;
///
/// #[zokio::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() -> Result<(), Box<dyn Error>> {
///     let n: u32 = zokio::spawn(async { "42".parse() }).await??;
///     assert_eq!(n, 42);
///     Ok(())
/// }
/// ```
///
/// With `zokio` renamed in `Cargo.toml` (here with `use ... as`):
///
/// ```
/// use zokio as runtime_crate;
///
/// #[runtime_crate::main(crate = "runtime_crate", flavor = "current_thread")]
/// async fn main() {
///     runtime_crate::task::yield_now().await;
/// }
/// ```
///
/// The first example expands to about this (the names the expansion adds
/// are hidden from the body):
///
/// ```text
/// fn main() {
///     async fn body() {
///         let answer = zokio::spawn(async { 6 * 7 }).await.unwrap();
///         assert_eq!(answer, 42);
///     }
///     let body = body();
///     let runtime = ::zokio::runtime::Builder::new_multi_thread()
///         .enable_all()
///         .build()
///         .expect("failed to build the Zokio runtime");
///     runtime.block_on(body)
/// }
/// ```
///
/// A function with parameters, generics or `unsafe` gets an `async move`
/// block instead of the nested `async fn`; the block takes the parameters.
///
/// # Compile errors
///
/// A function without `async`, an unknown argument, a value of the wrong
/// type, `worker_threads = 0`, `worker_threads` with the current-thread
/// runtime, `start_paused` with the multi-thread runtime, and parameters on
/// `main` are rejected with an error at the offending tokens.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(entry::Kind::Main, args.into(), item.into()).into()
}

/// Marks an `async fn` as a test, run on its own Zokio runtime.
///
/// Like [`macro@main`], with the same arguments, but the **current-thread**
/// runtime is the default (a test should not depend on how many cores the
/// machine has), and the function is marked `#[test]`. Other attributes are
/// kept, so `#[should_panic]` and `#[ignore]` work as usual; writing
/// `#[test]` as well is an error. A test may return `()` or a `Result`.
///
/// # Examples
///
/// ```
/// #[zokio::test]
/// async fn spawned_task_runs() {
///     assert_eq!(zokio::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
///
/// #[zokio::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn on_two_workers() -> Result<(), std::num::ParseIntError> {
///     let n: u32 = "7".parse()?;
///     assert_eq!(n, 7);
///     Ok(())
/// }
///
/// #[zokio::test]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     panic!("boom");
/// }
/// # fn main() {}
/// ```
///
/// The first test expands to about this:
///
/// ```text
/// #[::core::prelude::v1::test]
/// fn spawned_task_runs() {
///     async fn body() {
///         assert_eq!(zokio::spawn(async { 1 + 1 }).await.unwrap(), 2);
///     }
///     let body = body();
///     let runtime = ::zokio::runtime::Builder::new_current_thread()
///         .enable_all()
///         .build()
///         .expect("failed to build the Zokio runtime");
///     runtime.block_on(body)
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(entry::Kind::Test, args.into(), item.into()).into()
}

/// The implementation of `zokio::select!`; call that instead.
#[doc(hidden)]
#[proc_macro]
pub fn select_internal(input: TokenStream) -> TokenStream {
    select::expand(input.into()).into()
}

/// The implementation of `zokio::join!`; call that instead.
#[doc(hidden)]
#[proc_macro]
pub fn join_internal(input: TokenStream) -> TokenStream {
    join::expand(join::Mode::Join, input.into()).into()
}

/// The implementation of `zokio::try_join!`; call that instead.
#[doc(hidden)]
#[proc_macro]
pub fn try_join_internal(input: TokenStream) -> TokenStream {
    join::expand(join::Mode::TryJoin, input.into()).into()
}
