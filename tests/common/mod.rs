//! Helpers shared by the runtime integration tests.
#![allow(dead_code, unused_macros)]

use std::time::{Duration, Instant};

/// Runs the enclosed tests on every runtime flavour: current-thread,
/// multi-thread with 1 worker, multi-thread with 4 workers. Inside, `rt()`
/// builds the runtime under test.
macro_rules! rt_test {
    ($($t:tt)*) => {
        mod current_thread {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            fn rt() -> zokio::runtime::Runtime {
                zokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
            }
            $($t)*
        }
        mod threaded_scheduler_1_thread {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            fn rt() -> zokio::runtime::Runtime {
                zokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .unwrap()
            }
            $($t)*
        }
        mod threaded_scheduler_4_threads {
            #[allow(unused_imports)]
            use super::*;
            #[allow(dead_code)]
            fn rt() -> zokio::runtime::Runtime {
                zokio::runtime::Builder::new_multi_thread()
                    .worker_threads(4)
                    .enable_all()
                    .build()
                    .unwrap()
            }
            $($t)*
        }
    };
}

/// Polls `cond` until it holds, failing the test after `limit`.
pub(crate) fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Sets a flag when dropped.
pub(crate) struct DropFlag(pub(crate) std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A flag and a guard that sets it on drop.
pub(crate) fn drop_flag() -> (std::sync::Arc<std::sync::atomic::AtomicBool>, DropFlag) {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    (flag.clone(), DropFlag(flag))
}
