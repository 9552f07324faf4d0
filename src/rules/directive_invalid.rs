//! `directive-invalid`: found while reading directives (see `workflow::directive`); this entry
//! carries its doc and severity.

super::rule!(
    DirectiveInvalid,
    "directive-invalid",
    Error,
    "a directive line that does not parse, or two conflicting directives on one job",
    needs_protection = false
);

impl super::Rule for DirectiveInvalid {
    fn info(&self) -> &'static super::RuleInfo {
        &INFO
    }
}
