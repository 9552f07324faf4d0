//! The issues that track masks and pending directives (`check --remote --trackers`): whether
//! each is open or closed, and since when. GitHub `GET {api}/repos/{o}/{r}/issues/{n}`,
//! Gitea and Forgejo `GET {server}/api/v1/repos/{o}/{r}/issues/{n}` (the same fields:
//! `state`, `created_at`, `closed_at`, `html_url`).
//!
//! Every request goes to the configured API (`{api}/repos/…`, each path segment escaped), for
//! a repository whose owner and name were checked here first ([`IssueKey::new`]): a reference
//! read from a workflow comment is hostile input. Each issue is read once per run ([`Cache`]).

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Deserialize;

use super::{RemoteError, RemoteSpec, segment, status_error, text};
use crate::config::Date;

/// The longest owner or repository name accepted (GitHub: 39 and 100 characters; Gitea and
/// Forgejo: 40 and 100), and the longest `[masks] tracker-repos` prefix.
pub const MAX_NAME_CHARS: usize = 100;

/// An owner or repository name as the forges allow them: ASCII letters, digits, `-`, `_`,
/// `.`, from 1 to [`MAX_NAME_CHARS`] characters, and not `.` or `..`.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_CHARS
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A `prefix` of `prefix#N`: the characters of a name (`.` and `..` included: a prefix never
/// reaches a URL).
pub fn valid_prefix(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `owner/repo` split into its two names, each checked with [`valid_name`]; else why not.
pub fn split_repository(full: &str) -> Result<(&str, &str), String> {
    let shown = || text::visible(full, 80);
    let Some((owner, repo)) = full.split_once('/') else {
        return Err(format!("`{}` is not OWNER/NAME", shown()));
    };
    if repo.contains('/') {
        return Err(format!("`{}` is not OWNER/NAME: one `/` only", shown()));
    }
    for (what, name) in [("owner", owner), ("repository name", repo)] {
        if !valid_name(name) {
            return Err(format!(
                "`{}` is not OWNER/NAME: the {what} must be 1 to {MAX_NAME_CHARS} ASCII letters, \
                 digits, `-`, `_` or `.`, and not `.` or `..`",
                shown()
            ));
        }
    }
    Ok((owner, repo))
}

/// One issue of a repository on the configured server; owner and name checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssueKey {
    owner: String,
    repo: String,
    number: u64,
}

impl IssueKey {
    /// Checked with [`valid_name`]; the number is 1 or more.
    pub fn new(owner: &str, repo: &str, number: u64) -> Result<Self, String> {
        split_repository(&format!("{owner}/{repo}"))?;
        if number == 0 {
            return Err("issue numbers start at 1".to_owned());
        }
        Ok(IssueKey {
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            number,
        })
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    pub fn number(&self) -> u64 {
        self.number
    }

    /// `owner/repo`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// `{api}/repos/{owner}/{repo}/issues/{number}`, every segment escaped.
    fn url(&self, spec: &RemoteSpec) -> String {
        format!(
            "{}/repos/{}/{}/issues/{}",
            spec.api,
            segment(&self.owner),
            segment(&self.repo),
            self.number
        )
    }
}

impl std::fmt::Display for IssueKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}#{}", self.owner, self.repo, self.number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Open,
    Closed,
}

/// An issue as the forge shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub state: State,
    /// `created_at`, as a UTC date.
    pub created: Date,
    /// `closed_at`, as a UTC date, when the forge gives one.
    pub closed: Option<Date>,
    pub html_url: Option<String>,
}

/// What the forge answered for one issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Issue),
    /// 404 (no such issue, or the token cannot see it) or 410 (deleted).
    Missing {
        status: u16,
    },
}

/// Issues already read in this run, shared by every repository root checked.
#[derive(Debug, Default)]
pub struct Cache(Mutex<HashMap<IssueKey, Lookup>>);

/// The issues asked for, and how many requests reading them took (issues already in the
/// cache take none).
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub issues: HashMap<IssueKey, Lookup>,
    pub requests: usize,
}

#[derive(Deserialize)]
struct RawIssue {
    state: String,
    created_at: String,
    #[serde(default)]
    closed_at: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
}

