//! Glob patterns as Gitea compiles them (gobwas/glob): required status-check contexts with no
//! separator (`*` also crosses `/`), protected-branch rule names with `/` as the separator.
//! `(`, `)` and `.` are literal; `*`, `?`, `[...]`, `[!...]`, `{a,b}` and `\` escapes are
//! special (FORGE-SEMANTICS §5). Translated to an anchored regex, which matches in linear time.

use regex::Regex;

#[derive(Debug, Clone)]
pub struct Glob {
    pattern: String,
    regex: Regex,
}

/// Characters that make a pattern a glob rather than a literal.
pub fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

impl Glob {
    /// Compile `pattern`. With a `separator`, `*` and `?` do not match it and `**` does.
    pub fn new(pattern: &str, separator: Option<char>) -> Result<Self, String> {
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
        let regex = Regex::new(&re).map_err(|e| format!("`{pattern}` is not a valid glob: {e}"))?;
        Ok(Glob {
            pattern: pattern.to_owned(),
            regex,
        })
    }

    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
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
    fn bad_patterns_are_errors() {
        assert!(Glob::new("a[bc", None).is_err());
        assert!(Glob::new("a{b,c", None).is_err());
        assert!(Glob::new("a\\", None).is_err());
    }
}
