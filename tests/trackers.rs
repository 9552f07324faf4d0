//! `check --remote --trackers` against local API servers (wiremock), on GitHub, Gitea and
//! Forgejo: the issues that masks and pending directives name, read once each, judged closed
//! (`tracker-closed`) or overdue (`tracker-overdue`); hostile references and other hosts never
//! requested; API failures exit 2 without the token. Each case asserts the exit code, the
//! exact findings, and how many issue requests the server received.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use gatelint::config::Date;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "gl-secret-token-5f0c9e2a7b";

use common::Output as Out;

/// What these tests read of a run's findings.
trait Findings {
    fn findings(&self) -> Vec<(String, String, String, u64, String, String)>;
    fn field(&self, rule: &str, field: &str) -> Vec<String>;
}

impl Findings for Out {
    /// (rule, severity, file, line, job, message) of each finding, in order.
    fn findings(&self) -> Vec<(String, String, String, u64, String, String)> {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        self.json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| {
                (
                    s(&f["rule"]),
                    s(&f["severity"]),
                    s(&f["file"]),
                    f["line"].as_u64().unwrap_or_default(),
                    s(&f["job"]),
                    s(&f["message"]),
                )
            })
            .collect()
    }

    /// `field` of every finding of `rule`.
    fn field(&self, rule: &str, field: &str) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f[field].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Forge {
    Github,
    Gitea,
    Forgejo,
}

const FORGES: [Forge; 3] = [Forge::Github, Forge::Gitea, Forge::Forgejo];

impl Forge {
    fn workflows(self) -> &'static str {
        match self {
            Forge::Github => ".github/workflows",
            Forge::Gitea => ".gitea/workflows",
            Forge::Forgejo => ".forgejo/workflows",
        }
    }

    fn api(self) -> &'static str {
        match self {
            Forge::Github => "/api/v3",
            Forge::Gitea | Forge::Forgejo => "/api/v1",
        }
    }

    fn authorization(self) -> String {
        match self {
            Forge::Github => format!("Bearer {TOKEN}"),
            Forge::Gitea | Forge::Forgejo => format!("token {TOKEN}"),
        }
    }

    /// The context job `job` posts on a pull request.
    fn context(self, job: &str) -> String {
        match self {
            Forge::Github => job.to_owned(),
            Forge::Gitea | Forge::Forgejo => format!("CI / {job} (pull_request)"),
        }
    }
}

/// A server with protection requiring `build`, and a catch-all that fails verification when
/// an issue no test mounted is requested.
async fn forge_server(forge: Forge) -> MockServer {
    let server = MockServer::start().await;
    let api = forge.api();
    match forge {
        Forge::Github => {
            serve(
                &server,
                format!("{api}/repos/octo/app/branches/main/protection"),
                json!({"required_status_checks": {"strict": true, "contexts": ["build"], "checks": []}}),
            )
            .await;
            serve(
                &server,
                format!("{api}/repos/octo/app/rules/branches/main"),
                json!([]),
            )
            .await;
        }
        Forge::Gitea | Forge::Forgejo => {
            serve(
                &server,
                format!("{api}/repos/octo/app/branch_protections"),
                json!([{"rule_name": "main", "branch_name": "main", "enable_status_check": true,
                        "status_check_contexts": ["CI / build (pull_request)"]}]),
            )
            .await;
        }
    }
    Mock::given(method("GET"))
        .and(path_regex("/issues/"))
        .respond_with(ResponseTemplate::new(599))
        .with_priority(50)
        .expect(0)
        .named("an issue no test expects")
        .mount(&server)
        .await;
    server
}

async fn serve(server: &MockServer, route: String, body: Value) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

/// Answer `GET …/repos/{repo}/issues/{n}` (with the forge's token) with `status` and `body`,
/// expecting exactly `times` requests.
async fn issue(
    server: &MockServer,
    forge: Forge,
    repo: &str,
    n: u64,
    answer: ResponseTemplate,
    times: u64,
) {
    Mock::given(method("GET"))
        .and(path(format!("{}/repos/{repo}/issues/{n}", forge.api())))
        .and(header("authorization", forge.authorization().as_str()))
        .respond_with(answer)
        .expect(times)
        .named(format!("{repo}#{n}"))
        .mount(server)
        .await;
}

