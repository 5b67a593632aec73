//! zokio-fs (arrives with its issue).
#![deny(unsafe_code)]
