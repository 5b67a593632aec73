//! `#[zokio::main]` and `#[zokio::test]`: every argument, both return
//! styles, `#[should_panic]`, `#[ignore]` and a renamed crate.
//!
//! `#[zokio::main]` works on any function, not just `main`, so its expansions
//! are tested here as ordinary functions called from tests.

use std::error::Error;

use zokio::runtime::{Handle, RuntimeFlavor};

// The crate under another name, for `crate = "..."`.
use zokio as renamed_zokio;

fn flavor() -> RuntimeFlavor {
    Handle::current().runtime_flavor()
}

fn workers() -> usize {
    Handle::current().metrics().num_workers()
}

/// Something that needs a running runtime: a spawned task's output.
async fn spawned_answer() -> u32 {
    zokio::spawn(async { 6 * 7 }).await.unwrap()
}

// ---- #[zokio::test] ----

#[zokio::test]
async fn test_defaults_to_current_thread() {
    assert_eq!(flavor(), RuntimeFlavor::CurrentThread);
    assert_eq!(spawned_answer().await, 42);
}

#[zokio::test(flavor = "current_thread")]
async fn test_current_thread() {
    assert_eq!(flavor(), RuntimeFlavor::CurrentThread);
    assert_eq!(spawned_answer().await, 42);
}

#[zokio::test(flavor = "multi_thread")]
async fn test_multi_thread() {
    assert_eq!(flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(spawned_answer().await, 42);
}

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_multi_thread_two_workers() {
    assert_eq!(flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(workers(), 2);
    assert_eq!(spawned_answer().await, 42);
}

#[zokio::test(worker_threads = 3, flavor = "multi_thread")]
async fn test_arguments_in_any_order() {
    assert_eq!(workers(), 3);
}

#[zokio::test(flavor = "current_thread", start_paused = false)]
async fn test_start_paused_false() {
    assert_eq!(flavor(), RuntimeFlavor::CurrentThread);
    assert_eq!(spawned_answer().await, 42);
}

#[zokio::test(start_paused = true)]
async fn test_start_paused_true() {
    assert_eq!(flavor(), RuntimeFlavor::CurrentThread);
    assert_eq!(spawned_answer().await, 42);
}

#[zokio::test(
    flavor = "current_thread",
    start_paused = true,
    crate = "renamed_zokio"
)]
async fn test_every_current_thread_argument() {
    assert_eq!(flavor(), RuntimeFlavor::CurrentThread);
}

#[zokio::test(crate = "renamed_zokio")]
async fn test_renamed_crate() {
    assert_eq!(flavor(), RuntimeFlavor::CurrentThread);
}

#[zokio::test(crate = "renamed_zokio", flavor = "multi_thread", worker_threads = 1)]
async fn test_renamed_crate_with_other_arguments() {
    assert_eq!(workers(), 1);
}

#[zokio::test]
async fn test_returning_ok() -> Result<(), Box<dyn Error>> {
    let n: u32 = "42".parse()?;
    assert_eq!(n, spawned_answer().await);
    Ok(())
}

#[zokio::test]
#[should_panic(expected = "the body ran and panicked")]
async fn test_should_panic_still_works() {
    zokio::task::yield_now().await;
    panic!("the body ran and panicked");
}

#[zokio::test(flavor = "multi_thread")]
#[should_panic(expected = "multi-thread body panicked")]
async fn test_should_panic_on_multi_thread() {
    panic!("multi-thread body panicked");
}

#[zokio::test]
#[ignore = "checks that #[ignore] is kept: running it fails"]
async fn test_ignore_is_kept() {
    panic!("an #[ignore]d test ran");
}

/// A user import named `test` must not replace the `#[test]` we add.
mod shadowed_test_attribute {
    #[allow(unused_imports)]
    use zokio::test;

    #[zokio::test]
    async fn still_a_test() {
        assert_eq!(super::spawned_answer().await, 42);
    }
}

// ---- #[zokio::main] on ordinary functions ----

#[zokio::main]
async fn main_default() -> RuntimeFlavor {
    assert_eq!(spawned_answer().await, 42);
    flavor()
}

#[zokio::main(flavor = "multi_thread")]
async fn main_multi_thread() -> RuntimeFlavor {
    flavor()
}

#[zokio::main(worker_threads = 2)]
async fn main_two_workers() -> (RuntimeFlavor, usize) {
    (flavor(), workers())
}

