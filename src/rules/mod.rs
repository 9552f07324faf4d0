//! The rules: one file per rule, a small trait whose methods all default to doing nothing
//! (a rule overrides the level it looks at), and one registry with every rule's id, default
//! severity, summary and documentation (`rules/<id>.md`, embedded in the binary).

mod aggregator_incomplete;
mod aggregator_unpaired;
mod context_collision;
mod context_glob_literal;
mod context_not_posted;
mod context_unpredicted;
mod context_unresolvable;
mod directive_invalid;
mod directive_missing;
mod exempt_but_protected;
mod gate_removed;
mod gate_renamed;
mod gate_weakened;
mod lane_removed;
mod mask_expired;
mod mask_hides_failures;
mod mask_ignored;
mod mask_removal_unproven;
mod mask_stale;
mod mask_untracked;
mod no_protection;
mod pending_already_protected;
mod pending_ready;
pub mod plan;
mod protection_not_enforced;
mod protection_orphaned;
mod required_any_source;
mod required_masked;
mod required_needs_unguarded;
mod required_never_posted;
mod required_never_seen;
mod required_noop;
mod required_not_protected;
mod required_path_filtered;
mod required_pending;
mod required_skippable;
mod required_step_masked;
mod required_wrong_source;
mod snapshot_drift;
mod tracker_closed;
mod tracker_overdue;
mod workflow_invalid;
mod workflow_skipped;

use std::collections::HashMap;

use crate::analyze::{Gate, RootReport};
use crate::config::{Config, Date, Waiver};
use crate::finding::{Finding, Severity};
use crate::forge::naming::{self, Context, POSTING_EVENTS};
use crate::forge::protection::Protection;
use crate::forge::{Forge, ForgeProfile};
use crate::workflow::{Directive, Job, Workflow};
use crate::yaml::{Pos, Span};

/// What the registry knows of a rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub default: Severity,
    pub summary: &'static str,
    /// The rule's documentation, `rules/<id>.md`.
    pub doc: &'static str,
    /// The rule compares with branch protection and is not run without a source.
    pub needs_protection: bool,
}

/// A rule. Every method has a default that finds nothing.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;

    /// Called once per job.
    fn check_gate(&self, _cx: &Cx<'_>, _gate: &GateFacts<'_>, _out: &mut Vec<Finding>) {}

    /// Called once per repository root, after the jobs.
    fn check_root(&self, _cx: &Cx<'_>, _out: &mut Vec<Finding>) {}

    /// Diff mode (`--base REV`): called once with the base revision's facts and the work
    /// tree's.
    fn check_diff(&self, _base: &Cx<'_>, _head: &Cx<'_>, _out: &mut Vec<Finding>) {}
}

/// Declares a rule's unit struct and its registry entry.
macro_rules! rule {
    ($ty:ident, $id:literal, $severity:ident, $summary:literal, needs_protection = $np:literal) => {
        pub struct $ty;

        static INFO: $crate::rules::RuleInfo = $crate::rules::RuleInfo {
            id: $id,
            default: $crate::finding::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!("../../rules/", $id, ".md")),
            needs_protection: $np,
        };

        impl $ty {
            #[allow(dead_code)]
            fn new_finding(
                cx: &$crate::rules::Cx<'_>,
                message: impl Into<String>,
            ) -> $crate::finding::Finding {
                $crate::finding::Finding::new(INFO.id, INFO.default, &cx.root.root, message)
            }
        }
    };
}
pub(crate) use rule;

