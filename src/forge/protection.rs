//! Branch protection: what a branch requires, read from a file in any of the shapes the forges'
//! APIs return (or a plain list), normalised to one model, and matched the way the forge
//! matches (FORGE-SEMANTICS §5).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde_json::Value as Json;

use super::glob::{Glob, has_glob_chars};
use crate::yaml::{Pos, Span};

/// GitHub Actions' app / integration id, as widely reported (unverified, FORGE-SEMANTICS §2).
pub const GITHUB_ACTIONS_APP_ID: i64 = 15368;

/// The most glob patterns (required contexts with `*`, `?`, `[`, `{` or `\\`, rule names with
/// glob characters) one protection source may hold: each posted context is tried against
/// each of them. Literal entries are indexed and not limited.
pub const MAX_GLOBS: usize = 5_000;

/// How a required entry is compared with a posted context.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// GitHub, and plain lists: the exact string.
    Exact(String),
    /// Gitea/Forgejo `status_check_contexts`: a glob with no separator.
    Glob(Glob),
    /// A list entry without an event suffix (`Workflow / job`): that job on any event.
    AnyEvent(String),
}

/// One required context as the protection source lists it.
#[derive(Debug, Clone)]
pub struct Required {
    /// As written in the source.
    pub text: String,
    pub matcher: Matcher,
    /// Listed below a `# pending-#N` marker: documented, not enforced.
    pub pending: Option<u64>,
    /// Where the entry is written in the source file, when known.
    pub span: Option<Span>,
    /// GitHub: which app's check satisfies it, when the source says (`None`: a plain list,
    /// Gitea, or a legacy `contexts` entry with no `checks` twin).
    pub app: Option<AppPin>,
    /// GitHub: every place that sets the requirement, e.g. "classic branch protection",
    /// "ruleset 42 of octo/app" (empty: a file that does not say). Classic protection and
    /// rulesets all apply: changing one leaves the others.
    pub sources: Vec<String>,
}

/// Which source a required check must come from (GitHub's `app_id` / `integration_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppPin {
    /// None pinned: a check run of any app, or a commit status, satisfies it.
    Any,
    /// Only this app's check runs satisfy it.
    App(i64),
    /// Another app than GitHub Actions, its id not recorded (an older snapshot's
    /// `other-apps`).
    Other,
}

impl Required {
    pub fn matches(&self, context: &str) -> bool {
        match &self.matcher {
            Matcher::Exact(s) => s == context,
            Matcher::Glob(g) => g.matches(context),
            Matcher::AnyEvent(s) => context == s || strip_event_suffix(context) == Some(s.as_str()),
        }
    }

    pub fn enforced(&self) -> bool {
        self.pending.is_none()
    }

    /// Where the requirement is set, for messages: its sources joined with "and".
    pub fn source(&self) -> Option<String> {
        (!self.sources.is_empty()).then(|| self.sources.join(" and "))
    }

    /// Pinned to an app other than `actions` (GitHub Actions' app id): no workflow job's
    /// check run satisfies it.
    pub fn pinned_elsewhere(&self, actions: i64) -> bool {
        match self.app {
            Some(AppPin::App(id)) => id != actions,
            Some(AppPin::Other) => true,
            Some(AppPin::Any) | None => false,
        }
    }
}

/// `CI / build (push)` → `CI / build`, for the events that post a context.
pub fn strip_event_suffix(context: &str) -> Option<&str> {
    let open = context.rfind(" (")?;
    let event = context[open + 2..].strip_suffix(')')?;
    matches!(
        event,
        "push" | "pull_request" | "pull_request_target" | "release" | "merge_group"
    )
    .then_some(&context[..open])
}

/// The shape a protection file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    GithubClassic,
    GithubRulesets,
    GithubCombined,
    GiteaList,
    GiteaSingle,
    GiteaBranch,
    TextList,
    /// Written by `gatelint snapshot`.
    Snapshot,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shape::GithubClassic => "GitHub branch protection",
            Shape::GithubRulesets => "GitHub rulesets (rules/branches)",
            Shape::GithubCombined => "GitHub branch protection and rulesets",
            Shape::GiteaList => "Gitea/Forgejo branch_protections",
            Shape::GiteaSingle => "Gitea/Forgejo branch protection",
            Shape::GiteaBranch => "Gitea/Forgejo branch",
            Shape::TextList => "context list",
            Shape::Snapshot => "gatelint snapshot",
        })
    }
}

/// What protection requires of the target branch.
#[derive(Debug, Clone)]
pub struct Protection {
    /// The source path as given (findings about entries point at it).
    pub file: String,
    pub shape: Shape,
    /// For a `branch_protections` list: the rule that applies to the branch, if any.
    pub rule: Option<String>,
    pub required: Vec<Required>,
    /// Why nothing is required, when that is the case (unprotected branch, status checks off).
    pub nothing_required: Option<String>,
    /// Read from a file (findings point into it); false when read live.
    pub local: bool,
    /// GitHub: a merge queue applies to the branch (a ruleset's `merge_queue` rule), and
    /// where it comes from, e.g. "ruleset 42 of octo/app". Classic protection's REST payload
    /// does not say whether a queue is on: `merge-queue = true` in gatelint.toml does.
    pub merge_queue: Option<String>,
    /// GitHub, read live with a token that may list them: every branch ruleset of the
    /// repository (its organisation's too), each read by id, with whether it applies to the
    /// branch. Rulesets in `evaluate` or `disabled` mode are only here: `rules/branches`
    /// leaves them out.
    pub rulesets: Vec<Ruleset>,
    /// GitHub, read live from `GET …/branches/{b}/protection`: its `required_status_checks`
    /// object as read, for a request body that keeps every other check.
    pub classic_checks: Option<Json>,
    /// Reusable workflows of other repositories read with `--remote` (by `uses:` value: the
    /// text or why it could not be read), kept in snapshots so the offline path names the
    /// jobs that call them.
    pub called: Option<crate::forge::source::called::Fetched>,
    /// The enforced entries indexed for matching, built on first use (`required` is not
    /// changed after the protection is read).
    index: OnceLock<Index>,
}

/// Enforced entries by what they match: exact strings (and globs without special
/// characters) and any-event names by hash, true globs in list order.
#[derive(Debug, Clone, Default)]
struct Index {
    exact: HashMap<String, usize>,
    any_event: HashMap<String, usize>,
    globs: Vec<usize>,
}

impl Index {
    fn new(required: &[Required]) -> Index {
        let mut ix = Index::default();
        for (i, r) in required.iter().enumerate() {
            if !r.enforced() {
                continue;
            }
            match &r.matcher {
                Matcher::Exact(s) => {
                    ix.exact.entry(s.clone()).or_insert(i);
                }
                Matcher::Glob(g) if g.is_literal() => {
                    ix.exact.entry(g.pattern().to_owned()).or_insert(i);
                }
                Matcher::Glob(_) => ix.globs.push(i),
                Matcher::AnyEvent(s) => {
                    ix.any_event.entry(s.clone()).or_insert(i);
                }
            }
        }
        ix
    }

    /// The entries (positions) that match `context` by hash, at most three.
    fn hashed(&self, context: &str) -> impl Iterator<Item = usize> {
        let stripped = strip_event_suffix(context).and_then(|s| self.any_event.get(s));
        [
            self.exact.get(context),
            self.any_event.get(context),
            stripped,
        ]
        .into_iter()
        .flatten()
        .copied()
    }
}

