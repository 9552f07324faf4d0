//! `snapshot-drift`: with `--remote` and a protection file, the two disagree.

use std::collections::HashSet;

use super::{Cx, Rule, RuleInfo, line_span};
use crate::finding::Finding;
use crate::forge::protection::AppPin;

super::rule!(
    SnapshotDrift,
    "snapshot-drift",
    Error,
    "the protection snapshot and the live protection require different contexts",
    needs_protection = true
);

impl Rule for SnapshotDrift {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_root(&self, cx: &Cx<'_>, out: &mut Vec<Finding>) {
        let (Some(live), Some(snapshot)) = (cx.protection, cx.snapshot) else {
            return;
        };
        let file = super::relative_to_root(&cx.root.root, &snapshot.file);
        let snapshot_texts: HashSet<&str> = snapshot.enforced().map(|r| r.text.as_str()).collect();
        let live_texts: HashSet<&str> = live.enforced().map(|r| r.text.as_str()).collect();
        let in_snapshot = |text: &str| snapshot_texts.contains(text);
        let is_live = |text: &str| live_texts.contains(text);
        for r in live.enforced().filter(|r| !in_snapshot(&r.text)) {
            let mut f = Self::new_finding(
                cx,
                format!(
                    "the live protection of `{}` requires `{}`, which the snapshot does not list",
                    cx.branch, r.text
                ),
            )
            .help(
                "refresh the snapshot: `gatelint snapshot --remote -o FILE`, and review the change",
            )
            .at(&file, line_span(1));
            f.context = Some(r.text.clone());
            out.push(f);
        }
        for r in snapshot.enforced().filter(|r| !is_live(&r.text)) {
            let mut f = Self::new_finding(
                cx,
                format!(
                    "the snapshot lists `{}`, which the live protection of `{}` no longer requires",
                    r.text, cx.branch
                ),
            )
            .help("a gate was dropped from branch protection: restore it, or refresh the snapshot if that was intended")
            .at(&file, r.span.unwrap_or_else(|| line_span(1)));
            f.context = Some(r.text.clone());
            out.push(f);
        }
        // GitHub: the app a check must come from, and the merge queue, when both say.
        let pin = |app: Option<AppPin>| match app {
            Some(AppPin::App(id)) => format!("app {id}"),
            Some(AppPin::Any) => "any app".to_owned(),
            Some(AppPin::Other) => "another app".to_owned(),
            None => String::new(),
        };
        for r in snapshot.enforced() {
            let Some(l) = live.enforced().find(|l| l.text == r.text) else {
                continue;
            };
            if r.app.is_some() && l.app.is_some() && r.app != l.app {
                let mut f = Self::new_finding(
                    cx,
                    format!(
                        "the snapshot pins `{}` to {}, the live protection of `{}` to {}",
                        r.text,
                        pin(r.app),
                        cx.branch,
                        pin(l.app)
                    ),
                )
                .help("refresh the snapshot: `gatelint snapshot --remote -o FILE`, and review the change")
                .at(&file, r.span.unwrap_or_else(|| line_span(1)));
                f.context = Some(r.text.clone());
                out.push(f);
            }
        }
        if live.merge_queue.is_some() != snapshot.merge_queue.is_some() {
            let (now, then) = if live.merge_queue.is_some() {
                ("applies", "does not say so")
            } else {
                ("no longer applies", "says it does")
            };
            out.push(
                Self::new_finding(
                    cx,
                    format!(
                        "a merge queue {now} to `{}` live, and the snapshot {then}",
                        cx.branch
                    ),
                )
                .help("refresh the snapshot: `gatelint snapshot --remote -o FILE`, and review the change")
                .at(&file, line_span(1)),
            );
        }
    }
}
