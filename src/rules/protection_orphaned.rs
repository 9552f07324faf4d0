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
                || entry.pinned_elsewhere(cx.actions_app_id())
                || cx.is_external(&entry.text)
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
            // Within the same bounded budget as the nearest-name search below.
            if suggestion_budget > 0 {
                suggestion_budget =
                    suggestion_budget.saturating_sub(posted.len().saturating_mul(8));
                if let Some(hint) = usual_mistake(cx, &entry.text) {
                    help.push_str(&hint);
                }
            }
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
                && help.is_empty()
                && d <= (entry.text.chars().count() / 3).max(3)
            {
                help.push_str(&format!("did you mean `{c}`?"));
            }
            help.push_str(if help.is_empty() {
                "rename the job back, or remove the entry from the protection of the branch"
            } else {
                " Correct the entry in the protection of the branch (or rename the job back)"
            });
            if unresolvable > 0 {
                help.push_str(&format!(
                    "; {unresolvable} job(s) have contexts gatelint cannot compute, one may post it"
                ));
            }
            let mut f = Self::new_finding(
                cx,
                format!(
                    "protection of `{}` requires `{}`{}, which no job posts: the merge waits for it forever",
                    cx.branch,
                    entry.text,
                    // Rulesets, the organisation's above all, are edited elsewhere: say which.
                    entry
                        .source()
                        .filter(|s| s.contains("ruleset"))
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
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

/// Lower case, runs of white space as one space, trimmed: how a person compares names.
fn loose(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The usual ways a required context goes wrong, most specific first: case or spaces, an
/// event suffix missing or different, the job id written for its name, a matrix job's name
/// without its legs.
fn usual_mistake(cx: &Cx<'_>, entry: &str) -> Option<String> {
    let contexts = || cx.gates.iter().flat_map(|g| g.gate.contexts.iter());
    if let Some(c) = contexts().find(|c| loose(&c.text) == loose(entry)) {
        return Some(format!(
            "did you mean `{}`? (only case or spaces differ, and the match is exact)",
            c.text
        ));
    }
    // `CI / build` or `CI / build (push)` for a job that posts `CI / build (pull_request)`.
    let bare = strip_event_suffix(entry).unwrap_or(entry);
    let same_job: Vec<&str> = contexts()
        .filter(|c| strip_event_suffix(&c.text) == Some(bare))
        .map(|c| c.text.as_str())
        .collect();
    if let Some(first) = same_job.first() {
        let listed = same_job
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let what = if strip_event_suffix(entry).is_some() {
            "the job posts it for other events"
        } else {
            "the event suffix is missing"
        };
        return Some(format!(
            "did you mean `{first}`? ({what}: it posts {listed})"
        ));
    }
    for g in &cx.gates {
        let Some(first) = g.gate.contexts.first() else {
            continue;
        };
        // The job id where the context carries its `name:`.
        let id_for_name = |job_part: &str| g.job.name.is_some() && job_part == g.gate.job;
        let job_part = match cx.profile().forge {
            crate::forge::Forge::Github => Some(entry),
            _ => bare.split_once(" / ").map(|(_, j)| j),
        };
        if job_part.is_some_and(id_for_name) {
            return Some(format!(
                "did you mean `{}`? (`{}` is the job's id; the context carries its name)",
                first.text, g.gate.job
            ));
        }
        // A matrix job's name without the leg: every leg posts its own context.
        let legs = g.legs();
        if legs.len() > 1
            && g.gate.contexts.iter().any(|c| {
                let posted_bare = strip_event_suffix(&c.text).unwrap_or(&c.text);
                posted_bare
                    .strip_prefix(bare)
                    .is_some_and(|rest| rest.starts_with(" ("))
            })
        {
            let shown: Vec<String> = g
                .gate
                .contexts
                .iter()
                .take(3)
                .map(|c| format!("`{}`", c.text))
                .collect();
            return Some(format!(
                "`{}` is a matrix job: each leg posts its own context ({}{}): require those.",
                g.gate.job,
                shown.join(", "),
                if g.gate.contexts.len() > 3 {
                    ", …"
                } else {
                    ""
                }
            ));
        }
    }
    None
}
