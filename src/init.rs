//! `gatelint init`: adopt gatelint on a repository. Every job that posts a context and has no
//! directive gets one comment line directly above its key (`bp-required: yes` when protection
//! requires its context, else a `bp-exempt: TODO reason` placeholder that `directive-invalid`
//! keeps flagging until a person writes the reason). Every other byte is kept.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::analyze::RootReport;
use crate::forge::Forge;
use crate::forge::protection::Protection;
use crate::rules::pr_reachable;
use crate::workflow::{DirectiveSyntax, parse_workflow};
use crate::yaml::LineIndex;

/// The placeholder reason `init` writes; `directive-invalid` rejects it.
pub const TODO_REASON: &str = "TODO reason";

/// The change to one workflow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the root, with `/`.
    pub file: String,
    pub original: String,
    pub updated: String,
    pub required: usize,
    pub exempt: usize,
}

/// A job init could not annotate, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub file: String,
    pub job: String,
    pub why: String,
}

/// Plan the directives for one analysed root.
pub fn plan(
    report: &RootReport,
    protection: Option<&Protection>,
    syntax: &DirectiveSyntax,
) -> (Vec<FileChange>, Vec<Skipped>) {
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    for wf in &report.workflows {
        let Some(source) = report.sources.get(&wf.file) else {
            continue;
        };
        // line → (directive text, jobs), for the jobs that need one.
        let mut by_line: BTreeMap<u32, (String, Vec<&str>)> = BTreeMap::new();
        let mut conflicts: Vec<u32> = Vec::new();
        for gate in report.gates.iter().filter(|g| g.file == wf.file) {
            let posts = !gate.contexts.is_empty() || gate.unresolvable.is_some();
            if gate.directive.is_some() || gate.directive_invalid || !posts || !pr_reachable(wf) {
                continue;
            }
            let required =
                protection.is_some_and(|p| gate.contexts.iter().any(|c| p.requires(&c.text)));
            let text = if required {
                format!("{}: yes", syntax.required())
            } else {
                format!("{}: {TODO_REASON}", syntax.exempt())
            };
            let line = gate.key_span.start.line;
            let entry = by_line
                .entry(line)
                .or_insert_with(|| (text.clone(), Vec::new()));
            if entry.0 != text {
                conflicts.push(line);
            }
            entry.1.push(&gate.job);
        }
        for line in conflicts {
            if let Some((_, jobs)) = by_line.remove(&line) {
                for job in jobs {
                    skipped.push(Skipped {
                        file: wf.file.clone(),
                        job: job.to_owned(),
                        why: format!(
                            "shares line {line} with jobs that need a different directive: split the jobs onto their own lines"
                        ),
                    });
                }
            }
        }
        if by_line.is_empty() {
            continue;
        }
        let updated = insert_lines(source, &by_line);
        // The result must still be the same workflow.
        let same = parse_workflow(&updated, &wf.file, syntax).is_ok_and(|after| {
            after
                .jobs
                .iter()
                .map(|j| &j.id)
                .eq(wf.jobs.iter().map(|j| &j.id))
        });
        if !same {
            for (_, jobs) in by_line.values() {
                for job in jobs {
                    skipped.push(Skipped {
                        file: wf.file.clone(),
                        job: (*job).to_owned(),
                        why: "inserting a comment line would change how the file parses".to_owned(),
                    });
                }
            }
            continue;
        }
        let count = |needle: &str| {
            by_line
                .values()
                .filter(|(t, _)| t.ends_with(needle))
                .map(|(_, jobs)| jobs.len())
                .sum::<usize>()
        };
        changes.push(FileChange {
            file: wf.file.clone(),
            original: source.to_string(),
            updated,
            required: count(": yes"),
            exempt: count(TODO_REASON),
        });
    }
    (changes, skipped)
}

/// Insert `# text` above each given line (1-based), with that line's indentation and line
/// ending.
fn insert_lines(source: &str, at: &BTreeMap<u32, (String, Vec<&str>)>) -> String {
    let index = LineIndex::new(source);
    let mut out = String::with_capacity(source.len() + at.len() * 40);
    let mut copied = 0;
    for (line, (text, _)) in at {
        let start = index.line_start(*line as usize);
        out.push_str(&source[copied..start]);
        copied = start;
        let line_text = index.line_with_break(source, *line as usize);
        let indent: String = line_text
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        // The key's own line break: LF, CRLF, or a lone CR (YAML reads all three).
        let newline = if line_text.ends_with("\r\n") {
            "\r\n"
        } else if line_text.ends_with('\r') {
            "\r"
        } else {
            "\n"
        };
        let _ = write!(out, "{indent}# {text}{newline}");
    }
    out.push_str(&source[copied..]);
    out
}

