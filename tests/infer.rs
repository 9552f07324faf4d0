//! `--remote` and `snapshot` without `--server` / `--repo` or CI variables: server and
//! repository come from the `origin` remote, and the token goes only to a server named
//! explicitly (issue 13, item 4).

mod common;

use std::path::Path;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "infer-token-5b1d";

/// The protection the mock serves: the three contexts of testdata/remote-gitea.
fn protection() -> String {
    std::fs::read_to_string(
        common::repo_root().join("testdata/mock-gitea/api/v1/repos/octo/app/branch_protections"),
    )
    .expect("the mock's protection")
}

/// A work tree holding testdata/remote-gitea's workflows, with `origin` set to `url`.
fn work_tree(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".gitea/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    for f in ["ci.yml", "lint.yml"] {
        std::fs::copy(
            common::repo_root()
                .join("testdata/remote-gitea/.gitea/workflows")
                .join(f),
            wf.join(f),
        )
        .expect("copy");
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["remote", "add", "origin", url]);
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

async fn run(dir: &Path, args: &[&str]) -> common::Output {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        common::run_secret(
            &dir,
            &args,
            &[("GATELINT_TOKEN", SECRET.to_owned())],
            SECRET,
        )
    })
    .await
    .expect("joins")
}

/// The Authorization headers the mock received, in order.
async fn authorizations(server: &MockServer) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap_or("?").to_owned())
        })
        .collect()
}

/// A Gitea under a sub-path, named only by `origin`: read anonymously, and said so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_and_repository_from_origin_without_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gitea/api/v1/repos/octo/app/branch_protections"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(protection(), "application/json"))
        .mount(&server)
        .await;
    let origin = format!("{}/gitea/octo/app.git", server.uri());
    let tree = work_tree(&origin);
    let out = run(
        tree.path(),
        &[
            "check",
            ".",
            "--remote",
            "--forge",
            "gitea",
            "--forge-version",
            "1.26",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "gatelint: server {}/gitea and repository octo/app inferred from the `origin` remote; requests are anonymous: the token is only sent to a server named by --server or GITHUB_SERVER_URL (or to https://github.com)\n",
            server.uri()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "gatelint: protection of octo/app branch `main` read from {}/gitea:",
            server.uri()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(authorizations(&server).await, [None]);

    // Named explicitly, the same server gets the token; the repository is still inferred.
    let out = run(
        tree.path(),
        &[
            "check",
            ".",
            "--remote",
            "--server",
            &format!("{}/gitea", server.uri()),
            "--forge",
            "gitea",
            "--forge-version",
            "1.26",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("gatelint: repository octo/app inferred from the `origin` remote\n"),
        "{}",
        out.stderr
    );
    assert_eq!(
        authorizations(&server).await,
        [None, Some(format!("token {SECRET}"))]
    );

    // The snapshot records where it was read.
    let out = run(
        tree.path(),
        &["snapshot", ".", "--remote", "--forge", "gitea"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let snap: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(snap["server"], format!("{}/gitea", server.uri()));
    assert_eq!(snap["repository"], "octo/app");
    assert_eq!(authorizations(&server).await.last(), Some(&None));
}

/// A server that wants a token, asked anonymously: the error says why no token was sent and
/// how to send it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_refusal_says_how_to_send_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(r#"{"message":"token is required"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    let tree = work_tree(&format!("{}/octo/app", server.uri()));
    let out = run(tree.path(), &["check", ".", "--remote", "--forge", "gitea"]).await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "an anonymous request (server {} and repository octo/app inferred from the `origin` remote, and the token is only sent to a server named by --server or GITHUB_SERVER_URL: name it to send the token) was rejected",
            server.uri()
        )),
        "{}",
        out.stderr
    );
    assert!(authorizations(&server).await.iter().all(Option::is_none));
}

/// `origin` on another server than --server names: its repository is not taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_on_another_server_is_not_read() {
    let tree = work_tree("git@git.example.com:octo/app.git");
    let out = run(
        tree.path(),
        &[
            "check",
            ".",
            "--remote",
            "--server",
            "http://127.0.0.1:9",
            "--forge",
            "gitea",
        ],
    )
    .await;
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: --remote needs the repository: give --repo OWNER/NAME (or set GITHUB_REPOSITORY); no `origin` remote on that server names one\n"
    );
    // No origin at all, on Gitea: the server is asked for.
    let tree = work_tree("/srv/git/app.git");
    let out = run(tree.path(), &["check", ".", "--remote", "--forge", "gitea"]).await;
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: --remote needs the gitea server: give --server URL (or set GITHUB_SERVER_URL, or add an `origin` remote that names it)\n"
    );
}

/// `origin` on github.com: the default server, which gets the token as it always did.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_com_from_origin_keeps_the_token() {
    let tree = work_tree("git@github.com:octo/app.git");
    let out = run(
        tree.path(),
        &[
            "check",
            ".",
            "--remote",
            "--forge",
            "github",
            "--retries",
            "0",
            "--timeout",
            "5",
        ],
    )
    .await;
    // Offline (or with a token GitHub rejects): exit 2 either way.
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "gatelint: server https://github.com and repository octo/app inferred from the `origin` remote\n"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("anonymous"), "{}", out.stderr);
}
