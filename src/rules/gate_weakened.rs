//! `gate-weakened` (diff mode): a required job's gate got weaker: its directive was
//! downgraded, a mask, an `if:` or a path filter was added, or its waiver was renewed.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::workflow::{Directive, Trigger};
use crate::yaml::{Pos, Span};

super::rule!(
    GateWeakened,
    "gate-weakened",
    Warning,
    "a required job's directive was downgraded, or a mask, `if:`, path filter or later waiver was added",
    needs_protection = false
);

fn filtered(t: Option<&Trigger>) -> Option<Span> {
    let t = t?;
    [&t.paths, &t.paths_ignore, &t.branches, &t.branches_ignore]
        .into_iter()
        .flatten()
        .map(|f| f.span)
        .next()
}

fn weaken(head: &Cx<'_>, h: &GateFacts<'_>, span: Span, message: String, help: &str) -> Finding {
    let mut f = head
        .at_job(GateWeakened::new_finding(head, message), h, span)
        .help(help);
    f.context = h.gate.contexts.first().map(|c| c.text.clone());
    f
}

impl Rule for GateWeakened {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_diff(&self, base: &Cx<'_>, head: &Cx<'_>, out: &mut Vec<Finding>) {
        for b in base.gates.iter().filter(|b| b.required) {
            let Some(h) = head
                .gates
                .iter()
                .find(|h| h.gate.file == b.gate.file && h.gate.job == b.gate.job)
            else {
                continue;
            };
            let job = &h.gate.job;
            if matches!(b.directive, Some(Directive::Required))
                && !matches!(h.directive, Some(Directive::Required))
            {
                let now = h
                    .directive
                    .map_or_else(|| "no directive".to_owned(), |d| format!("`{d}`"));
                out.push(weaken(
                    head,
                    h,
                    h.directive_span(),
                    format!("`{job}` was `bp-required: yes` and is now {now}"),
                    "a gate is given up on purpose: say why in the change, or keep `bp-required: yes`",
                ));
            }
            // A mask the forge honours (GitHub; a called job's on Gitea 1.27): a key it
            // ignores weakens nothing (`mask-ignored` reports it).
            if !super::mask_honoured(base, b) && super::mask_honoured(head, h) {
                let (span, what) = match (&h.job.continue_on_error, h.gate.masked_by_called.first())
                {
                    (Some(coe), _) if h.masked && !b.masked => (
                        coe.span,
                        format!("this change adds `continue-on-error` to required job `{job}`"),
                    ),
                    (_, Some(called)) => (
                        h.job.uses.as_ref().map_or(h.gate.key_span, |u| u.span),
                        format!(
                            "this change masks required job `{job}`: its called job `{called}` now has `continue-on-error`, which its status counts as success"
                        ),
                    ),
                    _ => (
                        h.gate.key_span,
                        format!("this change masks required job `{job}`"),
                    ),
                };
                out.push(weaken(
                    head,
                    h,
                    span,
                    what,
                    "fix the failure instead of masking it",
                ));
            }
            let base_always = b.job.if_cond.as_ref().is_none_or(|c| c.value.always_true());
            if base_always
                && let Some(cond) = h.job.if_cond.as_ref().filter(|c| !c.value.always_true())
            {
                out.push(weaken(
                    head,
                    h,
                    cond.span,
                    format!("this change adds an `if:` to required job `{job}`: when it is false the gate passes skipped"),
                    "decide inside the job's steps instead",
                ));
            }
            for event in ["pull_request", "pull_request_target"] {
                if filtered(b.workflow.trigger(event)).is_none()
                    && let Some(span) = filtered(h.workflow.trigger(event))
                {
                    out.push(weaken(
                        head,
                        h,
                        span,
                        format!("this change adds a `{event}` filter to the workflow of required job `{job}`: filtered-out pull requests never get the check"),
                        "remove the filter and decide inside the job",
                    ));
                }
            }
        }
        let own = head.own_config.unwrap_or(head.config);
        config_loosened(base, head, own, out);
        // Waivers may only shrink: a later `expires` renews a mask silently.
        let mut base_waivers: std::collections::HashMap<(&str, &str), Vec<&crate::config::Waiver>> =
            std::collections::HashMap::new();
        for bw in &base.config.waivers {
            base_waivers
                .entry((bw.workflow.as_str(), bw.job.as_str()))
                .or_default()
                .push(bw);
        }
        for hw in &own.waivers {
            let renewed = base_waivers
                .get(&(hw.workflow.as_str(), hw.job.as_str()))
                .and_then(|bws| bws.iter().copied().find(|bw| bw.expires < hw.expires));
            if let Some(bw) = renewed {
                let mut f = GateWeakened::new_finding(
                    head,
                    format!(
                        "the waiver for `{}` / `{}` now expires on {} instead of {}: do not renew a mask silently",
                        hw.workflow, hw.job, hw.expires, bw.expires
                    ),
                )
                .help("fix the masked job, or say in the waiver's reason why it needs longer")
                .at(&own_config_file(head, own), hw.span);
                f.workflow = Some(hw.workflow.clone());
                f.job = Some(hw.job.clone());
                out.push(f);
            }
        }
    }
}

