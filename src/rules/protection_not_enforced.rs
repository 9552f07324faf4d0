//! `protection-not-enforced`: GitHub rulesets that list required checks but do not enforce
//! them: a ruleset in `evaluate` mode (GitHub records what it would have blocked, and blocks
//! nothing) or `disabled`, and an active one that everyone with write access may bypass at
//! any time. `rules/branches` returns neither kind of gap: the rulesets are read by id
//! (`check --remote` with a token that may list them).

use super::{Cx, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    ProtectionNotEnforced,
    "protection-not-enforced",
    Warning,
    "GitHub: a ruleset's required checks are not enforced (evaluate or disabled mode, or a bypass for everyone with write)",
    needs_protection = true
);

/// The repository role id widely reported as "write" (`maintain` 2, `write` 4, `admin` 5);
/// GitHub does not document these ids.
const WRITE_ROLE: i64 = 4;

fn listed(contexts: &[&str]) -> String {
    contexts
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for ProtectionNotEnforced {
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
        // Does something else enforce `context` on its own: classic protection (which the
        // write role cannot bypass), or another active ruleset without a write-role bypass?
        let enforced_elsewhere = |context: &str, but: i64| {
            protection.required.iter().any(|e| {
                e.text == context
                    && e.enforced()
                    && e.sources.iter().any(|s| s == "classic branch protection")
            }) || protection.rulesets.iter().any(|o| {
                o.id != but
                    && o.enforcement == "active"
                    && o.applies == Ok(true)
                    && o.required.iter().any(|(c, _)| c == context)
                    && o.bypass.as_ref().is_some_and(|b| !write_bypass(b))
            })
        };
        for rs in &protection.rulesets {
            if rs.applies == Ok(false) || rs.required.is_empty() {
                continue;
            }
            let name = if rs.name.is_empty() {
                rs.source.clone()
            } else {
                format!("{} (\"{}\")", rs.source, rs.name)
            };
            let unsure = match &rs.applies {
                Err(why) => format!(" (if it applies to `{}`: {why})", cx.branch),
                Ok(_) => String::new(),
            };
            if rs.enforcement != "active" {
                // What nothing else enforces: the checks only this ruleset lists.
                let idle: Vec<&str> = rs
                    .required
                    .iter()
                    .map(|(c, _)| c.as_str())
                    .filter(|c| !protection.requires(c))
                    .collect();
                if idle.is_empty() {
                    continue;
                }
                let what = if rs.enforcement == "evaluate" {
                    "`evaluate` mode: GitHub records what it would have blocked and blocks no merge"
                } else {
                    "disabled: it does nothing"
                };
                let mut f = Self::new_finding(
                    cx,
                    format!(
                        "{} {} required only by {name}{unsure}, which is {what}",
                        listed(&idle),
                        if idle.len() == 1 { "is" } else { "are" },
                    ),
                )
                .help(format!(
                    "set the ruleset's enforcement to `active` (`PUT …/rulesets/{}` with the whole ruleset), or require the checks elsewhere",
                    rs.id
                ));
                f.context = idle.first().map(|c| (*c).to_owned());
                out.push(f);
                continue;
            }
            let Some(bypass) = &rs.bypass else {
                continue;
            };
            let Some((_, _, mode)) = bypass
                .iter()
                .find(|(kind, id, _)| kind == "RepositoryRole" && *id == Some(WRITE_ROLE))
            else {
                continue;
            };
            let open: Vec<&str> = rs
                .required
                .iter()
                .map(|(c, _)| c.as_str())
                .filter(|c| !enforced_elsewhere(c, rs.id))
                .collect();
            if open.is_empty() {
                continue;
            }
            let how = match mode.as_str() {
                "pull_request" => "when merging a pull request",
                "exempt" => "silently (exempt: its rules are not even evaluated, nor audited)",
                _ => "at any time",
            };
            let mut f = Self::new_finding(
                cx,
                format!(
                    "{name}{unsure} lets repository role {WRITE_ROLE} (widely reported as the write role; GitHub does not document role ids) bypass it {how} (bypass_mode `{mode}`): anyone with write access can merge without {}",
                    listed(&open)
                ),
            )
            .help("remove that bypass actor, keeping the rest of the ruleset (a bypass for admins or a release team is narrower)");
            f.context = open.first().map(|c| (*c).to_owned());
            out.push(f);
        }
    }
}

/// A bypass list lets the write role through, in any mode.
fn write_bypass(actors: &[(String, Option<i64>, String)]) -> bool {
    actors
        .iter()
        .any(|(kind, id, _)| kind == "RepositoryRole" && *id == Some(WRITE_ROLE))
}
