//! GitHub gates in depth (issue 14): the merge queue read from the protection itself, and
//! who may post a required check (`integration_id` / `app_id`).
//!
//! Payload shapes: `GET /repos/{o}/{r}/rules/branches/{b}` as in GitHub's REST API
//! description ("Get rules for a branch"): each rule has `type`, `ruleset_source_type`,
//! `ruleset_source`, `ruleset_id` and `parameters`; a `merge_queue` rule's parameters
//! (`check_response_timeout_minutes`, `grouping_strategy`, `max_entries_to_build`,
//! `max_entries_to_merge`, `merge_method`, `min_entries_to_merge`,
//! `min_entries_to_merge_wait_minutes`) are that description's `repository-rule-merge-queue`.
//! `testdata/github-gates/rules-merge-queue.json` is written to that shape. The rulesets list
//! (`GET /repos/{o}/{r}/rulesets`, "Get all repository rulesets": `id`, `name`, `target`,
//! `source_type`, `source`, `enforcement`) and a ruleset by id (`GET …/rulesets/{id}`, "Get a
//! repository ruleset": also `bypass_actors` with `actor_id`, `actor_type`, `bypass_mode`,
//! `conditions.ref_name.include`/`exclude`, `rules`) in `testdata/github-rulesets/` follow the
//! same description; classic protection's `required_status_checks.checks[].app_id` is "Get
//! branch protection"'s.

mod common;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "gh-gates-token-71c2";
const GH: &str = "/api/v3/repos/octo/app";
const FIXTURE: &str = "testdata/github-gates";

fn rules_with_queue() -> String {
    std::fs::read_to_string(
        common::repo_root()
            .join(FIXTURE)
            .join("rules-merge-queue.json"),
    )
    .expect("the fixture")
}

/// The same rules without the `merge_queue` rule.
fn rules_without_queue() -> String {
    let all: serde_json::Value = serde_json::from_str(&rules_with_queue()).expect("JSON");
    let kept: Vec<&serde_json::Value> = all
        .as_array()
        .expect("a list")
        .iter()
        .filter(|r| r["type"] != "merge_queue")
        .collect();
    serde_json::to_string(&kept).expect("JSON")
}

/// A GitHub API with no classic protection and these rules for `main`.
async fn github(rules: String) -> MockServer {
    github_with(None, rules).await
}

/// A GitHub API with this classic protection (`None`: "Branch not protected") and these
/// rules for `main`.
async fn github_with(classic: Option<String>, rules: String) -> MockServer {
    let server = MockServer::start().await;
    let classic = match classic {
        Some(body) => ResponseTemplate::new(200).set_body_raw(body, "application/json"),
        None => ResponseTemplate::new(404).set_body_raw(
            r#"{"message":"Branch not protected","documentation_url":"https://docs.github.com/rest"}"#,
            "application/json",
        ),
    };
    Mock::given(method("GET"))
        .and(path(format!("{GH}/branches/main/protection")))
        .respond_with(classic)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/rules/branches/main")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(rules, "application/json"))
        .mount(&server)
        .await;
    server
}

async fn run(args: Vec<String>) -> common::Output {
    tokio::task::spawn_blocking(move || {
        common::run_secret(
            &common::repo_root(),
            &args,
            &[("GATELINT_TOKEN", TOKEN.to_owned())],
            TOKEN,
        )
    })
    .await
    .expect("joins")
}

fn remote(cmd: &str, server: &MockServer, extra: &[&str]) -> Vec<String> {
    remote_on(cmd, FIXTURE, server, extra)
}

