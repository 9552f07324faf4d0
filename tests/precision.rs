//! Precision on real repositories (issue 10): findings read by hand and labelled, over
//! `../shared/corpus/real/` with every posted context required (a Gitea `["*"]` snapshot, so
//! every rule about required jobs runs on every job). A finding labelled true must be
//! reported; one labelled false (a false alarm gatelint used to raise) must not be.
//!
//! How they were labelled: each row's workflow was read as its maintainers would, against
//! FORGE-SEMANTICS.md: does the forge really let the described failure through on a pull
//! request to `main`? The `why` column says what decided it. The repository is unknown in
//! these runs, so `github.repository` guards are taken to name it.

mod common;

use std::collections::HashSet;

/// (repository, file, job, rule, line (0: any), reported?, why)
type Label = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u64,
    bool,
    &'static str,
);

const W: &str = ".github/workflows/";

#[rustfmt::skip]
const LABELS: &[Label] = &[
    // --- true: the failure really gets through, or the gate really is unchecked ---
    ("EnterOS-AI__enteros-core", ".gitea/workflows/ci.yml", "platform-build", "required-step-masked", 664, true, "`go test -race` masked"),
    ("Lightning-AI__pytorch-lightning", "docs-build.yml", "docs-make", "required-step-masked", 135, true, "doctest/linkcheck `make` masked"),
    ("apache__arrow", "cpp_extra.yml", "docker", "required-step-masked", 154, true, "the Docker build masked by a matrix value"),
    ("apache__arrow", "cuda_extra.yml", "docker", "required-step-masked", 126, true, "the Docker build masked by a matrix value"),
    ("biomejs__biome", "main.yml", "coverage", "required-step-masked", 149, true, "the Test262 suite masked"),
    ("biomejs__biome", "parser_conformance.yml", "coverage", "required-step-masked", 54, true, "test suites masked"),
    ("DataDog__dd-trace-js", "project.yml", "static-analysis", "required-skippable", 0, true, "`github.event_name != 'pull_request'`: always skipped on a PR"),
    ("DataDog__dd-trace-js", "dependabot-automation.yml", "dependabot-automation", "required-skippable", 0, true, "runs for dependabot's PRs only"),
    ("Homebrew__brew", "check-prs.yml", "manage", "required-skippable", 0, true, "reads the actor at run time"),
    ("DataDog__dd-trace-js", "system-tests.yml", "main", "context-unresolvable", 0, true, "calls another repository's workflow"),
    ("Homebrew__brew", "docker.yml", "merge", "context-unresolvable", 0, true, "matrix from a job output"),
    ("Homebrew__brew", "doctor.yml", "tests", "context-unresolvable", 0, true, "matrix from a job output"),
    ("Lightning-AI__pytorch-lightning", "ci-pkg-install.yml", "build-packages", "context-unresolvable", 0, true, "matrix from `inputs`"),
    ("astral-sh__ruff", "sync_typeshed.yaml", "update-snapshots", "mask-untracked", 0, true, "job mask, no waiver, no tracker"),
    ("duckdb__duckdb", "DockerTests.yml", "linux-tests", "mask-untracked", 0, true, "job mask, no waiver, no tracker"),
    ("duckdb__duckdb", "DockerTests.yml", "linux-docker-tests", "mask-untracked", 0, true, "job mask, no waiver, no tracker"),
    ("github__codeql-action", "codescanning-config-cli.yml", "code-scanning-config-tests", "mask-untracked", 0, true, "job mask, no waiver, no tracker"),
    ("Lightning-AI__pytorch-lightning", "ci-pkg-install.yml", "install-pkg", "required-needs-unguarded", 0, true, "skipped when `build-packages` fails"),
    ("hashicorp__terraform", "build.yml", "package-docker", "required-needs-unguarded", 0, true, "skipped when `build` fails"),
    ("electron__electron", "build.yml", "test-linux-arm64-64k", "required-needs-unguarded", 0, true, "skipped when `linux-arm64` fails"),
    ("DataDog__dd-trace-js", "eslint-rules.yml", "eslint-rules", "required-path-filtered", 0, true, "`paths` on `pull_request`"),
    ("DataDog__dd-trace-js", "update-3rdparty-licenses.yml", "check-licenses", "required-path-filtered", 0, true, "`paths` on `pull_request`"),
    ("micropython__micropython", "docs.yml", "build", "required-path-filtered", 0, true, "`paths` on `pull_request`; forks get no push run"),
    ("duckdb__duckdb", "DockerTests.yml", "linux-tests", "required-path-filtered", 0, true, "`paths` on `pull_request`"),
    ("Homebrew__brew", "doctor.yml", "determine-runners", "required-path-filtered", 0, true, "`paths` on `pull_request`"),
    ("DataDog__dd-trace-js", "appsec.yml", "macos", "directive-missing", 0, true, "posts `AppSec / macos` on PRs, no directive"),
    ("curl__curl", "checksrc.yml", "checksrc", "directive-missing", 0, true, "posts on PRs, no directive"),
    ("curl__curl", "checkurls.yml", "linkcheck", "directive-missing", 0, true, "posts on PRs, no directive"),
    ("curl__curl", "distcheck.yml", "maketgz-and-verify-in-tree", "directive-missing", 0, true, "posts on PRs, no directive"),
    ("electron__electron", "build.yml", "build-siso-macos", "context-collision", 0, true, "apply-patches.yml posts `build-siso-macos / build` on the same pull requests"),
    ("open-telemetry__opentelemetry-java-instrumentation", "auto-update-gh-aw-lockfiles.yml", "generate", "context-collision", 0, true, "both run on pushes to `renovate/**`, the bot's pull-request branches"),
    // --- false: alarms gatelint used to raise, each wrong on the forge ---
    ("huggingface__diffusers", "release_tests_fast.yml", "torch_cuda_tests", "context-collision", 0, false, "runs on pushes to release branches only, never with pr_tests_gpu.yml on one pull request"),
    ("microsoft__playwright", "tests_docker_release.yml", "test_linux_docker", "context-collision", 0, false, "pushes to `release-*` only"),
    ("pulumi__pulumi", "on-pr-default.yml", "ci-ok", "context-collision", 0, false, "on-merge.yml posts `ci-ok` on the merge queue's commit, not on the pull request's head"),
    ("zizmorcore__zizmor", "release.yml", "plan-release", "directive-missing", 0, false, "push of tags only: never on a PR"),
    ("rhysd__actionlint", "release.yaml", "binaries", "directive-missing", 0, false, "push of tags only"),
    ("nektos__act", "release.yml", "release", "directive-missing", 0, false, "push of tags only"),
    ("rust-lang__cargo", "release.yml", "crates-io", "directive-missing", 0, false, "push of tags only"),
    ("project-mirrors__gitea-act-runner", ".gitea/workflows/release-tag.yml", "goreleaser", "directive-missing", 0, false, "push of tags only"),
    ("pytorch__executorch", "android-release-on-tag.yml", "prepare", "directive-missing", 0, false, "push of tags only"),
    ("electron__electron", "pull-request-merged.yml", "add-major-version-label", "directive-missing", 0, false, "closed PRs only: after the merge"),
    ("hashicorp__terraform", "equivalence-test-update.yml", "check", "directive-missing", 0, false, "closed PRs only"),
    ("uutils__coreutils", "FixPR.yml", "code_deps", "directive-missing", 0, false, "closed PRs only"),
    ("DataDog__dd-trace-js", "appsec.yml", "macos", "context-unresolvable", 0, false, "`${{ github.workflow }}` is the workflow's name"),
    ("DataDog__dd-trace-js", "aiguard.yml", "macos", "context-unresolvable", 0, false, "`${{ github.workflow }}` is the workflow's name"),
    ("astral-sh__ruff", "release.yml", "custom-build-binaries", "context-unresolvable", 0, false, "`uses: $/…` is this repository's workflow"),
    ("astral-sh__uv", "ci.yml", "plan", "context-unresolvable", 0, false, "`uses: $/…` is this repository's workflow"),
    ("astral-sh__uv", "pull-request-conflicts.yml", "identify", "required-skippable", 0, false, "pushes to main only: no PR gate"),
    ("Lightning-AI__pytorch-lightning", "ci-tests-fabric.yml", "fabric-cpu", "required-step-masked", 179, false, "a Codecov upload"),
    ("apache__arrow", "cpp.yml", "docker", "required-step-masked", 156, false, "a cache (stash) save"),
    ("biomejs__biome", "parser_conformance.yml", "coverage", "required-step-masked", 96, false, "a PR comment"),
    ("hashicorp__nomad", "test-ui.yml", "tests", "required-step-masked", 71, false, "its outcome is read by a later step"),
    ("kubernetes__minikube", "functional_test.yml", "functional-test", "required-step-masked", 319, false, "its outcome is read later"),
    ("tailscale__tailscale", "test.yml", "fuzz", "required-step-masked", 699, false, "its outcome is read later"),
    ("uutils__coreutils", "CICD.yml", "doc_warnings", "required-step-masked", 119, false, "sccache, a cache"),
    ("slsa-framework__slsa-github-generator", "pre-submit.actions.yml", "secure-upload-folder", "required-step-masked", 308, false, "expected to fail; its outcome is read"),
    ("pytorch__test-infra", "test-docker-build-remote-buildkit.yml", "smoke", "required-step-masked", 119, false, "expected to fail; its outcome is read"),
    ("Homebrew__brew", "actionlint.yml", "workflow_syntax", "required-skippable", 0, false, "the owner's own guard"),
    ("numpy__numpy", "compiler_sanitizers.yml", "clang_ASAN_UBSAN", "required-skippable", 0, false, "the repository's own guard"),
    ("rust-lang__cargo", "main.yml", "check-version-bump", "required-skippable", 0, false, "the owner's own guard"),
    ("pola-rs__polars", "lint-rust.yml", "rustfmt", "required-skippable", 0, false, "`event_name == 'pull_request'`: true on PRs"),
    ("curl__curl", "checkurls.yml", "linkcheck", "required-skippable", 0, false, "owner guard `|| event_name != 'schedule'`: true on PRs"),
    ("EnterOS-AI__enteros-core", ".gitea/workflows/block-internal-paths.yml", "check", "required-path-filtered", 0, false, "push to main/staging only; pull_request unfiltered"),
    ("cerc-io__stack-orchestrator", ".gitea/workflows/lint.yml", "test", "required-path-filtered", 0, false, "pull_request includes main"),
    ("project-mirrors__forgejo-helm", ".forgejo/workflows/build.yml", "lint-node", "required-path-filtered", 0, false, "pull_request unfiltered"),
    ("project-mirrors__gitea-helm-chart", ".gitea/workflows/changelog.yml", "changelog", "required-path-filtered", 0, false, "pushes to main only"),
    ("kubernetes__minikube", "translations.yml", "unit_test", "context-collision", 0, false, "build.yml's `unit_test` posts only on pushes to master"),
    ("pola-rs__polars", "release-drafter.yml", "main", "context-collision", 0, false, "pushes to main only"),
    ("bircni__gitea", "giteabot.yml", "giteabot", "context-collision", 0, false, "the backport workflow posts only on pushes to main"),
    ("Homebrew__brew", "sponsors-maintainers-man-completions.yml", "issue", "context-collision", 0, false, "the other `issue` is never on a PR's commit"),
    ("matrix-org__synapse", "tests.yml", "tests-done", "required-needs-unguarded", 0, false, "`if: always()` and done-action reads `toJSON(needs)`"),
];

