//! One test per row of FORGE-SEMANTICS §2 and §3.

use super::*;
use crate::forge::Version;
use crate::workflow::{DirectiveSyntax, parse_workflow};

fn profile(forge: Forge, version: Option<(u32, u32)>) -> ForgeProfile {
    ForgeProfile::new(forge, version.map(|(a, b)| Version::new(a, b)))
}

/// Every context of every job of `yaml` (a workflow file named `w.yml`), or the reason.
fn contexts(p: &ForgeProfile, yaml: &str) -> Vec<Result<String, String>> {
    let wf = match parse_workflow(yaml, ".github/workflows/w.yml", &DirectiveSyntax::default()) {
        Ok(wf) => wf,
        Err(e) => panic!("{}", e.message),
    };
    let mut out = Vec::new();
    for job in &wf.jobs {
        let named = job_contexts(p, &wf, job, &NoCallees);
        match named.unresolvable {
            Some(reason) => out.push(Err(reason)),
            None => out.extend(named.contexts.into_iter().map(|c| Ok(c.text))),
        }
    }
    out
}

fn ok(items: &[&str]) -> Vec<Result<String, String>> {
    items.iter().map(|s| Ok((*s).to_owned())).collect()
}

const MATRIX_NO_NAME: &str = "name: W
on: pull_request
jobs:
  job1:
    strategy:
      matrix:
        version: [1.10, '2']
        os: [linux]
        empty: ['']
        nothing: [null]
    steps: [{run: x}]
";

/// Every released Gitea (1.21–1.27) and Forgejo: keys sorted, Go `fmt.Sprint`, nothing
/// skipped (`matrixName` in modules/actions/jobparser and the runner's act/jobparser:
/// FORGE-SEMANTICS §3). `1.10` is the float 1.1; an empty string leaves an empty slot; null is
/// Go's `<nil>`.
#[test]
fn gitea_1_26_and_1_27_no_name_sorted_keys_go_values_none_skipped() {
    for minor in [26, 27] {
        assert_eq!(
            contexts(&profile(Forge::Gitea, Some((1, minor))), MATRIX_NO_NAME),
            ok(&[
                "W / job1 (, <nil>, linux, 1.1) (pull_request)",
                "W / job1 (, <nil>, linux, 2) (pull_request)"
            ]),
            "1.{minor}"
        );
    }
}

/// The later, unreleased Gitea formatting (`CoerceToString`, empty values skipped): opt-in.
fn coerced() -> ForgeProfile {
    let opt = crate::forge::OptIns {
        coerced_matrix_names: true,
        ..crate::forge::OptIns::default()
    };
    ForgeProfile::resolve(Forge::Gitea, None, opt).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn gitea_coerced_matrix_names_opt_in() {
    assert_eq!(
        contexts(&coerced(), MATRIX_NO_NAME),
        ok(&[
            "W / job1 (1.1, linux) (pull_request)",
            "W / job1 (2, linux) (pull_request)"
        ])
    );
}

#[test]
fn gitea_go_and_coerced_values_differ_for_lists() {
    let yaml = "name: W\non: push\njobs:\n  j:\n    strategy:\n      matrix:\n        b: [[x, y]]\n        a: [true]\n    steps: [{run: x}]\n";
    for minor in [22, 26, 27] {
        assert_eq!(
            contexts(&profile(Forge::Gitea, Some((1, minor))), yaml),
            ok(&["W / j (true, [x y]) (push)"])
        );
    }
    assert_eq!(
        contexts(&coerced(), yaml),
        ok(&["W / j (Array, true) (push)"])
    );
}

const MATRIX_NAMED: &str = "name: W
on: push
jobs:
  j:
    name: Build ${{ matrix.os }}
    strategy:
      matrix:
        os: [linux, mac]
        v: [1]
    steps: [{run: x}]
  k:
    name: Plain
    strategy:
      matrix:
        os: [linux, mac]
    steps: [{run: x}]
";

#[test]
fn gitea_name_with_matrix_expression_has_no_suffix_plain_name_has_one() {
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 26))), MATRIX_NAMED),
        ok(&[
            "W / Build linux (push)",
            "W / Build mac (push)",
            "W / Plain (linux) (push)",
            "W / Plain (mac) (push)",
        ])
    );
}