impl Protection {
    /// The union of several sources (GitHub classic protection and rulesets).
    pub fn union(parts: Vec<Protection>, file: &str, shape: Shape) -> Protection {
        let mut required = Vec::new();
        let mut rule = None;
        let mut merge_queue = None;
        for p in parts {
            required.extend(p.required);
            rule = rule.or(p.rule);
            merge_queue = merge_queue.or(p.merge_queue);
        }
        dedupe(&mut required);
        let nothing_required = required
            .is_empty()
            .then(|| "no branch protection or ruleset requires a status check".to_owned());
        Protection {
            file: file.to_owned(),
            shape,
            rule,
            required,
            nothing_required,
            local: false,
            merge_queue,
            rulesets: Vec::new(),
            classic_checks: None,
            called: None,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(&self.required))
    }

    /// True if an enforced entry matches `context`.
    pub fn requires(&self, context: &str) -> bool {
        self.first_match(context).is_some()
    }

    /// The first enforced entry, in list order, that matches `context`. Exact entries are
    /// found by hash; only true globs are tried one by one.
    pub fn first_match(&self, context: &str) -> Option<&Required> {
        let ix = self.index();
        let mut best = ix.hashed(context).min();
        for &i in &ix.globs {
            if best.is_some_and(|b| b < i) {
                break;
            }
            if self.required.get(i).is_some_and(|r| r.matches(context)) {
                best = Some(i);
                break;
            }
        }
        best.and_then(|i| self.required.get(i))
    }

    /// For each entry of `required` (by position): whether it is enforced and matches one of
    /// `contexts`. Linear in the contexts times the true globs, not in the entries.
    pub fn matched_by<'c>(&self, contexts: impl IntoIterator<Item = &'c str>) -> Vec<bool> {
        let ix = self.index();
        let mut hit = vec![false; self.required.len()];
        for c in contexts {
            for i in ix.hashed(c) {
                if let Some(h) = hit.get_mut(i) {
                    *h = true;
                }
            }
            for &i in &ix.globs {
                if let (Some(h), Some(r)) = (hit.get_mut(i), self.required.get(i))
                    && !*h
                    && r.matches(c)
                {
                    *h = true;
                }
            }
        }
        hit
    }

    pub fn enforced(&self) -> impl Iterator<Item = &Required> {
        self.required.iter().filter(|r| r.enforced())
    }
}

/// A protection source that cannot be used: exit 2, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", location(.line, .column))]
pub struct ProtectionError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

fn location(line: &Option<usize>, column: &Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// Read a protection source file. `branch` selects the rule of a `branch_protections` list;
/// a snapshot of another branch, or of another repository than `repository` (when known,
/// `OWNER/NAME`), is refused.
pub fn load(
    path: &std::path::Path,
    shown: &str,
    branch: &str,
    repository: Option<&str>,
) -> Result<Protection, ProtectionError> {
    load_with_text(path, shown, branch, repository).map(|(p, _)| p)
}

/// [`load`], also giving the file's text (for snippets), read once.
pub fn load_with_text(
    path: &std::path::Path,
    shown: &str,
    branch: &str,
    repository: Option<&str>,
) -> Result<(Protection, String), ProtectionError> {
    let err = |message: String| ProtectionError {
        file: shown.to_owned(),
        line: None,
        column: None,
        message,
    };
    let text = crate::safe_fs::read_capped(path, crate::safe_fs::MAX_PROTECTION_BYTES)
        .map_err(err)
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|e| {
                err(format!(
                    "a binary file, not a protection payload or a context list (not UTF-8 text at byte {})",
                    e.utf8_error().valid_up_to()
                ))
            })
        })?;
    parse_for(&text, shown, branch, repository).map(|p| (p, text))
}

/// Parse a protection source's text; the shape is detected from the content.
pub fn parse(text: &str, file: &str, branch: &str) -> Result<Protection, ProtectionError> {
    parse_for(text, file, branch, None)
}

/// [`parse`], refusing a snapshot of another branch or of another repository than
/// `repository` (when known).
pub fn parse_for(
    text: &str,
    file: &str,
    branch: &str,
    repository: Option<&str>,
) -> Result<Protection, ProtectionError> {
    let body = text.trim_start_matches('\u{feff}');
    let first = body.trim_start().chars().next();
    if matches!(first, Some('{' | '[')) {
        let json: Json = serde_json::from_str(body).map_err(|e| ProtectionError {
            file: file.to_owned(),
            line: Some(e.line()),
            column: Some(e.column().max(1)),
            message: format!("invalid JSON: {e}"),
        })?;
        return from_json(&json, body, file, branch, repository);
    }
    if body.contains('\0') {
        return Err(ProtectionError {
            file: file.to_owned(),
            line: None,
            column: None,
            message: "not a text file (NUL byte)".to_owned(),
        });
    }
    // A web page saved in place of the API's answer (a login or error page) would read as a
    // list of nonsense contexts: refuse it.
    let start: String = body
        .trim_start()
        .chars()
        .take(9)
        .collect::<String>()
        .to_ascii_lowercase();
    let page = ["<!doctype", "<html", "<?xml", "<head", "<body", "<!--"]
        .iter()
        .any(|p| start.starts_with(p));
    if page {
        let (line, _) =
            crate::yaml::LineIndex::new(body).line_col(body, body.len() - body.trim_start().len());
        return Err(ProtectionError {
            file: file.to_owned(),
            line: Some(line),
            column: Some(1),
            message: "an HTML or XML page, not a protection payload or a context list (a login or \
                      error page saved instead of the API's answer?)"
                .to_owned(),
        });
    }
    Ok(text_list(body, file))
}

fn text_list(text: &str, file: &str) -> Protection {
    let mut pending = None;
    let mut required = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            // `# pending-#N (not yet enforced)`: this entry and all below are pending.
            let c = comment.trim_start();
            if let Some(rest) = c.strip_prefix("pending-#") {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse() {
                    pending = Some(n);
                }
            }
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let col = raw[..indent].chars().count() as u32;
        let width = line.chars().count() as u32;
        let matcher = if strip_event_suffix(line).is_some() {
            Matcher::Exact(line.to_owned())
        } else {
            Matcher::AnyEvent(line.to_owned())
        };
        required.push(Required {
            text: line.to_owned(),
            matcher,
            pending,
            span: Some(Span::new(
                Pos::new(i + 1, col),
                Pos::new(i + 1, col + width),
            )),
            app: None,
            sources: Vec::new(),
        });
    }
    let nothing_required = required
        .iter()
        .all(|r| !r.enforced())
        .then(|| "the list names no enforced context".to_owned());
    Protection {
        file: file.to_owned(),
        shape: Shape::TextList,
        rule: None,
        required,
        nothing_required,
        local: true,
        merge_queue: None,
        rulesets: Vec::new(),
        classic_checks: None,
        called: None,
        index: OnceLock::new(),
    }
}

struct JsonCtx<'a> {
    text: &'a str,
    file: &'a str,
    /// Each string literal of the text (with its quotes) and where it first occurs, built on
    /// first use in one pass.
    strings: std::cell::OnceCell<HashMap<&'a str, Span>>,
    /// How many glob patterns were compiled, against [`MAX_GLOBS`].
    globs: std::cell::Cell<usize>,
}

impl<'a> JsonCtx<'a> {
    fn new(text: &'a str, file: &'a str) -> Self {
        JsonCtx {
            text,
            file,
            strings: std::cell::OnceCell::new(),
            globs: std::cell::Cell::new(0),
        }
    }

    /// Where the first occurrence of `value` (as a JSON string) is in the file.
    fn span_of(&self, value: &str) -> Option<Span> {
        let needle = serde_json::to_string(value).ok()?;
        self.strings
            .get_or_init(|| string_literals(self.text))
            .get(needle.as_str())
            .copied()
    }

