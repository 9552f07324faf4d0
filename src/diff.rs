//! Diff mode (`check --base REV`): the base revision's workflows and config, read with the
//! `git` command into a temporary folder that the normal pipeline then analyses.
//!
//! Why the git command rather than a library: a work tree to diff against always comes with
//! git, it reads every repository format git itself does, and it keeps a large dependency out
//! of a tool whose offline path must start in milliseconds.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::analyze::MAX_FILE_BYTES;
use crate::config;

/// The base revision's files, removed when dropped.
pub struct BaseTree {
    dir: tempfile::TempDir,
}

impl BaseTree {
    /// The root to analyse: the base's version of the repository root given.
    pub fn root(&self) -> String {
        self.dir.path().to_string_lossy().into_owned()
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("git {}: {}", args.join(" "), err.trim()));
    }
    Ok(out.stdout)
}

/// Export the workflow folders and `gatelint.toml` of `path` (a folder in a git work tree) as
/// they are at `rev`.
pub fn export(path: &str, rev: &str) -> Result<BaseTree, String> {
    let dir = Path::new(path);
    let top = String::from_utf8_lossy(
        &git(dir, &["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("{path} is not in a git work tree ({e})"))?,
    )
    .trim()
    .to_owned();
    let prefix = String::from_utf8_lossy(&git(dir, &["rev-parse", "--show-prefix"])?)
        .trim()
        .to_owned();
    let commit = format!("{rev}^{{commit}}");
    git(dir, &["rev-parse", "--verify", "--quiet", &commit])
        .map_err(|_| format!("--base {rev}: no such revision in {top}"))?;
    let wanted: Vec<String> = [
        ".forgejo/workflows",
        ".gitea/workflows",
        ".github/workflows",
        config::FILE_NAME,
    ]
    .iter()
    .map(|p| format!("{prefix}{p}"))
    .collect();
    let mut args = vec![
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "--full-tree",
        rev,
        "--",
    ];
    args.extend(wanted.iter().map(String::as_str));
    let listing = git(Path::new(&top), &args)?;
    let names: Vec<String> = listing
        .split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();

    let out = tempfile::Builder::new()
        .prefix("gatelint-base-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    if names.is_empty() {
        return Ok(BaseTree { dir: out });
    }
    // One `git cat-file --batch` for every file.
    let mut child = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let request: String = names.iter().map(|n| format!("{rev}:{n}\n")).collect();
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let stdout = child.stdout.take().ok_or("git cat-file: no stdout")?;
    let mut reader = BufReader::new(stdout);
    for name in &names {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|e| format!("git cat-file: {e}"))?;
        let mut fields = header.split_whitespace();
        let (_, kind, size) = (fields.next(), fields.next(), fields.next());
        let size: u64 = size.and_then(|s| s.parse().ok()).unwrap_or(0);
        if kind != Some("blob") {
            continue;
        }
        let mut content = vec![0u8; usize::try_from(size).unwrap_or(0)];
        reader
            .read_exact(&mut content)
            .map_err(|e| format!("git cat-file: {e}"))?;
        let mut newline = [0u8; 1];
        let _ = reader.read_exact(&mut newline);
        if size > MAX_FILE_BYTES {
            continue;
        }
        let rel = name.strip_prefix(&prefix).unwrap_or(name);
        let target = out.path().join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write the base tree: {e}"))?;
        }
        std::fs::write(&target, &content)
            .map_err(|e| format!("cannot write the base tree: {e}"))?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(BaseTree { dir: out })
}