#[test]
fn gitea_1_21_leaves_matrix_expressions_unevaluated() {
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 21))), MATRIX_NAMED),
        ok(&[
            "W / Build ${{ matrix.os }} (linux, 1) (push)",
            "W / Build ${{ matrix.os }} (mac, 1) (push)",
            "W / Plain (linux) (push)",
            "W / Plain (mac) (push)",
        ])
    );
}

#[test]
fn forgejo_plain_name_has_no_suffix_and_legs_share_a_context() {
    assert_eq!(
        contexts(&profile(Forge::Forgejo, None), MATRIX_NAMED),
        ok(&[
            "W / Build linux (push)",
            "W / Build mac (push)",
            "W / Plain (push)"
        ])
    );
}

/// The Forgejo runner's act/jobparser `matrixName`: as Gitea's, nothing skipped.
#[test]
fn forgejo_no_name_sorted_suffix() {
    assert_eq!(
        contexts(&profile(Forge::Forgejo, None), MATRIX_NO_NAME),
        ok(&[
            "W / job1 (, <nil>, linux, 1.1) (pull_request)",
            "W / job1 (, <nil>, linux, 2) (pull_request)"
        ])
    );
}

#[test]
fn github_every_value_in_order_include_keys_and_objects_expanded() {
    let yaml = "name: W
on: pull_request
jobs:
  j:
    strategy:
      matrix:
        os: [linux]
        cfg: [{name: fast, level: 1}]
        empty: ['']
        include:
          - os: linux
            extra: yes
    steps: [{run: x}]
";
    assert_eq!(
        contexts(&profile(Forge::Github, None), yaml),
        ok(&["j (linux, fast, 1, , yes)"])
    );
}

#[test]
fn github_names_filled_suffix_on_plain_names_no_workflow_no_event() {
    assert_eq!(
        contexts(&profile(Forge::Github, None), MATRIX_NAMED),
        ok(&["Build linux", "Build mac", "Plain (linux)", "Plain (mac)"])
    );
}

#[test]
fn github_cuts_names_longer_than_100_characters() {
    let long = "x".repeat(120);
    let yaml = format!(
        "on: push\njobs:\n  j:\n    strategy:\n      matrix:\n        v: ['{long}']\n    steps: [{{run: x}}]\n"
    );
    let want = format!("j ({}...", "x".repeat(94));
    assert_eq!(want.chars().count(), 100);
    assert_eq!(
        contexts(&profile(Forge::Github, None), &yaml),
        ok(&[want.as_str()])
    );
    let exact = format!(
        "on: push\njobs:\n  j:\n    name: {}\n    steps: [{{run: x}}]\n",
        "y".repeat(100)
    );
    assert_eq!(
        contexts(&profile(Forge::Github, None), &exact),
        ok(&["y".repeat(100).as_str()])
    );
}

#[test]
fn workflow_name_fallback_by_version() {
    let yaml = "on: [push, pull_request]\njobs:\n  build:\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 26))), yaml),
        ok(&["/ build (push)", "/ build (pull_request)"])
    );
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 27))), yaml),
        ok(&["w.yml / build (push)", "w.yml / build (pull_request)"])
    );
    assert_eq!(
        contexts(&profile(Forge::Forgejo, None), yaml),
        ok(&["/ build (push)", "/ build (pull_request)"])
    );
}

#[test]
fn pull_request_target_suffix_by_version_and_silent_events() {
    let yaml = "name: W\non: [pull_request_target, schedule, workflow_dispatch, release]\njobs:\n  b:\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 22))), yaml),
        ok(&["W / b (pull_request)"])
    );
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 23))), yaml),
        ok(&["W / b (pull_request_target)"])
    );
    let silent = "name: W\non: [schedule, workflow_dispatch]\njobs:\n  b:\n    steps: [{run: x}]\n";
    assert_eq!(contexts(&profile(Forge::Gitea, None), silent), ok(&[]));
    assert_eq!(contexts(&profile(Forge::Github, None), silent), ok(&[]));
}

