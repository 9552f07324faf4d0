//! `mask-ignored`: a required job has a job-level `continue-on-error` that its forge release
//! does not let hide a failure (Gitea ≤ 1.26 and Forgejo ignore it; Gitea 1.27 counts it in
//! the run's result only).

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;
use crate::forge::JobMask;

super::rule!(
    MaskIgnored,
    "mask-ignored",
    Warning,
    "a required job's job-level `continue-on-error` that the forge does not honour: it reads as a mask and is none",
    needs_protection = false
);

impl Rule for MaskIgnored {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required || !g.masked || g.waiver.is_some() {
            return;
        }
        let Some(coe) = &g.job.continue_on_error else {
            return;
        };
        let why = if g.protected.is_empty() {
            "is `bp-required: yes`".to_owned()
        } else {
            format!("is required by the protection of `{}`", cx.branch)
        };
        let what = match cx.profile().job_continue_on_error {
            JobMask::NeedsSuccess => return,
            JobMask::Ignored => format!(
                "which {} ignores: a failure still fails its check and blocks the merge, so the key only misleads (it reads as a mask)",
                cx.profile().label()
            ),
            JobMask::RunOnly => format!(
                "which {} applies to the run's overall result only: the job still fails its check and blocks the merge, and jobs that need it see `failure`",
                cx.profile().label()
            ),
        };
        let mut f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    format!("`{}` {why} and has `continue-on-error`, {what}", g.gate.job),
                ),
                g,
                coe.span,
            )
            .help("remove `continue-on-error`: it does not mask the job on this forge (a [[masks.waiver]] silences this)");
        f.context = g
            .protected
            .first()
            .copied()
            .or(g.gate.contexts.first())
            .map(|c| c.text.clone());
        out.push(f);
    }
}
