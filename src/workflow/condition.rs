//! Job `if:` conditions, parsed with the expression language, and the questions the gate
//! rules ask of them: can it be false on a pull request, does it run after a dependency
//! failed, does it look at the dependencies' results.

use super::evaluate::{self, Ast};
use super::expr::{self, Piece};
use crate::yaml::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    ast: Ast,
}

fn call(ast: &Ast, name: &str) -> bool {
    matches!(ast, Ast::Call(n, args) if n == name && args.is_empty())
}

impl Condition {
    /// Parse an `if:` value: one expression, with or without `${{ }}`. Text mixing literal
    /// words and `${{ }}` is a non-empty string, which is always true.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let trimmed = text.trim();
        let pieces = expr::pieces(trimmed);
        match pieces.as_slice() {
            [Piece::Expr(e)] => Ok(Condition {
                ast: evaluate::parse(e)?,
            }),
            [] => Err("empty condition".to_owned()),
            _ if expr::has_expression(trimmed) => {
                for p in &pieces {
                    if let Piece::Expr(e) = p {
                        evaluate::parse(e)?;
                    }
                }
                Ok(Condition {
                    ast: Ast::Lit(Value::Str(trimmed.to_owned())),
                })
            }
            _ => Ok(Condition {
                ast: evaluate::parse(trimmed)?,
            }),
        }
    }

    /// True for conditions that never skip the job: `always()`, `!cancelled()`,
    /// `success() || failure()`, literal `true` (or a non-empty string), and `||` of such.
    pub fn always_true(&self) -> bool {
        fn always(a: &Ast) -> bool {
            match a {
                Ast::Lit(Value::Bool(true)) => true,
                Ast::Lit(Value::Str(s)) => !s.is_empty(),
                Ast::Call(..) if call(a, "always") => true,
                Ast::Not(inner) => call(inner, "cancelled"),
                Ast::Bin("||", l, r) => {
                    always(l)
                        || always(r)
                        || (call(l, "success") && call(r, "failure"))
                        || (call(l, "failure") && call(r, "success"))
                }
                _ => false,
            }
        }
        always(&self.ast)
    }

    /// True if the job still runs when a dependency failed: the condition calls `always()`,
    /// `failure()` or negates `cancelled()` (otherwise `success() &&` is implied).
    pub fn runs_after_failure(&self) -> bool {
        let mut found = false;
        self.ast.walk(&mut |a| {
            if call(a, "always") || call(a, "failure") {
                found = true;
            }
            if let Ast::Not(inner) = a
                && call(inner, "cancelled")
            {
                found = true;
            }
        });
        found
    }

    /// True if the condition reads `needs.<job>.result` or `needs.*.result`.
    pub fn checks_needs_results(&self) -> bool {
        let mut found = false;
        self.ast.walk(&mut |a| found |= a.is_needs_result());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(text: &str) -> Condition {
        Condition::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn always_true_forms() {
        for t in [
            "always()",
            "${{ always() }}",
            "!cancelled()",
            "success() || failure()",
            "true",
            "${{ true }}",
            "failure() || success()",
            "always() || github.event_name == 'push'",
        ] {
            assert!(c(t).always_true(), "{t}");
        }
        for t in [
            "github.event_name == 'push'",
            "success()",
            "false",
            "always() && needs.a.result == 'success'",
            "${{ !cancelled() && github.actor != 'bot' }}",
            "contains(github.ref, 'main')",
        ] {
            assert!(!c(t).always_true(), "{t}");
        }
    }

    #[test]
    fn guards() {
        let g = c("${{ always() && !contains(needs.*.result, 'failure') }}");
        assert!(g.runs_after_failure() && g.checks_needs_results());
        let g = c("!cancelled() && needs.build.result == 'success'");
        assert!(g.runs_after_failure() && g.checks_needs_results());
        let g = c("always()");
        assert!(g.runs_after_failure() && !g.checks_needs_results());
        let g = c("needs.build.result == 'success'");
        assert!(!g.runs_after_failure() && g.checks_needs_results());
    }

    #[test]
    fn parse_errors() {
        for t in ["github.event_name ==", "(a", "a b", "${{ }}", "'open"] {
            assert!(Condition::parse(t).is_err(), "{t}");
        }
        assert!(Condition::parse("github.event.pull_request.head.repo.fork == false && contains(fromJSON('[\"a\"]'), github.actor)").is_ok());
        assert!(Condition::parse("${{ github.ref == 'refs/heads/main' }} extra").is_ok());
    }
}
