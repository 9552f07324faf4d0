//! `gatelint check`: per rule, fixtures that fire and near misses that stay silent, with the
//! exact findings (rule, job, file, line, context) and exit codes; protection sources;
//! configuration errors; the seed project; gatelint's own CI.

mod common;

use common::gatelint;
use serde_json::Value;

type Row = (String, Option<String>, String, u64, Option<String>);

/// `check --format json` on a directory: (exit code, findings as rows, the document).
fn check(dir: &str, extra: &[&str]) -> (i32, Vec<Row>, Value) {
    let mut args = vec!["check", dir, "--format", "json"];
    args.extend_from_slice(extra);
    let out = gatelint(&args);
    let doc = out.json();
    let rows = doc["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["job"].as_str().map(str::to_owned),
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or(0),
                f["context"].as_str().map(str::to_owned),
            )
        })
        .collect();
    (out.code, rows, doc)
}

fn row(rule: &str, job: Option<&str>, file: &str, line: u64, context: Option<&str>) -> Row {
    (
        rule.to_owned(),
        job.map(str::to_owned),
        file.to_owned(),
        line,
        context.map(str::to_owned),
    )
}

const CI: &str = ".gitea/workflows/ci.yml";

/// A repository in a temporary folder with these files (relative paths, folders made).
fn temp_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// `field` of each finding of `rule` (every rule: `None`), in order.
fn field_of<'a>(doc: &'a Value, rule: Option<&str>, field: &str) -> Vec<&'a str> {
    doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| rule.is_none_or(|r| f["rule"] == r))
                .filter_map(|f| f[field].as_str())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn directive_missing() {
    let (code, rows, _) = check("testdata/rules/directive-missing", &[]);
    assert_eq!(code, 1);
    // Silent: `exempt`, `deploy` (main pushes and schedule only), `publish` (tags only),
    // `audit` (closed pull requests only); `malformed` is directive-invalid instead.
    assert_eq!(
        rows,
        [
            row(
                "directive-missing",
                Some("lint"),
                ".gitea/workflows/any-push.yml",
                7,
                Some("Any push / lint (push)")
            ),
            row(
                "directive-missing",
                Some("bare"),
                CI,
                5,
                Some("CI / bare (pull_request)")
            ),
            row("directive-invalid", Some("malformed"), CI, 12, None),
            row(
                "directive-missing",
                Some("preview"),
                ".gitea/workflows/labeled.yml",
                7,
                Some("Labeled / preview (pull_request)")
            ),
            row(
                "directive-missing",
                Some("build"),
                ".gitea/workflows/tags-and-branches.yml",
                8,
                Some("Tags and branches / build (push)")
            ),
        ]
    );
}

#[test]
fn directive_missing_severity_from_config() {
    let (code, rows, doc) = check(
        "testdata/rules/directive-missing",
        &["--config", "testdata/configs/missing-warning.toml"],
    );
    assert_eq!(code, 1, "directive-invalid is still an error");
    assert_eq!(
        rows.iter().filter(|r| r.0 == "directive-missing").count(),
        4
    );
    let severities = field_of(&doc, Some("directive-missing"), "severity");
    assert_eq!(severities, ["warning"; 4]);
}

#[test]
fn required_not_protected() {
    let (code, rows, _) = check("testdata/rules/required-not-protected", &[]);
    assert_eq!(code, 1);
    // Silent: `push-only-listed` (one of its contexts is required), the linux leg of `matrix`.
    assert_eq!(
        rows,
        [
            row(
                "required-not-protected",
                Some("unlisted"),
                CI,
                4,
                Some("CI / unlisted (pull_request)")
            ),
            row(
                "required-not-protected",
                Some("matrix"),
                CI,
                12,
                Some("CI / matrix (windows) (pull_request)")
            ),
        ]
    );
}

