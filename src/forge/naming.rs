//! Job → the exact status-check contexts it posts, per forge profile.
//!
//! Read this against FORGE-SEMANTICS.md: §2 (the context string), §3 (matrix legs).

use std::sync::Arc;

use super::{CallNaming, Forge, ForgeProfile, MatrixSuffix};
use crate::workflow::{Job, Workflow, expr, matrix};
use crate::yaml::Value;

/// Reusable workflows nested deeper than this are not followed (GitHub allows 10 levels).
pub const MAX_CALL_DEPTH: usize = 10;

/// The most job names one reusable-workflow call may expand to (nested calls multiply their
/// matrices' legs).
pub const MAX_CALLED_NAMES: usize = 4096;

fn too_many_called() -> String {
    format!(
        "the reusable workflows this job calls expand to more than {MAX_CALLED_NAMES} jobs \
         (nested matrices multiply): gatelint's limit"
    )
}

/// The events whose runs post a commit status on Gitea/Forgejo and that a pull request can
/// wait for, in the order contexts are listed (§2).
pub const POSTING_EVENTS: [&str; 3] = ["push", "pull_request", "pull_request_target"];

/// Events that make GitHub create check runs a pull request or merge queue waits for.
pub const GITHUB_POSTING_EVENTS: [&str; 4] =
    ["push", "pull_request", "pull_request_target", "merge_group"];

/// What a [`Context`] costs beyond its strings, charged to the naming budget.
const CONTEXT_COST: usize = 96;

/// One status-check context a job posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The exact string branch protection compares against.
    pub text: String,
    /// The event that posts it (Gitea/Forgejo); `None` on GitHub, whose check-run names carry
    /// no event.
    pub event: Option<String>,
    /// The job part of the context (job name, matrix suffix, caller prefix).
    pub job_name: String,
    /// Posted by a called workflow's job that the forge runs as its own job (Gitea ≥ 1.27),
    /// not by the job itself.
    pub called: bool,
}

/// The contexts of one job, or why they cannot be known before the run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobContexts {
    pub contexts: Vec<Context>,
    pub unresolvable: Option<String>,
    /// Contexts that more than one matrix leg of the job posts (Forgejo's named legs).
    pub shared_by_legs: Vec<String>,
    /// Called jobs with a job-level `continue-on-error`, whose failure the caller's own status
    /// counts as success (Gitea ≥ 1.27, FORGE-SEMANTICS §2).
    pub masked_by_called: Vec<String>,
}

/// One name a job posts under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Posted {
    /// The workflow part, when it is not the job's own workflow's: a called workflow's job
    /// that Gitea ≥ 1.27 runs as its own job.
    pub workflow: Option<Arc<str>>,
    /// The job part: job name, matrix suffix, caller prefix.
    pub job: String,
}

impl Posted {
    fn own(job: String) -> Self {
        Posted {
            workflow: None,
            job,
        }
    }
}

/// The names of one job, and why some of them cannot be known (the others still are).
#[derive(Debug, Default)]
pub struct Names {
    pub posted: Vec<Posted>,
    pub partial: Option<String>,
    pub masked_by_called: Vec<String>,
    /// Names that several legs of a matrix caller all post (Gitea ≥ 1.27: each leg runs the
    /// called jobs, which post the same contexts).
    pub shared: Vec<Posted>,
}

/// The workflows a job's calls went through, innermost first: a workflow met again is a
/// cycle, which the forges refuse.
#[derive(Debug, Clone, Copy)]
struct Chain<'a> {
    path: &'a str,
    up: Option<&'a Chain<'a>>,
}

impl Chain<'_> {
    fn contains(&self, path: &str) -> bool {
        let mut at = Some(self);
        while let Some(c) = at {
            if c.path == path {
                return true;
            }
            at = c.up;
        }
        false
    }
}

/// What following one call costs the naming budget (a fan-out of calls is bounded by it).
const CALL_COST: usize = 1024;

/// A called workflow: one of the parsed set, or one read for the calls (shared by them all).
pub enum Callee<'a> {
    Borrowed(&'a Workflow),
    Shared(Arc<Workflow>),
}

