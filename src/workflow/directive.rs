//! `bp-required` / `bp-exempt` directives: read from the comment block directly above a job's
//! key (or a trailing comment on the key's line), never by searching the text for the key.

use std::fmt;

use regex::Regex;

use super::{JobDirective, Spanned};
use crate::yaml::{Doc, LineIndex, NodeKind, Pos, Span};

/// What a job declares about its gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// `bp-required: yes`
    Required,
    /// `bp-required: pending #N`
    Pending(IssueRef),
    /// `bp-exempt: <reason>`
    Exempt(std::sync::Arc<str>),
}

impl Directive {
    /// `required`, `pending` or `exempt`, as the JSON output names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Directive::Required => "required",
            Directive::Pending(_) => "pending",
            Directive::Exempt(_) => "exempt",
        }
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Directive::Required => write!(f, "bp-required: yes"),
            Directive::Pending(issue) => write!(f, "bp-required: pending {issue}"),
            Directive::Exempt(reason) => write!(f, "bp-exempt: {reason}"),
        }
    }
}

/// The issue a pending directive points at: `#N`, `owner/repo#N`, or an issue URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRef {
    pub number: u64,
    pub repo: Option<String>,
    pub url: Option<String>,
}

impl fmt::Display for IssueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.url, &self.repo) {
            (Some(url), _) => f.write_str(url),
            (None, Some(repo)) => write!(f, "{repo}#{}", self.number),
            (None, None) => write!(f, "#{}", self.number),
        }
    }
}

/// A line that looks like a directive but is not a valid one, or a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveProblem {
    pub message: String,
    pub help: String,
    /// The comment, from its `#` to the end of the line.
    pub span: Span,
}

/// The directive keywords and how far above a job key to look.
#[derive(Debug, Clone)]
pub struct DirectiveSyntax {
    required: String,
    exempt: String,
    /// At most this many comment lines above the key are read; `None`: the whole block.
    window: Option<usize>,
    at_start: Regex,
    anywhere: Regex,
    issue: Regex,
}

/// Compiled once: every root and file shares it (regexes clone cheaply).
static DEFAULT_SYNTAX: std::sync::LazyLock<DirectiveSyntax> = std::sync::LazyLock::new(|| {
    // The default keywords are valid regex literals once escaped.
    DirectiveSyntax::new("bp-required", "bp-exempt", None)
        .expect("the default keywords, escaped, are valid regex literals")
});

impl Default for DirectiveSyntax {
    fn default() -> Self {
        DEFAULT_SYNTAX.clone()
    }
}

impl DirectiveSyntax {
    /// Keywords are matched case-insensitively.
    pub fn new(required: &str, exempt: &str, window: Option<usize>) -> Result<Self, regex::Error> {
        let kws = format!("{}|{}", regex::escape(required), regex::escape(exempt));
        Ok(DirectiveSyntax {
            required: required.to_owned(),
            exempt: exempt.to_owned(),
            window,
            at_start: Regex::new(&format!(r"(?i)^({kws})(\s*:)?"))?,
            anywhere: Regex::new(&format!(r"(?i)(^|[^\w-])({kws})\s*:"))?,
            issue: Regex::new(
                r"^(?:#(\d+)|([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\d+)|(https?://\S+?/(?:issues|pulls?)/(\d+)))(?:$|[^\w/])",
            )?,
        })
    }

    /// The keyword of `bp-required`.
    pub fn required(&self) -> &str {
        &self.required
    }

    /// The keyword of `bp-exempt`.
    pub fn exempt(&self) -> &str {
        &self.exempt
    }

