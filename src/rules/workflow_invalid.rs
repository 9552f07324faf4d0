//! `workflow-invalid`: found while loading (see `analyze`); this entry carries its doc and
//! severity.

super::rule!(
    WorkflowInvalid,
    "workflow-invalid",
    Error,
    "a workflow file that does not parse or is not a workflow",
    needs_protection = false
);

impl super::Rule for WorkflowInvalid {
    fn info(&self) -> &'static super::RuleInfo {
        &INFO
    }
}