#[test]
fn run_time_matrices_and_names_are_unresolvable() {
    let yaml = "on: push
jobs:
  a:
    strategy:
      matrix: ${{ fromJSON(needs.x.outputs.m) }}
    steps: [{run: x}]
  b:
    name: ${{ inputs.name }}
    steps: [{run: x}]
  c:
    strategy:
      matrix:
        os: ${{ fromJSON(inputs.oses) }}
    steps: [{run: x}]
";
    for p in [
        profile(Forge::Github, None),
        profile(Forge::Gitea, None),
        profile(Forge::Forgejo, None),
    ] {
        let got = contexts(&p, yaml);
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(Result::is_err), "{got:?}");
    }
}

/// `${{ github.workflow }}` in a job name is the workflow's `name:`, or its path when it has
/// none (GitHub docs, FORGE-SEMANTICS §2; DataDog/dd-trace-js's appsec.yml names its jobs
/// `${{ github.workflow }} / macos`). Other `github.*` stay run-time data; on Gitea and Forgejo,
/// whose run record fills it, it stays unresolved.
#[test]
fn github_workflow_in_a_job_name() {
    let gh = profile(Forge::Github, None);
    let named = "name: AppSec\non: pull_request\njobs:\n  macos:\n    name: ${{ github.workflow }} / macos\n    steps: [{run: x}]\n  legs:\n    name: ${{ github.workflow }} (node-${{ matrix.v }})\n    strategy: {matrix: {v: [18, 20]}}\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&gh, named),
        ok(&["AppSec / macos", "AppSec (node-18)", "AppSec (node-20)"])
    );
    let unnamed = "on: pull_request\njobs:\n  a:\n    name: ${{ github.workflow }} / a\n    steps: [{run: x}]\n";
    assert_eq!(contexts(&gh, unnamed), ok(&[".github/workflows/w.yml / a"]));
    let job = "on: pull_request\njobs:\n  a:\n    name: ${{ github.job }}\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&gh, job),
        [Err(
            "the job name `${{ github.job }}` cannot be evaluated statically: reads \
             `github.job`, known only at run time"
                .to_owned()
        )]
    );
    let gitea = contexts(&profile(Forge::Gitea, Some((1, 26))), named);
    assert!(gitea.iter().all(Result::is_err), "{gitea:?}");
}

/// `uses: $/…` is GitHub's same-repository reusable workflow reference (FORGE-SEMANTICS §8):
/// read like `./…`, not refused as another repository's.
#[test]
fn github_dollar_slash_calls_this_repository() {
    struct One(Workflow);
    impl Callees for One {
        fn workflow(&self, path: &str) -> Result<Callee<'_>, String> {
            if path == ".github/workflows/fix.yml" {
                Ok(Callee::Borrowed(&self.0))
            } else {
                Err(format!("no `{path}`"))
            }
        }
    }
    let callee = parse_workflow(
        "on: workflow_call\njobs:\n  fix:\n    name: Fix bug\n    steps: [{run: x}]\n",
        ".github/workflows/fix.yml",
        &DirectiveSyntax::default(),
    )
    .unwrap_or_else(|e| panic!("{}", e.message));
    let caller = parse_workflow(
        "on: pull_request\njobs:\n  call:\n    uses: $/.github/workflows/fix.yml\n",
        ".github/workflows/w.yml",
        &DirectiveSyntax::default(),
    )
    .unwrap_or_else(|e| panic!("{}", e.message));
    let gh = profile(Forge::Github, None);
    let named = job_contexts(&gh, &caller, &caller.jobs[0], &One(callee.clone()));
    let texts: Vec<&str> = named.contexts.iter().map(|c| c.text.as_str()).collect();
    assert_eq!((texts, named.unresolvable), (vec!["call / Fix bug"], None));
    // Forgejo posts the caller's own context whatever it calls (no expansion up to v13).
    let fj = profile(Forge::Forgejo, None);
    let named = job_contexts(&fj, &caller, &caller.jobs[0], &One(callee));
    let texts: Vec<&str> = named.contexts.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        (texts, named.unresolvable),
        (vec!["/ call (pull_request)"], None)
    );
}

