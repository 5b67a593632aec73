//! The three runtimes behind one small interface, so every workload is
//! written once and runs the same code on each.
//!
//! - [`Rt`] is what the thread outside the runtime uses: spawn through a
//!   handle, `block_on`.
//! - [`Spawner`] is what code inside the runtime uses: for Zokio and Tokio
//!   the free `spawn` function (found through the thread-local context, as a
//!   user would write it), for smol the executor reference (as `smol::spawn`
//!   reaches its global executor).
//!
//! Every runtime gets [`WORKERS`] threads. smol is modelled as the brief
//! asks: an [`async_executor::Executor`] run by `WORKERS` std threads, each
//! in `futures_lite::future::block_on(ex.run(..))`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Worker threads per runtime.
pub const WORKERS: usize = 2;

/// Spawning from inside a runtime (a task, or its `block_on`).
pub trait Spawner: Copy + Send + Sync + 'static {
    /// A join handle whose output is the task's output (errors unwrapped).
    type Join<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// Spawns `fut` onto the runtime this code runs on.
    fn spawn<F>(self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Lets the task run on without anyone joining it.
    fn detach<T: Send + 'static>(join: Self::Join<T>);

    /// The runtime's own `yield_now`.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// A runtime as seen from a thread outside it.
pub trait Rt {
    /// The in-runtime spawner.
    type Spawner: Spawner;

    /// The name used in tables.
    const NAME: &'static str;

    /// The spawner to move into tasks.
    fn spawner(&self) -> Self::Spawner;

    /// Spawns from outside the runtime, through its handle.
    fn spawn_remote<F>(&self, fut: F) -> <Self::Spawner as Spawner>::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `fut` to completion on the calling thread, inside the runtime's
    /// context.
    fn block_on<F: Future>(&self, fut: F) -> F::Output;
}

/// Builds a 2-worker Zokio runtime with every driver enabled.
///
/// # Panics
///
/// If the runtime cannot be built.
pub fn zokio_runtime() -> zokio::runtime::Runtime {
    zokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .expect("build the Zokio runtime")
}

/// Builds a 2-worker Tokio runtime with every driver enabled.
///
/// # Panics
///
/// If the runtime cannot be built.
pub fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .expect("build the Tokio runtime")
}

/// Builds a 2-worker Tokio runtime without the I/O and time drivers: its
/// idle workers park on a condvar, not in `epoll`, as Zokio's do until its
/// drivers land.
///
/// # Panics
///
/// If the runtime cannot be built.
pub fn tokio_runtime_without_drivers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .expect("build the Tokio runtime")
}

/// A Zokio [`JoinHandle`](zokio::task::JoinHandle) that unwraps its result.
#[derive(Debug)]
pub struct ZokioJoin<T>(zokio::task::JoinHandle<T>);

impl<T> Future for ZokioJoin<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.expect("zokio task failed"))
    }
}

/// Spawns with `zokio::spawn`.
#[derive(Debug, Clone, Copy)]
pub struct ZokioSpawn;

impl Spawner for ZokioSpawn {
    type Join<T: Send + 'static> = ZokioJoin<T>;

    fn spawn<F>(self, fut: F) -> ZokioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        ZokioJoin(zokio::spawn(fut))
    }

    fn detach<T: Send + 'static>(join: ZokioJoin<T>) {
        drop(join);
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        zokio::task::yield_now()
    }
}

impl Rt for zokio::runtime::Runtime {
    type Spawner = ZokioSpawn;
    const NAME: &'static str = "zokio";

    fn spawner(&self) -> ZokioSpawn {
        ZokioSpawn
    }

    fn spawn_remote<F>(&self, fut: F) -> ZokioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        ZokioJoin(self.spawn(fut))
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        zokio::runtime::Runtime::block_on(self, fut)
    }
}

/// A Tokio [`JoinHandle`](tokio::task::JoinHandle) that unwraps its result.
#[derive(Debug)]
pub struct TokioJoin<T>(tokio::task::JoinHandle<T>);

impl<T> Future for TokioJoin<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.expect("tokio task failed"))
    }
}

/// Spawns with `tokio::spawn`.
#[derive(Debug, Clone, Copy)]
pub struct TokioSpawn;

impl Spawner for TokioSpawn {
    type Join<T: Send + 'static> = TokioJoin<T>;

    fn spawn<F>(self, fut: F) -> TokioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        TokioJoin(tokio::spawn(fut))
    }

    fn detach<T: Send + 'static>(join: TokioJoin<T>) {
        drop(join);
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

impl Rt for tokio::runtime::Runtime {
    type Spawner = TokioSpawn;
    const NAME: &'static str = "tokio";

    fn spawner(&self) -> TokioSpawn {
        TokioSpawn
    }

    fn spawn_remote<F>(&self, fut: F) -> TokioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        TokioJoin(self.spawn(fut))
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        tokio::runtime::Runtime::block_on(self, fut)
    }
}

/// smol: an `async_executor::Executor` run by [`WORKERS`] std threads.
///
/// The executor is leaked so tasks can hold a plain `&'static` to it (smol
/// itself keeps its executor in a global); dropping a `Smol` stops and joins
/// its threads.
#[derive(Debug)]
pub struct Smol {
    ex: &'static async_executor::Executor<'static>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Smol {
    /// Starts the executor threads.
    ///
    /// # Panics
    ///
    /// If a thread cannot be spawned.
    pub fn start() -> Smol {
        let ex: &'static async_executor::Executor<'static> =
            Box::leak(Box::new(async_executor::Executor::new()));
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..WORKERS)
            .map(|i| {
                let stopped = stopped.clone();
                std::thread::Builder::new()
                    .name(format!("smol-{i}"))
                    .spawn(move || {
                        // `recv` fails once `stop` is dropped: that ends `run`.
                        let _ = futures_lite::future::block_on(ex.run(stopped.recv()));
                    })
                    .expect("spawn a smol thread")
            })
            .collect();
        Smol {
            ex,
            stop: Some(stop),
            threads,
        }
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// An `async_executor::Task` that can be detached.
#[derive(Debug)]
pub struct SmolJoin<T>(async_executor::Task<T>);

impl<T> Future for SmolJoin<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// Spawns onto a smol executor.
#[derive(Debug, Clone, Copy)]
pub struct SmolSpawn(&'static async_executor::Executor<'static>);

impl Spawner for SmolSpawn {
    type Join<T: Send + 'static> = SmolJoin<T>;

    fn spawn<F>(self, fut: F) -> SmolJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SmolJoin(self.0.spawn(fut))
    }

    fn detach<T: Send + 'static>(join: SmolJoin<T>) {
        // Dropping an async-executor task would cancel it.
        join.0.detach();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }
}

impl Rt for Smol {
    type Spawner = SmolSpawn;
    const NAME: &'static str = "smol";

    fn spawner(&self) -> SmolSpawn {
        SmolSpawn(self.ex)
    }

    fn spawn_remote<F>(&self, fut: F) -> SmolJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SmolJoin(self.ex.spawn(fut))
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        futures_lite::future::block_on(fut)
    }
}
