//! `required-path-filtered`: a required job's workflow filters the events that post its
//! protected context by paths or branches, so the check can stay pending.

use super::{Cx, GateFacts, Rule, RuleInfo, branch_included, pr_reachable, push_reaches_prs};
use crate::finding::Finding;
use crate::forge::glob::has_glob_chars;
use crate::forge::protection::Matcher;
use crate::workflow::Directive;
use crate::workflow::Trigger;

super::rule!(
    RequiredPathFiltered,
    "required-path-filtered",
    Warning,
    "a required job's workflow has `paths`/`branches` filters on its PR event: the check stays pending",
    needs_protection = false
);

/// The filters of `t` that can leave a pull request to `branch` out (empty: none).
fn filters(t: &Trigger, event: &str, branch: &str) -> Vec<&'static str> {
    let mut reasons = Vec::new();
    if t.paths.is_some() {
        reasons.push("`paths`");
    }
    if t.paths_ignore.is_some() {
        reasons.push("`paths-ignore`");
    }
    let branch_filter = t.branches.is_some() || t.branches_ignore.is_some();
    // For push, the filter is on the pushed branch, not the target: any filter counts.
    let filtered = event == "push" || !branch_included(t, branch);
    if branch_filter && filtered {
        reasons.push(if t.branches.is_some() {
            "`branches`"
        } else {
            "`branches-ignore`"
        });
    }
    reasons
}

/// What happens to a pull request the filter leaves out.
enum Outcome {
    /// Protection waits for a context that is never posted: the pull request is blocked.
    Waits,
    /// A Gitea pattern (`*`) waits only for what is posted: the gate is simply gone.
    Vanishes(String),
    /// Gitea ≥ 1.27 posts the filtered workflow's required contexts as `skipped` (passing).
    PassesSkipped,
    /// Required by its directive only: nothing waits, the job does not check the pull request.
    NotChecked,
}

