//! Diff mode, `check --base REV`: the base/head pairs of `testdata/diff/<case>/` made into
//! small git repositories by the tests (base committed, head as the work tree), with the
//! exact findings of the diff rules.

mod common;

use std::path::Path;

use serde_json::Value;

/// A git repository in a temporary folder.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = Repo { dir };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) {
        common::git(self.path(), args, None);
    }

    fn write(&self, rel: &str, text: &str) -> &Repo {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    fn remove(&self, rel: &str) -> &Repo {
        std::fs::remove_file(self.path().join(rel)).expect("remove");
        self
    }

    fn commit(&self) -> &Repo {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "base"]);
        self
    }

    /// `check --base HEAD` on the work tree: (exit code, findings as (rule, job, line, context)).
    fn check(&self, extra: &[&str]) -> (i32, Vec<Row>, Value) {
        let root = self.path().to_string_lossy().into_owned();
        let mut args = vec!["check", root.as_str(), "--base", "HEAD", "--format", "json"];
        args.extend_from_slice(extra);
        let out = common::gatelint(&args);
        let doc = out.json();
        let rows = doc["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_owned(),
                    f["job"].as_str().map(str::to_owned),
                    f["line"].as_u64(),
                    f["context"].as_str().map(str::to_owned),
                )
            })
            .collect();
        (out.code, rows, doc)
    }
}

type Row = (String, Option<String>, Option<u64>, Option<String>);

fn row(rule: &str, job: Option<&str>, line: Option<u64>, context: Option<&str>) -> Row {
    (
        rule.to_owned(),
        job.map(str::to_owned),
        line,
        context.map(str::to_owned),
    )
}

const NO_NOTE: &str = "[rules]\nno-protection = \"off\"\n";

impl Repo {
    /// `testdata/diff/<case>/base` committed, then the work tree made `head`.
    fn pair(case: &str) -> Repo {
        let r = Repo::new();
        let fixture = common::repo_root().join("testdata/diff").join(case);
        common::copy_tree(&fixture.join("base"), r.path());
        r.commit();
        for entry in std::fs::read_dir(r.path()).expect("lists").flatten() {
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.path().is_dir() {
                std::fs::remove_dir_all(entry.path()).expect("clean");
            } else {
                std::fs::remove_file(entry.path()).expect("clean");
            }
        }
        common::copy_tree(&fixture.join("head"), r.path());
        r
    }
}

#[test]
fn gate_removed() {
    let (code, rows, doc) = Repo::pair("gate-removed").check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [row(
            "gate-removed",
            Some("test"),
            None,
            Some("CI / test (pull_request)")
        )]
    );
    assert_eq!(
        doc["findings"][0]["message"],
        "required job `test` (.gitea/workflows/ci.yml) was removed; nothing posts `CI / test (pull_request)`"
    );
}

#[test]
fn trigger_changed() {
    let (code, rows, _) = Repo::pair("trigger-changed").check(&[]);
    assert_eq!(code, 1);
    // Both jobs still exist but post `(push)` only: their contexts changed, and pull requests
    // from forks (no push run) are no longer checked by them.
    assert_eq!(
        rows,
        [
            row(
                "gate-renamed",
                Some("build"),
                Some(5),
                Some("CI / build (push)")
            ),
            row("required-never-posted", Some("build"), Some(5), None),
            row(
                "gate-renamed",
                Some("test"),
                Some(10),
                Some("CI / test (push)")
            ),
            row("required-never-posted", Some("test"), Some(10), None),
        ]
    );
}

#[test]
fn gate_renamed_by_name_and_by_id() {
    let (code, rows, doc) = Repo::pair("gate-renamed").check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [
            row(
                "gate-renamed",
                Some("build"),
                Some(5),
                Some("CI / Build (pull_request)")
            ),
            row(
                "gate-renamed",
                Some("unit"),
                Some(11),
                Some("CI / unit (pull_request)")
            ),
        ]
    );
    assert_eq!(
        doc["findings"][1]["message"],
        "required job `test` (now `unit`) now posts `CI / unit (pull_request)` instead of `CI / test (pull_request)`"
    );
}

