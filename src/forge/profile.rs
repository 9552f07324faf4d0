//! What each forge release does, as a table of facts with their sources (FORGE-SEMANTICS §2–§4):
//! the version profiles are built from it, `gatelint profiles` prints it, and docs/naming.md's
//! naming section is checked against it by a test.
//!
//! A fact holds for one forge over a closed range of releases. Every release gatelint knows
//! (Gitea 1.21–1.27, Forgejo 7–13) has exactly one fact per behaviour; a test checks that.

use std::fmt::Write as _;

use super::{Forge, Version};

/// The Gitea releases the table sources, oldest first.
pub const GITEA_FIRST: Version = Version::new(1, 21);
pub const GITEA_LATEST: Version = Version::new(1, 27);
/// Forgejo's releases are numbered by their major version.
pub const FORGEJO_FIRST: Version = Version::new(7, 0);
pub const FORGEJO_LATEST: Version = Version::new(13, 0);

/// How sure a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// Read in the forge's source at that release, or its own tests.
    Verified,
    /// Inferred from the neighbouring releases' source (FORGE-SEMANTICS says "most likely").
    Medium,
    /// Reported by users or probes, not in a source gatelint's authors read.
    Observed,
}

/// One behaviour of one forge over a range of releases.
#[derive(Debug, Clone, Copy)]
pub struct Fact {
    pub forge: Forge,
    /// First and last release (inclusive) it holds for; ignored for GitHub (no versions).
    pub from: Version,
    pub to: Version,
    /// The value the profile reads (a key of the behaviour's own vocabulary).
    pub value: &'static str,
    /// What it means, for the table.
    pub text: &'static str,
    /// Where it was established: a pull request, a file, a test, or a report.
    pub source: &'static str,
    pub confidence: Confidence,
}

/// One column of the table.
#[derive(Debug)]
pub struct Behaviour {
    pub key: &'static str,
    pub title: &'static str,
    pub facts: &'static [Fact],
}

const fn v(major: u32, minor: u32) -> Version {
    Version::new(major, minor)
}

const fn gitea(
    from: Version,
    to: Version,
    value: &'static str,
    text: &'static str,
    source: &'static str,
    confidence: Confidence,
) -> Fact {
    Fact {
        forge: Forge::Gitea,
        from,
        to,
        value,
        text,
        source,
        confidence,
    }
}

const fn forgejo(
    from: u32,
    to: u32,
    value: &'static str,
    text: &'static str,
    source: &'static str,
    confidence: Confidence,
) -> Fact {
    Fact {
        forge: Forge::Forgejo,
        from: v(from, 0),
        to: v(to, 0),
        value,
        text,
        source,
        confidence,
    }
}

const fn github(
    value: &'static str,
    text: &'static str,
    source: &'static str,
    confidence: Confidence,
) -> Fact {
    Fact {
        forge: Forge::Github,
        from: v(0, 0),
        to: v(0, 0),
        value,
        text,
        source,
        confidence,
    }
}

use Confidence::{Medium, Observed, Verified};

/// Gitea's and Forgejo's shared file that formats a status context.
const COMMIT_STATUS: &str = "services/actions/commit_status.go";
const ACT_0259: &str = "gitea/act v0.259.1 jobparser (`matrixName`, `nameWithMatrix`)";
const ACT_0261: &str = "gitea/act v0.261.x jobparser, inferred from 1.26's";
const IN_TREE: &str =
    "modules/actions/jobparser (`matrixName`; moved in-tree by go-gitea/gitea#36699)";
const FORGEJO_ACT: &str = "Forgejo runner act/jobparser (forgejo/act ae5411b0)";

