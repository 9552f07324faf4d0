//! What `gatelint audit` says of each repository and of them all: a line per repository and a
//! summary (human), a JSON document, JSON Lines, SARIF (one run per repository) or Markdown.
//! Every format is made from [`RepoResult`]s alone, so that `--state` and `--merge`, which read
//! them back, print exactly what a live run prints.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use crate::report::checks::plural;
use crate::report::escape::{md_code, md_text, visible};

/// What became of one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Checked,
    Skipped,
    Failed,
}

/// What a repository's protection does for its branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Posture {
    /// At least one required check is posted by a job that is not vacuous.
    Gated,
    /// No branch protection or ruleset requires a status check.
    Unprotected,
    /// Checks are required, but no workflow job posts any of them.
    OrphanedOnly,
    /// Every job that posts a required check can pass without testing anything (masked,
    /// skippable, not failed by a failed dependency, conditioned away, or its context posted
    /// by another job too).
    VacuousOnly,
    /// No job is known to post a required check, but some jobs' contexts cannot be computed.
    Undecided,
}

impl Posture {
    pub fn describe(self) -> &'static str {
        match self {
            Posture::Gated => "gated",
            Posture::Unprotected => "unprotected",
            Posture::OrphanedOnly => "gates nothing: no workflow job posts a required check",
            Posture::VacuousOnly => "gates nothing: every required job can pass vacuously",
            Posture::Undecided => {
                "undecided: no job is known to post a required check, and some contexts cannot be computed"
            }
        }
    }
}

/// The finding that matters most in a repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Worst {
    pub rule: String,
    pub severity: String,
    pub message: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub line: Option<u64>,
}

/// One repository's outcome: what every output format prints, and what `--state` keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct RepoResult {
    pub repository: String,
    #[serde(default)]
    pub branch: Option<String>,
    pub status: Status,
    /// Why a repository was skipped or could not be read.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub posture: Option<Posture>,
    /// Where protection was read, or why nothing is required.
    #[serde(default)]
    pub protection: Option<String>,
    /// Status checks protection requires (enforced entries).
    #[serde(default)]
    pub required: usize,
    /// Jobs that post a required check.
    #[serde(default)]
    pub gates: usize,
    #[serde(default)]
    pub workflows: usize,
    #[serde(default)]
    pub jobs: usize,
    #[serde(default)]
    pub errors: usize,
    #[serde(default)]
    pub warnings: usize,
    #[serde(default)]
    pub notes: usize,
    /// The repository writes `bp-required` / `bp-exempt` directives.
    #[serde(default)]
    pub adopted: bool,
    /// API requests made for it.
    #[serde(default)]
    pub requests: usize,
    #[serde(default)]
    pub worst: Option<Worst>,
    /// The findings, as `gatelint check --format json` prints them.
    #[serde(default)]
    pub findings: Vec<Json>,
}

impl RepoResult {
    pub fn skipped(repository: String, why: &str) -> RepoResult {
        RepoResult::bare(repository, Status::Skipped, why)
    }

    pub fn failed(repository: String, why: &str) -> RepoResult {
        RepoResult::bare(repository, Status::Failed, why)
    }

    fn bare(repository: String, status: Status, why: &str) -> RepoResult {
        RepoResult {
            repository,
            branch: None,
            status,
            reason: Some(why.to_owned()),
            posture: None,
            protection: None,
            required: 0,
            gates: 0,
            workflows: 0,
            jobs: 0,
            errors: 0,
            warnings: 0,
            notes: 0,
            adopted: false,
            requests: 0,
            worst: None,
            findings: Vec::new(),
        }
    }
}

/// Totals over repositories.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Summary {
    pub repositories: usize,
    pub checked: usize,
    pub skipped: BTreeMap<String, usize>,
    pub failed: usize,
    pub gated: usize,
    pub unprotected: usize,
    pub orphaned_only: usize,
    pub vacuous_only: usize,
    pub undecided: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Repositories with at least one error-level finding.
    pub with_errors: usize,
    pub adopted: usize,
    /// Every API request: the repositories' and the list's.
    pub requests: usize,
    /// The list's requests (pages of the organisation's repositories).
    #[serde(default)]
    pub list_requests: usize,
}

