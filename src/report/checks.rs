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
        s.add(c);
    }
    s
}

impl Summary {
    pub fn add(&mut self, c: &Checked) {
        for f in &c.findings {
            match f.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Note => self.notes += 1,
            }
        }
        self.workflows += c.report.sources.len();
        self.jobs += c.report.gates.len();
    }
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
            .map(json_finding)
            .collect(),
        summary: summary(checked),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The JSON document written root by root: the findings are kept on disk (a temporary file)
/// until the end, when the document's head (whose `forge` depends on every root) is known;
/// the output is exactly [`json`]'s.
pub struct JsonStream {
    spill: std::io::BufWriter<std::fs::File>,
    forges: Vec<&'static str>,
    branch: Option<String>,
    summary: Summary,
    any: bool,
}

impl JsonStream {
    pub fn new() -> std::io::Result<JsonStream> {
        Ok(JsonStream {
            spill: std::io::BufWriter::new(tempfile::tempfile()?),
            forges: Vec::new(),
            branch: None,
            summary: Summary::default(),
            any: false,
        })
    }

    pub fn add(&mut self, c: &Checked) -> std::io::Result<()> {
        use std::io::Write as _;
        let forge = c.report.profile.forge.as_str();
        if !self.forges.contains(&forge) {
            self.forges.push(forge);
        }
        if self.branch.is_none() {
            self.branch = Some(c.branch.clone());
        }
        self.summary.add(c);
        for f in &c.findings {
            let element = serde_json::to_string_pretty(&json_finding(f)).unwrap_or_default();
            self.spill
                .write_all(if self.any { b",\n" } else { b"\n" })?;
            self.any = true;
            self.spill
                .write_all(super::indent(&element, "    ").as_bytes())?;
        }
        Ok(())
    }

    /// The whole document, on `out`.
    pub fn finish(self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        use std::io::{Read as _, Seek as _};
        let forge = match self.forges.as_slice() {
            [one] => *one,
            [] => "",
            _ => "mixed",
        };
        let branch = serde_json::to_string(&self.branch).unwrap_or_default();
        write!(
            out,
            "{{\n  \"version\": 1,\n  \"forge\": {},\n  \"branch\": {branch},\n  \"findings\": [",
            serde_json::to_string(forge).unwrap_or_default()
        )?;
        let mut file = self.spill.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.write_all(buf.get(..n).unwrap_or_default())?;
        }
        if self.any {
            write!(out, "\n  ]")?;
        } else {
            write!(out, "]")?;
        }
        let summary = serde_json::to_string_pretty(&self.summary).unwrap_or_default();
        writeln!(
            out,
            ",\n  \"summary\": {}\n}}",
            summary.replace('\n', "\n  ")
        )
    }
}

fn json_finding(f: &crate::finding::Finding) -> JsonFinding<'_> {
    {
        {
            JsonFinding {
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
            }
        }
    }
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
    summary_line_of(&summary(checked))
}

pub fn summary_line_of(s: &Summary) -> String {
    format!(
        "gatelint: {}, {}, {} in {} ({})",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note"),
        plural(s.workflows, "workflow"),
        plural(s.jobs, "job"),
    )
}
