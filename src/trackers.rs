//! Tracker liveness (`check --remote --trackers`): the issues that masks and pending
//! directives name, read from the forge. A mask or a pending directive whose issue is closed,
//! or does not exist, is `tracker-closed`; an issue open longer than `[masks] max-age-days` is
//! `tracker-overdue`.
//!
//! Trackers of a repository root: the issue of each `bp-required: pending <issue>` directive;
//! the `issue` of each `[[masks.waiver]]` that matches a job with a job-level
//! `continue-on-error`; and the issue references in the comments within 2 lines of such a
//! mask that match a `[masks] trackers` pattern. `#N` is an issue of the checked repository,
//! `owner/repo#N` of that repository on the same server, `prefix#N` of the repository
//! `[masks] tracker-repos` maps the prefix to, and a URL on the server's host is parsed as
//! `/{owner}/{repo}/issues/{N}`; of those, only the checked repository's issues and those of
//! the repositories `tracker-repos` names are read (a pull request's comment must not make
//! the token read another repository). Anything else (a `PROJ-123` key, another host, an unmapped
//! prefix, a name that is not OWNER/NAME) is not read and not requested: one note says so.

use std::collections::HashSet;

use crate::analyze::{Gate, RootReport};
use crate::config::{Config, Date};
use crate::finding::{Finding, Severity};
use crate::forge::Forge;
use crate::forge::source::issues::{self, Cache, IssueKey, Lookup, State};
use crate::forge::source::{RemoteSpec, text};
use crate::workflow::Directive;
use crate::yaml::Span;

/// The most distinct issues read for one repository root.
pub const MAX_TRACKERS_PER_ROOT: usize = 200;

/// How many references a note lists before `and N more`.
const MAX_NOTED: usize = 10;

/// The longest run of digits read as an issue number.
const MAX_NUMBER_DIGITS: usize = 12;

/// What the check found for one root.
#[derive(Debug, Default)]
pub struct Liveness {
    pub findings: Vec<Finding>,
    /// Distinct issues read (from the forge, or already read for another root).
    pub trackers: usize,
    /// Requests made for this root.
    pub requests: usize,
    /// References that were not read, each with why, escaped for the terminal.
    pub unread: Vec<String>,
}

