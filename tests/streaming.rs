//! `check` and `report` over many repository roots write them chunk by chunk: memory holds a
//! chunk of roots, not all of them. The corpus given ten times (580 roots) must stay under
//! 100 MB (before streaming: 372 MB for `report --format json`), and say ten times what the
//! corpus once says, in the order given.
//!
//! The peak is the child's own high-water mark (`VmHWM` in `/proc/PID/status`, read while it
//! runs; Linux only), not `getrusage`'s, which counts what a child inherits from this process
//! before `exec`.

mod common;
#[path = "common/peak.rs"]
mod peak;

use std::process::{Command, Stdio};

/// Run gatelint with its output in a file; its exit code, output and peak memory in MB.
fn measured(args: &[&str]) -> (i32, String, f64) {
    let out = tempfile::NamedTempFile::new().expect("a temporary file");
    let file = out.reopen().expect("reopens");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatelint"));
    for var in common::CI_ENV {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .args(args)
        .stdout(Stdio::from(file))
        .stderr(Stdio::null())
        .spawn()
        .expect("gatelint runs");
    let (code, peak_kb) = peak::wait_measured(&mut child, None);
    let text = std::fs::read_to_string(out.path()).expect("the output");
    (code, text, peak_kb as f64 / 1024.0)
}

#[test]
fn many_roots_are_written_as_they_are_checked() {
    let Some(corpus) = common::shared("corpus/real") else {
        return;
    };
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED: no /proc to read a process's peak memory from");
        return;
    }
    let mut once: Vec<String> = std::fs::read_dir(&corpus)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    once.sort();
    assert_eq!(once.len(), 58);
    let ten: Vec<&str> = (0..10)
        .flat_map(|_| once.iter().map(String::as_str))
        .collect();
    let report = ["report", "--format", "json", "--quiet"];
    let check = ["check", "--format", "json", "--quiet"];

    let (code, many, report_mb) = measured(&[&report[..], &ten].concat());
    assert_eq!(code, 0);
    let (code, findings_many, check_mb) = measured(&[&check[..], &ten].concat());
    assert_eq!(code, 1);
    assert!(report_mb < 100.0, "report: {report_mb:.0} MB for 580 roots");
    assert!(check_mb < 100.0, "check: {check_mb:.0} MB for 580 roots");

    // Ten times what the corpus once says, in the order given.
    let once_refs: Vec<&str> = once.iter().map(String::as_str).collect();
    let (_, single, _) = measured(&[&report[..], &once_refs].concat());
    let gates = |text: &str| -> Vec<serde_json::Value> {
        serde_json::from_str::<serde_json::Value>(text).expect("JSON")["gates"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (single, many) = (gates(&single), gates(&many));
    assert!(single.len() > 1000, "{}", single.len());
    assert_eq!(many.len(), single.len() * 10);
    assert_eq!(many[..single.len()], single[..]);
    assert_eq!(many[single.len() * 9..], single[..]);
    let (_, findings_once, _) = measured(&[&check[..], &once_refs].concat());
    let count = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text).expect("JSON")["findings"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(count(&findings_many), count(&findings_once) * 10);
}

/// Written chunk by chunk, the output is still the whole run's: a root given many times in a
/// row (across chunks of 32) is one block of the table, as before; a root that fails after
/// others were checked leaves standard output empty, as before.
#[test]
fn chunks_do_not_show_in_the_output() {
    let once = common::gatelint(&["report", "testdata/github-basic"]);
    assert_eq!(once.code, 0, "{}", once.stderr);
    let body = once.stdout.lines().count() - 1;
    let many: Vec<&str> = std::iter::once("report")
        .chain(std::iter::repeat_n("testdata/github-basic", 33))
        .collect();
    let out = common::gatelint(&many);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.lines().count(), 1 + 33 * body);
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with("FILE "))
            .count(),
        1
    );
    for args in [
        vec!["report", "--format", "json"],
        vec!["report"],
        vec!["check"],
        vec!["check", "--format", "github"],
        vec!["check", "--format", "json"],
    ] {
        let mut all = args.clone();
        all.extend(std::iter::repeat_n("testdata/github-basic", 40));
        all.push("testdata/does-not-exist");
        let out = common::gatelint(&all);
        assert_eq!(out.code, 2, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr
                .contains("error: testdata/does-not-exist: no such directory"),
            "{args:?}: {}",
            out.stderr
        );
    }
}
