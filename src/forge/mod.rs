//! Forges and their version-dependent behaviour (FORGE-SEMANTICS.md).

pub mod glob;
pub mod naming;
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
    /// Keys sorted alphabetically, values as Go's `fmt.Sprint`, null and empty values left
    /// out (Gitea 1.22–1.26, the Forgejo runner).
    SortedGoSprint,
    /// The combination's own key order, values by the expression language's string coercion,
    /// null and empty values left out (Gitea ≥ 1.27).
    WrittenCoerced,
    /// Every value in the combination's order, objects expanded to their values (GitHub).
    GithubAll,
}

/// What gatelint must know about a forge release to name contexts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgeProfile {
    pub forge: Forge,
    /// The release assumed (given or the default).
    pub version: Version,
    /// Gitea ≥ 1.27: a workflow without `name:` is named by its file's base name; before,
    /// and on Forgejo, the name is empty.
    pub workflow_name_from_file: bool,
    /// The event suffix a `pull_request_target` run posts (FORGE-SEMANTICS §2, uncertain on
    /// Gitea 1.22).
    pub pull_request_target_suffix: &'static str,
    pub matrix_suffix: MatrixSuffix,
    /// Gitea 1.21 posted `${{ matrix.* }}` in names unevaluated (go-gitea/gitea#28207).
    pub fills_matrix_in_names: bool,
    /// A `name:` without a matrix expression still gets the `(v1, v2)` suffix (Gitea, GitHub);
    /// the Forgejo runner leaves it off, so legs can share a context.
    pub suffix_on_plain_name: bool,
    /// A workflow filtered out by `branches`/`paths` (and their `-ignore`) posts `skipped`,
    /// which passes, for its contexts that a required pattern matches (Gitea ≥ 1.27,
    /// go-gitea/gitea#38237, FORGE-SEMANTICS §4); elsewhere it posts nothing.
    pub filtered_posts_skipped: bool,
}

/// Newest releases this build knows; used when `--forge-version` is not given.
pub const LATEST_GITEA: Version = Version::new(1, 27);
pub const LATEST_FORGEJO: Version = Version::new(13, 0);

impl ForgeProfile {
    pub fn new(forge: Forge, version: Option<Version>) -> Self {
        match forge {
            Forge::Github => ForgeProfile {
                forge,
                version: version.unwrap_or(Version::new(0, 0)),
                workflow_name_from_file: false,
                pull_request_target_suffix: "pull_request_target",
                matrix_suffix: MatrixSuffix::GithubAll,
                fills_matrix_in_names: true,
                suffix_on_plain_name: true,
                filtered_posts_skipped: false,
            },
            Forge::Gitea => {
                let v = version.unwrap_or(LATEST_GITEA);
                ForgeProfile {
                    forge,
                    version: v,
                    workflow_name_from_file: v >= Version::new(1, 27),
                    // Observed on a 1.22.6 install; current source posts the event's own name.
                    pull_request_target_suffix: if v < Version::new(1, 23) {
                        "pull_request"
                    } else {
                        "pull_request_target"
                    },
                    matrix_suffix: if v >= Version::new(1, 27) {
                        MatrixSuffix::WrittenCoerced
                    } else {
                        MatrixSuffix::SortedGoSprint
                    },
                    fills_matrix_in_names: v >= Version::new(1, 22),
                    suffix_on_plain_name: true,
                    filtered_posts_skipped: v >= Version::new(1, 27),
                }
            }
            Forge::Forgejo => ForgeProfile {
                forge,
                version: version.unwrap_or(LATEST_FORGEJO),
                workflow_name_from_file: false,
                pull_request_target_suffix: "pull_request_target",
                matrix_suffix: MatrixSuffix::SortedGoSprint,
                fills_matrix_in_names: true,
                suffix_on_plain_name: false,
                filtered_posts_skipped: false,
            },
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
        assert_eq!(new.matrix_suffix, MatrixSuffix::WrittenCoerced);
        assert!(!ForgeProfile::new(Forge::Gitea, Some(Version::new(1, 21))).fills_matrix_in_names);
        assert!(!old.filtered_posts_skipped && new.filtered_posts_skipped);
    }
}
