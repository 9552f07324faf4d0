//! `gatelint check` output: the JSON document (schema version 1) and the summary line.

use serde::Serialize;

use crate::finding::Severity;
use crate::run::Checked;

#[derive(Serialize)]
struct JsonCheck<'a> {
    version: u32,
    forge: &'a str,
    branch: Option<&'a str>,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    root: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    workflow: Option<&'a str>,
    job: Option<&'a str>,
    context: Option<&'a str>,
    help: Option<&'a str>,
    issue: Option<&'a str>,
    condition: Option<&'a str>,
    event: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    evidence: &'a [crate::finding::Evidence],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    plan: &'a [crate::finding::PlanStep],
}

#[derive(Serialize, Default)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub workflows: usize,
    pub jobs: usize,
}

pub fn summary(checked: &[Checked]) -> Summary {
    let mut s = Summary::default();
    for c in checked {
        for f in &c.findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
        }
        s.workflows += c.report.sources.len();
        s.jobs += c.report.gates.len();
    }
    s
}

/// `forge` of the document: the roots' forge, or `mixed`.
fn forge(checked: &[Checked]) -> &'static str {
    let mut forges = checked.iter().map(|c| c.report.profile.forge.as_str());
    match forges.next() {
        Some(first) if forges.all(|f| f == first) => first,
        Some(_) => "mixed",
        None => "",
    }
}

pub fn json(checked: &[Checked]) -> String {
    let doc = JsonCheck {
        version: 1,
        forge: forge(checked),
        branch: checked.first().map(|c| c.branch.as_str()),
        findings: checked
            .iter()
            .flat_map(|c| &c.findings)
            .map(|f| JsonFinding {
                rule: f.rule,
                severity: f.severity.as_str(),
                message: &f.message,
                root: &f.root,
                file: f.file.as_deref(),
                line: f.line(),
                column: f.column(),
                workflow: f.workflow.as_deref(),
                job: f.job.as_deref(),
                context: f.context.as_deref(),
                help: f.help.as_deref(),
                issue: f.issue.as_deref(),
                condition: f.condition.as_deref(),
                event: f.event.as_deref(),
                evidence: &f.evidence,
                plan: &f.plan,
            })
            .collect(),
        summary: summary(checked),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `gatelint: 2 errors, 1 warning, 0 notes in 12 workflows (40 jobs)`.
pub fn summary_line(checked: &[Checked]) -> String {
    let s = summary(checked);
    format!(
        "gatelint: {}, {}, {} in {} ({})",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note"),
        plural(s.workflows, "workflow"),
        plural(s.jobs, "job"),
    )
}
