//! The documentation is tested (issue 13, item 7): every command of the README's quick start
//! runs, verbatim, in a copy of a fixture repository (the `--remote` ones against a local
//! server); every other README command is listed here with the reason it is not run; every
//! `gatelint` flag and `install.sh` option written in the README and `docs/` exists; `docs/rules.md` is what
//! `gatelint rules` gives; every relative link points at a file of the repository; and no
//! document names a path outside it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use gatelint::yaml::{self, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_gatelint");
const VERSION: &str = env!("CARGO_PKG_VERSION");
const TOKEN: &str = "readme-token-3c1f7a90";

/// The README's quick start: (forge section, command, exit code). Each command runs in order
/// in that forge's fixture repository. A command the README adds, removes or changes fails the
/// test until this list says what it should do.
const QUICK_START: [(&str, &str, i32); 15] = [
    (
        "GitHub",
        "gatelint snapshot --remote -o .github/protection.json",
        0,
    ),
    (
        "GitHub",
        "gatelint init --protection .github/protection.json --dry-run",
        0,
    ),
    (
        "GitHub",
        "gatelint init --protection .github/protection.json",
        0,
    ),
    ("GitHub", "gatelint check", 0),
    ("GitHub", "gatelint report", 0),
    (
        "Gitea",
        "gatelint snapshot --remote --server https://gitea.com -o .gitea/protection.json",
        0,
    ),
    (
        "Gitea",
        "gatelint init --protection .gitea/protection.json --dry-run",
        0,
    ),
    (
        "Gitea",
        "gatelint init --protection .gitea/protection.json",
        0,
    ),
    ("Gitea", "gatelint check", 0),
    ("Gitea", "gatelint report", 0),
    (
        "Forgejo",
        "gatelint snapshot --remote --server https://codeberg.org -o .forgejo/protection.json",
        0,
    ),
    (
        "Forgejo",
        "gatelint init --protection .forgejo/protection.json --dry-run",
        0,
    ),
    (
        "Forgejo",
        "gatelint init --protection .forgejo/protection.json",
        0,
    ),
    ("Forgejo", "gatelint check", 0),
    ("Forgejo", "gatelint report", 0),
];

/// Server addresses in quick-start commands, replaced by the local server's when run.
const SERVERS: [&str; 2] = ["https://gitea.com", "https://codeberg.org"];

/// The README's commands outside the quick start, not run here: (command, why).
fn not_run() -> Vec<(String, &'static str)> {
    vec![
        (
            format!(
                "curl -fsSLO https://github.com/gatelint/gatelint/releases/download/v{VERSION}/install.sh"
            ),
            "downloads from github.com: the network",
        ),
        (
            format!("sh install.sh --version {VERSION}"),
            "downloads the release from github.com: the network",
        ),
        (
            "cargo binstall gatelint".to_owned(),
            "downloads from crates.io and github.com: the network",
        ),
        (
            "cargo install --locked gatelint".to_owned(),
            "downloads from crates.io: the network",
        ),
        (
            "cargo run --release -- report .".to_owned(),
            "a release build of this crate, minutes: `.ci/run` runs `gatelint report .`",
        ),
        (
            "cargo test --locked".to_owned(),
            "the test suite itself, which runs this test",
        ),
        (
            "gatelint audit --org acme --format jsonl > acme.jsonl".to_owned(),
            "reads an organisation on github.com: the network (tests/audit.rs runs it against a fake forge)",
        ),
    ]
}

/// Flags of other tools that the documentation writes: (flag, whose).
const FOREIGN_FLAGS: [(&str, &str); 15] = [
    ("--release", "cargo"),
    ("--locked", "cargo"),
    ("--test", "cargo"),
    ("--bench", "cargo"),
    ("--all-targets", "cargo clippy"),
    ("--all", "cargo fmt"),
    ("--check", "cargo fmt"),
    ("--quiet", "cargo run"),
    ("--path", "cargo install"),
    ("--ignored", "the test harness"),
    ("--bind", "python3 -m http.server"),
    ("--directory", "python3 -m http.server"),
    ("--version", "install.sh"),
    ("--to", "install.sh"),
    ("--auto", "git remote set-head"),
];