impl Liveness {
    /// What to say on stderr (unless `-q`): the references not read, in one note, and the
    /// count of trackers and requests.
    pub fn stderr_lines(&self, root: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.unread.is_empty() {
            let shown: Vec<&str> = self
                .unread
                .iter()
                .take(MAX_NOTED)
                .map(String::as_str)
                .collect();
            let more = self.unread.len().saturating_sub(MAX_NOTED);
            out.push(format!(
                "gatelint: note: {root}: {} tracker reference{} not read (only issues on the \
                 --server are): {}{}",
                self.unread.len(),
                if self.unread.len() == 1 {
                    " is"
                } else {
                    "s are"
                },
                shown.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        out.push(format!(
            "gatelint: {root}: read {} tracker{} in {} request{}",
            self.trackers,
            if self.trackers == 1 { "" } else { "s" },
            self.requests,
            if self.requests == 1 { "" } else { "s" }
        ));
        out
    }
}

/// A reference as written, resolved against the configured server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Issue(IssueKey),
    /// Not read from this forge, and why.
    Unread(String),
}

/// An issue number: 1 to [`MAX_NUMBER_DIGITS`] ASCII digits, not 0.
fn number(n: &str) -> Option<u64> {
    if n.is_empty() || n.len() > MAX_NUMBER_DIGITS || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok().filter(|n| *n > 0)
}

fn is_url(w: &str) -> bool {
    let lower = w.get(..8).unwrap_or(w).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A tracker key: `PROJ-123` (an upper-case letter, then upper-case letters, digits or `_`).
fn is_tracker_key(w: &str) -> bool {
    w.rsplit_once('-').is_some_and(|(key, n)| {
        key.starts_with(|c: char| c.is_ascii_uppercase())
            && key
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && number(n).is_some()
    })
}

/// The issue references in a tracker comment, as written: `#N`, `owner/repo#N`, `prefix#N`,
/// http(s) URLs and tracker keys (`PROJ-123`), each a whitespace-separated word without the
/// brackets, quotes and punctuation around it.
pub fn references(comment: &str) -> Vec<&str> {
    comment
        .split_whitespace()
        .map(|w| {
            w.trim_start_matches(['(', '[', '{', '<', '"', '\'', '`'])
                .trim_end_matches([
                    ')', ']', '}', '>', '"', '\'', '`', ',', '.', ':', ';', '!', '?',
                ])
        })
        .filter(|w| {
            is_url(w)
                || w.rsplit_once('#').is_some_and(|(_, n)| number(n).is_some())
                || is_tracker_key(w)
        })
        .collect()
}

/// Resolve a reference as written (a comment's word, a waiver's `issue`, a pending
/// directive's issue).
pub fn resolve(written: &str, spec: &RemoteSpec, config: &Config) -> Reference {
    match resolve_any(written, spec, config) {
        // Only this repository and those `[masks] tracker-repos` names: a workflow comment
        // must not make the token read (and the findings tell) another repository's issues.
        Reference::Issue(k) if !allowed(&k, spec, config) => Reference::Unread(format!(
            "in {}, which is neither this repository nor in `[masks] tracker-repos`: not read",
            k.repository()
        )),
        r => r,
    }
}

/// The checked repository, or one `[masks] tracker-repos` maps a prefix to.
fn allowed(k: &IssueKey, spec: &RemoteSpec, config: &Config) -> bool {
    let same = |owner: &str, repo: &str| {
        k.owner().eq_ignore_ascii_case(owner) && k.repo().eq_ignore_ascii_case(repo)
    };
    same(&spec.owner, &spec.repo)
        || config
            .tracker_repos
            .values()
            .any(|(owner, repo)| same(owner, repo))
}

fn resolve_any(written: &str, spec: &RemoteSpec, config: &Config) -> Reference {
    let key = |owner: &str, repo: &str, n: u64| match IssueKey::new(owner, repo, n) {
        Ok(k) => Reference::Issue(k),
        Err(_) => Reference::Unread("not OWNER/NAME: refused, nothing requested".to_owned()),
    };
    if is_url(written) {
        return resolve_url(written, spec);
    }
    if let Some((prefix, n)) = written.rsplit_once('#')
        && let Some(n) = number(n)
    {
        return match prefix {
            "" => key(&spec.owner, &spec.repo, n),
            p if p.contains('/') => match issues::split_repository(p) {
                Ok((owner, repo)) => key(owner, repo, n),
                Err(_) => {
                    Reference::Unread("not OWNER/NAME: refused, nothing requested".to_owned())
                }
            },
            p => match config.tracker_repos.get(p) {
                Some((owner, repo)) => key(owner, repo, n),
                None if issues::valid_prefix(p) => Reference::Unread(format!(
                    "the prefix `{p}` is not in `[masks] tracker-repos`"
                )),
                None => Reference::Unread("not an issue reference".to_owned()),
            },
        };
    }
    if is_tracker_key(written) {
        return Reference::Unread("a tracker key, not an issue of this forge".to_owned());
    }
    Reference::Unread("not an issue reference".to_owned())
}

/// An issue URL on the server's host (for GitHub also `github.com` when the API is
/// `api.github.com`): `{server path}/{owner}/{repo}/issues/{N}` (or a pull request's
/// `/pull/{N}`, `/pulls/{N}`: the issues API reads pull requests too).
fn resolve_url(url: &str, spec: &RemoteSpec) -> Reference {
    let url = url.split('#').next().unwrap_or(url);
    let not_issue = || Reference::Unread(format!("not an issue URL of {}", spec.server));
    let (Ok(uri), Ok(server)) = (url.parse::<http::Uri>(), spec.server.parse::<http::Uri>()) else {
        return Reference::Unread("not a URL gatelint can read".to_owned());
    };
    let github_web = spec.forge == Forge::Github
        && spec
            .api
            .parse::<http::Uri>()
            .ok()
            .as_ref()
            .and_then(http::Uri::host)
            == Some("api.github.com")
        && uri.host().is_some_and(|h| {
            h.eq_ignore_ascii_case("github.com") || h.eq_ignore_ascii_case("www.github.com")
        });
    if !(same_host(&server, &uri) || github_web) {
        return Reference::Unread(format!("on another host than {}", spec.server));
    }
    let base = if github_web {
        ""
    } else {
        server.path().trim_end_matches('/')
    };
    let Some(rest) = uri
        .path()
        .strip_prefix(base)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return not_issue();
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let parts: Vec<&str> = rest.split('/').collect();
    let [owner, repo, kind, n] = parts.as_slice() else {
        return not_issue();
    };
    if !matches!(*kind, "issues" | "pulls" | "pull") {
        return not_issue();
    }
    let Some(n) = number(n) else {
        return not_issue();
    };
    match IssueKey::new(owner, repo, n) {
        Ok(k) => Reference::Issue(k),
        Err(_) => Reference::Unread("not OWNER/NAME: refused, nothing requested".to_owned()),
    }
}

/// The same host and port (a scheme's default port written out counts as none).
fn same_host(a: &http::Uri, b: &http::Uri) -> bool {
    let port = |u: &http::Uri| match (u.port_u16(), u.scheme_str()) {
        (Some(443), Some("https")) | (Some(80), Some("http")) => None,
        (p, _) => p,
    };
    match (a.host(), b.host()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y) && port(a) == port(b),
        _ => false,
    }
}

/// What names a tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `bp-required: pending <issue>`.
    Pending,
    /// A comment beside a job-level `continue-on-error`.
    Mask,
    /// A `[[masks.waiver]]` entry.
    Waiver,
}

/// One place that names a tracker.
struct Use<'r> {
    kind: Kind,
    gate: &'r Gate,
    /// The workflow file's base name, for messages.
    file_name: &'r str,
    written: String,
    key: IssueKey,
    /// Where the finding points: the directive, the mask, or the waiver.
    file: String,
    span: Span,
}

