//! A hostile pull request (issue 9, attack 4): one small workflow file (≤ 1 MB) must not make
//! gatelint exceed 2 s of CPU and 256 MB of memory, or hang, or crash: it is refused with a
//! `workflow-invalid` that names the limit, and the rest of the repository is still reported.
//!
//! The hard stops are the kernel's: each run is under `ulimit -t` (CPU seconds), and peak
//! memory is the largest `ru_maxrss` of this test binary's children (getrusage), never wall
//! clock. The CPU limit is generous (debug-free release figures are in the closing notes);
//! what the tests pin is that each run ends, with the exact finding.

mod common;

use std::path::Path;
use std::process::Command;

use nix::sys::resource::{UsageWho, getrusage};
use serde_json::Value;

/// The most memory any gatelint run of these tests may use, in KiB.
const MAX_RSS_KIB: i64 = 256 * 1024;
/// CPU seconds a run may take before the kernel stops it (a debug build is slower than the
/// 2 s release budget).
const CPU_LIMIT: &str = "20";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `gatelint ARGS` under a CPU limit, with the canary token set.
fn limited(dir: &Path, args: &[&str]) -> Run {
    let bin = assert_cmd::cargo::cargo_bin("gatelint");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -t {CPU_LIMIT}; exec \"$0\" \"$@\""))
        .arg(&bin)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GATELINT_TOKEN", common::CANARY)
        .output()
        .expect("gatelint runs");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        out.status.code().is_some(),
        "gatelint was killed (CPU limit or signal): {:?}\n{}",
        out.status,
        run.stderr
    );
    assert!(!run.stdout.contains(common::CANARY) && !run.stderr.contains(common::CANARY));
    let rss = getrusage(UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage")
        .max_rss();
    assert!(
        rss <= MAX_RSS_KIB,
        "peak memory {rss} KiB is over {MAX_RSS_KIB} KiB"
    );
    run
}

const GOOD: &str =
    "name: Fine\non: pull_request\njobs:\n  ok:\n    runs-on: x\n    steps: [{run: 'true'}]\n";

