//! Glob patterns as Gitea compiles them (gobwas/glob): required status-check contexts with no
//! separator (`*` also crosses `/`), protected-branch rule names with `/` as the separator.
//! `(`, `)` and `.` are literal; `*`, `?`, `[...]`, `[!...]`, `{a,b}` and `\` escapes are
//! special (FORGE-SEMANTICS §5). Translated to an anchored regex, which matches in time
//! linear in the text (finite automata, no backtracking: `*a*a*a*a*b` costs what `*b` does);
//! a pattern with no special character is compared as a string and compiles no regex.

use regex::{Regex, RegexBuilder};

/// The most memory one compiled glob may take (a longer or deeper pattern is an error).
const MAX_COMPILED_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct Glob {
    pattern: String,
    /// `None`: the pattern is a literal, matched by equality.
    regex: Option<Regex>,
}

/// Characters that make a pattern a glob rather than a literal.
pub fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

impl Glob {
    /// Compile `pattern`. With a `separator`, `*` and `?` do not match it and `**` does.
    pub fn new(pattern: &str, separator: Option<char>) -> Result<Self, String> {
        if !pattern.contains(['*', '?', '[', '{', '\\']) {
            return Ok(Glob {
                pattern: pattern.to_owned(),
                regex: None,
            });
        }
        let mut re = String::with_capacity(pattern.len() * 2 + 4);
        re.push_str("^(?s:");
        let any_one = match separator {
            Some(sep) => format!("[^{}]", regex::escape(&sep.to_string())),
            None => ".".to_owned(),
        };
        let mut chars = pattern.chars().peekable();
        let mut braces = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    let mut double = false;
                    while chars.peek() == Some(&'*') {
                        chars.next();
                        double = true;
                    }
                    if double || separator.is_none() {
                        re.push_str(".*");
                    } else {
                        re.push_str(&any_one);
                        re.push('*');
                    }
                }
                '?' => re.push_str(&any_one),
                '\\' => match chars.next() {
                    Some(next) => re.push_str(&regex::escape(&next.to_string())),
                    None => return Err(format!("`{pattern}` ends with a lone `\\`")),
                },
                '[' => {
                    let mut class = String::from("[");
                    if matches!(chars.peek(), Some('!' | '^')) {
                        chars.next();
                        class.push('^');
                    }
                    let mut closed = false;
                    let mut first = true;
                    while let Some(k) = chars.next() {
                        match k {
                            ']' if !first => {
                                closed = true;
                                break;
                            }
                            '\\' => match chars.next() {
                                Some(e) => class.push_str(&class_escape(e)),
                                None => break,
                            },
                            '-' => class.push('-'),
                            other => class.push_str(&class_escape(other)),
                        }
                        first = false;
                    }
                    if !closed {
                        return Err(format!("`{pattern}` has an unclosed `[`"));
                    }
                    class.push(']');
                    re.push_str(&class);
                }
                '{' => {
                    braces += 1;
                    re.push_str("(?:");
                }
                ',' if braces > 0 => re.push('|'),
                '}' if braces > 0 => {
                    braces -= 1;
                    re.push(')');
                }
                other => re.push_str(&regex::escape(&other.to_string())),
            }
        }
        if braces > 0 {
            return Err(format!("`{pattern}` has an unclosed `{{`"));
        }
        re.push_str(")$");
        let regex = RegexBuilder::new(&re)
            .size_limit(MAX_COMPILED_BYTES)
            .dfa_size_limit(MAX_COMPILED_BYTES)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => {
                    format!("`{}` is too large a glob", shorten(pattern))
                }
                // The regex error quotes the whole regex over several lines: its last line
                // says what is wrong.
                e => {
                    let text = e.to_string();
                    let why = text.lines().last().unwrap_or_default().trim();
                    let why = why.strip_prefix("error: ").unwrap_or(why);
                    format!("`{}` is not a valid glob: {why}", shorten(pattern))
                }
            })?;
        Ok(Glob {
            pattern: pattern.to_owned(),
            regex: Some(regex),
        })
    }

    /// Compile a `paths` / `paths-ignore` (and GitHub `branches`) filter pattern as GitHub
    /// documents it ("Filter pattern cheat sheet") and as Gitea and Forgejo apply it (act's
    /// `workflowpattern`): `*` is any run of characters but `/`, `**` any run at all, and
    /// `**/` any run of whole folders, none included (`**/*.go` matches `main.go`); `?` and
    /// `+` make the character before them optional or repeatable (a literal at the start);
    /// `[...]` is a class of letters, digits and `a-z`-style ranges; `\` escapes. No braces.
    pub fn path_filter(pattern: &str) -> Result<Self, String> {
        if !pattern.contains(['*', '?', '+', '[', '\\']) {
            return Ok(Glob {
                pattern: pattern.to_owned(),
                regex: None,
            });
        }
        let mut re = String::with_capacity(pattern.len() * 2 + 8);
        re.push_str("^(?s:");
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    if chars.get(i + 2) == Some(&'/') {
                        re.push_str("(?:.+/)?");
                        i += 3;
                    } else {
                        re.push_str(".*");
                        i += 2;
                    }
                }
                '*' => {
                    re.push_str("[^/]*");
                    i += 1;
                }
                '?' | '+' if i > 0 => {
                    re.push(c);
                    i += 1;
                }
                '[' => {
                    let mut class = String::from("[");
                    let mut j = i + 1;
                    let mut closed = false;
                    while let Some(&k) = chars.get(j) {
                        match k {
                            ']' if j > i + 1 => {
                                closed = true;
                                break;
                            }
                            '-' if j > i + 1 && chars.get(j + 1).is_some_and(|n| *n != ']') => {
                                class.push('-');
                            }
                            k if k.is_ascii_alphanumeric() => class.push(k),
                            _ => {
                                return Err(format!(
                                    "`{}`: a class holds letters, digits and ranges only",
                                    shorten(pattern)
                                ));
                            }
                        }
                        j += 1;
                    }
                    if !closed {
                        return Err(format!("`{}` has an unclosed `[`", shorten(pattern)));
                    }
                    class.push(']');
                    re.push_str(&class);
                    i = j + 1;
                }
                '\\' => match chars.get(i + 1) {
                    Some(next) => {
                        re.push_str(&regex::escape(&next.to_string()));
                        i += 2;
                    }
                    None => return Err(format!("`{}` ends with a lone `\\`", shorten(pattern))),
                },
                other => {
                    re.push_str(&regex::escape(&other.to_string()));
                    i += 1;
                }
            }
        }
        re.push_str(")$");
        let regex = RegexBuilder::new(&re)
            .size_limit(MAX_COMPILED_BYTES)
            .dfa_size_limit(MAX_COMPILED_BYTES)
            .build()
            .map_err(|_| format!("`{}` is not a valid filter pattern", shorten(pattern)))?;
        Ok(Glob {
            pattern: pattern.to_owned(),
            regex: Some(regex),
        })
    }

    pub fn matches(&self, text: &str) -> bool {
        match &self.regex {
            Some(r) => r.is_match(text),
            None => self.pattern == text,
        }
    }

    /// The pattern has no special character: it matches exactly itself.
    pub fn is_literal(&self) -> bool {
        self.regex.is_none()
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

/// A pattern as an error message shows it: at most 100 characters.
fn shorten(pattern: &str) -> String {
    match pattern.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &pattern[..at]),
        None => pattern.to_owned(),
    }
}

