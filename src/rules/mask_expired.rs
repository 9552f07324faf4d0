//! `mask-expired`: a waiver past its `expires` date.

use super::{Cx, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    MaskExpired,
    "mask-expired",
    Error,
    "a waiver past its `expires` date",
    needs_protection = false
);

impl Rule for MaskExpired {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        for w in &cx.config.waivers {
            if w.expires >= cx.today {
                continue;
            }
            let mut f = Self::new_finding(
                cx,
                format!(
                    "waiver for `{}` / `{}` ({}) expired on {}",
                    w.workflow, w.job, w.issue, w.expires
                ),
            )
            .help(format!(
                "fix {} and remove the mask and the waiver; renew the date only with a reason",
                w.issue
            ))
            .at(&cx.config_file(), w.span)
            .issue(w.issue.to_string());
            f.workflow = Some(w.workflow.clone());
            f.job = Some(w.job.clone());
            out.push(f);
        }
    }
}
