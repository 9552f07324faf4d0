//! Running a parsed command line: everything `main` does besides exiting.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::analyze::{self, Options, RootReport};
use crate::cli::{
    CheckArgs, CheckFormat, Cli, ColorChoice, Command, Common, InitArgs, ReportArgs, ReportFormat,
    SnapshotArgs, Sources,
};
use crate::config::{self, Config, Date};
use crate::discover::{self, Tree};
use crate::finding::{Finding, Severity};
use crate::forge::protection::{self, Protection};
use crate::forge::source::{self, Fetched, Limits, RemoteFlags, RemoteSpec};
use crate::report::{checks, gates, github, human, markdown, sarif};
use crate::rules::{self, Cx};

/// Exit codes (DESIGN.md): 0 clean, 1 error-level findings, 2 could not check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Findings = 1,
    Failure = 2,
}

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Audit(args) => crate::audit::run(&args),
        Command::Report(a) if a.sources.remote.trackers => check_only("--trackers"),
        Command::Init(a) if a.sources.remote.trackers => check_only("--trackers"),
        Command::Snapshot(a) if a.sources.remote.trackers => check_only("--trackers"),
        Command::Report(args) => report(&args),
        Command::Snapshot(args) => snapshot(&args),
        Command::Init(args) => init(&args),
        Command::Rules => list_rules(),
        Command::Explain { rule } => explain(&rule),
        Command::Profiles { format } => profiles(format),
        Command::Completions { shell } => completions(shell),
        Command::Man { subcommand } => man(subcommand.as_deref()),
    }
}

/// `gatelint completions SHELL`: generated from the same definition that parses the command
/// line, so it cannot drift from it.
fn completions(shell: clap_complete::Shell) -> Exit {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "gatelint", &mut out);
    write_out(&String::from_utf8_lossy(&out))
}