/// The UTC calendar date of an RFC 3339 date-time (`2026-10-01T12:00:00Z`,
/// `2026-10-01T23:30:00-02:00`, fractional seconds allowed, `t`/`z` or a space as RFC 3339
/// permits); `None` when it is not one.
pub fn utc_date(s: &str) -> Option<Date> {
    utc_seconds(s).map(|seconds| Date::from_unix_days(seconds.div_euclid(86_400)))
}

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 date-time (see [`utc_date`]).
pub fn utc_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        s.get(from..from + len)?.parse().ok()
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = Date {
        year: i32::try_from(year).ok()?,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
    };
    // A real calendar date: the day survives the round trip (no February 30th).
    let days = date.unix_days();
    if Date::from_unix_days(days) != date {
        return None;
    }
    // Fractional seconds, then the offset.
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        let digits = b[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        at += 1 + digits;
    }
    let offset = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(at + 1, 2)?, num(at + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60)
}

/// Read `keys` (each once per run: the cache first). Runs its own single-threaded runtime.
/// `Err` is exit 2: an answer other than 200, 404 or 410 once retries are spent, or one that
/// is not an issue.
pub fn read(spec: &RemoteSpec, keys: &[IssueKey], cache: &Cache) -> Result<Read, RemoteError> {
    // Held while reading, so that roots checked in parallel never ask for one issue twice.
    let mut known = cache
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = Read::default();
    let missing: Vec<&IssueKey> = keys.iter().filter(|k| !known.contains_key(k)).collect();
    if !missing.is_empty() {
        super::block_on(spec, async {
            let client = spec.client()?;
            for key in missing {
                let url = key.url(spec);
                let a = client.get(&url).await?;
                out.requests += 1;
                let lookup = match a.status {
                    200 => Lookup::Found(parse_issue(&a.body, &url)?),
                    404 | 410 => Lookup::Missing { status: a.status },
                    301 | 302 | 307 | 308 => {
                        let to = a
                            .headers
                            .get("location")
                            .and_then(|l| l.to_str().ok())
                            .map(|l| format!(" to {}", text::shown(l)))
                            .unwrap_or_default();
                        return Err(RemoteError::new(format!(
                            "GET {url}: HTTP {}: {key} moved{to} (transferred to another \
                             repository?): point the reference at where the issue is now",
                            a.status
                        )));
                    }
                    _ => {
                        let need = format!("read access to the issues of {}", key.repository());
                        return Err(status_error(spec, &url, &a, &need));
                    }
                };
                known.insert(key.clone(), lookup);
            }
            Ok::<(), RemoteError>(())
        })?;
    }
    for key in keys {
        if let Some(lookup) = known.get(key) {
            out.issues.insert(key.clone(), lookup.clone());
        }
    }
    Ok(out)
}