/// Spaces in names (issue 10, item 10): Gitea formats `{workflow} / {job} ({event})` and trims
/// the whole string only (services/actions/commit_status.go, FORGE-SEMANTICS §2), so spaces
/// inside or around a job's `name:` stay in the context (and messages show contexts in
/// backticks, where a user can see them). Pinned here.
#[test]
fn spaces_in_names_stay_where_the_forge_keeps_them() {
    let yaml = "name: ' CI '\non: pull_request\njobs:\n  a:\n    name: '  build  twice '\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 26))), yaml),
        ok(&["CI  /   build  twice  (pull_request)"])
    );
    // No workflow name before Gitea 1.27: the leading ` / ` loses its space to the trim.
    let unnamed = "on: pull_request\njobs:\n  a:\n    name: ' build'\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 26))), unnamed),
        ok(&["/  build (pull_request)"])
    );
}

/// Gitea 1.22 still posts the raw `name:` (go-gitea/gitea#28207); 1.23 fills it in
/// (gitea/act#106). Forgejo 7 (gitea/act v0.259.1) as Gitea 1.22; Forgejo 8 fills in and
/// leaves a plain name without suffix (forgejo/act ae5411b0).
#[test]
fn matrix_names_on_both_sides_of_the_boundaries() {
    let raw = ok(&[
        "W / Build ${{ matrix.os }} (linux, 1) (push)",
        "W / Build ${{ matrix.os }} (mac, 1) (push)",
        "W / Plain (linux) (push)",
        "W / Plain (mac) (push)",
    ]);
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 22))), MATRIX_NAMED),
        raw
    );
    assert_eq!(
        contexts(&profile(Forge::Forgejo, Some((7, 0))), MATRIX_NAMED),
        raw
    );
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 23))), MATRIX_NAMED),
        ok(&[
            "W / Build linux (push)",
            "W / Build mac (push)",
            "W / Plain (linux) (push)",
            "W / Plain (mac) (push)",
        ])
    );
    assert_eq!(
        contexts(&profile(Forge::Forgejo, Some((8, 0))), MATRIX_NAMED),
        ok(&[
            "W / Build linux (push)",
            "W / Build mac (push)",
            "W / Plain (push)"
        ])
    );
}

/// `pull_request_target`: Forgejo 8 posts `(pull_request)`, 9 `(pull_request_target)`
/// (go-gitea/gitea#31703, cherry-picked in v9).
#[test]
fn forgejo_pull_request_target_suffix_by_version() {
    let yaml = "name: W\non: pull_request_target\njobs:\n  j:\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&profile(Forge::Forgejo, Some((8, 0))), yaml),
        ok(&["W / j (pull_request)"])
    );
    assert_eq!(
        contexts(&profile(Forge::Forgejo, Some((9, 0))), yaml),
        ok(&["W / j (pull_request_target)"])
    );
}

/// Called workflows for the reusable-workflow tests: `./.gitea/workflows/build.yml` (named),
/// `./.gitea/workflows/anon.yml` (no `name:`, a masked job, a nested call).
struct Called(Vec<Workflow>);

impl Callees for Called {
    fn workflow(&self, path: &str) -> Result<Callee<'_>, String> {
        self.0
            .iter()
            .find(|w| w.file == path)
            .map(Callee::Borrowed)
            .ok_or_else(|| format!("no `{path}`"))
    }
}

fn called() -> Called {
    let parse = |text: &str, file: &str| {
        parse_workflow(text, file, &DirectiveSyntax::default())
            .unwrap_or_else(|e| panic!("{}", e.message))
    };
    Called(vec![
        parse(
            "name: Build\non: workflow_call\njobs:\n  compile:\n    name: Compile\n    steps: [{run: x}]\n  test:\n    steps: [{run: x}]\n",
            ".gitea/workflows/build.yml",
        ),
        parse(
            "on: workflow_call\njobs:\n  flaky:\n    continue-on-error: true\n    steps: [{run: x}]\n  again:\n    uses: ./.gitea/workflows/build.yml\n",
            ".gitea/workflows/anon.yml",
        ),
    ])
}

