//! `mask-untracked`: a job-level `continue-on-error` with no waiver and no tracker comment.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    MaskUntracked,
    "mask-untracked",
    Error,
    "a job-level `continue-on-error` with no waiver and no tracker comment",
    needs_protection = false
);

impl Rule for MaskUntracked {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.masked || g.waiver.is_some() || g.tracked {
            return;
        }
        let Some(coe) = &g.job.continue_on_error else {
            return;
        };
        let patterns = cx
            .config
            .trackers
            .iter()
            .map(|t| format!("`{}`", t.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    format!(
                        "`continue-on-error` on `{}` is not tracked: no waiver and no tracker comment",
                        g.gate.job
                    ),
                ),
                g,
                coe.span,
            )
            .help(if patterns.is_empty() {
                "register the mask with a [[masks.waiver]] entry, or set `[masks] trackers` \
                 and name the issue that removes it in a comment within 2 lines"
                    .to_owned()
            } else {
                format!(
                    "within 2 lines of it, add a comment naming the issue that removes the mask \
                     (matching {patterns}), or a [[masks.waiver]] entry"
                )
            });
        out.push(f);
    }
}
