//! `gatelint report`: the gate matrix as a table or JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::Verdict;
use super::escape::{spaced, visible};
use crate::analyze::Gate;
use crate::workflow::Directive;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    gates: Vec<JsonGate<'a>>,
}

#[derive(Serialize)]
struct JsonGate<'a> {
    root: &'a str,
    workflow: &'a str,
    file: &'a str,
    job: &'a str,
    contexts: Vec<&'a str>,
    directive: &'static str,
    issue: Option<u64>,
    protected: Option<bool>,
    masked: &'static str,
    verdict: &'static str,
    /// Why the gate may pass without testing anything (empty: it is a real gate).
    vacuous: &'a [&'static str],
    /// With `--history N`: per context, on how many of the commits read it was posted.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<JsonPosted<'a>>>,
}

#[derive(Serialize)]
struct JsonPosted<'a> {
    context: &'a str,
    posted: usize,
    of: usize,
    /// The state on the newest commit it was posted on.
    last: Option<&'a str>,
}

/// With `report --remote --history N`: per context, on how many of the `of` commits read it
/// was posted, and its state on the newest.
#[derive(Debug, Default)]
pub struct Posted {
    pub of: usize,
    pub by_context: std::collections::HashMap<String, (usize, String)>,
}

impl Posted {
    fn get(&self, context: &str) -> (usize, Option<&str>) {
        self.by_context
            .get(context)
            .map_or((0, None), |(k, last)| (*k, Some(last.as_str())))
    }

    fn cell(&self, context: &str) -> String {
        match self.get(context) {
            (k, Some(last)) => format!("{k}/{} {}", self.of, visible(last)),
            (_, None) => format!("0/{}", self.of),
        }
    }
}

/// A gate, whether protection requires it (`None`: no protection source), and why it may
/// pass without testing anything (see [`vacuous_reason`]).
pub type Row<'a> = (&'a Gate, Option<bool>, Vec<&'static str>);

/// Why a rule's finding makes a gate vacuous, in a few words; `None` for other rules.
pub fn vacuous_reason(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "required-masked" => "continue-on-error masks the job",
        "required-step-masked" => "a step's continue-on-error hides its failure",
        "required-skippable" => "its if: can skip it, and skipped passes",
        "required-needs-unguarded" => "a failed dependency does not fail it",
        "required-path-filtered" => "trigger filters leave some pull requests without it",
        "required-never-posted" => "it is never posted where protection waits for it",
        "context-collision" => "another job or leg posts the same context",
        _ => return None,
    })
}

fn directive_kind(gate: &Gate) -> &'static str {
    if gate.directive_invalid && gate.directive.is_none() {
        return "none";
    }
    gate.directive.as_ref().map_or("none", |d| d.value.kind())
}

/// The JSON report (schema version 1).
pub fn json(rows: &[Row<'_>], posted: Option<&Posted>) -> String {
    let report = JsonReport {
        version: 1,
        gates: rows.iter().map(|row| json_gate(row, posted)).collect(),
    };
    // Serialising plain strings, numbers and options cannot fail.
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The JSON report written as it comes: [`JsonStream::rows`] gives each gate's element, as
/// [`json`] writes it in the whole document.
pub struct JsonStream {
    first: bool,
}

impl JsonStream {
    pub fn head() -> (JsonStream, &'static str) {
        (
            JsonStream { first: true },
            "{\n  \"version\": 1,\n  \"gates\": [",
        )
    }

    pub fn rows(&mut self, rows: &[Row<'_>], posted: Option<&Posted>) -> String {
        let mut out = String::new();
        for row in rows {
            out.push_str(if self.first { "\n" } else { ",\n" });
            self.first = false;
            let element = serde_json::to_string_pretty(&json_gate(row, posted)).unwrap_or_default();
            out.push_str(&super::indent(&element, "    "));
        }
        out
    }

    pub fn tail(&self) -> &'static str {
        if self.first { "]\n}" } else { "\n  ]\n}" }
    }
}

fn json_gate<'a>((g, protected, vacuous): &'a Row<'_>, posted: Option<&'a Posted>) -> JsonGate<'a> {
    {
        {
            JsonGate {
                root: &g.root,
                workflow: &g.workflow,
                file: &g.file,
                job: &g.job,
                contexts: g.contexts.iter().map(|c| c.text.as_str()).collect(),
                directive: directive_kind(g),
                issue: match g.directive.as_ref().map(|d| &d.value) {
                    Some(Directive::Pending(issue)) => Some(issue.number),
                    _ => None,
                },
                protected: *protected,
                masked: g.masked.as_str(),
                verdict: Verdict::of(g, *protected, vacuous).as_str(),
                vacuous,
                history: posted.map(|p| {
                    g.contexts
                        .iter()
                        .map(|c| {
                            let (k, last) = p.get(&c.text);
                            JsonPosted {
                                context: &c.text,
                                posted: k,
                                of: p.of,
                                last,
                            }
                        })
                        .collect()
                }),
            }
        }
    }
}