impl Summary {
    /// Counts saturate: a result read back (`--merge`, `--state`) cannot wrap them to zero.
    pub fn add(&mut self, r: &RepoResult) {
        fn inc(n: &mut usize, by: usize) {
            *n = n.saturating_add(by);
        }
        inc(&mut self.repositories, 1);
        inc(&mut self.requests, r.requests);
        match r.status {
            Status::Skipped => {
                inc(
                    self.skipped
                        .entry(r.reason.clone().unwrap_or_default())
                        .or_default(),
                    1,
                );
            }
            Status::Failed => inc(&mut self.failed, 1),
            Status::Checked => {
                inc(&mut self.checked, 1);
                match r.posture {
                    Some(Posture::Gated) => inc(&mut self.gated, 1),
                    Some(Posture::Unprotected) => inc(&mut self.unprotected, 1),
                    Some(Posture::OrphanedOnly) => inc(&mut self.orphaned_only, 1),
                    Some(Posture::VacuousOnly) => inc(&mut self.vacuous_only, 1),
                    Some(Posture::Undecided) | None => inc(&mut self.undecided, 1),
                }
                inc(&mut self.errors, r.errors);
                inc(&mut self.warnings, r.warnings);
                inc(&mut self.notes, r.notes);
                inc(&mut self.with_errors, usize::from(r.errors > 0));
                inc(&mut self.adopted, usize::from(r.adopted));
            }
        }
    }
}

/// What the audit was of, for the document's head.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Head {
    pub forge: String,
    pub server: String,
    /// `org ORG`, `repos FILE`, `offline DIR` or `merge`.
    pub scope: String,
    #[serde(default)]
    pub shard: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Jsonl,
    Sarif,
    Markdown,
}

/// Writes results as they come, in the order given, keeping nothing but the summary.
pub struct Writer<W: std::io::Write> {
    out: W,
    format: Format,
    head: Head,
    pub summary: Summary,
    first: bool,
    color: bool,
}

impl<W: std::io::Write> Writer<W> {
    pub fn new(out: W, format: Format, head: Head, color: bool) -> std::io::Result<Writer<W>> {
        let mut w = Writer {
            out,
            format,
            head,
            summary: Summary::default(),
            first: true,
            color,
        };
        match format {
            Format::Json => {
                let head = serde_json::to_string(&w.head).unwrap_or_default();
                // The head's fields, then the repositories as they come.
                let fields = head.trim_start_matches('{').trim_end_matches('}');
                write!(
                    w.out,
                    "{{\"version\":1,\"kind\":\"gatelint-audit\",{fields},\"repositories\":["
                )?;
            }
            Format::Sarif => write!(
                w.out,
                "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":["
            )?,
            Format::Markdown => {
                writeln!(w.out, "## gatelint audit\n")?;
                writeln!(
                    w.out,
                    "| Repository | Branch | Posture | Gates | Errors | Warnings | Worst finding |"
                )?;
                writeln!(w.out, "|---|---|---|---|---|---|---|")?;
            }
            Format::Human | Format::Jsonl => {}
        }
        Ok(w)
    }

    pub fn push(&mut self, r: &RepoResult) -> std::io::Result<()> {
        self.summary.add(r);
        match self.format {
            Format::Human => writeln!(self.out, "{}", human_line(r, self.color))?,
            Format::Jsonl => {
                writeln!(self.out, "{}", serde_json::to_string(r).unwrap_or_default())?
            }
            Format::Json => {
                if !self.first {
                    write!(self.out, ",")?;
                }
                write!(
                    self.out,
                    "\n{}",
                    serde_json::to_string(r).unwrap_or_default()
                )?;
            }
            Format::Sarif => {
                if r.status != Status::Skipped {
                    if !self.first {
                        write!(self.out, ",")?;
                    }
                    let run = sarif_run(r, &self.head);
                    write!(
                        self.out,
                        "\n{}",
                        serde_json::to_string(&run).unwrap_or_default()
                    )?;
                    self.first = false;
                }
                return self.out.flush();
            }
            Format::Markdown => writeln!(self.out, "{}", markdown_row(r))?,
        }
        self.first = false;
        self.out.flush()
    }

    /// The summary, and the end of the document.
    pub fn finish(mut self) -> std::io::Result<Summary> {
        let s = self.summary.clone();
        match self.format {
            Format::Human => write!(self.out, "{}", human_summary(&s, &self.head))?,
            Format::Jsonl => writeln!(
                self.out,
                "{}",
                json!({"kind": "gatelint-audit-summary", "head": self.head, "summary": s})
            )?,
            Format::Json => writeln!(
                self.out,
                "\n],\"summary\":{}}}",
                serde_json::to_string(&s).unwrap_or_default()
            )?,
            Format::Sarif => writeln!(self.out, "\n]}}")?,
            Format::Markdown => write!(self.out, "\n{}", markdown_summary(&s, &self.head))?,
        }
        self.out.flush()?;
        Ok(s)
    }
}

fn worst_text(w: &Worst) -> String {
    let at = match (&w.file, w.line) {
        (Some(f), Some(l)) => format!(" ({}:{l})", visible(f)),
        (Some(f), None) => format!(" ({})", visible(f)),
        _ => String::new(),
    };
    let mut message: String = w.message.chars().take(160).collect();
    if w.message.chars().count() > 160 {
        message.push('…');
    }
    format!("{}{at}: {}", visible(&w.rule), visible(&message))
}

fn human_line(r: &RepoResult, color: bool) -> String {
    let name = visible(&r.repository);
    let paint = |code: &str, s: String| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s
        }
    };
    match r.status {
        Status::Skipped => format!(
            "{name}: skipped ({})",
            visible(r.reason.as_deref().unwrap_or(""))
        ),
        Status::Failed => paint(
            "31",
            format!(
                "{name}: could not be audited: {}",
                visible(r.reason.as_deref().unwrap_or(""))
            ),
        ),
        Status::Checked => {
            let branch = visible(r.branch.as_deref().unwrap_or("?"));
            let posture = r.posture.unwrap_or(Posture::Undecided);
            let head = match posture {
                Posture::Gated => format!("gated by {}", plural(r.gates, "job")),
                Posture::Unprotected => format!(
                    "unprotected ({})",
                    visible(r.protection.as_deref().unwrap_or("nothing is required"))
                ),
                other => other.describe().to_owned(),
            };
            let mut line = format!(
                "{name} ({branch}): {head}; {}, {}",
                plural(r.errors, "error"),
                plural(r.warnings, "warning")
            );
            if let Some(w) = &r.worst {
                line.push_str("; worst: ");
                line.push_str(&worst_text(w));
            }
            match (posture, r.errors) {
                (Posture::Gated, 0) => line,
                (_, 0) => paint("33", line),
                _ => paint("31", line),
            }
        }
    }
}

