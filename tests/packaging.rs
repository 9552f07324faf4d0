//! The pre-commit hook and the composite action are valid definitions.

mod common;

use gatelint::yaml::{self, Value};

fn load(file: &str) -> Value {
    let text = std::fs::read_to_string(common::repo_root().join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let docs = yaml::load(&text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    assert_eq!(docs.len(), 1, "{file}: one document");
    let root = docs[0].root().unwrap_or_else(|| panic!("{file}: empty"));
    docs[0].to_value(root)
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    match get(v, key) {
        Some(Value::Str(s)) => s,
        other => panic!("`{key}` is not a string: {other:?}"),
    }
}

#[test]
fn pre_commit_hook_definition() {
    let hooks = load(".pre-commit-hooks.yaml");
    let Value::Seq(list) = hooks else {
        panic!("a list of hooks")
    };
    // `gatelint` builds with cargo on first use; `gatelint-system` runs the installed binary.
    assert_eq!(list.len(), 2);
    for (hook, id, language) in [
        (&list[0], "gatelint", "rust"),
        (&list[1], "gatelint-system", "system"),
    ] {
        // The fields pre-commit requires of a hook.
        for key in ["id", "name", "entry", "language"] {
            assert!(!text(hook, key).is_empty(), "{id}: {key}");
        }
        assert_eq!(text(hook, "id"), id);
        assert_eq!(text(hook, "entry"), "gatelint check");
        assert_eq!(text(hook, "language"), language);
        assert_eq!(get(hook, "pass_filenames"), Some(&Value::Bool(false)));
        let files = regex::Regex::new(text(hook, "files")).unwrap_or_else(|e| panic!("files: {e}"));
        for path in [
            ".github/workflows/ci.yml",
            ".gitea/workflows/sub/x.yaml",
            ".forgejo/workflows/a.yml",
            "gatelint.toml",
            ".gitea/branch-protection.json",
            ".gitea/required-contexts.txt",
        ] {
            assert!(files.is_match(path), "{id}: {path}");
        }
        for path in ["src/main.rs", ".github/dependabot.yml", "README.md"] {
            assert!(!files.is_match(path), "{id}: {path}");
        }
    }
}

#[test]
fn composite_action_definition() {
    let action = load("action.yml");
    assert_eq!(text(&action, "name"), "gatelint");
    let inputs = get(&action, "inputs").unwrap_or_else(|| panic!("inputs"));
    for input in ["args", "version", "token", "base"] {
        assert!(get(inputs, input).is_some(), "{input}");
    }
    let runs = get(&action, "runs").unwrap_or_else(|| panic!("runs"));
    assert_eq!(text(runs, "using"), "composite");
    let Some(Value::Seq(steps)) = get(runs, "steps") else {
        panic!("steps")
    };
    for step in steps {
        // A composite run step must say its shell.
        if get(step, "run").is_some() {
            assert_eq!(text(step, "shell"), "bash");
        }
    }
    let script = steps
        .iter()
        .find_map(|s| match get(s, "run") {
            Some(Value::Str(t)) if t.contains("gatelint \"${argv[@]}\"") => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("a step runs gatelint"));
    // Run the step with stand-ins for git and gatelint that print their arguments: a pull
    // request (BASE set) fetches the base and checks with --base; arguments stay words.
    let bin = tempfile::tempdir().expect("temp dir");
    for tool in ["git", "gatelint"] {
        let path = bin.path().join(tool);
        std::fs::write(
            &path,
            format!("#!/bin/sh\nprintf '{tool}'\nprintf ' [%s]' \"$@\"\necho\n"),
        )
        .expect("write");
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).expect("chmod");
    }
    let run = |args: &str, base: &str| {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin.path().display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("ARGS", args)
            .env("BASE", base)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        run("check --remote", "main"),
        "git [fetch] [--no-tags] [--depth=1] [origin] [+refs/heads/main:refs/remotes/origin/main]\n\
         gatelint [check] [--remote] [--base] [origin/main]\n"
    );
    assert_eq!(run("check --remote", ""), "gatelint [check] [--remote]\n");
    assert_eq!(run("report", "main"), "gatelint [report]\n");
    assert_eq!(
        run("check $(touch /tmp/gatelint-x) *", ""),
        "gatelint [check] [$(touch] [/tmp/gatelint-x)] [*]\n"
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let out = common::gatelint(&["--help"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .contains("Exit codes: 0 no error-level finding; 1 at least one error-level finding"),
        "{}",
        out.stdout
    );
}
