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

/// Set in the environment of [`probe`]'s process: the folder holding its command and outputs.
const PROBE: &str = "GATELINT_RSS_PROBE";

/// `gatelint ARGS` under a CPU limit, with the canary token set.
///
/// The peak memory of a child forked from this test process would include this process's own
/// memory (Linux keeps the high-water mark across `exec`, and the tests run in parallel threads
/// holding big inputs), so gatelint is started by a fresh, small copy of this test binary (the
/// `probe` test below), which reports its child's `ru_maxrss` alone.
fn limited(dir: &Path, args: &[&str]) -> Run {
    let work = tempfile::tempdir().expect("temp dir");
    let bin = assert_cmd::cargo::cargo_bin("gatelint");
    let mut command = vec![bin.to_string_lossy().into_owned()];
    command.extend(args.iter().map(|a| (*a).to_owned()));
    std::fs::write(work.path().join("command"), command.join("\0")).expect("write");
    std::fs::write(work.path().join("dir"), dir.to_string_lossy().as_bytes()).expect("write");
    let me = std::env::current_exe().expect("the test binary");
    let probe = Command::new(me)
        .args(["--exact", "probe", "--nocapture", "--test-threads=1"])
        .env(PROBE, work.path())
        .output()
        .expect("the probe runs");
    let read = |name: &str| std::fs::read_to_string(work.path().join(name)).unwrap_or_default();
    assert!(
        probe.status.success(),
        "probe failed: {}{}",
        String::from_utf8_lossy(&probe.stdout),
        String::from_utf8_lossy(&probe.stderr)
    );
    let status = read("status");
    let run = Run {
        code: status.trim().parse().unwrap_or(-1),
        stdout: read("stdout"),
        stderr: read("stderr"),
    };
    assert!(
        run.code >= 0,
        "gatelint was killed (CPU limit or signal): {status}\n{}",
        run.stderr
    );
    assert!(!run.stdout.contains(common::CANARY) && !run.stderr.contains(common::CANARY));
    let rss: i64 = read("maxrss").trim().parse().unwrap_or(i64::MAX);
    assert!(
        rss <= MAX_RSS_KIB,
        "peak memory {rss} KiB is over {MAX_RSS_KIB} KiB: gatelint {args:?}"
    );
    run
}

/// Not a test of its own: run by [`limited`] in a fresh process (with [`PROBE`] set), it runs
/// the command written there and records its exit status, output and peak memory.
#[test]
fn probe() {
    let Some(work) = std::env::var_os(PROBE) else {
        return;
    };
    let work = Path::new(&work);
    let command = std::fs::read_to_string(work.join("command")).expect("command");
    let dir = std::fs::read_to_string(work.join("dir")).expect("dir");
    let mut parts = command.split('\0');
    let bin = parts.next().expect("a program");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -t {CPU_LIMIT}; exec \"$0\" \"$@\""))
        .arg(bin)
        .args(parts)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GATELINT_TOKEN", common::CANARY)
        .output()
        .expect("gatelint runs");
    let status = match out.status.code() {
        Some(code) => code.to_string(),
        None => format!("-1 ({:?})", out.status),
    };
    let rss = getrusage(UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage")
        .max_rss();
    std::fs::write(work.join("stdout"), &out.stdout).expect("write");
    std::fs::write(work.join("stderr"), &out.stderr).expect("write");
    std::fs::write(work.join("maxrss"), rss.to_string()).expect("write");
    std::fs::write(work.join("status"), status).expect("write");
}

const GOOD: &str =
    "name: Fine\non: pull_request\njobs:\n  ok:\n    runs-on: x\n    steps: [{run: 'true'}]\n";

/// A repository with `bad.yml` (≤ 1 MB) and a good sibling; `check --format json` on it.
fn check_bad(content: &str) -> (Run, Vec<Value>) {
    let (run, findings, _) = check_bad_with(content, &[]);
    (run, findings)
}

