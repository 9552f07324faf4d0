//! `context-not-posted`: with `check --remote --head`, a context the pull request should post
//! is not on its head commit. The findings come from src/observed.rs (the forge's statuses);
//! listed here for `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    ContextNotPosted,
    "context-not-posted",
    Error,
    "with --head: a context the pull request should post is not on its head commit",
    needs_protection = false
);

impl Rule for ContextNotPosted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
