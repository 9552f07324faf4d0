//! `pending-ready`: with --history: a pending gate whose contexts passed on their last runs: ready to require. The findings come from src/history.rs (what the forge posted on past
//! commits); listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    PendingReady,
    "pending-ready",
    Note,
    "with --history: a pending gate whose contexts passed on their last runs: ready to require",
    needs_protection = false
);

impl Rule for PendingReady {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