fn parse_issue(body: &str, url: &str) -> Result<Issue, RemoteError> {
    let not_an_issue = |why: String| {
        RemoteError::new(format!(
            "GET {url}: the answer is not an issue ({why}): is --server the forge's address?"
        ))
    };
    let raw: RawIssue =
        serde_json::from_str(body).map_err(|e| not_an_issue(text::shown(&e.to_string())))?;
    let state = match raw.state.as_str() {
        "open" => State::Open,
        "closed" => State::Closed,
        other => {
            return Err(not_an_issue(format!(
                "`state` is `{}`, not open or closed",
                text::visible(other, 40)
            )));
        }
    };
    let date = |field: &str, value: &str| {
        utc_date(value).ok_or_else(|| {
            not_an_issue(format!(
                "`{field}` is `{}`, not an RFC 3339 date-time",
                text::visible(value, 40)
            ))
        })
    };
    let created = date("created_at", &raw.created_at)?;
    let closed = match raw.closed_at.as_deref() {
        Some(c) => Some(date("closed_at", c)?),
        None => None,
    };
    Ok(Issue {
        state,
        created,
        closed,
        html_url: raw.html_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(year: i32, month: u8, day: u8) -> Option<Date> {
        Some(Date { year, month, day })
    }

    #[test]
    fn rfc3339_dates_in_utc() {
        assert_eq!(utc_date("2026-10-01T12:00:00Z"), day(2026, 10, 1));
        assert_eq!(utc_date("2026-10-01t12:00:00z"), day(2026, 10, 1));
        assert_eq!(utc_date("2026-10-01 12:00:00Z"), day(2026, 10, 1));
        assert_eq!(utc_date("2026-10-01T12:00:00.123456Z"), day(2026, 10, 1));
        // Gitea prints the server's offset: the UTC date may be the day before or after.
        assert_eq!(utc_date("2026-10-01T01:30:00+08:00"), day(2026, 9, 30));
        assert_eq!(utc_date("2026-12-31T23:30:00-02:00"), day(2027, 1, 1));
        assert_eq!(utc_date("2024-02-29T00:00:00+00:00"), day(2024, 2, 29));
        assert_eq!(utc_date("2026-06-30T23:59:60Z"), day(2026, 7, 1));
        for bad in [
            "",
            "2026-10-01",
            "2026-10-01T12:00:00",
            "2026-10-01T12:00Z",
            "2026-10-01T12:00:00+0800",
            "2026-10-01T12:00:00.Z",
            "2026-10-01T12:00:00Zjunk",
            "2026-13-01T12:00:00Z",
            "2026-00-01T12:00:00Z",
            "2026-02-30T12:00:00Z",
            "2025-02-29T12:00:00Z",
            "2026-10-00T12:00:00Z",
            "2026-10-01T24:00:00Z",
            "2026-10-01T12:60:00Z",
            "2026-10-01T12:00:00+24:00",
            "+2026-10-01T12:00:00Z",
            "２０２６-10-01T12:00:00Z",
            "2026/10/01T12:00:00Z",
            "1760000000",
        ] {
            assert_eq!(utc_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_and_repositories() {
        for good in ["acme", "a", "my-repo", "my_repo", "v1.2", ".github", "x..y"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a b",
            "a/b",
            "a%2e",
            "é",
            "a\u{0}",
            &"x".repeat(101),
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
        assert_eq!(split_repository("acme/other"), Ok(("acme", "other")));
        for bad in [
            "acme", "a/b/c", "../x", "a/..", "/x", "x/", "a b/c", "a/b#1",
        ] {
            assert!(split_repository(bad).is_err(), "{bad}");
        }
        assert!(IssueKey::new("acme", "app", 0).is_err());
        assert!(IssueKey::new("..", "app", 1).is_err());
        let key = IssueKey::new("acme", "app", 7).expect("valid");
        assert_eq!(key.to_string(), "acme/app#7");
        assert!(valid_prefix("mc") && valid_prefix("..") && !valid_prefix("a/b"));
    }

    #[test]
    fn issue_answers() {
        let ok = parse_issue(
            r#"{"state": "closed", "created_at": "2026-01-02T03:04:05Z",
                "closed_at": "2026-10-01T08:00:00+02:00", "html_url": "https://x/o/r/issues/1",
                "title": "ignored"}"#,
            "u",
        )
        .expect("an issue");
        assert_eq!(ok.state, State::Closed);
        assert_eq!(Some(ok.created), day(2026, 1, 2));
        assert_eq!(ok.closed, day(2026, 10, 1));
        let open = parse_issue(
            r#"{"state": "open", "created_at": "2026-01-02T03:04:05Z", "closed_at": null}"#,
            "u",
        )
        .expect("an issue");
        assert_eq!(
            (open.state, open.closed, open.html_url),
            (State::Open, None, None)
        );
        for (body, why) in [
            ("[]", "GET u: the answer is not an issue ("),
            ("\"open\"", "invalid type: string"),
            (r#"{"state": "open"}"#, "missing field `created_at`"),
            (
                r#"{"state": "merged", "created_at": "2026-01-02T03:04:05Z"}"#,
                "`state` is `merged`, not open or closed",
            ),
            (
                r#"{"state": "open", "created_at": "yesterday"}"#,
                "`created_at` is `yesterday`, not an RFC 3339 date-time",
            ),
            (
                r#"{"state": "closed", "created_at": "2026-01-02T03:04:05Z", "closed_at": 5}"#,
                "invalid type",
            ),
        ] {
            let e = parse_issue(body, "u").expect_err(body).message;
            assert!(e.contains(why), "{body}: {e}");
        }
    }
}
