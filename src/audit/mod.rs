//! `gatelint audit`: every repository of an organisation (or a list), from the API alone.
//!
//! The repositories are listed (sorted by name, then the shard's share kept), then read by
//! `--jobs` workers that share one rate budget ([`crate::forge::source::http::Budget`]): a
//! wait the server asks of one pauses all. Each repository's workflow files and protection
//! are analysed as `check` analyses a work tree, and its result is written as soon as the
//! ones before it are (the output is in name order, and memory holds a bounded window of
//! results, not the organisation). A repository that cannot be read is reported and the
//! others go on; the exit code is then 2, since the audit did not see everything.

pub mod output;
pub mod store;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};

use serde_json::Value as Json;

use crate::analyze::{self, Options};
use crate::cli::{AuditArgs, AuditFormat, ColorChoice};
use crate::config::{Config, Date};
use crate::discover::{MemTree, Tree};
use crate::finding::Severity;
use crate::forge::Forge;
use crate::forge::protection::{self, Protection};
use crate::forge::source::graphql;
use crate::forge::source::http::Budget;
use crate::forge::source::repos::{self, RepoInfo};
use crate::forge::source::{self, Limits, RemoteError, RemoteSpec};
use crate::rules::{self, Cx};
use crate::run::{Checked, Exit};
use output::{Format, Head, Posture, RepoResult, Status, Worst, Writer};
use store::Saved;

/// One repository to audit.
enum Item {
    /// From the list: fetch it.
    Live(RepoInfo),
    /// From a `--save` folder.
    Offline(Saved),
    /// Finished in an earlier run (`--state`): printed again, not fetched.
    Done(RepoResult),
}

impl Item {
    fn name(&self) -> String {
        match self {
            Item::Live(r) => r.full_name(),
            Item::Offline(s) => s.repository.clone(),
            Item::Done(r) => r.repository.clone(),
        }
    }
}

/// What every worker shares.
struct Ctx {
    forge: Forge,
    spec: Option<RemoteSpec>,
    budget: Arc<Budget>,
    branch: Option<String>,
    /// The repositories were named by `--repos`: audited whatever their flags.
    named: bool,
    include_archived: bool,
    include_forks: bool,
    config: Config,
    options: Options,
    save: Option<PathBuf>,
    offline: Option<PathBuf>,
    /// Reusable workflows of other repositories, read once per run.
    called: Mutex<source::called::Fetched>,
    /// GitHub: read over REST (`--rest`, or the server has no GraphQL endpoint).
    rest: AtomicBool,
    /// Gitea: whether the server reads many files in one request.
    batch: repos::Batch,
    today: Date,
}

fn fail(message: &str) -> Exit {
    eprintln!("error: {}", crate::report::escape::visible(message));
    Exit::Failure
}

fn format_of(f: AuditFormat) -> Format {
    match f {
        AuditFormat::Human => Format::Human,
        AuditFormat::Json => Format::Json,
        AuditFormat::Jsonl => Format::Jsonl,
        AuditFormat::Sarif => Format::Sarif,
        AuditFormat::Markdown => Format::Markdown,
    }
}

fn color(choice: ColorChoice, format: Format) -> bool {
    format == Format::Human && crate::run::use_color(choice, std::io::stdout().is_terminal())
}

type Out = Writer<std::io::BufWriter<std::io::StdoutLock<'static>>>;

/// The writer on standard output, with the document's head written.
fn writer(args: &AuditArgs, format: Format, head: Head) -> Option<Out> {
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    Writer::new(stdout, format, head, color(args.color, format)).ok()
}

/// Which shard (1-based) of `n` a repository is in: FNV-1a of its lower-cased name, so
/// that every run, on any machine, splits an organisation the same way.
pub fn shard_of(full_name: &str, n: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in full_name.to_ascii_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % n.max(1) + 1
}

