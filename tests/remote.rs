//! `--remote` and `snapshot` against local API servers (wiremock) serving the payload shapes
//! of `../shared/api-fixtures/`: each case asserts the exit code and the message.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use serde_json::Value;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "gl-secret-token-5f0c9e2a7b";

use common::Output as Out;

/// Run gatelint (blocking, off the runtime that serves the mock) with a token and trace
/// logging asked for.
async fn run(args: Vec<String>, token: Option<&'static str>) -> Out {
    run_with(args, token, &[]).await
}

/// [`run`] with more environment variables.
async fn run_with(
    args: Vec<String>,
    token: Option<&'static str>,
    env: &'static [(&'static str, &'static str)],
) -> Out {
    let mut vars: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    if let Some(t) = token {
        vars.push(("GATELINT_TOKEN", t.to_owned()));
    }
    run_env(args, vars, TOKEN).await
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn fixture(name: &str) -> Option<String> {
    let p = common::shared(&format!("api-fixtures/{name}"))?;
    std::fs::read_to_string(p).ok()
}

/// Answer GETs of `route` on `server` with `response`.
async fn serve(server: &MockServer, route: String, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

fn json(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

const GH: &str = "/api/v3/repos/octo/app";
const GT: &str = "/api/v1/repos/octo/app";

/// `check --remote` (or another command) on a fixture repository against `server`.
fn remote(cmd: &str, repo: &str, server: &MockServer, extra: &[&str]) -> Vec<String> {
    let mut a = args(&[
        cmd,
        repo,
        "--remote",
        "--server",
        &server.uri(),
        "--repo",
        "octo/app",
        "--format",
        "json",
    ]);
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

async fn github_rules(server: &MockServer, pages: &[&str]) {
    for (i, body) in pages.iter().enumerate() {
        let mut resp = json(200, body);
        if i + 1 < pages.len() {
            let next = format!(
                "<{}{GH}/rules/branches/main?per_page=100&page={}>; rel=\"next\"",
                server.uri(),
                i + 2
            );
            resp = resp.insert_header("link", next.as_str());
        }
        let mock = Mock::given(method("GET")).and(path(format!("{GH}/rules/branches/main")));
        let mock = if i == 0 {
            mock.respond_with(resp).with_priority(5)
        } else {
            mock.and(query_param("page", (i + 1).to_string()))
                .respond_with(resp)
                .with_priority(1)
        };
        mock.mount(server).await;
    }
}

fn findings(out: &Out) -> Vec<(String, Option<String>, Option<String>)> {
    out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["job"].as_str().map(str::to_owned),
                f["context"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_classic_and_rulesets_over_pages() {
    let (Some(classic), Some(rules)) = (
        fixture("github-branch-protection-update.json"),
        fixture("github-rules-branches-required-status-checks.synthetic.json"),
    ) else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/branches/main/protection")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(json(200, &classic))
        .mount(&server)
        .await;
    // The synthetic rules split over two pages.
    let all: Vec<Value> = serde_json::from_str(&rules).unwrap_or_default();
    let first = serde_json::to_string(&all[..1]).unwrap_or_default();
    let rest = serde_json::to_string(&all[1..]).unwrap_or_default();
    github_rules(&server, &[&first, &rest]).await;

    let out = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("protection of octo/app branch `main` read from http://127.0.0.1")
            && out
                .stderr
                .contains("branch protection + rulesets (2 pages, 4 required checks)"),
        "{}",
        out.stderr
    );
    // build, test and ci / lint are required and posted; the other apps' checks are orphans.
    // The ruleset pins `build` to GitHub Actions, not the other two: any source satisfies them.
    assert_eq!(
        findings(&out),
        [
            (
                "protection-orphaned".to_owned(),
                None,
                s("continuous-integration/travis-ci")
            ),
            ("protection-orphaned".to_owned(), None, s("security/scan")),
            (
                "required-any-source".to_owned(),
                None,
                s("test (ubuntu-latest, 20)")
            ),
            ("required-any-source".to_owned(), None, s("ci / lint")),
        ]
    );
    let report = run(
        remote("report", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(report.code, 0);
    let protected: Vec<Value> = report.json()["gates"]
        .as_array()
        .map(|g| g.iter().map(|g| g["protected"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        protected,
        [
            Value::Bool(true),
            Value::Bool(true),
            Value::Bool(true),
            Value::Bool(false)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_unprotected_needs_the_opt_in() {
    let Some(not_protected) = fixture("github-error-branch-not-protected.json") else {
        return;
    };
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GH}/branches/main/protection"),
        json(404, &not_protected),
    )
    .await;
    github_rules(&server, &["[]"]).await;
    let out = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("branch `main` of octo/app on http://127.0.0.1")
            && out.stderr.contains("no branch protection or ruleset requires a status check; there is nothing to check the gates against (pass --allow-unprotected if that is intended)"),
        "{}",
        out.stderr
    );
    let allowed = run(
        remote(
            "check",
            "testdata/remote-github",
            &server,
            &["--allow-unprotected"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(
        allowed.code, 1,
        "the required jobs are not protected: {}",
        allowed.stderr
    );
    assert!(
        allowed
            .stderr
            .contains("no classic branch protection + rulesets (1 pages, 0 required checks)"),
        "{}",
        allowed.stderr
    );
    let rules: Vec<_> = findings(&allowed).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["required-not-protected"; 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_rulesets_only() {
    let (Some(not_protected), Some(rules)) = (
        fixture("github-error-branch-not-protected.json"),
        fixture("github-rules-branches-required-status-checks.synthetic.json"),
    ) else {
        return;
    };
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GH}/branches/main/protection"),
        json(404, &not_protected),
    )
    .await;
    github_rules(&server, &[&rules]).await;
    let out = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1);
    assert_eq!(
        findings(&out),
        [
            ("protection-orphaned".to_owned(), None, s("security/scan")),
            (
                "required-any-source".to_owned(),
                None,
                s("test (ubuntu-latest, 20)")
            ),
            ("required-any-source".to_owned(), None, s("ci / lint")),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_classic_forbidden_falls_back_to_the_branch() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/branches/main/protection")))
        .respond_with(json(
            403,
            r#"{"message": "Resource not accessible by integration"}"#,
        ))
        .mount(&server)
        .await;
    let branch = r#"{"name": "main", "protected": true, "protection": {"enabled": true,
        "required_status_checks": {"enforcement_level": "non_admins",
        "contexts": ["build", "test (ubuntu-latest, 20)", "ci / lint"], "checks": []}}}"#;
    serve(&server, format!("{GH}/branches/main"), json(200, branch)).await;
    github_rules(&server, &["[]"]).await;
    let out = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "branches/main (the token cannot read branch protection: it needs admin rights)"
        ),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_401_says_the_token_was_rejected() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(401, r#"{"message": "Bad credentials"}"#))
        .mount(&server)
        .await;
    let out = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("/api/v3/repos/octo/app/branches/main/protection: HTTP 401: Bad credentials (the token from GATELINT_TOKEN was rejected: it is invalid or expired)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitea_list_with_rule_selection() {
    let Some(list) = fixture("gitea-branch-protections.json") else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GT}/branch_protections")))
        .and(header("authorization", format!("token {TOKEN}").as_str()))
        .respond_with(json(200, &list))
        .mount(&server)
        .await;
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("read from http://127.0.0.1")
            && out.stderr.contains(": branch_protections, rule `main`"),
        "{}",
        out.stderr
    );
    assert_eq!(findings(&out), []);
    // `develop` has status checks off: unprotected.
    let develop = run(
        remote(
            "check",
            "testdata/remote-gitea",
            &server,
            &["--branch", "develop"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(develop.code, 2);
    assert!(
        develop.stderr.contains("`enable_status_check` is false"),
        "{}",
        develop.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgejo_list() {
    let Some(list) = fixture("forgejo-branch-protections.json") else {
        return;
    };
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GT}/branch_protections"),
        json(200, &list),
    )
    .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-gitea",
            &server,
            &["--forge", "forgejo"],
        ),
        Some(TOKEN),
    )
    .await;
    // Forgejo names the unnamed workflow's context `/ lint (pull_request)`, so the list's
    // `lint.yml / lint (pull_request)` is orphaned and `lint` unprotected.
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        findings(&out),
        [
            (
                "required-not-protected".to_owned(),
                s("lint"),
                s("/ lint (pull_request)")
            ),
            (
                "protection-orphaned".to_owned(),
                None,
                s("lint.yml / lint (pull_request)")
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitea_403_without_admin_falls_back_to_the_branch() {
    let Some(branch) = fixture("gitea-branch.json") else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GT}/branch_protections")))
        .respond_with(json(
            403,
            r#"{"message": "token does not have at least one of required scope(s)"}"#,
        ))
        .mount(&server)
        .await;
    serve(&server, format!("{GT}/branches/main"), json(200, &branch)).await;
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("branches/main (the token cannot list branch_protections: that needs a repository admin)"), "{}", out.stderr);

    let denied = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(403, r#"{"message": "forbidden"}"#))
        .mount(&denied)
        .await;
    let out = run(
        remote("check", "testdata/remote-gitea", &denied, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("/api/v1/repos/octo/app/branches/main: HTTP 403: forbidden (the token from GATELINT_TOKEN lacks permission: read access to the repository (scope read:repository))"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_then_success_is_retried() {
    let Some(list) = fixture("gitea-branch-protections.json") else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GT}/branch_protections")))
        .respond_with(json(500, r#"{"message": "internal error"}"#))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GT}/branch_protections")))
        .respond_with(json(200, &list))
        .with_priority(2)
        .mount(&server)
        .await;
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 3);

    // Still failing after the retries: the server's message, exit 2.
    let broken = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(502, r#"{"message": "bad gateway"}"#))
        .mount(&broken)
        .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-gitea",
            &broken,
            &["--retries", "1"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("HTTP 502: bad gateway (the server failed)"),
        "{}",
        out.stderr
    );
    assert_eq!(broken.received_requests().await.map_or(0, |r| r.len()), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits() {
    let (Some(classic), Some(rules)) = (
        fixture("github-branch-protection.json"),
        fixture("github-rules-branches.json"),
    ) else {
        return;
    };
    // 429 with retry-after: waited, then served.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/branches/main/protection")))
        .respond_with(json(429, r#"{"message": "slow down"}"#).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/branches/main/protection")))
        .respond_with(json(200, &classic))
        .with_priority(2)
        .mount(&server)
        .await;
    github_rules(&server, &[&rules]).await;
    let out = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1, "travis-ci is orphaned: {}", out.stderr);
    // The 429, the protection, the rules, and the rulesets list (not served: 404, said).
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), 4);

    // Exhausted for an hour: more than --max-wait, so a clear error at once.
    let limited = MockServer::start().await;
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600;
    Mock::given(method("GET"))
        .respond_with(
            json(403, r#"{"message": "API rate limit exceeded"}"#)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .mount(&limited)
        .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-github",
            &limited,
            &["--max-wait", "5"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("rate limited (HTTP 403): the server asks to wait 3"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("more than the 5 s allowed (--max-wait)"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, "[]").set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-gitea",
            &server,
            &["--timeout", "1", "--retries", "0"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("/api/v1/repos/octo/app/branch_protections timed out after 1 s (1 attempts)"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_json_and_wrong_forge_shapes() {
    let Some(classic) = fixture("github-branch-protection.json") else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, "{\"rule_name\": "))
        .mount(&server)
        .await;
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("/api/v1/repos/octo/app/branch_protections:1:14: invalid JSON"),
        "{}",
        out.stderr
    );

    // A GitHub payload from a server asked as Gitea.
    let wrong = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, &classic))
        .mount(&wrong)
        .await;
    let out = run(
        remote("check", "testdata/remote-gitea", &wrong, &[]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("the server answered with a GitHub branch protection payload, not gitea's: is --forge right?"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_repository_and_bad_server() {
    let out = run(
        args(&[
            "check",
            "testdata/remote-gitea",
            "--remote",
            "--server",
            "http://127.0.0.1:9",
        ]),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "--remote needs the repository: give --repo OWNER/NAME (or set GITHUB_REPOSITORY)"
        ),
        "{}",
        out.stderr
    );
    let out = run(
        args(&[
            "check",
            "testdata/remote-gitea",
            "--remote",
            "--server",
            "ftp://x",
            "--repo",
            "a/b",
        ]),
        None,
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--server must be an http(s) URL"),
        "{}",
        out.stderr
    );
    // Nothing listens on port 9: a connection error, retried, then exit 2.
    let out = run(
        args(&[
            "check",
            "testdata/remote-gitea",
            "--remote",
            "--server",
            "http://127.0.0.1:9",
            "--repo",
            "a/b",
            "--retries",
            "1",
        ]),
        None,
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "GET http://127.0.0.1:9/api/v1/repos/a/b/branch_protections failed after 2 attempts"
        ),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_then_offline_check_matches_remote_check() {
    let (Some(classic), Some(rules)) = (
        fixture("github-branch-protection-update.json"),
        fixture("github-rules-branches-required-status-checks.synthetic.json"),
    ) else {
        return;
    };
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GH}/branches/main/protection"),
        json(200, &classic),
    )
    .await;
    github_rules(&server, &[&rules]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir
        .path()
        .join("protection.json")
        .to_string_lossy()
        .into_owned();

    let mut snap_args = args(&[
        "snapshot",
        "testdata/remote-github",
        "--remote",
        "--server",
        &server.uri(),
        "--repo",
        "octo/app",
        "-o",
        &snap,
    ]);
    snap_args.push("--quiet".to_owned());
    let out = run(snap_args, Some(TOKEN)).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(&snap).unwrap_or_default();
    assert!(!written.contains(TOKEN));
    let doc: Value = serde_json::from_str(&written).unwrap_or_default();
    assert_eq!(doc["gatelint-snapshot"], 2);
    assert_eq!(doc["forge"], "github");
    assert_eq!(doc["repository"], "octo/app");
    assert_eq!(doc["branch"], "main");
    assert_eq!(doc["matching"], "exact");
    assert_eq!(
        doc["required"],
        serde_json::json!([
            "build",
            "ci / lint",
            "continuous-integration/travis-ci",
            "security/scan",
            "test (ubuntu-latest, 20)"
        ])
    );

    let live = run(
        remote("check", "testdata/remote-github", &server, &[]),
        Some(TOKEN),
    )
    .await;
    let offline = run(
        args(&[
            "check",
            "testdata/remote-github",
            "--protection",
            &snap,
            "--format",
            "json",
        ]),
        None,
    )
    .await;
    assert_eq!((live.code, offline.code), (1, 1));
    // The same findings; offline they point into the snapshot, so they sort by its lines.
    let (mut a, mut b) = (findings(&live), findings(&offline));
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // Remote and the same snapshot: no drift.
    let both = run(
        remote(
            "check",
            "testdata/remote-github",
            &server,
            &["--protection", &snap],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(findings(&both), findings(&live));

    // A snapshot that lost one context and gained another: drift both ways.
    let edited = written.replace("\"security/scan\"", "\"old-check\"");
    std::fs::write(&snap, edited).expect("write");
    let drift = run(
        remote(
            "check",
            "testdata/remote-github",
            &server,
            &["--protection", &snap],
        ),
        Some(TOKEN),
    )
    .await;
    let drifts: Vec<_> = findings(&drift)
        .into_iter()
        .filter(|f| f.0 == "snapshot-drift")
        .map(|f| f.2)
        .collect();
    assert_eq!(drifts, [s("security/scan"), s("old-check")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_needs_remote() {
    let out = run(args(&["snapshot", "testdata/remote-github"]), None).await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("`gatelint snapshot` reads live protection: add --remote"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_of_a_ci_runner() {
    let Some(list) = fixture("gitea-branch-protections.json") else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{GT}/branch_protections")))
        .and(header("authorization", format!("token {TOKEN}").as_str()))
        .respond_with(json(200, &list))
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::cargo_bin("gatelint").expect("binary");
        cmd.current_dir(common::repo_root());
        common::clear_ci_env(&mut cmd);
        cmd.args([
            "check",
            "testdata/remote-gitea",
            "--remote",
            "--format",
            "json",
        ])
        .env("GITEA_ACTIONS", "true")
        .env("GITHUB_SERVER_URL", &uri)
        .env("GITHUB_REPOSITORY", "octo/app")
        .env("GITHUB_BASE_REF", "main")
        .env("GITEA_TOKEN", TOKEN)
        .env("RUST_LOG", "trace")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs")
    })
    .await
    .expect("joins");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("protection of octo/app branch `main` read from http://127.0.0.1"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN) && !String::from_utf8_lossy(&out.stdout).contains(TOKEN));
}

/// Run gatelint with `vars` set (and the CI environment cleared); `secret` appears nowhere in
/// what it printed, and it did not panic.
/// `gatelint ARGS` with the canary as GATELINT_TOKEN, asserted never shown.
async fn run_canary(args: Vec<String>) -> Out {
    run_env(args, vec![("GATELINT_TOKEN", CANARY.to_owned())], CANARY).await
}

async fn run_env(
    args: Vec<String>,
    vars: Vec<(&'static str, String)>,
    secret: &'static str,
) -> Out {
    tokio::task::spawn_blocking(move || {
        common::run_secret(&common::repo_root(), &args, &vars, secret)
    })
    .await
    .expect("joins")
}

const CANARY: &str = "canary-token-9f3e";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_cannot_be_a_header_is_refused_unshown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    let cases: [(&str, &str, String, &str); 6] = [
        (
            "github",
            "GATELINT_TOKEN",
            format!("{CANARY}\n"),
            "a line break at its end: it was probably read from a file with its final newline",
        ),
        (
            "github",
            "GITHUB_TOKEN",
            format!("{CANARY}\r\n"),
            "a line break at its end",
        ),
        (
            "github",
            "GATELINT_TOKEN",
            format!("canary\x1b[2J{CANARY}"),
            "a control character (character 7)",
        ),
        (
            "gitea",
            "GITEA_TOKEN",
            format!("{CANARY}\nX-Injected: 1"),
            "a line break (character 18)",
        ),
        (
            "gitea",
            "GATELINT_TOKEN",
            format!(" {CANARY}"),
            "whitespace at its start",
        ),
        (
            "forgejo",
            "GITHUB_TOKEN",
            format!("{CANARY}é"),
            "a non-ASCII character",
        ),
    ];
    for (forge, var, value, says) in cases {
        let repo = if forge == "github" {
            "testdata/remote-github"
        } else {
            "testdata/remote-gitea"
        };
        let out = run_env(
            remote("check", repo, &server, &["--forge", forge]),
            vec![(var, value.clone())],
            CANARY,
        )
        .await;
        assert_eq!(out.code, 2, "{var}={value:?}: {}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("the token in {var} contains {says}")),
            "{var}={value:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("(the token is not shown)"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("canary"), "{}", out.stderr);
    }
    // Refused before any request is sent.
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_over_the_size_cap_is_refused() {
    let server = MockServer::start().await;
    // 40 MiB of valid JSON: a list of one long context.
    let huge = format!("{{\"contexts\": [\"{}\"]}}", "x".repeat(40 * 1024 * 1024));
    serve(
        &server,
        format!("{GH}/branches/main/protection"),
        json(200, &huge),
    )
    .await;
    drop(huge);
    let out = run_canary(remote("check", "testdata/remote-github", &server, &[])).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "/api/v3/repos/octo/app/branches/main/protection: the answer is larger than the 32 MiB cap on API answers (Content-Length: 41943058 bytes)"
        ),
        "{}",
        out.stderr
    );
    // Not retried.
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

/// A server that answers one request with a chunked body of `mib` MiB and no
/// `Content-Length`; its address.
fn chunked_server(mib: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        let mut request = [0u8; 4096];
        let _ = conn.read(&mut request);
        let _ = conn.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        );
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..mib {
            if conn
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .is_err()
                || conn.write_all(&chunk).is_err()
                || conn.write_all(b"\r\n").is_err()
            {
                return;
            }
        }
        let _ = conn.write_all(b"2\r\n{}\r\n0\r\n\r\n");
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_answer_over_the_size_cap_is_refused() {
    let uri = chunked_server(33);
    let a = args(&[
        "check",
        "testdata/remote-github",
        "--remote",
        "--server",
        &uri,
        "--repo",
        "octo/app",
        "--retries",
        "0",
    ]);
    let out = run_canary(a).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "the answer is larger than the 32 MiB cap on API answers (more than 33554432 bytes sent)"
        ),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_page_on_another_origin_is_not_followed() {
    let Some(rules) = fixture("github-rules-branches-required-status-checks.synthetic.json") else {
        return;
    };
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GH}/branches/main/protection"),
        json(404, r#"{"message": "Branch not protected"}"#),
    )
    .await;
    let port = server.address().port();
    let elsewhere = [
        format!("http://127.0.0.2:{port}"),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        format!("http://evil.example:{port}"),
        format!("http://user@127.0.0.1:{port}"),
    ];
    for origin in elsewhere {
        let server = MockServer::start().await;
        serve(
            &server,
            format!("{GH}/branches/main/protection"),
            json(404, r#"{"message": "Branch not protected"}"#),
        )
        .await;
        let next = format!("<{origin}{GH}/rules/branches/main?page=2>; rel=\"next\"");
        serve(
            &server,
            format!("{GH}/rules/branches/main"),
            json(200, &rules).insert_header("link", next.as_str()),
        )
        .await;
        let out = run_canary(remote("check", "testdata/remote-github", &server, &[])).await;
        assert_eq!(out.code, 2, "{origin}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!(
                "the next page of rulesets is at `{origin}{GH}/rules/branches/main?page=2`, not on the API's own scheme, host and port ({}/api/v3): refusing to follow it",
                server.uri()
            )),
            "{}",
            out.stderr
        );
        assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_messages_are_shown_escaped_and_cut() {
    let server = MockServer::start().await;
    let message = format!(
        "Bad\u{1b}[31m credentials\r\nerror: all gates pass\u{202e}txt.exe{}",
        "x".repeat(5000)
    );
    let body = serde_json::json!({ "message": message }).to_string();
    Mock::given(method("GET"))
        .respond_with(json(401, &body))
        .mount(&server)
        .await;
    let out = run_canary(remote("check", "testdata/remote-github", &server, &[])).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "HTTP 401: Bad\\u{1b}[31m credentials\\r\\nerror: all gates pass\\u{202e}txt.exexxx"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("xxx… (the token from GATELINT_TOKEN was rejected"),
        "{}",
        out.stderr
    );
    for raw in ['\u{1b}', '\r', '\u{202e}'] {
        assert!(!out.stderr.contains(raw), "{raw:?} in {}", out.stderr);
    }
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.len() < 600, "{}", out.stderr.len());
}

const HEAD_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// Protection requiring the fixture's three contexts, and the statuses on the head commit.
async fn gitea_head(server: &MockServer, statuses: serde_json::Value) {
    serve(
        server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "branch_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / build (pull_request)",
                     "CI / test (ubuntu-latest, 1.22) (pull_request)", "/ lint (pull_request)"]}]"#,
        ),
    )
    .await;
    serve(
        server,
        format!("{GT}/commits/{HEAD_SHA}/statuses"),
        ResponseTemplate::new(200).set_body_json(statuses),
    )
    .await;
}

/// Issue 12, item 1: the contexts this pull request should post against the statuses on its
/// head. `CI / build` is required and missing (error); a typo'd context from the forge is
/// unpredicted (warning, with the nearest predicted); the rest are posted. Two requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_posted_vs_predicted() {
    let server = MockServer::start().await;
    gitea_head(
        &server,
        serde_json::json!([
            {"id": 1, "context": "CI / test (ubuntu-latest, 1.22) (pull_request)", "status": "success"},
            {"id": 2, "context": "/ lint (pull_request)", "status": "success"},
            {"id": 3, "context": "CI / biuld (pull_request)", "status": "failure"},
            {"id": 4, "context": "license/cla", "status": "success"},
        ]),
    )
    .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-gitea",
            &server,
            &[
                "--forge-version",
                "1.26",
                "--head",
                HEAD_SHA,
                "--settle",
                "0",
            ],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        findings(&out),
        [
            (
                "context-unpredicted".to_owned(),
                None,
                s("CI / biuld (pull_request)")
            ),
            (
                "context-not-posted".to_owned(),
                s("build"),
                s("CI / build (pull_request)")
            ),
        ]
    );
    let doc = out.json();
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["message"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        messages,
        [
            format!(
                "the forge posted `CI / biuld (pull_request)` (failure) on {HEAD_SHA}, which no job gatelint read posts; the nearest predicted is `CI / build (pull_request)`"
            ),
            format!(
                "`build` should post `CI / build (pull_request)` on this pull request, but the forge has no such status on its head {HEAD_SHA}: protection requires it, so the merge waits for it"
            ),
        ]
    );
    assert_eq!(doc["findings"][1]["severity"], "error");
    assert!(
        out.stderr
            .contains(&format!("read the statuses of {HEAD_SHA} in 1 requests")),
        "{}",
        out.stderr
    );
}

/// A run still pending after `--settle` is exit 2 (fail closed), or with `--allow-unsettled`
/// a warning before the findings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_that_do_not_settle() {
    let server = MockServer::start().await;
    gitea_head(
        &server,
        serde_json::json!([
            {"id": 1, "context": "CI / build (pull_request)", "status": "pending"},
            {"id": 2, "context": "CI / test (ubuntu-latest, 1.22) (pull_request)", "status": "success"},
            {"id": 3, "context": "/ lint (pull_request)", "status": "success"},
        ]),
    )
    .await;
    let base = [
        "--forge-version",
        "1.26",
        "--head",
        HEAD_SHA,
        "--settle",
        "0",
    ];
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &base),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("did not settle in 0 s: 1 still pending (`CI / build (pull_request)`)"),
        "{}",
        out.stderr
    );
    let mut allow = base.to_vec();
    allow.push("--allow-unsettled");
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &allow),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        findings(&out),
        [("context-not-posted".to_owned(), None, None)]
    );
    // A run that never settles: read again every --poll until --settle is spent, then exit 2.
    let polled = [
        "--forge-version",
        "1.26",
        "--head",
        HEAD_SHA,
        "--settle",
        "2",
        "--poll",
        "1",
    ];
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &polled),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("did not settle in 2 s"),
        "{}",
        out.stderr
    );
    let reads = server.received_requests().await.map_or(0, |r| {
        r.iter()
            .filter(|r| r.url.path().ends_with("/statuses"))
            .count()
    });
    assert!(
        (2..=4).contains(&(reads - 2)),
        "{reads} reads of the statuses in all, 2 before this run"
    );
    // Not a commit id: refused before any request.
    let bad = ["--head", "../../x"];
    let out = run(
        remote("check", "testdata/remote-gitea", &server, &bad),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not a commit id"), "{}", out.stderr);
}

/// The job gatelint runs in posts `pending` until gatelint ends: in a runner (`GITHUB_JOB`,
/// `GITHUB_WORKFLOW`) its own context is neither awaited nor reported; and `--head` alone
/// reads the head from the event payload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_skip_the_running_job_and_read_the_event() {
    let server = MockServer::start().await;
    gitea_head(
        &server,
        serde_json::json!([
            {"id": 1, "context": "CI / build (pull_request)", "status": "pending"},
            {"id": 2, "context": "CI / test (ubuntu-latest, 1.22) (pull_request)", "status": "success"},
            {"id": 3, "context": "/ lint (pull_request)", "status": "success"},
        ]),
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"pull_request": {{"head": {{"sha": "{HEAD_SHA}"}}}}}}"#),
    )
    .expect("write");
    let event: &'static str = Box::leak(event.to_string_lossy().into_owned().into_boxed_str());
    let env: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        ("GITHUB_JOB", "build"),
        ("GITHUB_WORKFLOW", "CI"),
        ("GITHUB_EVENT_PATH", event),
    ]));
    let out = run_with(
        remote(
            "check",
            "testdata/remote-gitea",
            &server,
            &["--forge-version", "1.26", "--head", "--settle", "0"],
        ),
        Some(TOKEN),
        env,
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(findings(&out), []);
    assert!(
        out.stderr
            .contains(&format!("read the statuses of {HEAD_SHA}")),
        "{}",
        out.stderr
    );
}

/// Run `git` in `dir` (a fixed identity, no signing).
fn git(dir: &std::path::Path, args: &[&str]) {
    common::git(dir, args, None);
}

/// Write `files` under `dir` (an empty text deletes the file).
fn write_files(dir: &std::path::Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let p = dir.join(p);
        if text.is_empty() {
            let _ = std::fs::remove_file(&p);
            continue;
        }
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
}

const LANES_CI_BASE: &str = "name: CI
on: pull_request
jobs:
  # bp-required: yes
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  # bp-exempt: slow
  e2e:
    runs-on: ubuntu-latest
    steps: [{run: make e2e}]
  # bp-exempt: style
  lint:
    runs-on: ubuntu-latest
    steps: [{run: make lint}]
";

/// Only when docs change; never for a change to `docs/draft/`.
const LANES_DOCS: &str = "name: Docs
on:
  pull_request:
    paths: ['docs/**', '!docs/draft/**']
jobs:
  # bp-exempt: docs
  check:
    runs-on: ubuntu-latest
    steps: [{run: make docs}]
";

/// Skipped when only markdown changes.
const LANES_CODE: &str = "name: Code
on:
  pull_request:
    paths-ignore: ['**.md']
jobs:
  # bp-exempt: tests
  unit:
    runs-on: ubuntu-latest
    steps: [{run: make test}]
";

const LANES_CONFIG: &str = "forge = \"gitea\"
forge-version = \"1.26\"

[[observed.lane-waiver]]
context = \"CI / lint\"
pr = 7
reason = \"lint moved into build\"

[[observed.lane-waiver]]
context = \"CI / e2e (pull_request)\"
pr = 8
reason = \"another pull request's waiver: inert here\"

[[observed.lane-waiver]]
context = \"CI / nope\"
pr = 7
reason = \"matches nothing\"
";

/// A git repository whose `main` has CI (build, e2e, lint), Docs (`paths`) and Code
/// (`paths-ignore`), and a branch `pr` that removes `e2e` and `lint` and changes `changed`.
fn lanes_repo(changed: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write_files(
        d,
        &[
            (".gitea/workflows/ci.yml", LANES_CI_BASE),
            (".gitea/workflows/docs.yml", LANES_DOCS),
            (".gitea/workflows/code.yml", LANES_CODE),
            ("gatelint.toml", LANES_CONFIG),
            ("README.md", "x\n"),
        ],
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "pr"]);
    let head_ci = LANES_CI_BASE
        .split("  # bp-exempt: slow")
        .next()
        .unwrap_or_default();
    let mut files = vec![(".gitea/workflows/ci.yml", head_ci)];
    files.extend_from_slice(changed);
    write_files(d, &files);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "head"]);
    dir
}

/// Issue 12, item 1: predictions read the change's paths (`paths` with a negation,
/// `paths-ignore`), and `lane-removed` compares with the merge base, with waivers from the
/// base's gatelint.toml scoped to a pull request. One request per run (one page of statuses).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_lanes_removed_and_changed_paths() {
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / build (pull_request)"]}]"#,
        ),
    )
    .await;
    serve(
        &server,
        format!("{GT}/commits/{HEAD_SHA}/statuses"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"id": 1, "context": "CI / build (pull_request)", "status": "success"},
            {"id": 2, "context": "Code / unit (pull_request)", "status": "success"},
        ])),
    )
    .await;
    let lanes = |out: &Out| -> Vec<(String, Option<String>, Option<String>)> {
        findings(out)
            .into_iter()
            .filter(|f| {
                ["lane-removed", "context-not-posted", "context-unpredicted"]
                    .contains(&f.0.as_str())
            })
            .collect()
    };
    let check = |dir: &std::path::Path, extra: &[&str]| {
        let mut a = remote("check", &dir.to_string_lossy(), &server, &[]);
        a.extend(
            ["--base", "main", "--head", HEAD_SHA, "--settle", "0"]
                .iter()
                .chain(extra)
                .map(|s| (*s).to_owned()),
        );
        a
    };

    // Docs changed: Docs / check is predicted and not posted (a warning: not required);
    // e2e's lane is removed (its waiver names pull request 8), lint's is waived for 7, and
    // the waiver `CI / nope` for 7 matches nothing.
    let repo = lanes_repo(&[("docs/guide.md", "new\n"), ("src/lib.rs", "fn f() {}\n")]);
    let out = run(check(repo.path(), &["--pr", "7"]), Some(TOKEN)).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    // CI / build, Docs / check and Code / unit.
    assert!(
        out.stderr
            .contains("3 contexts predicted for this pull request"),
        "{}",
        out.stderr
    );
    assert_eq!(
        lanes(&out),
        [
            (
                "lane-removed".to_owned(),
                s("e2e"),
                s("CI / e2e (pull_request)")
            ),
            (
                "context-not-posted".to_owned(),
                s("check"),
                s("Docs / check (pull_request)")
            ),
            ("lane-removed".to_owned(), None, None),
        ]
    );
    let doc = out.json();
    let removed: Vec<&Value> = doc["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule"] == "lane-removed").collect())
        .unwrap_or_default();
    assert_eq!(removed[1]["file"], "gatelint.toml@main");
    assert_eq!(removed[1]["line"], 14);
    assert_eq!(
        removed[1]["message"],
        "the lane waiver for `CI / nope` (pull request #7) matches no lane this pull request removes: the context is misspelt or the waiver is stale"
    );
    let message = removed[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "this pull request removes the lane `CI / e2e (pull_request)`: at the merge base "
        ),
        "{message}"
    );
    assert!(
        message.ends_with(" `.gitea/workflows/ci.yml` job `e2e` posts it for these changes, at the head no job does (a workflow or job removed or renamed, or its trigger narrowed)"),
        "{message}"
    );

    // Markdown under docs/draft (and ci.yml): Docs is not predicted (negated); without a
    // pull-request number no waiver applies: both lanes removed.
    let repo = lanes_repo(&[("docs/draft/idea.md", "new\n")]);
    let out = run(check(repo.path(), &[]), Some(TOKEN)).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    // CI / build, and Code / unit: the change edits ci.yml too (Docs: only its negated
    // folder changed).
    assert!(
        out.stderr
            .contains("2 contexts predicted for this pull request"),
        "{}",
        out.stderr
    );
    assert_eq!(
        lanes(&out),
        [
            (
                "lane-removed".to_owned(),
                s("e2e"),
                s("CI / e2e (pull_request)")
            ),
            (
                "lane-removed".to_owned(),
                s("lint"),
                s("CI / lint (pull_request)")
            ),
        ]
    );

    // `[rules] lane-removed = "off"` in the base config silences them; the statuses are read
    // all the same.
    let repo = lanes_repo(&[("docs/draft/idea.md", "new\n")]);
    let config = format!("{LANES_CONFIG}\n[rules]\nlane-removed = \"off\"\n");
    git(repo.path(), &["checkout", "-q", "main"]);
    write_files(repo.path(), &[("gatelint.toml", &config)]);
    git(repo.path(), &["commit", "-q", "-am", "off"]);
    git(repo.path(), &["checkout", "-q", "pr"]);
    let out = run(check(repo.path(), &[]), Some(TOKEN)).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(lanes(&out), []);
    assert!(out.stderr.contains("in 1 requests"), "{}", out.stderr);
}

