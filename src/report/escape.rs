//! Escaping for every output format. Names, file names, messages and source lines come from
//! the checked repository (or an API server's error text) and may hold control characters,
//! terminal escape sequences, bidirectional overrides or Markdown and HTML: shown raw they
//! could forge a workflow command at column 0 (`\n::error::…`), repaint a terminal, reorder
//! what a reviewer reads, or inject HTML into a step summary. JSON and SARIF are escaped by
//! their serialiser and keep the exact text.

use std::borrow::Cow;

/// A character that must not reach a terminal, a log or a summary as it is.
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Text for one line of human output: every control, bidi or line-separator character shown
/// as an escape (`\n`, `\r`, `\t`, `\u{1b}`), so the text stays on its line and does what it
/// says.
pub fn visible(s: &str) -> Cow<'_, str> {
    // A runner reads `::cmd::` at the start of a line (after spaces) and the legacy `##[cmd]`
    // anywhere in one (actions/runner): neither may come through from a name.
    let command_like = s.trim_start().starts_with("::") || s.contains("##[");
    if !s.chars().any(hidden) && !command_like {
        return Cow::Borrowed(s);
    }
    if command_like {
        let lead = s.len() - s.trim_start().len();
        let (head, rest) = s.split_at(lead);
        let rest = match rest.strip_prefix(':') {
            Some(r) if r.starts_with(':') => format!("\\x3a{r}"),
            _ => rest.to_owned(),
        };
        let defused = format!("{head}{}", rest.replace("##[", "##\\x5b"));
        return Cow::Owned(visible(&defused).into_owned());
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A name or context for a table cell: [`visible`], and wrapped in double quotes when its
/// spaces would be lost to the eye (leading, trailing or doubled), since the forge keeps them
/// and a protection entry must repeat them exactly (FORGE-SEMANTICS §2).
pub fn spaced(s: &str) -> Cow<'_, str> {
    let shown = visible(s);
    if shown.starts_with(' ') || shown.ends_with(' ') || shown.contains("  ") {
        Cow::Owned(format!("\"{shown}\""))
    } else {
        shown
    }
}

/// A source text for a snippet, character for character (so line/column positions still
/// point at the same places): `\n`, `\t` and the `\r` of `\r\n` kept, every other hidden
/// character replaced by a visible stand-in (a control picture, or `�`).
pub fn snippet_text(s: &str) -> Cow<'_, str> {
    let bad = |(i, c): (usize, char)| {
        hidden(c) && c != '\n' && c != '\t' && !(c == '\r' && s[i + 1..].starts_with('\n'))
    };
    if !s.char_indices().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if bad((i, c)) {
            out.push(match c as u32 {
                n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{FFFD}'),
                0x7f => '\u{2421}',
                _ => '\u{FFFD}',
            });
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Markdown text (a table cell or a paragraph): hidden characters escaped, every character
/// Markdown or HTML gives a meaning backslash-escaped or written as an entity. Never raw HTML,
/// links or emphasis from the input.
pub fn md_text(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A message for a Markdown table cell: the parts gatelint quotes in backticks become code
/// spans (fenced by [`md_code`]), the rest is [`md_text`]. A name holding backticks may shift
/// which parts are code, but every part is escaped for what it becomes: nothing can turn into
/// HTML, a link or a cell break.
pub fn md_message(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        // An unpaired last backtick: its text is plain.
        let code = i % 2 == 1 && i + 1 < parts.len();
        if code {
            out.push_str(&md_code(part));
        } else if i % 2 == 1 {
            out.push_str("\\`");
            out.push_str(&md_text(part));
        } else {
            out.push_str(&md_text(part));
        }
    }
    out
}

/// A Markdown code span for a table cell: fenced with a backtick run longer than any inside,
/// padded when the text starts or ends with a backtick, `|` escaped (GitHub splits cells at
/// it even inside code), hidden characters escaped.
pub fn md_code(s: &str) -> String {
    let s = visible(s).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_escapes_controls_and_bidi() {
        assert_eq!(visible("plain name"), "plain name");
        assert_eq!(
            visible("a\n::error::x\r\x1b[2J\u{202e}b\t"),
            "a\\n::error::x\\r\\u{1b}[2J\\u{202e}b\\t"
        );
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(visible("  ::error::x"), "  \\x3a:error::x");
        assert_eq!(visible("a ##[error]b"), "a ##\\x5berror]b");
    }

    #[test]
    fn spaced_quotes_spaces_the_eye_would_lose() {
        assert_eq!(spaced("CI / build (push)"), "CI / build (push)");
        assert_eq!(spaced("CI  / build"), "\"CI  / build\"");
        assert_eq!(spaced("/  build (push)"), "\"/  build (push)\"");
        assert_eq!(spaced(" build"), "\" build\"");
        assert_eq!(spaced("build\t"), "build\\t");
    }

    #[test]
    fn snippet_keeps_positions() {
        let s = "a: \x1b[31mx\r\nb: \u{202e}y\rz\n";
        let t = snippet_text(s);
        assert_eq!(t.chars().count(), s.chars().count());
        assert_eq!(t, "a: \u{241b}[31mx\r\nb: \u{fffd}y\u{240d}z\n");
    }

    #[test]
    fn markdown_text_and_code() {
        assert_eq!(
            md_text("<img src=x onerror=alert(1)> [x](javascript:alert(1)) a|b"),
            "&lt;img src=x onerror=alert(1)&gt; \\[x\\](javascript:alert(1)) a\\|b"
        );
        assert_eq!(
            md_message("`a<b>` needs `c|d` and *e*"),
            "`a<b>` needs `c\\|d` and \\*e\\*"
        );
        // A name with a backtick cannot open HTML or a link.
        let m = md_message("job `x` <img src=1>` [y](javascript:1)`");
        assert!(!m.contains("<img"), "{m}");
        assert!(m.contains("` [y](javascript:1)`"), "{m}");
        assert_eq!(md_code("CI / build"), "`CI / build`");
        assert_eq!(md_code("a``b"), "```a``b```");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a|b\nc"), "`a\\|b\\nc`");
    }
}