pub fn run(args: &AuditArgs) -> Exit {
    let format = format_of(args.format);
    if !args.merge.is_empty() {
        return merge(args, format);
    }
    let forge: Forge = args.forge.map_or(Forge::Github, Into::into);
    let config = match &args.config {
        Some(path) => match Config::load(Path::new(path), path, &rules::ids()) {
            Ok(c) => c,
            Err(e) => return fail(&e.to_string()),
        },
        None => Config::empty(),
    };
    let options = Options {
        forge: Some(forge),
        version: args.forge_version.or(config.forge_version),
        opt_ins: config.opt_ins,
        syntax: config.syntax.clone(),
        called: Arc::default(),
    };
    if let Err(e) = crate::forge::ForgeProfile::resolve(forge, options.version, options.opt_ins) {
        return fail(&e.to_string());
    }
    let budget = Arc::new(Budget::default());
    let mut ctx = Ctx {
        forge,
        spec: None,
        budget: Arc::clone(&budget),
        branch: args.branch.clone(),
        named: args.repos.is_some(),
        include_archived: args.include_archived,
        include_forks: args.include_forks,
        config,
        options,
        save: args.save.as_ref().map(PathBuf::from),
        offline: args.offline.as_ref().map(PathBuf::from),
        called: Mutex::default(),
        rest: AtomicBool::new(args.rest || forge != Forge::Github),
        batch: repos::Batch::default(),
        today: Date::today(),
    };
    let (head, items) = if let Some(dir) = &ctx.offline {
        match store::read_index(dir) {
            Ok(saved) if saved.is_empty() => {
                return fail(&format!(
                    "--offline {}: the folder's index lists no repository",
                    dir.display()
                ));
            }
            Ok(saved) => (
                Head {
                    forge: forge.as_str().to_owned(),
                    server: String::new(),
                    scope: format!("offline {}", dir.display()),
                    shard: None,
                },
                saved.into_iter().map(Item::Offline).collect::<Vec<_>>(),
            ),
            Err(e) => return fail(&e),
        }
    } else {
        match server_spec(args, &mut ctx) {
            Ok(h) => (h, Vec::new()),
            Err(e) => return fail(&e),
        }
    };
    let mut items = items;
    let mut head = Head {
        shard: args.shard.map(|(k, n)| format!("{k}/{n}")),
        ..head
    };
    // Resume: what an earlier run finished is printed again, not fetched (the state is read
    // before the list, so that another audit's state is refused at once).
    let mut state = None;
    let mut done = None;
    if let Some(path) = &args.state {
        let state_head = store::StateHead {
            gatelint_audit_state: 1,
            forge: head.forge.clone(),
            server: head.server.clone(),
            branch: args.branch.clone(),
        };
        match store::load_state(Path::new(path), &state_head) {
            Ok(d) => done = Some(d),
            Err(e) => return fail(&e),
        }
        match store::StateWriter::open(Path::new(path), &state_head) {
            Ok(w) => state = Some(w),
            Err(e) => return fail(&e),
        }
    }
    if ctx.offline.is_none() {
        match list_live(args, &ctx) {
            Ok((scope, infos)) => {
                // Nothing to audit is not a clean audit: fail closed.
                if infos.is_empty() {
                    return fail(&format!(
                        "{scope}: no repository to audit (none listed, or none the token can see)"
                    ));
                }
                head.scope = scope;
                items = infos.into_iter().map(Item::Live).collect();
            }
            Err(e) => return fail(&e),
        }
    }
    if let Some((k, n)) = args.shard {
        items.retain(|i| shard_of(&i.name(), n) == k);
    }
    if let Some(done) = &done {
        let mut resumed = 0;
        for item in &mut items {
            if let Some(r) = done.get(&item.name()) {
                *item = Item::Done(r.clone());
                resumed += 1;
            }
        }
        if !args.quiet && resumed > 0 {
            eprintln!(
                "gatelint audit: {resumed} repositories finished in an earlier run: not fetched again"
            );
        }
    }
    if let Some(dir) = &ctx.save
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return fail(&format!("--save {}: {e}", dir.display()));
    }
    if !args.quiet {
        eprintln!(
            "gatelint audit: {} repositories to audit with {} workers",
            items.len(),
            args.jobs
        );
    }
    let Some(mut writer) = writer(args, format, head) else {
        return Exit::Failure;
    };
    // The list's requests count too.
    writer.summary.requests = budget.requests();
    writer.summary.list_requests = budget.requests();
    let jobs = usize::try_from(args.jobs).unwrap_or(1).max(1);
    let summary = match work(&ctx, items, jobs, writer, state.as_mut()) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    if !args.quiet && budget.waits() > 0 {
        eprintln!(
            "gatelint audit: the server asked to wait {} times (rate limits): every worker waited",
            budget.waits()
        );
    }
    exit_of(&summary)
}

