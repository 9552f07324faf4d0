//! YAML tree → [`Workflow`]. Structure errors make the whole file invalid: one diagnostic,
//! at the first problem found.

use super::directive::{self, DirectiveSyntax, ScalarLines};
use super::{
    ContinueOnError, Job, JobDirective, MatrixSpec, Spanned, Step, StepKind, Trigger, Workflow,
};
use crate::yaml::{self, Doc, LineIndex, NodeId, NodeKind, Pos, Span, Value};

/// Why a file is not a usable workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub help: Option<String>,
    pub span: Span,
}

impl Invalid {
    fn at(span: Span, message: impl Into<String>) -> Self {
        Invalid {
            message: message.into(),
            help: None,
            span,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Parse one workflow file's text. `file` is the path relative to the repository root.
pub fn parse_workflow(
    source: &str,
    file: &str,
    syntax: &DirectiveSyntax,
) -> Result<Workflow, Invalid> {
    let start = Span::new(Pos::new(1, 0), Pos::new(1, 0));
    if let Some(nul) = source.find('\0') {
        let index = LineIndex::new(source);
        let (line, col) = index.line_col(source, nul);
        let at = Pos::new(line, (col - 1) as u32);
        return Err(Invalid::at(
            Span::new(at, at),
            format!("not a text file: NUL byte at line {line}, column {col}"),
        ));
    }
    let docs = yaml::load(source).map_err(|e| {
        Invalid::at(
            Span::new(e.pos, e.pos),
            format!("YAML error: {}", e.message),
        )
    })?;
    let doc = match docs.as_slice() {
        [] => {
            return Err(
                Invalid::at(start, "empty file: a workflow needs `on` and `jobs`")
                    .help("add `on:` and `jobs:`, or move this file out of the workflows folder"),
            );
        }
        [doc] => doc,
        [_, second, ..] => {
            let at = second.root().map_or(start, |r| second.span(r));
            return Err(Invalid::at(
                at,
                "more than one YAML document: a workflow file holds exactly one",
            ));
        }
    };
    let Some(root) = doc.root() else {
        return Err(Invalid::at(
            start,
            "empty file: a workflow needs `on` and `jobs`",
        ));
    };
    let Some(_) = doc.as_map(root) else {
        if doc.is_null(root) {
            return Err(Invalid::at(
                start,
                "empty file: a workflow needs `on` and `jobs`",
            ));
        }
        return Err(Invalid::at(
            doc.span(root),
            "not a workflow: the top level is not a mapping",
        ));
    };
    let name = optional_string(doc, root, "name")?;
    let triggers = match doc.get_entry(root, "on") {
        Some((_, on)) => parse_on(doc, on)?,
        None => {
            return Err(
                Invalid::at(doc.span(root), "no `on`: the workflow never runs")
                    .help("add the events it runs on, e.g. `on: [push, pull_request]`"),
            );
        }
    };
    let Some((jobs_key, jobs_node)) = doc.get_entry(root, "jobs") else {
        return Err(
            Invalid::at(doc.span(root), "not a workflow: no `jobs`").help("add a `jobs:` mapping")
        );
    };
    let Some(entries) = doc.as_map(jobs_node) else {
        return Err(Invalid::at(
            doc.span(jobs_node),
            "`jobs` is not a mapping of job ids to jobs",
        ));
    };
    if entries.is_empty() {
        return Err(Invalid::at(doc.span(jobs_key), "`jobs` is empty"));
    }
    let index = LineIndex::new(source);
    let scalars = ScalarLines::collect(doc, source, &index);
    let mut directives = directive::Reader::new(source, &index, &scalars, syntax);
    // Jobs whose `continue-on-error` is on one line share the comments around it.
    let mut near: Option<(u32, std::sync::Arc<[String]>)> = None;
    let mut jobs = Vec::with_capacity(entries.len());
    for &(key, value) in entries {
        let Some(id) = doc.as_str(key) else {
            return Err(Invalid::at(doc.span(key), "a job id must be a string"));
        };
        let key_span = doc.span(key);
        let Some(_) = doc.as_map(value) else {
            let what = if doc.is_null(value) {
                "empty"
            } else {
                "not a mapping"
            };
            return Err(Invalid::at(key_span, format!("job `{id}` is {what}"))
                .help("a job is a mapping with `runs-on` and `steps`, or `uses`"));
        };
        let directive = directives.for_job(key_span);
        let mut job = parse_job(doc, id, key_span, value, directive)?;
        if let Some(coe) = &job.continue_on_error {
            let line = coe.span.start.line;
            job.mask_comments = match &near {
                Some((l, shared)) if *l == line => std::sync::Arc::clone(shared),
                _ => {
                    let shared: std::sync::Arc<[String]> =
                        comments_near(source, &index, line, 2).into();
                    near = Some((line, std::sync::Arc::clone(&shared)));
                    shared
                }
            };
        }
        jobs.push(job);
    }
    let call_inputs = call_inputs(doc, root);
    Ok(Workflow {
        file: file.to_owned(),
        name,
        triggers,
        jobs,
        call_inputs,
    })
}

/// `needs.<job>.result` or `needs.*.result` in a text (an `if:` or a script's expressions).
fn reads_needs_results(text: &str) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bneeds\.(\*|[A-Za-z_][\w-]*)\.result\b").ok()
    });
    !text.is_empty() && RE.as_ref().is_some_and(|re| re.is_match(text))
}