/// The one place a document may name `../shared`: the README says which tests read it.
const SHARED_SENTENCE: &str = "Tests that read `../shared/` (a real-world corpus of workflows, the forges' own parser test data and API payloads, kept beside the project) print `SKIPPED: … is absent` and pass when that folder is absent.";

// --- Reading Markdown ----------------------------------------------------------------------

fn read(rel: &str) -> String {
    std::fs::read_to_string(common::repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `*.md` files of a folder of the repository, relative paths, sorted.
fn md_in(folder: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(common::repo_root().join(folder))
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("{folder}/{n}"))
        .collect();
    out.sort();
    out
}

/// README.md and docs/*.md.
fn docs() -> Vec<String> {
    let mut out = vec!["README.md".to_owned()];
    out.extend(md_in("docs"));
    out
}

/// README.md, docs/*.md and rules/*.md.
fn all_md() -> Vec<String> {
    let mut out = docs();
    out.extend(md_in("rules"));
    out
}

/// A fenced code block and the headings it is under.
struct Block {
    lang: String,
    lines: Vec<String>,
    h2: String,
    h3: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let (mut h2, mut h3) = (String::new(), String::new());
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for line in text.lines() {
        let fence = line.trim_start().starts_with("```");
        match open.take() {
            Some(b) if fence => out.push(b),
            Some(mut b) => {
                b.lines.push(line.to_owned());
                open = Some(b);
            }
            None if fence => {
                open = Some(Block {
                    lang: line.trim_start().trim_start_matches('`').trim().to_owned(),
                    lines: Vec::new(),
                    h2: h2.clone(),
                    h3: h3.clone(),
                });
            }
            None => {
                if let Some(h) = line.strip_prefix("## ") {
                    h2 = h.trim().to_owned();
                    h3.clear();
                } else if let Some(h) = line.strip_prefix("### ") {
                    h3 = h.trim().to_owned();
                }
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    out
}

/// The text outside fenced code blocks.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push('\n');
            continue;
        }
        if !fenced {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// Inline code spans of prose (a span may wrap onto the next line).
fn spans(prose: &str) -> Vec<String> {
    prose
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.replace('\n', " ").replace("\\|", "|"))
        .collect()
}

/// A block's logical lines: `\` at the end of a line continues it.
fn logical_lines(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in lines {
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A line without its trailing `  # comment`.
fn command_part(line: &str) -> &str {
    line.split("  #").next().unwrap_or(line).trim()
}

// --- gatelint commands in the documentation ------------------------------------------------

const SUBCOMMANDS: [&str; 10] = [
    "check",
    "report",
    "snapshot",
    "audit",
    "init",
    "rules",
    "explain",
    "profiles",
    "completions",
    "man",
];

/// Flags `gatelint [SUB] --help` lists (short and long).
fn help_flags(sub: Option<&str>) -> BTreeSet<String> {
    let mut args: Vec<&str> = sub.into_iter().collect();
    args.push("--help");
    let out = common::gatelint(&args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    let mut flags = BTreeSet::new();
    for line in out.stdout.lines() {
        if !line.trim_start().starts_with('-') {
            continue;
        }
        for token in line.split_whitespace() {
            let token = token.trim_end_matches(',');
            if !token.starts_with('-') {
                break;
            }
            flags.insert(token.to_owned());
        }
    }
    flags
}

/// A `gatelint` command written in a document.
struct Written {
    file: String,
    text: String,
    sub: Option<String>,
    flags: Vec<String>,
}

/// Tokens that end a command: shell operators and comments.
fn ends_command(token: &str) -> bool {
    matches!(token, ";" | "&&" | "||" | "|" | "&" | "<")
        || token.starts_with('>')
        || token.starts_with("2>")
        || token.starts_with('#')
}

/// Whether `gatelint` at `tokens[i]` starts a command (not a word of prose or a comment).
fn starts_command(tokens: &[&str], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).map(|p| tokens[p]) else {
        return true;
    };
    matches!(
        prev,
        "$" | "run:" | "entry:" | "-" | "&&" | "||" | ";" | "|" | "then" | "do"
    ) || prev.split_once('=').is_some_and(|(var, _)| {
        !var.is_empty() && var.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    })
}

/// The `gatelint` commands of one piece of text (a logical line or a code span).
fn commands_in(file: &str, piece: &str, out: &mut Vec<Written>) {
    let tokens: Vec<&str> = piece.split_whitespace().collect();
    for i in 0..tokens.len() {
        let first = if (tokens[i] == "gatelint" || tokens[i].ends_with("/gatelint"))
            && starts_command(&tokens, i)
        {
            i + 1
        } else if tokens[i] == "cargo"
            && tokens.get(i + 1) == Some(&"run")
            && starts_command(&tokens, i)
        {
            match tokens[i + 2..].iter().position(|t| *t == "--") {
                Some(at) => i + 2 + at + 1,
                None => continue,
            }
        } else {
            continue;
        };
        let rest: Vec<&str> = tokens[first..]
            .iter()
            .copied()
            .take_while(|t| !ends_command(t))
            .collect();
        let (sub, args) = match rest.first() {
            Some(s) if s.starts_with('<') => continue,
            Some(s) if s.starts_with('-') => (None, &rest[..]),
            Some(s) => {
                assert!(
                    SUBCOMMANDS.contains(s),
                    "{file}: `{piece}`: `{s}` is not a gatelint subcommand"
                );
                (Some((*s).to_owned()), &rest[1..])
            }
            None => (None, &rest[..]),
        };
        let flags = args
            .iter()
            .filter(|t| {
                t.len() > 1
                    && t.starts_with('-')
                    && **t != "--"
                    && !t[1..].starts_with(|c: char| c.is_ascii_digit())
            })
            .map(|t| t.split('=').next().unwrap_or(t).to_owned())
            .collect();
        out.push(Written {
            file: file.to_owned(),
            text: piece.trim().to_owned(),
            sub,
            flags,
        });
    }
}

/// Every `gatelint` command in `file`: in code blocks (a YAML `args: |` list is one command,
/// one argument per line) and in inline code.
fn written_commands(file: &str) -> Vec<Written> {
    let text = read(file);
    let mut out = Vec::new();
    for block in blocks(&text) {
        for line in logical_lines(&block.lines) {
            commands_in(file, &line, &mut out);
        }
        if block.lang == "yaml" {
            let mut lines = block.lines.iter().peekable();
            while let Some(line) = lines.next() {
                if line.trim() != "args: |" {
                    continue;
                }
                let indent = line.len() - line.trim_start().len();
                let mut args = vec!["gatelint".to_owned()];
                while let Some(next) = lines
                    .next_if(|l| l.len() - l.trim_start().len() > indent && !l.trim().is_empty())
                {
                    args.push(next.trim().to_owned());
                }
                commands_in(file, &args.join(" "), &mut out);
            }
        }
    }
    for span in spans(&prose(&text)) {
        // `check --remote` in prose is `gatelint check --remote`.
        let mut words = span.split_whitespace();
        let elided = words.next().is_some_and(|w| SUBCOMMANDS.contains(&w))
            && words.next().is_some_and(|w| w.starts_with('-'));
        if elided {
            commands_in(file, &format!("gatelint {span}"), &mut out);
        } else {
            commands_in(file, &span, &mut out);
        }
    }
    out
}

#[test]
fn every_gatelint_flag_written_exists() {
    let mut known: BTreeMap<Option<String>, BTreeSet<String>> = BTreeMap::new();
    known.insert(None, help_flags(None));
    for sub in SUBCOMMANDS {
        known.insert(Some(sub.to_owned()), help_flags(Some(sub)));
    }
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in docs() {
        for cmd in written_commands(&file) {
            let flags = &known[&cmd.sub];
            for flag in &cmd.flags {
                checked += 1;
                if !flags.contains(flag) {
                    problems.push(format!(
                        "{}: `{}`: `gatelint {}` has no {flag}",
                        cmd.file,
                        cmd.text,
                        cmd.sub.as_deref().unwrap_or("")
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked > 60,
        "only {checked} flags found: the extraction broke"
    );

    // Any `--flag` anywhere, in a command or in prose, is gatelint's or another tool's named
    // here.
    let all: BTreeSet<&String> = known.values().flatten().collect();
    let foreign: BTreeMap<&str, &str> = FOREIGN_FLAGS.into_iter().collect();
    let re = regex::Regex::new(r"(?:^|[^\w-])(--[a-z][a-z0-9-]*)").expect("regex");
    let mut used_foreign = BTreeSet::new();
    for file in docs() {
        for c in re.captures_iter(&read(&file)) {
            let flag = &c[1];
            if foreign.contains_key(flag) {
                used_foreign.insert(flag.to_owned());
            } else if !all.iter().any(|f| f.as_str() == flag) {
                problems.push(format!(
                    "{file}: {flag} is no gatelint flag (another tool's? add it to FOREIGN_FLAGS)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for (flag, whose) in FOREIGN_FLAGS {
        assert!(
            used_foreign.contains(flag),
            "{flag} ({whose}) is in FOREIGN_FLAGS but no document writes it: remove it"
        );
    }
}

/// `sh install.sh …` in the README and docs/ uses only options install.sh's argument loop
/// handles (`--flag)` in its `case`).
#[test]
fn every_install_sh_flag_written_exists() {
    let script = read("install.sh");
    let mut seen = 0;
    for file in docs() {
        let text = read(&file);
        let pieces = blocks(&text)
            .iter()
            .flat_map(|b| logical_lines(&b.lines))
            .chain(spans(&prose(&text)))
            .collect::<Vec<_>>();
        for piece in pieces {
            let Some((_, args)) = piece.split_once("sh install.sh") else {
                continue;
            };
            for flag in args
                .split_whitespace()
                .take_while(|t| !ends_command(t))
                .filter(|t| t.starts_with("--"))
            {
                seen += 1;
                let flag = flag.split('=').next().unwrap_or(flag);
                assert!(
                    script.contains(&format!("{flag})")),
                    "{file}: `{}`: install.sh has no {flag}",
                    piece.trim()
                );
            }
        }
    }
    assert!(seen > 0, "no `sh install.sh` command found");
}

// --- The quick start ------------------------------------------------------------------------

/// The README's shell commands: (section, command) of the quick start, and the others.
fn readme_commands() -> (Vec<(String, String)>, Vec<String>) {
    let mut quick = Vec::new();
    let mut other = Vec::new();
    for block in blocks(&read("README.md")) {
        if block.lang != "sh" {
            continue;
        }
        for line in logical_lines(&block.lines) {
            let command = command_part(&line);
            if command.is_empty() || command.starts_with('#') {
                continue;
            }
            if block.h2 == "Quick start" {
                quick.push((block.h3.clone(), command.to_owned()));
            } else {
                other.push(command.to_owned());
            }
        }
    }
    (quick, other)
}

#[test]
fn readme_commands_outside_the_quick_start_are_listed() {
    let (_, other) = readme_commands();
    let listed: Vec<String> = not_run().into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        other, listed,
        "the README's commands outside the quick start changed: a command that can run goes in \
         the quick start (QUICK_START), one that cannot goes in not_run() with the reason"
    );
}

/// A fixture repository that has not adopted gatelint yet: `testdata/FIXTURE` without its
/// directives (moved to `.forgejo/` for Forgejo), committed, with an `origin` remote on
/// `server` and `origin/HEAD` at `main`.
fn fixture_repo(forge: &str, server: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = match forge {
        "GitHub" => "remote-github",
        _ => "remote-gitea",
    };
    common::copy_tree(
        &common::repo_root().join("testdata").join(fixture),
        dir.path(),
    );
    if forge == "Forgejo" {
        std::fs::rename(dir.path().join(".gitea"), dir.path().join(".forgejo")).expect("rename");
    }
    let folder = match forge {
        "GitHub" => ".github",
        "Gitea" => ".gitea",
        _ => ".forgejo",
    };
    let workflows = dir.path().join(folder).join("workflows");
    let mut stripped = 0;
    for entry in std::fs::read_dir(&workflows).expect("workflows").flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("workflow");
        let kept: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("# bp-"))
            .map(|l| format!("{l}\n"))
            .collect();
        stripped += text.lines().count() - kept.lines().count();
        std::fs::write(entry.path(), kept).expect("write");
    }
    assert!(stripped > 0, "{fixture}: had directives");
    let git = |args: &[&str]| common::git(dir.path(), args, None);
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "a repository without gatelint"]);
    git(&["remote", "add", "origin", &format!("{server}/octo/app.git")]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/main",
    ]);
    dir
}

/// Every context the repository's jobs post.
fn posted(dir: &Path) -> Vec<String> {
    let out = common::gatelint_in(dir, &["report", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut contexts: Vec<String> = out.json()["gates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .flat_map(common::contexts)
        .collect();
    contexts.sort();
    contexts.dedup();
    assert!(!contexts.is_empty());
    contexts
}

/// Serve protection that requires `contexts` on `main` of octo/app, as the forge's API does:
/// Gitea and Forgejo only to the token (`--server` names the server), GitHub anonymously
/// (the server is the one `origin` names, so no token is sent).
async fn serve_protection(server: &MockServer, forge: &str, contexts: &[String]) {
    let json = |body: serde_json::Value| ResponseTemplate::new(200).set_body_json(body);
    if forge == "GitHub" {
        Mock::given(method("GET"))
            .and(path("/api/v3/repos/octo/app/branches/main/protection"))
            .respond_with(
                ResponseTemplate::new(404)
                    .set_body_json(serde_json::json!({"message": "Branch not protected"})),
            )
            .mount(server)
            .await;
        let checks: Vec<serde_json::Value> = contexts
            .iter()
            .map(|c| serde_json::json!({"context": c}))
            .collect();
        Mock::given(method("GET"))
            .and(path("/api/v3/repos/octo/app/rules/branches/main"))
            .respond_with(json(serde_json::json!([{
                "type": "required_status_checks",
                "parameters": {"strict_required_status_checks_policy": false,
                               "required_status_checks": checks}
            }])))
            .mount(server)
            .await;
    } else {
        Mock::given(method("GET"))
            .and(path("/api/v1/repos/octo/app/branch_protections"))
            .and(header("authorization", format!("token {TOKEN}").as_str()))
            .respond_with(json(serde_json::json!([{
                "rule_name": "main",
                "enable_status_check": true,
                "status_check_contexts": contexts
            }])))
            .mount(server)
            .await;
    }
}

/// A directory holding a `gatelint` that is the binary built here, to put first on PATH.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(BIN, dir.path().join("gatelint")).expect("symlink");
    dir
}

/// `sh -c command` in `dir`, with `bin` first on PATH, the CI environment cleared and the
/// token set: (exit code, stdout, stderr).
fn sh(dir: &Path, bin: &Path, command: &str) -> common::Output {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths: Vec<PathBuf> = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut cmd = assert_cmd::Command::new("sh");
    common::clear_ci_env(&mut cmd);
    let out = cmd
        .current_dir(dir)
        .args(["-c", command])
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env("NO_COLOR", "1")
        .env("GATELINT_TOKEN", TOKEN)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("sh runs");
    common::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_quick_start_runs_verbatim() {
    let (quick, _) = readme_commands();
    let expected: Vec<(String, String)> = QUICK_START
        .iter()
        .map(|(f, c, _)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(
        quick, expected,
        "the README's quick start changed: update QUICK_START in tests/readme.rs with each \
         command and the exit code it should give"
    );
    let bin = bin_dir();
    for forge in ["GitHub", "Gitea", "Forgejo"] {
        let server = MockServer::start().await;
        let repo = fixture_repo(forge, &server.uri());
        let contexts = posted(repo.path());
        serve_protection(&server, forge, &contexts).await;
        let steps: Vec<(String, i32)> = QUICK_START
            .iter()
            .filter(|(f, _, _)| *f == forge)
            .map(|(_, c, code)| {
                let mut c = (*c).to_owned();
                for s in SERVERS {
                    c = c.replace(s, &server.uri());
                }
                (c, *code)
            })
            .collect();
        let (dir, bin_path) = (repo.path().to_path_buf(), bin.path().to_path_buf());
        let outs = tokio::task::spawn_blocking(move || {
            steps
                .iter()
                .map(|(c, code)| (c.clone(), *code, sh(&dir, &bin_path, c)))
                .collect::<Vec<_>>()
        })
        .await
        .expect("the commands run");
        for (command, code, out) in &outs {
            assert_eq!(
                out.code, *code,
                "{forge}: `{command}`\nstdout:\n{}\nstderr:\n{}",
                out.stdout, out.stderr
            );
            assert!(
                !out.stdout.contains(TOKEN) && !out.stderr.contains(TOKEN),
                "{forge}: `{command}` shows the token"
            );
            assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        }
        // What the README says the commands did: the snapshot, the directives, the config.
        let folder = match forge {
            "GitHub" => ".github",
            "Gitea" => ".gitea",
            _ => ".forgejo",
        };
        let snapshot = std::fs::read_to_string(repo.path().join(folder).join("protection.json"))
            .expect("snapshot written");
        for c in &contexts {
            assert!(snapshot.contains(&format!("\"{c}\"")), "{forge}: {c}");
        }
        let config = std::fs::read_to_string(repo.path().join("gatelint.toml")).expect("config");
        assert!(
            config.contains(&format!("protection = \"{folder}/protection.json\"")),
            "{forge}: {config}"
        );
        assert!(config.contains("branch = \"main\""), "{forge}: {config}");
        let report = common::gatelint_in(repo.path(), &["report", "--format", "json"]).json();
        for gate in report["gates"].as_array().cloned().unwrap_or_default() {
            if !common::contexts(&gate).is_empty() {
                assert_eq!(gate["directive"], "required", "{forge}: {gate}");
                assert_eq!(gate["verdict"], "ok", "{forge}: {gate}");
            }
        }
    }
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    match get(v, key) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

fn load_yaml(what: &str, text: &str) -> Value {
    let docs = yaml::load(text).unwrap_or_else(|e| panic!("{what}: {e:?}"));
    assert_eq!(docs.len(), 1, "{what}: one document");
    let root = docs[0].root().unwrap_or_else(|| panic!("{what}: empty"));
    docs[0].to_value(root)
}

/// The quick start's CI jobs: the release's action, with inputs `action.yml` has, after a
/// checkout with the history `--base` needs; each workflow is one whose job gatelint finds
/// required, and the README names the context to require.
#[test]
fn readme_ci_jobs_use_the_action() {
    let action = load_yaml("action.yml", &read("action.yml"));
    let inputs: Vec<&str> = match get(&action, "inputs") {
        Some(Value::Map(m)) => m.iter().map(|(k, _)| k.as_str()).collect(),
        _ => panic!("action.yml: inputs"),
    };
    let readme = read("README.md");
    let mut seen = Vec::new();
    for block in blocks(&readme) {
        if block.h2 != "Quick start" || block.lang != "yaml" || block.h3 == "pre-commit" {
            continue;
        }
        let forge = block.h3.clone();
        let text = block.lines.join("\n") + "\n";
        let workflow = load_yaml(&forge, &text);
        let Some(Value::Map(jobs)) = get(&workflow, "jobs") else {
            panic!("{forge}: jobs")
        };
        let steps: Vec<&Value> = jobs
            .iter()
            .flat_map(|(_, job)| match get(job, "steps") {
                Some(Value::Seq(s)) => s.iter().collect::<Vec<_>>(),
                _ => Vec::new(),
            })
            .collect();
        let checkout = steps
            .iter()
            .find(|s| str_of(s, "uses").is_some_and(|u| u.starts_with("actions/checkout@")))
            .unwrap_or_else(|| panic!("{forge}: a checkout step"));
        assert_eq!(
            get(checkout, "with").and_then(|w| get(w, "fetch-depth")),
            Some(&Value::Int(0)),
            "{forge}: the action runs check with --base: the checkout needs fetch-depth: 0"
        );
        let action_ref = match forge.as_str() {
            "GitHub" => format!("gatelint/gatelint@v{VERSION}"),
            _ => format!("https://github.com/gatelint/gatelint@v{VERSION}"),
        };
        let step = steps
            .iter()
            .find(|s| str_of(s, "uses") == Some(action_ref.as_str()))
            .unwrap_or_else(|| panic!("{forge}: a step `uses: {action_ref}`"));
        if let Some(Value::Map(with)) = get(step, "with") {
            for (k, _) in with {
                assert!(
                    inputs.contains(&k.as_str()),
                    "{forge}: action.yml has no input `{k}`"
                );
            }
        }
        // gatelint reads it as a workflow with a required job, and the README names its context.
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = match forge.as_str() {
            "GitHub" => ".github",
            "Gitea" => ".gitea",
            _ => ".forgejo",
        };
        let workflows = dir.path().join(folder).join("workflows");
        std::fs::create_dir_all(&workflows).expect("mkdir");
        std::fs::write(workflows.join("gates.yml"), &text).expect("write");
        assert!(
            readme.contains(&format!("In CI (`{folder}/workflows/gates.yml`")),
            "{forge}: the README names {folder}/workflows/gates.yml"
        );
        let out = common::gatelint_in(dir.path(), &["report", "--format", "json"]);
        assert_eq!(out.code, 0, "{forge}: {}", out.stderr);
        let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
        assert_eq!(gates.len(), 1, "{forge}: one job");
        assert_eq!(gates[0]["verdict"], "required", "{forge}: {}", gates[0]);
        let section = readme
            .split(&format!("### {forge}\n"))
            .nth(1)
            .and_then(|s| s.split("\n### ").next())
            .unwrap_or_else(|| panic!("{forge}: its section"));
        for context in common::contexts(&gates[0]) {
            assert!(
                section.contains(&format!("`{context}`")),
                "{forge}: the README should say to require `{context}`"
            );
        }
        seen.push(forge);
    }
    assert_eq!(seen, ["GitHub", "Gitea", "Forgejo"]);
}

/// The pre-commit example: the release's tag and the hooks `.pre-commit-hooks.yaml` defines.
#[test]
fn readme_pre_commit_example() {
    let hooks = load_yaml(".pre-commit-hooks.yaml", &read(".pre-commit-hooks.yaml"));
    let Value::Seq(hooks) = hooks else {
        panic!("a list of hooks")
    };
    let ids: Vec<&str> = hooks.iter().filter_map(|h| str_of(h, "id")).collect();
    let readme = read("README.md");
    let block = blocks(&readme)
        .into_iter()
        .find(|b| b.h3 == "pre-commit" && b.lang == "yaml")
        .expect("a pre-commit block");
    let config = load_yaml("pre-commit", &(block.lines.join("\n") + "\n"));
    let Some(Value::Seq(repos)) = get(&config, "repos") else {
        panic!("repos")
    };
    assert_eq!(
        str_of(&repos[0], "repo"),
        Some("https://github.com/gatelint/gatelint")
    );
    assert_eq!(
        str_of(&repos[0], "rev"),
        Some(format!("v{VERSION}").as_str())
    );
    let Some(Value::Seq(used)) = get(&repos[0], "hooks") else {
        panic!("hooks")
    };
    for hook in used {
        let id = str_of(hook, "id").unwrap_or_default();
        assert!(
            ids.contains(&id),
            "no hook `{id}` in .pre-commit-hooks.yaml"
        );
    }
    let section = readme.split("### pre-commit\n").nth(1).expect("section");
    for id in ids {
        assert!(section.contains(id), "the README does not name hook `{id}`");
    }
}

// --- docs/rules.md --------------------------------------------------------------------------

/// docs/rules.md as `gatelint rules` gives it.
fn rules_md() -> String {
    let out = common::gatelint(&["rules"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut text = String::from(
        "# Rules\n\
         \n\
         <!-- Generated from `gatelint rules` by tests/readme.rs: do not edit. To update it, run\n\
         GATELINT_BLESS=1 cargo test --test readme -->\n\
         \n\
         Every rule `gatelint check` runs, in the order `gatelint rules` lists them, with its\n\
         default severity. Each id links to the rule's page, which `gatelint explain ID` prints.\n\
         `[rules]` in `gatelint.toml` changes a severity or turns a rule off\n\
         ([configuration.md](configuration.md#rules)). Rules marked \"with --head\", \"with\n\
         --history\" or \"with --trackers\" run only with that option and `--remote`\n\
         ([remote.md](remote.md)); \"diff mode\" and the `gate-*` rules only with `--base`\n\
         ([commands.md](commands.md#diff-mode-check---base-rev)); `snapshot-drift` only with\n\
         `--remote` and a protection file. The rules that compare with branch protection need a\n\
         protection source ([protection.md](protection.md)).\n\
         \n\
         | id | default | what it catches |\n\
         | --- | --- | --- |\n",
    );
    for line in out.stdout.lines().filter(|l| !l.trim().is_empty()) {
        let (id, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim_start();
        let (severity, summary) = rest.split_once(' ').unwrap_or((rest, ""));
        text.push_str(&format!(
            "| [`{id}`](../rules/{id}.md) | {severity} | {} |\n",
            summary.trim().replace('|', "\\|")
        ));
    }
    text
}

#[test]
fn docs_rules_md_is_generated_from_gatelint_rules() {
    let expected = rules_md();
    let file = common::repo_root().join("docs/rules.md");
    let actual = std::fs::read_to_string(&file).unwrap_or_default();
    if actual != expected && std::env::var_os("GATELINT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&file, &expected).expect("write docs/rules.md");
        eprintln!("docs/rules.md regenerated");
        return;
    }
    assert!(
        actual == expected,
        "docs/rules.md is not what `gatelint rules` gives: regenerate it with \
         `GATELINT_BLESS=1 cargo test --test readme`, then commit it"
    );
    // Every rule page is linked, and every linked rule has its page.
    let pages: BTreeSet<String> = md_in("rules")
        .iter()
        .map(|p| {
            p.trim_start_matches("rules/")
                .trim_end_matches(".md")
                .to_owned()
        })
        .collect();
    let listed: BTreeSet<String> = regex::Regex::new(r"\(\.\./rules/([a-z-]+)\.md\)")
        .expect("regex")
        .captures_iter(&actual)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(
        pages, listed,
        "rules/*.md and the ids of `gatelint rules` differ"
    );
}

// --- Links and paths ------------------------------------------------------------------------

/// The anchors GitHub gives a Markdown file's headings.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in prose(text).lines() {
        let Some(heading) = line
            .strip_prefix('#')
            .map(|h| h.trim_start_matches('#'))
            .filter(|h| h.starts_with(' '))
        else {
            continue;
        };
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let n = counts.entry(slug.clone()).or_default();
        out.insert(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    out
}

#[test]
fn relative_links_point_at_files_of_the_repository() {
    let root = common::repo_root().canonicalize().expect("root");
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").expect("regex");
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in all_md() {
        let text = read(&file);
        // Links in prose, not in code.
        let outside_code: String = prose(&text)
            .split('`')
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ");
        for c in link.captures_iter(&outside_code) {
            let target = &c[1];
            if target.starts_with("http://")
                || target.starts_with("https://")
                || target.starts_with("mailto:")
            {
                continue;
            }
            checked += 1;
            let (rel, anchor) = target.split_once('#').unwrap_or((target, ""));
            let here = common::repo_root().join(&file);
            let path = if rel.is_empty() {
                here.clone()
            } else {
                here.parent().expect("folder").join(rel)
            };
            let Ok(resolved) = path.canonicalize() else {
                problems.push(format!("{file}: `{target}`: no such file"));
                continue;
            };
            if !resolved.starts_with(&root) {
                problems.push(format!("{file}: `{target}` is outside the repository"));
                continue;
            }
            if !anchor.is_empty() {
                let body = std::fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&body).contains(anchor) {
                    problems.push(format!("{file}: `{target}`: no heading `#{anchor}` there"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked > 50,
        "only {checked} links found: the extraction broke"
    );
}

/// No document names `../shared` (data beside the project, not in it), but for one sentence
/// of the README that says which tests read it and that they skip when it is absent.
#[test]
fn no_document_names_a_path_outside_the_repository() {
    let mut problems = Vec::new();
    for file in all_md() {
        let mut text: String = read(&file).split_whitespace().collect::<Vec<_>>().join(" ");
        if file == "README.md" {
            assert_eq!(
                text.matches(SHARED_SENTENCE).count(),
                1,
                "README.md says once, in these words, which tests read ../shared: {SHARED_SENTENCE}"
            );
            text = text.replacen(SHARED_SENTENCE, "", 1);
        }
        if text.contains("../shared") {
            problems.push(format!(
                "{file} names ../shared: say \"the real-world corpus the tests read, when present\""
            ));
        }
        // The research notes the facts were first gathered in live beside the project too:
        // a document cites the forge's own source instead.
        if text.contains("FORGE-SEMANTICS") {
            problems.push(format!(
                "{file} cites FORGE-SEMANTICS, a file outside the repository: cite the forge's source"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
