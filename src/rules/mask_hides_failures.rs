//! `mask-hides-failures`: with --history: a masked job failed while a required job that needs it passed. The findings come from src/history.rs (what the forge posted on past
//! commits); listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    MaskHidesFailures,
    "mask-hides-failures",
    Error,
    "with --history: a masked job failed while a required job that needs it passed",
    needs_protection = false
);

impl Rule for MaskHidesFailures {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
