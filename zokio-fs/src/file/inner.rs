//! The state machine behind [`File`](super::File): see the rules in the
//! parent module's doc.

use crate::background_failed;
#[cfg(target_os = "linux")]
use crate::nowait::Attempt;
use std::future::Future;
use std::io::{self, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};
use zokio_runtime::io::ReadBuf;
#[cfg(target_os = "linux")]
use zokio_runtime::io_support::poll_take_budget;
use zokio_runtime::task::{spawn_blocking, spawn_mandatory_blocking, JoinHandle};

pub(super) struct Inner {
    state: State,
    /// Bytes accepted while a write is in flight, which that pool call
    /// writes too before it ends (rule 2).
    backlog: Arc<Mutex<Backlog>>,
    /// Whether the call in flight is a write (so the backlog may grow).
    writing: bool,
    /// The error of a background write, for the next operation.
    last_write_err: Option<io::Error>,
    /// The result of a seek run in place, for `poll_complete`.
    seek_done: Option<io::Result<u64>>,
    /// The position returned by the last seek.
    pos: u64,
    /// Whether reads try the page cache in place first (rule 6): `None`
    /// until the first read asks (local file system, no `O_DIRECT`), and
    /// off for good once the kernel refused.
    #[cfg(target_os = "linux")]
    nowait_reads: Option<bool>,
}

/// The bytes a running write call takes after its own, shared between the
/// `File` (which appends) and the pool call (which drains).
///
/// `draining` is true from the moment a write is started until its pool
/// call finds `bytes` empty, under the lock, and ends: so bytes appended
/// while it is true are always written by that call, and a `File` that
/// finds it false starts a new call instead.
#[derive(Default)]
struct Backlog {
    bytes: Vec<u8>,
    draining: bool,
    /// A `poll_write` waiting for room in `bytes`.
    waker: Option<Waker>,
}

impl Backlog {
    /// Wakes the writer waiting for room, if any.
    fn wake_writer(&mut self) {
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

enum State {
    Idle(Option<Buf>),
    Busy(JoinHandle<(Operation, Buf)>),
}

enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    Seek(io::Result<u64>),
}

/// What [`Inner::poll_step`] saw end.
enum Step {
    /// Nothing was in flight.
    Idle,
    /// A write call ended, backlog drained (its error, if any, is in
    /// `last_write_err`).
    Wrote,
    Read(io::Result<usize>),
    Seek(io::Result<u64>),
}

/// The bytes of a `File`: `data[pos..end]` is read-ahead (after a read) or
/// not yet written (inside a write call). `data.len()` only grows, so
/// reads do not zero memory again.
#[derive(Default)]
struct Buf {
    data: Vec<u8>,
    pos: usize,
    end: usize,
}

impl Buf {
    fn is_empty(&self) -> bool {
        self.pos == self.end
    }

    /// Hands out read-ahead bytes.
    fn copy_to(&mut self, dst: &mut ReadBuf<'_>) {
        let n = std::cmp::min(self.end - self.pos, dst.remaining());
        dst.put_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
    }

    /// Drops the read-ahead bytes; returns the offset that moves the OS
    /// position back over them.
    fn discard_read(&mut self) -> i64 {
        let n = (self.end - self.pos) as i64;
        self.pos = 0;
        self.end = 0;
        -n
    }

