//! Property and fuzz tests on stable Rust (issue 9): generated inputs (proptest) and a bounded,
//! deterministic mutation loop over the real-world corpus, for the YAML layer and the workflow
//! model, context naming and the whole pipeline, the expression evaluator, the protection
//! readers and the config reader.
//!
//! Properties: no panic, no hang, every case within a CPU-time budget, errors located inside the
//! text (or naming the file), parsing and evaluation deterministic, plus a few round trips. The
//! exact messages are not asserted: other tests own those.
//!
//! Every case runs on a worker thread with a 2 MiB stack (the smallest stack gatelint's code runs
//! on: rayon's worker threads) under `catch_unwind`, so a failure reports its input; a case that
//! does not answer within [`HANG`] is reported as a hang and its thread abandoned.
//!
//! Budget, sized for about a minute in a debug build on 2 cores:
//! - `GATELINT_FUZZ_CASES`: generated cases per property (default [`DEFAULT_CASES`], times 1 to
//!   16 by the property's cost);
//! - `GATELINT_FUZZ_MUTANTS`: mutants of the corpus files (default [`DEFAULT_MUTANTS`]; the
//!   protection fixtures get a quarter as many, the config fixtures a sixth);
//! - `GATELINT_FUZZ_SEED`: the seed of every generator (default: a fresh one, printed), to
//!   replay a run.
//!
//! Each target prints its number of executions on standard error, uncaptured. A failing input is
//! also written to `$CARGO_TARGET_TMPDIR/fuzz-failures/`. Problems found are kept as named
//! regression cases at the end of this file.

mod common;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use gatelint::analyze::{Options, analyze_tree};
use gatelint::config::{Config, Date};
use gatelint::discover::{MemEntry, MemTree, Tree};
use gatelint::forge::naming::{NoCallees, job_contexts, leg_name};
use gatelint::forge::protection::{self, SnapshotMeta};
use gatelint::forge::{Forge, ForgeProfile, Version};
use gatelint::workflow::condition::Condition;
use gatelint::workflow::{DirectiveSyntax, MatrixSpec, expr, matrix, parse_workflow};
use gatelint::yaml::{self, Pos, Span, Value};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::BoxedStrategy;
use proptest::test_runner::{
    Config as PropConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner,
};
use serde_json::{Value as Json, json};

// ---------------------------------------------------------------------------------------------
// The harness: budget, seeds, worker threads, counting.

const DEFAULT_CASES: u32 = 1000;
const DEFAULT_MUTANTS: usize = 32_000;
/// A case taking more CPU time than this (on an input of at most [`TIMED_INPUT`] bytes) fails.
const SLOW_FAIL: Duration = Duration::from_secs(2);
/// A case taking longer than this is noted in the summary.
const SLOW_NOTE: Duration = Duration::from_secs(1);
const TIMED_INPUT: usize = 64 * 1024;
/// No answer after this long (wall clock): a hang.
const HANG: Duration = Duration::from_secs(30);
const WORKER_STACK: usize = 2 << 20;

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

fn cases() -> u32 {
    env_number("GATELINT_FUZZ_CASES")
        .map_or(DEFAULT_CASES, |n| n.clamp(1, u64::from(u32::MAX)) as u32)
}

fn mutants() -> usize {
    env_number("GATELINT_FUZZ_MUTANTS").map_or(DEFAULT_MUTANTS, |n| n as usize)
}

/// The run's seed: `GATELINT_FUZZ_SEED`, or one made up now.
fn run_seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| {
        env_number("GATELINT_FUZZ_SEED").unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            splitmix(nanos ^ u64::from(std::process::id()).rotate_left(32))
        })
    })
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The seed of one target: the run's seed mixed with the target's name.
fn target_seed(target: &str) -> u64 {
    target
        .bytes()
        .fold(splitmix(run_seed()), |h, b| splitmix(h ^ u64::from(b)))
}

/// Written to standard error directly: libtest does not capture it, so CI logs show it.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[cfg(target_os = "linux")]
fn thread_cpu() -> Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    getrusage(UsageWho::RUSAGE_THREAD).map_or(Duration::ZERO, |u| {
        let us = u.user_time().num_microseconds() + u.system_time().num_microseconds();
        Duration::from_micros(us.max(0) as u64)
    })
}

/// Elsewhere: wall time, an over-estimate.
#[cfg(not(target_os = "linux"))]
fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// A case: `Ok` with what kind of input it turned out to be (counted), or what went wrong.
type Outcome = Result<&'static str, String>;

/// What a worker runs.
type Job = Box<dyn FnOnce() -> Outcome + Send>;

struct Done {
    result: Outcome,
    cpu: Duration,
}

struct Worker {
    jobs: mpsc::Sender<Job>,
    done: mpsc::Receiver<Done>,
}

impl Worker {
    fn spawn(target: &str) -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("fuzz-{target}"))
            .stack_size(WORKER_STACK)
            .spawn(move || {
                for job in job_rx {
                    let before = thread_cpu();
                    let result = catch_unwind(AssertUnwindSafe(job))
                        .unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(&*p))));
                    let cpu = thread_cpu().saturating_sub(before);
                    if done_tx.send(Done { result, cpu }).is_err() {
                        break;
                    }
                }
            })
            .expect("a worker thread starts");
        Worker { jobs, done }
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".to_owned())
}

/// One fuzz target: runs cases on its worker and counts them.
struct Target {
    name: &'static str,
    worker: Option<Worker>,
    executions: u64,
    /// Inputs the real reader refuses before parsing (not UTF-8), not executed.
    refused: u64,
    started: Instant,
    slowest: Duration,
    notes: Vec<String>,
    first_failure: Option<String>,
    /// Free-form counters for the summary (how many inputs parsed, …).
    counters: Vec<(&'static str, u64)>,
}

impl Target {
    fn new(name: &'static str) -> Target {
        Target {
            name,
            worker: None,
            executions: 0,
            refused: 0,
            started: Instant::now(),
            slowest: Duration::ZERO,
            notes: Vec::new(),
            first_failure: None,
            counters: Vec::new(),
        }
    }

    fn count(&mut self, what: &'static str) {
        match self.counters.iter_mut().find(|(w, _)| *w == what) {
            Some((_, n)) => *n += 1,
            None => self.counters.push((what, 1)),
        }
    }

    /// Run `check` on `input` on the worker thread: a panic, a property violation, a hang or a
    /// case over the CPU budget is an error that shows the input.
    fn run(
        &mut self,
        input: &Arc<str>,
        check: impl FnOnce(&str) -> Outcome + Send + 'static,
    ) -> Result<(), String> {
        let name = self.name;
        let worker = self.worker.get_or_insert_with(|| Worker::spawn(name));
        self.executions += 1;
        let owned = Arc::clone(input);
        let start = Instant::now();
        let sent = worker.jobs.send(Box::new(move || check(&owned)));
        let outcome = match sent {
            Err(_) => Err("the worker thread is gone".to_owned()),
            Ok(()) => match worker.done.recv_timeout(HANG) {
                Ok(done) => {
                    let wall = start.elapsed();
                    self.slowest = self.slowest.max(done.cpu);
                    if done.cpu > SLOW_NOTE || wall > SLOW_NOTE {
                        self.notes.push(format!(
                            "slow case: {:?} CPU, {wall:?} wall, {} bytes: {}",
                            done.cpu,
                            input.len(),
                            preview(input, 200)
                        ));
                    }
                    done.result.and_then(|kind| {
                        if done.cpu > SLOW_FAIL && input.len() <= TIMED_INPUT {
                            Err(format!(
                                "took {:?} of CPU time (the budget is {SLOW_FAIL:?})",
                                done.cpu
                            ))
                        } else {
                            self.count(kind);
                            Ok(())
                        }
                    })
                }
                Err(_) => {
                    // The thread may spin forever: leave it, start another for what follows.
                    self.worker = None;
                    Err(format!("no answer after {HANG:?}: a hang"))
                }
            },
        };
        outcome.map_err(|e| self.failure(input, &e))
    }

    fn failure(&mut self, input: &str, message: &str) -> String {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
        let file = dir.join(format!("{}-{}.txt", self.name, self.executions));
        let saved = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&file, input))
            .map_or_else(
                |e| format!("not saved: {e}"),
                |()| file.display().to_string(),
            );
        let text = format!(
            "{}: {message}\n  input ({} bytes, saved to {saved}): {}",
            self.name,
            input.len(),
            preview(input, 2000)
        );
        if self.first_failure.is_none() {
            self.first_failure = Some(text.clone());
        }
        text
    }

    fn finish(self) -> Option<String> {
        let mut line = format!(
            "fuzz {}: {} executions in {:.1} s (seed {:#x}, slowest case {} ms CPU)",
            self.name,
            self.executions,
            self.started.elapsed().as_secs_f64(),
            run_seed(),
            self.slowest.as_millis()
        );
        if self.refused > 0 {
            line.push_str(&format!(", {} refused as not UTF-8", self.refused));
        }
        for (what, n) in &self.counters {
            line.push_str(&format!(", {what}: {n}"));
        }
        say(&line);
        for note in &self.notes {
            say(&format!("  note: {note}"));
        }
        self.first_failure
    }
}

/// The input escaped, cut to `max` characters.
fn preview(input: &str, max: usize) -> String {
    let cut: String = input.chars().take(max).collect();
    let more = if cut.len() < input.len() { "…" } else { "" };
    format!("{cut:?}{more}")
}

/// What a property runs on the worker: the case's text is its argument.
type Check = Box<dyn FnOnce(&str) -> Outcome + Send>;

/// Run a proptest property: `case` turns a generated value into the text shown for it (and
/// passed to the check) and the check itself.
fn property<S: Strategy>(
    name: &'static str,
    scale: u32,
    strategy: S,
    case: impl Fn(S::Value) -> (String, Check),
) {
    let seed = target_seed(name);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&splitmix(seed ^ i as u64).to_le_bytes());
    }
    let config = PropConfig {
        cases: cases().saturating_mul(scale),
        failure_persistence: None,
        max_shrink_iters: 512,
        max_shrink_time: 30_000,
        ..PropConfig::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let target = RefCell::new(Target::new(name));
    let result = runner.run(&strategy, |value| {
        let (text, check) = case(value);
        let text: Arc<str> = text.into();
        target
            .borrow_mut()
            .run(&text, check)
            .map_err(TestCaseError::fail)
    });
    let first = target.into_inner().finish();
    if let Err(e) = result {
        panic!(
            "{name} (replay with GATELINT_FUZZ_SEED={:#x}): {e}\nfirst failure: {}",
            run_seed(),
            first.unwrap_or_default()
        );
    }
}

/// A property whose check reads only the text.
fn text_case(check: fn(&str) -> Outcome) -> impl Fn(String) -> (String, Check) {
    move |text| (text, Box::new(check) as Check)
}

fn ensure(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(message()) }
}

