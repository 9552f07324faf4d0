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
        let mut f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    format!(
                        "`{}` {why} but `continue-on-error` masks its failures",
                        g.gate.job
                    ),
                ),
                g,
                coe.span,
            )
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
