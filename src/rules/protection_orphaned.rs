//! `protection-orphaned`: protection requires a context that no job can post.

use super::{Cx, Rule, RuleInfo, distance, line_span};
use crate::finding::Finding;
use crate::forge::protection::strip_event_suffix;

/// Character comparisons spent on "did you mean" suggestions in all; past it, orphans get
/// no suggestion (a protection with thousands of orphans needs none).
const SUGGESTION_BUDGET: usize = 200_000_000;

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
        // Which entries a posted context (or one posted on another event, which
        // `required-never-posted` reports) matches: by hash, not entry by context.
        let is_posted = protection.matched_by(posted.iter().copied());
        let is_unposted = protection.matched_by(unposted.iter().map(String::as_str));
        let posted_set: std::collections::HashSet<&str> = posted.iter().copied().collect();
        // "Did you mean" compares an orphan with every posted context: bounded work in all.
        let mut suggestion_budget = SUGGESTION_BUDGET;
        for (i, entry) in protection.required.iter().enumerate() {
            if !entry.enforced()
                || entry.external_app
                || is_posted.get(i) != Some(&false)
                || is_unposted.get(i) != Some(&false)
            {
                continue;
            }
            // Written as a posted context but read as a glob: `context-glob-literal` says so.
            if cx.profile().forge != crate::forge::Forge::Github
                && crate::forge::glob::has_glob_chars(&entry.text)
                && posted_set.contains(entry.text.as_str())
            {
                continue;
            }
            let mut help = String::new();
            let len = entry.text.chars().count();
            let cost = posted.len().saturating_mul(len.saturating_mul(len));
            suggestion_budget = suggestion_budget.saturating_sub(cost);
            let nearest = posted
                .iter()
                .filter(|_| suggestion_budget > 0)
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