/// Write every change (and the starter config, when given) without ever leaving a file half
/// written: each new content goes to a temporary file in the same folder, and only when all
/// are written are they renamed over the originals (an atomic replace per file). A file that
/// is a symbolic link, or lies under one, is never written through: nothing is written then.
/// Returns how many files were written.
pub fn apply(
    root: &std::path::Path,
    changes: &[FileChange],
    config: Option<(&str, &str)>,
) -> Result<usize, String> {
    use std::io::Write as _;
    let mut prepared: Vec<(tempfile::NamedTempFile, std::path::PathBuf)> = Vec::new();
    let mut writes: Vec<(&str, &str, bool)> = changes
        .iter()
        .map(|c| (c.file.as_str(), c.updated.as_str(), true))
        .collect();
    if let Some((file, text)) = config {
        writes.push((file, text, false));
    }
    for (rel, text, must_exist) in writes {
        let target = root.join(rel);
        if must_exist && !crate::discover::is_regular_file(root, rel) {
            return Err(format!(
                "{rel} is not a regular file inside the repository (a symbolic link?): \
                 nothing written"
            ));
        }
        if !must_exist && std::fs::symlink_metadata(&target).is_ok() {
            return Err(format!("{rel} appeared meanwhile: nothing written"));
        }
        let dir = target.parent().unwrap_or(root);
        let mut tmp = tempfile::Builder::new()
            .prefix(".gatelint-init-")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write in {}: {e}; nothing written", dir.display()))?;
        tmp.write_all(text.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| format!("cannot write {rel}: {e}; nothing written"))?;
        if must_exist && let Ok(meta) = std::fs::metadata(&target) {
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        prepared.push((tmp, target));
    }
    let count = prepared.len();
    for (tmp, target) in prepared {
        tmp.persist(&target)
            .map_err(|e| format!("cannot replace {}: {}", target.display(), e.error))?;
    }
    Ok(count)
}

/// A unified diff of one change (insertions only), with 3 lines of context.
pub fn unified_diff(change: &FileChange) -> String {
    let old: Vec<&str> = change.original.split_inclusive('\n').collect();
    let new: Vec<&str> = change.updated.split_inclusive('\n').collect();
    // Walk both: lines only in `new` are insertions.
    let mut marks: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while j < new.len() {
        if i < old.len() && old[i] == new[j] {
            marks.push((' ', new[j]));
            i += 1;
        } else {
            marks.push(('+', new[j]));
        }
        j += 1;
    }
    let mut out = format!("--- a/{0}\n+++ b/{0}\n", change.file);
    let changed: Vec<usize> = marks
        .iter()
        .enumerate()
        .filter(|(_, m)| m.0 == '+')
        .map(|(k, _)| k)
        .collect();
    let mut k = 0;
    while k < changed.len() {
        let first = changed[k].saturating_sub(3);
        let mut last = (changed[k] + 3).min(marks.len() - 1);
        let mut next = k + 1;
        while next < changed.len() && changed[next] <= last + 4 {
            last = (changed[next] + 3).min(marks.len() - 1);
            next += 1;
        }
        let old_start = marks[..first].iter().filter(|m| m.0 == ' ').count() + 1;
        let new_start = first + 1;
        let hunk = &marks[first..=last];
        let old_len = hunk.iter().filter(|m| m.0 == ' ').count();
        let _ = writeln!(
            out,
            "@@ -{old_start},{old_len} +{new_start},{} @@",
            hunk.len()
        );
        for (mark, text) in hunk {
            out.push(*mark);
            out.push_str(text);
            if !text.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        k = next;
    }
    out
}

/// A starter `gatelint.toml`.
pub fn starter_config(forge: Forge, branch: &str, protection: Option<&str>) -> String {
    // Values are written by the TOML serialiser: a branch name cannot add keys.
    let quoted = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let protection_line = match protection {
        Some(p) => format!("protection = {}\n", quoted(&p.replace('\\', "/"))),
        None => {
            // Beside the forge's workflows, where the pre-commit hook watches it.
            let snapshot = format!(".{}/protection.json", forge.as_str());
            format!(
                "# protection = {}  # a snapshot: gatelint snapshot --remote -o {snapshot}\n",
                quoted(&snapshot)
            )
        }
    };
    let (forge, branch) = (quoted(forge.as_str()), quoted(branch));
    format!(
        "# gatelint configuration, written by `gatelint init`. See `gatelint rules` and\n\
         # https://github.com/gatelint/gatelint/blob/main/docs/configuration.md\n\
         forge = {forge}\n\
         branch = {branch}\n\
         {protection_line}\n\
         [masks]\n\
         # Comments that register a job-level continue-on-error, e.g. `# internal#12: …`.\n\
         # trackers = ['internal#\\d+']\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_keep_indentation_and_line_endings() {
        let mut at = BTreeMap::new();
        at.insert(2u32, ("bp-required: yes".to_owned(), vec!["a"]));
        let crlf = "jobs:\r\n\ta:\r\n    x: 1\r\n";
        assert_eq!(
            insert_lines(crlf, &at),
            "jobs:\r\n\t# bp-required: yes\r\n\ta:\r\n    x: 1\r\n"
        );
    }

    #[test]
    fn diff_of_insertions() {
        let change = FileChange {
            file: "ci.yml".into(),
            original: "a\nb\nc\n".into(),
            updated: "a\n# x\nb\nc\n".into(),
            required: 0,
            exempt: 1,
        };
        assert_eq!(
            unified_diff(&change),
            "--- a/ci.yml\n+++ b/ci.yml\n@@ -1,3 +1,4 @@\n a\n+# x\n b\n c\n"
        );
    }
}
