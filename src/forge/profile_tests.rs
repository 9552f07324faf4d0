//! One test per behaviour (column of the table), one assertion per release (cell), each citing
//! its source. The profile must read exactly what the table says.

use super::*;
use crate::forge::{CallNaming, ForgeProfile, JobMask, MatrixSuffix, OptIns};

fn gitea(minor: u32) -> ForgeProfile {
    ForgeProfile::new(Forge::Gitea, Some(Version::new(1, minor)))
}

fn forgejo(major: u32) -> ForgeProfile {
    ForgeProfile::new(Forge::Forgejo, Some(Version::new(major, 0)))
}

fn github() -> ForgeProfile {
    ForgeProfile::new(Forge::Github, None)
}

#[test]
fn every_known_release_has_one_fact_per_behaviour() {
    for b in BEHAVIOURS {
        for forge in [Forge::Gitea, Forge::Forgejo] {
            for ver in known_versions(forge) {
                let n = b
                    .facts
                    .iter()
                    .filter(|f| f.forge == forge && f.from <= ver && ver <= f.to)
                    .count();
                assert_eq!(n, 1, "{} for {forge} {ver}", b.key);
            }
        }
        let n = b.facts.iter().filter(|f| f.forge == Forge::Github).count();
        assert_eq!(n, 1, "{} for GitHub", b.key);
        assert!(b.facts.iter().all(|f| !f.source.is_empty()), "{}", b.key);
    }
}

#[test]
fn workflow_name_when_absent() {
    // Empty up to 1.26: services/actions/commit_status.go formats `{workflow} / …` with it.
    for minor in 21..=26 {
        assert!(!gitea(minor).workflow_name_from_file, "1.{minor}");
    }
    // The file's base name from 1.27: go-gitea/gitea#37834.
    assert!(gitea(27).workflow_name_from_file);
    // Forgejo keeps the empty name (its commit_status.go).
    for major in 7..=13 {
        assert!(!forgejo(major).workflow_name_from_file, "{major}");
    }
}

#[test]
fn pull_request_target_suffix() {
    // Gitea ≤ 1.22: commit_status.go ignored the trigger event; go-gitea/gitea#31703 (1.23).
    for minor in 21..=22 {
        assert_eq!(gitea(minor).pull_request_target_suffix, "pull_request");
    }
    for minor in 23..=27 {
        assert_eq!(
            gitea(minor).pull_request_target_suffix,
            "pull_request_target"
        );
    }
    // Forgejo: the same change, cherry-picked in v9.
    for major in 7..=8 {
        assert_eq!(forgejo(major).pull_request_target_suffix, "pull_request");
    }
    for major in 9..=13 {
        assert_eq!(
            forgejo(major).pull_request_target_suffix,
            "pull_request_target"
        );
    }
}

#[test]
fn matrix_suffix() {
    // Gitea 1.21–1.22 (gitea/act v0.259.1), 1.23–1.25 (v0.261.x, medium), 1.26–1.27 (in-tree
    // modules/actions/jobparser `matrixName`): sorted keys, Go `fmt.Sprint`, none skipped.
    for minor in 21..=27 {
        assert_eq!(gitea(minor).matrix_suffix, MatrixSuffix::SortedGoSprint);
    }
    assert_eq!(
        fact("matrix-suffix", Forge::Gitea, Version::new(1, 24)).map(|f| f.confidence),
        Some(Confidence::Medium)
    );
    // Forgejo runner act/jobparser `matrixName`: the same.
    for major in 7..=13 {
        assert_eq!(forgejo(major).matrix_suffix, MatrixSuffix::SortedGoSprint);
    }
    // GitHub: every value in order (observed).
    assert_eq!(github().matrix_suffix, MatrixSuffix::GithubAll);
    // The later Gitea formatting only when asked for.
    let opt = OptIns {
        coerced_matrix_names: true,
        ..OptIns::default()
    };
    let later = ForgeProfile::resolve(Forge::Gitea, None, opt).map(|p| p.matrix_suffix);
    assert_eq!(later, Ok(MatrixSuffix::WrittenCoerced));
}

#[test]
fn matrix_expression_in_name() {
    // Not filled in on Gitea 1.21–1.22: go-gitea/gitea#28207; fixed by gitea/act#106.
    for minor in 21..=22 {
        assert!(!gitea(minor).fills_matrix_in_names, "1.{minor}");
    }
    for minor in 23..=27 {
        assert!(gitea(minor).fills_matrix_in_names, "1.{minor}");
    }
    // Forgejo 7 runs gitea/act v0.259.1; 8 and later forgejo/act ae5411b0.
    assert!(!forgejo(7).fills_matrix_in_names);
    for major in 8..=13 {
        assert!(forgejo(major).fills_matrix_in_names, "{major}");
    }
    assert!(github().fills_matrix_in_names);
}

#[test]
fn plain_name_of_a_matrix_job() {
    // Gitea's `nameWithMatrix` appends the suffix to a plain name, every release.
    for minor in 21..=27 {
        assert!(gitea(minor).suffix_on_plain_name, "1.{minor}");
    }
    // Forgejo 7 as Gitea 1.22; from 8 (forgejo/act ae5411b0) no suffix.
    assert!(forgejo(7).suffix_on_plain_name);
    for major in 8..=13 {
        assert!(!forgejo(major).suffix_on_plain_name, "{major}");
    }
    assert!(github().suffix_on_plain_name);
}

