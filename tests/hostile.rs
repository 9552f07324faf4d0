//! A hostile pull request (issue 9): each attack on diff mode, symbolic links and the
//! repository's own settings, built in a temporary folder (git trees included), with the exact
//! outcome asserted: exit code, finding, nothing written outside, no secret in the output.
//! Resource exhaustion, output injection, `init` and the remote client have their own files
//! (`hostile_*.rs`).

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn git(dir: &Path, args: &[&str]) -> String {
    git_in(dir, args, None)
}

fn git_in(dir: &Path, args: &[&str], input: Option<&[u8]>) -> String {
    common::git(dir, args, input)
}

/// A blob with `content`, written to the object store.
fn blob(dir: &Path, content: &[u8]) -> String {
    git_in(dir, &["hash-object", "-w", "--stdin"], Some(content))
}

/// A tree of `(mode, kind, oid, name)` entries, names unchecked (as a fetch would accept).
fn tree(dir: &Path, entries: &[(&str, &str, &str, &[u8])]) -> String {
    let mut input = Vec::new();
    for (mode, kind, oid, name) in entries {
        input.extend_from_slice(format!("{mode} {kind} {oid}\t").as_bytes());
        input.extend_from_slice(name);
        input.push(0);
    }
    git_in(dir, &["mktree", "-z", "--missing"], Some(&input))
}