    /// Takes bytes to write from `bufs`, up to `max`.
    fn copy_from(&mut self, bufs: &[IoSlice<'_>], max: usize) -> usize {
        debug_assert!(self.is_empty(), "a write starts with an empty buffer");
        self.data.clear();
        let n = append(&mut self.data, bufs, max);
        self.pos = 0;
        self.end = n;
        n
    }

    /// On the pool: reads up to `want` bytes.
    fn read_from(&mut self, file: &std::fs::File, want: usize) -> io::Result<usize> {
        if self.data.len() < want {
            self.data.resize(want, 0);
        }
        let res = loop {
            match (&*file).read(&mut self.data[..want]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                res => break res,
            }
        };
        self.pos = 0;
        self.end = *res.as_ref().unwrap_or(&0);
        res
    }

    /// On the pool: writes all pending bytes.
    fn write_to(&mut self, file: &std::fs::File) -> io::Result<()> {
        let res = (&*file).write_all(&self.data[self.pos..self.end]);
        self.pos = 0;
        self.end = 0;
        res
    }
}

/// Appends bytes of `bufs` to `dst` until it holds `max`; returns how many.
fn append(dst: &mut Vec<u8>, bufs: &[IoSlice<'_>], max: usize) -> usize {
    let mut n = 0;
    for b in bufs {
        let room = max.saturating_sub(dst.len());
        if room == 0 {
            break;
        }
        let take = std::cmp::min(room, b.len());
        dst.extend_from_slice(&b[..take]);
        n += take;
    }
    n
}

/// Starts a write of `buf` on the pool, after moving the offset by
/// `seek`; the call then writes whatever the backlog gathers meanwhile,
/// until it finds it empty. The bytes were (or are about to be) reported
/// written, so the job is mandatory: a runtime shutdown does not cancel it
/// (if the pool is already shut down it runs right here).
fn spawn_write(
    std: &Arc<std::fs::File>,
    mut buf: Buf,
    seek: i64,
    backlog: &Arc<Mutex<Backlog>>,
) -> JoinHandle<(Operation, Buf)> {
    let std = std.clone();
    let backlog = backlog.clone();
    lock(&backlog).draining = true;
    spawn_mandatory_blocking(move || {
        let mut res = if seek != 0 {
            (&*std).seek(SeekFrom::Current(seek)).map(drop)
        } else {
            Ok(())
        };
        loop {
            res = res.and_then(|()| buf.write_to(&std));
            let mut backlog = lock(&backlog);
            if res.is_err() {
                // Rule 2: a failed write drops what was queued behind it.
                backlog.bytes.clear();
            }
            if backlog.bytes.is_empty() {
                backlog.draining = false;
                backlog.wake_writer();
                break;
            }
            std::mem::swap(&mut buf.data, &mut backlog.bytes);
            backlog.bytes.clear();
            buf.pos = 0;
            buf.end = buf.data.len();
            // There is room again.
            backlog.wake_writer();
        }
        (Operation::Write(res), buf)
    })
}

/// Locks the backlog (a panic while it was held cannot leave it
/// inconsistent: every update is a single step).
fn lock(backlog: &Mutex<Backlog>) -> MutexGuard<'_, Backlog> {
    backlog.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    pub(super) fn new() -> Inner {
        Inner {
            state: State::Idle(Some(Buf::default())),
            backlog: Arc::default(),
            writing: false,
            last_write_err: None,
            seek_done: None,
            pos: 0,
            #[cfg(target_os = "linux")]
            nowait_reads: None,
        }
    }

    fn idle_buf(&mut self) -> &mut Buf {
        match &mut self.state {
            State::Idle(buf) => buf.as_mut().expect("an idle File holds its buffer"),
            State::Busy(_) => unreachable!("idle_buf is called when the File is idle"),
        }
    }

    fn take_idle_buf(&mut self) -> Buf {
        match &mut self.state {
            State::Idle(buf) => buf.take().expect("an idle File holds its buffer"),
            State::Busy(_) => unreachable!("take_idle_buf is called when the File is idle"),
        }
    }

    /// Waits for the call in flight, if any, and records its outcome. A
    /// write call ends only once it has drained the backlog (rule 2).
    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Step> {
        let State::Busy(join) = &mut self.state else {
            return Poll::Ready(Step::Idle);
        };
        let (op, buf) = match ready!(Pin::new(join).poll(cx)) {
            Ok(done) => done,
            Err(e) => {
                // The pool call never returned (it panicked): its buffer is
                // gone, report the failure once.
                self.state = State::Idle(Some(Buf::default()));
                self.writing = false;
                let mut backlog = lock(&self.backlog);
                backlog.bytes.clear();
                backlog.draining = false;
                drop(backlog);
                self.last_write_err = Some(background_failed(&e));
                return Poll::Ready(Step::Wrote);
            }
        };
        self.writing = false;
        self.state = State::Idle(Some(buf));
        match op {
            Operation::Write(res) => {
                if let Err(e) = res {
                    self.last_write_err = Some(e);
                }
                Poll::Ready(Step::Wrote)
            }
            Operation::Read(res) => Poll::Ready(Step::Read(res)),
            Operation::Seek(res) => {
                if let Ok(pos) = res {
                    self.pos = pos;
                }
                Poll::Ready(Step::Seek(res))
            }
        }
    }

    /// Waits until nothing is in flight (a write call ends only with the
    /// backlog drained).
    pub(super) fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        while !matches!(ready!(self.poll_step(cx)), Step::Idle) {}
        Poll::Ready(())
    }

