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
                  posts on that forge."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The gate matrix: job → contexts → directive → protected? → mask → verdict.
    Report(ReportArgs),
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

    /// Print only the output, no diagnostics on standard error
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

    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: ReportFormat,
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
}