/// Every rule, in the order `gatelint rules` lists them.
pub static RULES: &[&dyn Rule] = &[
    &workflow_invalid::WorkflowInvalid,
    &workflow_skipped::WorkflowSkipped,
    &directive_invalid::DirectiveInvalid,
    &directive_missing::DirectiveMissing,
    &required_not_protected::RequiredNotProtected,
    &protection_orphaned::ProtectionOrphaned,
    &required_wrong_source::RequiredWrongSource,
    &required_any_source::RequiredAnySource,
    &protection_not_enforced::ProtectionNotEnforced,
    &required_masked::RequiredMasked,
    &mask_ignored::MaskIgnored,
    &aggregator_incomplete::AggregatorIncomplete,
    &aggregator_unpaired::AggregatorUnpaired,
    &mask_untracked::MaskUntracked,
    &mask_stale::MaskStale,
    &mask_expired::MaskExpired,
    &required_pending::RequiredPending,
    &pending_already_protected::PendingAlreadyProtected,
    &exempt_but_protected::ExemptButProtected,
    &required_never_posted::RequiredNeverPosted,
    &required_step_masked::RequiredStepMasked,
    &required_noop::RequiredNoop,
    &context_not_posted::ContextNotPosted,
    &context_unpredicted::ContextUnpredicted,
    &lane_removed::LaneRemoved,
    &required_never_seen::RequiredNeverSeen,
    &pending_ready::PendingReady,
    &mask_hides_failures::MaskHidesFailures,
    &mask_removal_unproven::MaskRemovalUnproven,
    &tracker_closed::TrackerClosed,
    &tracker_overdue::TrackerOverdue,
    &required_skippable::RequiredSkippable,
    &required_needs_unguarded::RequiredNeedsUnguarded,
    &required_path_filtered::RequiredPathFiltered,
    &context_unresolvable::ContextUnresolvable,
    &context_collision::ContextCollision,
    &context_glob_literal::ContextGlobLiteral,
    &snapshot_drift::SnapshotDrift,
    &gate_removed::GateRemoved,
    &gate_renamed::GateRenamed,
    &gate_weakened::GateWeakened,
    &no_protection::NoProtection,
];

/// Rules that judge GitHub-only protection settings (app pins).
pub const GITHUB_ONLY: [&str; 3] = [
    "required-wrong-source",
    "required-any-source",
    "protection-not-enforced",
];

pub fn ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.info().id).collect()
}

pub fn find(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().map(|r| r.info()).find(|i| i.id == id)
}

/// Everything a rule may look at for one repository root.
pub struct Cx<'a> {
    pub root: &'a RootReport,
    pub protection: Option<&'a Protection>,
    pub config: &'a Config,
    pub today: Date,
    /// The branch whose protection applies (for messages).
    pub branch: &'a str,
    pub gates: Vec<GateFacts<'a>>,
    /// With `--remote`: the protection file given too, compared with the live protection.
    pub snapshot: Option<&'a Protection>,
    /// Diff mode: every context the base revision posts.
    pub base_contexts: Option<std::collections::HashSet<String>>,
    /// Per gate (same index as `gates`): the job it `needs` on the way to a job that is not
    /// required, through required jobs only; `None` when it reaches none.
    pub toward_unrequired: Vec<Option<usize>>,
    /// Index in `gates` by (workflow index, job index).
    pub gate_index: HashMap<(usize, usize), usize>,
    /// Every context some job posts (see [`Cx::posts`]).
    pub posted: std::sync::OnceLock<std::collections::HashSet<&'a str>>,
    /// Called workflow files (relative paths) by the first job that calls them from a
    /// workflow that runs for pull requests (see [`Cx::caller_of`]).
    pub callers: std::sync::OnceLock<HashMap<&'a str, usize>>,
    /// Diff mode: the checked revision's own config, when the base's is used for the check
    /// (the pull request's changes to it are compared, never applied).
    pub own_config: Option<&'a Config>,
    /// Diff mode: the checked revision's own protection file, when the base's is used.
    pub own_protection: Option<&'a Protection>,
    /// `owner/name` of the checked repository, when known (`--repo`, `GITHUB_REPOSITORY`,
    /// the live protection's): what `github.repository` is in its runs.
    pub repository: Option<String>,
    /// Diff mode: a commit message of the change or the pull request's body says
    /// `Paired: #N` (aggregator-unpaired).
    pub paired: bool,
}

