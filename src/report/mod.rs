//! Output formats.

pub mod checks;
pub mod escape;
pub mod gates;
pub mod github;
pub mod human;
pub mod markdown;
pub mod sarif;
pub mod view;

use crate::analyze::{Gate, Mask};
use crate::workflow::Directive;

/// The one-word judgement of a gate in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Required, protected, not masked.
    Ok,
    /// Required by its directive; no protection source to compare with.
    Required,
    /// Required, but protection does not require it.
    NotProtected,
    /// Required, but a job-level `continue-on-error` masks it.
    Masked,
    /// Required, but it can pass without testing anything (skipped, filtered, …).
    Vacuous,
    Pending,
    Exempt,
    /// Posts a context but has no directive.
    NoDirective,
    /// Posts no context on a pull request and has no directive.
    NoContext,
    /// A directive line did not parse.
    DirectiveInvalid,
    /// Its contexts cannot be computed statically.
    Unresolvable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Required => "required",
            Verdict::NotProtected => "not-protected",
            Verdict::Masked => "masked",
            Verdict::Vacuous => "vacuous",
            Verdict::Pending => "pending",
            Verdict::Exempt => "exempt",
            Verdict::NoDirective => "no-directive",
            Verdict::NoContext => "no-context",
            Verdict::DirectiveInvalid => "directive-invalid",
            Verdict::Unresolvable => "unresolvable",
        }
    }

    /// `protected`: `None` when there is no protection source; `vacuous`: the reasons it can
    /// pass without testing anything.
    pub fn of(gate: &Gate, protected: Option<bool>, vacuous: &[&str]) -> Verdict {
        if gate.directive_invalid {
            return Verdict::DirectiveInvalid;
        }
        match gate.directive.as_ref().map(|d| &d.value) {
            Some(Directive::Exempt(_)) => Verdict::Exempt,
            Some(Directive::Pending(_)) => Verdict::Pending,
            // Nothing known; a partly known gate (a call gatelint cannot read) is judged on
            // what is known, and is never called `ok`.
            _ if gate.unresolvable.is_some() && gate.contexts.is_empty() => Verdict::Unresolvable,
            None if gate.contexts.is_empty() => Verdict::NoContext,
            None => Verdict::NoDirective,
            Some(Directive::Required) if gate.masked == Mask::Job => Verdict::Masked,
            Some(Directive::Required) if !vacuous.is_empty() => Verdict::Vacuous,
            // Posts nothing on a pull request of its own (a called workflow's job, whose
            // callers post for it; a push-only workflow): nothing to protect.
            Some(Directive::Required)
                if gate.contexts.is_empty() && gate.unresolvable.is_none() =>
            {
                Verdict::NoContext
            }
            Some(Directive::Required) if gate.unresolvable.is_some() => Verdict::Unresolvable,
            Some(Directive::Required) => match protected {
                None => Verdict::Required,
                Some(true) => Verdict::Ok,
                Some(false) => Verdict::NotProtected,
            },
        }
    }
}

/// `text` with `prefix` before each of its lines (a pretty-printed JSON value placed at a
/// depth of a document: JSON strings hold no raw line breaks).
pub fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len() + prefix.len() * 8);
    out.push_str(prefix);
    out.push_str(&text.replace('\n', &format!("\n{prefix}")));
    out
}
