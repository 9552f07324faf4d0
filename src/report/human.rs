//! Findings rendered for a person: miette's snippet with the span underlined, the rule id
//! and a help line.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::escape::{snippet_text, visible};
use crate::finding::{Finding, Severity};
use crate::yaml::LineIndex;

struct Rendered<'a> {
    finding: &'a Finding,
    source: Option<Windowed<'a>>,
    span: Option<SourceSpan>,
}

/// A file's text prepared once for all its findings: hidden characters replaced one for one
/// ([`snippet_text`]) and its lines indexed.
pub struct Prepared {
    text: String,
    index: LineIndex,
}

impl Prepared {
    pub fn new(text: &str) -> Prepared {
        // Lines break where YAML breaks them; miette breaks at `\n` only.
        let lf = crate::yaml::lone_cr_as_lf(text);
        let text = snippet_text(lf.as_deref().unwrap_or(text)).into_owned();
        let index = LineIndex::new(&text);
        Prepared { text, index }
    }
}

/// The source miette reads: only the lines around a span are scanned (miette's own reader
/// walks the text from its start for every finding, quadratic in findings × file size).
struct Windowed<'a> {
    name: &'a str,
    prepared: &'a Prepared,
}

impl miette::SourceCode for Windowed<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let text = &self.prepared.text;
        let index = &self.prepared.index;
        let (first_line, _) = index.line_col(text, span.offset());
        let (last_line, _) = index.line_col(text, span.offset() + span.len());
        let from = first_line.saturating_sub(context_lines_before).max(1);
        let to = last_line + context_lines_after + 1;
        let start = index.line_start(from).min(text.len());
        let end = if to > index.line_count() {
            text.len()
        } else {
            index.line_start(to).min(text.len())
        };
        let window = text.as_bytes().get(start..end).unwrap_or_default();
        let inner = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let c = window.read_span(&inner, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_owned(),
            c.data(),
            SourceSpan::new((start + c.span().offset()).into(), c.span().len()),
            c.line() + from - 1,
            c.column(),
            c.line_count() + from - 1,
        )))
    }
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
pub fn render(finding: &Finding, name: &str, source: Option<&Prepared>, color: bool) -> String {
    let name = visible(name).into_owned();
    let located = source
        .zip(finding.span)
        .map(|(p, sp)| (p.text.as_str(), sp, &p.index, p));
    let (source, span) = match located {
        // A snippet of a huge line helps nobody (minified or generated files).
        Some((text, sp, index, prepared))
            if index.line(text, sp.start.line as usize).len() <= MAX_SNIPPET_LINE =>
        {
            let start = index.offset(text, sp.start);
            let end = index.offset(text, sp.end).max(start);
            // Underline the first line of a multi-line span only.
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let end = end.min(line_end).max(start);
            (
                Some(Windowed {
                    name: &name,
                    prepared,
                }),
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
