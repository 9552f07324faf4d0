//! `mask-stale`: a waiver that matches no masked job.

use super::{Cx, GateFacts, Rule, RuleInfo, waiver_matches};
use crate::finding::Finding;

super::rule!(
    MaskStale,
    "mask-stale",
    Warning,
    "a waiver that matches no masked job",
    needs_protection = false
);

impl Rule for MaskStale {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        // Gates by job id and by `name:` (a waiver names its job by either): not every gate
        // for every waiver.
        let mut gates_of: std::collections::HashMap<&str, Vec<&GateFacts<'_>>> =
            std::collections::HashMap::new();
        for g in &cx.gates {
            gates_of.entry(g.job.id.as_str()).or_default().push(g);
            if let Some(name) = g.job.name.as_ref().filter(|n| n.value != g.job.id) {
                gates_of.entry(name.value.as_str()).or_default().push(g);
            }
        }
        for w in &cx.config.waivers {
            let candidates = gates_of.get(w.job.as_str()).map_or(&[][..], Vec::as_slice);
            let used = candidates.iter().any(|g| {
                (g.masked || !g.gate.masked_by_called.is_empty())
                    && waiver_matches(w, g.workflow, g.job)
            });
            if used {
                continue;
            }
            let exists = candidates
                .iter()
                .any(|g| waiver_matches(w, g.workflow, g.job));
            let why = if exists {
                "has no job-level `continue-on-error` any more"
            } else {
                "does not exist"
            };
            let mut f = Self::new_finding(
                cx,
                format!(
                    "waiver for `{}` / `{}` ({}) is stale: the job {why}",
                    w.workflow, w.job, w.issue
                ),
            )
            .help("delete the waiver: the registry must only ever shrink")
            .at(&cx.config_file(), w.span)
            .issue(w.issue.to_string());
            f.workflow = Some(w.workflow.clone());
            f.job = Some(w.job.clone());
            out.push(f);
        }
    }
}