impl std::ops::Deref for Callee<'_> {
    type Target = Workflow;

    fn deref(&self) -> &Workflow {
        match self {
            Callee::Borrowed(wf) => wf,
            Callee::Shared(wf) => wf,
        }
    }
}

/// Where called (reusable) workflows are read from: the repository being checked.
pub trait Callees {
    /// The workflow at `path` (relative to the repository root, no leading `./`).
    fn workflow(&self, path: &str) -> Result<Callee<'_>, String>;

    /// A reusable workflow of another repository, by its `uses:` value, when it was read
    /// (`check --remote`): `None` when it was not asked for.
    fn remote(&self, _uses: &str) -> Option<Result<Callee<'_>, String>> {
        None
    }
}

/// No callee can be read (tests, single files).
pub struct NoCallees;

impl Callees for NoCallees {
    fn workflow(&self, path: &str) -> Result<Callee<'_>, String> {
        Err(format!("the called workflow `{path}` is not available"))
    }
}

/// The name a workflow contributes to Gitea/Forgejo contexts (§2).
pub fn workflow_name<'w>(profile: &ForgeProfile, wf: &'w Workflow) -> &'w str {
    match &wf.name {
        Some(n) if !n.value.trim().is_empty() => &n.value,
        _ if profile.workflow_name_from_file => wf.file_base_name(),
        _ => "",
    }
}

/// Every context `job` of `wf` posts on a pull request's commit, or why it cannot be known.
pub fn job_contexts(
    profile: &ForgeProfile,
    wf: &Workflow,
    job: &Job,
    callees: &dyn Callees,
) -> JobContexts {
    // A workflow that runs on no posting event (only `workflow_call`, `schedule`, …) posts
    // nothing itself, whatever its names would be.
    let posting: &[&str] = match profile.forge {
        Forge::Github => &GITHUB_POSTING_EVENTS,
        Forge::Gitea | Forge::Forgejo => &POSTING_EVENTS,
    };
    if !posting.iter().any(|e| wf.trigger(e).is_some()) {
        return JobContexts::default();
    }
    let unresolvable = |reason: String| JobContexts {
        unresolvable: Some(reason),
        ..JobContexts::default()
    };
    let root = Chain {
        path: wf.file.as_str(),
        up: None,
    };
    let known = Known {
        inputs: None,
        workflow: github_workflow(profile, wf),
        run_file: Some(wf.file_base_name()),
        chain: Some(&root),
    };
    let names = match job_names_in(profile, job, callees, 0, known) {
        Ok(names) => names,
        Err(reason) => return unresolvable(reason),
    };
    let mut contexts: Vec<Context> = Vec::new();
    let mut shared_by_legs: Vec<String> = Vec::new();
    // Contexts of called jobs that every leg of a matrix caller posts.
    let mut called_shared: Vec<String> = Vec::new();
    // A job posts a handful of contexts: a scan is fastest; past that (matrices, called
    // workflows) a set keeps it linear.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut push = |c: Context| {
        let known = if contexts.len() < 64 {
            contexts.iter().any(|x| x.text == c.text)
        } else {
            if seen.is_empty() {
                seen.extend(contexts.iter().map(|x| x.text.clone()));
            }
            !seen.insert(c.text.clone())
        };
        if !known {
            contexts.push(c);
        } else if !shared_by_legs.contains(&c.text) {
            shared_by_legs.push(c.text);
        }
    };
    match profile.forge {
        Forge::Github => {
            if GITHUB_POSTING_EVENTS
                .iter()
                .any(|e| wf.trigger(e).is_some())
            {
                for name in names.posted {
                    if let Err(reason) = crate::budget::charge(2 * name.job.len() + CONTEXT_COST) {
                        return unresolvable(reason);
                    }
                    push(Context {
                        text: name.job.clone(),
                        event: None,
                        job_name: name.job,
                        called: false,
                    });
                }
            }
        }
        Forge::Gitea | Forge::Forgejo => {
            let own = workflow_name(profile, wf);
            // Names every leg of a matrix caller posts (Gitea ≥ 1.27's called jobs).
            let shared: std::collections::HashSet<&Posted> = names.shared.iter().collect();
            for name in &names.posted {
                let workflow = name.workflow.as_deref().unwrap_or(own);
                let legs_share = shared.contains(name);
                let mut suffixes: Vec<&str> = Vec::new();
                for event in POSTING_EVENTS {
                    if wf.trigger(event).is_none() {
                        continue;
                    }
                    let suffix = if event == "pull_request_target" {
                        profile.pull_request_target_suffix
                    } else {
                        event
                    };
                    // `pull_request` and `pull_request_target` runs post one context where
                    // the forge names both `(pull_request)`: one context, not two legs.
                    if suffixes.contains(&suffix) {
                        continue;
                    }
                    suffixes.push(suffix);
                    // format!("{workflow} / {job} ({event})"), then trimmed
                    // (Gitea services/actions/commit_status.go).
                    let cost = workflow.len() + 2 * name.job.len() + suffix.len() + CONTEXT_COST;
                    if let Err(reason) = crate::budget::charge(cost) {
                        return unresolvable(reason);
                    }
                    let text = format!("{workflow} / {} ({suffix})", name.job)
                        .trim()
                        .to_owned();
                    if legs_share {
                        called_shared.push(text.clone());
                    }
                    push(Context {
                        text,
                        event: Some(suffix.to_owned()),
                        job_name: name.job.clone(),
                        called: name.workflow.is_some(),
                    });
                }
            }
        }
    }
    if !called_shared.is_empty() {
        let mut listed: std::collections::HashSet<String> =
            shared_by_legs.iter().cloned().collect();
        for text in called_shared {
            if listed.insert(text.clone()) {
                shared_by_legs.push(text);
            }
        }
    }
    JobContexts {
        contexts,
        unresolvable: names.partial,
        shared_by_legs,
        masked_by_called: names.masked_by_called,
    }
}

