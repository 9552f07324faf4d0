//! `required-needs-unguarded`: a required job needs a job that is not required, and does not
//! run and check the results when a dependency fails.

use super::{Cx, GateFacts, Rule, RuleInfo};
use crate::finding::Finding;

super::rule!(
    RequiredNeedsUnguarded,
    "required-needs-unguarded",
    Warning,
    "a required job `needs` a job that is not required, without `if: always()` and result checks",
    needs_protection = false
);

impl Rule for RequiredNeedsUnguarded {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !g.required || g.job.needs.is_empty() {
            return;
        }
        // Guarded: it runs when a dependency failed, and fails itself on a failed result
        // (checked in its `if:`, which then makes it skippable, or better in a step).
        let runs_after_failure = g
            .job
            .if_cond
            .as_ref()
            .is_some_and(|c| c.value.runs_after_failure());
        // Anywhere in the job: its `if:`, a step's `if:` or script, an aggregator action's
        // inputs (`toJSON(needs)` for `re-actors/alls-green`, `matrix-org/done-action`).
        let checks_results = g
            .job
            .if_cond
            .as_ref()
            .is_some_and(|c| c.value.checks_needs_results())
            || g.job.steps.iter().any(|s| s.checks_needs_results)
            || g.job.reads_needs_results;
        let guarded = runs_after_failure && checks_results;
        if guarded {
            return;
        }
        // The chain, through required jobs, to the first dependency that is not required
        // (computed once for every job: see `Cx::toward_unrequired`).
        let Some(mut at) = cx
            .gate_index
            .get(&(g.gate.workflow_index, g.gate.job_index))
            .copied()
        else {
            return;
        };
        let mut chain = vec![g.gate.job.as_str()];
        while let Some(next) = cx.toward_unrequired.get(at).copied().flatten() {
            if chain.len() > cx.gates.len() {
                return;
            }
            chain.push(cx.gates[next].gate.job.as_str());
            if !cx.gates[next].required {
                break;
            }
            at = next;
        }
        if chain.len() < 2 {
            return;
        }
        // A long chain is shown by its ends: the message stays short (and the output linear).
        let quote = |jobs: &[&str]| {
            jobs.iter()
                .map(|j| format!("`{j}`"))
                .collect::<Vec<_>>()
                .join(" → ")
        };
        let shown = if chain.len() > 6 {
            format!(
                "{} → … {} more … → {}",
                quote(&chain[..3]),
                chain.len() - 5,
                quote(&chain[chain.len() - 2..])
            )
        } else {
            quote(&chain)
        };
        let dep = chain.last().copied().unwrap_or_default();
        let span = g.job.needs.first().map_or(g.gate.key_span, |n| n.span);
        let mut f = cx
            .at_job(
                Self::new_finding(
                    cx,
                    if runs_after_failure {
                        // `if: always()` without a look at the results: it runs, and passes.
                        format!(
                            "required job `{}` needs `{dep}`, which is not required ({shown}): when `{dep}` fails, `{}` still runs (its `if:` says so) but nothing in it reads the results, so it passes and the gate with it",
                            g.gate.job, g.gate.job
                        )
                    } else {
                        format!(
                            "required job `{}` needs `{dep}`, which is not required ({shown}): when `{dep}` fails, `{}` is skipped and the gate passes",
                            g.gate.job, g.gate.job
                        )
                    },
                ),
                g,
                span,
            )
            .help(format!(
                "make `{dep}` required too, or give `{}` `if: ${{{{ always() }}}}` and a first step that fails when `contains(needs.*.result, 'failure') || contains(needs.*.result, 'cancelled')`",
                g.gate.job
            ));
        f.context = g.gate.contexts.first().map(|c| c.text.clone());
        out.push(f);
    }
}