/// An aligned table, one line per context: a block per repository root, each under its
/// root's name when there are several.
pub fn table(rows: &[Row<'_>], posted: Option<&Posted>) -> String {
    let mut stream = TableStream::default();
    let mut out = stream.blocks(table_blocks(rows, posted));
    out.push_str(&stream.finish());
    out
}

/// The table written as it comes: a root's block is held until the next root's begins (its
/// lines are aligned together, and the same root given twice in a row is one block, as in
/// the whole table), and the first block until a second shows that blocks need names.
#[derive(Default)]
pub struct TableStream {
    held: Option<Block>,
    written: usize,
}

impl TableStream {
    pub fn blocks(&mut self, blocks: Vec<Block>) -> String {
        let mut out = String::new();
        for block in blocks {
            match &mut self.held {
                Some(held) if held.root == block.root => held.lines.extend(block.lines),
                _ => {
                    // Another root follows: the held block is one of several.
                    if let Some(held) = self.held.take() {
                        out.push_str(&self.named(&held));
                    }
                    self.held = Some(block);
                }
            }
        }
        out
    }

    fn named(&mut self, block: &Block) -> String {
        let mut out = String::new();
        if self.written > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", block.root);
        out.push_str(&render_block(block));
        self.written += 1;
        out
    }

    pub fn finish(&mut self) -> String {
        match self.held.take() {
            Some(held) if self.written == 0 => render_block(&held),
            Some(held) => self.named(&held),
            None if self.written == 0 => "no jobs found\n".to_owned(),
            None => String::new(),
        }
    }
}

/// Each root's block of the table (its header row and lines), in order.
pub fn table_blocks(rows: &[Row<'_>], posted: Option<&Posted>) -> Vec<Block> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut last_root: Option<&str> = None;
    let mut blocks: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for (g, protected, vacuous) in rows {
        if last_root != Some(g.root.as_str()) {
            if last_root.is_some() {
                blocks.push((
                    last_root.unwrap_or_default().to_owned(),
                    std::mem::take(&mut lines),
                ));
            }
            last_root = Some(&g.root);
        }
        let directive = match g.directive.as_ref().map(|d| &d.value) {
            Some(Directive::Pending(issue)) => format!("pending {}", visible(&issue.to_string())),
            Some(d) => d.kind().to_owned(),
            None if g.directive_invalid => "invalid".to_owned(),
            None => "-".to_owned(),
        };
        let verdict = Verdict::of(g, *protected, vacuous).as_str();
        let protected = match protected {
            // Nothing of its own to protect (JSON: `protected` false, verdict `no-context`).
            _ if g.contexts.is_empty() && g.unresolvable.is_none() => "-",
            None => "?",
            Some(true) => "yes",
            Some(false) => "no",
        };
        // Each line: its context, and (with history) how often it was posted.
        let mut contexts: Vec<(String, String)> = g
            .contexts
            .iter()
            .map(|c| {
                (
                    spaced(&c.text).into_owned(),
                    posted.map(|p| p.cell(&c.text)).unwrap_or_default(),
                )
            })
            .collect();
        if let Some(reason) = &g.unresolvable {
            contexts.push((
                format!("(unresolvable: {})", visible(reason)),
                String::new(),
            ));
        }
        if contexts.is_empty() {
            contexts.push((
                "(posts no context on a pull request)".to_owned(),
                String::new(),
            ));
        }
        contexts.extend(
            vacuous
                .iter()
                .map(|why| (format!("(vacuous: {why})"), String::new())),
        );
        for (i, (c, history)) in contexts.into_iter().enumerate() {
            let mut row = if i == 0 {
                vec![
                    visible(&g.file).into_owned(),
                    spaced(&g.job).into_owned(),
                    directive.clone(),
                    g.masked.as_str().to_owned(),
                    protected.to_owned(),
                    verdict.to_owned(),
                ]
            } else {
                vec![String::new(); 6]
            };
            if posted.is_some() {
                row.push(history);
            }
            row.push(c);
            lines.push(row);
        }
    }
    if let Some(root) = last_root {
        blocks.push((root.to_owned(), lines));
    }
    blocks
        .into_iter()
        .map(|(root, lines)| Block {
            root,
            lines,
            posted: posted.is_some(),
        })
        .collect()
}

/// One root's lines of the table, not yet aligned.
pub struct Block {
    root: String,
    lines: Vec<Vec<String>>,
    posted: bool,
}

/// A block aligned, under its header row.
fn render_block(block: &Block) -> String {
    let mut headers = vec!["FILE", "JOB", "DIRECTIVE", "MASK", "PROTECTED", "VERDICT"];
    if block.posted {
        headers.push("POSTED");
    }
    headers.push("CONTEXTS");
    let lines = &block.lines;
    let mut out = String::new();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for l in lines {
        for (w, cell) in widths.iter_mut().zip(l.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut write_row = |cells: &[&str]| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == cells.len() - 1 {
                line.push_str(cell);
            } else {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(cell.chars().count());
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    };
    write_row(&headers);
    for l in lines {
        let cells: Vec<&str> = l.iter().map(String::as_str).collect();
        write_row(&cells);
    }
    out
}