#[test]
fn labelled_findings_on_the_corpus() {
    let Some(real) = common::shared("corpus/real") else {
        return;
    };
    assert!(LABELS.len() >= 60, "{} labels", LABELS.len());
    let dir = tempfile::tempdir().expect("temp dir");
    let all = common::all_required_snapshot(dir.path());
    let mut repos: Vec<&str> = LABELS.iter().map(|l| l.0).collect();
    repos.sort_unstable();
    repos.dedup();
    let paths: Vec<String> = repos
        .iter()
        .map(|r| real.join(r).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["check", "--protection", all.as_str(), "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let out = common::gatelint(&args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    // (repository, file, job, rule, line) of every finding.
    let found: HashSet<(String, String, String, String, u64)> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let root = f["root"].as_str().unwrap_or_default();
                    let repo = std::path::Path::new(root)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    (
                        repo,
                        f["file"].as_str().unwrap_or_default().to_owned(),
                        f["job"].as_str().unwrap_or_default().to_owned(),
                        f["rule"].as_str().unwrap_or_default().to_owned(),
                        f["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut wrong = Vec::new();
    for &(repo, file, job, rule, line, reported, why) in LABELS {
        let file = if file.starts_with('.') {
            file.to_owned()
        } else {
            format!("{W}{file}")
        };
        let hit = found.iter().any(|f| {
            f.0 == repo && f.1 == file && f.2 == job && f.3 == rule && (line == 0 || f.4 == line)
        });
        if hit != reported {
            wrong.push(format!(
                "{repo} {file} `{job}` {rule}{}: expected {}, because {why}",
                if line == 0 {
                    String::new()
                } else {
                    format!(" (line {line})")
                },
                if reported { "reported" } else { "not reported" }
            ));
        }
    }
    let trues = LABELS.iter().filter(|l| l.5).count();
    assert!(
        wrong.is_empty(),
        "{} of {} labelled findings ({trues} true, {} false) disagree:\n{}",
        wrong.len(),
        LABELS.len(),
        LABELS.len() - trues,
        wrong.join("\n")
    );
}
