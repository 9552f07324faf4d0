//! A fake forge for `gatelint audit`: one wiremock responder that serves an organisation's
//! repositories (list, repository records, the contents API, protection) as GitHub or Gitea
//! answer them, from a model built in the test. It counts requests by repository, can answer
//! one repository with 403, rate-limit once, and wait before each answer (latency).
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Github,
    Gitea,
}

#[derive(Debug, Clone, Default)]
pub struct Repo {
    /// `owner/name`.
    pub name: String,
    /// Workflow files: path in the repository (e.g. `.github/workflows/ci.yml`) and text.
    pub files: Vec<(String, String)>,
    /// Required contexts of `main`; `None`: not protected.
    pub required: Option<Vec<String>>,
    pub archived: bool,
    pub fork: bool,
    pub empty: bool,
    /// Every request about it is answered 403.
    pub forbidden: bool,
    /// GitHub: rulesets of the repository (and of its organisation).
    pub rulesets: Vec<Ruleset>,
    /// GitHub's GraphQL: files longer than this many bytes come truncated.
    pub truncate_over: Option<usize>,
}

/// A GitHub ruleset, answered in REST's and GraphQL's shapes.
#[derive(Debug, Clone, Default)]
pub struct Ruleset {
    pub id: i64,
    pub name: String,
    /// The organisation that owns it; `None`: the repository.
    pub org: Option<String>,
    /// `active`, `evaluate` or `disabled`.
    pub enforcement: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Required checks and the app each is pinned to.
    pub checks: Vec<(String, Option<i64>)>,
    pub merge_queue: bool,
    /// `(actor_type, actor_id, bypass_mode)` as REST says them; `None`: not shown to the token.
    pub bypass: Option<Vec<(String, Option<i64>, String)>>,
}

impl Ruleset {
    fn applies_to_main(&self) -> bool {
        let hit = |list: &[String]| {
            list.iter()
                .any(|p| p == "~ALL" || p == "~DEFAULT_BRANCH" || p == "refs/heads/main")
        };
        hit(&self.include) && !hit(&self.exclude)
    }

    fn source(&self, repo: &str) -> (&'static str, String) {
        match &self.org {
            Some(o) => ("Organization", o.clone()),
            None => ("Repository", repo.to_owned()),
        }
    }

    fn rest_rules(&self) -> Vec<Value> {
        let mut rules = Vec::new();
        if !self.checks.is_empty() {
            rules.push(json!({
                "type": "required_status_checks",
                "parameters": {
                    "required_status_checks": self.checks.iter().map(|(c, app)| json!({"context": c, "integration_id": app})).collect::<Vec<_>>(),
                    "strict_required_status_checks_policy": false,
                },
            }));
        }
        if self.merge_queue {
            rules.push(json!({"type": "merge_queue", "parameters": {"merge_method": "MERGE"}}));
        }
        rules
    }

    fn rest(&self, repo: &str) -> Value {
        let (kind, source) = self.source(repo);
        let mut v = json!({
            "id": self.id,
            "name": self.name,
            "target": "branch",
            "source_type": kind,
            "source": source,
            "enforcement": self.enforcement,
            "conditions": {"ref_name": {"include": self.include, "exclude": self.exclude}},
            "rules": self.rest_rules(),
        });
        if let Some(b) = &self.bypass {
            v["bypass_actors"] = Value::Array(
                b.iter()
                    .map(|(t, id, mode)| json!({"actor_id": id, "actor_type": t, "bypass_mode": mode}))
                    .collect(),
            );
        }
        v
    }

    fn graphql_rules(&self) -> Vec<Value> {
        let mut rules = Vec::new();
        if !self.checks.is_empty() {
            rules.push(json!({
                "type": "REQUIRED_STATUS_CHECKS",
                "parameters": {
                    "__typename": "RequiredStatusChecksParameters",
                    "requiredStatusChecks": self.checks.iter().map(|(c, app)| json!({"context": c, "integrationId": app})).collect::<Vec<_>>(),
                    "strictRequiredStatusChecksPolicy": false,
                },
            }));
        }
        if self.merge_queue {
            rules.push(json!({"type": "MERGE_QUEUE", "parameters": {"__typename": "MergeQueueParameters"}}));
        }
        rules
    }

