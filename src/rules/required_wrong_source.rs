//! `required-wrong-source`: GitHub requires a check from one app, but the only poster
//! gatelint sees is a workflow job, whose check run comes from GitHub Actions: it does not
//! satisfy the requirement, and every pull request waits.

use super::{Cx, Rule, RuleInfo, line_span};
use crate::finding::{Finding, Severity};
use crate::forge::protection::AppPin;

super::rule!(
    RequiredWrongSource,
    "required-wrong-source",
    Error,
    "GitHub: a required check pinned to an app other than GitHub Actions, posted only by a workflow job",
    needs_protection = true
);

impl Rule for RequiredWrongSource {
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
        let actions = cx.actions_app_id();
        for entry in protection.required.iter().filter(|e| e.enforced()) {
            let Some(AppPin::App(app)) = entry.app else {
                continue;
            };
            // Another app posts it too (code scanning, a CLA bot): that app may be the pin.
            if app == actions || cx.is_external(&entry.text) {
                continue;
            }
            let Some(poster) = cx.poster_of(&entry.text) else {
                continue;
            };
            let by = entry
                .source()
                .map(|s| format!(" by {s}"))
                .unwrap_or_default();
            let confirmed = cx.config.actions_app_id.is_some();
            let mut message = format!(
                "`{}` is required{by} from app {app}, but the only poster gatelint sees is `{}` in {}, a GitHub Actions job (app {actions}): its check run does not satisfy the requirement, and every pull request waits for app {app}",
                entry.text, poster.gate.job, poster.gate.file
            );
            if !confirmed {
                message.push_str(
                    " (a warning until `[github] actions-app-id` in gatelint.toml confirms GitHub Actions' app id: 15368 is widely reported, not documented)",
                );
            }
            let context = serde_json::Value::from(entry.text.as_str()).to_string();
            let mut f = Self::new_finding(cx, message).help(format!(
                "pin it to GitHub Actions ({{\"context\": {context}, \"{}\": {actions}}}), or, if app {app} posts it, list `{}` in `[external] contexts`",
                if entry.sources.first().is_some_and(|s| s.starts_with("classic")) {
                    "app_id"
                } else {
                    "integration_id"
                },
                entry.text
            ));
            if !confirmed {
                f.severity = f.severity.max(Severity::Warning);
            }
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
