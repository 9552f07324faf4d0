//! `gatelint init`: directives inserted above job keys, every other byte kept; idempotent;
//! `check` afterwards reports no `directive-missing`.

mod common;

use std::path::Path;

use common::gatelint;
use gatelint::workflow::{DirectiveSyntax, parse_workflow};

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("lists").flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

/// Every line of `before` is in `after`, in the same order.
fn lines_kept(before: &str, after: &str) -> bool {
    let mut rest = after.split_inclusive('\n');
    before
        .split_inclusive('\n')
        .all(|line| rest.any(|l| l == line))
}

fn job_ids(text: &str, file: &str) -> Option<Vec<String>> {
    parse_workflow(text, file, &DirectiveSyntax::default())
        .ok()
        .map(|wf| wf.jobs.into_iter().map(|j| j.id).collect())
}

fn directive_missing(root: &str, extra: &[&str]) -> usize {
    let mut args = vec!["check", root, "--format", "json"];
    args.extend_from_slice(extra);
    let out = gatelint(&args);
    assert!(out.code == 0 || out.code == 1, "{root}: {}", out.stderr);
    out.json()["findings"].as_array().map_or(0, |f| {
        f.iter()
            .filter(|f| f["rule"] == "directive-missing")
            .count()
    })
}

#[test]
fn init_on_the_fixture() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_tree(&common::repo_root().join("testdata/init"), dir.path());
    let root = dir.path().to_string_lossy().into_owned();
    let protection = dir
        .path()
        .join("protection.txt")
        .to_string_lossy()
        .into_owned();
    let before: Vec<(std::path::PathBuf, String)> = {
        let mut f = Vec::new();
        files(dir.path(), &mut f);
        f.into_iter()
            .map(|p| {
                let t = std::fs::read_to_string(&p).unwrap_or_default();
                (p, t)
            })
            .collect()
    };
    assert_eq!(directive_missing(&root, &["--protection", &protection]), 5);

    let dry = gatelint(&[
        "init",
        &root,
        "--branch",
        "main",
        "--protection",
        &protection,
        "--dry-run",
    ]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("+  # bp-exempt: TODO reason\r\n   build:\r\n"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("+  # bp-required: yes\n   test:\n"),
        "{}",
        dry.stdout
    );
    // The dry run wrote nothing.
    for (p, t) in &before {
        assert_eq!(&std::fs::read_to_string(p).unwrap_or_default(), t);
    }

    let out = gatelint(&[
        "init",
        &root,
        "--branch",
        "main",
        "--protection",
        &protection,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("1 `bp-required: yes` and 4 `bp-exempt: TODO reason` added in 3 files; wrote gatelint.toml"), "{}", out.stderr);
    for (p, t) in &before {
        let after = std::fs::read_to_string(p).unwrap_or_default();
        assert!(lines_kept(t, &after), "{}", p.display());
        let name = p.to_string_lossy();
        assert_eq!(job_ids(t, &name), job_ids(&after, &name), "{name}");
    }
    let tabs =
        std::fs::read_to_string(dir.path().join(".gitea/workflows/tabs.yml")).unwrap_or_default();
    assert_eq!(
        tabs,
        "name: Tabs\non: pull_request\njobs:\n  #\ta comment with\ttabs, not a directive\n  # bp-exempt: TODO reason\n  lint: # lints\tthe code\n    runs-on: linux\n    steps:\n      - run: |\n          make lint\n  # bp-required: yes\n  test:\n    runs-on: linux\n    steps:\n      - run: make test\n"
    );
    let flow =
        std::fs::read_to_string(dir.path().join(".gitea/workflows/flow.yml")).unwrap_or_default();
    assert!(
        flow.contains("on: [pull_request]\n# bp-exempt: TODO reason\njobs: {a:"),
        "{flow}"
    );
    assert!(dir.path().join("gatelint.toml").is_file());

    // No directive missing; the placeholders stay directive-invalid until someone writes them.
    assert_eq!(directive_missing(&root, &["--protection", &protection]), 0);
    let check = gatelint(&[
        "check",
        &root,
        "--protection",
        &protection,
        "--format",
        "json",
    ]);
    let invalid = check.json()["findings"].as_array().map_or(0, |f| {
        f.iter()
            .filter(|f| f["rule"] == "directive-invalid")
            .count()
    });
    // One per placeholder written: flow.yml's two jobs share a line, so the one placeholder
    // above it is reported once, not once per job.
    assert_eq!(invalid, 3);

    // Again: nothing to do.
    let snapshot: Vec<String> = before
        .iter()
        .map(|(p, _)| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    let again = gatelint(&[
        "init",
        &root,
        "--branch",
        "main",
        "--protection",
        &protection,
    ]);
    assert_eq!(again.code, 0);
    let after: Vec<String> = before
        .iter()
        .map(|(p, _)| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    assert_eq!(snapshot, after);
    assert_eq!(
        gatelint(&["init", &root, "--branch", "main", "--dry-run"]).stdout,
        ""
    );
}

#[test]
fn init_on_every_real_repository() {
    let Some(real) = common::shared("corpus/real") else {
        return;
    };
    let mut repos: Vec<_> = std::fs::read_dir(&real)
        .expect("lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    let work = tempfile::tempdir().expect("temp dir");
    let mut changed = 0;
    for repo in &repos {
        let name = repo
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = work.path().join(&name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        common::copy_tree(repo, &dir);
        let mut before = Vec::new();
        files(&dir, &mut before);
        let texts: Vec<String> = before
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap_or_default())
            .collect();
        let root = dir.to_string_lossy().into_owned();
        let out = gatelint(&["init", &root, "--branch", "main", "--quiet"]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        for (p, t) in before.iter().zip(&texts) {
            let after = std::fs::read_to_string(p).unwrap_or_default();
            if &after != t {
                changed += 1;
            }
            assert!(lines_kept(t, &after), "{}", p.display());
            let file = p.to_string_lossy();
            assert_eq!(job_ids(t, &file), job_ids(&after, &file), "{file}");
        }
        assert_eq!(directive_missing(&root, &[]), 0, "{name}");
    }
    // 53 files fewer than before the precision work: their workflows never run for a pull
    // request (a push limited to tags, closed pull requests only): no directive needed.
    assert_eq!(changed, 790, "files annotated");
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// The branch `init` writes is the repository's default branch, read from `origin/HEAD`; with
/// no way to tell, it asks for `--branch` and writes nothing (issue 13, item 4).
#[test]
fn init_takes_the_default_branch_from_origin() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_tree(
        &common::repo_root().join("testdata/remote-gitea"),
        dir.path(),
    );
    let root = dir.path().to_string_lossy().into_owned();
    git(dir.path(), &["init", "-q", "-b", "trunk"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "workflows"]);

    // No origin/HEAD, no config, no --branch: exit 2, nothing written.
    let out = gatelint(&["init", &root]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: gatelint init: cannot tell the repository's default branch, whose protection applies: there is no `origin/HEAD` (`git remote set-head origin --auto` sets it from the remote); give --branch NAME\n"
    );
    assert!(!dir.path().join("gatelint.toml").exists());

    // What `git clone` leaves: origin/HEAD naming the remote's default branch.
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/trunk", "HEAD"],
    );
    git(
        dir.path(),
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/trunk",
        ],
    );
    let dry = gatelint(&["init", &root, "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(
        dry.stdout,
        "--- /dev/null\n+++ b/gatelint.toml\n@@ -0,0 +1,9 @@\n\
         +# gatelint configuration, written by `gatelint init`. See `gatelint rules` and\n\
         +# https://github.com/gatelint/gatelint/blob/main/docs/configuration.md\n\
         +forge = \"gitea\"\n\
         +branch = \"trunk\"\n\
         +# protection = \".gitea/protection.json\"  # a snapshot: gatelint snapshot --remote -o .gitea/protection.json\n\
         +\n\
         +[masks]\n\
         +# Comments that register a job-level continue-on-error, e.g. `# internal#12: …`.\n\
         +# trackers = ['internal#\\d+']\n"
    );
    assert_eq!(
        dry.stderr,
        "gatelint init: gatelint.toml names branch `trunk` (from origin/HEAD)\n"
    );
    assert!(!dir.path().join("gatelint.toml").exists());
    let out = gatelint(&["init", &root]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(dir.path().join("gatelint.toml")).expect("written");
    assert!(written.contains("\nbranch = \"trunk\"\n"), "{written}");

    // Every job has its directive and the config exists: nothing to add, said, exit 0.
    let again = gatelint(&["init", &root, "--dry-run"]);
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout, "");
    assert_eq!(
        again.stderr,
        "gatelint init: nothing to add: every job that posts a context has a directive, and gatelint.toml exists\n"
    );
    let again = gatelint(&["init", &root]);
    assert_eq!(
        (again.code, again.stderr.as_str()),
        (
            0,
            "gatelint init: nothing to add: every job that posts a context has a directive, and gatelint.toml exists\n"
        )
    );
}

/// The snapshot path the starter config suggests sits beside the forge's workflows.
#[test]
fn init_suggests_a_snapshot_path_per_forge() {
    for (fixture, path) in [
        ("github-basic", ".github/protection.json"),
        ("gitea-basic", ".gitea/protection.json"),
        ("forgejo-expand", ".forgejo/protection.json"),
    ] {
        let root = common::testdata(fixture);
        let out = gatelint(&["init", &root, "--branch", "main", "--dry-run"]);
        assert_eq!(out.code, 0, "{fixture}: {}", out.stderr);
        let line = format!(
            "\n+# protection = \"{path}\"  # a snapshot: gatelint snapshot --remote -o {path}\n"
        );
        assert!(out.stdout.contains(&line), "{fixture}: {}", out.stdout);
    }
}
