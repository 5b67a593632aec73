//! [`OpenOptions`]: `std::fs::OpenOptions` whose `open` runs on the pool.

use crate::{asyncify, File};
use std::io;
use std::path::Path;

/// Options for opening a file: which access, whether to create or
/// truncate. The async twin of [`std::fs::OpenOptions`].
///
/// # Examples
///
/// ```
/// use zokio::fs::OpenOptions;
/// use zokio::io::AsyncWriteExt;
///
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("zokio-oo-doc-{}", std::process::id()));
/// let mut f = OpenOptions::new().create(true).append(true).open(&path).await?;
/// f.write_all(b"line\n").await?;
/// f.flush().await?;
/// # zokio::fs::remove_file(&path).await?;
/// # std::io::Result::Ok(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Options with every flag off (as [`std::fs::OpenOptions::new`]).
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Opens for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Opens for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Opens for appending: every write goes to the end of the file.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncates an existing file to length 0 (needs `write`).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Creates the file if it does not exist (needs `write` or `append`).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Creates the file, failing with `AlreadyExists` if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits of a newly created file (before the umask).
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra flags for `open(2)` (e.g. `O_NOFOLLOW`); the access mode bits
    /// are ignored.
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    ///
    /// The error of `open`: `NotFound`, `PermissionDenied`, `AlreadyExists`
    /// (with `create_new`), `InvalidInput` for an invalid combination, ...
    ///
    /// # Cancel safety
    ///
    /// If the future is dropped after the open started, the file is opened
    /// (and created) anyway, then closed.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let opts = self.0.clone();
        let std = asyncify(move || opts.open(path)).await?;
        Ok(File::from_std(std))
    }

    /// The `std` options inside.
    pub fn as_inner_mut(&mut self) -> &mut std::fs::OpenOptions {
        &mut self.0
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(options: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(options)
    }
}