/// Where findings about the checked revision's own config point.
fn own_config_file(head: &Cx<'_>, own: &Config) -> String {
    own.file
        .as_deref()
        .map(|f| super::relative_to_root(&head.root.root, f))
        .unwrap_or_else(|| crate::config::FILE_NAME.to_owned())
}

/// The severity a config gives a rule (`None`: off).
fn effective(config: &Config, id: &str, default: Severity) -> Option<Severity> {
    match config.severities.get(id) {
        Some(s) => *s,
        None => Some(default),
    }
}

fn rank(s: Option<Severity>) -> u8 {
    match s {
        Some(Severity::Error) => 3,
        Some(Severity::Warning) => 2,
        Some(Severity::Note) => 1,
        None => 0,
    }
}

fn shown(s: Option<Severity>) -> &'static str {
    s.map_or("off", Severity::as_str)
}

/// Diff mode with the base's settings: the checked revision's own `gatelint.toml` (and
/// protection file) are compared with the base's, never applied. Whatever in them would
/// remove or downgrade findings is reported here; it takes effect once merged.
fn config_loosened(base: &Cx<'_>, head: &Cx<'_>, own: &Config, out: &mut Vec<Finding>) {
    if head.own_config.is_none() {
        return;
    }
    let was = base.config;
    let file = own_config_file(head, own);
    let start = Span::new(Pos::new(1, 0), Pos::new(1, 0));
    let help = "this pull request is checked with the base revision's settings; the change \
                applies after it merges: have it reviewed as a change to the gates";
    let simple = |message: String| {
        GateWeakened::new_finding(head, message)
            .help(help)
            .at(&file, start)
    };
    for info in super::RULES.iter().map(|r| r.info()) {
        let (before, after) = (
            effective(was, info.id, info.default),
            effective(own, info.id, info.default),
        );
        if rank(after) < rank(before) {
            out.push(simple(format!(
                "gatelint.toml turns rule `{}` from {} to {}",
                info.id,
                shown(before),
                shown(after)
            )));
        }
    }
    if format!("{:?}", was.syntax) != format!("{:?}", own.syntax) {
        out.push(simple(
            "gatelint.toml changes the `[directives]` keywords or window: directives are read \
             differently"
                .to_owned(),
        ));
    }
    if was.missing_in_diff_all && !own.missing_in_diff_all {
        out.push(simple(
            "gatelint.toml narrows `[directives] diff` from \"all\": fewer jobs need a directive"
                .to_owned(),
        ));
    }
    for t in &own.trackers {
        if !was.trackers.iter().any(|b| b.as_str() == t.as_str()) {
            out.push(simple(format!(
                "gatelint.toml adds the tracker pattern `{}`: comments matching it register masks",
                t.as_str()
            )));
        }
    }
    for w in &own.waivers {
        if !was
            .waivers
            .iter()
            .any(|b| b.workflow == w.workflow && b.job == w.job)
        {
            let mut f = GateWeakened::new_finding(
                head,
                format!(
                    "gatelint.toml adds a waiver for the mask of `{}` / `{}` (until {})",
                    w.workflow, w.job, w.expires
                ),
            )
            .help(help)
            .at(&file, w.span);
            f.workflow = Some(w.workflow.clone());
            f.job = Some(w.job.clone());
            out.push(f);
        }
    }
    let settings: [(&str, String, String); 5] = [
        (
            "forge",
            format!("{:?}", was.forge),
            format!("{:?}", own.forge),
        ),
        (
            "forge-version",
            format!("{:?}", was.forge_version),
            format!("{:?}", own.forge_version),
        ),
        (
            "branch",
            format!("{:?}", was.branch),
            format!("{:?}", own.branch),
        ),
        (
            "protection",
            format!("{:?}", was.protection),
            format!("{:?}", own.protection),
        ),
        (
            "[profile]",
            format!("{:?}", was.opt_ins),
            format!("{:?}", own.opt_ins),
        ),
    ];
    for (key, before, after) in settings {
        if before != after {
            out.push(simple(format!(
                "gatelint.toml changes `{key}`: how contexts are named or which protection \
                     they are checked against changes"
            )));
        }
    }
    for w in &own.lane_waivers {
        if !was.lane_waivers.iter().any(|b| b == w) {
            out.push(
                GateWeakened::new_finding(
                    head,
                    format!(
                        "gatelint.toml adds a lane waiver for `{}` (pull request #{}): `lane-removed` will not report that lane",
                        crate::forge::source::text::visible(&w.context, 200),
                        w.pr
                    ),
                )
                .help(help)
                .at(&file, w.span),
            );
        }
    }
    if own.green_runs() < was.green_runs() {
        out.push(simple(format!(
            "gatelint.toml lowers `[history] green-runs` from {} to {}: less green history proves a gate ready",
            was.green_runs(),
            own.green_runs()
        )));
    }
    let age = |c: &Config| c.max_age_days.map_or(u64::MAX, u64::from);
    if age(own) > age(was) {
        out.push(simple(format!(
            "gatelint.toml {} `[masks] max-age-days`: trackers may stay open longer",
            if own.max_age_days.is_none() {
                "removes"
            } else {
                "raises"
            }
        )));
    }
    for (prefix, repo) in &own.tracker_repos {
        if was.tracker_repos.get(prefix) != Some(repo) {
            out.push(simple(format!(
                "gatelint.toml maps the tracker prefix `{prefix}` to another repository: its issues are read there"
            )));
        }
    }
    for c in &own.external_contexts {
        if !was.external_contexts.contains(c) {
            out.push(simple(format!(
                "gatelint.toml adds `{c}` to `[external] contexts`: it is no longer reported as orphaned or posted from the wrong app"
            )));
        }
    }
    if own.actions_app_id != was.actions_app_id {
        out.push(simple(format!(
            "gatelint.toml changes `[github] actions-app-id` ({} → {}): which pins count as GitHub Actions changes",
            was.actions_app_id.map_or("unset".to_owned(), |i| i.to_string()),
            own.actions_app_id.map_or("unset".to_owned(), |i| i.to_string())
        )));
    }
    if was.merge_queue && !own.merge_queue {
        out.push(simple(
            "gatelint.toml turns `merge-queue` off: `merge_group` runs are no longer checked"
                .to_owned(),
        ));
    }
    // The protection file as the pull request has it: requirements it drops.
    if let (Some(before), Some(after)) = (head.protection, head.own_protection) {
        let file = super::relative_to_root(&head.root.root, &after.file);
        for r in before.required.iter().filter(|r| r.enforced()) {
            if !after
                .required
                .iter()
                .any(|a| a.text == r.text && a.enforced())
            {
                out.push(
                    GateWeakened::new_finding(
                        head,
                        format!(
                            "the protection file no longer requires `{}` (the base's version \
                             is used for this check)",
                            r.text
                        ),
                    )
                    .help(
                        "a protection file mirrors the forge's settings: change it with them, \
                         in a change reviewed as such",
                    )
                    .at(&file, r.span.unwrap_or(start)),
                );
            }
        }
        // GitHub: a pin the pull request loosens, a merge queue it drops.
        let help = "a protection file mirrors the forge's settings: change it with them, in a \
                    change reviewed as such";
        for r in before.required.iter().filter(|r| r.enforced()) {
            let Some(crate::forge::protection::AppPin::App(app)) = r.app else {
                continue;
            };
            let Some(a) = after
                .required
                .iter()
                .find(|a| a.text == r.text && a.enforced())
            else {
                continue;
            };
            if a.app != r.app {
                out.push(
                    GateWeakened::new_finding(
                        head,
                        format!(
                            "the protection file no longer pins `{}` to app {app} (the base's version is used for this check)",
                            r.text
                        ),
                    )
                    .help(help)
                    .at(&file, a.span.unwrap_or(start)),
                );
            }
        }
        if before.merge_queue.is_some() && after.merge_queue.is_none() {
            out.push(
                GateWeakened::new_finding(
                    head,
                    "the protection file no longer says a merge queue applies: `merge_group` runs would no longer be checked (the base's version is used for this check)".to_owned(),
                )
                .help(help)
                .at(&file, start),
            );
        }
    }
}