fn commit(dir: &Path, tree: &str) -> String {
    git(dir, &["commit-tree", tree, "-m", "base"])
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn new_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

fn check_json(dir: &Path, extra: &[&str]) -> (i32, Vec<Value>, common::Output) {
    let root = dir.to_string_lossy().into_owned();
    let mut args = vec!["check", root.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = common::gatelint(&args);
    let findings = if out.stdout.is_empty() {
        Vec::new()
    } else {
        out.json()["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    (out.code, findings, out)
}

fn rules_of(findings: &[Value]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["file"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

const WORKFLOW: &str = "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  build:\n    runs-on: x\n    steps: [{run: 'true'}]\n";

/// Every file under `dir` (not following links), relative, with its bytes.
fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for e in std::fs::read_dir(&d).expect("lists").flatten() {
            let t = e.file_type().expect("type");
            if t.is_dir() {
                pending.push(e.path());
            } else if t.is_file() {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(e.path()).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// Attack 1: a base tree with `.gitea/workflows/zz/../../../../../.git/config` once made
/// `check --base` write there (over `.git/config`, with an `fsmonitor` command the next git
/// call runs). The base is now read into memory: nothing is written anywhere, and the entry is
/// a finding.
#[test]
fn diff_mode_writes_nothing_for_dot_dot_entries() {
    let repo = new_repo();
    let dir = repo.path();
    write(dir, ".gitea/workflows/ci.yml", WORKFLOW);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "head"]);
    let marker = dir.join("pwned");
    let evil_config = format!(
        "[core]\n\tfsmonitor = \"touch {}\"\n",
        marker.to_string_lossy()
    );
    let config_blob = blob(dir, evil_config.as_bytes());
    let wf_blob = blob(dir, WORKFLOW.as_bytes());
    let dot_git = tree(dir, &[("100644", "blob", &config_blob, b"config")]);
    let mut level = tree(dir, &[("040000", "tree", &dot_git, b".git")]);
    // zz/.. five times: from the temporary folder's workflows folder up to the repository.
    for _ in 0..5 {
        level = tree(dir, &[("040000", "tree", &level, b"..")]);
    }
    let evil_yml = tree(dir, &[("100644", "blob", &wf_blob, b"evil.yml")]);
    let up = tree(dir, &[("040000", "tree", &evil_yml, b"..")]);
    let workflows = tree(
        dir,
        &[
            ("100644", "blob", &wf_blob, b"ci.yml"),
            ("040000", "tree", &level, b"zz"),
            ("040000", "tree", &up, b"yy"),
        ],
    );
    let gitea = tree(dir, &[("040000", "tree", &workflows, b"workflows")]);
    let root = tree(dir, &[("040000", "tree", &gitea, b".gitea")]);
    let base = commit(dir, &root);

    // Temporary folders inside the repository: the old export's `..` walk ended in .git.
    let tmp = dir.join("tmpx");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    let before = snapshot_tree(dir);
    let root_arg = dir.to_string_lossy().into_owned();
    let out = common::gatelint_env(
        dir,
        &["check", &root_arg, "--base", &base, "--format", "json"],
        &[("TMPDIR", &tmp.to_string_lossy())],
    );
    assert_eq!(
        snapshot_tree(dir),
        before,
        "diff mode wrote into the repository"
    );
    assert!(!marker.exists());
    assert_eq!(std::fs::read_dir(&tmp).expect("lists").count(), 0);
    // Both crafted paths are findings (errors), not silent skips: exit 1.
    assert_eq!(out.code, 1, "{}", out.stderr);
    let findings = out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let crafted: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["rule"] == "workflow-invalid"
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("`..` component"))
        })
        .collect();
    assert_eq!(crafted.len(), 1, "{findings:#?}");
    assert_eq!(crafted[0]["file"], ".gitea/workflows/yy/../evil.yml");
    assert!(
        crafted[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("at the base revision")),
        "{crafted:?}"
    );
}

/// Attack 2: a workflow symlinked to `/proc/self/environ` printed the whole environment in
/// the human snippet. Symlinked workflows are not followed: a finding, no text of the target.
#[test]
fn symlinked_workflow_is_not_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), ".github/workflows/ci.yml", WORKFLOW);
    for (name, target) in [
        ("environ.yml", "/proc/self/environ"),
        ("zero.yml", "/dev/zero"),
        ("random.yml", "/dev/urandom"),
        ("dangling.yml", "/nonexistent/gatelint"),
        ("inside.yml", "ci.yml"),
    ] {
        std::os::unix::fs::symlink(target, dir.path().join(".github/workflows").join(name))
            .expect("symlink");
    }
    let root = dir.path().to_string_lossy().into_owned();
    for format in ["human", "json", "markdown", "github", "sarif"] {
        let out = common::gatelint_env(
            dir.path(),
            &["check", &root, "--format", format],
            &[("GATELINT_SECRET_CANARY", "environ-canary-31337")],
        );
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            !out.stdout.contains("environ-canary-31337"),
            "{}",
            out.stdout
        );
        assert!(!out.stdout.contains("PATH="), "{}", out.stdout);
    }
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let mut links: Vec<(String, String)> = rules_of(&findings)
        .into_iter()
        .filter(|(rule, _)| rule == "workflow-invalid")
        .collect();
    links.sort();
    assert_eq!(
        links,
        ["dangling", "environ", "inside", "random", "zero"]
            .iter()
            .map(|n| (
                "workflow-invalid".to_owned(),
                format!(".github/workflows/{n}.yml")
            ))
            .collect::<Vec<_>>()
    );
    assert!(findings.iter().all(|f| {
        f["rule"] != "workflow-invalid"
            || f["message"]
                .as_str()
                .is_some_and(|m| m.contains("is a symbolic link"))
    }));
}

