//! Loom models and shared test helpers.