/// `gatelint man [SUBCOMMAND]`: the man page `gatelint(1)`, or a subcommand's
/// `gatelint-SUBCOMMAND(1)` (the pages the first one lists), as roff.
fn man(page: Option<&str>) -> Exit {
    let command = <Cli as clap::CommandFactory>::command();
    let command = match page {
        None => command,
        Some(name) => {
            let Some(sub) = command
                .get_subcommands()
                .find(|s| s.get_name() == name && !s.is_hide_set())
            else {
                let known: Vec<&str> = command.get_subcommands().map(|s| s.get_name()).collect();
                eprintln!(
                    "error: no subcommand `{}`: one of {}",
                    crate::report::escape::visible(name),
                    known.join(", ")
                );
                return Exit::Failure;
            };
            sub.clone()
                .name(format!("gatelint-{name}"))
                .bin_name(format!("gatelint {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut out) {
        eprintln!("error: cannot render the man page: {e}");
        return Exit::Failure;
    }
    write_out(&String::from_utf8_lossy(&out))
}

fn check_only(flag: &str) -> Exit {
    eprintln!("error: {flag} is an option of `gatelint check`");
    Exit::Failure
}

/// The branch assumed when neither `--branch` nor the config names one.
pub const DEFAULT_BRANCH: &str = "main";

/// One repository root, analysed and checked.
pub struct Checked {
    pub report: RootReport,
    pub findings: Vec<Finding>,
    pub protection: Option<Protection>,
    /// With `--remote` and a protection file: the file, compared with the live protection.
    pub snapshot: Option<Protection>,
    pub branch: String,
    /// With `--remote`: where protection was read (the head's statuses are read there too).
    pub spec: Option<RemoteSpec>,
    /// Texts of the files findings may point at, by the `file` they carry: display name and
    /// text.
    pub files: HashMap<String, (String, Arc<str>)>,
    /// The settings the check applied (the base revision's in diff mode).
    pub config: Config,
    /// How the workflows were read (forge, version, directive syntax).
    pub options: Options,
    /// Diff mode: the base revision's workflows.
    pub base: Option<RootReport>,
}

/// Load a config file once (`--config`), or `None`.
fn shared_config(sources: &Sources) -> Result<Option<Config>, String> {
    match &sources.config {
        Some(path) => Config::load(Path::new(path), path, &rules::ids())
            .map(Some)
            .map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

/// The config of a root: `--config`, else its own gatelint.toml, else the defaults. A
/// repository's own gatelint.toml must be a regular file inside it (it may be a symbolic link
/// that stays inside).
fn root_config(root: &str, shared: Option<&Config>) -> Result<Config, String> {
    if let Some(c) = shared {
        return Ok(c.clone());
    }
    let path = Path::new(root).join(config::FILE_NAME);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(Config::empty());
    }
    let shown = path.to_string_lossy().into_owned();
    crate::safe_fs::inside(Path::new(root), &path).map_err(|e| format!("{shown}: {e}"))?;
    let config = Config::load(&path, &shown, &rules::ids()).map_err(|e| e.to_string())?;
    // A protection file named by the repository's config is the repository's too.
    if let Some(p) = &config.protection {
        crate::safe_fs::inside(Path::new(root), p)
            .map_err(|e| format!("{shown}: `protection = {}` {e}", p.display()))?;
    }
    Ok(config)
}

/// The base revision's config in diff mode: what the pull request is checked with.
fn base_config(
    root: &str,
    base: &crate::diff::BaseTree,
) -> Result<(Config, Option<Arc<str>>), String> {
    let shown = format!("{}@{}", config::FILE_NAME, base.rev);
    match base.config() {
        None => Ok((Config::empty(), None)),
        Some(Err(why)) => Err(format!("{shown}: {why}")),
        Some(Ok(text)) => {
            let dir = Path::new(root);
            let mut c = Config::parse(&text, &shown, dir, &rules::ids()).map_err(|e| {
                format!("the base revision's config cannot be read ({e}); diff mode checks a change with the base's settings")
            })?;
            c.file = Some(shown);
            Ok((c, Some(text)))
        }
    }
}

/// Live protection, read once for all roots.
struct Live {
    spec: RemoteSpec,
    fetched: Fetched,
    /// With `--trackers`: the issues read, once per run.
    issues: source::issues::Cache,
}

fn limits(sources: &Sources) -> Limits {
    let r = &sources.remote;
    let d = Limits::default();
    let secs = std::time::Duration::from_secs;
    Limits {
        connect_timeout: r.connect_timeout.map_or(d.connect_timeout, secs),
        timeout: r.timeout.map_or(d.timeout, secs),
        retries: r.retries.unwrap_or(d.retries),
        max_wait: r.max_wait.map_or(d.max_wait, secs),
        backoff: d.backoff,
    }
}

fn fetch_live(
    root: &str,
    common: &Common,
    sources: &Sources,
    config: &Config,
) -> Result<Live, String> {
    let fallback_forge = common
        .forge
        .map(Into::into)
        .or(config.forge)
        .unwrap_or_else(|| discover::infer_forge(Path::new(root)));
    let flags = RemoteFlags {
        forge: common.forge.map(Into::into).or(config.forge),
        server: sources.remote.server.clone(),
        repo: sources.remote.repo.clone(),
        branch: sources.branch.clone(),
        limits: limits(sources),
        origin: crate::diff::origin_url(root),
    };
    let fallback_branch = config.branch.as_deref().unwrap_or(DEFAULT_BRANCH);
    let spec =
        RemoteSpec::resolve(&flags, fallback_forge, fallback_branch).map_err(|e| e.to_string())?;
    if let Some(inferred) = &spec.inferred
        && !common.quiet
    {
        eprintln!("{}", inferred.notice());
    }
    let fetched = source::fetch(&spec).map_err(|e| e.to_string())?;
    if let Some(why) = &fetched.protection.nothing_required
        && !sources.remote.allow_unprotected
    {
        return Err(format!(
            "branch `{}` of {} on {}: {why}; there is nothing to check the gates against \
             (pass --allow-unprotected if that is intended)",
            spec.branch,
            spec.full_name(),
            spec.server
        ));
    }
    if !common.quiet {
        eprintln!(
            "gatelint: protection of {} branch `{}` read from {}: {}",
            spec.full_name(),
            spec.branch,
            spec.server,
            fetched.source
        );
    }
    let issues = source::issues::Cache::default();
    Ok(Live {
        spec,
        fetched,
        issues,
    })
}

/// Diff mode: the base revision, when it was read already, and the pull request's body.
#[derive(Clone, Copy, Default)]
struct DiffArgs<'a> {
    rev: Option<&'a str>,
    exported: Option<&'a crate::diff::BaseTree>,
    pr_body: Option<&'a str>,
}

/// The reusable workflows of other repositories that the jobs left unresolvable call,
/// read anonymously from the server of `spec` (empty when there are none).
fn read_called(
    report: &RootReport,
    spec: &RemoteSpec,
    quiet: bool,
) -> Result<source::called::Fetched, String> {
    let wanted = source::called::wanted(report);
    if wanted.is_empty() {
        return Ok(Default::default());
    }
    let fetched = source::called::fetch(spec, &wanted).map_err(|e| e.to_string())?;
    if !quiet {
        let read = fetched.values().filter(|r| r.is_ok()).count();
        eprintln!(
            "gatelint: read {read} of {} reusable workflows of other repositories on {} (anonymously: a private repository's stay unresolvable)",
            fetched.len(),
            spec.server
        );
    }
    Ok(fetched)
}

fn check_root(
    root: &str,
    common: &Common,
    sources: &Sources,
    shared: Option<&Config>,
    live: Option<&Live>,
    diff: DiffArgs<'_>,
) -> Result<Checked, String> {
    let DiffArgs {
        rev: base_rev,
        exported,
        pr_body,
    } = diff;
    let own_config = root_config(root, shared)?;
    let fresh;
    let base = match (exported, base_rev) {
        (Some(b), _) => Some(b),
        (None, Some(rev)) => {
            fresh = crate::diff::export(root, rev)?;
            Some(&fresh)
        }
        (None, None) => None,
    };
    let mut files = HashMap::new();
    // Diff mode: the pull request is checked with the base revision's settings (unless
    // --config names one), so it cannot loosen its own check; its own changes to them are
    // findings (gate-weakened).
    let base_settings = match (&base, shared) {
        (Some(b), None) => {
            let (c, text) = base_config(root, b)?;
            if let (Some(file), Some(text)) = (&c.file, text) {
                files.insert(file.clone(), (file.clone(), text));
            }
            Some(c)
        }
        _ => None,
    };
    let config = base_settings.as_ref().unwrap_or(&own_config);
    let branch = match live {
        Some(l) => l.spec.branch.clone(),
        None => sources
            .branch
            .clone()
            .or_else(|| config.branch.clone())
            .unwrap_or_else(|| DEFAULT_BRANCH.to_owned()),
    };
    let protection_path = match (&sources.protection, &config.protection) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(p)) => Some(p.to_string_lossy().into_owned()),
        (None, None) => None,
    };
    let mut own_protection = None;
    let from_file = match &protection_path {
        Some(path) => {
            let repository = live
                .map(|l| l.spec.full_name())
                .or_else(|| source::known_repository(sources.remote.repo.as_deref()));
            let rel = rules::relative_to_root(root, path);
            let head =
                protection::load_with_text(Path::new(path), path, &branch, repository.as_deref());
            // Diff mode: a protection file inside the repository is read as the base has it.
            let at_base = match (&base, Path::new(&rel).is_relative()) {
                (Some(b), true) => crate::diff::file_at(
                    root,
                    &b.rev,
                    Path::new(path),
                    crate::safe_fs::MAX_PROTECTION_BYTES,
                )
                .map_err(|e| format!("{path} at {}: {e}", b.rev))?,
                _ => None,
            };
            match at_base {
                Some(bytes) => {
                    let text = String::from_utf8(bytes).map_err(|_| {
                        format!("{path} at {}: not UTF-8 text", base_rev.unwrap_or(""))
                    })?;
                    let shown = format!("{path}@{}", base_rev.unwrap_or(""));
                    let p = protection::parse_for(&text, &shown, &branch, repository.as_deref())
                        .map_err(|e| e.to_string())?;
                    files.insert(shown.clone(), (shown, Arc::from(text)));
                    own_protection = head.ok().map(|(p, _)| p);
                    Some(p)
                }
                None => {
                    let (p, text) = head.map_err(|e| e.to_string())?;
                    files.insert(rel, (path.clone(), Arc::from(text)));
                    Some(p)
                }
            }
        }
        None => None,
    };
    // Live protection wins; a file given too is then the snapshot it is compared with.
    let (protection, snapshot) = match live {
        Some(l) => (Some(l.fetched.protection.clone()), from_file),
        None => (from_file, None),
    };
    if let Some(file) = &own_config.file
        && let Ok(text) =
            crate::safe_fs::read_text_capped(Path::new(file), crate::safe_fs::MAX_CONFIG_BYTES)
    {
        files.insert(
            rules::relative_to_root(root, file),
            (file.clone(), Arc::from(text)),
        );
    }
    let mut options = Options {
        forge: common.forge.map(Into::into).or(config.forge),
        version: common.forge_version.or(config.forge_version),
        opt_ins: config.opt_ins,
        syntax: config.syntax.clone(),
        called: Arc::default(),
    };
    // Offline: the reusable workflows of other repositories a snapshot kept.
    if live.is_none()
        && let Some(called) = protection.as_ref().and_then(|p| p.called.clone())
    {
        options.called = Arc::new(called);
    }
    let mut report = analyze::analyze_root(root, &options).map_err(|e| e.to_string())?;
    // With `--remote`: the reusable workflows of other repositories that unresolvable jobs
    // call, read anonymously, then the root named again with them.
    if let Some(l) = live {
        let fetched = read_called(&report, &l.spec, common.quiet)?;
        if !fetched.is_empty() {
            options.called = Arc::new(fetched);
            report = analyze::analyze_root(root, &options).map_err(|e| e.to_string())?;
        }
    }
    if !common.quiet {
        for note in crate::forge::profile::notes(&report.profile, options.opt_ins) {
            eprintln!("gatelint: note: {note}");
        }
    }
    let today = Date::today();
    // Tracker findings join the others before the rules run: `[rules]` severities apply.
    let mut initial = report.findings.clone();
    if let Some(l) = live.filter(|_| sources.remote.trackers) {
        let tracked = crate::trackers::check(&report, config, &l.spec, today, &l.issues)?;
        for line in tracked.stderr_lines(root).iter().filter(|_| !common.quiet) {
            eprintln!("{line}");
        }
        initial.extend(tracked.findings);
    }
    let mut cx = Cx::new(&report, protection.as_ref(), config, today, &branch);
    cx.snapshot = snapshot.as_ref();
    cx.repository = live
        .map(|l| l.spec.full_name())
        .or_else(|| source::known_repository(sources.remote.repo.as_deref()));
    // Diff mode: `Paired: #N` in the pull request's body or a commit message of the change.
    if let Some(rev) = base_rev {
        let body = pr_body
            .map(str::to_owned)
            .or_else(crate::observed::pr_body_from_event)
            .unwrap_or_default();
        cx.paired = crate::diff::says_paired(&body)
            || crate::diff::commits_say_paired(root, rev).unwrap_or(false);
    }
    let base_report = match &base {
        // The base, named with the same forge profile, against today's protection.
        Some(b) => {
            let base_options = Options {
                forge: Some(report.profile.forge),
                version: (report.profile.forge != crate::forge::Forge::Github)
                    .then_some(report.profile.version),
                opt_ins: options.opt_ins,
                syntax: options.syntax.clone(),
                called: options.called.clone(),
            };
            Some(
                match analyze::analyze_tree(root, Tree::Mem(&b.tree), &base_options) {
                    Ok(r) => r,
                    // No workflows at the base: every gate is new.
                    Err(_) => analyze::empty_report(root, report.profile.clone()),
                },
            )
        }
        None => None,
    };
    let findings = match (&base, &base_report) {
        (Some(_), Some(base_report)) => {
            let base_cx = Cx::new(base_report, protection.as_ref(), config, today, &branch);
            cx.base_contexts = Some(
                base_report
                    .gates
                    .iter()
                    .flat_map(|g| g.contexts.iter().map(|c| c.text.clone()))
                    .collect(),
            );
            if base_settings.is_some() {
                cx.own_config = Some(&own_config);
                cx.own_protection = own_protection.as_ref();
            }
            let mut found = initial;
            found.extend(unreadable_at_base(root, &report, base_report, base_rev));
            rules::run(&cx, Some(&base_cx), found)
        }
        _ => rules::run(&cx, None, initial),
    };
    drop(cx);
    for (file, text) in &report.sources {
        let display = if root == "." {
            file.clone()
        } else {
            format!("{}/{file}", root.trim_end_matches('/'))
        };
        files
            .entry(file.clone())
            .or_insert_with(|| (display, Arc::clone(text)));
    }
    Ok(Checked {
        report,
        findings,
        protection,
        snapshot,
        branch,
        spec: live.map(|l| l.spec.clone()),
        files,
        config: config.clone(),
        options,
        base: base_report,
    })
}

/// The base revision's workflow files that could not be read, when the work tree's can: the
/// gates they defined cannot be compared, so the change is not passed unseen.
fn unreadable_at_base(
    root: &str,
    head: &RootReport,
    base: &RootReport,
    rev: Option<&str>,
) -> Vec<Finding> {
    let rev = rev.unwrap_or("the base");
    base.findings
        .iter()
        .filter(|f| f.rule == "workflow-invalid")
        .filter(|f| {
            !head
                .findings
                .iter()
                .any(|h| h.rule == "workflow-invalid" && h.file == f.file)
        })
        .map(|f| {
            let mut out = Finding::new(
                "workflow-invalid",
                Severity::Error,
                root,
                format!(
                    "at the base revision {rev}, this file cannot be read ({}): the gates it \
                     defined there cannot be compared with this change",
                    f.message
                ),
            );
            out.file = f.file.clone();
            out.help = Some(
                "make the file readable at the base (a regular file under the size limit), or \
                 review the change to it by hand"
                    .to_owned(),
            );
            out
        })
        .collect()
}

/// What every root of a run shares: the `--config` file, live protection (read once), and
/// the first root's base revision when live protection was read with its settings.
struct Run<'a> {
    common: &'a Common,
    sources: &'a Sources,
    base: Option<&'a str>,
    pr_body: Option<&'a str>,
    shared: Option<Config>,
    live: Option<Live>,
    first_base: Option<crate::diff::BaseTree>,
}

