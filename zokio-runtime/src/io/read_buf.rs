//! [`ReadBuf`]: a byte buffer that tracks how much of it is filled and how
//! much is initialized, so reads can go into uninitialized memory.
//!
//! Invariant: `filled <= initialized <= buf.len()`, and `buf[..initialized]`
//! is initialized. Every method keeps it; the `unsafe` ones say what the
//! caller must uphold.

use std::fmt;
use std::mem::MaybeUninit;

/// A wrapper around a byte buffer that is incrementally filled and
/// initialized.
///
/// The buffer has three regions: filled (`..filled`), initialized but not
/// filled, and uninitialized.
///
/// # Examples
///
/// ```
/// use zokio::io::ReadBuf;
///
/// let mut storage = [0u8; 8];
/// let mut buf = ReadBuf::new(&mut storage);
/// buf.put_slice(b"hi");
/// assert_eq!(buf.filled(), b"hi");
/// assert_eq!(buf.remaining(), 6);
/// ```
pub struct ReadBuf<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    filled: usize,
    initialized: usize,
}

impl<'a> ReadBuf<'a> {
    /// A buffer over fully initialized memory.
    #[inline]
    pub fn new(buf: &'a mut [u8]) -> ReadBuf<'a> {
        let initialized = buf.len();
        // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and
        // initialized bytes are valid `MaybeUninit<u8>`. We never write
        // uninitialized bytes into it (`initialized == len` from the start).
        let buf = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
        ReadBuf {
            buf,
            filled: 0,
            initialized,
        }
    }

    /// A buffer over possibly uninitialized memory.
    #[inline]
    pub fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> ReadBuf<'a> {
        ReadBuf {
            buf,
            filled: 0,
            initialized: 0,
        }
    }

    /// The total size of the buffer.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The filled part.
    #[inline]
    pub fn filled(&self) -> &[u8] {
        let slice = &self.buf[..self.filled];
        // SAFETY: `filled <= initialized` (type invariant), so these bytes
        // are initialized.
        unsafe { &*(slice as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    /// The filled part, mutably.
    #[inline]
    pub fn filled_mut(&mut self) -> &mut [u8] {
        let slice = &mut self.buf[..self.filled];
        // SAFETY: as in `filled`.
        unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
    }

    /// A new `ReadBuf` over the first `n` bytes of the unfilled part.
    #[inline]
    pub fn take(&mut self, n: usize) -> ReadBuf<'_> {
        let max = std::cmp::min(self.remaining(), n);
        let initialized = self.initialized - self.filled;
        // SAFETY: we hand out only unfilled space; the new buffer cannot
        // de-initialize bytes (no method writes MaybeUninit::uninit()).
        let unfilled = unsafe { self.unfilled_mut() };
        ReadBuf {
            buf: &mut unfilled[..max],
            filled: 0,
            initialized: std::cmp::min(initialized, max),
        }
    }

    /// The initialized part (filled and not).
    #[inline]
    pub fn initialized(&self) -> &[u8] {
        let slice = &self.buf[..self.initialized];
        // SAFETY: `buf[..initialized]` is initialized (type invariant).
        unsafe { &*(slice as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    /// The initialized part, mutably.
    #[inline]
    pub fn initialized_mut(&mut self) -> &mut [u8] {
        let slice = &mut self.buf[..self.initialized];
        // SAFETY: as in `initialized`.
        unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
    }

    /// The whole buffer, possibly uninitialized.
    ///
    /// # Safety
    ///
    /// The caller must not de-initialize any byte that was initialized
    /// (write `MaybeUninit::uninit()` into it).
    #[inline]
    pub unsafe fn inner_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        self.buf
    }

    /// The unfilled part, possibly uninitialized.
    ///
    /// # Safety
    ///
    /// The caller must not de-initialize any byte that was initialized.
    #[inline]
    pub unsafe fn unfilled_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        &mut self.buf[self.filled..]
    }

    /// The unfilled part, initialized first (zeroed where it was not).
    #[inline]
    pub fn initialize_unfilled(&mut self) -> &mut [u8] {
        self.initialize_unfilled_to(self.remaining())
    }

    /// The first `n` unfilled bytes, initialized first.
    ///
    /// # Panics
    ///
    /// Panics if `remaining() < n`.
    #[inline]
    #[track_caller]
    pub fn initialize_unfilled_to(&mut self, n: usize) -> &mut [u8] {
        assert!(self.remaining() >= n, "n overflows remaining");
        let end = self.filled + n;
        if self.initialized < end {
            for b in &mut self.buf[self.initialized..end] {
                b.write(0);
            }
            self.initialized = end;
        }
        let slice = &mut self.buf[self.filled..end];
        // SAFETY: `buf[..end]` is initialized now (zeroed above if it was not).
        unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
    }

    /// How many bytes are unfilled.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.capacity() - self.filled
    }

    /// Forgets the filled part (keeps it initialized).
    #[inline]
    pub fn clear(&mut self) {
        self.filled = 0;
    }

    /// Marks `n` more bytes as filled.
    ///
    /// # Panics
    ///
    /// Panics if the filled part would pass the initialized part.
    #[inline]
    #[track_caller]
    pub fn advance(&mut self, n: usize) {
        let new = self.filled.checked_add(n).expect("filled overflow");
        self.set_filled(new);
    }

    /// Sets the filled length.
    ///
    /// # Panics
    ///
    /// Panics if `n` passes the initialized part.
    #[inline]
    #[track_caller]
    pub fn set_filled(&mut self, n: usize) {
        assert!(
            n <= self.initialized,
            "filled must not become larger than initialized"
        );
        self.filled = n;
    }

    /// Declares the first `n` unfilled bytes initialized.
    ///
    /// # Safety
    ///
    /// The caller must have initialized `unfilled_mut()[..n]`.
    #[inline]
    pub unsafe fn assume_init(&mut self, n: usize) {
        let new = self.filled + n;
        if new > self.initialized {
            self.initialized = new;
        }
    }

    /// Appends `src` to the filled part.
    ///
    /// # Panics
    ///
    /// Panics if `remaining() < src.len()`.
    #[inline]
    #[track_caller]
    pub fn put_slice(&mut self, src: &[u8]) {
        assert!(
            self.remaining() >= src.len(),
            "buf.len() must fit in remaining(); buf.len() = {}, remaining() = {}",
            src.len(),
            self.remaining()
        );
        let end = self.filled + src.len();
        let dst = &mut self.buf[self.filled..end];
        // SAFETY: `dst` and `src` have the same length (checked by the
        // assert), are valid for it, and cannot overlap (`src` is shared,
        // `dst` exclusively borrowed).
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr().cast::<u8>(), src.len());
        }
        if self.initialized < end {
            self.initialized = end;
        }
        self.filled = end;
    }
}

impl fmt::Debug for ReadBuf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBuf")
            .field("filled", &self.filled)
            .field("initialized", &self.initialized)
            .field("capacity", &self.capacity())
            .finish()
    }
}