/// GitHub protection requiring the three contexts of testdata/remote-github (classic, no
/// rulesets), and the check runs of the head on two pages.
async fn github_head(server: &MockServer, page1: Value, page2: Value) {
    serve(
        server,
        format!("{GH}/branches/main/protection"),
        json(
            200,
            r#"{"required_status_checks": {"strict": true,
                 "contexts": ["build", "test (ubuntu-latest, 20)", "ci / lint"]}}"#,
        ),
    )
    .await;
    serve(server, format!("{GH}/rules/branches/main"), json(200, "[]")).await;
    let runs = format!("{GH}/commits/{HEAD_SHA}/check-runs");
    let next = format!(
        "<{}{runs}?per_page=100&filter=latest&page=2>; rel=\"next\"",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path(runs.clone()))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page2))
        .with_priority(1)
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(runs))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page1)
                .insert_header("link", next.as_str()),
        )
        .with_priority(5)
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/commits/{HEAD_SHA}/status")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "state": "success",
            "statuses": [{"context": "security/scan", "state": "success"}]
        })))
        .expect(1)
        .mount(server)
        .await;
}

fn check_run(name: &str, status: &str, conclusion: Option<&str>, app: &str) -> Value {
    serde_json::json!({
        "id": name.len(), "name": name, "status": status, "conclusion": conclusion,
        "html_url": format!("https://github.com/octo/app/runs/{}", name.len()),
        "app": {"slug": app}
    })
}

