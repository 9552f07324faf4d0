//! `required-noop`: a required job every working step of which runs only when a
//! change-detection output says so: on an unrelated change it posts success having run
//! nothing, and says nothing about it.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::StepKind;

super::rule!(
    RequiredNoop,
    "required-noop",
    Warning,
    "a required job whose every step is conditioned on a change-detection output: it can pass having run nothing",
    needs_protection = false
);

impl Rule for RequiredNoop {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required || g.job.uses.is_some() || g.gate.contexts.is_empty() {
            return;
        }
        // Is `source` (`needs.<job>` or `steps.<id>`) a change detection?
        let detects = |source: &str| -> bool {
            if let Some(job) = source.strip_prefix("needs.") {
                return cx.gates.iter().any(|o| {
                    o.gate.workflow_index == g.gate.workflow_index
                        && o.job.id.eq_ignore_ascii_case(job)
                        && o.job.detects_changes
                });
            }
            source.strip_prefix("steps.").is_some_and(|id| {
                g.job
                    .steps
                    .iter()
                    .any(|s| s.id.as_deref() == Some(id) && s.kind == StepKind::DetectsChanges)
            })
        };
        let mut work = g
            .job
            .steps
            .iter()
            .filter(|s| s.kind == StepKind::Work)
            .peekable();
        if work.peek().is_none() || g.job.steps.iter().any(|s| s.kind == StepKind::SaysSkipped) {
            return;
        }
        let mut source: Option<&str> = None;
        for s in work {
            match s.if_reads_output.as_deref() {
                Some(src) if detects(src) => {
                    source.get_or_insert(src);
                }
                _ => return,
            }
        }
        let Some(source) = source else {
            return;
        };
        let context = g
            .protected
            .first()
            .copied()
            .or(g.gate.contexts.first())
            .map(|c| c.text.clone());
        let mut f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    format!(
                        "required job `{}` runs each of its steps only when `{source}.outputs` says the change is relevant: on any other change it posts success having run nothing, and no step says so",
                        g.gate.job
                    ),
                ),
                g,
                g.gate.key_span,
            )
            .help("add a step that reports the skip (`run: echo \"no relevant changes: nothing to check\"` under the opposite condition), or run the checks unconditionally");
        f.context = context;
        out.push(f);
    }
}