fn exit_of(s: &output::Summary) -> Exit {
    if s.failed > 0 {
        Exit::Failure
    } else if s.errors > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// The server read, and the document's head (its scope is set by [`list_live`]).
fn server_spec(args: &AuditArgs, ctx: &mut Ctx) -> Result<Head, String> {
    let d = Limits::default();
    let secs = std::time::Duration::from_secs;
    let limits = Limits {
        timeout: args.timeout.map_or(d.timeout, secs),
        retries: args.retries.unwrap_or(d.retries),
        max_wait: args.max_wait.map_or(d.max_wait, secs),
        ..d
    };
    if ctx.forge != Forge::Github
        && args.server.is_none()
        && std::env::var_os("GITHUB_SERVER_URL").is_none_or(|v| v.is_empty())
    {
        return Err(format!(
            "audit on {} needs the server: give --server URL",
            ctx.forge
        ));
    }
    let mut spec =
        RemoteSpec::for_server(ctx.forge, args.server.clone(), limits).map_err(|e| e.message)?;
    spec.budget = Some(Arc::clone(&ctx.budget));
    let head = Head {
        forge: ctx.forge.as_str().to_owned(),
        server: spec.server.clone(),
        scope: String::new(),
        shard: None,
    };
    ctx.spec = Some(spec);
    Ok(head)
}

/// The repositories of `--org` or `--repos`, sorted by name, and the scope they are.
fn list_live(args: &AuditArgs, ctx: &Ctx) -> Result<(String, Vec<RepoInfo>), String> {
    let Some(spec) = &ctx.spec else {
        return Err("no server to read from".to_owned());
    };
    if let Some(file) = &args.repos {
        let text = crate::safe_fs::read_text_capped(Path::new(file), 16 * 1024 * 1024)
            .map_err(|e| format!("--repos {file}: {e}"))?;
        let mut infos = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let Some((owner, name)) = store::split_repository(line) else {
                return Err(format!(
                    "--repos {file}: line {}: `{}` is not OWNER/NAME",
                    i + 1,
                    crate::report::escape::visible(line)
                ));
            };
            infos.push(RepoInfo::named(owner, name));
        }
        infos.sort_by_key(RepoInfo::full_name);
        infos.dedup_by_key(|r| r.full_name());
        Ok((format!("repos {file}"), infos))
    } else {
        let org = args.org.clone().unwrap_or_default();
        if !repos::valid_name(&org) {
            return Err(format!(
                "--org `{}` is not an organisation or user name",
                crate::report::escape::visible(&org)
            ));
        }
        let listed = repos::block_on(spec, async {
            let client = spec.client()?;
            repos::list(&client, spec, &org).await
        })
        .map_err(|e| format!("cannot list the repositories of `{org}`: {}", e.message))?;
        Ok((format!("org {org}"), listed))
    }
}

/// A window of results waiting to be written in order: workers take the next repository only
/// while it is within `window` of the last one written.
struct Window {
    /// (next to take, written so far)
    at: Mutex<(usize, usize)>,
    moved: Condvar,
    window: usize,
    /// The output cannot be written: take nothing more.
    stop: AtomicBool,
}