/// Issue 12 on GitHub: check runs over two pages and the combined status, each page read once
/// (three requests). `ci / lint` (a called workflow's job) is required and never posted
/// (error); `buld` from GitHub Actions is unpredicted (nearest `build`); another app's check
/// runs and a commit status are not this repository's workflows (silent); `test` still
/// queued counts as posted, and with `--allow-unsettled` is a warning rather than exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_on_github() {
    let server = MockServer::start().await;
    github_head(
        &server,
        serde_json::json!({"total_count": 4, "check_runs": [
            check_run("build", "completed", Some("success"), "github-actions"),
            check_run("test (ubuntu-latest, 20)", "queued", None, "github-actions"),
        ]}),
        serde_json::json!({"total_count": 4, "check_runs": [
            check_run("buld", "completed", Some("failure"), "github-actions"),
            check_run("codecov/patch", "completed", Some("success"), "codecov"),
        ]}),
    )
    .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-github",
            &server,
            &["--head", HEAD_SHA, "--settle", "0", "--allow-unsettled"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        findings(&out),
        [
            ("context-not-posted".to_owned(), None, None),
            ("context-unpredicted".to_owned(), None, s("buld")),
            ("context-not-posted".to_owned(), s("ci"), s("ci / lint")),
        ]
    );
    let doc = out.json();
    assert_eq!(
        doc["findings"][0]["message"],
        format!(
            "the statuses of {HEAD_SHA} did not settle in 0 s: 1 still pending (`test (ubuntu-latest, 20)`)"
        )
    );
    assert_eq!(doc["findings"][0]["severity"], "warning");
    assert_eq!(
        doc["findings"][1]["message"],
        format!(
            "the forge posted `buld` (failure) on {HEAD_SHA}, which no job gatelint read posts; the nearest predicted is `build`"
        )
    );
    assert_eq!(doc["findings"][2]["severity"], "error");
    assert!(
        out.stderr
            .contains(&format!("read the statuses of {HEAD_SHA} in 3 requests")),
        "{}",
        out.stderr
    );
}