#[test]
fn gate_weakened() {
    let (code, rows, _) = Repo::pair("gate-weakened").check(&[]);
    assert_eq!(code, 0, "warnings and notes: {rows:?}");
    // The filter (both jobs), the `if:` of `build`, `test`'s directive, and the waiver renewed
    // in gatelint.toml. The `continue-on-error` added to `build` weakens nothing on Gitea,
    // which does not let it hide the job's failure (FORGE-SEMANTICS §4; the renewed waiver
    // silences `mask-ignored`).
    assert_eq!(
        rows,
        [
            row(
                "gate-weakened",
                Some("build"),
                Some(4),
                Some("CI / build (pull_request)")
            ),
            row(
                "gate-weakened",
                Some("test"),
                Some(4),
                Some("CI / test (pull_request)")
            ),
            row(
                "gate-weakened",
                Some("build"),
                Some(8),
                Some("CI / build (pull_request)")
            ),
            row(
                "gate-weakened",
                Some("test"),
                Some(13),
                Some("CI / test (pull_request)")
            ),
            row(
                "required-pending",
                Some("test"),
                Some(13),
                Some("CI / test (pull_request)")
            ),
            row("gate-weakened", Some("build"), Some(8), None),
        ]
    );
}

#[test]
fn directive_missing_only_for_added_contexts() {
    let r = Repo::pair("directive-added");
    let (code, rows, _) = r.check(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        rows,
        [row(
            "directive-missing",
            Some("fresh"),
            Some(18),
            Some("CI / fresh (pull_request)")
        )]
    );
    // The project can ask for every job: in its base revision's config, which is the one
    // applied.
    r.write(
        "gatelint.toml",
        &format!("{NO_NOTE}\n[directives]\ndiff = \"all\"\n"),
    );
    r.git(&["add", "gatelint.toml"]);
    r.git(&["commit", "-q", "-m", "config"]);
    let (_, rows, _) = r.check(&[]);
    let jobs: Vec<_> = rows
        .iter()
        .filter(|r| r.0 == "directive-missing")
        .filter_map(|r| r.1.clone())
        .collect();
    assert_eq!(jobs, ["legacy", "fresh"]);
}

#[test]
fn no_change_no_finding() {
    let (code, rows, _) = Repo::pair("unchanged").check(&[]);
    assert_eq!((code, rows), (0, vec![]));
}

#[test]
fn first_workflow_and_bad_revisions() {
    let r = Repo::pair("first-workflow");
    // No workflows at the base: everything is new, nothing removed. Nor a config: the
    // defaults apply, and the config this change adds is compared with them, not applied.
    let (code, rows, doc) = r.check(&[]);
    assert_eq!(
        (code, rows),
        (
            0,
            vec![
                row("no-protection", None, None, None),
                row("gate-weakened", None, Some(1), None)
            ]
        )
    );
    assert_eq!(
        doc["findings"][1]["message"],
        "gatelint.toml turns rule `no-protection` from note to off"
    );
    let root = r.path().to_string_lossy().into_owned();
    let out = common::gatelint(&["check", &root, "--base", "no-such-rev"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--base no-such-rev: no such revision"),
        "{}",
        out.stderr
    );
    let plain = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(plain.path().join(".github/workflows")).expect("mkdir");
    std::fs::write(
        plain.path().join(".github/workflows/ci.yml"),
        "on: push\njobs:\n  a:\n    steps: []\n",
    )
    .expect("write");
    let out = common::gatelint(&["check", &plain.path().to_string_lossy(), "--base", "HEAD"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not in a git work tree"),
        "{}",
        out.stderr
    );
}

/// The change the project grew out of: seed-origin's `e2e-staging-saas.yml`, base and head.
fn seed_change(config: Option<&str>) -> Option<(i32, Vec<Row>)> {
    let base = common::shared(
        "corpus/seed-origin/_pr-base-5f0351c5/.gitea/workflows/e2e-staging-saas.yml",
    )?;
    let head = common::shared("corpus/seed-origin/.gitea/workflows/e2e-staging-saas.yml")?;
    let r = Repo::new();
    let file = ".gitea/workflows/e2e-staging-saas.yml";
    r.write(file, &std::fs::read_to_string(base).ok()?);
    // The project's config is the base revision's: diff mode applies no other.
    if let Some(c) = config {
        r.write("gatelint.toml", c);
    }
    r.commit();
    r.write(file, &std::fs::read_to_string(head).ok()?);
    let (code, rows, _) = r.check(&["--forge-version", "1.22"]);
    let _ = r.remove(file);
    Some((code, rows))
}

#[test]
fn seed_origin_change() {
    let tracked = "[masks]\ntrackers = ['(mc|internal)#\\d+']\n";
    let Some((_, rows)) = seed_change(Some(tracked)) else {
        return;
    };
    let job = Some("e2e-staging-platform-boot".to_owned());
    let pending: Vec<_> = rows.iter().filter(|r| r.0 == "required-pending").collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].1, job);
    assert!(
        !rows.iter().any(|r| r.0 == "mask-untracked" && r.1 == job),
        "{rows:?}"
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.0 == "gate-removed" || r.0 == "gate-weakened"),
        "{rows:?}"
    );
    let Some((_, rows)) = seed_change(None) else {
        return;
    };
    assert!(
        rows.iter().any(|r| r.0 == "mask-untracked" && r.1 == job),
        "{rows:?}"
    );
    assert!(
        !rows
            .iter()
            .any(|r| r.0 == "gate-removed" || r.0 == "gate-weakened"),
        "{rows:?}"
    );
}