/// Attack 2: a FIFO as a workflow, a called workflow linked to `/dev/zero`, a protection
/// file that is a FIFO or leaves the repository, a gatelint.toml linked outside: each is
/// refused without reading, none hangs (the test's 60 s timeout is the hard stop).
#[test]
fn devices_fifos_and_links_out_are_never_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(
        d,
        ".gitea/workflows/ci.yml",
        "name: CI\non: pull_request\njobs:\n  call:\n    uses: ./shared/called.yml\n  # bp-required: yes\n  build:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
    );
    std::fs::create_dir_all(d.join("shared")).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", d.join("shared/called.yml")).expect("symlink");
    let fifo = d.join(".gitea/workflows/pipe.yml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let have_fifo = made.is_ok_and(|s| s.success());
    let root = d.to_string_lossy().into_owned();
    let out = common::gatelint(&["report", &root, "--format", "json", "--forge", "gitea"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let gates = out.json()["gates"].as_array().cloned().unwrap_or_default();
    let call = common::gate(&gates, ".gitea/workflows/ci.yml", "call");
    // Gitea ≤ 1.26 posts the caller's own context; from 1.27 the called jobs are needed too.
    let why = call["unresolvable"].as_str().unwrap_or_default().to_owned();
    if !why.is_empty() {
        assert!(why.contains("is a symbolic link"), "{why}");
    }
    if have_fifo {
        assert!(
            out.stderr.contains("pipe.yml") && out.stderr.contains("not a regular file"),
            "{}",
            out.stderr
        );
    }

    // A protection file that is a FIFO (named by the flag or by the config): exit 2.
    let prot_fifo = d.join("protection.txt");
    if Command::new("mkfifo")
        .arg(&prot_fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let out = common::gatelint(&["check", &root, "--protection", &prot_fifo.to_string_lossy()]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("named pipe"), "{}", out.stderr);
        write(d, "gatelint.toml", "protection = \"protection.txt\"\n");
        let out = common::gatelint(&["check", &root]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("named pipe"), "{}", out.stderr);
    }
    let out = common::gatelint(&["check", &root, "--protection", "/dev/zero"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("character device"), "{}", out.stderr);

    // The config names a protection file outside the repository: exit 2, its text unshown.
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "secret.txt", "CI / secret-context-31337\n");
    write(
        d,
        "gatelint.toml",
        &format!(
            "protection = \"{}\"\n",
            outside.path().join("secret.txt").to_string_lossy()
        ),
    );
    let out = common::gatelint(&["check", &root]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("outside the repository"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("secret-context-31337"));
    write(
        d,
        "gatelint.toml",
        "protection = \"../x/../../etc/passwd\"\n",
    );
    let out = common::gatelint(&["check", &root]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stderr.contains("root:"), "{}", out.stderr);

    // gatelint.toml itself linked to the environment: exit 2, nothing of it shown.
    std::fs::remove_file(d.join("gatelint.toml")).expect("rm");
    std::os::unix::fs::symlink("/proc/self/environ", d.join("gatelint.toml")).expect("symlink");
    let out = common::gatelint(&["check", &root]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("outside the repository"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("PATH="), "{}", out.stderr);
}

/// Attack 2: a workflows folder that is a symbolic link (to a folder outside) is not read.
#[test]
fn symlinked_workflows_folder_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "ci.yml", WORKFLOW);
    std::fs::create_dir_all(dir.path().join(".github")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".github/workflows"))
        .expect("symlink");
    let root = dir.path().to_string_lossy().into_owned();
    let out = common::gatelint(&["check", &root]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(".github/workflows is a symbolic link"),
        "{}",
        out.stderr
    );
}

/// Skipped entries get a note: a name that is not UTF-8, a symlinked sub-folder.
#[test]
fn skipped_entries_are_notes() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, ".gitea/workflows/ci.yml", WORKFLOW);
    let bad = std::ffi::OsStr::from_bytes(b"bad-\xff.yml");
    std::fs::write(d.join(".gitea/workflows").join(bad), WORKFLOW).expect("write");
    std::fs::create_dir_all(d.join("elsewhere")).expect("mkdir");
    std::os::unix::fs::symlink(d.join("elsewhere"), d.join(".gitea/workflows/sub"))
        .expect("symlink");
    let (code, findings, out) = check_json(d, &["--forge", "gitea"]);
    assert_eq!(code, 0, "{}", out.stderr);
    let mut skipped: Vec<(String, String, String)> = findings
        .iter()
        .filter(|f| f["rule"] == "workflow-skipped")
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    skipped.sort();
    assert_eq!(skipped.len(), 2, "{findings:#?}");
    assert_eq!(skipped[0].0, ".gitea/workflows/bad-\u{fffd}.yml");
    assert_eq!(skipped[0].1, "note");
    assert!(skipped[0].2.contains("not valid UTF-8"));
    assert_eq!(skipped[1].0, ".gitea/workflows/sub");
    assert!(skipped[1].2.contains("symbolic link to a folder"));
}

