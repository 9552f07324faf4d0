//! `gatelint audit` on GitHub: one GraphQL query per repository reads its workflows folder
//! with every file's text, the branch's classic protection, the active rules that apply to it
//! and every ruleset of the repository and its organisation. The answers are turned into the
//! shapes of the REST answers `--remote` reads (`branches/{b}/protection`, `rules/branches/{b}`,
//! `rulesets/{id}`) and read by the same code, so that both ways yield the same protection
//! (tests/audit.rs compares them). A file GraphQL marks truncated is read again through the
//! contents API.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::repos::{MAX_WORKFLOW_BYTES, MAX_WORKFLOW_FILES, RepoInfo};
use super::{Fetched, RemoteError, RemoteSpec, http, text};
use crate::discover::{MemEntry, MemTree};
use crate::forge::protection::{Protection, Shape};

/// What the query read of one repository.
#[derive(Debug)]
pub struct Read {
    pub info: RepoInfo,
    pub branch: String,
    pub tree: MemTree,
    pub fetched: Fetched,
    /// Requests made (the query, and files read again).
    pub requests: usize,
}

/// Why GraphQL could not be used for a repository: the caller reads it over REST.
#[derive(Debug)]
pub enum Failed {
    /// The endpoint is not there, or an answer GraphQL cannot give in one query (more than
    /// 100 rules or rulesets, a field the token may not read): read over REST.
    Fallback(String),
    /// The repository cannot be read at all.
    Error(RemoteError),
}

impl From<RemoteError> for Failed {
    fn from(e: RemoteError) -> Self {
        Failed::Error(e)
    }
}

/// GitHub's GraphQL endpoint for the REST API at `api`: `https://api.github.com/graphql`,
/// GitHub Enterprise Server's `{server}/api/graphql`.
pub fn endpoint(api: &str) -> String {
    match api.strip_suffix("/api/v3") {
        Some(server) => format!("{server}/api/graphql"),
        None => format!("{}/graphql", api.trim_end_matches('/')),
    }
}

const FRAGMENTS: &str = r"
fragment Params on RuleParameters {
  __typename
  ... on RequiredStatusChecksParameters {
    requiredStatusChecks { context integrationId }
    strictRequiredStatusChecksPolicy
  }
}
fragment Source on RuleSource {
  __typename
  ... on Repository { nameWithOwner }
  ... on Organization { login }
  ... on Enterprise { slug }
}
fragment RefFields on Ref {
  name
  branchProtectionRule {
    requiresStatusChecks
    requiresStrictStatusChecks
    isAdminEnforced
    requiredStatusChecks { context app { databaseId } }
  }
  rules(first: 100) {
    pageInfo { hasNextPage }
    nodes {
      type
      parameters { ...Params }
      repositoryRuleset { databaseId source { ...Source } }
    }
  }
}
";

/// The query for one repository: its branch `branch` (`None`: the default branch).
fn query(branch: Option<&str>) -> String {
    let (vars, ref_field) = match branch {
        Some(_) => (
            ", $qualified: String!",
            "branch: ref(qualifiedName: $qualified) { ...RefFields }",
        ),
        None => ("", "branch: defaultBranchRef { ...RefFields }"),
    };
    format!(
        r"{FRAGMENTS}
query($owner: String!, $name: String!, $folder: String!{vars}) {{
  repository(owner: $owner, name: $name) {{
    nameWithOwner isArchived isFork isEmpty
    defaultBranchRef {{ name }}
    {ref_field}
    folder: object(expression: $folder) {{
      __typename
      ... on Tree {{
        entries {{
          name type mode
          object {{ __typename ... on Blob {{ text isTruncated isBinary byteSize }} }}
        }}
      }}
    }}
    rulesets(first: 100, includeParents: true) {{
      pageInfo {{ hasNextPage }}
      nodes {{
        databaseId name enforcement target
        source {{ ...Source }}
        conditions {{
          refName {{ include exclude }}
          repositoryName {{ include exclude }}
          repositoryId {{ repositoryIds }}
          repositoryProperty {{ __typename }}
        }}
        bypassActors(first: 100) {{
          pageInfo {{ hasNextPage }}
          nodes {{
            actor {{ __typename ... on App {{ databaseId }} ... on Team {{ databaseId }} }}
            bypassMode organizationAdmin deployKey enterpriseOwner repositoryRoleDatabaseId
          }}
        }}
        rules(first: 100) {{ pageInfo {{ hasNextPage }} nodes {{ type parameters {{ ...Params }} }} }}
      }}
    }}
  }}
}}"
    )
}

fn lower(v: &Json) -> Option<String> {
    v.as_str().map(str::to_ascii_lowercase)
}