// ---------------------------------------------------------------------------------------------
// Deterministic mutation of byte strings (corpus files, fixtures).

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix(self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Apply 1–4 mutations: truncation, bit flips, inserted tokens, duplicated, dropped or
/// re-indented lines, a chunk of another input spliced in.
fn mutate(rng: &mut Rng, input: &[u8], tokens: &[&[u8]], donors: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..*rng.pick(&[1, 1, 1, 2, 2, 3, 4]) {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 => out.truncate(at),
            1 => {
                if let Some(b) = out.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            2..=4 => {
                let token = rng.pick(tokens);
                out.splice(at..at, token.iter().copied());
            }
            5 => {
                let (start, end) = line_around(&out, at);
                let line = out[start..end].to_vec();
                let times = 1 + rng.below(3);
                for _ in 0..times {
                    out.splice(end..end, line.iter().copied());
                }
            }
            6 => {
                let (start, end) = line_around(&out, at);
                out.drain(start..end);
            }
            7 => {
                let (start, _) = line_around(&out, at);
                if rng.below(2) == 0 {
                    out.splice(start..start, *b"  ");
                } else if out.get(start) == Some(&b' ') {
                    out.remove(start);
                }
            }
            _ => {
                if !donors.is_empty() {
                    let donor = rng.pick(donors);
                    let from = rng.below(donor.len() + 1);
                    let len = rng.below(donor.len() - from + 1).min(512);
                    out.splice(at..at, donor[from..from + len].iter().copied());
                }
            }
        }
    }
    out
}

/// The line (with its break) that byte `at` is in.
fn line_around(text: &[u8], at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let start = text[..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = text[at..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| at + i + 1);
    (start, end)
}

/// Files under `dir` whose name ends with one of `exts`, sorted.
fn files_under(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            files_under(&p, exts, out);
        } else if kind.is_file() && exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            out.push(p);
        }
    }
    out.sort();
}

/// The mutation loop: `count` mutants of `seeds`; UTF-8 text goes to `check`, the rest is
/// refused as the real reader refuses it (confirmed through `safe_fs` now and then).
fn mutation_loop(
    name: &'static str,
    seeds: &[Vec<u8>],
    tokens: &[&[u8]],
    count: usize,
    check: fn(&str) -> Outcome,
) {
    let mut t = Target::new(name);
    let mut rng = Rng(target_seed(name));
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let mut failures = Vec::new();
    for i in 0..count {
        let seed = rng.pick(seeds);
        let bytes = mutate(&mut rng, seed, tokens, seeds);
        match String::from_utf8(bytes) {
            Ok(text) => {
                let text: Arc<str> = text.into();
                if let Err(e) = t.run(&text, check) {
                    failures.push(e);
                    if failures.len() >= 3 {
                        break;
                    }
                }
            }
            Err(e) => {
                t.refused += 1;
                if i % 97 == 0 {
                    let file = scratch.path().join("mutant");
                    std::fs::write(&file, e.as_bytes()).expect("write a mutant");
                    let read = gatelint::safe_fs::read_text_capped(&file, u64::MAX);
                    assert!(read.is_err(), "{name}: invalid UTF-8 read as text");
                }
            }
        }
    }
    t.finish();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// Locations.

/// Lines as the YAML scanner counts them (`\r\n`, `\r` and `\n` break a line).
fn yaml_lines(text: &str) -> usize {
    let b = text.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                n += 1;
                i += 1;
            }
            b'\r' | b'\n' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

fn pos_inside(what: &str, pos: Pos, lines: usize) -> Result<(), String> {
    ensure(pos.line >= 1 && pos.line as usize <= lines + 1, || {
        format!(
            "{what}: line {} is outside the text ({lines} lines)",
            pos.line
        )
    })
}

fn span_inside(what: &str, span: Span, lines: usize) -> Result<(), String> {
    pos_inside(what, span.start, lines)?;
    pos_inside(what, span.end, lines)?;
    ensure(span.start <= span.end, || {
        format!("{what}: span ends before it starts: {span:?}")
    })
}

// ---------------------------------------------------------------------------------------------
// Target 1: the YAML layer and the workflow model.

fn profiles() -> Vec<ForgeProfile> {
    vec![
        ForgeProfile::new(Forge::Github, None),
        ForgeProfile::new(Forge::Gitea, Some(Version::new(1, 21))),
        ForgeProfile::new(Forge::Gitea, Some(Version::new(1, 22))),
        ForgeProfile::new(Forge::Gitea, None),
        ForgeProfile::new(Forge::Forgejo, None),
    ]
}

/// A job's contexts within the naming budget of one workflow file, as `analyze` names them.
fn named(
    profile: &ForgeProfile,
    wf: &gatelint::workflow::Workflow,
    job: &gatelint::workflow::Job,
) -> (gatelint::forge::naming::JobContexts, bool) {
    gatelint::budget::run(gatelint::budget::MAX_BYTES, || {
        job_contexts(profile, wf, job, &NoCallees)
    })
}

/// `yaml::load` and `parse_workflow` never panic, locate their errors and spans inside the
/// text; a workflow's jobs can be named by every profile.
fn check_yaml_and_workflow(text: &str) -> Outcome {
    let lines = yaml_lines(text);
    let mut kind = "YAML, not a workflow";
    match yaml::load(text) {
        Err(e) => {
            pos_inside("yaml::load error", e.pos, lines)?;
            kind = "not YAML";
        }
        Ok(docs) => {
            for doc in &docs {
                for node in doc.nodes() {
                    span_inside("a YAML node", node.span, lines)?;
                }
            }
        }
    }
    match parse_workflow(
        text,
        ".github/workflows/fuzz.yml",
        &DirectiveSyntax::default(),
    ) {
        Err(invalid) => {
            span_inside("parse_workflow error", invalid.span, lines)?;
            ensure(!invalid.message.is_empty(), || {
                "an empty error message".to_owned()
            })?;
        }
        Ok(wf) => {
            kind = "workflow";
            if let Some(name) = &wf.name {
                span_inside("the workflow name", name.span, lines)?;
            }
            for job in &wf.jobs {
                span_inside("a job key", job.key_span, lines)?;
                for p in &job.directive.problems {
                    span_inside("a directive problem", p.span, lines)?;
                }
                if let Some(d) = &job.directive.directive {
                    span_inside("a directive", d.span, lines)?;
                }
                for profile in profiles() {
                    let a = named(&profile, &wf, job);
                    let b = named(&profile, &wf, job);
                    ensure(a == b, || {
                        format!("naming `{}` is not deterministic", job.id)
                    })?;
                }
            }
        }
    }
    Ok(kind)
}

const YAML_TOKENS: &[&str] = &[
    "key:",
    "on:",
    "jobs:",
    "name:",
    "steps:",
    "strategy:",
    "matrix:",
    "include:",
    "- ",
    "-",
    "? ",
    ": ",
    ":",
    "<<: *a",
    "<<: [*a, *b]",
    "&a ",
    "&b ",
    "*a",
    "*b",
    "*c",
    "!!str ",
    "!!map ",
    "!!seq",
    "!t ",
    "!<tag:x> ",
    "|",
    "|-",
    "|+2",
    ">",
    ">-",
    "'",
    "\"",
    "''",
    "\"\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    "#",
    "# bp-required",
    "# bp-required: yes",
    "# bp-exempt: flaky",
    "# bp-required: pending #3",
    "#bp-required:",
    "${{",
    "}}",
    "${{ matrix.os }}",
    "${{ fromJSON('[1]') }}",
    "---",
    "...",
    "%YAML 1.2",
    "%TAG ! tag:x:",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\0",
    "\u{feff}",
    "\u{2028}",
    "\u{85}",
    "é",
    "日本",
    "🦀",
    "\\",
    "\\x",
    "\\u00",
    "~",
    "null",
    "true",
    "1.5",
    "0x1F",
    ".nan",
    "-.inf",
    "@",
    "`",
    "%",
    "  ",
    "    ",
];

fn yaml_fragment() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(YAML_TOKENS).prop_map(str::to_owned),
        2 => "[a-z_][a-z0-9_-]{0,7}",
        1 => any::<char>().prop_map(String::from),
        1 => "[ \t]{1,6}",
    ]
    .boxed()
}

fn yaml_line() -> BoxedStrategy<String> {
    (
        prop_oneof![4 => "[ ]{0,10}", 1 => Just("\t".to_owned())],
        prop::collection::vec(yaml_fragment(), 0..7),
        select(&["\n", "\n", "\n", "\r\n", "\r", ""][..]),
    )
        .prop_map(|(indent, parts, eol)| format!("{indent}{}{eol}", parts.concat()))
        .boxed()
}

/// Documents that stress the limits: deep flow nesting, alias bombs, many anchors.
fn yaml_limits() -> BoxedStrategy<String> {
    prop_oneof![
        (1usize..600, select(&["[", "{a: ", "- ", "[{x: "][..])).prop_map(|(n, open)| {
            let mut s = "on: push\njobs: ".to_owned();
            s.push_str(&open.repeat(n));
            s.push('x');
            s
        }),
        (1usize..40, 2usize..10).prop_map(|(levels, width)| {
            let mut s = "a0: &a0 [x]\n".to_owned();
            for i in 1..=levels {
                let refs = vec![format!("*a{}", i - 1); width].join(", ");
                s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
            }
            s.push_str(&format!("on: *a{levels}\njobs: {{b: *a{levels}}}\n"));
            s
        }),
        (1usize..300).prop_map(|n| {
            let mut s = String::from("on: push\njobs:\n  j:\n    steps:\n");
            for i in 0..n {
                s.push_str(&format!("      - &s{i} {{run: \"{i}\"}}\n      - *s{i}\n"));
            }
            s
        }),
        (1usize..400).prop_map(|n| format!(
            "on: push\njobs:\n  j:\n    runs-on: [{}]\n",
            "a,\n".repeat(n)
        )),
    ]
    .boxed()
}

#[test]
fn yaml_generated() {
    let strategy = prop_oneof![
        3 => prop::collection::vec(yaml_line(), 0..40).prop_map(|l| l.concat()),
        3 => (workflow_spec(), prop::collection::vec((any::<prop::sample::Index>(), yaml_fragment()), 0..5))
            .prop_map(|(spec, inserts)| {
                let mut text = render_workflow(&spec);
                for (at, fragment) in inserts {
                    let mut i = at.index(text.len() + 1);
                    while !text.is_char_boundary(i) {
                        i -= 1;
                    }
                    text.insert_str(i, &fragment);
                }
                text
            }),
        1 => yaml_limits(),
    ];
    property(
        "yaml_generated",
        1,
        strategy,
        text_case(check_yaml_and_workflow),
    );
}

/// The same file with `\r\n` or lone `\r` line breaks is the same workflow: same jobs, names,
/// directives, conditions and spans (YAML counts each as one break, and columns are
/// characters).
fn check_line_endings(text: &str) -> Outcome {
    same_with_breaks(text, "\r\n")?;
    same_with_breaks(text, "\r")
}

fn same_with_breaks(text: &str, eol: &str) -> Outcome {
    if text.contains('\r') {
        return Ok("has CR already");
    }
    let crlf = text.replace('\n', eol);
    let syntax = DirectiveSyntax::default();
    let lf = parse_workflow(text, ".github/workflows/ci.yml", &syntax);
    let cr = parse_workflow(&crlf, ".github/workflows/ci.yml", &syntax);
    let (a, b) = (format!("{lf:#?}"), format!("{cr:#?}"));
    if a == b {
        return Ok(if lf.is_ok() {
            "workflow, same"
        } else {
            "invalid, same"
        });
    }
    let first = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(0);
    let context = |s: &str| {
        s.lines()
            .skip(first.saturating_sub(3))
            .take(6)
            .collect::<Vec<_>>()
            .join("\n")
    };
    Err(format!(
        "{eol:?} line breaks change the model; with LF:\n{}\nwith {eol:?}:\n{}",
        context(&a),
        context(&b)
    ))
}

#[test]
fn workflow_line_endings() {
    property("workflow_line_endings", 1, workflow_spec(), |spec| {
        (
            render_workflow(&spec),
            Box::new(check_line_endings) as Check,
        )
    });
}

