//! `required-path-filtered`: a required job's workflow filters the events that post its
//! protected context by paths or branches, so the check can stay pending.

use super::{Cx, GateFacts, Rule, RuleInfo, pr_reachable};
use crate::finding::Finding;
use crate::forge::glob::Glob;
use crate::workflow::Trigger;

super::rule!(
    RequiredPathFiltered,
    "required-path-filtered",
    Warning,
    "a required job's workflow has `paths`/`branches` filters on its PR event: the check stays pending",
    needs_protection = false
);

/// Does a `branches` / `branches-ignore` pair admit `branch`? GitHub's filter patterns: `*`
/// stops at `/`, `**` does not, a leading `!` excludes, later patterns win.
fn branch_included(t: &Trigger, branch: &str) -> bool {
    let matches = |p: &str| Glob::new(p, Some('/')).is_ok_and(|g| g.matches(branch));
    if let Some(list) = &t.branches {
        let mut included = false;
        for p in &list.value {
            match p.strip_prefix('!') {
                Some(neg) if matches(neg) => included = false,
                Some(_) => {}
                None if matches(p) => included = true,
                None => {}
            }
        }
        if !included {
            return false;
        }
    }
    if let Some(list) = &t.branches_ignore
        && list.value.iter().any(|p| matches(p))
    {
        return false;
    }
    true
}

impl Rule for RequiredPathFiltered {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required {
            return;
        }
        let mut events = vec!["pull_request", "pull_request_target"];
        // On Gitea and Forgejo a protected `(push)` context is posted by push runs.
        if g.protected
            .iter()
            .any(|c| c.event.as_deref() == Some("push"))
        {
            events.push("push");
        }
        for event in events {
            let Some(t) = g.workflow.trigger(event) else {
                continue;
            };
            let mut reasons = Vec::new();
            if t.paths.is_some() {
                reasons.push("`paths`");
            }
            if t.paths_ignore.is_some() {
                reasons.push("`paths-ignore`");
            }
            let branch_filter = t.branches.is_some() || t.branches_ignore.is_some();
            // For push, the filter is on the pushed branch, not the target: any filter counts,
            // unless it admits no pull request's branch at all (`required-never-posted` says
            // so then).
            let filtered = if event == "push" {
                pr_reachable(g.workflow)
            } else {
                !branch_included(t, cx.branch)
            };
            if branch_filter && filtered {
                reasons.push(if t.branches.is_some() {
                    "`branches`"
                } else {
                    "`branches-ignore`"
                });
            }
            if reasons.is_empty() {
                continue;
            }
            let span = [&t.paths, &t.paths_ignore, &t.branches, &t.branches_ignore]
                .into_iter()
                .flatten()
                .map(|f| f.span)
                .next()
                .unwrap_or(t.span);
            let context = g
                .gate
                .contexts
                .iter()
                .find(|c| c.event.as_deref().is_none_or(|e| e == event))
                .map(|c| c.text.clone());
            let mut f = cx
                .at_job(
                    Self::new_finding(
                        cx,
                        format!(
                            "required job `{}` runs on `{event}` only through a {} filter: a pull request to `{}` the filter leaves out never gets the check, and waits for it",
                            g.gate.job,
                            reasons.join(" and "),
                            cx.branch
                        ),
                    ),
                    g,
                    span,
                )
                .help("remove the filter from the trigger and decide inside the job (a first step that exits early still reports success)");
            f.context = context;
            out.push(f);
        }
    }
}