impl Window {
    fn take(&self, total: usize) -> Option<usize> {
        let mut at = self.at.lock().ok()?;
        loop {
            if at.0 >= total || self.stop.load(Ordering::Relaxed) {
                return None;
            }
            if at.0 < at.1 + self.window {
                let i = at.0;
                at.0 += 1;
                return Some(i);
            }
            at = self.moved.wait(at).ok()?;
        }
    }

    fn written(&self, n: usize) {
        if let Ok(mut at) = self.at.lock() {
            at.1 = n;
        }
        self.moved.notify_all();
    }

    fn halt(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.moved.notify_all();
    }
}

/// Audit `items` with `jobs` workers, writing each result in order as it can be.
fn work<W: std::io::Write>(
    ctx: &Ctx,
    items: Vec<Item>,
    jobs: usize,
    mut writer: Writer<W>,
    mut state: Option<&mut store::StateWriter>,
) -> Result<output::Summary, String> {
    let total = items.len();
    let items: Vec<Mutex<Option<Item>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let window = Window {
        at: Mutex::new((0, 0)),
        moved: Condvar::new(),
        window: jobs * 4,
        stop: AtomicBool::new(false),
    };
    let (tx, rx) = mpsc::channel::<(usize, RepoResult)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(total.max(1)) {
            let tx = tx.clone();
            let items = &items;
            let window = &window;
            scope.spawn(move || {
                while let Some(i) = window.take(total) {
                    let item = items.get(i).and_then(|m| m.lock().ok()?.take());
                    let result = match item {
                        Some(item) => {
                            let name = item.name();
                            // A bug on one repository is that repository's failure, not a
                            // hang or a lost result.
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                audit_one(ctx, item)
                            }))
                            .unwrap_or_else(|_| {
                                RepoResult::failed(
                                    name,
                                    "gatelint failed on this repository (a bug: please report it)",
                                )
                            })
                        }
                        None => RepoResult::failed(format!("#{i}"), "lost"),
                    };
                    if tx.send((i, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: std::collections::BTreeMap<usize, RepoResult> = Default::default();
        let mut next = 0;
        let mut io_error = None;
        for (i, r) in rx {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&next) {
                if io_error.is_none() {
                    if let Err(e) = writer.push(&r) {
                        io_error = Some(format!("cannot write the output: {e}"));
                    }
                    if let Some(s) = state.as_deref_mut()
                        && let Err(e) = s.add(&r)
                    {
                        io_error = Some(format!("cannot write the state file: {e}"));
                    }
                    if io_error.is_some() {
                        window.halt();
                    }
                }
                next += 1;
                window.written(next);
            }
        }
        match io_error {
            Some(e) => Err(e),
            // Every repository written, or the audit did not see everything.
            None if next < total => Err(format!(
                "{} of {total} repositories were not audited (a worker stopped)",
                total - next
            )),
            None => writer
                .finish()
                .map_err(|e| format!("cannot write the output: {e}")),
        }
    })
}

/// What one repository's fetch found.
enum Got {
    Skip(String),
    Read {
        branch: String,
        tree: MemTree,
        protection: Box<Protection>,
        source: String,
    },
}

fn audit_one(ctx: &Ctx, item: Item) -> RepoResult {
    match item {
        Item::Done(r) => r,
        Item::Live(info) => audit_live(ctx, &info),
        Item::Offline(saved) => audit_offline(ctx, &saved),
    }
}

