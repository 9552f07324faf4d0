//! `protection-orphaned`: protection requires a context that no job can post.

use super::{Cx, Rule, RuleInfo, distance, line_span};
use crate::finding::Finding;
use crate::forge::protection::strip_event_suffix;

super::rule!(
    ProtectionOrphaned,
    "protection-orphaned",
    Error,
    "protection requires a context that no job can post",
    needs_protection = true
);

impl Rule for ProtectionOrphaned {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(protection) = cx.protection else {
            return;
        };
        let posted: Vec<&str> = cx
            .gates
            .iter()
            .flat_map(|g| g.gate.contexts.iter().map(|c| c.text.as_str()))
            .collect();
        let unposted: Vec<String> = cx
            .gates
            .iter()
            .flat_map(|g| cx.unposted_contexts(g).into_iter().map(|(c, _)| c))
            .collect();
        let unresolvable = cx.unresolvable_jobs();
        for entry in protection.enforced() {
            if entry.external_app || posted.iter().any(|c| entry.matches(c)) {
                continue;
            }
            // A job that posts it on another event: `required-never-posted` says so.
            if unposted.iter().any(|c| entry.matches(c)) {
                continue;
            }
            // Written as a posted context but read as a glob: `context-glob-literal` says so.
            if cx.profile().forge != crate::forge::Forge::Github
                && crate::forge::glob::has_glob_chars(&entry.text)
                && posted.contains(&entry.text.as_str())
            {
                continue;
            }
            let mut help = String::new();
            let nearest = posted
                .iter()
                .map(|c| {
                    let candidate = if strip_event_suffix(&entry.text).is_none() {
                        strip_event_suffix(c).unwrap_or(c)
                    } else {
                        c
                    };
                    (distance(&entry.text, candidate), candidate)
                })
                .min();
            if let Some((d, c)) = nearest
                && d <= (entry.text.chars().count() / 3).max(3)
            {
                help.push_str(&format!("did you mean `{c}`? "));
            }
            help.push_str(
                "rename the job back, or remove the entry from the protection of the branch",
            );
            if unresolvable > 0 {
                help.push_str(&format!(
                    "; {unresolvable} job(s) have contexts gatelint cannot compute, one may post it"
                ));
            }
            let mut f = Self::new_finding(
                cx,
                format!(
                    "protection of `{}` requires `{}`, which no job posts: the merge waits for it forever",
                    cx.branch, entry.text
                ),
            )
            .help(help);
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
