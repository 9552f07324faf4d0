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

/// `checks` entries without `old`, with `new` added as a copy of `old`'s entry (its app pin
/// kept) when given and not already listed.
fn swap(entries: &[Json], old: &str, new: Option<&str>) -> Vec<Json> {
    let is = |e: &Json, c: &str| e.get("context").and_then(Json::as_str) == Some(c);
    let mut out: Vec<Json> = entries.iter().filter(|e| !is(e, old)).cloned().collect();
    if let Some(new) = new
        && !out.iter().any(|e| is(e, new))
    {
        let mut entry = entries
            .iter()
            .find(|e| is(e, old))
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(o) = entry.as_object_mut() {
            o.insert("context".to_owned(), Json::from(new));
        }
        out.push(entry);
    }
    out
}

/// The body of `PATCH …/branches/{b}/protection/required_status_checks` that the classic
/// `required_status_checks` object `raw` becomes without `old` (and with `new`).
pub fn classic_body(raw: &Json, old: &str, new: Option<&str>) -> Option<Json> {
    let checks = raw.get("checks")?.as_array()?;
    let strict = raw.get("strict").cloned().unwrap_or(Json::Bool(false));
    Some(json!({"strict": strict, "checks": swap(checks, old, new)}))
}

/// The body of `PUT …/rulesets/{id}` that the ruleset `raw` becomes without `old` (and with
/// `new`) in its `required_status_checks` rules.
pub fn ruleset_body(raw: &Json, old: &str, new: Option<&str>) -> Option<Json> {
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
        *list = Json::Array(swap(&entries, old, new));
    }
    Some(Json::Object(body))
}

fn ruleset_path(cx: &Cx<'_>, rs: &Ruleset) -> Option<String> {
    let org = rs.raw.get("source_type").and_then(Json::as_str) == Some("Organization");
    if org {
        let owner = rs.raw.get("source").and_then(Json::as_str)?;
        Some(format!("/orgs/{owner}/rulesets/{}", rs.id))
    } else {
        let repo = cx.repository.as_deref()?;
        Some(format!("/repos/{repo}/rulesets/{}", rs.id))
    }
}

/// Where `old` is required, as (what, request to drop it, request to add `new`).
type Holder = (String, Option<PlanRequest>, Option<PlanRequest>);

/// Every object that requires `old`, with the requests that change it when gatelint read it
/// whole.
fn holders(cx: &Cx<'_>, old: &str, new: Option<&str>) -> Vec<Holder> {
    let Some(protection) = cx.protection else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let live = !protection.local;
    if let Some(raw) = protection.classic_checks.as_ref().filter(|_| live) {
        let listed = raw.get("checks").and_then(Json::as_array).is_some_and(|c| {
            c.iter()
                .any(|e| e.get("context").and_then(Json::as_str) == Some(old))
        }) || raw
            .get("contexts")
            .and_then(Json::as_array)
            .is_some_and(|c| c.iter().any(|e| e.as_str() == Some(old)));
        if listed {
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
            // The second request comes after the first: the old check gone, the new added.
            let added = new.and_then(|_| classic_body(raw, old, new));
            out.push((
                "classic branch protection".to_owned(),
                request(classic_body(raw, old, None)),
                request(added),
            ));
        }
    }
    for rs in protection.rulesets.iter().filter(|_| live) {
        if rs.enforcement != "active"
            || rs.applies == Some(false)
            || !rs.required.iter().any(|(c, _)| c == old)
        {
            continue;
        }
        let path = ruleset_path(cx, rs);
        let request = |body: Option<Json>| {
            Some(PlanRequest {
                method: "PUT",
                path: path.clone()?,
                body: body?,
            })
        };
        let added = new.and_then(|_| ruleset_body(&rs.raw, old, new));
        out.push((
            rs.source.clone(),
            request(ruleset_body(&rs.raw, old, None)),
            request(added),
        ));
    }
    // Read from a file, or not read whole: where the entry is set, when known.
    if out.is_empty()
        && let Some(entry) = protection.first_match(old)
    {
        let what = match (&entry.source, cx.profile().forge) {
            (Some(s), _) => s.clone(),
            (None, Forge::Github) => "branch protection".to_owned(),
            (None, _) => format!(
                "the status check patterns of `{}`'s protection rule",
                cx.branch
            ),
        };
        out.push((what, None, None));
    }
    out
}

/// The safe order for a change that stops posting each `old` context (and posts `new`
/// instead, when renamed). Empty when protection requires none of them: nothing waits.
pub fn safe_order(cx: &Cx<'_>, pairs: &[(&str, Option<&str>)]) -> Vec<PlanStep> {
    let found: Vec<(&str, Option<&str>, Vec<Holder>)> = pairs
        .iter()
        .map(|(old, new)| (*old, *new, holders(cx, old, *new)))
        .filter(|(_, _, h)| !h.is_empty())
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    let rmw = |what: &str, verb: &str| {
        if what.contains("ruleset") {
            format!(
                "{verb} (read the ruleset with GET …/rulesets/{{id}}, change that one entry, PUT it back whole: every other rule, condition, bypass actor and app pin kept)"
            )
        } else if cx.profile().forge == Forge::Github {
            format!(
                "{verb} (read GET …/branches/{}/protection, change that one entry of `required_status_checks`, PATCH …/protection/required_status_checks with every other check and its app kept)",
                cx.branch
            )
        } else {
            verb.to_owned()
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
    for (old, _, holders) in &found {
        for (what, drop, _) in holders {
            let verb = format!(
                "before merging, stop requiring `{old}` in {what}: this pull request never posts it, so it cannot merge while it is required"
            );
            let text = if drop.is_some() {
                verb
            } else {
                rmw(what, &verb)
            };
            push("unrequire", Some(old), text, drop.clone());
        }
    }
    push("merge", None, "merge this pull request".to_owned(), None);
    for (_, new, holders) in &found {
        let Some(new) = new else { continue };
        for (what, _, add) in holders {
            let verb = format!(
                "require `{new}` in {what}: open pull requests post it from their next run (re-run those that ran before the merge)"
            );
            let text = if add.is_some() {
                verb
            } else {
                rmw(what, &verb)
            };
            push("require", Some(new), text, add.clone());
        }
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
            classic_body(&raw, "old", None),
            Some(json!({"strict": true, "checks": [{"context": "a", "app_id": 8}]}))
        );
        assert_eq!(
            classic_body(&raw, "old", Some("new")),
            Some(json!({"strict": true, "checks": [
                {"context": "a", "app_id": 8}, {"context": "new", "app_id": 15368}]}))
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
        let body = ruleset_body(&raw, "old", Some("new")).unwrap_or_default();
        let mut expected = raw.clone();
        if let Some(o) = expected.as_object_mut() {
            for k in ["id", "source", "source_type", "node_id"] {
                o.remove(k);
            }
        }
        expected["rules"][1]["parameters"]["required_status_checks"] =
            json!([{"context": "b"}, {"context": "new", "integration_id": 15368}]);
        assert_eq!(body, expected);
    }
}