fn open(created: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "number": 12, "state": "open", "created_at": created, "closed_at": null,
        "html_url": "https://forge.example/octo/app/issues/12", "title": "flaky"
    }))
}

fn closed(created: &str, closed_at: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "number": 12, "state": "closed", "created_at": created, "closed_at": closed_at,
        "html_url": "https://forge.example/octo/app/issues/12", "title": "flaky"
    }))
}

/// GETs of issues the server received.
async fn issue_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().contains("/issues/"))
        .count()
}

/// `n` days before today (UTC), at noon, as RFC 3339, and as the date.
fn days_ago(n: i64) -> (String, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or_default() - n);
    (format!("{date}T12:00:00Z"), date.to_string())
}

/// A repository with `workflow` as `ci.yml` of `forge` and `config` as `gatelint.toml`.
fn repo(forge: Forge, workflow: &str, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(forge.workflows());
    std::fs::create_dir_all(&wf).expect("mkdir");
    std::fs::write(wf.join("ci.yml"), workflow).expect("write");
    std::fs::write(dir.path().join("gatelint.toml"), config).expect("write");
    dir
}

/// `gatelint check . --remote --trackers --format json EXTRA…` in `dir` against `server`
/// (off the runtime that serves the mock), with the token in GATELINT_TOKEN.
async fn check(dir: &tempfile::TempDir, server: &MockServer, extra: &[&str]) -> Out {
    check_roots(dir, &["."], server, extra).await
}

