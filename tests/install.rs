//! `install.sh` against a local fake release (wiremock): the binary built here, packaged as the
//! release workflow packages the Linux x86_64 one, with good and bad checksums, a missing
//! asset and an unknown platform; then the installed binary runs the README's quick start on
//! a fixture. Each case asserts the exit code, the message and whether anything was installed.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const TARGET: &str = "x86_64-unknown-linux-musl";
/// Where the fake release lives on the server: `{uri}/owner/gatelint`.
const REPO: &str = "/owner/gatelint";

fn asset() -> String {
    format!("gatelint-v{VERSION}-{TARGET}.tar.gz")
}

/// Fail (not skip) when a tool install.sh or this test needs is missing.
fn require(tools: &[&str]) {
    for tool in tools {
        let found = std::process::Command::new("sh")
            .args(["-c", "command -v \"$1\" >/dev/null", "sh", tool])
            .status()
            .expect("sh runs")
            .success();
        assert!(
            found,
            "`{tool}` is not installed: the install.sh tests need curl, wget, tar and sha256sum"
        );
    }
}

fn sha256(file: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(file)
        .output()
        .expect("sha256sum runs");
    assert!(out.status.success(), "sha256sum {}", file.display());
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .next()
        .expect("sha256sum prints a sum")
        .to_owned()
}

fn tar(dir: &Path, archive: &Path, member: &str) {
    let status = std::process::Command::new("tar")
        .arg("-czf")
        .arg(archive)
        .arg("-C")
        .arg(dir)
        .arg(member)
        .status()
        .expect("tar runs");
    assert!(status.success(), "tar -czf {}", archive.display());
}

