//! `zokio::fs` directory and path functions, `read_dir` with 10 000
//! entries, and every error path with its `io::ErrorKind`.
#![cfg(feature = "fs")]

mod fs_common;

use fs_common::TempDir;
use std::collections::HashSet;
use std::io::ErrorKind;
use zokio::fs::{self, DirBuilder, File};

#[zokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_dir_of_10_000_entries() {
    const N: usize = 10_000;
    let dir = TempDir::new("many");
    for i in 0..N {
        std::fs::write(dir.path().join(format!("f{i:05}")), b"").unwrap();
    }
    std::fs::create_dir(dir.path().join("sub")).unwrap();

    let mut rd = fs::read_dir(dir.path()).await.unwrap();
    let mut names = HashSet::new();
    let mut dirs = 0;
    while let Some(entry) = rd.next_entry().await.unwrap() {
        assert_eq!(entry.path(), dir.path().join(entry.file_name()));
        if entry.file_type().await.unwrap().is_dir() {
            dirs += 1;
        }
        assert!(names.insert(entry.file_name()), "duplicate entry");
        assert!(names.len() <= N + 1, "more entries than files");
    }
    assert_eq!(names.len(), N + 1);
    assert_eq!(dirs, 1);
    // At the end it stays at the end.
    assert!(rd.next_entry().await.unwrap().is_none());
}

#[zokio::test]
async fn read_dir_as_a_stream() {
    let dir = TempDir::new("stream");
    for i in 0..150 {
        std::fs::write(dir.path().join(format!("{i}")), b"ab").unwrap();
    }
    let mut rd = fs::read_dir(dir.path()).await.unwrap();
    let mut count = 0;
    while let Some(entry) =
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(std::pin::Pin::new(&mut rd), cx))
            .await
    {
        let entry = entry.unwrap();
        assert_eq!(entry.metadata().await.unwrap().len(), 2);
        count += 1;
    }
    assert_eq!(count, 150);
    let dbg = format!("{rd:?}");
    assert!(dbg.contains("ReadDir"));
}

#[zokio::test]
async fn directories_and_links() {
    let dir = TempDir::new("ops");
    let base = dir.path();

    fs::create_dir(base.join("a")).await.unwrap();
    fs::create_dir_all(base.join("a/b/c")).await.unwrap();
    DirBuilder::new()
        .recursive(true)
        .create(base.join("x/y"))
        .await
        .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        DirBuilder::new()
            .mode(0o700)
            .create(base.join("private"))
            .await
            .unwrap();
        let mode = fs::metadata(base.join("private"))
            .await
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    assert!(fs::metadata(base.join("a/b/c")).await.unwrap().is_dir());

    fs::write(base.join("a/file"), b"content").await.unwrap();
    assert_eq!(
        fs::copy(base.join("a/file"), base.join("copy"))
            .await
            .unwrap(),
        7
    );
    fs::rename(base.join("copy"), base.join("moved"))
        .await
        .unwrap();
    assert!(!fs::try_exists(base.join("copy")).await.unwrap());
    assert_eq!(fs::read(base.join("moved")).await.unwrap(), b"content");
    fs::hard_link(base.join("moved"), base.join("hard"))
        .await
        .unwrap();
    assert_eq!(
        fs::read_to_string(base.join("hard")).await.unwrap(),
        "content"
    );

    #[cfg(unix)]
    {
        fs::symlink(base.join("moved"), base.join("soft"))
            .await
            .unwrap();
        assert_eq!(
            fs::read_link(base.join("soft")).await.unwrap(),
            base.join("moved")
        );
        let meta = fs::symlink_metadata(base.join("soft")).await.unwrap();
        assert!(meta.file_type().is_symlink());
        assert!(fs::metadata(base.join("soft")).await.unwrap().is_file());
        let canon = fs::canonicalize(base.join("soft")).await.unwrap();
        assert_eq!(canon, fs::canonicalize(base.join("moved")).await.unwrap());
        // A broken link: try_exists says false, not an error.
        fs::symlink(base.join("nowhere"), base.join("broken"))
            .await
            .unwrap();
        assert!(!fs::try_exists(base.join("broken")).await.unwrap());
    }

    fs::remove_file(base.join("hard")).await.unwrap();
    fs::remove_dir(base.join("x/y")).await.unwrap();
    fs::remove_dir_all(base.join("a")).await.unwrap();
    assert!(!fs::try_exists(base.join("a")).await.unwrap());
}

