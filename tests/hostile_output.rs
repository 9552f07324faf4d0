//! A hostile pull request (issue 9, attack 5): names and file names carrying CR/LF, terminal
//! escape sequences, bidi overrides, backticks, `|`, HTML and `javascript:` links must not
//! forge a workflow command, repaint a terminal, break a Markdown table or inject HTML, in any
//! format; JSON and SARIF keep the exact text.

mod common;

use std::path::Path;

use serde_json::Value;

const WORKFLOW_NAME: &str = "W\n::error::forged-workflow \u{1b}[2J <img src=x onerror=alert(1)>";
const JOB_NAME: &str = "J `x` \r\n::error::forged-job \u{1b}]8;;http://evil.example\u{7}link\u{1b}]8;;\u{7} \u{202e}cba [x](javascript:alert(1)) a|b ``";
const FILE_NAME: &str = "evil\n::error::forged-file\u{1b}[31m.yml";

/// YAML double-quoted text for `s` (`\e`, `\n`, `\r`, `\a`, `\u…` escapes).
fn yaml_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{7}' => out.push_str("\\a"),
            c if c.is_control() || !c.is_ascii() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).expect("mkdir");
    let text = format!(
        "name: {}\non: pull_request\njobs:\n  # bp-required: yes\n  \"bad|id`<b>\":\n    name: {}\n    runs-on: x\n    steps: [{{run: 'true'}}]\n",
        yaml_quoted(WORKFLOW_NAME),
        yaml_quoted(JOB_NAME)
    );
    std::fs::write(wf.join(FILE_NAME), &text).expect("write");
    std::fs::write(
        dir.path().join("protection.txt"),
        "<img src=x onerror=alert(2)>\n",
    )
    .expect("write");
    dir
}

/// No raw control character (but the line break), no bidi control, no line that starts with
/// `::` (a forged workflow command).
fn assert_inert(what: &str, out: &str) {
    for c in out.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{what}: raw {:?} in\n{out}",
            c
        );
    }
    for line in out.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: forged command `{line}`"
        );
    }
}

/// A Markdown line without its code spans (CommonMark: a run of n backticks opens a span that
/// the next run of exactly n closes; a backslash escapes a backtick outside spans).
fn outside_code(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            // An escaped character is text, never syntax.
            out.push('_');
            i += 2;
            continue;
        }
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let n = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + n;
        let mut closed = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let m = chars[j..].iter().take_while(|c| **c == '`').count();
                if m == n {
                    closed = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => i = end,
            None => {
                out.extend(&chars[i..i + n]);
                i += n;
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str]) -> common::Output {
    let root = dir.to_string_lossy().into_owned();
    let mut all = vec![args[0], root.as_str(), "--protection"];
    let prot = dir.join("protection.txt").to_string_lossy().into_owned();
    all.push(&prot);
    all.extend_from_slice(&args[1..]);
    common::gatelint(&all)
}

#[test]
fn human_and_table_output_are_inert() {
    let dir = repo();
    let human = run(dir.path(), &["check", "--format", "human"]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert_inert("check human", &human.stdout);
    assert!(
        human.stdout.contains("\\u{1b}]8;;")
            && human.stdout.contains("\\r\\n::error::forged-job")
            && human
                .stdout
                .contains("evil\\n::error::forged-file\\u{1b}[31m.yml"),
        "the escapes are shown, visibly: {}",
        human.stdout
    );
    let table = run(dir.path(), &["report"]);
    assert_inert("report table", &table.stdout);
    assert_inert("report stderr", &table.stderr);
}

#[test]
fn markdown_is_inert() {
    let dir = repo();
    let md = run(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(md.code, 1, "{}", md.stderr);
    assert_inert("markdown", &md.stdout);
    // Outside code spans (where Markdown shows text literally): no HTML, no link.
    for line in md.stdout.lines() {
        let text = outside_code(line);
        for bad in ["<img", "<b>", "](javascript"] {
            assert!(!text.contains(bad), "`{bad}` outside code in: {line}");
        }
    }
    // Every table row keeps its number of cells: no `|` from a name splits one.
    for line in md.stdout.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells == 5 || cells == 7, "row split: {line}");
    }
}

#[test]
fn github_commands_are_inert() {
    let dir = repo();
    let gh = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(gh.code, 1, "{}", gh.stderr);
    for line in gh.stdout.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        // One command per line: the data carries no further `::` command start.
        assert!(!line.contains('\u{1b}'), "{line}");
    }
    let without_commands: String = gh
        .stdout
        .lines()
        .map(|l| l.splitn(3, "::").nth(2).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    assert_inert("github data", &without_commands);
}

#[test]
fn json_and_sarif_keep_the_exact_text() {
    let dir = repo();
    let json = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let doc = json.json();
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    let ours: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "required-not-protected")
        .collect();
    assert_eq!(ours.len(), 1, "{findings:#?}");
    assert_eq!(ours[0]["file"], format!(".github/workflows/{FILE_NAME}"));
    assert_eq!(ours[0]["workflow"], WORKFLOW_NAME);
    assert_eq!(ours[0]["job"], "bad|id`<b>");
    let report = run(dir.path(), &["report", "--format", "json"]);
    let gates = report.json()["gates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let gate = common::gate(
        &gates,
        &format!(".github/workflows/{FILE_NAME}"),
        "bad|id`<b>",
    );
    assert_eq!(common::contexts(gate), [JOB_NAME]);
    let sarif = run(dir.path(), &["check", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}
