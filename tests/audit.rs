//! `gatelint audit` against a fake forge (tests/common/fake_forge.rs): pagination of the
//! repository list, repositories without workflows or protection, a 403 on one repository, a
//! rate limit in the middle (one budget for every worker), resume, shards and their merge,
//! `--save` / `--offline`, and the request counts per repository.

mod common;
#[path = "common/fake_forge.rs"]
mod fake_forge;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use fake_forge::{FakeForge, Kind, Repo};
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer};

use common::Output as Out;

const TOKEN: &str = "gl-audit-token-71c2";

const CI: &str = "name: CI\non: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
const FLAKY: &str = "name: CI\non: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    if: github.actor != 'dependabot[bot]'\n    steps:\n      - run: make test\n";
const BUILD: &str = "name: CI\non: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n";

/// The organisation `acme`: one repository of each kind, and `fillers` more without
/// workflows or protection (to make the list span pages).
fn acme(fillers: usize) -> Vec<Repo> {
    let mut repos = vec![
        Repo::new("acme/app")
            .file(".github/workflows/ci.yml", CI)
            .requires(&["test"]),
        Repo::new("acme/docs").file(".github/workflows/ci.yml", CI),
        Repo::new("acme/legacy")
            .file(".github/workflows/ci.yml", BUILD)
            .requires(&["travis-ci"]),
        Repo::new("acme/flaky")
            .file(".github/workflows/ci.yml", FLAKY)
            .requires(&["test"]),
        Repo::new("acme/external").requires(&["jenkins"]),
        Repo {
            forbidden: true,
            ..Repo::new("acme/secret").file(".github/workflows/ci.yml", CI)
        },
        Repo {
            archived: true,
            ..Repo::new("acme/old").file(".github/workflows/ci.yml", CI)
        },
        Repo {
            fork: true,
            ..Repo::new("acme/fork-of-x").file(".github/workflows/ci.yml", CI)
        },
    ];
    for i in 0..fillers {
        repos.push(Repo::new(&format!("acme/filler-{i:03}")));
    }
    repos
}

async fn start(forge: FakeForge) -> (MockServer, Arc<FakeForge>) {
    let server = MockServer::start().await;
    if let Ok(mut u) = forge.uri.lock() {
        *u = server.uri();
    }
    let forge = Arc::new(forge);
    Mock::given(any())
        .respond_with(SharedForge(Arc::clone(&forge)))
        .mount(&server)
        .await;
    (server, forge)
}

/// The responder, shared with the test that reads its counts.
struct SharedForge(Arc<FakeForge>);

impl wiremock::Respond for SharedForge {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        self.0.respond(request)
    }
}

async fn audit(server: &MockServer, extra: &[&str]) -> Out {
    let uri = server.uri();
    let base = ["audit", "--org", "acme", "--server", &uri, "--retries", "2"];
    run(args(&[&base[..], extra].concat())).await
}

/// A command line of borrowed pieces.
fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The run exited with `code` and said `text` on standard error.
fn says(out: &Out, code: i32, text: &str) {
    assert_eq!(out.code, code, "{}", out.stderr);
    assert!(out.stderr.contains(text), "{}", out.stderr);
}

