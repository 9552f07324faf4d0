//! Findings: what gatelint reports, with everything a reporter needs.

use std::fmt;

use crate::yaml::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. `file` is relative to `root` with `/`; `span` points into that file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub root: String,
    pub file: Option<String>,
    pub span: Option<Span>,
    pub workflow: Option<String>,
    pub job: Option<String>,
    pub context: Option<String>,
    /// The issue that tracks it: a pending directive's, a mask waiver's.
    pub issue: Option<String>,
    /// The vacuous-gate rules: the `if:` judged, and the event it was judged on.
    pub condition: Option<String>,
    pub event: Option<String>,
    /// What the forge posted that the finding rests on (`--head`, `--history`).
    pub evidence: Vec<Evidence>,
    /// Diff mode, `gate-renamed` / `gate-removed`: the order of changes that keeps every
    /// pull request mergeable.
    pub plan: Vec<PlanStep>,
}

/// One step of a safe change to protection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanStep {
    pub step: u32,
    /// `unrequire`, `merge` or `require`.
    pub action: &'static str,
    pub context: Option<String>,
    /// What to do, in words.
    pub text: String,
    /// The API request that does it, when gatelint read the whole object it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<PlanRequest>,
}

/// An API request: the method, the path under the API's base, the whole body.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanRequest {
    pub method: &'static str,
    pub path: String,
    pub body: serde_json::Value,
}

/// A status the forge posted on a commit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    pub commit: String,
    pub context: String,
    pub state: String,
    /// The run's page, when the forge gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Finding {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        root: &str,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity,
            message: message.into(),
            help: None,
            root: root.to_owned(),
            file: None,
            span: None,
            workflow: None,
            job: None,
            context: None,
            issue: None,
            condition: None,
            event: None,
            evidence: Vec::new(),
            plan: Vec::new(),
        }
    }

    pub fn at(mut self, file: &str, span: Span) -> Self {
        self.file = Some(file.to_owned());
        self.span = Some(span);
        self
    }

    /// The issue that tracks what the finding is about.
    pub fn issue(mut self, issue: impl Into<String>) -> Self {
        self.issue = Some(issue.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn job(mut self, workflow: &str, job: &str) -> Self {
        self.workflow = Some(workflow.to_owned());
        self.job = Some(job.to_owned());
        self
    }

    /// 1-based line.
    pub fn line(&self) -> Option<u32> {
        self.span.map(|s| s.start.line)
    }

    /// 1-based column, in characters.
    pub fn column(&self) -> Option<u32> {
        self.span.map(|s| s.start.col + 1)
    }
}