    /// Count one more glob pattern; an error past [`MAX_GLOBS`].
    fn count_glob(&self, near: &str) -> Result<(), ProtectionError> {
        let n = self.globs.get() + 1;
        self.globs.set(n);
        if n > MAX_GLOBS {
            return Err(self.shape_error(
                format!(
                    "more than {MAX_GLOBS} glob patterns: gatelint matches each posted context \
                     against each of them, and refuses more"
                ),
                Some(near),
            ));
        }
        Ok(())
    }

    fn shape_error(&self, message: String, near: Option<&str>) -> ProtectionError {
        let line = near.and_then(|key| {
            let at = self.text.find(&format!("\"{key}\""))?;
            Some(self.text[..at].matches('\n').count() + 1)
        });
        ProtectionError {
            file: self.file.to_owned(),
            line,
            column: None,
            message,
        }
    }

    fn strings<'j>(&self, v: &'j Json, key: &str) -> Result<Vec<&'j str>, ProtectionError> {
        match v {
            Json::Null => Ok(Vec::new()),
            Json::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str().ok_or_else(|| {
                        self.shape_error(format!("`{key}` must be a list of strings"), Some(key))
                    })
                })
                .collect(),
            _ => Err(self.shape_error(format!("`{key}` must be a list of strings"), Some(key))),
        }
    }

    fn required(&self, text: &str, matcher: Matcher, app: Option<AppPin>) -> Required {
        Required {
            text: text.to_owned(),
            matcher,
            pending: None,
            span: self.span_of(text),
            app,
            sources: Vec::new(),
        }
    }

    fn glob(&self, pattern: &str) -> Result<Required, ProtectionError> {
        if pattern.contains(['*', '?', '[', '{', '\\']) {
            self.count_glob("status_check_contexts")?;
        }
        let g = Glob::new(pattern, None).map_err(|e| {
            let mut err = self.shape_error(format!("status check pattern {e}"), None);
            err.line = self.span_of(pattern).map(|s| s.start.line as usize);
            err
        })?;
        Ok(self.required(pattern, Matcher::Glob(g), None))
    }
}

/// Every string literal of a JSON text (quotes included, as written) with the span of its
/// first occurrence: line 1-based, columns 0-based in characters.
fn string_literals(text: &str) -> HashMap<&str, Span> {
    let mut out = HashMap::new();
    let mut line = 1usize;
    let mut col = 0u32;
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\n' => {
                line += 1;
                col = 0;
            }
            '"' => {
                let (start_line, start_col) = (line, col);
                col += 1;
                let mut end = text.len();
                let mut escaped = false;
                for (i, k) in chars.by_ref() {
                    col += 1;
                    if k == '\n' {
                        line += 1;
                        col = 0;
                    }
                    if escaped {
                        escaped = false;
                    } else if k == '\\' {
                        escaped = true;
                    } else if k == '"' {
                        end = i + 1;
                        break;
                    }
                }
                if let Some(literal) = text.get(at..end) {
                    out.entry(literal).or_insert_with(|| {
                        Span::new(Pos::new(start_line, start_col), Pos::new(line, col))
                    });
                }
            }
            _ => col += 1,
        }
    }
    out
}

fn is_github_classic(o: &serde_json::Map<String, Json>) -> bool {
    o.contains_key("required_status_checks")
        || (o.contains_key("contexts") && !o.contains_key("status_check_contexts"))
        || o.contains_key("checks")
        || o.get("protection").is_some_and(Json::is_object)
}

fn is_github_rule(o: &serde_json::Map<String, Json>) -> bool {
    o.get("type").is_some_and(Json::is_string)
}

fn is_gitea(o: &serde_json::Map<String, Json>) -> bool {
    [
        "status_check_contexts",
        "enable_status_check",
        "rule_name",
        "branch_name",
    ]
    .iter()
    .any(|k| o.contains_key(*k))
}

fn from_json(
    json: &Json,
    text: &str,
    file: &str,
    branch: &str,
    repository: Option<&str>,
) -> Result<Protection, ProtectionError> {
    let cx = JsonCtx::new(text, file);
    let unknown = || {
        // An API's error answer saved in place of the payload: say so, with its message.
        let api_error = json
            .get("message")
            .and_then(Json::as_str)
            .map(|m| {
                let m: String = m.chars().take(120).collect();
                let status = match json.get("status") {
                    Some(Json::String(s)) => {
                        format!(", status {}", s.chars().take(8).collect::<String>())
                    }
                    Some(Json::Number(n)) => format!(", status {n}"),
                    _ => String::new(),
                };
                format!(" (it is an API error answer: \"{m}\"{status})")
            })
            .unwrap_or_default();
        cx.shape_error(
            format!(
                "not a protection payload{api_error}: expected GitHub branch protection \
                 (`required_status_checks`), GitHub rules (`[{{\"type\": …}}]`), Gitea/Forgejo \
                 `branch_protections`, a protection or a branch (`status_check_contexts`)"
            ),
            None,
        )
    };
    let mut out = Protection {
        file: file.to_owned(),
        shape: Shape::GithubClassic,
        rule: None,
        required: Vec::new(),
        nothing_required: None,
        local: true,
        merge_queue: None,
        rulesets: Vec::new(),
        classic_checks: None,
        called: None,
        index: OnceLock::new(),
    };
    match json {
        Json::Object(o) if o.contains_key(SNAPSHOT_KEY) => {
            snapshot(&cx, o, branch, repository, &mut out)?;
        }
        Json::Object(o) if is_github_classic(o) => {
            github_classic(&cx, o, &mut out)?;
            if let Some(rules) = o.get("rules") {
                let Json::Array(items) = rules else {
                    return Err(cx.shape_error("`rules` must be a list".to_owned(), Some("rules")));
                };
                github_rules(&cx, items, &mut out)?;
                out.shape = Shape::GithubCombined;
            }
        }
        Json::Object(o) if is_gitea(o) => {
            out.shape = if o.contains_key("commit") || o.contains_key("protected") {
                Shape::GiteaBranch
            } else {
                Shape::GiteaSingle
            };
            gitea_rule(&cx, o, &mut out)?;
        }
        Json::Object(_) => return Err(unknown()),
        Json::Array(items) => {
            let objects: Vec<&serde_json::Map<String, Json>> =
                items.iter().filter_map(Json::as_object).collect();
            if objects.len() != items.len() {
                return Err(unknown());
            }
            if objects.iter().any(|o| is_gitea(o)) {
                if !objects.iter().all(|o| is_gitea(o)) {
                    return Err(unknown());
                }
                out.shape = Shape::GiteaList;
                gitea_list(&cx, &objects, branch, &mut out)?;
            } else if objects
                .iter()
                .all(|o| is_github_rule(o) || is_github_classic(o))
            {
                let classic: Vec<_> = objects.iter().filter(|o| !is_github_rule(o)).collect();
                let rules: Vec<Json> = items
                    .iter()
                    .filter(|i| i.as_object().is_some_and(is_github_rule))
                    .cloned()
                    .collect();
                for o in &classic {
                    github_classic(&cx, o, &mut out)?;
                }
                github_rules(&cx, &rules, &mut out)?;
                out.shape = if classic.is_empty() {
                    Shape::GithubRulesets
                } else {
                    Shape::GithubCombined
                };
            } else {
                return Err(unknown());
            }
        }
        _ => return Err(unknown()),
    }
    dedupe(&mut out.required);
    if out.required.is_empty() && out.nothing_required.is_none() {
        out.nothing_required = Some(format!("the {} requires no status check", out.shape));
    }
    Ok(out)
}

/// The key that marks a file written by `gatelint snapshot`, with its format version.
pub const SNAPSHOT_KEY: &str = "gatelint-snapshot";
/// The snapshot format written: 2 adds `called` (version 1 is still read).
pub const SNAPSHOT_VERSION: i64 = 2;

