//! `no-protection`: no protection source was given, so the rules that compare with branch
//! protection did not run.

use super::{Cx, RULES, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    NoProtection,
    "no-protection",
    Note,
    "no protection source: the rules that compare with branch protection were not run",
    needs_protection = false
);

impl Rule for NoProtection {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        if cx.protection.is_some() {
            return;
        }
        let skipped: Vec<&str> = RULES
            .iter()
            .map(|r| r.info())
            // snapshot-drift needs `--remote` as well: not what this note is about.
            .filter(|i| i.needs_protection && i.id != "snapshot-drift")
            // Rules about GitHub's app pins say nothing on another forge.
            .filter(|i| {
                cx.profile().forge == crate::forge::Forge::Github
                    || !super::GITHUB_ONLY.contains(&i.id)
            })
            .map(|i| i.id)
            .collect();
        out.push(
            Self::new_finding(
                cx,
                format!(
                    "branch protection was not checked: no protection source ({} not run)",
                    skipped.join(", ")
                ),
            )
            .help("give `--protection FILE`, or `protection = \"…\"` in gatelint.toml"),
        );
    }
}
