//! `pending-already-protected`: pending, but protection already requires it.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;

super::rule!(
    PendingAlreadyProtected,
    "pending-already-protected",
    Warning,
    "`bp-required: pending`, but protection already requires the job",
    needs_protection = true
);

impl Rule for PendingAlreadyProtected {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let (Some(Directive::Pending(issue)), Some(first)) = (g.directive, g.protected.first())
        else {
            return;
        };
        let finding = Self::new_finding(
            cx,
            format!(
                "`{}` is still `pending {issue}`, but the protection of `{}` already requires `{}`",
                g.gate.job, cx.branch, first.text
            ),
        );
        let finding = finding
            .help("change the directive to `bp-required: yes` and close the tracking issue")
            .issue(issue.to_string());
        out.push(cx.at_directive(finding, g, Some(&first.text)));
    }
}
