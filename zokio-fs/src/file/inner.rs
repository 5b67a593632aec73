//! The state machine behind [`File`](super::File): see the rules in the
//! parent module's doc.

use crate::background_failed;
use std::future::Future;
use std::io::{self, IoSlice, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Wake, Waker};
use zokio_runtime::io::ReadBuf;
use zokio_runtime::runtime::Handle;
use zokio_runtime::task::{spawn_blocking, spawn_mandatory_blocking, JoinHandle};

pub(super) struct Inner {
    state: State,
    /// Bytes accepted while a write is in flight (rule 2).
    queued: Vec<u8>,
    /// The file `queued` goes to, held while `queued` is not empty so a
    /// drop can still write it (rule 5).
    queued_file: Option<Arc<std::fs::File>>,
    /// Whether the call in flight is a write (so `queued` may grow).
    writing: bool,
    /// The error of a background write, for the next operation.
    last_write_err: Option<io::Error>,
    /// The result of a seek run in place, for `poll_complete`.
    seek_done: Option<io::Result<u64>>,
    /// The position returned by the last seek.
    pos: u64,
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
    /// A write ended (its error, if any, is in `last_write_err`), or a
    /// queued write was started.
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

/// Starts a write of `buf` on the pool. The bytes were (or are about to
/// be) reported written, so the job is mandatory: a runtime shutdown does
/// not cancel it (if the pool is already shut down it runs right here).
fn spawn_write(std: &Arc<std::fs::File>, mut buf: Buf, seek: i64) -> JoinHandle<(Operation, Buf)> {
    let std = std.clone();
    spawn_mandatory_blocking(move || {
        let res = if seek != 0 {
            (&*std)
                .seek(SeekFrom::Current(seek))
                .and_then(|_| buf.write_to(&std))
        } else {
            buf.write_to(&std)
        };
        (Operation::Write(res), buf)
    })
}

impl Inner {
    pub(super) fn new() -> Inner {
        Inner {
            state: State::Idle(Some(Buf::default())),
            queued: Vec::new(),
            queued_file: None,
            writing: false,
            last_write_err: None,
            seek_done: None,
            pos: 0,
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

    /// Waits for the call in flight, if any, and records its outcome
    /// (rule 2: a finished write starts the queued bytes).
    fn poll_step(&mut self, cx: &mut Context<'_>, std: &Arc<std::fs::File>) -> Poll<Step> {
        let State::Busy(join) = &mut self.state else {
            return Poll::Ready(Step::Idle);
        };
        let (op, mut buf) = match ready!(Pin::new(join).poll(cx)) {
            Ok(done) => done,
            Err(e) => {
                // The pool call never returned (runtime shutdown): its
                // buffer is gone, report the failure once.
                self.state = State::Idle(Some(Buf::default()));
                self.writing = false;
                self.queued.clear();
                self.queued_file = None;
                self.last_write_err = Some(background_failed(&e));
                return Poll::Ready(Step::Wrote);
            }
        };
        self.writing = false;
        match op {
            Operation::Write(Ok(())) if !self.queued.is_empty() => {
                std::mem::swap(&mut buf.data, &mut self.queued);
                self.queued.clear();
                self.queued_file = None;
                buf.pos = 0;
                buf.end = buf.data.len();
                self.state = State::Busy(spawn_write(std, buf, 0));
                self.writing = true;
                Poll::Ready(Step::Wrote)
            }
            Operation::Write(res) => {
                self.state = State::Idle(Some(buf));
                if let Err(e) = res {
                    self.queued.clear();
                    self.queued_file = None;
                    self.last_write_err = Some(e);
                }
                Poll::Ready(Step::Wrote)
            }
            Operation::Read(res) => {
                self.state = State::Idle(Some(buf));
                Poll::Ready(Step::Read(res))
            }
            Operation::Seek(res) => {
                self.state = State::Idle(Some(buf));
                if let Ok(pos) = res {
                    self.pos = pos;
                }
                Poll::Ready(Step::Seek(res))
            }
        }
    }

    /// Waits until nothing is in flight and nothing is queued.
    pub(super) fn poll_idle(&mut self, cx: &mut Context<'_>, std: &Arc<std::fs::File>) -> Poll<()> {
        while !matches!(ready!(self.poll_step(cx, std)), Step::Idle) {}
        Poll::Ready(())
    }

    /// Waits for everything in flight, then returns a pending write error.
    pub(super) fn poll_flush(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
    ) -> Poll<io::Result<()>> {
        ready!(self.poll_idle(cx, std));
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
            match ready!(self.poll_step(cx, std)) {
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
                State::Busy(_) if self.writing && self.queued.len() < max_buf_size => {
                    if self.queued_file.is_none() {
                        self.queued_file = Some(std.clone());
                    }
                    return Poll::Ready(Ok(append(&mut self.queued, src, max_buf_size)));
                }
                State::Busy(_) => {
                    ready!(self.poll_step(cx, std));
                }
                State::Idle(_) => {
                    let mut buf = self.take_idle_buf();
                    let seek = buf.discard_read();
                    let n = buf.copy_from(src, max_buf_size);
                    self.state = State::Busy(spawn_write(std, buf, seek));
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

    pub(super) fn poll_complete(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<std::fs::File>,
    ) -> Poll<io::Result<u64>> {
        loop {
            match ready!(self.poll_step(cx, std)) {
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

impl Drop for Inner {
    /// Rule 5: the write in flight finishes on the pool by itself (it is
    /// mandatory, so even a runtime shutdown runs it); queued bytes are
    /// written after it by a mandatory pool call that waits for it, or
    /// here when there is no runtime.
    fn drop(&mut self) {
        let Some(std) = self.queued_file.take() else {
            return;
        };
        let queued = std::mem::take(&mut self.queued);
        let State::Busy(join) = std::mem::replace(&mut self.state, State::Idle(None)) else {
            unreachable!("bytes are queued only behind a write in flight");
        };
        let finish = move || {
            if let Ok((Operation::Write(Ok(())), _)) = wait(join) {
                let _ = (&*std).write_all(&queued);
            }
        };
        if Handle::try_current().is_ok() {
            drop(spawn_mandatory_blocking(finish));
        } else {
            // Outside a runtime nothing async runs on this thread: finish here.
            finish();
        }
    }
}

/// Blocks this (pool or non-runtime) thread until `join` completes.
fn wait<T>(join: JoinHandle<T>) -> Result<T, zokio_runtime::task::JoinError> {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut join = join;
    loop {
        if let Poll::Ready(res) = Pin::new(&mut join).poll(&mut cx) {
            return res;
        }
        std::thread::park();
    }
}