#[test]
fn corpus_line_endings() {
    let Some(dir) = common::shared("corpus/real") else {
        return;
    };
    let mut paths = Vec::new();
    files_under(&dir, &[".yml", ".yaml"], &mut paths);
    let mut t = Target::new("corpus_line_endings");
    let mut failures = Vec::new();
    for p in &paths {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        let shown: Arc<str> = format!("# {}\n{text}", p.display()).into();
        if let Err(e) = t.run(&shown, move |_| check_line_endings(&text)) {
            failures.push(e);
        }
    }
    t.finish();
    assert!(
        failures.is_empty(),
        "{} files:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

const CORPUS_TOKENS: &[&[u8]] = &[
    b"${{",
    b"}}",
    b"${{ matrix.os }}",
    b"${{ format('{0}', matrix.x) }}",
    b"&a ",
    b"*a",
    b"&b ",
    b"*b",
    b"<<: *a\n",
    b"[",
    b"{",
    b"]",
    b"}",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xa8",
    b"\t",
    b"\r",
    b"\r\n",
    b"\n",
    b"# bp-required\n",
    b"# bp-exempt: x\n",
    b"# bp-required: pending #12\n",
    b": ",
    b"- ",
    b"'",
    b"\"",
    b"|\n",
    b">-\n",
    b"---\n",
    b"...\n",
    b"!!str ",
    b"? ",
    b"%YAML 1.1\n",
    b"\xef\xbb\xbf",
    b"\\",
    b"#",
];

#[test]
fn yaml_corpus_mutants() {
    let Some(dir) = common::shared("corpus/real") else {
        return;
    };
    let mut paths = Vec::new();
    files_under(&dir, &[".yml", ".yaml"], &mut paths);
    let seeds: Vec<Vec<u8>> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|b| b.len() <= TIMED_INPUT)
        .collect();
    assert!(!seeds.is_empty(), "no corpus file under {}", dir.display());
    mutation_loop(
        "yaml_corpus_mutants",
        &seeds,
        CORPUS_TOKENS,
        mutants(),
        check_yaml_and_workflow,
    );
}

// ---------------------------------------------------------------------------------------------
// Generated workflows (targets 1 and 2).

#[derive(Debug, Clone)]
struct StepSpec {
    name: Option<String>,
    run: Option<String>,
    cond: Option<String>,
    continue_on_error: Option<&'static str>,
}

#[derive(Debug, Clone)]
enum MatrixGen {
    Json(Json),
    Expr(String),
}

#[derive(Debug, Clone)]
struct JobSpec {
    id: String,
    directive: Option<&'static str>,
    name: Option<String>,
    cond: Option<String>,
    needs: Vec<String>,
    continue_on_error: Option<&'static str>,
    mask_comment: Option<&'static str>,
    matrix: Option<MatrixGen>,
    uses: Option<&'static str>,
    with: Vec<(String, String)>,
    steps: Vec<StepSpec>,
}

#[derive(Debug, Clone)]
struct WorkflowSpec {
    name: Option<String>,
    on: &'static str,
    jobs: Vec<JobSpec>,
}

const ON: &[&str] = &[
    "push",
    "[push, pull_request]",
    "pull_request",
    "pull_request_target",
    "merge_group",
    "[push, workflow_call]",
    "\n  pull_request:\n    branches: [main]\n    paths: ['src/**']\n  push:\n    paths-ignore: ['docs/**']",
    "\n  pull_request:\n    types: [opened, labeled]\n  workflow_dispatch:",
    "\n  workflow_call:\n    inputs:\n      os:\n        type: string\n        default: linux\n      flag:\n        type: boolean",
    "{pull_request: null, push: {branches: ['release/*']}}",
    "schedule",
    "[]",
    "3",
];

const DIRECTIVES: &[&str] = &[
    "# bp-required",
    "# bp-required: yes",
    "# bp-exempt: runs nightly only",
    "# bp-required: pending #12",
    "# bp-required: pending org/repo#3",
    "# bp-required: pending https://example.com/o/r/issues/7",
    "# BP-Required: yes",
    "# bp-required: pending",
    "# bp-required: maybe",
    "# bp-exempt:",
    "# see bp-required: yes",
    "#bp-required:yes",
    "# bp-required: yes\n  # bp-exempt: both",
];

const NAME_PIECES: &[&str] = &[
    "build",
    "Test",
    " ",
    "-",
    "(",
    ")",
    "/",
    " / ",
    "é",
    "日本語",
    "🦀",
    "${{ matrix.os }}",
    "${{ matrix.OS }}",
    "${{ matrix['os'] }}",
    "${{ matrix.node }}",
    "${{ matrix.cfg.name }}",
    "${{ format('{0}-{1}', matrix.os, matrix.node) }}",
    "${{ format('{{{0}}}', matrix.n) }}",
    "${{ toJSON(matrix) }}",
    "${{ fromJSON('[\"a\",\"b\"]')[1] }}",
    "${{ join(matrix.list, ', ') }}",
    "${{ contains(matrix.os, 'ubuntu') && 'linux' || 'other' }}",
    "${{ inputs.os }}",
    "${{ inputs.flag && 'on' || 'off' }}",
    "${{ github.ref }}",
    "${{ matrix }}",
    "${{ startsWith(matrix.os, 'win') }}",
    "${{ matrix.n > 1 }}",
    "${{ matrix.experimental }}",
    "${{",
    "}}",
    "${{ }}",
    "${{ 'it''s' }}",
    "${{ 1.5 }}",
    "${{ null }}",
    "${{ matrix.list[0] }}",
    "${{ fromJSON(matrix.json).a }}",
    "${{ hashFiles('x') }}",
];

fn name_text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop::collection::vec(select(NAME_PIECES), 1..5).prop_map(|p| p.concat()),
        2 => expression().prop_map(|e| format!("${{{{ {e} }}}}")),
        1 => "[a-zA-Z ]{90,130}",
        1 => any::<String>(),
    ]
    .boxed()
}

fn matrix_scalar() -> BoxedStrategy<Json> {
    prop_oneof![
        select(
            &[
                "ubuntu-latest",
                "windows-latest",
                "macos",
                "",
                "1.22",
                "${{ matrix.os }}",
                "a,b",
                "x (y)"
            ][..]
        )
        .prop_map(Json::from),
        any::<i32>().prop_map(Json::from),
        Just(json!(2.5)),
        Just(json!(1e300)),
        any::<bool>().prop_map(Json::from),
        Just(Json::Null),
        Just(json!({"name": "fast", "x": 1})),
        Just(json!(["a", "b"])),
        Just(json!("{\"a\": [1]}")),
        "[a-z]{100,120}".prop_map(Json::from),
    ]
    .boxed()
}

const MATRIX_KEYS: &[&str] = &[
    "os",
    "node",
    "cfg",
    "list",
    "experimental",
    "OS",
    "n",
    "json",
    "include",
    "exclude",
];

fn matrix_object(max_values: usize) -> BoxedStrategy<Json> {
    let combo = prop::collection::vec((select(MATRIX_KEYS), matrix_scalar()), 0..3)
        .prop_map(|kv| Json::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()));
    (
        prop::collection::vec(
            (
                select(&MATRIX_KEYS[..8]),
                prop_oneof![
                    8 => prop::collection::vec(matrix_scalar(), 0..=max_values).prop_map(Json::Array),
                    1 => matrix_scalar(),
                ],
            ),
            0..3,
        ),
        prop::option::of(prop::collection::vec(combo.clone(), 0..3)),
        prop::option::of(prop::collection::vec(combo, 0..3)),
    )
        .prop_map(|(vectors, include, exclude)| {
            let mut m: serde_json::Map<String, Json> =
                vectors.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            if let Some(i) = include {
                m.insert("include".to_owned(), Json::Array(i));
            }
            if let Some(e) = exclude {
                m.insert("exclude".to_owned(), Json::Array(e));
            }
            Json::Object(m)
        })
        .boxed()
}

fn matrix_gen(max_values: usize) -> BoxedStrategy<MatrixGen> {
    prop_oneof![
        6 => matrix_object(max_values).prop_map(MatrixGen::Json),
        1 => matrix_object(max_values).prop_map(|m| MatrixGen::Expr(format!(
            "${{{{ fromJSON('{}') }}}}",
            m.to_string().replace('\'', "''")
        ))),
        1 => select(&[
            "${{ fromJSON(needs.a.outputs.m) }}",
            "${{ matrix }}",
            "${{ fromJSON('[1, 2]') }}",
            "${{ fromJSON('{\"os\": ') }}",
        ][..])
        .prop_map(|s| MatrixGen::Expr(s.to_owned())),
    ]
    .boxed()
}

const USES: &[&str] = &[
    "./.github/workflows/called0.yml",
    "./.github/workflows/called1.yml",
    "./.github/workflows/called0.yml@main",
    "./.github/workflows/missing.yml",
    "./.github/workflows/ci.yml",
    "owner/repo/.github/workflows/x.yml@v1",
    "./.github/workflows/",
];

fn step_spec() -> BoxedStrategy<StepSpec> {
    (
        prop::option::of(name_text()),
        prop::option::of(
            select(
                &[
                    "echo hi",
                    "echo ${{ needs.a.result }}",
                    "exit 1",
                    "${{ matrix.os }}",
                ][..],
            )
            .prop_map(str::to_owned),
        ),
        prop::option::of(condition_text()),
        prop::option::of(select(
            &["true", "false", "${{ matrix.experimental }}", "'yes'"][..],
        )),
    )
        .prop_map(|(name, run, cond, continue_on_error)| StepSpec {
            name,
            run,
            cond,
            continue_on_error,
        })
        .boxed()
}

fn condition_text() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(&[
            "always()",
            "${{ always() }}",
            "success() || failure()",
            "!cancelled()",
            "github.event_name == 'push'",
            "${{ !cancelled() && needs.build.result == 'success' }}",
            "contains(needs.*.result, 'failure')",
            "false",
            "${{ false }}",
            "${{ github.ref }} extra",
            "matrix.os == 'ubuntu' && always()",
        ][..])
        .prop_map(str::to_owned),
        1 => select(&["(", "", "${{ }}", "'open"][..]).prop_map(str::to_owned),
        2 => expression(),
    ]
    .boxed()
}

fn job_spec(max_values: usize, uses: &'static [&'static str]) -> BoxedStrategy<JobSpec> {
    let ids = select(
        &[
            "build",
            "test",
            "lint",
            "e2e",
            "a-b",
            "_x",
            "Ä",
            "1",
            "job with space",
            "a",
        ][..],
    );
    (
        (
            ids.clone().prop_map(str::to_owned),
            prop::option::of(select(DIRECTIVES)),
            prop::option::of(name_text()),
            prop::option::of(condition_text()),
            prop::collection::vec(ids.prop_map(str::to_owned), 0..3),
        ),
        (
            prop::option::of(select(
                &[
                    "true",
                    "false",
                    "${{ matrix.experimental }}",
                    "${{ inputs.flag }}",
                ][..],
            )),
            prop::option::of(select(
                &["# tracked in mc#12", "# flaky, see #4", "# TODO"][..],
            )),
            prop::option::of(matrix_gen(max_values)),
            prop::option::of(select(uses)),
            prop::collection::vec(
                (
                    select(&["os", "flag", "OS", "extra"][..]).prop_map(str::to_owned),
                    name_text(),
                ),
                0..3,
            ),
            prop::collection::vec(step_spec(), 0..3),
        ),
    )
        .prop_map(
            |(
                (id, directive, name, cond, needs),
                (continue_on_error, mask_comment, matrix, uses, with, steps),
            )| {
                JobSpec {
                    id,
                    directive,
                    name,
                    cond,
                    needs,
                    continue_on_error,
                    mask_comment,
                    matrix,
                    // A job that calls a workflow has no steps: they are not written.
                    uses,
                    with,
                    steps,
                }
            },
        )
        .boxed()
}

