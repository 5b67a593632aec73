//! Loom models, and the helpers they share with the unit tests.
//!
//! Every model runs through `crate::loom::model`, so without `--cfg loom` it
//! is an ordinary unit test that runs once. Run the models with:
//!
//! ```text
//! RUSTFLAGS="--cfg loom -C debug-assertions" LOOM_MAX_PREEMPTIONS=2 \
//!     cargo test -p zokio-runtime --lib --release loom_
//! ```

#![allow(clippy::disallowed_methods)]

pub(crate) mod support;

mod loom_idle;
mod loom_io;
mod loom_park;
mod loom_queue;
mod loom_task;
mod loom_time;
