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
        let finding = match g.gate.contexts.first() {
            // Partly known (Gitea 1.27 and a call gatelint cannot read): the known contexts
            // are checked, the others are not.
            Some(known) => Self::new_finding(
                cx,
                format!(
                    "only some contexts of `{}` can be computed (`{}`{}): {reason}",
                    g.gate.job,
                    known.text,
                    match g.gate.contexts.len() {
                        1 => String::new(),
                        n => format!(" and {} more", n - 1),
                    }
                ),
            )
            .help("gatelint checks the known contexts only; the others are unchecked: call a workflow of this repository (`./…`), or mark the job `bp-exempt: <reason>`"),
            None => Self::new_finding(
                cx,
                format!("the contexts of `{}` cannot be computed: {reason}", g.gate.job),
            )
            .help("gatelint cannot check this gate; give the job a static `name:` and matrix, or mark it `bp-exempt: <reason>`"),
        };
        out.push(cx.at_job(finding, g, g.gate.key_span));
    }
}
