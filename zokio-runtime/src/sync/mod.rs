//! Synchronization primitives (arriving with the sync issue).
