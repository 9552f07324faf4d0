//! Workflow commands (`::error file=…::message`), which GitHub, Gitea and Forgejo runners turn
//! into annotations.

use crate::finding::{Finding, Severity};
use crate::run::Checked;

use super::sarif::artifact_uri;

/// Escape the data of a command: `%`, `\r`, `\n`, and every other control, bidi or line
/// separator character made visible (no escape sequence reaches the log).
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => {
                let mut buf = [0u8; 4];
                out.push_str(&super::escape::visible(c.encode_utf8(&mut buf)));
            }
        }
    }
    // The runner reads the legacy `##[command]` anywhere in a line.
    out.replace("##[", "##\\x5b")
}

/// Escape a property value: the data escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn command(f: &Finding) -> String {
    let kind = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut props = Vec::new();
    if let Some(uri) = artifact_uri(f) {
        props.push(format!("file={}", escape_property(&uri)));
        if let Some(span) = f.span.filter(|s| s.start.line >= 1) {
            props.push(format!("line={}", span.start.line));
            props.push(format!("col={}", span.start.col + 1));
            if span.end.line >= span.start.line && span.end > span.start {
                props.push(format!("endLine={}", span.end.line));
                props.push(format!("endColumn={}", span.end.col + 1));
            }
        }
    }
    props.push(format!("title={}", escape_property(f.rule)));
    let message = match &f.help {
        Some(help) => format!("{}\n{help}", f.message),
        None => f.message.clone(),
    };
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

pub fn github(checked: &[Checked]) -> String {
    let mut out = String::new();
    for f in checked.iter().flat_map(|c| &c.findings) {
        out.push_str(&command(f));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Pos, Span};

    #[test]
    fn escaping() {
        let f = Finding::new(
            "mask-stale",
            Severity::Warning,
            ".",
            "100% sure: a, b\nnext\rline",
        )
        .at("dir,x/a:b.yml", Span::new(Pos::new(3, 4), Pos::new(3, 9)));
        assert_eq!(
            command(&f),
            "::warning file=dir%2Cx/a%3Ab.yml,line=3,col=5,endLine=3,endColumn=10,title=mask-stale::100%25 sure: a, b%0Anext%0Dline"
        );
        let note = Finding::new("no-protection", Severity::Note, "repo", "no source");
        assert_eq!(command(&note), "::notice title=no-protection::no source");
    }
}
