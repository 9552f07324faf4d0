//! What an audit keeps on disk: the `--state` file that lets an interrupted audit resume, and
//! the `--save DIR` folder (each repository's workflow files and protection snapshot) that
//! `audit --offline DIR` reads again.
//!
//! Every path written is made of names checked here (repository owners and names, path
//! components the contents API gave), under the folder the user named, through no symbolic
//! link.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::output::{RepoResult, Status};
use crate::discover::{MemEntry, MemTree};
use crate::forge::source::repos::valid_name;

/// The first line of a state file: what the audit was of, so that a state file is not
/// resumed by another audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct StateHead {
    pub gatelint_audit_state: u32,
    pub forge: String,
    pub server: String,
    #[serde(default)]
    pub branch: Option<String>,
}

/// The largest state, index or merged file read.
const MAX_READ_BYTES: u64 = 512 * 1024 * 1024;

/// The repositories a state file says are finished (checked or skipped; a repository that
/// could not be read is read again). A missing file is an empty state; a last line cut short
/// by an interruption is ignored.
pub fn load_state(path: &Path, head: &StateHead) -> Result<HashMap<String, RepoResult>, String> {
    let shown = path.display();
    let text = match std::fs::symlink_metadata(path) {
        Err(_) => return Ok(HashMap::new()),
        Ok(m) if !m.is_file() => {
            return Err(format!("--state {shown}: not a regular file"));
        }
        Ok(_) => crate::safe_fs::read_text_capped(path, MAX_READ_BYTES)
            .map_err(|e| format!("--state {shown}: {e}"))?,
    };
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        return Ok(HashMap::new());
    };
    let found: StateHead = serde_json::from_str(first)
        .map_err(|_| format!("--state {shown}: not a gatelint audit state file"))?;
    if found.forge != head.forge || found.server != head.server || found.branch != head.branch {
        return Err(format!(
            "--state {shown}: it is the state of another audit ({} on {}{}), not of this one ({} on {}{}): give another file",
            found.forge,
            found.server,
            found
                .branch
                .map(|b| format!(", branch {b}"))
                .unwrap_or_default(),
            head.forge,
            head.server,
            head.branch
                .clone()
                .map(|b| format!(", branch {b}"))
                .unwrap_or_default(),
        ));
    }
    let all: Vec<&str> = lines.collect();
    let mut out = HashMap::new();
    for line in &all {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RepoResult>(line) {
            Ok(r) if r.status != Status::Failed => {
                out.insert(r.repository.clone(), r);
            }
            Ok(_) => {}
            // A line cut by an interruption (the last of that run, in the middle once the
            // state is resumed): its repository is audited again, which is always safe.
            Err(_) => {}
        }
    }
    Ok(out)
}

/// Appends finished repositories to the state file, one line each, flushed.
pub struct StateWriter {
    file: std::fs::File,
}

impl StateWriter {
    pub fn open(path: &Path, head: &StateHead) -> Result<StateWriter, String> {
        let shown = path.display();
        // A file that is missing or empty gets the head line.
        let fresh = std::fs::symlink_metadata(path).map_or(true, |m| m.len() == 0);
        let ends_in_newline = std::fs::read(path)
            .ok()
            .and_then(|b| b.last().copied())
            .is_none_or(|b| b == b'\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("--state {shown}: {e}"))?;
        if fresh {
            let line = serde_json::to_string(head).unwrap_or_default();
            file.write_all(format!("{line}\n").as_bytes())
                .map_err(|e| format!("--state {shown}: {e}"))?;
        } else if !ends_in_newline {
            // A line cut short by an interruption: start the next one on its own line.
            writeln!(file).map_err(|e| format!("--state {shown}: {e}"))?;
        }
        Ok(StateWriter { file })
    }

    pub fn add(&mut self, r: &RepoResult) -> std::io::Result<()> {
        if r.status == Status::Failed {
            return Ok(());
        }
        let line = serde_json::to_string(r).unwrap_or_default();
        self.file.write_all(format!("{line}\n").as_bytes())?;
        self.file.flush()
    }
}

/// One repository in a `--save` folder's `index.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Saved {
    pub repository: String,
    #[serde(default)]
    pub branch: Option<String>,
    /// `checked` (files and protection saved), `skipped`, or `failed` (could not be read: the
    /// offline run reports it so, and exits 2 as the live run did).
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// Workflow files saved, relative to the repository's folder.
    #[serde(default)]
    pub files: Vec<String>,
    /// Entries that could not be read, and why.
    #[serde(default)]
    pub unreadable: BTreeMap<String, String>,
    /// Symbolic links (which run nothing).
    #[serde(default)]
    pub links: Vec<String>,
    /// API requests made for it when it was fetched.
    #[serde(default)]
    pub requests: usize,
}

pub const INDEX: &str = "index.jsonl";

/// `OWNER/NAME` split, both valid names.
pub fn split_repository(full: &str) -> Option<(&str, &str)> {
    full.split_once('/')
        .filter(|(o, n)| valid_name(o) && valid_name(n))
}

/// A relative path made of plain components only.
fn plain_path(rel: &str) -> bool {
    !rel.is_empty()
        && rel.split('/').all(|c| {
            !c.is_empty()
                && c != "."
                && c != ".."
                && !c.contains('\\')
                && !c.chars().any(char::is_control)
        })
}

