//! Shared harness for the head-to-head benchmarks (being written).