fn remote_on(cmd: &str, fixture: &str, server: &MockServer, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        cmd,
        fixture,
        "--remote",
        "--server",
        &server.uri(),
        "--repo",
        "octo/app",
        "--forge",
        "github",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

/// (rule, job, context, event) of each finding.
type Row = (String, String, String, Option<String>);

fn rows(out: &common::Output) -> Vec<Row> {
    out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["job"].as_str().unwrap_or_default().to_owned(),
                f["context"].as_str().unwrap_or_default().to_owned(),
                f["event"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn row(rule: &str, job: &str, event: Option<&str>) -> Row {
    (
        rule.to_owned(),
        job.to_owned(),
        job.to_owned(),
        event.map(str::to_owned),
    )
}

fn messages(out: &common::Output) -> Vec<String> {
    out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A ruleset's `merge_queue` rule turns the queue on: every required check must run on
/// `merge_group` for `main`, and one that is skipped there passes unrun.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_queue_from_the_rulesets() {
    let server = github(rules_with_queue()).await;
    let out = run(remote("check", &server, &["--format", "json"])).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        rows(&out),
        [
            row("required-path-filtered", "api", None),
            row("required-skippable", "e2e", Some("merge_group")),
            row("required-never-posted", "docs", Some("merge_group")),
            row("required-never-posted", "lint", Some("merge_group")),
        ]
    );
    assert_eq!(
        messages(&out),
        [
            "required job `api` runs on `pull_request` only through a `paths` filter: a pull request to `main` the filter leaves out never gets `api`, and waits for it (in the merge queue it runs for every merge group: `merge_group` takes no path filter)",
            "required job `e2e` has `if: github.event_name == 'pull_request'`, which is false on `merge_group`: the job is always skipped there, and a skipped job counts as passing: the merge queue of `main` (set by organisation ruleset 7 of octo) merges the group without running it",
            "the merge queue of `main` (set by organisation ruleset 7 of octo) waits for `docs`, but the workflow of `docs` runs on `merge_group` only for other branches: its `branches` filter leaves out `main`: every merge group waits for it until the queue's check timeout, and its pull requests are removed from the queue",
            "the merge queue of `main` (set by organisation ruleset 7 of octo) waits for `lint`, but the workflow of `lint` runs only on `pull_request`, never on `merge_group`: every merge group waits for it until the queue's check timeout, and its pull requests are removed from the queue",
        ]
    );

    // A snapshot keeps the queue: offline, the same findings.
    let snap = run(remote("snapshot", &server, &[])).await;
    assert_eq!(snap.code, 0, "{}", snap.stderr);
    let doc: serde_json::Value = serde_json::from_str(&snap.stdout).expect("JSON");
    assert_eq!(doc["merge-queue"], "organisation ruleset 7 of octo");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("protection.json");
    std::fs::write(&file, &snap.stdout).expect("write");
    let offline = common::gatelint(&[
        "check",
        FIXTURE,
        "--protection",
        &file.to_string_lossy(),
        "--forge",
        "github",
        "--format",
        "json",
    ]);
    assert_eq!(offline.code, 1);
    assert_eq!(rows(&offline), rows(&out));

    // The queue dropped live, the snapshot still says it: snapshot-drift; so is a pin that
    // differs (the snapshot edited to pin `build` to app 8).
    let edited = snap.stdout.replace("\"build\": 15368", "\"build\": 8");
    assert_ne!(edited, snap.stdout);
    std::fs::write(&file, &edited).expect("write");
    let without = github(rules_without_queue()).await;
    let drift = run(remote(
        "check",
        &without,
        &["--protection", &file.to_string_lossy(), "--format", "json"],
    ))
    .await;
    let drifts: Vec<String> = messages(&drift)
        .into_iter()
        .filter(|m| m.contains("snapshot"))
        .collect();
    assert_eq!(
        drifts,
        [
            "a merge queue no longer applies to `main` live, and the snapshot says it does",
            "the snapshot pins `build` to app 8, the live protection of `main` to app 15368",
        ],
        "{}",
        drift.stdout
    );
}

/// The near miss: the same rules without a `merge_queue` rule (and no `merge-queue` in
/// gatelint.toml): nothing waits on `merge_group`, so neither a missing trigger nor its
/// branch filter is a finding, and the skipped `e2e` is not said to be merged unrun.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_merge_queue_no_queue_findings() {
    let server = github(rules_without_queue()).await;
    let out = run(remote("check", &server, &["--format", "json"])).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        rows(&out),
        [
            row("required-path-filtered", "api", None),
            row("required-skippable", "e2e", Some("merge_group")),
        ]
    );
    let m = messages(&out);
    assert!(!m[0].contains("merge queue"), "{}", m[0]);
    assert!(!m[1].contains("merge queue"), "{}", m[1]);
    let snap = run(remote("snapshot", &server, &[])).await;
    let doc: serde_json::Value = serde_json::from_str(&snap.stdout).expect("JSON");
    assert_eq!(doc["merge-queue"], serde_json::Value::Null);
}

const SOURCES: &str = "testdata/github-sources";

fn sources_file(name: &str) -> String {
    std::fs::read_to_string(common::repo_root().join(SOURCES).join(name)).expect("the fixture")
}

