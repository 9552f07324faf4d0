//! Diff mode (`check --base REV`): the base revision's workflows, config and protection file,
//! read with the `git` command into memory ([`MemTree`]). Nothing of the base is written to
//! disk: a crafted tree (an entry named `a/../../.git/config`) has nowhere to go.
//!
//! Why the git command rather than a library: a work tree to diff against always comes with
//! git, it reads every repository format git itself does, and it keeps a large dependency out
//! of a tool whose offline path must start in milliseconds. Only `git` runs, with fixed
//! arguments; listings are NUL-separated (`-z`), blobs are asked for by object id (a file name
//! with a newline cannot desynchronise the batch), and the request is written from another
//! thread while the answer is read, so a large blob cannot deadlock the pipes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path};
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::analyze::MAX_FILE_BYTES;
use crate::config;
use crate::discover::{MemEntry, MemTree};

/// More entries than this under the base's workflow folders: the base is refused.
const MAX_ENTRIES: usize = 10_000;

/// The most bytes of base files read, all together.
const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// The base revision's files, in memory.
#[derive(Debug, Default)]
pub struct BaseTree {
    /// The workflow folders and `gatelint.toml`, by path relative to the analysed root.
    pub tree: MemTree,
    /// The revision as given.
    pub rev: String,
}

impl BaseTree {
    /// The base's `gatelint.toml`: `None` when it has none, else its text or why it cannot be
    /// read.
    pub fn config(&self) -> Option<Result<Arc<str>, String>> {
        match self.tree.entries.get(config::FILE_NAME)? {
            MemEntry::Text(t) => Some(Ok(Arc::clone(t))),
            MemEntry::Link => Some(Err(crate::discover::LINK_NOT_FOLLOWED.to_owned())),
            MemEntry::Unreadable(why) => Some(Err(why.clone())),
        }
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

/// The URL of the `origin` remote of the work tree holding `path` (as git would fetch from it,
/// `insteadOf` applied), or `None`: not in a work tree, no such remote, or not UTF-8.
pub fn origin_url(path: &str) -> Option<String> {
    let out = git(Path::new(path), &["remote", "get-url", "origin"]).ok()?;
    let url = String::from_utf8(out).ok()?;
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_owned())
}

/// The default branch of the `origin` remote (`origin/HEAD`, as `git clone` and
/// `git remote set-head origin --auto` set it), or `None`.
pub fn origin_head(path: &str) -> Option<String> {
    let out = git(
        Path::new(path),
        &[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ],
    )
    .ok()?;
    let full = String::from_utf8(out).ok()?;
    let branch = full.trim().strip_prefix("origin/")?;
    let sane = !branch.is_empty()
        && branch.len() <= 255
        && !branch.starts_with('-')
        && branch.chars().all(|c| c.is_ascii_graphic());
    sane.then(|| branch.to_owned())
}

/// The revisions a `--base` value may not be: options to git.
fn check_rev(rev: &str) -> Result<(), String> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(['\0', '\n', '\r']) {
        return Err(format!("--base {rev:?}: not a revision"));
    }
    Ok(())
}

/// One entry of `git ls-tree -r -l -z`.
struct TreeEntry {
    mode: String,
    kind: String,
    oid: String,
    size: Option<u64>,
    path: Vec<u8>,
}

fn parse_ls_tree(listing: &[u8]) -> Result<Vec<TreeEntry>, String> {
    let mut out = Vec::new();
    for record in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let tab = record
            .iter()
            .position(|b| *b == b'\t')
            .ok_or("git ls-tree: unexpected output")?;
        let head = String::from_utf8_lossy(&record[..tab]);
        let mut fields = head.split_whitespace();
        let (Some(mode), Some(kind), Some(oid), Some(size)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err("git ls-tree: unexpected output".to_owned());
        };
        out.push(TreeEntry {
            mode: mode.to_owned(),
            kind: kind.to_owned(),
            oid: oid.to_owned(),
            size: size.parse().ok(),
            path: record[tab + 1..].to_vec(),
        });
        if out.len() > MAX_ENTRIES {
            return Err(format!(
                "the base revision's workflow folders hold more than {MAX_ENTRIES} entries: \
                 not checked"
            ));
        }
    }
    Ok(out)
}

