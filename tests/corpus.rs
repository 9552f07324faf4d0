//! Real-world workflows from `../shared/corpus/`: every file loads, `report` exits 0 on every
//! repository, and the seed project's pending gate is named exactly.

mod common;

use gatelint::analyze::{Options, analyze_root, read_text};
use gatelint::forge::Forge;
use gatelint::workflow::{DirectiveSyntax, parse_workflow};

fn repositories() -> Option<Vec<String>> {
    let dir = common::shared("corpus/real")?;
    let mut repos: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    repos.sort();
    Some(repos)
}

#[test]
fn every_real_workflow_loads() {
    let Some(repos) = repositories() else { return };
    assert_eq!(repos.len(), 58);
    let mut files = 0;
    // Each forge's discovery and naming, whatever folders the repository has.
    for forge in [
        None,
        Some(Forge::Github),
        Some(Forge::Gitea),
        Some(Forge::Forgejo),
    ] {
        let options = Options {
            forge,
            ..Options::default()
        };
        let mut seen = 0;
        for repo in &repos {
            let report = analyze_root(repo, &options);
            let report = match (report, forge) {
                (Ok(r), _) => r,
                // A repository with none of that forge's folders has nothing for it.
                (Err(e), Some(_)) if e.message.contains("no workflow folder") => continue,
                (Err(e), _) => panic!("{e}"),
            };
            let invalid: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.rule == "workflow-invalid")
                .collect();
            assert!(invalid.is_empty(), "{repo}: {invalid:#?}");
            seen += report.workflows.len();
        }
        if forge.is_none() {
            files = seen;
        }
    }
    assert_eq!(
        files, 1564,
        "files read by each repository's inferred forge"
    );

    // Every file, whichever folder it is in.
    let mut all = Vec::new();
    let mut pending = vec![common::shared("corpus/real").expect("checked above")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus lists").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                all.push(path);
            }
        }
    }
    assert_eq!(all.len(), 1573);
    for path in &all {
        let text = read_text(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = path.to_string_lossy();
        if let Err(e) = parse_workflow(&text, &file, &DirectiveSyntax::default()) {
            panic!(
                "{file}:{}:{}: {}",
                e.span.start.line,
                e.span.start.col + 1,
                e.message
            );
        }
    }
}

#[test]
fn report_exits_0_on_every_real_repository() {
    let Some(repos) = repositories() else { return };
    let mut args = vec!["report", "--format", "json", "--quiet"];
    args.extend(repos.iter().map(String::as_str));
    let out = common::gatelint(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let gates = json["gates"].as_array().map_or(0, Vec::len);
    assert!(gates > 3000, "{gates} gates");
    // One at a time too: each repository on its own exits 0.
    for repo in &repos {
        let out = common::gatelint(&["report", repo, "--format", "json", "--quiet"]);
        assert_eq!(out.code, 0, "{repo}: {}", out.stderr);
    }
}

#[test]
fn seed_origin_pending_gate() {
    let Some(seed) = common::shared("corpus/seed-origin") else {
        return;
    };
    let seed = seed.to_string_lossy().into_owned();
    let out = common::gatelint(&[
        "report",
        &seed,
        "--forge",
        "gitea",
        "--forge-version",
        "1.22",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    let g = common::gate(
        &gates,
        ".gitea/workflows/e2e-staging-saas.yml",
        "e2e-staging-platform-boot",
    );
    assert_eq!(g["directive"], "pending");
    assert_eq!(g["issue"], 2187);
    assert_eq!(
        common::contexts(g),
        [
            "E2E Staging SaaS (full lifecycle) / E2E Staging Platform Boot (push)",
            "E2E Staging SaaS (full lifecycle) / E2E Staging Platform Boot (pull_request)",
        ]
    );
    // Its job-level `continue-on-error`: Gitea 1.22 ignores it (FORGE-SEMANTICS §4), the job
    // still fails its check.
    assert_eq!(g["masked"], "ignored");
    for later in ["_later-head-aeec8e47", "_pr-base-5f0351c5"] {
        let root = format!("{seed}/{later}");
        let report = analyze_root(
            &root,
            &Options {
                forge: Some(Forge::Gitea),
                ..Options::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            report.findings.iter().all(|f| f.rule != "workflow-invalid"),
            "{root}"
        );
    }
}

#[test]
fn seed_origin_malformed_directives_are_diagnosed() {
    let Some(seed) = common::shared("corpus/seed-origin/_later-head-aeec8e47") else {
        return;
    };
    let report = analyze_root(
        &seed.to_string_lossy(),
        &Options {
            forge: Some(Forge::Gitea),
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut found: Vec<(String, String)> = report
        .findings
        .iter()
        .filter(|f| f.rule == "directive-invalid")
        .map(|f| {
            (
                f.file.clone().unwrap_or_default(),
                f.job.clone().unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (".gitea/workflows/e2e-chat.yml", "e2e-chat"),
            (
                ".gitea/workflows/e2e-workspace-lifecycle.yml",
                "lifecycle-compile-skip"
            ),
            (
                ".gitea/workflows/template-delivery-e2e.yml",
                "detect-changes"
            ),
        ]
        .map(|(f, j)| (f.to_owned(), j.to_owned()))
    );
}
