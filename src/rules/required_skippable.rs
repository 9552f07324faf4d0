//! `required-skippable`: a required job with a job-level `if:` that can be false.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    RequiredSkippable,
    "required-skippable",
    Warning,
    "a required job with a job-level `if:` that can be false on a PR: skipped counts as passing",
    needs_protection = false
);

impl Rule for RequiredSkippable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let Some(cond) = &g.job.if_cond else {
            return;
        };
        if !g.required || cond.value.always_true() {
            return;
        }
        let mut f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    format!(
                        "required job `{}` has an `if:` that can be false: a skipped job counts as passing",
                        g.gate.job
                    ),
                ),
                g,
                cond.span,
            )
            .help("move the condition into the steps, so the job always runs and reports, or make the job `bp-exempt`");
        f.context = g.gate.contexts.first().map(|c| c.text.clone());
        out.push(f);
    }
}
