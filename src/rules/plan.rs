//! The order of changes to protection that keeps every pull request mergeable when a
//! required context is renamed or removed (diff mode: `gate-renamed`, `gate-removed`).
//!
//! A pull request that stops posting a required context can never merge while protection
//! requires it; requiring the new name first blocks every other open pull request, whose
//! runs still post the old one. So: stop requiring the old context, merge, then require the
//! new one (pull requests post it from their next run, whose merge commit holds the change).
//! GitHub's APIs replace whole objects (`PATCH …/protection/required_status_checks`,
//! `PUT …/rulesets/{id}`): a request body is given only when gatelint read the whole object
//! (live, by id), and keeps every other entry, condition, bypass actor and app pin.

use serde_json::{Value as Json, json};

use super::Cx;
use crate::finding::{PlanRequest, PlanStep};
use crate::forge::Forge;
use crate::forge::protection::Ruleset;

/// A ruleset's fields that `PUT …/rulesets/{id}` takes; the rest (`id`, `source`, links,
/// dates) the server sets.
const RULESET_FIELDS: [&str; 6] = [
    "name",
    "target",
    "enforcement",
    "bypass_actors",
    "conditions",
    "rules",
];

/// `entries` without the `olds`, then with each `(old, new)` pair's new name added as a copy
/// of the old entry (its app pin kept) when not already listed.
fn swap(entries: &[Json], olds: &[&str], pairs: &[(&str, &str)]) -> Vec<Json> {
    let is = |e: &Json, c: &str| e.get("context").and_then(Json::as_str) == Some(c);
    let mut out: Vec<Json> = entries
        .iter()
        .filter(|e| !olds.iter().any(|o| is(e, o)))
        .cloned()
        .collect();
    for (old, new) in pairs {
        if out.iter().any(|e| is(e, new)) {
            continue;
        }
        let mut entry = entries
            .iter()
            .find(|e| is(e, old))
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(o) = entry.as_object_mut() {
            o.insert("context".to_owned(), Json::from(*new));
        }
        out.push(entry);
    }
    out
}

/// The body of `PATCH …/branches/{b}/protection/required_status_checks` that the classic
/// `required_status_checks` object `raw` becomes without the `olds` and with the `pairs`'
/// new names. A check read with `app_id` null (any app) is written with -1, GitHub's "any
/// app" in a request (an omitted or null one re-pins it to the app that posted it last).
pub fn classic_body(raw: &Json, olds: &[&str], pairs: &[(&str, &str)]) -> Option<Json> {
    let checks = raw.get("checks")?.as_array()?;
    let strict = raw.get("strict").cloned().unwrap_or(Json::Bool(false));
    let mut checks = swap(checks, olds, pairs);
    for c in &mut checks {
        if let Some(o) = c.as_object_mut()
            && o.get("app_id").is_none_or(Json::is_null)
        {
            o.insert("app_id".to_owned(), Json::from(-1));
        }
    }
    Some(json!({"strict": strict, "checks": checks}))
}

/// The body of `PUT …/rulesets/{id}` that the ruleset `raw` becomes without the `olds` and
/// with the `pairs`' new names in its `required_status_checks` rules; a rule left with no
/// check is dropped (GitHub wants at least one).
pub fn ruleset_body(raw: &Json, olds: &[&str], pairs: &[(&str, &str)]) -> Option<Json> {
    let o = raw.as_object()?;
    let mut body = serde_json::Map::new();
    for key in RULESET_FIELDS {
        if let Some(v) = o.get(key) {
            body.insert(key.to_owned(), v.clone());
        }
    }
    let rules = body.get_mut("rules")?.as_array_mut()?;
    for rule in rules.iter_mut() {
        if rule.get("type").and_then(Json::as_str) != Some("required_status_checks") {
            continue;
        }
        let Some(list) = rule
            .get_mut("parameters")
            .and_then(|p| p.get_mut("required_status_checks"))
        else {
            continue;
        };
        let entries = list.as_array().cloned().unwrap_or_default();
        *list = Json::Array(swap(&entries, olds, pairs));
    }
    rules.retain(|rule| {
        rule.get("type").and_then(Json::as_str) != Some("required_status_checks")
            || rule
                .pointer("/parameters/required_status_checks")
                .and_then(Json::as_array)
                .is_none_or(|l| !l.is_empty())
    });
    Some(Json::Object(body))
}

