//! `aggregator-unpaired` (diff mode): a change edits a required aggregator's `needs` without
//! a matching job-level `continue-on-error` change among the jobs it needs, or the reverse,
//! and no commit message or pull-request body says `Paired: #N` (the seed's
//! `lint_mask_pr_atomicity`: a mask and a `needs` demotion designed as a pair and merged
//! alone left `main` red).

use std::collections::{BTreeSet, HashMap};

use super::{Cx, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::{Job, Workflow};

super::rule!(
    AggregatorUnpaired,
    "aggregator-unpaired",
    Warning,
    "diff mode: a change edits a required aggregator's `needs` without the matching mask change, or the reverse",
    needs_protection = false
);

/// A job-level `continue-on-error` as written (`None`: absent), to compare two revisions.
fn mask_of(job: &Job) -> Option<&crate::workflow::ContinueOnError> {
    job.continue_on_error.as_ref().map(|c| &c.value)
}

fn needs_of(job: &Job) -> BTreeSet<&str> {
    job.needs.iter().map(|n| n.value.as_str()).collect()
}

fn listed(names: &BTreeSet<&str>) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for AggregatorUnpaired {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_diff(&self, base: &Cx<'_>, head: &Cx<'_>, out: &mut Vec<Finding>) {
        if head.paired {
            return;
        }
        let base_workflows: HashMap<&str, &Workflow> = base
            .root
            .workflows
            .iter()
            .map(|w| (w.file.as_str(), w))
            .collect();
        for g in &head.gates {
            if !g.job.checks_needs_results || g.job.needs.is_empty() {
                continue;
            }
            let Some(before_wf) = base_workflows.get(g.workflow.file.as_str()) else {
                continue;
            };
            let Some(before) = before_wf.jobs.iter().find(|j| j.id == g.job.id) else {
                continue;
            };
            let required_before = base
                .gates
                .iter()
                .any(|b| b.required && b.workflow.file == g.workflow.file && b.job.id == g.job.id);
            if !g.required && !required_before {
                continue;
            }
            let jobs_before: HashMap<&str, &Job> =
                before_wf.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
            let jobs_now: HashMap<&str, &Job> =
                g.workflow.jobs.iter().map(|j| (j.id.as_str(), j)).collect();
            // Jobs on both sides only: a job added or deleted with its `needs` entry is no
            // demotion.
            let both = |id: &&str| jobs_before.contains_key(id) && jobs_now.contains_key(id);
            let (was, now) = (needs_of(before), needs_of(g.job));
            let removed: BTreeSet<&str> = was.difference(&now).copied().filter(both).collect();
            let added: BTreeSet<&str> = now.difference(&was).copied().filter(both).collect();
            let remasked: BTreeSet<&str> = was
                .union(&now)
                .copied()
                .filter(both)
                .filter(|id| {
                    let (b, n) = (jobs_before.get(id), jobs_now.get(id));
                    matches!((b, n), (Some(b), Some(n)) if mask_of(b) != mask_of(n))
                })
                .collect();
            let needs_changed = !removed.is_empty() || !added.is_empty();
            let message = match (needs_changed, remasked.is_empty()) {
                (true, true) => {
                    let mut what = Vec::new();
                    if !removed.is_empty() {
                        what.push(format!("removes {}", listed(&removed)));
                    }
                    if !added.is_empty() {
                        what.push(format!("adds {}", listed(&added)));
                    }
                    format!(
                        "this change edits the `needs` of the required aggregator `{}` ({}) but no `continue-on-error` of those jobs: when a mask and a `needs` change are a pair, merged alone one leaves the branch red or a failure unguarded",
                        g.gate.job,
                        what.join(", ")
                    )
                }
                (false, false) => format!(
                    "this change edits the job-level `continue-on-error` of {}, which the required aggregator `{}` needs, but not its `needs`: when a mask and a `needs` change are a pair, merged alone one leaves the branch red or a failure unguarded",
                    listed(&remasked),
                    g.gate.job
                ),
                _ => continue,
            };
            let f = head
                .at_job(Self::new_finding(head, message), g, g.job.key_span)
                .help("make both changes in this pull request, or name the pull request that carries the other half with `Paired: #N` in a commit message or the pull request's body (`--pr-body`)");
            out.push(f);
        }
    }
}
