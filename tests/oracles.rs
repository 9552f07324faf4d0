//! The forges' own job-parser test pairs (`../shared/oracles/`) as an external oracle: for
//! each input (run on `pull_request`), the contexts gatelint computes must be exactly
//! `{workflow} / {name} (pull_request)` for every job of the output documents.
//!
//! Cases not compared, and why:
//! - no `.out.yaml` (the parser's test expects an error): `null_job_explicit`,
//!   `null_job_implicit` (checked here to be `workflow-invalid` instead), Forgejo
//!   `has_secrets` (job-level `secrets` with `steps`, rejected by the runner) and
//!   `expand_local_workflow_recursion_limit` (checked here to be unresolvable instead);
//! - run-time data fed to the parser: Forgejo `evaluated_matrix_needs_external` and
//!   `evaluated_matrix_needs_provided` (job outputs supplied by the test);
//! - another repository: Forgejo `expand_remote_workflow` (fetches the called workflow).
//!
//! Jobs calling a reusable workflow (Gitea `has_with`, `has_secrets`): the jobparser keeps
//! them whole, so the output is the caller's own context, which every Gitea profile posts
//! (FORGE-SEMANTICS §2). On 1.27 the server then expands the called workflow, outside the
//! jobparser: there gatelint may also call the called jobs unresolvable (these inputs name a
//! workflow the oracle folder does not hold), but the caller's context must match.
//!
//! Forgejo's `expand_local_workflow*` cases are the runner's expansion, which no Forgejo
//! release up to 13 asks for: compared with the opt-in `forgejo-expands-calls` profile, and
//! checked to give the caller's one context with the default profile.
//!
//! Jobs whose output name reads `(incomplete matrix)` need a previous job's outputs: gatelint
//! must call them unresolvable, and every other job of the case must still match.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use gatelint::forge::naming::{self, Callee, Callees};
use gatelint::forge::{CallNaming, Forge, ForgeProfile, OptIns, Version};
use gatelint::workflow::{DirectiveSyntax, Trigger, Workflow, parse_workflow};
use gatelint::yaml::{self, Span};

const SKIPPED: [&str; 4] = [
    "evaluated_matrix_needs_external",
    "evaluated_matrix_needs_provided",
    "expand_remote_workflow",
    "forgejo-runner-jobparser/has_secrets",
];

fn parse(text: &str, file: &str, event: &str) -> Result<Workflow, String> {
    let has_on = text
        .lines()
        .any(|l| l.starts_with("on:") || l.starts_with("\"on\":"));
    let text = if has_on {
        text.to_owned()
    } else {
        format!("on: {event}\n{text}")
    };
    let mut wf = parse_workflow(&text, file, &DirectiveSyntax::default()).map_err(|e| e.message)?;
    wf.triggers = vec![Trigger::bare(event, Span::default())];
    Ok(wf)
}

/// Called workflows are read from the oracle folder: `./.forgejo/workflows/x.yml` is `x.yaml`.
struct OracleCallees<'a>(&'a Path);

impl Callees for OracleCallees<'_> {
    fn workflow(&self, path: &str) -> Result<Callee<'_>, String> {
        let base = path.rsplit('/').next().unwrap_or(path);
        let file = self.0.join(base.replace(".yml", ".yaml"));
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        parse(&text, path, "workflow_call").map(|wf| Callee::Shared(std::sync::Arc::new(wf)))
    }
}

/// (expected contexts, job ids expected to be unresolvable) from an output file.
fn expected(out: &str, profile: &ForgeProfile, file: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let docs = yaml::load(out).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    let mut contexts = BTreeSet::new();
    let mut unresolvable = BTreeSet::new();
    for doc in &docs {
        let root = doc
            .root()
            .unwrap_or_else(|| panic!("{file}: empty document"));
        let wf_name = doc
            .get(root, "name")
            .and_then(|n| doc.as_str(n))
            .map(str::to_owned);
        let wf_name = match wf_name {
            Some(n) => n,
            None if profile.workflow_name_from_file => file.to_owned(),
            None => String::new(),
        };
        let jobs = doc
            .get(root, "jobs")
            .and_then(|j| doc.as_map(j))
            .unwrap_or_else(|| panic!("{file}: no jobs"));
        for (k, v) in jobs {
            let id = doc.as_str(*k).unwrap_or_default();
            let name = doc
                .get(*v, "name")
                .and_then(|n| doc.as_str(n))
                .unwrap_or(id);
            if name.ends_with("(incomplete matrix)") {
                unresolvable.insert(id.to_owned());
            } else {
                contexts.insert(
                    format!("{wf_name} / {name} (pull_request)")
                        .trim()
                        .to_owned(),
                );
            }
        }
    }
    (contexts, unresolvable)
}

