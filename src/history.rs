//! What ran before (issue 12, item 2): `check --remote --history N` reads what the forge
//! posted on the heads of the last N merged pull requests and on the branch's last N commits
//! ([`crate::forge::source::history`]), once, and four rules read it:
//!
//! - `required-never-seen`: a required context posted on none of them (a dead gate);
//! - `pending-ready`: a `pending #N` gate whose contexts passed on their last K runs;
//! - `mask-hides-failures`: a masked job failed while a required job that `needs` it passed;
//! - `mask-removal-unproven` (diff mode): a change removes a mask from a job whose last K runs
//!   were not all green, or were not seen.

use std::collections::HashMap;

use crate::analyze::{Gate, Mask, RootReport};
use crate::finding::{Evidence, Finding, Severity};
use crate::forge::Forge;
use crate::forge::protection::Protection;
use crate::forge::source::history::{Commit, History};
use crate::forge::source::statuses::Posted;
use crate::workflow::Directive;

/// One run of a job: a commit on which some of its contexts are posted.
struct Run<'h> {
    commit: &'h Commit,
    /// Every posted context of the job on that commit passed.
    green: bool,
    /// The context that decides the run's state: the first that did not pass, else the first.
    decisive: &'h Posted,
}

/// States that pass a gate.
fn passed(state: &str) -> bool {
    state == "success"
}

/// States of a job that failed (not cancelled, skipped or pending).
fn failed(state: &str) -> bool {
    matches!(state, "failure" | "error" | "timed_out")
}

fn evidence(commit: &Commit, p: &Posted) -> Evidence {
    Evidence {
        commit: commit.sha.clone(),
        context: p.context.clone(),
        state: p.state.clone(),
        url: p.url.clone(),
    }
}

/// The history's posted contexts, by context, as (commit index, status) in history order.
struct Index<'h> {
    history: &'h History,
    by_context: HashMap<&'h str, Vec<(usize, &'h Posted)>>,
}

impl<'h> Index<'h> {
    /// Only what the repository's workflows posted: another app's check run or another
    /// service's status of the same name is not a run of the job.
    fn new(history: &'h History, forge: Forge) -> Self {
        let mut by_context: HashMap<&str, Vec<(usize, &Posted)>> = HashMap::new();
        for (i, c) in history.commits.iter().enumerate() {
            for p in c.statuses.posted.iter().filter(|p| p.by_actions(forge)) {
                by_context
                    .entry(p.context.as_str())
                    .or_default()
                    .push((i, p));
            }
        }
        Index {
            history,
            by_context,
        }
    }

    /// The runs of a job with these contexts, newest first (pull-request heads, then branch
    /// commits).
    fn runs<'g>(&self, contexts: impl Iterator<Item = &'g str>) -> Vec<Run<'h>> {
        let mut per_commit: Vec<Vec<&'h Posted>> = vec![Vec::new(); self.history.commits.len()];
        for c in contexts {
            for (i, p) in self.by_context.get(c).into_iter().flatten() {
                if let Some(slot) = per_commit.get_mut(*i) {
                    slot.push(p);
                }
            }
        }
        per_commit
            .into_iter()
            .zip(&self.history.commits)
            .filter_map(|(posted, commit)| {
                let decisive = posted
                    .iter()
                    .find(|p| !passed(&p.state))
                    .or_else(|| posted.first())?;
                Some(Run {
                    commit,
                    green: posted.iter().all(|p| passed(&p.state)),
                    decisive,
                })
            })
            .collect()
    }
}

/// What `--history` read, in words: "the heads of the last 3 merged pull requests and the
/// last 5 commits of `main`".
fn read_what(history: &History, branch: &str) -> String {
    format!(
        "{} commits read: the heads of the last {} merged pull requests into `{branch}` and its last {} commits",
        history.commits.len(),
        history.pull_requests,
        history.branch_commits
    )
}

/// Everything the history rules need.
pub struct Inputs<'a> {
    pub report: &'a RootReport,
    pub protection: Option<&'a Protection>,
    /// Diff mode: the base revision's workflows.
    pub base: Option<&'a RootReport>,
    pub branch: &'a str,
    /// `[history] green-runs`.
    pub green_runs: usize,
    pub protection_file: Option<String>,
    /// The directive keyword (`bp-required`, or as `[directives]` names it).
    pub required_keyword: &'a str,
}

pub fn check(inputs: &Inputs<'_>, history: &History) -> Vec<Finding> {
    let mut out = Vec::new();
    if history.commits.is_empty() {
        return out;
    }
    let index = Index::new(history, inputs.report.profile.forge);
    required_never_seen(inputs, history, &mut out);
    pending_ready(inputs, &index, &mut out);
    mask_hides_failures(inputs, &index, &mut out);
    mask_removal_unproven(inputs, &index, &mut out);
    out
}