/// The near miss on GitHub: everything predicted is posted and settled (a called workflow's
/// job skipped, a test failed: posted all the same); another app's run in progress is not
/// awaited: no finding, exit 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_on_github_all_posted() {
    let server = MockServer::start().await;
    github_head(
        &server,
        serde_json::json!({"total_count": 4, "check_runs": [
            check_run("build", "completed", Some("success"), "github-actions"),
            check_run("test (ubuntu-latest, 20)", "completed", Some("failure"), "github-actions"),
        ]}),
        serde_json::json!({"total_count": 4, "check_runs": [
            check_run("ci / lint", "completed", Some("skipped"), "github-actions"),
            check_run("codecov/patch", "in_progress", None, "codecov"),
        ]}),
    )
    .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-github",
            &server,
            &["--head", HEAD_SHA, "--settle", "0"],
        ),
        Some(TOKEN),
    )
    .await;
    // Another app's run still in progress is not awaited (nothing requires it).
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(findings(&out), []);
}

/// Forgejo: the unnamed workflow's job posts `/ lint (pull_request)`; a status named as
/// Gitea 1.27 would (`lint.yml / lint`) is unpredicted, and the required `/ lint` is not
/// posted. Statuses on two pages (Gitea's `Link` header), the latest per context kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_on_forgejo_over_pages() {
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / build (pull_request)", "/ lint (pull_request)",
                     "CI / test (ubuntu-latest, 1.22) (pull_request)"]}]"#,
        ),
    )
    .await;
    let route = format!("{GT}/commits/{HEAD_SHA}/statuses");
    let next = format!("<{}{route}?limit=50&page=2>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path(route.clone()))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"id": 1, "context": "CI / build (pull_request)", "status": "failure"},
            {"id": 3, "context": "lint.yml / lint (pull_request)", "status": "success"},
        ])))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!([
                    {"id": 2, "context": "CI / build (pull_request)", "status": "success"},
                    {"id": 4, "context": "CI / test (ubuntu-latest, 1.22) (pull_request)", "status": "success"},
                ]))
                .insert_header("link", next.as_str()),
        )
        .with_priority(5)
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        remote(
            "check",
            "testdata/remote-gitea",
            &server,
            &[
                "--forge",
                "forgejo",
                "--forge-version",
                "11",
                "--head",
                HEAD_SHA,
                "--settle",
                "0",
            ],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        findings(&out),
        [
            (
                "context-unpredicted".to_owned(),
                None,
                s("lint.yml / lint (pull_request)")
            ),
            (
                "context-not-posted".to_owned(),
                s("lint"),
                s("/ lint (pull_request)")
            ),
        ]
    );
    let doc = out.json();
    assert_eq!(
        doc["findings"][0]["message"],
        format!(
            "the forge posted `lint.yml / lint (pull_request)` (success) on {HEAD_SHA}, which no job gatelint read posts; the nearest predicted is `/ lint (pull_request)`"
        )
    );
    assert!(
        out.stderr
            .contains(&format!("read the statuses of {HEAD_SHA} in 2 requests")),
        "{}",
        out.stderr
    );
}