/// [`check`] of several roots (relative to `dir`).
async fn check_roots(
    dir: &tempfile::TempDir,
    roots: &[&str],
    server: &MockServer,
    extra: &[&str],
) -> Out {
    let mut args: Vec<String> = ["check"].iter().map(|s| (*s).to_owned()).collect();
    args.extend(roots.iter().map(|s| (*s).to_owned()));
    args.extend(
        [
            "--remote",
            "--server",
            &server.uri(),
            "--repo",
            "octo/app",
            "--format",
            "json",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let cwd = dir.path().to_owned();
    tokio::task::spawn_blocking(move || {
        common::run_secret(&cwd, &args, &[("GATELINT_TOKEN", TOKEN.to_owned())], TOKEN)
    })
    .await
    .expect("joins")
}

/// `lint` masked under #12 (a tracker comment), `e2e` pending under #12, `docs` masked with a
/// waiver under #14.
const WORKFLOW: &str = "name: CI
on: pull_request
jobs:
  # bp-required: yes
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  # bp-exempt: advisory lint
  lint:
    # tracked in #12, flaky on arm64
    continue-on-error: true
    runs-on: ubuntu-latest
    steps: [{run: make lint}]

  # bp-required: pending #12
  e2e:
    runs-on: ubuntu-latest
    steps: [{run: make e2e}]
  # bp-exempt: docs preview
  docs:
    runs-on: ubuntu-latest
    continue-on-error: true
    steps: [{run: make docs}]
";

/// [`WORKFLOW`] without `docs` (whose mask needs a waiver).
fn without_docs() -> String {
    WORKFLOW
        .split("  # bp-exempt: docs preview")
        .next()
        .unwrap_or(WORKFLOW)
        .to_owned()
}

const CONFIG: &str = r##"[masks]
trackers = ['#\d+']

[[masks.waiver]]
workflow = "CI"
job = "docs"
issue = "#14"
reason = "upstream outage"
expires = 2999-12-31
"##;

fn row(
    rule: &str,
    severity: &str,
    file: &str,
    line: u64,
    job: &str,
    message: &str,
) -> (String, String, String, u64, String, String) {
    (
        rule.to_owned(),
        severity.to_owned(),
        file.to_owned(),
        line,
        job.to_owned(),
        message.to_owned(),
    )
}

fn ci(forge: Forge) -> String {
    format!("{}/ci.yml", forge.workflows())
}

/// The required-pending note of `e2e`, always there.
fn pending_note(forge: Forge) -> (String, String, String, u64, String, String) {
    row(
        "required-pending",
        "note",
        &ci(forge),
        15,
        "e2e",
        "`e2e` is pending required, tracked in #12: not yet a gate",
    )
}

/// Closed trackers: the mask's comment, the pending directive and the waiver each fire
/// `tracker-closed` where they are written; #12, named twice, is requested once. 2 requests
/// per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_trackers_fire_where_they_are_named() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let (created, _) = days_ago(300);
        issue(
            &server,
            forge,
            "octo/app",
            12,
            closed(&created, "2026-10-01T08:00:00Z"),
            1,
        )
        .await;
        // Gitea prints the server's offset: 01:30 at +08:00 is the day before in UTC.
        issue(
            &server,
            forge,
            "octo/app",
            14,
            closed(&created, "2026-09-15T01:30:00+08:00"),
            1,
        )
        .await;
        let dir = repo(forge, WORKFLOW, CONFIG);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 1, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(
            out.findings(),
            [
                row(
                    "tracker-closed",
                    "error",
                    &ci(forge),
                    11,
                    "lint",
                    "`ci.yml` job `lint` is masked (`continue-on-error`) under #12, which was closed on 2026-10-01: the mask outlived its tracker"
                ),
                pending_note(forge),
                row(
                    "tracker-closed",
                    "error",
                    &ci(forge),
                    15,
                    "e2e",
                    "`ci.yml` job `e2e` is `bp-required: pending` under #12, which was closed on 2026-10-01: the pending directive outlived its tracker"
                ),
                row(
                    "tracker-closed",
                    "error",
                    "gatelint.toml",
                    4,
                    "docs",
                    "`ci.yml` job `docs` is masked (`continue-on-error`) with a waiver under #14, which was closed on 2026-09-14: the mask outlived its tracker"
                ),
            ],
            "{forge:?}"
        );
        assert_eq!(
            out.field("tracker-closed", "help"),
            [
                "remove `continue-on-error` from `lint`, or point the comment beside it at the open issue that tracks the mask now".to_owned(),
                format!(
                    "if the work is done, change the directive to `bp-required: yes` and add `{}` to the protection of `main`; else point the directive at the open issue that tracks it now",
                    forge.context("e2e")
                ),
                "remove `continue-on-error` from `docs` and its waiver, or point the waiver's `issue` at the open issue that tracks the mask now".to_owned(),
            ],
            "{forge:?}"
        );
        assert_eq!(out.field("tracker-closed", "issue"), ["#12", "#12", "#14"]);
        assert_eq!(
            out.field("tracker-closed", "context"),
            ["", &forge.context("e2e"), ""]
        );
        assert!(
            out.stderr
                .contains("gatelint: .: read 2 trackers in 2 requests"),
            "{}",
            out.stderr
        );
        assert_eq!(issue_requests(&server).await, 2, "{forge:?}");
        server.verify().await;
    }
}

/// Open trackers, no `max-age-days`: nothing to say. 2 requests per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_trackers_are_silent() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let (created, _) = days_ago(3000);
        issue(&server, forge, "octo/app", 12, open(&created), 1).await;
        issue(&server, forge, "octo/app", 14, open(&created), 1).await;
        let dir = repo(forge, WORKFLOW, CONFIG);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.findings(), [pending_note(forge)], "{forge:?}");
        assert_eq!(issue_requests(&server).await, 2, "{forge:?}");
        server.verify().await;
    }
}

