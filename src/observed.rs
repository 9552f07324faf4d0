//! What actually ran (issue 12, item 1): the contexts a pull request should post, compared with
//! the statuses the forge posted on its head commit.
//!
//! Predicted: every context a job posts on the pull-request events (`pull_request`,
//! `pull_request_target`; on GitHub the check-run name) of a workflow that runs for a pull
//! request to the target branch without a `paths` filter (a filtered workflow may rightly post
//! nothing: it is not predicted until changed paths are read). A job skipped by its `if:` still
//! posts (as `skipped` or `success`), so it is predicted too.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::analyze::RootReport;
use crate::config::LaneWaiver;
use crate::finding::{Finding, Severity};
use crate::forge::Forge;
use crate::forge::glob::Glob;
use crate::forge::naming::Context;
use crate::forge::protection::Protection;
use crate::forge::source::RemoteSpec;
use crate::forge::source::statuses::{self, Statuses};
use crate::rules::{branch_included, distance};
use crate::workflow::Trigger;

/// The runner's event payload (`GITHUB_EVENT_PATH`; GitHub, Gitea and Forgejo runners set
/// it): `None` when the variable is not set, else the JSON or why it cannot be read.
fn event_payload() -> Option<Result<serde_json::Value, String>> {
    let path = std::env::var_os("GITHUB_EVENT_PATH").filter(|p| !p.is_empty())?;
    Some(
        crate::safe_fs::read_text_capped(std::path::Path::new(&path), 8 * 1024 * 1024)
            .map_err(|e| format!("the event payload (GITHUB_EVENT_PATH): {e}"))
            .and_then(|text| {
                serde_json::from_str(&text)
                    .map_err(|e| format!("the event payload (GITHUB_EVENT_PATH) is not JSON: {e}"))
            }),
    )
}

/// The head commit of the pull request the runner runs for: `pull_request.head.sha` in the
/// event payload. Never `GITHUB_SHA`, which on a pull request is the test merge commit.
pub fn head_from_event() -> Result<String, String> {
    let doc = event_payload().ok_or("--head without a SHA reads the pull request's head from GITHUB_EVENT_PATH, which is not set: give --head SHA")??;
    let sha = doc
        .pointer("/pull_request/head/sha")
        .and_then(serde_json::Value::as_str)
        .ok_or("the event payload (GITHUB_EVENT_PATH) has no pull_request.head.sha: not a pull-request run; give --head SHA")?;
    statuses::check_sha(sha).map_err(|e| e.message)?;
    Ok(sha.to_owned())
}

/// The pull request's number from the event payload (`pull_request.number`), when there is
/// one.
pub fn pr_from_event() -> Option<u64> {
    event_payload()?
        .ok()?
        .pointer("/pull_request/number")?
        .as_u64()
}

/// The pull request's body from the event payload (`pull_request.body`), when there is one.
pub fn pr_body_from_event() -> Option<String> {
    event_payload()?
        .ok()?
        .pointer("/pull_request/body")?
        .as_str()
        .map(str::to_owned)
}

/// A commit id as findings show it: its first 12 digits.
pub fn short_sha(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// What a workflow whose `paths` filter cannot be decided counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// Not predicted: nothing is awaited that may rightly never come (`--head`).
    Excluded,
    /// Predicted: a lane is not called removed when it may still run (`lane-removed`).
    Included,
}

/// The contexts predicted, and how many workflows' filters could not be decided.
#[derive(Default)]
pub struct Prediction<'r> {
    pub contexts: Vec<Predicted<'r>>,
    pub undecided: usize,
}

/// A context the pull request should post, and the job that posts it.
pub struct Predicted<'r> {
    pub context: &'r Context,
    pub gate: usize,
}

/// What the pull request changes: the paths that differ from the merge base, when read.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// `None`: not read (no merge base, or too many): a workflow with a `paths` filter is
    /// then predicted neither way.
    pub paths: Option<Vec<String>>,
}