impl Rule for RequiredPathFiltered {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required {
            return;
        }
        let events = ["pull_request", "pull_request_target", "push"];
        let filtered: Vec<(&str, &Trigger, Vec<&'static str>)> = events
            .iter()
            .filter_map(|e| {
                let t = g.workflow.trigger(e)?;
                // A push limited to other branches never posts on a pull request's commit
                // (`required-never-posted` covers what protection waits for there).
                if *e == "push" && !push_reaches_prs(t) {
                    return None;
                }
                // Nor does one limited to named branches in a workflow with no pull-request
                // event: `required-never-posted` says most pull requests never get it.
                if *e == "push"
                    && super::push_named_branches(t).is_some()
                    && !["pull_request", "pull_request_target", "merge_group"]
                        .iter()
                        .any(|e| g.workflow.trigger(e).is_some())
                {
                    return None;
                }
                Some((*e, t, filters(t, e, cx.branch)))
            })
            .collect();
        // Events that run for every pull request (push: on same-repository branches).
        let unfiltered: Vec<&str> = filtered
            .iter()
            .filter(|(_, _, reasons)| reasons.is_empty())
            .map(|(e, _, _)| *e)
            .collect();
        // One finding per job: a filtered pull-request event is the one to fix; its push
        // twin says the same.
        let mut reported = false;
        let posted_by = |c: &crate::forge::naming::Context, event: &str| {
            c.event.as_deref().is_none_or(|e| {
                e == event
                    || (event == "pull_request_target"
                        && e == cx.profile().pull_request_target_suffix)
            })
        };
        for (event, t, reasons) in &filtered {
            if reasons.is_empty() || (reported && *event == "push") {
                continue;
            }
            // On Gitea and Forgejo a push run's `(push)` context counts only when it is the
            // one protection asks for; without protection, only the pull-request events.
            let mine: Vec<&crate::forge::naming::Context> = g
                .gate
                .contexts
                .iter()
                .filter(|c| posted_by(c, event))
                .collect();
            let entry = cx.protection.and_then(|p| {
                mine.iter()
                    .find_map(|c| p.first_match(&c.text).map(|e| (e, *c)))
            });
            let mut forks_only = false;
            let outcome = match entry {
                None if *event == "push" => continue,
                // Protection does not ask for this event's context: only a `bp-required: yes`
                // job is then required of it.
                None if !matches!(g.directive, Some(Directive::Required)) => continue,
                None => Outcome::NotChecked,
                Some((entry, _)) => {
                    // Satisfied by a context this job posts on an event that always runs
                    // (`CI / build` in a list, matched by the `(pull_request)` context).
                    let met_on = |pushes: bool| {
                        g.gate.contexts.iter().any(|c| {
                            entry.matches(&c.text)
                                && unfiltered.iter().any(|u| {
                                    u != event && (*u == "push") == pushes && posted_by(c, u)
                                })
                        })
                    };
                    if met_on(false) {
                        continue;
                    }
                    // Met by an unfiltered push: for branches of this repository only; a
                    // pull request from a fork gets no push run (GitHub, Gitea, Forgejo).
                    forks_only = met_on(true);
                    let pattern =
                        matches!(entry.matcher, Matcher::Glob(_)) && has_glob_chars(&entry.text);
                    // A pattern also matched by what other jobs post on every pull request.
                    let others = pattern
                        && cx.gates.iter().any(|o| {
                            !std::ptr::eq(o.gate, g.gate)
                                && pr_reachable(o.workflow)
                                && o.gate.contexts.iter().any(|c| entry.matches(&c.text))
                        });
                    if cx.profile().filtered_posts_skipped {
                        Outcome::PassesSkipped
                    } else if others {
                        Outcome::Vanishes(entry.text.clone())
                    } else {
                        Outcome::Waits
                    }
                }
            };
            let context = entry
                .map(|(_, c)| c.text.clone())
                .or_else(|| mine.first().map(|c| c.text.clone()));
            // What the pull request waits for: the requirement as written when it is not one
            // context (`CI / build` for any event, a pattern), else the context.
            let shown = match entry {
                Some((e, _)) if !matches!(e.matcher, Matcher::Exact(_)) => e.text.as_str(),
                _ => context.as_deref().unwrap_or(&g.gate.job),
            };
            let filter = format!("`{event}` only through a {} filter", reasons.join(" and "));
            // Same-repository pull requests get the context from their push run.
            let whose = if forks_only {
                "a pull request from a fork"
            } else {
                "a pull request"
            };
            let message = match outcome {
                Outcome::Waits => format!(
                    "required job `{}` runs on {filter}: {whose} to `{}` the filter leaves out never gets `{shown}`, and waits for it",
                    g.gate.job, cx.branch
                ),
                Outcome::Vanishes(pattern) => format!(
                    "required job `{}` runs on {filter}: for {whose} to `{}` the filter leaves out, its workflow posts nothing, and `{pattern}` waits only for what is posted: the gate vanishes quietly",
                    g.gate.job, cx.branch
                ),
                Outcome::PassesSkipped => format!(
                    "required job `{}` runs on {filter}: for {whose} to `{}` the filter leaves out, Gitea {} posts `{}` as skipped, which passes: the gate passes without running",
                    g.gate.job,
                    cx.branch,
                    cx.profile().version,
                    context.as_deref().unwrap_or(&g.gate.job)
                ),
                Outcome::NotChecked => format!(
                    "`{}` is `bp-required: yes`, but runs on {filter}: a pull request to `{}` the filter leaves out is not checked by it",
                    g.gate.job, cx.branch
                ),
            };
            // A merge queue runs the workflow on `merge_group`, which takes no path filter:
            // say so where the pull request side relies on one.
            let mut message = message;
            if reasons.iter().any(|r| r.starts_with("`paths"))
                && cx.merge_queue().is_some()
                && g.workflow.trigger("merge_group").is_some()
            {
                message.push_str(
                    " (in the merge queue it runs for every merge group: `merge_group` takes no path filter)",
                );
            }
            let span = [&t.paths, &t.paths_ignore, &t.branches, &t.branches_ignore]
                .into_iter()
                .flatten()
                .map(|f| f.span)
                .next()
                .unwrap_or(t.span);
            let mut f = cx
                .at_job(Self::new_finding(cx, message), g, span)
                .help("remove the filter from the trigger and decide inside the job (a first step that exits early still reports success)");
            f.context = context;
            out.push(f);
            reported = true;
        }
    }
}
