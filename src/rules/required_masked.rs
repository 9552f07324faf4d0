//! `required-masked`: a required job has a job-level `continue-on-error` and no waiver.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    RequiredMasked,
    "required-masked",
    Error,
    "a required job has a job-level `continue-on-error` with no waiver",
    needs_protection = false
);

impl Rule for RequiredMasked {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required || !g.masked || g.waiver.is_some() {
            return;
        }
        let Some(coe) = &g.job.continue_on_error else {
            return;
        };
        let why = if g.protected.is_empty() {
            "is `bp-required: yes`".to_owned()
        } else {
            format!("is required by the protection of `{}`", cx.branch)
        };
        let message = if cx.profile().forge == crate::forge::Forge::Github {
            // GitHub (FORGE-SEMANTICS §4): the job's own check run still fails, so a directly
            // required check keeps blocking; the jobs that need it read `success`.
            let dependents: Vec<&str> = cx
                .gates
                .iter()
                .filter(|o| {
                    o.gate.workflow_index == g.gate.workflow_index
                        && o.required
                        && o.job.needs.iter().any(|n| n.value == g.job.id)
                })
                .map(|o| o.gate.job.as_str())
                .collect();
            let Some(first) = dependents.first() else {
                return;
            };
            let others = match dependents.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            format!(
                "`{}` {why} and `continue-on-error` masks it: on GitHub its own check still fails, but required `{first}`{others}, which needs it, reads `success` and passes",
                g.gate.job
            )
        } else {
            format!(
                "`{}` {why} but `continue-on-error` masks its failures",
                g.gate.job
            )
        };
        let mut f = cx
            .at_job(Self::new_finding(cx, message), g, coe.span)
            .help(format!(
                "remove `continue-on-error`, or register the mask with an expiry: \
                 [[masks.waiver]] workflow = \"{}\", job = \"{}\", issue, reason, expires",
                g.gate.workflow, g.gate.job
            ));
        f.context = g
            .protected
            .first()
            .copied()
            .or(g.gate.contexts.first())
            .map(|c| c.text.clone());
        out.push(f);
    }
}
