//! The workflow model: what gatelint reads from a workflow file, each piece with its span.

pub mod condition;
pub mod directive;
mod evaluate;
pub mod expr;
pub mod matrix;
mod parse;

pub use directive::{Directive, DirectiveProblem, DirectiveSyntax, IssueRef};
pub use parse::{Invalid, parse_workflow};

use crate::yaml::{Span, Value};

/// A value read from the file, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One event the workflow runs on, with its filters.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub event: String,
    pub span: Span,
    pub branches: Option<Spanned<Vec<String>>>,
    pub branches_ignore: Option<Spanned<Vec<String>>>,
    pub paths: Option<Spanned<Vec<String>>>,
    pub paths_ignore: Option<Spanned<Vec<String>>>,
    pub types: Option<Spanned<Vec<String>>>,
    /// A `tags` or `tags-ignore` filter is given (`push`).
    pub tags: bool,
}

impl Trigger {
    pub fn bare(event: &str, span: Span) -> Self {
        Trigger {
            event: event.to_owned(),
            span,
            branches: None,
            branches_ignore: None,
            paths: None,
            paths_ignore: None,
            types: None,
            tags: false,
        }
    }
}

/// `continue-on-error` as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ContinueOnError {
    Literal(bool),
    /// An expression (or any other text): may be true at run time.
    Expression(String),
}

impl ContinueOnError {
    /// True unless it is literally false.
    pub fn may_be_true(&self) -> bool {
        !matches!(self, ContinueOnError::Literal(false))
    }
}

/// `strategy.matrix` as written.
#[derive(Debug, Clone, PartialEq)]
pub enum MatrixSpec {
    /// A mapping of vectors, `include`, `exclude`.
    Static(Value),
    /// A whole-matrix expression, e.g. `${{ fromJSON(needs.a.outputs.m) }}`.
    Expression(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub name: Option<String>,
    pub span: Span,
    pub continue_on_error: Option<Spanned<ContinueOnError>>,
    /// Its `if:` or `run:` reads `needs.<job>.result` or `needs.*.result`.
    pub checks_needs_results: bool,
    /// What it does, when it has `continue-on-error`: the action it `uses` (without `@ref`),
    /// or its `run:` script.
    pub uses: Option<String>,
    pub run: Option<String>,
    /// A masked step (`continue-on-error`) with an `id` whose `steps.<id>.outcome` or
    /// `.conclusion` the job reads: its failure is looked at, not hidden.
    pub outcome_checked: bool,
    /// What the step is, for required-noop.
    pub kind: StepKind,
    /// Its `if:` reads an output: `steps.<id>.outputs.…` or `needs.<job>.outputs.…`, as
    /// `steps.<id>` / `needs.<job>` (lower-cased).
    pub if_reads_output: Option<String>,
    /// Its `id:`, lower-cased.
    pub id: Option<String>,
}

/// What a step does, as far as a no-op gate is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepKind {
    /// Tests, builds, anything else.
    #[default]
    Work,
    /// Check-out, toolchain set-up, caches: runs before any work.
    Setup,
    /// Finds what a change touched (`dorny/paths-filter`, `tj-actions/changed-files`,
    /// `git diff --name-only`).
    DetectsChanges,
    /// Says that nothing was to be done (`echo "no relevant changes, skipping"`).
    SaysSkipped,
}

/// The directive found for a job, and what was wrong with the lines that looked like one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JobDirective {
    pub directive: Option<Spanned<Directive>>,
    pub problems: Vec<DirectiveProblem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    /// Span of the job's key.
    pub key_span: Span,
    pub name: Option<Spanned<String>>,
    pub if_cond: Option<Spanned<condition::Condition>>,
    pub needs: Vec<Spanned<String>>,
    pub uses: Option<Spanned<String>>,
    /// The job has a `runs-on` (a later Forgejo expands only callers without one).
    pub runs_on: bool,
    pub matrix: Option<Spanned<MatrixSpec>>,
    pub continue_on_error: Option<Spanned<ContinueOnError>>,
    pub steps: Vec<Step>,
    /// Shared by jobs whose keys are on one line.
    pub directive: std::sync::Arc<JobDirective>,
    /// Comments within 2 lines of the job-level `continue-on-error` (tracker references).
    pub mask_comments: std::sync::Arc<[String]>,
    /// The job's `uses` and its steps' `uses`/`run`, to recognise a renamed job.
    pub fingerprint: String,
    /// `with:` of a job that calls a reusable workflow.
    pub with: Vec<(String, Value)>,
    /// Some text of the job (`if:`, a step's `if:`, `run:`, `with:`, `env:`) reads its
    /// dependencies' results: `needs.<job>.result`, `needs.*.result`, `toJSON(needs)` (what
    /// aggregator actions such as `re-actors/alls-green` and `matrix-org/done-action` take).
    /// Read only for a job whose `if:` runs after a failure (else it is `false`).
    pub reads_needs_results: bool,
    /// The job has `needs` and reads their results anywhere, whatever its `if:`: an
    /// aggregator (`all-required`, `alls-green`).
    pub checks_needs_results: bool,
    /// A step of it finds what a change touched (a change-detection job).
    pub detects_changes: bool,
}

impl Job {
    pub fn step_masked(&self) -> bool {
        self.steps.iter().any(|s| {
            s.continue_on_error
                .as_ref()
                .is_some_and(|c| c.value.may_be_true())
        })
    }

    pub fn job_masked(&self) -> bool {
        self.continue_on_error
            .as_ref()
            .is_some_and(|c| c.value.may_be_true())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    /// Path relative to the repository root, with `/`.
    pub file: String,
    pub name: Option<Spanned<String>>,
    pub triggers: Vec<Trigger>,
    pub jobs: Vec<Job>,
    /// `on.workflow_call.inputs`, each with its default (null when none).
    pub call_inputs: Vec<(String, Value)>,
}

impl Workflow {
    pub fn trigger(&self, event: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.event == event)
    }

    /// The file's base name (`ci.yml`), Gitea ≥ 1.27's fallback for a missing `name:`.
    pub fn file_base_name(&self) -> &str {
        self.file.rsplit('/').next().unwrap_or(&self.file)
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }
}
