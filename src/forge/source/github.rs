//! GitHub: classic branch protection and the rulesets that apply to the branch, their union
//! (FORGE-SEMANTICS §5–6). octocrab has no typed API for either: raw GETs.

use super::{Fetched, RemoteError, RemoteSpec, pages, parse_as, repo_url, segment, status_error};
use crate::forge::protection::{Protection, Ruleset, Shape, read_ruleset};

/// Rulesets read by id at most (one request each).
const MAX_RULESETS: usize = 50;
/// The largest ruleset answer read, and all of them together: a ruleset is a few kilobytes.
const MAX_RULESET_BYTES: usize = 1 << 20;
const MAX_RULESETS_BYTES: usize = 8 << 20;

pub(super) fn parse(body: &str, url: &str, spec: &RemoteSpec) -> Result<Protection, RemoteError> {
    let shapes = [
        Shape::GithubClassic,
        Shape::GithubRulesets,
        Shape::GithubCombined,
    ];
    parse_as(body, url, spec, &shapes, "GitHub")
}

pub async fn fetch(spec: &RemoteSpec) -> Result<Fetched, RemoteError> {
    fetch_with(spec, true).await
}

/// [`fetch`]; without `ruleset_details`, the rulesets are not listed and read by id (the
/// required checks of the active ones are in `rules/branches` all the same).
pub async fn fetch_with(spec: &RemoteSpec, ruleset_details: bool) -> Result<Fetched, RemoteError> {
    let client = spec.client()?;
    let base = repo_url(spec);
    let branch = segment(&spec.branch);
    let mut sources = Vec::new();

    let classic_url = format!("{base}/branches/{branch}/protection");
    let a = client.get(&classic_url).await?;
    let mut classic_checks = None;
    let classic = match a.status {
        200 => {
            sources.push("branch protection".to_owned());
            classic_checks = serde_json::from_str::<serde_json::Value>(&a.body)
                .ok()
                .and_then(|v| v.get("required_status_checks").cloned())
                .filter(serde_json::Value::is_object);
            Some(parse(&a.body, &classic_url, spec)?)
        }
        404 if a.message().as_deref() == Some("Branch not protected") => {
            sources.push("no classic branch protection".to_owned());
            None
        }
        403 => {
            // The token may not read protection (it needs admin): the branch itself shows the
            // required checks to any reader.
            let url = format!("{base}/branches/{branch}");
            let b = client.get(&url).await?;
            if b.status != 200 {
                return Err(status_error(
                    spec,
                    &url,
                    &b,
                    "read access to the repository",
                ));
            }
            sources.push(format!(
                "branches/{} (the token cannot read branch protection: it needs admin rights)",
                spec.branch
            ));
            Some(parse(&b.body, &url, spec)?)
        }
        _ => {
            return Err(status_error(
                spec,
                &classic_url,
                &a,
                "reading branch protection needs admin rights on the repository",
            ));
        }
    };

    let mut rules: Vec<Protection> = Vec::new();
    let first = format!("{base}/rules/branches/{branch}?per_page=100");
    let mut requests = 0;
    pages(
        &client,
        spec,
        first,
        "rulesets",
        "read access to the repository",
        &mut requests,
        |body, url| {
            rules.push(parse(body, url, spec)?);
            Ok(())
        },
    )
    .await?;
    let ruleset_contexts: usize = rules.iter().map(|r| r.required.len()).sum();
    sources.push(format!(
        "rulesets ({} pages, {ruleset_contexts} required checks)",
        rules.len()
    ));

    let mut all: Vec<Protection> = classic.into_iter().collect();
    all.extend(rules);
    let mut protection = Protection::union(all, &classic_url, Shape::GithubCombined);
    protection.classic_checks = classic_checks;
    if ruleset_details {
        let (rulesets, said) = read_rulesets(&client, spec, &base).await?;
        protection.rulesets = rulesets;
        sources.push(said);
    } else {
        sources.push(
            "rulesets not read by id, so rulesets in evaluate or disabled mode are not checked"
                .to_owned(),
        );
    }
    Ok(Fetched {
        protection,
        source: sources.join(" + "),
    })
}

