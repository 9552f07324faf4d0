//! `gatelint report` over the fixture repositories: exact contexts, directives, exit codes.

mod common;

use common::{contexts, gate, gatelint, gatelint_in, report};
use serde_json::json;

#[test]
fn gitea_basic_gate_matrix() {
    let (code, gates) = report("gitea-basic", &["--forge-version", "1.22"]);
    assert_eq!(code, 0);
    // .github/workflows is not read when .gitea/workflows exists.
    assert!(
        gates
            .iter()
            .all(|g| g["file"] != ".github/workflows/ignored.yml")
    );
    let files_jobs: Vec<(String, String)> = gates
        .iter()
        .map(|g| {
            (
                g["file"].as_str().unwrap_or("").to_owned(),
                g["job"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        files_jobs,
        [
            (".gitea/workflows/ci.yml", "detect"),
            (".gitea/workflows/ci.yml", "build"),
            (".gitea/workflows/ci.yml", "lint"),
            (".gitea/workflows/ci.yml", "e2e"),
            (".gitea/workflows/ci.yml", "delivery"),
            (".gitea/workflows/ci.yml", "untagged"),
            (".gitea/workflows/nightly.yml", "soak"),
        ]
        .map(|(f, j)| (f.to_owned(), j.to_owned()))
    );
    assert_eq!(
        gate(&gates, ".gitea/workflows/ci.yml", "build"),
        &json!({
            "root": "testdata/gitea-basic",
            "workflow": "CI",
            "file": ".gitea/workflows/ci.yml",
            "job": "build",
            "contexts": ["CI / build (push)", "CI / build (pull_request)"],
            "directive": "required",
            "issue": null,
            "protected": null,
            "masked": "none",
            "verdict": "required",
            "vacuous": []
        })
    );
    let e2e = gate(&gates, ".gitea/workflows/ci.yml", "e2e");
    assert_eq!(
        contexts(e2e),
        ["CI / E2E (push)", "CI / E2E (pull_request)"]
    );
    assert_eq!(e2e["directive"], "pending");
    assert_eq!(e2e["issue"], 12);
    // Job-level `continue-on-error` is ignored by Gitea ≤ 1.26 (FORGE-SEMANTICS §4).
    assert_eq!(e2e["masked"], "ignored");
    assert_eq!(e2e["verdict"], "pending");

    let lint = gate(&gates, ".gitea/workflows/ci.yml", "lint");
    assert_eq!(
        contexts(lint),
        ["CI / Lint (push)", "CI / Lint (pull_request)"]
    );
    assert_eq!(lint["directive"], "exempt");
    assert_eq!(lint["masked"], "step");

    // Trailing comment on the key line; the `delivery:` outputs key of `detect` is not the job.
    let delivery = gate(&gates, ".gitea/workflows/ci.yml", "delivery");
    assert_eq!(delivery["directive"], "pending");
    assert_eq!(delivery["issue"], 3);
    // A directive-looking line inside a block scalar, or below the key, is not a directive.
    assert_eq!(
        gate(&gates, ".gitea/workflows/ci.yml", "detect")["directive"],
        "none"
    );
    assert_eq!(
        gate(&gates, ".gitea/workflows/ci.yml", "untagged")["verdict"],
        "no-directive"
    );

    // schedule / workflow_dispatch post no commit status.
    let soak = gate(&gates, ".gitea/workflows/nightly.yml", "soak");
    assert_eq!(contexts(soak), Vec::<String>::new());
    assert_eq!(soak["directive"], "exempt");
}

#[test]
fn gitea_1_22_matrix_names() {
    let (code, gates) = report("gitea-naming", &["--forge-version", "1.22"]);
    assert_eq!(code, 0);
    let f = ".gitea/workflows/matrix.yml";
    // Keys sorted (extra < os < version), values as Go prints them (1.10 is the float 1.1),
    // none skipped: `include`'s `extra: ""` leaves an empty slot (FORGE-SEMANTICS §3).
    assert_eq!(
        contexts(gate(&gates, f, "test")),
        [
            "Matrix / test (linux, 1.1) (pull_request)",
            "Matrix / test (, linux, 3.12) (pull_request)",
            "Matrix / test (windows, 3) (pull_request)",
        ]
    );
    // Gitea 1.22 posts the name unevaluated, with the suffix (go-gitea/gitea#28207): still a
    // known context.
    let named = gate(&gates, f, "named");
    assert_eq!(
        contexts(named),
        [
            "Matrix / Build on ${{ matrix.os }} (linux) (pull_request)",
            "Matrix / Build on ${{ matrix.os }} (macos) (pull_request)"
        ]
    );
    assert_ne!(named["verdict"], "unresolvable");
    // A plain name gets the suffix; a list value prints as Go's [a b].
    assert_eq!(
        contexts(gate(&gates, f, "plain")),
        [
            "Matrix / Unit ([a b], 1) (pull_request)",
            "Matrix / Unit ([a b], 2) (pull_request)"
        ]
    );
    let dynamic = gate(&gates, f, "dynamic");
    assert_eq!(contexts(dynamic), Vec::<String>::new());
    assert_eq!(dynamic["verdict"], "unresolvable");
    // No workflow name before 1.27: the context starts with "/" after trimming; and
    // pull_request_target posted as (pull_request) on 1.22.
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/unnamed.yaml", "check")),
        ["/ check (push)", "/ check (pull_request)"]
    );
    // A reusable-workflow call posts the caller's one context (the jobparser keeps it whole).
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/reuse.yml", "call")),
        ["Reuse / call (pull_request)"]
    );
}

/// 1.23 fills the matrix expression in (gitea/act#106) and posts `(pull_request_target)`
/// (go-gitea/gitea#31703).
#[test]
fn gitea_1_23_fills_names_in() {
    let (code, gates) = report("gitea-naming", &["--forge-version", "1.23"]);
    assert_eq!(code, 0);
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/matrix.yml", "named")),
        [
            "Matrix / Build on linux (pull_request)",
            "Matrix / Build on macos (pull_request)"
        ]
    );
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/unnamed.yaml", "check")),
        ["/ check (push)", "/ check (pull_request_target)"]
    );
}