/// (rule, severity, context) of each finding.
fn judged(out: &common::Output) -> Vec<(String, String, String)> {
    out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["context"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn j(rule: &str, severity: &str, context: &str) -> (String, String, String) {
    (rule.to_owned(), severity.to_owned(), context.to_owned())
}

/// Who may post a required check: classic `checks[].app_id` and rulesets' `integration_id`.
/// `build` is pinned to GitHub Actions in both (silent); `test` (classic, `app_id` null) and
/// `e2e` (ruleset 42, no `integration_id`) accept any source; `lint` is pinned to app 8 while
/// only a workflow job posts it; `cla/signed` is pinned to app 9 and posted by it (no job:
/// silent); `security/scan` (the organisation's ruleset 73) is posted by no job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_post_a_required_check() {
    let server = github_with(
        Some(sources_file("classic.json")),
        sources_file("rules.json"),
    )
    .await;
    let out = run(remote_on("check", SOURCES, &server, &["--format", "json"])).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        judged(&out),
        [
            j("protection-orphaned", "error", "security/scan"),
            j("required-any-source", "warning", "test"),
            j("required-any-source", "warning", "e2e"),
            j("required-wrong-source", "warning", "lint"),
        ]
    );
    // A ruleset's requirement names the ruleset, the organisation's above all.
    assert_eq!(
        messages(&out)[0],
        "protection of `main` requires `security/scan` (organisation ruleset 73 of octo), which no job posts: the merge waits for it forever"
    );
    let mut m = messages(&out)[1..].to_vec();
    m.rotate_right(1);
    assert_eq!(
        m,
        [
            "`lint` is required by classic branch protection from app 8, but the only poster gatelint sees is `lint` in .github/workflows/ci.yml, a GitHub Actions job (app 15368): its check run does not satisfy the requirement, and every pull request waits for app 8 (a warning until `[github] actions-app-id` in gatelint.toml confirms GitHub Actions' app id: 15368 is widely reported, not documented)",
            "`test` is required by classic branch protection with no app pinned: a check run of any GitHub App, or a commit status named `test` that anyone with write access posts, satisfies it, whether or not `test` in .github/workflows/ci.yml ran",
            "`e2e` is required by ruleset 42 of octo/app with no app pinned: a check run of any GitHub App, or a commit status named `e2e` that anyone with write access posts, satisfies it, whether or not `e2e` in .github/workflows/ci.yml ran",
        ]
    );
    // The fix is the exact entry, for the protection type that holds it.
    let helps: Vec<String> = out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| f["help"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        helps[1].contains(r#"write {"context": "test", "app_id": 15368}"#),
        "{}",
        helps[1]
    );
    assert!(
        helps[2].contains(
            r#"in the `required_status_checks` rule of ruleset 42 of octo/app, write {"context": "e2e", "integration_id": 15368}"#
        ),
        "{}",
        helps[2]
    );

    // Confirmed app id: the wrong source is an error.
    let out = run(remote_on(
        "check",
        SOURCES,
        &server,
        &[
            "--format",
            "json",
            "--config",
            "testdata/github-sources/confirmed.toml",
        ],
    ))
    .await;
    assert_eq!(out.code, 1);
    let at = judged(&out)
        .iter()
        .position(|f| f.0 == "required-wrong-source")
        .expect("required-wrong-source");
    assert_eq!(
        judged(&out)[at],
        j("required-wrong-source", "error", "lint"),
        "{}",
        out.stdout
    );
    assert!(!messages(&out)[at].contains("a warning until"));

    // Near misses: checks other apps post, declared in `[external] contexts`, are neither
    // orphaned nor a wrong source; the unpinned ones still accept any source.
    let out = run(remote_on(
        "check",
        SOURCES,
        &server,
        &[
            "--format",
            "json",
            "--config",
            "testdata/github-sources/declared.toml",
        ],
    ))
    .await;
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        judged(&out),
        [
            j("required-any-source", "warning", "test"),
            j("required-any-source", "warning", "e2e"),
        ]
    );

    // A snapshot keeps the pins and where each requirement comes from: offline, the same.
    let snap = run(remote_on("snapshot", SOURCES, &server, &[])).await;
    assert_eq!(snap.code, 0, "{}", snap.stderr);
    let doc: serde_json::Value = serde_json::from_str(&snap.stdout).expect("JSON");
    assert_eq!(
        doc["apps"],
        serde_json::json!({"build": 15368, "cla/signed": 9, "e2e": null, "lint": 8, "security/scan": null, "test": null})
    );
    assert_eq!(
        doc["sources"]["security/scan"],
        serde_json::json!(["organisation ruleset 73 of octo"])
    );
    // `build` is required by both: classic protection and ruleset 42.
    assert_eq!(
        doc["sources"]["build"],
        serde_json::json!(["classic branch protection", "ruleset 42 of octo/app"])
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("protection.json");
    std::fs::write(&file, &snap.stdout).expect("write");
    let offline = common::gatelint(&[
        "check",
        SOURCES,
        "--protection",
        &file.to_string_lossy(),
        "--forge",
        "github",
        "--format",
        "json",
    ]);
    let live = run(remote_on("check", SOURCES, &server, &["--format", "json"])).await;
    // The same findings; offline they point into the file, so they sort by line.
    let (mut a, mut b) = (judged(&offline), judged(&live));
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let (mut a, mut b) = (messages(&offline), messages(&live));
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

/// Every check pinned to GitHub Actions: nothing to say (the near miss of both rules).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_to_github_actions_is_silent() {
    let classic = sources_file("classic.json")
        .replace("\"app_id\": null", "\"app_id\": 15368")
        .replace("\"app_id\": 8", "\"app_id\": 15368");
    let rules = r#"[{"type": "required_status_checks", "ruleset_id": 42,
        "parameters": {"required_status_checks": [{"context": "e2e", "integration_id": 15368}]}}]"#;
    let server = github_with(Some(classic), rules.to_owned()).await;
    let out = run(remote_on("check", SOURCES, &server, &["--format", "json"])).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(judged(&out), []);
}

const RULESETS: &str = "testdata/github-rulesets";

fn rulesets_file(name: &str) -> String {
    std::fs::read_to_string(common::repo_root().join(RULESETS).join(name)).expect("the fixture")
}

/// `rules/branches` (active rules only), the rulesets list and each ruleset by id, and the
/// repository (its default branch, for `~DEFAULT_BRANCH`). `ruleset_42` replaces ruleset
/// 42's body; `list` the list's answer (status, body).
async fn github_rulesets(ruleset_42: String, list: (u16, String)) -> MockServer {
    let server = github(rulesets_file("rules-branches.json")).await;
    let serve = |route: String, status: u16, body: String| {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
    };
    serve(format!("{GH}/rulesets"), list.0, list.1)
        .mount(&server)
        .await;
    for (id, body) in [
        ("9", rulesets_file("ruleset-9.json")),
        ("42", ruleset_42),
        ("7", rulesets_file("ruleset-7.json")),
    ] {
        serve(format!("{GH}/rulesets/{id}"), 200, body)
            .mount(&server)
            .await;
    }
    serve(
        GH.to_owned(),
        200,
        r#"{"full_name": "octo/app", "default_branch": "main"}"#.to_owned(),
    )
    .mount(&server)
    .await;
    server
}