/// Read the blobs `oids` with one `git cat-file --batch`, by object id. Each answer is the
/// blob's bytes, or why it could not be read.
fn cat_blobs(
    top: &Path,
    oids: &[String],
    cap: u64,
) -> Result<Vec<Result<Vec<u8>, String>>, String> {
    if oids.is_empty() {
        return Ok(Vec::new());
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let request: String = oids.iter().map(|o| format!("{o}\n")).collect();
    let mut stdin = child.stdin.take().ok_or("git cat-file: no stdin")?;
    // Written while the answers are read: neither side can fill its pipe and wait forever.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let stdout = child.stdout.take().ok_or("git cat-file: no stdout")?;
    let mut reader = BufReader::new(stdout);
    let mut out = Vec::with_capacity(oids.len());
    let result = (|| -> Result<(), String> {
        for oid in oids {
            let mut header = Vec::new();
            (&mut reader)
                .take(512)
                .read_until(b'\n', &mut header)
                .map_err(|e| format!("git cat-file: {e}"))?;
            let header = String::from_utf8_lossy(&header);
            let mut fields = header.split_whitespace();
            let (got, kind, size) = (fields.next(), fields.next(), fields.next());
            if got != Some(oid.as_str()) {
                return Err("git cat-file: answers out of step with the request".to_owned());
            }
            let Some(size) = size.and_then(|s| s.parse::<u64>().ok()) else {
                out.push(Err(format!("git cannot read object {oid}")));
                continue;
            };
            if size > cap {
                // Asked only for blobs whose listed size fits; a mismatch is refused.
                return Err("git cat-file: a blob larger than listed".to_owned());
            }
            let mut content = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            (&mut reader)
                .take(size)
                .read_to_end(&mut content)
                .map_err(|e| format!("git cat-file: {e}"))?;
            if content.len() as u64 != size {
                return Err("git cat-file: answer cut short".to_owned());
            }
            let mut newline = [0u8; 1];
            reader
                .read_exact(&mut newline)
                .map_err(|e| format!("git cat-file: {e}"))?;
            if kind == Some("blob") {
                out.push(Ok(content));
            } else {
                out.push(Err(format!("is a git {}, not a file", kind.unwrap_or("?"))));
            }
        }
        Ok(())
    })();
    drop(reader);
    let _ = child.kill();
    let _ = child.wait();
    let _ = writer.join();
    result.map(|()| out)
}

/// Where `path` (a folder in a git work tree) lies: the top of the work tree and the prefix
/// of `path` in it (empty or ending with `/`).
fn locate(path: &str) -> Result<(String, String), String> {
    let dir = Path::new(path);
    let top = String::from_utf8_lossy(
        &git(dir, &["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("{path} is not in a git work tree ({e})"))?,
    )
    .trim_end_matches('\n')
    .to_owned();
    let prefix = String::from_utf8_lossy(&git(dir, &["rev-parse", "--show-prefix"])?)
        .trim_end_matches('\n')
        .to_owned();
    Ok((top, prefix))
}

fn is_shallow(top: &str) -> bool {
    git(Path::new(top), &["rev-parse", "--is-shallow-repository"])
        .map(|o| o.starts_with(b"true"))
        .unwrap_or(false)
}

/// What to run when `rev` is not in the clone: fetch that branch (a CI checkout holds only
/// the pull request's commit), and in CI check out with the history.
fn missing_rev_hint(top: &str, rev: &str) -> String {
    let branch = rev.strip_prefix("origin/").unwrap_or(rev);
    let plain = !branch.is_empty()
        && !branch.contains(['~', '^', ':', '@', '\\', ' '])
        && (branch.len() != 40 || !branch.bytes().all(|b| b.is_ascii_hexdigit()));
    let fetch = if plain {
        format!(
            "fetch it (`git fetch --no-tags --depth=1 origin +refs/heads/{branch}:refs/remotes/origin/{branch}`, then --base origin/{branch})"
        )
    } else {
        "fetch it from the remote".to_owned()
    };
    let shallow = if is_shallow(top) {
        "this clone is shallow; "
    } else {
        ""
    };
    format!(
        " ({shallow}{fetch}, or in CI check out with the history: `fetch-depth: 0` for actions/checkout)"
    )
}

/// What to run when `rev` and `HEAD` have no merge base in a shallow clone.
fn merge_base_hint(top: &str) -> &'static str {
    if is_shallow(top) {
        " (this clone is shallow and the fork point is not in it: `git fetch --unshallow origin`, \
         or in CI check out with `fetch-depth: 0`)"
    } else {
        ""
    }
}

/// The commit `rev` names, as an object id.
fn resolve(top: &str, rev: &str) -> Result<String, String> {
    check_rev(rev)?;
    let commit = format!("{rev}^{{commit}}");
    let resolved = git(
        Path::new(top),
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &commit,
        ],
    )
    .map_err(|_| {
        format!(
            "--base {rev}: no such revision in {top}{}",
            missing_rev_hint(top, rev)
        )
    })?;
    Ok(String::from_utf8_lossy(&resolved).trim().to_owned())
}

/// More changed paths than this: the change's paths are not read (a workflow with a `paths`
/// filter is then not predicted either way).
pub const MAX_CHANGED_PATHS: usize = 100_000;

/// The commit where the work tree's `HEAD` forked from `rev` (`git merge-base`), as an
/// object id.
pub fn merge_base(path: &str, rev: &str) -> Result<String, String> {
    let (top, _) = locate(path)?;
    let resolved = resolve(&top, rev)?;
    let out = git(Path::new(&top), &["merge-base", resolved.as_str(), "HEAD"]).map_err(|_| {
        format!(
            "{rev} and HEAD have no merge base in {top}{}",
            merge_base_hint(&top)
        )
    })?;
    let oid = String::from_utf8_lossy(&out).trim().to_owned();
    if oid.is_empty() || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("git merge-base {rev} HEAD: no commit id"));
    }
    Ok(oid)
}