/// A sha of 40 hex digits from a short tag (`h1` → `h1h1…` is not hex: digits only).
fn sha(n: u32) -> String {
    format!("{n:040x}")
}

const HISTORY_GITEA_CI: &str = "name: CI
on:
  pull_request:
  push:
    branches: [main]
jobs:
  # bp-required: yes
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  # bp-required: pending #12
  e2e:
    runs-on: ubuntu-latest
    steps: [{run: make e2e}]
  # bp-required: pending #13
  flaky:
    runs-on: ubuntu-latest
    steps: [{run: make flaky}]
  # bp-required: yes
  old:
    runs-on: ubuntu-latest
    steps: [{run: make old}]
";

fn gitea_status(id: u32, context: &str, state: &str) -> Value {
    serde_json::json!({"id": id, "context": context, "status": state,
        "target_url": format!("https://git.example/octo/app/actions/runs/{id}")})
}

/// The Gitea history of [`history_on_gitea`], each listing and commit read `times` times.
async fn gitea_history(server: &MockServer, times: u64) {
    serve(
        server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / build (pull_request)", "CI / old (pull_request)"]}]"#,
        ),
    )
    .await;
    let pull = |n: u64, head: u32, base: &str, merged: bool, at: &str| {
        serde_json::json!({"number": n, "merged": merged,
            "merged_at": if merged { Value::from(at) } else { Value::Null },
            "head": {"sha": sha(head), "ref": format!("topic-{n}")}, "base": {"ref": base}})
    };
    let pulls = format!("{GT}/pulls");
    let next = format!(
        "<{}{pulls}?state=closed&page=2>; rel=\"next\"",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path(pulls.clone()))
        .and(query_param("page", "2"))
        .respond_with(json(200, "[]"))
        .with_priority(1)
        .expect(0)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(pulls))
        .and(query_param("state", "closed"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!([
                    pull(9, 9, "main", false, ""),
                    pull(8, 8, "release", true, "2026-11-20T10:00:00Z"),
                    pull(7, 3, "main", true, "2026-11-01T10:00:00Z"),
                    pull(6, 1, "main", true, "2026-11-20T09:00:00Z"),
                    // 08:30 UTC: merged before #6, though its text sorts after.
                    pull(5, 2, "main", true, "2026-11-20T10:30:00+02:00"),
                ]))
                .insert_header("link", next.as_str()),
        )
        .with_priority(5)
        .expect(times)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GT}/commits")))
        .and(query_param("sha", "main"))
        .and(query_param("limit", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"sha": sha(4)}, {"sha": sha(3)}
        ])))
        .expect(times)
        .mount(server)
        .await;
    let statuses: [(u32, Value); 4] = [
        (
            1,
            serde_json::json!([
                gitea_status(11, "CI / build (pull_request)", "success"),
                gitea_status(12, "CI / e2e (pull_request)", "success"),
                gitea_status(13, "CI / flaky (pull_request)", "failure"),
            ]),
        ),
        (
            2,
            serde_json::json!([
                gitea_status(21, "CI / build (pull_request)", "success"),
                gitea_status(22, "CI / e2e (pull_request)", "success"),
                gitea_status(23, "CI / flaky (pull_request)", "success"),
            ]),
        ),
        (
            3,
            serde_json::json!([
                gitea_status(31, "CI / build (pull_request)", "success"),
                gitea_status(32, "CI / e2e (pull_request)", "success"),
            ]),
        ),
        (
            4,
            serde_json::json!([gitea_status(41, "CI / build (push)", "success")]),
        ),
    ];
    for (n, body) in statuses {
        Mock::given(method("GET"))
            .and(path(format!("{GT}/commits/{}/statuses", sha(n))))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(times)
            .mount(server)
            .await;
    }
}