fn required_never_seen(inputs: &Inputs<'_>, history: &History, out: &mut Vec<Finding>) {
    let Some(protection) = inputs.protection else {
        return;
    };
    let seen = history
        .commits
        .iter()
        .flat_map(|c| c.statuses.posted.iter().map(|p| p.context.as_str()));
    let hit = protection.matched_by(seen);
    // An entry no job posts is `protection-orphaned` already.
    let posted = protection.matched_by(
        inputs
            .report
            .gates
            .iter()
            .flat_map(|g| g.contexts.iter().map(|c| c.text.as_str())),
    );
    for ((r, hit), posted) in protection.required.iter().zip(hit).zip(posted) {
        if hit || !posted || !r.enforced() {
            continue;
        }
        let mut f = Finding::new(
            "required-never-seen",
            Severity::Error,
            &inputs.report.root,
            format!(
                "protection requires `{}`, but it was posted on none of the {}: a dead gate (renamed, never triggered for this branch, or named otherwise than the forge posts it)",
                r.text,
                read_what(history, inputs.branch)
            ),
        )
        .help("compare with `gatelint report`: rename the entry to the context the job posts, or remove it from the protection");
        if let (Some(file), Some(span)) = (&inputs.protection_file, r.span) {
            f = f.at(file, span);
        }
        f.context = Some(r.text.clone());
        out.push(f);
    }
}

fn pending_ready(inputs: &Inputs<'_>, index: &Index<'_>, out: &mut Vec<Finding>) {
    let k = inputs.green_runs;
    for g in &inputs.report.gates {
        let Some(d) = &g.directive else { continue };
        let Directive::Pending(issue) = &d.value else {
            continue;
        };
        let runs = index.runs(g.contexts.iter().map(|c| c.text.as_str()));
        if runs.len() < k || !runs.iter().take(k).all(|r| r.green) {
            continue;
        }
        let shas: Vec<String> = runs
            .iter()
            .take(k)
            .map(|r| crate::observed::short_sha(&r.commit.sha))
            .collect();
        let contexts: Vec<&str> = g.contexts.iter().map(|c| c.text.as_str()).collect();
        let mut f = Finding::new(
            "pending-ready",
            Severity::Note,
            &inputs.report.root,
            format!(
                "`{}` is `{}: pending {issue}` and passed on its last {k} runs ({}): it is ready to be required",
                g.job,
                inputs.required_keyword,
                shas.join(", ")
            ),
        )
        .at(&g.file, d.span)
        .job(&g.workflow, &g.job)
        .issue(issue.to_string())
        .help(format!(
            "flip it to `{}: yes` and add `{}` to the branch protection",
            inputs.required_keyword,
            contexts.join("`, `")
        ));
        f.context = runs.first().map(|r| r.decisive.context.clone());
        f.evidence = runs
            .iter()
            .take(k)
            .map(|r| evidence(r.commit, r.decisive))
            .collect();
        out.push(f);
    }
}

/// The job of a gate.
fn job_of<'r>(report: &'r RootReport, g: &Gate) -> Option<&'r crate::workflow::Job> {
    report
        .workflows
        .get(g.workflow_index)
        .and_then(|w| w.jobs.get(g.job_index))
}

fn is_required(inputs: &Inputs<'_>, g: &Gate) -> bool {
    matches!(
        g.directive.as_ref().map(|d| &d.value),
        Some(Directive::Required)
    ) || inputs
        .protection
        .is_some_and(|p| g.contexts.iter().any(|c| p.requires(&c.text)))
}

fn mask_hides_failures(inputs: &Inputs<'_>, index: &Index<'_>, out: &mut Vec<Finding>) {
    let report = inputs.report;
    // Gates by (workflow, job id), for `needs`.
    let by_job: HashMap<(usize, &str), &Gate> = report
        .gates
        .iter()
        .filter_map(|g| Some(((g.workflow_index, job_of(report, g)?.id.as_str()), g)))
        .collect();
    for required in report.gates.iter().filter(|g| is_required(inputs, g)) {
        let Some(job) = job_of(report, required) else {
            continue;
        };
        let required_runs = index.runs(required.contexts.iter().map(|c| c.text.as_str()));
        if required_runs.is_empty() {
            continue;
        }
        for need in &job.needs {
            let Some(masked) = by_job.get(&(required.workflow_index, need.value.as_str())) else {
                continue;
            };
            // Only where the key hides a failure from the gate (FORGE-SEMANTICS §4).
            if masked.masked != Mask::Job {
                continue;
            }
            let masked_runs = index.runs(masked.contexts.iter().map(|c| c.text.as_str()));
            let hidden: Vec<&Run<'_>> = masked_runs
                .iter()
                .filter(|m| failed(&m.decisive.state))
                .filter(|m| {
                    required_runs
                        .iter()
                        .any(|r| r.green && std::ptr::eq(r.commit, m.commit))
                })
                .collect();
            let Some(latest) = hidden.first() else {
                continue;
            };
            let span = job_of(report, masked)
                .and_then(|j| j.continue_on_error.as_ref())
                .map_or(masked.key_span, |c| c.span);
            let mut f = Finding::new(
                "mask-hides-failures",
                Severity::Error,
                &report.root,
                format!(
                    "`{}` failed on {} of the commits read (latest {}: `{}` {}) while `{}`, which needs it and is required, passed: its `continue-on-error` hides the failure from the gate",
                    masked.job,
                    hidden.len(),
                    crate::observed::short_sha(&latest.commit.sha),
                    latest.decisive.context,
                    latest.decisive.state,
                    required.job
                ),
            )
            .at(&masked.file, span)
            .job(&masked.workflow, &masked.job)
            .help(match &latest.decisive.url {
                Some(url) => format!(
                    "fix the failure and remove the mask (the latest failed run: {url}), or have `{}` check `needs.{}.result`",
                    required.job, need.value
                ),
                None => format!(
                    "fix the failure and remove the mask, or have `{}` check `needs.{}.result`",
                    required.job, need.value
                ),
            });
            f.context = Some(latest.decisive.context.clone());
            f.evidence = hidden
                .iter()
                .take(inputs.green_runs.max(1))
                .map(|r| evidence(r.commit, r.decisive))
                .collect();
            out.push(f);
        }
    }
}

