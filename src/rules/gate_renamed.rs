//! `gate-renamed` (diff mode): a required job now posts another context (renamed job,
//! `name:`, workflow name, matrix), so protection waits for the old one.

use super::{Cx, Rule, RuleInfo, lost_contexts, successor};
use crate::finding::Finding;

super::rule!(
    GateRenamed,
    "gate-renamed",
    Error,
    "a job required at the base revision now posts a different context",
    needs_protection = false
);

impl Rule for GateRenamed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_diff(&self, base: &Cx<'_>, head: &Cx<'_>, out: &mut Vec<Finding>) {
        for b in base.gates.iter().filter(|b| b.required) {
            let lost = lost_contexts(b, head);
            if lost.is_empty() {
                continue;
            }
            let Some(h) = successor(b, head).filter(|h| !h.gate.contexts.is_empty()) else {
                continue;
            };
            let old = lost
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let new: Vec<&str> = h.gate.contexts.iter().map(|c| c.text.as_str()).collect();
            let shown_new = new
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let was = if h.gate.job == b.gate.job {
                format!("`{}`", b.gate.job)
            } else {
                format!("`{}` (now `{}`)", b.gate.job, h.gate.job)
            };
            // Partly unknown now (a call gatelint cannot read): the old contexts may still be
            // among the unknown ones, but nothing shows it.
            let message = match &h.gate.unresolvable {
                Some(reason) => format!(
                    "required job {was} is no longer known to post {old}: of its contexts only {shown_new} can be computed ({reason})"
                ),
                None => format!("required job {was} now posts {shown_new} instead of {old}"),
            };
            // The safe order, for each old context protection waits for (paired with the new
            // name in the same position, else the first).
            let pairs: Vec<(&str, Option<&str>)> = lost
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    // The same event or matrix leg, else the same position, else the first.
                    let suffix = |x: &str| x.rfind(" (").map(|at| x[at..].to_owned());
                    let same = new
                        .iter()
                        .find(|n| suffix(c).is_some() && suffix(n) == suffix(c));
                    (*c, same.or(new.get(i)).or(new.first()).copied())
                })
                .collect();
            let plan = super::plan::safe_order(head, &pairs);
            let help = if plan.is_empty() {
                format!(
                    "in branch protection of `{}`, replace {old} with {shown_new} when this merges, or keep the old name",
                    head.branch
                )
            } else {
                format!(
                    "keep the old name, or change protection in this order so no pull request deadlocks: {}",
                    super::plan::as_help(&plan)
                )
            };
            let mut f = head
                .at_job(Self::new_finding(head, message), h, h.gate.key_span)
                .help(help);
            f.plan = plan;
            f.context = new.first().map(|c| (*c).to_owned());
            out.push(f);
        }
    }
}