const CALLER: &str = "name: CI
on: pull_request
jobs:
  call:
    uses: ./.gitea/workflows/build.yml
  anon:
    uses: ./.gitea/workflows/anon.yml
  remote:
    uses: org/shared/.gitea/workflows/lint.yml@main
";

/// (job id, contexts, why some are unknown, called jobs masking the caller)
type CallerRow = (String, Vec<String>, Option<String>, Vec<String>);

fn caller_contexts(p: &ForgeProfile) -> Vec<CallerRow> {
    let wf = parse_workflow(
        CALLER,
        ".gitea/workflows/ci.yml",
        &DirectiveSyntax::default(),
    )
    .unwrap_or_else(|e| panic!("{}", e.message));
    let callees = called();
    wf.jobs
        .iter()
        .map(|job| {
            let named = job_contexts(p, &wf, job, &callees);
            (
                job.id.clone(),
                named.contexts.into_iter().map(|c| c.text).collect(),
                named.unresolvable,
                named.masked_by_called,
            )
        })
        .collect()
}

/// Gitea ≤ 1.26 and Forgejo (up to 13): one context, the caller job's, wherever the called
/// workflow lives (the jobparser keeps a `uses:` job whole; oracles gitea-jobparser/has_with).
#[test]
fn reusable_calls_post_the_callers_context_up_to_gitea_1_26_and_on_forgejo() {
    for p in [
        profile(Forge::Gitea, Some((1, 26))),
        profile(Forge::Gitea, Some((1, 21))),
        profile(Forge::Forgejo, Some((13, 0))),
    ] {
        let got = caller_contexts(&p);
        let texts: Vec<(&str, Vec<&str>, bool)> = got
            .iter()
            .map(|(id, c, u, _)| {
                (
                    id.as_str(),
                    c.iter().map(String::as_str).collect(),
                    u.is_some(),
                )
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                ("call", vec!["CI / call (pull_request)"], false),
                ("anon", vec!["CI / anon (pull_request)"], false),
                ("remote", vec!["CI / remote (pull_request)"], false),
            ],
            "{p:?}"
        );
    }
}

/// Gitea 1.27 (go-gitea/gitea#37478): the caller's context and one per called job, named
/// `{called workflow} / {job} ({event})`; a called workflow without `name:` by the run's file
/// (FORGE-SEMANTICS §2, medium confidence); another repository's jobs unresolvable offline,
/// the caller's still known; a called job's `continue-on-error` counts as success in the
/// caller's status.
#[test]
fn reusable_calls_expand_on_gitea_1_27() {
    let got = caller_contexts(&profile(Forge::Gitea, Some((1, 27))));
    assert_eq!(got[0].0, "call");
    assert_eq!(
        got[0].1,
        [
            "CI / call (pull_request)",
            "Build / Compile (pull_request)",
            "Build / test (pull_request)"
        ]
    );
    assert_eq!((got[0].2.as_deref(), got[0].3.len()), (None, 0));
    assert_eq!(
        got[1].1,
        [
            "CI / anon (pull_request)",
            "ci.yml / flaky (pull_request)",
            "ci.yml / again (pull_request)",
            "Build / Compile (pull_request)",
            "Build / test (pull_request)"
        ]
    );
    assert_eq!(got[1].3, ["flaky"]);
    assert_eq!(got[2].1, ["CI / remote (pull_request)"]);
    assert!(
        got[2]
            .2
            .as_deref()
            .is_some_and(|r| r.contains("cannot be read offline")),
        "{:?}",
        got[2].2
    );
}

/// A later Forgejo (opt-in): a caller without `runs-on` is replaced by its called jobs, named
/// as themselves under the caller's workflow (runner test data expand_local_workflow).
#[test]
fn forgejo_expansion_is_an_opt_in() {
    let opt = crate::forge::OptIns {
        forgejo_expands_calls: true,
        ..crate::forge::OptIns::default()
    };
    let p = ForgeProfile::resolve(Forge::Forgejo, None, opt).unwrap_or_else(|e| panic!("{e}"));
    let got = caller_contexts(&p);
    assert_eq!(
        got[0].1,
        ["CI / Compile (pull_request)", "CI / test (pull_request)"]
    );
}