/// The paths (relative to the top of the work tree) that differ between commit `from` and
/// the work tree: what a pull request from this work tree changes, as the forges match
/// `paths` filters (a rename is its old and its new path). `None` past
/// [`MAX_CHANGED_PATHS`].
pub fn changed_paths(path: &str, from: &str) -> Result<Option<Vec<String>>, String> {
    let (top, _) = locate(path)?;
    let resolved = resolve(&top, from)?;
    let out = git(
        Path::new(&top),
        &[
            "diff",
            "--name-only",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            "-z",
            resolved.as_str(),
            "--",
        ],
    )?;
    let mut paths = Vec::new();
    for name in out.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        if paths.len() == MAX_CHANGED_PATHS {
            return Ok(None);
        }
        paths.push(String::from_utf8_lossy(name).into_owned());
    }
    Ok(Some(paths))
}

/// Does a commit between `rev` and `HEAD` (`git log rev..HEAD`, at most 1,000 commits) say
/// `Paired: #N` in its message? git searches (`--grep`) and prints one commit id at most, so a
/// crafted history of huge messages costs git's time, not gatelint's memory.
pub fn commits_say_paired(path: &str, rev: &str) -> Result<bool, String> {
    let (top, _) = locate(path)?;
    let resolved = resolve(&top, rev)?;
    let range = format!("{resolved}..HEAD");
    let out = git(
        Path::new(&top),
        &[
            "log",
            "--max-count=1000",
            "--regexp-ignore-case",
            "--extended-regexp",
            "--grep=^[[:space:]]*paired:[[:space:]]*([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#[0-9]+",
            "--format=%H",
            range.as_str(),
            "--",
        ],
    )?;
    Ok(!out.is_empty())
}

/// Does a line of the text say `Paired: #N` or `Paired: owner/repo#N` (any case, spaces
/// around), the form [`commits_say_paired`] looks for?
pub fn says_paired(text: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    text.lines().any(|l| {
        let l = l.trim_start();
        let Some(rest) = l
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("paired:"))
            .and_then(|_| l.get(7..))
        else {
            return false;
        };
        let Some((repo, n)) = rest.trim_start().split_once('#') else {
            return false;
        };
        let repo_ok = repo.is_empty()
            || repo
                .split_once('/')
                .is_some_and(|(o, r)| name(o) && name(r));
        repo_ok && n.bytes().next().is_some_and(|b| b.is_ascii_digit())
    })
}