/// [`check_bad`] with more files (each ≤ 1 MB) beside it; also gives `report`'s gates.
fn check_bad_with(content: &str, more: &[(&str, &str)]) -> (Run, Vec<Value>, Vec<Value>) {
    assert!(content.len() <= 1024 * 1024, "{} bytes", content.len());
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("bad.yml"), content).expect("write");
    std::fs::write(wf.join("fine.yml"), GOOD).expect("write");
    for (path, text) in more {
        assert!(text.len() <= 1024 * 1024, "{path}: {} bytes", text.len());
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let root = dir.path().to_string_lossy().into_owned();
    let run = limited(dir.path(), &["check", &root, "--format", "json"]);
    let doc: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    // The good file is still there: `report` lists its gate.
    let rep = limited(dir.path(), &["report", &root, "--format", "json"]);
    let report: Value = serde_json::from_str(&rep.stdout).expect("report JSON");
    let gates = report["gates"].as_array().cloned().unwrap_or_default();
    assert!(
        gates
            .iter()
            .any(|g| g["file"] == ".github/workflows/fine.yml"),
        "{}",
        rep.stdout
    );
    (run, findings, gates)
}

/// The gates `report` lists for bad.yml.
fn bad_gates(gates: &[Value]) -> Vec<&Value> {
    gates
        .iter()
        .filter(|g| g["file"] == ".github/workflows/bad.yml")
        .collect()
}

