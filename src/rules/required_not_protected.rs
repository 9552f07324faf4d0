//! `required-not-protected`: `bp-required: yes`, but for some matrix leg protection requires
//! none of the contexts that leg posts.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;

super::rule!(
    RequiredNotProtected,
    "required-not-protected",
    Error,
    "`bp-required: yes`, but protection does not require the job's contexts",
    needs_protection = true
);

impl Rule for RequiredNotProtected {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let (Some(Directive::Required), Some(protection)) = (g.directive, cx.protection) else {
            return;
        };
        // Requiring a job that never runs for a pull request would block every one of them:
        // `required-never-posted` says so instead.
        if !super::pr_reachable(g.workflow) {
            return;
        }
        for leg in g.legs() {
            let contexts: Vec<&str> = g
                .gate
                .contexts
                .iter()
                .filter(|c| c.job_name == leg)
                .map(|c| c.text.as_str())
                .collect();
            if contexts.iter().any(|c| protection.requires(c)) {
                continue;
            }
            let listed = contexts
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let want = contexts
                .iter()
                .find(|c| c.ends_with("(pull_request)"))
                .or(contexts.first())
                .copied()
                .unwrap_or_default();
            let span = g.directive_span();
            let mut f = cx.at_job(
                Self::new_finding(
                    cx,
                    format!(
                        "`{}` is `bp-required: yes`, but the protection of `{}` requires none of {listed}",
                        g.gate.job, cx.branch
                    ),
                ),
                g,
                span,
            )
            .help(format!(
                "add `{want}` to the required status checks of `{}`, or mark the job \
                 `bp-required: pending #N` until it is",
                cx.branch
            ));
            f.context = Some(want.to_owned());
            out.push(f);
        }
    }
}
