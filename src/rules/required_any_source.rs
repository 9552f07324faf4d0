//! `required-any-source`: GitHub requires a check that a workflow job posts, with no app
//! pinned (`integration_id` in a ruleset, `app_id` in classic protection's `checks`): a check
//! run of any GitHub App, or a commit status of that name that anyone with write access
//! posts, satisfies it, whether or not the job ran.

use super::{Cx, Rule, RuleInfo, line_span};
use crate::finding::Finding;
use crate::forge::protection::{AppPin, Required};

super::rule!(
    RequiredAnySource,
    "required-any-source",
    Warning,
    "GitHub: a required check with no app pinned, which any app or commit status can satisfy",
    needs_protection = true
);

/// The fix for `entry`: the exact JSON of the requirement, pinned to GitHub Actions, for each
/// place that sets it.
pub fn pin_fix(entry: &Required, actions: i64) -> String {
    let context = serde_json::Value::from(entry.text.as_str()).to_string();
    let one = |source: Option<&str>| match source {
        Some(s) if s.starts_with("classic") => format!(
            "in the branch protection's `required_status_checks.checks`, write \
             {{\"context\": {context}, \"app_id\": {actions}}} (PATCH \
             /repos/{{owner}}/{{repo}}/branches/{{branch}}/protection/required_status_checks with \
             every other check kept)"
        ),
        source => format!(
            "in the `required_status_checks` rule of {}, write \
             {{\"context\": {context}, \"integration_id\": {actions}}} (read the ruleset with GET \
             …/rulesets/{{id}} and PUT it back whole, every other rule, condition and bypass \
             actor kept)",
            source.unwrap_or("the ruleset")
        ),
    };
    let fixes: Vec<String> = if entry.sources.is_empty() {
        vec![one(None)]
    } else {
        entry.sources.iter().map(|s| one(Some(s))).collect()
    };
    format!("pin it to GitHub Actions: {}", fixes.join("; and "))
}

impl Rule for RequiredAnySource {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(protection) = cx.protection else {
            return;
        };
        if cx.profile().forge != crate::forge::Forge::Github {
            return;
        }
        for entry in protection.required.iter().filter(|e| e.enforced()) {
            if entry.app != Some(AppPin::Any) {
                continue;
            }
            // Only a gate: a check some workflow job posts.
            let Some(poster) = cx.poster_of(&entry.text) else {
                continue;
            };
            let by = entry
                .source()
                .map(|s| format!(" by {s}"))
                .unwrap_or_default();
            let mut f = Self::new_finding(
                cx,
                format!(
                    "`{}` is required{by} with no app pinned: a check run of any GitHub App, or a commit status named `{}` that anyone with write access posts, satisfies it, whether or not `{}` in {} ran",
                    entry.text, entry.text, poster.gate.job, poster.gate.file
                ),
            )
            .help(pin_fix(entry, cx.actions_app_id()));
            if protection.local {
                f = f.at(
                    &cx.protection_file(),
                    entry.span.unwrap_or_else(|| line_span(1)),
                );
            }
            f.context = Some(entry.text.clone());
            out.push(f);
        }
    }
}