fn workflow_spec_with(
    max_values: usize,
    uses: &'static [&'static str],
    on: &'static [&'static str],
) -> BoxedStrategy<WorkflowSpec> {
    (
        prop::option::of(name_text()),
        select(on),
        prop::collection::vec(job_spec(max_values, uses), 1..4),
    )
        .prop_map(|(name, on, mut jobs)| {
            // A key twice makes the file invalid: keep ids (and `with:` keys) unique.
            let mut seen = BTreeSet::new();
            for (i, job) in jobs.iter_mut().enumerate() {
                if !seen.insert(job.id.clone()) {
                    job.id = format!("{}-{i}", job.id);
                    seen.insert(job.id.clone());
                }
                let mut keys = BTreeSet::new();
                job.with.retain(|(k, _)| keys.insert(k.clone()));
            }
            WorkflowSpec { name, on, jobs }
        })
        .boxed()
}

fn workflow_spec() -> BoxedStrategy<WorkflowSpec> {
    workflow_spec_with(3, USES, ON)
}

/// A YAML string: JSON's double-quoted form is valid YAML.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn render_workflow(spec: &WorkflowSpec) -> String {
    let mut y = String::from("# generated by tests/fuzz.rs\n");
    if let Some(n) = &spec.name {
        y.push_str(&format!("name: {}\n", q(n)));
    }
    y.push_str(&format!("on: {}\n", spec.on));
    y.push_str("jobs:\n");
    for job in &spec.jobs {
        if let Some(d) = job.directive {
            y.push_str(&format!("  {d}\n"));
        }
        y.push_str(&format!("  {}:\n", q(&job.id)));
        if let Some(n) = &job.name {
            y.push_str(&format!("    name: {}\n", q(n)));
        }
        if let Some(c) = &job.cond {
            y.push_str(&format!("    if: {}\n", q(c)));
        }
        if !job.needs.is_empty() {
            let needs: Vec<String> = job.needs.iter().map(|n| q(n)).collect();
            y.push_str(&format!("    needs: [{}]\n", needs.join(", ")));
        }
        if let Some(c) = job.continue_on_error {
            if let Some(m) = job.mask_comment {
                y.push_str(&format!("    {m}\n"));
            }
            y.push_str(&format!("    continue-on-error: {c}\n"));
        }
        match &job.matrix {
            Some(MatrixGen::Json(m)) => y.push_str(&format!("    strategy:\n      matrix: {m}\n")),
            Some(MatrixGen::Expr(e)) => {
                y.push_str(&format!("    strategy:\n      matrix: {}\n", q(e)))
            }
            None => {}
        }
        match job.uses {
            Some(u) => {
                y.push_str(&format!("    uses: {}\n", q(u)));
                if !job.with.is_empty() {
                    y.push_str("    with:\n");
                    for (k, v) in &job.with {
                        y.push_str(&format!("      {}: {}\n", q(k), q(v)));
                    }
                }
            }
            None => {
                y.push_str("    runs-on: ubuntu-latest\n    steps:\n");
                if job.steps.is_empty() {
                    y.push_str("      - run: echo\n");
                }
                for s in &job.steps {
                    y.push_str("      - ");
                    let mut fields = Vec::new();
                    if let Some(n) = &s.name {
                        fields.push(format!("name: {}", q(n)));
                    }
                    fields.push(format!("run: {}", q(s.run.as_deref().unwrap_or("echo"))));
                    if let Some(c) = &s.cond {
                        fields.push(format!("if: {}", q(c)));
                    }
                    if let Some(c) = s.continue_on_error {
                        fields.push(format!("continue-on-error: {c}"));
                    }
                    y.push_str(&fields.join("\n        "));
                    y.push('\n');
                }
            }
        }
    }
    y
}

// ---------------------------------------------------------------------------------------------
// Target 2: context naming and the whole pipeline.

fn leg_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        select(
            &[
                0.5,
                -0.0,
                1e21,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1.17
            ][..]
        )
        .prop_map(Value::Float),
        select(
            &[
                "ubuntu",
                "",
                "Windows",
                "${{ inputs.x }}",
                "日本",
                "a, b",
                "{0}"
            ][..]
        )
        .prop_map(|s| Value::Str(s.to_owned())),
        "[a-z]{0,110}".prop_map(Value::Str),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Seq),
            prop::collection::vec((select(MATRIX_KEYS).prop_map(str::to_owned), inner), 0..4)
                .prop_map(Value::Map),
        ]
    })
    .boxed()
}

fn leg() -> BoxedStrategy<Vec<(String, Value)>> {
    prop::collection::vec(
        (select(MATRIX_KEYS).prop_map(str::to_owned), leg_value()),
        0..5,
    )
    .boxed()
}

/// Naming over generated names and matrices: no panic, deterministic, GitHub's cut to 100
/// characters applied to every leg name.
#[test]
fn naming_generated() {
    let strategy = (
        (name_text(), prop::option::of(matrix_gen(4))),
        leg(),
        select(
            &[
                "push",
                "[push, pull_request]",
                "pull_request_target",
                "workflow_call",
            ][..],
        ),
    )
        .prop_map(|((name, matrix), leg, on)| {
            let job = JobSpec {
                id: "job".to_owned(),
                directive: None,
                name: Some(name),
                cond: None,
                needs: Vec::new(),
                continue_on_error: None,
                mask_comment: None,
                matrix,
                uses: None,
                with: Vec::new(),
                steps: Vec::new(),
            };
            let spec = WorkflowSpec {
                name: Some("CI".to_owned()),
                on,
                jobs: vec![job],
            };
            (render_workflow(&spec), leg)
        });
    property("naming_generated", 4, strategy, |(text, leg)| {
        let shown = format!("{text}# leg: {leg:?}");
        (
            shown,
            Box::new(move |_: &str| naming_check(&text, &leg)) as Check,
        )
    });
}

fn naming_check(text: &str, leg: &[(String, Value)]) -> Outcome {
    let wf = parse_workflow(
        text,
        ".github/workflows/ci.yml",
        &DirectiveSyntax::default(),
    )
    .map_err(|e| {
        format!(
            "the generated workflow does not parse: {} at {:?}",
            e.message, e.span
        )
    })?;
    let mut resolved = false;
    for job in &wf.jobs {
        for profile in profiles() {
            let a = named(&profile, &wf, job);
            let b = named(&profile, &wf, job);
            ensure(a == b, || "job_contexts is not deterministic".to_owned())?;
            if a.0.unresolvable.is_none() {
                resolved = true;
            }
            let budget = gatelint::budget::MAX_BYTES;
            let (named, _) = gatelint::budget::run(budget, || leg_name(&profile, job, leg));
            let (again, _) = gatelint::budget::run(budget, || leg_name(&profile, job, leg));
            ensure(named == again, || {
                "leg_name is not deterministic".to_owned()
            })?;
            if profile.forge == Forge::Github
                && let Ok(n) = &named
            {
                ensure(n.chars().count() <= 100, || {
                    format!("a GitHub leg name over 100 characters: {n:?}")
                })?;
            }
            if let Some(spec) = &job.matrix {
                let (legs, _) = gatelint::budget::run(budget, || matrix::expand(&spec.value));
                let (again, _) = gatelint::budget::run(budget, || matrix::expand(&spec.value));
                ensure(format!("{legs:?}") == format!("{again:?}"), || {
                    "matrix::expand is not deterministic".to_owned()
                })?;
                if let Ok(legs) = legs {
                    ensure(legs.len() <= matrix::MAX_LEGS, || {
                        format!("{} legs", legs.len())
                    })?;
                }
            }
        }
    }
    Ok(if resolved { "named" } else { "unresolvable" })
}

fn workflow_files(spec: &RepoSpec, main: &WorkflowSpec) -> Vec<(String, String)> {
    let mut files = vec![(".github/workflows/ci.yml".to_owned(), render_workflow(main))];
    for (i, c) in spec.called.iter().enumerate() {
        files.push((
            format!(".github/workflows/called{i}.yml"),
            render_workflow(c),
        ));
    }
    if let Some(g) = &spec.gitea {
        files.push((".gitea/workflows/g.yml".to_owned(), render_workflow(g)));
    }
    files
}

#[derive(Debug, Clone)]
enum ProtEntry {
    /// The n-th context the jobs post (modulo their number).
    Posted(usize),
    Text(String),
    Pending(u64),
}

#[derive(Debug, Clone)]
struct RepoSpec {
    main: WorkflowSpec,
    /// `called0.yml` (may call `called1.yml`) and `called1.yml`.
    called: Vec<WorkflowSpec>,
    gitea: Option<WorkflowSpec>,
    /// 0: a context list, 1: GitHub branch protection, 2: a Gitea protection, 3: none.
    protection_shape: u8,
    protection: Vec<ProtEntry>,
    config: Option<String>,
    /// Diff mode: the base revision's `ci.yml`.
    base: Option<WorkflowSpec>,
}

const CALLEE_ON: &[&str] = &[
    "\n  workflow_call:\n    inputs:\n      os:\n        type: string\n        default: linux\n      flag:\n        type: boolean",
    "workflow_call",
    "[workflow_call, push]",
    "\n  workflow_call:\n    inputs:\n      OS: {default: 3}",
];

fn repo_spec() -> BoxedStrategy<RepoSpec> {
    let entry = prop_oneof![
        4 => any::<usize>().prop_map(ProtEntry::Posted),
        2 => prop_oneof![
            select(&["CI / build (push)", "build", "CI / *", "[", "ci.yml / test (pull_request)", ""][..]).prop_map(str::to_owned),
            "[ -~]{0,40}",
        ].prop_map(ProtEntry::Text),
        1 => (1u64..100).prop_map(ProtEntry::Pending),
    ];
    (
        (
            workflow_spec(),
            prop::collection::vec(Just(()), 0..=2),
            workflow_spec_with(
                2,
                &[
                    "./.github/workflows/called1.yml",
                    "owner/r/.github/workflows/x.yml@v1",
                ],
                CALLEE_ON,
            ),
            workflow_spec_with(2, &["./.github/workflows/called0.yml"], CALLEE_ON),
            prop::option::weighted(0.2, workflow_spec()),
        ),
        (
            0u8..4,
            prop::collection::vec(entry, 0..6),
            prop::option::weighted(0.4, config_text()),
            prop::option::weighted(0.3, workflow_spec()),
        ),
    )
        .prop_map(
            |((main, n, c0, c1, gitea), (protection_shape, protection, config, base))| {
                let called = [c0, c1].into_iter().take(n.len()).collect();
                RepoSpec {
                    main,
                    called,
                    gitea,
                    protection_shape,
                    protection,
                    config,
                    base,
                }
            },
        )
        .boxed()
}

fn render_protection(spec: &RepoSpec, posted: &[String]) -> Option<String> {
    let texts: Vec<String> = spec
        .protection
        .iter()
        .filter_map(|e| match e {
            ProtEntry::Posted(i) if !posted.is_empty() => Some(posted[i % posted.len()].clone()),
            ProtEntry::Posted(_) => None,
            ProtEntry::Text(t) => Some(t.clone()),
            ProtEntry::Pending(n) => Some(format!("# pending-#{n}")),
        })
        .collect();
    match spec.protection_shape {
        0 => Some(texts.join("\n")),
        1 => Some(json!({"required_status_checks": {"strict": true, "contexts": texts,
            "checks": texts.iter().map(|t| json!({"context": t, "app_id": 15368})).collect::<Vec<_>>()}}).to_string()),
        2 => Some(json!({"rule_name": "main", "enable_status_check": true, "status_check_contexts": texts}).to_string()),
        _ => None,
    }
}