/// The most pattern-by-path matches (and pattern compilations) one prediction makes; past it
/// a filtered workflow is undecided (a crafted filter of thousands of patterns on a huge
/// change).
const MAX_PATH_MATCHES: usize = 5_000_000;

/// The most patterns of one `paths` / `paths-ignore` list read; a longer list leaves its
/// workflow undecided.
const MAX_FILTER_PATTERNS: usize = 1_000;

/// Does a pull request with these changed paths run a workflow with this trigger's `paths` /
/// `paths-ignore`? `None`: cannot tell (paths not read, too many patterns, budget spent, a
/// pattern the forge would reject). As GitHub and Gitea (act's `workflowpattern`) apply
/// them: `paths` runs it when some changed path is included (the last pattern matching a
/// path decides, `!` excludes); `paths-ignore` skips it when every changed path is ignored
/// (`!` re-includes). Patterns follow the filter cheat sheet ([`Glob::path_filter`]).
fn paths_admit(t: &Trigger, change: &Change, budget: &mut usize) -> Option<bool> {
    if t.paths.is_none() && t.paths_ignore.is_none() {
        return Some(true);
    }
    let changed = change.paths.as_deref()?;
    let compile = |list: &[String], budget: &mut usize| -> Option<Vec<(bool, Glob)>> {
        if list.len() > MAX_FILTER_PATTERNS {
            return None;
        }
        *budget = budget.checked_sub(list.len())?;
        list.iter()
            .map(|p| match p.strip_prefix('!') {
                Some(n) => Glob::path_filter(n).ok().map(|g| (true, g)),
                None => Glob::path_filter(p).ok().map(|g| (false, g)),
            })
            .collect()
    };
    // The last pattern matching a path decides whether it is in the list.
    let listed = |compiled: &[(bool, Glob)], f: &str| {
        compiled
            .iter()
            .rev()
            .find(|(_, g)| g.matches(f))
            .is_some_and(|(neg, _)| !neg)
    };
    if let Some(list) = &t.paths {
        let compiled = compile(&list.value, budget)?;
        let mut any = false;
        for f in changed {
            *budget = budget.checked_sub(compiled.len().max(1))?;
            if listed(&compiled, f) {
                any = true;
                break;
            }
        }
        if !any {
            return Some(false);
        }
    }
    if let Some(list) = &t.paths_ignore {
        let compiled = compile(&list.value, budget)?;
        let mut all_ignored = !changed.is_empty();
        for f in changed {
            *budget = budget.checked_sub(compiled.len().max(1))?;
            if !listed(&compiled, f) {
                all_ignored = false;
                break;
            }
        }
        if all_ignored {
            return Some(false);
        }
    }
    Some(true)
}

/// Does a pull request's new head run a workflow with this trigger's `types`? Without
/// `types`, Gitea, Forgejo and GitHub run on `opened`, `synchronize` and `reopened`; with
/// them, only when both `opened` and `synchronize` are listed is every head certain to run
/// (the first head comes with `opened`, a later one with `synchronize`).
fn types_admit(t: &Trigger) -> bool {
    t.types.as_ref().is_none_or(|types| {
        ["opened", "synchronize"]
            .iter()
            .all(|x| types.value.iter().any(|y| y == x))
    })
}