/// Roots checked at a time: each chunk is checked in parallel, written and dropped before
/// the next, so that memory holds a chunk of roots, not all of them.
const CHUNK: usize = 32;

/// Check every root (in parallel); the first failure, in the order given, is the error.
fn check_all(
    paths: &[String],
    common: &Common,
    sources: &Sources,
    base: Option<&str>,
    pr_body: Option<&str>,
) -> Result<Vec<Checked>, String> {
    let run = prepare(paths, common, sources, base, pr_body)?;
    run.check(paths, 0)
}

/// Read what every root shares, once.
fn prepare<'a>(
    paths: &[String],
    common: &'a Common,
    sources: &'a Sources,
    base: Option<&'a str>,
    pr_body: Option<&'a str>,
) -> Result<Run<'a>, String> {
    let shared = shared_config(sources)?;
    let first = paths.first().map_or(".", String::as_str);
    // The first root's base revision, when live protection is read with its settings: read
    // once, for both.
    let mut first_base = None;
    let live = if sources.remote.remote {
        // Diff mode: the base's settings choose the forge and branch read, as they do the rest.
        let config = match (base, &shared) {
            (Some(rev), None) => {
                root_config(first, None)?;
                let exported = crate::diff::export(first, rev)?;
                let config = base_config(first, &exported)?.0;
                first_base = Some(exported);
                config
            }
            _ => root_config(first, shared.as_ref())?,
        };
        Some(fetch_live(first, common, sources, &config)?)
    } else {
        None
    };
    Ok(Run {
        common,
        sources,
        base,
        pr_body,
        shared,
        live,
        first_base,
    })
}

