//! Forges and their version-dependent behaviour (FORGE-SEMANTICS.md).

pub mod glob;
pub mod naming;
pub mod profile;
pub mod protection;
pub mod source;

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Forge {
    Github,
    Gitea,
    Forgejo,
}

impl Forge {
    pub fn as_str(self) -> &'static str {
        match self {
            Forge::Github => "github",
            Forge::Gitea => "gitea",
            Forge::Forgejo => "forgejo",
        }
    }
}

impl Forge {
    /// `GitHub`, `Gitea`, `Forgejo`: for sentences.
    pub fn title(self) -> &'static str {
        match self {
            Forge::Github => "GitHub",
            Forge::Gitea => "Gitea",
            Forge::Forgejo => "Forgejo",
        }
    }
}

impl fmt::Display for Forge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Forge {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "github" => Ok(Forge::Github),
            "gitea" => Ok(Forge::Gitea),
            "forgejo" => Ok(Forge::Forgejo),
            _ => Err(format!(
                "unknown forge `{s}`: expected github, gitea or forgejo"
            )),
        }
    }
}

/// A forge release, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32) -> Self {
        Version { major, minor }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Version {
    type Err = String;
    /// `1.22`, `1.22.6`, `v1.22`, `11` (Forgejo) or `11.0`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches(['v', 'V']);
        let mut parts = t.split('.');
        let bad = || format!("invalid forge version `{s}`: expected X.Y, e.g. 1.22");
        let major = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor = match parts.next() {
            Some(p) => p.parse().map_err(|_| bad())?,
            None => 0,
        };
        if let Some(patch) = parts.next() {
            // The patch level changes nothing gatelint models, but it must be a number.
            let digits = patch.split(['-', '+']).next().unwrap_or("");
            digits.parse::<u32>().map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Version { major, minor })
    }
}

/// How the `(v1, v2)` suffix of a matrix leg is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixSuffix {
    /// Keys sorted alphabetically, every value as Go's `fmt.Sprint` (none skipped: an empty
    /// string gives `(, stable)`, null `<nil>`): every released Gitea and Forgejo (§3).
    SortedGoSprint,
    /// The combination's own key order, values by the expression language's string coercion,
    /// null and empty values left out: Gitea after 2026-07, unreleased (opt-in only).
    WrittenCoerced,
    /// Every value in the combination's order, objects expanded to their values (GitHub).
    GithubAll,
}

/// What a job that calls a reusable workflow posts (§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallNaming {
    /// GitHub: `caller / called job` per called job.
    Prefix,
    /// One context, the caller job's own (Gitea ≤ 1.26, Forgejo).
    Caller,
    /// The caller's, and `{called workflow} / {called job} ({event})` per called job
    /// (Gitea ≥ 1.27).
    Expand,
    /// A caller without `runs-on` is replaced by its called jobs, named as themselves under
    /// the caller's workflow name (a later Forgejo, opt-in).
    ForgejoExpand,
}

/// What job-level `continue-on-error` does when the job fails (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobMask {
    /// GitHub: the job's own check fails; jobs that `needs` it read `success`.
    NeedsSuccess,
    /// Ignored: the job fails its check, dependents see `failure` (Gitea ≤ 1.26, Forgejo).
    Ignored,
    /// Gitea ≥ 1.27: only the run's result (and a called job's caller) count it as success.
    RunOnly,
}

/// Profile settings that no released version has, for servers running newer code
/// (`[profile]` in `gatelint.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OptIns {
    /// `matrix-names = "coerced"`: Gitea's later matrix formatting.
    pub coerced_matrix_names: bool,
    /// `forgejo-expands-calls = true`: a later Forgejo's expansion of reusable workflows.
    pub forgejo_expands_calls: bool,
}

/// What gatelint must know about a forge release to name contexts and judge gates, read from
/// the table in [`profile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeProfile {
    pub forge: Forge,
    /// The release assumed (given or the default; a newer one than the table knows is assumed
    /// as the newest it knows).
    pub version: Version,
    /// The release given, when it is newer than the newest verified one.
    pub assumed_from: Option<Version>,
    /// Gitea ≥ 1.27: a workflow without `name:` is named by its file's base name; before,
    /// and on Forgejo, the name is empty.
    pub workflow_name_from_file: bool,
    /// The event suffix a `pull_request_target` run posts.
    pub pull_request_target_suffix: &'static str,
    pub matrix_suffix: MatrixSuffix,
    /// `${{ matrix.* }}` in a job name is filled in (else the raw text plus the suffix).
    pub fills_matrix_in_names: bool,
    /// A `name:` without a matrix expression still gets the `(v1, v2)` suffix (Gitea, GitHub,
    /// Forgejo 7); Forgejo 8 and later leave it off, so legs can share a context.
    pub suffix_on_plain_name: bool,
    pub calls: CallNaming,
    /// The state a skipped job posts (`success` or `skipped`; both pass).
    pub skipped_posts: &'static str,
    /// A workflow filtered out by `branches`/`paths` (and their `-ignore`) posts `skipped`,
    /// which passes, for its contexts that a required pattern matches (Gitea ≥ 1.27,
    /// go-gitea/gitea#38237, FORGE-SEMANTICS §4); elsewhere it posts nothing.
    pub filtered_posts_skipped: bool,
    pub job_continue_on_error: JobMask,
}