fn ruleset_path(cx: &Cx<'_>, rs: &Ruleset) -> Option<String> {
    let org = rs.raw.get("source_type").and_then(Json::as_str) == Some("Organization");
    if org {
        let owner = rs.raw.get("source").and_then(Json::as_str)?;
        Some(format!(
            "/orgs/{}/rulesets/{}",
            crate::forge::source::segment(owner),
            rs.id
        ))
    } else {
        let repo = cx.repository.as_deref()?;
        Some(format!("/repos/{repo}/rulesets/{}", rs.id))
    }
}

/// One place that requires some of the lost contexts, with the requests that change it when
/// gatelint read it whole (one request per step: the changes to one object are made
/// together, each body from the object as read).
struct Holder<'a> {
    what: String,
    olds: Vec<&'a str>,
    pairs: Vec<(&'a str, &'a str)>,
    drop: Option<PlanRequest>,
    add: Option<PlanRequest>,
}

/// Every place that requires one of the `pairs`' old contexts.
fn holders<'a>(cx: &Cx<'_>, pairs: &[(&'a str, Option<&'a str>)]) -> Vec<Holder<'a>> {
    let Some(protection) = cx.protection else {
        return Vec::new();
    };
    let mut out: Vec<Holder<'a>> = Vec::new();
    for (old, new) in pairs {
        let Some(entry) = protection.first_match(old) else {
            continue;
        };
        let mut places = entry.sources.clone();
        if places.is_empty() {
            places.push(match cx.profile().forge {
                Forge::Github => "branch protection".to_owned(),
                _ => format!(
                    "the status check patterns of `{}`'s protection rule",
                    cx.branch
                ),
            });
        }
        for what in places {
            let at = match out.iter().position(|h| h.what == what) {
                Some(at) => at,
                None => {
                    out.push(Holder {
                        what,
                        olds: Vec::new(),
                        pairs: Vec::new(),
                        drop: None,
                        add: None,
                    });
                    out.len() - 1
                }
            };
            let h = &mut out[at];
            if !h.olds.contains(old) {
                h.olds.push(old);
            }
            if let Some(new) = new
                && !h.pairs.iter().any(|(_, n)| n == new)
            {
                h.pairs.push((old, new));
            }
        }
    }
    let live = !protection.local;
    for h in &mut out {
        if !live {
            continue;
        }
        if h.what == "classic branch protection"
            && let Some(raw) = &protection.classic_checks
        {
            let path = cx.repository.as_deref().map(|r| {
                format!(
                    "/repos/{r}/branches/{}/protection/required_status_checks",
                    crate::forge::source::segment(cx.branch)
                )
            });
            let request = |body: Option<Json>| {
                Some(PlanRequest {
                    method: "PATCH",
                    path: path.clone()?,
                    body: body?,
                })
            };
            h.drop = request(classic_body(raw, &h.olds, &[]));
            if !h.pairs.is_empty() {
                h.add = request(classic_body(raw, &h.olds, &h.pairs));
            }
        } else if let Some(rs) = protection.rulesets.iter().find(|r| r.source == h.what) {
            let path = ruleset_path(cx, rs);
            let request = |body: Option<Json>| {
                Some(PlanRequest {
                    method: "PUT",
                    path: path.clone()?,
                    body: body?,
                })
            };
            h.drop = request(ruleset_body(&rs.raw, &h.olds, &[]));
            if !h.pairs.is_empty() {
                h.add = request(ruleset_body(&rs.raw, &h.olds, &h.pairs));
            }
        }
    }
    out
}