/// `max-age-days = 30`: #12, opened 400 days ago, is overdue for the mask and the directive;
/// #14, opened exactly 30 days ago, is not (longer than, not as long as). Warnings: exit 0.
/// 2 requests per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_trackers_older_than_max_age_are_overdue() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let (old, old_date) = days_ago(400);
        let (young, _) = days_ago(30);
        issue(&server, forge, "octo/app", 12, open(&old), 1).await;
        issue(&server, forge, "octo/app", 14, open(&young), 1).await;
        let config = CONFIG.replace("[masks]\n", "[masks]\nmax-age-days = 30\n");
        let dir = repo(forge, WORKFLOW, &config);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(
            out.findings(),
            [
                row(
                    "tracker-overdue",
                    "warning",
                    &ci(forge),
                    11,
                    "lint",
                    &format!(
                        "`ci.yml` job `lint` is masked (`continue-on-error`) under #12, open since {old_date} (400 days, more than `[masks] max-age-days = 30`)"
                    )
                ),
                pending_note(forge),
                row(
                    "tracker-overdue",
                    "warning",
                    &ci(forge),
                    15,
                    "e2e",
                    &format!(
                        "`ci.yml` job `e2e` is `bp-required: pending` under #12, open since {old_date} (400 days, more than `[masks] max-age-days = 30`)"
                    )
                ),
            ],
            "{forge:?}"
        );
        assert_eq!(
            out.field("tracker-overdue", "help"),
            [
                "fix #12 and remove the mask; raise `[masks] max-age-days` only with a reason",
                "finish #12 and make the job `bp-required: yes` with its context in protection, or `bp-exempt: <reason>` if it will not gate; raise `[masks] max-age-days` only with a reason",
            ]
        );
        assert_eq!(issue_requests(&server).await, 2, "{forge:?}");
        server.verify().await;
    }
}

/// acme/other#7, named five times (`owner/repo#N` in a comment, a `tracker-repos` prefix and
/// an issue URL on the server in the same comment, a pending directive, a waiver), is read
/// once, at acme/other's URL; the mask's three names of it are one finding. 1 request per
/// forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trackers_of_other_repositories_are_read_there_once() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let (created, _) = days_ago(20);
        issue(
            &server,
            forge,
            "acme/other",
            7,
            closed(&created, "2026-10-01T08:00:00Z"),
            1,
        )
        .await;
        let workflow = format!(
            "name: CI
on: pull_request
jobs:
  # bp-required: yes
  build:
    runs-on: ubuntu-latest
    steps: [{{run: make}}]
  # bp-exempt: advisory lint
  lint:
    # acme/other#7 (also mc#7, {}/acme/other/issues/7)
    continue-on-error: true
    runs-on: ubuntu-latest
    steps: [{{run: make lint}}]

  # bp-required: pending acme/other#7
  e2e:
    runs-on: ubuntu-latest
    steps: [{{run: make e2e}}]
",
            server.uri()
        );
        let config = r#"[masks]
trackers = ['#\d+']
tracker-repos = { mc = "acme/other" }

[[masks.waiver]]
workflow = "ci.yml"
job = "lint"
issue = "acme/other#7"
reason = "flaky"
expires = 2999-12-31
"#;
        let dir = repo(forge, &workflow, config);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 1, "{forge:?}: {}{}", out.stdout, out.stderr);
        // The comment's three names of one issue are one finding on the mask.
        assert_eq!(
            out.findings(),
            [
                row(
                    "tracker-closed",
                    "error",
                    &ci(forge),
                    11,
                    "lint",
                    "`ci.yml` job `lint` is masked (`continue-on-error`) under acme/other#7, which was closed on 2026-10-01: the mask outlived its tracker"
                ),
                row(
                    "required-pending",
                    "note",
                    &ci(forge),
                    15,
                    "e2e",
                    "`e2e` is pending required, tracked in acme/other#7: not yet a gate"
                ),
                row(
                    "tracker-closed",
                    "error",
                    &ci(forge),
                    15,
                    "e2e",
                    "`ci.yml` job `e2e` is `bp-required: pending` under acme/other#7, which was closed on 2026-10-01: the pending directive outlived its tracker"
                ),
                row(
                    "tracker-closed",
                    "error",
                    "gatelint.toml",
                    5,
                    "lint",
                    "`ci.yml` job `lint` is masked (`continue-on-error`) with a waiver under acme/other#7, which was closed on 2026-10-01: the mask outlived its tracker"
                ),
            ],
            "{forge:?}"
        );
        assert!(
            out.stderr.contains("read 1 tracker in 1 request"),
            "{}",
            out.stderr
        );
        assert_eq!(issue_requests(&server).await, 1, "{forge:?}");
        server.verify().await;
    }
}

