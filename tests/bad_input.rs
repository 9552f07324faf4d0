//! Hostile and broken files: a clear `workflow-invalid` with a location, exit 1, no panic,
//! no hang (the helper kills a run after 60 s; the bench measures the real times).

mod common;

use std::fs;

fn repo_with(file: &str, content: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    fs::create_dir_all(&wf).expect("workflow dir");
    fs::write(wf.join(file), content).expect("write");
    fs::write(
        wf.join("fine.yml"),
        "name: Fine\non: pull_request\njobs:\n  ok:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
    )
    .expect("write");
    dir
}

/// Report on a repository holding one bad file and one good one.
fn check(content: &[u8], message: &str, location: &str) {
    let dir = repo_with("bad.yml", content);
    let root = dir.path().to_string_lossy().into_owned();
    let out = common::gatelint(&["report", &root, "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.stderr.contains("workflow-invalid"), "{}", out.stderr);
    assert!(
        out.stderr.contains(message),
        "expected `{message}` in\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("bad.yml{location}")),
        "expected `bad.yml{location}` in\n{}",
        out.stderr
    );
    // The good file is still reported.
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        common::contexts(common::gate(&gates, ".github/workflows/fine.yml", "ok")),
        ["ok"]
    );
}

#[test]
fn empty_file() {
    check(b"", "empty file: a workflow needs `on` and `jobs`", ":1:1");
    check(
        b"# only a comment\n",
        "empty file: a workflow needs `on` and `jobs`",
        ":1:1",
    );
}

#[test]
fn binary_file() {
    let mut bytes = b"name: x\non: push\n".to_vec();
    bytes.extend_from_slice(&[0x00, 0xff, 0xfe, 0x89, b'P', b'N', b'G']);
    check(
        &bytes,
        "not a text file: invalid UTF-8 at byte 18 (line 3)",
        "",
    );
    check(
        b"name: x\n\x00\x01\x02",
        "not a text file: NUL byte at line 2, column 1",
        ":2:1",
    );
}

#[test]
fn file_of_50_mb() {
    let line = "# padding padding padding padding padding padding padding padding\n";
    let content = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    check(content.as_bytes(), "larger than 16 MiB", "");
}

#[test]
fn billion_laughs() {
    let mut y = String::from(
        "on: push\njobs:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        let refs = vec![format!("*{prev}"); 9].join(",");
        y.push_str(&format!("  {n}: &{n} [{refs}]\n"));
        prev = n;
    }
    check(
        y.as_bytes(),
        "aliases expand to more than 1000000 nodes (an alias bomb?)",
        ":",
    );
}

#[test]
fn nesting_10000_deep() {
    let flow = format!(
        "on: push\njobs: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    // saphyr-parser's own recursion limit or ours, whichever comes first.
    check(
        flow.as_bytes(),
        "YAML error: recursion limit exceeded",
        ":2:",
    );
    // Block sequences nest on one line: `- - - … x`.
    let block = format!(
        "on: push\njobs:\n  a:\n    steps:\n      {}x\n",
        "- ".repeat(10_000)
    );
    check(
        block.as_bytes(),
        "YAML error: nesting deeper than 256 levels",
        ":5:",
    );
}

#[test]
fn not_workflows() {
    check(
        b"name: x\njobs:\n  a:\n    runs-on: x\n",
        "no `on`: the workflow never runs",
        ":1:1",
    );
    check(b"on: push\n", "not a workflow: no `jobs`", ":1:1");
    check(
        b"on: push\njobs: []\n",
        "`jobs` is not a mapping of job ids to jobs",
        ":2:7",
    );
    check(
        b"on: push\njobs:\n  a: 3\n",
        "job `a` is not a mapping",
        ":3:3",
    );
    check(
        b"on: push\njobs:\n  a: {}\n---\non: push\n",
        "more than one YAML document",
        ":5:1",
    );
    check(
        b"on: push\njobs:\n  a:\n    steps: [1]\n",
        "a step must be a mapping",
        ":4:13",
    );
    check(b"on: push\njobs:\n  a: *nope\n", "YAML error", ":3:6");
    check(b"on: push\njobs:\n\ta: {}\n", "YAML error", ":3:");
}
