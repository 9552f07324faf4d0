//! The pipeline for one repository root: discover → parse → name contexts → gates.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Component, Path};
use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::{self, Found};
use crate::finding::{Finding, Severity};
use crate::forge::naming::{self, Callees, Context};
use crate::forge::{Forge, ForgeProfile, Version};
use crate::workflow::{self, Directive, DirectiveSyntax, Spanned, Workflow};
use crate::yaml::{Pos, Span};

/// Workflow files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Settings shared by every root of a run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `None`: inferred per root from its workflow folders.
    pub forge: Option<Forge>,
    pub version: Option<Version>,
    pub syntax: DirectiveSyntax,
}

/// Which kind of masking a job has (`continue-on-error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mask {
    Job,
    Step,
    None,
}

impl Mask {
    pub fn as_str(self) -> &'static str {
        match self {
            Mask::Job => "job",
            Mask::Step => "step",
            Mask::None => "none",
        }
    }
}

/// One job's row in the gate matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// Index of the workflow in [`RootReport::workflows`] and of the job in it.
    pub workflow_index: usize,
    pub job_index: usize,
    pub root: String,
    /// The workflow's `name:`, else its file name.
    pub workflow: String,
    pub file: String,
    pub job: String,
    pub key_span: Span,
    pub contexts: Vec<Context>,
    pub unresolvable: Option<String>,
    /// Contexts posted by more than one matrix leg of this job.
    pub shared_by_legs: Vec<String>,
    pub directive: Option<Spanned<Directive>>,
    pub directive_invalid: bool,
    pub masked: Mask,
}

/// Everything known about one repository root.
#[derive(Debug)]
pub struct RootReport {
    /// The path as given on the command line.
    pub root: String,
    pub profile: ForgeProfile,
    pub workflows: Vec<Workflow>,
    pub gates: Vec<Gate>,
    /// `workflow-invalid` and `directive-invalid` findings.
    pub findings: Vec<Finding>,
    /// Source text by relative file, for rendering snippets.
    pub sources: HashMap<String, Arc<str>>,
}

/// A root that could not be checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{root}: {message}")]
pub struct RootError {
    pub root: String,
    pub message: String,
}

/// Analyse several roots in parallel; results in the order given.
pub fn analyze_roots(roots: &[String], options: &Options) -> Vec<Result<RootReport, RootError>> {
    roots.par_iter().map(|r| analyze_root(r, options)).collect()
}

pub fn analyze_root(root: &str, options: &Options) -> Result<RootReport, RootError> {
    let err = |message: String| RootError {
        root: root.to_owned(),
        message,
    };
    let root_path = Path::new(root);
    if !root_path.is_dir() {
        return Err(err(if root_path.exists() {
            "is not a directory (give a repository root)".to_owned()
        } else {
            "no such directory".to_owned()
        }));
    }
    let forge = options
        .forge
        .unwrap_or_else(|| discover::infer_forge(root_path));
    let profile = ForgeProfile::new(forge, options.version);
    if discover::workflow_dir(root_path, forge).is_none() {
        let looked = match forge {
            Forge::Forgejo => ".forgejo/workflows, .gitea/workflows or .github/workflows",
            Forge::Gitea => ".gitea/workflows or .github/workflows",
            Forge::Github => ".github/workflows",
        };
        return Err(err(format!("no workflow folder ({looked}) for {forge}")));
    }
    let found = discover::workflow_files(root_path, forge)
        .map_err(|e| err(format!("cannot list workflows: {e}")))?;
    let loaded: Vec<Loaded> = found
        .par_iter()
        .map(|f| load_one(root, f, &options.syntax))
        .collect();

    let mut sources = HashMap::with_capacity(loaded.len());
    let mut findings = Vec::new();
    let mut workflows = Vec::with_capacity(loaded.len());
    for l in loaded {
        if let Some(text) = l.text {
            sources.insert(l.file.clone(), text);
        }
        findings.extend(l.findings);
        if let Some(wf) = l.workflow {
            workflows.push(wf);
        }
    }
    let callees = RootCallees {
        root: root_path,
        parsed: workflows.iter().map(|w| (w.file.as_str(), w)).collect(),
        syntax: &options.syntax,
    };
    let gates: Vec<Gate> = workflows
        .par_iter()
        .enumerate()
        .flat_map_iter(|(workflow_index, wf)| {
            let callees = &callees;
            let profile = &profile;
            wf.jobs.iter().enumerate().map(move |(job_index, job)| {
                let named = naming::job_contexts(profile, wf, job, callees);
                Gate {
                    workflow_index,
                    job_index,
                    root: root.to_owned(),
                    workflow: wf
                        .name
                        .as_ref()
                        .map_or_else(|| wf.file_base_name().to_owned(), |n| n.value.clone()),
                    file: wf.file.clone(),
                    job: job.id.clone(),
                    key_span: job.key_span,
                    contexts: named.contexts,
                    unresolvable: named.unresolvable,
                    shared_by_legs: named.shared_by_legs,
                    directive: job.directive.directive.clone(),
                    directive_invalid: !job.directive.problems.is_empty(),
                    masked: if job.job_masked() {
                        Mask::Job
                    } else if job.step_masked() {
                        Mask::Step
                    } else {
                        Mask::None
                    },
                }
            })
        })
        .collect();
    drop(callees);
    Ok(RootReport {
        root: root.to_owned(),
        profile,
        workflows,
        gates,
        findings,
        sources,
    })
}

