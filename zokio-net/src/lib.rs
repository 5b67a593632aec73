//! zokio-net (arrives with its issue).
#![deny(unsafe_code)]