/// What a job's names may read besides its matrix: the `inputs` of a called workflow, when
/// known (the caller's `with:` over the defaults), and `github.workflow` (in a called
/// workflow, the caller's: GitHub's `github` context is the caller's).
#[derive(Debug, Clone, Copy, Default)]
struct Known<'a> {
    inputs: Option<&'a [(String, Value)]>,
    workflow: Option<&'a str>,
    /// The file of the run's workflow (the outermost caller): Gitea ≥ 1.27 names a called
    /// workflow without `name:` by it.
    run_file: Option<&'a str>,
    /// The workflows this job's calls went through.
    chain: Option<&'a Chain<'a>>,
}

impl<'a> Known<'a> {
    fn scope(self, matrix: &'a [(String, Value)]) -> expr::Scope<'a> {
        expr::Scope {
            matrix,
            inputs: self.inputs,
            workflow: self.workflow,
        }
    }
}

/// `${{ github.workflow }}` as `profile`'s forge fills it in a job name: on GitHub the
/// workflow's `name:`, else its path (documented, FORGE-SEMANTICS §2). Gitea and Forgejo fill
/// it from their run's record, unverified: left unknown there.
pub fn github_workflow<'w>(profile: &ForgeProfile, wf: &'w Workflow) -> Option<&'w str> {
    match profile.forge {
        Forge::Github => Some(
            wf.name
                .as_ref()
                .map_or(wf.file.as_str(), |n| n.value.as_str()),
        ),
        Forge::Gitea | Forge::Forgejo => None,
    }
}

/// The names a job posts under: one per matrix leg (and per called job); legs that share a
/// name are all listed.
pub fn job_names(
    profile: &ForgeProfile,
    job: &Job,
    callees: &dyn Callees,
    depth: usize,
) -> Result<Names, String> {
    job_names_in(profile, job, callees, depth, Known::default())
}

fn job_names_in(
    profile: &ForgeProfile,
    job: &Job,
    callees: &dyn Callees,
    depth: usize,
    known: Known<'_>,
) -> Result<Names, String> {
    if let Some(uses) = &job.uses {
        return called_names(profile, job, &uses.value, callees, depth, known);
    }
    own_names(profile, job, known)
}

/// The job's own names, one per leg of its matrix.
fn own_names(profile: &ForgeProfile, job: &Job, known: Known<'_>) -> Result<Names, String> {
    let legs = match &job.matrix {
        None => vec![Vec::new()],
        Some(spec) => matrix::expand(&spec.value)?,
    };
    Ok(Names {
        posted: legs
            .iter()
            .map(|leg| leg_name_in(profile, job, leg, known).map(Posted::own))
            .collect::<Result<_, _>>()?,
        ..Names::default()
    })
}