pub const BEHAVIOURS: &[Behaviour] = &[
    Behaviour {
        key: "workflow-name",
        title: "Workflow part when `name:` is absent",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 26),
                "empty",
                "empty: `/ build (push)`",
                COMMIT_STATUS,
                Verified,
            ),
            gitea(
                v(1, 27),
                v(1, 27),
                "file",
                "the file's base name: `ci.yml / build (push)`",
                "go-gitea/gitea#37834",
                Verified,
            ),
            forgejo(
                7,
                13,
                "empty",
                "empty: `/ build (push)`",
                COMMIT_STATUS,
                Verified,
            ),
            github(
                "none",
                "not part of the check name",
                "GitHub docs (workflow syntax, `jobs.<job_id>.name`)",
                Verified,
            ),
        ],
    },
    Behaviour {
        key: "pull-request-target",
        title: "Event suffix of a `pull_request_target` run",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 22),
                "pull_request",
                "`(pull_request)`",
                "commit_status.go ignored the trigger event until go-gitea/gitea#31703",
                Verified,
            ),
            gitea(
                v(1, 23),
                v(1, 27),
                "pull_request_target",
                "`(pull_request_target)`",
                "go-gitea/gitea#31703",
                Verified,
            ),
            forgejo(
                7,
                8,
                "pull_request",
                "`(pull_request)`",
                "before the cherry-pick of go-gitea/gitea#31703",
                Verified,
            ),
            forgejo(
                9,
                13,
                "pull_request_target",
                "`(pull_request_target)`",
                "go-gitea/gitea#31703, cherry-picked in Forgejo v9",
                Verified,
            ),
            github(
                "none",
                "no event in the check name",
                "GitHub docs",
                Verified,
            ),
        ],
    },
    Behaviour {
        key: "matrix-suffix",
        title: "Matrix leg suffix",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 22),
                "sorted-go",
                "`(v1, v2)`: keys sorted, values as Go `fmt.Sprint`, none skipped",
                ACT_0259,
                Verified,
            ),
            gitea(
                v(1, 23),
                v(1, 25),
                "sorted-go",
                "`(v1, v2)`: keys sorted, values as Go `fmt.Sprint`, none skipped",
                ACT_0261,
                Medium,
            ),
            gitea(
                v(1, 26),
                v(1, 27),
                "sorted-go",
                "`(v1, v2)`: keys sorted, values as Go `fmt.Sprint`, none skipped",
                IN_TREE,
                Verified,
            ),
            forgejo(
                7,
                7,
                "sorted-go",
                "`(v1, v2)`: keys sorted, values as Go `fmt.Sprint`, none skipped",
                ACT_0259,
                Verified,
            ),
            forgejo(
                8,
                13,
                "sorted-go",
                "`(v1, v2)`: keys sorted, values as Go `fmt.Sprint`, none skipped",
                FORGEJO_ACT,
                Verified,
            ),
            github(
                "github-all",
                "`(v1, v2, …)`: every value in order, objects expanded, cut near 100 characters",
                "observed in check runs",
                Observed,
            ),
        ],
    },
    Behaviour {
        key: "matrix-in-name",
        title: "`name:` with `${{ matrix.* }}`",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 22),
                "raw",
                "not filled in, suffix added: `Build ${{ matrix.os }} (linux)`",
                "go-gitea/gitea#28207",
                Verified,
            ),
            gitea(
                v(1, 23),
                v(1, 25),
                "filled",
                "filled in, no suffix",
                "gitea/act#106, inferred from 1.26's",
                Medium,
            ),
            gitea(
                v(1, 26),
                v(1, 27),
                "filled",
                "filled in, no suffix",
                IN_TREE,
                Verified,
            ),
            forgejo(
                7,
                7,
                "raw",
                "not filled in, suffix added",
                ACT_0259,
                Verified,
            ),
            forgejo(
                8,
                13,
                "filled",
                "filled in, no suffix",
                FORGEJO_ACT,
                Verified,
            ),
            github("filled", "filled in, no suffix", "GitHub docs", Verified),
        ],
    },
    Behaviour {
        key: "plain-name-matrix",
        title: "Plain `name:` on a matrix job",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 22),
                "suffix",
                "suffix added: `Build (linux)`",
                ACT_0259,
                Verified,
            ),
            gitea(
                v(1, 23),
                v(1, 25),
                "suffix",
                "suffix added: `Build (linux)`",
                ACT_0261,
                Medium,
            ),
            gitea(
                v(1, 26),
                v(1, 27),
                "suffix",
                "suffix added: `Build (linux)`",
                IN_TREE,
                Verified,
            ),
            forgejo(
                7,
                7,
                "suffix",
                "suffix added: `Build (linux)`",
                ACT_0259,
                Verified,
            ),
            forgejo(
                8,
                13,
                "shared",
                "no suffix: every leg posts `Build`",
                FORGEJO_ACT,
                Verified,
            ),
            github(
                "suffix",
                "suffix added: `Build (linux)`",
                "observed in check runs",
                Observed,
            ),
        ],
    },
    Behaviour {
        key: "reusable-calls",
        title: "Job calling a reusable workflow (`uses:`)",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 26),
                "caller",
                "one context, the caller job's; the called jobs post nothing",
                "the jobparser keeps a `uses:` job whole (oracles: gitea-jobparser/has_with)",
                Verified,
            ),
            gitea(
                v(1, 27),
                v(1, 27),
                "expand",
                "the caller's, and `{called workflow} / {job} ({event})` per called job (same repository; another repository of the server: unresolvable offline)",
                "go-gitea/gitea#37478",
                Verified,
            ),
            forgejo(
                7,
                13,
                "caller",
                "one context, the caller job's; the called jobs post nothing",
                "the server never asks the runner to expand (runner test data expand_local_workflow only)",
                Verified,
            ),
            github(
                "prefix",
                "`caller / called job`",
                "observed in third-party reports",
                Observed,
            ),
        ],
    },
    Behaviour {
        key: "skipped-job",
        title: "A skipped job posts",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 24),
                "success",
                "`success`",
                "services/actions/commit_status.go (`toCommitStatus`: skipped → success)",
                Verified,
            ),
            gitea(
                v(1, 25),
                v(1, 27),
                "skipped",
                "`skipped` (passing)",
                "services/actions/commit_status.go (`toCommitStatus`: skipped → skipped)",
                Verified,
            ),
            forgejo(
                7,
                13,
                "success",
                "`success`",
                "Forgejo services/actions/commit_status.go (`toCommitStatus`: skipped → success)",
                Verified,
            ),
            github("success", "`success`", "GitHub docs", Verified),
        ],
    },
    Behaviour {
        key: "filtered-workflow",
        title: "Workflow filtered out by `branches`/`paths`/`tags`",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 26),
                "nothing",
                "posts nothing: a required context stays pending",
                "modules/actions/workflows.go (`DetectWorkflows`: a filtered-out workflow gets no run)",
                Verified,
            ),
            gitea(
                v(1, 27),
                v(1, 27),
                "skipped",
                "posts `skipped` (passing) for each context a required pattern matches; `[skip ci]` still nothing",
                "go-gitea/gitea#38237 (backport #38302, narrowed by #38371, #38385)",
                Verified,
            ),
            forgejo(
                7,
                13,
                "nothing",
                "posts nothing: a required context stays pending",
                "modules/actions/workflows.go (`DetectWorkflows`: a filtered-out workflow gets no run)",
                Verified,
            ),
            github(
                "nothing",
                "no check run: a required check stays pending",
                "GitHub docs",
                Verified,
            ),
        ],
    },
    Behaviour {
        key: "job-continue-on-error",
        title: "Job-level `continue-on-error`, job fails",
        facts: &[
            gitea(
                v(1, 21),
                v(1, 26),
                "ignored",
                "ignored: the job fails its check",
                "go-gitea/gitea#38100: before it the server does not read the key",
                Verified,
            ),
            gitea(
                v(1, 27),
                v(1, 27),
                "run-only",
                "the job still fails its check and its dependents see `failure`; only the run's result, and a called job's caller, count it as success",
                "go-gitea/gitea#38100, go-gitea/gitea#37478",
                Verified,
            ),
            forgejo(
                7,
                13,
                "ignored",
                "ignored server-side: the job fails its check",
                "Forgejo's server does not read the key; the runner reports the job's failure",
                Verified,
            ),
            github(
                "needs-success",
                "the job's own check fails; jobs that `needs` it read `success`",
                "probes: VGonPa/xbrain#119, react_on_rails#4083",
                Observed,
            ),
        ],
    },
];

