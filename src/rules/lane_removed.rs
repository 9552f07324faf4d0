//! `lane-removed`: with `check --remote --head`, a context the merge base would post for the
//! same change that the head no longer posts. The findings come from src/observed.rs; listed
//! here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    LaneRemoved,
    "lane-removed",
    Error,
    "with --head: the pull request removes a lane the merge base posts for the same change",
    needs_protection = false
);

impl Rule for LaneRemoved {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
