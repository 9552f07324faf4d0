//! `gatelint.toml`: forge, version, branch, protection file, directive keywords, rule
//! severities, mask waivers and tracker patterns. Unknown keys, wrong types and bad regexes
//! are errors with the file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::finding::Severity;
use crate::forge::{Forge, OptIns, Version};
use crate::workflow::DirectiveSyntax;
use crate::yaml::{Pos, Span};

pub const FILE_NAME: &str = "gatelint.toml";

/// At most this many `[masks] trackers` patterns.
const MAX_TRACKERS: usize = 32;
/// The compiled size one tracker pattern may have (regex's own limit, in bytes).
const TRACKER_REGEX_BYTES: usize = 1024 * 1024;
/// At most this many `[masks] tracker-repos` prefixes.
const MAX_TRACKER_REPOS: usize = 64;
/// The largest `[masks] max-age-days`: a hundred years.
pub const MAX_AGE_DAYS: i64 = 36_500;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    forge: Option<Spanned<String>>,
    forge_version: Option<Spanned<String>>,
    branch: Option<String>,
    protection: Option<String>,
    #[serde(default)]
    merge_queue: bool,
    #[serde(default)]
    directives: RawDirectives,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    masks: RawMasks,
    #[serde(default)]
    profile: RawProfile,
    #[serde(default)]
    observed: RawObserved,
    #[serde(default)]
    history: RawHistory,
    #[serde(default)]
    github: RawGithub,
    #[serde(default)]
    external: RawExternal,
}

/// `[github]`: facts about GitHub gatelint cannot read from a payload.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGithub {
    actions_app_id: Option<Spanned<i64>>,
}

/// `[external]`: required checks that other apps post (code scanning, a CLA bot).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawExternal {
    #[serde(default)]
    contexts: Vec<Spanned<String>>,
}

/// `[history]`: settings of `check --remote --history N`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHistory {
    green_runs: Option<Spanned<i64>>,
}

/// `[observed]`: settings of `check --remote --head`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawObserved {
    #[serde(default)]
    lane_waiver: Vec<Spanned<RawLaneWaiver>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLaneWaiver {
    context: Spanned<String>,
    pr: Spanned<i64>,
    reason: Spanned<String>,
}

