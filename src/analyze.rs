//! The pipeline for one repository root: discover → parse → name contexts → gates.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::discover::{self, Found, Skipped, Tree};
use crate::finding::{Finding, Severity};
use crate::forge::naming::{self, Callee, Callees, Context};
use crate::forge::{Forge, ForgeProfile, JobMask, OptIns, Version};
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
    /// Profile settings no released version has (`[profile]` in `gatelint.toml`).
    pub opt_ins: OptIns,
    pub syntax: DirectiveSyntax,
    /// With `--remote`: reusable workflows of other repositories, read by their `uses:`
    /// value (the text, or why it could not be read).
    pub called: Arc<crate::forge::source::called::Fetched>,
}

/// Which kind of masking a job has (`continue-on-error`), as its forge applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mask {
    /// Job-level, and the forge lets it hide a failure from a gate: GitHub (jobs that `needs`
    /// it read `success`), or on Gitea ≥ 1.27 a called job's, which its caller's status
    /// counts as success.
    Job,
    Step,
    /// Job-level, but the forge does not let it hide the failure: Gitea ≤ 1.26 and Forgejo
    /// ignore it, Gitea 1.27 counts it in the run's result only (FORGE-SEMANTICS §4).
    Ignored,
    #[default]
    None,
}

impl Mask {
    pub fn as_str(self) -> &'static str {
        match self {
            Mask::Job => "job",
            Mask::Step => "step",
            Mask::Ignored => "ignored",
            Mask::None => "none",
        }
    }
}

/// One job's row in the gate matrix.
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// Called jobs whose `continue-on-error` this caller's status counts as success
    /// (Gitea ≥ 1.27).
    pub masked_by_called: Vec<String>,
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
    let root_path = Path::new(root);
    if !root_path.is_dir() {
        return Err(RootError {
            root: root.to_owned(),
            message: if root_path.exists() {
                "is not a directory (give a repository root)".to_owned()
            } else {
                "no such directory".to_owned()
            },
        });
    }
    analyze_tree(root, Tree::Disk(root_path), options)
}

/// Analyse the files of `tree` (a work tree on disk, or a revision held in memory), shown as
/// `root` in findings.
pub fn analyze_tree(
    root: &str,
    tree: Tree<'_>,
    options: &Options,
) -> Result<RootReport, RootError> {
    let err = |message: String| RootError {
        root: root.to_owned(),
        message,
    };
    let forge = options
        .forge
        .unwrap_or_else(|| discover::infer_forge_in(tree));
    let profile = ForgeProfile::resolve(forge, options.version, options.opt_ins).map_err(|e| {
        err(match options.forge {
            Some(_) => e,
            // Inferred from the folders: say so, the version may be right for another forge.
            None => format!(
                "{e} (the forge, {forge}, was inferred from the workflow folders: give --forge or `forge` in gatelint.toml)"
            ),
        })
    })?;
    if discover::workflow_dir_in(tree, forge).is_none() {
        let looked = match forge {
            Forge::Forgejo => ".forgejo/workflows, .gitea/workflows or .github/workflows",
            Forge::Gitea => ".gitea/workflows or .github/workflows",
            Forge::Github => ".github/workflows",
        };
        return Err(err(format!("no workflow folder ({looked}) for {forge}")));
    }
    let listing = discover::workflow_files_in(tree, forge).map_err(err)?;
    let budget = AtomicU64::new(0);
    let loaded: Vec<Loaded> = listing
        .found
        .par_iter()
        .map(|f| load_one(root, tree, f, &options.syntax, &budget))
        .collect();

    let mut sources = HashMap::with_capacity(loaded.len());
    let mut findings: Vec<Finding> = listing
        .skipped
        .iter()
        .map(|s| skipped_finding(root, s))
        .collect();
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
        tree,
        parsed: workflows.iter().map(|w| (w.file.as_str(), w)).collect(),
        syntax: &options.syntax,
        fetched: &options.called,
        read: Mutex::new(HashMap::new()),
        budget: &budget,
    };
    // Each workflow is named on one thread, within its own budget (see `budget`).
    let named: Vec<(Vec<Gate>, bool)> = workflows
        .par_iter()
        .enumerate()
        .map(|(workflow_index, wf)| {
            crate::budget::run(crate::budget::MAX_BYTES, || {
                let mut gates = Vec::with_capacity(wf.jobs.len());
                for (job_index, job) in wf.jobs.iter().enumerate() {
                    let gate =
                        gate_of(root, &profile, &callees, wf, workflow_index, job_index, job);
                    if crate::budget::spent() {
                        // The file is `workflow-invalid`; none of its gates is computed.
                        return Vec::new();
                    }
                    gates.push(gate);
                }
                gates
            })
        })
        .collect();
    let mut gates = Vec::with_capacity(named.iter().map(|(g, _)| g.len()).sum());
    for ((mut these, spent), wf) in named.into_iter().zip(&workflows) {
        if spent {
            findings.push(invalid(
                root,
                &wf.file,
                Span::new(Pos::new(1, 0), Pos::new(1, 0)),
                crate::budget::exceeded(),
                Some(
                    "simplify the job names and matrices of this file; its contexts are not \
                     computed"
                        .to_owned(),
                ),
            ));
        }
        gates.append(&mut these);
    }
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