/// Attack 3: file names with a newline desynchronised `git cat-file --batch`, and a large blob
/// could deadlock it. Blobs are asked for by id: every base file is read.
#[test]
fn diff_mode_reads_newline_names_and_large_blobs() {
    let repo = new_repo();
    let dir = repo.path();
    // A valid workflow of ~600 KB (more than any pipe buffer) and one with a newline in its
    // name that defines a required job.
    let mut big = String::from("name: Big\non: pull_request\njobs:\n");
    for i in 0..4000 {
        big.push_str(&format!(
            "  j{i}:\n    runs-on: x\n    steps: [{{run: 'echo padding padding padding padding padding {i}'}}]\n"
        ));
    }
    let big_blob = blob(dir, big.as_bytes());
    let nl_blob = blob(
        dir,
        WORKFLOW
            .replace("name: CI", "name: NL")
            .replace("build:", "nl-build:")
            .as_bytes(),
    );
    let ci_blob = blob(dir, WORKFLOW.as_bytes());
    let workflows = tree(
        dir,
        &[
            ("100644", "blob", &big_blob, b"big.yml"),
            ("100644", "blob", &ci_blob, b"ci.yml"),
            ("100644", "blob", &nl_blob, b"new\nline.yml"),
        ],
    );
    let github = tree(dir, &[("040000", "tree", &workflows, b"workflows")]);
    let root = tree(dir, &[("040000", "tree", &github, b".github")]);
    let base = commit(dir, &root);
    // The head: the newline file is gone (its required gate removed), the rest unchanged.
    write(dir, ".github/workflows/ci.yml", WORKFLOW);
    write(dir, ".github/workflows/big.yml", &big);
    let (code, findings, out) = check_json(dir, &["--base", &base]);
    assert_eq!(code, 1, "{}\n{}", out.stderr, out.stdout);
    // The required job of the newline-named file was read at the base: its loss is seen (as
    // a rename, `build` in ci.yml being the nearest job left).
    let lost: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "gate-renamed" || f["rule"] == "gate-removed")
        .collect();
    assert_eq!(lost.len(), 1, "{findings:#?}");
    assert_eq!(
        lost[0]["message"],
        "required job `nl-build` (now `build`) now posts `build` instead of `nl-build`"
    );
    assert!(
        !findings.iter().any(|f| f["rule"] == "workflow-invalid"),
        "{findings:#?}"
    );
}

/// Attack 3: a base blob over the size cap is a finding, not a silent skip.
#[test]
fn diff_mode_oversized_base_blob_is_a_finding() {
    let repo = new_repo();
    let dir = repo.path();
    let mut huge = String::from(WORKFLOW);
    let pad = "# padding padding padding padding padding padding padding padding\n";
    huge.push_str(&pad.repeat(17 * 1024 * 1024 / pad.len()));
    write(dir, ".github/workflows/ci.yml", &huge);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    write(dir, ".github/workflows/ci.yml", WORKFLOW);
    let (code, findings, out) = check_json(dir, &["--base", "HEAD"]);
    assert_eq!(code, 1, "{}", out.stderr);
    let at_base: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "workflow-invalid")
        .collect();
    assert_eq!(at_base.len(), 1, "{findings:#?}");
    assert_eq!(at_base[0]["file"], ".github/workflows/ci.yml");
    assert!(
        at_base[0]["message"].as_str().is_some_and(
            |m| m.contains("at the base revision HEAD") && m.contains("larger than 16 MiB")
        ),
        "{at_base:?}"
    );
}