/// A tracker that does not exist (404) or was deleted (410) is `tracker-closed`, saying so.
/// 2 requests per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_trackers_are_closed() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        issue(
            &server,
            forge,
            "octo/app",
            12,
            ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            1,
        )
        .await;
        issue(
            &server,
            forge,
            "octo/app",
            14,
            ResponseTemplate::new(410).set_body_json(json!({"message": "This issue was deleted"})),
            1,
        )
        .await;
        let dir = repo(forge, WORKFLOW, CONFIG);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 1, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(
            out.findings(),
            [
                row(
                    "tracker-closed",
                    "error",
                    &ci(forge),
                    11,
                    "lint",
                    "`ci.yml` job `lint` is masked (`continue-on-error`) under #12, which does not exist in octo/app or which the token cannot see (HTTP 404): the mask names no open tracker"
                ),
                pending_note(forge),
                row(
                    "tracker-closed",
                    "error",
                    &ci(forge),
                    15,
                    "e2e",
                    "`ci.yml` job `e2e` is `bp-required: pending` under #12, which does not exist in octo/app or which the token cannot see (HTTP 404): the pending directive names no open tracker"
                ),
                row(
                    "tracker-closed",
                    "error",
                    "gatelint.toml",
                    4,
                    "docs",
                    "`ci.yml` job `docs` is masked (`continue-on-error`) with a waiver under #14, which was deleted from octo/app (HTTP 410): the mask names no open tracker"
                ),
            ],
            "{forge:?}"
        );
        assert_eq!(issue_requests(&server).await, 2, "{forge:?}");
        server.verify().await;
    }
}

/// A 403 (not retried) and a 500 that outlives the retries are exit 2, with the reason and
/// without the token, even when the server echoes it. 1 request (403), then 2 (500 with
/// `--retries 1`), per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_failures_exit_2_without_the_token() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        issue(
            &server,
            forge,
            "octo/app",
            12,
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": format!("token {TOKEN} lacks issues:read")})),
            1,
        )
        .await;
        let dir = repo(forge, &without_docs(), "[masks]\ntrackers = ['#\\d+']\n");
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 2, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.stdout, "");
        let url = format!("{}{}/repos/octo/app/issues/12", server.uri(), forge.api());
        assert!(
            out.stderr.contains(&format!(
                "error: GET {url}: HTTP 403: token *** lacks issues:read (the token from GATELINT_TOKEN lacks permission: read access to the issues of octo/app)"
            )),
            "{forge:?}: {}",
            out.stderr
        );
        assert_eq!(issue_requests(&server).await, 1, "{forge:?}");
        server.verify().await;

        let server = forge_server(forge).await;
        issue(
            &server,
            forge,
            "octo/app",
            12,
            ResponseTemplate::new(500).set_body_json(json!({"message": "database is locked"})),
            2,
        )
        .await;
        let out = check(&dir, &server, &["--trackers", "--retries", "1"]).await;
        assert_eq!(out.code, 2, "{forge:?}: {}{}", out.stdout, out.stderr);
        let url = format!("{}{}/repos/octo/app/issues/12", server.uri(), forge.api());
        assert!(
            out.stderr.contains(&format!(
                "error: GET {url}: HTTP 500: database is locked (the server failed)"
            )),
            "{forge:?}: {}",
            out.stderr
        );
        assert_eq!(issue_requests(&server).await, 2, "{forge:?}");
        server.verify().await;
    }
}