/// Rulesets that do not enforce their checks: ruleset 9 requires `e2e` in evaluate mode
/// (invisible in `rules/branches`, so `e2e` is also not protected), ruleset 42 lets the write
/// role bypass it always. Silent: ruleset 9's `build` (ruleset 42 enforces it), ruleset 7
/// (release branches only), the tag ruleset 11 (never read by id), ruleset 42's admin bypass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rulesets_that_do_not_enforce() {
    let server = github_rulesets(
        rulesets_file("ruleset-42.json"),
        (200, rulesets_file("rulesets.json")),
    )
    .await;
    let out = run(remote_on("check", RULESETS, &server, &["--format", "json"])).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("3 branch rulesets read by id (2 not active)"),
        "{}",
        out.stderr
    );
    assert_eq!(
        judged(&out),
        [
            j("protection-not-enforced", "warning", "e2e"),
            j("protection-not-enforced", "warning", "build"),
            j("required-not-protected", "error", "e2e"),
        ]
    );
    assert_eq!(
        messages(&out)[..2],
        [
            "`e2e` is required only by ruleset 9 of octo/app (\"CI gates\"), which is `evaluate` mode: GitHub records what it would have blocked and blocks no merge",
            "ruleset 42 of octo/app (\"main\") lets repository role 4 (widely reported as the write role; GitHub does not document role ids) bypass it at any time (bypass_mode `always`): anyone with write access can merge without `build`",
        ]
    );
    // The tag ruleset is never read by id.
    let asked: Vec<String> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert!(
        !asked.iter().any(|p| p.ends_with("/rulesets/11")),
        "{asked:?}"
    );
}

/// A bypass in `pull_request` mode still lets the write role merge a pull request without
/// the checks. Near misses: a bypass for the admin role only; a check classic protection
/// requires too (the write role cannot bypass that); a token that may not list rulesets,
/// which is said while the check goes on with the active rules.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rulesets_near_misses() {
    let write_role = r#"{"actor_id": 4, "actor_type": "RepositoryRole", "bypass_mode": "always"}"#;
    let on_pull_requests = rulesets_file("ruleset-42.json").replace(
        write_role,
        r#"{"actor_id": 4, "actor_type": "RepositoryRole", "bypass_mode": "pull_request"}"#,
    );
    let server = github_rulesets(on_pull_requests, (200, rulesets_file("rulesets.json"))).await;
    let out = run(remote_on("check", RULESETS, &server, &["--format", "json"])).await;
    assert_eq!(
        judged(&out),
        [
            j("protection-not-enforced", "warning", "e2e"),
            j("protection-not-enforced", "warning", "build"),
            j("required-not-protected", "error", "e2e"),
        ]
    );
    assert!(
        messages(&out)[1]
            .contains("bypass it when merging a pull request (bypass_mode `pull_request`)"),
        "{}",
        messages(&out)[1]
    );

    let admins_only = rulesets_file("ruleset-42.json").replace(&format!(",\n    {write_role}"), "");
    assert!(!admins_only.contains(r#""actor_id": 4"#), "{admins_only}");
    let server = github_rulesets(admins_only, (200, rulesets_file("rulesets.json"))).await;
    let out = run(remote_on("check", RULESETS, &server, &["--format", "json"])).await;
    assert_eq!(
        judged(&out),
        [
            j("protection-not-enforced", "warning", "e2e"),
            j("required-not-protected", "error", "e2e"),
        ]
    );

    // Classic protection requires `build` too: bypassing the ruleset does not skip it.
    let server = github_rulesets(
        rulesets_file("ruleset-42.json"),
        (200, rulesets_file("rulesets.json")),
    )
    .await;
    let classic = r#"{"required_status_checks": {"strict": false, "contexts": ["build"],
        "checks": [{"context": "build", "app_id": 15368}]}}"#;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/branches/main/protection")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(classic, "application/json"))
        .with_priority(1)
        .mount(&server)
        .await;
    let out = run(remote_on("check", RULESETS, &server, &["--format", "json"])).await;
    assert_eq!(
        judged(&out),
        [
            j("protection-not-enforced", "warning", "e2e"),
            j("required-not-protected", "error", "e2e"),
        ]
    );

    let server = github_rulesets(
        rulesets_file("ruleset-42.json"),
        (
            403,
            r#"{"message": "Resource not accessible by integration"}"#.to_owned(),
        ),
    )
    .await;
    let out = run(remote_on("check", RULESETS, &server, &["--format", "json"])).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("rulesets not listed (HTTP 403: listing them needs admin rights), so rulesets in evaluate or disabled mode are not checked"),
        "{}",
        out.stderr
    );
    assert_eq!(judged(&out), [j("required-not-protected", "error", "e2e")]);
}