/// An archive (bytes, SHA-256) laid out as the release workflow packs one:
/// `gatelint-vV-T/` holding `gatelint` (from `binary`, or a symbolic link to /bin/sh when
/// `None`), the licences and the README.
fn package(binary: Option<&Path>) -> (Vec<u8>, String) {
    require(&["tar", "sha256sum"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("gatelint-v{VERSION}-{TARGET}");
    let folder = dir.path().join(&name);
    std::fs::create_dir(&folder).expect("mkdir");
    match binary {
        Some(bin) => {
            std::fs::copy(bin, folder.join("gatelint")).expect("copy the binary");
        }
        None => std::os::unix::fs::symlink("/bin/sh", folder.join("gatelint")).expect("symlink"),
    }
    for file in ["LICENSE-MIT", "LICENSE-APACHE", "README.md"] {
        std::fs::copy(common::repo_root().join(file), folder.join(file)).expect("copy");
    }
    let archive = dir.path().join(asset());
    tar(dir.path(), &archive, &name);
    let sum = sha256(&archive);
    (std::fs::read(&archive).expect("read the archive"), sum)
}

/// The archive of the binary under test, built once for all the cases.
fn release_archive() -> &'static (Vec<u8>, String) {
    static ARCHIVE: OnceLock<(Vec<u8>, String)> = OnceLock::new();
    ARCHIVE.get_or_init(|| package(Some(Path::new(env!("CARGO_BIN_EXE_gatelint")))))
}

/// A line of SHA256SUMS, as `sha256sum *` writes it.
fn sum_line(sum: &str, name: &str) -> String {
    format!("{sum}  {name}\n")
}

async fn serve(server: &MockServer, route: String, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// A release at `{uri}/owner/gatelint`: `releases/latest` redirects to `latest_tag`, and the
/// release of VERSION serves `sums` as SHA256SUMS and `archive` as the Linux x86_64 asset
/// (each absent, a 404, when `None`).
async fn fake_release(
    latest_tag: &str,
    sums: Option<String>,
    archive: Option<Vec<u8>>,
) -> MockServer {
    let server = MockServer::start().await;
    let uri = server.uri();
    serve(
        &server,
        format!("{REPO}/releases/latest"),
        ResponseTemplate::new(302).insert_header(
            "Location",
            format!("{uri}{REPO}/releases/tag/{latest_tag}").as_str(),
        ),
    )
    .await;
    let download = format!("{REPO}/releases/download/v{VERSION}");
    if let Some(sums) = sums {
        serve(
            &server,
            format!("{download}/SHA256SUMS"),
            ResponseTemplate::new(200).set_body_bytes(sums.into_bytes()),
        )
        .await;
    }
    if let Some(bytes) = archive {
        serve(
            &server,
            format!("{download}/{}", asset()),
            ResponseTemplate::new(200).set_body_bytes(bytes),
        )
        .await;
    }
    server
}

/// The good release: SHA256SUMS lists the asset (and another target's) with the right sum.
async fn good_release() -> MockServer {
    let (bytes, sum) = release_archive();
    let sums = sum_line(
        &"0".repeat(64),
        "gatelint-vX-aarch64-unknown-linux-musl.tar.gz",
    ) + &sum_line(sum, &asset());
    fake_release(&format!("v{VERSION}"), Some(sums), Some(bytes.clone())).await
}

/// A sandbox for one run: a HOME, the folder installed into (`home/bin`, not created), and a
/// folder of stand-ins put first on PATH: `uname` answers `os` and `arch`.
struct Sandbox {
    home: tempfile::TempDir,
    tools: tempfile::TempDir,
}

impl Sandbox {
    fn new(os: &str, arch: &str) -> Sandbox {
        require(&["curl", "tar", "sha256sum"]);
        let sandbox = Sandbox {
            home: tempfile::tempdir().expect("temp dir"),
            tools: tempfile::tempdir().expect("temp dir"),
        };
        sandbox.stand_in(
            "uname",
            &format!("case \"$1\" in -s) echo '{os}' ;; -m) echo '{arch}' ;; *) exit 1 ;; esac"),
        );
        sandbox
    }

    /// An executable `name` first on PATH running `script`.
    fn stand_in(&self, name: &str, script: &str) {
        let file = self.tools.path().join(name);
        std::fs::write(&file, format!("#!/bin/sh\n{script}\n")).expect("write a stand-in");
        let mut perms = std::fs::metadata(&file).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&file, perms).expect("chmod");
    }

    fn linux() -> Sandbox {
        Sandbox::new("Linux", "x86_64")
    }

    fn bin(&self) -> PathBuf {
        self.home.path().join("bin")
    }

    fn installed(&self) -> PathBuf {
        self.bin().join("gatelint")
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `sh install.sh --to HOME/bin ARGS` in the sandbox (off the runtime that serves the fake
/// release), with `env` set. A hang is a failure.
async fn install(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = assert_cmd::Command::new("sh");
    cmd.arg(common::repo_root().join("install.sh"))
        .arg("--to")
        .arg(sandbox.bin())
        .args(args)
        .env(
            "PATH",
            format!(
                "{}:{}",
                sandbox.tools.path().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HOME", sandbox.home.path())
        .env_remove("GATELINT_REPO_URL")
        .env_remove("GATELINT_DOWNLOADER")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .timeout(Duration::from_secs(120));
    for var in [
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("sh runs"))
        .await
        .expect("joins");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    eprintln!("install.sh {args:?} exited {}:\n{}", run.code, run.stderr);
    run
}

fn repo_url(server: &MockServer) -> String {
    format!("{}{REPO}", server.uri())
}

/// Nothing was installed, and no partial file was left behind.
fn assert_nothing_installed(sandbox: &Sandbox, run: &Run) {
    assert!(!sandbox.installed().exists(), "{}", run.stderr);
    if let Ok(entries) = std::fs::read_dir(sandbox.bin()) {
        let left: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
        assert!(left.is_empty(), "left in bin: {left:?}");
    }
}

/// The installed binary works: --version, then the README's quick start on a copy of a
/// fixture, with the same exit codes and output as the binary built here.
fn assert_installed_works(sandbox: &Sandbox) {
    let installed = sandbox.installed();
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&installed)
            .expect("installed")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o755);
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.bin())
        .expect("bin lists")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "gatelint")
        .collect();
    assert!(leftovers.is_empty(), "left in bin: {leftovers:?}");

    let run = |dir: &Path, args: &[&str]| {
        let mut cmd = assert_cmd::Command::new(&installed);
        common::clear_ci_env(&mut cmd);
        let out = cmd
            .current_dir(dir)
            .args(args)
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(60))
            .output()
            .expect("the installed gatelint runs");
        common::Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    let version = run(&common::repo_root(), &["--version"]);
    assert_eq!(version.code, 0);
    assert_eq!(version.stdout, format!("gatelint {VERSION}\n"));

    // On a fixture, from the project root.
    let fixture = common::testdata("gitea-basic");
    let ours = run(&common::repo_root(), &["check", &fixture]);
    let reference = common::gatelint(&["check", &fixture]);
    assert_eq!(ours.code, 1, "{}", ours.stderr);
    assert_eq!(ours.code, reference.code);
    assert_eq!(ours.stdout, reference.stdout);

    // The quick start, in a copy of the fixture (init writes; the copy has no origin remote
    // to take the branch from), and the same in another copy with the binary built here.
    // check finds the placeholders init wrote (`bp-exempt: TODO reason`).
    let work = tempfile::tempdir().expect("temp dir");
    let (mine, theirs) = (work.path().join("a"), work.path().join("b"));
    for dir in [&mine, &theirs] {
        std::fs::create_dir(dir).expect("mkdir");
        common::copy_tree(&common::repo_root().join(&fixture), dir);
    }
    for (args, code) in [
        (&["init", "--branch", "main", "--dry-run"][..], 0),
        (&["init", "--branch", "main"][..], 0),
        (&["check"][..], 1),
        (&["report"][..], 0),
    ] {
        let ours = run(&mine, args);
        let reference = common::gatelint_in(&theirs, args);
        assert_eq!(ours.code, code, "{args:?}: {}", ours.stderr);
        assert_eq!(ours.code, reference.code, "{args:?}");
        assert_eq!(ours.stdout, reference.stdout, "{args:?}");
    }
    assert!(
        mine.join("gatelint.toml").is_file(),
        "init wrote gatelint.toml"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_checksum_installs_and_the_quick_start_runs() {
    let server = good_release().await;
    let sandbox = Sandbox::linux();
    let url = repo_url(&server);
    let run = install(&sandbox, &["--version", VERSION, "--repo-url", &url], &[]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("checksum verified: {}", asset())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "installed {}: gatelint {VERSION}",
            sandbox.installed().display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    assert_installed_works(&sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_is_resolved_through_the_redirect() {
    let server = good_release().await;
    let url = repo_url(&server);
    // The default version, from GATELINT_REPO_URL; with curl, then with wget.
    for downloader in ["curl", "wget"] {
        require(&[downloader]);
        let sandbox = Sandbox::linux();
        if downloader == "wget" {
            sandbox.stand_in("curl", "echo 'curl ran' >&2; exit 97");
        }
        let run = install(
            &sandbox,
            &[],
            &[
                ("GATELINT_REPO_URL", &url),
                ("GATELINT_DOWNLOADER", downloader),
            ],
        )
        .await;
        assert_eq!(run.code, 0, "{downloader}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "gatelint {VERSION} for {TARGET} from {url}/releases/download/v{VERSION}"
            )),
            "{}",
            run.stderr
        );
        let version = std::process::Command::new(sandbox.installed())
            .arg("--version")
            .output()
            .expect("runs");
        assert_eq!(
            String::from_utf8_lossy(&version.stdout),
            format!("gatelint {VERSION}\n")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_checksum_installs_nothing() {
    let (bytes, sum) = release_archive();
    let wrong = "ab".repeat(32);
    assert_ne!(&wrong, sum);
    let server = fake_release(
        &format!("v{VERSION}"),
        Some(sum_line(&wrong, &asset())),
        Some(bytes.clone()),
    )
    .await;
    let sandbox = Sandbox::linux();
    let run = install(&sandbox, &["--repo-url", &repo_url(&server)], &[]).await;
    assert_eq!(run.code, 1);
    for phrase in [
        format!("checksum mismatch for {}", asset()),
        format!("expected (SHA256SUMS): {wrong}"),
        format!("actual (downloaded):   {sum}"),
        "nothing installed".to_owned(),
    ] {
        assert!(run.stderr.contains(&phrase), "{phrase}: {}", run.stderr);
    }
    assert_nothing_installed(&sandbox, &run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_asset_installs_nothing() {
    let (_, sum) = release_archive();
    let server = fake_release(&format!("v{VERSION}"), Some(sum_line(sum, &asset())), None).await;
    let sandbox = Sandbox::linux();
    let url = repo_url(&server);
    let run = install(&sandbox, &["--repo-url", &url], &[]).await;
    assert_eq!(run.code, 1);
    let phrase = format!(
        "could not download {a} from {url}/releases/download/v{VERSION}/{a} (HTTP 404); nothing installed",
        a = asset()
    );
    assert!(run.stderr.contains(&phrase), "{}", run.stderr);
    assert_nothing_installed(&sandbox, &run);

    // No SHA256SUMS in the release at all.
    let server = fake_release(&format!("v{VERSION}"), None, None).await;
    let url = repo_url(&server);
    let run = install(&sandbox, &["--repo-url", &url], &[]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "could not download SHA256SUMS from {url}/releases/download/v{VERSION}/SHA256SUMS (HTTP 404)"
        )),
        "{}",
        run.stderr
    );
    assert_nothing_installed(&sandbox, &run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sums_without_the_assets_line_install_nothing() {
    let (bytes, sum) = release_archive();
    // Near misses with the right sum: a longer name, a prefix, another target. The name is
    // compared as a string, so none of them counts.
    let sums = sum_line(sum, &format!("{}.sig", asset()))
        + &sum_line(sum, &format!("x{}", asset()))
        + &sum_line(sum, &asset().replace('.', "?"))
        + &sum_line(sum, &asset().replace("x86_64", "aarch64"));
    let server = fake_release(&format!("v{VERSION}"), Some(sums), Some(bytes.clone())).await;
    let sandbox = Sandbox::linux();
    let run = install(&sandbox, &["--repo-url", &repo_url(&server)], &[]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "SHA256SUMS of release v{VERSION} lists no {}",
            asset()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("cargo install --locked gatelint"),
        "{}",
        run.stderr
    );
    assert_nothing_installed(&sandbox, &run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_whose_binary_is_a_symlink_installs_nothing() {
    let (bytes, sum) = package(None);
    let server = fake_release(
        &format!("v{VERSION}"),
        Some(sum_line(&sum, &asset())),
        Some(bytes),
    )
    .await;
    let sandbox = Sandbox::linux();
    let run = install(&sandbox, &["--repo-url", &repo_url(&server)], &[]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "holds no regular file gatelint-v{VERSION}-{TARGET}/gatelint; nothing installed"
        )),
        "{}",
        run.stderr
    );
    assert_nothing_installed(&sandbox, &run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_platform_is_refused_before_any_download() {
    let server = good_release().await;
    for (os, arch) in [("Plan9", "mips"), ("Linux", "riscv64"), ("Darwin", "ppc")] {
        let sandbox = Sandbox::new(os, arch);
        let run = install(&sandbox, &["--repo-url", &repo_url(&server)], &[]).await;
        assert_eq!(run.code, 3);
        for phrase in [
            format!("no gatelint release binary for this platform: {os} {arch}"),
            "x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin \
             aarch64-apple-darwin x86_64-pc-windows-msvc"
                .to_owned(),
            "cargo install --locked gatelint".to_owned(),
        ] {
            assert!(run.stderr.contains(&phrase), "{phrase}: {}", run.stderr);
        }
        assert_nothing_installed(&sandbox, &run);
    }
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.is_empty(), "{requests:?}");

    // --target overrides the detection, and must name a release target.
    let sandbox = Sandbox::new("Plan9", "mips");
    let run = install(
        &sandbox,
        &["--repo-url", &repo_url(&server), "--target", TARGET],
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = install(
        &sandbox,
        &["--repo-url", &repo_url(&server), "--target", "mips-plan9"],
        &[],
    )
    .await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--target must be one of"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_and_versions_are_refused() {
    let server = good_release().await;
    let sandbox = Sandbox::linux();
    // Refused before anything is downloaded, so no request leaves this machine.
    for url in [
        "http://example.com/owner/gatelint",
        "http://127.0.0.1.example.com/owner/gatelint",
        "http://localhost@example.com/owner/gatelint",
        "ftp://127.0.0.1/owner/gatelint",
        "file:///etc",
        "https://example.com/owner/gatelint x",
        "https://example.com/$(id)",
        "https://example.com/a\nhttps://example.com/b",
    ] {
        let run = install(&sandbox, &["--repo-url", url], &[]).await;
        assert_eq!(run.code, 2, "{url}");
        assert!(
            run.stderr.contains(
                "--repo-url must be an https:// URL (http:// only to 127.0.0.1 or localhost)"
            ),
            "{url}: {}",
            run.stderr
        );
        // The same from the environment.
        let run = install(&sandbox, &[], &[("GATELINT_REPO_URL", url)]).await;
        assert_eq!(run.code, 2, "{url}");
    }
    let run = install(&sandbox, &["--repo-url", ""], &[]).await;
    assert_eq!(run.code, 2);
    for version in [
        "1.0; rm -rf /",
        "1.0",
        "v1.2.3.4",
        "1.2.3\n4.5.6",
        "$(id)",
        "1.2.3-",
        "../1.2.3",
        "",
    ] {
        let run = install(
            &sandbox,
            &["--repo-url", &repo_url(&server), "--version", version],
            &[],
        )
        .await;
        assert_eq!(run.code, 2, "{version}");
        assert!(
            run.stderr.contains("--version must be X.Y.Z"),
            "{version}: {}",
            run.stderr
        );
    }
    for (args, phrase) in [
        (&["--bogus"][..], "unknown argument: --bogus"),
        (&["--version"][..], "--version needs a value"),
    ] {
        let run = install(&sandbox, args, &[]).await;
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains(phrase), "{}", run.stderr);
        assert!(
            run.stderr.contains("usage: sh install.sh"),
            "{}",
            run.stderr
        );
    }
    assert_nothing_installed(&sandbox, &run);
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(requests.is_empty(), "{requests:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_version_resolves_and_installs_nothing() {
    let server = good_release().await;
    let sandbox = Sandbox::new("Plan9", "mips");
    let url = repo_url(&server);
    // latest: one request, the redirect; the platform does not matter.
    let run = install(&sandbox, &["--repo-url", &url, "--print-version"], &[]).await;
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, format!("{VERSION}\n").as_str())
    );
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.path(), format!("{REPO}/releases/latest"));
    // An explicit version is only checked and normalised: no request.
    let run = install(
        &sandbox,
        &[
            "--repo-url",
            &url,
            "--version",
            "v2.3.4-rc.1",
            "--print-version",
        ],
        &[],
    )
    .await;
    assert_eq!((run.code, run.stdout.as_str()), (0, "2.3.4-rc.1\n"));
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
    assert_nothing_installed(&sandbox, &run);

    // A latest that redirects to a tag that is not a version, or a forge with no release.
    let odd = fake_release("nightly;id", None, None).await;
    let run = install(
        &sandbox,
        &["--repo-url", &repo_url(&odd), "--print-version"],
        &[],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a vX.Y.Z tag"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // Nothing listening.
    let gone = {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        format!("http://127.0.0.1:{port}{REPO}")
    };
    let run = install(&sandbox, &["--repo-url", &gone, "--print-version"], &[]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("could not be reached"),
        "{}",
        run.stderr
    );
    let empty = MockServer::start().await;
    let run = install(
        &sandbox,
        &["--repo-url", &repo_url(&empty), "--print-version"],
        &[],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "could not resolve the latest release: {}/releases/latest answered HTTP 404, not a redirect",
            repo_url(&empty)
        )),
        "{}",
        run.stderr
    );
}