#[test]
fn gitea_1_27_matrix_names() {
    let (code, gates) = report(
        "gitea-naming",
        &["--forge", "gitea", "--forge-version", "1.27"],
    );
    assert_eq!(code, 0);
    let f = ".gitea/workflows/matrix.yml";
    // As 1.26 (in-tree `matrixName`): keys sorted, Go values, none skipped.
    assert_eq!(
        contexts(gate(&gates, f, "test")),
        [
            "Matrix / test (linux, 1.1) (pull_request)",
            "Matrix / test (, linux, 3.12) (pull_request)",
            "Matrix / test (windows, 3) (pull_request)",
        ]
    );
    assert_eq!(
        contexts(gate(&gates, f, "plain")),
        [
            "Matrix / Unit ([a b], 1) (pull_request)",
            "Matrix / Unit ([a b], 2) (pull_request)"
        ]
    );
    // 1.27 names an unnamed workflow by its file; pull_request_target keeps its own suffix.
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/unnamed.yaml", "check")),
        [
            "unnamed.yaml / check (push)",
            "unnamed.yaml / check (pull_request_target)"
        ]
    );
    // The call is expanded (go-gitea/gitea#37478): the caller's context, and the called job's
    // under its workflow's name, here the run's file (the called one has no `name:`).
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/reuse.yml", "call")),
        [
            "Reuse / call (pull_request)",
            "reuse.yml / check (pull_request)"
        ]
    );
}

#[test]
fn gitea_1_26_keeps_empty_workflow_name() {
    let (_, gates) = report("gitea-naming", &["--forge-version", "1.26"]);
    // The same leg suffix as 1.27 (in-tree `matrixName` in both).
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/matrix.yml", "test")),
        [
            "Matrix / test (linux, 1.1) (pull_request)",
            "Matrix / test (, linux, 3.12) (pull_request)",
            "Matrix / test (windows, 3) (pull_request)",
        ]
    );
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/unnamed.yaml", "check")),
        ["/ check (push)", "/ check (pull_request_target)"]
    );
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/reuse.yml", "call")),
        ["Reuse / call (pull_request)"]
    );
}