/// Issue 12, item 2 on Gitea: three merged pull requests into main are found on the first
/// page of closed pull requests (the second page is never read; an unmerged one and one into
/// another branch are passed over), two branch commits (one of them also a pull request's
/// head, read once). `e2e` passed on its last 3 runs (pending-ready, with the runs as
/// evidence), `flaky` did not; `CI / old` is required and never posted (required-never-seen).
/// 6 requests: 2 listings, 4 commits' statuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_gitea() {
    let server = MockServer::start().await;
    gitea_history(&server, 4).await;
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path(), &[(".gitea/workflows/ci.yml", HISTORY_GITEA_CI)]);
    let out = run(
        remote(
            "check",
            &dir.path().to_string_lossy(),
            &server,
            &["--forge-version", "1.26", "--history", "3"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let history: Vec<_> = findings(&out)
        .into_iter()
        .filter(|f| ["required-never-seen", "pending-ready"].contains(&f.0.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            (
                "pending-ready".to_owned(),
                s("e2e"),
                s("CI / e2e (pull_request)")
            ),
            // Pointing at the entry in the protection the server sent.
            (
                "required-never-seen".to_owned(),
                None,
                s("CI / old (pull_request)")
            ),
        ]
    );
    let doc = out.json();
    let of = |rule: &str| -> Value {
        doc["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["rule"] == rule).cloned())
            .unwrap_or_default()
    };
    assert_eq!(
        of("required-never-seen")["message"],
        "protection requires `CI / old (pull_request)`, but it was posted on none of the 4 commits read: the heads of the last 3 merged pull requests into `main` and its last 2 commits: a dead gate (renamed, never triggered for this branch, or named otherwise than the forge posts it)"
    );
    let ready = of("pending-ready");
    assert_eq!(ready["severity"], "note");
    assert_eq!(ready["issue"], "#12");
    assert_eq!(ready["line"], 11, "at the directive");
    // Newest merged first, by the instant: #6 (head 1), #5 (head 2), #7 (head 3).
    let commits: Vec<&str> = ready["evidence"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["commit"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(commits, [sha(1), sha(2), sha(3)]);
    assert_eq!(
        ready["evidence"][0]["url"],
        "https://git.example/octo/app/actions/runs/12"
    );
    assert!(
        out.stderr.contains(
            "read the heads of 3 merged pull requests and 2 commits of `main` (4 commits) in 6 requests"
        ),
        "{}",
        out.stderr
    );

    // Near miss: with `[history] green-runs = 4` e2e has only 3 runs (not ready), and with
    // `required-never-seen` off nothing is an error.
    write_files(
        dir.path(),
        &[(
            "gatelint.toml",
            "[history]\ngreen-runs = 4\n[rules]\nrequired-never-seen = \"off\"\n",
        )],
    );
    let out = run(
        remote(
            "check",
            &dir.path().to_string_lossy(),
            &server,
            &["--forge-version", "1.26", "--history", "3"],
        ),
        Some(TOKEN),
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        !findings(&out)
            .iter()
            .any(|f| ["required-never-seen", "pending-ready"].contains(&f.0.as_str())),
        "{}",
        out.stdout
    );

    // `report --history`: a POSTED column, per context, from the same reads.
    let mut a = remote(
        "report",
        &dir.path().to_string_lossy(),
        &server,
        &["--forge-version", "1.26", "--history", "3"],
    );
    a.retain(|x| x != "--format" && x != "json");
    let out = run(a, Some(TOKEN)).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].contains("VERDICT  POSTED       CONTEXTS"),
        "{}",
        out.stdout
    );
    for (context, cell) in [
        ("CI / build (pull_request)", "3/4 success"),
        ("CI / build (push)", "1/4 success"),
        ("CI / flaky (pull_request)", "2/4 failure"),
        ("CI / old (pull_request)", "0/4"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with(context) && l.contains(&format!("{cell}  "))),
            "{context}: {cell} in\n{}",
            out.stdout
        );
    }
    // JSON: the same counts, as schemas/report.schema.json documents them.
    let out = run(
        remote(
            "report",
            &dir.path().to_string_lossy(),
            &server,
            &["--forge-version", "1.26", "--history", "3"],
        ),
        Some(TOKEN),
    )
    .await;
    let doc = out.json();
    let build = &doc["gates"][0]["history"];
    assert_eq!(
        build,
        &serde_json::json!([
            {"context": "CI / build (push)", "posted": 1, "of": 4, "last": "success"},
            {"context": "CI / build (pull_request)", "posted": 3, "of": 4, "last": "success"},
        ])
    );
    let errors = common::schema_errors("report.schema.json", &doc);
    assert!(errors.is_empty(), "{errors:#?}");
}

const HISTORY_GITHUB_CI: &str = "name: CI
on: [pull_request, push]
jobs:
  # bp-exempt: known flaky, tracked in #40
  flaky:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps: [{run: make flaky}]
  # bp-required: yes
  all:
    needs: [flaky]
    runs-on: ubuntu-latest
    steps: [{run: echo ok}]
  # bp-required: pending #41
  soak:
    runs-on: ubuntu-latest
    steps: [{run: make soak}]
";

/// GitHub: three merged pull requests (head 2 merged last), no branch commit; `flaky`
/// failed on heads 1 and 3 while `all`, which needs it, passed. Each listing and commit is
/// expected `times` times (2 requests a commit: check runs and the combined status).
async fn github_history(server: &MockServer, times: u64) {
    serve(
        server,
        format!("{GH}/branches/main/protection"),
        json(
            200,
            r#"{"required_status_checks": {"strict": true, "contexts": ["all"]}}"#,
        ),
    )
    .await;
    serve(server, format!("{GH}/rules/branches/main"), json(200, "[]")).await;
    let pull = |n: u64, head: u32, at: &str| {
        serde_json::json!({"number": n, "merged_at": at,
            "head": {"sha": sha(head), "ref": format!("topic-{n}")}, "base": {"ref": "main"}})
    };
    Mock::given(method("GET"))
        .and(path(format!("{GH}/pulls")))
        .and(query_param("base", "main"))
        .and(query_param("state", "closed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            pull(3, 3, "2026-11-01T10:00:00Z"),
            pull(1, 1, "2026-11-10T10:00:00Z"),
            pull(2, 2, "2026-11-20T10:00:00Z"),
        ])))
        .expect(times)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{GH}/commits")))
        .and(query_param("sha", "main"))
        .respond_with(json(200, "[]"))
        .expect(times)
        .mount(server)
        .await;
    // Another app's check run named `soak` failed on head 1: not a run of the job.
    for (n, flaky) in [(1, "failure"), (2, "success"), (3, "failure")] {
        Mock::given(method("GET"))
            .and(path(format!("{GH}/commits/{}/check-runs", sha(n))))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "total_count": 4, "check_runs": [
                check_run("flaky", "completed", Some(flaky), "github-actions"),
                check_run("all", "completed", Some("success"), "github-actions"),
                check_run("soak", "completed", Some("success"), "github-actions"),
                check_run("soak", "completed", Some(if n == 1 { "failure" } else { "success" }), "circleci"),
            ]})))
            .expect(times)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("{GH}/commits/{}/status", sha(n))))
            .respond_with(json(200, r#"{"state": "success", "statuses": []}"#))
            .expect(times)
            .mount(server)
            .await;
    }
}

/// Issue 12, item 2 on GitHub: the mask hid `flaky`'s failures from the required `all`
/// (mask-hides-failures, evidence: both failed runs); a change removing the mask is not
/// backed by 3 green runs (mask-removal-unproven), and is with `green-runs = 1` in the base
/// config (the newest run passed). 8 requests a run: 2 listings, 3 commits × 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_github() {
    let server = MockServer::start().await;
    github_history(&server, 4).await;
    let repo = tempfile::tempdir().expect("tempdir");
    let d = repo.path();
    git(d, &["init", "-q", "-b", "main"]);
    write_files(d, &[(".github/workflows/ci.yml", HISTORY_GITHUB_CI)]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    let history_rules = |out: &Out| -> Vec<(String, Option<String>, Option<String>)> {
        findings(out)
            .into_iter()
            .filter(|f| f.0.starts_with("mask-hides") || f.0.starts_with("mask-removal"))
            .collect()
    };
    let check = |extra: &[&str]| {
        let mut a = remote("check", &d.to_string_lossy(), &server, &["--history", "3"]);
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let out = run(check(&[]), Some(TOKEN)).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        history_rules(&out),
        [("mask-hides-failures".to_owned(), s("flaky"), s("flaky"))]
    );
    let doc = out.json();
    let hides = doc["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["rule"] == "mask-hides-failures")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(
        hides["message"],
        format!(
            "`flaky` failed on 2 of the commits read (latest {}: `flaky` failure) while `all`, which needs it and is required, passed: its `continue-on-error` hides the failure from the gate",
            &sha(1)[..12]
        )
    );
    assert_eq!(hides["line"], 7, "at the continue-on-error");
    let evidence: Vec<&str> = hides["evidence"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["commit"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(evidence, [sha(1), sha(3)]);
    assert!(
        out.stderr.contains("(3 commits) in 8 requests"),
        "{}",
        out.stderr
    );
    // `soak` passed on its 3 runs: ready; `all` is required and was seen on every commit.
    let ready: Vec<_> = findings(&out)
        .into_iter()
        .filter(|f| f.0 == "pending-ready" || f.0 == "required-never-seen")
        .collect();
    assert_eq!(
        ready,
        [("pending-ready".to_owned(), s("soak"), s("soak"))],
        "{}",
        out.stdout
    );

    // The change removes the mask.
    git(d, &["checkout", "-q", "-b", "pr"]);
    write_files(
        d,
        &[(
            ".github/workflows/ci.yml",
            &HISTORY_GITHUB_CI.replace("    continue-on-error: true\n", ""),
        )],
    );
    git(d, &["commit", "-q", "-am", "unmask"]);
    let out = run(check(&["--base", "main"]), Some(TOKEN)).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        history_rules(&out),
        [("mask-removal-unproven".to_owned(), s("flaky"), s("flaky"))]
    );
    let doc = out.json();
    let unproven = doc["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["rule"] == "mask-removal-unproven")
                .cloned()
        })
        .unwrap_or_default();
    assert_eq!(
        unproven["message"],
        format!(
            "this change removes `continue-on-error` from `flaky`, but its last 3 runs were not all green ({} failure, {} failure): the gate may turn red on the next pull request",
            &sha(1)[..12],
            &sha(3)[..12]
        )
    );

    // Near miss: the base asks for 1 green run, and the newest (head 2) passed.
    git(d, &["checkout", "-q", "main"]);
    write_files(d, &[("gatelint.toml", "[history]\ngreen-runs = 1\n")]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "one green run"]);
    git(d, &["checkout", "-q", "pr"]);
    git(d, &["merge", "-q", "--no-edit", "main"]);
    let out = run(check(&["--base", "main"]), Some(TOKEN)).await;
    assert_eq!(history_rules(&out), [], "{}", out.stdout);

    // `report --history`: each commit counts once per context, whoever posted it, with the
    // Actions run's state (head 1 has `soak` from two apps).
    let mut a = remote("report", &d.to_string_lossy(), &server, &["--history", "3"]);
    a.retain(|x| x != "--format" && x != "json");
    let out = run(a, Some(TOKEN)).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let soak = out
        .stdout
        .lines()
        .find(|l| l.ends_with("  soak"))
        .unwrap_or_default();
    assert!(soak.contains("3/3 success"), "{}", out.stdout);
}