/// Read the trackers of one analysed root and judge them. `Err` is exit 2: more than
/// [`MAX_TRACKERS_PER_ROOT`] trackers, or the forge could not be read.
pub fn check(
    report: &RootReport,
    config: &Config,
    spec: &RemoteSpec,
    today: Date,
    cache: &Cache,
) -> Result<Liveness, String> {
    let off = |id: &str| config.severities.get(id) == Some(&None);
    if off("tracker-closed") && (off("tracker-overdue") || config.max_age_days.is_none()) {
        return Ok(Liveness::default());
    }
    let mut out = Liveness::default();
    let mut uses: Vec<Use<'_>> = Vec::new();
    let mut seen_uses: HashSet<(Kind, String, u32, u32, &str, IssueKey)> = HashSet::new();
    let mut seen_unread: HashSet<String> = HashSet::new();
    let config_file = config
        .file
        .as_deref()
        .map(|f| crate::rules::relative_to_root(&report.root, f))
        .unwrap_or_default();
    for gate in &report.gates {
        let Some(wf) = report.workflows.get(gate.workflow_index) else {
            continue;
        };
        let Some(job) = wf.jobs.get(gate.job_index) else {
            continue;
        };
        let mut named: Vec<(Kind, String, String, Span)> = Vec::new();
        if let Some(d) = &gate.directive
            && let Directive::Pending(issue) = &d.value
        {
            named.push((Kind::Pending, issue.to_string(), gate.file.clone(), d.span));
        }
        if let Some(coe) = job.continue_on_error.as_ref().filter(|_| job.job_masked()) {
            for w in &config.waivers {
                if crate::rules::waiver_matches(w, wf, job) {
                    named.push((Kind::Waiver, w.issue.clone(), config_file.clone(), w.span));
                }
            }
            for comment in job.mask_comments.iter() {
                if !config.trackers.iter().any(|t| t.is_match(comment)) {
                    continue;
                }
                let words = references(comment);
                if words.is_empty() {
                    let shown = format!(
                        "`{}` (matches a tracker pattern, names no issue)",
                        text::visible(comment, 80)
                    );
                    if seen_unread.insert(shown.clone()) {
                        out.unread.push(shown);
                    }
                }
                for w in words {
                    named.push((Kind::Mask, w.to_owned(), gate.file.clone(), coe.span));
                }
            }
        }
        for (kind, written, file, span) in named {
            match resolve(&written, spec, config) {
                Reference::Issue(key) => {
                    let id = (
                        kind,
                        file.clone(),
                        span.start.line,
                        span.start.col,
                        gate.job.as_str(),
                        key.clone(),
                    );
                    if seen_uses.insert(id) {
                        uses.push(Use {
                            kind,
                            gate,
                            file_name: wf.file_base_name(),
                            written,
                            key,
                            file,
                            span,
                        });
                    }
                }
                Reference::Unread(why) => {
                    let shown = format!("`{}` ({why})", text::visible(&written, 80));
                    if seen_unread.insert(shown.clone()) {
                        out.unread.push(shown);
                    }
                }
            }
        }
    }
    let mut keys: Vec<IssueKey> = uses.iter().map(|u| u.key.clone()).collect();
    keys.sort();
    keys.dedup();
    if keys.len() > MAX_TRACKERS_PER_ROOT {
        return Err(format!(
            "{}: masks and pending directives name {} distinct trackers, more than the \
             {MAX_TRACKERS_PER_ROOT} gatelint reads for one repository with --trackers; nothing \
             was requested",
            report.root,
            keys.len()
        ));
    }
    out.trackers = keys.len();
    let read = issues::read(spec, &keys, cache).map_err(|e| e.message)?;
    out.requests = read.requests;
    for u in &uses {
        let Some(lookup) = read.issues.get(&u.key) else {
            continue;
        };
        if let Some(f) = judge(u, lookup, report, config, spec, today) {
            out.findings.push(f);
        }
    }
    Ok(out)
}

