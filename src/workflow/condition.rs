//! Job `if:` conditions, parsed with the expression language, and the questions the gate
//! rules ask of them: can it be false on a pull request, does it run after a dependency
//! failed, does it look at the dependencies' results.

use super::evaluate::{self, Ast};
use super::expr::{self, Piece};
use crate::yaml::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    ast: Ast,
    /// As written (trimmed; a lone `${{ x }}` as `x`), for messages.
    pub text: String,
}

/// What is known of a pull request's run before it happens, for judging an `if:`.
#[derive(Debug, Clone, Copy)]
pub struct PrRun<'a> {
    /// `github.event_name`.
    pub event: &'a str,
    /// `github.base_ref`: the target branch.
    pub base_ref: &'a str,
    /// `github.repository`, when known.
    pub repository: Option<&'a str>,
}

/// What an `if:` is on such a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnPr {
    /// True: the job runs.
    Runs,
    /// False: the job is always skipped there.
    Skipped,
    /// Depends on run-time data.
    Maybe,
}

/// A value on a pull request's run: known, unknown, or `github.repository` (or
/// `github.repository_owner`) when the repository is not known (assumed to be whatever a
/// guard names).
#[derive(Debug, Clone, PartialEq)]
enum V {
    Known(Value),
    Unknown,
    Repository,
}

