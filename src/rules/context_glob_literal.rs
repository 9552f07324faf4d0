//! `context-glob-literal`: Gitea/Forgejo read a required context as a glob; one written as a
//! literal context but holding `[`, `{`, `?` or `*` does not match itself.

use super::{Cx, Rule, RuleInfo, line_span};
use crate::finding::Finding;
use crate::forge::Forge;
use crate::forge::glob::has_glob_chars;

super::rule!(
    ContextGlobLiteral,
    "context-glob-literal",
    Warning,
    "Gitea: a protected literal context with glob characters that cannot match itself",
    needs_protection = true
);

impl Rule for ContextGlobLiteral {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let Some(protection) = cx.protection else {
            return;
        };
        if cx.profile().forge == Forge::Github {
            return;
        }
        for entry in protection.enforced() {
            if !has_glob_chars(&entry.text) || entry.matches(&entry.text) {
                continue;
            }
            let posted = cx
                .gates
                .iter()
                .any(|g| g.gate.contexts.iter().any(|c| c.text == entry.text));
            if !posted {
                continue;
            }
            let escaped: String = entry
                .text
                .chars()
                .flat_map(|c| match c {
                    '[' | ']' | '{' | '}' | '?' | '*' => vec!['\\', c],
                    other => vec![other],
                })
                .collect();
            let mut f = Self::new_finding(
                cx,
                format!(
                    "`{}` is required as written, but {} reads it as a glob, which does not match that context: the merge waits for it forever",
                    entry.text,
                    cx.profile().forge
                ),
            )
            .help(format!("escape the special characters: `{escaped}`"));
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