    /// Waits for everything in flight, then returns a pending write error.
    pub(super) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_idle(cx));
        Poll::Ready(self.last_write_err.take().map_or(Ok(()), Err))
    }

    pub(super) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        max_buf_size: usize,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            match ready!(self.poll_step(cx)) {
                Step::Read(Ok(_)) => {
                    self.idle_buf().copy_to(dst);
                    return Poll::Ready(Ok(()));
                }
                Step::Read(Err(e)) => return Poll::Ready(Err(e)),
                Step::Wrote | Step::Seek(_) => continue,
                Step::Idle => {}
            }
            if let Some(e) = self.last_write_err.take() {
                return Poll::Ready(Err(e));
            }
            let buf = self.idle_buf();
            if !buf.is_empty() {
                buf.copy_to(dst);
                return Poll::Ready(Ok(()));
            }
            if dst.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            let want = std::cmp::min(dst.remaining(), max_buf_size);
            #[cfg(target_os = "linux")]
            if self.nowait_reads != Some(false) {
                // Rule 6: straight from the page cache into `dst`, if the
                // kernel can.
                let allowed = *self
                    .nowait_reads
                    .get_or_insert_with(|| crate::nowait::file_reads_in_place(std));
                if allowed {
                    let unit = ready!(poll_take_budget(cx));
                    match crate::nowait::read_into(std, dst, want) {
                        Attempt::Done(res) => {
                            unit.spend();
                            return Poll::Ready(res);
                        }
                        Attempt::UsePool => {}
                        Attempt::Unsupported => self.nowait_reads = Some(false),
                    }
                }
            }
            let mut buf = self.take_idle_buf();
            let std = std.clone();
            self.state = State::Busy(spawn_blocking(move || {
                let res = buf.read_from(&std, want);
                (Operation::Read(res), buf)
            }));
        }
    }

    pub(super) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
        max_buf_size: usize,
        src: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        loop {
            if let Some(e) = self.last_write_err.take() {
                return Poll::Ready(Err(e));
            }
            if src.iter().all(|b| b.is_empty()) {
                return Poll::Ready(Ok(0));
            }
            match self.state {
                State::Busy(_) if self.writing => {
                    let mut backlog = lock(&self.backlog);
                    if backlog.draining {
                        if backlog.bytes.len() < max_buf_size {
                            let n = append(&mut backlog.bytes, src, max_buf_size);
                            return Poll::Ready(Ok(n));
                        }
                        // Full: the pool call wakes us when it takes them.
                        backlog.waker = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                    drop(backlog);
                    // The call is ending: collect its result first.
                    ready!(self.poll_step(cx));
                }
                State::Busy(_) => {
                    ready!(self.poll_step(cx));
                }
                State::Idle(_) => {
                    let mut buf = self.take_idle_buf();
                    let seek = buf.discard_read();
                    let n = buf.copy_from(src, max_buf_size);
                    self.state = State::Busy(spawn_write(std, buf, seek, &self.backlog));
                    self.writing = true;
                    return Poll::Ready(Ok(n));
                }
            }
        }
    }

    pub(super) fn start_seek(
        &mut self,
        std: &Arc<std::fs::File>,
        mut pos: SeekFrom,
    ) -> io::Result<()> {
        if matches!(self.state, State::Busy(_)) {
            return Err(io::Error::other(
                "other file operation is pending, call poll_complete before start_seek",
            ));
        }
        let buf = self.idle_buf();
        if !buf.is_empty() {
            let back = buf.discard_read();
            if let SeekFrom::Current(offset) = &mut pos {
                *offset += back;
            }
        }
        match pos {
            // Rule 4: only the offset moves; no I/O.
            SeekFrom::Start(_) | SeekFrom::Current(_) => {
                let res = (&**std).seek(pos);
                if let Ok(p) = res {
                    self.pos = p;
                }
                self.seek_done = Some(res);
            }
            SeekFrom::End(_) => {
                let mut buf = self.take_idle_buf();
                let std = std.clone();
                self.state = State::Busy(spawn_blocking(move || {
                    let res = (&*std).seek(pos);
                    buf.discard_read();
                    (Operation::Seek(res), buf)
                }));
            }
        }
        Ok(())
    }

    pub(super) fn poll_complete(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        loop {
            match ready!(self.poll_step(cx)) {
                Step::Seek(res) => return Poll::Ready(res),
                Step::Read(_) | Step::Wrote => continue,
                Step::Idle => {
                    if let Some(res) = self.seek_done.take() {
                        return Poll::Ready(res);
                    }
                    if let Some(e) = self.last_write_err.take() {
                        return Poll::Ready(Err(e));
                    }
                    return Poll::Ready(Ok(self.pos));
                }
            }
        }
    }

    /// Whether a call is (or may be) in flight, or an error is pending.
    pub(super) fn is_busy_or_failed(&self) -> bool {
        matches!(self.state, State::Busy(_)) || self.last_write_err.is_some()
    }

    /// In place, when idle: moves the OS offset back over read-ahead bytes
    /// so the position is the one the user saw.
    pub(super) fn rewind_read_ahead(&mut self, std: &std::fs::File) -> io::Result<()> {
        let back = self.idle_buf().discard_read();
        if back != 0 {
            (&*std).seek(SeekFrom::Current(back))?;
        }
        Ok(())
    }
}