/// A job with the facts the rules share, computed once.
pub struct GateFacts<'a> {
    pub gate: &'a Gate,
    pub workflow: &'a Workflow,
    pub job: &'a Job,
    pub directive: Option<&'a Directive>,
    /// Contexts an enforced protection entry requires.
    pub protected: Vec<&'a Context>,
    /// Required: `bp-required: yes`, or protection requires one of its contexts.
    pub required: bool,
    /// Job-level `continue-on-error` that may be true.
    pub masked: bool,
    /// The waiver that registers this job's mask, if any and not expired.
    pub waiver: Option<&'a Waiver>,
    /// A tracker comment sits within 2 lines of the mask.
    pub tracked: bool,
}

impl GateFacts<'_> {
    /// The directive's comment, or the job key when there is none.
    pub fn directive_span(&self) -> Span {
        self.gate
            .directive
            .as_ref()
            .map_or(self.gate.key_span, |d| d.span)
    }

    /// The job part of each context, once per matrix leg, in order.
    pub fn legs(&self) -> Vec<&str> {
        let mut legs: Vec<&str> = Vec::new();
        for c in &self.gate.contexts {
            if !legs.contains(&c.job_name.as_str()) {
                legs.push(&c.job_name);
            }
        }
        legs
    }
}

/// For each gate, the first of its `needs` that is not required, else the first required one
/// from which such a job is reached: computed once for all gates, in time linear in jobs and
/// `needs` (no recursion: a chain of thousands of jobs is walked with an explicit stack).
fn toward_unrequired(gates: &[GateFacts<'_>]) -> Vec<Option<usize>> {
    let index: HashMap<(usize, &str), usize> = gates
        .iter()
        .enumerate()
        .map(|(i, g)| ((g.gate.workflow_index, g.gate.job.as_str()), i))
        .collect();
    let deps: Vec<Vec<usize>> = gates
        .iter()
        .map(|g| {
            g.job
                .needs
                .iter()
                .filter_map(|n| {
                    index
                        .get(&(g.gate.workflow_index, n.value.as_str()))
                        .copied()
                })
                .collect()
        })
        .collect();
    let direct = |v: usize| deps[v].iter().copied().find(|d| !gates[*d].required);
    let mut next: Vec<Option<usize>> = vec![None; gates.len()];
    // 0: not visited, 1: on the stack, 2: done.
    let mut state = vec![0u8; gates.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..gates.len() {
        if state[start] != 0 {
            continue;
        }
        if let Some(d) = direct(start) {
            next[start] = Some(d);
            state[start] = 2;
            continue;
        }
        state[start] = 1;
        stack.push((start, 0));
        while let Some(&(v, k)) = stack.last() {
            let Some(&d) = deps[v].get(k) else {
                state[v] = 2;
                stack.pop();
                continue;
            };
            match state[d] {
                0 => {
                    if let Some(dd) = direct(d) {
                        next[d] = Some(dd);
                        state[d] = 2;
                    } else {
                        state[d] = 1;
                        stack.push((d, 0));
                    }
                }
                1 => {
                    // A cycle (an invalid workflow): not followed.
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                }
                _ => {
                    if next[d].is_some() {
                        next[v] = Some(d);
                        state[v] = 2;
                        stack.pop();
                    } else if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                }
            }
        }
    }
    next
}

impl<'a> Cx<'a> {
    /// GitHub Actions' app id: `[github] actions-app-id`, else the widely reported 15368.
    pub fn actions_app_id(&self) -> i64 {
        self.config
            .actions_app_id
            .unwrap_or(crate::forge::protection::GITHUB_ACTIONS_APP_ID)
    }

    /// The first job that posts exactly `context` (a GitHub check name).
    pub fn poster_of(&self, context: &str) -> Option<&GateFacts<'a>> {
        self.gates
            .iter()
            .find(|g| g.gate.contexts.iter().any(|c| c.text == context))
    }

    /// `[external] contexts` names `context`: another app posts it.
    pub fn is_external(&self, context: &str) -> bool {
        self.config.external_contexts.iter().any(|c| c == context)
    }

    /// GitHub: the merge queue that applies to the branch, described by where it is set
    /// (a ruleset's `merge_queue` rule, or `merge-queue = true` in gatelint.toml).
    pub fn merge_queue(&self) -> Option<String> {
        match (
            self.protection.and_then(|p| p.merge_queue.as_deref()),
            self.config.merge_queue,
        ) {
            (Some(from), _) => Some(format!("set by {from}")),
            (None, true) => Some("`merge-queue = true` in gatelint.toml".to_owned()),
            (None, false) => None,
        }
    }

    pub fn new(
        root: &'a RootReport,
        protection: Option<&'a Protection>,
        config: &'a Config,
        today: Date,
        branch: &'a str,
    ) -> Self {
        // Waivers by the job they name (its id or its `name:`): not every waiver for every job.
        let mut waivers_of: std::collections::HashMap<&str, Vec<&Waiver>> =
            std::collections::HashMap::new();
        for w in &config.waivers {
            waivers_of.entry(w.job.as_str()).or_default().push(w);
        }
        let mut tracked_by: std::collections::HashMap<usize, bool> =
            std::collections::HashMap::new();
        let gates: Vec<GateFacts<'a>> = root
            .gates
            .iter()
            .filter_map(|gate| {
                let workflow = root.workflows.get(gate.workflow_index)?;
                let job = workflow.jobs.get(gate.job_index)?;
                let directive = gate.directive.as_ref().map(|d| &d.value);
                let protected: Vec<&Context> = match protection {
                    Some(p) => gate
                        .contexts
                        .iter()
                        .filter(|c| p.requires(&c.text))
                        .collect(),
                    None => Vec::new(),
                };
                let masked = job.job_masked();
                // A waiver names its job by id or by `name:`.
                let by_name = job
                    .name
                    .as_ref()
                    .and_then(|n| waivers_of.get(n.value.as_str()));
                let waiver = waivers_of
                    .get(job.id.as_str())
                    .into_iter()
                    .chain(by_name)
                    .flatten()
                    .copied()
                    .find(|w| waiver_matches(w, workflow, job) && w.expires >= today);
                // Jobs on one line share their comments: each set is matched once.
                let key = job.mask_comments.as_ptr() as usize;
                let tracked = !job.mask_comments.is_empty()
                    && *tracked_by.entry(key).or_insert_with(|| {
                        job.mask_comments
                            .iter()
                            .any(|c| config.trackers.iter().any(|t| t.is_match(c)))
                    });
                Some(GateFacts {
                    gate,
                    workflow,
                    job,
                    directive,
                    required: matches!(directive, Some(Directive::Required))
                        || !protected.is_empty(),
                    protected,
                    masked,
                    waiver,
                    tracked,
                })
            })
            .collect();
        let toward_unrequired = toward_unrequired(&gates);
        let gate_index = gates
            .iter()
            .enumerate()
            .map(|(i, g)| ((g.gate.workflow_index, g.gate.job_index), i))
            .collect();
        Cx {
            root,
            protection,
            config,
            today,
            branch,
            gates,
            toward_unrequired,
            gate_index,
            posted: std::sync::OnceLock::new(),
            callers: std::sync::OnceLock::new(),
            snapshot: None,
            base_contexts: None,
            own_config: None,
            own_protection: None,
            repository: None,
            paired: false,
        }
    }

    pub fn profile(&self) -> &ForgeProfile {
        &self.root.profile
    }

    /// A finding located in a job's workflow file.
    pub fn at_job(&self, f: Finding, g: &GateFacts<'_>, span: Span) -> Finding {
        f.at(&g.gate.file, span).job(&g.gate.workflow, &g.gate.job)
    }

    /// A finding about a job's directive: at its comment (or the job key), about `context`.
    pub fn at_directive(&self, f: Finding, g: &GateFacts<'_>, context: Option<&str>) -> Finding {
        let mut f = self.at_job(f, g, g.directive_span());
        f.context = context.map(str::to_owned);
        f
    }

    /// Where findings about the protection source point: its file, relative to the root when
    /// it lies inside it.
    pub fn protection_file(&self) -> String {
        self.protection
            .map(|p| relative_to_root(&self.root.root, &p.file))
            .unwrap_or_default()
    }

    pub fn config_file(&self) -> String {
        self.config
            .file
            .as_deref()
            .map(|f| relative_to_root(&self.root.root, f))
            .unwrap_or_default()
    }

    /// Whether any job posts `context` (a set built once, on first use).
    pub fn posts(&self, context: &str) -> bool {
        self.posted
            .get_or_init(|| {
                self.gates
                    .iter()
                    .flat_map(|g| g.gate.contexts.iter().map(|c| c.text.as_str()))
                    .collect()
            })
            .contains(context)
    }

    /// The first job that calls the workflow `file` (`uses: ./file`, or `$/file` on GitHub)
    /// from a workflow that runs for pull requests. Indexed once per root.
    pub fn caller_of(&self, file: &str) -> Option<&GateFacts<'a>> {
        let github = self.profile().forge == Forge::Github;
        let callers = self.callers.get_or_init(|| {
            let mut map = HashMap::new();
            for (i, o) in self.gates.iter().enumerate() {
                let Some(u) = &o.job.uses else {
                    continue;
                };
                let local = u
                    .value
                    .strip_prefix("./")
                    .or_else(|| u.value.strip_prefix("$/").filter(|_| github));
                if let Some(path) = local.and_then(|p| p.split('@').next())
                    && pr_reachable(o.workflow)
                {
                    map.entry(path).or_insert(i);
                }
            }
            map
        });
        callers.get(file).and_then(|&i| self.gates.get(i))
    }

    /// Whether any job's contexts cannot be computed (an orphan may be one of theirs).
    pub fn unresolvable_jobs(&self) -> usize {
        self.gates
            .iter()
            .filter(|g| g.gate.unresolvable.is_some())
            .count()
    }

    /// For Gitea/Forgejo: the contexts a gate would post on the posting events its workflow
    /// does not run on (to tell "never posted" from "orphaned").
    pub fn unposted_contexts(&self, g: &GateFacts<'_>) -> Vec<(String, &'static str)> {
        if self.profile().forge == Forge::Github {
            return Vec::new();
        }
        let workflow = naming::workflow_name(self.profile(), g.workflow);
        // The suffix each event posts (`pull_request_target` as `(pull_request)` on older
        // releases).
        let target = self.profile().pull_request_target_suffix;
        let suffix = move |e: &'static str| {
            if e == "pull_request_target" {
                target
            } else {
                e
            }
        };
        let legs = g.legs();
        if legs.is_empty() && g.gate.unresolvable.is_none() {
            // Posts nothing at all: name its legs as they would be.
            let mut out: Vec<(String, &'static str)> = Vec::new();
            let names = naming::job_names(self.profile(), g.job, &naming::NoCallees, 0)
                .map(|n| n.posted)
                .unwrap_or_default();
            for p in names {
                let workflow = p.workflow.as_deref().unwrap_or(workflow);
                for e in POSTING_EVENTS {
                    let text = format!("{workflow} / {} ({})", p.job, suffix(e))
                        .trim()
                        .to_owned();
                    if !out.iter().any(|(t, _)| *t == text) {
                        out.push((text, e));
                    }
                }
            }
            return out;
        }
        // Each posted context with another event: its text up to the event suffix (the
        // workflow part may be a called workflow's, Gitea ≥ 1.27) and the new suffix.
        let mut heads: Vec<&str> = Vec::new();
        for c in &g.gate.contexts {
            let suffix = c
                .event
                .as_deref()
                .map(|e| format!("({e})"))
                .unwrap_or_default();
            if let Some(head) = c.text.strip_suffix(suffix.as_str())
                && !heads.contains(&head)
            {
                heads.push(head);
            }
        }
        let mut out: Vec<(String, &'static str)> = Vec::new();
        for head in heads {
            for event in POSTING_EVENTS {
                let text = format!("{head}({})", suffix(event));
                // `pull_request` and `pull_request_target` may post one context.
                if g.workflow.trigger(event).is_none() && !out.iter().any(|(t, _)| *t == text) {
                    out.push((text, event));
                }
            }
        }
        out
    }
}

/// Diff mode: the contexts a base gate was required for that no head gate posts any more.
/// Its protected contexts when protection requires some, else (required by its directive)
/// all of them.
pub fn lost_contexts<'a>(b: &'a GateFacts<'a>, head: &Cx<'_>) -> Vec<&'a str> {
    let wanted: Vec<&str> = if b.protected.is_empty() {
        b.gate.contexts.iter().map(|c| c.text.as_str()).collect()
    } else {
        b.protected.iter().map(|c| c.text.as_str()).collect()
    };
    wanted.into_iter().filter(|c| !head.posts(c)).collect()
}

