//! Every payload in `../shared/api-fixtures/` loads as a protection source and yields the
//! contexts it lists; the error bodies and schema files are refused with a clear message.

mod common;

use gatelint::forge::protection::{self, Shape};

fn load(file: &str, branch: &str) -> Result<(Shape, Vec<String>, Option<String>), String> {
    let dir = common::shared("api-fixtures").ok_or("absent")?;
    let p = protection::load(&dir.join(file), file, branch, None).map_err(|e| e.to_string())?;
    Ok((
        p.shape,
        p.required.iter().map(|r| r.text.clone()).collect(),
        p.nothing_required,
    ))
}

const GITEA_THREE: [&str; 3] = [
    "CI / build (pull_request)",
    "CI / test (ubuntu-latest, 1.22) (pull_request)",
    "lint.yml / lint (pull_request)",
];

#[test]
fn payloads_with_required_contexts() {
    if common::shared("api-fixtures").is_none() {
        return;
    }
    let ok =
        |file: &str, branch: &str| load(file, branch).unwrap_or_else(|e| panic!("{file}: {e}"));
    let travis = vec!["continuous-integration/travis-ci".to_owned()];
    for (file, shape, want) in [
        (
            "forgejo-branch-protections.json",
            Shape::GiteaList,
            GITEA_THREE.map(str::to_owned).to_vec(),
        ),
        (
            "gitea-branch-protections.json",
            Shape::GiteaList,
            GITEA_THREE.map(str::to_owned).to_vec(),
        ),
        (
            "gitea-branch-protection.json",
            Shape::GiteaSingle,
            GITEA_THREE.map(str::to_owned).to_vec(),
        ),
        (
            "gitea-branch.json",
            Shape::GiteaBranch,
            GITEA_THREE.map(str::to_owned).to_vec(),
        ),
        (
            "github-branch-protection.json",
            Shape::GithubClassic,
            travis.clone(),
        ),
        (
            "github-branch-protection-update.json",
            Shape::GithubClassic,
            travis.clone(),
        ),
        (
            "github-required-status-checks.json",
            Shape::GithubClassic,
            travis.clone(),
        ),
        (
            "github-rules-branches-required-status-checks.synthetic.json",
            Shape::GithubRulesets,
            [
                "build",
                "test (ubuntu-latest, 20)",
                "ci / lint",
                "security/scan",
            ]
            .map(str::to_owned)
            .to_vec(),
        ),
    ] {
        let (got_shape, got, nothing) = ok(file, "main");
        assert_eq!((got_shape, &got), (shape, &want), "{file}");
        assert_eq!(nothing, None, "{file}");
    }
    // Gitea's rule selection over the list: the glob rule for release branches, status checks
    // off for develop.
    assert_eq!(
        ok("gitea-branch-protections.json", "release/1.0").1,
        ["CI / *"]
    );
    let (_, develop, why) = ok("gitea-branch-protections.json", "develop");
    assert!(develop.is_empty());
    assert_eq!(
        why.as_deref(),
        Some("`enable_status_check` is false: no status check is required")
    );
    let (_, feature, why) = ok("gitea-branch-protections.json", "feature/x");
    assert!(feature.is_empty());
    assert_eq!(
        why.as_deref(),
        Some("no protection rule applies to branch `feature/x`")
    );
}

#[test]
fn payloads_that_require_nothing() {
    if common::shared("api-fixtures").is_none() {
        return;
    }
    for (file, why) in [
        (
            "github-branch-get.json",
            "the branch is not protected (`protection.enabled` is false)",
        ),
        (
            "github-rules-branches.json",
            "the GitHub rulesets (rules/branches) requires no status check",
        ),
    ] {
        let (_, got, nothing) = load(file, "main").unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(got.is_empty(), "{file}");
        assert_eq!(nothing.as_deref(), Some(why), "{file}");
    }
}

#[test]
fn non_protection_payloads_are_refused() {
    if common::shared("api-fixtures").is_none() {
        return;
    }
    for file in [
        "github-error-branch-not-protected.json",
        "gitea-error-not-found.json",
        "gitea-swagger-branch-definitions.json",
    ] {
        let err = load(file, "main").err().unwrap_or_default();
        assert!(
            err.starts_with(&format!("{file}: not a protection payload")),
            "{file}: {err}"
        );
    }
}
