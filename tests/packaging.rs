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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_action_definition() {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    let action = load("action.yml");
    assert_eq!(text(&action, "name"), "gatelint");
    let inputs = get(&action, "inputs").unwrap_or_else(|| panic!("inputs"));
    let default = |input: &str| {
        let spec = get(inputs, input).unwrap_or_else(|| panic!("input {input}"));
        text(spec, "default").to_owned()
    };
    // One argument per line; the version from the action's ref; the release binary.
    assert_eq!(default("args"), "check\n--remote\n");
    assert_eq!(default("version"), "");
    assert_eq!(default("install"), "release");
    assert_eq!(default("token"), "${{ github.token }}");
    assert_eq!(default("base"), "${{ github.base_ref }}");
    assert_eq!(default("release-url"), "");
    let runs = get(&action, "runs").unwrap_or_else(|| panic!("runs"));
    assert_eq!(text(runs, "using"), "composite");
    let Some(Value::Seq(steps)) = get(runs, "steps") else {
        panic!("steps")
    };

    // Each run step is bash running a script of action/; inputs reach it only through env,
    // never as an expression in the script text (where a value would be code).
    let root = common::repo_root();
    let mut scripts = Vec::new();
    for step in steps {
        let Some(Value::Str(run)) = get(step, "run") else {
            continue;
        };
        assert_eq!(text(step, "shell"), "bash");
        assert!(!run.contains("${{"), "an expression in a script: {run}");
        let script = run
            .strip_prefix("bash \"$GITHUB_ACTION_PATH/")
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or_else(|| panic!("not a script of the action: {run}"));
        assert!(root.join(script).is_file(), "{script}");
        // The token goes to the run step only.
        let env = get(step, "env");
        let token = env.and_then(|e| get(e, "GATELINT_TOKEN"));
        if script == "action/run.sh" {
            assert_eq!(token, Some(&Value::Str("${{ inputs.token }}".to_owned())));
        } else {
            assert_eq!(token, None, "{script}");
        }
        scripts.push(script.to_owned());
    }
    assert_eq!(
        scripts,
        [
            "action/resolve.sh",
            "action/toolchain.sh",
            "action/install.sh",
            "action/run.sh"
        ]
    );
    // The cache comes after the version is resolved, and its key holds it.
    let position = |pred: &dyn Fn(&Value) -> bool| {
        steps
            .iter()
            .position(pred)
            .unwrap_or_else(|| panic!("a step is missing"))
    };
    let resolve = position(&|s| get(s, "id") == Some(&Value::Str("resolve".to_owned())));
    let cache = position(
        &|s| matches!(get(s, "uses"), Some(Value::Str(u)) if u.starts_with("actions/cache@v4")),
    );
    assert!(resolve < cache);
    let with = get(&steps[cache], "with").unwrap_or_else(|| panic!("cache: with"));
    assert_eq!(text(with, "path"), "~/.gatelint/bin");
    let key_template = text(with, "key");
    assert_eq!(
        key_template,
        "gatelint-${{ runner.os }}-${{ runner.arch }}-${{ steps.resolve.outputs.key }}"
    );
    assert_eq!(text(&steps[cache], "id"), "cache");
    let toolchain = position(
        &|s| matches!(get(s, "run"), Some(Value::Str(r)) if r.contains("action/toolchain.sh")),
    );
    assert_eq!(
        text(&steps[toolchain], "if"),
        "inputs.install == 'cargo' && steps.cache.outputs.cache-hit != 'true'"
    );

    // The scripts, with stand-ins first on PATH: `git` and `gatelint` print their arguments
    // (`git check-ref-format` is the real one; `git rev-parse` answers FAKE_SHALLOW),
    // `cargo` prints its arguments and, given --root, puts a gatelint there.
    fn stand_in(dir: &Path, name: &str, body: &str) {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write");
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).expect("chmod");
    }
    fn which(tool: &str) -> String {
        let out = std::process::Command::new("sh")
            .args(["-c", "command -v \"$1\"", "sh", tool])
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "`{tool}` is not installed");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
    const PRINT: &str = "printf '%s' \"$(basename \"$0\")\"; printf ' [%s]' \"$@\"; echo";
    const FAKE_GATELINT: &str = r#"mkdir -p "$1" && printf '#!/bin/sh\necho gatelint 9.9.9\n' >"$1/gatelint" && chmod 755 "$1/gatelint""#;
    let tools = tempfile::tempdir().expect("temp dir");
    let git = which("git");
    stand_in(
        tools.path(),
        "git",
        &format!(
            "case \"$1\" in\n  check-ref-format) exec '{git}' \"$@\" ;;\n  \
             rev-parse) echo \"${{FAKE_SHALLOW:-false}}\"; exit 0 ;;\nesac\n{PRINT}"
        ),
    );
    stand_in(tools.path(), "gatelint", PRINT);
    stand_in(
        tools.path(),
        "cargo",
        &format!(
            "{PRINT}\nroot=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
             if [ -n \"$root\" ]; then set -- \"$root/bin\"; {FAKE_GATELINT}; fi"
        ),
    );
    let bash = which("bash");
    let work = tempfile::tempdir().expect("temp dir");
    let home = work.path().join("home");
    std::fs::create_dir(&home).expect("mkdir");
    let output = work.path().join("output");
    let github_path = work.path().join("path");

    struct Ran {
        code: i32,
        stdout: String,
        stderr: String,
        /// What the script wrote to GITHUB_OUTPUT, then to GITHUB_PATH.
        outputs: BTreeMap<String, String>,
        path: String,
    }
    // Run a script of the action with `env` (every variable the scripts read is cleared
    // first), PATH led by `path_first`.
    let script = |name: &str, action: &Path, path_first: &Path, env: &[(&str, &str)]| {
        for file in [&output, &github_path] {
            std::fs::write(file, "").expect("write");
        }
        let mut cmd = std::process::Command::new(&bash);
        cmd.arg(action.join(name)).current_dir(work.path());
        for var in [
            "ARGS",
            "BASE",
            "INSTALL",
            "VERSION",
            "ACTION_REF",
            "RELEASE_URL",
            "CACHE_HIT",
            "GATELINT_REPO_URL",
            "GATELINT_DOWNLOADER",
            "CARGO_HOME",
            "FAKE_SHALLOW",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("GITHUB_ACTION_PATH", action)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_PATH", &github_path)
            .env("HOME", &home)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    path_first.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            );
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("bash runs");
        let outputs = std::fs::read_to_string(&output)
            .expect("read")
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs,
            path: std::fs::read_to_string(&github_path).expect("read"),
        }
    };

    // run.sh: arguments one per line, each one word; a pull request (BASE set) fetches the
    // base and checks with --base.
    let run = |args: &str, base: &str, shallow: &str| {
        let ran = script(
            "action/run.sh",
            &root,
            tools.path(),
            &[("ARGS", args), ("BASE", base), ("FAKE_SHALLOW", shallow)],
        );
        assert_eq!(ran.code, 0, "{args:?}: {}", ran.stderr);
        ran.stdout
    };
    let fetch_base = "git [fetch] [--no-tags] [--depth=1] [origin] \
                      [+refs/heads/main:refs/remotes/origin/main]\n";
    assert_eq!(
        run("check\n--remote", "main", "true"),
        format!("{fetch_base}gatelint [check] [--remote] [--base] [origin/main]\n")
    );
    // A full clone fetches the base with its history: --depth would make the clone shallow.
    assert_eq!(
        run("check\n--remote", "main", "false"),
        "git [fetch] [--no-tags] [origin] [+refs/heads/main:refs/remotes/origin/main]\n\
         gatelint [check] [--remote] [--base] [origin/main]\n"
    );
    assert_eq!(
        run("check\n--remote\n", "", "true"),
        "gatelint [check] [--remote]\n"
    );
    assert_eq!(run("report", "main", "true"), "gatelint [report]\n");
    // Blank lines (and a CR before a line feed) are ignored; spaces stay inside a word.
    assert_eq!(
        run(
            "\ncheck\r\n\n  \n--config\nmy config.toml\r\n\t\n",
            "",
            "false"
        ),
        "gatelint [check] [--config] [my config.toml]\n"
    );
    assert_eq!(
        run(
            "check\n$(touch /tmp/gatelint-x)\n*\n--format json",
            "",
            "false"
        ),
        "gatelint [check] [$(touch /tmp/gatelint-x)] [*] [--format json]\n"
    );
    assert!(!Path::new("/tmp/gatelint-x").exists());
    // --head needs the merge base: the base's history, and the clone's when it is shallow.
    assert_eq!(
        run("check\n--remote\n--head", "main", "true"),
        "git [fetch] [--no-tags] [--unshallow] [origin] \
         [+refs/heads/main:refs/remotes/origin/main]\n\
         gatelint [check] [--remote] [--head] [--base] [origin/main]\n"
    );
    assert_eq!(
        run("check\n--remote\n--head=0123abc", "main", "false"),
        "git [fetch] [--no-tags] [origin] [+refs/heads/main:refs/remotes/origin/main]\n\
         gatelint [check] [--remote] [--head=0123abc] [--base] [origin/main]\n"
    );
    assert_eq!(
        run("check\n--remote\n--head", "", "true"),
        "git [fetch] [--no-tags] [--unshallow] [origin]\n\
         gatelint [check] [--remote] [--head]\n"
    );
    assert_eq!(
        run("check\n--remote\n--head", "", "false"),
        "gatelint [check] [--remote] [--head]\n"
    );
    // The caller's own --base wins: nothing fetched or added.
    assert_eq!(
        run("check\n--base\norigin/release", "main", "true"),
        "gatelint [check] [--base] [origin/release]\n"
    );
    // A base that is not a branch name is refused before git or gatelint runs.
    for base in [
        "-x",
        "main..x",
        "a b",
        "main:refs/heads/x",
        "refs/heads/@{-1}",
        "x\ny",
    ] {
        let ran = script(
            "action/run.sh",
            &root,
            tools.path(),
            &[("ARGS", "check"), ("BASE", base)],
        );
        assert_eq!(ran.code, 2, "{base:?}");
        assert!(
            ran.stderr.contains("is not a branch name"),
            "{}",
            ran.stderr
        );
        assert_eq!(ran.stdout, "", "{base:?}");
    }

    // resolve.sh: the concrete version (latest from a release's redirect) and the cache key.
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/owner/gatelint/releases/latest"))
        .respond_with(wiremock::ResponseTemplate::new(302).insert_header(
            "Location",
            format!("{}/owner/gatelint/releases/tag/v3.4.5", server.uri()).as_str(),
        ))
        .mount(&server)
        .await;
    let release_url = format!("{}/owner/gatelint", server.uri());
    let resolve = |action: &Path, install: &str, version: &str, action_ref: &str| {
        script(
            "action/resolve.sh",
            action,
            tools.path(),
            &[
                ("INSTALL", install),
                ("VERSION", version),
                ("ACTION_REF", action_ref),
                ("RELEASE_URL", &release_url),
            ],
        )
    };
    let outputs = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    for (install, version, action_ref, resolved) in [
        // The action's tag, whatever `latest` is.
        ("release", "", "v1.2.3", "1.2.3"),
        // A branch (or no ref at all): the latest release, resolved.
        ("release", "", "main", "3.4.5"),
        ("release", "", "", "3.4.5"),
        ("release", "", "v1.2.3; touch x", "3.4.5"),
        // An explicit version wins over the ref.
        ("release", "v2.0.0-rc.1", "v1.2.3", "2.0.0-rc.1"),
        ("release", "latest", "v1.2.3", "3.4.5"),
        ("cargo", "1.2.3", "main", "1.2.3"),
        ("cargo", "latest", "main", "3.4.5"),
    ] {
        let ran = resolve(&root, install, version, action_ref);
        assert_eq!(ran.code, 0, "{version} {action_ref}: {}", ran.stderr);
        let key = format!("{install}-{resolved}");
        assert_eq!(
            ran.outputs,
            outputs(&[("version", resolved), ("source-hash", ""), ("key", &key)]),
            "{install} {version:?} {action_ref:?}"
        );
        let cache_key = key_template.replace("${{ steps.resolve.outputs.key }}", &key);
        assert!(
            cache_key.ends_with(&format!("-{install}-{resolved}")),
            "{cache_key}"
        );
    }
    // install: cargo with no version builds the action's source: the key is its hash, and
    // changes with any file of it.
    let source = tempfile::tempdir().expect("temp dir");
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(root.join(file), source.path().join(file)).expect("copy");
    }
    for dir in ["src", "action"] {
        std::fs::create_dir(source.path().join(dir)).expect("mkdir");
        common::copy_tree(&root.join(dir), &source.path().join(dir));
    }
    let hash_of = |action: &Path| {
        let ran = resolve(action, "cargo", "", "v1.2.3");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let hash = ran.outputs.get("source-hash").cloned().unwrap_or_default();
        assert_eq!(hash.len(), 64, "{:?}", ran.outputs);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
        assert_eq!(ran.outputs.get("version").map(String::as_str), Some(""));
        assert_eq!(
            ran.outputs.get("key"),
            Some(&format!("cargo-source-{hash}"))
        );
        hash
    };
    let before = hash_of(source.path());
    assert_eq!(
        hash_of(source.path()),
        before,
        "the same source, the same key"
    );
    assert_eq!(hash_of(&root), before, "the copy hashes as the original");
    let main_rs: PathBuf = source.path().join("src/main.rs");
    let mut text_of_main = std::fs::read_to_string(&main_rs).expect("read");
    text_of_main.push_str("\n// moved\n");
    std::fs::write(&main_rs, text_of_main).expect("write");
    assert_ne!(hash_of(source.path()), before, "a moved ref, another key");
    // Refused: an unknown mode, a version that is not one.
    let ran = resolve(&root, "binstall", "", "v1.2.3");
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("install must be release or cargo"),
        "{}",
        ran.stderr
    );
    for version in ["1.0; rm -rf /", "$(id)", "main"] {
        let ran = resolve(&root, "release", version, "v1.2.3");
        assert_eq!(ran.code, 2, "{version}");
        assert!(
            ran.stderr.contains("--version must be X.Y.Z"),
            "{}",
            ran.stderr
        );
        assert!(ran.outputs.is_empty(), "{:?}", ran.outputs);
    }

    // install.sh (the step): the release through the action's install.sh (here a stand-in
    // that prints its arguments), or cargo; nothing when the cache restored the binary; the
    // folder goes on PATH.
    let fake_action = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(fake_action.path().join("action")).expect("mkdir");
    std::fs::copy(
        root.join("action/install.sh"),
        fake_action.path().join("action/install.sh"),
    )
    .expect("copy");
    std::fs::write(
        fake_action.path().join("install.sh"),
        format!(
            "printf 'install.sh'; printf ' [%s]' \"$@\"; echo\n\
             while [ \"$1\" != --to ]; do shift; done; shift\n{FAKE_GATELINT}\n"
        ),
    )
    .expect("write");
    let bin = home.join(".gatelint/bin");
    let step = |env: &[(&str, &str)]| {
        let ran = script("action/install.sh", fake_action.path(), tools.path(), env);
        assert_eq!(ran.code, 0, "{env:?}: {}", ran.stderr);
        assert_eq!(ran.path, format!("{}\n", bin.display()));
        ran.stdout
    };
    let dir = bin.display();
    assert_eq!(
        step(&[("INSTALL", "release"), ("VERSION", "9.9.9")]),
        format!("install.sh [--version] [9.9.9] [--to] [{dir}]\ngatelint 9.9.9\n")
    );
    assert_eq!(
        step(&[
            ("INSTALL", "release"),
            ("VERSION", "9.9.9"),
            ("RELEASE_URL", "https://forge.example/mirror/gatelint")
        ]),
        format!(
            "install.sh [--version] [9.9.9] [--to] [{dir}] [--repo-url] \
             [https://forge.example/mirror/gatelint]\ngatelint 9.9.9\n"
        )
    );
    assert_eq!(
        step(&[
            ("INSTALL", "release"),
            ("VERSION", "9.9.9"),
            ("CACHE_HIT", "true")
        ]),
        format!("gatelint action: {dir}/gatelint restored from the cache\ngatelint 9.9.9\n")
    );
    let gatelint_root = home.join(".gatelint");
    assert_eq!(
        step(&[("INSTALL", "cargo"), ("VERSION", "9.9.9")]),
        format!(
            "cargo [install] [--locked] [--force] [--root] [{}] [gatelint] [--version] \
             [=9.9.9]\ngatelint 9.9.9\n",
            gatelint_root.display()
        )
    );
    assert_eq!(
        step(&[("INSTALL", "cargo"), ("VERSION", "")]),
        format!(
            "cargo [install] [--locked] [--force] [--root] [{}] [--path] [{}]\ngatelint 9.9.9\n",
            gatelint_root.display(),
            fake_action.path().display()
        )
    );

    // toolchain.sh: the runner's cargo when there is one; else rustup-init, run only when it
    // matches its published SHA-256 (curl here is a stand-in serving `FAKE_SUM`).
    let ran = script("action/toolchain.sh", &root, tools.path(), &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "gatelint action: using cargo [--version]\n");
    let bare = tempfile::tempdir().expect("temp dir");
    for tool in [
        "mktemp",
        "rm",
        "cut",
        "chmod",
        "grep",
        "sha256sum",
        "ldd",
        "basename",
        "cat",
    ] {
        std::os::unix::fs::symlink(which(tool), bare.path().join(tool)).expect("symlink");
    }
    let marker = work.path().join("rustup-ran");
    let fake_rustup = format!("#!/bin/sh\necho \"$@\" >'{}'\n", marker.display());
    stand_in(
        bare.path(),
        "curl",
        &format!(
            "for a; do url=$a; done\necho \"$url\" >>'{log}'\n\
             while [ \"$1\" != -o ]; do shift; done\n\
             case $url in\n  *.sha256) echo \"$FAKE_SUM *rustup-init\" >\"$2\" ;;\n  \
             *) cat >\"$2\" <<'END'\n{fake_rustup}END\nesac",
            log = work.path().join("curl-log").display()
        ),
    );
    let good_sum = {
        let file = work.path().join("fake-rustup");
        std::fs::write(&file, &fake_rustup).expect("write");
        let out = std::process::Command::new("sha256sum")
            .arg(&file)
            .output()
            .expect("sha256sum runs");
        String::from_utf8_lossy(&out.stdout)[..64].to_owned()
    };
    let cargo_home = work.path().join("cargo-home");
    let toolchain = |os: &str, sum: &str| {
        stand_in(
            bare.path(),
            "uname",
            &format!("case \"$1\" in -s) echo '{os}' ;; -m) echo x86_64 ;; esac"),
        );
        let _ = std::fs::remove_file(&marker);
        // Only the stand-ins and the tools linked above on PATH: no cargo.
        let only_bare = bare.path().display().to_string();
        script(
            "action/toolchain.sh",
            &root,
            bare.path(),
            &[
                ("FAKE_SUM", sum),
                ("CARGO_HOME", &cargo_home.display().to_string()),
                ("PATH", &only_bare),
            ],
        )
    };
    let ran = toolchain("Linux", &"0".repeat(64));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("rustup-init does not match"),
        "{}",
        ran.stderr
    );
    assert!(!marker.exists(), "rustup-init ran unverified");
    let ran = toolchain("Linux", &good_sum);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap_or_default(),
        "-y --no-modify-path --profile minimal --default-toolchain stable\n"
    );
    assert_eq!(ran.path, format!("{}/bin\n", cargo_home.display()));
    let urls = std::fs::read_to_string(work.path().join("curl-log")).unwrap_or_default();
    assert!(
        urls.starts_with(
            "https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init\n"
        ),
        "{urls}"
    );
    let ran = toolchain("Plan9", &good_sum);
    assert_eq!(ran.code, 1);
    assert!(
        ran.stderr.contains("no cargo on this runner"),
        "{}",
        ran.stderr
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
