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
            // Its failure is read later in the job, or it checks nothing (caches, artifacts,
            // coverage uploads, notifications, diagnostics): not a hidden test.
            if step.outcome_checked || aside(step) {
                continue;
            }
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

/// Actions whose failure hides no test: caches, artifacts, coverage uploads, comments and
/// chat notifications (owner/name, compared case-insensitively, `@ref` left off).
const ASIDE_ACTIONS: &[&str] = &[
    "actions/cache",
    "actions/cache/save",
    "actions/cache/restore",
    "apache/infrastructure-actions/stash/save",
    "apache/infrastructure-actions/stash/restore",
    "swatinem/rust-cache",
    "actions/upload-artifact",
    "actions/download-artifact",
    "dawidd6/action-download-artifact",
    "codecov/codecov-action",
    "codecov/test-results-action",
    "coverallsapp/github-action",
    "peter-evans/create-or-update-comment",
    "peter-evans/find-comment",
    "marocchino/sticky-pull-request-comment",
    "thollander/actions-comment-pull-request",
    "slackapi/slack-github-action",
    "8398a7/action-slack",
    "rtcamp/action-slack-notify",
];

/// Commands that only show the machine or logs: a script made of nothing else tests nothing.
const DIAGNOSTICS: &[&str] = &[
    "free", "df", "du", "hostname", "uname", "ls", "cat", "echo", "env", "printenv", "nproc",
    "lscpu", "ulimit", "whoami", "pwd", "date", "uptime", "tail", "head", "ps", "top", "id", "set",
    "true",
];

/// A step that saves or restores caches, uploads artifacts, images or coverage, notifies, or
/// only prints diagnostics.
fn aside(step: &crate::workflow::Step) -> bool {
    if let Some(uses) = &step.uses {
        let action = uses.trim().to_ascii_lowercase();
        return ASIDE_ACTIONS.contains(&action.as_str());
    }
    let Some(run) = &step.run else {
        return false;
    };
    let mut commands = run
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    commands.peek().is_some()
        && commands.all(|l| {
            // A pipe, a list or a substitution may test something: not a mere look.
            if l.contains(['|', '&', ';', '`']) || l.contains("$(") {
                return false;
            }
            let words: Vec<&str> = l.split_whitespace().take(3).collect();
            let words = match words.as_slice() {
                ["sudo", rest @ ..] => rest,
                all => all,
            };
            // `docker push …` (or a wrapper's `archery docker push …`) publishes an image.
            let push = matches!(words, ["docker", "push", ..] | [_, "docker", "push"]);
            push || words.first().is_some_and(|w| DIAGNOSTICS.contains(w))
        })
}