/// Renaming a required job: the pull request can never post the old context, and requiring
/// the new one first blocks every other pull request. The finding gives the order that keeps
/// all of them mergeable, with the exact request bodies built from the objects read whole
/// (the classic protection, ruleset 42 by id), and applying a body changes only that context.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_required_job_plans_a_safe_order() {
    let ci = |job: &str| {
        format!(
            "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  {job}:\n    runs-on: ubuntu-latest\n    steps: [{{run: make}}]\n  # bp-required: yes\n  e2e:\n    runs-on: ubuntu-latest\n    steps: [{{run: make e2e}}]\n"
        )
    };
    let repo = renamed_repo(&ci("build"), &ci("compile"), &[]);

    let classic = r#"{"required_status_checks": {"strict": true, "contexts": ["build", "e2e"],
        "checks": [{"context": "build", "app_id": 15368}, {"context": "e2e", "app_id": 15368}]},
        "enforce_admins": {"enabled": false}}"#;
    let server = github_with(
        Some(classic.to_owned()),
        rulesets_file("rules-branches.json"),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/rulesets")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"[{"id": 42, "target": "branch", "enforcement": "active"}]"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/rulesets/42")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(rulesets_file("ruleset-42.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let out = diff_check(repo.path(), &server).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let doc = out.json();
    let renamed = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "gate-renamed"))
        .cloned()
        .expect("gate-renamed");
    let plan = renamed["plan"].as_array().cloned().unwrap_or_default();
    // (step, action, context, request method, request path)
    type Step<'a> = (u64, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let summary: Vec<Step<'_>> = plan
        .iter()
        .map(|s| {
            (
                s["step"].as_u64().unwrap_or(0),
                s["action"].as_str().unwrap_or(""),
                s["context"].as_str().unwrap_or(""),
                s["request"]["method"].as_str(),
                s["request"]["path"].as_str(),
            )
        })
        .collect();
    let classic_path = "/repos/octo/app/branches/main/protection/required_status_checks";
    assert_eq!(
        summary,
        [
            (1, "unrequire", "build", Some("PATCH"), Some(classic_path)),
            (
                2,
                "unrequire",
                "build",
                Some("PUT"),
                Some("/repos/octo/app/rulesets/42")
            ),
            (3, "merge", "", None, None),
            (4, "require", "compile", Some("PATCH"), Some(classic_path)),
            (
                5,
                "require",
                "compile",
                Some("PUT"),
                Some("/repos/octo/app/rulesets/42")
            ),
        ]
    );
    assert_eq!(
        plan[0]["text"],
        "before merging, stop requiring `build` in classic branch protection: this pull request never posts it, so it cannot merge while it is required"
    );
    // Applying each body changes only the one context: every other check, its app pin, and
    // every other field of the ruleset are as read.
    assert_eq!(
        plan[0]["request"]["body"],
        serde_json::json!({"strict": true, "checks": [{"context": "e2e", "app_id": 15368}]})
    );
    assert_eq!(
        plan[3]["request"]["body"],
        serde_json::json!({"strict": true, "checks": [
            {"context": "e2e", "app_id": 15368}, {"context": "compile", "app_id": 15368}]})
    );
    let mut read: serde_json::Value =
        serde_json::from_str(&rulesets_file("ruleset-42.json")).expect("JSON");
    if let Some(o) = read.as_object_mut() {
        for server_set in ["id", "source", "source_type"] {
            o.remove(server_set);
        }
    }
    // Its only check removed, the rule goes (GitHub wants at least one check in it).
    let mut expected = read.clone();
    if let Some(rules) = expected["rules"].as_array_mut() {
        rules.truncate(1);
    }
    assert_eq!(plan[1]["request"]["body"], expected);
    let mut expected = read.clone();
    expected["rules"][1]["parameters"]["required_status_checks"] =
        serde_json::json!([{"context": "compile", "integration_id": 15368}]);
    assert_eq!(plan[4]["request"]["body"], expected);
    // The human help says the same order.
    let help = renamed["help"].as_str().unwrap_or_default();
    assert!(
        help.starts_with("keep the old name, or change protection in this order so no pull request deadlocks: 1. before merging, stop requiring `build` in classic branch protection"),
        "{help}"
    );
    // The whole document is still the documented JSON.
    let errors = common::schema_errors("check.schema.json", &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The same rename checked against a protection file: no body (the file is not the object
/// the API would replace), read-modify-write steps instead.
#[test]
fn renaming_against_a_file_gives_read_modify_write_steps() {
    let ci = |job: &str| {
        format!(
            "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  {job}:\n    runs-on: ubuntu-latest\n    steps: [{{run: make}}]\n"
        )
    };
    let repo = renamed_repo(&ci("build"), &ci("compile"), &[("required.txt", "build\n")]);
    let d = repo.path();
    let root = d.to_string_lossy().into_owned();
    let protection = d.join("required.txt").to_string_lossy().into_owned();
    let out = common::gatelint(&[
        "check",
        &root,
        "--base",
        "HEAD",
        "--protection",
        &protection,
        "--forge",
        "github",
        "--format",
        "json",
    ]);
    let doc = out.json();
    let renamed = doc["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "gate-renamed"))
        .cloned()
        .expect("gate-renamed");
    let plan = renamed["plan"].as_array().cloned().unwrap_or_default();
    assert_eq!(plan.len(), 3, "{plan:?}");
    assert!(plan.iter().all(|s| s.get("request").is_none()), "{plan:?}");
    assert_eq!(
        plan[0]["text"],
        "before merging, stop requiring `build` in branch protection: this pull request never posts it, so it cannot merge while it is required (read GET …/branches/main/protection, change those entries of `required_status_checks`, PATCH …/protection/required_status_checks with every other check and its app kept)"
    );
    assert_eq!(plan[2]["action"], "require");
    assert_eq!(plan[2]["context"], "compile");
}

/// docs/github.md's offline worked examples run as written, and say what gatelint says: each
/// finding quoted after a command (up to a `…`) is in its output.
#[test]
fn the_worked_examples_say_what_gatelint_says() {
    let doc = std::fs::read_to_string(common::repo_root().join("docs/github.md")).expect("doc");
    let blocks: Vec<(&str, &str)> = doc
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|b| b.split_once('\n').unwrap_or((b, "")))
        .collect();
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut ran = 0;
    for (i, (lang, body)) in blocks.iter().enumerate() {
        let command = body.trim();
        if *lang != "sh" || !command.contains("testdata/") {
            continue;
        }
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words[0], "gatelint", "{command}");
        let out = common::gatelint(&words[1..]);
        assert_eq!(out.code, 1, "{command}: {}", out.stderr);
        let shown = squash(&format!("{}{}", out.stdout, out.stderr)).replace(" │ ", " ");
        let quoted = blocks.get(i + 1).map_or("", |b| b.1);
        let mut findings = 0;
        for finding in quoted.split(['×', '⚠']).skip(1) {
            let text = finding.split("\nhelp:").next().unwrap_or_default();
            let text = squash(text.split('…').next().unwrap_or_default());
            assert!(
                shown.contains(&text),
                "{command}: `{text}` not in:\n{shown}"
            );
            findings += 1;
        }
        assert!(findings > 0, "{command}: no quoted finding follows");
        ran += 1;
    }
    assert_eq!(ran, 2, "the offline examples");
    // The README's short examples are docs/github.md's (whose offline ones are checked above,
    // and the live ones by the wiremock tests of this file).
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).expect("README");
    let section = readme
        .split("## GitHub gates in depth")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the README's section");
    let doc = squash(&doc);
    let mut quoted = 0;
    for block in section.split("```").skip(1).step_by(2) {
        for finding in block.split(['×', '⚠']).skip(1) {
            let text = squash(finding.split('…').next().unwrap_or_default());
            assert!(
                doc.contains(&text),
                "README: `{text}` is not in docs/github.md"
            );
            quoted += 1;
        }
    }
    assert_eq!(quoted, 3, "{section}");
}