#[test]
fn protection_orphaned_with_did_you_mean() {
    let (code, rows, doc) = check("testdata/rules/protection-orphaned", &[]);
    assert_eq!(code, 1);
    // Not orphaned: `Test` (posted), travis-ci (pinned to another app). `Test` is pinned to no
    // app (`app_id` null): any source satisfies it.
    assert_eq!(
        rows,
        [
            row(
                "required-not-protected",
                Some("build"),
                ".github/workflows/ci.yml",
                4,
                Some("build")
            ),
            row(
                "protection-orphaned",
                None,
                "protection.json",
                4,
                Some("biuld")
            ),
            row(
                "required-any-source",
                None,
                "protection.json",
                4,
                Some("Test")
            ),
            row(
                "protection-orphaned",
                None,
                "protection.json",
                9,
                Some("deleted-job")
            ),
        ]
    );
    assert_eq!(doc["forge"], "github");
    let out = gatelint(&[
        "check",
        "testdata/rules/protection-orphaned",
        "--color",
        "never",
    ]);
    assert!(
        out.stdout.contains("help: did you mean `build`?"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("testdata/rules/protection-orphaned/protection.json:4:18]"),
        "{}",
        out.stdout
    );
}

/// The usual mistakes in a required context get a precise "did you mean" (issue 10, item 13):
/// the job id for its name, case and spaces, a missing event suffix, a matrix job's name
/// without its legs. JSON findings carry the help.
#[test]
fn protection_orphaned_usual_mistakes() {
    let (code, rows, doc) = check("testdata/rules/orphan-mistakes", &[]);
    assert_eq!(code, 1);
    let lines: Vec<u64> = rows.iter().map(|r| r.3).collect();
    assert!(
        rows.iter().all(|r| r.0 == "protection-orphaned"),
        "{rows:?}"
    );
    assert_eq!(lines, [6, 7, 8, 9]);
    let helps = field_of(&doc, None, "help");
    let fix = " Correct the entry in the protection of the branch (or rename the job back)";
    assert_eq!(
        helps,
        [
            format!(
                "did you mean `CI / Compile (pull_request)`? (`build` is the job's id; the \
                 context carries its name){fix}"
            ),
            format!(
                "did you mean `CI / lint (pull_request)`? (only case or spaces differ, and the \
                 match is exact){fix}"
            ),
            format!(
                "did you mean `CI / lint (pull_request)`? (the event suffix is missing: it posts \
                 `CI / lint (pull_request)`){fix}"
            ),
            format!(
                "`test` is a matrix job: each leg posts its own context (`CI / test (linux) \
                 (pull_request)`, `CI / test (mac) (pull_request)`): require those.{fix}"
            ),
        ]
    );
}

#[test]
fn required_masked_and_mask_untracked() {
    let (code, rows, _) = check("testdata/rules/required-masked", &[]);
    assert_eq!(code, 1);
    // Silent: `waived` (waiver), `literal-false`, `advisory` (exempt, tracked by a trailing
    // comment), `experimental` is tracked but required and masked by an expression.
    assert_eq!(
        rows,
        [
            row(
                "mask-ignored",
                Some("masked"),
                CI,
                7,
                Some("CI / masked (pull_request)")
            ),
            row("mask-untracked", Some("masked"), CI, 7, None),
            row(
                "mask-ignored",
                Some("experimental"),
                CI,
                16,
                Some("CI / experimental (false) (pull_request)")
            ),
            row("mask-untracked", Some("untracked"), CI, 36, None),
        ]
    );
}

/// Job-level `continue-on-error` by release (FORGE-SEMANTICS §4): Gitea ≤ 1.26 ignores it,
/// Gitea 1.27 applies it to the run's result only (go-gitea/gitea#38100). Either way the gate
/// still blocks: `mask-ignored` (a warning that the key misleads), not `required-masked`.
#[test]
fn mask_ignored_on_gitea_by_release() {
    for (version, what) in [
        (
            "1.26",
            "which Gitea 1.26 ignores: a failure still fails its check and blocks the merge, so the key only misleads (it reads as a mask)",
        ),
        (
            "1.27",
            "which Gitea 1.27 applies to the run's overall result only: the job still fails its check and blocks the merge, and jobs that need it see `failure`",
        ),
    ] {
        let (_, _, doc) = check(
            "testdata/rules/required-masked",
            &["--forge-version", version],
        );
        assert_eq!(
            field_of(&doc, Some("mask-ignored"), "message"),
            [
                format!("`masked` is `bp-required: yes` and has `continue-on-error`, {what}"),
                format!("`experimental` is `bp-required: yes` and has `continue-on-error`, {what}"),
            ],
            "{version}"
        );
        assert_eq!(
            field_of(&doc, Some("mask-ignored"), "severity"),
            ["warning", "warning"],
            "{version}"
        );
        assert_eq!(field_of(&doc, Some("required-masked"), "message").len(), 0);
    }
}

/// Gitea 1.27 counts a called job's `continue-on-error` as success in its caller's status
/// (go-gitea/gitea#37478): a required caller is masked, an error. On 1.26 the called
/// workflow runs inside the caller's one job and the key is ignored: no finding.
#[test]
fn required_masked_through_a_called_workflow() {
    let (code, rows, doc) = check(
        "testdata/rules/required-masked-called",
        &["--forge-version", "1.27"],
    );
    assert_eq!(code, 1);
    let ci = ".gitea/workflows/ci.yml";
    let build = ".gitea/workflows/build.yml";
    assert_eq!(
        rows,
        [
            row("mask-untracked", Some("flaky"), build, 6, None),
            row(
                "required-masked",
                Some("call"),
                ci,
                8,
                Some("CI / call (pull_request)")
            ),
        ]
    );
    assert_eq!(
        field_of(&doc, Some("required-masked"), "message"),
        [
            "`call` is `bp-required: yes`, but on Gitea 1.27 its status counts a failure of called job `flaky`, which has `continue-on-error`, as success: the gate passes while `flaky` fails"
        ]
    );
    assert_eq!(
        field_of(&doc, Some("required-masked"), "severity"),
        ["error"]
    );
    let (_, rows, _) = check(
        "testdata/rules/required-masked-called",
        &["--forge-version", "1.26"],
    );
    assert_eq!(rows, [row("mask-untracked", Some("flaky"), build, 6, None)]);
    // Protection requires only the called job's own context, which posts its own `failure`:
    // the caller's status is not the gate, nothing is masked.
    let (_, _, doc) = check(
        "testdata/rules/required-masked-called",
        &[
            "--forge-version",
            "1.27",
            "--protection",
            "testdata/rules/required-masked-called/inner-only.txt",
        ],
    );
    assert_eq!(field_of(&doc, Some("required-masked"), "message").len(), 0);
}

/// GitHub (FORGE-SEMANTICS §4, issue 10 item 8): a masked job's own check run still fails,
/// so only the required jobs that `need` it are fooled.
#[test]
fn required_masked_on_github() {
    let (code, rows, doc) = check("testdata/rules/required-masked-github", &[]);
    assert_eq!(code, 1);
    // Silent: `solo` (its own check fails, nothing needs it).
    assert_eq!(
        rows,
        [row(
            "required-masked",
            Some("flaky"),
            ".github/workflows/ci.yml",
            8,
            Some("flaky")
        )]
    );
    assert_eq!(
        doc["findings"][0]["message"],
        "`flaky` is `bp-required: yes` and `continue-on-error` masks it: on GitHub its own check \
         still fails, but required `all-green`, which needs it, reads `success` and passes"
    );
}

#[test]
fn mask_stale_and_expired() {
    let (code, rows, doc) = check("testdata/rules/masks", &[]);
    assert_eq!(code, 1);
    // The expired waiver no longer counts; `current` matches its waiver by file path,
    // `by-name` by its `name:`.
    assert_eq!(
        rows,
        [
            // Gitea ignores the job-level key: `mask-ignored`, not `required-masked`.
            row(
                "mask-ignored",
                Some("expired"),
                CI,
                7,
                Some("CI / expired (pull_request)")
            ),
            row("mask-untracked", Some("expired"), CI, 7, None),
            row("mask-untracked", Some("commented"), CI, 27, None),
            row("mask-expired", Some("expired"), "gatelint.toml", 4, None),
            row("mask-stale", Some("unmasked"), "gatelint.toml", 11, None),
            row("mask-stale", Some("gone"), "gatelint.toml", 18, None),
        ]
    );
    // No tracker pattern is configured: the messages say so, and show the comment seen (not
    // the next job's directive, two lines below `expired`'s mask).
    let messages = field_of(&doc, Some("mask-untracked"), "message");
    assert_eq!(
        messages,
        [
            "`continue-on-error` on `expired` is not tracked: no waiver, no comment near it, \
             and no tracker pattern is configured",
            "`continue-on-error` on `commented` is not tracked: no waiver, and the comment near \
             it, `# flaky, see #12`, is not read: no tracker pattern is configured",
        ]
    );
}

#[test]
fn pending_and_exempt() {
    let (code, rows, _) = check("testdata/rules/pending-exempt", &[]);
    assert_eq!(code, 0, "notes and warnings only");
    // Silent: `exempt-unlisted`, `required` (listed without suffix: any event).
    assert_eq!(
        rows,
        [
            row(
                "required-pending",
                Some("pending-unlisted"),
                CI,
                4,
                Some("CI / pending-unlisted (pull_request)")
            ),
            row(
                "pending-already-protected",
                Some("pending-listed"),
                CI,
                8,
                Some("CI / pending-listed (pull_request)")
            ),
            row(
                "required-pending",
                Some("pending-listed"),
                CI,
                8,
                Some("CI / pending-listed (pull_request)")
            ),
            row(
                "exempt-but-protected",
                Some("exempt-listed"),
                CI,
                12,
                Some("CI / exempt-listed (pull_request)")
            ),
        ]
    );
}

#[test]
fn required_never_posted() {
    let (code, rows, _) = check("testdata/rules/never-posted", &[]);
    assert_eq!(code, 1);
    // `CI / build (pull_request)` is not orphaned: the job exists but never runs on PRs;
    // its `(push)` context is protected but pushes to branches other than main post nothing,
    // so a pull request's commit never gets it (one finding, not also path-filtered).
    assert_eq!(
        rows,
        [
            row(
                "required-never-posted",
                Some("build"),
                CI,
                7,
                Some("CI / build (push)")
            ),
            row(
                "required-never-posted",
                Some("build"),
                CI,
                7,
                Some("CI / build (pull_request)")
            ),
            row(
                "required-never-posted",
                Some("soak"),
                ".gitea/workflows/nightly.yml",
                6,
                None
            ),
        ]
    );
}

/// GitHub (issue 10, item 3): a required check posted only by pushes to main, or a
/// required job that runs only for tags, never reaches a pull request's commit.
/// A `bp-required` job of a called workflow (review of issue 11): Gitea 1.27 runs it as a job
/// of the caller's run, which posts its context (silent); Gitea 1.26 runs it inside the
/// caller's one job, so the directive belongs on the caller.
#[test]
fn required_job_of_a_called_workflow() {
    let dir = "testdata/rules/called-required";
    let (code, rows, doc) = check(dir, &["--forge-version", "1.26"]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [row(
            "required-never-posted",
            Some("compile"),
            ".gitea/workflows/build.yml",
            6,
            None
        )]
    );
    assert_eq!(
        field_of(&doc, None, "message"),
        [
            "`compile` is `bp-required: yes`, but its workflow is only called (by `call` in .gitea/workflows/ci.yml), and Gitea 1.26 runs the called jobs inside that one job: only `call` posts a status"
        ]
    );
    let (code, rows, _) = check(dir, &["--forge-version", "1.27"]);
    assert_eq!((code, rows), (0, vec![]));
}

#[test]
fn required_never_posted_on_github() {
    let (code, rows, doc) = check("testdata/rules/never-posted-github", &[]);
    assert_eq!(code, 1);
    // Silent: `test` (runs for pull requests), deploy.yml's `lint` (pr.yml posts `lint` on
    // pull requests; no collision either), no required-not-protected for `publish`.
    let deploy = ".github/workflows/deploy.yml";
    let release = ".github/workflows/release.yml";
    let push_only = ".github/workflows/push-only.yml";
    assert_eq!(
        rows,
        [
            // One finding for `deps`, not also required-path-filtered for its `branches`.
            row(
                "required-never-posted",
                Some("deps"),
                ".github/workflows/bots.yml",
                8,
                Some("deps")
            ),
            row(
                "required-never-posted",
                Some("build"),
                deploy,
                7,
                Some("build")
            ),
            row(
                "directive-missing",
                Some("unit"),
                push_only,
                5,
                Some("unit")
            ),
            row(
                "required-never-posted",
                Some("unit"),
                push_only,
                5,
                Some("unit")
            ),
            row(
                "required-not-protected",
                Some("smoke"),
                push_only,
                9,
                Some("smoke")
            ),
            row("required-never-posted", Some("smoke"), push_only, 10, None),
            row("required-never-posted", Some("publish"), release, 7, None),
        ]
    );
    assert_eq!(
        field_of(&doc, Some("required-never-posted"), "message"),
        [
            "the protection of `main` requires `deps`, but the workflow of `deps` runs only on \
             `push` to `renovate/**`: a pull request from another branch or from a fork has no \
             push run here, so it never gets `deps` and waits for it (branches matching \
             `renovate/**` do get it)",
            "the protection of `main` requires `build`, but the workflow of `build` runs only \
             on `push` to `main`: it is never posted on a pull request's commit, so every pull \
             request waits for it",
            "the protection of `main` requires `unit`, but the workflow of `unit` runs only on \
             `push`: a pull request from a fork has no push run here, so it never gets `unit` \
             and waits for it (branches of this repository do get it)",
            "`smoke` is `bp-required: yes`, but its workflow runs only on `push`: a pull request \
             from a fork has no push run here, so the job does not check it",
            "`publish` is `bp-required: yes`, but its workflow runs only on `push` of tags: it \
             never runs for a pull request, so it gates nothing",
        ]
    );
    // Branches of this repository are checked: the fork cases are warnings; a push limited
    // to named branches leaves most pull requests waiting: an error.
    assert_eq!(
        field_of(&doc, Some("required-never-posted"), "severity"),
        ["error", "error", "warning", "warning", "error"]
    );
}

/// Gitea globs (FORGE-SEMANTICS §4, §5): under `*` a pull request awaits only what is posted
/// on its commit; a pattern that matches only never-posted contexts blocks.
#[test]
fn required_never_posted_under_gitea_globs() {
    let (code, rows, _) = check("testdata/rules/never-posted-glob", &[]);
    assert_eq!((code, rows), (0, vec![]));
    let (code, rows, _) = check(
        "testdata/rules/never-posted-glob",
        &[
            "--protection",
            "testdata/rules/never-posted-glob/deploy-pattern.json",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [row(
            "required-never-posted",
            Some("ship"),
            ".gitea/workflows/deploy.yml",
            8,
            Some("Deploy / *")
        )]
    );
}

#[test]
fn context_unresolvable() {
    let (code, rows, _) = check("testdata/rules/context-unresolvable", &[]);
    assert_eq!(code, 0);
    // Silent: `dynamic-exempt`, and release.yml's and main-push.yml's jobs (never run for a
    // pull request).
    assert_eq!(
        rows,
        [row("context-unresolvable", Some("dynamic"), CI, 9, None)]
    );
}

#[test]
fn without_protection_a_note_says_so() {
    let (code, rows, doc) = check("testdata/gitea-basic", &["--forge-version", "1.22"]);
    assert_eq!(code, 1);
    assert_eq!(rows[0], row("no-protection", None, "", 0, None));
    assert!(doc["findings"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("required-not-protected, protection-orphaned, pending-already-protected, exempt-but-protected, context-glob-literal not run"));
    assert!(rows.iter().all(|r| r.0 != "required-not-protected"));
    // No tracker pattern is configured: the `internal#7` comment does not register e2e's mask.
    assert!(
        rows.contains(&row("mask-untracked", Some("e2e"), CI, 48, None)),
        "{rows:?}"
    );
    assert_eq!(
        doc["summary"],
        serde_json::json!({"errors": 3, "warnings": 0, "notes": 3, "workflows": 2, "jobs": 7})
    );
}

#[test]
fn json_document_shape() {
    let (_, _, doc) = check("testdata/rules/required-not-protected", &[]);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["forge"], "gitea");
    assert_eq!(doc["branch"], "main");
    assert_eq!(
        doc["findings"][0],
        serde_json::json!({
            "rule": "required-not-protected",
            "severity": "error",
            "message": "`unlisted` is `bp-required: yes`, but the protection of `main` requires none of `CI / unlisted (push)`, `CI / unlisted (pull_request)`",
            "root": "testdata/rules/required-not-protected",
            "file": ".gitea/workflows/ci.yml",
            "line": 4,
            "column": 3,
            "workflow": "CI",
            "job": "unlisted",
            "context": "CI / unlisted (pull_request)",
            "help": "add `CI / unlisted (pull_request)` to the required status checks of `main`, or mark the job `bp-required: pending #N` until it is",
            "issue": null,
            "condition": null,
            "event": null
        })
    );
    // The fields a bot needs (issue 10, item 14): the tracker of a pending directive, the
    // condition and event a vacuous-gate finding judged.
    let (_, _, doc) = check("testdata/rules/pending-exempt", &[]);
    let pending = doc["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["rule"] == "required-pending").cloned())
        .unwrap_or_default();
    assert!(
        pending["issue"].as_str().is_some_and(|i| i.contains('#')),
        "{pending}"
    );
    let (_, _, doc) = check("testdata/rules/skippable", &[]);
    assert_eq!(
        doc["findings"][0]["condition"],
        "github.event_name == 'push'"
    );
    assert_eq!(doc["findings"][0]["event"], "pull_request");
}

#[test]
fn human_output() {
    let out = gatelint(&[
        "check",
        "testdata/rules/required-not-protected",
        "--color",
        "never",
    ]);
    assert_eq!(out.code, 1);
    insta::assert_snapshot!(out.stdout, @r#"
    required-not-protected

      × `unlisted` is `bp-required: yes`, but the protection of `main` requires none of `CI / unlisted (push)`, `CI / unlisted (pull_request)`
       ╭─[testdata/rules/required-not-protected/.gitea/workflows/ci.yml:4:3]
     3 │ jobs:
     4 │   # bp-required: yes
       ·   ─────────┬────────
       ·            ╰── context `CI / unlisted (pull_request)`
     5 │   unlisted:
       ╰────
      help: add `CI / unlisted (pull_request)` to the required status checks of `main`, or mark the job `bp-required: pending #N` until it is
    required-not-protected

      × `matrix` is `bp-required: yes`, but the protection of `main` requires none of `CI / matrix (windows) (push)`, `CI / matrix (windows) (pull_request)`
        ╭─[testdata/rules/required-not-protected/.gitea/workflows/ci.yml:12:3]
     11 │     steps: [{run: "true"}]
     12 │   # bp-required: yes
        ·   ─────────┬────────
        ·            ╰── context `CI / matrix (windows) (pull_request)`
     13 │   matrix:
        ╰────
      help: add `CI / matrix (windows) (pull_request)` to the required status checks of `main`, or mark the job `bp-required: pending #N` until it is
    gatelint: by rule: required-not-protected 2 errors
    gatelint: 2 errors, 0 warnings, 0 notes in 1 workflow (3 jobs)
    "#);
    // Quiet: errors only, and the one-line total.
    let quiet = gatelint(&["check", "testdata/rules/pending-exempt", "--quiet"]);
    assert_eq!(
        (quiet.code, quiet.stdout.as_str()),
        (
            0,
            "gatelint: 0 errors, 2 warnings, 2 notes in 1 workflow (5 jobs)\n"
        )
    );
}

#[test]
fn branch_selects_the_gitea_rule() {
    // No rule for `develop` in the list: nothing is required, so `unlisted` is not protected
    // either way, and `push-only-listed` now is not protected too.
    let (code, rows, doc) = check(
        "testdata/rules/required-not-protected",
        &["--branch", "develop"],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["branch"], "develop");
    let jobs: Vec<_> = rows.iter().filter_map(|r| r.1.as_deref()).collect();
    assert_eq!(jobs, ["unlisted", "push-only-listed", "matrix", "matrix"]);
}

#[test]
fn protection_and_config_errors_exit_2_with_a_location() {
    for (args, message) in [
        (
            vec!["--protection", "testdata/configs/broken.json"],
            "testdata/configs/broken.json:3:1: invalid JSON",
        ),
        (
            vec!["--protection", "testdata/configs/wrong-shape.json"],
            "testdata/configs/wrong-shape.json: not a protection payload",
        ),
        (
            vec!["--protection", "testdata/configs/no-such-file.txt"],
            "testdata/configs/no-such-file.txt: cannot read",
        ),
        // Files that are no protection at all say what they look like (not read as lists).
        (
            vec!["--protection", "testdata/configs/login-page.html"],
            "testdata/configs/login-page.html:2:1: an HTML or XML page, not a protection payload",
        ),
        (
            vec!["--protection", "testdata/configs/api-error.json"],
            "testdata/configs/api-error.json: not a protection payload (it is an API error \
             answer: \"Branch not protected\", status 404)",
        ),
        (
            vec!["--protection", "testdata/configs/binary.txt"],
            "testdata/configs/binary.txt: a binary file, not a protection payload or a context \
             list (not UTF-8 text at byte 11)",
        ),
        (
            vec!["--config", "testdata/configs/unknown-key.toml"],
            "testdata/configs/unknown-key.toml:2:1: unknown field `protecton`",
        ),
        (
            vec!["--config", "testdata/configs/bad-regex.toml"],
            "testdata/configs/bad-regex.toml:2:13: invalid tracker regex",
        ),
        (
            vec!["--config", "testdata/configs/bad-severity.toml"],
            "testdata/configs/bad-severity.toml:2:14: unknown severity `fatal`",
        ),
    ] {
        let mut full = vec!["check", "testdata/gitea-basic"];
        full.extend(args);
        let out = gatelint(&full);
        assert_eq!(out.code, 2, "{full:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(message),
            "{full:?}: expected `{message}` in {}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn rules_and_explain() {
    let out = gatelint(&["rules"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("required-not-protected     error    `bp-required: yes`, but protection does not require the job's contexts"), "{}", out.stdout);
    assert_eq!(out.stdout.lines().count(), 42);
    let doc = gatelint(&["explain", "mask-stale"]);
    assert_eq!(doc.code, 0);
    assert!(doc.stdout.starts_with("# mask-stale\n"));
    let unknown = gatelint(&["explain", "mask-stail"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("unknown rule `mask-stail` (did you mean `mask-stale`?)"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn report_fills_protected() {
    let out = gatelint(&[
        "report",
        "testdata/rules/required-not-protected",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    let protected: Vec<(&str, &Value, &Value)> = gates
        .iter()
        .map(|g| {
            (
                g["job"].as_str().unwrap_or_default(),
                &g["protected"],
                &g["verdict"],
            )
        })
        .collect();
    assert_eq!(
        protected,
        [
            (
                "unlisted",
                &Value::Bool(false),
                &Value::from("not-protected")
            ),
            ("push-only-listed", &Value::Bool(true), &Value::from("ok")),
            ("matrix", &Value::Bool(true), &Value::from("ok")),
        ]
    );
}

#[test]
fn dogfood_own_ci_passes() {
    let (code, rows, _) = check(".", &[]);
    assert_eq!((code, rows), (0, vec![]));
}

/// The acceptance runs: a seed-origin tree, Gitea 1.22, the later head's context list.
fn seed_check(root: &str) -> (i32, Vec<Row>, Value) {
    let list =
        common::shared("corpus/seed-origin/_later-head-aeec8e47/.gitea/required-contexts.txt")
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
    check(
        root,
        &[
            "--forge",
            "gitea",
            "--forge-version",
            "1.22",
            "--protection",
            &list,
        ],
    )
}

#[test]
fn seed_origin_pending_gate_is_reported() {
    let Some(seed) = common::shared("corpus/seed-origin") else {
        return;
    };
    let (code, rows, doc) = seed_check(&seed.to_string_lossy());
    assert_eq!(code, 1);
    let pending: Vec<_> = doc["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f["rule"] == "required-pending" && f["job"] == "e2e-staging-platform-boot")
        .collect();
    assert_eq!(pending.len(), 1);
    assert!(
        pending[0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("#2187")
    );
    assert_eq!(pending[0]["file"], ".gitea/workflows/e2e-staging-saas.yml");
    assert_eq!(pending[0]["line"], 342);
    let count = |rule: &str| rows.iter().filter(|r| r.0 == rule).count();
    assert_eq!(
        (
            count("directive-missing"),
            count("protection-orphaned"),
            count("required-pending")
        ),
        // audit-force-merge.yml runs on closed pull requests only: no directive needed.
        (33, 5, 3)
    );
    // Orphaned entries point at the list, relative to the root.
    assert!(rows.iter().any(|r| r.0 == "protection-orphaned"
        && r.2 == "_later-head-aeec8e47/.gitea/required-contexts.txt"));
}

#[test]
fn seed_origin_later_head_directives() {
    let Some(later) = common::shared("corpus/seed-origin/_later-head-aeec8e47") else {
        return;
    };
    let (code, rows, _) = seed_check(&later.to_string_lossy());
    assert_eq!(code, 1);
    let invalid: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == "directive-invalid")
        .map(|r| (r.1.as_deref(), r.2.as_str(), r.3))
        .collect();
    assert_eq!(
        invalid,
        [
            (Some("e2e-chat"), ".gitea/workflows/e2e-chat.yml", 130),
            (
                Some("lifecycle-compile-skip"),
                ".gitea/workflows/e2e-workspace-lifecycle.yml",
                72
            ),
            (
                Some("detect-changes"),
                ".gitea/workflows/template-delivery-e2e.yml",
                61
            ),
        ]
    );
    // Header prose mentioning directives belongs to no job: no finding before the first job.
    assert!(
        rows.iter()
            .filter(|r| r.0 == "directive-invalid")
            .all(|r| r.3 > 50)
    );
    let count = |rule: &str| rows.iter().filter(|r| r.0 == rule).count();
    assert_eq!(
        (
            count("directive-missing"),
            count("required-pending"),
            count("pending-already-protected"),
            count("required-not-protected")
        ),
        // audit-force-merge.yml runs on closed pull requests only: no directive needed.
        (28, 11, 2, 2)
    );
}

#[test]
fn real_corpus_with_empty_protection_never_exits_2() {
    let Some(real) = common::shared("corpus/real") else {
        return;
    };
    let empty = tempfile::NamedTempFile::new().expect("temp file");
    let empty = empty.path().to_string_lossy().into_owned();
    let mut repos: Vec<String> = std::fs::read_dir(&real)
        .expect("corpus lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    repos.sort();
    for repo in &repos {
        let out = gatelint(&["check", repo, "--protection", &empty, "--format", "json"]);
        assert!(
            out.code == 0 || out.code == 1,
            "{repo}: exit {}: {}",
            out.code,
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{repo}");
        let _ = out.json();
    }
}

#[test]
fn workflow_invalid_points_at_the_file_and_line() {
    let (code, rows, doc) = check("testdata/invalid", &[]);
    assert_eq!(code, 1);
    let invalid: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == "workflow-invalid")
        .map(|r| (r.2.as_str(), r.3))
        .collect();
    assert_eq!(
        invalid,
        [
            (".gitea/workflows/broken.yml", 7),
            (".gitea/workflows/list.yml", 1),
            (".gitea/workflows/null-job.yml", 4),
        ]
    );
    // The valid file is still checked: four files read, one job.
    assert_eq!(doc["summary"]["workflows"], 4);
    assert_eq!(doc["summary"]["jobs"], 1);
    let missing = gatelint(&["check", "testdata/does-not-exist"]);
    assert_eq!(missing.code, 2);
}

#[test]
fn required_step_masked() {
    let (code, rows, _) = check("testdata/rules/step-masked", &[]);
    assert_eq!(code, 0, "a warning");
    // Silent: the step with `continue-on-error: false`, the exempt job's masked step, and in
    // `build` the step whose outcome a later step reads, the cache save, artifact and
    // coverage uploads, the diagnostics and the image push (issue 10, item 7).
    let test = |line| {
        row(
            "required-step-masked",
            Some("test"),
            CI,
            line,
            Some("CI / test (pull_request)"),
        )
    };
    let build = |line| {
        row(
            "required-step-masked",
            Some("build"),
            CI,
            line,
            Some("CI / build (pull_request)"),
        )
    };
    assert_eq!(rows, [test(10), test(12), build(50), build(52), build(56)]);
}

#[test]
fn required_skippable() {
    let (code, rows, doc) = check("testdata/rules/skippable", &[]);
    assert_eq!(code, 0);
    // Silent: always(), success() || failure(), !cancelled(), the exempt job, a condition
    // true on every pull request, and the repository's own guard (issue 10, item 5).
    let skippable = |job: &str, line| {
        row(
            "required-skippable",
            Some(job),
            CI,
            line,
            Some(&format!("CI / {job} (push)")),
        )
    };
    assert_eq!(rows, [skippable("push-only", 6), skippable("not-bots", 44)]);
    let messages = field_of(&doc, None, "message");
    assert_eq!(
        messages,
        [
            "required job `push-only` has `if: github.event_name == 'push'`, which is false on \
             `pull_request`: the job is always skipped there, and Gitea 1.27 posts a skipped job \
             as `skipped`, which passes",
            "required job `not-bots` has `if: github.repository == 'acme/app' && github.actor != \
             'dependabot[bot]'`, which can be false on `pull_request` (it reads run-time data), \
             and Gitea 1.27 posts a skipped job as `skipped`, which passes (a \
             `github.repository` guard was taken to name \
             this repository: set GITHUB_REPOSITORY, or read protection with `--remote --repo`, \
             to check it)",
        ]
    );
    // Another repository's guard: always skipped here.
    let out = common::gatelint_env(
        &common::repo_root(),
        &["check", "testdata/rules/skippable", "--format", "json"],
        &[("GITHUB_REPOSITORY", "other/app")],
    );
    let jobs: Vec<String> = out.json()["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["job"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(jobs, ["push-only", "own-repo", "not-bots"]);
    // Before Gitea 1.25 (and on Forgejo) a skipped job posts `success` (FORGE-SEMANTICS §4).
    let (_, _, doc) = check("testdata/rules/skippable", &["--forge-version", "1.24"]);
    assert!(
        field_of(&doc, None, "message")
            .iter()
            .all(|m| m.contains("Gitea 1.24 posts a skipped job as `success`, which passes")),
        "{doc}"
    );
}

#[test]
fn required_needs_unguarded() {
    let (_, rows, doc) = check("testdata/rules/needs-unguarded", &[]);
    // Silent: `all-green` (always() and a step that checks needs.*.result), `lint` (needs a
    // required job), `done` and `alls-green` (aggregator actions given `toJSON(needs)`).
    // `results-in-if` checks the results in its `if:`, which makes it skippable instead.
    assert_eq!(
        rows,
        [
            row(
                "required-needs-unguarded",
                Some("test"),
                CI,
                10,
                Some("CI / test (pull_request)")
            ),
            row(
                "required-needs-unguarded",
                Some("deploy-check"),
                CI,
                15,
                Some("CI / deploy-check (pull_request)")
            ),
            row(
                "required-skippable",
                Some("results-in-if"),
                CI,
                29,
                Some("CI / results-in-if (pull_request)")
            ),
            row(
                "required-needs-unguarded",
                Some("summary"),
                CI,
                64,
                Some("CI / summary (pull_request)")
            ),
        ]
    );
    let message = doc["findings"][1]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("(`deploy-check` → `test` → `build`)"),
        "{message}"
    );
    // Each says what happens: skipped, or runs and passes without a look.
    assert_eq!(
        doc["findings"][3]["message"],
        "required job `summary` needs `build`, which is not required (`summary` → `build`): \
         when `build` fails, `summary` still runs (its `if:` says so) but nothing in it reads \
         the results, so it passes and the gate with it"
    );
}

#[test]
fn required_path_filtered() {
    let (_, rows, _) = check("testdata/rules/path-filtered", &[]);
    // Silent: `branches: [main, …]` includes main; the exempt release job.
    assert_eq!(
        rows,
        [
            row(
                "required-path-filtered",
                Some("test"),
                ".gitea/workflows/ignore-main.yml",
                4,
                Some("Ignore main / test (pull_request)")
            ),
            row(
                "required-path-filtered",
                Some("test"),
                ".gitea/workflows/paths.yml",
                4,
                Some("Paths / test (pull_request)")
            ),
            row(
                "required-path-filtered",
                Some("gate"),
                ".gitea/workflows/release-only.yml",
                4,
                Some("Release only / gate (pull_request)")
            ),
        ]
    );
}

/// With protection (issue 10, items 1 and 2): what a pull request the filter leaves out meets
/// depends on the requirement and the release; a list entry without an event suffix is
/// satisfied by the unfiltered `pull_request` context, whatever filters `push`.
#[test]
fn required_path_filtered_says_what_happens() {
    let dir = "testdata/rules/path-filtered-protected";
    let star = format!("{dir}/star.json");
    let forks = ".gitea/workflows/forks.yml";
    let paths = ".gitea/workflows/paths.yml";
    for (args, messages) in [
        (
            vec!["--forge-version", "1.26"],
            [
                "required job `build` runs on `pull_request` only through a `paths` filter: a \
                 pull request from a fork to `main` the filter leaves out never gets `Forks / \
                 build`, and waits for it",
                "required job `test` runs on `pull_request` only through a `paths` filter: a pull \
                 request to `main` the filter leaves out never gets `Paths / test \
                 (pull_request)`, and waits for it",
            ],
        ),
        (
            vec!["--forge-version", "1.26", "--protection", star.as_str()],
            [
                "required job `build` runs on `pull_request` only through a `paths` filter: for \
                 a pull request from a fork to `main` the filter leaves out, its workflow posts \
                 nothing, and `*` waits only for what is posted: the gate vanishes quietly",
                "required job `test` runs on `pull_request` only through a `paths` filter: for a \
                 pull request to `main` the filter leaves out, its workflow posts nothing, and `*` \
                 waits only for what is posted: the gate vanishes quietly",
            ],
        ),
        (
            vec!["--forge-version", "1.27"],
            [
                "required job `build` runs on `pull_request` only through a `paths` filter: for \
                 a pull request from a fork to `main` the filter leaves out, Gitea 1.27 posts \
                 `Forks / build (pull_request)` as skipped, which passes: the gate passes \
                 without running",
                "required job `test` runs on `pull_request` only through a `paths` filter: for a \
                 pull request to `main` the filter leaves out, Gitea 1.27 posts `Paths / test \
                 (pull_request)` as skipped, which passes: the gate passes without running",
            ],
        ),
    ] {
        let (_, rows, doc) = check(dir, &args);
        // Silent: both.yml's `build` (its `pull_request` context is unfiltered). forks.yml's
        // `build` is reported for pull requests from forks only (push runs post its context
        // for branches of this repository).
        let filtered = |job: &str, file: &str, line, context: &str| {
            row(
                "required-path-filtered",
                Some(job),
                file,
                line,
                Some(context),
            )
        };
        assert_eq!(
            rows,
            [
                filtered("build", forks, 5, "Forks / build (pull_request)"),
                filtered("test", paths, 4, "Paths / test (pull_request)"),
            ],
            "{args:?}"
        );
        let got = field_of(&doc, None, "message");
        assert_eq!(got, messages, "{args:?}");
    }
}

/// Protection asks only for the `(push)` context, which every push posts: the filtered
/// `pull_request` event matters to nobody, so no finding (it used to say the pull request
/// waits for the check).
#[test]
fn required_path_filtered_event_nobody_requires() {
    let (code, rows, _) = check(
        "testdata/rules/path-filtered-event",
        &["--forge-version", "1.26"],
    );
    assert_eq!((code, rows), (0, vec![]));
}

#[test]
fn context_collision() {
    let (_, rows, _) = check("testdata/rules/collision", &[]);
    // Silent: `named-legs` (a matrix expression in the name), `Other / Test` (another
    // workflow name).
    assert_eq!(
        rows,
        [
            row(
                "context-collision",
                Some("test"),
                ".forgejo/workflows/ci.yml",
                5,
                Some("CI / Test (pull_request)")
            ),
            row(
                "context-collision",
                Some("lint-copy"),
                ".forgejo/workflows/ci.yml",
                25,
                Some("CI / lint (pull_request)")
            ),
        ]
    );
}

/// Forgejo 7 (gitea/act v0.259.1) still adds the suffix to a plain name: its legs post
/// `CI / Test (1.22)` and `CI / Test (1.23)`, no collision; Forgejo 8 and later drop it and the
/// legs share `CI / Test` (above).
#[test]
fn context_collision_of_named_legs_from_forgejo_8() {
    let (_, rows, _) = check("testdata/rules/collision", &["--forge-version", "7"]);
    assert_eq!(
        rows,
        [row(
            "context-collision",
            Some("lint-copy"),
            ".forgejo/workflows/ci.yml",
            25,
            Some("CI / lint (pull_request)")
        )]
    );
    let (_, rows, _) = check("testdata/rules/collision", &["--forge-version", "8"]);
    assert_eq!(rows.len(), 2, "{rows:?}");
}

/// GitHub check names carry no event: two workflows collide when they post on one pull
/// request's head. Fires: `pull_request` with an unfiltered `push` (a same-repository branch
/// gets both), two pushes to overlapping bot branches (`renovate/**`, the pair in
/// opentelemetry-java-instrumentation). Silent: a push to `release-*` only, and pull requests
/// to `stable` only (the protected branch is `main`).
#[test]
fn context_collision_on_github_needs_one_commit() {
    let (code, rows, doc) = check("testdata/rules/collision-github", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            row(
                "context-collision",
                Some("test"),
                ".github/workflows/pr.yml",
                5,
                Some("test")
            ),
            row(
                "required-never-posted",
                Some("apply"),
                ".github/workflows/renovate-a.yml",
                9,
                None
            ),
            row(
                "context-collision",
                Some("apply"),
                ".github/workflows/renovate-b.yml",
                7,
                Some("apply")
            ),
        ]
    );
    assert_eq!(
        field_of(&doc, Some("context-collision"), "message"),
        [
            "`test` posts `test`, as `test` in .github/workflows/any-push.yml does: the check cannot tell them apart",
            "`apply` posts `apply`, as `apply` in .github/workflows/renovate-a.yml does: the check cannot tell them apart",
        ]
    );
    // A push limited to named branches leaves every other pull request unchecked: an error.
    assert_eq!(
        field_of(&doc, Some("required-never-posted"), "message"),
        [
            "`apply` is `bp-required: yes`, but its workflow runs only on `push` to `renovate/**`: a pull request from another branch or from a fork has no push run here, so the job does not check it"
        ]
    );
    assert_eq!(
        field_of(&doc, Some("required-never-posted"), "severity"),
        ["error"]
    );
}

/// Issue 12, item 4: protection requires only the aggregator, which does not look at `lint`.
/// Silent: `changes` (covered through `build`), the exempt `clippy-nightly`, the reporter
/// `notify` (`if: always()` after its needs), `deploy` (runs after the aggregator).
#[test]
fn aggregator_incomplete() {
    let dir = "testdata/rules/aggregator";
    let protection = format!("{dir}/protection.txt");
    let (code, rows, doc) = check(
        dir,
        &[
            "--protection",
            protection.as_str(),
            "--forge-version",
            "1.26",
        ],
    );
    assert_eq!(code, 0);
    // two.yml: two required aggregators cover `test` and `lint` between them; `docs` is in
    // neither (one finding naming both), `publish` never runs for a pull request.
    assert_eq!(
        rows,
        [
            row(
                "aggregator-incomplete",
                Some("lint"),
                ".gitea/workflows/ci.yml",
                12,
                Some("CI / lint (pull_request)")
            ),
            row(
                "aggregator-incomplete",
                Some("docs"),
                ".gitea/workflows/two.yml",
                11,
                Some("Two / docs (pull_request)")
            ),
        ]
    );
    assert_eq!(
        field_of(&doc, None, "message"),
        [
            "required aggregator `all-required` checks the results of its `needs`, but not of `lint`, which posts `CI / lint (pull_request)` and is not exempt: a failure of `lint` does not fail the gate",
            "none of the 2 required aggregators (`all-tests`, …) checks the results of `docs`, which posts `Two / docs (pull_request)` and is not exempt: a failure of `docs` does not fail them",
        ]
    );
    // Without protection only `bp-required` aggregators count (`all-required`), and a
    // `bp-required` job may be protected by itself: `lint` again.
    let (_, rows, _) = check(dir, &["--forge-version", "1.26"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
}

#[test]
fn context_glob_literal() {
    let (_, rows, _) = check("testdata/rules/glob-literal", &[]);
    // Silent: `CI / b*ld (pull_request)`, a real pattern; the literal entry is not also
    // reported as orphaned.
    assert_eq!(
        rows,
        [
            row(
                "required-not-protected",
                Some("unit"),
                CI,
                4,
                Some("CI / Unit ([a b]) (pull_request)")
            ),
            row(
                "context-glob-literal",
                None,
                "protection.json",
                4,
                Some("CI / Unit ([a b]) (pull_request)")
            ),
        ]
    );
    let out = gatelint(&["check", "testdata/rules/glob-literal", "--color", "never"]);
    assert!(
        out.stdout
            .contains(r"escape the special characters: `CI / Unit (\[a b\]) (pull_request)`"),
        "{}",
        out.stdout
    );
}

#[test]
fn unparsable_if_is_workflow_invalid() {
    let (code, rows, doc) = check("testdata/rules/if-invalid", &[]);
    assert_eq!(code, 1);
    assert_eq!(rows, [row("workflow-invalid", None, CI, 6, None)]);
    assert_eq!(
        doc["findings"][0]["message"],
        "the `if` of job `test` does not parse: unexpected end of expression"
    );
    assert_eq!(doc["findings"][0]["column"], 9);
}

#[test]
fn merge_queue_needs_merge_group() {
    let (code, rows, _) = check("testdata/rules/merge-queue", &[]);
    assert_eq!(code, 1);
    // Silent: `build` runs on merge_group; `spell` is exempt.
    assert_eq!(
        rows,
        [row(
            "required-never-posted",
            Some("lint"),
            ".github/workflows/lint.yml",
            5,
            Some("lint")
        )]
    );
}

#[test]
fn report_lists_why_a_gate_is_vacuous() {
    let out = gatelint(&[
        "report",
        "testdata/rules/needs-unguarded",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    let got: Vec<(String, String, Value)> = gates
        .iter()
        .map(|g| {
            (
                g["job"].as_str().unwrap_or_default().to_owned(),
                g["verdict"].as_str().unwrap_or_default().to_owned(),
                g["vacuous"].clone(),
            )
        })
        .collect();
    let skipped = serde_json::json!(["a failed dependency does not fail it"]);
    assert_eq!(
        got,
        [
            (
                "build".to_owned(),
                "exempt".to_owned(),
                serde_json::json!([])
            ),
            ("test".to_owned(), "vacuous".to_owned(), skipped.clone()),
            (
                "deploy-check".to_owned(),
                "vacuous".to_owned(),
                skipped.clone()
            ),
            (
                "all-green".to_owned(),
                "required".to_owned(),
                serde_json::json!([])
            ),
            (
                "results-in-if".to_owned(),
                "vacuous".to_owned(),
                serde_json::json!(["its if: can skip it, and skipped passes"])
            ),
            (
                "fmt".to_owned(),
                "required".to_owned(),
                serde_json::json!([])
            ),
            (
                "lint".to_owned(),
                "required".to_owned(),
                serde_json::json!([])
            ),
            (
                "done".to_owned(),
                "required".to_owned(),
                serde_json::json!([])
            ),
            (
                "alls-green".to_owned(),
                "required".to_owned(),
                serde_json::json!([])
            ),
            ("summary".to_owned(), "vacuous".to_owned(), skipped),
        ]
    );
    let table = gatelint(&["report", "testdata/rules/skippable"]);
    assert!(
        table
            .stdout
            .contains("(vacuous: its if: can skip it, and skipped passes)"),
        "{}",
        table.stdout
    );
}

#[test]
fn real_corpus_with_everything_required_never_exits_2() {
    let Some(real) = common::shared("corpus/real") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let all = common::all_required_snapshot(dir.path());
    let mut repos: Vec<String> = std::fs::read_dir(&real)
        .expect("corpus lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    repos.sort();
    let mut args = vec!["check", "--protection", all.as_str(), "--format", "json"];
    args.extend(repos.iter().map(String::as_str));
    let out = gatelint(&args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
    let doc = out.json();
    let count = |rule: &str| {
        doc["findings"]
            .as_array()
            .map_or(0, |f| f.iter().filter(|f| f["rule"] == rule).count())
    };
    for rule in [
        "required-step-masked",
        "required-skippable",
        "required-needs-unguarded",
        "required-path-filtered",
        "context-collision",
    ] {
        assert!(count(rule) > 0, "{rule} never fired on the corpus");
    }
}

/// Gitea 1.27 and a call of another repository's workflow: the caller's own context is known
/// and checked, the called jobs' are not; the finding says which (review of issue 11).
#[test]
fn partly_known_contexts_on_gitea_1_27() {
    let dir = temp_repo(&[
        (
            ".gitea/workflows/ci.yml",
            "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  lint:\n    uses: org/shared/.gitea/workflows/lint.yml@main\n",
        ),
        ("gatelint.toml", "[rules]\nno-protection = \"off\"\n"),
    ]);
    let root = dir.path().to_string_lossy().into_owned();
    let (_, rows, doc) = check(&root, &["--forge-version", "1.27"]);
    assert_eq!(
        rows,
        [row(
            "context-unresolvable",
            Some("lint"),
            ".gitea/workflows/ci.yml",
            5,
            None
        )]
    );
    assert_eq!(
        field_of(&doc, None, "message"),
        [
            "only some contexts of `lint` can be computed (`CI / lint (pull_request)`): calls `org/shared/.gitea/workflows/lint.yml@main` from another repository: the contexts of its jobs cannot be read offline (the caller's own context is known)"
        ]
    );
    let out = gatelint(&[
        "report",
        &root,
        "--forge-version",
        "1.27",
        "--format",
        "json",
    ]);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        gates[0]["contexts"],
        serde_json::json!(["CI / lint (pull_request)"])
    );
    assert_eq!(gates[0]["verdict"], "unresolvable");
    // Gitea 1.26 posts the caller's one context: fully known.
    let (_, rows, _) = check(&root, &["--forge-version", "1.26"]);
    assert_eq!(rows, vec![]);
}

/// Gitea 1.22 posts `pull_request_target` runs as `(pull_request)`: a workflow that runs on
/// neither gets one finding for the entry, not one per event (review of issue 11).
#[test]
fn never_posted_once_when_two_events_share_a_suffix() {
    let dir = temp_repo(&[
        (
            ".gitea/workflows/ci.yml",
            "name: CI\non:\n  push:\n    branches: [main]\njobs:\n  j:\n    runs-on: linux\n    steps: [{run: make}]\n",
        ),
        ("protection.txt", "CI / j (pull_request)\n"),
        ("gatelint.toml", "[rules]\ndirective-missing = \"off\"\n"),
    ]);
    let root = dir.path().to_string_lossy().into_owned();
    let protection = dir.path().join("protection.txt");
    let (_, rows, _) = check(
        &root,
        &[
            "--forge-version",
            "1.22",
            "--protection",
            &protection.to_string_lossy(),
        ],
    );
    let never: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == "required-never-posted" || r.0 == "protection-orphaned")
        .collect();
    assert_eq!(never.len(), 1, "{rows:?}");
}

/// Gitea 1.27: legs of a matrix caller all post the called jobs' contexts. A collision when
/// the gate is the job's directive (with help about the called job's name), none when
/// protection requires only the caller's own per-leg contexts (review of issue 11).
#[test]
fn matrix_caller_legs_collide_only_on_a_required_called_context() {
    let dir = temp_repo(&[
        (
            ".gitea/workflows/ci.yml",
            "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  call:\n    strategy:\n      matrix:\n        os: [linux, mac]\n    uses: ./.gitea/workflows/build.yml\n",
        ),
        (
            ".gitea/workflows/build.yml",
            "name: Build\non: workflow_call\njobs:\n  test:\n    runs-on: linux\n    steps: [{run: make}]\n",
        ),
        (
            "protection.txt",
            "CI / call (linux) (pull_request)\nCI / call (mac) (pull_request)\n",
        ),
        ("gatelint.toml", "[rules]\nno-protection = \"off\"\n"),
    ]);
    let root = dir.path().to_string_lossy().into_owned();
    let (_, rows, doc) = check(&root, &["--forge-version", "1.27"]);
    assert_eq!(
        rows,
        [row(
            "context-collision",
            Some("call"),
            ".gitea/workflows/ci.yml",
            5,
            Some("Build / test (pull_request)")
        )]
    );
    assert!(
        field_of(&doc, None, "help")[0].starts_with("the called job's name must differ per leg"),
        "{doc}"
    );
    let protection = dir.path().join("protection.txt");
    let (_, rows, _) = check(
        &root,
        &[
            "--forge-version",
            "1.27",
            "--protection",
            &protection.to_string_lossy(),
        ],
    );
    assert!(!rows.iter().any(|r| r.0 == "context-collision"), "{rows:?}");
}

/// Issue 12, item 5 (the seed's lint-required-no-paths arm B): a required job whose every
/// working step waits for a change-detection output passes having run nothing. Silent: `vet`
/// (a step reports the skip), `lint` (a step always runs), `release-check` (the output is not
/// a change detection).
#[test]
fn required_noop() {
    let (code, rows, doc) = check("testdata/rules/noop", &["--forge-version", "1.26"]);
    assert_eq!(code, 0);
    let ci = ".gitea/workflows/ci.yml";
    assert_eq!(
        rows,
        [
            row(
                "required-noop",
                Some("test"),
                ci,
                16,
                Some("CI / test (pull_request)")
            ),
            row(
                "required-noop",
                Some("headers"),
                ci,
                45,
                Some("CI / headers (pull_request)")
            ),
        ]
    );
    assert_eq!(
        field_of(&doc, None, "message"),
        [
            "required job `test` runs each of its steps only when `needs.changes.outputs` says the change is relevant: on any other change it posts success having run nothing, and no step says so",
            "required job `headers` runs each of its steps only when `steps.files.outputs` says the change is relevant: on any other change it posts success having run nothing, and no step says so",
        ]
    );
}

/// A first run on a repository with no directive at all: its `directive-missing` findings are
/// one summary pointing at `gatelint init`, findings about jobs nothing requires are counted
/// by rule, the rest shown, errors first; a tally by rule ends the output. JSON keeps every
/// finding, with the same exit code.
#[test]
fn a_first_run_is_summarised() {
    let mut jobs = String::from("name: CI\non: pull_request\njobs:\n");
    for i in 0..40 {
        jobs.push_str(&format!(
            "  job{i}:\n    runs-on: ubuntu-latest\n    steps: [{{run: make}}]\n"
        ));
    }
    // A name no forge can resolve statically: context-unresolvable on a job nothing requires.
    jobs.push_str("  odd:\n    name: ${{ github.event.inputs.x }}\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n");
    let dir = temp_repo(&[(".github/workflows/ci.yml", &jobs)]);
    let root = dir.path().to_string_lossy().into_owned();
    let human = gatelint(&["check", &root]);
    let json = gatelint(&["check", &root, "--format", "json"]);
    assert_eq!(human.code, 1);
    assert_eq!(json.code, human.code);
    let doc = json.json();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["rule"].as_str()).collect())
        .unwrap_or_default();
    let missing = rules.iter().filter(|r| **r == "directive-missing").count();
    assert_eq!(missing, 41, "{rules:?}");
    assert!(rules.contains(&"context-unresolvable"), "{rules:?}");
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert!(lines.len() < 20, "{}", human.stdout);
    assert!(
        human.stdout.contains("× 41 jobs post a status check and none has a `bp-required` or `bp-exempt` directive yet (`job0`, `job1`, `job2`, `job3`, `job4`, …): nothing says which gates must hold"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("help: run `gatelint init` to add a directive above each job"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("⚠ 1 finding on 1 job that nothing requires yet (`odd`)"),
        "{}",
        human.stdout
    );
    // Errors before warnings before notes.
    let at = |mark: &str| human.stdout.find(mark).unwrap_or(usize::MAX);
    assert!(at("×") < at("⚠") && at("⚠") < at("☞"), "{}", human.stdout);
    assert_eq!(
        lines[lines.len() - 2],
        "gatelint: by rule: directive-missing 41 errors · context-unresolvable 1 warning · no-protection 1 note"
    );
    assert_eq!(
        lines[lines.len() - 1],
        "gatelint: 41 errors, 1 warning, 1 note in 1 workflow (41 jobs)"
    );
    // Markdown shows the same: one directive-missing row, and the tally.
    let md = gatelint(&["check", &root, "--format", "markdown"]);
    assert_eq!(md.code, 1);
    assert_eq!(
        md.stdout.matches("| `directive-missing` |").count(),
        1,
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("by rule: directive-missing 41 errors"),
        "{}",
        md.stdout
    );
    // A repository with one directive is shown in full.
    let decided = jobs.replacen("  job0:", "  # bp-exempt: demo\n  job0:", 1);
    let dir = temp_repo(&[(".github/workflows/ci.yml", &decided)]);
    let root = dir.path().to_string_lossy().into_owned();
    let full = gatelint(&["check", &root]);
    assert_eq!(full.stdout.matches("directive-missing\n").count(), 40);
}

/// The issue's measure: a first `check` on two real repositories with no configuration prints
/// at most 60 lines; JSON has every finding and the same exit code.
#[test]
fn first_runs_on_real_repositories_fit_a_screen() {
    for repo in ["pytorch__executorch", "DataDog__dd-trace-js"] {
        let Some(dir) = common::shared(&format!("corpus/real/{repo}")) else {
            eprintln!("skipped: ../shared/corpus/real is absent");
            return;
        };
        let root = dir.to_string_lossy().into_owned();
        let human = gatelint(&["check", &root]);
        let json = gatelint(&["check", &root, "--format", "json"]);
        assert!(
            human.stdout.lines().count() <= 60,
            "{repo}: {}",
            human.stdout
        );
        assert_eq!(human.code, json.code, "{repo}");
        let doc = json.json();
        let findings = doc["findings"].as_array().map_or(0, Vec::len);
        assert!(findings > 200, "{repo}: {findings}");
        let errors = doc["summary"]["errors"].as_u64().unwrap_or_default();
        assert!(
            human.stdout.contains(&format!("gatelint: {errors} errors")),
            "{repo}: {}",
            human.stdout
        );
    }
}
