//! Unit tests of the task state machine.