/// Call `f` with every scalar value under `node`, each node once (aliases not followed).
fn each_scalar(doc: &Doc<'_>, node: NodeId, f: &mut dyn FnMut(&str)) {
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        match &doc.node(n).kind {
            NodeKind::Scalar { value, .. } => f(value),
            NodeKind::Seq(items) => pending.extend(items.iter().copied()),
            NodeKind::Map(entries) => pending.extend(entries.iter().map(|(_, v)| *v)),
            NodeKind::Alias(_) => {}
        }
    }
}

/// The step ids whose `steps.<id>.outcome` or `steps.<id>.conclusion` some text of `job`
/// (conditions, scripts, `with:`, `env:`) reads, lowercased (contexts are case-insensitive).
fn outcomes_read(doc: &Doc<'_>, job: NodeId) -> std::collections::HashSet<String> {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bsteps\.([A-Za-z_][\w-]*)\.(?:outcome|conclusion)\b").ok()
    });
    let mut ids = std::collections::HashSet::new();
    if let Some(re) = RE.as_ref() {
        each_scalar(doc, job, &mut |value| {
            for c in re.captures_iter(value) {
                if let Some(id) = c.get(1) {
                    ids.insert(id.as_str().to_ascii_lowercase());
                }
            }
        });
    }
    ids
}

/// Does some text of `job` read its dependencies' results (see [`Job::reads_needs_results`])?
fn job_reads_needs_results(doc: &Doc<'_>, job: NodeId) -> bool {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\bneeds\.(\*|[A-Za-z_][\w-]*)\.result\b|\btojson\(\s*needs\s*\)")
            .ok()
    });
    let Some(re) = RE.as_ref() else {
        return false;
    };
    let mut found = false;
    each_scalar(doc, job, &mut |value| found = found || re.is_match(value));
    found
}

/// What a step is, from the action it uses or the script it runs (required-noop).
fn step_kind(uses: &str, run: &str) -> StepKind {
    // Action names are compared without case and without a copy (every step is asked).
    let action = uses.split('@').next().unwrap_or(uses);
    let is = |name: &str| action.eq_ignore_ascii_case(name);
    let has = |part: &str| {
        action
            .as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    };
    const DETECT: [&str; 4] = [
        "dorny/paths-filter",
        "tj-actions/changed-files",
        "step-security/changed-files",
        "marceloprado/has-changed-path",
    ];
    const SETUP: [&str; 3] = [
        "actions/checkout",
        "actions/cache",
        "actions/download-artifact",
    ];
    if DETECT.iter().any(|d| is(d)) {
        return StepKind::DetectsChanges;
    }
    if SETUP.iter().any(|d| is(d)) || has("/setup-") {
        return StepKind::Setup;
    }
    // Scripts can be long: scanned as written (commands are lower-case), copied only when
    // they are a few `echo` lines.
    if run.contains("git diff") && run.contains("--name-only")
        || run.contains("changed-files")
        || run.contains("changed_files")
    {
        return StepKind::DetectsChanges;
    }
    // A script that only reports that nothing was to be done.
    let says = [
        "nothing to do",
        "no relevant change",
        "no changes",
        "skipping",
        "skipped",
    ];
    if !run.is_empty()
        && run.len() <= 4096
        && run.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with("echo") || l.starts_with('#') || l.starts_with("printf")
        })
    {
        let script = run.to_ascii_lowercase();
        if says.iter().any(|w| script.contains(w)) {
            return StepKind::SaysSkipped;
        }
    }
    StepKind::Work
}