/// `on: [pull_request, pull_request_target]` where the forge names both `(pull_request)`
/// (Gitea ≤ 1.22, Forgejo ≤ 8): one context, not two matrix legs sharing it.
#[test]
fn both_pull_request_events_post_one_context_where_named_alike() {
    let yaml =
        "name: W\non: [pull_request, pull_request_target]\njobs:\n  j:\n    steps: [{run: x}]\n";
    let wf = parse_workflow(yaml, ".gitea/workflows/w.yml", &DirectiveSyntax::default())
        .unwrap_or_else(|e| panic!("{}", e.message));
    for p in [
        profile(Forge::Gitea, Some((1, 22))),
        profile(Forge::Forgejo, Some((8, 0))),
    ] {
        let named = job_contexts(&p, &wf, &wf.jobs[0], &NoCallees);
        let texts: Vec<&str> = named.contexts.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["W / j (pull_request)"], "{p:?}");
        assert!(named.shared_by_legs.is_empty(), "{p:?}");
    }
}

/// Gitea 1.27: every leg of a matrix caller runs the called jobs, which post the same
/// contexts: shared by the legs (a `context-collision` when required).
#[test]
fn matrix_caller_legs_share_the_called_jobs_contexts_on_gitea_1_27() {
    let yaml = "name: CI\non: pull_request\njobs:\n  call:\n    strategy:\n      matrix:\n        os: [linux, mac]\n    uses: ./.gitea/workflows/build.yml\n";
    let wf = parse_workflow(yaml, ".gitea/workflows/ci.yml", &DirectiveSyntax::default())
        .unwrap_or_else(|e| panic!("{}", e.message));
    let named = job_contexts(
        &profile(Forge::Gitea, Some((1, 27))),
        &wf,
        &wf.jobs[0],
        &called(),
    );
    let texts: Vec<&str> = named.contexts.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "CI / call (linux) (pull_request)",
            "CI / call (mac) (pull_request)",
            "Build / Compile (pull_request)",
            "Build / test (pull_request)"
        ]
    );
    assert_eq!(
        named.shared_by_legs,
        [
            "Build / Compile (pull_request)",
            "Build / test (pull_request)"
        ]
    );
}

/// A workflow that calls itself (directly or around a loop) is a cycle the forges refuse:
/// unresolvable at once, with the caller's own context still known on Gitea 1.27, never an
/// exploration of every path.
#[test]
fn self_calling_workflows_stop_at_the_cycle() {
    let me = "name: Loop\non: [pull_request, workflow_call]\njobs:\n  a:\n    uses: ./.gitea/workflows/loop.yml\n  b:\n    uses: ./.gitea/workflows/loop.yml\n  c:\n    uses: ./.gitea/workflows/loop.yml\n";
    let wf = parse_workflow(me, ".gitea/workflows/loop.yml", &DirectiveSyntax::default())
        .unwrap_or_else(|e| panic!("{}", e.message));
    let callees = Called(vec![wf.clone()]);
    let named = job_contexts(
        &profile(Forge::Gitea, Some((1, 27))),
        &wf,
        &wf.jobs[0],
        &callees,
    );
    let texts: Vec<&str> = named.contexts.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["Loop / a (pull_request)"]);
    assert!(
        named
            .unresolvable
            .as_deref()
            .is_some_and(|r| r.contains("a cycle, which the forge refuses")),
        "{:?}",
        named.unresolvable
    );
    let named = job_contexts(&profile(Forge::Github, None), &wf, &wf.jobs[0], &callees);
    assert!(named.contexts.is_empty());
    assert!(
        named
            .unresolvable
            .as_deref()
            .is_some_and(|r| r.contains("a cycle, which the forge refuses")),
        "{:?}",
        named.unresolvable
    );
}