/// The contexts a pull request to `branch` with this change should post on its head: the
/// pull-request-event contexts of every workflow whose trigger admits the branch, the change's
/// paths and a new head.
pub fn predicted<'r>(
    report: &'r RootReport,
    branch: &str,
    change: &Change,
    undecided: Undecided,
) -> Prediction<'r> {
    let mut out = Prediction::default();
    // Each context once (a repository may hold thousands of jobs: a set, not a scan).
    let mut seen: HashSet<&str> = HashSet::new();
    let mut budget = MAX_PATH_MATCHES;
    // Per workflow, once.
    let mut runs_for: Vec<Option<bool>> = vec![None; report.workflows.len()];
    for (i, g) in report.gates.iter().enumerate() {
        let Some(wf) = report.workflows.get(g.workflow_index) else {
            continue;
        };
        let runs = match runs_for.get(g.workflow_index).copied().flatten() {
            Some(r) => r,
            None => {
                let mut unsure = false;
                let r = ["pull_request", "pull_request_target"].iter().any(|e| {
                    wf.trigger(e).is_some_and(|t| {
                        branch_included(t, branch)
                            && types_admit(t)
                            && match paths_admit(t, change, &mut budget) {
                                Some(admits) => admits,
                                None => {
                                    unsure = true;
                                    undecided == Undecided::Included
                                }
                            }
                    })
                });
                if unsure {
                    out.undecided += 1;
                }
                if let Some(slot) = runs_for.get_mut(g.workflow_index) {
                    *slot = Some(r);
                }
                r
            }
        };
        if !runs {
            continue;
        }
        for c in &g.contexts {
            let on_pr = match report.profile.forge {
                Forge::Github => true,
                _ => c
                    .event
                    .as_deref()
                    .is_some_and(|e| e == "pull_request" || e == "pull_request_target"),
            };
            if on_pr && seen.insert(c.text.as_str()) {
                out.contexts.push(Predicted {
                    context: c,
                    gate: i,
                });
            }
        }
    }
    out
}

/// What `--head` found, and what it cost.
pub struct Observed {
    pub findings: Vec<Finding>,
    pub requests: usize,
    /// Contexts predicted (the running job's own left out) and posted.
    pub predicted: usize,
    pub posted: usize,
    /// Workflows whose `paths` filters could not be decided (not predicted).
    pub undecided: usize,
}

/// How long to wait for statuses, and what to do when they do not settle.
#[derive(Debug, Clone, Copy)]
pub struct Settle {
    pub settle: Duration,
    pub poll: Duration,
    pub allow_unsettled: bool,
}

/// Read the head's statuses until every predicted context is posted and nothing is pending, or
/// the settle time is spent; then compare. `Err` is exit 2.
pub fn observe(
    spec: &RemoteSpec,
    sha: &str,
    report: &RootReport,
    protection: Option<&Protection>,
    branch: &str,
    change: &Change,
    settle: Settle,
) -> Result<Observed, String> {
    // The job running gatelint posts `pending` until it ends: neither awaited nor predicted
    // (`GITHUB_JOB` is its id, `GITHUB_WORKFLOW` its workflow's name, in every runner).
    let own = own_contexts(report);
    let prediction = predicted(report, branch, change, Undecided::Excluded);
    let undecided = prediction.undecided;
    let mut predicted = prediction.contexts;
    predicted.retain(|p| !own.contains(p.context.text.as_str()));
    // A pending context is awaited when it matters: predicted, required, or posted by this
    // repository's workflows; another app's or service's run is not (unless required), and
    // neither is the job gatelint runs in.
    let predicted_set: HashSet<&str> = predicted.iter().map(|p| p.context.text.as_str()).collect();
    let awaited = |p: &statuses::Posted| {
        p.state == "pending"
            && !own.contains(p.context.as_str())
            && (predicted_set.contains(p.context.as_str())
                || protection.is_some_and(|pr| pr.requires(&p.context))
                || p.by_actions(report.profile.forge))
    };
    let start = Instant::now();
    let mut requests = 0;
    let statuses = loop {
        let s = statuses::fetch(spec, sha).map_err(|e| e.message)?;
        requests += s.requests;
        let posted = s.contexts();
        let all_posted = predicted
            .iter()
            .all(|p| posted.contains(p.context.text.as_str()));
        let settled = !s.posted.iter().any(&awaited);
        if (all_posted && settled) || start.elapsed() >= settle.settle {
            break s;
        }
        std::thread::sleep(
            settle
                .poll
                .min(settle.settle.saturating_sub(start.elapsed())),
        );
    };
    let mut findings = compare(report, protection, &predicted, &statuses, sha);
    // Settled: nothing pending. A predicted context still missing then was never posted
    // (context-not-posted), not late.
    let pending: Vec<&str> = statuses
        .posted
        .iter()
        .filter(|p| awaited(p))
        .map(|p| p.context.as_str())
        .collect();
    if !pending.is_empty() {
        let what = format!(
            "the statuses of {sha} did not settle in {} s: {} still pending (`{}`{})",
            settle.settle.as_secs(),
            pending.len(),
            pending[0],
            if pending.len() > 1 { ", …" } else { "" }
        );
        if !settle.allow_unsettled {
            return Err(format!(
                "{what}: give --settle SECS to wait longer, or --allow-unsettled to report anyway"
            ));
        }
        findings.push(
            Finding::new("context-not-posted", Severity::Warning, &report.root, what)
                .help("the findings below were taken before the runs finished"),
        );
    }
    Ok(Observed {
        findings,
        requests,
        predicted: predicted.len(),
        posted: statuses.posted.len(),
        undecided,
    })
}