/// What a snapshot records of the protection it froze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotMeta<'a> {
    pub forge: &'a str,
    pub server: &'a str,
    pub repository: &'a str,
    pub branch: &'a str,
    pub source: &'a str,
    pub fetched_at: &'a str,
}

/// Write protection as a snapshot: stable key order, contexts sorted, one per line.
pub fn write_snapshot(p: &Protection, meta: &SnapshotMeta<'_>) -> String {
    let glob = p
        .required
        .iter()
        .any(|r| matches!(r.matcher, Matcher::Glob(_)));
    let mut enforced: Vec<&Required> = p.required.iter().filter(|r| r.enforced()).collect();
    enforced.sort_unstable_by(|a, b| a.text.cmp(&b.text));
    // Checks of another app whose id is not known stay apart, as `other-apps` (exact names,
    // never read as patterns).
    let required: Vec<&str> = enforced
        .iter()
        .filter(|r| r.app != Some(AppPin::Other))
        .map(|r| r.text.as_str())
        .collect();
    // The app each check must come from, where the source said (null: any app).
    let mut apps = serde_json::Map::new();
    let mut sources = serde_json::Map::new();
    for r in &enforced {
        match r.app {
            Some(AppPin::Any) => {
                apps.insert(r.text.clone(), Json::Null);
            }
            Some(AppPin::App(id)) => {
                apps.insert(r.text.clone(), Json::from(id));
            }
            Some(AppPin::Other) | None => {}
        }
        if !r.sources.is_empty() {
            sources.insert(r.text.clone(), Json::from(r.sources.clone()));
        }
    }
    let other: Vec<&str> = enforced
        .iter()
        .filter(|r| r.app == Some(AppPin::Other))
        .map(|r| r.text.as_str())
        .collect();
    let mut doc = serde_json::Map::new();
    doc.insert(SNAPSHOT_KEY.to_owned(), Json::from(SNAPSHOT_VERSION));
    doc.insert("forge".to_owned(), Json::from(meta.forge));
    doc.insert("server".to_owned(), Json::from(meta.server));
    doc.insert("repository".to_owned(), Json::from(meta.repository));
    doc.insert("branch".to_owned(), Json::from(meta.branch));
    doc.insert("source".to_owned(), Json::from(meta.source));
    doc.insert(
        "rule".to_owned(),
        p.rule.as_deref().map_or(Json::Null, Json::from),
    );
    doc.insert(
        "matching".to_owned(),
        Json::from(if glob { "glob" } else { "exact" }),
    );
    doc.insert("fetched-at".to_owned(), Json::from(meta.fetched_at));
    doc.insert(
        "nothing-required".to_owned(),
        p.nothing_required.as_deref().map_or(Json::Null, Json::from),
    );
    doc.insert("required".to_owned(), Json::from(required));
    doc.insert("apps".to_owned(), Json::Object(apps));
    doc.insert("sources".to_owned(), Json::Object(sources));
    if !other.is_empty() {
        doc.insert("other-apps".to_owned(), Json::from(other));
    }
    doc.insert(
        "merge-queue".to_owned(),
        p.merge_queue.as_deref().map_or(Json::Null, Json::from),
    );
    if let Some(called) = p.called.as_ref().filter(|c| !c.is_empty()) {
        let mut sorted: Vec<(&String, &Result<String, String>)> = called.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut map = serde_json::Map::new();
        for (uses, read) in sorted {
            let entry = match read {
                Ok(text) => serde_json::json!({"text": text}),
                Err(why) => serde_json::json!({"error": why}),
            };
            map.insert(uses.clone(), entry);
        }
        doc.insert("called".to_owned(), Json::Object(map));
    }
    serde_json::to_string_pretty(&Json::Object(doc)).unwrap_or_default() + "\n"
}

fn snapshot(
    cx: &JsonCtx<'_>,
    o: &serde_json::Map<String, Json>,
    branch: &str,
    repository: Option<&str>,
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    out.shape = Shape::Snapshot;
    if !matches!(o.get(SNAPSHOT_KEY).and_then(Json::as_i64), Some(1 | 2)) {
        return Err(cx.shape_error(
            "unknown snapshot version: this gatelint reads versions 1 and 2".to_owned(),
            Some(SNAPSHOT_KEY),
        ));
    }
    out.called = snapshot_called(cx, o)?;
    // What the snapshot froze must be what is checked: another branch's or repository's
    // protection would pass or fail the wrong gates.
    let meta = |key: &str| match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(v)) => Ok(Some(v.as_str())),
        Some(_) => Err(cx.shape_error(format!("`{key}` must be a string"), Some(key))),
    };
    let froze_branch = meta("branch")?;
    let froze_repo = meta("repository")?;
    let of_repo = froze_repo
        .map(|r| format!(" of {}", crate::forge::source::text::shown(r)))
        .unwrap_or_default();
    if let Some(b) = froze_branch
        && b != branch
    {
        return Err(cx.shape_error(
            format!(
                "this is a snapshot of branch `{}`{of_repo}, but branch `{}` is checked: pass \
                 --branch {0} if that is the target, or take a snapshot of `{1}` \
                 (`gatelint snapshot --remote --branch {1} -o FILE`)",
                crate::forge::source::text::shown(b),
                crate::forge::source::text::shown(branch)
            ),
            Some("branch"),
        ));
    }
    if let (Some(froze), Some(checked)) = (froze_repo, repository)
        && !froze.eq_ignore_ascii_case(checked)
    {
        return Err(cx.shape_error(
            format!(
                "this is a snapshot of repository {}, but {} is checked (from --repo or \
                 GITHUB_REPOSITORY): take a snapshot of this repository \
                 (`gatelint snapshot --remote -o FILE`)",
                crate::forge::source::text::shown(froze),
                crate::forge::source::text::shown(checked)
            ),
            Some("repository"),
        ));
    }
    let glob = match o.get("matching").and_then(Json::as_str) {
        Some("glob") => true,
        Some("exact") => false,
        _ => {
            return Err(cx.shape_error(
                "`matching` must be \"glob\" or \"exact\"".to_owned(),
                Some("matching"),
            ));
        }
    };
    out.rule = o.get("rule").and_then(Json::as_str).map(str::to_owned);
    out.nothing_required = o
        .get("nothing-required")
        .and_then(Json::as_str)
        .map(str::to_owned);
    out.merge_queue = meta("merge-queue")?.map(str::to_owned);
    let object = |key: &str| match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(m)) => Ok(Some(m)),
        Some(_) => Err(cx.shape_error(format!("`{key}` must be an object"), Some(key))),
    };
    let apps = object("apps")?;
    let sources = object("sources")?;
    let required = o.get("required").unwrap_or(&Json::Null);
    for text in cx.strings(required, "required")? {
        let app = match apps.and_then(|m| m.get(text)) {
            None => None,
            Some(Json::Null) => Some(AppPin::Any),
            // GitHub's -1 (and 0) mean any app, as in the API.
            Some(v) => Some(match v.as_i64() {
                Some(id) if id > 0 => AppPin::App(id),
                Some(_) => AppPin::Any,
                None => {
                    return Err(cx.shape_error(
                        "each of `apps` must be an app id (a number) or null".to_owned(),
                        Some("apps"),
                    ));
                }
            }),
        };
        let mut entry = if glob {
            cx.glob(text)?
        } else {
            cx.required(text, Matcher::Exact(text.to_owned()), app)
        };
        entry.sources = match sources.and_then(|m| m.get(text)) {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::String(one)) => vec![crate::forge::source::text::shown(one)],
            Some(Json::Array(all)) => all
                .iter()
                .filter_map(Json::as_str)
                .take(MAX_SOURCES)
                .map(crate::forge::source::text::shown)
                .collect(),
            Some(_) => {
                return Err(cx.shape_error(
                    "each of `sources` must be a string or a list of strings".to_owned(),
                    Some("sources"),
                ));
            }
        };
        out.required.push(entry);
    }
    // Older snapshots: checks pinned to another app, listed apart.
    if let Some(other) = o.get("other-apps") {
        for text in cx.strings(other, "other-apps")? {
            out.required.push(cx.required(
                text,
                Matcher::Exact(text.to_owned()),
                Some(AppPin::Other),
            ));
        }
    }
    Ok(())
}