    /// Parse one comment's text (after the `#`s). `None`: not a directive line at all.
    fn parse_line(&self, text: &str) -> Option<Result<Directive, (String, String)>> {
        let m = self.at_start.captures(text)?;
        let keyword = m.get(1)?.as_str();
        let is_required = keyword.eq_ignore_ascii_case(&self.required);
        let shown = if is_required {
            &self.required
        } else {
            &self.exempt
        };
        if m.get(2).is_none() {
            // `bp-required yes`, or a word that merely starts with the keyword.
            let next = text[keyword.len()..].chars().next();
            if next.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                return None;
            }
            return Some(Err((
                format!("`{shown}` without a `:`"),
                format!("write `{shown}: …` with a colon"),
            )));
        }
        let rest = text[m.get(0)?.end()..].trim();
        if !is_required {
            if rest.is_empty() {
                return Some(Err((
                    format!("`{}:` without a reason", self.exempt),
                    format!(
                        "say why the job is not a gate: `{}: advisory lint`",
                        self.exempt
                    ),
                )));
            }
            let (first, _) = split_word(rest);
            if first.eq_ignore_ascii_case("todo") {
                return Some(Err((
                    format!("`{}: {}` is a placeholder", self.exempt, quoted(rest)),
                    format!(
                        "write why the job is not a gate (`{}: advisory lint`), or make it `{}: yes`",
                        self.exempt, self.required
                    ),
                )));
            }
            return Some(Ok(Directive::Exempt(rest.into())));
        }
        let (word, after) = split_word(rest);
        let usage = format!(
            "use `{r}: yes`, `{r}: pending #123` or `{e}: <reason>`",
            r = self.required,
            e = self.exempt
        );
        match word.to_ascii_lowercase().as_str() {
            "yes" => Some(Ok(Directive::Required)),
            "pending" => {
                let after = after.trim_start();
                match self.issue.captures(after) {
                    Some(c) => {
                        let (number, repo, url) = if let Some(n) = c.get(1) {
                            (n.as_str(), None, None)
                        } else if let (Some(r), Some(n)) = (c.get(2), c.get(3)) {
                            (n.as_str(), Some(r.as_str().to_owned()), None)
                        } else {
                            let url = c.get(4).map(|u| u.as_str().to_owned());
                            (c.get(5).map_or("", |n| n.as_str()), None, url)
                        };
                        match number.parse::<u64>() {
                            Ok(number) => {
                                Some(Ok(Directive::Pending(IssueRef { number, repo, url })))
                            }
                            Err(_) => Some(Err((
                                format!("issue number `{number}` is out of range"),
                                usage,
                            ))),
                        }
                    }
                    None => {
                        let got = after
                            .split_whitespace()
                            .take(4)
                            .collect::<Vec<_>>()
                            .join(" ");
                        let what = if got.is_empty() {
                            "nothing".to_owned()
                        } else {
                            format!("`{got}`")
                        };
                        Some(Err((
                            format!(
                                "`{}: pending` must name the issue that tracks it, found {what}",
                                self.required
                            ),
                            format!(
                                "write `{}: pending #123` (or owner/repo#123, or the issue URL)",
                                self.required
                            ),
                        )))
                    }
                }
            }
            "" => Some(Err((
                format!("`{}:` without a value", self.required),
                usage,
            ))),
            _ => {
                let got: String = rest.chars().take(40).collect();
                Some(Err((
                    format!("`{}: {got}` is not a directive value", self.required),
                    usage,
                )))
            }
        }
    }
}

fn split_word(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Line ranges covered by multi-line scalars (block scalars, folded quoted text): a `#` line
/// there is content, not a comment.
pub struct ScalarLines {
    ranges: Vec<(u32, u32)>,
}

impl ScalarLines {
    pub fn collect(doc: &Doc<'_>, source: &str, index: &LineIndex) -> Self {
        let mut ranges: Vec<(u32, u32)> = doc
            .nodes()
            .iter()
            .filter(|n| {
                matches!(n.kind, NodeKind::Scalar { .. }) && n.span.end.line > n.span.start.line
            })
            .map(|n| {
                // A block scalar ends where the next token starts: at the indentation of the
                // line after its content. That line belongs to the scalar only if the end lies
                // after some of its text.
                let end_line = index.line(source, n.span.end.line as usize);
                let indent = end_line
                    .chars()
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .count() as u32;
                let last = if n.span.end.col <= indent {
                    n.span.end.line - 1
                } else {
                    n.span.end.line
                };
                (n.span.start.line, last)
            })
            .collect();
        ranges.sort_unstable();
        ScalarLines { ranges }
    }

    fn covers(&self, line: u32) -> bool {
        // ranges are sorted by start; look at those starting before `line`.
        let upto = self.ranges.partition_point(|(start, _)| *start < line);
        // Scalars never overlap, so only the last one starting above can cover it.
        self.ranges[..upto]
            .last()
            .is_some_and(|(_, end)| *end >= line)
    }
}

struct CommentLine<'a> {
    line: u32,
    /// Column (chars) of the comment's `#`.
    col: u32,
    /// Text after the leading `#`s, trimmed.
    text: &'a str,
    width: u32,
}

fn comment_of(line_text: &str, line: u32, hash_byte: usize) -> CommentLine<'_> {
    let col = line_text[..hash_byte].chars().count() as u32;
    let comment = &line_text[hash_byte..];
    CommentLine {
        line,
        col,
        text: comment.trim_start_matches('#').trim(),
        width: comment.trim_end().chars().count() as u32,
    }
}

