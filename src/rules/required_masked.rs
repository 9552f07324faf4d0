//! `required-masked`: a required job has a job-level `continue-on-error` and no waiver.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::forge::JobMask;

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
        if !g.required || g.waiver.is_some() {
            return;
        }
        let why = if g.protected.is_empty() {
            "is `bp-required: yes`".to_owned()
        } else {
            format!("is required by the protection of `{}`", cx.branch)
        };
        let context = g
            .protected
            .first()
            .copied()
            .or(g.gate.contexts.first())
            .map(|c| c.text.clone());
        let help = format!(
            "remove `continue-on-error`, or register the mask with an expiry: \
             [[masks.waiver]] workflow = \"{}\", job = \"{}\", issue, reason, expires",
            g.gate.workflow, g.gate.job
        );
        // Gitea ≥ 1.27: a called job's `continue-on-error` counts as success in its caller's
        // status (go-gitea/gitea#37478), so the caller's gate passes over the failure.
        // The caller's own context must be the gate: a called job's context posts its own
        // `failure`.
        let own_gate = super::caller_status_is_the_gate(g);
        if let (Some(first), Some(uses), true) =
            (g.gate.masked_by_called.first(), &g.job.uses, own_gate)
        {
            let others = match g.gate.masked_by_called.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let mut f = cx
                .at_job(
                    Self::new_finding(
                        cx,
                        format!(
                            "`{}` {why}, but on {} its status counts a failure of called job `{first}`{others}, which has `continue-on-error`, as success: the gate passes while `{first}` fails",
                            g.gate.job,
                            cx.profile().label()
                        ),
                    ),
                    g,
                    uses.span,
                )
                .help(format!(
                    "remove `continue-on-error` from `{first}` in the called workflow, or register the mask with an expiry: [[masks.waiver]] workflow = \"{}\", job = \"{}\", issue, reason, expires",
                    g.gate.workflow, g.gate.job
                ));
            f.context = context.clone();
            out.push(f);
        }
        if !g.masked {
            return;
        }
        let Some(coe) = &g.job.continue_on_error else {
            return;
        };
        // Only GitHub lets the key hide a failure from a gate here (FORGE-SEMANTICS §4); where
        // the forge ignores it, `mask-ignored` says so.
        if cx.profile().job_continue_on_error != JobMask::NeedsSuccess {
            return;
        }
        // GitHub: the job's own check run still fails, so a directly required check keeps
        // blocking; the jobs that need it read `success`.
        let dependents: Vec<&str> = cx
            .gates
            .iter()
            .filter(|o| {
                o.gate.workflow_index == g.gate.workflow_index
                    && o.required
                    && o.job.needs.iter().any(|n| n.value == g.job.id)
            })
            .map(|o| o.gate.job.as_str())
            .collect();
        let Some(first) = dependents.first() else {
            return;
        };
        let others = match dependents.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        let message = format!(
            "`{}` {why} and `continue-on-error` masks it: on GitHub its own check still fails, but required `{first}`{others}, which needs it, reads `success` and passes",
            g.gate.job
        );
        let mut f = cx
            .at_job(Self::new_finding(cx, message), g, coe.span)
            .help(help);
        f.context = context;
        out.push(f);
    }
}