/// The whole pipeline on a generated repository: discovery, parsing, naming (reusable
/// workflows included), protection, config, every rule, diff mode.
fn pipeline_check(spec: &RepoSpec) -> Outcome {
    let files = workflow_files(spec, &spec.main);
    let tree = mem_tree(&files);
    let base_tree = spec
        .base
        .as_ref()
        .map(|b| mem_tree(&workflow_files(spec, b)));
    let known = gatelint::rules::ids();
    let config = spec
        .config
        .as_deref()
        .and_then(|c| Config::parse(c, "gatelint.toml", Path::new(""), &known).ok())
        .unwrap_or_else(Config::empty);
    let today = Date {
        year: 2026,
        month: 6,
        day: 1,
    };
    let runs = [
        (None, None),
        (Some(Forge::Github), None),
        (Some(Forge::Gitea), Some(Version::new(1, 21))),
        (Some(Forge::Gitea), None),
        (Some(Forge::Forgejo), None),
    ];
    let mut kind = "not analysed";
    for (i, (forge, version)) in runs.into_iter().enumerate() {
        let options = Options {
            forge,
            version,
            opt_ins: config.opt_ins,
            syntax: config.syntax.clone(),
            called: Default::default(),
        };
        let Ok(report) = analyze_tree("repo", Tree::Mem(&tree), &options) else {
            continue;
        };
        if i == 0 {
            let resolved = report.gates.iter().any(|g| !g.contexts.is_empty());
            let invalid = report.findings.iter().any(|f| f.rule == "workflow-invalid");
            kind = match (resolved, invalid) {
                (true, false) => "contexts, all files valid",
                (true, true) => "contexts, some file invalid",
                (false, false) => "no context, all files valid",
                (false, true) => "no context, some file invalid",
            };
        }
        if i == 0 {
            let again = analyze_tree("repo", Tree::Mem(&tree), &options)
                .map_err(|e| format!("the second analysis failed: {e}"))?;
            ensure(again.gates == report.gates, || {
                "analysis is not deterministic".to_owned()
            })?;
        }
        let posted: Vec<String> = report
            .gates
            .iter()
            .flat_map(|g| g.contexts.iter().map(|c| c.text.clone()))
            .collect();
        let prot_text = render_protection(spec, &posted);
        let prot = prot_text
            .as_deref()
            .and_then(|t| protection::parse(t, "protection.json", "main").ok());
        let base = base_tree
            .as_ref()
            .and_then(|t| analyze_tree("repo", Tree::Mem(t), &options).ok());
        let mut cx = gatelint::rules::Cx::new(&report, prot.as_ref(), &config, today, "main");
        let base_cx = base
            .as_ref()
            .map(|b| gatelint::rules::Cx::new(b, prot.as_ref(), &config, today, "main"));
        if let Some(b) = &base {
            cx.base_contexts = Some(
                b.gates
                    .iter()
                    .flat_map(|g| g.contexts.iter().map(|c| c.text.clone()))
                    .collect(),
            );
        }
        let findings = gatelint::rules::run(&cx, base_cx.as_ref(), report.findings.clone());
        let mut texts: Vec<(&str, &str)> = files
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        if let Some(t) = &prot_text {
            texts.push(("protection.json", t));
        }
        if let Some(c) = &spec.config {
            texts.push(("gatelint.toml", c));
        }
        for f in &findings {
            let (Some(file), Some(span)) = (&f.file, f.span) else {
                continue;
            };
            if let Some((_, text)) = texts.iter().find(|(name, _)| name == file) {
                span_inside(
                    &format!("a {} finding in {file}", f.rule),
                    span,
                    yaml_lines(text),
                )?;
            }
        }
    }
    Ok(kind)
}

fn mem_tree(files: &[(String, String)]) -> MemTree {
    let mut tree = MemTree::default();
    for (path, text) in files {
        tree.entries
            .insert(path.clone(), MemEntry::Text(text.as_str().into()));
    }
    tree
}

#[test]
fn pipeline_generated() {
    property("pipeline_generated", 1, repo_spec(), |spec| {
        let mut shown = String::new();
        for (file, text) in workflow_files(&spec, &spec.main) {
            shown.push_str(&format!("=== {file}\n{text}"));
        }
        shown.push_str(&format!(
            "=== protection {} {:?}\n",
            spec.protection_shape, spec.protection
        ));
        if let Some(c) = &spec.config {
            shown.push_str(&format!("=== gatelint.toml\n{c}\n"));
        }
        if let Some(b) = &spec.base {
            shown.push_str(&format!("=== base ci.yml\n{}", render_workflow(b)));
        }
        (
            shown,
            Box::new(move |_: &str| pipeline_check(&spec)) as Check,
        )
    });
}

// ---------------------------------------------------------------------------------------------
// Target 3: the expression language.

const CONTEXTS: &[&str] = &[
    "matrix.os",
    "matrix['os']",
    "matrix.OS",
    "matrix.cfg.name",
    "matrix.list[0]",
    "matrix.list[9]",
    "matrix",
    "matrix.*",
    "matrix.n",
    "matrix.flag",
    "inputs.os",
    "inputs.flag",
    "github.event_name",
    "github.ref",
    "needs.build.result",
    "needs.*.result",
    "env.X",
    "steps.s.outputs.o",
    "vars.V",
    "secrets.S",
    "matrix.json",
];

const LITERALS: &[&str] = &[
    "'ubuntu'",
    "''",
    "'it''s'",
    "'{0}'",
    "'{{'",
    "'}}'",
    "'日本'",
    "1",
    "-2.5",
    "0x1F",
    "0xZZ",
    "1e3",
    ".5",
    "-0",
    "1.2.3",
    "true",
    "false",
    "null",
    "'[1, 2]'",
    "'{\"a\": [1, {\"b\": null}]}'",
    "'[[[[[[[[[[1]]]]]]]]]]'",
    "'not json'",
    "-nan",
    "-inf",
    "9007199254740993",
    "1e400",
];

const FUNCTIONS: &[&str] = &[
    "format",
    "contains",
    "startsWith",
    "endsWith",
    "join",
    "fromJSON",
    "toJSON",
    "success",
    "always",
    "failure",
    "cancelled",
    "hashFiles",
    "FORMAT",
    "fromjson",
    "unknown",
];

const OPERATORS: &[&str] = &["==", "!=", "<", "<=", ">", ">=", "&&", "||"];

fn expression() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        select(CONTEXTS).prop_map(str::to_owned),
        select(LITERALS).prop_map(str::to_owned),
        "'[^']{0,12}'",
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| format!("!{e}")),
            inner.clone().prop_map(|e| format!("({e})")),
            (inner.clone(), select(OPERATORS), inner.clone())
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            (
                select(FUNCTIONS),
                prop::collection::vec(inner.clone(), 0..4)
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (
                select(
                    &[
                        "'{0}'",
                        "'{0}-{1}'",
                        "'{{{0}}}'",
                        "'{1}'",
                        "'{x}'",
                        "'{0'",
                        "'{99999999999999999999}'"
                    ][..]
                ),
                prop::collection::vec(inner.clone(), 0..3),
            )
                .prop_map(|(f, args)| {
                    let mut all = vec![f.to_owned()];
                    all.extend(args);
                    format!("format({})", all.join(", "))
                }),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (inner, "[a-zA-Z_*][a-zA-Z0-9_-]{0,6}").prop_map(|(a, p)| format!("{a}.{p}")),
        ]
    })
    .boxed()
}

const TOKENS: &[&str] = &[
    "(", ")", "[", "]", ",", ".", "*", "!", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "=", "&",
    "|", "'", "'open", "a", "matrix", "os", "format", "(", "1", "-", "1.", "0x", "e", "${{", "}}",
    "é", "\u{0}", "\t", "\n", " ", "null", "true", "\"", "\\", "#", "{", "}", "$",
];

fn token_soup() -> BoxedStrategy<String> {
    prop::collection::vec(select(TOKENS), 0..40)
        .prop_map(|t| t.concat())
        .boxed()
}

/// Long operator and property chains (well under the evaluator's depth limit or well over).
fn chain() -> BoxedStrategy<String> {
    (
        select(&["matrix.os", "1", "'a'", "matrix"][..]),
        prop_oneof![
            select(OPERATORS).prop_map(|o| format!(" {o} ")),
            Just(".a".to_owned()),
            Just("[0]".to_owned()),
        ],
        select(&["1", "matrix.n", "'b'", "a"][..]),
        prop_oneof![1usize..200, 100usize..3000],
    )
        .prop_map(|(first, op, operand, n)| {
            let mut s = first.to_owned();
            for _ in 0..n {
                s.push_str(&op);
                if !op.starts_with(['.', '[']) {
                    s.push_str(operand);
                }
            }
            s
        })
        .boxed()
}

/// The text split by `pieces` is the text: literal pieces hold no complete `${{ … }}`, and every
/// piece is found in order.
fn check_pieces(text: &str) -> Result<(), String> {
    let pieces = expr::pieces(text);
    let mut at = 0;
    let last = pieces.len().saturating_sub(1);
    for (i, p) in pieces.iter().enumerate() {
        let part = match p {
            expr::Piece::Text(t) => {
                if let Some(open) = t.find("${{") {
                    ensure(i == last && !t[open..].contains("}}"), || {
                        format!("piece {i} {t:?} holds an expression")
                    })?;
                }
                *t
            }
            expr::Piece::Expr(e) => e,
        };
        let found = text[at..]
            .find(part)
            .ok_or_else(|| format!("piece {i} {part:?} is not in the text"))?;
        at += found + part.len();
    }
    ensure(
        expr::has_expression(text) == pieces.iter().any(|p| matches!(p, expr::Piece::Expr(_))),
        || "has_expression disagrees with pieces".to_owned(),
    )
}

fn check_expression(text: &str, leg: &[(String, Value)]) -> Outcome {
    let first = Condition::parse(text);
    let second = Condition::parse(text);
    ensure(format!("{first:?}") == format!("{second:?}"), || {
        "Condition::parse is not deterministic".to_owned()
    })?;
    if let Ok(c) = &first {
        let a = (
            c.always_true(),
            c.runs_after_failure(),
            c.checks_needs_results(),
        );
        let b = (
            c.always_true(),
            c.runs_after_failure(),
            c.checks_needs_results(),
        );
        ensure(a == b, || {
            "condition queries are not deterministic".to_owned()
        })?;
    }
    let wrapped = format!("${{{{ {text} }}}}");
    if !text.contains("${{") && !text.contains("}}") && !text.trim().is_empty() {
        // `if: x` and `if: ${{ x }}` are the same condition.
        let w = Condition::parse(&wrapped);
        ensure(format!("{w:?}") == format!("{first:?}"), || {
            format!("`if: x` gives {first:?} but `if: ${{{{ x }}}}` gives {w:?}")
        })?;
    }
    check_pieces(text)?;
    check_pieces(&wrapped)?;
    let inputs: Vec<(String, Value)> = vec![
        ("os".to_owned(), Value::Str("linux".to_owned())),
        ("flag".to_owned(), Value::Bool(true)),
    ];
    let scope = expr::Scope {
        matrix: leg,
        inputs: Some(&inputs),
        workflow: Some("CI"),
    };
    let (rendered, _) = gatelint::budget::run(gatelint::budget::MAX_BYTES, || {
        (
            expr::render(&wrapped, leg),
            expr::render(&wrapped, leg),
            expr::value_in(&wrapped, &scope),
            expr::value_in(&wrapped, &scope),
        )
    });
    ensure(rendered.0 == rendered.1, || {
        "render is not deterministic".to_owned()
    })?;
    ensure(
        format!("{:?}", rendered.2) == format!("{:?}", rendered.3),
        || "value_in is not deterministic".to_owned(),
    )?;
    let _ = expr::literal_from_json(&wrapped);
    let _ = expr::json_value(text);
    let _ = expr::uses_matrix(text);
    let _ = expr::uses_matrix(&wrapped);
    Ok(match (&first, &rendered.0) {
        (Ok(_), Ok(_)) => "parsed, rendered",
        (Ok(_), Err(_)) => "parsed, not rendered",
        (Err(_), _) => "refused",
    })
}

