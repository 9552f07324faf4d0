//! Text that came from a server (error messages, headers, URLs), made safe to show: control
//! characters and invisible formatting characters are written as escapes, and the length is
//! capped, so a hostile answer cannot rewrite the terminal, forge a line of output or flood it.

/// How many characters of server text an error message shows.
pub const MAX_SHOWN_CHARS: usize = 300;

/// `text` with every control character (C0, DEL, C1), bidirectional control and invisible
/// separator escaped (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`), cut to `max_chars` characters
/// (escapes count as the characters they take) with `…` after a cut.
pub fn visible(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut shown = 0usize;
    for c in text.chars() {
        let piece = escape(c);
        let width = piece.as_ref().map_or(1, |p| p.chars().count());
        if shown + width > max_chars {
            out.push('…');
            return out;
        }
        shown += width;
        match piece {
            Some(p) => out.push_str(&p),
            None => out.push(c),
        }
    }
    out
}

/// [`visible`] with the usual cap, [`MAX_SHOWN_CHARS`].
pub fn shown(text: &str) -> String {
    visible(text, MAX_SHOWN_CHARS)
}

/// The escape for `c`, or `None` when it is shown as itself.
fn escape(c: char) -> Option<String> {
    match c {
        '\n' => Some("\\n".to_owned()),
        '\r' => Some("\\r".to_owned()),
        '\t' => Some("\\t".to_owned()),
        c if needs_escape(c) => Some(format!("\\u{{{:x}}}", u32::from(c))),
        _ => None,
    }
}

/// Control characters, and the format characters that change how text around them is laid
/// out or hide it: bidi embeddings, overrides, isolates and marks, zero-width characters,
/// line and paragraph separators, the byte order mark, soft hyphen.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{061c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(
            shown("Bad\x1b[31m\r\ncredentials\t\u{7f}"),
            "Bad\\u{1b}[31m\\r\\ncredentials\\t\\u{7f}"
        );
        assert_eq!(
            shown("a\u{202e}b\u{2066}c\u{200b}d\u{85}e\u{feff}"),
            "a\\u{202e}b\\u{2066}c\\u{200b}d\\u{85}e\\u{feff}"
        );
        // Printable text, other scripts and emoji are shown as they are.
        assert_eq!(
            shown("Nicht gefunden — 見つかりません 🙂"),
            "Nicht gefunden — 見つかりません 🙂"
        );
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(10_000);
        let s = shown(&long);
        assert_eq!(s.chars().count(), MAX_SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        // An escape is not cut in half.
        assert_eq!(visible("ab\x1b", 5), "ab…");
        assert_eq!(visible("ab\x1b", 9), "ab\\u{1b}");
        assert_eq!(visible("abc", 3), "abc");
        assert_eq!(visible("", 0), "");
    }
}
