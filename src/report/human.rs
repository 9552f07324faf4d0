//! Findings rendered for a person: miette's snippet with the span underlined, the rule id
//! and a help line.

use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use super::escape::{snippet_text, visible};
use crate::finding::{Finding, Severity};
use crate::yaml::LineIndex;

struct Rendered<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&visible(&self.finding.message))
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&visible(&self.finding.message))
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(visible(h).into_owned()) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = match (&self.finding.job, &self.finding.context) {
            (_, Some(c)) => format!("context `{}`", visible(c)),
            (Some(j), None) => format!("job `{}`", visible(j)),
            _ => "here".to_owned(),
        };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

/// Lines longer than this are not shown as snippets.
const MAX_SNIPPET_LINE: usize = 400;

/// Render a finding. `name` is how its file is shown; `source` is the file's text, when it
/// could be read.
pub fn render(finding: &Finding, name: &str, source: Option<&str>, color: bool) -> String {
    let name = visible(name).into_owned();
    // The text as shown: hidden characters replaced one for one, positions unchanged.
    let shown = source.map(snippet_text);
    let source = shown.as_deref();
    let located = source
        .zip(finding.span)
        .map(|(text, sp)| (text, sp, LineIndex::new(text)));
    let (source, span) = match located {
        // A snippet of a huge line helps nobody (minified or generated files).
        Some((text, sp, index))
            if index.line(text, sp.start.line as usize).len() <= MAX_SNIPPET_LINE =>
        {
            let start = index.offset(text, sp.start);
            let end = index.offset(text, sp.end).max(start);
            // Underline the first line of a multi-line span only.
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let end = end.min(line_end).max(start);
            (
                Some(NamedSource::new(name.clone(), text.to_owned())),
                Some(SourceSpan::new(start.into(), end - start)),
            )
        }
        _ => (None, None),
    };
    let rendered = Rendered {
        finding,
        source,
        span,
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!(
            "{}: {}: {}",
            finding.severity,
            finding.rule,
            visible(&finding.message)
        );
    }
    if rendered.span.is_none() {
        if let (Some(line), Some(col)) = (finding.line(), finding.column()) {
            out.push_str(&format!("  at {name}:{line}:{col}\n"));
        } else if finding.file.is_some() {
            out.push_str(&format!("  in {name}\n"));
        }
    }
    out
}
