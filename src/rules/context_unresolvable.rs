//! `context-unresolvable`: a job whose contexts cannot be computed statically.

use super::{Cx, GateFacts, Rule, RuleInfo, pr_reachable};
use crate::finding::Finding;
use crate::workflow::Directive;

super::rule!(
    ContextUnresolvable,
    "context-unresolvable",
    Warning,
    "a context that cannot be computed statically (matrix or name from run-time data)",
    needs_protection = false
);

impl Rule for ContextUnresolvable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let Some(reason) = &g.gate.unresolvable else {
            return;
        };
        // An exempt job is no gate: its names do not matter; nor are those of a job that never
        // runs for a pull request (tags, closed pull requests, pushes to named branches).
        if matches!(g.directive, Some(Directive::Exempt(_))) || !pr_reachable(g.workflow) {
            return;
        }
        out.push(
            cx.at_job(
                Self::new_finding(
                    cx,
                    format!("the contexts of `{}` cannot be computed: {reason}", g.gate.job),
                ),
                g,
                g.gate.key_span,
            )
            .help("gatelint cannot check this gate; give the job a static `name:` and matrix, or mark it `bp-exempt: <reason>`"),
        );
    }
}