/// The contexts of the job this gatelint runs in, when it runs in a runner.
fn own_contexts(report: &RootReport) -> HashSet<&str> {
    let (Ok(job), Ok(workflow)) = (
        std::env::var("GITHUB_JOB"),
        std::env::var("GITHUB_WORKFLOW"),
    ) else {
        return HashSet::new();
    };
    // The running job, and the jobs of its workflow that need it (directly or not): they
    // wait for it, `pending`, until gatelint ends. A walk over who needs whom, built once:
    // linear in the jobs and their needs.
    let mut needed_by: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, g) in report.gates.iter().enumerate() {
        let Some(j) = report
            .workflows
            .get(g.workflow_index)
            .and_then(|w| w.jobs.get(g.job_index))
        else {
            continue;
        };
        for n in &j.needs {
            needed_by
                .entry((g.workflow_index, n.value.as_str()))
                .or_default()
                .push(i);
        }
    }
    let mut waiting: HashSet<usize> = HashSet::new();
    let mut queue: Vec<usize> = report
        .gates
        .iter()
        .enumerate()
        .filter(|(_, g)| g.job == job && (g.workflow == workflow || g.file == workflow))
        .map(|(i, _)| i)
        .collect();
    while let Some(i) = queue.pop() {
        if !waiting.insert(i) {
            continue;
        }
        if let Some(g) = report.gates.get(i)
            && let Some(next) = needed_by.get(&(g.workflow_index, g.job.as_str()))
        {
            queue.extend(next.iter().filter(|n| !waiting.contains(n)));
        }
    }
    waiting
        .iter()
        .filter_map(|i| report.gates.get(*i))
        .flat_map(|g| g.contexts.iter().map(|c| c.text.as_str()))
        .collect()
}