/// `(source_type, source)` of a ruleset's `source`.
fn source_of(s: &Json) -> (Json, Json) {
    match s.get("__typename").and_then(Json::as_str) {
        Some("Repository") => (json!("Repository"), s["nameWithOwner"].clone()),
        Some("Organization") => (json!("Organization"), s["login"].clone()),
        Some("Enterprise") => (json!("Enterprise"), s["slug"].clone()),
        _ => (Json::Null, Json::Null),
    }
}

/// A rule's `parameters` as REST writes them.
fn params(p: &Json) -> Json {
    match p.get("__typename").and_then(Json::as_str) {
        Some("RequiredStatusChecksParameters") => {
            let checks: Vec<Json> = p["requiredStatusChecks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| json!({"context": c["context"], "integration_id": c["integrationId"]}))
                .collect();
            json!({
                "required_status_checks": checks,
                "strict_required_status_checks_policy": p["strictRequiredStatusChecksPolicy"],
            })
        }
        _ => json!({}),
    }
}

/// A rule as REST writes it (`{type, parameters}`).
fn rule(r: &Json) -> Json {
    json!({"type": lower(&r["type"]), "parameters": params(&r["parameters"])})
}

/// `branches/{b}/protection` as REST would answer it, or `None` when no classic rule
/// protects the branch.
pub fn classic_json(rule: &Json) -> Option<Json> {
    if rule.is_null() {
        return None;
    }
    let checks = if rule["requiresStatusChecks"].as_bool() == Some(true) {
        let list: Vec<&Json> = rule["requiredStatusChecks"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        json!({
            "strict": rule["requiresStrictStatusChecks"],
            "contexts": list.iter().map(|c| c["context"].clone()).collect::<Vec<_>>(),
            "checks": list.iter().map(|c| json!({"context": c["context"], "app_id": c["app"]["databaseId"]})).collect::<Vec<_>>(),
        })
    } else {
        Json::Null
    };
    Some(json!({
        "required_status_checks": checks,
        "enforce_admins": {"enabled": rule["isAdminEnforced"]},
    }))
}

/// `rules/branches/{b}` as REST would answer it.
pub fn rules_json(nodes: &[Json]) -> Json {
    Json::Array(
        nodes
            .iter()
            .map(|n| {
                let mut r = rule(n);
                let set = &n["repositoryRuleset"];
                let (kind, source) = source_of(&set["source"]);
                r["ruleset_source_type"] = kind;
                r["ruleset_source"] = source;
                r["ruleset_id"] = set["databaseId"].clone();
                r
            })
            .collect(),
    )
}

/// `rulesets/{id}` as REST would answer it. `bypass_actors` is left out when GraphQL did
/// not give them (as REST leaves them out for a token that may not edit the ruleset).
pub fn ruleset_json(n: &Json) -> Json {
    let (kind, source) = source_of(&n["source"]);
    let c = &n["conditions"];
    let mut conditions = serde_json::Map::new();
    if c["refName"].is_object() {
        conditions.insert(
            "ref_name".into(),
            json!({"include": c["refName"]["include"], "exclude": c["refName"]["exclude"]}),
        );
    }
    if c["repositoryName"].is_object() {
        conditions.insert(
            "repository_name".into(),
            json!({"include": c["repositoryName"]["include"], "exclude": c["repositoryName"]["exclude"]}),
        );
    }
    if c["repositoryId"].is_object() {
        conditions.insert(
            "repository_id".into(),
            json!({"repository_ids": c["repositoryId"]["repositoryIds"]}),
        );
    }
    if c["repositoryProperty"].is_object() {
        conditions.insert("repository_property".into(), json!({}));
    }
    let mut out = json!({
        "id": n["databaseId"],
        "name": n["name"],
        "target": lower(&n["target"]),
        "source_type": kind,
        "source": source,
        "enforcement": lower(&n["enforcement"]),
        "conditions": Json::Object(conditions),
        "rules": n["rules"]["nodes"].as_array().into_iter().flatten().map(rule).collect::<Vec<_>>(),
    });
    if let Some(actors) = n["bypassActors"]["nodes"].as_array() {
        let list: Vec<Json> = actors
            .iter()
            .map(|a| {
                let mode = lower(&a["bypassMode"]).unwrap_or_else(|| "always".to_owned());
                let (kind, id) = if a["organizationAdmin"].as_bool() == Some(true) {
                    ("OrganizationAdmin", json!(1))
                } else if a["deployKey"].as_bool() == Some(true) {
                    ("DeployKey", Json::Null)
                } else if a["enterpriseOwner"].as_bool() == Some(true) {
                    ("EnterpriseOwner", Json::Null)
                } else if !a["repositoryRoleDatabaseId"].is_null() {
                    ("RepositoryRole", a["repositoryRoleDatabaseId"].clone())
                } else {
                    match a["actor"]["__typename"].as_str() {
                        Some("App") => ("Integration", a["actor"]["databaseId"].clone()),
                        Some("Team") => ("Team", a["actor"]["databaseId"].clone()),
                        _ => ("?", Json::Null),
                    }
                };
                json!({"actor_id": id, "actor_type": kind, "bypass_mode": mode})
            })
            .collect();
        out["bypass_actors"] = Json::Array(list);
    }
    out
}

/// Whether a GraphQL error is about a field under `prefix` of the repository.
fn error_under(errors: &[Json], prefix: &str) -> bool {
    errors.iter().any(|e| {
        e["path"]
            .as_array()
            .and_then(|p| p.get(1))
            .and_then(Json::as_str)
            == Some(prefix)
    })
}

/// A client for the GraphQL endpoint of `spec`'s server (its base is the endpoint's folder:
/// the HTTP layer keeps requests under its base's path).
pub fn client(spec: &RemoteSpec) -> Result<http::Client, RemoteError> {
    let url = endpoint(&spec.api);
    let base = url.strip_suffix("/graphql").unwrap_or(&url);
    http::Client::new(
        base,
        spec.token.as_ref(),
        http::AuthScheme::Bearer,
        spec.limits,
    )
    .map(|c| c.with_budget(spec.budget.clone()))
}

/// Read one repository with one query to `gql` (and the truncated files again, over `rest`).
pub async fn read(
    gql: &http::Client,
    rest: &http::Client,
    spec: &RemoteSpec,
    branch: Option<&str>,
) -> Result<Read, Failed> {
    let url = endpoint(&spec.api);
    // `refs/heads/B`, so that a tag of the same name is not read instead.
    let folder = match branch {
        Some(b) => format!("refs/heads/{b}:.github/workflows"),
        None => "HEAD:.github/workflows".to_owned(),
    };
    let mut variables = json!({"owner": spec.owner, "name": spec.repo, "folder": folder});
    if let Some(b) = branch {
        variables["qualified"] = json!(format!("refs/heads/{b}"));
    }
    let body = json!({"query": query(branch), "variables": variables});
    let a = gql.post_json(&url, &body).await?;
    let mut requests = 1;
    match a.status {
        200 => {}
        404 | 410 | 501 => {
            return Err(Failed::Fallback(format!(
                "POST {url}: HTTP {}: no GraphQL endpoint",
                a.status
            )));
        }
        _ => {
            let said = a
                .message()
                .map(|m| format!(": {}", text::shown(&m)))
                .unwrap_or_default();
            return Err(Failed::Error(RemoteError::new(format!(
                "POST {url}: HTTP {}{said}",
                a.status
            ))));
        }
    }
    let v: Json = serde_json::from_str(&a.body)
        .map_err(|_| Failed::Fallback(format!("POST {url}: the answer is not GraphQL's JSON")))?;
    let errors: Vec<Json> = v["errors"].as_array().cloned().unwrap_or_default();
    let repo = &v["data"]["repository"];
    if repo.is_null() {
        let said = errors
            .first()
            .and_then(|e| e["message"].as_str())
            .map_or_else(|| "no such repository".to_owned(), text::shown);
        return Err(Failed::Error(RemoteError::new(format!(
            "POST {url}: repository {}: {said}",
            spec.full_name()
        ))));
    }
    // A field the query could not read: protection fields are read over REST instead;
    // rulesets and their bypass actors are said, as the REST path says them.
    if error_under(&errors, "branch") || error_under(&errors, "folder") {
        return Err(Failed::Fallback(format!(
            "POST {url}: GraphQL did not give the branch's protection or workflows ({})",
            errors
                .first()
                .and_then(|e| e["message"].as_str())
                .map_or_else(String::new, text::shown)
        )));
    }
    let default_branch = repo["defaultBranchRef"]["name"].as_str().map(str::to_owned);
    let info = RepoInfo {
        owner: spec.owner.clone(),
        name: spec.repo.clone(),
        default_branch: default_branch.clone(),
        archived: repo["isArchived"].as_bool().unwrap_or(false),
        fork: repo["isFork"].as_bool().unwrap_or(false),
        empty: repo["isEmpty"].as_bool().unwrap_or(false),
    };
    let the_ref = &repo["branch"];
    let branch_name = match (branch, the_ref["name"].as_str()) {
        (Some(b), _) => b.to_owned(),
        (None, Some(n)) => n.to_owned(),
        (None, None) if info.empty => String::new(),
        (None, None) => {
            return Err(Failed::Error(RemoteError::new(format!(
                "repository {} has no default branch",
                spec.full_name()
            ))));
        }
    };
    if the_ref.is_null() && !info.empty {
        return Err(Failed::Error(RemoteError::new(format!(
            "repository {} has no branch `{}`",
            spec.full_name(),
            text::shown(&branch_name)
        ))));
    }
    // More than one page of anything: read over REST, which reads every page.
    let more = |v: &Json| v["pageInfo"]["hasNextPage"].as_bool() == Some(true);
    let rulesets_more = repo["rulesets"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|n| more(&n["bypassActors"]) || more(&n["rules"]));
    if more(&the_ref["rules"]) || more(&repo["rulesets"]) || rulesets_more {
        return Err(Failed::Fallback(
            "more than 100 rules, rulesets or bypass actors: read over REST".to_owned(),
        ));
    }
    let mut spec = spec.clone();
    spec.branch = branch_name.clone();
    // The protection, read from the REST shapes.
    let mut sources = Vec::new();
    let classic_url = format!("{url}#branchProtectionRule");
    let mut parts: Vec<Protection> = Vec::new();
    let mut classic_checks = None;
    match classic_json(&the_ref["branchProtectionRule"]) {
        Some(body) => {
            sources.push("branch protection".to_owned());
            classic_checks = Some(body["required_status_checks"].clone()).filter(Json::is_object);
            parts.push(super::github::parse(
                &body.to_string(),
                &classic_url,
                &spec,
            )?);
        }
        None => sources.push("no classic branch protection".to_owned()),
    }
    let rules = rules_json(
        the_ref["rules"]["nodes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
    );
    let rules_url = format!("{url}#rules");
    let from_rules = super::github::parse(&rules.to_string(), &rules_url, &spec)?;
    sources.push(format!(
        "rulesets (1 pages, {} required checks)",
        from_rules.required.len()
    ));
    parts.push(from_rules);
    let mut protection = Protection::union(parts, &classic_url, Shape::GithubCombined);
    protection.classic_checks = classic_checks;
    if error_under(&errors, "rulesets") || repo["rulesets"].is_null() {
        sources.push("rulesets not listed (GraphQL did not give them: listing them needs admin rights), so rulesets in evaluate or disabled mode are not checked".to_owned());
    } else {
        let raws: Vec<Json> = repo["rulesets"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|n| n["target"].as_str().is_none_or(|t| t == "BRANCH"))
            .map(ruleset_json)
            .collect();
        let (rulesets, said) =
            super::github::rulesets_from(&raws, &branch_name, default_branch.as_deref());
        protection.rulesets = rulesets;
        sources.push(said);
    }
    // The workflow files; a truncated one read again.
    let mut entries: BTreeMap<String, MemEntry> = BTreeMap::new();
    let folder = &repo["folder"];
    match folder["__typename"].as_str() {
        Some("Tree") => {
            for e in folder["entries"].as_array().into_iter().flatten() {
                let (Some(name), Some(kind)) = (e["name"].as_str(), e["type"].as_str()) else {
                    continue;
                };
                if !super::repos::plain_component(name)
                    || !(name.ends_with(".yml") || name.ends_with(".yaml"))
                {
                    continue;
                }
                let path = format!(".github/workflows/{name}");
                if entries.len() >= MAX_WORKFLOW_FILES {
                    return Err(Failed::Error(RemoteError::new(format!(
                        "more than {MAX_WORKFLOW_FILES} workflow files in {}: audit does not read them all",
                        spec.full_name()
                    ))));
                }
                // git's mode of a symbolic link: 0o120000.
                if e["mode"].as_i64() == Some(0o120_000) {
                    entries.insert(path, MemEntry::Link);
                    continue;
                }
                if kind != "blob" {
                    continue;
                }
                let blob = &e["object"];
                let size = blob["byteSize"].as_u64().unwrap_or(0);
                let entry = if blob["isBinary"].as_bool() == Some(true) {
                    MemEntry::Unreadable("is a binary file".to_owned())
                } else if size > MAX_WORKFLOW_BYTES as u64 {
                    MemEntry::Unreadable(format!(
                        "is larger than {MAX_WORKFLOW_BYTES} bytes ({size}): audit does not read it"
                    ))
                } else if blob["isTruncated"].as_bool() == Some(true) || blob["text"].is_null() {
                    requests += 1;
                    match super::repos::read_file(rest, &spec, &path).await? {
                        Ok(t) => MemEntry::Text(Arc::from(t)),
                        Err(why) => MemEntry::Unreadable(why),
                    }
                } else {
                    MemEntry::Text(Arc::from(blob["text"].as_str().unwrap_or_default()))
                };
                entries.insert(path, entry);
            }
        }
        // The folder is a symbolic link (GitHub runs nothing from it).
        Some("Blob") => {
            entries.insert(".github/workflows".to_owned(), MemEntry::Link);
        }
        _ => {}
    }
    Ok(Read {
        info,
        branch: branch_name,
        tree: MemTree { entries },
        fetched: Fetched {
            protection,
            source: format!("GraphQL: {}", sources.join(" + ")),
        },
        requests,
    })
}
