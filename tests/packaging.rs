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
    assert_eq!(list.len(), 1);
    let hook = &list[0];
    // The fields pre-commit requires of a hook.
    for key in ["id", "name", "entry", "language"] {
        assert!(!text(hook, key).is_empty(), "{key}");
    }
    assert_eq!(text(hook, "id"), "gatelint");
    assert_eq!(text(hook, "entry"), "gatelint check");
    assert_eq!(text(hook, "language"), "rust");
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
        assert!(files.is_match(path), "{path}");
    }
    for path in ["src/main.rs", ".github/dependabot.yml", "README.md"] {
        assert!(!files.is_match(path), "{path}");
    }
}

#[test]
fn composite_action_definition() {
    let action = load("action.yml");
    assert_eq!(text(&action, "name"), "gatelint");
    let inputs = get(&action, "inputs").unwrap_or_else(|| panic!("inputs"));
    for input in ["args", "version", "token"] {
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
    assert!(steps.iter().any(|s| {
        get(s, "run").is_some_and(|r| matches!(r, Value::Str(t) if t.contains("gatelint $ARGS")))
    }));
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
