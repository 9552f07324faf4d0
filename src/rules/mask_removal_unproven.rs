//! `mask-removal-unproven`: with --history, diff mode: a change removes a mask from a job without green runs to show. The findings come from src/history.rs (what the forge posted on past
//! commits); listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    MaskRemovalUnproven,
    "mask-removal-unproven",
    Error,
    "with --history, diff mode: a change removes a mask from a job without green runs to show",
    needs_protection = false
);

impl Rule for MaskRemovalUnproven {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