/// Every branch ruleset of the repository and its parents (`GET …/rulesets?includes_parents=
/// true`), each read by id (the list carries no rules, bypass actors or conditions): the ones
/// in `evaluate` or `disabled` mode are not in `rules/branches`. A token that may not list
/// them (403, 404) is said, not an error: the check goes on with what applies.
async fn read_rulesets(
    client: &super::http::Client,
    spec: &RemoteSpec,
    base: &str,
) -> Result<(Vec<Ruleset>, String), RemoteError> {
    let url = format!("{base}/rulesets?includes_parents=true&per_page=100");
    let a = client.get(&url).await?;
    match a.status {
        200 => {}
        401 | 403 | 404 => {
            return Ok((
                Vec::new(),
                format!(
                    "rulesets not listed (HTTP {}: listing them needs admin rights), so rulesets in evaluate or disabled mode are not checked",
                    a.status
                ),
            ));
        }
        _ => {
            return Err(status_error(
                spec,
                &url,
                &a,
                "listing rulesets needs admin rights on the repository",
            ));
        }
    }
    let Ok(list) = serde_json::from_str::<Vec<serde_json::Value>>(&a.body) else {
        return Ok((
            Vec::new(),
            "rulesets not listed (the answer is not a list), so rulesets in evaluate or disabled mode are not checked".to_owned(),
        ));
    };
    let mut ids: Vec<i64> = Vec::new();
    for r in &list {
        let branch = r
            .get("target")
            .and_then(serde_json::Value::as_str)
            .is_none_or(|t| t == "branch");
        if !branch {
            continue;
        }
        let Some(id) = r
            .get("id")
            .and_then(serde_json::Value::as_i64)
            .filter(|id| *id > 0)
        else {
            return Err(RemoteError::new(format!(
                "GET {url}: a ruleset in the list has no valid `id`: the rulesets cannot be read"
            )));
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.len() > MAX_RULESETS {
        return Err(RemoteError::new(format!(
            "GET {url}: {} branch rulesets, more than the {MAX_RULESETS} gatelint reads",
            ids.len()
        )));
    }
    let mut raws = Vec::new();
    let mut total = 0;
    for id in &ids {
        let by_id = format!("{base}/rulesets/{id}");
        let a = client.get(&by_id).await?;
        if a.status != 200 {
            return Err(status_error(
                spec,
                &by_id,
                &a,
                "reading a ruleset needs admin rights on the repository",
            ));
        }
        total += a.body.len();
        if a.body.len() > MAX_RULESET_BYTES || total > MAX_RULESETS_BYTES {
            return Err(RemoteError::new(format!(
                "GET {by_id}: the rulesets' answers are larger than gatelint reads ({} bytes for this one, {MAX_RULESET_BYTES} at most; {MAX_RULESETS_BYTES} in all)",
                a.body.len()
            )));
        }
        let raw: serde_json::Value = serde_json::from_str(&a.body).map_err(|e| {
            RemoteError::new(format!(
                "GET {by_id}: the answer is not a ruleset ({})",
                super::text::shown(&e.to_string())
            ))
        })?;
        // The object asked for, or the rulesets cannot be judged: fail closed.
        let shaped = raw.get("id").and_then(serde_json::Value::as_i64) == Some(*id)
            && raw.get("rules").is_none_or(serde_json::Value::is_array)
            && raw
                .get("bypass_actors")
                .is_none_or(serde_json::Value::is_array)
            && raw
                .get("conditions")
                .is_none_or(|c| c.is_object() || c.is_null());
        if !shaped {
            return Err(RemoteError::new(format!(
                "GET {by_id}: the answer is not ruleset {id} (no matching `id`, or `rules`, `bypass_actors` or `conditions` of the wrong type)"
            )));
        }
        raws.push(raw);
    }
    // `~DEFAULT_BRANCH` needs the repository's default branch: one more request, when used.
    let needs_default = raws
        .iter()
        .any(|r| r.to_string().contains("~DEFAULT_BRANCH"));
    let default_branch = if needs_default {
        let a = client.get(base).await?;
        (a.status == 200)
            .then(|| serde_json::from_str::<serde_json::Value>(&a.body).ok())
            .flatten()
            .and_then(|r| r.get("default_branch")?.as_str().map(str::to_owned))
    } else {
        None
    };
    Ok(rulesets_from(
        &raws,
        &spec.branch,
        default_branch.as_deref(),
    ))
}

/// The rulesets read (REST answers by id, or GraphQL's in their shape) and what to say of
/// them.
pub(super) fn rulesets_from(
    raws: &[serde_json::Value],
    branch: &str,
    default_branch: Option<&str>,
) -> (Vec<Ruleset>, String) {
    let rulesets: Vec<Ruleset> = raws
        .iter()
        .filter_map(|r| read_ruleset(r, branch, default_branch))
        .collect();
    let idle = rulesets
        .iter()
        .filter(|r| r.enforcement != "active")
        .count();
    let hidden = rulesets.iter().filter(|r| r.bypass.is_none()).count();
    let bypass = if hidden > 0 {
        format!(
            "; bypass actors not returned for {hidden} (GitHub shows them only to a token that may edit the ruleset): their bypasses are not checked"
        )
    } else {
        String::new()
    };
    let said = format!(
        "{} branch rulesets read by id ({idle} not active{bypass})",
        rulesets.len()
    );
    (rulesets, said)
}