fn skipped_text(s: &Summary) -> String {
    let total: usize = s.skipped.values().sum();
    if total == 0 {
        return String::new();
    }
    let parts: Vec<String> = s
        .skipped
        .iter()
        .map(|(why, n)| format!("{n} {}", visible(why)))
        .collect();
    format!("; {total} skipped: {}", parts.join(", "))
}

fn human_summary(s: &Summary, head: &Head) -> String {
    let shard = head
        .shard
        .as_deref()
        .map(|k| format!(", shard {k}"))
        .unwrap_or_default();
    let mut out = format!(
        "\ngatelint audit of {} on {}{shard}: {} checked of {}{}",
        visible(&head.scope),
        visible(&head.server),
        s.checked,
        plural(s.repositories, "repository").replace("repositorys", "repositories"),
        skipped_text(s)
    );
    if s.failed > 0 {
        out.push_str(&format!(
            "; {} could not be read (exit 2: the audit did not see everything)",
            s.failed
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "  gated: {} · unprotected: {} · gates nothing: {} (no job posts a required check: {}; every required job vacuous: {}) · undecided: {}\n",
        s.gated,
        s.unprotected,
        s.orphaned_only + s.vacuous_only,
        s.orphaned_only,
        s.vacuous_only,
        s.undecided
    ));
    out.push_str(&format!(
        "  findings: {}, {}, {} ({} with errors); {} use bp-required directives; {} API requests\n",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note"),
        s.with_errors,
        s.adopted,
        s.requests
    ));
    out
}

fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|")
}

fn markdown_row(r: &RepoResult) -> String {
    let name = md_code(&r.repository);
    let branch = r.branch.as_deref().map(md_code).unwrap_or_default();
    match r.status {
        Status::Skipped => format!(
            "| {name} | {branch} | skipped: {} | | | | |",
            md_cell(r.reason.as_deref().unwrap_or(""))
        ),
        Status::Failed => format!(
            "| {name} | {branch} | **could not be audited**: {} | | | | |",
            md_cell(r.reason.as_deref().unwrap_or(""))
        ),
        Status::Checked => {
            let posture = r.posture.unwrap_or(Posture::Undecided);
            let worst = r
                .worst
                .as_ref()
                .map(|w| format!("{}: {}", md_code(&w.rule), md_cell(&w.message)))
                .unwrap_or_default();
            format!(
                "| {name} | {branch} | {} | {} | {} | {} | {worst} |",
                posture.describe(),
                r.gates,
                r.errors,
                r.warnings
            )
        }
    }
}

