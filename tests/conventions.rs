//! Conventions users expect of a command-line tool (issue 13, item 5): shell completions and
//! man pages generated from the same definition that parses the command line.

mod common;

use common::gatelint;

/// The subcommands a user can call (clap's own `help` aside).
const SUBCOMMANDS: [&str; 9] = [
    "check",
    "report",
    "snapshot",
    "init",
    "rules",
    "explain",
    "profiles",
    "completions",
    "man",
];

/// Every `--long` flag a subcommand's `--help` lists.
fn long_flags(sub: &str) -> Vec<String> {
    let out = gatelint(&[sub, "--help"]);
    assert_eq!(out.code, 0, "{sub} --help: {}", out.stderr);
    let re = regex::Regex::new(r"(?m)^\s+(?:-\w, )?(--[a-z][a-z-]*)").expect("regex");
    let mut flags: Vec<String> = re
        .captures_iter(&out.stdout)
        .map(|c| c[1].to_owned())
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _gatelint"),
        ("zsh", "#compdef gatelint"),
        ("fish", "complete -c gatelint"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[gatelint]"),
    ] {
        let out = gatelint(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}: no `{marker}`");
        // Every subcommand and every flag of `check` can be completed.
        for sub in SUBCOMMANDS {
            assert!(out.stdout.contains(sub), "{shell}: {sub}");
        }
        for flag in long_flags("check") {
            let bare = flag.trim_start_matches('-');
            assert!(out.stdout.contains(bare), "{shell}: check {flag}");
        }
    }
    let out = gatelint(&["completions", "tcsh"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{}",
        out.stderr
    );
}

#[test]
fn man_pages_for_the_tool_and_each_subcommand() {
    let out = gatelint(&["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = out.stdout;
    assert!(
        page.contains(&format!(
            ".TH gatelint 1  \"gatelint {}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{page}"
    );
    // The first page lists the others by their names.
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("gatelint\\-{sub}(1)")), "{sub}");
    }
    for sub in SUBCOMMANDS {
        let out = gatelint(&["man", sub]);
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        assert!(
            out.stdout.starts_with(".ie \\n(.g .ds Aq \\(aq")
                && out.stdout.contains(&format!(
                    ".TH gatelint-{sub} 1  \"gatelint-{sub} {}\"",
                    env!("CARGO_PKG_VERSION")
                )),
            "{sub}: {}",
            &out.stdout[..out.stdout.len().min(300)]
        );
        assert!(
            out.stdout.contains(&format!("\\fBgatelint {sub}\\fR")),
            "{sub}: synopsis"
        );
        // Every option of the subcommand is documented on its page (roff escapes `-`).
        for flag in long_flags(sub) {
            let roff = flag.replace('-', "\\-");
            assert!(out.stdout.contains(&roff), "{sub}: {flag}");
        }
    }
    let out = gatelint(&["man", "nope"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: no subcommand `nope`: one of check, report, snapshot, audit, init, rules, explain, profiles, completions, man\n"
    );
}
