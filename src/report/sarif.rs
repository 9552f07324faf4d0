//! SARIF 2.1.0: one run, every rule with its documentation, one result per finding.

use serde::Serialize;
use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::rules;
use crate::run::Checked;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The first paragraph under "What it catches" of a rule's doc.
fn full_description(doc: &str) -> String {
    let after = doc.split("## What it catches").nth(1).unwrap_or(doc);
    after
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .replace('\n', " ")
        .trim()
        .to_owned()
}

/// The artifact URI of a finding's file: relative to its root (the root is joined when it is
/// not `.`, so several roots stay apart).
pub fn artifact_uri(f: &Finding) -> Option<String> {
    let file = f.file.as_deref()?;
    if f.root == "." || file.starts_with('/') || file.starts_with("../") {
        return Some(file.to_owned());
    }
    Some(format!("{}/{file}", f.root.trim_end_matches('/')))
}

// Results are typed, not `serde_json::Value` trees: a file with tens of thousands of findings
// stays within a few bytes of its output per finding (issue 9's memory budget).

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[Location; 1]>,
    /// What the forge posted that the finding rests on (`--head`, `--history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
}

#[derive(Serialize)]
struct Properties<'a> {
    evidence: &'a [crate::finding::Evidence],
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: Physical,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

fn result(f: &Finding, rule_index: usize) -> SarifResult<'_> {
    let text = match &f.help {
        Some(help) => format!("{} (help: {help})", f.message),
        None => f.message.clone(),
    };
    let locations = artifact_uri(f).map(|uri| {
        let region = f.span.filter(|s| s.start.line >= 1).map(|span| {
            let ends = span.end.line >= span.start.line && span.end > span.start;
            Region {
                start_line: span.start.line,
                start_column: span.start.col + 1,
                end_line: ends.then_some(span.end.line),
                end_column: ends.then_some(span.end.col + 1),
            }
        });
        [Location {
            physical_location: Physical {
                artifact_location: Artifact { uri },
                region,
            },
        }]
    });
    SarifResult {
        rule_id: f.rule,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations,
        properties: (!f.evidence.is_empty()).then_some(Properties {
            evidence: &f.evidence,
        }),
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Value,
    results: Vec<SarifResult<'a>>,
}

pub fn sarif(checked: &[Checked]) -> String {
    let rule_list: Vec<Value> = rules::RULES
        .iter()
        .map(|r| {
            let i = r.info();
            json!({
                "id": i.id,
                "name": i.id,
                "shortDescription": {"text": i.summary},
                "fullDescription": {"text": full_description(i.doc)},
                "help": {"text": i.doc, "markdown": i.doc},
                "defaultConfiguration": {"level": level(i.default)},
            })
        })
        .collect();
    let ids = rules::ids();
    let results: Vec<SarifResult<'_>> = checked
        .iter()
        .flat_map(|c| &c.findings)
        .map(|f| result(f, ids.iter().position(|id| *id == f.rule).unwrap_or(0)))
        .collect();
    let tool = json!({"driver": {
        "name": "gatelint",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://crates.io/crates/gatelint",
        "rules": rule_list,
    }});
    let doc = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run { tool, results }],
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
