//! Branch protection: what a branch requires, read from a file in any of the shapes the forges'
//! APIs return (or a plain list), normalised to one model, and matched the way the forge
//! matches (FORGE-SEMANTICS §5).

use std::fmt;

use serde_json::Value as Json;

use super::glob::{Glob, has_glob_chars};
use crate::yaml::{Pos, Span};

/// GitHub Actions' app / integration id, as widely reported (unverified, FORGE-SEMANTICS §2).
pub const GITHUB_ACTIONS_APP_ID: i64 = 15368;

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
    /// GitHub: pinned to an app other than GitHub Actions, so no workflow job can post it.
    pub external_app: bool,
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
}

impl Protection {
    /// The union of several sources (GitHub classic protection and rulesets).
    pub fn union(parts: Vec<Protection>, file: &str, shape: Shape) -> Protection {
        let mut required = Vec::new();
        let mut rule = None;
        for p in parts {
            required.extend(p.required);
            rule = rule.or(p.rule);
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
        }
    }

    /// True if an enforced entry matches `context`.
    pub fn requires(&self, context: &str) -> bool {
        self.required
            .iter()
            .any(|r| r.enforced() && r.matches(context))
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

/// Read a protection source file. `branch` selects the rule of a `branch_protections` list.
pub fn load(
    path: &std::path::Path,
    shown: &str,
    branch: &str,
) -> Result<Protection, ProtectionError> {
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
                    "not UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to()
                ))
            })
        })?;
    parse(&text, shown, branch)
}

/// Parse a protection source's text; the shape is detected from the content.
pub fn parse(text: &str, file: &str, branch: &str) -> Result<Protection, ProtectionError> {
    let body = text.trim_start_matches('\u{feff}');
    let first = body.trim_start().chars().next();
    if matches!(first, Some('{' | '[')) {
        let json: Json = serde_json::from_str(body).map_err(|e| ProtectionError {
            file: file.to_owned(),
            line: Some(e.line()),
            column: Some(e.column().max(1)),
            message: format!("invalid JSON: {e}"),
        })?;
        return from_json(&json, body, file, branch);
    }
    if body.contains('\0') {
        return Err(ProtectionError {
            file: file.to_owned(),
            line: None,
            column: None,
            message: "not a text file (NUL byte)".to_owned(),
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
            external_app: false,
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
    }
}

struct JsonCtx<'a> {
    text: &'a str,
    file: &'a str,
}

impl JsonCtx<'_> {
    /// Where the first occurrence of `value` (as a JSON string) is in the file.
    fn span_of(&self, value: &str) -> Option<Span> {
        let needle = serde_json::to_string(value).ok()?;
        let at = self.text.find(&needle)?;
        let line = self.text[..at].matches('\n').count() + 1;
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..at].chars().count() as u32;
        let width = needle.chars().count() as u32;
        Some(Span::new(Pos::new(line, col), Pos::new(line, col + width)))
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

    fn required(&self, text: &str, matcher: Matcher, external_app: bool) -> Required {
        Required {
            text: text.to_owned(),
            matcher,
            pending: None,
            span: self.span_of(text),
            external_app,
        }
    }

    fn glob(&self, pattern: &str) -> Result<Required, ProtectionError> {
        let g = Glob::new(pattern, None).map_err(|e| {
            let mut err = self.shape_error(format!("status check pattern {e}"), None);
            err.line = self.span_of(pattern).map(|s| s.start.line as usize);
            err
        })?;
        Ok(self.required(pattern, Matcher::Glob(g), false))
    }
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
) -> Result<Protection, ProtectionError> {
    let cx = JsonCtx { text, file };
    let unknown = || {
        cx.shape_error(
            "not a protection payload: expected GitHub branch protection (`required_status_checks`), \
             GitHub rules (`[{\"type\": …}]`), Gitea/Forgejo `branch_protections`, a protection or \
             a branch (`status_check_contexts`)"
                .to_owned(),
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
    };
    match json {
        Json::Object(o) if o.contains_key(SNAPSHOT_KEY) => snapshot(&cx, o, &mut out)?,
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
    let mut required: Vec<&str> = p
        .required
        .iter()
        .filter(|r| r.enforced() && !r.external_app)
        .map(|r| r.text.as_str())
        .collect();
    required.sort_unstable();
    let mut other: Vec<&str> = p
        .required
        .iter()
        .filter(|r| r.external_app)
        .map(|r| r.text.as_str())
        .collect();
    other.sort_unstable();
    let mut doc = serde_json::Map::new();
    doc.insert(SNAPSHOT_KEY.to_owned(), Json::from(1));
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
    doc.insert("other-apps".to_owned(), Json::from(other));
    serde_json::to_string_pretty(&Json::Object(doc)).unwrap_or_default() + "\n"
}

fn snapshot(
    cx: &JsonCtx<'_>,
    o: &serde_json::Map<String, Json>,
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    out.shape = Shape::Snapshot;
    if o.get(SNAPSHOT_KEY) != Some(&Json::from(1)) {
        return Err(cx.shape_error(
            "unknown snapshot version: this gatelint reads version 1".to_owned(),
            Some(SNAPSHOT_KEY),
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
    let required = o.get("required").unwrap_or(&Json::Null);
    for text in cx.strings(required, "required")? {
        if glob {
            out.required.push(cx.glob(text)?);
        } else {
            out.required
                .push(cx.required(text, Matcher::Exact(text.to_owned()), false));
        }
    }
    if let Some(other) = o.get("other-apps") {
        for text in cx.strings(other, "other-apps")? {
            out.required
                .push(cx.required(text, Matcher::Exact(text.to_owned()), true));
        }
    }
    Ok(())
}

fn dedupe(required: &mut Vec<Required>) {
    let mut seen = std::collections::HashSet::new();
    required.retain(|r| seen.insert(r.text.clone()));
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
            out.required
                .push(cx.required(c, Matcher::Exact(c.to_owned()), false));
        }
    }
    if let Some(checks) = checks_obj.get("checks") {
        let Json::Array(items) = checks else {
            return Err(cx.shape_error("`checks` must be a list".to_owned(), Some("checks")));
        };
        for item in items {
            let Some(context) = item.get("context").and_then(Json::as_str) else {
                return Err(cx.shape_error(
                    "each of `checks` needs a `context` string".to_owned(),
                    Some("checks"),
                ));
            };
            let app = item.get("app_id").and_then(Json::as_i64);
            let external = app.is_some_and(|a| a != GITHUB_ACTIONS_APP_ID);
            if let Some(existing) = out.required.iter_mut().find(|r| r.text == context) {
                existing.external_app = external;
            } else {
                out.required.push(cx.required(
                    context,
                    Matcher::Exact(context.to_owned()),
                    external,
                ));
            }
        }
    }
    Ok(())
}

fn github_rules(
    cx: &JsonCtx<'_>,
    rules: &[Json],
    out: &mut Protection,
) -> Result<(), ProtectionError> {
    for rule in rules {
        if rule.get("type").and_then(Json::as_str) != Some("required_status_checks") {
            continue;
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
            let app = check.get("integration_id").and_then(Json::as_i64);
            let external = app.is_some_and(|a| a != GITHUB_ACTIONS_APP_ID);
            out.required
                .push(cx.required(context, Matcher::Exact(context.to_owned()), external));
        }
    }
    Ok(())
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
        assert!(p.required[1].external_app);
        assert!(!p.required[0].external_app);
        assert!(p.requires("a") && !p.requires("a (push)"));
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