/// `steps.<id>` or `needs.<job>` whose `outputs` an `if:` reads.
fn if_reads_output(cond: &str) -> Option<String> {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(steps|needs)\.([A-Za-z_][\w-]*)\.outputs\b").ok()
    });
    // Most conditions read no output: a byte scan before the regex.
    if !cond
        .as_bytes()
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b".outputs"))
    {
        return None;
    }
    let caps = RE.as_ref()?.captures(cond)?;
    Some(format!(
        "{}.{}",
        caps.get(1)?.as_str().to_ascii_lowercase(),
        caps.get(2)?.as_str().to_ascii_lowercase()
    ))
}

/// The comments on the lines within `radius` of `line` (full-line and trailing comments).
fn comments_near(source: &str, index: &LineIndex, line: u32, radius: u32) -> Vec<String> {
    let first = line.saturating_sub(radius).max(1);
    (first..=line.saturating_add(radius))
        .filter_map(|l| {
            let text = index.line(source, l as usize);
            let trimmed = text.trim_start();
            if trimmed.starts_with('#') {
                return Some(trimmed.to_owned());
            }
            text.find(" #").map(|at| text[at + 1..].to_owned())
        })
        .collect()
}

/// `on.workflow_call.inputs`: each input's default, or null.
fn call_inputs(doc: &Doc<'_>, root: NodeId) -> Vec<(String, Value)> {
    let Some(inputs) = doc
        .get(root, "on")
        .and_then(|on| doc.get(on, "workflow_call"))
        .and_then(|wc| doc.get(wc, "inputs"))
        .and_then(|i| doc.as_map(i))
    else {
        return Vec::new();
    };
    inputs
        .iter()
        .map(|&(k, v)| {
            let default = doc
                .get(v, "default")
                .map_or(Value::Null, |d| doc.to_value(d));
            (doc.key_text(k), default)
        })
        .collect()
}

fn spanned_str(doc: &Doc<'_>, id: NodeId) -> Option<Spanned<String>> {
    doc.as_str(id)
        .map(|s| Spanned::new(s.to_owned(), doc.span(id)))
}

/// A key whose value must be a scalar when present. Null counts as absent.
fn optional_string(
    doc: &Doc<'_>,
    map: NodeId,
    key: &str,
) -> Result<Option<Spanned<String>>, Invalid> {
    let Some(node) = doc.get(map, key) else {
        return Ok(None);
    };
    if doc.is_null(node) {
        return Ok(None);
    }
    spanned_str(doc, node)
        .map(Some)
        .ok_or_else(|| Invalid::at(doc.span(node), format!("`{key}` must be a string")))
}