/// Reads the directives of a file's jobs, in the order of their keys. Job keys written on one
/// line (`jobs: {a: …, b: …}`) share the comments above that line: those are read once, and
/// the jobs share one [`JobDirective`], so a hostile file with a huge comment above thousands of
/// keys costs what the comment costs once (issue 9).
pub struct Reader<'s> {
    source: &'s str,
    index: &'s LineIndex,
    scalars: &'s ScalarLines,
    syntax: &'s DirectiveSyntax,
    /// The comment block above the last key line read.
    above: Option<(u32, Vec<CommentLine<'s>>)>,
    /// Column → byte on the last key line: (line, column, byte), moved forward only.
    cursor: (u32, u32, usize),
    /// The first `#` at or after a byte of the last key line: (line, from, found).
    next_hash: Option<(u32, usize, Option<usize>)>,
    /// The last result: its key line and trailing comment's byte.
    last: Option<(u32, Option<usize>, std::sync::Arc<JobDirective>)>,
}

impl<'s> Reader<'s> {
    pub fn new(
        source: &'s str,
        index: &'s LineIndex,
        scalars: &'s ScalarLines,
        syntax: &'s DirectiveSyntax,
    ) -> Self {
        Reader {
            source,
            index,
            scalars,
            syntax,
            above: None,
            cursor: (0, 0, 0),
            next_hash: None,
            last: None,
        }
    }

    /// The byte in line `line` (text `text`) of character column `col`.
    fn byte_of(&mut self, line: u32, text: &str, col: u32) -> usize {
        let (mut at_col, mut at_byte) = match self.cursor {
            (l, c, b) if l == line && c <= col => (c, b),
            _ => (0, 0),
        };
        let rest = text.get(at_byte..).unwrap_or("");
        let mut chars = rest.char_indices();
        while at_col < col {
            match chars.next() {
                Some((_, c)) => {
                    at_col += 1;
                    at_byte += c.len_utf8();
                }
                None => break,
            }
        }
        self.cursor = (line, at_col, at_byte);
        at_byte
    }

    /// The first `#` at or after byte `from` of line `line`.
    fn hash_from(&mut self, line: u32, text: &str, from: usize) -> Option<usize> {
        if let Some((l, f, found)) = self.next_hash
            && l == line
            && f <= from
            && found.is_none_or(|h| h >= from)
        {
            return found;
        }
        let found = text.get(from..).and_then(|t| t.find('#')).map(|r| from + r);
        self.next_hash = Some((line, from, found));
        found
    }

    /// The directive of the job whose key is at `key_span`.
    pub fn for_job(&mut self, key_span: Span) -> std::sync::Arc<JobDirective> {
        let key_line = key_span.start.line;
        let key_text = self.index.line(self.source, key_line as usize);
        // A trailing comment on the key's own line.
        let after_key = self.byte_of(key_line, key_text, key_span.end.col);
        let trailing = self
            .hash_from(key_line, key_text, after_key)
            .filter(|&at| at == 0 || key_text[..at].ends_with([' ', '\t']));
        if let Some((line, t, shared)) = &self.last
            && *line == key_line
            && *t == trailing
        {
            return std::sync::Arc::clone(shared);
        }
        if self.above.as_ref().is_none_or(|(l, _)| *l != key_line) {
            let block = self.block_above(key_line);
            self.above = Some((key_line, block));
        }
        let mut block: Vec<&CommentLine<'_>> = self
            .above
            .as_ref()
            .map(|(_, b)| b.iter().collect())
            .unwrap_or_default();
        let trailing_line = trailing.map(|at| comment_of(key_text, key_line, at));
        block.extend(trailing_line.as_ref());
        let out = std::sync::Arc::new(read_block(self.syntax, &block));
        self.last = Some((key_line, trailing, std::sync::Arc::clone(&out)));
        out
    }

    fn block_above(&self, key_line: u32) -> Vec<CommentLine<'s>> {
        let mut block: Vec<CommentLine<'s>> = Vec::new();
        let mut line = key_line;
        while line > 1 {
            line -= 1;
            if self.syntax.window.is_some_and(|w| block.len() >= w) {
                break;
            }
            let text = self.index.line(self.source, line as usize);
            let trimmed = text.trim_start();
            if !trimmed.starts_with('#') || self.scalars.covers(line) {
                break;
            }
            block.push(comment_of(text, line, text.len() - trimmed.len()));
        }
        block.reverse();
        block
    }
}

/// The longest piece of a comment quoted in a message.
const QUOTED_CHARS: usize = 80;

