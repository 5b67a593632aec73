//! The io utilities: extension traits, buffered wrappers, copying,
//! splitting and in-memory pipes (`duplex`, `simplex`).

pub(crate) mod buf_read_ext;
pub(crate) mod buf_reader;
pub(crate) mod buf_stream;
pub(crate) mod buf_writer;
pub(crate) mod chain;
pub(crate) mod copy;
pub(crate) mod duplex;
pub(crate) mod join;
pub(crate) mod mem;
pub(crate) mod read_ext;
pub(crate) mod seek_ext;
pub(crate) mod simplex;
pub(crate) mod split;
pub(crate) mod take;
pub(crate) mod write_ext;
