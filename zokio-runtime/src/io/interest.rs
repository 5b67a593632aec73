//! [`Interest`]: the readiness a caller waits for.

use std::fmt;
use std::ops;

const READABLE: u8 = 0b0001;
const WRITABLE: u8 = 0b0010;
const PRIORITY: u8 = 0b0100;
const ERROR: u8 = 0b1000;

/// The readiness events a caller is interested in.
///
/// # Examples
///
/// ```
/// use zokio::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// ```
#[derive(Clone, Copy, Eq, PartialEq, Hash)]
pub struct Interest(u8);

impl Interest {
    /// Interest in reading.
    pub const READABLE: Interest = Interest(READABLE);
    /// Interest in writing.
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Interest in priority data (Linux and Android `EPOLLPRI`).
    pub const PRIORITY: Interest = Interest(PRIORITY);
    /// Interest in error readiness (always reported by the OS; this only
    /// selects it for `ready()`-style waits).
    pub const ERROR: Interest = Interest(ERROR);

    /// Whether readable interest is set.
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether writable interest is set.
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether priority interest is set.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether error interest is set.
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Both sets together.
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// This set without `other`, or `None` if nothing would be left.
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let bits = self.0 & !other.0;
        (bits != 0).then_some(Interest(bits))
    }

    /// The mio interest to register with. Error readiness needs no
    /// registration: the OS always reports it, so an error-only interest
    /// registers for reads.
    pub(crate) fn to_mio(self) -> mio::Interest {
        let mut mio: Option<mio::Interest> = None;
        let mut add = |i: mio::Interest| {
            mio = Some(match mio {
                Some(m) => m.add(i),
                None => i,
            });
        };
        if self.is_readable() {
            add(mio::Interest::READABLE);
        }
        if self.is_writable() {
            add(mio::Interest::WRITABLE);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.is_priority() {
            add(mio::Interest::PRIORITY);
        }
        mio.unwrap_or(mio::Interest::READABLE)
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = false;
        for (bit, name) in [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (PRIORITY, "PRIORITY"),
            (ERROR, "ERROR"),
        ] {
            if self.0 & bit != 0 {
                if sep {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                sep = true;
            }
        }
        Ok(())
    }
}