/// `text`, or its first [`QUOTED_CHARS`] characters and `…`.
fn quoted(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTED_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// The directive a block of comment lines declares, and its problems.
fn read_block(syntax: &DirectiveSyntax, block: &[&CommentLine<'_>]) -> JobDirective {
    let mut out = JobDirective::default();
    for c in block {
        let span = Span::new(
            Pos::new(c.line as usize, c.col),
            Pos::new(c.line as usize, c.col + c.width),
        );
        match syntax.parse_line(c.text) {
            Some(Ok(d)) => match &out.directive {
                None => out.directive = Some(Spanned::new(d, span)),
                // The same directive twice, or two exempt reasons: redundant, not conflicting.
                Some(first)
                    if first.value == d
                        || matches!(
                            (&first.value, &d),
                            (Directive::Exempt(_), Directive::Exempt(_))
                        ) => {}
                Some(first) => out.problems.push(DirectiveProblem {
                    message: format!(
                        "conflicting directives: `{}` (line {}) and `{}` (line {})",
                        quoted(&first.value.to_string()),
                        first.span.start.line,
                        quoted(&d.to_string()),
                        c.line
                    ),
                    help: "keep the one directive that is true and delete the other".to_owned(),
                    span,
                }),
            },
            Some(Err((message, help))) => out.problems.push(DirectiveProblem {
                message,
                help,
                span,
            }),
            None => {
                if let Some(kw) = mid_sentence(syntax, c.text) {
                    out.problems.push(DirectiveProblem {
                        message: format!(
                            "`{kw}:` in the middle of a comment line is not read as a directive"
                        ),
                        help: format!("put it at the start of its own comment line: `# {kw}: …`"),
                        span,
                    });
                }
            }
        }
    }
    out
}

/// A keyword followed by `:` somewhere after the start of the text, outside `code spans`.
fn mid_sentence<'t>(syntax: &DirectiveSyntax, text: &'t str) -> Option<&'t str> {
    syntax.anywhere.captures_iter(text).find_map(|c| {
        let kw = c.get(2)?;
        let ticks_before = text[..kw.start()].matches('`').count();
        ticks_before.is_multiple_of(2).then_some(kw.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Option<Result<Directive, String>> {
        DirectiveSyntax::default()
            .parse_line(text)
            .map(|r| r.map_err(|(m, _)| m))
    }

    #[test]
    fn values() {
        assert_eq!(parse("bp-required: yes"), Some(Ok(Directive::Required)));
        assert_eq!(
            parse("BP-Required: YES — merge-blocking"),
            Some(Ok(Directive::Required))
        );
        assert_eq!(
            parse("bp-required: yes  # core"),
            Some(Ok(Directive::Required))
        );
        let pending = |number, repo: Option<&str>, url: Option<&str>| {
            Some(Ok(Directive::Pending(IssueRef {
                number,
                repo: repo.map(str::to_owned),
                url: url.map(str::to_owned),
            })))
        };
        assert_eq!(
            parse("bp-required: pending #2187"),
            pending(2187, None, None)
        );
        assert_eq!(
            parse("bp-required: pending #718 — soak"),
            pending(718, None, None)
        );
        assert_eq!(
            parse("bp-required: pending acme/ci#12"),
            pending(12, Some("acme/ci"), None)
        );
        assert_eq!(
            parse("bp-required: pending https://git.example/acme/ci/issues/9 later"),
            pending(9, None, Some("https://git.example/acme/ci/issues/9"))
        );
        assert_eq!(
            parse("bp-exempt: advisory lint"),
            Some(Ok(Directive::Exempt("advisory lint".into())))
        );
        assert_eq!(parse("just a comment"), None);
        assert_eq!(parse("bp-required-contexts are listed"), None);
    }

    #[test]
    fn malformed() {
        for text in [
            "bp-required: pending CTO decision (see header).",
            "bp-required: now required — after 3 green runs",
            "bp-required: pending",
            "bp-required:",
            "bp-exempt:",
            "bp-required yes",
            "bp-required: pending #abc",
            "bp-exempt: TODO reason",
            "bp-exempt: todo",
        ] {
            assert!(matches!(parse(text), Some(Err(_))), "{text}");
        }
    }

    #[test]
    fn mid_sentence_outside_code() {
        let s = DirectiveSyntax::default();
        assert_eq!(
            mid_sentence(&s, "compiling. bp-required: pending CTO decision"),
            Some("bp-required")
        );
        assert_eq!(
            mid_sentence(&s, "helper. bp-exempt: advisory"),
            Some("bp-exempt")
        );
        assert_eq!(
            mid_sentence(&s, "while `bp-required: yes` makes the lint demand"),
            None
        );
        assert_eq!(mid_sentence(&s, "no directive here"), None);
    }
}