/// The name of one matrix leg (an empty leg: the job without a matrix). §3.
pub fn leg_name(
    profile: &ForgeProfile,
    job: &Job,
    leg: &[(String, Value)],
) -> Result<String, String> {
    leg_name_in(profile, job, leg, Known::default())
}

fn leg_name_in(
    profile: &ForgeProfile,
    job: &Job,
    leg: &[(String, Value)],
    known: Known<'_>,
) -> Result<String, String> {
    let name = untruncated_leg_name(profile, job, leg, known)?;
    Ok(match profile.forge {
        Forge::Github => github_truncate(name),
        Forge::Gitea | Forge::Forgejo => name,
    })
}

/// GitHub cuts a job's check-run name longer than 100 characters to its first 97 and `...`
/// (observed in the Checks API; a reusable workflow's caller prefix is added after the cut).
pub const GITHUB_MAX_NAME: usize = 100;

fn github_truncate(name: String) -> String {
    if name.chars().count() <= GITHUB_MAX_NAME {
        return name;
    }
    let mut cut: String = name.chars().take(GITHUB_MAX_NAME - 3).collect();
    cut.push_str("...");
    cut
}

fn untruncated_leg_name(
    profile: &ForgeProfile,
    job: &Job,
    leg: &[(String, Value)],
    known: Known<'_>,
) -> Result<String, String> {
    let Some(name) = &job.name else {
        return with_suffix(profile, &job.id, leg);
    };
    let raw = name.value.as_str();
    if !profile.fills_matrix_in_names && expr::has_expression(raw) {
        // Gitea 1.21 posted the name as written (go-gitea/gitea#28207).
        return with_suffix(profile, raw, leg);
    }
    let rendered =
        expr::render_in(raw, &known.scope(leg)).map_err(|e| format!("the job name {e}"))?;
    if expr::uses_matrix(raw) || !profile.suffix_on_plain_name {
        return Ok(rendered);
    }
    with_suffix(profile, &rendered, leg)
}

/// `name (v1, v2)`, written the profile's way; `name` alone when there is nothing to add.
fn with_suffix(
    profile: &ForgeProfile,
    name: &str,
    leg: &[(String, Value)],
) -> Result<String, String> {
    if let Some((key, _)) = leg.iter().find(|(_, v)| v.has_expression()) {
        return Err(format!(
            "matrix value `{key}` is an expression, known only at run time"
        ));
    }
    let values: Vec<String> = match profile.matrix_suffix {
        MatrixSuffix::SortedGoSprint => {
            let mut sorted: Vec<&(String, Value)> = leg.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            // Go's `fmt.Sprint` of every value, none skipped (`matrixName`, FORGE-SEMANTICS §3).
            sorted.into_iter().map(|(_, v)| v.to_go_string()).collect()
        }
        MatrixSuffix::WrittenCoerced => leg
            .iter()
            .filter(|(_, v)| !v.is_null_or_empty())
            .map(|(_, v)| v.to_expr_string())
            .collect(),
        MatrixSuffix::GithubAll => {
            let mut out = Vec::new();
            for (_, v) in leg {
                flatten_github(v, &mut out, 0);
            }
            out
        }
    };
    if values.is_empty() {
        crate::budget::charge(name.len() + 24)?;
        return Ok(name.to_owned());
    }
    let len: usize = values.iter().map(|v| v.len() + 2).sum();
    crate::budget::charge(name.len() + len + 3)?;
    Ok(format!("{name} ({})", values.join(", ")))
}

/// GitHub lists an object's values in the suffix rather than `Object` (§3, observed).
fn flatten_github(v: &Value, out: &mut Vec<String>, depth: usize) {
    match v {
        Value::Map(entries) if depth < 16 => {
            for (_, x) in entries {
                flatten_github(x, out, depth + 1);
            }
        }
        other => out.push(other.to_expr_string()),
    }
}

