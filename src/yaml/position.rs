//! Positions in a source text: line/column as the YAML scanner counts them, and the byte
//! offsets miette and comment lookup need.

/// A position: 1-based line, 0-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: usize, col: u32) -> Self {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col,
        }
    }
}

/// A range of positions, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }
}

/// Byte offsets of line starts in a text, for turning positions into byte offsets. Lines end
/// where YAML ends them: at `\n`, `\r\n` or a lone `\r`.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        // YAML breaks lines at `\n`, `\r\n` and a lone `\r` (as go-yaml, so the forges, do).
        let bytes = text.as_bytes();
        if memchr::memchr(b'\r', bytes).is_some() {
            starts.extend(
                memchr::memchr2_iter(b'\n', b'\r', bytes)
                    .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
                    .map(|i| i + 1),
            );
        } else {
            starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        }
        // A final line break does not open another line.
        if starts.len() > 1 && starts.last() == Some(&text.len()) {
            starts.pop();
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line `line` (1-based) with its line break; empty past the end.
    pub fn line_with_break<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        let end = self.starts.get(line).copied().unwrap_or(self.len);
        text.get(start..end).unwrap_or("")
    }

    /// Line `line` (1-based) without its line break (`\n`, `\r\n` or `\r`).
    pub fn line<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let l = self.line_with_break(text, line);
        let l = l.strip_suffix('\n').unwrap_or(l);
        l.strip_suffix('\r').unwrap_or(l)
    }

    /// Byte offset where line `line` (1-based) starts.
    pub fn line_start(&self, line: usize) -> usize {
        line.checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
            .unwrap_or(self.len)
    }

    /// Byte offset of a position, clamped into the text.
    pub fn offset(&self, text: &str, pos: Pos) -> usize {
        let line_text = self.line_with_break(text, pos.line as usize);
        let start = self.line_start(pos.line as usize);
        let col = pos.col as usize;
        let in_line = match line_text.as_bytes().get(..col) {
            Some(prefix) if prefix.is_ascii() => col,
            _ => line_text
                .char_indices()
                .nth(col)
                .map_or(line_text.len(), |(b, _)| b),
        };
        (start + in_line).min(self.len)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = text.get(start..offset).map_or(0, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_where_yaml_breaks_them() {
        let text = "a\nb\r\nc\rd\r\re";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 6);
        let lines: Vec<&str> = (1..=6).map(|l| index.line(text, l)).collect();
        assert_eq!(lines, ["a", "b", "c", "d", "", "e"]);
        assert_eq!(index.line_with_break(text, 3), "c\r");
        assert_eq!(index.line_col(text, text.len() - 1), (6, 1));
        assert_eq!(index.offset(text, Pos::new(4, 0)), 7);
        // A final break opens no line.
        assert_eq!(LineIndex::new("a\r").line_count(), 1);
        assert_eq!(LineIndex::new("a\r\n").line_count(), 1);
    }
}
