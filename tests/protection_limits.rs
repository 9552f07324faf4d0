//! Hostile protection sources through the binary: very many contexts and pathological globs
//! complete (outcome asserted, not time), too many globs are refused, and a snapshot of
//! another branch or repository is refused. Every run has a canary token in its environment
//! that must appear in no output.

mod common;

use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

const CANARY: &str = "canary-token-9f3e";

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn gatelint(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::cargo_bin("gatelint").expect("binary");
    cmd.current_dir(common::repo_root())
        .args(args)
        .env("NO_COLOR", "1")
        .env("GATELINT_TOKEN", CANARY);
    for var in [
        "GITHUB_REPOSITORY",
        "GITHUB_BASE_REF",
        "GITHUB_SERVER_URL",
        "GITEA_ACTIONS",
        "FORGEJO_ACTIONS",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let out = Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!out.stdout.contains(CANARY) && !out.stderr.contains(CANARY));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).expect("writes");
    p.to_string_lossy().into_owned()
}

/// `check REPO EXTRA --protection FILE`: it exits 1, and this many entries are orphaned.
fn orphans(repo: &str, extra: &[&str], file: &str) -> usize {
    let mut args = vec!["check", repo];
    args.extend_from_slice(extra);
    args.extend(["--protection", file, "--format", "json"]);
    let out = gatelint(&args, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    rules_of(&out)
        .iter()
        .filter(|r| *r == "protection-orphaned")
        .count()
}

fn rules_of(out: &Out) -> Vec<String> {
    let v: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn protection_with_200k_contexts_is_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut contexts: Vec<String> = (0..200_000)
        .map(|i| format!("CI / job-{i:06} (pull_request)"))
        .collect();
    contexts.push("Docs (stable)".to_owned());
    let doc = serde_json::json!({"required_status_checks": {"strict": true, "contexts": contexts}});
    let file = write(
        &dir,
        "gh.json",
        &serde_json::to_string_pretty(&doc).unwrap_or_default(),
    );
    assert_eq!(orphans("testdata/github-basic", &[], &file), 200_000);
}

#[test]
fn two_thousand_pathological_globs_complete() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut patterns: Vec<String> = (0..2_000)
        .map(|i| format!("{}{i}*b", "*a".repeat(16)))
        .collect();
    patterns.push("CI / *".to_owned());
    let doc = serde_json::json!({"rule_name": "main", "enable_status_check": true, "status_check_contexts": patterns});
    let file = write(&dir, "bp.json", &doc.to_string());
    // The 2,000 globs match nothing posted: each is an orphan; `CI / *` matches.
    assert_eq!(
        orphans("testdata/gitea-basic", &["--forge", "gitea"], &file),
        2_000
    );

    // Past the cap: refused with the cap named.
    let patterns: Vec<String> = (0..5_001).map(|i| format!("*a*a*a*{i}*b")).collect();
    let doc = serde_json::json!({"status_check_contexts": patterns});
    let file = write(&dir, "many.json", &doc.to_string());
    let out = gatelint(
        &[
            "check",
            "testdata/gitea-basic",
            "--forge",
            "gitea",
            "--protection",
            &file,
        ],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("many.json:1: more than 5000 glob patterns"),
        "{}",
        out.stderr
    );
}

const SNAPSHOT: &str = r#"{
  "gatelint-snapshot": 1,
  "forge": "github",
  "server": "https://github.com",
  "repository": "octo/app",
  "branch": "release",
  "source": "branch protection",
  "rule": null,
  "matching": "exact",
  "fetched-at": "2026-11-24T05:00:00Z",
  "nothing-required": null,
  "required": ["Docs (stable)"],
  "other-apps": []
}
"#;

#[test]
fn snapshot_of_another_branch_or_repository_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = write(&dir, "snap.json", SNAPSHOT);
    let check = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec![
            "check",
            "testdata/github-basic",
            "--protection",
            &snap,
            "--format",
            "json",
        ];
        args.extend(extra);
        gatelint(&args, env)
    };
    // The default branch is `main`: the snapshot is of `release`.
    let out = check(&[], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "{snap}:6: this is a snapshot of branch `release` of octo/app, but branch `main` is checked"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
    // Its own branch: checked.
    let out = check(
        &["--branch", "release"],
        &[("GITHUB_REPOSITORY", "octo/app")],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Another repository, as the runner says.
    let out = check(
        &["--branch", "release"],
        &[("GITHUB_REPOSITORY", "octo/other")],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "{snap}:5: this is a snapshot of repository octo/app, but octo/other is checked"
        )),
        "{}",
        out.stderr
    );
}
