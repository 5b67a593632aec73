//! One `async fn` per `std::fs` function, each a single call on the
//! blocking pool.

use crate::asyncify;
use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

/// Reads the whole file at `path` into a vector (`std::fs::read`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let data = zokio::fs::read("Cargo.toml").await?;
/// assert!(!data.is_empty());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    #[cfg(target_os = "linux")]
    return crate::in_place::read(path.as_ref()).await;
    #[cfg(not(target_os = "linux"))]
    {
        let path = path.as_ref().to_owned();
        asyncify(move || std::fs::read(path)).await
    }
}

/// Reads the whole file at `path` into a string (`std::fs::read_to_string`).
///
/// A file that is not valid UTF-8 gives an error of kind `InvalidData`.
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let text = zokio::fs::read_to_string("Cargo.toml").await?;
/// assert!(text.contains("[package]"));
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    #[cfg(target_os = "linux")]
    return String::from_utf8(crate::in_place::read(path.as_ref()).await?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    });
    #[cfg(not(target_os = "linux"))]
    {
        let path = path.as_ref().to_owned();
        asyncify(move || std::fs::read_to_string(path)).await
    }
}

/// Creates or truncates the file at `path` and writes `contents` to it (`std::fs::write`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify(move || std::fs::write(path, contents)).await
}

/// The metadata of `path`, following symlinks (`std::fs::metadata`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let meta = zokio::fs::metadata("Cargo.toml").await?;
/// assert!(meta.is_file());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    #[cfg(target_os = "linux")]
    return crate::in_place::metadata(path.as_ref(), true).await;
    #[cfg(not(target_os = "linux"))]
    {
        let path = path.as_ref().to_owned();
        asyncify(move || std::fs::metadata(path)).await
    }
}

/// The metadata of `path` itself, not following a symlink (`std::fs::symlink_metadata`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let meta = zokio::fs::symlink_metadata("Cargo.toml").await?;
/// assert!(!meta.file_type().is_symlink());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    #[cfg(target_os = "linux")]
    return crate::in_place::metadata(path.as_ref(), false).await;
    #[cfg(not(target_os = "linux"))]
    {
        let path = path.as_ref().to_owned();
        asyncify(move || std::fs::symlink_metadata(path)).await
    }
}

/// Creates the directory `path`; its parent must exist (`std::fs::create_dir`).
///
/// An existing `path` gives an error of kind `AlreadyExists`.
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir(path)).await
}

/// Creates the directory `path` and any missing parents (`std::fs::create_dir_all`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::create_dir_all(path)).await
}

/// Removes the file `path` (`std::fs::remove_file`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_file(path)).await
}

/// Removes the empty directory `path` (`std::fs::remove_dir`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir(path)).await
}

/// Removes the directory `path` and everything in it (`std::fs::remove_dir_all`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::remove_dir_all(path)).await
}

/// Renames `from` to `to`, replacing `to` if it exists (`std::fs::rename`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let from = from.as_ref().to_owned();
    let to = to.as_ref().to_owned();
    asyncify(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permissions of `from` to `to`; returns the bytes copied (`std::fs::copy`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let from = from.as_ref().to_owned();
    let to = to.as_ref().to_owned();
    asyncify(move || std::fs::copy(from, to)).await
}

/// Creates `link` as a new hard link to `original` (`std::fs::hard_link`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let original = original.as_ref().to_owned();
    let link = link.as_ref().to_owned();
    asyncify(move || std::fs::hard_link(original, link)).await
}

/// The absolute form of `path`, with every symlink resolved (`std::fs::canonicalize`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let abs = zokio::fs::canonicalize(".").await?;
/// assert!(abs.is_absolute());
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::canonicalize(path)).await
}

/// The target of the symlink `path` (`std::fs::read_link`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::read_link(path)).await
}

/// Sets the permissions of `path` (`std::fs::set_permissions`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify(move || std::fs::set_permissions(path, perm)).await
}

/// Whether `path` exists: `Ok(false)` for a broken symlink or a missing
/// entry, an error if it cannot be told (`Path::try_exists`).
///
/// # Errors
///
/// The error of the `std` call, with its `io::ErrorKind`, e.g. `NotFound`,
/// `PermissionDenied`, `AlreadyExists`, `NotADirectory`.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started on the
/// pool; it runs to completion and its result is discarded.
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// assert!(zokio::fs::try_exists("Cargo.toml").await?);
/// assert!(!zokio::fs::try_exists("no/such/file").await?);
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    // `Path::try_exists`: follow symlinks; "not found" is `false`.
    match metadata(path).await {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Creates `link` as a symlink to `original` (`std::os::unix::fs::symlink`).
///
/// # Errors
///
/// The error of the `std` call, e.g. `AlreadyExists` if `link` exists.
///
/// # Cancel safety
///
/// Dropping the future does not stop the call once it has started.
#[cfg(unix)]
pub async fn symlink(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let original = original.as_ref().to_owned();
    let link = link.as_ref().to_owned();
    asyncify(move || std::os::unix::fs::symlink(original, link)).await
}
