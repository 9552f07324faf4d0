//! `check --format sarif|github|markdown`, and the defaults inside a runner.

mod common;

use common::gatelint;

#[test]
fn sarif_is_valid_against_the_schema() {
    // A fixture with findings of every severity: errors, warnings and notes.
    let out = gatelint(&[
        "check",
        "testdata/rules/pending-exempt",
        "testdata/rules/required-masked",
        "testdata/rules/masks",
        "--format",
        "sarif",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    let levels: std::collections::BTreeSet<String> = doc["runs"][0]["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|r| r["level"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        levels.into_iter().collect::<Vec<_>>(),
        ["error", "note", "warning"]
    );
    assert_eq!(
        doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(gatelint::rules::RULES.len())
    );
    let first = &doc["runs"][0]["results"][0];
    assert_eq!(first["ruleId"], "required-pending");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "testdata/rules/pending-exempt/.gitea/workflows/ci.yml"
    );
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    let Some(schema_path) = common::shared("schemas/sarif-schema-2.1.0.json") else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap_or_default())
            .unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what the schema forbids.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn github_workflow_commands() {
    let out = gatelint(&[
        "check",
        "testdata/rules/pending-exempt",
        "--format",
        "github",
    ]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("::notice file=testdata/rules/pending-exempt/.gitea/workflows/ci.yml,line=4,col=3,endLine=4,endColumn="), "{}", lines[0]);
    assert!(lines[1].starts_with("::warning file="), "{}", lines[1]);
    assert!(
        lines[1].contains(",title=pending-already-protected::"),
        "{}",
        lines[1]
    );
    // The help follows the message on a new line, escaped.
    assert!(
        lines[1].contains("%0Achange the directive to `bp-required: yes`"),
        "{}",
        lines[1]
    );
}

#[test]
fn markdown_summary() {
    let out = gatelint(&[
        "check",
        "testdata/rules/required-not-protected",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stdout, @r"
    ## ❌ gatelint: 2 errors, 0 warnings, 0 notes

    1 workflow and 3 jobs checked.

    | Severity | Rule | Location | Message |
    |---|---|---|---|
    | ❌ error | `required-not-protected` | [testdata/rules/required-not-protected/.gitea/workflows/ci.yml:4](<testdata/rules/required-not-protected/.gitea/workflows/ci.yml#L4>) | `unlisted` is `bp-required: yes`, but the protection of `main` requires none of `CI / unlisted (push)`, `CI / unlisted (pull_request)` |
    | ❌ error | `required-not-protected` | [testdata/rules/required-not-protected/.gitea/workflows/ci.yml:12](<testdata/rules/required-not-protected/.gitea/workflows/ci.yml#L12>) | `matrix` is `bp-required: yes`, but the protection of `main` requires none of `CI / matrix (windows) (push)`, `CI / matrix (windows) (pull_request)` |

    by rule: required-not-protected 2 errors

    <details><summary>Gate matrix (3 jobs)</summary>

    | Workflow | Job | Directive | Protected | Verdict | Contexts |
    |---|---|---|---|---|---|
    | CI | `unlisted` | required | no | not-protected | `CI / unlisted (push)`<br>`CI / unlisted (pull_request)` |
    | CI | `push-only-listed` | required | yes | ok | `CI / push-only-listed (push)`<br>`CI / push-only-listed (pull_request)` |
    | CI | `matrix` | required | yes | ok | `CI / matrix (linux) (push)`<br>`CI / matrix (linux) (pull_request)`<br>`CI / matrix (windows) (push)`<br>`CI / matrix (windows) (pull_request)` |

    </details>
    ");
}

#[test]
fn inside_a_runner_github_commands_and_a_step_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("write");
    let mut cmd = assert_cmd::Command::cargo_bin("gatelint").expect("binary");
    common::clear_ci_env(&mut cmd);
    let out = cmd
        .current_dir(common::repo_root())
        .args(["check", "testdata/rules/required-not-protected"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GATELINT_TOKEN", common::CANARY)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(common::CANARY));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(common::CANARY));
    assert!(stdout.starts_with("::error file="), "{stdout}");
    let written = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(
        written.starts_with("earlier step\n## ❌ gatelint: 2 errors"),
        "{written}"
    );
}

/// Gitea and Forgejo runners set GITHUB_ACTIONS too but show no annotations: the default there
/// is the human output, without colour, and the Markdown summary goes to GITHUB_STEP_SUMMARY
/// when the runner sets it.
#[test]
fn inside_a_gitea_or_forgejo_runner_human_output() {
    for marker in ["GITEA_ACTIONS", "FORGEJO_ACTIONS"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let summary = dir.path().join("summary.md");
        let out = common::gatelint_env(
            &common::repo_root(),
            &["check", "testdata/rules/required-not-protected"],
            &[
                ("GITHUB_ACTIONS", "true"),
                (marker, "true"),
                ("GITHUB_STEP_SUMMARY", &summary.to_string_lossy()),
            ],
        );
        assert_eq!(out.code, 1, "{marker}");
        assert!(!out.stdout.contains("::error"), "{marker}: {}", out.stdout);
        assert!(!out.stdout.contains('\u{1b}'), "{marker}: no colour");
        assert!(
            out.stdout
                .ends_with("gatelint: 2 errors, 0 warnings, 0 notes in 1 workflow (3 jobs)\n"),
            "{marker}: {}",
            out.stdout
        );
        let written = std::fs::read_to_string(&summary).unwrap_or_default();
        assert!(
            written.starts_with("## ❌ gatelint: 2 errors"),
            "{marker}: {written}"
        );
    }
}

/// The JSON Schema of an output, shipped in `schemas/`.
fn schema(name: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(common::repo_root().join("schemas").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let schema: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `check --format json` and `report --format json` match schemas/check.schema.json and
/// schemas/report.schema.json on fixtures with every severity, masks, pending and invalid
/// directives, and several roots; the schemas reject what they forbid.
#[test]
fn json_outputs_match_their_schemas() {
    let check = schema("check.schema.json");
    let roots = [
        "testdata/rules/pending-exempt",
        "testdata/rules/required-masked",
        "testdata/rules/masks",
        "testdata/rules/directive-missing",
        "testdata/rules/required-not-protected",
        "testdata/invalid",
        "testdata/gitea-naming",
    ];
    for root in roots {
        for args in [
            vec!["check", root, "--format", "json"],
            vec!["report", root, "--format", "json"],
        ] {
            let out = gatelint(&args);
            assert!(out.code == 0 || out.code == 1, "{args:?}: {}", out.stderr);
            let doc = out.json();
            let name = format!("{}.schema.json", args[0]);
            let errors = common::schema_errors(&name, &doc);
            assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        }
    }
    let mut all = vec!["check"];
    all.extend(roots);
    all.extend(["--format", "json"]);
    let doc = gatelint(&all).json();
    assert!(doc["findings"].as_array().map_or(0, Vec::len) > 20);
    assert!(common::schema_errors("check.schema.json", &doc).is_empty());
    let mut broken = doc.clone();
    broken["findings"][0]["severity"] = serde_json::json!("fatal");
    assert!(!check.is_valid(&broken));
    let mut broken = doc;
    broken["summary"]["extra"] = serde_json::json!(1);
    assert!(!check.is_valid(&broken));
}
