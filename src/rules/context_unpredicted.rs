//! `context-unpredicted`: with `check --remote --head`, the repository's workflows posted a
//! context no job gatelint read posts. The findings come from src/observed.rs; listed here for
//! `gatelint rules` and `explain`.

use super::{Rule, RuleInfo};

super::rule!(
    ContextUnpredicted,
    "context-unpredicted",
    Warning,
    "with --head: the repository's workflows posted a context no job gatelint read posts",
    needs_protection = false
);

impl Rule for ContextUnpredicted {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}