/// A root with no workflows (a base revision before any existed).
pub fn empty_report(root: &str, profile: ForgeProfile) -> RootReport {
    RootReport {
        root: root.to_owned(),
        profile,
        workflows: Vec::new(),
        gates: Vec::new(),
        findings: Vec::new(),
        sources: HashMap::new(),
    }
}

struct Loaded {
    file: String,
    text: Option<Arc<str>>,
    workflow: Option<Workflow>,
    findings: Vec<Finding>,
}

fn invalid(root: &str, file: &str, span: Span, message: String, help: Option<String>) -> Finding {
    let mut f = Finding::new("workflow-invalid", Severity::Error, root, message).at(file, span);
    f.help = help;
    f
}

fn load_one(root: &str, found: &Found, syntax: &DirectiveSyntax) -> Loaded {
    let file = found.file.clone();
    let start = Span::new(Pos::new(1, 0), Pos::new(1, 0));
    let mut out = Loaded {
        file: file.clone(),
        text: None,
        workflow: None,
        findings: Vec::new(),
    };
    let text = match read_text(&found.path) {
        Ok(text) => text,
        Err(message) => {
            out.findings
                .push(invalid(root, &file, start, message, None));
            return out;
        }
    };
    let text: Arc<str> = Arc::from(text);
    match workflow::parse_workflow(&text, &file, syntax) {
        Ok(wf) => {
            for job in &wf.jobs {
                for p in &job.directive.problems {
                    let wf_name = wf
                        .name
                        .as_ref()
                        .map_or(wf.file_base_name(), |n| n.value.as_str());
                    out.findings.push(
                        Finding::new(
                            "directive-invalid",
                            Severity::Error,
                            root,
                            p.message.clone(),
                        )
                        .at(&file, p.span)
                        .help(p.help.clone())
                        .job(wf_name, &job.id),
                    );
                }
            }
            out.workflow = Some(wf);
        }
        Err(e) => out
            .findings
            .push(invalid(root, &file, e.span, e.message, e.help)),
    }
    out.text = Some(text);
    out
}

/// Read a workflow file as text, refusing what is not one: too large, not UTF-8, not a
/// regular file.
pub fn read_text(path: &Path) -> Result<String, String> {
    crate::safe_fs::read_text_capped(path, MAX_FILE_BYTES)
}

struct RootCallees<'a> {
    root: &'a Path,
    parsed: HashMap<&'a str, &'a Workflow>,
    syntax: &'a DirectiveSyntax,
}

impl Callees for RootCallees<'_> {
    fn workflow(&self, path: &str) -> Result<Cow<'_, Workflow>, String> {
        if let Some(wf) = self.parsed.get(path) {
            return Ok(Cow::Borrowed(*wf));
        }
        let rel = Path::new(path);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(format!("`{path}` leaves the repository"));
        }
        let text = read_text(&self.root.join(rel)).map_err(|e| format!("`{path}`: {e}"))?;
        workflow::parse_workflow(&text, path, self.syntax)
            .map(Cow::Owned)
            .map_err(|e| format!("`{path}` is not a valid workflow: {}", e.message))
    }
}