/// `count` job keys on one line, as a flow mapping.
fn jobs_on_one_line(count: usize) -> String {
    let jobs: Vec<String> = (0..count)
        .map(|i| format!("j{i}: {{runs-on: x}}"))
        .collect();
    format!("jobs: {{{}}}\n", jobs.join(", "))
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

/// A 500 KB comment above one line holding 20,000 job keys: every job shares that comment.
/// It was copied to each job and matched once per job (5.6 s, 3.9 GB); now it is read once.
#[test]
fn a_long_comment_shared_by_many_keys_on_one_line() {
    let reason = "r".repeat(500_000);
    let wf = format!(
        "on: pull_request\n# bp-exempt: {reason}\n{}",
        jobs_on_one_line(20_000)
    );
    let (run, findings, gates) = check_bad_with(&wf, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !findings
            .iter()
            .any(|f| f["file"] == ".github/workflows/bad.yml"),
        "{findings:#?}"
    );
    let bad = bad_gates(&gates);
    assert_eq!(bad.len(), 20_000);
    assert!(bad.iter().all(|g| g["directive"] == "exempt"));

    // A placeholder there is one `directive-invalid`, not one per job, and its message
    // quotes 80 characters of the comment, not 500,000.
    let wf = format!(
        "on: pull_request\n# bp-exempt: todo {reason}\n{}",
        jobs_on_one_line(20_000)
    );
    let (run, findings, _) = check_bad_with(&wf, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let invalid: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "directive-invalid")
        .collect();
    assert_eq!(invalid.len(), 1, "{invalid:#?}");
    assert_eq!(invalid[0]["line"], 2);
    let message = invalid[0]["message"].as_str().unwrap_or_default();
    assert_eq!(
        message,
        format!("`bp-exempt: todo {}…` is a placeholder", "r".repeat(75))
    );
}

/// A 500 KB workflow name times 20,000 jobs: every context and row held the name (3.9 GB).
/// The naming budget counts what rows and contexts copy, and refuses the file.
#[test]
fn a_long_workflow_name_times_many_jobs() {
    let name = "N".repeat(500_000);
    let mut wf = format!("name: {name}\non: [push, pull_request]\njobs:\n");
    for i in 0..20_000 {
        wf.push_str(&format!("  j{i}: {{runs-on: x}}\n"));
    }
    let (run, findings, gates) = check_bad_with(&wf, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (line, message) = invalid(&findings);
    assert_eq!(line, 1);
    assert!(
        message.contains("more than 64 MiB of names and contexts"),
        "{message}"
    );
    // None of its gates is computed (the file is refused as a whole).
    assert!(bad_gates(&gates).is_empty());
}

/// 45,000 job keys on one 1 MB line: finding each key's column walked the line from its start
/// (14 s). Every job is read, in every output format.
#[test]
fn many_jobs_on_one_line() {
    let wf = format!("on: pull_request\n{}", jobs_on_one_line(45_000));
    let (run, findings, gates) = check_bad_with(&wf, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let missing = findings
        .iter()
        .filter(|f| f["rule"] == "directive-missing" && f["file"] == ".github/workflows/bad.yml")
        .count();
    assert_eq!(missing, 45_000);
    assert_eq!(bad_gates(&gates).len(), 45_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let wfs = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wfs).expect("mkdir");
    std::fs::write(wfs.join("bad.yml"), &wf).expect("write");
    let root = dir.path().to_string_lossy().into_owned();
    for format in ["human", "sarif", "markdown", "github"] {
        let run = limited(dir.path(), &["check", &root, "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
    }
}

/// 20,000 jobs calling one reusable workflow of 900 KB outside the workflows folder: it was
/// read and parsed again for every call. Now once per repository.
#[test]
fn one_callee_called_many_times() {
    let mut callee = String::from(
        "on: workflow_call\njobs:\n  c:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
    );
    let pad = "# padding padding padding padding padding padding padding padding padding\n";
    while callee.len() + pad.len() < 900 * 1024 {
        callee.push_str(pad);
    }
    let mut wf = String::from("on: pull_request\njobs:\n");
    for i in 0..20_000 {
        wf.push_str(&format!("  j{i}: {{uses: ./ci/callee.yml}}\n"));
    }
    let (run, findings, gates) = check_bad_with(&wf, &[("ci/callee.yml", &callee)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !findings.iter().any(|f| f["rule"] == "workflow-invalid"),
        "{findings:#?}"
    );
    let bad = bad_gates(&gates);
    assert_eq!(bad.len(), 20_000);
    // GitHub names a called job `caller / callee`.
    assert_eq!(bad[19_999]["contexts"], serde_json::json!(["j19999 / c"]));
}

/// A 20,000-key matrix: a job name looking keys up 100 times copied the whole leg for each
/// lookup; now it copies the value it finds. Times 200 legs (four million entries, 490 MB)
/// the naming budget, which counts what the legs hold in memory, refuses the file.
#[test]
fn a_wide_matrix_read_many_times() {
    let lookups = vec!["matrix.k19999 == 'no'"; 100].join(" || ");
    let mut wf = format!(
        "on: pull_request\njobs:\n  j:\n    runs-on: x\n    name: ${{{{ {lookups} || matrix.k7 }}}}\n    strategy:\n      matrix:\n"
    );
    for i in 0..20_000 {
        wf.push_str(&format!("        k{i}: [v{i}]\n"));
    }
    let (run, findings, gates) = check_bad_with(&wf, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !findings.iter().any(|f| f["rule"] == "workflow-invalid"),
        "{findings:#?}"
    );
    let bad = bad_gates(&gates);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["contexts"], serde_json::json!(["v7"]));

    let legs: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    wf.push_str(&format!("        zz: [{}]\n", legs.join(", ")));
    let (run, findings, gates) = check_bad_with(&wf, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (line, message) = invalid(&findings);
    assert_eq!(line, 1);
    assert!(message.contains("more than 64 MiB"), "{message}");
    assert!(bad_gates(&gates).is_empty());
}

/// Gitea 1.27 expands calls: a 256-leg matrix caller of a workflow with an 8,000-character
/// name and 16 jobs of 256 legs each. Every leg's called names were collected (with a copy of
/// the name each) before duplicates were dropped: about 4 GB. Now each name is kept once,
/// the workflow name is shared, and the budget counts it (review of issue 11).
#[test]
fn a_wide_matrix_caller_of_a_long_named_wide_callee() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".gitea/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    let legs: Vec<String> = (0..256).map(|i| i.to_string()).collect();
    let legs = legs.join(", ");
    let mut callee = format!("name: {}\non: workflow_call\njobs:\n", "n".repeat(8000));
    for j in 0..16 {
        callee.push_str(&format!(
            "  j{j}:\n    strategy:\n      matrix:\n        x: [{legs}]\n    runs-on: x\n    steps: [{{run: 'true'}}]\n"
        ));
    }
    std::fs::write(wf.join("callee.yml"), &callee).expect("write");
    std::fs::write(
        wf.join("ci.yml"),
        format!(
            "name: CI\non: pull_request\njobs:\n  call:\n    strategy:\n      matrix:\n        y: [{legs}]\n    uses: ./.gitea/workflows/callee.yml\n"
        ),
    )
    .expect("write");
    let root = dir.path().to_string_lossy().into_owned();
    let run = limited(
        dir.path(),
        &[
            "report",
            &root,
            "--forge-version",
            "1.27",
            "--format",
            "json",
        ],
    );
    // A million called names (256 caller legs x 16 jobs x 256 legs) spend the file's naming
    // budget: the file is refused (`workflow-invalid`, exit 1), within the memory and CPU
    // limits, never a blow-up.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("more than 64 MiB of names and contexts"),
        "{}",
        run.stderr
    );
}