#[test]
fn expressions_generated() {
    let strategy = (
        prop_oneof![5 => expression(), 2 => token_soup(), 1 => chain(), 1 => any::<String>()],
        leg(),
    );
    property("expressions_generated", 16, strategy, |(text, leg)| {
        let shown = format!("{text}\n# leg: {leg:?}");
        (
            shown,
            Box::new(move |_: &str| check_expression(&text, &leg)) as Check,
        )
    });
}

/// `matrix::expand` on generated matrices, as written or as a `fromJSON` literal.
#[test]
fn matrices_generated() {
    let strategy = prop_oneof![
        3 => matrix_object(4),
        1 => junk_json(),
    ];
    property("matrices_generated", 4, strategy, |m| {
        let shown = m.to_string();
        let check = move |_: &str| {
            let literal = format!(
                "${{{{ fromJSON('{}') }}}}",
                m.to_string().replace('\'', "''")
            );
            let from_json = expr::literal_from_json(&literal);
            let specs = [
                from_json.map(MatrixSpec::Static),
                Some(MatrixSpec::Expression(literal)),
            ];
            for spec in specs.into_iter().flatten() {
                let (legs, _) = gatelint::budget::run(gatelint::budget::MAX_BYTES, || {
                    (matrix::expand(&spec), matrix::expand(&spec))
                });
                ensure(format!("{:?}", legs.0) == format!("{:?}", legs.1), || {
                    "expand is not deterministic".to_owned()
                })?;
                if let Ok(l) = &legs.0 {
                    ensure(l.len() <= matrix::MAX_LEGS, || format!("{} legs", l.len()))?;
                }
            }
            Ok("expanded")
        };
        (shown, Box::new(check) as Check)
    });
}

// ---------------------------------------------------------------------------------------------
// Target 4: the protection readers.

fn context_string() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(&[
            "CI / build (push)", "CI / build", "build", "", " ", "CI / *", "*", "**", "?", "[abc]",
            "[!a]", "[", "[]", "[]]", "{a,b}", "{a,", "}", "\\", "a\\", "\\*", "(", "日本 / テスト (push)",
            "x\ny", "\"", "CI / test (ubuntu-latest, 1.22) (pull_request)", "contexts", "rule_name",
            "required_status_checks", "a (release)", " (push)", "{,}", "{{{a}}}", "[\\]]",
        ][..])
        .prop_map(str::to_owned),
        3 => "[ -~]{0,30}",
        2 => "[a-z*?\\[\\]{},!\\\\/ ]{0,40}",
        1 => any::<String>(),
        1 => "[?*a{},/]{200,2000}",
    ]
    .boxed()
}

fn junk_json() -> BoxedStrategy<Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
        context_string().prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((context_string(), inner), 0..4)
                .prop_map(|kv| Json::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Mostly `s`, sometimes anything.
fn or_junk(s: impl Strategy<Value = Json> + 'static) -> BoxedStrategy<Json> {
    prop_oneof![9 => s, 1 => junk_json()].boxed()
}

fn contexts_json() -> BoxedStrategy<Json> {
    or_junk(
        prop::collection::vec(context_string().prop_map(Json::from), 0..6).prop_map(Json::Array),
    )
}

fn app_id() -> BoxedStrategy<Json> {
    prop_oneof![
        Just(json!(15368)),
        Just(json!(8)),
        Just(Json::Null),
        Just(json!("15368")),
        Just(json!(-1))
    ]
    .boxed()
}

fn github_classic_json() -> BoxedStrategy<Json> {
    let check = (context_string(), app_id()).prop_map(|(c, a)| json!({"context": c, "app_id": a}));
    let checks = or_junk(prop::collection::vec(check, 0..4).prop_map(Json::Array));
    let rsc = or_junk(
        (
            any::<bool>(),
            contexts_json(),
            prop::option::of(checks),
            prop::option::of(select(&["off", "everyone", "non_admins"][..])),
        )
            .prop_map(|(strict, contexts, checks, level)| {
                let mut o =
                    json!({"url": "https://api.example/x", "strict": strict, "contexts": contexts});
                if let Some(c) = checks {
                    o["checks"] = c;
                }
                if let Some(l) = level {
                    o["enforcement_level"] = json!(l);
                }
                o
            }),
    );
    (rsc, 0u8..4, prop::option::of(prop::collection::vec(github_rule_json(), 0..3)), any::<bool>())
        .prop_map(|(rsc, wrap, rules, enabled)| {
            let mut o = match wrap {
                0 => json!({"required_status_checks": rsc, "enforce_admins": {"enabled": true}}),
                1 => json!({"name": "main", "protected": true, "protection": {"enabled": enabled, "required_status_checks": rsc}}),
                2 => rsc,
                _ => json!({"required_status_checks": Json::Null}),
            };
            if let (Some(r), Some(obj)) = (rules, o.as_object_mut()) {
                obj.insert("rules".to_owned(), Json::Array(r));
            }
            o
        })
        .boxed()
}

fn github_rule_json() -> BoxedStrategy<Json> {
    let check =
        (context_string(), app_id()).prop_map(|(c, a)| json!({"context": c, "integration_id": a}));
    (
        select(&["required_status_checks", "required_status_checks", "pull_request", "deletion", "merge_queue"][..]),
        or_junk(prop::collection::vec(check, 0..4).prop_map(|c| json!({"required_status_checks": c, "strict_required_status_checks_policy": false}))),
        any::<u16>(),
    )
        .prop_map(|(t, p, id)| json!({"type": t, "parameters": p, "ruleset_source_type": "Repository", "ruleset_id": id}))
        .boxed()
}

fn gitea_rule_json() -> BoxedStrategy<Json> {
    let names = prop_oneof![
        select(
            &[
                "main",
                "Main",
                "release/*",
                "release/**",
                "*",
                "",
                "feature/[ab]",
                "{main,dev}",
                "[",
                "ma?n",
                "\\"
            ][..]
        )
        .prop_map(str::to_owned),
        context_string(),
    ];
    (
        (names.clone(), names, or_junk(prop_oneof![any::<i32>().prop_map(Json::from), Just(Json::Null)])),
        (
            or_junk(prop_oneof![any::<bool>().prop_map(Json::from), Just(Json::Null)]),
            prop_oneof![3 => contexts_json(), 1 => Just(Json::Null)],
            prop::option::of(any::<bool>()),
            any::<bool>(),
        ),
    )
        .prop_map(|((rule, branch, priority), (enable, contexts, protected, commit))| {
            let mut o = json!({"rule_name": rule, "branch_name": branch, "priority": priority,
                "enable_status_check": enable, "status_check_contexts": contexts, "required_approvals": 1});
            if let Some(p) = protected {
                o["protected"] = json!(p);
            }
            if commit {
                o["commit"] = json!({"id": "abc"});
            }
            o
        })
        .boxed()
}

fn snapshot_json() -> BoxedStrategy<Json> {
    (
        select(vec![json!(1), json!(1), json!(2), json!("1"), Json::Null]),
        or_junk(select(&["glob", "exact", "Glob", ""][..]).prop_map(Json::from)),
        contexts_json(),
        prop::option::of(contexts_json()),
        prop::option::of(context_string()),
    )
        .prop_map(|(version, matching, required, other, rule)| {
            let mut o = json!({"gatelint-snapshot": version, "forge": "gitea", "matching": matching,
                "required": required, "rule": rule, "nothing-required": Json::Null});
            if let Some(x) = other {
                o["other-apps"] = x;
            }
            o
        })
        .boxed()
}

fn protection_json() -> BoxedStrategy<Json> {
    prop_oneof![
        3 => github_classic_json(),
        2 => prop::collection::vec(github_rule_json(), 0..4).prop_map(Json::Array),
        2 => gitea_rule_json(),
        3 => prop::collection::vec(gitea_rule_json(), 0..5).prop_map(Json::Array),
        1 => (prop::collection::vec(github_rule_json(), 0..2), github_classic_json())
            .prop_map(|(mut rules, classic)| { rules.push(classic); Json::Array(rules) }),
        2 => snapshot_json(),
        1 => junk_json(),
    ]
    .boxed()
}

fn text_list() -> BoxedStrategy<String> {
    let line = prop_oneof![
        5 => context_string().prop_map(|c| c.replace(['\n', '\r'], " ")),
        1 => select(&["# pending-#12 (not yet enforced)", "# pending-#", "# pending-#99999999999999999999999", "#", "", "   ", "\t# x"][..]).prop_map(str::to_owned),
        1 => ("[ \t]{0,4}", context_string(), "[ \t]{0,4}").prop_map(|(a, c, b)| format!("{a}{}{b}", c.replace(['\n', '\r'], " "))),
    ];
    (
        prop::option::weighted(0.1, Just("\u{feff}")),
        prop::collection::vec(line, 0..12),
        select(&["\n", "\r\n"][..]),
        prop::option::weighted(0.05, Just("\0")),
    )
        .prop_map(|(bom, lines, eol, nul)| {
            format!(
                "{}{}{}",
                bom.unwrap_or(""),
                lines.join(eol),
                nul.unwrap_or("")
            )
        })
        .boxed()
}

fn protection_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (protection_json(), any::<bool>(), select(&["", "", "\u{feff}", "  \n", "\t"][..]))
            .prop_map(|(j, pretty, prefix)| {
                let body = if pretty { serde_json::to_string_pretty(&j).unwrap_or_default() } else { j.to_string() };
                format!("{prefix}{body}")
            }),
        1 => (protection_json(), any::<prop::sample::Index>(), select(&["", "}", "]", ",", "\"", "x", "\\u12"][..]))
            .prop_map(|(j, cut, tail)| {
                let s = serde_json::to_string_pretty(&j).unwrap_or_default();
                let mut at = cut.index(s.len() + 1);
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                format!("{}{tail}", &s[..at])
            }),
        2 => text_list(),
    ]
    .boxed()
}

const BRANCHES: &[&str] = &[
    "main",
    "Main",
    "release/1.0",
    "release/1.0/x",
    "",
    "feature/a",
    "*",
    "dev",
    "日本",
];