fn string_list(doc: &Doc<'_>, node: NodeId, what: &str) -> Result<Spanned<Vec<String>>, Invalid> {
    let span = doc.span(node);
    if let Some(s) = doc.as_str(node) {
        return Ok(Spanned::new(vec![s.to_owned()], span));
    }
    let Some(items) = doc.as_seq(node) else {
        return Err(Invalid::at(
            span,
            format!("`{what}` must be a string or a list of strings"),
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for &item in items {
        match doc.as_str(item) {
            Some(s) => out.push(s.to_owned()),
            None => {
                return Err(Invalid::at(
                    doc.span(item),
                    format!("`{what}` must be a list of strings"),
                ));
            }
        }
    }
    Ok(Spanned::new(out, span))
}

fn parse_on(doc: &Doc<'_>, on: NodeId) -> Result<Vec<Trigger>, Invalid> {
    match &doc.node(on).kind {
        NodeKind::Scalar { value, .. } => Ok(vec![Trigger::bare(value, doc.span(on))]),
        NodeKind::Seq(items) => items
            .iter()
            .map(|&i| {
                doc.as_str(i)
                    .map(|e| Trigger::bare(e, doc.span(i)))
                    .ok_or_else(|| Invalid::at(doc.span(i), "an event in `on` must be a string"))
            })
            .collect(),
        NodeKind::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for &(k, v) in entries {
                let Some(event) = doc.as_str(k) else {
                    return Err(Invalid::at(
                        doc.span(k),
                        "an event in `on` must be a string",
                    ));
                };
                let mut t = Trigger::bare(event, doc.span(k));
                if doc.as_map(v).is_some() {
                    let filter = |key: &str| -> Result<Option<Spanned<Vec<String>>>, Invalid> {
                        match doc.get(v, key) {
                            Some(n) if !doc.is_null(n) => string_list(doc, n, key).map(Some),
                            _ => Ok(None),
                        }
                    };
                    t.branches = filter("branches")?;
                    t.branches_ignore = filter("branches-ignore")?;
                    t.paths = filter("paths")?;
                    t.paths_ignore = filter("paths-ignore")?;
                    t.types = filter("types")?;
                    t.tags = filter("tags")?.is_some() || filter("tags-ignore")?.is_some();
                } else if !doc.is_null(v) && doc.as_seq(v).is_none() && doc.as_str(v).is_none() {
                    return Err(Invalid::at(
                        doc.span(v),
                        format!("`on.{event}` is malformed"),
                    ));
                }
                out.push(t);
            }
            Ok(out)
        }
        NodeKind::Alias(_) => Ok(Vec::new()),
    }
}

fn read_continue_on_error(
    doc: &Doc<'_>,
    map: NodeId,
) -> Result<Option<Spanned<ContinueOnError>>, Invalid> {
    let Some(node) = doc.get(map, "continue-on-error") else {
        return Ok(None);
    };
    let span = doc.span(node);
    let value = match doc.value_shallow(node) {
        Some(Value::Bool(b)) => ContinueOnError::Literal(b),
        Some(Value::Null) => return Ok(None),
        Some(Value::Str(s)) => match s.trim() {
            "true" => ContinueOnError::Literal(true),
            "false" => ContinueOnError::Literal(false),
            _ => ContinueOnError::Expression(s),
        },
        Some(other) => ContinueOnError::Expression(other.to_expr_string()),
        None => {
            return Err(Invalid::at(
                span,
                "`continue-on-error` must be a boolean or an expression",
            ));
        }
    };
    Ok(Some(Spanned::new(value, span)))
}

fn parse_job(
    doc: &Doc<'_>,
    id: &str,
    key_span: Span,
    job: NodeId,
    directive: std::sync::Arc<JobDirective>,
) -> Result<Job, Invalid> {
    let name = optional_string(doc, job, "name")?.filter(|n| !n.value.trim().is_empty());
    let if_cond = match doc.get(job, "if") {
        Some(n) if !doc.is_null(n) => {
            let text = match doc.value_shallow(n) {
                Some(v) => doc
                    .as_str(n)
                    .map_or_else(|| v.to_expr_string(), str::to_owned),
                None => return Err(Invalid::at(doc.span(n), "`if` must be an expression")),
            };
            let condition = super::condition::Condition::parse(&text).map_err(|e| {
                Invalid::at(
                    doc.span(n),
                    format!("the `if` of job `{id}` does not parse: {e}"),
                )
            })?;
            Some(Spanned::new(condition, doc.span(n)))
        }
        _ => None,
    };
    let needs = match doc.get(job, "needs") {
        Some(n) if !doc.is_null(n) => {
            let list = string_list(doc, n, "needs")?;
            let spans: Vec<Span> = match doc.as_seq(n) {
                Some(items) => items.iter().map(|&i| doc.span(i)).collect(),
                None => vec![doc.span(n)],
            };
            list.value
                .into_iter()
                .zip(spans)
                .map(|(v, s)| Spanned::new(v, s))
                .collect()
        }
        _ => Vec::new(),
    };
    let uses = optional_string(doc, job, "uses")?;
    let matrix = match doc.get(job, "strategy") {
        Some(strategy) if doc.as_map(strategy).is_some() => match doc.get(strategy, "matrix") {
            Some(m) if doc.as_map(m).is_some() => Some(Spanned::new(
                MatrixSpec::Static(doc.to_value(m)),
                doc.span(m),
            )),
            Some(m) if doc.is_null(m) => None,
            Some(m) => match doc.as_str(m) {
                Some(text) => Some(Spanned::new(
                    MatrixSpec::Expression(text.to_owned()),
                    doc.span(m),
                )),
                None => {
                    return Err(Invalid::at(
                        doc.span(m),
                        "`strategy.matrix` must be a mapping or an expression",
                    ));
                }
            },
            None => None,
        },
        Some(strategy) if doc.is_null(strategy) => None,
        Some(strategy) if doc.as_str(strategy).is_some() => {
            // `strategy: ${{ … }}`: the whole strategy comes from run time.
            let text = doc.as_str(strategy).unwrap_or_default().to_owned();
            Some(Spanned::new(
                MatrixSpec::Expression(text),
                doc.span(strategy),
            ))
        }
        Some(strategy) => {
            return Err(Invalid::at(
                doc.span(strategy),
                "`strategy` must be a mapping",
            ));
        }
        None => None,
    };
    let continue_on_error = read_continue_on_error(doc, job)?;
    let mut steps = Vec::new();
    // What the job does, to recognise it under another name (diff mode).
    let mut fingerprint = doc
        .get(job, "uses")
        .and_then(|u| doc.as_str(u))
        .unwrap_or("")
        .to_owned();
    let mut detects_changes = false;
    // Read once per job, when a masked step has an id.
    let mut outcomes: Option<std::collections::HashSet<String>> = None;
    if let Some(list) = doc.get(job, "steps") {
        match doc.as_seq(list) {
            Some(items) => {
                for &item in items {
                    if doc.as_map(item).is_none() {
                        // A null step (`-` alone) is accepted by the forges' parsers.
                        if doc.is_null(item) {
                            continue;
                        }
                        return Err(Invalid::at(doc.span(item), "a step must be a mapping"));
                    }
                    let text_of =
                        |key: &str| doc.get(item, key).and_then(|n| doc.as_str(n)).unwrap_or("");
                    let continue_on_error = read_continue_on_error(doc, item)?;
                    let outcome_checked = continue_on_error.is_some()
                        && doc
                            .get(item, "id")
                            .and_then(|n| doc.as_str(n))
                            .is_some_and(|id| {
                                outcomes
                                    .get_or_insert_with(|| outcomes_read(doc, job))
                                    .contains(&id.to_ascii_lowercase())
                            });
                    // What a masked step does, for required-step-masked; nothing for others.
                    let masked = continue_on_error.is_some();
                    let text = |key: &str| Some(text_of(key)).filter(|t| masked && !t.is_empty());
                    let kind = step_kind(text_of("uses"), text_of("run"));
                    detects_changes |= kind == StepKind::DetectsChanges;
                    steps.push(Step {
                        kind,
                        if_reads_output: if_reads_output(text_of("if")),
                        id: doc
                            .get(item, "id")
                            .and_then(|n| doc.as_str(n))
                            .map(str::to_ascii_lowercase),
                        name: doc
                            .get(item, "name")
                            .and_then(|n| doc.as_str(n))
                            .map(str::to_owned),
                        span: doc.span(item),
                        continue_on_error,
                        checks_needs_results: reads_needs_results(text_of("if"))
                            || reads_needs_results(text_of("run")),
                        uses: text("uses").map(|u| u.split('@').next().unwrap_or(u).to_owned()),
                        run: text("run").map(str::to_owned),
                        outcome_checked,
                    });
                    for key in ["uses", "run"] {
                        fingerprint.push_str(text_of(key));
                        fingerprint.push('\n');
                    }
                }
            }
            None if doc.is_null(list) => {}
            None if doc.as_str(list).is_some() => {}
            None => return Err(Invalid::at(doc.span(list), "`steps` must be a list")),
        }
    }
    // An aggregator reads its dependencies' results somewhere (aggregator-incomplete); an
    // `if:` that runs after a failure makes that a guard (required-needs-unguarded).
    let checks_needs_results = doc.get(job, "needs").is_some() && job_reads_needs_results(doc, job);
    let reads_needs_results = checks_needs_results
        && if_cond
            .as_ref()
            .is_some_and(|c| c.value.runs_after_failure());
    Ok(Job {
        id: id.to_owned(),
        key_span,
        name,
        if_cond,
        needs,
        uses,
        runs_on: doc.get(job, "runs-on").is_some(),
        matrix,
        continue_on_error,
        steps,
        directive,
        mask_comments: std::sync::Arc::from(Vec::new()),
        fingerprint,
        reads_needs_results,
        checks_needs_results,
        detects_changes,
        with: match doc.get(job, "with") {
            Some(w) if doc.as_map(w).is_some() => match doc.to_value(w) {
                Value::Map(entries) => entries,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        },
    })
}
