//! `workflow-skipped`: found while listing the workflows folder (see `discover`); this entry
//! carries its doc and severity.

super::rule!(
    WorkflowSkipped,
    "workflow-skipped",
    Note,
    "an entry of the workflows folder that gatelint does not read (a name that is not UTF-8, nested too deep, a symlinked folder)",
    needs_protection = false
);

impl super::Rule for WorkflowSkipped {
    fn info(&self) -> &'static super::RuleInfo {
        &INFO
    }
}