fn check_protection(text: &str, branch: &str) -> Outcome {
    let file = "branch-protection.json";
    let lines = text.matches('\n').count() + 1;
    let first = protection::parse(text, file, branch);
    let again = protection::parse(text, file, branch);
    ensure(format!("{first:?}") == format!("{again:?}"), || {
        "protection::parse is not deterministic".to_owned()
    })?;
    let p = match first {
        Err(e) => {
            ensure(e.file == file, || {
                format!("the error names {:?}, not the file", e.file)
            })?;
            if let Some(l) = e.line {
                ensure((1..=lines).contains(&l), || {
                    format!(
                        "error line {l} outside the text ({lines} lines): {}",
                        e.message
                    )
                })?;
            }
            if let Some(c) = e.column {
                ensure(c >= 1, || "error column 0".to_owned())?;
            }
            return Ok("refused");
        }
        Ok(p) => p,
    };
    ensure(p.file == file, || {
        "the protection names another file".to_owned()
    })?;
    let body = text.trim_start_matches('\u{feff}');
    for r in &p.required {
        if let Some(span) = r.span {
            span_inside(&format!("entry {:?}", r.text), span, lines)?;
            if p.shape == protection::Shape::TextList {
                let line = body.lines().nth(span.start.line as usize - 1).unwrap_or("");
                let at: String = line
                    .chars()
                    .skip(span.start.col as usize)
                    .take((span.end.col - span.start.col) as usize)
                    .collect();
                ensure(at == r.text, || {
                    format!("entry {:?} is located at {at:?}", r.text)
                })?;
            }
        }
        if r.enforced() && matches!(r.matcher, protection::Matcher::Exact(_)) {
            ensure(p.requires(&r.text), || {
                format!("exact entry {:?} does not match itself", r.text)
            })?;
        }
    }
    // A snapshot of it reads back as the same enforced contexts.
    let meta = SnapshotMeta {
        forge: "gitea",
        server: "https://example.invalid",
        repository: "o/r",
        branch,
        source: "fuzz",
        fetched_at: "2026-01-01T00:00:00Z",
    };
    let snapshot = protection::write_snapshot(&p, &meta);
    let back = protection::parse(&snapshot, "snapshot.json", branch)
        .map_err(|e| format!("its snapshot does not read back: {e}\n{snapshot}"))?;
    // Each enforced context with the app it is pinned to, when the source said.
    let set = |p: &protection::Protection| -> BTreeSet<(String, String)> {
        p.required
            .iter()
            .filter(|r| r.enforced())
            .map(|r| (r.text.clone(), format!("{:?}", r.app)))
            .collect()
    };
    ensure(set(&p) == set(&back), || {
        format!("the snapshot reads back differently:\n{snapshot}")
    })?;
    ensure(p.merge_queue == back.merge_queue, || {
        "the snapshot loses the merge queue".to_owned()
    })?;
    ensure(p.rule == back.rule, || {
        "the snapshot loses the rule".to_owned()
    })?;
    Ok(if p.required.is_empty() {
        "read, nothing required"
    } else {
        "read, contexts required"
    })
}

#[test]
fn protection_generated() {
    property(
        "protection_generated",
        4,
        (protection_text(), select(BRANCHES)),
        |(text, branch)| {
            let shown = format!("{text}\n# branch: {branch}");
            (
                shown,
                Box::new(move |_: &str| check_protection(&text, branch)) as Check,
            )
        },
    );
}

const JSON_TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"null",
    b"true",
    b"1e999",
    b"-0",
    b"\\u0000",
    b"\\ud800",
    b"\xff",
    b"\0",
    b"\"status_check_contexts\": [\"*\"],",
    b"{\"type\": \"required_status_checks\"},",
    b"\"rule_name\": \"*\",",
    b"\"enable_status_check\": false,",
    b"\"contexts\": null,",
    b"[[[[[[[[[[[[[[[[[[[[",
    b"\n",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"# pending-#3\n",
    b" (push)",
    b"\"gatelint-snapshot\": 1,",
];

fn protection_seeds() -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    if let Some(dir) = common::shared("api-fixtures") {
        files_under(&dir, &[".json"], &mut paths);
    }
    let root = common::repo_root();
    let mut local = Vec::new();
    files_under(
        &root.join("testdata"),
        &[".json", "protection.txt", "contexts.txt"],
        &mut local,
    );
    paths.extend(local);
    paths.push(root.join(".gitea/branch-protection.json"));
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