/// The finding for one use of a tracker, if any.
fn judge(
    u: &Use<'_>,
    lookup: &Lookup,
    report: &RootReport,
    config: &Config,
    spec: &RemoteSpec,
    today: Date,
) -> Option<Finding> {
    let job = &u.gate.job;
    let required = config.syntax.required();
    let written = text::visible(&u.written, 120);
    let subject = match u.kind {
        Kind::Pending => format!("`{}` job `{job}` is `{required}: pending`", u.file_name),
        Kind::Mask => format!(
            "`{}` job `{job}` is masked (`continue-on-error`)",
            u.file_name
        ),
        Kind::Waiver => format!(
            "`{}` job `{job}` is masked (`continue-on-error`) with a waiver",
            u.file_name
        ),
    };
    let thing = match u.kind {
        Kind::Pending => "pending directive",
        Kind::Mask | Kind::Waiver => "mask",
    };
    let context = u
        .gate
        .contexts
        .iter()
        .find(|c| c.event.as_deref() == Some("pull_request"))
        .or_else(|| u.gate.contexts.first())
        .map(|c| c.text.as_str());
    let closed_help = match u.kind {
        Kind::Pending => format!(
            "if the work is done, change the directive to `{required}: yes` and add {} to the \
             protection of `{}`; else point the directive at the open issue that tracks it now",
            context.map_or("its context".to_owned(), |c| format!("`{c}`")),
            spec.branch
        ),
        Kind::Mask => format!(
            "remove `continue-on-error` from `{job}`, or point the comment beside it at the \
             open issue that tracks the mask now"
        ),
        Kind::Waiver => format!(
            "remove `continue-on-error` from `{job}` and its waiver, or point the waiver's \
             `issue` at the open issue that tracks the mask now"
        ),
    };
    let (rule, severity, message, help) = match lookup {
        Lookup::Missing { status: 410 } => (
            "tracker-closed",
            Severity::Error,
            format!(
                "{subject} under {written}, which was deleted from {} (HTTP 410): the {thing} \
                 names no open tracker",
                u.key.repository()
            ),
            closed_help,
        ),
        Lookup::Missing { status } => (
            "tracker-closed",
            Severity::Error,
            format!(
                "{subject} under {written}, which does not exist in {} or which the token \
                 cannot see (HTTP {status}): the {thing} names no open tracker",
                u.key.repository()
            ),
            closed_help,
        ),
        Lookup::Found(issue) if issue.state == State::Closed => (
            "tracker-closed",
            Severity::Error,
            match issue.closed {
                Some(on) => format!(
                    "{subject} under {written}, which was closed on {on}: the {thing} outlived \
                     its tracker"
                ),
                None => format!(
                    "{subject} under {written}, which is closed: the {thing} outlived its tracker"
                ),
            },
            closed_help,
        ),
        Lookup::Found(issue) => {
            let max = config.max_age_days?;
            let age = today.unix_days() - issue.created.unix_days();
            if age <= i64::from(max) {
                return None;
            }
            let help = match u.kind {
                Kind::Pending => format!(
                    "finish {written} and make the job `{required}: yes` with its context in \
                     protection, or `{}: <reason>` if it will not gate; raise `[masks] \
                     max-age-days` only with a reason",
                    config.syntax.exempt()
                ),
                Kind::Mask | Kind::Waiver => format!(
                    "fix {written} and remove the mask; raise `[masks] max-age-days` only with a \
                     reason"
                ),
            };
            (
                "tracker-overdue",
                Severity::Warning,
                format!(
                    "{subject} under {written}, open since {} ({age} days, more than `[masks] \
                     max-age-days = {max}`)",
                    issue.created
                ),
                help,
            )
        }
    };
    let mut f = Finding::new(rule, severity, &report.root, message)
        .at(&u.file, u.span)
        .job(&u.gate.workflow, job)
        .help(help)
        .issue(u.written.clone());
    if u.kind == Kind::Pending {
        f.context = context.map(str::to_owned);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::source::Limits;

    fn spec(forge: Forge, server: &str, api: &str) -> RemoteSpec {
        RemoteSpec {
            forge,
            server: server.to_owned(),
            api: api.to_owned(),
            owner: "octo".to_owned(),
            repo: "app".to_owned(),
            branch: "main".to_owned(),
            token: None,
            token_source: None,
            limits: Limits::default(),
            inferred: None,
            budget: None,
        }
    }

    fn gitea() -> RemoteSpec {
        spec(
            Forge::Gitea,
            "https://git.example.com",
            "https://git.example.com/api/v1",
        )
    }

    fn config() -> Config {
        let mut c = Config::empty();
        c.tracker_repos
            .insert("mc".to_owned(), ("acme".to_owned(), "mc".to_owned()));
        c.tracker_repos
            .insert("other".to_owned(), ("acme".to_owned(), "other".to_owned()));
        c
    }

    fn issue(owner: &str, repo: &str, n: u64) -> Reference {
        Reference::Issue(IssueKey::new(owner, repo, n).expect("valid"))
    }

    fn unread(why: &str) -> Reference {
        Reference::Unread(why.to_owned())
    }

    #[test]
    fn words_of_a_comment() {
        assert_eq!(references("# mc#1982: flaky"), ["mc#1982"]);
        assert_eq!(
            references(
                "# flaky (#12), see acme/other#7, PROJ-9 and https://x.example/o/r/issues/3."
            ),
            [
                "#12",
                "acme/other#7",
                "PROJ-9",
                "https://x.example/o/r/issues/3"
            ]
        );
        assert_eq!(references("#12"), ["#12"]);
        assert_eq!(
            references("# C# and #0 and #abc and ## and Proj-1"),
            Vec::<&str>::new()
        );
        assert_eq!(references("# ../x#1 a/b/c#2"), ["../x#1", "a/b/c#2"]);
        assert_eq!(
            references("# `https://x.example/o/r/issues/3#issuecomment-1`"),
            ["https://x.example/o/r/issues/3#issuecomment-1"]
        );
        assert_eq!(
            references(&format!("#{}", "9".repeat(13))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn short_references() {
        let (s, c) = (gitea(), config());
        assert_eq!(resolve("#12", &s, &c), issue("octo", "app", 12));
        assert_eq!(resolve("acme/other#7", &s, &c), issue("acme", "other", 7));
        assert_eq!(resolve("mc#1982", &s, &c), issue("acme", "mc", 1982));
        assert_eq!(
            resolve("acme/secret#7", &s, &c),
            unread(
                "in acme/secret, which is neither this repository nor in `[masks] tracker-repos`: not read"
            )
        );
        assert_eq!(
            resolve("https://git.example.com/acme/secret/issues/7", &s, &c),
            unread(
                "in acme/secret, which is neither this repository nor in `[masks] tracker-repos`: not read"
            )
        );
        assert_eq!(
            resolve("zz#4", &s, &c),
            unread("the prefix `zz` is not in `[masks] tracker-repos`")
        );
        assert_eq!(
            resolve("PROJ-123", &s, &c),
            unread("a tracker key, not an issue of this forge")
        );
        for hostile in ["../x#1", "a/b/c#1", "./x#1", "a/..#1", "/x#1", "a%2f/b#1"] {
            assert_eq!(
                resolve(hostile, &s, &c),
                unread("not OWNER/NAME: refused, nothing requested"),
                "{hostile}"
            );
        }
        assert_eq!(
            resolve("we(ird#1", &s, &c),
            unread("not an issue reference")
        );
    }

    #[test]
    fn urls_on_the_server_only() {
        let (s, c) = (gitea(), config());
        assert_eq!(
            resolve("https://git.example.com/acme/other/issues/7", &s, &c),
            issue("acme", "other", 7)
        );
        assert_eq!(
            resolve("https://GIT.example.com:443/acme/other/pulls/8/", &s, &c),
            issue("acme", "other", 8)
        );
        assert_eq!(
            resolve(
                "https://git.example.com/acme/other/issues/7#issuecomment-3",
                &s,
                &c
            ),
            issue("acme", "other", 7)
        );
        let elsewhere = unread("on another host than https://git.example.com");
        for url in [
            "https://jira.example.com/browse/PROJ-1",
            "https://git.example.com.evil.example/acme/other/issues/7",
            "https://git.example.com:8443/acme/other/issues/7",
            "https://github.com/acme/other/issues/7",
        ] {
            assert_eq!(resolve(url, &s, &c), elsewhere, "{url}");
        }
        let not_issue = unread("not an issue URL of https://git.example.com");
        for url in [
            "https://git.example.com/acme/other",
            "https://git.example.com/acme/other/wiki/7",
            "https://git.example.com/acme/other/issues/x",
            "https://git.example.com/a/b/c/issues/7",
        ] {
            assert_eq!(resolve(url, &s, &c), not_issue, "{url}");
        }
        assert_eq!(
            resolve("https://git.example.com/%2e%2e/x/issues/1", &s, &c),
            unread("not OWNER/NAME: refused, nothing requested")
        );
        // A server under a path.
        let sub = spec(
            Forge::Forgejo,
            "https://example.com/forge",
            "https://example.com/forge/api/v1",
        );
        assert_eq!(
            resolve("https://example.com/forge/acme/other/issues/7", &sub, &c),
            issue("acme", "other", 7)
        );
        assert_eq!(
            resolve("https://example.com/forgex/acme/issues/7", &sub, &c),
            unread("not an issue URL of https://example.com/forge")
        );
        // GitHub: the web host of api.github.com.
        let gh = spec(
            Forge::Github,
            "https://github.com",
            "https://api.github.com",
        );
        assert_eq!(
            resolve("https://github.com/acme/other/issues/7", &gh, &c),
            issue("acme", "other", 7)
        );
        assert_eq!(
            resolve("https://www.github.com/acme/other/pull/9", &gh, &c),
            issue("acme", "other", 9)
        );
        assert_eq!(
            resolve("https://gist.github.com/acme/other/issues/7", &gh, &c),
            unread("on another host than https://github.com")
        );
    }
}