/// `[profile]`: settings no released forge version has by default.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProfile {
    matrix_names: Option<Spanned<String>>,
    #[serde(default)]
    forgejo_expands_calls: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDirectives {
    window: Option<Spanned<i64>>,
    required: Option<Spanned<String>>,
    exempt: Option<Spanned<String>>,
    missing: Option<Spanned<String>>,
    diff: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMasks {
    trackers: Option<Vec<Spanned<String>>>,
    max_age_days: Option<Spanned<i64>>,
    #[serde(default)]
    tracker_repos: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    waiver: Vec<Spanned<RawWaiver>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWaiver {
    workflow: String,
    job: String,
    issue: Spanned<toml::Value>,
    reason: String,
    expires: Spanned<toml::Value>,
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The years an `expires` date may name.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=9999;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Exactly `YYYY-MM-DD` (four, two and two ASCII digits, nothing around them), a real
    /// calendar date in the years 2000 to 9999; else what is wrong.
    fn parse(s: &str) -> Result<Date, String> {
        let form = "`expires` must be a date, YYYY-MM-DD".to_owned();
        let b = s.as_bytes();
        let digits =
            |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
        {
            return Err(form);
        }
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u16>().ok());
        let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(form);
        };
        let year = i32::from(year);
        if !YEARS.contains(&year) {
            return Err(format!(
                "`expires` must be in the years {} to {}, not {year}",
                YEARS.start(),
                YEARS.end()
            ));
        }
        let Some(name) = usize::from(month)
            .checked_sub(1)
            .and_then(|m| MONTHS.get(m))
        else {
            return Err(format!(
                "`expires` has no month {month}: months are 01 to 12"
            ));
        };
        let days = days_in_month(year, month);
        if !(1..=days).contains(&day) {
            return Err(format!(
                "`expires` is not a calendar date: {name} {year} has {days} days"
            ));
        }
        Ok(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_unix_days((secs / 86_400) as i64)
    }

    /// Now in UTC as RFC 3339, e.g. `2026-11-24T05:00:00Z`.
    pub fn timestamp_now() -> String {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let d = Date::from_unix_days((secs / 86_400) as i64);
        let t = secs % 86_400;
        format!("{d}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Days since 1970-01-01, the inverse of [`Date::from_unix_days`] (Howard Hinnant's
    /// `days_from_civil`).
    pub fn unix_days(self) -> i64 {
        let month = i64::from(self.month);
        let y = i64::from(self.year) - i64::from(month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

fn days_in_month(year: i32, month: u16) -> u16 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An issue reference a waiver may give: `#123`, `prefix#123`, `owner/repo#123` (number 1 or
/// more), a tracker key `PROJ-123`, or an http(s) URL; at most 300 characters, no whitespace
/// or control characters.
fn valid_issue_ref(s: &str) -> bool {
    let number = |n: &str| {
        !n.is_empty()
            && n.len() <= 12
            && n.bytes().all(|b| b.is_ascii_digit())
            && !n.starts_with('0')
    };
    let name = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    if s.is_empty() || s.len() > 300 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    {
        return (rest.len() > 2 && rest.contains('.')) || rest.starts_with("localhost");
    }
    if let Some((before, n)) = s.rsplit_once('#') {
        let prefix_ok = match before.split_once('/') {
            None => before.is_empty() || name(before),
            Some((owner, repo)) => name(owner) && name(repo),
        };
        return prefix_ok && number(n);
    }
    if let Some((key, n)) = s.rsplit_once('-') {
        return key.starts_with(|c: char| c.is_ascii_uppercase())
            && key
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && number(n);
    }
    false
}

/// A registered `continue-on-error` mask.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    /// The workflow's `name:`, its file name, or its path.
    pub workflow: String,
    pub job: String,
    pub issue: String,
    pub reason: String,
    pub expires: Date,
    /// Where the `[[masks.waiver]]` entry starts in the config file (its first line).
    pub span: Span,
}

/// A lane (a context the pull requests post) that one pull request may remove
/// (`[[observed.lane-waiver]]`, read from the base revision's config in diff mode).
#[derive(Debug, Clone, PartialEq)]
pub struct LaneWaiver {
    /// The context as `lane-removed` prints it, or without its ` (pull_request)` suffix.
    pub context: String,
    /// The pull request it applies to; inert for every other.
    pub pr: u64,
    pub reason: String,
    /// Where the entry starts in the config file (its first line).
    pub span: Span,
}

/// `[history] green-runs` when not set.
pub const DEFAULT_GREEN_RUNS: usize = 3;

impl Config {
    /// `[history] green-runs`, or its default.
    pub fn green_runs(&self) -> usize {
        self.green_runs.unwrap_or(DEFAULT_GREEN_RUNS)
    }
}

/// At most this many `[[observed.lane-waiver]]` entries.
const MAX_LANE_WAIVERS: usize = 1000;

/// The configuration of one run, every field optional.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The config file as given or found, for findings that point at it.
    pub file: Option<String>,
    pub forge: Option<Forge>,
    pub forge_version: Option<Version>,
    pub branch: Option<String>,
    /// Resolved against the config file's folder.
    pub protection: Option<PathBuf>,
    /// GitHub: the branch merges through a merge queue, which needs `merge_group` runs.
    pub merge_queue: bool,
    /// Diff mode: `directive-missing` for every job (true), or only for contexts the change
    /// adds (false, the default).
    pub missing_in_diff_all: bool,
    pub syntax: DirectiveSyntax,
    /// Severity per rule id (`None`: off), overriding the defaults.
    pub severities: BTreeMap<String, Option<Severity>>,
    pub trackers: Vec<Regex>,
    /// `[masks] max-age-days`: a tracker open longer is `tracker-overdue` (`None`: not
    /// checked).
    pub max_age_days: Option<u32>,
    /// `[masks] tracker-repos`: the repository (owner, name) each `prefix#N` names.
    pub tracker_repos: BTreeMap<String, (String, String)>,
    pub waivers: Vec<Waiver>,
    /// `[[observed.lane-waiver]]`: lanes a named pull request may remove.
    pub lane_waivers: Vec<LaneWaiver>,
    /// `[history] green-runs`: how many last runs must pass to call a gate green (`None`:
    /// the default, [`DEFAULT_GREEN_RUNS`]).
    pub green_runs: Option<usize>,
    /// `[profile]`: forge behaviour no released version has (FORGE-SEMANTICS §3, §2).
    pub opt_ins: OptIns,
    /// `[github] actions-app-id`: GitHub Actions' app id, as the project confirmed it
    /// (`None`: the widely reported 15368, unconfirmed).
    pub actions_app_id: Option<i64>,
    /// `[external] contexts`: required checks that other apps post, not workflow jobs.
    pub external_contexts: Vec<String>,
}

/// At most this many `[external] contexts`.
const MAX_EXTERNAL_CONTEXTS: usize = 1000;

/// A config that cannot be used: exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where each line starts, to locate many offsets without rescanning the text.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(starts)
    }

    /// What [`line_col`] says, in time logarithmic in the lines and linear in the line.
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let index = self.0.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.0.get(index).copied().unwrap_or(0);
        let col = text.get(start..offset).map_or(0, |l| l.chars().count()) + 1;
        (index + 1, col)
    }
}

/// The first line of a table entry starting at `start`, as a span.
fn first_line_span(text: &str, line_starts: &LineStarts, start: usize) -> Span {
    let (line, col) = line_starts.line_col(text, start);
    let first_line = text
        .get(start.min(text.len())..)
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    let col = (col - 1) as u32;
    Span::new(
        Pos::new(line, col),
        Pos::new(line, col + first_line.trim_end().chars().count() as u32),
    )
}

/// serde's "unknown field `x`, expected one of `a`, `b`" with the nearest expected key when
/// it is a plausible typo: "…; did you mean `a`?".
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((field, expected)) = rest.split_once("`, expected ") else {
        return message.to_owned();
    };
    let field: String = field.chars().take(64).collect();
    let nearest = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|k| (crate::rules::distance(k, &field), k))
        .min()
        .filter(|(d, _)| *d <= 3);
    match nearest {
        Some((_, k)) => format!("{message}; did you mean `{k}`?"),
        None => message.to_owned(),
    }
}