/// A matrix job renamed: every leg's context changes. One request per object makes all its
/// changes together (bodies built one after another from the same object would undo each
/// other); a check read with `app_id` null is written with -1 (any app), never null. When
/// classic protection could not be read whole (a token without admin falls back to the
/// branch), its step says how to change it instead of leaving it out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_matrix_job_changes_each_object_once() {
    let ci = |job: &str| {
        format!(
            "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  {job}:\n    strategy:\n      matrix:\n        os: [linux, macos]\n    runs-on: ubuntu-latest\n    steps: [{{run: make}}]\n  # bp-exempt: lint\n  other:\n    runs-on: ubuntu-latest\n    steps: [{{run: make}}]\n"
        )
    };
    let repo = renamed_repo(&ci("test"), &ci("check"), &[]);
    let classic = r#"{"required_status_checks": {"strict": false,
        "contexts": ["test (linux)", "test (macos)", "other"],
        "checks": [{"context": "test (linux)", "app_id": 15368},
                   {"context": "test (macos)", "app_id": 15368},
                   {"context": "other", "app_id": null}]}}"#;
    let ruleset = r#"{"id": 42, "name": "main", "target": "branch", "enforcement": "active",
        "source_type": "Repository", "source": "octo/app", "bypass_actors": [],
        "conditions": {"ref_name": {"include": ["~ALL"], "exclude": []}},
        "rules": [{"type": "required_status_checks", "parameters": {
            "required_status_checks": [{"context": "test (linux)"}, {"context": "lint"}]}}]}"#;
    let rules = r#"[{"type": "required_status_checks", "ruleset_source_type": "Repository",
        "ruleset_source": "octo/app", "ruleset_id": 42, "parameters": {
            "required_status_checks": [{"context": "test (linux)"}, {"context": "lint"}]}}]"#;
    // Classic protection read whole.
    let server = MockServer::start().await;
    serve_at(
        &server,
        format!("{GH}/branches/main/protection"),
        200,
        classic,
    )
    .await;
    serve_rulesets(&server, rules, ruleset).await;
    let plan = rename_plan(repo.path(), &server).await;
    let actions = actions_of(&plan);
    assert_eq!(
        actions,
        [
            ("unrequire", "PATCH"),
            ("unrequire", "PUT"),
            ("merge", "-"),
            ("require", "PATCH"),
            ("require", "PUT")
        ],
        "{plan:#?}"
    );
    assert_eq!(
        plan[0]["request"]["body"],
        serde_json::json!({"strict": false, "checks": [{"context": "other", "app_id": -1}]})
    );
    assert_eq!(
        plan[3]["request"]["body"],
        serde_json::json!({"strict": false, "checks": [
            {"context": "other", "app_id": -1},
            {"context": "check (linux)", "app_id": 15368},
            {"context": "check (macos)", "app_id": 15368}]})
    );
    assert_eq!(
        plan[4]["request"]["body"]["rules"][0]["parameters"]["required_status_checks"],
        serde_json::json!([{"context": "lint"}, {"context": "check (linux)"}])
    );
    assert!(
        plan[0]["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("before merging, stop requiring `test (linux)`, `test (macos)` in classic branch protection: this pull request never posts them"),
        "{}",
        plan[0]["text"]
    );

    // A token that may not read classic protection: the branch says what it requires, and the
    // plan still changes it, by the steps to read, change and write it.
    let server = MockServer::start().await;
    serve_at(
        &server,
        format!("{GH}/branches/main/protection"),
        403,
        r#"{"message": "Resource not accessible by integration"}"#,
    )
    .await;
    let branch = format!(r#"{{"name": "main", "protected": true, "protection": {classic}}}"#)
        .replace(
            r#""required_status_checks""#,
            r#""enabled": true, "required_status_checks""#,
        );
    serve_at(&server, format!("{GH}/branches/main"), 200, &branch).await;
    serve_rulesets(&server, rules, ruleset).await;
    let plan = rename_plan(repo.path(), &server).await;
    let actions = actions_of(&plan);
    assert_eq!(
        actions,
        [
            ("unrequire", "-"),
            ("unrequire", "PUT"),
            ("merge", "-"),
            ("require", "-"),
            ("require", "PUT")
        ],
        "{plan:#?}"
    );
    assert!(
        plan[0]["text"].as_str().unwrap_or_default().contains(
            "(read GET …/branches/main/protection, change those entries of `required_status_checks`"
        ),
        "{}",
        plan[0]["text"]
    );
}

async fn serve_at(server: &MockServer, route: String, status: u16, body: &str) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(
            ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
        )
        .mount(server)
        .await;
}