/// Names that are not OWNER/NAME, from a comment or a pending directive, never reach a URL:
/// no request, one note. 0 requests per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_references_make_no_request() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let workflow = without_docs()
            .replace(
                "# tracked in #12, flaky on arm64",
                "# see ../x#1, a/b/c#1 and %2e%2e/x#3",
            )
            .replace("pending #12", "pending ../y#4");
        let dir = repo(forge, &workflow, "[masks]\ntrackers = ['#\\d+']\n");
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(
            out.findings(),
            [row(
                "required-pending",
                "note",
                &ci(forge),
                15,
                "e2e",
                "`e2e` is pending required, tracked in ../y#4: not yet a gate"
            )],
            "{forge:?}"
        );
        assert!(
            out.stderr.contains(
                "gatelint: note: .: 4 tracker references are not read (only issues on the --server are): \
                 `../x#1` (not OWNER/NAME: refused, nothing requested), \
                 `a/b/c#1` (not OWNER/NAME: refused, nothing requested), \
                 `%2e%2e/x#3` (not OWNER/NAME: refused, nothing requested), \
                 `../y#4` (not OWNER/NAME: refused, nothing requested)\n"
            ),
            "{forge:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("read 0 trackers in 0 requests"),
            "{}",
            out.stderr
        );
        assert_eq!(issue_requests(&server).await, 0, "{forge:?}");
        server.verify().await;
    }
}

/// An issue URL on another host, a tracker key and an unmapped prefix are not read: one note
/// (none with `-q`), no request. 0 requests per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_hosts_and_keys_make_no_request() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let workflow = without_docs()
            .replace(
                "# tracked in #12, flaky on arm64",
                "# https://other.example/octo/app/issues/12 PROJ-123 zz#5",
            )
            .replace(
                "pending #12",
                "pending https://other.example/octo/app/issues/12",
            );
        let config = "[masks]\ntrackers = ['other\\.example']\n";
        let dir = repo(forge, &workflow, config);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(
            out.field("required-pending", "issue"),
            ["https://other.example/octo/app/issues/12"]
        );
        assert_eq!(out.findings().len(), 1, "{forge:?}");
        let host = server.uri();
        assert!(
            out.stderr.contains(&format!(
                "gatelint: note: .: 3 tracker references are not read (only issues on the --server are): \
                 `https://other.example/octo/app/issues/12` (on another host than {host}), \
                 `PROJ-123` (a tracker key, not an issue of this forge), \
                 `zz#5` (the prefix `zz` is not in `[masks] tracker-repos`)\n"
            )),
            "{forge:?}: {}",
            out.stderr
        );
        let quiet = check(&dir, &server, &["--trackers", "-q"]).await;
        assert_eq!(quiet.code, 0);
        assert_eq!(quiet.stderr, "", "{forge:?}");
        assert_eq!(issue_requests(&server).await, 0, "{forge:?}");
        server.verify().await;
    }
}

/// `[rules] tracker-closed = "warning"` applies to the findings (exit 0); `"off"` drops them
/// and, with no `max-age-days`, reads nothing. 2 requests, then 0, per forge.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_severities_apply() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let (created, _) = days_ago(300);
        let answer = closed(&created, "2026-10-01T08:00:00Z");
        issue(&server, forge, "octo/app", 12, answer.clone(), 1).await;
        issue(&server, forge, "octo/app", 14, answer, 1).await;
        let config = format!("{CONFIG}\n[rules]\ntracker-closed = \"warning\"\n");
        let dir = repo(forge, WORKFLOW, &config);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        let severities: Vec<(String, String)> =
            out.findings().into_iter().map(|f| (f.0, f.1)).collect();
        let closed = ("tracker-closed".to_owned(), "warning".to_owned());
        assert_eq!(
            severities,
            [
                closed.clone(),
                ("required-pending".to_owned(), "note".to_owned()),
                closed.clone(),
                closed
            ],
            "{forge:?}"
        );
        assert_eq!(issue_requests(&server).await, 2, "{forge:?}");
        server.verify().await;

        let server = forge_server(forge).await;
        let config = format!("{CONFIG}\n[rules]\ntracker-closed = \"off\"\n");
        let dir = repo(forge, WORKFLOW, &config);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.findings(), [pending_note(forge)]);
        assert_eq!(issue_requests(&server).await, 0, "{forge:?}");
        server.verify().await;
    }
}

/// Without `--trackers` nothing is read, whatever the config says. 0 requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_flag_nothing_is_read() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        let config = CONFIG.replace("[masks]\n", "[masks]\nmax-age-days = 1\n");
        let dir = repo(forge, WORKFLOW, &config);
        let out = check(&dir, &server, &[]).await;
        assert_eq!(out.code, 0, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert_eq!(out.findings(), [pending_note(forge)]);
        assert!(!out.stderr.contains("tracker"), "{}", out.stderr);
        assert_eq!(issue_requests(&server).await, 0, "{forge:?}");
        server.verify().await;
    }
}