/// Diff mode: the job at the head that continues a base job: the same id in the same file,
/// else a job with the same steps (renamed).
pub fn successor<'c, 'h>(b: &GateFacts<'_>, head: &'c Cx<'h>) -> Option<&'c GateFacts<'h>> {
    head.gates
        .iter()
        .find(|h| h.gate.file == b.gate.file && h.gate.job == b.gate.job)
        .or_else(|| {
            let fp = &b.job.fingerprint;
            let blank = fp.trim().is_empty();
            (!blank)
                .then(|| head.gates.iter().find(|h| h.job.fingerprint == *fp))
                .flatten()
        })
}

/// `file` relative to `root` when it is inside it (with `/`), else as given.
pub fn relative_to_root(root: &str, file: &str) -> String {
    let root_path = std::path::Path::new(root);
    let file_path = std::path::Path::new(file);
    if let Ok(rest) = file_path.strip_prefix(root_path) {
        return rest.to_string_lossy().replace('\\', "/");
    }
    if let (Ok(r), Ok(f)) = (root_path.canonicalize(), file_path.canonicalize())
        && let Ok(rest) = f.strip_prefix(&r)
    {
        return rest.to_string_lossy().replace('\\', "/");
    }
    file.to_owned()
}

/// A waiver names a workflow by `name:`, file name or path, and a job by its id.
pub fn waiver_matches(w: &Waiver, wf: &Workflow, job: &Job) -> bool {
    let wf_matches = wf.name.as_ref().is_some_and(|n| n.value == w.workflow)
        || wf.file == w.workflow
        || wf.file_base_name() == w.workflow;
    wf_matches && (job.id == w.job || job.name.as_ref().is_some_and(|n| n.value == w.job))
}