#[zokio::test]
async fn not_found_errors() {
    let dir = TempDir::new("nf");
    let missing = dir.path().join("missing");
    let kind = |r: std::io::Error| r.kind();
    assert_eq!(
        kind(File::open(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::read(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::read_to_string(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::metadata(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::symlink_metadata(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::remove_file(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::remove_dir(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::remove_dir_all(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::read_dir(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(
            fs::rename(&missing, dir.path().join("b"))
                .await
                .unwrap_err()
        ),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::copy(&missing, dir.path().join("b")).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(
            fs::hard_link(&missing, dir.path().join("b"))
                .await
                .unwrap_err()
        ),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::canonicalize(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::read_link(&missing).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(fs::create_dir(missing.join("x")).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert_eq!(
        kind(File::create(missing.join("x")).await.unwrap_err()),
        ErrorKind::NotFound
    );
    assert!(!fs::try_exists(&missing).await.unwrap());
    let perm = std::fs::metadata(dir.path()).unwrap().permissions();
    assert_eq!(
        kind(fs::set_permissions(&missing, perm).await.unwrap_err()),
        ErrorKind::NotFound
    );
}

#[zokio::test]
async fn already_exists_errors() {
    let dir = TempDir::new("ae");
    let file = dir.path().join("file");
    fs::write(&file, b"x").await.unwrap();
    assert_eq!(
        File::create_new(&file).await.unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        fs::create_dir(dir.path()).await.unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        fs::create_dir(&file).await.unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        fs::hard_link(&file, &file).await.unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    #[cfg(unix)]
    assert_eq!(
        fs::symlink(&file, &file).await.unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    // Recursive creation accepts an existing directory.
    DirBuilder::new()
        .recursive(true)
        .create(dir.path())
        .await
        .unwrap();
}

#[zokio::test]
async fn not_a_directory_errors() {
    let dir = TempDir::new("nad");
    let file = dir.path().join("file");
    fs::write(&file, b"x").await.unwrap();
    assert_eq!(
        fs::read_dir(&file).await.unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    assert_eq!(
        fs::remove_dir(&file).await.unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    assert_eq!(
        File::open(file.join("inner")).await.unwrap_err().kind(),
        ErrorKind::NotADirectory
    );
    assert_eq!(
        fs::create_dir_all(file.join("a/b"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotADirectory
    );
    // And the other way round.
    assert_eq!(
        fs::remove_file(dir.path()).await.unwrap_err().kind(),
        ErrorKind::IsADirectory
    );
    assert_eq!(
        fs::read(dir.path()).await.unwrap_err().kind(),
        ErrorKind::IsADirectory
    );
}

/// Files and directories with mode 0 refuse an unprivileged user: every
/// call reports `PermissionDenied`.
#[cfg(unix)]
async fn check_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("pd");
    let file = dir.path().join("locked");
    fs::write(&file, b"secret").await.unwrap();
    fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000))
        .await
        .unwrap();
    let locked_dir = dir.path().join("locked_dir");
    fs::create_dir(&locked_dir).await.unwrap();
    fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o000))
        .await
        .unwrap();
    let kind = |e: std::io::Error| e.kind();
    assert_eq!(
        kind(File::open(&file).await.unwrap_err()),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        kind(fs::read(&file).await.unwrap_err()),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        kind(fs::write(&file, b"y").await.unwrap_err()),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        kind(fs::read_dir(&locked_dir).await.unwrap_err()),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        kind(fs::write(locked_dir.join("f"), b"y").await.unwrap_err()),
        ErrorKind::PermissionDenied
    );
    // Let the TempDir clean up.
    fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o700))
        .await
        .unwrap();
}

/// Set in the child process that `permission_denied_errors` starts when it
/// runs as root.
#[cfg(unix)]
const AS_NOBODY: &str = "ZOKIO_FS_TEST_AS_NOBODY";

/// The user and group "nobody" on Linux and the BSDs.
#[cfg(unix)]
const NOBODY: u32 = 65_534;

#[cfg(unix)]
#[test]
fn permission_denied_errors() {
    // SAFETY: geteuid has no arguments and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return zokio::runtime::Runtime::new()
            .unwrap()
            .block_on(check_permission_denied());
    }
    // Root bypasses permission bits, so run the checks in a child process
    // (this test binary, running only the test below) that first becomes
    // "nobody".
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "permission_denied_errors_as_nobody",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(AS_NOBODY, "1")
        .output()
        .expect("start the test binary again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the unprivileged run failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("checked as nobody"),
        "the child did not run the checks:\n{stdout}"
    );
}

/// The half of `permission_denied_errors` that runs in the child process;
/// does nothing when run on its own.
#[cfg(unix)]
#[test]
fn permission_denied_errors_as_nobody() {
    if std::env::var_os(AS_NOBODY).is_none() {
        return;
    }
    // Group first: once the user is not root, it may not change groups.
    // SAFETY: setgroups/setgid/setuid take plain integers (and a null list
    // of length 0); they change this process's credentials, which is what
    // this child process exists for.
    unsafe {
        assert_eq!(libc::setgroups(0, std::ptr::null()), 0, "setgroups");
        assert_eq!(libc::setgid(NOBODY), 0, "setgid");
        assert_eq!(libc::setuid(NOBODY), 0, "setuid");
    }
    zokio::runtime::Runtime::new()
        .unwrap()
        .block_on(check_permission_denied());
    println!("checked as nobody");
}

#[zokio::test]
async fn invalid_utf8_is_invalid_data() {
    let dir = TempDir::new("utf8");
    let file = dir.path().join("bin");
    fs::write(&file, [0xff, 0xfe, 0x00]).await.unwrap();
    assert_eq!(
        fs::read_to_string(&file).await.unwrap_err().kind(),
        ErrorKind::InvalidData
    );
}
