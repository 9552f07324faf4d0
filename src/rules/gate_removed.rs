//! `gate-removed` (diff mode): a job that was required at the base no longer posts the
//! context protection (or its directive) required, and nothing took its place.

use super::{Cx, Rule, RuleInfo, lost_contexts, successor};
use crate::finding::Finding;

super::rule!(
    GateRemoved,
    "gate-removed",
    Error,
    "a job required at the base revision no longer exists or no longer posts its context",
    needs_protection = false
);

impl Rule for GateRemoved {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_diff(&self, base: &Cx<'_>, head: &Cx<'_>, out: &mut Vec<Finding>) {
        for b in base.gates.iter().filter(|b| b.required) {
            let lost = lost_contexts(b, head);
            if lost.is_empty() || successor(b, head).is_some_and(|h| !h.gate.contexts.is_empty()) {
                continue;
            }
            let listed = lost
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let still = head
                .gates
                .iter()
                .find(|h| h.gate.file == b.gate.file && h.gate.job == b.gate.job);
            let what = match still {
                Some(_) => "still exists but no longer posts",
                None => "was removed; nothing posts",
            };
            let pairs: Vec<(&str, Option<&str>)> = lost.iter().map(|c| (*c, None)).collect();
            let plan = super::plan::safe_order(head, &pairs);
            let help = if plan.is_empty() {
                "restore the job, or remove its context from branch protection in the same change, on purpose".to_owned()
            } else {
                format!(
                    "restore the job, or, on purpose: {}",
                    super::plan::as_help(&plan)
                )
            };
            let mut f = Self::new_finding(
                head,
                format!(
                    "required job `{}` ({}) {what} {listed}",
                    b.gate.job, b.gate.file
                ),
            )
            .help(help);
            f.plan = plan;
            f = match still {
                Some(h) => head.at_job(f, h, h.gate.key_span),
                None => {
                    f.workflow = Some(b.gate.workflow.clone());
                    f.job = Some(b.gate.job.clone());
                    f
                }
            };
            f.context = lost.first().map(|c| (*c).to_owned());
            out.push(f);
        }
    }
}