/// Predicted vs posted.
fn compare(
    report: &RootReport,
    protection: Option<&Protection>,
    predicted: &[Predicted<'_>],
    statuses: &Statuses,
    sha: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let posted = statuses.contexts();
    for p in predicted {
        if posted.contains(p.context.text.as_str()) {
            continue;
        }
        let Some(g) = report.gates.get(p.gate) else {
            continue;
        };
        let required = protection.is_some_and(|pr| pr.requires(&p.context.text));
        let severity = if required {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut f = Finding::new(
            "context-not-posted",
            severity,
            &report.root,
            format!(
                "`{}` should post `{}` on this pull request, but the forge has no such status on its head {sha}{}",
                g.job,
                p.context.text,
                if required {
                    ": protection requires it, so the merge waits for it"
                } else {
                    ""
                }
            ),
        )
        .at(&g.file, g.key_span)
        .job(&g.workflow, &g.job)
        .help("check the run's logs: the workflow may have failed to start (invalid file, disabled workflow, no runner), or gatelint's naming and the forge's differ");
        f.context = Some(p.context.text.clone());
        out.push(f);
    }
    // Posted by this repository's workflows, predicted by nothing gatelint knows.
    let known: HashSet<&str> = report
        .gates
        .iter()
        .flat_map(|g| g.contexts.iter().map(|c| c.text.as_str()))
        .collect();
    // The nearest predicted name costs a distance per pair: for the first few only, on
    // names cut to a sane length (a server may post thousands of long contexts).
    let mut nearest_left = 50usize;
    let cut = |t: &str| t.chars().take(128).collect::<String>();
    for s in &statuses.posted {
        if !s.by_actions(report.profile.forge) || known.contains(s.context.as_str()) {
            continue;
        }
        let nearest = if nearest_left > 0 {
            nearest_left -= 1;
            let posted = cut(&s.context);
            predicted
                .iter()
                .take(1000)
                .map(|p| p.context.text.as_str())
                .min_by_key(|p| distance(&cut(p), &posted))
                .map(|p| format!("; the nearest predicted is `{p}`"))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let mut f = Finding::new(
            "context-unpredicted",
            Severity::Warning,
            &report.root,
            format!(
                "the forge posted `{}` ({}) on {sha}, which no job gatelint read posts{nearest}",
                s.context, s.state
            ),
        )
        .help(match &s.url {
            Some(url) => format!("gatelint's naming and the forge's disagree, or a workflow gatelint does not read ran: compare the run ({}) with `gatelint report`", crate::forge::source::text::visible(url, 300)),
            None => "gatelint's naming and the forge's disagree, or a workflow gatelint does not read ran: compare the run with `gatelint report`".to_owned(),
        });
        f.context = Some(s.context.clone());
        f.evidence = vec![crate::finding::Evidence {
            commit: sha.to_owned(),
            context: s.context.clone(),
            state: s.state.clone(),
            url: s.url.clone(),
        }];
        out.push(f);
    }
    out
}

/// The base side of `lane-removed`: the merge base's workflows and the waivers that apply.
pub struct Lanes<'a> {
    pub base: &'a RootReport,
    /// The merge base's commit id.
    pub merge_base: &'a str,
    pub waivers: &'a [LaneWaiver],
    /// The config file the waivers are in, for findings that point at them.
    pub waiver_file: Option<&'a str>,
    /// The pull request's number, when known: waivers name it.
    pub pr: Option<u64>,
}

/// Does `waiver` name `context` (as printed, or without its pull-request event suffix, the
/// form a required-contexts list uses)?
fn waives(waiver: &LaneWaiver, context: &str) -> bool {
    waiver.context == context
        || [" (pull_request)", " (pull_request_target)"]
            .iter()
            .any(|e| context.strip_suffix(e) == Some(waiver.context.as_str()))
}

/// `lane-removed`: a context the merge base would post for this same change that the head no
/// longer posts, unless a waiver names it for this pull request; a waiver for this pull
/// request that names no removed lane is an error too.
pub fn lanes_removed(
    head: &RootReport,
    branch: &str,
    change: &Change,
    lanes: &Lanes<'_>,
) -> Vec<Finding> {
    // A workflow whose filters cannot be decided may still run: its lanes count on both
    // sides, so only a lane no head job can post is called removed.
    let at_head: HashSet<&str> = predicted(head, branch, change, Undecided::Included)
        .contexts
        .iter()
        .map(|p| p.context.text.as_str())
        .collect();
    let mut used = vec![false; lanes.waivers.len()];
    let mut out = Vec::new();
    for p in predicted(lanes.base, branch, change, Undecided::Included).contexts {
        let context = p.context.text.as_str();
        if at_head.contains(context) {
            continue;
        }
        if let Some(pr) = lanes.pr
            && let Some(i) = lanes
                .waivers
                .iter()
                .position(|w| w.pr == pr && waives(w, context))
        {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            continue;
        }
        let Some(g) = lanes.base.gates.get(p.gate) else {
            continue;
        };
        let mut f = Finding::new(
            "lane-removed",
            Severity::Error,
            &head.root,
            format!(
                "this pull request removes the lane `{context}`: at the merge base {} `{}` job `{}` posts it for these changes, at the head no job does (a workflow or job removed or renamed, or its trigger narrowed)",
                short_sha(lanes.merge_base),
                g.file,
                g.job
            ),
        )
        .job(&g.workflow, &g.job)
        .help(format!(
            "if the lane is meant to go, waive it in the base branch's gatelint.toml: [[observed.lane-waiver]] context = \"{}\", pr = {}, reason = \"…\"",
            crate::forge::source::text::visible(context, 200),
            lanes.pr.map_or_else(|| "<the pull request's number>".to_owned(), |n| n.to_string())
        ));
        f.context = Some(context.to_owned());
        out.push(f);
    }
    if let Some(pr) = lanes.pr {
        for (w, used) in lanes.waivers.iter().zip(&used) {
            if w.pr != pr || *used {
                continue;
            }
            let mut f = Finding::new(
                "lane-removed",
                Severity::Error,
                &head.root,
                format!(
                    "the lane waiver for `{}` (pull request #{pr}) matches no lane this pull request removes: the context is misspelt or the waiver is stale",
                    crate::forge::source::text::visible(&w.context, 200)
                ),
            )
            .help("copy the context from a `lane-removed` finding, or delete the waiver");
            if let Some(file) = lanes.waiver_file {
                f = f.at(file, w.span);
            }
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Spanned;

    fn trigger(paths: &[&str], ignore: &[&str]) -> Trigger {
        let list = |l: &[&str]| {
            (!l.is_empty()).then(|| Spanned {
                value: l.iter().map(|s| (*s).to_owned()).collect(),
                span: Default::default(),
            })
        };
        let mut t = Trigger::bare("pull_request", Default::default());
        t.paths = list(paths);
        t.paths_ignore = list(ignore);
        t
    }

    fn admits(t: &Trigger, changed: &[&str]) -> Option<bool> {
        let change = Change {
            paths: Some(changed.iter().map(|s| (*s).to_owned()).collect()),
        };
        paths_admit(t, &change, &mut MAX_PATH_MATCHES.clone())
    }

    /// `paths`: some changed path included, the last matching pattern deciding;
    /// `paths-ignore`: skipped only when every changed path is ignored.
    #[test]
    fn path_filters_decide_as_the_forges_do() {
        let docs = trigger(&["docs/**", "!docs/draft/**"], &[]);
        assert_eq!(admits(&docs, &["docs/a.md"]), Some(true));
        assert_eq!(admits(&docs, &["docs/draft/a.md"]), Some(false));
        assert_eq!(admits(&docs, &["docs/draft/a.md", "docs/b.md"]), Some(true));
        assert_eq!(admits(&docs, &["src/x.rs"]), Some(false));
        assert_eq!(admits(&docs, &[]), Some(false));
        let code = trigger(&[], &["**.md", "!CHANGELOG.md"]);
        assert_eq!(admits(&code, &["README.md", "docs/a.md"]), Some(false));
        assert_eq!(admits(&code, &["README.md", "src/x.rs"]), Some(true));
        assert_eq!(admits(&code, &["CHANGELOG.md"]), Some(true), "re-included");
        let go = trigger(&["**/*.go"], &[]);
        assert_eq!(admits(&go, &["main.go"]), Some(true));
        // Not read: undecided; no filter: runs.
        let unread = Change { paths: None };
        assert_eq!(paths_admit(&go, &unread, &mut 10), None);
        assert_eq!(admits(&trigger(&[], &[]), &["x"]), Some(true));
        // Too many patterns, a spent budget, a pattern the forge rejects: undecided.
        let many: Vec<String> = (0..=MAX_FILTER_PATTERNS)
            .map(|i| format!("p{i}/**"))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(admits(&trigger(&many, &[]), &["x"]), None);
        let change = Change {
            paths: Some(vec!["a".to_owned(); 10]),
        };
        assert_eq!(
            paths_admit(&trigger(&["b", "c"], &[]), &change, &mut 5),
            None
        );
        assert_eq!(admits(&trigger(&["[a/b]"], &[]), &["x"]), None);
    }
}
