//! Reading files of an untrusted repository.
//!
//! Every file gatelint reads from a checked repository goes through here: only regular files
//! are opened (never a FIFO, a device or a folder, which could hang or never end), the size is
//! capped while reading (not from metadata, which a device or `/proc` file reports as 0), and
//! paths that the repository chooses (a config's `protection =`, a called workflow) can be
//! required to stay inside the repository after every symbolic link is resolved.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest config file read (`gatelint.toml`).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The largest protection source file read (snapshots, payloads, context lists).
pub const MAX_PROTECTION_BYTES: u64 = 64 * 1024 * 1024;

/// What kind of thing a path is, in words, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Read `path`, following symbolic links, if it is a regular file of at most `cap` bytes.
/// The error says why not, without any of the file's content.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    // stat before open: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "is {}, not a regular file: not read",
            kind_of(&meta)
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    // The file opened may not be the one stat saw: check the open handle too.
    let opened = file.metadata().map_err(|e| format!("cannot read: {e}"))?;
    if !opened.is_file() {
        return Err(format!(
            "is {}, not a regular file: not read",
            kind_of(&opened)
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(cap)).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_large(cap));
    }
    Ok(bytes)
}

/// The message for a file over `cap` bytes.
pub fn too_large(cap: u64) -> String {
    if cap >= 1024 * 1024 {
        format!(
            "larger than {} MiB, the most gatelint reads of such a file: not read",
            cap / (1024 * 1024)
        )
    } else {
        format!("larger than {cap} bytes, the most gatelint reads of such a file: not read")
    }
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text_capped(path: &Path, cap: u64) -> Result<String, String> {
    let bytes = read_capped(path, cap)?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or("");
        let line = valid.matches('\n').count() + 1;
        format!("not a text file: invalid UTF-8 at byte {at} (line {line})")
    })
}

/// `path` resolved (every symbolic link followed), if it stays inside `root` (resolved the
/// same way); else an error that names neither resolved path (the target may be a secret).
pub fn inside(root: &Path, path: &Path) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve the repository root: {e}"))?;
    let resolved = path
        .canonicalize()
        .map_err(|e| format!("cannot read: {e}"))?;
    if resolved.starts_with(&root) {
        Ok(resolved)
    } else {
        Err(
            "resolves (through a symbolic link or `..`) to a path outside the repository: not read"
                .to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_while_reading_and_refuses_devices() {
        let dir = tempfile::tempdir().expect("tempdir");
        let small = dir.path().join("a.txt");
        std::fs::write(&small, "12345").expect("write");
        assert_eq!(read_capped(&small, 5).expect("fits"), b"12345");
        assert!(
            read_capped(&small, 4)
                .expect_err("too big")
                .contains("larger than 4 bytes")
        );
        // /dev/zero reports size 0 and never ends: refused before it is read.
        let zero = read_capped(Path::new("/dev/zero"), 1024).expect_err("device");
        assert!(zero.contains("character device"), "{zero}");
        let folder = read_capped(dir.path(), 1024).expect_err("folder");
        assert!(folder.contains("a folder"), "{folder}");
    }

    #[test]
    fn inside_refuses_links_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("sub/ok.txt"), "x").expect("write");
        std::fs::write(dir.path().join("secret.txt"), "s").expect("write");
        std::os::unix::fs::symlink("../../secret.txt", root.join("sub/link.txt")).expect("ln");
        assert!(inside(&root, &root.join("sub/ok.txt")).is_ok());
        assert!(inside(&root, &root.join("sub/../sub/ok.txt")).is_ok());
        let out = inside(&root, &root.join("sub/link.txt")).expect_err("leaves");
        assert!(!out.contains("secret"), "{out}");
        assert!(inside(&root, &root.join("../secret.txt")).is_err());
    }
}
