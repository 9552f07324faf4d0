//! A hostile repository and `gatelint init` (issue 9, attack 6): init rewrites files in place,
//! so it must never leave a file half written, never write through a symbolic link, never put
//! a directive on the wrong line, and never let a `--branch` value add keys to the config.

mod common;

use std::path::Path;

use gatelint::init::{FileChange, apply};

const WF: &str =
    "name: CI\non: pull_request\njobs:\n  build:\n    runs-on: x\n    steps: [{run: 'true'}]\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A failure while preparing the second file writes nothing at all: the first file, already
/// prepared, is left byte for byte.
#[test]
fn all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, ".github/workflows/a.yml", WF);
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "b.yml", WF);
    std::os::unix::fs::symlink(
        outside.path().join("b.yml"),
        d.join(".github/workflows/b.yml"),
    )
    .expect("symlink");
    let change = |file: &str| FileChange {
        file: file.to_owned(),
        original: WF.to_owned(),
        updated: format!("# changed\n{WF}"),
        required: 0,
        exempt: 1,
    };
    let err = apply(
        d,
        &[
            change(".github/workflows/a.yml"),
            change(".github/workflows/b.yml"),
        ],
        Some(("gatelint.toml", "forge = \"github\"\n")),
    )
    .expect_err("refused");
    assert!(err.contains("b.yml is not a regular file"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join(".github/workflows/a.yml")).expect("read"),
        WF
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("b.yml")).expect("read"),
        WF
    );
    assert!(!d.join("gatelint.toml").exists());
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(d.join(".github/workflows"))
        .expect("lists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".gatelint-init-")),
        "{names:?}"
    );
    // And when everything can be written, everything is, with the original permissions.
    std::fs::remove_file(d.join(".github/workflows/b.yml")).expect("rm");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        d.join(".github/workflows/a.yml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    let n = apply(d, &[change(".github/workflows/a.yml")], None).expect("written");
    assert_eq!(n, 1);
    let meta = std::fs::metadata(d.join(".github/workflows/a.yml")).expect("meta");
    assert_eq!(meta.permissions().mode() & 0o777, 0o640);
}

/// A workflow symlinked to a file outside the repository: neither is touched, and init says
/// why with a non-zero exit.
#[test]
fn symlinked_workflow_is_not_written_through() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", WF);
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "victim.yml", WF);
    std::os::unix::fs::symlink(
        outside.path().join("victim.yml"),
        d.join(".github/workflows/linked.yml"),
    )
    .expect("symlink");
    let root = d.to_string_lossy().into_owned();
    let out = common::gatelint(&["init", &root, "--branch", "main"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("skipped .github/workflows/linked.yml")
            && out.stderr.contains("symbolic link"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("victim.yml")).expect("read"),
        WF
    );
    assert!(
        std::fs::symlink_metadata(d.join(".github/workflows/linked.yml"))
            .expect("link")
            .file_type()
            .is_symlink()
    );
    // The regular workflow got its directive.
    assert!(
        std::fs::read_to_string(d.join(".github/workflows/ci.yml"))
            .expect("read")
            .contains("# bp-exempt: TODO reason\n  build:")
    );
}

/// A dangling gatelint.toml symlink is not written through either: the config is written in
/// its place only when nothing is there.
#[test]
fn config_symlink_is_not_written_through() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", WF);
    let outside = tempfile::tempdir().expect("temp dir");
    let target = outside.path().join("created-by-init.toml");
    std::os::unix::fs::symlink(&target, d.join("gatelint.toml")).expect("symlink");
    let root = d.to_string_lossy().into_owned();
    let _ = common::gatelint(&["init", &root, "--branch", "main"]);
    assert!(!target.exists(), "init wrote through the link");
}

/// Lone-CR line endings: YAML breaks lines there, and so does gatelint: the directive goes
/// above the job's key with the file's own line break, and a second run changes nothing.
#[test]
fn lone_cr_files_get_directives_on_the_right_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let cr = WF.replace('\n', "\r");
    write(d, ".github/workflows/ci.yml", &cr);
    let root = d.to_string_lossy().into_owned();
    let out = common::gatelint(&["init", &root, "--branch", "main"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let expected = "name: CI\ron: pull_request\rjobs:\r  # bp-exempt: TODO reason\r  build:\r    runs-on: x\r    steps: [{run: 'true'}]\r";
    assert_eq!(
        std::fs::read_to_string(d.join(".github/workflows/ci.yml")).expect("read"),
        expected
    );
    // gatelint reads the placeholder it wrote, on the job's key: directive-invalid, not missing.
    let check = common::gatelint(&["check", &root, "--format", "json"]);
    assert!(
        check.stdout.contains("\"directive-invalid\""),
        "{}",
        check.stdout
    );
    assert!(
        !check.stdout.contains("\"directive-missing\""),
        "{}",
        check.stdout
    );
    // Snippets break lines there too.
    let human = common::gatelint(&["check", &root]);
    assert!(
        human
            .stdout
            .contains("ci.yml:4:3]\n 3 │ jobs:\n 4 │   # bp-exempt: TODO reason\n"),
        "{}",
        human.stdout
    );
    let again = common::gatelint(&["init", &root, "--branch", "main"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(d.join(".github/workflows/ci.yml")).expect("read"),
        expected
    );
}

/// A hostile `--branch` cannot add keys to the config init writes.
#[test]
fn branch_is_quoted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, ".github/workflows/ci.yml", WF);
    let branch = "main\"\nprotection = \"/etc/passwd\"\n[rules]\ngate-removed = \"off";
    let root = d.to_string_lossy().into_owned();
    let out = common::gatelint(&["init", &root, "--branch", branch]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(d.join("gatelint.toml")).expect("written");
    let value: toml::Table = text.parse().expect("valid TOML");
    assert_eq!(value["branch"].as_str(), Some(branch));
    assert!(!value.contains_key("protection"), "{text}");
    assert!(!value.contains_key("rules"), "{text}");
    // And gatelint reads it back as written.
    let check = common::gatelint(&["check", &root]);
    assert!(check.code == 0 || check.code == 1, "{}", check.stderr);
}