fn audit_live(ctx: &Ctx, info: &RepoInfo) -> RepoResult {
    let full = info.full_name();
    let Some(base) = &ctx.spec else {
        return RepoResult::failed(full, "no server to read from");
    };
    let budget = Arc::new(Budget::child(&ctx.budget));
    let mut spec = base.with_repo(&info.owner, &info.name, "");
    spec.budget = Some(Arc::clone(&budget));
    let got = repos::block_on(&spec.clone(), async {
        let client = spec.client()?;
        let mut info = info.clone();
        if let Some(why) = skip_reason(ctx, &info) {
            return Ok::<Got, RemoteError>(Got::Skip(why.to_owned()));
        }
        let mut fell_back = false;
        if !ctx.rest.load(Ordering::Relaxed) {
            let gql = graphql::client(&spec)?;
            match graphql::read(&gql, &client, &spec, ctx.branch.as_deref()).await {
                Ok(read) => {
                    if let Some(why) = skip_reason(ctx, &read.info) {
                        return Ok(Got::Skip(why.to_owned()));
                    }
                    return Ok(Got::Read {
                        branch: read.branch,
                        tree: read.tree,
                        protection: Box::new(read.fetched.protection),
                        source: read.fetched.source,
                    });
                }
                Err(graphql::Failed::Error(e)) => return Err(e),
                Err(graphql::Failed::Fallback(why)) => {
                    fell_back = true;
                    // No endpoint: every repository is read over REST from now on.
                    if why.contains("no GraphQL endpoint")
                        && !ctx.rest.swap(true, Ordering::Relaxed)
                    {
                        eprintln!(
                            "gatelint audit: {}; reading over REST",
                            crate::report::escape::visible(&why)
                        );
                    }
                }
            }
        }
        if ctx.branch.is_none() && info.default_branch.is_none() {
            info = repos::info(&client, &spec).await?;
            if let Some(why) = skip_reason(ctx, &info) {
                return Ok(Got::Skip(why.to_owned()));
            }
        }
        let branch = ctx
            .branch
            .clone()
            .or(info.default_branch)
            .unwrap_or_else(|| "main".to_owned());
        spec.branch = branch.clone();
        let wf = repos::workflows(&client, &spec, &ctx.batch).await?;
        // Read over REST because GraphQL could not say it all: the rulesets by id too, as
        // the query would have read them.
        let fetched = repos::protection(&spec, fell_back).await?;
        Ok(Got::Read {
            branch,
            tree: wf.tree,
            protection: Box::new(fetched.protection),
            source: fetched.source,
        })
    });
    let requests = budget.requests();
    let mut result = match got {
        Err(e) => {
            if let Some(dir) = &ctx.save {
                let mut saved = Saved {
                    repository: full.clone(),
                    status: "failed".to_owned(),
                    reason: Some(e.message.clone()),
                    requests,
                    ..Saved::default()
                };
                // The failure is reported either way; a folder that cannot be written is
                // said on top of it.
                if let Err(w) = store::save(dir, &mut saved, None, None) {
                    return RepoResult::failed(full, &format!("{}; --save: {w}", e.message));
                }
            }
            RepoResult::failed(full.clone(), &e.message)
        }
        Ok(Got::Skip(why)) => {
            let mut r = RepoResult::skipped(full.clone(), &why);
            if let Some(dir) = &ctx.save {
                let mut saved = Saved {
                    repository: full.clone(),
                    status: "skipped".to_owned(),
                    reason: Some(why),
                    requests,
                    ..Saved::default()
                };
                if let Err(e) = store::save(dir, &mut saved, None, None) {
                    r = RepoResult::failed(full.clone(), &format!("--save: {e}"));
                }
            }
            r
        }
        Ok(Got::Read {
            branch,
            tree,
            mut protection,
            source,
        }) => {
            spec.branch = branch.clone();
            let called = read_called(ctx, &spec, &tree);
            let mut r = analyse(ctx, &full, &branch, &tree, &protection, &called, &source);
            if let Some(dir) = &ctx.save {
                if !called.is_empty() {
                    protection.called = Some(called);
                }
                let meta = protection::SnapshotMeta {
                    forge: spec.forge.as_str(),
                    server: &spec.server,
                    repository: &full,
                    branch: &branch,
                    source: &source,
                    fetched_at: &Date::timestamp_now(),
                };
                let text = protection::write_snapshot(&protection, &meta);
                let mut saved = Saved {
                    repository: full.clone(),
                    branch: Some(branch.clone()),
                    status: "checked".to_owned(),
                    requests: budget.requests(),
                    ..Saved::default()
                };
                if let Err(e) = store::save(dir, &mut saved, Some(&tree), Some(&text)) {
                    r = RepoResult::failed(full.clone(), &format!("--save: {e}"));
                }
            }
            r
        }
    };
    result.requests = budget.requests();
    result
}

