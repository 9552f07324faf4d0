//! Which workflow files a forge runs (FORGE-SEMANTICS §1), read from a work tree on disk or
//! from a git revision held in memory ([`MemTree`], diff mode's base).
//!
//! The checked repository is untrusted. Symbolic links are never followed: a forge reads a
//! workflow from the git tree, where a link is a blob holding its target's path, so a
//! symlinked workflow or workflows folder runs nothing (GitHub: "Invalid workflow file …
//! error in your yaml syntax on line 1" for a linked workflow, actions/runner#1420; no run at
//! all when `.github` is a link, actions/runner#3195), and reading through it could show a
//! file from outside the repository (`/proc/self/environ`) or hang on a device or FIFO. What is
//! not read is reported, never skipped silently.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::analyze::MAX_FILE_BYTES;
use crate::forge::Forge;

/// Sub-folders deeper than this under a workflows folder are not searched (Gitea and Forgejo
/// search recursively; real trees are shallow).
const MAX_DIR_DEPTH: usize = 16;

/// More workflow files than this in one repository root: the root is refused (exit 2).
pub const MAX_FILES: usize = 10_000;

/// A revision's files held in memory, by path relative to the analysed root (with `/`).
#[derive(Debug, Default, Clone)]
pub struct MemTree {
    pub entries: BTreeMap<String, MemEntry>,
}

/// One entry of a [`MemTree`].
#[derive(Debug, Clone)]
pub enum MemEntry {
    /// A regular file's text.
    Text(Arc<str>),
    /// A symbolic link (git mode 120000).
    Link,
    /// Anything else that could not be read, and why (too large, not UTF-8, a submodule, a
    /// path git would refuse).
    Unreadable(String),
}

/// Where a repository's files come from.
#[derive(Debug, Clone, Copy)]
pub enum Tree<'a> {
    Disk(&'a Path),
    Mem(&'a MemTree),
}

/// What a path is, without following symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    /// The path, or a folder on the way to it, is a symbolic link.
    Link,
    Other,
}

/// The message for a symbolic link that is not followed.
pub const LINK_NOT_FOLLOWED: &str = "is a symbolic link: the forge reads the link itself, not \
     its target, so it runs nothing from it; gatelint does not follow it";

fn normal_components(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

impl Tree<'_> {
    fn kind(&self, rel: &str) -> Option<Kind> {
        match self {
            Tree::Disk(root) => {
                let mut cur = root.to_path_buf();
                let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
                for (i, part) in parts.iter().enumerate() {
                    cur.push(part);
                    let meta = std::fs::symlink_metadata(&cur).ok()?;
                    let t = meta.file_type();
                    if t.is_symlink() {
                        return Some(Kind::Link);
                    }
                    if i + 1 == parts.len() {
                        return Some(if t.is_dir() {
                            Kind::Dir
                        } else if t.is_file() {
                            Kind::File
                        } else {
                            Kind::Other
                        });
                    }
                    if !t.is_dir() {
                        return None;
                    }
                }
                Some(Kind::Dir)
            }
            Tree::Mem(m) => match m.entries.get(rel) {
                Some(MemEntry::Link) => Some(Kind::Link),
                Some(MemEntry::Text(_)) => Some(Kind::File),
                Some(MemEntry::Unreadable(_)) => Some(Kind::Other),
                None => {
                    let prefix = format!("{rel}/");
                    if m.entries
                        .range(prefix.clone()..)
                        .next()
                        .is_some_and(|(k, _)| k.starts_with(&prefix))
                    {
                        return Some(Kind::Dir);
                    }
                    // A link on the way: `a/b` is a link and `a/b/c` is asked for.
                    let mut at = rel;
                    while let Some((parent, _)) = at.rsplit_once('/') {
                        if matches!(m.entries.get(parent), Some(MemEntry::Link)) {
                            return Some(Kind::Link);
                        }
                        at = parent;
                    }
                    None
                }
            },
        }
    }

    fn exists_dir_or_link(&self, rel: &str) -> bool {
        matches!(self.kind(rel), Some(Kind::Dir | Kind::Link))
    }

    /// The text of the regular file at `rel` (relative, `/`-separated), at most
    /// [`MAX_FILE_BYTES`]. A symbolic link (or a path through one), a path with `..`, a
    /// device, FIFO or folder are refused with the reason.
    pub fn read(&self, rel: &str) -> Result<Arc<str>, String> {
        if !normal_components(rel) {
            return Err("leaves the repository".to_owned());
        }
        match self.kind(rel) {
            None => Err("does not exist".to_owned()),
            Some(Kind::Link) => Err(LINK_NOT_FOLLOWED.to_owned()),
            Some(Kind::Dir) => Err("is a folder, not a file".to_owned()),
            Some(Kind::Other) => match self {
                Tree::Mem(m) => match m.entries.get(rel) {
                    Some(MemEntry::Unreadable(why)) => Err(why.clone()),
                    _ => Err("is not a regular file: not read".to_owned()),
                },
                Tree::Disk(_) => Err("is not a regular file: not read".to_owned()),
            },
            Some(Kind::File) => match self {
                Tree::Disk(root) => {
                    crate::safe_fs::read_text_capped(&root.join(rel), MAX_FILE_BYTES).map(Arc::from)
                }
                Tree::Mem(m) => match m.entries.get(rel) {
                    Some(MemEntry::Text(t)) => Ok(Arc::clone(t)),
                    _ => Err("does not exist".to_owned()),
                },
            },
        }
    }
}