/// Newest releases this build knows; used when `--forge-version` is not given.
pub const LATEST_GITEA: Version = profile::GITEA_LATEST;
pub const LATEST_FORGEJO: Version = profile::FORGEJO_LATEST;

impl ForgeProfile {
    /// The profile of a release (the newest known when `None`; out-of-table versions are
    /// clamped to the nearest known release: use [`ForgeProfile::resolve`] for user input).
    pub fn new(forge: Forge, version: Option<Version>) -> Self {
        let version = match profile::resolve_version(forge, version) {
            Ok(profile::Resolved::Known(v)) => v,
            Ok(profile::Resolved::Assumed { as_, .. }) => as_,
            Err(_) => match forge {
                Forge::Gitea => profile::GITEA_FIRST,
                Forge::Forgejo => profile::FORGEJO_FIRST,
                Forge::Github => Version::new(0, 0),
            },
        };
        Self::from_table(forge, version, OptIns::default())
    }

    /// The profile for a version given by the user: unknown schemes and releases are errors
    /// that list the known ones; a newer release is assumed as the newest known one.
    pub fn resolve(forge: Forge, given: Option<Version>, opt_ins: OptIns) -> Result<Self, String> {
        let (version, assumed_from) = match profile::resolve_version(forge, given)? {
            profile::Resolved::Known(v) => (v, None),
            profile::Resolved::Assumed { given, as_ } => (as_, Some(given)),
        };
        let mut p = Self::from_table(forge, version, opt_ins);
        p.assumed_from = assumed_from;
        Ok(p)
    }

    fn from_table(forge: Forge, version: Version, opt_ins: OptIns) -> Self {
        let value = |key: &str| profile::fact(key, forge, version).map_or("", |f| f.value);
        let matrix_suffix = match value("matrix-suffix") {
            "github-all" => MatrixSuffix::GithubAll,
            _ if opt_ins.coerced_matrix_names && forge == Forge::Gitea => {
                MatrixSuffix::WrittenCoerced
            }
            _ => MatrixSuffix::SortedGoSprint,
        };
        let calls = match value("reusable-calls") {
            "prefix" => CallNaming::Prefix,
            "expand" => CallNaming::Expand,
            _ if opt_ins.forgejo_expands_calls && forge == Forge::Forgejo => {
                CallNaming::ForgejoExpand
            }
            _ => CallNaming::Caller,
        };
        ForgeProfile {
            forge,
            version,
            assumed_from: None,
            workflow_name_from_file: value("workflow-name") == "file",
            pull_request_target_suffix: match value("pull-request-target") {
                "pull_request" => "pull_request",
                _ => "pull_request_target",
            },
            matrix_suffix,
            fills_matrix_in_names: value("matrix-in-name") != "raw",
            suffix_on_plain_name: value("plain-name-matrix") != "shared",
            calls,
            skipped_posts: match value("skipped-job") {
                "skipped" => "skipped",
                _ => "success",
            },
            filtered_posts_skipped: value("filtered-workflow") == "skipped",
            job_continue_on_error: match value("job-continue-on-error") {
                "needs-success" => JobMask::NeedsSuccess,
                "run-only" => JobMask::RunOnly,
                _ => JobMask::Ignored,
            },
        }
    }

    /// `Gitea 1.26`, `Forgejo 13`, `GitHub`: for messages.
    pub fn label(&self) -> String {
        match self.forge {
            Forge::Gitea => format!("Gitea {}", self.version),
            Forge::Forgejo => format!("Forgejo {}", self.version.major),
            Forge::Github => "GitHub".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!("1.22".parse(), Ok(Version::new(1, 22)));
        assert_eq!("v1.22.6".parse(), Ok(Version::new(1, 22)));
        assert_eq!("11".parse(), Ok(Version::new(11, 0)));
        assert!("1.x".parse::<Version>().is_err());
        assert!("".parse::<Version>().is_err());
        assert!("1.2.3.4".parse::<Version>().is_err());
    }

    #[test]
    fn gitea_profiles_by_version() {
        let old = ForgeProfile::new(Forge::Gitea, Some(Version::new(1, 22)));
        assert!(!old.workflow_name_from_file);
        assert_eq!(old.pull_request_target_suffix, "pull_request");
        assert_eq!(old.matrix_suffix, MatrixSuffix::SortedGoSprint);
        let new = ForgeProfile::new(Forge::Gitea, Some(Version::new(1, 27)));
        assert!(new.workflow_name_from_file);
        assert_eq!(new.pull_request_target_suffix, "pull_request_target");
        assert_eq!(new.matrix_suffix, MatrixSuffix::SortedGoSprint);
        assert!(!old.filtered_posts_skipped && new.filtered_posts_skipped);
    }
}
