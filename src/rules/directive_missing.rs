//! `directive-missing`: a job that posts a context on a pull request has no directive.

use super::{Cx, GateFacts, Rule, RuleInfo, pr_reachable};
use crate::finding::Finding;

super::rule!(
    DirectiveMissing,
    "directive-missing",
    Error,
    "a job that posts a context on a PR-reachable event has no directive",
    needs_protection = false
);

impl Rule for DirectiveMissing {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let posts = !g.gate.contexts.is_empty() || g.gate.unresolvable.is_some();
        if g.directive.is_some() || g.gate.directive_invalid || !posts || !pr_reachable(g.workflow)
        {
            return;
        }
        // Diff mode: only contexts this change adds need a decision now.
        if let Some(base) = &cx.base_contexts
            && !cx.config.missing_in_diff_all
            && !g.gate.contexts.is_empty()
            && g.gate.contexts.iter().all(|c| base.contains(&c.text))
        {
            return;
        }
        let syntax = &cx.config.syntax;
        let what = match g.gate.contexts.first() {
            Some(c) => format!("posts `{}`", c.text),
            None => "posts a status".to_owned(),
        };
        let f = Self::new_finding(
            cx,
            format!("job `{}` {what} but has no directive", g.gate.job),
        )
        .help(format!(
            "say whether it gates merges: put `# {}: yes`, `# {}: pending #N` or `# {}: <reason>` \
                 on the line above `{}:`",
            syntax.required(),
            syntax.required(),
            syntax.exempt(),
            g.gate.job
        ));
        let mut f = cx.at_job(f, g, g.gate.key_span);
        f.context = g.gate.contexts.first().map(|c| c.text.clone());
        out.push(f);
    }
}