/// Settings no released version has by default, for a server that runs newer code.
pub const OPT_INS: &[(&str, &str)] = &[
    (
        "matrix-names = \"coerced\"",
        "Gitea after 2026-07 (`gitea.dev/actionslib`, undated, unverified): matrix values by the expression language's string coercion, empty values skipped",
    ),
    (
        "forgejo-expands-calls = true",
        "a later Forgejo (release unverified): a caller without `runs-on` is expanded, its called jobs post under their own names",
    ),
];

/// The fact of `behaviour` for `forge` at `version` (a known release; GitHub: its only fact).
pub fn fact(behaviour: &str, forge: Forge, version: Version) -> Option<&'static Fact> {
    let b = BEHAVIOURS.iter().find(|b| b.key == behaviour)?;
    b.facts.iter().find(|f| {
        f.forge == forge && (forge == Forge::Github || (f.from <= version && version <= f.to))
    })
}

/// Every release gatelint has facts for, oldest first.
pub fn known_versions(forge: Forge) -> Vec<Version> {
    match forge {
        Forge::Gitea => (GITEA_FIRST.minor..=GITEA_LATEST.minor)
            .map(|m| v(1, m))
            .collect(),
        Forge::Forgejo => (FORGEJO_FIRST.major..=FORGEJO_LATEST.major)
            .map(|m| v(m, 0))
            .collect(),
        Forge::Github => Vec::new(),
    }
}

