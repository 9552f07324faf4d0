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
        // What gatelint saw beside the mask, so the message says why it does not count.
        let syntax = &cx.config.syntax;
        let is_directive = |c: &str| {
            let text = c.trim_start_matches('#').trim_start().to_lowercase();
            [syntax.required(), syntax.exempt()]
                .iter()
                .any(|k| text.starts_with(&k.to_lowercase()))
        };
        let seen = g
            .job
            .mask_comments
            .iter()
            .find(|c| !is_directive(c))
            .map(|c| {
                let c: String = c.chars().take(80).collect();
                format!("the comment near it, `{c}`,")
            });
        let why = match (patterns.is_empty(), seen) {
            (true, Some(seen)) => {
                format!("no waiver, and {seen} is not read: no tracker pattern is configured")
            }
            (true, None) => {
                "no waiver, no comment near it, and no tracker pattern is configured".to_owned()
            }
            (false, Some(seen)) => format!("no waiver, and {seen} names no tracker ({patterns})"),
            (false, None) => format!("no waiver and no tracker comment ({patterns})"),
        };
        let f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    format!(
                        "`continue-on-error` on `{}` is not tracked: {why}",
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