fn listed(contexts: &[&str]) -> String {
    contexts
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The safe order for a change that stops posting each old context (and posts the new one
/// instead, when renamed). Empty when protection requires none of them: nothing waits.
pub fn safe_order(cx: &Cx<'_>, pairs: &[(&str, Option<&str>)]) -> Vec<PlanStep> {
    let holders = holders(cx, pairs);
    if holders.is_empty() {
        return Vec::new();
    }
    let rmw = |what: &str, verb: String| {
        if what.contains("ruleset") {
            format!(
                "{verb} (read the ruleset with GET …/rulesets/{{id}}, change those entries, PUT it back whole: every other rule, condition, bypass actor and app pin kept)"
            )
        } else if cx.profile().forge == Forge::Github {
            format!(
                "{verb} (read GET …/branches/{}/protection, change those entries of `required_status_checks`, PATCH …/protection/required_status_checks with every other check and its app kept)",
                cx.branch
            )
        } else {
            verb
        }
    };
    let mut steps: Vec<PlanStep> = Vec::new();
    let mut push = |action: &'static str, context: Option<&str>, text: String, request| {
        let step = steps.len() as u32 + 1;
        steps.push(PlanStep {
            step,
            action,
            context: context.map(str::to_owned),
            text,
            request,
        });
    };
    for h in &holders {
        let verb = format!(
            "before merging, stop requiring {} in {}: this pull request never posts {}, so it cannot merge while {} required",
            listed(&h.olds),
            h.what,
            if h.olds.len() == 1 { "it" } else { "them" },
            if h.olds.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        );
        let text = if h.drop.is_some() {
            verb
        } else {
            rmw(&h.what, verb)
        };
        push("unrequire", h.olds.first().copied(), text, h.drop.clone());
    }
    push(
        "merge",
        None,
        "merge this pull request (until the next step nothing requires the renamed checks)"
            .to_owned(),
        None,
    );
    for h in holders.iter().filter(|h| !h.pairs.is_empty()) {
        let news: Vec<&str> = h.pairs.iter().map(|(_, n)| *n).collect();
        let verb = format!(
            "require {} in {}: an open pull request posts {} once its branch is updated or it gets a new commit (a re-run reuses the old merge commit, whose workflows post the old name)",
            listed(&news),
            h.what,
            if news.len() == 1 { "it" } else { "them" }
        );
        let text = if h.add.is_some() {
            verb
        } else {
            rmw(&h.what, verb)
        };
        push("require", news.first().copied(), text, h.add.clone());
    }
    steps
}

/// The steps as lines for a finding's help.
pub fn as_help(steps: &[PlanStep]) -> String {
    steps
        .iter()
        .map(|s| {
            let request = s
                .request
                .as_ref()
                .map(|r| format!(" ({} {}, body in --format json)", r.method, r.path))
                .unwrap_or_default();
            format!("{}. {}{request}", s.step, s.text)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_body_changes_only_the_one_context() {
        let raw = json!({"strict": true, "contexts": ["a", "old"],
            "checks": [{"context": "a", "app_id": 8}, {"context": "old", "app_id": 15368}]});
        assert_eq!(
            classic_body(&raw, &["old"], &[]),
            Some(json!({"strict": true, "checks": [{"context": "a", "app_id": 8}]}))
        );
        assert_eq!(
            classic_body(&raw, &["old"], &[("old", "new")]),
            Some(json!({"strict": true, "checks": [
                {"context": "a", "app_id": 8}, {"context": "new", "app_id": 15368}]}))
        );
        // Any app stays any app: -1 in a request, never null (which re-pins).
        let any = json!({"strict": false, "checks": [{"context": "x", "app_id": null},
            {"context": "y", "app_id": null}, {"context": "z"}]});
        assert_eq!(
            classic_body(&any, &["x", "y"], &[("x", "x2"), ("y", "y2")]),
            Some(
                json!({"strict": false, "checks": [{"context": "z", "app_id": -1},
                {"context": "x2", "app_id": -1}, {"context": "y2", "app_id": -1}]})
            )
        );
    }

    #[test]
    fn ruleset_body_keeps_everything_else() {
        let raw = json!({"id": 42, "name": "main", "target": "branch", "enforcement": "active",
            "source": "octo/app", "source_type": "Repository", "node_id": "x",
            "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}],
            "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
            "rules": [{"type": "deletion"},
                {"type": "required_status_checks", "parameters": {"strict_required_status_checks_policy": true,
                    "required_status_checks": [{"context": "old", "integration_id": 15368}, {"context": "b"}]}}]});
        let body = ruleset_body(&raw, &["old"], &[("old", "new")]).unwrap_or_default();
        let mut expected = raw.clone();
        if let Some(o) = expected.as_object_mut() {
            for k in ["id", "source", "source_type", "node_id"] {
                o.remove(k);
            }
        }
        expected["rules"][1]["parameters"]["required_status_checks"] =
            json!([{"context": "b"}, {"context": "new", "integration_id": 15368}]);
        assert_eq!(body, expected);
        // The last check removed: the rule goes, the rest stays.
        let body = ruleset_body(&raw, &["old", "b"], &[]).unwrap_or_default();
        assert_eq!(body["rules"], json!([{"type": "deletion"}]));
        assert_eq!(body["bypass_actors"], raw["bypass_actors"]);
    }
}