const AGGREGATOR_BASE: &str = "name: CI
on: pull_request
jobs:
  # bp-exempt: aggregated
  build:
    runs-on: ubuntu-latest
    steps: [{run: make}]
  # bp-exempt: aggregated
  platform:
    runs-on: ubuntu-latest
    steps: [{run: make platform}]
  # bp-required: yes
  all-required:
    if: always()
    needs: [build, platform]
    runs-on: ubuntu-latest
    steps:
      - run: test \"${{ needs.build.result }}\" = success && test \"${{ needs.platform.result }}\" = success
";

/// aggregator-unpaired: the seed's split pair (a `needs` demotion without the mask, a mask
/// without the demotion) fires; both together, a new job added to `needs`, or `Paired: #N`
/// in a commit message or `--pr-body` do not.
#[test]
fn aggregator_unpaired() {
    let unpaired = |rows: &[Row]| -> Vec<Row> {
        rows.iter()
            .filter(|r| r.0 == "aggregator-unpaired")
            .cloned()
            .collect()
    };
    let demoted = AGGREGATOR_BASE.replace("needs: [build, platform]", "needs: [build]");
    let masked = AGGREGATOR_BASE.replace(
        "  platform:\n    runs-on: ubuntu-latest\n",
        "  platform:\n    runs-on: ubuntu-latest\n    continue-on-error: true\n",
    );
    let both = masked.replace("needs: [build, platform]", "needs: [build]");
    let added = AGGREGATOR_BASE
        .replace("needs: [build, platform]", "needs: [build, platform, docs]")
        .replace(
            "  # bp-required: yes\n  all-required:",
            "  # bp-exempt: aggregated\n  docs:\n    runs-on: ubuntu-latest\n    steps: [{run: make docs}]\n  # bp-required: yes\n  all-required:",
        );
    let case = |head: &str, extra: &[&str]| -> (Vec<Row>, Value) {
        let r = Repo::new();
        r.write(".gitea/workflows/ci.yml", AGGREGATOR_BASE)
            .write("gatelint.toml", NO_NOTE)
            .commit();
        r.write(".gitea/workflows/ci.yml", head);
        let (_, rows, doc) = r.check(extra);
        (unpaired(&rows), doc)
    };
    let (rows, doc) = case(&demoted, &[]);
    assert_eq!(
        rows,
        [row(
            "aggregator-unpaired",
            Some("all-required"),
            Some(13),
            None
        )]
    );
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == "aggregator-unpaired")
                .filter_map(|f| f["message"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        messages,
        [
            "this change edits the `needs` of the required aggregator `all-required` (removes `platform`) but no `continue-on-error` of those jobs: when a mask and a `needs` change are a pair, merged alone one leaves the branch red or a failure unguarded"
        ]
    );
    let (rows, doc) = case(&masked, &[]);
    // One line lower: the mask added a line above it.
    assert_eq!(
        rows,
        [row(
            "aggregator-unpaired",
            Some("all-required"),
            Some(14),
            None
        )]
    );
    assert!(
        doc.to_string().contains("this change edits the job-level `continue-on-error` of `platform`, which the required aggregator `all-required` needs, but not its `needs`"),
        "{doc}"
    );
    assert_eq!(case(&both, &[]).0, []);
    assert_eq!(case(&added, &[]).0, []);
    assert_eq!(
        case(
            &demoted,
            &["--pr-body", "Demotes platform.\n\nPaired: #668\n"]
        )
        .0,
        []
    );
    assert_eq!(
        case(&demoted, &["--pr-body", "Paired with nothing"])
            .0
            .len(),
        1,
        "no issue number: not a pairing"
    );
    // In a commit message of the change.
    let r = Repo::new();
    r.write(".gitea/workflows/ci.yml", AGGREGATOR_BASE)
        .write("gatelint.toml", NO_NOTE)
        .commit();
    r.git(&["checkout", "-q", "-b", "pr"]);
    r.write(".gitea/workflows/ci.yml", &demoted);
    r.git(&["commit", "-q", "-am", "Demote platform\n\nPaired: #665"]);
    let root = r.path().to_string_lossy().into_owned();
    let out = common::gatelint(&["check", &root, "--base", "main", "--format", "json"]);
    let rules: Vec<String> = out.json()["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(rules, Vec::<String>::new());
}

/// The settings of issue 12 that the pull request's own gatelint.toml could loosen are
/// compared with the base's, never applied: a new lane waiver, fewer green runs, a longer
/// tracker age, a remapped tracker prefix. Tightening them is silent.
#[test]
fn gate_weakened_by_the_observed_settings() {
    let base_config = "[rules]\nno-protection = \"off\"\n[history]\ngreen-runs = 3\n[masks]\nmax-age-days = 30\ntracker-repos = { mc = \"acme/core\" }\n";
    let r = Repo::new();
    r.write(".gitea/workflows/ci.yml", AGGREGATOR_BASE)
        .write("gatelint.toml", base_config)
        .commit();
    r.write(
        "gatelint.toml",
        &format!(
            "{}\n[observed]\n[[observed.lane-waiver]]\ncontext = \"CI / e2e\"\npr = 9\nreason = \"mine\"\n",
            base_config
                .replace("green-runs = 3", "green-runs = 1")
                .replace("max-age-days = 30", "max-age-days = 90")
                .replace("acme/core", "evil/repo")
        ),
    );
    let (_, rows, doc) = r.check(&[]);
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == "gate-weakened")
                .filter_map(|f| f["message"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        messages,
        [
            "gatelint.toml lowers `[history] green-runs` from 3 to 1: less green history proves a gate ready",
            "gatelint.toml raises `[masks] max-age-days`: trackers may stay open longer",
            "gatelint.toml maps the tracker prefix `mc` to another repository: its issues are read there",
            "gatelint.toml adds a lane waiver for `CI / e2e` (pull request #9): `lane-removed` will not report that lane",
        ],
        "{rows:?}"
    );
    // Tightened: nothing.
    r.write(
        "gatelint.toml",
        &base_config
            .replace("green-runs = 3", "green-runs = 5")
            .replace("max-age-days = 30", "max-age-days = 10"),
    );
    let (_, rows, _) = r.check(&[]);
    assert!(!rows.iter().any(|r| r.0 == "gate-weakened"), "{rows:?}");
}

/// Issue 14's settings: a pull request that declares a check external (no longer orphaned
/// or wrong-sourced) or changes GitHub Actions' app id weakens the gates; the base's apply.
#[test]
fn gate_weakened_by_the_github_settings() {
    let base_config = "[rules]\nno-protection = \"off\"\n[external]\ncontexts = [\"cla\"]\n";
    let r = Repo::new();
    r.write(".gitea/workflows/ci.yml", AGGREGATOR_BASE)
        .write("gatelint.toml", base_config)
        .commit();
    r.write(
        "gatelint.toml",
        &format!(
            "{}[github]\nactions-app-id = 8\n",
            base_config.replace("[\"cla\"]", "[\"cla\", \"build\"]")
        ),
    );
    let (_, rows, doc) = r.check(&[]);
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == "gate-weakened")
                .filter_map(|f| f["message"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        messages,
        [
            "gatelint.toml adds `build` to `[external] contexts`: it is no longer reported as orphaned or posted from the wrong app",
            "gatelint.toml changes `[github] actions-app-id` (unset → 8): which pins count as GitHub Actions changes",
        ],
        "{rows:?}"
    );
    // Removing an external context tightens: nothing.
    r.write("gatelint.toml", &base_config.replace("[\"cla\"]", "[]"));
    let (_, rows, _) = r.check(&[]);
    assert!(!rows.iter().any(|r| r.0 == "gate-weakened"), "{rows:?}");
}

/// A pull request that loosens its committed GitHub snapshot: an app pin turned to any app,
/// the merge queue dropped. The base's snapshot is used for the check, and the loosening is
/// `gate-weakened` (issue 14).
#[test]
fn gate_weakened_by_a_loosened_github_snapshot() {
    let snapshot = |app: &str, queue: &str| {
        format!(
            "{{\"gatelint-snapshot\": 1, \"forge\": \"github\", \"branch\": \"main\", \"matching\": \"exact\",\n\"required\": [\"build\"], \"apps\": {{\"build\": {app}}}, \"merge-queue\": {queue}}}\n"
        )
    };
    let r = Repo::new();
    r.write(
        ".github/workflows/ci.yml",
        "on: [pull_request, merge_group]\njobs:\n  # bp-required: yes\n  build:\n    runs-on: x\n    steps: [{run: a}]\n",
    )
    .write("gatelint.toml", "protection = \"protection.json\"\n")
    .write("protection.json", &snapshot("15368", "\"ruleset 7 of octo/app\""))
    .commit();
    r.write("protection.json", &snapshot("null", "null"));
    let (_, rows, doc) = r.check(&[]);
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|f| f["rule"] == "gate-weakened")
                .filter_map(|f| f["message"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        messages,
        [
            "the protection file no longer says a merge queue applies: `merge_group` runs would no longer be checked (the base's version is used for this check)",
            "the protection file no longer pins `build` to app 15368 (the base's version is used for this check)",
        ],
        "{rows:?}"
    );
    // The same file: nothing.
    r.write(
        "protection.json",
        &snapshot("15368", "\"ruleset 7 of octo/app\""),
    );
    let (_, rows, _) = r.check(&[]);
    assert!(!rows.iter().any(|r| r.0 == "gate-weakened"), "{rows:?}");
}

/// A CI checkout is shallow and holds only the pull request's commit: `--base origin/main`
/// says exactly what to fetch, and `--head`'s merge base what history is missing (issue 13,
/// item 3).
#[test]
fn base_missing_from_a_shallow_clone_says_what_to_fetch() {
    let r = Repo::new();
    r.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  # bp-required: yes\n  a:\n    runs-on: x\n    steps: [{run: a}]\n",
    )
    .commit();
    r.write("README", "more\n").commit();
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.write("README", "topic\n").commit();
    let clone = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", r.path().display());
    let dest = clone.path().join("c");
    common::git(
        clone.path(),
        &[
            "clone",
            "-q",
            "--depth=1",
            "--branch",
            "topic",
            &url,
            &dest.to_string_lossy(),
        ],
        None,
    );
    let root = dest.to_string_lossy().into_owned();
    let out = common::gatelint(&["check", &root, "--base", "origin/main"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "error: --base origin/main: no such revision in {root} (this clone is shallow; fetch it (`git fetch --no-tags --depth=1 origin +refs/heads/main:refs/remotes/origin/main`, then --base origin/main), or in CI check out with the history: `fetch-depth: 0` for actions/checkout)\n"
        )
    );
    // Doing what it says makes the base readable.
    common::git(
        &dest,
        &[
            "fetch",
            "-q",
            "--no-tags",
            "--depth=1",
            "origin",
            "+refs/heads/main:refs/remotes/origin/main",
        ],
        None,
    );
    let out = common::gatelint(&["check", &root, "--base", "origin/main"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