    fn graphql_source(&self, repo: &str) -> Value {
        match &self.org {
            Some(o) => json!({"__typename": "Organization", "login": o}),
            None => json!({"__typename": "Repository", "nameWithOwner": repo}),
        }
    }

    fn graphql(&self, repo: &str) -> Value {
        let bypass = self.bypass.as_ref().map(|b| {
            json!({"nodes": b.iter().map(|(t, id, mode)| {
                let mut a = json!({
                    "actor": null,
                    "bypassMode": mode.to_ascii_uppercase(),
                    "organizationAdmin": t == "OrganizationAdmin",
                    "deployKey": t == "DeployKey",
                    "enterpriseOwner": t == "EnterpriseOwner",
                    "repositoryRoleDatabaseId": if t == "RepositoryRole" { json!(id) } else { Value::Null },
                });
                match t.as_str() {
                    "Integration" => a["actor"] = json!({"__typename": "App", "databaseId": id}),
                    "Team" => a["actor"] = json!({"__typename": "Team", "databaseId": id}),
                    _ => {}
                }
                a
            }).collect::<Vec<_>>()})
        });
        json!({
            "databaseId": self.id,
            "name": self.name,
            "enforcement": self.enforcement.to_ascii_uppercase(),
            "target": "BRANCH",
            "source": self.graphql_source(repo),
            "conditions": {
                "refName": {"include": self.include, "exclude": self.exclude},
                "repositoryName": null,
                "repositoryId": null,
                "repositoryProperty": null,
            },
            "bypassActors": bypass,
            "rules": {"nodes": self.graphql_rules()},
        })
    }
}

impl Repo {
    pub fn new(name: &str) -> Repo {
        Repo {
            name: name.to_owned(),
            ..Repo::default()
        }
    }

    pub fn file(mut self, path: &str, text: &str) -> Repo {
        self.files.push((path.to_owned(), text.to_owned()));
        self
    }

    pub fn requires(mut self, contexts: &[&str]) -> Repo {
        self.required = Some(contexts.iter().map(|c| (*c).to_owned()).collect());
        self
    }
}

pub struct FakeForge {
    pub kind: Kind,
    pub org: String,
    pub repos: Vec<Repo>,
    /// The server's address, for `Link` headers (set once the server started).
    pub uri: Mutex<String>,
    pub page_size: usize,
    /// Answer request number N (counted from 1) with a 429 asking to wait a second, once.
    pub rate_limit_at: Option<usize>,
    pub latency: Option<Duration>,
    /// Gitea: the server has `file-contents` (many files' contents in one answer), and
    /// answers at most this many files a request.
    pub file_contents: Option<usize>,
    served: AtomicUsize,
    limited: AtomicBool,
    /// Requests by repository (`owner/name`), and `(list)` for the organisation's list.
    pub counts: Mutex<HashMap<String, usize>>,
    /// When each request came, and when the rate limit was answered.
    pub times: Mutex<Vec<Instant>>,
    pub limited_at: Mutex<Option<Instant>>,
}

impl FakeForge {
    pub fn new(kind: Kind, org: &str, mut repos: Vec<Repo>) -> FakeForge {
        repos.sort_by(|a, b| a.name.cmp(&b.name));
        FakeForge {
            kind,
            org: org.to_owned(),
            repos,
            uri: Mutex::new(String::new()),
            page_size: match kind {
                Kind::Github => 100,
                Kind::Gitea => 50,
            },
            rate_limit_at: None,
            latency: None,
            file_contents: None,
            served: AtomicUsize::new(0),
            limited: AtomicBool::new(false),
            counts: Mutex::new(HashMap::new()),
            times: Mutex::new(Vec::new()),
            limited_at: Mutex::new(None),
        }
    }

