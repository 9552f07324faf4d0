//! `tracker-overdue`: with `check --remote --trackers` and `[masks] max-age-days`, the issue
//! of a mask or a pending directive has been open longer than that. The findings come from
//! src/trackers.rs (the forge's issues); listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    TrackerOverdue,
    "tracker-overdue",
    Warning,
    "with --trackers: a mask or pending directive whose issue is open longer than `max-age-days`",
    needs_protection = false
);

impl Rule for TrackerOverdue {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
