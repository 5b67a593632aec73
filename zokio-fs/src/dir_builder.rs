//! [`DirBuilder`]: `std::fs::DirBuilder` whose `create` runs on the pool.

use crate::asyncify;
use std::io;
use std::path::Path;

/// Creates directories with options: recursive, and the mode on Unix.
/// The async twin of [`std::fs::DirBuilder`].
///
/// # Examples
///
/// ```
/// use zokio::fs::DirBuilder;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let root = std::env::temp_dir().join(format!("zokio-db-doc-{}", std::process::id()));
/// DirBuilder::new().recursive(true).create(root.join("a/b/c")).await?;
/// assert!(zokio::fs::metadata(root.join("a/b/c")).await?.is_dir());
/// zokio::fs::remove_dir_all(&root).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct DirBuilder {
    recursive: bool,
    #[cfg(unix)]
    mode: Option<u32>,
}

impl DirBuilder {
    /// A builder that creates one directory with the default mode.
    pub fn new() -> DirBuilder {
        DirBuilder::default()
    }

    /// Whether to create missing parents too (and accept an existing
    /// directory).
    pub fn recursive(&mut self, recursive: bool) -> &mut DirBuilder {
        self.recursive = recursive;
        self
    }

    /// The permission bits of the new directories (before the umask).
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut DirBuilder {
        self.mode = Some(mode);
        self
    }

    /// Creates `path` with these options.
    ///
    /// # Errors
    ///
    /// `AlreadyExists` if `path` exists (not recursive), `NotFound` for a
    /// missing parent (not recursive), `PermissionDenied`, ...
    ///
    /// # Cancel safety
    ///
    /// Once started, the creation finishes even if the future is dropped.
    pub async fn create(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref().to_owned();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(self.recursive);
        #[cfg(unix)]
        if let Some(mode) = self.mode {
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, mode);
        }
        asyncify(move || builder.create(path)).await
    }
}