/// Sources one requirement keeps at most (a file could list any number).
const MAX_SOURCES: usize = 32;

/// How strictly a pin binds, for merging the requirements of several sources: all apply on
/// GitHub, so a check one of them pins to another app than GitHub Actions waits for that
/// app, whatever the others say.
fn pin_rank(app: Option<AppPin>) -> u8 {
    match app {
        Some(AppPin::App(id)) if id != GITHUB_ACTIONS_APP_ID => 4,
        Some(AppPin::Other) => 3,
        Some(AppPin::App(_)) => 2,
        Some(AppPin::Any) => 1,
        None => 0,
    }
}

/// One entry per context, with every source that requires it and the strictest pin.
/// A snapshot's `called`: at most [`MAX_CALLED`](crate::forge::source::called::MAX_CALLED)
/// entries of at most that many bytes, each `{"text": …}` or `{"error": …}`.
fn snapshot_called(
    cx: &JsonCtx<'_>,
    o: &serde_json::Map<String, Json>,
) -> Result<Option<crate::forge::source::called::Fetched>, ProtectionError> {
    use crate::forge::source::called::{MAX_CALLED, MAX_CALLED_BYTES};
    let bad = |what: &str| cx.shape_error(format!("`called` {what}"), Some("called"));
    let map = match o.get("called") {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Object(m)) => m,
        Some(_) => return Err(bad("must be an object")),
    };
    if map.len() > MAX_CALLED {
        return Err(bad(&format!("holds more than {MAX_CALLED} workflows")));
    }
    let mut out = HashMap::with_capacity(map.len());
    for (uses, entry) in map {
        let read = match (
            entry.get("text").and_then(Json::as_str),
            entry.get("error").and_then(Json::as_str),
        ) {
            (Some(t), None) if t.len() <= MAX_CALLED_BYTES => Ok(t.to_owned()),
            (Some(_), None) => {
                return Err(bad(&format!(
                    "holds a file larger than {MAX_CALLED_BYTES} bytes"
                )));
            }
            (None, Some(e)) => Err(crate::forge::source::text::shown(e)),
            _ => return Err(bad("entries must be {\"text\": …} or {\"error\": …}")),
        };
        out.insert(uses.clone(), read);
    }
    Ok(Some(out))
}

fn dedupe(required: &mut Vec<Required>) {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut keep = vec![true; required.len()];
    for i in 0..required.len() {
        match first.get(&required[i].text) {
            Some(&at) => {
                keep[i] = false;
                if pin_rank(required[i].app) > pin_rank(required[at].app) {
                    required[at].app = required[i].app;
                }
                let more: Vec<String> = required[i]
                    .sources
                    .iter()
                    .filter(|s| !required[at].sources.contains(s))
                    .cloned()
                    .collect();
                let room = MAX_SOURCES.saturating_sub(required[at].sources.len());
                required[at].sources.extend(more.into_iter().take(room));
            }
            None => {
                first.insert(required[i].text.clone(), i);
            }
        }
    }
    let mut flags = keep.into_iter();
    required.retain(|_| flags.next().unwrap_or(true));
}

fn github_classic(
    cx: &JsonCtx<'_>,
    o: &serde_json::Map<String, Json>,
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    // `GET /branches/{b}` wraps it in `protection`, with `enabled`.
    let o = match o.get("protection") {
        Some(Json::Object(p)) => {
            if p.get("enabled") == Some(&Json::Bool(false)) {
                out.nothing_required =
                    Some("the branch is not protected (`protection.enabled` is false)".to_owned());
            }
            p
        }
        _ => o,
    };
    let checks_obj = match o.get("required_status_checks") {
        Some(Json::Object(r)) => r,
        Some(Json::Null) | None if o.contains_key("contexts") || o.contains_key("checks") => o,
        Some(Json::Null) | None => return Ok(()),
        Some(_) => {
            return Err(cx.shape_error(
                "`required_status_checks` must be an object".to_owned(),
                Some("required_status_checks"),
            ));
        }
    };
    if checks_obj.get("enforcement_level").and_then(Json::as_str) == Some("off") {
        return Ok(());
    }
    if let Some(contexts) = checks_obj.get("contexts") {
        for c in cx.strings(contexts, "contexts")? {
            let mut entry = cx.required(c, Matcher::Exact(c.to_owned()), None);
            entry.sources = vec![CLASSIC.to_owned()];
            out.required.push(entry);
        }
    }
    if let Some(checks) = checks_obj.get("checks") {
        let Json::Array(items) = checks else {
            return Err(cx.shape_error("`checks` must be a list".to_owned(), Some("checks")));
        };
        // Where each context already listed is, to mark it with its app.
        let mut listed: HashMap<String, usize> = HashMap::new();
        for (i, r) in out.required.iter().enumerate() {
            listed.entry(r.text.clone()).or_insert(i);
        }
        for item in items {
            let Some(context) = item.get("context").and_then(Json::as_str) else {
                return Err(cx.shape_error(
                    "each of `checks` needs a `context` string".to_owned(),
                    Some("checks"),
                ));
            };
            // `app_id` null (or -1, "any app"): no app pinned.
            let app = match item.get("app_id").and_then(Json::as_i64) {
                Some(id) if id > 0 => AppPin::App(id),
                _ => AppPin::Any,
            };
            if let Some(existing) = listed.get(context).and_then(|&i| out.required.get_mut(i)) {
                existing.app = Some(app);
            } else {
                listed.insert(context.to_owned(), out.required.len());
                let mut entry = cx.required(context, Matcher::Exact(context.to_owned()), Some(app));
                entry.sources = vec![CLASSIC.to_owned()];
                out.required.push(entry);
            }
        }
    }
    Ok(())
}

/// A GitHub ruleset as `GET /repos/{o}/{r}/rulesets/{id}` returns it.
#[derive(Debug, Clone)]
pub struct Ruleset {
    pub id: i64,
    pub name: String,
    /// "ruleset 42 of octo/app", "organisation ruleset 7 of octo".
    pub source: String,
    /// `active`, `evaluate` or `disabled`.
    pub enforcement: String,
    /// Whether its `ref_name` condition takes the branch (`Err`: cannot tell, and why).
    pub applies: Result<bool, String>,
    /// The contexts its `required_status_checks` rules list, with their `integration_id`.
    pub required: Vec<(String, Option<i64>)>,
    /// Its bypass actors: (actor type, actor id, bypass mode; an omitted mode is `always`).
    /// `None`: the answer has no `bypass_actors` (GitHub returns them only to a token that
    /// may write the ruleset).
    pub bypass: Option<Vec<(String, Option<i64>, String)>>,
    /// The whole object as read, for request bodies that must keep everything else.
    pub raw: Json,
}