impl Run<'_> {
    /// Check `paths` (the roots from position `offset` of the command line) in parallel;
    /// the first failure, in the order given, is the error.
    fn check(&self, paths: &[String], offset: usize) -> Result<Vec<Checked>, String> {
        paths
            .par_iter()
            .enumerate()
            .map(|(i, root)| {
                let exported = self.first_base.as_ref().filter(|_| i + offset == 0);
                check_root(
                    root,
                    self.common,
                    self.sources,
                    self.shared.as_ref(),
                    self.live.as_ref(),
                    DiffArgs {
                        rev: self.base,
                        exported,
                        pr_body: self.pr_body,
                    },
                )
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }

    /// Check the roots [`CHUNK`] at a time, handing each chunk to `each` in order.
    fn each_chunk(
        &self,
        paths: &[String],
        mut each: impl FnMut(Vec<Checked>) -> Result<(), String>,
    ) -> Result<(), String> {
        for (n, chunk) in paths.chunks(CHUNK).enumerate() {
            each(self.check(chunk, n * CHUNK)?)?;
        }
        Ok(())
    }
}

pub(crate) fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Source texts prepared for snippets, once per file.
type Prepared<'c> = HashMap<&'c str, human::Prepared>;

fn render<'c>(c: &'c Checked, f: &Finding, color: bool, cache: &mut Prepared<'c>) -> String {
    match f.file.as_ref().and_then(|file| c.files.get_key_value(file)) {
        Some((key, (name, text))) => {
            let prepared = cache
                .entry(key.as_str())
                .or_insert_with(|| human::Prepared::new(text));
            human::render(f, name, Some(prepared), color)
        }
        None => {
            let name = f.file.clone().unwrap_or_else(|| c.report.root.clone());
            human::render(f, &name, None, color)
        }
    }
}

fn write_out(out: &str) -> Exit {
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return Exit::Failure;
    }
    Exit::Clean
}

fn check(args: &CheckArgs) -> Exit {
    let event = std::env::var("GITHUB_EVENT_NAME").unwrap_or_default();
    if args.base.is_none() && event.starts_with("pull_request") && !args.common.quiet {
        eprintln!(
            "gatelint: note: checking a pull request without --base: the pull request's own \
             gatelint.toml and protection file are applied; run with --base <target branch> so \
             that the base's settings apply and loosening them is reported"
        );
    }
    let (format, step_summary) = runner_output(args);
    // Written root by root, unless the output needs every root at once.
    if args.head.is_none()
        && args.history.is_none()
        && step_summary.is_none()
        && matches!(
            format,
            CheckFormat::Json | CheckFormat::Human | CheckFormat::Github
        )
    {
        return check_streamed(args, format);
    }
    let mut checked = match check_all(
        &args.paths,
        &args.common,
        &args.sources,
        args.base.as_deref(),
        args.pr_body.as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    };
    if let Some(head) = &args.head
        && let Err(e) = observe_head(&mut checked, head, args)
    {
        eprintln!("error: {}", crate::report::escape::visible(&e));
        return Exit::Failure;
    }
    if let Some(n) = args.history
        && let Err(e) = observe_history(&mut checked, n, args.common.quiet)
    {
        eprintln!("error: {}", crate::report::escape::visible(&e));
        return Exit::Failure;
    }
    let errors = checked
        .iter()
        .flat_map(|c| &c.findings)
        .filter(|f| f.severity == Severity::Error)
        .count();
    if let Some(path) = step_summary {
        let summary = markdown::markdown(&checked, &gate_rows(&checked));
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(summary.as_bytes()));
        if let Err(e) = appended {
            eprintln!("gatelint: cannot append to GITHUB_STEP_SUMMARY: {e}");
        }
    }
    let out = match format {
        CheckFormat::Json => checks::json(&checked) + "\n",
        CheckFormat::Sarif => sarif::sarif(&checked) + "\n",
        CheckFormat::Github => github::github(&checked),
        CheckFormat::Markdown => markdown::markdown(&checked, &gate_rows(&checked)),
        CheckFormat::Human => {
            let color = use_color(args.common.color, std::io::stdout().is_terminal());
            let mut out = String::new();
            for c in &checked {
                let mut cache = Prepared::new();
                for f in crate::report::view::shown(c) {
                    if args.common.quiet && f.severity != Severity::Error {
                        continue;
                    }
                    out.push_str(&render(c, &f, color, &mut cache));
                }
            }
            if !args.common.quiet
                && let Some(tally) = crate::report::view::tally(&checked)
            {
                out.push_str(&tally);
                out.push('\n');
            }
            out.push_str(&checks::summary_line(&checked));
            out.push('\n');
            out
        }
    };
    if write_out(&out) == Exit::Failure {
        return Exit::Failure;
    }
    if errors > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// `check`'s output format (`--format`, else what the runner shows: workflow commands in a
