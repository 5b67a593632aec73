//! [`UCred`]: who is at the other end of a Unix-domain stream, as returned
//! by [`UnixStream::peer_cred`](super::UnixStream::peer_cred).
//!
//! Which call reads them on which OS is in [`UCred`]'s doc. Those
//! `getsockopt`/`getpeereid` calls are the only `unsafe` code in
//! zokio-net: each passes pointers to locals of the type the call writes,
//! with their sizes.

/// A user ID, as the OS defines it (`libc::uid_t`).
#[allow(non_camel_case_types)]
pub type uid_t = libc::uid_t;

/// A group ID, as the OS defines it (`libc::gid_t`).
#[allow(non_camel_case_types)]
pub type gid_t = libc::gid_t;

/// A process ID, as the OS defines it (`libc::pid_t`).
#[allow(non_camel_case_types)]
pub type pid_t = libc::pid_t;

/// The credentials of a process: its effective user and group ID and,
/// where the OS reports it, its process ID.
///
/// The kernel records the credentials when the connection is set up
/// (`socketpair` for [`UnixStream::pair`]; on Linux, the connecting side's
/// at `connect` and the listening side's at `listen`), so they describe
/// the peer as it was then, not as it is now. How they are read depends on
/// the OS:
///
/// | OS | call | pid |
/// |---|---|---|
/// | Linux, Android | `getsockopt(SOL_SOCKET, SO_PEERCRED)` | yes |
/// | macOS, iOS and the other Apple targets | `getpeereid`, then `getsockopt(SOL_LOCAL, LOCAL_PEERPID)` | yes |
/// | FreeBSD, DragonFly, NetBSD, OpenBSD | `getpeereid` | `None` |
///
/// On other Unix targets `UCred` exists but `peer_cred` does not.
///
/// [`UnixStream::pair`]: super::UnixStream::pair
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct UCred {
    uid: uid_t,
    gid: gid_t,
    pid: Option<pid_t>,
}

impl UCred {
    /// The process's effective user ID.
    pub fn uid(&self) -> uid_t {
        self.uid
    }

    /// The process's effective group ID.
    pub fn gid(&self) -> gid_t {
        self.gid
    }

    /// The process's ID, on Linux, Android and Apple targets; `None` on the
    /// BSDs, whose `getpeereid` does not report it.
    pub fn pid(&self) -> Option<pid_t> {
        self.pid
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) use self::so_peercred::peer_cred;

#[cfg(target_vendor = "apple")]
pub(crate) use self::apple::peer_cred;

#[cfg(any(
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "openbsd"
))]
pub(crate) use self::bsd::peer_cred;

#[cfg(any(target_os = "linux", target_os = "android"))]
#[allow(unsafe_code)]
mod so_peercred {
    use super::UCred;
    use std::io;
    use std::mem::size_of;
    use std::os::unix::io::{AsRawFd, BorrowedFd};

    pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<UCred> {
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let expected = size_of::<libc::ucred>();
        let mut len = expected as libc::socklen_t;
        // SAFETY: `fd` is a live descriptor for as long as the borrow
        // lasts; `cred` is a `libc::ucred`, the type SO_PEERCRED fills in,
        // and `len` holds its size, so the kernel writes at most that many
        // bytes into memory we own and stores the length it wrote in `len`.
        let ret = unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&raw mut cred).cast(),
                &mut len,
            )
        };
        if ret != 0 {
            return Err(io::Error::last_os_error());
        }
        if len as usize != expected {
            return Err(io::Error::other("SO_PEERCRED returned a short ucred"));
        }
        Ok(UCred {
            uid: cred.uid,
            gid: cred.gid,
            pid: Some(cred.pid),
        })
    }
}

/// `getpeereid`, shared by the BSDs and Apple targets.
#[cfg(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "openbsd"
))]
#[allow(unsafe_code)]
mod peereid {
    use std::io;
    use std::os::unix::io::{AsRawFd, BorrowedFd};

    /// The peer's effective uid and gid.
    pub(super) fn uid_gid(fd: BorrowedFd<'_>) -> io::Result<(libc::uid_t, libc::gid_t)> {
        let mut uid: libc::uid_t = 0;
        let mut gid: libc::gid_t = 0;
        // SAFETY: `fd` is live for the borrow; `uid` and `gid` are locals
        // of exactly the types `getpeereid` writes through its pointers.
        let ret = unsafe { libc::getpeereid(fd.as_raw_fd(), &mut uid, &mut gid) };
        if ret != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok((uid, gid))
    }
}

#[cfg(any(
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "openbsd"
))]
mod bsd {
    use super::UCred;
    use std::io;
    use std::os::unix::io::BorrowedFd;

    pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<UCred> {
        let (uid, gid) = super::peereid::uid_gid(fd)?;
        Ok(UCred {
            uid,
            gid,
            pid: None,
        })
    }
}

#[cfg(target_vendor = "apple")]
#[allow(unsafe_code)]
mod apple {
    use super::UCred;
    use std::io;
    use std::mem::size_of;
    use std::os::unix::io::{AsRawFd, BorrowedFd};

    pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<UCred> {
        let (uid, gid) = super::peereid::uid_gid(fd)?;
        let mut pid: libc::pid_t = 0;
        let expected = size_of::<libc::pid_t>();
        let mut len = expected as libc::socklen_t;
        // SAFETY: `fd` is live for the borrow; LOCAL_PEERPID writes one
        // `pid_t`, and `pid` is a local `pid_t` whose size is in `len`, so
        // the kernel writes only into memory we own.
        let ret = unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                libc::SOL_LOCAL,
                libc::LOCAL_PEERPID,
                (&raw mut pid).cast(),
                &mut len,
            )
        };
        // uid and gid are the part every platform has: a peer whose pid
        // cannot be read still yields them.
        let pid = (ret == 0 && len as usize == expected).then_some(pid);
        Ok(UCred { uid, gid, pid })
    }
}