/// Why a repository is not audited, when it is not.
fn skip_reason(ctx: &Ctx, info: &RepoInfo) -> Option<&'static str> {
    if info.empty {
        Some("empty")
    } else if info.archived && !ctx.include_archived && !ctx.named {
        Some("archived")
    } else if info.fork && !ctx.include_forks && !ctx.named {
        Some("fork")
    } else {
        None
    }
}

/// The reusable workflows of other repositories the tree's jobs call, read once per run
/// (anonymously, as `check --remote` reads them), by `uses:` value.
fn read_called(ctx: &Ctx, spec: &RemoteSpec, tree: &MemTree) -> source::called::Fetched {
    let Ok(report) = analyze::analyze_tree(&spec.full_name(), Tree::Mem(tree), &ctx.options) else {
        return Default::default();
    };
    let wanted = source::called::wanted(&report);
    if wanted.is_empty() {
        return Default::default();
    }
    let missing: Vec<String> = match ctx.called.lock() {
        Ok(cache) => wanted
            .iter()
            .filter(|u| !cache.contains_key(*u))
            .cloned()
            .collect(),
        Err(_) => wanted.clone(),
    };
    if !missing.is_empty()
        && let Ok(fetched) = source::called::fetch(spec, &missing)
        && let Ok(mut cache) = ctx.called.lock()
    {
        cache.extend(fetched);
    }
    let Ok(cache) = ctx.called.lock() else {
        return Default::default();
    };
    wanted
        .into_iter()
        .filter_map(|u| cache.get(&u).cloned().map(|r| (u, r)))
        .collect()
}

fn audit_offline(ctx: &Ctx, saved: &Saved) -> RepoResult {
    let full = saved.repository.clone();
    if saved.status == "failed" {
        return RepoResult::failed(
            full,
            saved
                .reason
                .as_deref()
                .unwrap_or("could not be read when the folder was saved"),
        );
    }
    if saved.status != "checked" {
        let mut r = RepoResult::skipped(full, saved.reason.as_deref().unwrap_or("skipped"));
        r.requests = 0;
        return r;
    }
    let Some(dir) = &ctx.offline else {
        return RepoResult::failed(full, "no --offline folder");
    };
    let branch = saved.branch.clone().unwrap_or_else(|| "main".to_owned());
    let tree = match store::load_tree(dir, saved) {
        Ok(t) => t,
        Err(e) => return RepoResult::failed(full, &e),
    };
    let Some((path, shown)) = store::protection_path(dir, saved) else {
        return RepoResult::failed(full, "its protection snapshot is missing from the folder");
    };
    let mut protection = match protection::load_with_text(&path, &shown, &branch, Some(&full)) {
        Ok((p, _)) => p,
        Err(e) => return RepoResult::failed(full, &e.to_string()),
    };
    // Findings about protection say what the live run said: the forge's protection, not a
    // line of the saved file.
    protection.local = false;
    let called = protection.called.clone().unwrap_or_default();
    analyse(ctx, &full, &branch, &tree, &protection, &called, &shown)
}