    pub fn api_prefix(&self) -> &'static str {
        match self.kind {
            Kind::Github => "/api/v3",
            Kind::Gitea => "/api/v1",
        }
    }

    fn count(&self, key: &str) {
        if let Ok(mut c) = self.counts.lock() {
            *c.entry(key.to_owned()).or_default() += 1;
        }
    }

    pub fn requests_for(&self, key: &str) -> usize {
        self.counts
            .lock()
            .map(|c| c.get(key).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }

    fn repo_json(&self, r: &Repo) -> Value {
        let (owner, name) = r.name.split_once('/').unwrap_or(("", ""));
        let mut v = json!({
            "full_name": r.name,
            "name": name,
            "owner": {"login": owner},
            "default_branch": "main",
            "archived": r.archived,
            "fork": r.fork,
        });
        match self.kind {
            Kind::Github => v["size"] = json!(if r.empty { 0 } else { 42 }),
            Kind::Gitea => v["empty"] = json!(r.empty),
        }
        v
    }

    fn list(&self, page: usize, base_query: &str) -> ResponseTemplate {
        let start = (page - 1) * self.page_size;
        let items: Vec<Value> = self
            .repos
            .iter()
            .skip(start)
            .take(self.page_size)
            .map(|r| self.repo_json(r))
            .collect();
        let mut resp = ok(&Value::Array(items));
        if start + self.page_size < self.repos.len() {
            let uri = self.uri.lock().map(|u| u.clone()).unwrap_or_default();
            let next = format!(
                "<{uri}{}/orgs/{}/repos?{base_query}&page={}>; rel=\"next\"",
                self.api_prefix(),
                self.org,
                page + 1
            );
            resp = resp.insert_header("link", next.as_str());
        }
        resp
    }

    fn contents(&self, r: &Repo, path: &str) -> ResponseTemplate {
        if let Some((_, text)) = r.files.iter().find(|(p, _)| p == path) {
            let name = path.rsplit('/').next().unwrap_or(path);
            return ok(&json!({
                "name": name,
                "path": path,
                "type": "file",
                "size": text.len(),
                "encoding": "base64",
                "content": base64(text.as_bytes()),
            }));
        }
        let prefix = format!("{path}/");
        let mut entries: Vec<Value> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for (p, text) in &r.files {
            let Some(rest) = p.strip_prefix(&prefix) else {
                continue;
            };
            let (name, kind) = match rest.split_once('/') {
                Some((dir, _)) => (dir.to_owned(), "dir"),
                None => (rest.to_owned(), "file"),
            };
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            entries.push(json!({"name": name, "path": format!("{path}/{name}"), "type": kind, "size": text.len()}));
        }
        if entries.is_empty() {
            return not_found();
        }
        ok(&Value::Array(entries))
    }

    fn protection(&self, r: &Repo, what: &str) -> ResponseTemplate {
        match (self.kind, what) {
            (Kind::Github, "classic") => match &r.required {
                Some(req) => ok(&json!({
                    "required_status_checks": {"strict": false, "contexts": req, "checks": req.iter().map(|c| json!({"context": c, "app_id": 15368})).collect::<Vec<_>>()},
                    "enforce_admins": {"enabled": true},
                })),
                None => ResponseTemplate::new(404)
                    .set_body_raw(r#"{"message": "Branch not protected"}"#, "application/json"),
            },
            (Kind::Github, _) => ok(&Value::Array(
                r.rulesets
                    .iter()
                    .filter(|set| set.enforcement == "active" && set.applies_to_main())
                    .flat_map(|set| {
                        let (kind, source) = set.source(&r.name);
                        set.rest_rules().into_iter().map(move |mut rule| {
                            rule["ruleset_source_type"] = json!(kind);
                            rule["ruleset_source"] = json!(source);
                            rule["ruleset_id"] = json!(set.id);
                            rule
                        })
                    })
                    .collect(),
            )),
            (Kind::Gitea, _) => match &r.required {
                Some(req) => ok(&json!([{
                    "branch_name": "main",
                    "rule_name": "main",
                    "priority": 1,
                    "enable_status_check": true,
                    "status_check_contexts": req,
                }])),
                None => ok(&json!([])),
            },
        }
    }

    fn route(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path().to_owned();
        let Some(rest) = path
            .strip_prefix(self.api_prefix())
            .or_else(|| (path == "/api/graphql").then_some(""))
        else {
            return not_found();
        };
        if self.kind == Kind::Github && path == "/api/graphql" {
            return self.graphql(request);
        }
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let list_prefix = format!("/orgs/{}/repos", self.org);
        if rest == list_prefix {
            self.count("(list)");
            let page = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let base = match self.kind {
                Kind::Github => format!("per_page={}", self.page_size),
                Kind::Gitea => format!("limit={}", self.page_size),
            };
            return self.list(page, &base);
        }
        let Some(repo_path) = rest.strip_prefix("/repos/") else {
            return not_found();
        };
        let mut parts = repo_path.splitn(3, '/');
        let (owner, name, tail) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let full = format!("{owner}/{name}");
        self.count(&full);
        let Some(r) = self.repos.iter().find(|r| r.name == full) else {
            return not_found();
        };
        if r.forbidden {
            return ResponseTemplate::new(403).set_body_raw(
                r#"{"message": "Resource not accessible by integration"}"#,
                "application/json",
            );
        }
        if tail.is_empty() {
            return ok(&self.repo_json(r));
        }
        if let Some(p) = tail.strip_prefix("contents/") {
            let p = percent_decode(p);
            return self.contents(r, &p);
        }
        if tail == "file-contents" {
            let Some(max) = self.file_contents.filter(|_| self.kind == Kind::Gitea) else {
                return ResponseTemplate::new(404)
                    .set_body_raw("404 page not found\n", "text/plain");
            };
            let body: Value = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "body")
                .and_then(|(_, v)| serde_json::from_str(&v).ok())
                .unwrap_or(Value::Null);
            let answers: Vec<Value> = body["files"]
                .as_array()
                .into_iter()
                .flatten()
                .take(max)
                .map(|f| {
                    let p = f.as_str().unwrap_or("");
                    r.files.iter().find(|(q, _)| q == p).map_or(Value::Null, |(q, text)| {
                        json!({"name": q.rsplit('/').next().unwrap_or(q), "path": q, "type": "file", "size": text.len(), "encoding": "base64", "content": base64(text.as_bytes())})
                    })
                })
                .collect();
            return ok(&Value::Array(answers));
        }
        match tail {
            "branches/main/protection" => self.protection(r, "classic"),
            "rules/branches/main" => self.protection(r, "rules"),
            "branch_protections" => self.protection(r, "list"),
            "rulesets" => ok(&Value::Array(
                r.rulesets
                    .iter()
                    .map(|set| {
                        let (kind, source) = set.source(&r.name);
                        json!({"id": set.id, "name": set.name, "target": "branch", "source_type": kind, "source": source, "enforcement": set.enforcement})
                    })
                    .collect(),
            )),
            _ => match tail
                .strip_prefix("rulesets/")
                .and_then(|id| id.parse::<i64>().ok())
                .and_then(|id| r.rulesets.iter().find(|s| s.id == id))
            {
                Some(set) => ok(&set.rest(&r.name)),
                None => not_found(),
            },
        }
    }
}