/// A repository with `bad.yml` (≤ 1 MB) and a good sibling; `check --format json` on it.
fn check_bad(content: &str) -> (Run, Vec<Value>) {
    assert!(content.len() <= 1024 * 1024, "{} bytes", content.len());
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("bad.yml"), content).expect("write");
    std::fs::write(wf.join("fine.yml"), GOOD).expect("write");
    let root = dir.path().to_string_lossy().into_owned();
    let run = limited(dir.path(), &["check", &root, "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    // The good file is still there: `report` lists its gate.
    let rep = limited(dir.path(), &["report", &root, "--format", "json"]);
    let gates: Value = serde_json::from_str(&rep.stdout).expect("report JSON");
    assert!(
        gates["gates"]
            .as_array()
            .is_some_and(|g| g.iter().any(|g| g["file"] == ".github/workflows/fine.yml")),
        "{}",
        rep.stdout
    );
    (run, findings)
}

/// The one `workflow-invalid` finding for bad.yml: (line, message).
fn invalid(findings: &[Value]) -> (u64, String) {
    let bad: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "workflow-invalid" && f["file"] == ".github/workflows/bad.yml")
        .collect();
    assert_eq!(bad.len(), 1, "{findings:#?}");
    (
        bad[0]["line"].as_u64().unwrap_or(0),
        bad[0]["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Nested `format()` calls, each repeating its argument ten times: 12 levels would be a
/// terabyte. The naming budget stops it.
#[test]
fn nested_format_calls() {
    let mut e = "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'".to_owned();
    for _ in 0..12 {
        e = format!("format('{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}{{0}}', {e})");
    }
    let wf = format!(
        "name: Bomb\non: pull_request\njobs:\n  a:\n    name: ${{{{ {e} }}}}\n    runs-on: x\n    steps: [{{run: 'true'}}]\n"
    );
    let (run, findings) = check_bad(&wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (line, message) = invalid(&findings);
    assert_eq!(line, 1);
    assert!(message.contains("more than 64 MiB"), "{message}");
}

/// Large matrix values times legs, the matrix repeated by aliases over many jobs.
#[test]
fn big_matrix_values_times_legs() {
    let big = "v".repeat(55_000);
    let mut wf = String::from("name: Matrix\non: pull_request\njobs:\n");
    wf.push_str("  j0:\n    runs-on: x\n    strategy:\n      matrix: &m\n        a:\n");
    for i in 0..16 {
        wf.push_str(&format!("          - \"{big}{i}\"\n"));
    }
    wf.push_str("        b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]\n");
    wf.push_str("    steps: [{run: 'true'}]\n");
    for j in 1..40 {
        wf.push_str(&format!(
            "  j{j}:\n    runs-on: x\n    strategy:\n      matrix: *m\n    steps: [{{run: 'true'}}]\n"
        ));
    }
    let (run, findings) = check_bad(&wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (_, message) = invalid(&findings);
    assert!(message.contains("more than 64 MiB"), "{message}");
}

/// Aliases of a large scalar: the node count saw one node per alias.
#[test]
fn aliases_of_a_large_scalar() {
    let big = "s".repeat(900_000);
    let mut wf = format!("name: Alias\non: pull_request\nenv:\n  X: &a \"{big}\"\njobs:\n");
    wf.push_str("  a:\n    runs-on: x\n    env:\n");
    for i in 0..1000 {
        wf.push_str(&format!("      V{i}: *a\n"));
    }
    wf.push_str("    steps: [{run: 'true'}]\n");
    let (run, findings) = check_bad(&wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (_, message) = invalid(&findings);
    assert!(message.contains("expand"), "{message}");
}

/// A `needs` chain of 3,000 required jobs ending in one that is not required: walked once.
#[test]
fn long_needs_chain() {
    let mut wf = String::from(
        "name: Chain\non: pull_request\njobs:\n  j0:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
    );
    for i in 1..3000 {
        wf.push_str(&format!(
            "  # bp-required: yes\n  j{i}:\n    needs: j{}\n    runs-on: x\n    steps: [{{run: 'true'}}]\n",
            i - 1
        ));
    }
    let (run, findings) = check_bad(&wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let unguarded = findings
        .iter()
        .filter(|f| f["rule"] == "required-needs-unguarded")
        .count();
    assert_eq!(unguarded, 2999);
}

/// 400 jobs, each needing every earlier one (80,000 edges).
#[test]
fn fully_connected_needs() {
    let mut wf = String::from(
        "name: Dense\non: pull_request\njobs:\n  j0:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
    );
    for i in 1..400 {
        let needs: Vec<String> = (0..i).map(|j| format!("j{j}")).collect();
        wf.push_str(&format!(
            "  # bp-required: yes\n  j{i}:\n    needs: [{}]\n    runs-on: x\n    steps: [{{run: 'true'}}]\n",
            needs.join(", ")
        ));
    }
    let (run, findings) = check_bad(&wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["rule"] == "required-needs-unguarded")
            .count(),
        399
    );
}

/// A big file with many under-indented lines in a flow collection: each repair parsed the
/// whole file again. The repairs are bounded by the bytes they re-parse.
#[test]
fn flow_repairs_are_bounded() {
    let mut wf = String::from(
        "name: Flow\non: pull_request\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        v:\n          - [\n",
    );
    for i in 0..255 {
        wf.push_str(&format!("  \"{i}\",\n"));
    }
    wf.push_str("          ]\n    steps: [{run: 'true'}]\n");
    let pad = "# padding padding padding padding padding padding padding padding padding\n";
    while wf.len() + pad.len() < 1000 * 1024 {
        wf.push_str(pad);
    }
    let (run, findings) = check_bad(&wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (line, message) = invalid(&findings);
    assert_eq!(line, 10, "{message}");
    assert!(message.contains("indentation"), "{message}");
}

/// 30,000 operators in an `if:` overflowed the stack (SIGABRT).
#[test]
fn long_operator_chains() {
    for (what, expr) in [
        ("or", vec!["github.x"; 30_000].join(" || ")),
        ("not", format!("{}true", "!".repeat(30_000))),
        (
            "parens",
            format!("{}1{}", "(".repeat(30_000), ")".repeat(30_000)),
        ),
        ("properties", format!("github{}", ".a".repeat(30_000))),
    ] {
        let wf = format!(
            "name: Ops\non: pull_request\njobs:\n  # bp-required: yes\n  a:\n    if: ${{{{ {expr} }}}}\n    runs-on: x\n    steps: [{{run: 'true'}}]\n"
        );
        let (run, findings) = check_bad(&wf);
        assert_eq!(run.code, 1, "{what}: {}", run.stderr);
        let (line, message) = invalid(&findings);
        assert_eq!(line, 6, "{what}: {message}");
        assert!(
            message.contains("nested more than 128") || message.contains("more than 20000 tokens"),
            "{what}: {message}"
        );
        assert!(message.contains("gatelint's limit"), "{what}: {message}");
    }
}

/// A mapping with a key twice: the forge refuses the file; so does gatelint, at the second.
#[test]
fn duplicate_keys() {
    let wf = "name: Dup\non: pull_request\nenv:\n  A: 1\njobs:\n  a:\n    runs-on: x\n    steps: [{run: 'true'}]\nenv:\n  B: 2\n";
    let (run, findings) = check_bad(wf);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (line, message) = invalid(&findings);
    assert_eq!(line, 9);
    assert!(
        message.contains("duplicate key `env` (first at line 3)"),
        "{message}"
    );
    let jobs = "name: Dup\non: pull_request\njobs:\n  a:\n    runs-on: x\n    steps: [{run: 'true'}]\n  a:\n    runs-on: y\n    steps: [{run: 'true'}]\n";
    let (_, findings) = check_bad(jobs);
    let (line, message) = invalid(&findings);
    assert_eq!(line, 7);
    assert!(
        message.contains("duplicate key `a` (first at line 4)"),
        "{message}"
    );
    // Merge keys are not duplicates.
    let merge = "name: M\non: pull_request\njobs:\n  a: &j\n    runs-on: x\n    steps: [{run: 'true'}]\n  b:\n    <<: *j\n    runs-on: y\n";
    let (run, findings) = check_bad(merge);
    assert!(
        !findings.iter().any(|f| f["rule"] == "workflow-invalid"),
        "{findings:#?}\n{}",
        run.stderr
    );
}
