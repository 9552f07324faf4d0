//! `required-skippable`: a required job with a job-level `if:` that can be false.

use super::{Cx, GateFacts, Rule, RuleInfo, push_reaches_prs};
use crate::finding::Finding;
use crate::workflow::condition::{OnPr, PrRun};

super::rule!(
    RequiredSkippable,
    "required-skippable",
    Warning,
    "a required job with a job-level `if:` that can be false on a PR: skipped counts as passing",
    needs_protection = false
);

impl Rule for RequiredSkippable {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        let Some(cond) = &g.job.if_cond else {
            return;
        };
        if !g.required || cond.value.always_true() {
            return;
        }
        // Judge the condition on each event that runs the job for a pull request (a push to
        // its branch when nothing else does), with every dependency successful.
        let mut events: Vec<&str> = ["pull_request", "pull_request_target", "merge_group"]
            .into_iter()
            .filter(|e| g.workflow.trigger(e).is_some())
            .collect();
        if events.is_empty() && g.workflow.trigger("push").is_some_and(push_reaches_prs) {
            events.push("push");
        }
        let mut assumed = false;
        let mut worst: Option<(OnPr, &str)> = None;
        for event in events {
            let run = PrRun {
                event,
                base_ref: cx.branch,
                repository: cx.repository.as_deref(),
            };
            let (verdict, guessed) = cond.value.on_pr(&run);
            assumed |= guessed;
            let rank = |v: &OnPr| match v {
                OnPr::Runs => 0,
                OnPr::Maybe => 1,
                OnPr::Skipped => 2,
            };
            if verdict != OnPr::Runs && worst.as_ref().is_none_or(|(w, _)| rank(&verdict) > rank(w))
            {
                worst = Some((verdict, event));
            }
        }
        let Some((verdict, event)) = worst else {
            return;
        };
        let quoted: String = cond.value.text.chars().take(120).collect();
        let what = match verdict {
            OnPr::Skipped => format!("is false on `{event}`: the job is always skipped there"),
            _ => format!("can be false on `{event}` (it reads run-time data)"),
        };
        // What the forge posts for a skipped job (FORGE-SEMANTICS §4): both pass.
        let posts = match (cx.profile().forge, cx.profile().skipped_posts) {
            (crate::forge::Forge::Github, _) => "a skipped job counts as passing".to_owned(),
            (_, state) => format!(
                "{} posts a skipped job as `{state}`, which passes",
                cx.profile().label()
            ),
        };
        let mut message = format!(
            "required job `{}` has `if: {quoted}`, which {what}, and {posts}",
            g.gate.job
        );
        if event == "merge_group"
            && let Some(queue) = cx.merge_queue()
        {
            message.push_str(&format!(
                ": the merge queue of `{}` ({queue}) merges the group without running it",
                cx.branch
            ));
        }
        if assumed {
            message.push_str(
                " (a `github.repository` guard was taken to name this repository: set \
                 GITHUB_REPOSITORY, or read protection with `--remote --repo`, to check it)",
            );
        }
        let mut f = cx
            .at_job(Self::new_finding(cx, message), g, cond.span)
            .help("move the condition into the steps, so the job always runs and reports, or make the job `bp-exempt`");
        f.context = g.gate.contexts.first().map(|c| c.text.clone());
        f.condition = Some(cond.value.text.clone());
        f.event = Some(event.to_owned());
        out.push(f);
    }
}
