//! `required-step-masked`: a step of a required job with `continue-on-error` that may be true.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    RequiredStepMasked,
    "required-step-masked",
    Warning,
    "a step with `continue-on-error` inside a required job hides its failure",
    needs_protection = false
);

impl Rule for RequiredStepMasked {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required {
            return;
        }
        for (i, step) in g.job.steps.iter().enumerate() {
            let Some(coe) = step
                .continue_on_error
                .as_ref()
                .filter(|c| c.value.may_be_true())
            else {
                continue;
            };
            let which = step
                .name
                .as_deref()
                .map_or_else(|| format!("step {}", i + 1), |n| format!("step `{n}`"));
            let mut f = cx
                .at_job(
                    Self::new_finding(
                        cx,
                        format!(
                            "{which} of required job `{}` has `continue-on-error`: when it fails, the job still passes",
                            g.gate.job
                        ),
                    ),
                    g,
                    coe.span,
                )
                .help("remove `continue-on-error` from the step, or move the step to a job that is not a gate");
            f.context = g.gate.contexts.first().map(|c| c.text.clone());
            out.push(f);
        }
    }
}
