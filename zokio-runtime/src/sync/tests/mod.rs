//! Unit tests (`unit_*`) and loom models (`loom_*`) of the sync primitives.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

mod support;

#[cfg(not(loom))]
mod unit_broadcast;
#[cfg(not(loom))]
mod unit_misc;
#[cfg(not(loom))]
mod unit_mpsc;
#[cfg(not(loom))]
mod unit_mutex;
#[cfg(not(loom))]
mod unit_notify;
#[cfg(not(loom))]
mod unit_oneshot;
#[cfg(not(loom))]
mod unit_rwlock;
#[cfg(not(loom))]
mod unit_semaphore;
#[cfg(not(loom))]
mod unit_watch;

mod loom_broadcast;
mod loom_mpsc;
mod loom_mutex;
mod loom_notify;
mod loom_oneshot;
mod loom_semaphore;
mod loom_watch;