/// Whether `rel` is a regular file under `root`, with no symbolic link on the way.
pub fn is_regular_file(root: &Path, rel: &str) -> bool {
    normal_components(rel) && Tree::Disk(root).kind(rel) == Some(Kind::File)
}

/// The forge a repository is written for, from the workflow folders present:
/// `.forgejo/workflows`, then `.gitea/workflows`, then GitHub.
pub fn infer_forge(root: &Path) -> Forge {
    infer_forge_in(Tree::Disk(root))
}

pub fn infer_forge_in(tree: Tree<'_>) -> Forge {
    if tree.exists_dir_or_link(".forgejo/workflows") {
        Forge::Forgejo
    } else if tree.exists_dir_or_link(".gitea/workflows") {
        Forge::Gitea
    } else {
        Forge::Github
    }
}

/// The folder the forge reads workflows from; the first that exists wins, even if empty.
pub fn workflow_dir_in(tree: Tree<'_>, forge: Forge) -> Option<&'static str> {
    let candidates: &[&'static str] = match forge {
        Forge::Forgejo => &[
            ".forgejo/workflows",
            ".gitea/workflows",
            ".github/workflows",
        ],
        Forge::Gitea => &[".gitea/workflows", ".github/workflows"],
        Forge::Github => &[".github/workflows"],
    };
    candidates
        .iter()
        .copied()
        .find(|d| tree.exists_dir_or_link(d))
}

/// A workflow file found: its path relative to the root (with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub file: String,
}

/// An entry of the workflows folder that is not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path relative to the root, non-UTF-8 bytes replaced.
    pub file: String,
    pub why: String,
    /// The forge would try to run it and fail (a symlinked workflow file): an error, not a
    /// note.
    pub invalid: bool,
}

