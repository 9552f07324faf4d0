//! The command line (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::forge::{Forge, Version};

#[derive(Debug, Parser)]
#[command(
    name = "gatelint",
    version,
    about = "Checks that required CI gates cannot be lost quietly",
    long_about = "Reads Gitea, Forgejo and GitHub Actions workflows and their `bp-required` / \
                  `bp-exempt` directives and computes the exact status-check context each job \
                  posts on that forge.",
    after_help = "Exit codes: 0 no error-level finding; 1 at least one error-level finding \
                  (report: a workflow file could not be read); 2 gatelint could not check \
                  (bad usage, an unreadable config or protection source, an API failure or an \
                  unprotected branch with --remote)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint workflows and gates: directives, masks, and (with a protection source) branch
    /// protection.
    Check(CheckArgs),
    /// The gate matrix: job → contexts → directive → protected? → mask → verdict.
    Report(ReportArgs),
    /// Fetch live branch protection (--remote) and write it as a snapshot file, which
    /// --protection and `protection = …` read.
    Snapshot(SnapshotArgs),
    /// Audit every repository of an organisation (or a list) from the API alone, without
    /// cloning: each one's workflows and protection, the same rules as `check`, a line per
    /// repository and a summary. Exit 2 when a repository could not be read
    Audit(AuditArgs),
    /// Adopt gatelint: add a directive above every job that posts a context and has none
    /// (`bp-required: yes` when protection requires it, else a `bp-exempt: TODO reason`
    /// placeholder), and write a starter gatelint.toml
    Init(InitArgs),
    /// List every rule with its default severity and summary.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. required-not-protected
        rule: String,
    },
    /// Print what each Gitea and Forgejo release (and GitHub) does, as gatelint models it:
    /// one row per range of releases, one column per behaviour, each with its source
    Profiles {
        /// `markdown` (the default, a table) or `json`
        #[arg(long, value_enum, default_value_t = ProfilesFormat::Markdown)]
        format: ProfilesFormat,
    },
    /// Print a completion script for SHELL on standard output, e.g.
    /// `gatelint completions bash > ~/.local/share/bash-completion/completions/gatelint`
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output: `gatelint man > gatelint.1`, and a
    /// subcommand's page `gatelint man check > gatelint-check.1`
    Man {
        /// A subcommand whose page to print, e.g. check
        subcommand: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfilesFormat {
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    /// Workflow commands (`::error file=…::…`), read by GitHub, Gitea and Forgejo runners
    Github,
    Markdown,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Repository roots; several are processed in parallel and reported in the order given
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub common: Common,

    #[command(flatten)]
    pub sources: Sources,

    /// Diff mode: compare the gates with those at revision REV of the git work tree (read with
    /// git, no checkout); gate-removed, gate-renamed and gate-weakened fire, and
    /// directive-missing only for contexts the change adds
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Diff mode: the pull request's body, read for `Paired: #N` (aggregator-unpaired)
    /// [default: pull_request.body from the runner's event payload]
    #[arg(long, value_name = "TEXT", requires = "base")]
    pub pr_body: Option<String>,

    /// Output format [default: human; github in a GitHub runner (GITHUB_ACTIONS=true), human
    /// in a Gitea or Forgejo runner (GITEA_ACTIONS / FORGEJO_ACTIONS); in a runner the
    /// markdown summary is also appended to $GITHUB_STEP_SUMMARY when it is set]
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,

    /// With --remote: compare the contexts this pull request should post with those the forge
    /// posted on its head commit SHA (context-not-posted, context-unpredicted). Without a
    /// value: the pull request's head from the runner's event payload (GITHUB_EVENT_PATH),
    /// never GITHUB_SHA (a test merge commit)
    #[arg(long, value_name = "SHA", requires = "remote", num_args = 0..=1, default_missing_value = "event")]
    pub head: Option<String>,

    /// With --head: how long to wait for the statuses to settle (nothing pending, every
    /// predicted context posted), in seconds
    #[arg(long, value_name = "SECS", default_value_t = 300, requires = "head")]
    pub settle: u64,

    /// With --head: seconds between two reads of the statuses
    #[arg(long, value_name = "SECS", default_value_t = 15, requires = "head")]
    pub poll: u64,

    /// With --head: statuses that did not settle in time are a warning, not exit 2
    #[arg(long, requires = "head")]
    pub allow_unsettled: bool,

    /// With --remote: read what the forge posted on the head commits of the last N pull
    /// requests merged into the branch and on its last N commits (1 to 50), for
    /// required-never-seen, pending-ready, mask-hides-failures and (with --base)
    /// mask-removal-unproven
    #[arg(long, value_name = "N", requires = "remote", value_parser = clap::value_parser!(u64).range(1..=50))]
    pub history: Option<u64>,

    /// With --head: the pull request's number, which `[[observed.lane-waiver]]` entries name
    /// [default: pull_request.number from the runner's event payload]
    #[arg(long, value_name = "N", requires = "head", value_parser = clap::value_parser!(u64).range(1..))]
    pub pr: Option<u64>,
}

#[derive(Debug, Clone, Args)]
pub struct Sources {
    /// The target branch whose protection applies (selects the rule of a
    /// `branch_protections` list) [default: `branch` in gatelint.toml, else main; `init`:
    /// the `origin` remote's default branch (origin/HEAD)]
    #[arg(long)]
    pub branch: Option<String>,

    /// Branch protection read from a file: a GitHub or Gitea/Forgejo API payload, or a list
    /// of contexts, one per line [default: `protection` in gatelint.toml]
    #[arg(long, value_name = "FILE")]
    pub protection: Option<String>,

    /// The configuration file [default: gatelint.toml in each PATH, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    #[command(flatten)]
    pub remote: RemoteArgs,
}

#[derive(Debug, Clone, Args, Default)]
pub struct RemoteArgs {
    /// Read branch protection live from the forge's API. The token comes only from the
    /// environment: GATELINT_TOKEN, else GITEA_TOKEN (Gitea, Forgejo) or GITHUB_TOKEN. With
    /// --protection FILE too, the file is compared with it (snapshot-drift)
    #[arg(long)]
    pub remote: bool,

    /// The forge's web address [default: GITHUB_SERVER_URL, else the `origin` remote's server
    /// (read anonymously: the token goes only to a server named here, in GITHUB_SERVER_URL,
    /// or https://github.com), else https://github.com]
    #[arg(long, value_name = "URL", requires = "remote")]
    pub server: Option<String>,

    /// The repository, OWNER/NAME [default: GITHUB_REPOSITORY, else the `origin` remote's,
    /// when it is on the server read]
    #[arg(long, value_name = "OWNER/NAME", requires = "remote")]
    pub repo: Option<String>,

    /// Accept a branch whose protection requires no status check (otherwise exit 2)
    #[arg(long, requires = "remote")]
    pub allow_unprotected: bool,

    /// `check`: read the issue each mask and pending directive names (`#N`, `owner/repo#N`,
    /// `[masks] tracker-repos` prefixes, issue URLs on --server) from the forge's issues API:
    /// closed or missing is tracker-closed, open longer than `[masks] max-age-days` is
    /// tracker-overdue. One request per distinct issue, at most 200 per repository
    #[arg(long, requires = "remote")]
    pub trackers: bool,

    /// Seconds one request may take in all [default: 30]
    #[arg(long, value_name = "SECS", requires = "remote")]
    pub timeout: Option<u64>,

    /// Seconds to connect [default: 10]
    #[arg(long, value_name = "SECS", requires = "remote")]
    pub connect_timeout: Option<u64>,

    /// Retries after a 5xx, 429, rate limit or connection failure [default: 3]
    #[arg(long, value_name = "N", requires = "remote")]
    pub retries: Option<u32>,

    /// The longest wait gatelint accepts, for a backoff or a rate limit, in seconds [default: 60]
    #[arg(long, value_name = "SECS", requires = "remote")]
    pub max_wait: Option<u64>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository root
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: String,

    #[command(flatten)]
    pub common: Common,

    #[command(flatten)]
    pub sources: Sources,

    /// Print a unified diff instead of writing the files
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The repository root whose config and workflow folders set the defaults
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: String,

    #[command(flatten)]
    pub common: Common,

    #[command(flatten)]
    pub sources: Sources,

    /// Write the snapshot to FILE instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForgeArg {
    Github,
    Gitea,
    Forgejo,
}

impl From<ForgeArg> for Forge {
    fn from(f: ForgeArg) -> Self {
        match f {
            ForgeArg::Github => Forge::Github,
            ForgeArg::Gitea => Forge::Gitea,
            ForgeArg::Forgejo => Forge::Forgejo,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct Common {
    /// The forge whose naming rules apply [default: inferred per repository from
    /// .forgejo/workflows, .gitea/workflows, .github/workflows, in that order]
    #[arg(long, value_enum)]
    pub forge: Option<ForgeArg>,

    /// The forge release, X.Y (e.g. 1.22 for Gitea): selects version-dependent naming
    /// [default: the newest release known]
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    pub forge_version: Option<Version>,

    /// When to color diagnostics
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// `report`: no diagnostics on standard error; `check`: errors only, no summary
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Repository roots; several are processed in parallel and reported in the order given
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<String>,

    #[command(flatten)]
    pub common: Common,

    #[command(flatten)]
    pub sources: Sources,

    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,

    /// With --remote: a POSTED column, on how many of the commits read (the heads of the last
    /// N merged pull requests and the branch's last N commits, 1 to 50) each context was
    /// posted, and its latest state
    #[arg(long, value_name = "N", requires = "remote", value_parser = clap::value_parser!(u64).range(1..=50))]
    pub history: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Human,
    Json,
    /// One JSON object per repository as it finishes, then a summary line
    Jsonl,
    /// One run per repository
    Sarif,
    Markdown,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit every repository of this organisation (or user)
    #[arg(long, value_name = "ORG", required_unless_present_any = ["repos", "merge", "offline"])]
    pub org: Option<String>,

    /// Audit the repositories listed in FILE, one OWNER/NAME a line (`#` comments)
    #[arg(long, value_name = "FILE", conflicts_with = "org")]
    pub repos: Option<String>,

    /// Merge the JSON (or JSON Lines) outputs of audits, e.g. of the shards of one
    /// organisation, into one; nothing is fetched
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["org", "repos", "offline", "state", "save", "shard"])]
    pub merge: Vec<String>,

    /// Re-run on a folder written by `--save`, without the network
    #[arg(long, value_name = "DIR", conflicts_with_all = ["org", "repos", "save", "state"])]
    pub offline: Option<String>,

    /// The forge [default: github]
    #[arg(long, value_enum)]
    pub forge: Option<ForgeArg>,

    /// The forge release, X.Y: selects version-dependent naming [default: the newest known]
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    pub forge_version: Option<Version>,

    /// The forge's web address [default: GITHUB_SERVER_URL, else https://github.com]. The
    /// token comes from GATELINT_TOKEN, else GITEA_TOKEN (Gitea, Forgejo) or GITHUB_TOKEN
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,

    /// The branch whose protection applies [default: each repository's default branch]
    #[arg(long)]
    pub branch: Option<String>,

    /// The settings applied to every repository (a repository's own gatelint.toml is not
    /// read: the audit judges each one by the auditor's settings) [default: the defaults]
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// Repositories read at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub jobs: u64,

    /// Resume from FILE: repositories it lists as finished are not fetched again; each one
    /// that finishes is added to it
    #[arg(long, value_name = "FILE")]
    pub state: Option<String>,

    /// Audit only shard K of N (1 ≤ K ≤ N), a stable share of the repositories by name, so
    /// that a CI matrix can split an organisation; `--merge` joins the shards' outputs
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,

    /// Write what was fetched to DIR (each repository's workflow files and protection
    /// snapshot, and index.jsonl), for `--offline DIR`
    #[arg(long, value_name = "DIR")]
    pub save: Option<String>,

    /// GitHub: read each repository over REST (the contents API, one request per workflow
    /// file, and the protection endpoints) instead of one GraphQL query
    #[arg(long)]
    pub rest: bool,

    /// Audit archived repositories too
    #[arg(long)]
    pub include_archived: bool,

    /// Audit forks too
    #[arg(long)]
    pub include_forks: bool,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: AuditFormat,

    /// Seconds one request may take in all [default: 30]
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,

    /// Retries after a 5xx, 429, rate limit or connection failure [default: 3]
    #[arg(long, value_name = "N")]
    pub retries: Option<u32>,

    /// The longest wait gatelint accepts, for a backoff or a rate limit, in seconds [default: 60]
    #[arg(long, value_name = "SECS")]
    pub max_wait: Option<u64>,

    /// When to color the output
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// No progress on standard error
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{s}` is not K/N with 1 ≤ K ≤ N (e.g. 2/4)");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n || n > 10_000 {
        return Err(bad());
    }
    Ok((k, n))
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
}
