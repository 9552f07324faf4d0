//! `aggregator-incomplete`: a required aggregator (a job that checks its `needs`' results)
//! leaves out a job of its workflow that posts a pull-request context and is not exempt.

use std::collections::HashMap;

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;

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
            let aggregators = jobs
                .iter()
                .enumerate()
                .filter(|(_, g)| {
                    g.required && g.job.checks_needs_results && !g.gate.contexts.is_empty()
                })
                .take(MAX_AGGREGATORS);
            for (a, agg) in aggregators {
                // What the aggregator covers (its needs, transitively), and what runs after
                // it (jobs that need it): neither can be missing from it.
                let covered = reach(&needs, a);
                let after = reach(&needed_by, a);
                let missing: Vec<&GateFacts<'_>> = jobs
                    .iter()
                    .enumerate()
                    .filter(|&(j, o)| {
                        j != a
                            && !covered[j]
                            && !after[j]
                            && !o.gate.contexts.is_empty()
                            // Exempt and pending jobs stay out on purpose; a job protection
                            // requires by itself gates the merge without the aggregator.
                            && !matches!(
                                o.directive,
                                Some(Directive::Exempt(_) | Directive::Pending(_))
                            )
                            && o.protected.is_empty()
                            // Another aggregator or a reporter (`if: always()` after its
                            // needs: notify, merge-blocker jobs) is not a test to aggregate.
                            && (o.job.needs.is_empty()
                                || !o
                                    .job
                                    .if_cond
                                    .as_ref()
                                    .is_some_and(|c| c.value.runs_after_failure()))
                            // Protection unknown: a `bp-required` job may be protected itself.
                            && !(cx.protection.is_none()
                                && matches!(o.directive, Some(Directive::Required)))
                    })
                    .map(|(_, o)| *o)
                    .collect();
                for o in missing {
                    let context = &o.gate.contexts[0].text;
                    let mut f = cx
                        .at_job(
                            Self::new_finding(
                                cx,
                                format!(
                                    "required aggregator `{}` checks the results of its `needs`, but not of `{}`, which posts `{context}` and is not exempt: a failure of `{}` does not fail the gate",
                                    agg.gate.job, o.gate.job, o.gate.job
                                ),
                            ),
                            o,
                            o.gate.key_span,
                        )
                        .help(format!(
                            "add `{}` to the `needs` of `{}` (and to the results it checks), or mark `{}` `bp-exempt: <reason>`",
                            o.gate.job, agg.gate.job, o.gate.job
                        ));
                    f.context = Some(context.clone());
                    out.push(f);
                }
            }
        }
    }
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