/// A span covering line `line` of a non-workflow file (protection, config).
pub fn line_span(line: u32) -> Span {
    Span::new(Pos::new(line as usize, 0), Pos::new(line as usize, 0))
}

/// Can this workflow run for a pull request? `pull_request` or `pull_request_target` (not only
/// for closed ones), `merge_group`, or a `push` that can run for a pull request's branch (not
/// limited to tags, nor to named branches).
pub fn pr_reachable(wf: &Workflow) -> bool {
    let pull_request = ["pull_request", "pull_request_target"].iter().any(|e| {
        wf.trigger(e).is_some_and(|t| match &t.types {
            // Only when a pull request is closed: after it could have been merged.
            Some(types) => !types.value.iter().all(|x| x == "closed"),
            None => true,
        })
    });
    pull_request
        || wf.trigger("merge_group").is_some()
        || wf.trigger("push").is_some_and(push_reaches_prs)
}

/// Can this `push` trigger run for a pull request's branch (a same-repository one)?
pub fn push_reaches_prs(t: &crate::workflow::Trigger) -> bool {
    match (&t.branches, &t.branches_ignore) {
        // Only `tags:`: the workflow runs for tags, never for a branch (GitHub's docs,
        // "Using filters to target specific branches or tags for push events").
        (None, None) => !t.tags,
        (None, Some(_)) => true,
        // Named branches only: a pull request's branch is none of them.
        (Some(b), _) => b
            .value
            .iter()
            .any(|p| crate::forge::glob::has_glob_chars(p)),
    }
}

