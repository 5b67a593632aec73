//! Time error types.

use std::error::Error;
use std::fmt;

/// The error of [`timeout`](crate::time::timeout): the deadline passed
/// before the future completed.
///
/// # Examples
///
/// ```
/// use zokio::time::{error::Elapsed, timeout, Duration};
///
/// # #[zokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let err: Elapsed = timeout(Duration::from_millis(1), std::future::pending::<()>())
///     .await
///     .unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_err: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}