fn gate_of(
    root: &str,
    profile: &ForgeProfile,
    callees: &RootCallees<'_>,
    wf: &Workflow,
    workflow_index: usize,
    job_index: usize,
    job: &workflow::Job,
) -> Gate {
    let named = naming::job_contexts(profile, wf, job, callees);
    let workflow = wf
        .name
        .as_ref()
        .map_or_else(|| wf.file_base_name(), |n| n.value.as_str());
    // What the row copies (a long workflow name times many jobs adds up): within the budget.
    let copied = root.len() + workflow.len() + wf.file.len() + job.id.len() + 256;
    if crate::budget::charge(copied).is_err() {
        return Gate::default();
    }
    Gate {
        workflow_index,
        job_index,
        root: root.to_owned(),
        workflow: workflow.to_owned(),
        file: wf.file.clone(),
        job: job.id.clone(),
        key_span: job.key_span,
        contexts: named.contexts,
        unresolvable: named.unresolvable,
        shared_by_legs: named.shared_by_legs,
        directive: job.directive.directive.clone(),
        directive_invalid: !job.directive.problems.is_empty(),
        masked: if !named.masked_by_called.is_empty()
            || (job.job_masked() && profile.job_continue_on_error == JobMask::NeedsSuccess)
        {
            Mask::Job
        } else if job.step_masked() {
            Mask::Step
        } else if job.job_masked() {
            Mask::Ignored
        } else {
            Mask::None
        },
        masked_by_called: named.masked_by_called,
    }
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

/// A file of the workflows folder that is not read: `workflow-invalid` when the forge would
/// try to run it and fail, else `workflow-skipped`.
fn skipped_finding(root: &str, s: &Skipped) -> Finding {
    let start = Span::new(Pos::new(1, 0), Pos::new(1, 0));
    if s.invalid {
        invalid(root, &s.file, start, s.why.clone(), None)
    } else {
        Finding::new("workflow-skipped", Severity::Note, root, s.why.clone()).at(&s.file, start)
    }
}

/// The most bytes of workflow text read for one root, all files together.
pub const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Count `text` against the root's read budget.
fn charge_read(budget: &AtomicU64, text: &str) -> Result<(), String> {
    let total = budget.fetch_add(text.len() as u64, Ordering::Relaxed) + text.len() as u64;
    if total > MAX_TOTAL_BYTES {
        Err(format!(
            "not read: the workflow files of this repository exceed {} MiB in all",
            MAX_TOTAL_BYTES / (1024 * 1024)
        ))
    } else {
        Ok(())
    }
}

fn load_one(
    root: &str,
    tree: Tree<'_>,
    found: &Found,
    syntax: &DirectiveSyntax,
    budget: &AtomicU64,
) -> Loaded {
    let file = found.file.clone();
    let start = Span::new(Pos::new(1, 0), Pos::new(1, 0));
    let mut out = Loaded {
        file: file.clone(),
        text: None,
        workflow: None,
        findings: Vec::new(),
    };
    let read = tree
        .read(&file)
        .and_then(|text| charge_read(budget, &text).map(|()| text));
    let text = match read {
        Ok(text) => text,
        Err(message) => {
            out.findings
                .push(invalid(root, &file, start, message, None));
            return out;
        }
    };
    match workflow::parse_workflow(&text, &file, syntax) {
        Ok(wf) => {
            let mut previous: Option<&Arc<workflow::JobDirective>> = None;
            for job in &wf.jobs {
                // Jobs whose keys share a line share its comments: one finding per problem.
                if previous.is_some_and(|p| Arc::ptr_eq(p, &job.directive)) {
                    continue;
                }
                previous = Some(&job.directive);
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
    tree: Tree<'a>,
    parsed: HashMap<&'a str, &'a Workflow>,
    syntax: &'a DirectiveSyntax,
    /// Workflows read for calls, by path: each is read and parsed once per root, however
    /// many jobs call it.
    read: Mutex<HashMap<String, Result<Arc<Workflow>, String>>>,
    /// The root's read budget, shared with the workflow files (see [`MAX_TOTAL_BYTES`]).
    budget: &'a AtomicU64,
    /// Reusable workflows of other repositories read with `--remote`.
    fetched: &'a crate::forge::source::called::Fetched,
}

impl Callees for RootCallees<'_> {
    fn workflow(&self, path: &str) -> Result<Callee<'_>, String> {
        if let Some(wf) = self.parsed.get(path) {
            return Ok(Callee::Borrowed(wf));
        }
        if let Some(known) = self.read.lock().ok().and_then(|r| r.get(path).cloned()) {
            return known.map(Callee::Shared);
        }
        let read = self
            .tree
            .read(path)
            .map_err(|e| format!("`{path}` {e}"))
            .and_then(|text| charge_read(self.budget, &text).map(|()| text))
            .and_then(|text| {
                workflow::parse_workflow(&text, path, self.syntax)
                    .map(Arc::new)
                    .map_err(|e| format!("`{path}` is not a valid workflow: {}", e.message))
            });
        if let Ok(mut cache) = self.read.lock() {
            cache.insert(path.to_owned(), read.clone());
        }
        read.map(Callee::Shared)
    }

    fn remote(&self, uses: &str) -> Option<Result<Callee<'_>, String>> {
        let text = self.fetched.get(uses)?;
        let key = format!("@remote {uses}");
        if let Some(known) = self.read.lock().ok().and_then(|r| r.get(&key).cloned()) {
            return Some(known.map(Callee::Shared));
        }
        // Named as its repository and path (Gitea names a called workflow by its file).
        let file = uses.rsplit_once('@').map_or(uses, |(f, _)| f);
        let parsed = text.clone().and_then(|text| {
            charge_read(self.budget, &text)?;
            let wf = workflow::parse_workflow(&text, file, self.syntax)
                // Never its text: the file is another repository's.
                .map_err(|_| "was read but is not a valid workflow".to_owned())?;
            // Its own calls would resolve in its repository, not this one: not followed.
            if wf.jobs.iter().any(|j| j.uses.is_some()) {
                return Err(
                    "calls reusable workflows itself, which gatelint does not follow across repositories"
                        .to_owned(),
                );
            }
            Ok(Arc::new(wf))
        });
        if let Ok(mut cache) = self.read.lock() {
            cache.insert(key, parsed.clone());
        }
        Some(parsed.map(Callee::Shared))
    }
}
