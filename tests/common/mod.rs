//! Helpers shared by the integration tests: run the built binary, read its JSON.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(case: &str) -> String {
    format!("testdata/{case}")
}

/// `../shared` beside the project, or `None` (with a printed notice) when it is absent.
pub fn shared(sub: &str) -> Option<PathBuf> {
    let p = repo_root().join("../shared").join(sub);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} is absent", p.display());
        None
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Run `gatelint` from the project root with `args`. A hang is a failure, not a wait.
pub fn gatelint(args: &[&str]) -> Output {
    gatelint_in(&repo_root(), args)
}

pub fn gatelint_in(dir: &Path, args: &[&str]) -> Output {
    gatelint_env(dir, args, &[])
}

/// What a CI runner sets that changes what gatelint does (server, repository, event payload,
/// running job, output format): cleared in every test run, which sets what it tests.
pub const CI_ENV: [&str; 16] = [
    "GITHUB_SERVER_URL",
    "GITHUB_API_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_BASE_REF",
    "GITHUB_HEAD_REF",
    "GITHUB_SHA",
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_JOB",
    "GITHUB_WORKFLOW",
    "GITEA_ACTIONS",
    "FORGEJO_ACTIONS",
    "GATELINT_TOKEN",
    "GITEA_TOKEN",
];

/// Clear [`CI_ENV`] (and `GITHUB_TOKEN`) from `cmd`.
pub fn clear_ci_env(cmd: &mut Command) {
    for var in CI_ENV.iter().chain(&["GITHUB_TOKEN"]) {
        cmd.env_remove(var);
    }
}

/// A token every test run has in its environment; no output may ever show it.
pub const CANARY: &str = "canary-token-9f3e-do-not-print";

/// Run `gatelint` in `dir` with `args` and extra environment variables; the canary token is
/// set (as GATELINT_TOKEN, GITHUB_TOKEN and GITEA_TOKEN) and asserted absent from the output.
pub fn gatelint_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd =
        Command::cargo_bin("gatelint").expect("the gatelint binary is built for integration tests");
    // The checked repository's name decides `github.repository` guards, the event payload
    // the pull request's body: a test says them.
    clear_ci_env(&mut cmd);
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("GATELINT_TOKEN", CANARY)
        .env("GITHUB_TOKEN", CANARY)
        .env("GITEA_TOKEN", CANARY)
        .timeout(Duration::from_secs(60));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("gatelint runs");
    let out = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_no_canary(&out);
    out
}

/// Run `gatelint` in `dir` with `args` and `env` (the CI environment cleared first, no
/// colour, trace logging asked for): `secret` appears in no output, and nothing panicked. A
/// hang is a failure.
pub fn run_secret(dir: &Path, args: &[String], env: &[(&str, String)], secret: &str) -> Output {
    let mut cmd =
        Command::cargo_bin("gatelint").expect("the gatelint binary is built for integration tests");
    clear_ci_env(&mut cmd);
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "trace")
        .env("RUST_BACKTRACE", "1")
        .timeout(Duration::from_secs(60));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("gatelint runs");
    let out = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!out.stdout.contains(secret), "the secret in stdout");
    assert!(
        !out.stderr.contains(secret),
        "the secret in stderr: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

/// The canary token appears in no output.
pub fn assert_no_canary(out: &Output) {
    assert!(
        !out.stdout.contains(CANARY) && !out.stderr.contains(CANARY),
        "the token leaked into the output:\n{}\n{}",
        out.stdout,
        out.stderr
    );
}

/// `report --format json` on a fixture: (exit code, gates).
pub fn report(case: &str, extra: &[&str]) -> (i32, Vec<Value>) {
    let dir = testdata(case);
    let mut args = vec!["report", dir.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = gatelint(&args);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    (out.code, gates)
}

/// The gate of `job` in `file` (relative path).
pub fn gate<'a>(gates: &'a [Value], file: &str, job: &str) -> &'a Value {
    gates
        .iter()
        .find(|g| g["file"] == file && g["job"] == job)
        .unwrap_or_else(|| panic!("no gate {file}:{job} in {gates:#?}"))
}

pub fn contexts(g: &Value) -> Vec<String> {
    g["contexts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Copy a directory tree into `to` (which exists).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from)
        .expect("the fixture lists")
        .flatten()
    {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `git ARGS` in `dir` (with a fixed identity, no signing), `input` on its stdin; its trimmed
/// stdout. Fails the test if git fails.
pub fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> String {
    let mut child = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=gatelint",
            "-c",
            "user.email=gatelint@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        if let Some(input) = input {
            stdin.write_all(input).expect("write to git");
        }
    }
    let out = child.wait_with_output().expect("git ends");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Write a Gitea snapshot whose one glob, `*`, requires every posted context (every rule about
/// required jobs then runs on every job) into `dir`; its path.
pub fn all_required_snapshot(dir: &Path) -> String {
    let all = dir.join("all.json");
    std::fs::write(
        &all,
        r#"{"gatelint-snapshot": 1, "forge": "gitea", "server": "", "repository": "", "branch": "main",
            "source": "test", "rule": null, "matching": "glob", "fetched-at": "", "nothing-required": null,
            "required": ["*"], "other-apps": []}"#,
    )
    .expect("write the snapshot");
    all.to_string_lossy().into_owned()
}

/// What `doc` breaks of the JSON Schema `schemas/{name}` shipped with gatelint (empty: it
/// matches).
pub fn schema_errors(name: &str, doc: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("schemas").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}