/// Forgejo ignores a job-level `continue-on-error` (FORGE-SEMANTICS §4): a masked job that
/// failed while the required job that needs it passed is no `mask-hides-failures` there (the
/// failure blocked the merge anyway), and removing the key is a note, not an error. A listing
/// the token may not read fails closed (exit 2, the need named, the token unshown).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_on_forgejo() {
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / all (pull_request)"]}]"#,
        ),
    )
    .await;
    serve(
        &server,
        format!("{GT}/pulls"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"number": 1, "merged": true, "merged_at": "2026-11-20T10:00:00Z",
             "head": {"sha": sha(1), "ref": "t"}, "base": {"ref": "main"}}
        ])),
    )
    .await;
    serve(&server, format!("{GT}/commits"), json(200, "[]")).await;
    serve(
        &server,
        format!("{GT}/commits/{}/statuses", sha(1)),
        ResponseTemplate::new(200).set_body_json(serde_json::json!([
            gitea_status(1, "CI / flaky (pull_request)", "failure"),
            gitea_status(2, "CI / all (pull_request)", "success"),
        ])),
    )
    .await;
    let repo = tempfile::tempdir().expect("tempdir");
    let d = repo.path();
    git(d, &["init", "-q", "-b", "main"]);
    let ci = HISTORY_GITHUB_CI;
    write_files(d, &[(".forgejo/workflows/ci.yml", ci)]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "pr"]);
    write_files(
        d,
        &[(
            ".forgejo/workflows/ci.yml",
            &ci.replace("    continue-on-error: true\n", ""),
        )],
    );
    git(d, &["commit", "-q", "-am", "unmask"]);
    let args = |extra: &[&str]| {
        let mut a = remote(
            "check",
            &d.to_string_lossy(),
            &server,
            &[
                "--forge",
                "forgejo",
                "--forge-version",
                "11",
                "--history",
                "2",
            ],
        );
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let out = run(args(&["--base", "main"]), Some(TOKEN)).await;
    let history: Vec<Value> = out.json()["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| {
                    f["rule"].as_str().is_some_and(|r| {
                        r.starts_with("mask-hides") || r.starts_with("mask-removal")
                    })
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(history.len(), 1, "{}", out.stdout);
    assert_eq!(history[0]["rule"], "mask-removal-unproven");
    assert_eq!(history[0]["severity"], "note");
    assert_eq!(
        history[0]["message"],
        "this change removes `continue-on-error` from `flaky`, which Forgejo 11 ignores: the gate does not change, no green history is needed"
    );
    // The base (masked) has no mask-hides-failures either; `soak` never ran: not ready.
    git(d, &["checkout", "-q", "main"]);
    let out = run(args(&[]), Some(TOKEN)).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let rules: Vec<String> = findings(&out).into_iter().map(|f| f.0).collect();
    assert!(
        !rules
            .iter()
            .any(|r| r == "mask-hides-failures" || r == "pending-ready"),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r == "mask-untracked"), "{rules:?}");

    // A token that may not list pull requests: exit 2.
    let denied = MockServer::start().await;
    serve(
        &denied,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / all (pull_request)"]}]"#,
        ),
    )
    .await;
    serve(
        &denied,
        format!("{GT}/pulls"),
        json(
            403,
            r#"{"message": "token does not have at least one of required scope(s): [read:issue]"}"#,
        ),
    )
    .await;
    let a = remote(
        "check",
        &d.to_string_lossy(),
        &denied,
        &["--forge", "forgejo", "--history", "2"],
    );
    let out = run(a, Some(TOKEN)).await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("HTTP 403: token does not have at least one of required scope(s): [read:issue] (the token from GATELINT_TOKEN lacks permission: read access to the repository's pull requests, commits and statuses)"),
        "{}",
        out.stderr
    );
}

/// Issue 12 acceptance: the seed monorepo (`corpus/seed-origin/_later-head-aeec8e47`, Gitea
/// 1.22, protection `*`) as a git repository, and a mock Gitea serving the statuses of the
/// lanes gatelint derives. A change to a Go file alone derives 38 lanes and removes none; the
/// same change plus core#5153 (a duplicate `env:` key in local-provision-e2e.yml, which Gitea
/// refuses, so the workflow is never scheduled) derives 48 (the workflow edit wakes the
/// workflows filtered on `.gitea/workflows/**`) and removes the two lanes of that workflow,
/// `Local Provision Lifecycle E2E / … (stub)` among them: what lint-context-set-shrink.yml's
/// check B exists to catch ("The lane did not fail. It ceased to exist."). With every derived
/// lane posted, the removed lanes are all that is left (and the invalid workflow).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_origin_lanes() {
    let Some(seed) = common::shared("corpus/seed-origin/_later-head-aeec8e47") else {
        eprintln!("skipped: ../shared/corpus/seed-origin is absent");
        return;
    };
    const SEED: &str = "/api/v1/repos/molecule-ai/molecule-core";
    let repo = tempfile::tempdir().expect("tempdir");
    let d = repo.path();
    common::copy_tree(&seed, d);
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "later head"]);
    git(d, &["checkout", "-q", "-b", "pr"]);
    write_files(d, &[("workspace-server/internal/x/x.go", "package x\n")]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "a Go change"]);
    let server = MockServer::start().await;
    let serve_all = |statuses: Value| {
        let server = &server;
        async move {
            server.reset().await;
            serve(
                server,
                format!("{SEED}/branch_protections"),
                json(
                    200,
                    r#"[{"rule_name": "main", "enable_status_check": true, "status_check_contexts": ["*"]}]"#,
                ),
            )
            .await;
            serve(
                server,
                format!("{SEED}/commits/{HEAD_SHA}/statuses"),
                ResponseTemplate::new(200).set_body_json(statuses),
            )
            .await;
        }
    };
    let check = || {
        args(&[
            "check",
            &d.to_string_lossy(),
            "--remote",
            "--server",
            &server.uri(),
            "--repo",
            "molecule-ai/molecule-core",
            "--forge",
            "gitea",
            "--forge-version",
            "1.22",
            "--base",
            "main",
            "--head",
            HEAD_SHA,
            "--settle",
            "0",
            "--format",
            "json",
        ])
    };
    let of = |out: &Out, rule: &str| -> Vec<String> {
        findings(out)
            .into_iter()
            .filter(|f| f.0 == rule)
            .filter_map(|f| f.2)
            .collect()
    };
    serve_all(serde_json::json!([])).await;
    let out = run(check(), Some(TOKEN)).await;
    assert_eq!(of(&out, "context-not-posted").len(), 38, "{}", out.stderr);
    assert_eq!(of(&out, "lane-removed"), Vec::<String>::new());
    assert!(
        out.stderr
            .contains("38 contexts predicted for this pull request, 0 posted"),
        "{}",
        out.stderr
    );

    // core#5153.
    let lpe = d.join(".gitea/workflows/local-provision-e2e.yml");
    let text = std::fs::read_to_string(&lpe).expect("read");
    std::fs::write(
        &lpe,
        text.replacen("\njobs:\n", "\nenv:\n  DUP: 1\n\njobs:\n", 1),
    )
    .expect("write");
    git(d, &["commit", "-q", "-am", "core#5153"]);
    let out = run(check(), Some(TOKEN)).await;
    let lanes = of(&out, "context-not-posted");
    assert_eq!(lanes.len(), 48, "{}", out.stderr);
    assert_eq!(
        of(&out, "lane-removed"),
        [
            "Local Provision Lifecycle E2E / Local Provision Lifecycle E2E (stub) (pull_request)",
            "Local Provision Lifecycle E2E / Local Provision Lifecycle E2E (real image + MiniMax LLM, advisory) (pull_request)",
        ]
    );

    // Every derived lane posted: what is left is the removed lanes and the invalid workflow.
    let posted: Vec<Value> = lanes
        .iter()
        .enumerate()
        .map(|(i, c)| serde_json::json!({"id": i + 1, "context": c, "status": "success"}))
        .collect();
    serve_all(Value::Array(posted)).await;
    let out = run(check(), Some(TOKEN)).await;
    assert_eq!(out.code, 1);
    assert_eq!(of(&out, "context-not-posted"), Vec::<String>::new());
    assert_eq!(of(&out, "context-unpredicted"), Vec::<String>::new());
    assert_eq!(of(&out, "lane-removed").len(), 2);
    assert!(
        findings(&out).iter().any(|f| f.0 == "workflow-invalid"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("48 contexts predicted for this pull request, 48 posted"),
        "{}",
        out.stderr
    );
}

/// The runnable example of docs/remote.md: `testdata/mock-gitea/` served at the API's paths
/// (here by wiremock, there by `python3 -m http.server`), and the command the doc gives, with
/// the findings it describes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_mock_example() {
    let root = common::repo_root().join("testdata/mock-gitea");
    let server = MockServer::start().await;
    let mut stack = vec![root.clone()];
    let mut served = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("lists").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let route = format!(
                "/{}",
                p.strip_prefix(&root)
                    .expect("under the root")
                    .to_string_lossy()
            );
            let body = std::fs::read_to_string(&p).expect("reads");
            serve(&server, route, json(200, &body)).await;
            served += 1;
        }
    }
    assert_eq!(served, 2);
    let doc = std::fs::read_to_string(common::repo_root().join("docs/remote.md"))
        .expect("docs/remote.md");
    let command = "check testdata/remote-gitea --remote --server http://127.0.0.1:8765 \\\n  --repo octo/app --forge gitea --forge-version 1.26 \\\n  --head 0123456789abcdef0123456789abcdef01234567 --settle 0";
    assert!(doc.contains(command), "docs/remote.md's example changed");
    let mut a: Vec<String> = command
        .split_whitespace()
        .filter(|w| *w != "\\")
        .map(str::to_owned)
        .collect();
    let at = a
        .iter()
        .position(|w| w == "http://127.0.0.1:8765")
        .expect("server");
    a[at] = server.uri();
    a.extend(["--format".to_owned(), "json".to_owned()]);
    let out = run(a.clone(), None).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        findings(&out),
        [
            (
                "context-unpredicted".to_owned(),
                None,
                s("CI / biuld (pull_request)")
            ),
            (
                "context-not-posted".to_owned(),
                s("build"),
                s("CI / build (pull_request)")
            ),
        ]
    );
    let doc = out.json();
    assert_eq!(
        doc["findings"][0]["evidence"][0]["url"],
        "http://127.0.0.1:8765/octo/app/actions/runs/1/jobs/0"
    );
    // The evidence is part of the documented JSON (schemas/check.schema.json).
    let errors = common::schema_errors("check.schema.json", &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    // SARIF carries the evidence as the result's properties.
    let at = a.iter().position(|w| w == "json").expect("format");
    a[at] = "sarif".to_owned();
    let out = run(a, None).await;
    let sarif = out.json();
    let evidence: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|r| r["properties"]["evidence"].as_array())
                .flatten()
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(evidence.len(), 1, "{}", out.stdout);
    assert_eq!(evidence[0]["context"], "CI / biuld (pull_request)");
    assert_eq!(evidence[0]["state"], "failure");
    assert_eq!(evidence[0]["commit"], HEAD_SHA);
}

