//! Compile-fail tests: bad input to the macros gets a clear error that points
//! at the offending tokens. The expected compiler output for `tests/ui/X.rs`
//! is `tests/ui/X.stderr`; regenerate with `TRYBUILD=overwrite` and review
//! every changed file.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