async fn run(args: Vec<String>) -> Out {
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

fn repositories(out: &Out) -> Vec<Value> {
    out.json()["repositories"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn by_name<'a>(repos: &'a [Value], name: &str) -> &'a Value {
    repos
        .iter()
        .find(|r| r["repository"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the output"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_over_pages_a_line_per_repository_and_a_summary() {
    let (server, forge) = start(FakeForge::new(Kind::Github, "acme", acme(112))).await;
    let out = audit(&server, &["--jobs", "4"]).await;
    // acme/secret answered 403: the audit did not see everything.
    assert_eq!(out.code, 2, "{}", out.stderr);
    // 120 repositories: two pages of the list.
    assert_eq!(forge.requests_for("(list)"), 2);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("acme/app (main): gated by 1 job; 0 errors, 0 warnings")
    );
    let line = |prefix: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .copied()
            .unwrap_or_else(|| panic!("no line for {prefix}:\n{}", out.stdout))
    };
    assert_eq!(
        line("acme/docs "),
        "acme/docs (main): unprotected (no branch protection or ruleset requires a status check); 0 errors, 0 warnings"
    );
    assert!(
        line("acme/legacy ").starts_with(
            "acme/legacy (main): gates nothing: no workflow job posts a required check; 1 error, 0 warnings; worst: protection-orphaned"
        ),
        "{}",
        out.stdout
    );
    assert!(
        line("acme/flaky ").starts_with(
            "acme/flaky (main): gates nothing: every required job can pass vacuously; 0 errors, 1 warning; worst: required-skippable (.github/workflows/ci.yml:6): required job `test` has `if: github.actor != 'dependabot[bot]'`"
        ),
        "{}",
        out.stdout
    );
    assert!(
        line("acme/external ").starts_with(
            "acme/external (main): gates nothing: no workflow job posts a required check; 1 error"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(line("acme/old"), "acme/old: skipped (archived)");
    assert_eq!(line("acme/fork-of-x"), "acme/fork-of-x: skipped (fork)");
    assert!(
        line("acme/secret")
            .starts_with("acme/secret: could not be audited: POST http://127.0.0.1:")
            && line("acme/secret").ends_with(
                "/api/graphql: repository acme/secret: Resource not accessible by integration"
            ),
        "{}",
        out.stdout
    );
    // In name order, every repository once.
    let names: Vec<&str> = lines
        .iter()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split([' ', ':']).next())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 120);
    assert!(
        out.stdout.contains(
            "gatelint audit of org acme on http://127.0.0.1:"
        ) && out.stdout.contains(
            ": 117 checked of 120 repositories; 2 skipped: 1 archived, 1 fork; 1 could not be read (exit 2: the audit did not see everything)\n  gated: 1 · unprotected: 113 · gates nothing: 3 (no job posts a required check: 2; every required job vacuous: 1) · undecided: 0\n  findings: 2 errors, 1 warning, 0 notes (2 with errors); 0 use bp-required directives; 120 API requests\n"
        ),
        "{}",
        out.stdout
    );
    // Skipped repositories cost no request; every other one a GraphQL query.
    assert_eq!(forge.requests_for("acme/old"), 0);
    assert_eq!(forge.requests_for("acme/filler-000"), 1);
    assert_eq!(forge.requests_for("acme/app"), 1);
    assert_eq!(forge.total(), 2 + 117 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_rest_three_requests_and_one_per_file() {
    let (server, forge) = start(FakeForge::new(Kind::Github, "acme", acme(3))).await;
    let graphql = audit(&server, &["--format", "json"]).await;
    let before = forge.total();
    let out = audit(&server, &["--rest", "--format", "json"]).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    // A filler: its workflows folder (404), classic protection (404) and the rules of the
    // branch: 3; acme/app: the same 3 and its one file.
    assert_eq!(forge.requests_for("acme/filler-000"), 1 + 3);
    assert_eq!(forge.requests_for("acme/app"), 1 + 4);
    // The list; three fillers; app, docs, legacy, flaky with one file; external without
    // workflows; secret's first request.
    assert_eq!(forge.total() - before, 1 + 3 * 3 + 4 * 4 + 3 + 1);
    // The same findings and postures either way.
    let strip = |v: &Value| {
        let mut v = v.clone();
        v["requests"] = Value::Null;
        v["protection"] = Value::Null;
        v["reason"] = Value::Null;
        v
    };
    let a: Vec<Value> = repositories(&graphql).iter().map(strip).collect();
    let b: Vec<Value> = repositories(&out).iter().map(strip).collect();
    assert_eq!(a, b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_jsonl_say_the_same_per_repository() {
    let (server, _forge) = start(FakeForge::new(Kind::Github, "acme", acme(0))).await;
    let out = audit(&server, &["--format", "json"]).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["kind"], "gatelint-audit");
    assert_eq!(doc["forge"], "github");
    assert_eq!(doc["scope"], "org acme");
    let repos = repositories(&out);
    assert_eq!(repos.len(), 8);
    let app = by_name(&repos, "acme/app");
    assert_eq!(app["status"], "checked");
    assert_eq!(app["posture"], "gated");
    assert_eq!(app["required"], 1);
    assert_eq!(app["gates"], 1);
    assert_eq!(app["requests"], 1);
    let flaky = by_name(&repos, "acme/flaky");
    assert_eq!(flaky["posture"], "vacuous-only");
    assert_eq!(flaky["findings"][0]["rule"], "required-skippable");
    assert_eq!(flaky["findings"][0]["context"], "test");
    assert_eq!(flaky["findings"][0]["root"], "acme/flaky");
    assert_eq!(flaky["findings"][0]["file"], ".github/workflows/ci.yml");
    assert_eq!(by_name(&repos, "acme/secret")["status"], "failed");
    assert_eq!(by_name(&repos, "acme/old")["reason"], "archived");
    assert_eq!(doc["summary"]["failed"], 1);
    assert_eq!(doc["summary"]["gated"], 1);
    assert_eq!(doc["summary"]["vacuous-only"], 1);
    assert_eq!(doc["summary"]["orphaned-only"], 2);
    // The document matches schemas/audit.schema.json, and each repository's findings are
    // check's (schemas/check.schema.json).
    let errors = common::schema_errors("audit.schema.json", &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    for r in &repos {
        let as_check = serde_json::json!({
            "version": 1, "forge": "github", "branch": r["branch"], "findings": r["findings"],
            "summary": {"errors": 0, "warnings": 0, "notes": 0, "workflows": 0, "jobs": 0},
        });
        let errors = common::schema_errors("check.schema.json", &as_check);
        assert!(errors.is_empty(), "{}: {errors:#?}", r["repository"]);
    }
    let mut broken = doc.clone();
    broken["repositories"][0]["posture"] = serde_json::json!("fine");
    assert!(!common::schema_errors("audit.schema.json", &broken).is_empty());

    let lines = audit(&server, &["--format", "jsonl"]).await;
    assert_eq!(lines.code, 2);
    let objects: Vec<Value> = lines
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(objects.len(), 9);
    assert_eq!(objects[8]["kind"], "gatelint-audit-summary");
    assert_eq!(objects[8]["summary"], doc["summary"]);
    // The same objects, the request counts aside.
    let strip = |v: &Value| {
        let mut v = v.clone();
        v["requests"] = Value::Null;
        v
    };
    let a: Vec<Value> = repos.iter().map(strip).collect();
    let b: Vec<Value> = objects[..8].iter().map(strip).collect();
    assert_eq!(a, b);

    // SARIF: one run per repository not skipped; markdown: a row each.
    let sarif = audit(&server, &["--format", "sarif"]).await;
    let runs = sarif.json()["runs"].as_array().cloned().unwrap_or_default();
    assert_eq!(runs.len(), 6);
    let legacy = runs
        .iter()
        .find(|r| r["automationDetails"]["id"] == "gatelint-audit/acme/legacy/")
        .expect("a run for acme/legacy");
    assert_eq!(legacy["results"][0]["ruleId"], "protection-orphaned");
    let md = audit(&server, &["--format", "markdown"]).await;
    assert!(md.stdout.contains("| `acme/flaky` | `main` | gates nothing: every required job can pass vacuously | 1 | 0 | 1 | `required-skippable`: "), "{}", md.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_in_the_middle_pauses_every_worker() {
    // Enough work, at 25 ms an answer, that six workers are still busy a second after the
    // rate limit.
    let mut forge = FakeForge::new(Kind::Github, "acme", acme(60));
    forge.rate_limit_at = Some(12);
    forge.latency = Some(Duration::from_millis(25));
    let (server, forge) = start(forge).await;
    let out = audit(&server, &["--jobs", "6", "--format", "json"]).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(repositories(&out).len(), 68);
    let failed: Vec<String> = repositories(&out)
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| r["repository"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(failed, vec!["acme/secret".to_owned()]);
    let limited = forge
        .limited_at
        .lock()
        .ok()
        .and_then(|t| *t)
        .expect("the rate limit was answered");
    // One budget: after the 429 asking for a second, no worker sent anything for a second
    // (six workers with budgets of their own would have gone on at once).
    let times = forge.times.lock().map(|t| t.clone()).unwrap_or_default();
    // (A request already on its way when the 429 was answered may still arrive just after.)
    let during = times
        .iter()
        .filter(|t| {
            **t > limited
                && t.duration_since(limited) > Duration::from_millis(200)
                && t.duration_since(limited) < Duration::from_millis(900)
        })
        .count();
    assert_eq!(during, 0, "requests sent during the pause");
    assert!(
        out.stderr
            .contains("the server asked to wait 1 times (rate limits): every worker waited"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_refetches_nothing_finished() {
    let (server, forge) = start(FakeForge::new(Kind::Github, "acme", acme(10))).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.jsonl");
    let state_arg = state.to_string_lossy().into_owned();
    let first = audit(&server, &["--state", &state_arg, "--format", "json"]).await;
    assert_eq!(first.code, 2);
    let after_first = forge.total();
    // Interrupted while writing: the last line cut short.
    let text = std::fs::read_to_string(&state).expect("state written");
    assert_eq!(
        text.lines().count(),
        1 + 17,
        "a head and every finished repository"
    );
    std::fs::write(&state, format!("{}{{\"repository\": \"acme/fil", text)).expect("writes");
    let second = audit(&server, &["--state", &state_arg, "--format", "json"]).await;
    says(&second, 2, "17 repositories finished in an earlier run");
    // Only the list and the repository that could not be read were fetched again.
    let again = forge.total() - after_first;
    assert_eq!(again, 1 + 1, "the list, and acme/secret's first request");
    assert_eq!(repositories(&first), repositories(&second));
    // A third run resumes the second's state as well; an empty state file is a new one.
    let third = audit(&server, &["--state", &state_arg, "--format", "json"]).await;
    assert_eq!(third.code, 2, "{}", third.stderr);
    assert_eq!(repositories(&third), repositories(&first));
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").expect("writes");
    let empty_arg = empty.to_string_lossy().into_owned();
    for _ in 0..2 {
        let out = audit(&server, &["--state", &empty_arg, "--format", "json"]).await;
        assert_eq!(out.code, 2, "{}", out.stderr);
    }
    // Another audit's state is refused, not resumed.
    let other = run(args(&[
        "audit",
        "--org",
        "acme",
        "--server",
        &server.uri(),
        "--forge",
        "gitea",
        "--state",
        &state_arg,
    ]))
    .await;
    says(&other, 2, "it is the state of another audit (github on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_cover_every_repository_once_and_merge_into_the_whole() {
    let (server, _forge) = start(FakeForge::new(Kind::Github, "acme", acme(40))).await;
    let whole = audit(&server, &["--format", "json"]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = audit(&server, &["--shard", &shard, "--format", "json"]).await;
        assert_eq!(out.json()["shard"], shard);
        for r in repositories(&out) {
            seen.push(r["repository"].as_str().unwrap_or("").to_owned());
        }
        let file = dir.path().join(format!("shard-{k}.json"));
        std::fs::write(&file, &out.stdout).expect("writes");
        files.push(file.to_string_lossy().into_owned());
    }
    let all: BTreeSet<String> = repositories(&whole)
        .iter()
        .map(|r| r["repository"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(seen.len(), all.len(), "no repository in two shards");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), all);

    let mut merge = vec!["audit".to_owned(), "--merge".to_owned()];
    merge.extend(files.iter().cloned());
    merge.extend(["--format".to_owned(), "json".to_owned()]);
    let merged = run(merge).await;
    assert_eq!(merged.code, 2, "a shard saw a repository it could not read");
    assert_eq!(repositories(&merged), repositories(&whole));
    // The same summary, but each shard listed the organisation once.
    let summary = |out: &Out| {
        let mut s = out.json()["summary"].clone();
        s["requests"] = Value::Null;
        s["list-requests"] = Value::Null;
        s
    };
    assert_eq!(summary(&merged), summary(&whole));
    assert_eq!(merged.json()["summary"]["list-requests"], 3);

    // Shards that do not cover every repository, and a shard cut short, are refused.
    let partial = run(args(&["audit", "--merge", &files[0], &files[2]])).await;
    says(
        &partial,
        2,
        "shard 2/3 of 3 missing: the merge would not cover every repository",
    );
    let lines = audit(&server, &["--shard", "1/3", "--format", "jsonl"]).await;
    let cut: String = lines
        .stdout
        .lines()
        .take(3)
        .map(|l| format!("{l}\n"))
        .collect();
    let cut_file = dir.path().join("cut.jsonl");
    std::fs::write(&cut_file, cut).expect("writes");
    let cut = run(args(&["audit", "--merge", &cut_file.to_string_lossy()])).await;
    says(
        &cut,
        2,
        "no summary line at the end: the audit that wrote it did not finish",
    );
    // Text read back is shown escaped.
    let hostile = dir.path().join("hostile.jsonl");
    std::fs::write(
        &hostile,
        "{\"repository\":\"acme/x\",\"status\":\"checked\",\"errors\":1,\"worst\":{\"rule\":\"x\\u001b]0;PWNED\\u0007\",\"severity\":\"error\",\"message\":\"m\\u001b[2J\"}}\n{\"kind\":\"gatelint-audit-summary\"}\n",
    )
    .expect("writes");
    let shown = run(args(&["audit", "--merge", &hostile.to_string_lossy()])).await;
    assert_eq!(shown.code, 1, "{}", shown.stderr);
    assert!(
        !shown.stdout.contains('\u{1b}') && !shown.stdout.contains('\u{7}'),
        "{:?}",
        shown.stdout
    );
    // A shard merged twice overlaps.
    let twice = run(args(&["audit", "--merge", &files[0], &files[0]])).await;
    says(&twice, 2, "the shards overlap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_then_offline_says_the_same() {
    let (server, _forge) = start(FakeForge::new(Kind::Github, "acme", acme(2))).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let save = dir.path().join("saved");
    let save_arg = save.to_string_lossy().into_owned();
    let live = audit(&server, &["--save", &save_arg, "--format", "json"]).await;
    assert_eq!(live.code, 2);
    assert!(
        save.join("repos/acme/app/.github/workflows/ci.yml")
            .is_file()
    );
    assert!(save.join("protection/acme/app.json").is_file());
    let offline = run(args(&["audit", "--offline", &save_arg, "--format", "json"])).await;
    // The same findings; the repository that could not be read is still one the audit did
    // not see (exit 2).
    assert_eq!(offline.code, 2, "{}", offline.stderr);
    let strip = |v: &Value| {
        let mut v = v.clone();
        v["requests"] = Value::Null;
        v["protection"] = Value::Null;
        v
    };
    let live_repos: Vec<Value> = repositories(&live).iter().map(strip).collect();
    let offline_repos: Vec<Value> = repositories(&offline).iter().map(strip).collect();
    assert_eq!(live_repos, offline_repos);

    // A saved repository's folder replaced by a symbolic link is not read through.
    let app = save.join("repos/acme/app");
    std::fs::remove_dir_all(&app).expect("removes");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(elsewhere.join(".github/workflows")).expect("mkdir");
    std::fs::write(elsewhere.join(".github/workflows/ci.yml"), BUILD).expect("writes");
    std::os::unix::fs::symlink(&elsewhere, &app).expect("links");
    let linked = run(args(&[
        "audit",
        "--offline",
        &save.to_string_lossy(),
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(linked.code, 2);
    let app = by_name(&repositories(&linked), "acme/app").clone();
    assert_eq!(app["status"], "failed");
    assert!(
        app["reason"].as_str().is_some_and(
            |r| r.ends_with("`.github/workflows/ci.yml` is missing or not a regular file")
        ),
        "{app}"
    );
}

fn gitea_repos(ci: &str) -> Vec<Repo> {
    vec![
        Repo::new("acme/app")
            .file(".gitea/workflows/ci.yml", ci)
            .file(".gitea/workflows/lint.yaml", ci)
            .requires(&["CI / test (pull_request)"]),
        Repo::new("acme/gh-folder")
            .file(".github/workflows/ci.yml", ci)
            .requires(&["CI / test (pull_request)", "CI / gone (pull_request)"]),
        Repo::new("acme/bare"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitea_reads_the_contents_api_and_branch_protections() {
    let gitea_ci = "name: CI\non: pull_request\njobs:\n  test:\n    runs-on: docker\n    steps:\n      - run: make test\n";
    let (server, forge) = start(FakeForge::new(Kind::Gitea, "acme", gitea_repos(gitea_ci))).await;
    let out = audit(
        &server,
        &["--forge", "gitea", "--format", "json", "--jobs", "1"],
    )
    .await;
    assert_eq!(out.code, 1, "{}{}", out.stderr, out.stdout);
    let repos = repositories(&out);
    assert_eq!(by_name(&repos, "acme/app")["posture"], "gated");
    assert_eq!(by_name(&repos, "acme/app")["workflows"], 2);
    assert_eq!(by_name(&repos, "acme/gh-folder")["posture"], "gated");
    assert_eq!(
        by_name(&repos, "acme/gh-folder")["findings"][0]["rule"],
        "protection-orphaned"
    );
    assert_eq!(by_name(&repos, "acme/bare")["posture"], "unprotected");
    // One listing, the files, branch_protections: 2 + files; a repository whose workflows
    // are in .github/workflows costs the listing of .gitea/workflows too. The first
    // repository also found out that this server has no file-contents (one request).
    assert_eq!(forge.requests_for("acme/app"), 2 + 2 + 1);
    assert_eq!(forge.requests_for("acme/gh-folder"), 3 + 1);
    assert_eq!(forge.requests_for("acme/bare"), 3);
    // A server with file-contents (Gitea 1.24) reads a folder's files in one request, here
    // one file a request at most: acme/app's two files cost two.
    let mut with_ext = FakeForge::new(Kind::Gitea, "acme", gitea_repos(gitea_ci));
    with_ext.file_contents = Some(1);
    let (ext_server, ext_forge) = start(with_ext).await;
    let ext_out = audit(
        &ext_server,
        &["--forge", "gitea", "--format", "json", "--jobs", "1"],
    )
    .await;
    assert_eq!(ext_out.code, 1, "{}", ext_out.stderr);
    // The same findings (those about protection point at the API answer, on each server).
    let strip = |v: &Value, uri: &str| {
        let mut v = v.clone();
        v["requests"] = Value::Null;
        serde_json::from_str::<Value>(&v.to_string().replace(uri, "SERVER")).expect("JSON")
    };
    let a: Vec<Value> = repositories(&out)
        .iter()
        .map(|v| strip(v, &server.uri()))
        .collect();
    let b: Vec<Value> = repositories(&ext_out)
        .iter()
        .map(|v| strip(v, &ext_server.uri()))
        .collect();
    assert_eq!(a, b);
    // acme/app: its folder, its two files (answered one a request), branch_protections;
    // acme/bare: two folders that do not exist, branch_protections; acme/gh-folder:
    // .gitea/workflows missing, .github/workflows, its file, branch_protections.
    assert_eq!(ext_forge.requests_for("acme/app"), 1 + 2 + 1);
    assert_eq!(ext_forge.requests_for("acme/bare"), 3);
    assert_eq!(ext_forge.requests_for("acme/gh-folder"), 2 + 1 + 1);
    // Gitea needs the server.
    let no_server = run(args(&["audit", "--org", "acme", "--forge", "gitea"])).await;
    says(
        &no_server,
        2,
        "audit on gitea needs the server: give --server URL",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_of_repositories_and_bad_usage() {
    let (server, forge) = start(FakeForge::new(Kind::Github, "acme", acme(0))).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("repos.txt");
    std::fs::write(&list, "# ours\nacme/app\nacme/old  # archived, but named\n").expect("writes");
    let out = run(args(&[
        "audit",
        "--repos",
        &list.to_string_lossy(),
        "--server",
        &server.uri(),
    ]))
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("acme/app (main): gated by 1 job; 0 errors, 0 warnings\nacme/old (main): unprotected (no branch protection or ruleset requires a status check); 0 errors, 0 warnings\n"), "{}", out.stdout);
    assert_eq!(forge.requests_for("(list)"), 0);
    // One query, which reads the default branch too.
    assert_eq!(forge.requests_for("acme/app"), 1);

    std::fs::write(&list, "acme/app\n../etc/passwd\n").expect("writes");
    let bad = run(args(&[
        "audit",
        "--repos",
        &list.to_string_lossy(),
        "--server",
        &server.uri(),
    ]))
    .await;
    says(&bad, 2, "line 2: `../etc/passwd` is not OWNER/NAME");
    // A list with no repository is not a clean audit.
    std::fs::write(&list, "# nothing yet\n").expect("writes");
    let empty = run(args(&[
        "audit",
        "--repos",
        &list.to_string_lossy(),
        "--server",
        &server.uri(),
    ]))
    .await;
    says(
        &empty,
        2,
        ": no repository to audit (none listed, or none the token can see)",
    );
    let shard = run(args(&["audit", "--org", "acme", "--shard", "4/3"])).await;
    says(&shard, 2, "`4/3` is not K/N with 1 ≤ K ≤ N");
}

/// A repository under classic protection and four rulesets: one of the repository that
/// applies, one of the organisation in evaluate mode, one for release branches only, and one
/// of the organisation with a merge queue and bypass actors.
fn ruled() -> Repo {
    use fake_forge::Ruleset;
    let ci = "name: CI\non: [pull_request, merge_group]\njobs:\n  # bp-required: yes\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n  # bp-required: yes\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make lint\n  # bp-required: yes\n  e2e:\n    runs-on: ubuntu-latest\n    if: github.actor != 'dependabot[bot]'\n    steps:\n      - run: make e2e\n  # bp-exempt: docs only\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make docs\n";
    Repo {
        rulesets: vec![
            Ruleset {
                id: 42,
                name: "main checks".into(),
                enforcement: "active".into(),
                include: vec!["~DEFAULT_BRANCH".into()],
                checks: vec![("lint".into(), Some(15368))],
                bypass: Some(vec![("RepositoryRole".into(), Some(5), "always".into())]),
                ..Ruleset::default()
            },
            Ruleset {
                id: 73,
                name: "security".into(),
                org: Some("acme".into()),
                enforcement: "evaluate".into(),
                include: vec!["~ALL".into()],
                checks: vec![("security/scan".into(), None)],
                bypass: None,
                ..Ruleset::default()
            },
            Ruleset {
                id: 80,
                name: "releases".into(),
                enforcement: "active".into(),
                include: vec!["refs/heads/release/*".into()],
                checks: vec![("release-check".into(), None)],
                bypass: Some(Vec::new()),
                ..Ruleset::default()
            },
            Ruleset {
                id: 90,
                name: "queue".into(),
                org: Some("acme".into()),
                enforcement: "active".into(),
                include: vec!["~ALL".into()],
                checks: vec![("e2e".into(), None)],
                merge_queue: true,
                bypass: Some(vec![
                    ("OrganizationAdmin".into(), Some(1), "pull_request".into()),
                    ("Integration".into(), Some(999), "always".into()),
                ]),
                ..Ruleset::default()
            },
        ],
        ..Repo::new("acme/ruled")
            .file(".github/workflows/ci.yml", ci)
            .requires(&["test"])
    }
}

/// What a finding says, wherever it was found.
fn said(findings: &Value) -> Vec<Value> {
    findings
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            serde_json::json!([
                f["rule"],
                f["severity"],
                f["message"],
                f["context"],
                f["job"],
                f["file"],
                f["line"]
            ])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_graphql_query_reads_what_check_remote_reads_over_rest() {
    let repo = ruled();
    let files = repo.files.clone();
    let (server, forge) = start(FakeForge::new(Kind::Github, "acme", vec![repo])).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let save = dir.path().join("saved");
    let out = audit(
        &server,
        &["--format", "json", "--save", &save.to_string_lossy()],
    )
    .await;
    // Warnings only: the evaluate-mode ruleset, an unpinned check, a skippable job.
    assert_eq!(out.code, 0, "{}{}", out.stderr, out.stdout);
    assert_eq!(forge.requests_for("acme/ruled"), 1, "one query");
    let audited = by_name(&repositories(&out), "acme/ruled").clone();
    assert_eq!(audited["adopted"], true);
    // Of three warnings, the worst is the one that leaves a gate vacuous.
    assert_eq!(audited["worst"]["rule"], "required-skippable");
    assert_eq!(audited["findings"][0]["rule"], "protection-not-enforced");

    // `check --remote` over REST on a clone of the same files.
    let clone = dir.path().join("clone");
    for (path, text) in &files {
        let p = clone.join(path);
        std::fs::create_dir_all(p.parent().expect("a folder")).expect("mkdir");
        std::fs::write(p, text).expect("writes");
    }
    let clone_arg = clone.to_string_lossy().into_owned();
    let check = run(args(&[
        "check",
        &clone_arg,
        "--remote",
        "--server",
        &server.uri(),
        "--repo",
        "acme/ruled",
        "--forge",
        "github",
        "--format",
        "json",
    ]))
    .await;
    assert_eq!(check.code, 0, "{}", check.stderr);
    let rest = said(&check.json()["findings"]);
    assert_eq!(said(&audited["findings"]), rest);
    // What the rulesets make of it: the evaluate-mode ruleset and the bypass for everyone
    // of an app are found both ways.
    let rules: Vec<&str> = audited["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"protection-not-enforced"), "{rules:?}");
    assert!(rules.contains(&"required-skippable"), "{rules:?}");

    // The snapshot audit saved is the one `snapshot --remote` writes, but for where it was
    // read and when.
    let snap = run(args(&[
        "snapshot",
        &clone_arg,
        "--remote",
        "--server",
        &server.uri(),
        "--repo",
        "acme/ruled",
        "--forge",
        "github",
    ]))
    .await;
    assert_eq!(snap.code, 0, "{}", snap.stderr);
    let strip = |text: &str| {
        let mut v: Value = serde_json::from_str(text).expect("a snapshot");
        for k in ["source", "fetched-at"] {
            v[k] = Value::Null;
        }
        v
    };
    let saved = std::fs::read_to_string(save.join("protection/acme/ruled.json")).expect("saved");
    assert_eq!(strip(&saved), strip(&snap.stdout));
    assert_eq!(
        strip(&saved)["merge-queue"],
        "organisation ruleset 90 of acme"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_graphql_truncates_is_read_again() {
    let repo = Repo {
        truncate_over: Some(40),
        ..Repo::new("acme/app")
            .file(".github/workflows/ci.yml", CI)
            .requires(&["test"])
    };
    let (server, forge) = start(FakeForge::new(Kind::Github, "acme", vec![repo])).await;
    let out = audit(&server, &["--format", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let app = by_name(&repositories(&out), "acme/app").clone();
    assert_eq!(app["posture"], "gated");
    assert_eq!(app["findings"], serde_json::json!([]));
    // The query, and the contents API for the truncated file.
    assert_eq!(forge.requests_for("acme/app"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_that_blocks_is_still_a_gate() {
    // Path-filtered: a pull request the filter leaves out waits for the check (it blocks, it
    // does not pass quietly). Skippable: a skipped job passes.
    let paths = "name: CI\non:\n  pull_request:\n    paths: ['src/**']\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";
    let repos = vec![
        Repo::new("acme/paths")
            .file(".github/workflows/ci.yml", paths)
            .requires(&["test"]),
        Repo::new("acme/skips")
            .file(".github/workflows/ci.yml", FLAKY)
            .requires(&["test"]),
    ];
    let (server, _forge) = start(FakeForge::new(Kind::Github, "acme", repos)).await;
    let out = audit(&server, &["--format", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let repos = repositories(&out);
    let p = by_name(&repos, "acme/paths");
    assert_eq!(p["posture"], "gated");
    assert_eq!(p["worst"]["rule"], "required-path-filtered");
    assert_eq!(by_name(&repos, "acme/skips")["posture"], "vacuous-only");
}