/// A `--base` value that looks like an option is not passed to git as one.
#[test]
fn diff_mode_refuses_option_like_revisions() {
    let repo = new_repo();
    write(repo.path(), ".github/workflows/ci.yml", WORKFLOW);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "base"]);
    let root = repo.path().to_string_lossy().into_owned();
    let out = common::gatelint(&["check", &root, "--base=--output=/tmp/gatelint-pwned"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a revision"), "{}", out.stderr);
    assert!(!Path::new("/tmp/gatelint-pwned").exists());
}

/// Attack 3: the pull request's own gatelint.toml cannot weaken diff mode: the base's config
/// is applied (rule severities, keywords, waivers, trackers, protection), and each loosening
/// is itself `gate-weakened`.
#[test]
fn head_config_cannot_weaken_diff_mode() {
    let repo = new_repo();
    let dir = repo.path();
    write(dir, ".github/workflows/ci.yml", WORKFLOW);
    write(dir, "protection.txt", "build\n");
    write(dir, "gatelint.toml", "protection = \"protection.txt\"\n");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    // The pull request renames the required job, turns the rules that report that off,
    // renames the directive keyword, empties the protection file and registers a tracker.
    write(
        dir,
        ".github/workflows/ci.yml",
        "name: CI\non: pull_request\njobs:\n  # bp-required: yes\n  other:\n    runs-on: x\n    steps: [{run: 'true'}]\n",
    );
    write(dir, "protection.txt", "other\n");
    write(
        dir,
        "gatelint.toml",
        "protection = \"protection.txt\"\n[rules]\ngate-removed = \"off\"\nrequired-not-protected = \"off\"\n[directives]\nrequired = \"never-required\"\n[masks]\ntrackers = ['.*']\n",
    );
    let (code, findings, out) = check_json(dir, &["--base", "HEAD"]);
    assert_eq!(code, 1, "{}", out.stderr);
    let mut rows: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    rows.sort();
    let expected: Vec<(String, String)> = [
        ("gate-renamed", "required job `build` (now `other`) now posts `other` instead of `build`"),
        ("gate-weakened", "gatelint.toml adds the tracker pattern `.*`: comments matching it register masks"),
        ("gate-weakened", "gatelint.toml changes the `[directives]` keywords or window: directives are read differently"),
        ("gate-weakened", "gatelint.toml turns rule `gate-removed` from error to off"),
        ("gate-weakened", "gatelint.toml turns rule `required-not-protected` from error to off"),
        ("gate-weakened", "the protection file no longer requires `build` (the base's version is used for this check)"),
        ("protection-orphaned", "protection of `main` requires `build`, which no job posts: the merge waits for it forever"),
        ("required-not-protected", "`other` is `bp-required: yes`, but the protection of `main` requires none of `other`"),
    ]
    .iter()
    .map(|(r, m)| ((*r).to_owned(), (*m).to_owned()))
    .collect();
    assert_eq!(rows, expected, "{findings:#?}");
}

/// With `--remote --base`, the branch whose protection is read comes from the base's
/// settings too: a pull request's `branch = "develop"` (unprotected there) cannot point the
/// check at another branch's protection.
#[tokio::test(flavor = "multi_thread")]
async fn head_config_cannot_redirect_live_protection() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let Some(list) = common::shared("api-fixtures/gitea-branch-protections.json")
        .and_then(|p| std::fs::read_to_string(p).ok())
    else {
        return;
    };
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/repos/octo/app/branch_protections"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(list, "application/json"))
        .mount(&server)
        .await;
    let repo = new_repo();
    let dir = repo.path().to_path_buf();
    common::copy_tree(&common::repo_root().join("testdata/remote-gitea"), &dir);
    write(
        &dir,
        "gatelint.toml",
        "forge = \"gitea\"\nbranch = \"main\"\n",
    );
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    write(
        &dir,
        "gatelint.toml",
        "forge = \"gitea\"\nbranch = \"develop\"\n",
    );
    let uri = server.uri();
    let out = tokio::task::spawn_blocking(move || {
        let root = dir.to_string_lossy().into_owned();
        let args = [
            "check", &root, "--remote", "--server", &uri, "--repo", "octo/app", "--base", "HEAD",
            "--format", "json",
        ];
        common::gatelint_env(&dir, &args, &[("GITHUB_BASE_REF", "")])
    })
    .await
    .expect("joins");
    assert!(
        out.stderr.contains(": branch_protections, rule `main`"),
        "{}",
        out.stderr
    );
    let findings = out.json()["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        findings.iter().any(|f| f["rule"] == "gate-weakened"
            && f["message"] == "gatelint.toml changes `branch`: how contexts are named or which protection they are checked against changes"),
        "{findings:#?}"
    );
}