/// `1.21`–`1.27`, `7`–`13`: what `--forge-version` accepts, for messages.
pub fn known_range(forge: Forge) -> String {
    match forge {
        Forge::Gitea => format!("Gitea {GITEA_FIRST}–{GITEA_LATEST}"),
        Forge::Forgejo => format!("Forgejo {}–{}", FORGEJO_FIRST.major, FORGEJO_LATEST.major),
        Forge::Github => "GitHub has no versions".to_owned(),
    }
}

/// What a version given for `forge` resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// A release the table sources (Forgejo: `X.Y` is release `X`).
    Known(Version),
    /// Newer than the newest verified: assumed to behave as it (said in a note).
    Assumed { given: Version, as_: Version },
}

/// Map `--forge-version` (or `forge-version`) onto a release of the table. Errors name the
/// releases gatelint knows.
pub fn resolve_version(forge: Forge, given: Option<Version>) -> Result<Resolved, String> {
    let known = || {
        format!(
            "gatelint knows {} and {}",
            known_range(Forge::Gitea),
            known_range(Forge::Forgejo)
        )
    };
    let Some(given) = given else {
        return Ok(Resolved::Known(match forge {
            Forge::Gitea => GITEA_LATEST,
            Forge::Forgejo => FORGEJO_LATEST,
            Forge::Github => v(0, 0),
        }));
    };
    match forge {
        Forge::Github => Err(format!(
            "--forge-version {given}: GitHub has no versions to choose ({})",
            known()
        )),
        Forge::Gitea if given.major != 1 => Err(format!(
            "--forge-version {given} is not a Gitea release (Gitea is numbered 1.x{}); {}",
            if given.major >= FORGEJO_FIRST.major {
                ", Forgejo 7 and later by their major number: use --forge forgejo"
            } else {
                ""
            },
            known()
        )),
        Forge::Gitea if given < GITEA_FIRST => Err(format!(
            "--forge-version {given}: Gitea releases before {GITEA_FIRST} are not modelled; {}",
            known()
        )),
        Forge::Gitea if given > GITEA_LATEST => Ok(Resolved::Assumed {
            given,
            as_: GITEA_LATEST,
        }),
        Forge::Gitea => Ok(Resolved::Known(given)),
        Forge::Forgejo if given.major < FORGEJO_FIRST.major => Err(format!(
            "--forge-version {given} is not a Forgejo release gatelint models (Forgejo is numbered 7, 8, … 13{}); {}",
            if given.major == 1 {
                "; 1.x is Gitea's numbering (and Forgejo's before v7): use --forge gitea"
            } else {
                ""
            },
            known()
        )),
        Forge::Forgejo if given.major > FORGEJO_LATEST.major => Ok(Resolved::Assumed {
            given,
            as_: FORGEJO_LATEST,
        }),
        Forge::Forgejo => Ok(Resolved::Known(v(given.major, 0))),
    }
}

/// What a user should know about the profile in use, as notes: a newer release assumed as
/// the newest known, facts of medium confidence, opt-ins that do not apply to this forge.
pub fn notes(p: &super::ForgeProfile, opt_ins: super::OptIns) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(given) = p.assumed_from {
        let given = match p.forge {
            Forge::Forgejo => given.major.to_string(),
            _ => given.to_string(),
        };
        out.push(format!(
            "{} {given} is newer than the newest release gatelint has verified: assumed as {} (unverified); `gatelint profiles` shows what that means",
            p.forge.title(),
            p.label()
        ));
    }
    let medium: Vec<&str> = BEHAVIOURS
        .iter()
        .filter(|b| fact(b.key, p.forge, p.version).is_some_and(|f| f.confidence == Medium))
        .map(|b| b.title)
        .collect();
    if !medium.is_empty() {
        out.push(format!(
            "{}: inferred from the neighbouring releases' source, not read in this one (medium confidence): {}",
            p.label(),
            medium.join("; ")
        ));
    }
    if opt_ins.coerced_matrix_names && p.forge != Forge::Gitea {
        out.push(format!(
            "`[profile] matrix-names` is a Gitea setting: ignored on {}",
            p.forge.title()
        ));
    }
    if opt_ins.forgejo_expands_calls && p.forge != Forge::Forgejo {
        out.push(format!(
            "`[profile] forgejo-expands-calls` is a Forgejo setting: ignored on {}",
            p.forge.title()
        ));
    }
    out
}