#[zokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main_one_worker() -> usize {
    assert_eq!(spawned_answer().await, 42);
    workers()
}

#[zokio::main(flavor = "current_thread")]
async fn main_current_thread() -> RuntimeFlavor {
    assert_eq!(spawned_answer().await, 42);
    flavor()
}

#[zokio::main(flavor = "current_thread", start_paused = false)]
async fn main_current_thread_unpaused() -> RuntimeFlavor {
    flavor()
}

#[zokio::main(flavor = "current_thread", start_paused = true)]
async fn main_current_thread_paused() -> RuntimeFlavor {
    assert_eq!(spawned_answer().await, 42);
    flavor()
}

#[zokio::main(crate = "renamed_zokio")]
async fn main_renamed_crate() -> RuntimeFlavor {
    flavor()
}

#[zokio::main(crate = "renamed_zokio", flavor = "current_thread")]
async fn main_renamed_crate_current_thread() -> RuntimeFlavor {
    flavor()
}

#[zokio::main]
async fn main_with_parameters(prefix: String, n: u32) -> String {
    // Parameters are moved into the body, so they can go to another task.
    zokio::spawn(async move { format!("{prefix}{n}") })
        .await
        .unwrap()
}

#[zokio::main]
async fn main_returning_result(input: &'static str) -> Result<u32, Box<dyn Error>> {
    let n: u32 = input.parse()?;
    Ok(n + spawned_answer().await)
}

#[zokio::main]
async fn main_with_early_return(stop: bool) -> &'static str {
    if stop {
        return "stopped early";
    }
    zokio::task::yield_now().await;
    "ran to the end"
}

#[zokio::main(flavor = "current_thread")]
async fn main_returning_unit(out: &mut Vec<u32>) {
    out.push(spawned_answer().await);
}

#[test]
fn main_expansions_use_the_requested_runtime() {
    assert_eq!(main_default(), RuntimeFlavor::MultiThread);
    assert_eq!(main_multi_thread(), RuntimeFlavor::MultiThread);
    assert_eq!(main_two_workers(), (RuntimeFlavor::MultiThread, 2));
    assert_eq!(main_one_worker(), 1);
    assert_eq!(main_current_thread(), RuntimeFlavor::CurrentThread);
    assert_eq!(main_current_thread_unpaused(), RuntimeFlavor::CurrentThread);
    assert_eq!(main_current_thread_paused(), RuntimeFlavor::CurrentThread);
    assert_eq!(main_renamed_crate(), RuntimeFlavor::MultiThread);
    assert_eq!(
        main_renamed_crate_current_thread(),
        RuntimeFlavor::CurrentThread
    );
}

#[test]
fn main_moves_parameters_into_the_body() {
    assert_eq!(main_with_parameters("n=".to_owned(), 7), "n=7");
    let mut out = Vec::new();
    main_returning_unit(&mut out);
    assert_eq!(out, [42]);
}

#[test]
fn main_returns_the_body_value_including_errors() {
    assert_eq!(main_returning_result("1").unwrap(), 43);
    let err = main_returning_result("one").unwrap_err();
    assert!(err.to_string().contains("invalid digit"), "{err}");
    assert_eq!(main_with_early_return(true), "stopped early");
    assert_eq!(main_with_early_return(false), "ran to the end");
}

#[test]
fn each_call_gets_a_fresh_runtime() {
    // The runtime is built inside the function: calls do not share state,
    // and a call from a thread without a runtime works.
    let handle = std::thread::spawn(main_current_thread);
    assert_eq!(handle.join().unwrap(), RuntimeFlavor::CurrentThread);
    assert_eq!(main_current_thread(), RuntimeFlavor::CurrentThread);
}

#[zokio::main(flavor = "current_thread")]
async fn main_generic<T>(value: T) -> T
where
    T: Clone + Send + 'static,
{
    let copy = value.clone();
    zokio::spawn(async move { copy }).await.unwrap()
}

#[zokio::main(flavor = "current_thread")]
async fn main_returning_impl_trait() -> impl std::fmt::Display {
    spawned_answer().await
}

#[test]
fn main_on_generic_and_impl_trait_functions() {
    assert_eq!(main_generic(vec![1, 2]), [1, 2]);
    assert_eq!(main_generic("s"), "s");
    assert_eq!(main_returning_impl_trait().to_string(), "42");
}