#[test]
fn reusable_calls() {
    // Gitea ≤ 1.26: the jobparser keeps a `uses:` job whole (oracle has_with).
    for minor in 21..=26 {
        assert_eq!(gitea(minor).calls, CallNaming::Caller, "1.{minor}");
    }
    // Gitea 1.27: the server expands the called workflow (go-gitea/gitea#37478).
    assert_eq!(gitea(27).calls, CallNaming::Expand);
    // Forgejo up to 13: no expansion; a later one only when asked for.
    for major in 7..=13 {
        assert_eq!(forgejo(major).calls, CallNaming::Caller, "{major}");
    }
    let opt = OptIns {
        forgejo_expands_calls: true,
        ..OptIns::default()
    };
    assert_eq!(
        ForgeProfile::resolve(Forge::Forgejo, None, opt).map(|p| p.calls),
        Ok(CallNaming::ForgejoExpand)
    );
    // GitHub: `caller / called job` (observed).
    assert_eq!(github().calls, CallNaming::Prefix);
}

#[test]
fn skipped_job_state() {
    // FORGE-SEMANTICS §4: `success` before Gitea 1.25, `skipped` from 1.25; Forgejo `success`.
    for minor in 21..=24 {
        assert_eq!(gitea(minor).skipped_posts, "success", "1.{minor}");
    }
    for minor in 25..=27 {
        assert_eq!(gitea(minor).skipped_posts, "skipped", "1.{minor}");
    }
    for major in 7..=13 {
        assert_eq!(forgejo(major).skipped_posts, "success", "{major}");
    }
}

#[test]
fn filtered_out_workflow() {
    // Gitea 1.27: go-gitea/gitea#38237 (backport #38302); before, and on Forgejo, nothing.
    for minor in 21..=26 {
        assert!(!gitea(minor).filtered_posts_skipped, "1.{minor}");
    }
    assert!(gitea(27).filtered_posts_skipped);
    for major in 7..=13 {
        assert!(!forgejo(major).filtered_posts_skipped, "{major}");
    }
    assert!(!github().filtered_posts_skipped);
}

#[test]
fn job_level_continue_on_error() {
    // Ignored up to Gitea 1.26 and on Forgejo (FORGE-SEMANTICS §4); Gitea 1.27
    // (go-gitea/gitea#38100) changes only the run's result.
    for minor in 21..=26 {
        assert_eq!(gitea(minor).job_continue_on_error, JobMask::Ignored);
    }
    assert_eq!(gitea(27).job_continue_on_error, JobMask::RunOnly);
    for major in 7..=13 {
        assert_eq!(forgejo(major).job_continue_on_error, JobMask::Ignored);
    }
    // GitHub: the dependents read `success` (probes, FORGE-SEMANTICS §4).
    assert_eq!(github().job_continue_on_error, JobMask::NeedsSuccess);
}

#[test]
fn versions_resolve_or_fail_with_the_known_ones() {
    let g = |s: &str| resolve_version(Forge::Gitea, s.parse().ok());
    let f = |s: &str| resolve_version(Forge::Forgejo, s.parse().ok());
    assert_eq!(g("1.22.6"), Ok(Resolved::Known(Version::new(1, 22))));
    assert_eq!(
        g("1.28"),
        Ok(Resolved::Assumed {
            given: Version::new(1, 28),
            as_: Version::new(1, 27)
        })
    );
    assert_eq!(f("11.0.3"), Ok(Resolved::Known(Version::new(11, 0))));
    assert_eq!(
        f("14"),
        Ok(Resolved::Assumed {
            given: Version::new(14, 0),
            as_: Version::new(13, 0)
        })
    );
    for (bad, what) in [
        (g("13"), "use --forge forgejo"),
        (g("1.20"), "before 1.21"),
        (f("1.22"), "use --forge gitea"),
        (f("6"), "numbered 7"),
        (
            resolve_version(Forge::Github, Some(Version::new(1, 0))),
            "no versions",
        ),
    ] {
        let msg = bad.expect_err(what);
        assert!(msg.contains(what), "{msg}");
        assert!(msg.contains("Gitea 1.21–1.27 and Forgejo 7–13"), "{msg}");
    }
    assert_eq!(
        resolve_version(Forge::Gitea, None),
        Ok(Resolved::Known(GITEA_LATEST))
    );
}

#[test]
fn the_table_groups_releases_that_behave_alike() {
    let md = markdown();
    for row in [
        "| Gitea | 1.21–1.22 |",
        "| Gitea | 1.23–1.24 |",
        "| Gitea | 1.25 |",
        "| Gitea | 1.26 |",
        "| Gitea | 1.27 |",
        "| Forgejo | 7 |",
        "| Forgejo | 8 |",
        "| Forgejo | 9–13 |",
        "| GitHub | all |",
    ] {
        assert!(md.contains(row), "{row} in\n{md}");
    }
    assert!(md.contains("go-gitea/gitea#37478"));
    assert!(md.contains("(medium confidence)"));
}

#[test]
fn notes_say_what_is_assumed() {
    let none = OptIns::default();
    assert!(notes(&gitea(26), none).is_empty());
    let medium = notes(&gitea(24), none);
    assert_eq!(medium.len(), 1);
    assert!(medium[0].starts_with("Gitea 1.24: inferred from the neighbouring releases' source"));
    let newer = ForgeProfile::resolve(Forge::Forgejo, Some(Version::new(14, 0)), none)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        notes(&newer, none),
        [
            "Forgejo 14 is newer than the newest release gatelint has verified: assumed as Forgejo 13 (unverified); `gatelint profiles` shows what that means"
        ]
    );
    let both = OptIns {
        coerced_matrix_names: true,
        forgejo_expands_calls: true,
    };
    assert_eq!(
        notes(&forgejo(13), both),
        ["`[profile] matrix-names` is a Gitea setting: ignored on Forgejo"]
    );
}