/// Jobs that call a reusable workflow (§2): what each forge release posts for them.
fn called_names(
    profile: &ForgeProfile,
    job: &Job,
    uses: &str,
    callees: &dyn Callees,
    depth: usize,
    outer: Known<'_>,
) -> Result<Names, String> {
    match profile.calls {
        // Gitea ≤ 1.26 and Forgejo: the runner runs the called workflow inside the caller's
        // one job, which posts its own context; the called jobs post nothing (the jobparser
        // keeps a `uses:` job whole: oracles gitea-jobparser/has_with). Where the workflow
        // lives does not matter.
        CallNaming::Caller => return own_names(profile, job, outer),
        // A later Forgejo expands only a caller without `runs-on`.
        CallNaming::ForgejoExpand if job.runs_on => return own_names(profile, job, outer),
        _ => {}
    }
    let expand = profile.calls == CallNaming::Expand;
    // Gitea ≥ 1.27 posts the caller's own context whatever happens to its called jobs.
    let mut names = if expand {
        own_names(profile, job, outer)?
    } else {
        Names::default()
    };
    // `$/…` is GitHub's reference to a reusable workflow of the same repository
    // (FORGE-SEMANTICS §8; astral-sh/uv's issue-triage.yml calls `$/.github/workflows/…`).
    let same_repository = uses.strip_prefix("./").or_else(|| {
        uses.strip_prefix("$/")
            .filter(|_| profile.forge == Forge::Github)
    });
    // What cannot be read: on Gitea ≥ 1.27 only the called jobs' contexts are unknown.
    let unknown = |names: Names, reason: String| -> Result<Names, String> {
        if expand {
            Ok(Names {
                partial: Some(reason),
                ..names
            })
        } else {
            Err(reason)
        }
    };
    // Another repository's workflow, when `--remote` read it.
    let remote = match same_repository {
        Some(_) => None,
        None => callees.remote(uses),
    };
    let path = match (same_repository, &remote) {
        (Some(p), _) => p.split('@').next().unwrap_or(p),
        (None, Some(_)) => uses,
        (None, None) => {
            let reason = if expand {
                format!(
                    "calls `{uses}` from another repository: the contexts of its jobs cannot be read offline (the caller's own context is known)"
                )
            } else {
                format!("calls `{uses}` from another repository, whose jobs cannot be read here")
            };
            return unknown(names, reason);
        }
    };
    if depth >= MAX_CALL_DEPTH {
        return unknown(
            names,
            format!("reusable workflows nested more than {MAX_CALL_DEPTH} deep"),
        );
    }
    if outer.chain.is_some_and(|c| c.contains(path)) {
        return unknown(
            names,
            format!(
                "calls `{uses}`, which is already in its chain of calls: a cycle, which the forge refuses"
            ),
        );
    }
    // Following a call costs: a fan-out of calls through many workflows stops at the budget.
    if let Err(reason) = crate::budget::charge(CALL_COST) {
        return unknown(names, reason);
    }
    let callee = match remote {
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            return unknown(
                names,
                format!("calls `{uses}` from another repository, which {e}"),
            );
        }
        None => match callees.workflow(path) {
            Ok(c) => c,
            Err(e) => return unknown(names, format!("calls `{uses}`: {e}")),
        },
    };
    let caller_legs = match &job.matrix {
        None => vec![Vec::new()],
        Some(spec) => matrix::expand(&spec.value)?,
    };
    if profile.calls == CallNaming::ForgejoExpand && job.matrix.is_some() {
        return Err(
            "a matrix job calling a reusable workflow is not modelled on Forgejo".to_owned(),
        );
    }
    // Gitea ≥ 1.27: the called workflow's `name:`, else the run's file name (read from code,
    // medium confidence: FORGE-SEMANTICS §2). Shared by every name it gives.
    let called_workflow: Option<Arc<str>> = if expand {
        let name = match &callee.name {
            Some(n) if !n.value.trim().is_empty() => n.value.as_str(),
            _ => outer.run_file.unwrap_or_default(),
        };
        crate::budget::charge(name.len())?;
        Some(Arc::from(name))
    } else {
        None
    };
    let link = Chain {
        path,
        up: outer.chain,
    };
    // Every name once, in order: the caller's own first (Gitea ≥ 1.27), then per leg.
    let mut all: std::collections::HashSet<Posted> = names.posted.iter().cloned().collect();
    let mut shared: std::collections::HashSet<Posted> = names.shared.iter().cloned().collect();
    let own_count = names.posted.len();
    for (leg_index, leg) in caller_legs.iter().enumerate() {
        let inputs = call_inputs(job, &callee, outer.scope(leg));
        // A copy of the inputs per leg: counted (20,000 inputs times many legs add up).
        let copied: usize = inputs
            .iter()
            .map(|(k, v)| crate::budget::entry_size(k, v))
            .sum();
        if let Err(reason) = crate::budget::charge(copied) {
            return unknown(names, reason);
        }
        let mut inner: Vec<Posted> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for called in &callee.jobs {
            let known = Known {
                inputs: Some(&inputs),
                workflow: outer.workflow,
                run_file: outer.run_file,
                chain: Some(&link),
            };
            let sub = match job_names_in(profile, called, callees, depth + 1, known) {
                Ok(sub) => sub,
                Err(reason) if expand => {
                    names.partial.get_or_insert(reason);
                    continue;
                }
                Err(reason) => return Err(reason),
            };
            if expand {
                if called.job_masked() && !names.masked_by_called.contains(&called.id) {
                    names.masked_by_called.push(called.id.clone());
                }
                for m in sub.masked_by_called {
                    if !names.masked_by_called.contains(&m) {
                        names.masked_by_called.push(m);
                    }
                }
                if let Some(reason) = sub.partial {
                    names.partial.get_or_insert(reason);
                }
                for n in sub.shared {
                    if shared.insert(n.clone()) {
                        names.shared.push(n);
                    }
                }
            }
            for n in sub.posted {
                if seen.insert(n.clone()) {
                    crate::budget::charge(n.job.len())?;
                    inner.push(n);
                }
            }
            if inner.len() > MAX_CALLED_NAMES {
                return Err(too_many_called());
            }
        }
        let mut push = |n: Posted, names: &mut Names| -> Result<(), String> {
            if all.insert(n.clone()) {
                names.posted.push(n);
                if names.posted.len() > MAX_CALLED_NAMES + own_count {
                    return Err(too_many_called());
                }
            } else if leg_index > 0 && shared.insert(n.clone()) {
                // An earlier leg of the caller posted it too.
                names.shared.push(n);
            }
            Ok(())
        };
        match profile.calls {
            // Gitea ≥ 1.27: each called job is a job of the run, under its own workflow's
            // name (a nested call keeps its deeper workflow's).
            CallNaming::Expand => {
                for n in inner {
                    let workflow = n.workflow.or_else(|| called_workflow.clone());
                    push(
                        Posted {
                            workflow,
                            job: n.job,
                        },
                        &mut names,
                    )?;
                }
            }
            // A later Forgejo: the called jobs post under their own names, in the caller's
            // workflow.
            CallNaming::ForgejoExpand => {
                for n in inner {
                    push(n, &mut names)?;
                }
            }
            // GitHub: `caller / callee` (observed, not documented).
            CallNaming::Prefix | CallNaming::Caller => {
                let caller = leg_name_in(profile, job, leg, outer)?;
                for n in &inner {
                    crate::budget::charge(caller.len() + n.job.len() + 27)?;
                    push(Posted::own(format!("{caller} / {}", n.job)), &mut names)?;
                }
            }
        }
    }
    Ok(names)
}

/// What a called workflow sees as `inputs`: its declared inputs with their defaults, then the
/// caller's `with:` values, whose expressions are evaluated in the caller's matrix leg
/// (`outer`).
fn call_inputs(job: &Job, callee: &Workflow, outer: expr::Scope<'_>) -> Vec<(String, Value)> {
    let mut inputs = callee.call_inputs.clone();
    for (key, value) in &job.with {
        // A value known only at run time stays an expression: a name that reads it is then
        // unresolvable, a name that does not is unaffected.
        let value = match value {
            Value::Str(text) if expr::has_expression(text) => {
                expr::value_in(text, &outer).unwrap_or_else(|_| value.clone())
            }
            other => other.clone(),
        };
        match inputs.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some(slot) => slot.1 = value,
            None => inputs.push((key.clone(), value)),
        }
    }
    inputs
}

#[cfg(test)]
#[path = "naming_tests.rs"]
mod tests;
