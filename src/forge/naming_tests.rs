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

#[test]
fn gitea_1_26_no_name_sorted_keys_go_values_empty_skipped() {
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 26))), MATRIX_NO_NAME),
        ok(&[
            "W / job1 (linux, 1.1) (pull_request)",
            "W / job1 (linux, 2) (pull_request)"
        ])
    );
}

#[test]
fn gitea_1_27_no_name_written_order_coerced() {
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 27))), MATRIX_NO_NAME),
        ok(&[
            "W / job1 (1.1, linux) (pull_request)",
            "W / job1 (2, linux) (pull_request)"
        ])
    );
}

#[test]
fn gitea_go_and_coerced_values_differ_for_lists() {
    let yaml = "name: W\non: push\njobs:\n  j:\n    strategy:\n      matrix:\n        b: [[x, y]]\n        a: [true]\n    steps: [{run: x}]\n";
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 26))), yaml),
        ok(&["W / j (true, [x y]) (push)"])
    );
    assert_eq!(
        contexts(&profile(Forge::Gitea, Some((1, 27))), yaml),
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

#[test]
fn forgejo_no_name_sorted_suffix() {
    assert_eq!(
        contexts(&profile(Forge::Forgejo, None), MATRIX_NO_NAME),
        ok(&[
            "W / job1 (linux, 1.1) (pull_request)",
            "W / job1 (linux, 2) (pull_request)"
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
    // Forgejo has no such reference: another repository's, unresolvable.
    let fj = profile(Forge::Forgejo, None);
    let named = job_contexts(&fj, &caller, &caller.jobs[0], &One(callee));
    assert!(named.unresolvable.is_some());
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
