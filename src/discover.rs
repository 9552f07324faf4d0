//! Which workflow files a forge runs (FORGE-SEMANTICS §1).

use std::path::{Path, PathBuf};

use crate::forge::Forge;

/// Sub-folders deeper than this under a workflows folder are not searched (Gitea and Forgejo
/// search recursively; real trees are shallow).
const MAX_DIR_DEPTH: usize = 16;

/// The forge a repository is written for, from the workflow folders present:
/// `.forgejo/workflows`, then `.gitea/workflows`, then GitHub.
pub fn infer_forge(root: &Path) -> Forge {
    if root.join(".forgejo/workflows").is_dir() {
        Forge::Forgejo
    } else if root.join(".gitea/workflows").is_dir() {
        Forge::Gitea
    } else {
        Forge::Github
    }
}

/// The folder the forge reads workflows from; the first that exists wins, even if empty.
pub fn workflow_dir(root: &Path, forge: Forge) -> Option<&'static str> {
    let candidates: &[&'static str] = match forge {
        Forge::Forgejo => &[
            ".forgejo/workflows",
            ".gitea/workflows",
            ".github/workflows",
        ],
        Forge::Gitea => &[".gitea/workflows", ".github/workflows"],
        Forge::Github => &[".github/workflows"],
    };
    candidates.iter().copied().find(|d| root.join(d).is_dir())
}

/// A workflow file found: its path on disk and relative to the root (with `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: PathBuf,
    pub file: String,
}

/// The workflow files of `root` for `forge`, sorted by relative path.
pub fn workflow_files(root: &Path, forge: Forge) -> std::io::Result<Vec<Found>> {
    let Some(dir) = workflow_dir(root, forge) else {
        return Ok(Vec::new());
    };
    let recursive = forge != Forge::Github;
    let mut out = Vec::new();
    let mut pending = vec![(root.join(dir), dir.to_owned(), 0usize)];
    while let Some((path, rel, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&path)?;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let file_type = entry.file_type()?;
            let child_rel = format!("{rel}/{name}");
            if file_type.is_dir() {
                if recursive && depth < MAX_DIR_DEPTH {
                    pending.push((entry.path(), child_rel, depth + 1));
                }
                continue;
            }
            let is_yaml = name.ends_with(".yml") || name.ends_with(".yaml");
            // Symlinks to files count; to folders are not followed.
            let is_file = file_type.is_file() || (file_type.is_symlink() && entry.path().is_file());
            if is_yaml && is_file {
                out.push(Found {
                    path: entry.path(),
                    file: child_rel,
                });
            }
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}
