//! What the forge posted on a commit (issue 12): the statuses reader against local API
//! servers (wiremock). Pagination, the latest state per context, check runs of other apps,
//! refused next pages, errors without the token, and request counts.

use gatelint::forge::Forge;
use gatelint::forge::source::http::Limits;
use gatelint::forge::source::statuses::{self, Poster, Statuses};
use gatelint::forge::source::{RemoteError, RemoteSpec, Secret};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "gl-secret-token-5f0c9e2a7b";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn spec(forge: Forge, server: &MockServer) -> RemoteSpec {
    let api = match forge {
        Forge::Github => server.uri(),
        _ => format!("{}/api/v1", server.uri()),
    };
    RemoteSpec {
        forge,
        server: server.uri(),
        api,
        owner: "acme".to_owned(),
        repo: "app".to_owned(),
        branch: "main".to_owned(),
        token: Some(Secret::new(TOKEN.to_owned())),
        token_source: Some("GATELINT_TOKEN"),
        limits: Limits {
            retries: 0,
            ..Limits::default()
        },
        inferred: None,
        budget: None,
    }
}

/// `statuses::fetch` off the runtime that serves the mock (it runs its own).
async fn fetch(spec: RemoteSpec, sha: &'static str) -> Result<Statuses, RemoteError> {
    tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || statuses::fetch(&spec, sha))
            .join()
            .expect("the reader does not panic")
    })
    .await
    .expect("the blocking task runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn gitea_statuses_all_pages_latest_per_context() {
    let server = MockServer::start().await;
    let base = format!("/api/v1/repos/acme/app/commits/{SHA}/statuses");
    let next = format!("{}{base}?limit=50&page=2", server.uri());
    Mock::given(method("GET"))
        .and(path(base.clone()))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 3, "context": "CI / build (pull_request)", "status": "pending"},
        ])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(base))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", format!("<{next}>; rel=\"next\"").as_str())
                .set_body_json(json!([
                    {"id": 7, "context": "CI / build (pull_request)", "status": "failure",
                     "target_url": "https://gitea.example/acme/app/actions/runs/9"},
                    {"id": 5, "context": "CI / lint (pull_request)", "status": "success"},
                ])),
        )
        .mount(&server)
        .await;
    let got = fetch(spec(Forge::Gitea, &server), SHA).await.expect("read");
    assert_eq!(got.requests, 2);
    // id 7 is later than id 3: the build failed after it was pending.
    let build = got.get("CI / build (pull_request)").expect("build");
    assert_eq!(build.state, "failure");
    assert_eq!(
        build.url.as_deref(),
        Some("https://gitea.example/acme/app/actions/runs/9")
    );
    assert_eq!(
        got.get("CI / lint (pull_request)")
            .map(|p| p.state.as_str()),
        Some("success")
    );
    assert_eq!(got.posted.len(), 2);
    assert!(got.settled());
}

#[tokio::test(flavor = "multi_thread")]
async fn github_check_runs_of_every_app_and_statuses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/app/commits/{SHA}/check-runs")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total_count": 3,
            "check_runs": [
                {"id": 1, "name": "build", "status": "completed", "conclusion": "success",
                 "app": {"slug": "github-actions"}},
                {"id": 2, "name": "test", "status": "queued", "conclusion": null,
                 "app": {"slug": "github-actions"}},
                {"id": 3, "name": "build", "status": "completed", "conclusion": "failure",
                 "app": {"slug": "other-ci"}},
            ]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/acme/app/commits/{SHA}/status")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "state": "pending",
            "statuses": [{"context": "cla", "state": "success", "target_url": null}]
        })))
        .mount(&server)
        .await;
    let got = fetch(spec(Forge::Github, &server), SHA)
        .await
        .expect("read");
    assert_eq!(got.requests, 2);
    let states: Vec<(&str, &str, Poster)> = got
        .posted
        .iter()
        .map(|p| (p.context.as_str(), p.state.as_str(), p.poster.clone()))
        .collect();
    assert_eq!(
        states,
        [
            (
                "build",
                "success",
                Poster::CheckRun {
                    app: Some("github-actions".to_owned())
                }
            ),
            (
                "test",
                "pending",
                Poster::CheckRun {
                    app: Some("github-actions".to_owned())
                }
            ),
            (
                "build",
                "failure",
                Poster::CheckRun {
                    app: Some("other-ci".to_owned())
                }
            ),
            ("cla", "success", Poster::Status),
        ]
    );
    // A queued run posts `pending`: posted, not settled.
    assert!(!got.settled());
}

#[tokio::test(flavor = "multi_thread")]
async fn next_page_on_another_origin_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/repos/acme/app/commits/{SHA}/statuses"
        )))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", "<https://evil.example/steal?page=2>; rel=\"next\"")
                .set_body_json(json!([])),
        )
        .mount(&server)
        .await;
    let err = fetch(spec(Forge::Forgejo, &server), SHA)
        .await
        .expect_err("refused");
    assert!(
        err.message.contains("refusing to follow it"),
        "{}",
        err.message
    );
    assert!(!err.message.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_name_the_need_never_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "forbidden"})))
        .mount(&server)
        .await;
    let err = fetch(spec(Forge::Gitea, &server), SHA)
        .await
        .expect_err("403");
    assert!(
        err.message
            .contains("the token from GATELINT_TOKEN lacks permission"),
        "{}",
        err.message
    );
    assert!(!err.message.contains(TOKEN));
    // A wrong shape is an error with the URL, not an empty list.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"statuses": "no"})))
        .mount(&server)
        .await;
    let err = fetch(spec(Forge::Gitea, &server), SHA)
        .await
        .expect_err("shape");
    assert!(
        err.message.contains("not the expected list of statuses"),
        "{}",
        err.message
    );
}

#[test]
fn commit_ids_are_checked_before_any_request() {
    assert!(statuses::check_sha(SHA).is_ok());
    assert!(statuses::check_sha(&"a".repeat(64)).is_ok());
    for bad in ["../../x", "main", "0123", &format!("{SHA}/../x")] {
        assert!(statuses::check_sha(bad).is_err(), "{bad}");
    }
}