/// Standard base64, as the contents API sends a file.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Issue 15, item 4: with `--remote`, a job that calls another repository's reusable
/// workflow gets its contexts from that workflow, read with the contents API at its ref,
/// anonymously (a pull request chooses what is read: never with the token); one that cannot
/// be read anonymously stays unresolvable, with the reason. Nothing of the file's text is
/// shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reusable_workflows_of_other_repositories() {
    const CALLED: &str = "testdata/github-called";
    let text = std::fs::read_to_string(common::repo_root().join(CALLED).join("shared-build.yml"))
        .expect("fixture");
    let rules = r#"[{"type": "required_status_checks", "ruleset_id": 42,
        "parameters": {"required_status_checks": [
            {"context": "build / Compile", "integration_id": 15368},
            {"context": "build / unit", "integration_id": 15368}]}}]"#;
    let server = github(rules.to_owned()).await;
    let encoded = base64(text.as_bytes());
    // Line breaks every 60 characters, as GitHub sends it.
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let body =
        serde_json::json!({"type": "file", "encoding": "base64", "content": wrapped.join("\n")});
    Mock::given(method("GET"))
        .and(path(
            "/api/v3/repos/octo/shared/contents/.github/workflows/build.yml",
        ))
        .and(wiremock::matchers::query_param("ref", "v1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let out = run(remote_on("report", CALLED, &server, &["--format", "json"])).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        gates[0]["contexts"],
        serde_json::json!(["build / Compile", "build / unit"])
    );
    assert_eq!(gates[0]["verdict"], "ok");
    assert!(
        out.stderr
            .contains("read 1 of 2 reusable workflows of other repositories"),
        "{}",
        out.stderr
    );
    // The private one: unresolvable, with why (the table says it).
    let check = run(remote_on("report", CALLED, &server, &[])).await;
    assert_eq!(check.code, 0, "{}", check.stderr);
    let row = check
        .stdout
        .lines()
        .find(|l| l.contains(" secret "))
        .unwrap_or_default();
    assert!(
        row.contains("(unresolvable: calls `octo/private/.github/workflows/deploy.yml@main` from another repository, which is not readable without a token"),
        "{}",
        check.stdout
    );
    for o in [&out, &check] {
        assert!(!o.stdout.contains("SHARED-MARKER") && !o.stderr.contains("SHARED-MARKER"));
    }
    // Every contents request was anonymous.
    let requests = server.received_requests().await.unwrap_or_default();
    let contents: Vec<_> = requests
        .iter()
        .filter(|r| r.url.path().contains("/contents/"))
        .collect();
    assert_eq!(contents.len(), 4, "two runs, two files each");
    assert!(
        contents
            .iter()
            .all(|r| r.headers.get("authorization").is_none())
    );
    // Offline, the same job is unresolvable: nothing is read without --remote.
    let offline = common::gatelint(&["report", CALLED, "--format", "json"]);
    assert_eq!(offline.json()["gates"][0]["verdict"], "unresolvable");

    // A snapshot keeps what was read (format version 2): offline, the job resolves as live.
    let snap = run(remote_on("snapshot", CALLED, &server, &[])).await;
    assert_eq!(snap.code, 0, "{}", snap.stderr);
    let doc: serde_json::Value = serde_json::from_str(&snap.stdout).expect("JSON");
    assert_eq!(doc["gatelint-snapshot"], 2);
    assert_eq!(
        doc["called"]["octo/shared/.github/workflows/build.yml@v1"]["text"],
        text.as_str()
    );
    assert!(
        doc["called"]["octo/private/.github/workflows/deploy.yml@main"]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("is not readable without a token"))
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("protection.json");
    std::fs::write(&file, &snap.stdout).expect("write");
    let offline = common::gatelint(&[
        "report",
        CALLED,
        "--protection",
        &file.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(
        offline.json()["gates"][0]["contexts"],
        serde_json::json!(["build / Compile", "build / unit"])
    );
    assert_eq!(offline.json()["gates"][0]["verdict"], "ok");
    assert!(!offline.stdout.contains("SHARED-MARKER"));
}

/// `rules/branches`, the rulesets list (ruleset 42) and ruleset 42 by id.
async fn serve_rulesets(server: &MockServer, rules: &str, ruleset: &str) {
    serve_at(server, format!("{GH}/rules/branches/main"), 200, rules).await;
    let list = r#"[{"id": 42, "target": "branch"}]"#;
    serve_at(server, format!("{GH}/rulesets"), 200, list).await;
    serve_at(server, format!("{GH}/rulesets/42"), 200, ruleset).await;
}

/// Each step of a plan as (action, request method or `-`).
fn actions_of(plan: &[serde_json::Value]) -> Vec<(&str, &str)> {
    plan.iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap_or(""),
                s["request"]["method"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

/// Hostile or odd answers for another repository's workflow never break the check: a file
/// larger than 1 MiB, an answer that is not a file, a file that is not a workflow, one that
/// calls further workflows: each leaves the job unresolvable with the reason, and no text of
/// the answer is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_answers_for_other_repositories_workflows() {
    const CALLED: &str = "testdata/github-called";
    let rules = r#"[{"type": "required_status_checks", "ruleset_id": 42,
        "parameters": {"required_status_checks": [{"context": "build / Compile"}]}}]"#;
    let file =
        |text: &str| serde_json::json!({"encoding": "base64", "content": base64(text.as_bytes())});
    let huge = format!("# HOSTILE-MARKER\n{}", "x".repeat((1 << 20) + 1));
    for (answer, reason) in [
        (file(&huge), "is larger than 1048576 bytes: not read"),
        (
            serde_json::json!([{"name": "build.yml", "type": "file"}]),
            "was answered with something other than a file's content",
        ),
        (
            file("# HOSTILE-MARKER\njobs: [\n"),
            "was read but is not a valid workflow",
        ),
        (
            file(
                "# HOSTILE-MARKER\non: workflow_call\njobs:\n  a:\n    uses: octo/deeper/.github/workflows/x.yml@v1\n",
            ),
            "calls reusable workflows itself, which gatelint does not follow across repositories",
        ),
    ] {
        let server = github(rules.to_owned()).await;
        Mock::given(method("GET"))
            .and(path(
                "/api/v3/repos/octo/shared/contents/.github/workflows/build.yml",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .mount(&server)
            .await;
        let out = run(remote_on("report", CALLED, &server, &[])).await;
        assert_eq!(out.code, 0, "{reason}: {}", out.stderr);
        let row = out
            .stdout
            .lines()
            .find(|l| l.contains(" build "))
            .unwrap_or_default();
        assert!(
            row.contains(&format!(
                "(unresolvable: calls `octo/shared/.github/workflows/build.yml@v1` from another repository, which {reason})"
            )),
            "{reason}: {}",
            out.stdout
        );
        assert!(!out.stdout.contains("HOSTILE-MARKER") && !out.stderr.contains("HOSTILE-MARKER"));
    }
}

/// A git repository whose committed `.github/workflows/ci.yml` is `before` (with `extra`
/// files) and whose work tree has `after`: a pull request's change, for `--base HEAD`.
fn renamed_repo(before: &str, after: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("temp dir");
    let d = repo.path();
    let wf = d.join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("ci.yml"), before).expect("write");
    for (file, text) in extra {
        std::fs::write(d.join(file), text).expect("write");
    }
    common::git(d, &["init", "-q", "-b", "main"], None);
    common::git(d, &["add", "-A"], None);
    common::git(d, &["commit", "-q", "-m", "base"], None);
    std::fs::write(wf.join("ci.yml"), after).expect("write");
    repo
}

/// `check --base HEAD --remote` in `dir` against `server`, as JSON, with the token.
async fn diff_check(dir: &std::path::Path, server: &MockServer) -> common::Output {
    let args: Vec<String> = [
        "check",
        ".",
        "--base",
        "HEAD",
        "--remote",
        "--server",
        &server.uri(),
        "--repo",
        "octo/app",
        "--forge",
        "github",
        "--format",
        "json",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        common::run_secret(&dir, &args, &[("GATELINT_TOKEN", TOKEN.to_owned())], TOKEN)
    })
    .await
    .expect("joins")
}

/// The `plan` of the `gate-renamed` finding of [`diff_check`].
async fn rename_plan(dir: &std::path::Path, server: &MockServer) -> Vec<serde_json::Value> {
    diff_check(dir, server).await.json()["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "gate-renamed"))
        .map(|f| f["plan"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default()
}