/// Write `bytes` at `dir/rel`, creating folders, through no symbolic link.
fn write_under(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), String> {
    if !plain_path(rel) {
        return Err(format!("`{rel}` is not a plain relative path: not written"));
    }
    let mut at = dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let last = i + 1 == parts.len();
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symbolic link: not written through",
                    at.display()
                ));
            }
            Ok(m) if !last && !m.is_dir() => {
                return Err(format!("{} is not a folder", at.display()));
            }
            Ok(_) => {}
            Err(_) if !last => match std::fs::create_dir(&at) {
                Ok(()) => {}
                // Another worker made it meanwhile: it must be a folder, not a link.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if !std::fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir()) {
                        return Err(format!("{} is not a folder", at.display()));
                    }
                }
                Err(e) => return Err(format!("{}: {e}", at.display())),
            },
            Err(_) => {}
        }
    }
    // A new file renamed into place: never written through a link, a hard link or a FIFO
    // that was there.
    let parent = at.parent().unwrap_or(dir);
    let mut tmp = tempfile::NamedTempFile::new_in(parent)
        .map_err(|e| format!("{}: {e}", parent.display()))?;
    tmp.write_all(bytes)
        .map_err(|e| format!("{}: {e}", at.display()))?;
    tmp.persist(&at)
        .map(|_| ())
        .map_err(|e| format!("{}: {}", at.display(), e.error))
}

/// The folder a saved repository's files are in.
fn repo_dir(dir: &Path, owner: &str, name: &str) -> PathBuf {
    dir.join("repos").join(owner).join(name)
}

fn protection_rel(owner: &str, name: &str) -> String {
    format!("protection/{owner}/{name}.json")
}

/// Save one repository: its workflow files, its protection snapshot, and its index line.
pub fn save(
    dir: &Path,
    saved: &mut Saved,
    tree: Option<&MemTree>,
    snapshot: Option<&str>,
) -> Result<(), String> {
    let (owner, name) = split_repository(&saved.repository)
        .ok_or_else(|| format!("`{}` is not OWNER/NAME", saved.repository))?;
    if let Some(tree) = tree {
        for (path, entry) in &tree.entries {
            match entry {
                MemEntry::Text(t) => {
                    write_under(dir, &format!("repos/{owner}/{name}/{path}"), t.as_bytes())?;
                    saved.files.push(path.clone());
                }
                MemEntry::Link => saved.links.push(path.clone()),
                MemEntry::Unreadable(why) => {
                    saved.unreadable.insert(path.clone(), why.clone());
                }
            }
        }
    }
    if let Some(text) = snapshot {
        write_under(dir, &protection_rel(owner, name), text.as_bytes())?;
    }
    let line = serde_json::to_string(saved).unwrap_or_default();
    let index = dir.join(INDEX);
    if std::fs::symlink_metadata(&index).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "{} is a symbolic link: not written through",
            index.display()
        ));
    }
    // One line in one write, one worker at a time.
    let _guard = INDEX_LOCK.lock();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&index)
        .map_err(|e| format!("{}: {e}", index.display()))?;
    f.write_all(format!("{line}\n").as_bytes())
        .map_err(|e| format!("{}: {e}", index.display()))
}

static INDEX_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The repositories of a `--save` folder, sorted by name (a repository saved twice, by a
/// resumed audit: the last line).
pub fn read_index(dir: &Path) -> Result<Vec<Saved>, String> {
    let index = dir.join(INDEX);
    if !crate::discover::is_regular_file(dir, INDEX) {
        return Err(format!(
            "{}: no such file: --offline reads a folder written by `audit --save`",
            index.display()
        ));
    }
    let text = crate::safe_fs::read_text_capped(&index, MAX_READ_BYTES)
        .map_err(|e| format!("{}: {e}", index.display()))?;
    let mut by_name: BTreeMap<String, Saved> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let s: Saved = serde_json::from_str(line)
            .map_err(|e| format!("{}: line {}: {e}", index.display(), i + 1))?;
        if split_repository(&s.repository).is_none() {
            return Err(format!(
                "{}: line {}: `{}` is not OWNER/NAME",
                index.display(),
                i + 1,
                crate::report::escape::visible(&s.repository)
            ));
        }
        by_name.insert(s.repository.clone(), s);
    }
    Ok(by_name.into_values().collect())
}

/// A saved repository's files, as the audit read them.
pub fn load_tree(dir: &Path, s: &Saved) -> Result<MemTree, String> {
    let (owner, name) = split_repository(&s.repository)
        .ok_or_else(|| format!("`{}` is not OWNER/NAME", s.repository))?;
    let root = repo_dir(dir, owner, name);
    let mut entries = BTreeMap::new();
    for f in &s.files {
        // A regular file with no symbolic link on the way from DIR (the repository's own
        // folders included).
        let rel = format!("repos/{owner}/{name}/{f}");
        if !plain_path(f) || !crate::discover::is_regular_file(dir, &rel) {
            return Err(format!(
                "{}: `{}` is missing or not a regular file",
                root.display(),
                crate::report::escape::visible(f)
            ));
        }
        let text = crate::safe_fs::read_text_capped(&root.join(f), crate::analyze::MAX_FILE_BYTES)
            .map_err(|e| format!("{}/{f}: {e}", root.display()))?;
        entries.insert(f.clone(), MemEntry::Text(Arc::from(text)));
    }
    for (f, why) in &s.unreadable {
        entries.insert(f.clone(), MemEntry::Unreadable(why.clone()));
    }
    for f in &s.links {
        entries.insert(f.clone(), MemEntry::Link);
    }
    Ok(MemTree { entries })
}

/// Where a saved repository's protection snapshot is, when there is one.
pub fn protection_path(dir: &Path, s: &Saved) -> Option<(PathBuf, String)> {
    let (owner, name) = split_repository(&s.repository)?;
    let rel = protection_rel(owner, name);
    crate::discover::is_regular_file(dir, &rel).then(|| (dir.join(&rel), rel))
}