/// A ruleset read by id, judged for `branch` (`default_branch`: the repository's, for
/// `~DEFAULT_BRANCH`). `None` when the object is not a branch ruleset.
pub fn read_ruleset(raw: &Json, branch: &str, default_branch: Option<&str>) -> Option<Ruleset> {
    let o = raw.as_object()?;
    let id = o.get("id")?.as_i64()?;
    if o.get("target")
        .and_then(Json::as_str)
        .is_some_and(|t| t != "branch")
    {
        return None;
    }
    let text = |k: &str| {
        o.get(k)
            .and_then(Json::as_str)
            .map(crate::forge::source::text::shown)
    };
    let org = o.get("source_type").and_then(Json::as_str) == Some("Organization");
    let source = match text("source") {
        Some(s) if org => format!("organisation ruleset {id} of {s}"),
        Some(s) => format!("ruleset {id} of {s}"),
        None => format!("ruleset {id}"),
    };
    let mut required = Vec::new();
    for rule in o
        .get("rules")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if rule.get("type").and_then(Json::as_str) != Some("required_status_checks") {
            continue;
        }
        let checks = rule
            .get("parameters")
            .and_then(|p| p.get("required_status_checks"))
            .and_then(Json::as_array);
        for c in checks.into_iter().flatten() {
            if let Some(context) = c.get("context").and_then(Json::as_str) {
                required.push((
                    context.to_owned(),
                    c.get("integration_id").and_then(Json::as_i64),
                ));
            }
        }
    }
    let bypass = o
        .get("bypass_actors")
        .and_then(Json::as_array)
        .map(|actors| {
            actors
                .iter()
                .map(|a| {
                    let text = |k: &str, default: &str| {
                        a.get(k)
                            .and_then(Json::as_str)
                            .map_or_else(|| default.to_owned(), crate::forge::source::text::shown)
                    };
                    (
                        text("actor_type", "?"),
                        a.get("actor_id").and_then(Json::as_i64),
                        text("bypass_mode", "always"),
                    )
                })
                .collect()
        });
    Some(Ruleset {
        id,
        name: text("name").unwrap_or_default(),
        source,
        enforcement: text("enforcement").unwrap_or_else(|| "active".to_owned()),
        applies: ruleset_applies(o, branch, default_branch),
        required,
        bypass,
        raw: raw.clone(),
    })
}