/// Compare every case of `folder` that `take` selects; returns how many were compared.
fn check_folder(folder: &str, profile: &ForgeProfile, take: &dyn Fn(&str) -> bool) -> usize {
    let Some(dir) = common::shared(&format!("oracles/{folder}")) else {
        return 0;
    };
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("oracle folder lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".in.yaml"))
        .collect();
    entries.sort();
    let mut compared = 0;
    for input in entries {
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let case = name.trim_end_matches(".in.yaml");
        if !take(case) {
            continue;
        }
        if SKIPPED
            .iter()
            .any(|s| *s == case || *s == format!("{folder}/{case}"))
        {
            eprintln!("skipped {folder}/{case} (see the module documentation)");
            continue;
        }
        let text = std::fs::read_to_string(&input).expect("oracle input reads");
        let out_path = dir.join(format!("{case}.out.yaml"));
        let file = format!("{case}.in.yaml");
        match case {
            "null_job_explicit" | "null_job_implicit" => {
                let err = parse(&text, &file, "pull_request").expect_err("a null job is invalid");
                assert_eq!(err, "job `empty` is empty", "{case}");
                continue;
            }
            "expand_local_workflow_recursion_limit" => {
                let wf = parse(&text, &file, "pull_request").expect("parses");
                let named = naming::job_contexts(profile, &wf, &wf.jobs[0], &OracleCallees(&dir));
                let reason = named.unresolvable.unwrap_or_default();
                // The runner stops at its recursion limit; gatelint sees the cycle first.
                assert!(
                    reason.contains("a cycle, which the forge refuses"),
                    "{case}: {reason}"
                );
                continue;
            }
            _ => {}
        }
        let out =
            std::fs::read_to_string(&out_path).unwrap_or_else(|_| panic!("{case}: no output file"));
        let wf =
            parse(&text, &file, "pull_request").unwrap_or_else(|e| panic!("{folder}/{case}: {e}"));
        let (want, want_unresolvable) = expected(&out, profile, &file);
        let mut got = BTreeSet::new();
        let mut got_unresolvable = BTreeSet::new();
        for job in &wf.jobs {
            let named = naming::job_contexts(profile, &wf, job, &OracleCallees(&dir));
            if named.unresolvable.is_some() {
                got_unresolvable.insert(job.id.clone());
            }
            got.extend(named.contexts.into_iter().map(|c| c.text));
        }
        assert_eq!(got, want, "{folder}/{case}: contexts");
        // Gitea 1.27 expands called workflows after the jobparser: their jobs may be unknown
        // here, the caller's context is not.
        if profile.calls == CallNaming::Expand {
            got_unresolvable.retain(|id| !wf.jobs.iter().any(|j| &j.id == id && j.uses.is_some()));
        }
        assert_eq!(
            got_unresolvable, want_unresolvable,
            "{folder}/{case}: unresolvable jobs"
        );
        compared += 1;
    }
    compared
}

#[test]
fn gitea_jobparser_oracle() {
    // Gitea main of 2026-07-16 (1.27 era): every pair agrees with 1.26 and 1.27, `has_with`
    // and `has_secrets` included (the caller's context).
    for minor in [26, 27] {
        let profile = ForgeProfile::new(Forge::Gitea, Some(Version::new(1, minor)));
        let compared = check_folder("gitea-jobparser", &profile, &|_| true);
        if compared > 0 {
            assert_eq!(
                compared, 10,
                "every comparable Gitea case was compared on 1.{minor}"
            );
        }
    }
}

#[test]
fn forgejo_runner_jobparser_oracle() {
    let expand = |case: &str| case.starts_with("expand_local_workflow");
    let profile = ForgeProfile::new(Forge::Forgejo, None);
    let compared = check_folder("forgejo-runner-jobparser", &profile, &|c| !expand(c));
    if compared > 0 {
        assert_eq!(compared, 20, "every comparable Forgejo case was compared");
    }
    let opt_in = OptIns {
        forgejo_expands_calls: true,
        ..OptIns::default()
    };
    let expanding = ForgeProfile::resolve(Forge::Forgejo, None, opt_in).expect("a known release");
    let compared = check_folder("forgejo-runner-jobparser", &expanding, &expand);
    if compared > 0 {
        assert_eq!(compared, 1, "expand_local_workflow with the opt-in");
    }
}

/// No Forgejo release up to 13 asks the runner to expand: the caller posts its one context.
#[test]
fn forgejo_default_profile_posts_the_callers_context() {
    let Some(dir) = common::shared("oracles/forgejo-runner-jobparser") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("expand_local_workflow.in.yaml"))
        .expect("oracle input reads");
    let wf = parse(&text, "expand_local_workflow.in.yaml", "pull_request").expect("parses");
    let profile = ForgeProfile::new(Forge::Forgejo, None);
    let named = naming::job_contexts(&profile, &wf, &wf.jobs[0], &OracleCallees(&dir));
    let texts: Vec<String> = named.contexts.into_iter().map(|c| c.text).collect();
    assert_eq!(
        (texts, named.unresolvable),
        (vec!["test / reusable-1 (pull_request)".to_owned()], None)
    );
}
