//! The real types behind the facade: std atomics and threads, parking_lot locks.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

pub(crate) mod sync {
    pub(crate) use std::sync::Arc;

    /// A mutex whose `lock` returns the guard directly (parking_lot's).
    pub(crate) type Mutex<T> = parking_lot::Mutex<T>;
    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    /// A condition variable with a by-value wait API shared with the loom mock.
    #[derive(Debug, Default)]
    pub(crate) struct Condvar(parking_lot::Condvar);

    impl Condvar {
        pub(crate) const fn new() -> Self {
            Condvar(parking_lot::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }

        /// Waits for a signal or the timeout; the bool is true on timeout.
        pub(crate) fn wait_timeout<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            timeout: std::time::Duration,
        ) -> (MutexGuard<'a, T>, bool) {
            let res = self.0.wait_for(&mut guard, timeout);
            (guard, res.timed_out())
        }

        pub(crate) fn notify_one(&self) -> bool {
            self.0.notify_one()
        }

        pub(crate) fn notify_all(&self) -> usize {
            self.0.notify_all()
        }
    }

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{
            fence, AtomicBool, AtomicU64, AtomicUsize, Ordering,
        };
    }
}

pub(crate) mod cell {
    /// An `UnsafeCell` whose accesses go through closures, so that loom can
    /// track each one. In a real build the closures compile away.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{yield_now, Builder};
    #[cfg(test)]
    pub(crate) use std::thread::spawn;
}

pub(crate) mod sys {
    /// The number of CPUs the process may use (at least 1).
    pub(crate) fn num_cpus() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}
