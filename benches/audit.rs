//! `gatelint audit` against a local fake forge (tests/common/fake_forge.rs, loopback only)
//! serving 1,000 repositories made from `../shared/corpus/real/` (each one a corpus
//! repository's workflows; its protection requires the first three contexts `gatelint report`
//! names in it for that forge), every answer 20 ms late.
//!
//! `cargo bench --bench audit` (release build; Linux: peak memory is read from
//! `/proc/PID/status`). Prints, for GitHub through GraphQL, GitHub over REST, Gitea before
//! 1.24 (a request per workflow file) and Gitea 1.24+ (`file-contents`: the files of a
//! folder in one request), with `--jobs 16`: the wall time, the requests per repository and the gatelint process's peak
//! resident memory; then the peak for 200 repositories, and an interrupted run resumed with
//! `--state` (the requests it made again for repositories the first run finished).
//! `GATELINT_BENCH_REPOS` changes the number of repositories (default 1000);
//! `GATELINT_BENCH_OUT=DIR` keeps each run's JSON Lines output in DIR.

#[path = "../tests/common/fake_forge.rs"]
mod fake_forge;
#[path = "../tests/common/peak.rs"]
mod peak;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_forge::{FakeForge, Kind, Repo};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BIN: &str = env!("CARGO_BIN_EXE_gatelint");

struct Shared(Arc<FakeForge>);

impl Respond for Shared {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

/// Each corpus repository: its workflow files (path, text) and the contexts it posts, as
/// GitHub and as Gitea name them.
struct Source {
    name: String,
    files: Vec<(String, String)>,
    github: Vec<String>,
    gitea: Vec<String>,
}

/// The first three contexts `gatelint report --forge FORGE` names in `dir`.
fn contexts(dir: &Path, forge: &str) -> Vec<String> {
    let report = Command::new(BIN)
        .args(["report", "--format", "json", "--quiet", "--forge", forge])
        .arg(dir)
        .output();
    let mut contexts: Vec<String> = report
        .ok()
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
        .and_then(|v| v["gates"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|g| {
            g["contexts"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
        })
        .collect();
    contexts.dedup();
    contexts.truncate(3);
    contexts
}

fn files_under(root: &Path, rel: &str, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let sub = format!("{rel}/{name}");
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            files_under(root, &sub, out);
        } else if kind.is_file()
            && (name.ends_with(".yml") || name.ends_with(".yaml"))
            && let Ok(text) = std::fs::read_to_string(e.path())
        {
            out.push((sub, text));
        }
    }
}

fn sources(corpus: &Path) -> Vec<Source> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let mut files = Vec::new();
        for folder in [
            ".github/workflows",
            ".gitea/workflows",
            ".forgejo/workflows",
        ] {
            files_under(&dir, folder, &mut files);
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .replace("__", "-");
        out.push(Source {
            name,
            files,
            github: contexts(&dir, "github"),
            gitea: contexts(&dir, "gitea"),
        });
    }
    out
}

fn org(sources: &[Source], n: usize, kind: Kind) -> Vec<Repo> {
    (0..n)
        .map(|i| {
            let s = &sources[i % sources.len()];
            let mut r = Repo::new(&format!("acme/r{i:04}-{}", s.name));
            // GitHub reads .github/workflows only; Gitea its own folder first.
            r.files = s
                .files
                .iter()
                .filter(|(p, _)| kind == Kind::Gitea || p.starts_with(".github/workflows/"))
                .filter(|(p, _)| kind == Kind::Github || !p.starts_with(".forgejo/"))
                .cloned()
                .collect();
            let names = match kind {
                Kind::Github => &s.github,
                Kind::Gitea => &s.gitea,
            };
            let req: Vec<&str> = names.iter().map(String::as_str).collect();
            if !req.is_empty() {
                r = r.requires(&req);
            }
            r
        })
        .collect()
}

struct Run {
    wall: Duration,
    peak_kb: u64,
    code: i32,
    stdout: String,
}

/// Run gatelint, reading its peak resident memory (VmHWM) while it runs; `kill_after`
/// interrupts it.
fn run(args: &[String], kill_after: Option<Duration>) -> Run {
    let start = Instant::now();
    let mut child = match Command::new(BIN)
        .args(args)
        .env("GATELINT_TOKEN", "bench-token")
        .env_remove("GITHUB_SERVER_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("cannot run {BIN}: {e}"),
    };
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut out) = stdout {
            let _ = std::io::Read::read_to_string(&mut out, &mut s);
        }
        s
    });
    let (code, peak_kb) = peak::wait_measured(&mut child, kill_after);
    let wall = start.elapsed();
    Run {
        wall,
        peak_kb,
        code,
        stdout: reader.join().unwrap_or_default(),
    }
}

async fn serve(kind: Kind, repos: Vec<Repo>) -> (MockServer, Arc<FakeForge>) {
    serve_with(kind, repos, false).await
}