/// Does a `branches` / `branches-ignore` pair admit `branch`? GitHub's filter patterns: `*`
/// stops at `/`, `**` does not, a leading `!` excludes, later patterns win.
pub fn branch_included(t: &crate::workflow::Trigger, branch: &str) -> bool {
    let matches =
        |p: &str| crate::forge::glob::Glob::new(p, Some('/')).is_ok_and(|g| g.matches(branch));
    if let Some(list) = &t.branches {
        let mut included = false;
        for p in &list.value {
            match p.strip_prefix('!') {
                Some(neg) if matches(neg) => included = false,
                Some(_) => {}
                None if matches(p) => included = true,
                None => {}
            }
        }
        if !included {
            return false;
        }
    }
    if let Some(list) = &t.branches_ignore
        && list.value.iter().any(|p| matches(p))
    {
        return false;
    }
    true
}

/// Where a workflow posts checks for pull requests to `branch`: on every pull request's head
/// (`pull_request`/`pull_request_target` admitting `branch`, not only for closed ones), on a
/// merge queue's commit (`merge_group`), and on pushes to which branches (`push`, not tags
/// only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrPosting<'a> {
    pub pull_request: bool,
    pub merge_group: bool,
    /// `None`: no push run on a branch; `Some([])`: on any branch; else the branch patterns
    /// listed (`release-*`, `renovate/**`).
    pub push: Option<Vec<&'a str>>,
}