/// A ruleset's conditions against `branch`: its `ref_name` include and exclude patterns
/// (`~ALL`, `~DEFAULT_BRANCH`, `refs/heads/…` with fnmatch globs). What gatelint cannot judge
/// (a repository property, an unknown default branch, a pattern it cannot read) is `Err`.
fn ruleset_applies(
    o: &serde_json::Map<String, Json>,
    branch: &str,
    default_branch: Option<&str>,
) -> Result<bool, String> {
    let Some(conditions) = o.get("conditions").and_then(Json::as_object) else {
        // No conditions: a repository ruleset with no target branches applies to none.
        return Ok(false);
    };
    if conditions.contains_key("repository_property") {
        return Err(
            "its conditions name a repository property, which gatelint cannot judge".to_owned(),
        );
    }
    let full = format!("refs/heads/{branch}");
    let matches = |p: &str| -> Result<bool, String> {
        match p {
            "~ALL" => Ok(true),
            "~DEFAULT_BRANCH" => default_branch.map(|d| d == branch).ok_or_else(|| {
                "it targets the default branch, which gatelint could not read".to_owned()
            }),
            _ => Glob::new(p, Some('/'))
                .map(|g| g.matches(&full) || g.matches(branch))
                .map_err(|_| {
                    format!(
                        "gatelint cannot read its branch pattern `{}`",
                        crate::forge::source::text::shown(p)
                    )
                }),
        }
    };
    let list = |key: &str| -> Vec<&str> {
        conditions
            .get("ref_name")
            .and_then(|r| r.get(key))
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default()
    };
    let mut unsure = None;
    let mut included = false;
    for p in list("include") {
        match matches(p) {
            Ok(true) => {
                included = true;
                break;
            }
            Ok(false) => {}
            Err(why) => unsure = Some(why),
        }
    }
    if !included {
        return unsure.map_or(Ok(false), Err);
    }
    for p in list("exclude") {
        if matches(p)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Where a classic protection's requirement is set, for messages.
const CLASSIC: &str = "classic branch protection";

fn github_rules(
    cx: &JsonCtx<'_>,
    rules: &[Json],
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    for rule in rules {
        match rule.get("type").and_then(Json::as_str) {
            Some("required_status_checks") => {}
            Some("merge_queue") => {
                if out.merge_queue.is_none() {
                    out.merge_queue = Some(ruleset_source(rule));
                }
                continue;
            }
            _ => continue,
        }
        let checks = rule
            .get("parameters")
            .and_then(|p| p.get("required_status_checks"))
            .and_then(Json::as_array)
            .ok_or_else(|| {
                cx.shape_error(
                    "a `required_status_checks` rule needs `parameters.required_status_checks`"
                        .to_owned(),
                    Some("required_status_checks"),
                )
            })?;
        for check in checks {
            let Some(context) = check.get("context").and_then(Json::as_str) else {
                return Err(cx.shape_error(
                    "each required status check needs a `context` string".to_owned(),
                    Some("required_status_checks"),
                ));
            };
            let app = match check.get("integration_id").and_then(Json::as_i64) {
                Some(id) if id > 0 => AppPin::App(id),
                _ => AppPin::Any,
            };
            let mut entry = cx.required(context, Matcher::Exact(context.to_owned()), Some(app));
            entry.sources = vec![ruleset_source(rule)];
            out.required.push(entry);
        }
    }
    Ok(())
}

/// Where a rule of `rules/branches` comes from, for messages: "ruleset 42 of octo/app",
/// "organisation ruleset 73 of octo-org".
fn ruleset_source(rule: &Json) -> String {
    let id = rule.get("ruleset_id").and_then(Json::as_i64);
    let source = rule
        .get("ruleset_source")
        .and_then(Json::as_str)
        .map(crate::forge::source::text::shown);
    let org = rule.get("ruleset_source_type").and_then(Json::as_str) == Some("Organization");
    let what = if org {
        "organisation ruleset"
    } else {
        "ruleset"
    };
    match (id, source) {
        (Some(id), Some(s)) => format!("{what} {id} of {s}"),
        (Some(id), None) => format!("{what} {id}"),
        (None, Some(s)) => format!("a {what} of {s}"),
        (None, None) => format!("a {what}"),
    }
}

/// One Gitea/Forgejo protection (or a branch object): its status-check globs.
fn gitea_rule(
    cx: &JsonCtx<'_>,
    o: &serde_json::Map<String, Json>,
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    match o.get("enable_status_check") {
        Some(Json::Bool(true)) => {}
        Some(Json::Bool(false)) => {
            out.nothing_required =
                Some("`enable_status_check` is false: no status check is required".to_owned());
            return Ok(());
        }
        None | Some(Json::Null) => {}
        Some(_) => {
            return Err(cx.shape_error(
                "`enable_status_check` must be true or false".to_owned(),
                Some("enable_status_check"),
            ));
        }
    }
    if o.get("protected") == Some(&Json::Bool(false)) {
        out.nothing_required = Some("the branch is not protected".to_owned());
        return Ok(());
    }
    if let Some(contexts) = o.get("status_check_contexts") {
        for pattern in cx.strings(contexts, "status_check_contexts")? {
            out.required.push(cx.glob(pattern)?);
        }
    }
    Ok(())
}

/// The rule of a `branch_protections` list that applies to `branch`, chosen as Gitea does:
/// `priority` ascending, plain names before globs, then list (creation) order; the first
/// match wins and rules are not merged.
fn gitea_list(
    cx: &JsonCtx<'_>,
    rules: &[&serde_json::Map<String, Json>],
    branch: &str,
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    /// A rule with what orders it: priority, is a glob, position in the list.
    struct Candidate<'j> {
        priority: i64,
        glob: bool,
        index: usize,
        name: &'j str,
        rule: &'j serde_json::Map<String, Json>,
    }
    let mut ordered: Vec<Candidate<'_>> = Vec::new();
    for (i, o) in rules.iter().enumerate() {
        let name = o
            .get("rule_name")
            .and_then(Json::as_str)
            .filter(|n| !n.is_empty())
            .or_else(|| o.get("branch_name").and_then(Json::as_str))
            .unwrap_or("");
        if name.is_empty() {
            return Err(cx.shape_error(
                "a protection rule has no `rule_name`".to_owned(),
                Some("rule_name"),
            ));
        }
        ordered.push(Candidate {
            // Forgejo has no priority: list order decides.
            priority: o.get("priority").and_then(Json::as_i64).unwrap_or(i64::MAX),
            glob: has_glob_chars(name),
            index: i,
            name,
            rule: o,
        });
    }
    ordered.sort_by_key(|c| (c.priority, c.glob, c.index));
    for Candidate {
        glob,
        name,
        rule: o,
        ..
    } in ordered
    {
        let applies = if glob {
            cx.count_glob("rule_name")?;
            Glob::new(name, Some('/'))
                .map_err(|e| cx.shape_error(format!("rule name {e}"), Some("rule_name")))?
                .matches(branch)
        } else {
            name.eq_ignore_ascii_case(branch)
        };
        if applies {
            out.rule = Some(name.to_owned());
            return gitea_rule(cx, o, out);
        }
    }
    out.nothing_required = Some(format!("no protection rule applies to branch `{branch}`"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(p: &Protection) -> Vec<&str> {
        p.required.iter().map(|r| r.text.as_str()).collect()
    }

    #[test]
    fn text_list_with_pending_marker() {
        let p = parse(
            "# header\nCI / build\nCI / lint (pull_request)\n\n# pending-#12 (not yet enforced)\nCI / e2e\n",
            "ctx.txt",
            "main",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            texts(&p),
            ["CI / build", "CI / lint (pull_request)", "CI / e2e"]
        );
        assert_eq!(p.required[2].pending, Some(12));
        assert_eq!(
            p.required[0]
                .span
                .map(|s| (s.start.line, s.start.col, s.end.col)),
            Some((2, 0, 10))
        );
        assert!(p.requires("CI / build (push)"));
        assert!(p.requires("CI / build (pull_request)"));
        assert!(!p.requires("CI / build (linux) (push)"));
        assert!(p.requires("CI / lint (pull_request)"));
        assert!(!p.requires("CI / lint (push)"));
        assert!(!p.requires("CI / e2e (push)"));
    }

    #[test]
    fn gitea_list_rule_selection() {
        let list = r#"[
          {"rule_name": "release/*", "priority": 1, "enable_status_check": true, "status_check_contexts": ["glob"]},
          {"rule_name": "Main", "priority": 1, "enable_status_check": true, "status_check_contexts": ["CI / *"]},
          {"rule_name": "develop", "enable_status_check": false, "status_check_contexts": null}
        ]"#;
        let main = parse(list, "bp.json", "main").unwrap_or_else(|e| panic!("{e}"));
        // Same priority: the plain name is tried before the glob; names ignore case.
        assert_eq!(main.rule.as_deref(), Some("Main"));
        assert!(main.requires("CI / anything / at all (push)"));
        let rel = parse(list, "bp.json", "release/1.0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(texts(&rel), ["glob"]);
        let dev = parse(list, "bp.json", "develop").unwrap_or_else(|e| panic!("{e}"));
        assert!(dev.required.is_empty());
        assert!(dev.nothing_required.is_some());
        let none = parse(list, "bp.json", "feature/x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            none.nothing_required.as_deref(),
            Some("no protection rule applies to branch `feature/x`")
        );
    }

    #[test]
    fn github_shapes_union() {
        let combined = r#"{"required_status_checks": {"strict": true, "contexts": ["a"],
            "checks": [{"context": "a", "app_id": 15368}, {"context": "travis", "app_id": 8}]},
            "rules": [{"type": "required_status_checks", "parameters": {"required_status_checks": [{"context": "b"}]}}]}"#;
        let p = parse(combined, "gh.json", "main").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.shape, Shape::GithubCombined);
        assert_eq!(texts(&p), ["a", "travis", "b"]);
        assert_eq!(p.required[1].app, Some(AppPin::App(8)));
        assert!(p.required[1].pinned_elsewhere(GITHUB_ACTIONS_APP_ID));
        assert_eq!(p.required[0].app, Some(AppPin::App(GITHUB_ACTIONS_APP_ID)));
        assert!(!p.required[0].pinned_elsewhere(GITHUB_ACTIONS_APP_ID));
        // `b` comes from a ruleset with no `integration_id`: any source.
        assert_eq!(p.required[2].app, Some(AppPin::Any));
        assert_eq!(p.required[2].source().as_deref(), Some("a ruleset"));
        assert_eq!(
            p.required[0].source().as_deref(),
            Some("classic branch protection")
        );
        assert!(p.requires("a") && !p.requires("a (push)"));
    }

    /// Classic protection and a ruleset both apply: a check one pins to another app than
    /// GitHub Actions waits for that app, in whichever order they are read; every source is
    /// kept.
    #[test]
    fn conflicting_pins_keep_the_binding_one() {
        for (first, second) in [
            (r#"{"context": "build", "app_id": 15368}"#, "8"),
            (r#"{"context": "build", "app_id": 8}"#, "15368"),
        ] {
            let text = format!(
                r#"{{"required_status_checks": {{"contexts": ["build"], "checks": [{first}]}},
                "rules": [{{"type": "required_status_checks", "ruleset_id": 42,
                  "parameters": {{"required_status_checks": [{{"context": "build", "integration_id": {second}}}]}}}}]}}"#
            );
            let p = parse(&text, "gh.json", "main").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(p.required.len(), 1);
            assert_eq!(p.required[0].app, Some(AppPin::App(8)), "{text}");
            assert_eq!(
                p.required[0].source().as_deref(),
                Some("classic branch protection and ruleset 42")
            );
        }
    }

    /// A snapshot's `called` is bounded and shaped, or the snapshot is refused.
    #[test]
    fn snapshot_called_files_are_checked() {
        let snap = |called: &str| {
            format!(
                r#"{{"gatelint-snapshot": 2, "matching": "exact", "required": ["a"], "called": {called}}}"#
            )
        };
        let p = parse(
            &snap(r#"{"o/r/.github/workflows/x.yml@v1": {"text": "on: workflow_call"}, "o/p/.github/workflows/y.yml@main": {"error": "is not readable"}}"#),
            "s.json",
            "main",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let called = p.called.unwrap_or_default();
        assert_eq!(
            called.get("o/r/.github/workflows/x.yml@v1"),
            Some(&Ok("on: workflow_call".to_owned()))
        );
        assert_eq!(
            called.get("o/p/.github/workflows/y.yml@main"),
            Some(&Err("is not readable".to_owned()))
        );
        let many: Vec<String> = (0..51)
            .map(|i| format!(r#""o/r/.github/workflows/{i}.yml@v1": {{"text": ""}}"#))
            .collect();
        for (bad, says) in [
            ("[]".to_owned(), "`called` must be an object"),
            (r#"{"x": {"text": 3}}"#.to_owned(), "entries must be"),
            (
                r#"{"x": {"text": "a", "error": "b"}}"#.to_owned(),
                "entries must be",
            ),
            (
                format!("{{{}}}", many.join(",")),
                "holds more than 50 workflows",
            ),
        ] {
            let e = parse(&snap(&bad), "s.json", "main")
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let e = parse(
            r#"{"gatelint-snapshot": 3, "matching": "exact", "required": []}"#,
            "s.json",
            "main",
        )
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
        assert!(e.contains("reads versions 1 and 2"), "{e}");
    }

    #[test]
    fn wrong_shapes_are_errors_with_locations() {
        let e = parse("{\"foo\": 1}", "x.json", "main")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.starts_with("not a protection payload"), "{e}");
        let e = parse("{\n\"status_check_contexts\": 3}", "x.json", "main").err();
        assert_eq!(e.as_ref().and_then(|e| e.line), Some(2));
        let e = parse("[1, 2]", "x.json", "main").err();
        assert!(e.is_some());
        let e = parse("{\"a\": ", "x.json", "main").err();
        assert_eq!(
            e.map(|e| (e.line, e.column.is_some())),
            Some((Some(1), true))
        );
        let e = parse("{\"status_check_contexts\": [\"a[b\"]}", "x.json", "main").err();
        assert!(e.is_some_and(|e| e.message.contains("unclosed `[`")));
    }

    #[test]
    fn json_spans_are_the_first_occurrence() {
        let text = "{\"required_status_checks\": {\"contexts\": [\"a\", \"b \\\"q\\\"\"],\n  \"checks\": [{\"context\": \"a\"},\n{\"context\": \"ü c\", \"app_id\": 8}]}}";
        let p = parse(text, "gh.json", "main").unwrap_or_else(|e| panic!("{e}"));
        let spans: Vec<_> = p
            .required
            .iter()
            .map(|r| r.span.map(|s| (s.start.line, s.start.col, s.end.col)))
            .collect();
        assert_eq!(texts(&p), ["a", "b \"q\"", "ü c"]);
        assert_eq!(
            spans,
            [Some((1, 41, 44)), Some((1, 46, 55)), Some((3, 12, 17))]
        );
        assert_eq!(p.required[2].app, Some(AppPin::App(8)));
        // `a` is pinned by `checks` with no `app_id` (any); `b "q"` only in `contexts`.
        assert_eq!(p.required[0].app, Some(AppPin::Any));
        assert_eq!(p.required[1].app, None);
    }

    #[test]
    fn first_match_keeps_list_order() {
        let p = parse(
            "{\"status_check_contexts\": [\"CI / *\", \"CI / build (push)\", \"x\", \"*\"]}",
            "g.json",
            "main",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let first = |c: &str| p.first_match(c).map(|r| r.text.as_str());
        assert_eq!(first("CI / build (push)"), Some("CI / *"));
        assert_eq!(first("x"), Some("x"));
        assert_eq!(first("y"), Some("*"));
        assert_eq!(
            p.matched_by(["CI / build (push)", "x"]),
            [true, true, true, true]
        );
        assert_eq!(p.matched_by(["x"]), [false, false, true, true]);
        let list = parse("a\n# pending-#3\nb\n", "l.txt", "main").unwrap_or_else(|e| panic!("{e}"));
        assert!(list.requires("a (push)") && list.requires("a"));
        assert!(
            !list.requires("b (push)"),
            "pending entries are not enforced"
        );
        assert_eq!(list.matched_by(["a (pull_request)", "b"]), [true, false]);
    }

    #[test]
    fn many_contexts_and_globs() {
        // 200,000 exact contexts: parsed, located and matched by hash.
        let contexts: Vec<String> = (0..200_000)
            .map(|i| format!("CI / job-{i} (push)"))
            .collect();
        let text = serde_json::json!({"required_status_checks": {"contexts": contexts, "checks": contexts.iter().map(|c| serde_json::json!({"context": c, "app_id": 15368})).collect::<Vec<_>>()}}).to_string();
        let p = parse(&text, "big.json", "main").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.required.len(), 200_000);
        assert!(p.required.iter().all(|r| r.span.is_some()));
        let probes: Vec<String> = (0..2_000)
            .map(|i| format!("CI / job-{} (push)", i * 97))
            .collect();
        assert!(probes.iter().all(|c| p.requires(c)));
        assert!(!p.requires("CI / job-200000 (push)"));
        let hit = p.matched_by(probes.iter().map(String::as_str));
        assert_eq!(hit.iter().filter(|h| **h).count(), 2_000);

        // 2,000 pathological globs, and Gitea's literal contexts beside them.
        let mut patterns: Vec<String> = (0..2_000)
            .map(|i| format!("{}{i}*b", "*a".repeat(12)))
            .collect();
        patterns.extend((0..100_000).map(|i| format!("lint {i} (push)")));
        let text = serde_json::json!({"status_check_contexts": patterns}).to_string();
        let p = parse(&text, "g.json", "main").unwrap_or_else(|e| panic!("{e}"));
        let long = format!("{}1{}", "a".repeat(2_000), "a".repeat(2_000));
        assert!(!p.requires(&long));
        assert!(p.requires(&format!("{long}b")));
        assert!(p.requires("lint 99999 (push)"));
        assert_eq!(
            p.matched_by([long.as_str(), "lint 5 (push)"])
                .iter()
                .filter(|h| **h)
                .count(),
            1
        );

        // More true globs than that: refused, with the cap.
        let patterns: Vec<String> = (0..=MAX_GLOBS).map(|i| format!("CI {i} *")).collect();
        let text = serde_json::json!({"status_check_contexts": patterns}).to_string();
        let e = parse(&text, "g.json", "main")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "g.json:1: more than 5000 glob patterns: gatelint matches each posted context against each of them, and refuses more"
        );
    }

    #[test]
    fn snapshots_of_another_branch_or_repository_are_refused() {
        let snap = "{\n  \"gatelint-snapshot\": 1,\n  \"forge\": \"github\",\n  \"server\": \"https://github.com\",\n  \"repository\": \"octo/app\",\n  \"branch\": \"release\",\n  \"matching\": \"exact\",\n  \"required\": [\"build\"]\n}\n";
        let ok = |branch: &str, repo: Option<&str>| parse_for(snap, "s.json", branch, repo);
        assert!(ok("release", None).is_ok());
        assert!(ok("release", Some("Octo/App")).is_ok());
        let e = ok("main", Some("octo/app"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "s.json:6: this is a snapshot of branch `release` of octo/app, but branch `main` is checked: pass --branch release if that is the target, or take a snapshot of `main` (`gatelint snapshot --remote --branch main -o FILE`)"
        );
        let e = ok("release", Some("octo/other"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "s.json:5: this is a snapshot of repository octo/app, but octo/other is checked (from --repo or GITHUB_REPOSITORY): take a snapshot of this repository (`gatelint snapshot --remote -o FILE`)"
        );
        // A snapshot that names neither is taken as it is; a name that is not a string is not.
        let bare = "{\"gatelint-snapshot\": 1, \"matching\": \"exact\", \"required\": [\"a\"]}";
        assert!(parse_for(bare, "s.json", "main", Some("o/r")).is_ok());
        let odd = "{\"gatelint-snapshot\": 1, \"branch\": 3, \"matching\": \"exact\"}";
        assert!(
            parse_for(odd, "s.json", "main", None)
                .is_err_and(|e| e.message == "`branch` must be a string")
        );
    }

    #[test]
    fn event_suffix() {
        assert_eq!(strip_event_suffix("CI / build (push)"), Some("CI / build"));
        assert_eq!(
            strip_event_suffix("CI / build (linux) (pull_request)"),
            Some("CI / build (linux)")
        );
        assert_eq!(strip_event_suffix("CI / build (linux)"), None);
        assert_eq!(strip_event_suffix("build"), None);
    }
}
