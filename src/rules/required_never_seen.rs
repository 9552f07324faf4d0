//! `required-never-seen`: with --history: a required context posted on none of the commits read (a dead gate). The findings come from src/history.rs (what the forge posted on past
//! commits); listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    RequiredNeverSeen,
    "required-never-seen",
    Error,
    "with --history: a required context posted on none of the commits read (a dead gate)",
    needs_protection = false
);

impl Rule for RequiredNeverSeen {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