pub fn parse_severity(s: &str) -> Result<Option<Severity>, String> {
    match s {
        "error" => Ok(Some(Severity::Error)),
        "warning" => Ok(Some(Severity::Warning)),
        "note" => Ok(Some(Severity::Note)),
        "off" => Ok(None),
        _ => Err(format!(
            "unknown severity `{s}`: expected error, warning, note or off"
        )),
    }
}

impl Config {
    /// The defaults, with no file. No tracker pattern: a comment registers a mask only when
    /// the project says what its tracker references look like.
    pub fn empty() -> Self {
        Config::default()
    }

    /// Read `path` (shown as `shown` in messages). `known_rules` are the valid rule ids.
    pub fn load(path: &Path, shown: &str, known_rules: &[&str]) -> Result<Config, ConfigError> {
        let text = crate::safe_fs::read_text_capped(path, crate::safe_fs::MAX_CONFIG_BYTES)
            .map_err(|message| ConfigError {
                file: shown.to_owned(),
                line: 1,
                column: 1,
                message,
            })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, shown, base, known_rules)
    }

    pub fn parse(
        text: &str,
        shown: &str,
        base: &Path,
        known_rules: &[&str],
    ) -> Result<Config, ConfigError> {
        let at = |offset: usize, message: String| {
            let (line, column) = line_col(text, offset);
            ConfigError {
                file: shown.to_owned(),
                line,
                column,
                message,
            }
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            at(offset, with_suggestion(e.message().trim()))
        })?;
        let mut config = Config::empty();
        config.file = Some(shown.to_owned());
        if let Some(f) = raw.forge {
            config.forge = Some(f.get_ref().parse().map_err(|e| at(f.span().start, e))?);
        }
        if let Some(v) = raw.forge_version {
            config.forge_version = Some(v.get_ref().parse().map_err(|e| at(v.span().start, e))?);
        }
        config.branch = raw.branch;
        config.merge_queue = raw.merge_queue;
        if let Some(id) = &raw.github.actions_app_id {
            if *id.get_ref() < 1 {
                return Err(at(
                    id.span().start,
                    "`actions-app-id` must be a positive app id".to_owned(),
                ));
            }
            config.actions_app_id = Some(*id.get_ref());
        }
        if raw.external.contexts.len() > MAX_EXTERNAL_CONTEXTS {
            let span = raw.external.contexts[MAX_EXTERNAL_CONTEXTS].span().start;
            return Err(at(
                span,
                format!("at most {MAX_EXTERNAL_CONTEXTS} `[external] contexts`"),
            ));
        }
        for c in &raw.external.contexts {
            if c.get_ref().trim().is_empty() {
                return Err(at(
                    c.span().start,
                    "an external context cannot be empty".to_owned(),
                ));
            }
        }
        config.external_contexts = raw
            .external
            .contexts
            .iter()
            .map(|c| c.get_ref().clone())
            .collect();
        if let Some(m) = &raw.profile.matrix_names {
            config.opt_ins.coerced_matrix_names = match m.get_ref().as_str() {
                "sorted" => false,
                "coerced" => true,
                other => {
                    return Err(at(
                        m.span().start,
                        format!(
                            "unknown `matrix-names = \"{other}\"`: expected \"sorted\" (every released Gitea) or \"coerced\" (Gitea after 2026-07, unreleased)"
                        ),
                    ));
                }
            };
        }
        config.opt_ins.forgejo_expands_calls = raw.profile.forgejo_expands_calls;
        config.protection = raw.protection.map(|p| base.join(p));

        let d = raw.directives;
        let window = match d.window {
            Some(w) if *w.get_ref() < 1 => {
                return Err(at(w.span().start, "`window` must be at least 1".to_owned()));
            }
            Some(w) => Some(usize::try_from(*w.get_ref()).unwrap_or(usize::MAX)),
            None => None,
        };
        let keyword = |k: &Option<Spanned<String>>, default: &str| -> Result<String, ConfigError> {
            match k {
                Some(s)
                    if s.get_ref().trim().is_empty()
                        || s.get_ref().contains(char::is_whitespace) =>
                {
                    Err(at(
                        s.span().start,
                        "a directive keyword must be one word".to_owned(),
                    ))
                }
                Some(s) => Ok(s.get_ref().clone()),
                None => Ok(default.to_owned()),
            }
        };
        let required = keyword(&d.required, "bp-required")?;
        let exempt = keyword(&d.exempt, "bp-exempt")?;
        if required.eq_ignore_ascii_case(&exempt) {
            let span = d.exempt.as_ref().map_or(0, |s| s.span().start);
            return Err(at(
                span,
                "the required and exempt keywords must differ".to_owned(),
            ));
        }
        config.syntax = DirectiveSyntax::new(&required, &exempt, window)
            .map_err(|e| at(0, format!("directive keywords: {e}")))?;
        if let Some(scope) = d.diff {
            config.missing_in_diff_all = match scope.get_ref().as_str() {
                "added" => false,
                "all" => true,
                other => {
                    return Err(at(
                        scope.span().start,
                        format!("unknown `diff` scope `{other}`: expected added or all"),
                    ));
                }
            };
        }
        if let Some(m) = d.missing {
            let sev = parse_severity(m.get_ref()).map_err(|e| at(m.span().start, e))?;
            config
                .severities
                .insert("directive-missing".to_owned(), sev);
        }

        for (id, sev) in raw.rules {
            if !known_rules.contains(&id.as_str()) {
                // The nearest rule id, when it is a plausible typo (a name cut to a sane length:
                // the key is the repository's text).
                let cut: String = id.chars().take(64).collect();
                let nearest = known_rules
                    .iter()
                    .map(|r| (crate::rules::distance(r, &cut), r))
                    .min()
                    .filter(|(d, _)| *d <= 3)
                    .map(|(_, r)| format!("; did you mean `{r}`?"))
                    .unwrap_or_default();
                return Err(at(
                    sev.span().start,
                    format!(
                        "unknown rule `{}` (see `gatelint rules`){nearest}",
                        crate::forge::source::text::visible(&id, 80)
                    ),
                ));
            }
            let parsed = parse_severity(sev.get_ref()).map_err(|e| at(sev.span().start, e))?;
            config.severities.insert(id, parsed);
        }

        if let Some(trackers) = raw.masks.trackers {
            if let Some(extra) = trackers.get(MAX_TRACKERS) {
                return Err(at(
                    extra.span().start,
                    format!("more than {MAX_TRACKERS} tracker patterns: gatelint's limit"),
                ));
            }
            config.trackers = trackers
                .iter()
                .map(|t| {
                    regex::RegexBuilder::new(t.get_ref())
                        .size_limit(TRACKER_REGEX_BYTES)
                        .dfa_size_limit(TRACKER_REGEX_BYTES)
                        .build()
                        .map_err(|e| at(t.span().start, format!("invalid tracker regex: {e}")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(days) = raw.masks.max_age_days {
            let n = *days.get_ref();
            if !(1..=MAX_AGE_DAYS).contains(&n) {
                return Err(at(
                    days.span().start,
                    format!(
                        "`max-age-days` must be a number of days from 1 to {MAX_AGE_DAYS}, not {n}"
                    ),
                ));
            }
            config.max_age_days = u32::try_from(n).ok();
        }
        if let Some((extra, _)) = raw.masks.tracker_repos.iter().nth(MAX_TRACKER_REPOS) {
            return Err(at(
                extra.span().start,
                format!("more than {MAX_TRACKER_REPOS} `tracker-repos` prefixes: gatelint's limit"),
            ));
        }
        for (prefix, repository) in raw.masks.tracker_repos {
            if !crate::forge::source::issues::valid_prefix(prefix.get_ref()) {
                return Err(at(
                    prefix.span().start,
                    format!(
                        "`{}` is not a tracker prefix: letters, digits, `-`, `_` and `.`, at most {} characters",
                        crate::forge::source::text::visible(prefix.get_ref(), 80),
                        crate::forge::source::issues::MAX_NAME_CHARS
                    ),
                ));
            }
            let (owner, name) = crate::forge::source::issues::split_repository(
                repository.get_ref(),
            )
            .map_err(|why| {
                at(
                    repository.span().start,
                    format!("`tracker-repos.{}`: {why}", prefix.get_ref()),
                )
            })?;
            config
                .tracker_repos
                .insert(prefix.into_inner(), (owner.to_owned(), name.to_owned()));
        }
        let line_starts = LineStarts::new(text);
        for w in raw.masks.waiver {
            let start = w.span().start;
            let w = w.into_inner();
            let issue = match w.issue.get_ref() {
                toml::Value::String(s) if valid_issue_ref(s) => s.clone(),
                toml::Value::String(s) => {
                    return Err(at(
                        w.issue.span().start,
                        format!(
                            "`issue` must be an issue reference: #123, owner/repo#123, \
                             PROJ-123 or an http(s) URL, not `{}`",
                            crate::forge::source::text::visible(s, 80)
                        ),
                    ));
                }
                toml::Value::Integer(n) if *n >= 1 => format!("#{n}"),
                toml::Value::Integer(n) => {
                    return Err(at(
                        w.issue.span().start,
                        format!("`issue` must be an issue number of 1 or more, not {n}"),
                    ));
                }
                _ => {
                    return Err(at(
                        w.issue.span().start,
                        "`issue` must be an issue reference".to_owned(),
                    ));
                }
            };
            // A TOML date (`expires = 2026-01-05`) or a string; a TOML date-time is no date.
            let expires_text = match w.expires.get_ref() {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s.clone(),
                _ => String::new(),
            };
            let expires = Date::parse(&expires_text).map_err(|e| at(w.expires.span().start, e))?;
            let span = first_line_span(text, &line_starts, start);
            config.waivers.push(Waiver {
                workflow: w.workflow,
                job: w.job,
                issue,
                reason: w.reason,
                expires,
                span,
            });
        }
        if let Some(g) = raw.history.green_runs {
            let n = *g.get_ref();
            if !(1..=50).contains(&n) {
                return Err(at(
                    g.span().start,
                    "`green-runs` must be from 1 to 50 (the most commits --history reads)"
                        .to_owned(),
                ));
            }
            config.green_runs = usize::try_from(n).ok();
        }
        if let Some(extra) = raw.observed.lane_waiver.get(MAX_LANE_WAIVERS) {
            return Err(at(
                extra.span().start,
                format!("more than {MAX_LANE_WAIVERS} lane waivers: gatelint's limit"),
            ));
        }
        for w in raw.observed.lane_waiver {
            let start = w.span().start;
            let w = w.into_inner();
            let context = w.context.get_ref();
            if context.trim().is_empty() || context.chars().count() > 1000 {
                return Err(at(
                    w.context.span().start,
                    "`context` must name the lane as `lane-removed` prints it (1 to 1000 characters)"
                        .to_owned(),
                ));
            }
            let pr = u64::try_from(*w.pr.get_ref())
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    at(
                        w.pr.span().start,
                        "`pr` must be the number of the pull request that removes the lane"
                            .to_owned(),
                    )
                })?;
            if w.reason.get_ref().trim().is_empty() {
                return Err(at(
                    w.reason.span().start,
                    "`reason` must say why the lane may go".to_owned(),
                ));
            }
            config.lane_waivers.push(LaneWaiver {
                context: context.clone(),
                pr,
                reason: w.reason.into_inner(),
                span: first_line_span(text, &line_starts, start),
            });
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[&str] = &["mask-stale", "directive-missing"];

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "gatelint.toml", Path::new("/repo"), RULES)
    }

    #[test]
    fn lane_waivers() {
        let c = parse(
            "[[observed.lane-waiver]]\ncontext = \"CI / e2e\"\npr = 7\nreason = \"folded\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.lane_waivers.len(), 1);
        assert_eq!(c.lane_waivers[0].context, "CI / e2e");
        assert_eq!(c.lane_waivers[0].pr, 7);
        assert_eq!(c.lane_waivers[0].span.start.line, 1);
        let e = |text: &str| {
            parse(text)
                .map(|_| ())
                .map_err(|e| (e.line, e.column, e.message))
        };
        assert_eq!(
            e("[[observed.lane-waiver]]\ncontext = \"x\"\npr = 0\nreason = \"r\"\n"),
            Err((
                3,
                6,
                "`pr` must be the number of the pull request that removes the lane".to_owned()
            ))
        );
        assert_eq!(
            e("[[observed.lane-waiver]]\ncontext = \"x\"\npr = 1\nreason = \" \"\n"),
            Err((4, 10, "`reason` must say why the lane may go".to_owned()))
        );
        assert!(e("[[observed.lane-waiver]]\ncontext = \"\"\npr = 1\nreason = \"r\"\n").is_err());
        assert!(e("[[observed.lane-waiver]]\ncontext = \"x\"\npr = 1\n").is_err());
        assert!(e("[observed]\nwaivers = 1\n").is_err());
        assert_eq!(parse("").map(|c| c.green_runs()), Ok(3));
        assert_eq!(
            parse("[history]\ngreen-runs = 5\n").map(|c| c.green_runs()),
            Ok(5)
        );
        assert_eq!(
            e("[history]\ngreen-runs = 0\n"),
            Err((
                2,
                14,
                "`green-runs` must be from 1 to 50 (the most commits --history reads)".to_owned()
            ))
        );
    }

    #[test]
    fn profile_opt_ins() {
        let c = parse("[profile]\nmatrix-names = \"coerced\"\nforgejo-expands-calls = true\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.opt_ins,
            OptIns {
                coerced_matrix_names: true,
                forgejo_expands_calls: true
            }
        );
        assert_eq!(parse("").map(|c| c.opt_ins), Ok(OptIns::default()));
        let e = parse("[profile]\nmatrix-names = \"written\"\n").expect_err("unknown value");
        assert_eq!((e.line, e.column), (2, 16));
        assert!(e.message.contains("expected \"sorted\""), "{}", e.message);
        let e = parse("[profile]\nexpand = true\n").expect_err("unknown key");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn full_config() {
        let c = parse(
            r#"
forge = "gitea"
forge-version = "1.22"
branch = "main"
protection = ".gitea/required-contexts.txt"

[directives]
window = 3
missing = "warning"

[rules]
mask-stale = "off"

[masks]
trackers = ['(mc|internal)#\d+']

[[masks.waiver]]
workflow = "CI"
job = "e2e"
issue = 12
reason = "flaky"
expires = 2999-12-31
"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.forge, Some(Forge::Gitea));
        assert_eq!(c.forge_version, Some(Version::new(1, 22)));
        assert_eq!(
            c.protection,
            Some(PathBuf::from("/repo/.gitea/required-contexts.txt"))
        );
        assert_eq!(c.severities.get("mask-stale"), Some(&None));
        assert_eq!(
            c.severities.get("directive-missing"),
            Some(&Some(Severity::Warning))
        );
        assert_eq!(c.waivers.len(), 1);
        assert_eq!(c.waivers[0].issue, "#12");
        assert_eq!(
            c.waivers[0].span.start.line, 17,
            "the `[[masks.waiver]]` header"
        );
        assert_eq!(c.waivers[0].span.end.col, 16);
        assert_eq!(
            c.waivers[0].expires,
            Date {
                year: 2999,
                month: 12,
                day: 31
            }
        );
        assert!(c.trackers[0].is_match("# mc#1982: tracked"));
    }

    #[test]
    fn errors_have_locations() {
        let e = |t: &str| {
            parse(t)
                .err()
                .map(|e| (e.line, e.column, e.message))
                .unwrap_or_default()
        };
        assert_eq!(e("forgee = 1\n").0, 1);
        assert!(
            e("forgee = 1\n").2.contains("unknown field `forgee`"),
            "{:?}",
            e("forgee = 1\n")
        );
        assert_eq!(e("\nforge = 3\n").0, 2);
        assert_eq!(
            e("forge = \"gitlab\"\n"),
            (
                1,
                9,
                "unknown forge `gitlab`: expected github, gitea or forgejo".to_owned()
            )
        );
        let (line, col, msg) = e("[masks]\ntrackers = ['(unclosed']\n");
        assert_eq!((line, col), (2, 13));
        assert!(msg.starts_with("invalid tracker regex"), "{msg}");
        assert_eq!(
            e("[rules]\nno-such-rule = \"off\"\n").2,
            "unknown rule `no-such-rule` (see `gatelint rules`)"
        );
        assert_eq!(
            e("[history]\ngreen-run = 2\n").2,
            "unknown field `green-run`, expected `green-runs`; did you mean `green-runs`?"
        );
        assert_eq!(
            e("[rules]\nmask-stael = \"off\"\n").2,
            "unknown rule `mask-stael` (see `gatelint rules`); did you mean `mask-stale`?"
        );
        assert_eq!(
            e("[rules]\nmask-stale = \"loud\"\n").2,
            "unknown severity `loud`: expected error, warning, note or off"
        );
        let (line, _, msg) = e(
            "[[masks.waiver]]\nworkflow = \"CI\"\njob = \"a\"\nissue = 1\nreason = \"r\"\nexpires = \"soon\"\n",
        );
        assert_eq!(
            (line, msg.as_str()),
            (6, "`expires` must be a date, YYYY-MM-DD")
        );
        assert_eq!(e("[directives]\nwindow = 0\n").0, 2);
    }

    /// A waiver with `issue` and `expires` as written (TOML values); the error's line, column
    /// and message, or the parsed (issue, expires).
    fn waiver(issue: &str, expires: &str) -> Result<(String, Date), (usize, usize, String)> {
        let text = format!(
            "[[masks.waiver]]\nworkflow = \"CI\"\njob = \"a\"\nissue = {issue}\nreason = \"r\"\nexpires = {expires}\n"
        );
        parse(&text)
            .map(|c| (c.waivers[0].issue.clone(), c.waivers[0].expires))
            .map_err(|e| (e.line, e.column, e.message))
    }

    #[test]
    fn odd_expiry_dates_are_refused_where_written() {
        let form = "`expires` must be a date, YYYY-MM-DD";
        for (expires, message) in [
            ("\"+2999-01-01\"", form.to_owned()),
            ("\"99999-12-31\"", form.to_owned()),
            ("\"2026-1-5\"", form.to_owned()),
            ("\" 2026-01-05\"", form.to_owned()),
            ("\"2026-01-05 \"", form.to_owned()),
            ("\"2026-01-05\\n\"", form.to_owned()),
            ("\"２０２６-01-05\"", form.to_owned()),
            ("\"2026/01/05\"", form.to_owned()),
            ("\"\"", form.to_owned()),
            ("2026-01-05T10:00:00Z", form.to_owned()),
            ("10:00:00", form.to_owned()),
            ("20260105", form.to_owned()),
            (
                "\"2026-04-31\"",
                "`expires` is not a calendar date: April 2026 has 30 days".to_owned(),
            ),
            (
                "\"2026-02-30\"",
                "`expires` is not a calendar date: February 2026 has 28 days".to_owned(),
            ),
            // An unquoted TOML date is checked by the TOML parser first.
            (
                "2026-02-30",
                "invalid date, expected day between 01 and 28".to_owned(),
            ),
            (
                "\"2100-02-29\"",
                "`expires` is not a calendar date: February 2100 has 28 days".to_owned(),
            ),
            (
                "\"2026-02-00\"",
                "`expires` is not a calendar date: February 2026 has 28 days".to_owned(),
            ),
            (
                "\"2026-13-01\"",
                "`expires` has no month 13: months are 01 to 12".to_owned(),
            ),
            (
                "\"2026-00-10\"",
                "`expires` has no month 0: months are 01 to 12".to_owned(),
            ),
            (
                "\"1999-12-31\"",
                "`expires` must be in the years 2000 to 9999, not 1999".to_owned(),
            ),
            (
                "0000-01-01",
                "`expires` must be in the years 2000 to 9999, not 0".to_owned(),
            ),
        ] {
            assert_eq!(waiver("12", expires), Err((6, 11, message)), "{expires}");
        }
        // TOML dates and strings, leap days.
        let day = |year, month, day| Date { year, month, day };
        assert_eq!(
            waiver("12", "2026-01-05"),
            Ok(("#12".to_owned(), day(2026, 1, 5)))
        );
        assert_eq!(
            waiver("12", "\"2026-01-05\""),
            Ok(("#12".to_owned(), day(2026, 1, 5)))
        );
        assert_eq!(
            waiver("12", "2028-02-29").map(|w| w.1),
            Ok(day(2028, 2, 29))
        );
        assert_eq!(
            waiver("12", "\"2000-02-29\"").map(|w| w.1),
            Ok(day(2000, 2, 29))
        );
        assert_eq!(
            waiver("12", "9999-12-31").map(|w| w.1),
            Ok(day(9999, 12, 31))
        );
    }

    #[test]
    fn odd_issue_references_are_refused_where_written() {
        for (issue, message) in [
            ("-3", "`issue` must be an issue number of 1 or more, not -3"),
            ("0", "`issue` must be an issue number of 1 or more, not 0"),
            (
                "\"\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not ``",
            ),
            (
                "\"#0\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not `#0`",
            ),
            (
                "\"#-3\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not `#-3`",
            ),
            (
                "\" #12\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not ` #12`",
            ),
            (
                "\"#12\\u001b[2J\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not `#12\\u{1b}[2J`",
            ),
            (
                "\"soon\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not `soon`",
            ),
            (
                "\"a/b/c#1\"",
                "`issue` must be an issue reference: #123, owner/repo#123, PROJ-123 or an http(s) URL, not `a/b/c#1`",
            ),
            ("1.5", "`issue` must be an issue reference"),
            ("true", "`issue` must be an issue reference"),
        ] {
            assert_eq!(
                waiver(issue, "2999-12-31"),
                Err((4, 9, message.to_owned())),
                "{issue}"
            );
        }
        for (issue, shown) in [
            ("1", "#1"),
            ("\"#2187\"", "#2187"),
            ("\"mc#1982\"", "mc#1982"),
            ("\"octo/app#12\"", "octo/app#12"),
            ("\"PROJ-123\"", "PROJ-123"),
            (
                "\"https://git.example.com/o/r/issues/4\"",
                "https://git.example.com/o/r/issues/4",
            ),
        ] {
            assert_eq!(
                waiver(issue, "2999-12-31").map(|w| w.0),
                Ok(shown.to_owned())
            );
        }
    }

    #[test]
    fn tracker_settings() {
        let c = parse(
            "[masks]\nmax-age-days = 90\ntracker-repos = { mc = \"acme/mc\", \"in.t\" = \"acme/.github\" }\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.max_age_days, Some(90));
        assert_eq!(
            c.tracker_repos.get("mc"),
            Some(&("acme".to_owned(), "mc".to_owned()))
        );
        assert_eq!(
            c.tracker_repos.get("in.t"),
            Some(&("acme".to_owned(), ".github".to_owned()))
        );
        let none = parse("").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((none.max_age_days, none.tracker_repos.len()), (None, 0));
        assert_eq!(
            parse("[masks]\nmax-age-days = 36500\n").map(|c| c.max_age_days),
            Ok(Some(36_500))
        );
        let e = |t: &str| {
            parse(t)
                .err()
                .map(|e| (e.line, e.column, e.message))
                .unwrap_or_default()
        };
        for (days, shown) in [("0", "0"), ("-5", "-5"), ("36501", "36501")] {
            assert_eq!(
                e(&format!("[masks]\nmax-age-days = {days}\n")),
                (
                    2,
                    16,
                    format!("`max-age-days` must be a number of days from 1 to 36500, not {shown}")
                ),
                "{days}"
            );
        }
        let (line, col, msg) = e("[masks]\nmax-age-days = \"90\"\n");
        assert_eq!((line, col), (2, 16), "{msg}");
        assert_eq!(e("[masks]\nmax-age-days = 1.5\n").0, 2);
        for (value, why) in [
            ("\"acme\"", "`acme` is not OWNER/NAME"),
            ("\"a/b/c\"", "`a/b/c` is not OWNER/NAME: one `/` only"),
            ("\"../x\"", "`../x` is not OWNER/NAME: the owner must be"),
            (
                "\"a/..\"",
                "`a/..` is not OWNER/NAME: the repository name must be",
            ),
            ("\"a b/c\"", "`a b/c` is not OWNER/NAME: the owner must be"),
        ] {
            let (line, col, msg) = e(&format!("[masks]\ntracker-repos = {{ mc = {value} }}\n"));
            assert_eq!((line, col), (2, 24), "{value}: {msg}");
            assert!(
                msg.starts_with(&format!("`tracker-repos.mc`: {why}")),
                "{msg}"
            );
        }
        let (line, col, msg) = e("[masks]\ntracker-repos = { \"a/b\" = \"acme/x\" }\n");
        assert_eq!((line, col), (2, 19), "{msg}");
        assert!(msg.starts_with("`a/b` is not a tracker prefix"), "{msg}");
        assert_eq!(
            e("[masks]\ntracker-repos = { mc = 3 }\n").0,
            2,
            "a number is no repository"
        );
        let many: Vec<String> = (0..65).map(|i| format!("p{i} = \"a/b\"")).collect();
        let (line, _, msg) = e(&format!("[masks.tracker-repos]\n{}\n", many.join("\n")));
        assert!(line > 1, "{line}");
        assert_eq!(
            msg,
            "more than 64 `tracker-repos` prefixes: gatelint's limit"
        );
    }

    #[test]
    fn unix_days_inverts_civil_dates() {
        let day = |year, month, day| Date { year, month, day };
        assert_eq!(day(1970, 1, 1).unix_days(), 0);
        assert_eq!(day(2026, 11, 24).unix_days(), 20_781);
        assert_eq!(day(2000, 2, 29).unix_days(), 11_016);
        assert_eq!(day(1969, 12, 31).unix_days(), -1);
        for days in (-800_000..3_000_000).step_by(997) {
            assert_eq!(Date::from_unix_days(days).unix_days(), days);
        }
    }

    #[test]
    fn line_starts_agree_with_line_col() {
        let text = "a\nbé\n\nxyz\n";
        let starts = LineStarts::new(text);
        for offset in 0..=text.len() + 2 {
            if text.is_char_boundary(offset.min(text.len())) {
                assert_eq!(
                    starts.line_col(text, offset),
                    line_col(text, offset),
                    "{offset}"
                );
            }
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(
            Date::from_unix_days(0),
            Date {
                year: 1970,
                month: 1,
                day: 1
            }
        );
        assert_eq!(
            Date::from_unix_days(20_781),
            Date {
                year: 2026,
                month: 11,
                day: 24
            }
        );
        assert_eq!(
            Date::from_unix_days(11_016),
            Date {
                year: 2000,
                month: 2,
                day: 29
            }
        );
    }
}
