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
            (Kind::Github, _) => ok(&json!([])),
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
        let Some(rest) = path.strip_prefix(self.api_prefix()) else {
            return not_found();
        };
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
        match tail {
            "branches/main/protection" => self.protection(r, "classic"),
            "rules/branches/main" => self.protection(r, "rules"),
            "branch_protections" => self.protection(r, "list"),
            _ => not_found(),
        }
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