fn markdown_summary(s: &Summary, head: &Head) -> String {
    let skipped: usize = s.skipped.values().sum();
    format!(
        "**{}** on {}: {} checked of {} ({skipped} skipped); {} could not be read.\n\n\
         - gated: {}\n- unprotected: {}\n- no workflow job posts a required check: {}\n\
         - every required job vacuous: {}\n- undecided: {}\n\
         - findings: {}, {}, {}\n",
        md_text(&head.scope),
        md_code(&head.server),
        s.checked,
        s.repositories,
        s.failed,
        s.gated,
        s.unprotected,
        s.orphaned_only,
        s.vacuous_only,
        s.undecided,
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note"),
    )
}

fn level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        _ => "note",
    }
}

/// One SARIF run for a repository: its findings, with the repository as provenance.
fn sarif_run(r: &RepoResult, head: &Head) -> Json {
    let results: Vec<Json> = r
        .findings
        .iter()
        .map(|f| {
            let s = |k: &str| f.get(k).and_then(Json::as_str).unwrap_or("");
            let mut result = json!({
                "ruleId": s("rule"),
                "level": level(s("severity")),
                "message": {"text": s("message")},
            });
            if let Some(file) = f.get("file").and_then(Json::as_str) {
                let mut region = serde_json::Map::new();
                if let Some(l) = f.get("line").and_then(Json::as_u64) {
                    region.insert("startLine".into(), json!(l));
                }
                if let Some(c) = f.get("column").and_then(Json::as_u64) {
                    region.insert("startColumn".into(), json!(c));
                }
                let mut physical =
                    json!({"artifactLocation": {"uri": file, "uriBaseId": "REPOSITORY"}});
                if !region.is_empty() {
                    physical["region"] = Json::Object(region);
                }
                result["locations"] = json!([{"physicalLocation": physical}]);
            }
            result
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "gatelint",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://crates.io/crates/gatelint",
        }},
        "automationDetails": {"id": format!("gatelint-audit/{}/", r.repository)},
        "versionControlProvenance": [{
            "repositoryUri": format!("{}/{}", head.server.trim_end_matches('/'), r.repository),
            "branch": r.branch.clone().unwrap_or_default(),
        }],
        "results": results,
    });
    if r.status == Status::Failed {
        run["invocations"] = json!([{
            "executionSuccessful": false,
            "toolExecutionNotifications": [{"level": "error", "message": {"text": r.reason.clone().unwrap_or_default()}}],
        }]);
    }
    run
}

/// The repositories of an audit's JSON document or JSON Lines output (`--merge`), with its
/// head; an error says what is wrong with the file.
pub fn read_output(text: &str) -> Result<(Option<Head>, Vec<RepoResult>, usize), String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        && let Ok(doc) = serde_json::from_str::<Json>(trimmed)
        && doc.get("kind").and_then(Json::as_str) == Some("gatelint-audit")
    {
        let head: Head = serde_json::from_value(doc.clone())
            .map_err(|e| format!("not a gatelint audit document ({e})"))?;
        let repos = doc
            .get("repositories")
            .cloned()
            .ok_or("not a gatelint audit document (no `repositories`)")?;
        let repos: Vec<RepoResult> = serde_json::from_value(repos)
            .map_err(|e| format!("a repository of the document cannot be read ({e})"))?;
        let listed = doc["summary"]["list-requests"].as_u64().unwrap_or(0);
        return Ok((Some(head), repos, usize::try_from(listed).unwrap_or(0)));
    }
    let mut head = None;
    let mut repos = Vec::new();
    let mut listed = 0;
    let mut ended = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Json = serde_json::from_str(line).map_err(|e| {
            format!(
                "line {}: neither an audit JSON document nor JSON Lines ({e})",
                i + 1
            )
        })?;
        if ended {
            return Err(format!(
                "line {}: after the summary line: not one audit's JSON Lines",
                i + 1
            ));
        }
        if v.get("kind").and_then(Json::as_str) == Some("gatelint-audit-summary") {
            ended = true;
            head = v
                .get("head")
                .cloned()
                .and_then(|h| serde_json::from_value(h).ok());
            listed =
                usize::try_from(v["summary"]["list-requests"].as_u64().unwrap_or(0)).unwrap_or(0);
            continue;
        }
        let r: RepoResult = serde_json::from_value(v)
            .map_err(|e| format!("line {}: not an audit result ({e})", i + 1))?;
        repos.push(r);
    }
    if !ended {
        return Err(
            "no summary line at the end: the audit that wrote it did not finish (resume it with --state, then merge its output)"
                .to_owned(),
        );
    }
    Ok((head, repos, listed))
}
