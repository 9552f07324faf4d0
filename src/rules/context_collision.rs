//! `context-collision`: two jobs, or two matrix legs of one job, post the same context.

use std::collections::HashMap;

use super::{Cx, GateFacts, PrPosting, Rule, RuleInfo};
use crate::finding::Finding;
use crate::workflow::Directive;

super::rule!(
    ContextCollision,
    "context-collision",
    Warning,
    "two jobs (or two matrix legs) post the same context",
    needs_protection = false
);

/// A gate someone cares about: required, pending, or protected.
fn gated(g: &GateFacts<'_>) -> bool {
    g.required || matches!(g.directive, Some(Directive::Pending(_)))
}

impl Rule for ContextCollision {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_gate(&self, cx: &Cx<'_>, g: &GateFacts<'_>, out: &mut Vec<Finding>) {
        if !gated(g) {
            return;
        }
        for context in &g.gate.shared_by_legs {
            // Protection requires some of the job's contexts: only a shared one of those is a
            // gate the legs blur.
            if !g.protected.is_empty() && !g.protected.iter().any(|c| &c.text == context) {
                continue;
            }
            let called = g
                .gate
                .contexts
                .iter()
                .any(|c| &c.text == context && c.called);
            let help = if called {
                "the called job's name must differ per leg: read an input in it (`name: test ${{ inputs.os }}`) and pass the leg's value in the caller's `with:`"
            } else {
                "put a matrix expression in the job's `name:` so that each leg posts its own context"
            };
            let mut f = cx
                .at_job(
                    Self::new_finding(
                        cx,
                        format!(
                            "several matrix legs of `{}` post `{context}`: the check shows whichever leg finished last",
                            g.gate.job
                        ),
                    ),
                    g,
                    g.gate.key_span,
                )
                .help(help);
            f.context = Some(context.clone());
            out.push(f);
        }
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        // Only what is posted on one pull request's commit can collide there: a workflow that
        // never runs for one (pushes to main, tags), runs only for pull requests to other
        // branches, or runs on pushes to named branches only (`release-*`: a pull request's
        // head is rarely one) posts its checks on other commits.
        let posting: Vec<PrPosting<'_>> = cx
            .gates
            .iter()
            .map(|g| PrPosting::of(g.workflow, cx.branch))
            .collect();
        let mut by_context: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in cx.gates.iter().enumerate() {
            if !posting[i].any() {
                continue;
            }
            for c in &g.gate.contexts {
                by_context.entry(c.text.as_str()).or_default().push(i);
            }
        }
        let mut collisions: Vec<(&str, Vec<usize>)> = by_context
            .into_iter()
            .filter(|(_, gs)| gs.len() > 1 && gs.iter().any(|&i| gated(&cx.gates[i])))
            .collect();
        collisions.sort_by(|a, b| a.0.cmp(b.0));
        for (context, gates) in collisions {
            for (k, &i) in gates.iter().enumerate().skip(1) {
                let other = &cx.gates[i];
                // The first earlier gate it meets on one commit, one of them gated.
                let Some(first) = gates[..k]
                    .iter()
                    .find(|&&j| {
                        posting[j].meets(&posting[i]) && (gated(other) || gated(&cx.gates[j]))
                    })
                    .map(|&j| &cx.gates[j])
                else {
                    continue;
                };
                let mut f = cx
                    .at_job(
                        Self::new_finding(
                            cx,
                            format!(
                                "`{}` posts `{context}`, as `{}` in {} does: the check cannot tell them apart",
                                other.gate.job, first.gate.job, first.gate.file
                            ),
                        ),
                        other,
                        other.gate.key_span,
                    )
                    .help("give one of the jobs (or workflows) a different name");
                f.context = Some(context.to_owned());
                out.push(f);
            }
        }
    }
}