#[test]
fn forgejo_precedence_and_calls() {
    let (code, gates) = report("forgejo-expand", &[]);
    assert_eq!(code, 0);
    // .forgejo/workflows wins over .gitea and .github; sub-folders are read.
    let files: Vec<&str> = gates.iter().filter_map(|g| g["file"].as_str()).collect();
    assert!(
        files.iter().all(|f| f.starts_with(".forgejo/workflows/")),
        "{files:?}"
    );
    assert!(files.contains(&".forgejo/workflows/sub/lint-jobs.yml"));
    let f = ".forgejo/workflows/ci.yml";
    // Up to Forgejo 13 a call posts the caller's one context, local or remote.
    assert_eq!(
        contexts(gate(&gates, f, "lint")),
        ["ci / lint (push)", "ci / lint (pull_request)"]
    );
    assert_eq!(
        contexts(gate(&gates, f, "remote")),
        ["ci / remote (push)", "ci / remote (pull_request)"]
    );
    // A plain name: no suffix, both legs post one context.
    assert_eq!(
        contexts(gate(&gates, f, "test")),
        ["ci / Test (push)", "ci / Test (pull_request)"]
    );
    assert_eq!(
        contexts(gate(&gates, f, "cross")),
        [
            "ci / cross (arm64, linux) (push)",
            "ci / cross (arm64, linux) (pull_request)"
        ]
    );
    // Only called: posts nothing by itself.
    assert_eq!(
        contexts(gate(&gates, ".forgejo/workflows/sub/lint-jobs.yml", "fmt")),
        Vec::<String>::new()
    );
}

/// Forgejo 7 vs 8 (a plain name on matrix legs: suffix, then none, forgejo/act ae5411b0) and
/// 8 vs 9 (`pull_request_target`: go-gitea/gitea#31703 cherry-picked in v9).
#[test]
fn forgejo_boundaries() {
    let f = ".forgejo/workflows/ci.yml";
    let t = ".forgejo/workflows/target.yml";
    let (_, v7) = report("forgejo-expand", &["--forge-version", "7"]);
    assert_eq!(
        contexts(gate(&v7, f, "test")),
        [
            "ci / Test (1.22) (push)",
            "ci / Test (1.22) (pull_request)",
            "ci / Test (1.23) (push)",
            "ci / Test (1.23) (pull_request)"
        ]
    );
    let (_, v8) = report("forgejo-expand", &["--forge-version", "8"]);
    assert_eq!(
        contexts(gate(&v8, f, "test")),
        ["ci / Test (push)", "ci / Test (pull_request)"]
    );
    assert_eq!(
        contexts(gate(&v8, t, "label")),
        ["target / label (pull_request)"]
    );
    let (_, v9) = report("forgejo-expand", &["--forge-version", "9.0.2"]);
    assert_eq!(
        contexts(gate(&v9, t, "label")),
        ["target / label (pull_request_target)"]
    );
    let (_, v13) = report("forgejo-expand", &["--forge-version", "13"]);
    assert_eq!(
        contexts(gate(&v13, t, "label")),
        ["target / label (pull_request_target)"]
    );
}

/// The later Forgejo's expansion is an opt-in (`[profile] forgejo-expands-calls`).
#[test]
fn forgejo_expansion_opt_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_tree(
        &common::repo_root().join("testdata/forgejo-expand"),
        dir.path(),
    );
    std::fs::write(
        dir.path().join("gatelint.toml"),
        "[profile]\nforgejo-expands-calls = true\n",
    )
    .expect("write config");
    let out = gatelint_in(dir.path(), &["report", ".", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        contexts(gate(&gates, ".forgejo/workflows/ci.yml", "lint")),
        [
            "ci / fmt (push)",
            "ci / fmt (pull_request)",
            "ci / Vet (push)",
            "ci / Vet (pull_request)"
        ]
    );
}

#[test]
fn github_check_run_names() {
    let (code, gates) = report("github-basic", &[]);
    assert_eq!(code, 0);
    let files: Vec<&str> = gates.iter().filter_map(|g| g["file"].as_str()).collect();
    assert!(
        !files.contains(&".github/workflows/nested/not-read.yml"),
        "{files:?}"
    );
    let f = ".github/workflows/ci.yml";
    assert_eq!(
        contexts(gate(&gates, f, "test")),
        ["Test ubuntu-latest", "Test windows-latest"]
    );
    assert_eq!(
        contexts(gate(&gates, f, "msrv")),
        ["msrv (1.85, x86_64-unknown-linux-gnu, false, all)"]
    );
    assert_eq!(contexts(gate(&gates, f, "docs")), ["Docs (stable)"]);
    assert_eq!(contexts(gate(&gates, f, "legal")), ["legal / Legal Checks"]);
    assert_eq!(gate(&gates, f, "external")["verdict"], "unresolvable");
    assert_eq!(
        contexts(gate(&gates, ".github/workflows/cron.yaml", "weekly")),
        Vec::<String>::new()
    );
    assert_eq!(
        gate(&gates, ".github/workflows/cron.yaml", "weekly")["verdict"],
        "no-context"
    );
}

