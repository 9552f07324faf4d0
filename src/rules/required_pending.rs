//! `required-pending`: a `bp-required: pending #N` job, listed with its issue.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;

super::rule!(
    RequiredPending,
    "required-pending",
    Note,
    "a `pending #N` directive (listed, with its issue)",
    needs_protection = false
);

impl Rule for RequiredPending {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let Some(Directive::Pending(issue)) = g.directive else {
            return;
        };
        let finding = Self::new_finding(
            cx,
            format!(
                "`{}` is pending required, tracked in {issue}: not yet a gate",
                g.gate.job
            ),
        );
        let finding = finding
            .help(format!(
                "when {issue} is done, add its context to branch protection and change the directive to `bp-required: yes`"
            ))
            .issue(issue.to_string());
        out.push(cx.at_directive(finding, g, g.gate.contexts.first().map(|c| c.text.as_str())));
    }
}
