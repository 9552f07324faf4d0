//! What the human (and Markdown) output shows of a repository's findings: a first run on a
//! repository without any directive is thousands of `directive-missing` lines otherwise.
//! When no job of a repository has a directive yet, its `directive-missing` findings become
//! one summary pointing at `gatelint init`, and findings about jobs that nothing requires are
//! counted by rule; everything else is shown, errors before warnings before notes. JSON,
//! SARIF and workflow commands keep every finding; the counts and the exit code are the same.

use std::collections::{BTreeMap, HashSet};

use crate::finding::{Finding, Severity};
use crate::run::Checked;
use crate::workflow::Directive;

/// The most job names a summary lists.
const NAMED: usize = 5;

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

/// Does no job of the repository have a directive (valid or not)?
pub fn undecided(c: &Checked) -> bool {
    !c.report.gates.is_empty()
        && c.report
            .gates
            .iter()
            .all(|g| g.directive.is_none() && !g.directive_invalid)
}

/// The findings to show for one repository, in order: summaries in place of what they count.
pub fn shown(c: &Checked) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    if !undecided(c) {
        out = c.findings.clone();
        out.sort_by_key(|f| rank(f.severity));
        return out;
    }
    // Jobs something requires: a directive (none here) or the protection.
    let required: HashSet<(&str, &str)> = c
        .report
        .gates
        .iter()
        .filter(|g| {
            matches!(
                g.directive.as_ref().map(|d| &d.value),
                Some(Directive::Required | Directive::Pending(_))
            ) || c
                .protection
                .as_ref()
                .is_some_and(|p| g.contexts.iter().any(|ctx| p.requires(&ctx.text)))
        })
        .map(|g| (g.workflow.as_str(), g.job.as_str()))
        .collect();
    // Counted: (rule, severity) → the jobs, in order.
    let mut counted: BTreeMap<(u8, &'static str), (Severity, Vec<&str>)> = BTreeMap::new();
    for f in &c.findings {
        let unrequired_job = match (&f.workflow, &f.job) {
            (Some(w), Some(j)) => !required.contains(&(w.as_str(), j.as_str())),
            _ => false,
        };
        if f.rule == "directive-missing" || unrequired_job {
            let entry = counted
                .entry((rank(f.severity), f.rule))
                .or_insert((f.severity, Vec::new()));
            entry.1.push(f.job.as_deref().unwrap_or("?"));
        } else {
            out.push(f.clone());
        }
    }
    let keyword = c.config.syntax.required();
    let exempt = c.config.syntax.exempt();
    for ((_, rule), (severity, jobs)) in counted {
        let mut names: Vec<&str> = Vec::new();
        for j in &jobs {
            if names.len() == NAMED {
                break;
            }
            if !names.contains(j) {
                names.push(j);
            }
        }
        let more = if jobs.len() > names.len() {
            ", …"
        } else {
            ""
        };
        let listed = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let f = if rule == "directive-missing" {
            Finding::new(
                rule,
                severity,
                &c.report.root,
                format!(
                    "{} jobs post a status check and none has a `{keyword}` or `{exempt}` directive yet ({listed}{more}): nothing says which gates must hold",
                    jobs.len()
                ),
            )
            .help(format!(
                "run `gatelint init` to add a directive above each job (`{keyword}: yes` where the protection requires it, else a `{exempt}: TODO` to decide), then `gatelint check` again; `--format json` lists every finding"
            ))
        } else {
            Finding::new(
                rule,
                severity,
                &c.report.root,
                format!(
                    "{} on {} that nothing requires yet ({listed}{more})",
                    crate::report::checks::plural(jobs.len(), "finding"),
                    crate::report::checks::plural(jobs.iter().collect::<HashSet<_>>().len(), "job")
                ),
            )
            .help(format!(
                "`gatelint explain {rule}` says what it means; `--format json` lists each finding"
            ))
        };
        out.push(f);
    }
    out.sort_by_key(|f| rank(f.severity));
    out
}

/// `directive-missing 209 errors · context-unresolvable 154 warnings`: every finding of the
/// run, by rule, errors first.
pub fn tally(checked: &[Checked]) -> Option<String> {
    let mut t = Tally::default();
    for c in checked {
        t.add(c);
    }
    t.text()
}

/// [`tally`], counted root by root.
#[derive(Debug, Default)]
pub struct Tally {
    by: BTreeMap<(u8, &'static str), (Severity, usize)>,
}

impl Tally {
    pub fn add(&mut self, c: &Checked) {
        for f in &c.findings {
            self.by
                .entry((rank(f.severity), f.rule))
                .or_insert((f.severity, 0))
                .1 += 1;
        }
    }

    pub fn text(&self) -> Option<String> {
        tally_text(&self.by)
    }
}

fn tally_text(by: &BTreeMap<(u8, &'static str), (Severity, usize)>) -> Option<String> {
    if by.is_empty() {
        return None;
    }
    let parts: Vec<String> = by
        .iter()
        .map(|((_, rule), (severity, n))| {
            format!(
                "{rule} {}",
                crate::report::checks::plural(*n, severity.as_str())
            )
        })
        .collect();
    Some(format!("gatelint: by rule: {}", parts.join(" · ")))
}