/// The table as Markdown: one row per range of releases that behave alike, one column per
/// behaviour, each cell with its source; the opt-in settings below it.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("| forge | releases |");
    for b in BEHAVIOURS {
        let _ = write!(out, " {} |", b.title.replace('|', "\\|"));
    }
    out.push('\n');
    out.push_str("|---|---|");
    for _ in BEHAVIOURS {
        out.push_str("---|");
    }
    out.push('\n');
    for forge in [Forge::Gitea, Forge::Forgejo, Forge::Github] {
        for (first, last) in ranges(forge) {
            let releases = match forge {
                Forge::Github => "all".to_owned(),
                Forge::Forgejo if first == last => format!("{}", first.major),
                Forge::Forgejo => format!("{}–{}", first.major, last.major),
                Forge::Gitea if first == last => first.to_string(),
                Forge::Gitea => format!("{first}–{last}"),
            };
            let name = match forge {
                Forge::Gitea => "Gitea",
                Forge::Forgejo => "Forgejo",
                Forge::Github => "GitHub",
            };
            let _ = write!(out, "| {name} | {releases} |");
            for b in BEHAVIOURS {
                let cell = match fact(b.key, forge, first) {
                    Some(f) => {
                        let confidence = match f.confidence {
                            Verified => "",
                            Medium => " (medium confidence)",
                            Observed => " (observed)",
                        };
                        format!("{}{confidence}. Source: {}", f.text, f.source)
                    }
                    None => "unknown".to_owned(),
                };
                let _ = write!(out, " {} |", cell.replace('|', "\\|"));
            }
            out.push('\n');
        }
    }
    out.push_str(
        "\nOpt-in settings (`[profile]` in `gatelint.toml`), default for no released version:\n\n",
    );
    for (setting, what) in OPT_INS {
        let _ = writeln!(out, "- `{setting}`: {what}");
    }
    out
}

/// The table as JSON: every fact of every behaviour, with its releases and source.
pub fn json() -> String {
    let behaviours: Vec<serde_json::Value> = BEHAVIOURS
        .iter()
        .map(|b| {
            let facts: Vec<serde_json::Value> = b
                .facts
                .iter()
                .map(|f| {
                    let (from, to) = match f.forge {
                        Forge::Github => (None, None),
                        Forge::Forgejo => {
                            (Some(f.from.major.to_string()), Some(f.to.major.to_string()))
                        }
                        Forge::Gitea => (Some(f.from.to_string()), Some(f.to.to_string())),
                    };
                    serde_json::json!({
                        "forge": f.forge.as_str(),
                        "from": from,
                        "to": to,
                        "value": f.value,
                        "text": f.text,
                        "source": f.source,
                        "confidence": match f.confidence {
                            Verified => "verified",
                            Medium => "medium",
                            Observed => "observed",
                        },
                    })
                })
                .collect();
            serde_json::json!({"key": b.key, "title": b.title, "facts": facts})
        })
        .collect();
    let doc = serde_json::json!({"version": 1, "behaviours": behaviours});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Consecutive known releases whose facts are all the same, as (first, last).
fn ranges(forge: Forge) -> Vec<(Version, Version)> {
    let versions = match forge {
        Forge::Github => return vec![(v(0, 0), v(0, 0))],
        _ => known_versions(forge),
    };
    let key = |ver: Version| -> Vec<*const Fact> {
        BEHAVIOURS
            .iter()
            .map(|b| fact(b.key, forge, ver).map_or(std::ptr::null(), |f| f as *const Fact))
            .collect()
    };
    let mut out: Vec<(Version, Version)> = Vec::new();
    for ver in versions {
        match out.last_mut() {
            Some((first, last)) if key(*first) == key(ver) => *last = ver,
            _ => out.push((ver, ver)),
        }
    }
    out
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
