//! `gate-weakened` (diff mode): a required job's gate got weaker: its directive was
//! downgraded, a mask, an `if:` or a path filter was added, or its waiver was renewed.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::{Directive, Trigger};
use crate::yaml::Span;

super::rule!(
    GateWeakened,
    "gate-weakened",
    Warning,
    "a required job's directive was downgraded, or a mask, `if:`, path filter or later waiver was added",
    needs_protection = false
);

fn filtered(t: Option<&Trigger>) -> Option<Span> {
    let t = t?;
    [&t.paths, &t.paths_ignore, &t.branches, &t.branches_ignore]
        .into_iter()
        .flatten()
        .map(|f| f.span)
        .next()
}

fn weaken(head: &Cx<'_>, h: &GateFacts<'_>, span: Span, message: String, help: &str) -> Finding {
    let mut f = head
        .at_job(GateWeakened::new_finding(head, message), h, span)
        .help(help);
    f.context = h.gate.contexts.first().map(|c| c.text.clone());
    f
}

impl Rule for GateWeakened {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_diff(&self, base: &Cx<'_>, head: &Cx<'_>, out: &mut Vec<Finding>) {
        for b in base.gates.iter().filter(|b| b.required) {
            let Some(h) = head
                .gates
                .iter()
                .find(|h| h.gate.file == b.gate.file && h.gate.job == b.gate.job)
            else {
                continue;
            };
            let job = &h.gate.job;
            if matches!(b.directive, Some(Directive::Required))
                && !matches!(h.directive, Some(Directive::Required))
            {
                let now = h
                    .directive
                    .map_or_else(|| "no directive".to_owned(), |d| format!("`{d}`"));
                out.push(weaken(
                    head,
                    h,
                    h.directive_span(),
                    format!("`{job}` was `bp-required: yes` and is now {now}"),
                    "a gate is given up on purpose: say why in the change, or keep `bp-required: yes`",
                ));
            }
            if !b.masked
                && h.masked
                && let Some(coe) = &h.job.continue_on_error
            {
                out.push(weaken(
                    head,
                    h,
                    coe.span,
                    format!("this change adds `continue-on-error` to required job `{job}`"),
                    "fix the failure instead of masking it",
                ));
            }
            let base_always = b.job.if_cond.as_ref().is_none_or(|c| c.value.always_true());
            if base_always
                && let Some(cond) = h.job.if_cond.as_ref().filter(|c| !c.value.always_true())
            {
                out.push(weaken(
                    head,
                    h,
                    cond.span,
                    format!("this change adds an `if:` to required job `{job}`: when it is false the gate passes skipped"),
                    "decide inside the job's steps instead",
                ));
            }
            for event in ["pull_request", "pull_request_target"] {
                if filtered(b.workflow.trigger(event)).is_none()
                    && let Some(span) = filtered(h.workflow.trigger(event))
                {
                    out.push(weaken(
                        head,
                        h,
                        span,
                        format!("this change adds a `{event}` filter to the workflow of required job `{job}`: filtered-out pull requests never get the check"),
                        "remove the filter and decide inside the job",
                    ));
                }
            }
        }
        // Waivers may only shrink: a later `expires` renews a mask silently.
        let mut base_waivers: std::collections::HashMap<(&str, &str), Vec<&crate::config::Waiver>> =
            std::collections::HashMap::new();
        for bw in &base.config.waivers {
            base_waivers
                .entry((bw.workflow.as_str(), bw.job.as_str()))
                .or_default()
                .push(bw);
        }
        for hw in &head.config.waivers {
            let renewed = base_waivers
                .get(&(hw.workflow.as_str(), hw.job.as_str()))
                .and_then(|bws| bws.iter().copied().find(|bw| bw.expires < hw.expires));
            if let Some(bw) = renewed {
                let mut f = GateWeakened::new_finding(
                    head,
                    format!(
                        "the waiver for `{}` / `{}` now expires on {} instead of {}: do not renew a mask silently",
                        hw.workflow, hw.job, hw.expires, bw.expires
                    ),
                )
                .help("fix the masked job, or say in the waiver's reason why it needs longer")
                .at(&head.config_file(), hw.span);
                f.workflow = Some(hw.workflow.clone());
                f.job = Some(hw.job.clone());
                out.push(f);
            }
        }
    }
}