#[test]
fn protection_fixture_mutants() {
    let seeds = protection_seeds();
    assert!(!seeds.is_empty(), "no protection fixture found");
    mutation_loop(
        "protection_fixture_mutants",
        &seeds,
        JSON_TOKENS,
        mutants() / 4,
        |text| {
            check_protection(text, "release/1.0")?;
            check_protection(text, "main")
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Target 5: the config reader.

fn toml_string() -> BoxedStrategy<String> {
    prop_oneof![
        12 => "[a-zA-Z0-9 ./_#-]{0,16}".prop_map(|s| format!("\"{s}\"")),
        2 => select(&["\"\"", "''", "'lit'", "\"\"\"multi\nline\"\"\"", "'''raw\\d'''", "\"\\u00e9\"", "\"日本\""][..]).prop_map(str::to_owned),
        1 => select(&[
            "\"\"", "''", "'lit'", "\"\"\"multi\nline\"\"\"", "'''raw\\d'''", "\"\\u00e9\"", "\"\\uD800\"",
            "\"bad \\q escape\"", "\"a\\tb\"", "\"unterminated", "3", "true", "1979-05-27", "[]", "{}",
            "\"日本\"", "\"\\u0000\"", "[\"a\", 1]",
        ][..])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn tracker_regex() -> BoxedStrategy<String> {
    prop_oneof![
        12 => select(&["'(mc|internal)#\\d+'", "'#\\d+'", "'(?i)tracked in [a-z]+#\\d+'"][..]).prop_map(str::to_owned),
        6 => select(&[
            "'(mc|internal)#\\d+'", "'(a+)+$'", "'(a|a)*b'", "'['", "'(?P<x'", "'\\p{Greek}+'",
            "'(?i)TODO'", "''", "'.{1000}'", "'a{1000}{1000}'", "'(?:x*)*y'", "'\\b'", "'(?<!x)y'",
            "'\\w{1000}'", "'(\\w{100}){100}'", "'\\d'", "\"\\\\\"", "'x{4294967295}'", "'[[:alpha:]]'",
            "'(?x) a # comment'", "'\\Q'", "'a**'", "'(?s).'",
        ][..])
        .prop_map(str::to_owned),
        3 => "[a-z()|*+?.\\\\{}0-9\\[\\]^$]{0,20}".prop_map(|r| format!("'{r}'")),
        1 => Just("'\\w{150}'".to_owned()),
    ]
    .boxed()
}

const DATES: &[&str] = &[
    "2999-12-31",
    "0000-01-01",
    "1979-05-27T07:32:00Z",
    "2024-02-30",
    "\"2024-13-01\"",
    "\"2024-1-1\"",
    "\"+2024-01-01\"",
    "\"-1-01-01\"",
    "\"99999999999-01-01\"",
    "\"2024-01-01-01\"",
    "\"\"",
    "20240101",
    "07:32:00",
    "2024-01-01T00:00:00",
    "\"2024-01-01\"",
    "\" 2024-01-01 \"",
    "\"2024-02-29\"",
    "\"٢٠٢٤-٠١-٠١\"",
    "\"2147483648-01-01\"",
    "\"2024-00-10\"",
    "\"2024-01-32\"",
    "1979-05-27 07:32:00",
    "2024-06-01",
    "\"2026-06-01\"",
    "true",
    "[2024]",
];

fn waiver() -> BoxedStrategy<String> {
    (
        prop::option::weighted(0.95, toml_string()),
        prop::option::weighted(0.95, toml_string()),
        prop::option::weighted(0.95, prop_oneof![
            3 => select(&["12", "\"#12\"", "\"o/r#3\""][..]),
            1 => select(&["\"\"", "true", "-1", "9223372036854775807", "\"  \"", "1.5"][..]),
        ]),
        prop::option::weighted(0.95, toml_string()),
        prop::option::weighted(0.95, prop_oneof![
            2 => select(&["2999-12-31", "\"2030-01-15\"", "2024-06-01", "\"2026-06-01\"", "1979-05-27T07:32:00Z"][..]),
            1 => select(DATES),
        ]),
        prop::option::weighted(0.03, Just("extra = 1")),
    )
        .prop_map(|(workflow, job, issue, reason, expires, extra)| {
            let mut w = vec!["[[masks.waiver]]".to_owned()];
            let fields = [("workflow", workflow), ("job", job), ("issue", issue.map(str::to_owned)), ("reason", reason), ("expires", expires.map(str::to_owned))];
            for (k, v) in fields {
                if let Some(v) = v {
                    w.push(format!("{k} = {v}"));
                }
            }
            if let Some(e) = extra {
                w.push(e.to_owned());
            }
            w.join("\n")
        })
        .boxed()
}

fn config_text() -> BoxedStrategy<String> {
    let forge = prop_oneof![
        6 => select(&["\"github\"", "\"gitea\"", "\"forgejo\"", "\"GitHub\""][..]),
        1 => select(&["\"gitlab\"", "\"\"", "3"][..]),
    ];
    let version = prop_oneof![
        6 => select(&["\"1.22\"", "\"v1.22.6\"", "\"11\"", "\"1.21\"", "\"13.0\""][..]),
        1 => select(&["\"1.x\"", "\"\"", "1.22", "\"99999999999.1\"", "\"1.2.3.4\"", "\"-1.0\""][..]),
    ];
    let keyword = prop_oneof![
        8 => select(&["\"bp-required\"", "\"bp-exempt\"", "\"a.b(\"", "\"[\"", "\"\\\\\"", "\"日本\"", "\"BP-REQUIRED\"", "\"gate\"", "\"gate-ok\""][..]).prop_map(str::to_owned),
        1 => select(&["\"two words\"", "\"\"", "\" \""][..]).prop_map(str::to_owned),
        1 => (1usize..5000).prop_map(|n| format!("\"{}\"", "k".repeat(n))),
    ];
    let severity = prop_oneof![
        8 => select(&["\"error\"", "\"warning\"", "\"note\"", "\"off\""][..]),
        1 => select(&["\"loud\"", "1"][..]),
    ];
    let top = prop::collection::vec(
        prop_oneof![
            forge.prop_map(|v| format!("forge = {v}")),
            version.prop_map(|v| format!("forge-version = {v}")),
            toml_string().prop_map(|v| format!("branch = {v}")),
            prop_oneof![
                toml_string(),
                Just("\"../../etc/passwd\"".to_owned()),
                Just("\"/dev/zero\"".to_owned())
            ]
            .prop_map(|v| format!("protection = {v}")),
            select(&["true", "false", "true", "false", "\"yes\""][..])
                .prop_map(|v| format!("merge-queue = {v}")),
        ],
        0..4,
    );
    let directives = prop::collection::vec(
        prop_oneof![
            prop_oneof![
                4 => select(&["1", "3", "9223372036854775807"][..]),
                1 => select(&["-1", "0", "-9223372036854775808", "1e3", "\"3\"", "99999999999999999999"][..]),
            ]
            .prop_map(|v| format!("window = {v}")),
            keyword.clone().prop_map(|v| format!("required = {v}")),
            keyword.prop_map(|v| format!("exempt = {v}")),
            severity.clone().prop_map(|v| format!("missing = {v}")),
            select(&["\"added\"", "\"all\"", "\"added\"", "\"all\"", "\"x\""][..]).prop_map(|v| format!("diff = {v}")),
        ],
        0..4,
    );
    let mut ids: Vec<&'static str> = gatelint::rules::ids();
    ids.extend(["\"mask-stale\""]);
    let ids = prop_oneof![
        12 => select(ids),
        1 => select(&["no-such-rule", "\"\""][..]),
    ];
    let rules = prop::collection::vec(
        (ids, severity).prop_map(|(id, s)| format!("{id} = {s}")),
        0..3,
    );
    let trackers = prop::collection::vec(tracker_regex(), 0..3)
        .prop_map(|t| format!("trackers = [{}]", t.join(", ")));
    let junk = prop::collection::vec(
        select(
            &[
                "forgee = 1",
                "[unknown]",
                "[[rules]]",
                "= 3",
                "a = ",
                "\"unterminated",
                "[directives",
                "x.y.z = 1",
                "# comment",
                "",
                "forge = \"github\"",
                "[directives]",
                "\u{feff}",
                "\t",
                "ключ = 1",
                "a = \"\\u0000\"",
                "[masks]",
                "[[masks.waiver]]",
                "masks.trackers = []",
                "rules = 3",
                "directives = { window = 2 }",
                "\r",
                "a = 1979-05-27T07:32:00+25:00",
            ][..],
        ),
        0..2,
    );
    let junk = prop::option::weighted(0.3, junk).prop_map(Option::unwrap_or_default);
    (
        top,
        prop::option::of(directives),
        prop::option::of(rules),
        prop::option::of((
            prop::option::of(trackers),
            prop::collection::vec(waiver(), 0..3),
        )),
        junk,
        any::<prop::sample::Index>(),
        select(&["\n", "\r\n"][..]),
    )
        .prop_map(|(top, directives, rules, masks, junk, at, eol)| {
            let mut lines: Vec<String> = top;
            if let Some(d) = directives {
                lines.push("[directives]".to_owned());
                lines.extend(d);
            }
            if let Some(r) = rules {
                lines.push("[rules]".to_owned());
                lines.extend(r);
            }
            if let Some((trackers, waivers)) = masks {
                lines.push("[masks]".to_owned());
                lines.extend(trackers);
                lines.extend(waivers);
            }
            let at = at.index(lines.len() + 1);
            for (i, j) in junk.into_iter().enumerate() {
                lines.insert((at + i).min(lines.len()), j.to_owned());
            }
            lines.join(eol)
        })
        .boxed()
}

fn check_config(text: &str) -> Outcome {
    let known = gatelint::rules::ids();
    let shown = "gatelint.toml";
    let first = Config::parse(text, shown, Path::new("/repo"), &known);
    let again = Config::parse(text, shown, Path::new("/repo"), &known);
    ensure(format!("{first:?}") == format!("{again:?}"), || {
        "Config::parse is not deterministic".to_owned()
    })?;
    let lines = text.matches('\n').count() + 1;
    match first {
        Err(e) => {
            ensure(e.file == shown, || format!("the error names {:?}", e.file))?;
            ensure((1..=lines).contains(&e.line), || {
                format!(
                    "error line {} outside the text ({lines} lines): {}",
                    e.line, e.message
                )
            })?;
            let width = text
                .split('\n')
                .nth(e.line - 1)
                .map_or(0, |l| l.chars().count());
            ensure(e.column >= 1 && e.column <= width + 1, || {
                format!(
                    "error column {} outside line {} ({width} characters): {}",
                    e.column, e.line, e.message
                )
            })?;
            Ok("refused")
        }
        Ok(c) => {
            for w in &c.waivers {
                span_inside("a waiver", w.span, lines)?;
                let d = w.expires;
                ensure(
                    (1..=12).contains(&d.month) && (1..=31).contains(&d.day),
                    || format!("expires {d}"),
                )?;
            }
            Ok("read")
        }
    }
}

#[test]
fn config_generated() {
    property(
        "config_generated",
        1,
        config_text(),
        text_case(check_config),
    );
}

const TOML_TOKENS: &[&[u8]] = &[
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"\"",
    b"'",
    b"'''",
    b"\"\"\"",
    b"=",
    b".",
    b",",
    b"{",
    b"}",
    b"#",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b"\xff",
    b"\\",
    b"\\u",
    b"1979-05-27",
    b"2024-02-30",
    b"T07:32:00Z",
    b"-",
    b"+",
    b"inf",
    b"nan",
    b"0x",
    b"1_000",
    b"[[masks.waiver]]\n",
    b"[masks]\ntrackers = ['(a+)+']\n",
    b"\xef\xbb\xbf",
    b"\xc3\xa9",
];

#[test]
fn config_fixture_mutants() {
    let root = common::repo_root();
    let mut paths = Vec::new();
    files_under(&root.join("testdata"), &[".toml"], &mut paths);
    paths.push(root.join("gatelint.toml"));
    let seeds: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    assert!(!seeds.is_empty(), "no config fixture found");
    mutation_loop(
        "config_fixture_mutants",
        &seeds,
        TOML_TOKENS,
        mutants() / 6,
        check_config,
    );
}

// ---------------------------------------------------------------------------------------------
// Regression cases: inputs this harness (and its exploration runs) found problems with. Each
// is ignored until its module is fixed; run them with `cargo test --test fuzz -- --ignored`.

/// Run one regression case on a worker, within the harness's budget.
fn regression(
    name: &'static str,
    input: &str,
    check: impl FnOnce(&str) -> Outcome + Send + 'static,
) {
    let mut t = Target::new(name);
    let result = t.run(&Arc::from(input), check);
    t.finish();
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Reusable workflows nested `depth` deep, each a 4-leg matrix calling the next.
fn nested_callers(depth: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for i in 0..depth {
        let on = if i == 0 {
            "[push, workflow_call]"
        } else {
            "workflow_call"
        };
        files.push((
            format!(".github/workflows/w{i}.yml"),
            format!(
                "on: {on}\njobs:\n  a:\n    strategy:\n      matrix:\n        x: [1, 2, 3, 4]\n    \
                 uses: ./.github/workflows/w{}.yml\n",
                i + 1
            ),
        ));
    }
    files.push((
        format!(".github/workflows/w{depth}.yml"),
        "on: workflow_call\njobs:\n  leaf:\n    runs-on: x\n    steps:\n      - run: echo\n"
            .to_owned(),
    ));
    files
}

/// forge/naming.rs `called_names`: 9 files (5.6 KB) name 4^8 = 65,536 legs, deduplicated with
/// `Vec::contains` (quadratic): 16 s in a release build (`gatelint report`), 4^9 about 4 min.
/// Each level multiplies; nothing bounds the product (the naming budget counts bytes, and these
/// names are short).
#[test]
fn regression_nested_reusable_workflows_multiply_legs() {
    let files = nested_callers(8);
    let shown: String = files.iter().map(|(f, t)| format!("=== {f}\n{t}")).collect();
    regression("regression_nested_reusable_workflows", &shown, move |_| {
        let tree = mem_tree(&files);
        let options = Options {
            forge: Some(Forge::Github),
            ..Options::default()
        };
        let report = analyze_tree("repo", Tree::Mem(&tree), &options).map_err(|e| e.to_string())?;
        ensure(!report.gates.is_empty(), || "no gate".to_owned())?;
        Ok("analysed")
    });
}

/// config.rs: every `masks.trackers` entry is compiled with the regex crate's default limits, so
/// each may take ~11 MB and ~60 ms; nothing bounds their number. 200 × `'\w{200}'` (2 KB of
/// `gatelint.toml`) takes 13.5 s and 2.3 GB in a release build; 64 KB would need ~75 GB.
#[test]
fn regression_tracker_regexes_unbounded() {
    let trackers = vec!["'\\w{200}'"; 40].join(", ");
    let text = format!("[masks]\ntrackers = [{trackers}]\n");
    regression("regression_tracker_regexes", &text, |text| {
        let known = gatelint::rules::ids();
        match Config::parse(text, "gatelint.toml", Path::new("/repo"), &known) {
            Ok(_) => Ok("read"),
            Err(_) => Ok("refused"),
        }
    });
}

/// workflow/directive.rs and yaml/position.rs: YAML (and go-yaml, so the forges) read a lone
/// `\r` as a line break, but `LineIndex` split lines at `\n` only (fixed: it splits as YAML
/// does, and the YAML layer repairs a copy with LF). In a file with CR line
/// breaks every directive and mask comment is silently not read (45 of the corpus files with
/// a directive lose it); a `]` closing a flow sequence at its parent's indentation is refused
/// ("invalid indentation") where the LF file is repaired; error lines point past the last line
/// `LineIndex` knows. 63 of 1,569 corpus files read differently with CR line breaks.
#[test]
fn regression_cr_line_breaks_drop_directives() {
    let lf = "on: push\njobs:\n  # bp-required: yes\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";
    regression("regression_cr_line_breaks", lf, |text| {
        same_with_breaks(text, "\r")
    });
    let flow =
        "on: push\njobs:\n  a:\n    runs-on: [\n      x,\n    ]\n    steps:\n      - run: echo\n";
    regression("regression_cr_line_breaks", flow, |text| {
        same_with_breaks(text, "\r")
    });
}

/// `jobs` jobs that share one 256-leg matrix through a YAML alias: 256 contexts each for a few
/// bytes (`j1 (0)` … on GitHub). `required` adds `bp-required: yes` above each job.
fn amplified_workflow(jobs: usize, required: bool) -> String {
    let values: Vec<String> = (0..256).map(|i| i.to_string()).collect();
    let directive = if required {
        "  # bp-required: yes\n"
    } else {
        ""
    };
    let mut y = format!(
        "on: [push, pull_request]\njobs:\n{directive}  j0: {{runs-on: x, strategy: {{matrix: &m {{x: [{}]}}}}, \
         steps: &s [{{run: a}}]}}\n",
        values.join(", ")
    );
    for i in 1..jobs {
        y.push_str(&format!(
            "{directive}  j{i}: {{runs-on: x, strategy: {{matrix: *m}}, steps: *s}}\n"
        ));
    }
    y
}

/// Analyse `workflow` (as `.github/workflows/ci.yml`) and run every rule, in diff mode against
/// itself when `diff`.
fn run_rules(workflow: &str, protection_text: &str, diff: bool) -> Outcome {
    let files = vec![(".github/workflows/ci.yml".to_owned(), workflow.to_owned())];
    let tree = mem_tree(&files);
    let options = Options {
        forge: Some(Forge::Github),
        ..Options::default()
    };
    let report = analyze_tree("repo", Tree::Mem(&tree), &options).map_err(|e| e.to_string())?;
    let prot =
        protection::parse(protection_text, "protection.txt", "main").map_err(|e| e.to_string())?;
    let config = Config::empty();
    let today = Date {
        year: 2026,
        month: 6,
        day: 1,
    };
    let mut cx = gatelint::rules::Cx::new(&report, Some(&prot), &config, today, "main");
    let base = diff.then(|| gatelint::rules::Cx::new(&report, Some(&prot), &config, today, "main"));
    if diff {
        cx.base_contexts = Some(
            report
                .gates
                .iter()
                .flat_map(|g| g.contexts.iter().map(|c| c.text.clone()))
                .collect(),
        );
    }
    let findings = gatelint::rules::run(&cx, base.as_ref(), report.findings.clone());
    Ok(if findings.is_empty() {
        "no finding"
    } else {
        "findings"
    })
}

/// rules/mod.rs `lost_contexts`: for every context of every required base gate it scans every
/// context of every head gate (quadratic in contexts). Diff mode on an unchanged 24 KB workflow
/// (300 jobs sharing a 256-leg matrix, each `bp-required: yes`, 76,800 contexts) takes 37 s in
/// a release build (`gatelint check --base HEAD`); here 200 jobs.
#[test]
fn regression_diff_mode_quadratic_in_contexts() {
    let workflow = amplified_workflow(200, true);
    regression("regression_diff_mode_contexts", &workflow, |text| {
        run_rules(text, "j0 (0)\n", true)
    });
}

/// rules/protection_orphaned.rs: for each required context no job posts, the "did you mean"
/// search computes a Levenshtein distance (allocating both strings as `Vec<char>`) to every
/// posted context. A 51 KB workflow (900 jobs × a 256-leg matrix: 230,400 contexts) with a 6 KB
/// context list of 200 entries no job posts: 100 s in a release build (`gatelint check
/// --protection`); here 300 jobs and 40 entries.
#[test]
fn regression_orphaned_entries_times_contexts() {
    let workflow = amplified_workflow(300, false);
    let list: String = (0..40)
        .map(|i| format!("CI / nothing-posts-this-{i:05}\n"))
        .collect();
    let shown = format!("{workflow}=== protection.txt\n{list}");
    regression("regression_orphaned_entries", &shown, move |_| {
        run_rules(&workflow, &list, false)
    });
}
