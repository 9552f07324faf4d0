//! `tracker-closed`: with `check --remote --trackers`, a mask or a pending directive names an
//! issue that is closed or does not exist. The findings come from src/trackers.rs (the
//! forge's issues); listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    TrackerClosed,
    "tracker-closed",
    Error,
    "with --trackers: a mask or pending directive whose tracking issue is closed or missing",
    needs_protection = false
);

impl Rule for TrackerClosed {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