impl<'a> PrPosting<'a> {
    pub fn of(wf: &'a Workflow, branch: &str) -> Self {
        let pull_request = ["pull_request", "pull_request_target"].iter().any(|e| {
            wf.trigger(e).is_some_and(|t| {
                branch_included(t, branch)
                    && match &t.types {
                        Some(types) => !types.value.iter().all(|x| x == "closed"),
                        None => true,
                    }
            })
        });
        let push = wf
            .trigger("push")
            .filter(|t| push_reaches_prs(t))
            .map(|t| push_named_branches(t).unwrap_or_default());
        Self {
            pull_request,
            merge_group: wf.trigger("merge_group").is_some(),
            push,
        }
    }

    pub fn any(&self) -> bool {
        self.pull_request || self.merge_group || self.push.is_some()
    }

    /// Can both post on one commit in the ordinary course of a pull request? Both on every
    /// pull request's head (a push on any branch reaches same-repository pull requests too),
    /// both on the merge queue's commit (whose branch an unfiltered push also sees), or both
    /// on pushes to branches that can be the same one. A `merge_group` run and a
    /// `pull_request` run post on different commits: the same check name in both is how a
    /// queue is meant to be served. A push limited to named branches (`release-*`) meets a
    /// `pull_request` run only on pull requests from such a branch, which is not counted.
    pub fn meets(&self, other: &Self) -> bool {
        let any_push = |p: &Self| p.push.as_ref().is_some_and(Vec::is_empty);
        let head = |p: &Self| p.pull_request || any_push(p);
        let queue = |p: &Self| p.merge_group || any_push(p);
        if (head(self) && head(other)) || (queue(self) && queue(other)) {
            return true;
        }
        match (&self.push, &other.push) {
            // One branch pushed: both run on its commit.
            (Some(a), Some(b)) => {
                a.is_empty()
                    || b.is_empty()
                    || a.iter()
                        .any(|x| b.iter().any(|y| branch_sets_may_meet(x, y)))
            }
            _ => false,
        }
    }
}

/// Can two branch patterns match one branch? Their literal heads (before the first glob
/// character) must agree as far as the shorter goes: `renovate/**` and `renovate/**/*` can,
/// `release-*` and `main` cannot. Conservative: it may say yes for patterns that never meet.
fn branch_sets_may_meet(a: &str, b: &str) -> bool {
    let head = |p: &str| {
        let end = p.find(['*', '?', '[', '+']).unwrap_or(p.len());
        (p[..end].to_owned(), end == p.len())
    };
    let ((ha, literal_a), (hb, literal_b)) = (head(a), head(b));
    match (literal_a, literal_b) {
        (true, true) => ha == hb,
        (true, false) => ha.starts_with(&hb),
        (false, true) => hb.starts_with(&ha),
        (false, false) => ha.starts_with(&hb) || hb.starts_with(&ha),
    }
}