async fn serve_with(
    kind: Kind,
    repos: Vec<Repo>,
    file_contents: bool,
) -> (MockServer, Arc<FakeForge>) {
    let server = MockServer::start().await;
    let mut forge = FakeForge::new(kind, "acme", repos);
    forge.latency = Some(Duration::from_millis(20));
    // Gitea answers at most 100 files a request (its default page size).
    forge.file_contents = file_contents.then_some(100);
    if let Ok(mut u) = forge.uri.lock() {
        *u = server.uri();
    }
    let forge = Arc::new(forge);
    Mock::given(any())
        .respond_with(Shared(Arc::clone(&forge)))
        .mount(&server)
        .await;
    (server, forge)
}

fn args(server: &MockServer, kind: Kind, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "audit",
        "--org",
        "acme",
        "--server",
        &server.uri(),
        "--jobs",
        "16",
        "--format",
        "jsonl",
        "--quiet",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if kind == Kind::Gitea {
        a.extend(["--forge".to_owned(), "gitea".to_owned()]);
    }
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

async fn measure(label: &str, kind: Kind, repos: Vec<Repo>, extra: &[&str]) -> Run {
    measure_with(label, kind, repos, extra, false).await
}

async fn measure_with(
    label: &str,
    kind: Kind,
    repos: Vec<Repo>,
    extra: &[&str],
    file_contents: bool,
) -> Run {
    let n = repos.len();
    let files: usize = repos.iter().map(|r| r.files.len()).sum();
    let (server, forge) = serve_with(kind, repos, file_contents).await;
    let a = args(&server, kind, extra);
    let r = tokio::task::spawn_blocking(move || run(&a, None))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let lines = r.stdout.lines().count();
    // GATELINT_BENCH_OUT=DIR keeps each run's output, to read what the audit said.
    if let Some(dir) = std::env::var_os("GATELINT_BENCH_OUT") {
        let name: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let _ = std::fs::write(Path::new(&dir).join(format!("{name}.jsonl")), &r.stdout);
    }
    println!(
        "{label:<26} {n:>5} repos  wall {:>6.2} s  requests {:>6} ({:.2} per repository; {files} workflow files)  peak {:>6.1} MB  exit {}  {} output lines",
        r.wall.as_secs_f64(),
        forge.total(),
        forge.total() as f64 / n as f64,
        r.peak_kb as f64 / 1024.0,
        r.code,
        lines
    );
    r
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if !corpus.is_dir() {
        println!("SKIPPED: {} is absent", corpus.display());
        return;
    }
    let n: usize = std::env::var("GATELINT_BENCH_REPOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let sources = tokio::task::spawn_blocking(move || sources(&corpus))
        .await
        .unwrap_or_default();
    println!(
        "fake forge: {} corpus repositories, 20 ms per answer, --jobs 16",
        sources.len()
    );
    measure(
        "github graphql",
        Kind::Github,
        org(&sources, n, Kind::Github),
        &[],
    )
    .await;
    measure(
        "github graphql (200)",
        Kind::Github,
        org(&sources, n.min(200), Kind::Github),
        &[],
    )
    .await;
    measure(
        "github rest",
        Kind::Github,
        org(&sources, n, Kind::Github),
        &["--rest"],
    )
    .await;
    measure("gitea", Kind::Gitea, org(&sources, n, Kind::Gitea), &[]).await;
    measure_with(
        "gitea 1.24+ (file-contents)",
        Kind::Gitea,
        org(&sources, n, Kind::Gitea),
        &[],
        true,
    )
    .await;

    // Interrupted after a while, then resumed: what did it fetch again?
    let dir = std::env::temp_dir().join(format!("gatelint-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let state = dir.join("state.jsonl");
    let _ = std::fs::remove_file(&state);
    let (server, forge) = serve(Kind::Github, org(&sources, n, Kind::Github)).await;
    let state_arg = state.to_string_lossy().into_owned();
    let a = args(&server, Kind::Github, &["--state", &state_arg]);
    let first = tokio::task::spawn_blocking(move || run(&a, Some(Duration::from_secs(2))))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let finished: Vec<String> = std::fs::read_to_string(&state)
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["repository"].as_str().map(str::to_owned))
        .collect();
    let before: BTreeMap<String, usize> = finished
        .iter()
        .map(|r| (r.clone(), forge.requests_for(r)))
        .collect();
    let a = args(&server, Kind::Github, &["--state", &state_arg]);
    let second = tokio::task::spawn_blocking(move || run(&a, None))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let again: usize = before.iter().map(|(r, n)| forge.requests_for(r) - n).sum();
    println!(
        "resume: interrupted after {:.1} s with {} of {n} repositories finished; the resumed run took {:.2} s (exit {}) and made {again} requests for the finished ones",
        first.wall.as_secs_f64(),
        finished.len(),
        second.wall.as_secs_f64(),
        second.code
    );
    let _ = std::fs::remove_dir_all(&dir);
}