fn mask_removal_unproven(inputs: &Inputs<'_>, index: &Index<'_>, out: &mut Vec<Finding>) {
    let Some(base) = inputs.base else { return };
    let report = inputs.report;
    let k = inputs.green_runs;
    let was: HashMap<(&str, &str), &Gate> = base
        .gates
        .iter()
        .map(|g| ((g.file.as_str(), g.job.as_str()), g))
        .collect();
    for g in &report.gates {
        let Some(before) = was.get(&(g.file.as_str(), g.job.as_str())) else {
            continue;
        };
        let masked_before = job_of(base, before).is_some_and(|j| j.job_masked());
        let masked_now = job_of(report, g).is_some_and(|j| j.job_masked());
        if !masked_before || masked_now {
            continue;
        }
        if before.masked == Mask::Ignored {
            let f = Finding::new(
                "mask-removal-unproven",
                Severity::Note,
                &report.root,
                format!(
                    "this change removes `continue-on-error` from `{}`, which {} ignores: the gate does not change, no green history is needed",
                    g.job,
                    report.profile.label()
                ),
            )
            .at(&g.file, g.key_span)
            .job(&g.workflow, &g.job);
            out.push(f);
            continue;
        }
        let runs = index.runs(
            before
                .contexts
                .iter()
                .chain(&g.contexts)
                .map(|c| c.text.as_str()),
        );
        let last: Vec<&Run<'_>> = runs.iter().take(k).collect();
        if last.len() == k && last.iter().all(|r| r.green) {
            continue;
        }
        let why = if last.len() < k {
            format!(
                "only {} of its last {k} runs were seen in the history read",
                last.len()
            )
        } else {
            let red: Vec<String> = last
                .iter()
                .filter(|r| !r.green)
                .map(|r| {
                    format!(
                        "{} {}",
                        crate::observed::short_sha(&r.commit.sha),
                        r.decisive.state
                    )
                })
                .collect();
            format!("its last {k} runs were not all green ({})", red.join(", "))
        };
        let mut f = Finding::new(
            "mask-removal-unproven",
            Severity::Error,
            &report.root,
            format!(
                "this change removes `continue-on-error` from `{}`, but {why}: the gate may turn red on the next pull request",
                g.job
            ),
        )
        .at(&g.file, g.key_span)
        .job(&g.workflow, &g.job)
        .help(format!(
            "keep the mask until the job has passed {k} runs in a row (`[history] green-runs`), or fix what fails first"
        ));
        f.context = g.contexts.first().map(|c| c.text.clone());
        f.evidence = last
            .iter()
            .map(|r| evidence(r.commit, r.decisive))
            .collect();
        out.push(f);
    }
}

/// For `report --history`: per context, on how many of the commits read it was posted (by
/// anyone, each commit once), and its state on the newest of them (the repository's own
/// workflows' when they posted it there).
pub fn posted_counts(history: &History, forge: Forge) -> crate::report::gates::Posted {
    let mut out = crate::report::gates::Posted {
        of: history.commits.len(),
        ..Default::default()
    };
    for c in &history.commits {
        let mut on_this: HashMap<&str, &Posted> = HashMap::new();
        for p in &c.statuses.posted {
            on_this
                .entry(p.context.as_str())
                .and_modify(|kept| {
                    if p.by_actions(forge) && !kept.by_actions(forge) {
                        *kept = p;
                    }
                })
                .or_insert(p);
        }
        for (context, p) in on_this {
            out.by_context
                .entry(context.to_owned())
                .and_modify(|e| e.0 += 1)
                .or_insert((1, p.state.clone()));
        }
    }
    out
}