/// The branches a `push` trigger is limited to by name (`release-*`, `renovate/**`), when it
/// is: no `*`/`**` among them. `None`: no positive `branches` list, or one that takes any
/// branch.
pub fn push_named_branches(t: &crate::workflow::Trigger) -> Option<Vec<&str>> {
    let b = t.branches.as_ref()?;
    if b.value.iter().any(|p| p == "*" || p == "**") {
        return None;
    }
    let named: Vec<&str> = b
        .value
        .iter()
        .filter(|p| !p.starts_with('!'))
        .map(String::as_str)
        .collect();
    (!named.is_empty()).then_some(named)
}

/// Does a job-level `continue-on-error` hide a failure from this gate on its forge release?
/// GitHub: the jobs that `needs` it read `success`. Gitea ≥ 1.27: a called job's key counts as
/// success in its caller's status, which matters when the caller's own context is the gate
/// (protection requires it, or the directive does and protection requires none of the job's).
pub fn mask_honoured(cx: &Cx<'_>, g: &GateFacts<'_>) -> bool {
    (g.masked && cx.profile().job_continue_on_error == crate::forge::JobMask::NeedsSuccess)
        || (!g.gate.masked_by_called.is_empty() && caller_status_is_the_gate(g))
}

/// The caller's own context is what protection (or, without a protected context, the
/// directive) asks for.
pub fn caller_status_is_the_gate(g: &GateFacts<'_>) -> bool {
    g.protected.iter().any(|c| !c.called)
        || (g.protected.is_empty() && matches!(g.directive, Some(Directive::Required)))
}

/// Levenshtein distance, for "did you mean".
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Run every rule on a root (and, in diff mode, the diff rules against the base); severities
/// from the config, `off` rules dropped, sorted.
pub fn run(cx: &Cx<'_>, base: Option<&Cx<'_>>, mut findings: Vec<Finding>) -> Vec<Finding> {
    for rule in RULES {
        let info = rule.info();
        if cx.config.severities.get(info.id) == Some(&None) {
            continue;
        }
        if let Some(base) = base {
            rule.check_diff(base, cx, &mut findings);
        }
        if info.needs_protection && cx.protection.is_none() {
            continue;
        }
        for g in &cx.gates {
            rule.check_gate(cx, g, &mut findings);
        }
        rule.check_root(cx, &mut findings);
    }
    apply_severities(cx.config, &mut findings);
    sort(&mut findings);
    findings
}

/// The config's `[rules]` severities: a rule set `off` drops its findings, another severity
/// replaces theirs.
pub fn apply_severities(config: &Config, findings: &mut Vec<Finding>) {
    findings.retain_mut(|f| match config.severities.get(f.rule) {
        Some(None) => false,
        Some(Some(sev)) => {
            f.severity = *sev;
            true
        }
        None => true,
    });
}

/// Sorted by file, line, column, rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.file.as_deref(), a.line(), a.column(), a.rule).cmp(&(
            b.file.as_deref(),
            b.line(),
            b.column(),
            b.rule,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_doc_and_every_doc_its_rule() {
        let docs_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut docs: Vec<String> = std::fs::read_dir(&docs_dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                    .filter_map(|n| n.strip_suffix(".md").map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        docs.sort();
        let mut rules: Vec<String> = ids().into_iter().map(str::to_owned).collect();
        rules.sort();
        assert_eq!(docs, rules);
        for rule in RULES {
            let info = rule.info();
            assert!(
                info.doc.starts_with(&format!("# {}\n", info.id)),
                "{}",
                info.id
            );
            for section in [
                "## What it catches",
                "## Why it matters",
                "## Example",
                "## How to fix",
            ] {
                assert!(info.doc.contains(section), "{} lacks {section}", info.id);
            }
            let default = format!("Default severity: **{}**.", info.default);
            assert!(
                info.doc.contains(&default),
                "{} doc must say `{default}`",
                info.id
            );
            // The source file of a rule is named after its id.
            let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/rules")
                .join(format!("{}.rs", info.id.replace('-', "_")));
            assert!(src.is_file(), "{}", src.display());
        }
    }

    #[test]
    fn levenshtein() {
        assert_eq!(distance("CI / build (push)", "CI / build (push)"), 0);
        assert_eq!(distance("CI / biuld", "CI / build"), 2);
        assert_eq!(distance("", "abc"), 3);
    }
}
