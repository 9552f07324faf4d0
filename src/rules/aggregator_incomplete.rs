//! `aggregator-incomplete`: a required aggregator (a job that checks its `needs`' results)
//! leaves out a job of its workflow that posts a pull-request context and is not exempt.

use std::collections::HashMap;

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;
use crate::workflow::condition::{OnPr, PrRun};

super::rule!(
    AggregatorIncomplete,
    "aggregator-incomplete",
    Warning,
    "a required aggregator job's `needs` leaves out a job of its workflow that is not exempt",
    needs_protection = false
);

impl Rule for AggregatorIncomplete {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        // Jobs by workflow, and each job's `needs` by id.
        let mut by_workflow: HashMap<usize, Vec<&GateFacts<'_>>> = HashMap::new();
        for g in &cx.gates {
            by_workflow
                .entry(g.gate.workflow_index)
                .or_default()
                .push(g);
        }
        let mut workflows: Vec<(usize, Vec<&GateFacts<'_>>)> = by_workflow.into_iter().collect();
        workflows.sort_by_key(|(i, _)| *i);
        for (_, jobs) in workflows {
            let index: HashMap<&str, usize> = jobs
                .iter()
                .enumerate()
                .map(|(i, g)| (g.job.id.as_str(), i))
                .collect();
            let needs: Vec<Vec<usize>> = jobs
                .iter()
                .map(|g| {
                    g.job
                        .needs
                        .iter()
                        .filter_map(|n| index.get(n.value.as_str()).copied())
                        .collect()
                })
                .collect();
            let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); jobs.len()];
            for (j, list) in needs.iter().enumerate() {
                for &n in list {
                    needed_by[n].push(j);
                }
            }
            // Each aggregator costs a walk of the workflow's jobs: a workflow has a handful.
            let aggregators: Vec<usize> = jobs
                .iter()
                .enumerate()
                .filter(|(_, g)| {
                    g.required && g.job.checks_needs_results && !g.gate.contexts.is_empty()
                })
                .map(|(i, _)| i)
                .take(MAX_AGGREGATORS)
                .collect();
            let Some(&first) = aggregators.first() else {
                continue;
            };
            // What any required aggregator covers (its needs, transitively), and what runs
            // after one (jobs that need it): neither is missing.
            let mut covered = vec![false; jobs.len()];
            let mut after = vec![false; jobs.len()];
            for &a in &aggregators {
                for (j, c) in reach(&needs, a).into_iter().enumerate() {
                    covered[j] |= c;
                }
                for (j, c) in reach(&needed_by, a).into_iter().enumerate() {
                    after[j] |= c;
                }
            }
            let named = match aggregators.len() {
                1 => format!("required aggregator `{}`", jobs[first].gate.job),
                n => format!(
                    "none of the {n} required aggregators (`{}`, …)",
                    jobs[first].gate.job
                ),
            };
            for (j, o) in jobs.iter().enumerate() {
                if aggregators.contains(&j)
                    || covered[j]
                    || after[j]
                    || o.gate.contexts.is_empty()
                    // Exempt and pending jobs stay out on purpose; a job protection requires
                    // by itself gates the merge without the aggregator.
                    || matches!(
                        o.directive,
                        Some(Directive::Exempt(_) | Directive::Pending(_))
                    )
                    || !o.protected.is_empty()
                    // Protection unknown: a `bp-required` job may be protected itself.
                    || (cx.protection.is_none() && matches!(o.directive, Some(Directive::Required)))
                    // Another aggregator or a reporter (`if: always()` after its needs:
                    // notify, merge-blocker jobs) is not a test to aggregate.
                    || (!o.job.needs.is_empty()
                        && o.job
                            .if_cond
                            .as_ref()
                            .is_some_and(|c| c.value.runs_after_failure()))
                    || !runs_on_a_pull_request(cx, o)
                {
                    continue;
                }
                // The context it posts on a pull request.
                let context = o
                    .gate
                    .contexts
                    .iter()
                    .find(|c| c.event.as_deref().is_none_or(|e| e != "push"))
                    .unwrap_or(&o.gate.contexts[0])
                    .text
                    .clone();
                let message = if aggregators.len() == 1 {
                    format!(
                        "{named} checks the results of its `needs`, but not of `{}`, which posts `{context}` and is not exempt: a failure of `{}` does not fail the gate",
                        o.gate.job, o.gate.job
                    )
                } else {
                    format!(
                        "{named} checks the results of `{}`, which posts `{context}` and is not exempt: a failure of `{}` does not fail them",
                        o.gate.job, o.gate.job
                    )
                };
                let mut f = cx
                    .at_job(Self::new_finding(cx, message), o, o.gate.key_span)
                    .help(format!(
                        "add `{}` to the `needs` of `{}` (and to the results it checks), or mark `{}` `bp-exempt: <reason>`",
                        o.gate.job, jobs[first].gate.job, o.gate.job
                    ));
                f.context = Some(context);
                out.push(f);
            }
        }
    }
}

/// Can the job run for a pull request: its workflow runs for one (`pull_request`,
/// `pull_request_target`, `merge_group`, or a push to its branch) and its `if:` is not false
/// there (`github.event_name == 'push'`).
fn runs_on_a_pull_request(cx: &Cx<'_>, g: &GateFacts<'_>) -> bool {
    // The pull-request events; a push to the branch only when the workflow has none.
    let mut events: Vec<&str> = ["pull_request", "pull_request_target", "merge_group"]
        .into_iter()
        .filter(|e| g.workflow.trigger(e).is_some())
        .collect();
    if events.is_empty()
        && g.workflow
            .trigger("push")
            .is_some_and(super::push_reaches_prs)
    {
        events.push("push");
    }
    let Some(cond) = &g.job.if_cond else {
        return !events.is_empty();
    };
    events.iter().any(|event| {
        let run = PrRun {
            event,
            base_ref: cx.branch,
            repository: cx.repository.as_deref(),
        };
        cond.value.on_pr(&run).0 != OnPr::Skipped
    })
}

/// Aggregators checked per workflow (each walks the workflow's jobs once).
const MAX_AGGREGATORS: usize = 64;

/// Jobs reachable from `from` through `needs` (not `from` itself unless on a cycle).
fn reach(needs: &[Vec<usize>], from: usize) -> Vec<bool> {
    let mut seen = vec![false; needs.len()];
    let mut stack: Vec<usize> = needs.get(from).cloned().unwrap_or_default();
    while let Some(j) = stack.pop() {
        if let Some(s) = seen.get_mut(j)
            && !*s
        {
            *s = true;
            stack.extend(needs.get(j).into_iter().flatten().copied());
        }
    }
    seen
}
