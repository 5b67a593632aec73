//! Small building blocks shared by the runtime's parts.

pub(crate) mod linked_list;
pub(crate) mod rand;
pub(crate) mod spin;