fn class_escape(c: char) -> String {
    match c {
        '[' | ']' | '\\' | '^' | '&' | '~' => format!("\\{c}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, sep: Option<char>, text: &str) -> bool {
        Glob::new(pattern, sep)
            .map(|g| g.matches(text))
            .unwrap_or(false)
    }

    #[test]
    fn context_globs_have_no_separator() {
        assert!(m("CI / *", None, "CI / build (pull_request)"));
        assert!(m("*", None, "anything / at all (push)"));
        assert!(m(
            "CI / build (pull_request)",
            None,
            "CI / build (pull_request)"
        ));
        assert!(!m("CI / build (pull_request)", None, "CI / build (push)"));
        assert!(m(
            "CI / test (*) (pull_request)",
            None,
            "CI / test (ubuntu, 1.22) (pull_request)"
        ));
        assert!(m("CI / {build,lint} (push)", None, "CI / lint (push)"));
        assert!(m("CI / test ? (push)", None, "CI / test 1 (push)"));
        // `.` is literal; a literal `[` opens a class, so `[a b]` cannot match itself.
        assert!(!m("a.c", None, "abc"));
        assert!(!m("Unit ([a b], 1) (push)", None, "Unit ([a b], 1) (push)"));
        assert!(m("x\\[y", None, "x[y"));
        assert!(m("v[0-9]", None, "v7"));
        assert!(m("v[!0-9]", None, "vx"));
    }

    #[test]
    fn branch_globs_use_slash_as_separator() {
        assert!(m("release/*", Some('/'), "release/1.0"));
        assert!(!m("release/*", Some('/'), "release/1.0/hotfix"));
        assert!(m("release/**", Some('/'), "release/1.0/hotfix"));
        assert!(!m("*", Some('/'), "feature/x"));
    }

    #[test]
    fn literals_compile_no_regex() {
        let g = Glob::new("CI / build (push)", None).unwrap_or_else(|e| panic!("{e}"));
        assert!(g.is_literal() && g.matches("CI / build (push)") && !g.matches("CI / build"));
        assert!(!Glob::new("CI / *", None).is_ok_and(|g| g.is_literal()));
        assert!(!Glob::new("a\\b", None).is_ok_and(|g| g.is_literal()));
        assert!(m("a\\b", None, "ab"));
    }

    #[test]
    fn matching_does_not_backtrack() {
        // Exponential for a backtracking matcher; linear here.
        let pattern = format!("{}b", "*a".repeat(30));
        let text = "a".repeat(20_000);
        let g = Glob::new(&pattern, None).unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..100 {
            assert!(!g.matches(&text));
        }
        assert!(g.matches(&format!("{text}b")));
        let g = Glob::new(&format!("{}b", "**a".repeat(30)), Some('/'))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!g.matches(&"a/".repeat(10_000)));
    }

    #[test]
    fn huge_patterns_are_errors_not_hogs() {
        let e = Glob::new(&"[a-z]?{x,y}".repeat(20_000), None)
            .err()
            .unwrap_or_default();
        assert!(e.contains("is too large a glob"), "{e}");
        assert!(e.chars().count() < 200, "{e}");
        let deep = format!("{}x{}", "{".repeat(1000), "}".repeat(1000));
        let e = Glob::new(&deep, None).err().unwrap_or_default();
        assert!(e.ends_with("…` is not a valid glob: exceed the maximum number of nested parentheses/brackets (250)"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
        assert_eq!(
            Glob::new("v[9-0]", None).err().unwrap_or_default(),
            "`v[9-0]` is not a valid glob: invalid character class range, the start must be <= the end"
        );
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(Glob::new("a[bc", None).is_err());
        assert!(Glob::new("a{b,c", None).is_err());
        assert!(Glob::new("a\\", None).is_err());
    }
    /// GitHub's filter pattern cheat sheet, as act's workflowpattern applies it.
    #[test]
    fn path_filters() {
        let m = |p: &str, path: &str| {
            Glob::path_filter(p)
                .unwrap_or_else(|e| panic!("{e}"))
                .matches(path)
        };
        assert!(m("**/*.go", "main.go"));
        assert!(m("**/*.go", "cmd/x/main.go"));
        assert!(!m("**/*.go", "main.gox"));
        assert!(m("*.go", "main.go"));
        assert!(!m("*.go", "cmd/main.go"));
        assert!(m("**.js", "src/js/app.js"));
        assert!(m("docs/**", "docs/a/b.md"));
        assert!(!m("docs/**", "docs"));
        assert!(m("docs/*", "docs/a.md") && !m("docs/*", "docs/a/b.md"));
        assert!(m("**/*.ya?ml", "ci/x.yml") && m("**/*.ya?ml", "x.yaml"));
        assert!(m("*.jsx?", "page.js") && m("*.jsx?", "page.jsx"));
        assert!(m("a+b.txt", "aaab.txt") && !m("a+b.txt", "b.txt"));
        assert!(m("?x", "?x") && !m("?x", "ax"), "a leading ? is literal");
        assert!(m("[CB]at.md", "Cat.md") && !m("[CB]at.md", "Rat.md"));
        assert!(m("v[0-9].txt", "v7.txt"));
        assert!(m("a.b", "a.b") && !m("a.b", "axb"));
        assert!(m("\\*.md", "*.md") && !m("\\*.md", "x.md"));
        assert!(m("{a,b}", "{a,b}"), "no braces");
        assert!(Glob::path_filter("[a").is_err());
        assert!(Glob::path_filter("[a/b]").is_err());
        assert!(Glob::path_filter("x\\").is_err());
    }
}