/// `lane-removed` on GitHub (check-run names) and Forgejo (statuses with the event suffix):
/// the head drops the job `e2e` the merge base ran for every pull request; `build` is posted.
/// The near miss: a change that keeps the job removes no lane.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_lanes_removed_on_github_and_forgejo() {
    const CI: &str = "name: CI
on: pull_request
jobs:
  # bp-required: yes
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  # bp-exempt: slow
  e2e:
    runs-on: ubuntu-latest
    steps: [{run: make e2e}]
";
    for (dir, forge, removed) in [
        (".github/workflows", "github", "e2e"),
        (".forgejo/workflows", "forgejo", "CI / e2e (pull_request)"),
    ] {
        let server = MockServer::start().await;
        if forge == "github" {
            serve(
                &server,
                format!("{GH}/branches/main/protection"),
                json(
                    200,
                    r#"{"required_status_checks": {"contexts": ["build"]}}"#,
                ),
            )
            .await;
            serve(
                &server,
                format!("{GH}/rules/branches/main"),
                json(200, "[]"),
            )
            .await;
            serve(
                &server,
                format!("{GH}/commits/{HEAD_SHA}/check-runs"),
                ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "total_count": 1,
                    "check_runs": [check_run("build", "completed", Some("success"), "github-actions")]
                })),
            )
            .await;
            serve(
                &server,
                format!("{GH}/commits/{HEAD_SHA}/status"),
                json(200, r#"{"state": "success", "statuses": []}"#),
            )
            .await;
        } else {
            serve(
                &server,
                format!("{GT}/branch_protections"),
                json(
                    200,
                    r#"[{"rule_name": "main", "enable_status_check": true,
                         "status_check_contexts": ["CI / build (pull_request)"]}]"#,
                ),
            )
            .await;
            serve(
                &server,
                format!("{GT}/commits/{HEAD_SHA}/statuses"),
                ResponseTemplate::new(200).set_body_json(serde_json::json!([
                    {"id": 1, "context": "CI / build (pull_request)", "status": "success"}
                ])),
            )
            .await;
        }
        let repo = tempfile::tempdir().expect("tempdir");
        let d = repo.path();
        git(d, &["init", "-q", "-b", "main"]);
        let file = format!("{dir}/ci.yml");
        write_files(d, &[(file.as_str(), CI)]);
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "base"]);
        git(d, &["checkout", "-q", "-b", "pr"]);
        write_files(d, &[("src/lib.rs", "fn f() {}\n")]);
        git(d, &["add", "-A"]);
        git(d, &["commit", "-q", "-m", "code"]);
        let a = || {
            let mut a = remote(
                "check",
                &d.to_string_lossy(),
                &server,
                &[
                    "--forge", forge, "--base", "main", "--head", HEAD_SHA, "--settle", "0",
                ],
            );
            if forge == "forgejo" {
                a.extend(["--forge-version".to_owned(), "11".to_owned()]);
            }
            a
        };
        // Near miss: e2e still there, and not posted: context-not-posted, no lane removed.
        let out = run(a(), Some(TOKEN)).await;
        let rules: Vec<String> = findings(&out)
            .into_iter()
            .filter(|f| f.0 == "lane-removed" || f.0.starts_with("context-"))
            .map(|f| format!("{} {}", f.0, f.2.unwrap_or_default()))
            .collect();
        assert_eq!(rules, [format!("context-not-posted {removed}")], "{forge}");
        // The job removed: its lane is gone, and nothing awaits it.
        write_files(
            d,
            &[(
                file.as_str(),
                &CI[..CI.find("  # bp-exempt").unwrap_or(CI.len())],
            )],
        );
        git(d, &["commit", "-q", "-am", "drop e2e"]);
        let out = run(a(), Some(TOKEN)).await;
        assert_eq!(out.code, 1, "{forge}: {}{}", out.stdout, out.stderr);
        let rules: Vec<String> = findings(&out)
            .into_iter()
            .filter(|f| f.0 == "lane-removed" || f.0.starts_with("context-"))
            .map(|f| format!("{} {}", f.0, f.2.unwrap_or_default()))
            .collect();
        assert_eq!(rules, [format!("lane-removed {removed}")], "{forge}");
    }
}

/// Without `--base`, what the forge posted is judged with the merge base's gatelint.toml,
/// never the pull request's own: a waiver (or `lane-removed = "off"`) it adds for itself does
/// not silence its removed lane. And with no merge base (a shallow clone, unrelated
/// histories), `--head` cannot compare lanes: exit 2 with what to do, never a pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_lanes_are_judged_with_the_fork_points_settings() {
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / build (pull_request)"]}]"#,
        ),
    )
    .await;
    serve(
        &server,
        format!("{GT}/commits/{HEAD_SHA}/statuses"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"id": 1, "context": "CI / build (pull_request)", "status": "success"}
        ])),
    )
    .await;
    let repo = lanes_repo(&[(
        "gatelint.toml",
        "forge = \"gitea\"\nforge-version = \"1.26\"\n[rules]\nlane-removed = \"off\"\n[[observed.lane-waiver]]\ncontext = \"CI / e2e\"\npr = 7\nreason = \"mine\"\n",
    )]);
    let d = repo.path();
    let mut a = remote("check", &d.to_string_lossy(), &server, &[]);
    a.extend(args(&["--head", HEAD_SHA, "--settle", "0", "--pr", "7"]));
    let out = run(a.clone(), Some(TOKEN)).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let removed: Vec<String> = findings(&out)
        .into_iter()
        .filter(|f| f.0 == "lane-removed")
        .filter_map(|f| f.2)
        .collect();
    // The base's own waiver for #7 (`CI / lint`) applies; its `CI / nope` matches nothing.
    assert_eq!(removed, ["CI / e2e (pull_request)"], "{}", out.stdout);
    assert!(
        out.stdout.contains("gatelint.toml@"),
        "the base's unmatched waiver is pointed at in its revision: {}",
        out.stdout
    );

    // Unrelated histories: no merge base.
    git(d, &["checkout", "-q", "--orphan", "lonely"]);
    git(d, &["commit", "-q", "-m", "no shared history"]);
    let out = run(a, Some(TOKEN)).await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("HEAD has no merge base with `origin/main` or `main`")
            && out.stderr.contains("`fetch-depth: 0`"),
        "{}",
        out.stderr
    );
}

/// A job that `needs` the job gatelint runs in waits, `pending`, until gatelint ends: it is
/// not awaited either (else `--head` would wait out `--settle` and fail). Without the runner's
/// variables the same statuses are unsettled: exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_statuses_skip_the_jobs_that_need_the_running_job() {
    let server = MockServer::start().await;
    serve(
        &server,
        format!("{GT}/branch_protections"),
        json(
            200,
            r#"[{"rule_name": "main", "enable_status_check": true,
                 "status_check_contexts": ["CI / gates (pull_request)", "CI / report (pull_request)"]}]"#,
        ),
    )
    .await;
    serve(
        &server,
        format!("{GT}/commits/{HEAD_SHA}/statuses"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!([
            {"id": 1, "context": "CI / gates (pull_request)", "status": "pending"},
            {"id": 2, "context": "CI / report (pull_request)", "status": "pending"},
            {"id": 3, "context": "CI / summary (pull_request)", "status": "pending"},
        ])),
    )
    .await;
    let repo = tempfile::tempdir().expect("tempdir");
    let d = repo.path();
    git(d, &["init", "-q", "-b", "main"]);
    write_files(
        d,
        &[(
            ".gitea/workflows/ci.yml",
            "name: CI
on: pull_request
jobs:
  # bp-required: yes
  gates:
    runs-on: ubuntu-latest
    steps: [{run: gatelint check --remote --head}]
  # bp-required: yes
  report:
    needs: [gates]
    runs-on: ubuntu-latest
    steps: [{run: make report}]
  # bp-exempt: cosmetic
  summary:
    needs: [report]
    runs-on: ubuntu-latest
    steps: [{run: make summary}]
",
        )],
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "base"]);
    let a = remote(
        "check",
        &d.to_string_lossy(),
        &server,
        &[
            "--forge-version",
            "1.26",
            "--head",
            HEAD_SHA,
            "--settle",
            "0",
        ],
    );
    let env: &'static [(&'static str, &'static str)] =
        &[("GITHUB_JOB", "gates"), ("GITHUB_WORKFLOW", "CI")];
    let out = run_with(a.clone(), Some(TOKEN), env).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("0 contexts predicted for this pull request, 3 posted"),
        "{}",
        out.stderr
    );
    let out = run(a, Some(TOKEN)).await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("3 still pending"), "{}", out.stderr);
}
