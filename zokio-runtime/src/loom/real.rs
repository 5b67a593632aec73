//! The real types behind the facade: std atomics and threads, parking_lot locks.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]
// The facade offers the whole API the runtime may use; not every item is
// used in every build.
#![allow(dead_code)]

pub(crate) mod sync {
    //! Newtypes over the real types, so that runtime code names only
    //! `crate::loom::sync::*` (clippy.toml forbids the originals elsewhere).
    //! Each derefs to what it wraps; only constructors and associated
    //! functions are written out.

    use std::fmt;
    use std::ops::Deref;

    /// `std::sync::Arc`.
    pub(crate) struct Arc<T: ?Sized>(std::sync::Arc<T>);

    impl<T> Arc<T> {
        pub(crate) fn new(value: T) -> Arc<T> {
            Arc(std::sync::Arc::new(value))
        }

        pub(crate) fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
            std::sync::Arc::try_unwrap(this.0).map_err(Arc)
        }
    }

    impl<T: ?Sized> Arc<T> {
        pub(crate) fn ptr_eq(a: &Arc<T>, b: &Arc<T>) -> bool {
            std::sync::Arc::ptr_eq(&a.0, &b.0)
        }

        pub(crate) fn strong_count(this: &Arc<T>) -> usize {
            std::sync::Arc::strong_count(&this.0)
        }

        pub(crate) fn as_ptr(this: &Arc<T>) -> *const T {
            std::sync::Arc::as_ptr(&this.0)
        }

        pub(crate) fn get_mut(this: &mut Arc<T>) -> Option<&mut T> {
            std::sync::Arc::get_mut(&mut this.0)
        }
    }

    impl<T: ?Sized> Clone for Arc<T> {
        fn clone(&self) -> Arc<T> {
            Arc(self.0.clone())
        }
    }

    impl<T: ?Sized> Deref for Arc<T> {
        type Target = T;

        fn deref(&self) -> &T {
            &self.0
        }
    }

    impl<T: ?Sized + fmt::Debug> fmt::Debug for Arc<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt(f)
        }
    }

    /// parking_lot's mutex: `lock` returns the guard directly.
    #[derive(Default)]
    pub(crate) struct Mutex<T: ?Sized>(parking_lot::Mutex<T>);
    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Mutex<T> {
            Mutex(parking_lot::Mutex::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> Mutex<T> {
        #[inline]
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }

        #[inline]
        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock()
        }

        pub(crate) fn get_mut(&mut self) -> &mut T {
            self.0.get_mut()
        }
    }

    impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt(f)
        }
    }

    /// parking_lot's reader-writer lock.
    #[derive(Default)]
    pub(crate) struct RwLock<T: ?Sized>(parking_lot::RwLock<T>);
    pub(crate) type RwLockReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
    pub(crate) type RwLockWriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;

    impl<T> RwLock<T> {
        pub(crate) const fn new(value: T) -> RwLock<T> {
            RwLock(parking_lot::RwLock::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> RwLock<T> {
        #[inline]
        pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
            self.0.read()
        }

        #[inline]
        pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0.write()
        }

        pub(crate) fn get_mut(&mut self) -> &mut T {
            self.0.get_mut()
        }
    }

    impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt(f)
        }
    }

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
        //! Newtypes over std's atomics (see the parent module).

        use std::ops::Deref;
        pub(crate) use std::sync::atomic::{fence, Ordering};

        macro_rules! atomic_newtype {
            ($name:ident, $int:ty) => {
                #[derive(Debug, Default)]
                pub(crate) struct $name(std::sync::atomic::$name);

                impl $name {
                    pub(crate) const fn new(value: $int) -> $name {
                        $name(std::sync::atomic::$name::new(value))
                    }
                }

                impl Deref for $name {
                    type Target = std::sync::atomic::$name;

                    #[inline(always)]
                    fn deref(&self) -> &Self::Target {
                        &self.0
                    }
                }
            };
        }

        atomic_newtype!(AtomicBool, bool);
        atomic_newtype!(AtomicUsize, usize);
        atomic_newtype!(AtomicU64, u64);
    }
}

pub(crate) mod cell {
    /// An `UnsafeCell` whose accesses go through closures, so that loom can
    /// track each one. In a real build the closures compile away.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> UnsafeCell<T> {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> UnsafeCell<T> {
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
    #[cfg(test)]
    pub(crate) use std::thread::{spawn, JoinHandle};
    pub(crate) use std::thread::{yield_now, Builder};
}

pub(crate) mod sys {
    /// The number of CPUs the process may use (at least 1).
    pub(crate) fn num_cpus() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}