/// What [`workflow_files`] found.
#[derive(Debug, Default)]
pub struct Listing {
    pub found: Vec<Found>,
    pub skipped: Vec<Skipped>,
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// The workflow files of `root` for `forge`, sorted by relative path.
pub fn workflow_files(root: &Path, forge: Forge) -> Result<Listing, String> {
    workflow_files_in(Tree::Disk(root), forge)
}

/// The workflow files of a tree for `forge`, sorted by relative path. A workflows folder that
/// is a symbolic link, a listing error, or more than [`MAX_FILES`] files is an error: the
/// root cannot be checked.
pub fn workflow_files_in(tree: Tree<'_>, forge: Forge) -> Result<Listing, String> {
    let Some(dir) = workflow_dir_in(tree, forge) else {
        return Ok(Listing::default());
    };
    if tree.kind(dir) == Some(Kind::Link) {
        return Err(format!(
            "{dir} is a symbolic link (or lies under one): the forge does not follow it, so no \
             workflow in it runs, and gatelint does not read through it"
        ));
    }
    let recursive = forge != Forge::Github;
    let mut listing = match tree {
        Tree::Disk(root) => list_disk(root, dir, recursive)?,
        Tree::Mem(m) => list_mem(m, dir, recursive),
    };
    if listing.found.len() > MAX_FILES {
        return Err(format!(
            "{dir} holds more than {MAX_FILES} workflow files: not checked"
        ));
    }
    listing.found.sort_by(|a, b| a.file.cmp(&b.file));
    listing.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(listing)
}

fn list_disk(root: &Path, dir: &str, recursive: bool) -> Result<Listing, String> {
    let mut out = Listing::default();
    let mut pending: Vec<(PathBuf, String, usize)> = vec![(root.join(dir), dir.to_owned(), 0)];
    let mut seen = 0usize;
    while let Some((path, rel, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&path).map_err(|e| format!("cannot list {rel}: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {rel}: {e}"))?;
            seen += 1;
            if seen > MAX_FILES * 4 {
                return Err(format!(
                    "{dir} holds more than {} entries: not checked",
                    MAX_FILES * 4
                ));
            }
            let raw_name = entry.file_name();
            let file_type = entry
                .file_type()
                .map_err(|e| format!("cannot list {rel}: {e}"))?;
            let Some(name) = raw_name.to_str() else {
                let shown = format!("{rel}/{}", raw_name.to_string_lossy());
                if file_type.is_dir() || is_yaml(&raw_name.to_string_lossy()) {
                    out.skipped.push(Skipped {
                        file: shown,
                        why: "its name is not valid UTF-8: not read (the forge may run it; \
                              rename it)"
                            .to_owned(),
                        invalid: false,
                    });
                }
                continue;
            };
            let child_rel = format!("{rel}/{name}");
            if file_type.is_dir() {
                if !recursive {
                    continue;
                }
                if depth < MAX_DIR_DEPTH {
                    pending.push((entry.path(), child_rel, depth + 1));
                } else {
                    out.skipped.push(Skipped {
                        file: child_rel,
                        why: format!(
                            "is nested more than {MAX_DIR_DEPTH} folders deep: not searched"
                        ),
                        invalid: false,
                    });
                }
                continue;
            }
            if file_type.is_symlink() {
                if is_yaml(name) {
                    out.skipped.push(Skipped {
                        file: child_rel,
                        why: LINK_NOT_FOLLOWED.to_owned(),
                        invalid: true,
                    });
                } else if recursive && entry.path().is_dir() {
                    out.skipped.push(Skipped {
                        file: child_rel,
                        why: "is a symbolic link to a folder: the forge does not follow it, \
                              so nothing in it runs"
                            .to_owned(),
                        invalid: false,
                    });
                }
                continue;
            }
            if !is_yaml(name) {
                continue;
            }
            if file_type.is_file() {
                out.found.push(Found { file: child_rel });
            } else {
                out.skipped.push(Skipped {
                    file: child_rel,
                    why: "is not a regular file (a FIFO, socket or device): not read".to_owned(),
                    invalid: true,
                });
            }
        }
    }
    Ok(out)
}

fn list_mem(m: &MemTree, dir: &str, recursive: bool) -> Listing {
    let mut out = Listing::default();
    let prefix = format!("{dir}/");
    for (path, entry) in m.entries.range(prefix.clone()..) {
        let Some(rest) = path.strip_prefix(&prefix) else {
            break;
        };
        let depth = rest.matches('/').count();
        if depth > 0 && !recursive {
            continue;
        }
        let name = rest.rsplit('/').next().unwrap_or(rest);
        if !is_yaml(name) {
            continue;
        }
        if depth > MAX_DIR_DEPTH {
            out.skipped.push(Skipped {
                file: path.clone(),
                why: format!("is nested more than {MAX_DIR_DEPTH} folders deep: not searched"),
                invalid: false,
            });
            continue;
        }
        match entry {
            MemEntry::Text(_) => out.found.push(Found { file: path.clone() }),
            MemEntry::Link => out.skipped.push(Skipped {
                file: path.clone(),
                why: LINK_NOT_FOLLOWED.to_owned(),
                invalid: true,
            }),
            MemEntry::Unreadable(why) => out.skipped.push(Skipped {
                file: path.clone(),
                why: why.clone(),
                invalid: true,
            }),
        }
    }
    out
}