/// Two roots naming the same trackers: each issue is read once in the run (the second root
/// finds it read), and both report it. 2 requests in all (Gitea).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tracker_is_read_once_per_run() {
    let server = forge_server(Forge::Gitea).await;
    let (created, _) = days_ago(300);
    let answer = closed(&created, "2026-10-01T08:00:00Z");
    issue(&server, Forge::Gitea, "octo/app", 12, answer.clone(), 1).await;
    issue(&server, Forge::Gitea, "octo/app", 14, answer, 1).await;
    let dir = tempfile::tempdir().expect("temp dir");
    for root in ["a", "b"] {
        let one = repo(Forge::Gitea, WORKFLOW, CONFIG);
        let to = dir.path().join(root);
        std::fs::rename(one.path(), &to).expect("move");
    }
    let out = check_roots(&dir, &["a", "b"], &server, &["--trackers"]).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let roots: Vec<String> = out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|f| f["rule"] == "tracker-closed")
        .map(|f| f["root"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(roots, ["a", "a", "a", "b", "b", "b"]);
    let counts: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("trackers in"))
        .collect();
    assert_eq!(counts.len(), 2, "{}", out.stderr);
    assert!(
        counts
            .iter()
            .any(|l| l.ends_with("read 2 trackers in 2 requests"))
            && counts
                .iter()
                .any(|l| l.ends_with("read 2 trackers in 0 requests")),
        "{}",
        out.stderr
    );
    assert_eq!(issue_requests(&server).await, 2);
    server.verify().await;
}

/// More than 200 distinct trackers in one repository: exit 2 before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_200_trackers_exit_2() {
    let server = forge_server(Forge::Gitea).await;
    let many: Vec<String> = (1..=201).map(|n| format!("#{n}")).collect();
    let workflow = without_docs().replace(
        "# tracked in #12, flaky on arm64",
        &format!("# {}", many.join(" ")),
    );
    let dir = repo(Forge::Gitea, &workflow, "[masks]\ntrackers = ['#\\d+']\n");
    let out = check(&dir, &server, &["--trackers"]).await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "error: .: masks and pending directives name 201 distinct trackers, more than the 200 gatelint reads for one repository with --trackers; nothing was requested"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(issue_requests(&server).await, 0);
    server.verify().await;
}

/// `--trackers` is a `check` option: `report` refuses it before reading anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_refuses_the_flag() {
    let server = forge_server(Forge::Gitea).await;
    let dir = repo(Forge::Gitea, WORKFLOW, CONFIG);
    let cwd = dir.path().to_owned();
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        Command::cargo_bin("gatelint")
            .expect("binary")
            .current_dir(cwd)
            .args([
                "report",
                ".",
                "--remote",
                "--server",
                &uri,
                "--repo",
                "octo/app",
                "--trackers",
            ])
            .env_remove("GATELINT_TOKEN")
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --trackers is an option of `gatelint check`\n"
    );
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        0
    );
}

/// A redirect (a transferred issue) is not followed: exit 2, saying where the issue went is
/// to be named instead; no finding is made up from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_tracker_is_exit_2() {
    for forge in FORGES {
        let server = forge_server(forge).await;
        issue(
            &server,
            forge,
            "octo/app",
            12,
            ResponseTemplate::new(301)
                .insert_header("location", "https://elsewhere.example/x/y/issues/1"),
            1,
        )
        .await;
        issue(
            &server,
            forge,
            "octo/app",
            14,
            ResponseTemplate::new(200)
                .set_body_json(json!({"state": "open", "created_at": "2026-11-01T00:00:00Z"})),
            0,
        )
        .await;
        let dir = repo(forge, WORKFLOW, CONFIG);
        let out = check(&dir, &server, &["--trackers"]).await;
        assert_eq!(out.code, 2, "{forge:?}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("HTTP 301") && out.stderr.contains("elsewhere.example"),
            "{forge:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{forge:?}");
    }
}