/// The analysis and rules of `check`, on one repository's files and protection.
fn analyse(
    ctx: &Ctx,
    full: &str,
    branch: &str,
    tree: &MemTree,
    protection: &Protection,
    called: &source::called::Fetched,
    source: &str,
) -> RepoResult {
    let mut options = ctx.options.clone();
    options.called = Arc::new(called.clone());
    let report = match analyze::analyze_tree(full, Tree::Mem(tree), &options) {
        Ok(r) => r,
        Err(e) if e.message.starts_with("no workflow folder") || tree.entries.is_empty() => {
            match crate::forge::ForgeProfile::resolve(ctx.forge, options.version, options.opt_ins) {
                Ok(p) => analyze::empty_report(full, p),
                Err(e) => return RepoResult::failed(full.to_owned(), &e.to_string()),
            }
        }
        Err(e) => return RepoResult::failed(full.to_owned(), &e.message),
    };
    let adopted = report
        .gates
        .iter()
        .any(|g| g.directive.is_some() || g.directive_invalid);
    let mut cx = Cx::new(&report, Some(protection), &ctx.config, ctx.today, branch);
    cx.repository = Some(full.to_owned());
    let mut findings = rules::run(&cx, None, report.findings.clone());
    drop(cx);
    // A repository that writes no directive has not adopted them: asking for one above each
    // job, or a tracker for each mask, is not what an audit of its gates is about.
    if !adopted {
        findings.retain(|f| !matches!(f.rule, "directive-missing" | "mask-untracked"));
    }
    // Which jobs can pass without testing anything, and which post a required check. A job
    // that is never posted, or not posted on some pull requests, blocks them (the check
    // stays pending): it is still a gate, and its finding says what is wrong.
    let mut vacuous: HashMap<(&str, &str), bool> = HashMap::new();
    for f in &findings {
        if let (Some(file), Some(job)) = (f.file.as_deref(), f.job.as_deref())
            && passes_vacuously(f.rule)
        {
            vacuous.insert((file, job), true);
        }
    }
    let required = protection.enforced().count();
    let protected: Vec<&analyze::Gate> = report
        .gates
        .iter()
        .filter(|g| g.contexts.iter().any(|c| protection.requires(&c.text)))
        .collect();
    let unresolvable = report.gates.iter().any(|g| g.unresolvable.is_some());
    let posture = if protection.nothing_required.is_some() {
        Posture::Unprotected
    } else if protected.is_empty() {
        if unresolvable {
            Posture::Undecided
        } else {
            Posture::OrphanedOnly
        }
    } else if protected
        .iter()
        .all(|g| vacuous.contains_key(&(g.file.as_str(), g.job.as_str())))
    {
        Posture::VacuousOnly
    } else {
        Posture::Gated
    };
    let gates = protected.len();
    let (workflows, jobs) = (report.sources.len(), report.gates.len());
    let checked = Checked {
        report,
        findings,
        protection: Some(protection.clone()),
        snapshot: None,
        branch: branch.to_owned(),
        spec: None,
        files: HashMap::new(),
        config: ctx.config.clone(),
        options,
        base: None,
    };
    let doc: Json =
        serde_json::from_str(&crate::report::checks::json(std::slice::from_ref(&checked)))
            .unwrap_or(Json::Null);
    let findings: Vec<Json> = doc
        .get("findings")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let count = |s: Severity| checked.findings.iter().filter(|f| f.severity == s).count();
    // The most severe finding; among equals, one that makes a gate vacuous (it says what
    // does not hold) before one about who may post a check or how it is named.
    let vacuous_first = |s: Severity| {
        let mut of = checked.findings.iter().filter(move |f| f.severity == s);
        of.clone()
            .find(|f| crate::report::gates::vacuous_reason(f.rule).is_some())
            .or_else(|| of.next())
    };
    let worst = [Severity::Error, Severity::Warning, Severity::Note]
        .into_iter()
        .find_map(vacuous_first)
        .map(|f| Worst {
            rule: f.rule.to_owned(),
            severity: f.severity.as_str().to_owned(),
            message: f.message.clone(),
            file: f.file.clone(),
            line: f.span.map(|s| u64::from(s.start.line)),
        });
    RepoResult {
        repository: full.to_owned(),
        branch: Some(branch.to_owned()),
        status: Status::Checked,
        reason: None,
        posture: Some(posture),
        protection: Some(
            protection
                .nothing_required
                .clone()
                .unwrap_or_else(|| source.to_owned()),
        ),
        required,
        gates,
        workflows,
        jobs,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notes: count(Severity::Note),
        adopted,
        requests: 0,
        worst,
        findings,
    }
}

