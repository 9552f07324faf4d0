//! Running a parsed command line: everything `main` does besides exiting.

use std::io::{IsTerminal, Write};

use crate::analyze::{self, Options, RootReport};
use crate::cli::{Cli, ColorChoice, Command, Common, ReportArgs, ReportFormat};
use crate::finding::Severity;
use crate::report::{gates, human};

/// Exit codes (DESIGN.md): 0 clean, 1 error-level findings, 2 could not check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Findings = 1,
    Failure = 2,
}

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Report(args) => report(&args),
    }
}

fn options(common: &Common) -> Options {
    Options {
        forge: common.forge.map(Into::into),
        version: common.forge_version,
        syntax: Default::default(),
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn print_findings(reports: &[RootReport], common: &Common) {
    if common.quiet {
        return;
    }
    let color = use_color(common.color);
    let mut err = std::io::stderr().lock();
    for r in reports {
        for f in &r.findings {
            let source = f
                .file
                .as_ref()
                .and_then(|file| r.sources.get(file))
                .map(|s| &**s);
            let _ = write!(err, "{}", human::render(f, source, color));
        }
    }
}

fn report(args: &ReportArgs) -> Exit {
    let options = options(&args.common);
    let results = analyze::analyze_roots(&args.paths, &options);
    let mut reports = Vec::with_capacity(results.len());
    let mut failed = false;
    for r in results {
        match r {
            Ok(report) => reports.push(report),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Exit::Failure;
    }
    print_findings(&reports, &args.common);
    let rows: Vec<gates::Row<'_>> = reports
        .iter()
        .flat_map(|r| r.gates.iter().map(|g| (g, None)))
        .collect();
    let out = match args.format {
        ReportFormat::Json => gates::json(&rows) + "\n",
        ReportFormat::Table => gates::table(&rows),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return Exit::Failure;
    }
    // The matrix is incomplete when a workflow could not be read: fail closed.
    let unreadable = reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.rule == "workflow-invalid" && f.severity == Severity::Error);
    if unreadable {
        Exit::Findings
    } else {
        Exit::Clean
    }
}
