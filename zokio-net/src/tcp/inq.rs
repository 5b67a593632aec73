//! Reads that learn whether they emptied the receive queue (Linux's
//! `TCP_INQ`), so a stream skips the `WouldBlock` read a length alone
//! cannot rule out.
//!
//! After a read that fills its whole buffer, the reader cannot tell whether
//! more bytes are queued: the next read has to try the syscall, and in a
//! request/response exchange it usually gets `WouldBlock` (the reply has
//! not come yet). With the `TCP_INQ` socket option on, every `recvmsg`
//! carries a control message saying how many bytes are still queued; when
//! it says none, the stream drops its read readiness at once and the next
//! read waits for the driver's event instead.
//!
//! Invariants:
//! - The option is switched on lazily, by the first read that filled its
//!   buffer; a stream that never reads a full buffer pays nothing. A
//!   kernel that refuses it (before 4.18) is remembered and never asked
//!   again.
//! - The report is a hint about the moment of the read: bytes that arrive
//!   later raise a new edge-triggered event, which the driver records with
//!   a newer tick, so clearing the readiness seen before the read cannot
//!   lose them (the same argument as for a short read).
//! - After the peer's FIN the kernel reports a non-zero count, so the
//!   end of stream is never hidden behind a cleared readiness.
//! - The option stays on after `into_std`. Plain `read`/`recv` calls are
//!   unaffected; a caller's own `recvmsg` with a control buffer also gets a
//!   `TCP_CM_INQ` message (it may see `MSG_CTRUNC` if its buffer has no
//!   room for it).
//! - A socket with an upper-layer protocol (kernel TLS) never gets the
//!   option: its reads stay plain `recv`s, as without this module.

use std::io::{self, Read};
use std::os::unix::io::AsRawFd;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
use zokio_runtime::io_support::QueueAfterRead;

/// The option has not been asked for yet.
const OFF: u8 = 0;
/// The option is on: reads use `recvmsg` and report the queue.
const ON: u8 = 1;
/// The kernel refused the option: plain reads from now on.
const UNSUPPORTED: u8 = 2;

/// Per-stream state of the `TCP_INQ` option.
#[derive(Debug, Default)]
pub(crate) struct Inq(AtomicU8);

impl Inq {
    /// Reads from `stream` into `dst`, reporting the queue when it can.
    pub(crate) fn read(
        &self,
        stream: &mio::net::TcpStream,
        dst: &mut [u8],
    ) -> io::Result<(usize, QueueAfterRead)> {
        let fd = stream.as_raw_fd();
        match self.0.load(Relaxed) {
            ON => recv_with_inq(fd, dst),
            state => {
                let n = (&*stream).read(dst)?;
                // Only a full read leaves the question open; ask for the
                // option the first time that happens.
                if state == OFF && n == dst.len() && n > 0 {
                    let next = if !has_ulp(fd) && enable(fd) {
                        ON
                    } else {
                        UNSUPPORTED
                    };
                    self.0.store(next, Relaxed);
                }
                Ok((n, QueueAfterRead::Unknown))
            }
        }
    }
}

/// Whether an upper-layer protocol (kernel TLS, say) sits on the socket.
/// Such a socket keeps plain reads: with a control buffer, kernel TLS
/// would hand its control records to `recvmsg` instead of failing the
/// read.
fn has_ulp(fd: libc::c_int) -> bool {
    let mut name = [0u8; 16];
    let mut len = name.len() as libc::socklen_t;
    // SAFETY: `name` is live and writable for `len` bytes, and `len` is a
    // live `socklen_t` the kernel updates.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_TCP,
            libc::TCP_ULP,
            name.as_mut_ptr().cast(),
            &mut len,
        )
    };
    // A kernel without ULPs (ENOPROTOOPT) has none on this socket either.
    rc == 0 && len > 0 && name[0] != 0
}

/// Turns `TCP_INQ` on; `false` if the kernel refused.
fn enable(fd: libc::c_int) -> bool {
    let on: libc::c_int = 1;
    // SAFETY: `fd` is the stream's open socket (borrowed for this call),
    // and the option value points at a live `c_int` of the length passed.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_TCP,
            libc::TCP_INQ,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    rc == 0
}

/// Room for one control message carrying a `c_int`, aligned for
/// `cmsghdr`.
#[repr(C)]
struct CmsgBuf {
    _align: [libc::cmsghdr; 0],
    bytes: [u8; 64],
}

/// A `recvmsg` that also reads the `TCP_CM_INQ` control message.
fn recv_with_inq(fd: libc::c_int, dst: &mut [u8]) -> io::Result<(usize, QueueAfterRead)> {
    let mut iov = libc::iovec {
        iov_base: dst.as_mut_ptr().cast(),
        iov_len: dst.len(),
    };
    let mut control = CmsgBuf {
        _align: [],
        bytes: [0; 64],
    };
    // SAFETY: an all-zero `msghdr` is a valid value (null pointers, zero
    // lengths); the fields that matter are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes.as_mut_ptr().cast();
    msg.msg_controllen = control.bytes.len() as _;
    // SAFETY: `msg` points at one iovec describing `dst` (live and writable
    // for the call) and at `control`'s 64 bytes, aligned for `cmsghdr`;
    // all of them outlive the call.
    let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut queue = QueueAfterRead::Unknown;
    // SAFETY: the kernel filled `msg_control`/`msg_controllen` with whole
    // control messages inside `control`; CMSG_FIRSTHDR/CMSG_NXTHDR stay
    // within those bounds and return null past the end, and CMSG_DATA of a
    // message whose length covers a `c_int` points at that `c_int`.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
        while !cmsg.is_null() {
            let c = &*cmsg;
            let full = libc::CMSG_LEN(std::mem::size_of::<libc::c_int>() as u32) as usize;
            if c.cmsg_level == libc::SOL_TCP
                && c.cmsg_type == libc::TCP_CM_INQ
                && c.cmsg_len as usize >= full
            {
                let inq = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<libc::c_int>());
                queue = if inq == 0 {
                    QueueAfterRead::Empty
                } else {
                    QueueAfterRead::NotEmpty
                };
            }
            cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
        }
    }
    Ok((n as usize, queue))
}
