//! `exempt-but-protected`: `bp-exempt`, but protection requires the job.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;

super::rule!(
    ExemptButProtected,
    "exempt-but-protected",
    Warning,
    "`bp-exempt`, but protection requires the job",
    needs_protection = true
);

impl Rule for ExemptButProtected {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let (Some(Directive::Exempt(_)), Some(first)) = (g.directive, g.protected.first()) else {
            return;
        };
        let finding = Self::new_finding(
            cx,
            format!(
                "`{}` is `bp-exempt`, but the protection of `{}` requires `{}`",
                g.gate.job, cx.branch, first.text
            ),
        );
        let finding = finding.help(
            "if it gates merges, say `bp-required: yes`; if not, remove it from branch protection",
        );
        out.push(cx.at_directive(finding, g, Some(&first.text)));
    }
}
