//! `required-never-posted`: a required job whose workflow never runs on the events that post
//! the context protection waits for.

use super::{Cx, GateFacts, Rule, RuleInfo, pr_reachable};
use crate::finding::Finding;
use crate::forge::CallNaming;
use crate::workflow::Directive;

super::rule!(
    RequiredNeverPosted,
    "required-never-posted",
    Error,
    "a required job whose workflow never runs on the events that post the protected context",
    needs_protection = false
);

impl Rule for RequiredNeverPosted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let events: Vec<&str> = g
            .workflow
            .triggers
            .iter()
            .map(|t| t.event.as_str())
            .collect();
        let on = if events.is_empty() {
            "no event".to_owned()
        } else {
            events
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Required by its directive, yet its workflow posts nothing a pull request waits for.
        if matches!(g.directive, Some(Directive::Required))
            && g.gate.contexts.is_empty()
            && g.gate.unresolvable.is_none()
        {
            let span = g.directive_span();
            // A job of a reusable workflow that a pull-request workflow calls: where the
            // forge runs the called jobs as jobs (GitHub, Gitea 1.27), the caller posts its
            // context; where it runs them inside the caller's job, only the caller posts one.
            if let Some(caller) = g
                .workflow
                .trigger("workflow_call")
                .and_then(|_| cx.caller_of(&g.workflow.file))
            {
                if cx.profile().calls != CallNaming::Caller {
                    return;
                }
                out.push(
                    cx.at_job(
                        Self::new_finding(
                            cx,
                            format!(
                                "`{}` is `bp-required: yes`, but its workflow is only called (by `{}` in {}), and {} runs the called jobs inside that one job: only `{}` posts a status",
                                g.gate.job,
                                caller.gate.job,
                                caller.gate.file,
                                cx.profile().label(),
                                caller.gate.job
                            ),
                        ),
                        g,
                        span,
                    )
                    .help(format!(
                        "put `bp-required: yes` on the caller `{}` instead, and mark this job `bp-exempt: runs inside {}`",
                        caller.gate.job, caller.gate.job
                    )),
                );
                return;
            }
            out.push(
                cx.at_job(
                    Self::new_finding(
                        cx,
                        format!(
                            "`{}` is `bp-required: yes`, but its workflow runs only on {on}: it never posts a status on a pull request",
                            g.gate.job
                        ),
                    ),
                    g,
                    span,
                )
                .help("add `pull_request` to the workflow's `on`, or mark the job `bp-exempt: <reason>`"),
            );
        }
        // Its workflow posts contexts, but never on a pull request's commit (pushes to named
        // branches or tags only, closed pull requests): a pull request waits for a context
        // that protection requires and no other job posts there (§4: on Gitea only a pattern
        // that matches nothing posted blocks; `*` is satisfied by the others).
        // The entry reported here, not again below.
        let mut reported: Option<&str> = None;
        if g.required && !g.gate.contexts.is_empty() && !pr_reachable(g.workflow) {
            let blocking = cx.protection.and_then(|p| {
                p.enforced().find(|entry| {
                    g.gate.contexts.iter().any(|c| entry.matches(&c.text))
                        && !cx.gates.iter().any(|o| {
                            pr_reachable(o.workflow)
                                && o.gate.contexts.iter().any(|c| entry.matches(&c.text))
                        })
                })
            });
            let triggers = describe_triggers(g.workflow);
            let finding = match blocking {
                Some(entry) => {
                    reported = Some(entry.text.as_str());
                    let mut f = cx
                        .at_job(
                            Self::new_finding(
                                cx,
                                format!(
                                    "the protection of `{}` requires `{}`, but the workflow of `{}` runs only on {triggers}: it is never posted on a pull request's commit, so every pull request waits for it",
                                    cx.branch, entry.text, g.gate.job
                                ),
                            ),
                            g,
                            g.gate.key_span,
                        )
                        .help(format!(
                            "run the workflow on `pull_request` (or on pushes to every branch), or drop `{}` from the protection",
                            entry.text
                        ));
                    f.context = Some(entry.text.clone());
                    Some(f)
                }
                None if matches!(g.directive, Some(Directive::Required)) => Some(
                    cx.at_job(
                        Self::new_finding(
                            cx,
                            format!(
                                "`{}` is `bp-required: yes`, but its workflow runs only on {triggers}: it never runs for a pull request, so it gates nothing",
                                g.gate.job
                            ),
                        ),
                        g,
                        g.directive_span(),
                    )
                    .help("add `pull_request` to the workflow's `on`, or mark the job `bp-exempt: <reason>`"),
                ),
                None => None,
            };
            out.extend(finding);
        }
        // Its workflow reaches pull requests only through `push`: branches of this repository
        // get its context from their push run, a pull request from a fork has none (§4).
        let pr_events = ["pull_request", "pull_request_target", "merge_group"];
        if g.required
            && reported.is_none()
            && !g.gate.contexts.is_empty()
            && pr_reachable(g.workflow)
            && !pr_events.iter().any(|e| g.workflow.trigger(e).is_some())
        {
            let blocking = cx.protection.and_then(|p| {
                p.enforced().find(|entry| {
                    g.gate.contexts.iter().any(|c| entry.matches(&c.text))
                        && !cx.gates.iter().any(|o| {
                            pr_events.iter().any(|e| o.workflow.trigger(e).is_some())
                                && o.gate.contexts.iter().any(|c| entry.matches(&c.text))
                        })
                })
            });
            // A push limited to named branches (`renovate/**`) posts only on pull requests
            // from such a branch.
            let only = g
                .workflow
                .trigger("push")
                .and_then(super::push_named_branches)
                .map(|b| b.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>());
            let (on, who, gets) = match &only {
                Some(b) => (
                    format!("`push` to {}", b.join(", ")),
                    "a pull request from another branch or from a fork",
                    format!("branches matching {} do get it", b.join(", ")),
                ),
                None => (
                    "`push`".to_owned(),
                    "a pull request from a fork",
                    "branches of this repository do get it".to_owned(),
                ),
            };
            let message = match blocking {
                Some(entry) => Some((
                    format!(
                        "the protection of `{}` requires `{}`, but the workflow of `{}` runs only on {on}: {who} has no push run here, so it never gets `{}` and waits for it ({gets})",
                        cx.branch, entry.text, g.gate.job, entry.text
                    ),
                    Some(entry.text.clone()),
                )),
                None if matches!(g.directive, Some(Directive::Required)) => Some((
                    format!(
                        "`{}` is `bp-required: yes`, but its workflow runs only on {on}: {who} has no push run here, so the job does not check it",
                        g.gate.job
                    ),
                    None,
                )),
                None => None,
            };
            if let Some((message, context)) = message {
                let mut f = cx
                    .at_job(Self::new_finding(cx, message), g, g.gate.key_span)
                    .help("add `pull_request` to the workflow's `on` (it runs for forks too)");
                // Branches of this repository are checked: a warning, not an error. A push
                // limited to named branches leaves most pull requests unchecked: the rule's
                // own severity.
                if only.is_none() {
                    f.severity = crate::finding::Severity::Warning;
                }
                f.context = context;
                out.push(f);
            }
        }
        // A merge queue tests the merge group: every required check must run on it (§4).
        if let Some(queue) = cx.merge_queue()
            && cx.profile().forge == crate::forge::Forge::Github
            && g.required
            && !g.gate.contexts.is_empty()
        {
            // The context the queue waits for: one protection requires, else (a queue known
            // from gatelint.toml only) the job's first.
            let waited = g.protected.first().copied().unwrap_or(&g.gate.contexts[0]);
            let problem = match g.workflow.trigger("merge_group") {
                None => Some((
                    format!("runs only on {on}, never on `merge_group`"),
                    "add `merge_group` to the workflow's `on`".to_owned(),
                )),
                Some(t) if !super::branch_included(t, cx.branch) => Some((
                    format!(
                        "runs on `merge_group` only for other branches: its `{}` filter leaves out `{}`",
                        if t.branches.is_some() {
                            "branches"
                        } else {
                            "branches-ignore"
                        },
                        cx.branch
                    ),
                    format!(
                        "let the `merge_group` trigger's branch filter admit `{}`",
                        cx.branch
                    ),
                )),
                Some(_) => None,
            };
            if let Some((problem, help)) = problem {
                let mut f = cx
                    .at_job(
                        Self::new_finding(
                            cx,
                            format!(
                                "the merge queue of `{}` ({queue}) waits for `{}`, but the workflow of `{}` {problem}: every merge group waits for it until the queue's check timeout, and its pull requests are removed from the queue",
                                cx.branch, waited.text, g.gate.job
                            ),
                        ),
                        g,
                        g.gate.key_span,
                    )
                    .help(help);
                f.context = Some(waited.text.clone());
                f.event = Some("merge_group".to_owned());
                out.push(f);
            }
        }
        // Protection waits for a context this job would post on an event its workflow lacks.
        let Some(protection) = cx.protection else {
            return;
        };
        for (context, event) in cx.unposted_contexts(g) {
            let Some(entry) = protection
                .first_match(&context)
                .filter(|e| reported != Some(e.text.as_str()))
            else {
                continue;
            };
            let posted_elsewhere = cx
                .gates
                .iter()
                .any(|o| o.gate.contexts.iter().any(|c| entry.matches(&c.text)));
            if posted_elsewhere {
                continue;
            }
            let mut f = cx
                .at_job(
                    Self::new_finding(
                        cx,
                        format!(
                            "the protection of `{}` requires `{}`, but the workflow of `{}` runs only on {on}, never on `{event}`",
                            cx.branch, entry.text, g.gate.job
                        ),
                    ),
                    g,
                    g.gate.key_span,
                )
                .help(format!(
                    "add `{event}` to the workflow's `on`, or require the context it does post"
                ));
            f.context = Some(entry.text.clone());
            out.push(f);
        }
    }
}

/// The workflow's triggers as a sentence part: `` `push` to `main`, `schedule` ``.
fn describe_triggers(wf: &crate::workflow::Workflow) -> String {
    let quoted = |items: &[String]| {
        items
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parts: Vec<String> = wf
        .triggers
        .iter()
        .map(|t| match (t.event.as_str(), &t.branches, &t.types) {
            ("push", Some(b), _) => format!("`push` to {}", quoted(&b.value)),
            ("push", None, _) if t.tags && t.branches_ignore.is_none() => {
                "`push` of tags".to_owned()
            }
            (e @ ("pull_request" | "pull_request_target"), _, Some(types)) => {
                format!("`{e}` ({})", quoted(&types.value))
            }
            (e, _, _) => format!("`{e}`"),
        })
        .collect();
    if parts.is_empty() {
        "no event".to_owned()
    } else {
        parts.join(", ")
    }
}