impl FakeForge {
    /// GitHub's GraphQL: the one query `audit` sends per repository.
    fn graphql(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let vars = &body["variables"];
        let full = format!(
            "{}/{}",
            vars["owner"].as_str().unwrap_or(""),
            vars["name"].as_str().unwrap_or("")
        );
        self.count(&full);
        let Some(r) = self.repos.iter().find(|r| r.name == full) else {
            return ok(
                &json!({"data": {"repository": null}, "errors": [{"type": "NOT_FOUND", "path": ["repository"], "message": format!("Could not resolve to a Repository with the name '{full}'.")}]}),
            );
        };
        if r.forbidden {
            return ok(
                &json!({"data": {"repository": null}, "errors": [{"type": "FORBIDDEN", "path": ["repository"], "message": "Resource not accessible by integration"}]}),
            );
        }
        let folder = vars["folder"].as_str().unwrap_or("");
        let dir = folder.split_once(':').map_or("", |(_, d)| d);
        let prefix = format!("{dir}/");
        let entries: Vec<Value> = r
            .files
            .iter()
            .filter_map(|(p, text)| {
                let name = p.strip_prefix(&prefix)?;
                if name.contains('/') {
                    return None;
                }
                let truncated = r.truncate_over.is_some_and(|n| text.len() > n);
                let shown: String = match r.truncate_over {
                    Some(n) if truncated => text.chars().take(n).collect(),
                    _ => text.clone(),
                };
                Some(json!({
                    "name": name, "type": "blob", "mode": 33188,
                    "object": {"__typename": "Blob", "text": shown, "isTruncated": truncated, "isBinary": false, "byteSize": text.len()},
                }))
            })
            .collect();
        let folder = if entries.is_empty() {
            Value::Null
        } else {
            json!({"__typename": "Tree", "entries": entries})
        };
        let classic = r.required.as_ref().map(|req| {
            json!({
                "requiresStatusChecks": true,
                "requiresStrictStatusChecks": false,
                "isAdminEnforced": true,
                "requiredStatusChecks": req.iter().map(|c| json!({"context": c, "app": {"databaseId": 15368}})).collect::<Vec<_>>(),
            })
        });
        let rules: Vec<Value> = r
            .rulesets
            .iter()
            .filter(|set| set.enforcement == "active" && set.applies_to_main())
            .flat_map(|set| {
                set.graphql_rules().into_iter().map(move |mut rule| {
                    rule["repositoryRuleset"] =
                        json!({"databaseId": set.id, "source": set.graphql_source(&r.name)});
                    rule
                })
            })
            .collect();
        let repo = json!({
            "nameWithOwner": r.name,
            "isArchived": r.archived,
            "isFork": r.fork,
            "isEmpty": r.empty,
            "defaultBranchRef": {"name": "main"},
            "branch": {
                "name": "main",
                "branchProtectionRule": classic,
                "rules": {"pageInfo": {"hasNextPage": false}, "nodes": rules},
            },
            "folder": folder,
            "rulesets": {
                "pageInfo": {"hasNextPage": false},
                "nodes": r.rulesets.iter().map(|set| set.graphql(&r.name)).collect::<Vec<_>>(),
            },
        });
        ok(&json!({"data": {"repository": repo}}))
    }
}

impl Respond for FakeForge {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.served.fetch_add(1, Ordering::SeqCst) + 1;
        let now = Instant::now();
        if let Ok(mut t) = self.times.lock() {
            t.push(now);
        }
        let resp = if self.rate_limit_at == Some(n) && !self.limited.swap(true, Ordering::SeqCst) {
            if let Ok(mut at) = self.limited_at.lock() {
                *at = Some(now);
            }
            ResponseTemplate::new(429)
                .set_body_raw(r#"{"message": "slow down"}"#, "application/json")
                .insert_header("retry-after", "1")
        } else {
            self.route(request)
        };
        match self.latency {
            Some(d) => resp.set_delay(d),
            None => resp,
        }
    }
}

fn ok(v: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(v.to_string(), "application/json")
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_raw(r#"{"message": "Not Found"}"#, "application/json")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with a line break every 60 characters, as the contents APIs send it.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 15 == 0 {
            out.push('\n');
        }
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