/// Shards merged must be every shard of one split, each once (outputs without a shard are
/// whole audits, merged as they are).
fn shards_complete(shards: &[Option<String>]) -> Result<(), String> {
    let split: Vec<(u64, u64)> = shards
        .iter()
        .flatten()
        .filter_map(|s| {
            let (k, n) = s.split_once('/')?;
            Some((k.parse().ok()?, n.parse().ok()?))
        })
        .collect();
    if split.is_empty() {
        return Ok(());
    }
    if split.len() != shards.len() {
        return Err(
            "some outputs are shards and some are not: merge the shards of one audit".to_owned(),
        );
    }
    let n = split[0].1;
    if split.iter().any(|(_, m)| *m != n) {
        return Err("the outputs are shards of different splits (K/N with different N)".to_owned());
    }
    let mut seen: Vec<u64> = split.iter().map(|(k, _)| *k).collect();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != split.len() {
        return Err("a shard is given twice".to_owned());
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard{} {} of {n} missing: the merge would not cover every repository",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    Ok(())
}

/// The rules whose finding means a required job can pass having tested nothing: masked,
/// skipped, not failed by a failed dependency, every step conditioned away, or its context
/// posted by another job too.
fn passes_vacuously(rule: &str) -> bool {
    matches!(
        rule,
        "required-masked"
            | "required-step-masked"
            | "required-skippable"
            | "required-needs-unguarded"
            | "required-noop"
            | "context-collision"
    )
}

/// `--merge`: the outputs of several audits (shards) as one; a repository in two of them is
/// an error (the shards overlap).
fn merge(args: &AuditArgs, format: Format) -> Exit {
    let mut all: Vec<RepoResult> = Vec::new();
    let mut head: Option<Head> = None;
    let mut from: HashMap<String, String> = HashMap::new();
    let mut list_requests = 0;
    let mut shards: Vec<Option<String>> = Vec::new();
    for file in &args.merge {
        let text = match crate::safe_fs::read_text_capped(Path::new(file), 512 * 1024 * 1024) {
            Ok(t) => t,
            Err(e) => return fail(&format!("--merge {file}: {e}")),
        };
        let (h, repos, listed) = match output::read_output(&text) {
            Ok(x) => x,
            Err(e) => return fail(&format!("--merge {file}: {e}")),
        };
        if let (Some(h), Some(prev)) = (&h, &head)
            && (h.forge != prev.forge || h.server != prev.server)
        {
            return fail(&format!(
                "--merge {file}: an audit of {} on {}, the others are of {} on {}",
                h.forge, h.server, prev.forge, prev.server
            ));
        }
        shards.push(h.as_ref().and_then(|h| h.shard.clone()));
        if head.is_none() {
            head = h;
        }
        list_requests += listed;
        for r in repos {
            if let Some(other) = from.insert(r.repository.clone(), file.clone()) {
                return fail(&format!(
                    "--merge: repository {} is in both {other} and {file}: the shards overlap",
                    r.repository
                ));
            }
            all.push(r);
        }
    }
    if let Err(e) = shards_complete(&shards) {
        return fail(&format!("--merge: {e}"));
    }
    all.sort_by(|a, b| a.repository.cmp(&b.repository));
    let head = Head {
        scope: format!("merge of {} outputs", args.merge.len()),
        shard: None,
        ..head.unwrap_or_default()
    };
    let Some(mut writer) = writer(args, format, head) else {
        return Exit::Failure;
    };
    writer.summary.requests = list_requests;
    writer.summary.list_requests = list_requests;
    for r in &all {
        if writer.push(r).is_err() {
            return Exit::Failure;
        }
    }
    match writer.finish() {
        Ok(s) => exit_of(&s),
        Err(_) => Exit::Failure,
    }
}
