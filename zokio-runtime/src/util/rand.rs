//! A small, fast, non-cryptographic random number generator (xorshift64*),
//! used to pick steal victims and to randomise `select!` branch order.

use std::cell::Cell;

/// A xorshift64* generator. Not for anything that needs unpredictability.
#[derive(Debug)]
pub(crate) struct FastRand {
    state: Cell<u64>,
}

impl FastRand {
    /// A generator seeded from `seed` (zero is replaced by a fixed odd value).
    pub(crate) fn new(seed: u64) -> FastRand {
        FastRand {
            state: Cell::new(if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            }),
        }
    }

    /// A generator seeded from the process-wide seed sequence.
    pub(crate) fn from_seed_source() -> FastRand {
        FastRand::new(seed())
    }

    /// The next 32 random bits.
    pub(crate) fn next_u32(&self) -> u32 {
        let mut x = self.state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state.set(x);
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    /// A number in `0..n` (`n` > 0), by multiply-shift rather than modulo.
    pub(crate) fn next_below(&self, n: u32) -> u32 {
        debug_assert!(n > 0);
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }
}

/// A fresh seed: distinct per call, mixed from the address of a local, the
/// time and a counter.
#[cfg(not(all(test, loom)))]
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    #[allow(clippy::disallowed_types)]
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    h.finish()
}

/// Under loom the seed is fixed so that models are deterministic.
#[cfg(all(test, loom))]
fn seed() -> u64 {
    1
}

std::thread_local! {
    static THREAD_RNG: FastRand = FastRand::from_seed_source();
}

/// A random number in `0..n` from this thread's generator (`n` > 0).
pub(crate) fn thread_rng_n(n: u32) -> u32 {
    THREAD_RNG.with(|r| r.next_below(n))
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn next_below_stays_in_range_and_covers_it() {
        let rng = FastRand::new(42);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = rng.next_below(7) as usize;
            seen[v] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