/// GitHub runner, human output in a Gitea or Forgejo runner, which set GITHUB_ACTIONS too but
/// show no annotations) and, when no format was asked for in a runner, the step summary file
/// the Markdown is appended to.
fn runner_output(args: &CheckArgs) -> (CheckFormat, Option<std::ffi::OsString>) {
    let set = |k: &str| std::env::var(k).is_ok_and(|v| v == "true");
    let gitea_runner = set("GITEA_ACTIONS") || set("FORGEJO_ACTIONS");
    let in_actions = set("GITHUB_ACTIONS") || gitea_runner;
    let format = args.format.unwrap_or(if in_actions && !gitea_runner {
        CheckFormat::Github
    } else {
        CheckFormat::Human
    });
    let summary = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty() && args.format.is_none() && in_actions);
    (format, summary)
}

/// Output kept on disk (a temporary file) until the run has succeeded, then copied to
/// standard output: a run that fails half-way prints nothing there, as when every root was
/// held in memory, and memory holds none of it.
struct Spool(std::io::BufWriter<std::fs::File>);

impl Spool {
    fn new() -> std::io::Result<Spool> {
        Ok(Spool(std::io::BufWriter::new(tempfile::tempfile()?)))
    }

    /// Copy what was written to `out`.
    fn copy_to(self, out: &mut impl Write) -> std::io::Result<()> {
        use std::io::Seek as _;
        let mut file = self.0.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        std::io::copy(&mut file, out)?;
        Ok(())
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `check` written root by root (JSON, human, workflow commands): a chunk of roots is
/// checked, written and dropped before the next, in the order given.
fn check_streamed(args: &CheckArgs, format: CheckFormat) -> Exit {
    let fail = |e: &str| {
        eprintln!("error: {}", crate::report::escape::visible(e));
        Exit::Failure
    };
    let run = match prepare(
        &args.paths,
        &args.common,
        &args.sources,
        args.base.as_deref(),
        args.pr_body.as_deref(),
    ) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let mut out = match Spool::new() {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot create a temporary file: {e}")),
    };
    let color = use_color(args.common.color, std::io::stdout().is_terminal());
    let mut errors = 0;
    let mut json = None;
    if format == CheckFormat::Json {
        match checks::JsonStream::new() {
            Ok(j) => json = Some(j),
            Err(e) => return fail(&format!("cannot create a temporary file: {e}")),
        }
    }
    let mut tally = crate::report::view::Tally::default();
    let mut summary = checks::Summary::default();
    let result = run.each_chunk(&args.paths, |chunk| {
        for c in &chunk {
            errors += c
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let written = match format {
                CheckFormat::Json => match json.as_mut() {
                    Some(j) => j.add(c),
                    None => Ok(()),
                },
                CheckFormat::Github => c
                    .findings
                    .iter()
                    .try_for_each(|f| writeln!(out, "{}", github::command(f))),
                _ => {
                    tally.add(c);
                    summary.add(c);
                    let mut cache = Prepared::new();
                    crate::report::view::shown(c)
                        .iter()
                        .filter(|f| !args.common.quiet || f.severity == Severity::Error)
                        .try_for_each(|f| write!(out, "{}", render(c, f, color, &mut cache)))
                }
            };
            if let Err(e) = written {
                return Err(format!("cannot write the output: {e}"));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        return fail(&e);
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let finished = match format {
        CheckFormat::Json => match json {
            Some(j) => j.finish(&mut stdout),
            None => Ok(()),
        },
        CheckFormat::Github => Ok(()),
        _ => {
            let tally_line = tally
                .text()
                .filter(|_| !args.common.quiet)
                .map(|t| format!("{t}\n"))
                .unwrap_or_default();
            writeln!(out, "{tally_line}{}", checks::summary_line_of(&summary))
        }
    };
    let copied = finished
        .and_then(|()| match format {
            CheckFormat::Json => Ok(()),
            _ => out.copy_to(&mut stdout),
        })
        .and_then(|()| stdout.flush());
    if copied.is_err() {
        return Exit::Failure;
    }
    if errors > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// `report`'s diagnostics on standard error: the files and directives it could not read.
fn report_diagnostics(checked: &[Checked], color: bool) {
    let mut err = std::io::stderr().lock();
    for c in checked {
        let mut cache = Prepared::new();
        for f in c
            .findings
            .iter()
            .filter(|f| matches!(f.rule, "workflow-invalid" | "directive-invalid"))
        {
            let _ = write!(err, "{}", render(c, f, color, &mut cache));
        }
    }
}

/// `report` written root by root (without `--history`, which reads the posted statuses of
/// every root's contexts at once).
fn report_streamed(args: &ReportArgs) -> Exit {
    let run = match prepare(&args.paths, &args.common, &args.sources, None, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    };
    let mut out = match Spool::new() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot create a temporary file: {e}");
            return Exit::Failure;
        }
    };
    let color = use_color(args.common.color, std::io::stderr().is_terminal());
    let (mut json, head) = gates::JsonStream::head();
    let mut table = gates::TableStream::default();
    let mut unreadable = false;
    if args.format == ReportFormat::Json && out.write_all(head.as_bytes()).is_err() {
        return Exit::Failure;
    }
    let result = run.each_chunk(&args.paths, |chunk| {
        if !args.common.quiet {
            report_diagnostics(&chunk, color);
        }
        unreadable |= chunk
            .iter()
            .flat_map(|c| &c.findings)
            .any(|f| f.rule == "workflow-invalid" && f.severity == Severity::Error);
        let rows = gate_rows(&chunk);
        let text = match args.format {
            ReportFormat::Json => json.rows(&rows, None),
            ReportFormat::Table => table.blocks(gates::table_blocks(&rows, None)),
        };
        out.write_all(text.as_bytes())
            .map_err(|e| format!("cannot write the output: {e}"))?;
        Ok(())
    });
    if let Err(e) = result {
        eprintln!("error: {}", crate::report::escape::visible(&e));
        return Exit::Failure;
    }
    let tail = match args.format {
        ReportFormat::Json => format!("{}\n", json.tail()),
        ReportFormat::Table => table.finish(),
    };
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if out
        .write_all(tail.as_bytes())
        .and_then(|()| out.copy_to(&mut stdout))
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return Exit::Failure;
    }
    // The matrix is incomplete when a workflow could not be read: fail closed.
    if unreadable {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

fn report(args: &ReportArgs) -> Exit {
    if args.history.is_none() {
        return report_streamed(args);
    }
    let checked = match check_all(&args.paths, &args.common, &args.sources, None, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    };
    if !args.common.quiet {
        let color = use_color(args.common.color, std::io::stderr().is_terminal());
        report_diagnostics(&checked, color);
    }
    let posted = match args.history {
        Some(n) => match read_history(&checked, n, args.common.quiet) {
            Ok(h) => Some(crate::history::posted_counts(
                &h,
                checked
                    .first()
                    .map_or(crate::forge::Forge::Github, |c| c.report.profile.forge),
            )),
            Err(e) => {
                eprintln!("error: {}", crate::report::escape::visible(&e));
                return Exit::Failure;
            }
        },
        None => None,
    };
    let rows = gate_rows(&checked);
    let out = match args.format {
        ReportFormat::Json => gates::json(&rows, posted.as_ref()) + "\n",
        ReportFormat::Table => gates::table(&rows, posted.as_ref()),
    };
    if write_out(&out) == Exit::Failure {
        return Exit::Failure;
    }
    // The matrix is incomplete when a workflow could not be read: fail closed.
    let unreadable = checked
        .iter()
        .flat_map(|c| &c.findings)
        .any(|f| f.rule == "workflow-invalid" && f.severity == Severity::Error);
    if unreadable {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// The branch `init` writes: `--branch`, the config's, else the `origin` remote's default
/// branch; never a guess.
fn init_branch(args: &InitArgs, config: &Config) -> Result<(String, &'static str), String> {
    if let Some(b) = &args.sources.branch {
        return Ok((b.clone(), "--branch"));
    }
    if let Some(b) = &config.branch {
        return Ok((b.clone(), "gatelint.toml"));
    }
    crate::diff::origin_head(&args.path)
        .map(|b| (b, "origin/HEAD"))
        .ok_or_else(|| {
            "gatelint init: cannot tell the repository's default branch, whose protection \
             applies: there is no `origin/HEAD` (`git remote set-head origin --auto` sets it \
             from the remote); give --branch NAME"
                .to_owned()
        })
}

fn init(args: &InitArgs) -> Exit {
    let config =
        match shared_config(&args.sources).and_then(|s| root_config(&args.path, s.as_ref())) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {}", crate::report::escape::visible(&e));
                return Exit::Failure;
            }
        };
    let (branch, branch_from) = match init_branch(args, &config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    };
    let mut sources = args.sources.clone();
    sources.branch = Some(branch.clone());
    let checked = match check_all(
        std::slice::from_ref(&args.path),
        &args.common,
        &sources,
        None,
        None,
    ) {
        Ok(mut c) if c.len() == 1 => c.remove(0),
        Ok(_) => return Exit::Failure,
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    };
    let (changes, skipped) =
        crate::init::plan(&checked.report, checked.protection.as_ref(), &config.syntax);
    let visible = crate::report::escape::visible;
    for s in &skipped {
        eprintln!(
            "gatelint init: skipped job `{}` in {}: {}",
            visible(&s.job),
            visible(&s.file),
            visible(&s.why)
        );
    }
    // Files that could not be read (symbolic links, invalid YAML) get no directive either.
    let unreadable: Vec<&Finding> = checked
        .findings
        .iter()
        .filter(|f| f.rule == "workflow-invalid")
        .collect();
    for f in &unreadable {
        eprintln!(
            "gatelint init: skipped {}: {}",
            visible(f.file.as_deref().unwrap_or("?")),
            visible(&f.message)
        );
    }
    let config_path = Path::new(&args.path).join(config::FILE_NAME);
    let write_config = config.file.is_none() && std::fs::symlink_metadata(&config_path).is_err();
    let protection_rel = match (&args.sources.protection, &config.protection) {
        (Some(p), _) => Some(rules::relative_to_root(&args.path, p)),
        (None, Some(p)) => Some(rules::relative_to_root(&args.path, &p.to_string_lossy())),
        (None, None) => None,
    };
    let starter = crate::init::starter_config(
        checked.report.profile.forge,
        &checked.branch,
        protection_rel.as_deref(),
    );
    let nothing = changes.is_empty() && !write_config;
    if nothing && !args.common.quiet {
        eprintln!(
            "gatelint init: nothing to add: every job that posts a context has a directive, and {} exists",
            config::FILE_NAME
        );
    }
    if write_config && !args.common.quiet {
        eprintln!(
            "gatelint init: gatelint.toml names branch `{}` (from {branch_from})",
            crate::report::escape::visible(&branch)
        );
    }
    if args.dry_run {
        let mut out = String::new();
        for change in &changes {
            out.push_str(&crate::init::unified_diff(change));
        }
        if write_config {
            out.push_str(&format!("--- /dev/null\n+++ b/{}\n", config::FILE_NAME));
            out.push_str(&format!("@@ -0,0 +1,{} @@\n", starter.lines().count()));
            for line in starter.lines() {
                out.push('+');
                out.push_str(line);
                out.push('\n');
            }
        }
        return write_out(&out);
    }
    let config_write = write_config.then_some((config::FILE_NAME, starter.as_str()));
    if let Err(e) = crate::init::apply(Path::new(&args.path), &changes, config_write) {
        eprintln!("error: {}", crate::report::escape::visible(&e));
        return Exit::Failure;
    }
    if !args.common.quiet && !nothing {
        let required: usize = changes.iter().map(|c| c.required).sum();
        let exempt: usize = changes.iter().map(|c| c.exempt).sum();
        eprintln!(
            "gatelint init: {required} `bp-required: yes` and {exempt} `bp-exempt: TODO reason` added in {} files{}",
            changes.len(),
            if write_config {
                "; wrote gatelint.toml"
            } else {
                ""
            }
        );
    }
    if skipped.is_empty() && unreadable.is_empty() {
        Exit::Clean
    } else {
        Exit::Findings
    }
}

fn snapshot(args: &SnapshotArgs) -> Exit {
    if !args.sources.remote.remote {
        eprintln!("error: `gatelint snapshot` reads live protection: add --remote");
        return Exit::Failure;
    }
    let result = shared_config(&args.sources)
        .and_then(|shared| root_config(&args.path, shared.as_ref()))
        .and_then(|config| fetch_live(&args.path, &args.common, &args.sources, &config));
    let mut live = match result {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    };
    // The reusable workflows of other repositories the root's jobs call, kept in the
    // snapshot so the offline path names those jobs too.
    let called = shared_config(&args.sources)
        .and_then(|shared| root_config(&args.path, shared.as_ref()))
        .and_then(|config| {
            let options = Options {
                forge: args.common.forge.map(Into::into).or(config.forge),
                version: args.common.forge_version.or(config.forge_version),
                opt_ins: config.opt_ins,
                syntax: config.syntax.clone(),
                called: Arc::default(),
            };
            // A root gatelint cannot analyse has no calls to keep: the protection still is.
            match analyze::analyze_root(&args.path, &options) {
                Ok(report) => read_called(&report, &live.spec, args.common.quiet),
                Err(_) => Ok(Default::default()),
            }
        });
    match called {
        Ok(c) if !c.is_empty() => live.fetched.protection.called = Some(c),
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: {}", crate::report::escape::visible(&e));
            return Exit::Failure;
        }
    }
    let meta = protection::SnapshotMeta {
        forge: live.spec.forge.as_str(),
        server: &live.spec.server,
        repository: &live.spec.full_name(),
        branch: &live.spec.branch,
        source: &live.fetched.source,
        fetched_at: &Date::timestamp_now(),
    };
    let text = protection::write_snapshot(&live.fetched.protection, &meta);
    match &args.output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => {
                if !args.common.quiet {
                    eprintln!("gatelint: wrote {path}");
                }
                Exit::Clean
            }
            Err(e) => {
                eprintln!("error: cannot write {path}: {e}");
                Exit::Failure
            }
        },
        None => write_out(&text),
    }
}

/// Each gate with whether protection requires it and why it is vacuous.
fn gate_rows(checked: &[Checked]) -> Vec<gates::Row<'_>> {
    checked
        .iter()
        .flat_map(|c| {
            // Why each job is vacuous, by (file, job): one pass over the findings.
            let mut why: HashMap<(&str, &str), Vec<&'static str>> = HashMap::new();
            for f in &c.findings {
                if let (Some(file), Some(job), Some(reason)) = (
                    f.file.as_deref(),
                    f.job.as_deref(),
                    gates::vacuous_reason(f.rule),
                ) {
                    let list = why.entry((file, job)).or_default();
                    if !list.contains(&reason) {
                        list.push(reason);
                    }
                }
            }
            c.report.gates.iter().map(move |g| {
                let protected = c
                    .protection
                    .as_ref()
                    .map(|p| g.contexts.iter().any(|ctx| p.requires(&ctx.text)));
                let vacuous = why
                    .get(&(g.file.as_str(), g.job.as_str()))
                    .cloned()
                    .unwrap_or_default();
                (g, protected, vacuous)
            })
        })
        .collect()
}

fn list_rules() -> Exit {
    let width = rules::RULES
        .iter()
        .map(|r| r.info().id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for r in rules::RULES {
        let i = r.info();
        out.push_str(&format!(
            "{:<width$}  {:<7}  {}\n",
            i.id,
            i.default.as_str(),
            i.summary
        ));
    }
    write_out(&out)
}

fn explain(id: &str) -> Exit {
    match rules::find(id) {
        Some(info) => write_out(info.doc),
        None => {
            let nearest = rules::ids()
                .into_iter()
                .min_by_key(|r| rules::distance(r, id))
                .map(|r| format!(" (did you mean `{r}`?)"))
                .unwrap_or_default();
            eprintln!("error: unknown rule `{id}`{nearest}; `gatelint rules` lists them");
            Exit::Failure
        }
    }
}

fn profiles(format: crate::cli::ProfilesFormat) -> Exit {
    match format {
        crate::cli::ProfilesFormat::Markdown => print!("{}", crate::forge::profile::markdown()),
        crate::cli::ProfilesFormat::Json => println!("{}", crate::forge::profile::json()),
    }
    Exit::Clean
}

/// `check --remote --head [SHA]`: what the forge posted on the pull request's head, compared
/// with what its workflows should post (issue 12). One repository.
fn observe_head(checked: &mut [Checked], head: &str, args: &CheckArgs) -> Result<(), String> {
    let [c] = checked else {
        return Err("--head compares one repository's statuses: give one PATH".to_owned());
    };
    let spec = c
        .spec
        .clone()
        .ok_or("--head reads statuses from the forge: add --remote")?;
    let sha = if head == "event" {
        crate::observed::head_from_event()?
    } else {
        crate::forge::source::statuses::check_sha(head).map_err(|e| e.message)?;
        head.to_owned()
    };
    let settle = crate::observed::Settle {
        settle: std::time::Duration::from_secs(args.settle),
        poll: std::time::Duration::from_secs(args.poll.max(1)),
        allow_unsettled: args.allow_unsettled,
    };
    // What the pull request changes, from where it forked: `--base`, else the target branch.
    let fork_from = args
        .base
        .clone()
        .unwrap_or_else(|| format!("origin/{}", c.branch));
    let root = c.report.root.clone();
    let merge_base = crate::diff::merge_base(&root, &fork_from).or_else(|e| {
        if args.base.is_some() {
            Err(e)
        } else {
            crate::diff::merge_base(&root, &c.branch).map_err(|_| {
                format!(
                    "--head compares this pull request's lanes with those of the commit it forked from, and HEAD has no merge base with `{fork_from}` or `{}` in {root}: check out with the history of both (`fetch-depth: 0`), or give --base REV",
                    c.branch
                )
            })
        }
    })?;
    let change = crate::observed::Change {
        paths: crate::diff::changed_paths(&root, &merge_base)?,
    };
    let crate::observed::Observed {
        findings: mut found,
        requests,
        predicted,
        posted,
        undecided,
    } = crate::observed::observe(
        &spec,
        &sha,
        &c.report,
        c.protection.as_ref(),
        &c.branch,
        &change,
        settle,
    )?;
    let mb = merge_base.as_str();
    let tree = crate::diff::export(&root, mb)?;
    // The settings that judge what the forge posted: the base revision's (`--base`), else
    // the merge base's, never the pull request's own (it could waive its own removed lanes).
    let fork_config = if args.base.is_some() {
        None
    } else {
        let (config, text) = base_config(&root, &tree)?;
        if let (Some(file), Some(text)) = (&config.file, text) {
            c.files.insert(file.clone(), (file.clone(), text));
        }
        Some(config)
    };
    let settings = fork_config.as_ref().unwrap_or(&c.config);
    let base_options = Options {
        forge: Some(c.report.profile.forge),
        version: (c.report.profile.forge != crate::forge::Forge::Github)
            .then_some(c.report.profile.version),
        ..c.options.clone()
    };
    let base = match analyze::analyze_tree(&root, Tree::Mem(&tree.tree), &base_options) {
        Ok(r) => r,
        // No workflow folder at the merge base: it posted nothing, no lane can be removed.
        Err(e) if e.message.starts_with("no workflow folder") => {
            analyze::empty_report(&root, c.report.profile.clone())
        }
        Err(e) => return Err(format!("the merge base {mb}: {e}")),
    };
    let pr = match args.pr {
        Some(n) => Some(n),
        None => crate::observed::pr_from_event(),
    };
    let waiver_file = settings
        .file
        .as_deref()
        .map(|f| rules::relative_to_root(&root, f));
    let lanes = crate::observed::Lanes {
        base: &base,
        merge_base: mb,
        waivers: &settings.lane_waivers,
        waiver_file: waiver_file.as_deref(),
        pr,
    };
    found.extend(crate::observed::lanes_removed(
        &c.report, &c.branch, &change, &lanes,
    ));
    if !args.common.quiet {
        eprintln!(
            "gatelint: read the statuses of {sha} in {requests} requests: {predicted} contexts predicted for this pull request, {posted} posted"
        );
        if undecided > 0 {
            eprintln!(
                "gatelint: note: the `paths` filters of {undecided} workflows could not be decided for this change (too many patterns or changed paths, or a pattern the forge rejects): they are not awaited, and their lanes count as kept"
            );
        }
    }
    rules::apply_severities(settings, &mut found);
    c.findings.extend(found);
    rules::sort(&mut c.findings);
    Ok(())
}

/// `--history N`: the heads of the last N merged pull requests and the branch's last N
/// commits, with what the forge posted on each, read once (stderr says what it cost).
fn read_history(
    checked: &[Checked],
    n: u64,
    quiet: bool,
) -> Result<crate::forge::source::history::History, String> {
    let Some(spec) = checked.iter().find_map(|c| c.spec.clone()) else {
        return Err("--history reads statuses from the forge: add --remote".to_owned());
    };
    let history = crate::forge::source::history::fetch(&spec, usize::try_from(n).unwrap_or(1))
        .map_err(|e| e.message)?;
    if !quiet {
        eprintln!(
            "gatelint: read the heads of {} merged pull requests and {} commits of `{}` ({} commits) in {} requests",
            history.pull_requests,
            history.branch_commits,
            spec.branch,
            history.commits.len(),
            history.requests
        );
        if history.commits.is_empty() {
            eprintln!(
                "gatelint: note: no merged pull request or commit of `{}` was found: there was no history to read",
                spec.branch
            );
        }
    }
    Ok(history)
}

/// `check --remote --history N`: what the forge posted on past commits, read once for every
/// root and rule (issue 12, item 2).
fn observe_history(checked: &mut [Checked], n: u64, quiet: bool) -> Result<(), String> {
    let history = read_history(checked, n, quiet)?;
    for c in checked.iter_mut() {
        let protection_file = c
            .protection
            .as_ref()
            .filter(|p| p.local)
            .map(|p| rules::relative_to_root(&c.report.root, &p.file));
        let inputs = crate::history::Inputs {
            report: &c.report,
            protection: c.protection.as_ref(),
            base: c.base.as_ref(),
            branch: &c.branch,
            green_runs: c.config.green_runs(),
            protection_file,
            required_keyword: c.config.syntax.required(),
        };
        let mut found = crate::history::check(&inputs, &history);
        rules::apply_severities(&c.config, &mut found);
        c.findings.extend(found);
        rules::sort(&mut c.findings);
    }
    Ok(())
}