impl V {
    fn truth(&self) -> Option<bool> {
        match self {
            V::Known(v) => Some(evaluate::truthy(v)),
            V::Repository => Some(true),
            V::Unknown => None,
        }
    }
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
        let text = trimmed.to_owned();
        match pieces.as_slice() {
            // `${{ x }}` and `x` are one condition, shown as `x`.
            [Piece::Expr(e)] => Ok(Condition {
                ast: evaluate::parse(e)?,
                text: e.trim().to_owned(),
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
                    text,
                })
            }
            _ => Ok(Condition {
                ast: evaluate::parse(trimmed)?,
                text,
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

    /// What the condition is on `run`, all dependencies having succeeded; and whether a
    /// `github.repository` guard was assumed to name this repository.
    pub fn on_pr(&self, run: &PrRun<'_>) -> (OnPr, bool) {
        let mut assumed = false;
        let v = on_pr(&self.ast, run, &mut assumed);
        let verdict = match v.truth() {
            Some(true) => OnPr::Runs,
            Some(false) => OnPr::Skipped,
            None => OnPr::Maybe,
        };
        (verdict, assumed)
    }

    /// True if the condition reads `needs.<job>.result` or `needs.*.result`.
    pub fn checks_needs_results(&self) -> bool {
        let mut found = false;
        self.ast.walk(&mut |a| found |= a.is_needs_result());
        found
    }
}

/// `github.a.b` as `["a", "b"]` (lower-cased), for a chain of literal property names.
/// Forgejo's `forge` context is the same (its own workflows write `forge.event_name`,
/// project-mirrors/forgejo-runner's cascade-forgejo.yml).
fn github_path(ast: &Ast) -> Option<Vec<String>> {
    match ast {
        Ast::Context(name)
            if name.eq_ignore_ascii_case("github") || name.eq_ignore_ascii_case("forge") =>
        {
            Some(Vec::new())
        }
        Ast::Index(base, key) => {
            let mut path = github_path(base)?;
            match key.as_ref() {
                Ast::Lit(Value::Str(k)) => path.push(k.to_ascii_lowercase()),
                _ => return None,
            }
            Some(path)
        }
        _ => None,
    }
}

fn on_pr(ast: &Ast, run: &PrRun<'_>, assumed: &mut bool) -> V {
    let known = |s: &str| V::Known(Value::Str(s.to_owned()));
    match ast {
        Ast::Lit(v) => V::Known(v.clone()),
        Ast::Index(..) | Ast::Context(_) => match github_path(ast).as_deref() {
            Some([e]) if e == "event_name" => known(run.event),
            Some([b]) if b == "base_ref" => known(run.base_ref),
            Some([r]) if r == "repository" => match run.repository {
                Some(repo) => known(repo),
                None => V::Repository,
            },
            Some([o]) if o == "repository_owner" => match run.repository {
                Some(repo) => known(repo.split('/').next().unwrap_or(repo)),
                None => V::Repository,
            },
            _ => V::Unknown,
        },
        // The job's dependencies all succeeded: the case a gate is judged on.
        Ast::Call(name, args) if args.is_empty() => match name.as_str() {
            "success" | "always" => V::Known(Value::Bool(true)),
            "failure" | "cancelled" => V::Known(Value::Bool(false)),
            _ => V::Unknown,
        },
        Ast::Not(inner) => match on_pr(inner, run, assumed).truth() {
            Some(t) => V::Known(Value::Bool(!t)),
            None => V::Unknown,
        },
        Ast::Bin(op @ ("==" | "!="), l, r) => {
            let (l, r) = (on_pr(l, run, assumed), on_pr(r, run, assumed));
            let equal = match (&l, &r) {
                (V::Known(a), V::Known(b)) => Some(evaluate::loose_eq(a, b)),
                // `github.repository == 'owner/name'`: assumed to name this repository.
                (V::Repository, V::Known(Value::Str(_)))
                | (V::Known(Value::Str(_)), V::Repository) => {
                    *assumed = true;
                    Some(true)
                }
                _ => None,
            };
            match equal {
                Some(e) => V::Known(Value::Bool(if *op == "==" { e } else { !e })),
                None => V::Unknown,
            }
        }
        Ast::Bin("&&", l, r) => {
            let l = on_pr(l, run, assumed);
            match l.truth() {
                Some(false) => l,
                Some(true) => on_pr(r, run, assumed),
                None => match on_pr(r, run, assumed).truth() {
                    Some(false) => V::Known(Value::Bool(false)),
                    _ => V::Unknown,
                },
            }
        }
        Ast::Bin("||", l, r) => {
            let l = on_pr(l, run, assumed);
            match l.truth() {
                Some(true) => l,
                Some(false) => on_pr(r, run, assumed),
                None => match on_pr(r, run, assumed).truth() {
                    Some(true) => V::Known(Value::Bool(true)),
                    _ => V::Unknown,
                },
            }
        }
        _ => V::Unknown,
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
    fn on_a_pull_request() {
        let run = PrRun {
            event: "pull_request",
            base_ref: "main",
            repository: Some("acme/app"),
        };
        let judge = |t: &str| c(t).on_pr(&run);
        assert_eq!(
            judge("github.event_name == 'pull_request'"),
            (OnPr::Runs, false)
        );
        assert_eq!(judge("github.event_name == 'push'"), (OnPr::Skipped, false));
        assert_eq!(judge("forge.event_name == 'push'"), (OnPr::Skipped, false));
        assert_eq!(
            judge("github.event_name != 'schedule' && success()"),
            (OnPr::Runs, false)
        );
        assert_eq!(
            judge("github.repository == 'ACME/app'"),
            (OnPr::Runs, false)
        );
        assert_eq!(
            judge("github.repository == 'other/app'"),
            (OnPr::Skipped, false)
        );
        assert_eq!(judge("github.base_ref == 'main'"), (OnPr::Runs, false));
        assert_eq!(
            judge("github.repository_owner == 'acme'"),
            (OnPr::Runs, false)
        );
        assert_eq!(
            judge("github.repository_owner == 'evil'"),
            (OnPr::Skipped, false)
        );
        assert_eq!(
            judge("github.actor != 'dependabot[bot]'"),
            (OnPr::Maybe, false)
        );
        assert_eq!(
            judge("github.event_name == 'push' || github.actor == 'x'"),
            (OnPr::Maybe, false)
        );
        assert_eq!(
            judge("github.actor == 'x' && github.event_name == 'push'"),
            (OnPr::Skipped, false)
        );
        assert_eq!(
            judge("!contains(github.event.pull_request.labels.*.name, 'skip')"),
            (OnPr::Maybe, false)
        );
        let unknown = PrRun {
            repository: None,
            ..run
        };
        assert_eq!(
            c("github.repository == 'astral-sh/uv'").on_pr(&unknown),
            (OnPr::Runs, true)
        );
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
