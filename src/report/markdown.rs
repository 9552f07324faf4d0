//! A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull request comment: totals, the
//! findings with links to their lines, and the gate matrix.

use std::fmt::Write as _;

use super::Verdict;
use super::checks;
use super::escape::{md_code, md_message, md_text};
use super::gates::Row;
use super::sarif::artifact_uri;
use crate::finding::{Finding, Severity};
use crate::forge::Forge;
use crate::run::Checked;

/// A table cell of text from the repository: Markdown and HTML escaped.
fn cell(s: &str) -> String {
    md_text(s)
}

/// Where a line of a file is shown on the forge, from the runner's environment
/// (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`); else a relative link.
fn link(forge: Forge, uri: &str, line: Option<u32>) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
    match (
        env("GITHUB_SERVER_URL"),
        env("GITHUB_REPOSITORY"),
        env("GITHUB_SHA"),
    ) {
        (Some(server), Some(repo), Some(sha)) => {
            let server = server.trim_end_matches('/');
            match forge {
                Forge::Github => format!("{server}/{repo}/blob/{sha}/{uri}{anchor}"),
                Forge::Gitea | Forge::Forgejo => {
                    format!("{server}/{repo}/src/commit/{sha}/{uri}{anchor}")
                }
            }
        }
        _ => format!("{uri}{anchor}"),
    }
}

/// A link target with everything but unreserved URL characters and `/`, `:`, `#`
/// percent-encoded.
fn url_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:#".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Note => "ℹ️ note",
    }
}

fn location(forge: Forge, f: &Finding) -> String {
    match artifact_uri(f) {
        Some(uri) => {
            let label = match f.line() {
                Some(l) => format!("{uri}:{l}"),
                None => uri.clone(),
            };
            // The link target is percent-encoded: no `)` or space can end it early.
            format!(
                "[{}](<{}>)",
                cell(&label),
                url_escape(&link(forge, &uri, f.line()))
            )
        }
        None => md_code(&f.root),
    }
}

pub fn markdown(checked: &[Checked], rows: &[Row<'_>]) -> String {
    let s = checks::summary(checked);
    let forge = checked
        .first()
        .map_or(Forge::Github, |c| c.report.profile.forge);
    let mut out = String::new();
    let status = if s.errors > 0 { "❌" } else { "✅" };
    let _ = writeln!(
        out,
        "## {status} gatelint: {}, {}, {}\n\n{} and {} checked.\n",
        checks::plural(s.errors, "error"),
        checks::plural(s.warnings, "warning"),
        checks::plural(s.notes, "note"),
        checks::plural(s.workflows, "workflow"),
        checks::plural(s.jobs, "job"),
    );
    // As the human output shows them: a first run's directive-missing summarised, errors
    // first.
    let findings: Vec<Finding> = checked.iter().flat_map(super::view::shown).collect();
    if !findings.is_empty() {
        out.push_str("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
        for f in &findings {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                icon(f.severity),
                f.rule,
                location(forge, f),
                md_message(&f.message)
            );
        }
        out.push('\n');
        if let Some(tally) = super::view::tally(checked) {
            let _ = writeln!(out, "{}\n", md_text(tally.trim_start_matches("gatelint: ")));
        }
    }
    let _ = writeln!(
        out,
        "<details><summary>Gate matrix ({} jobs)</summary>\n\n| Workflow | Job | Directive | Protected | Verdict | Contexts |\n|---|---|---|---|---|---|",
        rows.len()
    );
    for (g, protected, vacuous) in rows {
        let directive = g.directive.as_ref().map_or("-", |d| d.value.kind());
        let verdict = Verdict::of(g, *protected, vacuous).as_str();
        let protected = match protected {
            // Nothing of its own to protect (JSON: `protected` false, verdict `no-context`).
            _ if g.contexts.is_empty() && g.unresolvable.is_none() => "-",
            None => "?",
            Some(true) => "yes",
            Some(false) => "no",
        };
        let contexts = g
            .contexts
            .iter()
            .map(|c| md_code(&c.text))
            .collect::<Vec<_>>()
            .join("<br>");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&g.workflow),
            md_code(&g.job),
            directive,
            protected,
            verdict,
            if contexts.is_empty() {
                "-".to_owned()
            } else {
                contexts
            }
        );
    }
    out.push_str("\n</details>\n");
    out
}