#[test]
fn flow_sequence_closed_at_parent_indentation_loads() {
    let (code, gates) = report("flow-indent", &[]);
    assert_eq!(code, 0);
    assert_eq!(
        contexts(gate(&gates, ".github/workflows/flow.yml", "build")),
        ["baseline", "native"]
    );
}

#[test]
fn invalid_files_are_reported_and_others_still_processed() {
    let out = gatelint(&["report", "testdata/invalid", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    assert_eq!(gates.len(), 1);
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/good.yml", "ok")),
        ["Good / ok (pull_request)"]
    );
    for (file, message) in [
        (
            "broken.yml:7:14",
            "YAML error: while scanning a quoted scalar, found unexpected end of stream",
        ),
        (
            "list.yml:1:1",
            "not a workflow: the top level is not a mapping",
        ),
        ("null-job.yml:4:3", "job `empty` is empty"),
    ] {
        assert!(
            out.stderr.contains(message),
            "missing {message} in\n{}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains(&format!("testdata/invalid/.gitea/workflows/{file}")),
            "missing {file} in\n{}",
            out.stderr
        );
    }
    assert_eq!(out.stderr.matches("workflow-invalid").count(), 3);
}

#[test]
fn directive_problems_are_diagnosed() {
    let out = gatelint(&["report", "testdata/directives", "--format", "json"]);
    // Directive problems are check's business: report still exits 0.
    assert_eq!(out.code, 0);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    let f = ".gitea/workflows/d.yml";
    for job in [
        "no-issue",
        "bad-value",
        "no-reason",
        "mid-sentence",
        "conflict",
    ] {
        assert_eq!(
            gate(&gates, f, job)["verdict"],
            "directive-invalid",
            "{job}"
        );
    }
    assert_eq!(gate(&gates, f, "quoted")["directive"], "required");
    assert_eq!(gate(&gates, f, "detached")["directive"], "none");
    assert_eq!(
        out.stderr.matches("directive-invalid").count(),
        5,
        "{}",
        out.stderr
    );
    for (line, message) in [
        (
            "d.yml:5:3",
            "`bp-required: pending` must name the issue that tracks it, found `CTO decision`",
        ),
        (
            "d.yml:9:3",
            "`bp-required: now required — after three green runs` is not a directive value",
        ),
        ("d.yml:13:3", "`bp-exempt:` without a reason"),
        (
            "d.yml:17:3",
            "`bp-exempt:` in the middle of a comment line is not read as a directive",
        ),
        (
            "d.yml:22:3",
            "conflicting directives: `bp-exempt: stale, the job became a gate` (line 21) and `bp-required: pending #5` (line 22)",
        ),
    ] {
        assert!(
            out.stderr.contains(message),
            "missing {message} in\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(line),
            "missing {line} in\n{}",
            out.stderr
        );
    }
    // The header comment mentions directives but belongs to no job.
    assert!(!out.stderr.contains("d.yml:1:"), "{}", out.stderr);
}

#[test]
fn several_roots_in_the_order_given() {
    let out = gatelint(&[
        "report",
        "testdata/github-basic",
        "testdata/gitea-basic",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    let roots: Vec<&str> = gates.iter().filter_map(|g| g["root"].as_str()).collect();
    let first_gitea = roots
        .iter()
        .position(|r| *r == "testdata/gitea-basic")
        .unwrap_or(0);
    assert!(first_gitea > 0);
    assert!(
        roots[..first_gitea]
            .iter()
            .all(|r| *r == "testdata/github-basic")
    );
    assert!(
        roots[first_gitea..]
            .iter()
            .all(|r| *r == "testdata/gitea-basic")
    );
}

#[test]
fn table_output_is_aligned() {
    let out = gatelint(&["report", "testdata/gitea-basic", "--forge-version", "1.22"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!(out.stdout, @r"
    FILE                          JOB       DIRECTIVE             MASK     PROTECTED  VERDICT       CONTEXTS
    .gitea/workflows/ci.yml       detect    -                     none     ?          no-directive  CI / detect (push)
                                                                                                    CI / detect (pull_request)
    .gitea/workflows/ci.yml       build     required              none     ?          required      CI / build (push)
                                                                                                    CI / build (pull_request)
    .gitea/workflows/ci.yml       lint      exempt                step     ?          exempt        CI / Lint (push)
                                                                                                    CI / Lint (pull_request)
    .gitea/workflows/ci.yml       e2e       pending #12           ignored  ?          pending       CI / E2E (push)
                                                                                                    CI / E2E (pull_request)
    .gitea/workflows/ci.yml       delivery  pending acme/infra#3  none     ?          pending       CI / delivery (push)
                                                                                                    CI / delivery (pull_request)
    .gitea/workflows/ci.yml       untagged  -                     none     ?          no-directive  CI / untagged (push)
                                                                                                    CI / untagged (pull_request)
    .gitea/workflows/nightly.yml  soak      exempt                none     -          exempt        (posts no context on a pull request)
    ");
}

#[test]
fn usage_errors_exit_2() {
    let missing = gatelint(&["report", "testdata/does-not-exist"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("testdata/does-not-exist: no such directory"),
        "{}",
        missing.stderr
    );
    let no_workflows = gatelint(&["report", "src"]);
    assert_eq!(no_workflows.code, 2);
    assert!(
        no_workflows.stderr.contains("no workflow folder"),
        "{}",
        no_workflows.stderr
    );
    let bad_version = gatelint(&["report", "--forge-version", "one.two"]);
    assert_eq!(bad_version.code, 2);
    assert!(
        bad_version
            .stderr
            .contains("invalid forge version `one.two`"),
        "{}",
        bad_version.stderr
    );
    let bad_forge = gatelint(&["report", "--forge", "gitlab"]);
    assert_eq!(bad_forge.code, 2);
}

#[test]
fn own_ci_has_a_directive_on_every_job() {
    let out = gatelint(&["report", ".", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    assert!(!gates.is_empty());
    for g in &gates {
        assert!(
            g["file"] == ".gitea/workflows/ci.yml" || g["file"] == ".gitea/workflows/release.yml",
            "{g}"
        );
        assert!(
            g["directive"] == "required" || g["directive"] == "exempt",
            "{g}"
        );
    }
    assert_eq!(
        contexts(gate(&gates, ".gitea/workflows/ci.yml", "test")),
        ["CI / Test (push)", "CI / Test (pull_request)"]
    );
}

/// Issue 10, item 10: the forge keeps spaces inside and around a job's `name:` (Gitea trims the
/// whole context only, FORGE-SEMANTICS §2), and a protection entry must repeat them: the table
/// quotes a name or context whose spaces the eye would lose.
#[test]
fn table_quotes_names_with_spaces_the_eye_would_lose() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wf = dir.path().join(".gitea/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(
        wf.join("ci.yml"),
        "name: ' CI '\non: pull_request\njobs:\n  a:\n    name: 'build  twice'\n    steps: [{run: x}]\n  b:\n    steps: [{run: x}]\n",
    )
    .expect("write");
    let out = gatelint_in(
        dir.path(),
        &["report", ".", "--forge", "gitea", "--forge-version", "1.26"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout, @r#"
    FILE                     JOB  DIRECTIVE  MASK  PROTECTED  VERDICT       CONTEXTS
    .gitea/workflows/ci.yml  a    -          none  ?          no-directive  "CI  / build  twice (pull_request)"
    .gitea/workflows/ci.yml  b    -          none  ?          no-directive  "CI  / b (pull_request)"
    "#);
}

/// The naming table of docs/naming.md is `gatelint profiles`, verbatim (issue 11: the profile
/// table is a reviewable artefact, and the docs cannot drift from it).
#[test]
fn docs_naming_table_is_gatelint_profiles() {
    let out = gatelint(&["profiles"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = std::fs::read_to_string(common::repo_root().join("docs/naming.md"))
        .expect("docs/naming.md");
    let begin = "<!-- gatelint profiles: begin -->\n";
    let end = "<!-- gatelint profiles: end -->";
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let stop = doc.find(end).expect("end marker");
    assert_eq!(
        &doc[start..stop],
        out.stdout,
        "docs/naming.md's table differs: paste `gatelint profiles` between the markers"
    );
    let json = gatelint(&["profiles", "--format", "json"]).json();
    assert_eq!(json["behaviours"].as_array().map(Vec::len), Some(9));
}

/// `--forge-version` takes the releases of the table; a newer one is assumed as the newest
/// with a note; another forge's numbering, an older release, or any version on GitHub is
/// exit 2 naming the known ones.
#[test]
fn forge_versions_known_assumed_and_refused() {
    let ok = gatelint(&[
        "report",
        "testdata/gitea-naming",
        "--forge-version",
        "1.26.3",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stderr.is_empty(), "{}", ok.stderr);
    let newer = gatelint(&["report", "testdata/gitea-naming", "--forge-version", "1.28"]);
    assert_eq!(newer.code, 0, "{}", newer.stderr);
    assert!(
        newer.stderr.contains(
            "note: Gitea 1.28 is newer than the newest release gatelint has verified: assumed as Gitea 1.27 (unverified)"
        ),
        "{}",
        newer.stderr
    );
    for (args, what) in [
        (
            vec!["testdata/gitea-naming", "--forge-version", "13"],
            "use --forge forgejo",
        ),
        (
            vec!["testdata/gitea-naming", "--forge-version", "1.19"],
            "before 1.21",
        ),
        (
            vec!["testdata/forgejo-expand", "--forge-version", "1.22"],
            "use --forge gitea",
        ),
        (
            vec!["testdata/github-basic", "--forge-version", "1.22"],
            "GitHub has no versions",
        ),
    ] {
        let mut full = vec!["report"];
        full.extend(args);
        let out = gatelint(&full);
        assert_eq!(out.code, 2, "{full:?}: {}", out.stderr);
        assert!(out.stderr.contains(what), "{full:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("gatelint knows Gitea 1.21–1.27 and Forgejo 7–13"),
            "{}",
            out.stderr
        );
    }
}

/// A called workflow's job posts no context of its own: its callers post for it (on Gitea
/// 1.27 under `{called workflow} / {job}`, before that under the caller's one context). Its
/// row has nothing to protect, so it is neither `not-protected` nor `ok` (go-gitea/gitea#37478).
#[test]
fn a_called_jobs_row_has_nothing_of_its_own_to_protect() {
    for (version, caller_contexts, callee_verdict) in [
        (
            "1.27",
            "CI / call (pull_request)\n                                                                             Reusable / test (pull_request)\n",
            "no-context",
        ),
        ("1.26", "CI / call (pull_request)\n", "vacuous"),
    ] {
        let out = gatelint(&[
            "report",
            "testdata/called-gitea",
            "--forge",
            "gitea",
            "--forge-version",
            version,
            "--protection",
            "testdata/called-gitea/required-contexts.txt",
        ]);
        assert_eq!(out.code, 0, "{version}: {}", out.stderr);
        let callee = out
            .stdout
            .lines()
            .find(|l| l.starts_with(".gitea/workflows/reusable.yml"))
            .unwrap_or_default();
        let cells: Vec<&str> = callee.split_whitespace().collect();
        assert_eq!(
            cells[..6],
            [
                ".gitea/workflows/reusable.yml",
                "test",
                "required",
                "none",
                "-",
                callee_verdict
            ],
            "{version}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains(caller_contexts),
            "{version}: {}",
            out.stdout
        );
        let json = gatelint(&[
            "report",
            "testdata/called-gitea",
            "--forge",
            "gitea",
            "--forge-version",
            version,
            "--protection",
            "testdata/called-gitea/required-contexts.txt",
            "--format",
            "json",
        ])
        .json();
        assert_eq!(json["gates"][0]["verdict"], "ok", "{version}");
        assert_eq!(json["gates"][0]["protected"], true, "{version}");
        assert_eq!(json["gates"][1]["verdict"], callee_verdict, "{version}");
        assert_eq!(json["gates"][1]["protected"], false, "{version}");
    }
}