/// Read the workflow folders and `gatelint.toml` of `path` (a folder in a git work tree) as
/// they are at `rev`, into memory.
pub fn export(path: &str, rev: &str) -> Result<BaseTree, String> {
    let (top, prefix) = locate(path)?;
    let resolved = resolve(&top, rev)?;
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
        "-l",
        "-z",
        "--full-tree",
        resolved.as_str(),
        "--",
    ];
    args.extend(wanted.iter().map(String::as_str));
    let listing = git(Path::new(&top), &args)?;
    let entries = parse_ls_tree(&listing)?;

    let mut tree = MemTree {
        entries: BTreeMap::new(),
    };
    let mut want: Vec<(String, String)> = Vec::new();
    let mut total = 0u64;
    for e in entries {
        let full = String::from_utf8_lossy(&e.path).into_owned();
        let rel = full.strip_prefix(&prefix).unwrap_or(&full).to_owned();
        let entry = if std::str::from_utf8(&e.path).is_err() {
            Some(MemEntry::Unreadable(
                "its name is not valid UTF-8: not read".to_owned(),
            ))
        } else if !rel
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
            || Path::new(&rel)
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            Some(MemEntry::Unreadable(
                "the base revision holds a path with an empty, `.` or `..` component, which \
                 git refuses to check out: not read"
                    .to_owned(),
            ))
        } else if e.mode == "120000" {
            Some(MemEntry::Link)
        } else if e.kind != "blob" {
            Some(MemEntry::Unreadable(format!(
                "is a git {}, not a file: not read",
                e.kind
            )))
        } else {
            match e.size {
                Some(size) if size > MAX_FILE_BYTES => Some(MemEntry::Unreadable(
                    crate::safe_fs::too_large(MAX_FILE_BYTES),
                )),
                Some(size) if total + size > MAX_TOTAL_BYTES => {
                    Some(MemEntry::Unreadable(format!(
                        "not read: the base revision's workflow files exceed {} MiB in all",
                        MAX_TOTAL_BYTES / (1024 * 1024)
                    )))
                }
                Some(size) => {
                    total += size;
                    want.push((rel.clone(), e.oid));
                    None
                }
                None => Some(MemEntry::Unreadable(
                    "git lists no size: not read".to_owned(),
                )),
            }
        };
        if let Some(entry) = entry {
            tree.entries.insert(rel, entry);
        }
    }
    let oids: Vec<String> = want.iter().map(|(_, o)| o.clone()).collect();
    let blobs = cat_blobs(Path::new(&top), &oids, MAX_FILE_BYTES)?;
    for ((rel, _), blob) in want.into_iter().zip(blobs) {
        let entry = match blob {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => MemEntry::Text(Arc::from(text)),
                Err(e) => MemEntry::Unreadable(format!(
                    "not a text file: invalid UTF-8 at byte {}",
                    e.utf8_error().valid_up_to()
                )),
            },
            Err(why) => MemEntry::Unreadable(why),
        };
        tree.entries.insert(rel, entry);
    }
    Ok(BaseTree {
        tree,
        rev: rev.to_owned(),
    })
}

/// A file of the repository at `rev`, by its path on disk (inside the work tree of `root`):
/// `Ok(None)` when the base has no such file, an error when it is not a readable regular
/// file of at most `cap` bytes.
pub fn file_at(root: &str, rev: &str, file: &Path, cap: u64) -> Result<Option<Vec<u8>>, String> {
    let (top, _) = locate(root)?;
    let resolved = resolve(&top, rev)?;
    let top_path = Path::new(&top)
        .canonicalize()
        .map_err(|e| format!("cannot resolve {top}: {e}"))?;
    // The path inside the work tree, with no link resolved (git stores the path itself).
    let absolute = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot resolve {}: {e}", file.display()))?
            .join(file)
    };
    let mut parts: Vec<String> = Vec::new();
    let parent = absolute.parent().unwrap_or(Path::new("/"));
    let parent = parent
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", file.display()))?;
    let Ok(inside) = parent.strip_prefix(&top_path) else {
        return Ok(None);
    };
    for c in inside.components() {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    if let Some(name) = absolute.file_name() {
        parts.push(name.to_string_lossy().into_owned());
    }
    let rel = parts.join("/");
    let listing = git(
        Path::new(&top),
        &["ls-tree", "-l", "-z", "--full-tree", &resolved, "--", &rel],
    )?;
    let entries = parse_ls_tree(&listing)?;
    let Some(e) = entries.into_iter().find(|e| e.path == rel.as_bytes()) else {
        return Ok(None);
    };
    if e.mode == "120000" || e.kind != "blob" {
        return Err(format!(
            "is not a regular file at {rev} (a symbolic link or a {}): not read",
            e.kind
        ));
    }
    match e.size {
        Some(size) if size <= cap => {}
        _ => return Err(crate::safe_fs::too_large(cap)),
    }
    let mut blobs = cat_blobs(Path::new(&top), &[e.oid], cap)?;
    match blobs.pop() {
        Some(Ok(bytes)) => Ok(Some(bytes)),
        Some(Err(why)) => Err(why),
        None => Err("git cat-file: no answer".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired() {
        assert!(says_paired("Fixes it.\n\nPaired: #668\n"));
        assert!(says_paired("paired:acme/ci#12"));
        assert!(says_paired("  PAIRED:   #1 and more"));
        assert!(!says_paired("Paired with nothing"));
        assert!(!says_paired("Paired: #"));
        assert!(!says_paired("Paired: see #12"));
        assert!(!says_paired("Not Paired: #12"));
        assert!(!says_paired("Paired: a/b/c#12"));
    }
}
