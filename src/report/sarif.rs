//! SARIF 2.1.0: one run, every rule with its documentation, one result per finding.

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

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": f.message},
    });
    if let Some(uri) = artifact_uri(f) {
        let mut physical = json!({"artifactLocation": {"uri": uri}});
        if let Some(span) = f.span.filter(|s| s.start.line >= 1) {
            let mut region = json!({
                "startLine": span.start.line,
                "startColumn": span.start.col + 1,
            });
            if span.end.line >= span.start.line && span.end > span.start {
                region["endLine"] = json!(span.end.line);
                region["endColumn"] = json!(span.end.col + 1);
            }
            physical["region"] = region;
        }
        r["locations"] = json!([{"physicalLocation": physical}]);
    }
    if let Some(help) = &f.help {
        r["message"]["text"] = json!(format!("{} (help: {help})", f.message));
    }
    r
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
    let results: Vec<Value> = checked
        .iter()
        .flat_map(|c| &c.findings)
        .map(|f| result(f, ids.iter().position(|id| *id == f.rule).unwrap_or(0)))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gatelint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/gatelint",
                "rules": rule_list,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
