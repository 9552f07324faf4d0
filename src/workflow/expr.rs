//! The little of the expression language that names need: `${{ matrix.… }}` and literals.
//! Anything else needs run-time data, and the name is then unresolvable.

pub use super::evaluate::Scope;
use crate::yaml::Value;

/// The pieces of a text with `${{ … }}` expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece<'a> {
    Text(&'a str),
    Expr(&'a str),
}

/// Split a text into literal pieces and expressions. An unclosed `${{` is literal text.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start + 3..].find("}}") else {
            break;
        };
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        out.push(Piece::Expr(rest[start + 3..start + 3 + len].trim()));
        rest = &rest[start + 3 + len + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

pub fn has_expression(text: &str) -> bool {
    pieces(text).iter().any(|p| matches!(p, Piece::Expr(_)))
}

/// True if any expression in the text reads the `matrix` context.
pub fn uses_matrix(text: &str) -> bool {
    pieces(text).iter().any(|p| match p {
        Piece::Expr(e) => references(e, "matrix"),
        Piece::Text(_) => false,
    })
}

fn references(expr: &str, context: &str) -> bool {
    let lower = expr.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    lower.match_indices(context).any(|(i, _)| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + context.len()).copied();
        !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
            && matches!(after, Some(b'.' | b'['))
    })
}

/// Fill in the expressions of `text` from a matrix combination (keys matched
/// case-insensitively, as the expression language does). Err: the expression that needs
/// run-time data.
pub fn render(text: &str, matrix: &[(String, Value)]) -> Result<String, String> {
    render_in(
        text,
        &Scope {
            matrix,
            ..Scope::default()
        },
    )
}

/// [`render`] with more known: a called workflow's `inputs`, `github.workflow`.
pub fn render_in(text: &str, scope: &Scope<'_>) -> Result<String, String> {
    crate::budget::charge(text.len())?;
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => {
                let text = eval(e, scope)?.to_expr_string();
                crate::budget::charge(text.len())?;
                out.push_str(&text);
            }
        }
    }
    Ok(out)
}

/// The value of a text: one `${{ }}` expression keeps its type; other text is a string.
pub fn value_in(text: &str, scope: &Scope<'_>) -> Result<Value, String> {
    match pieces(text.trim()).as_slice() {
        [Piece::Expr(e)] => eval(e, scope),
        _ => render_in(text, scope).map(Value::Str),
    }
}

fn eval(expr: &str, scope: &Scope<'_>) -> Result<Value, String> {
    let value = super::evaluate::evaluate_in(expr, scope)
        .map_err(|why| format!("`${{{{ {expr} }}}}` cannot be evaluated statically: {why}"))?;
    if value.has_expression() {
        return Err(format!(
            "reads `${{{{ {expr} }}}}`, whose value is itself an expression known only at run time"
        ));
    }
    Ok(value)
}

/// `${{ fromJSON('<json>') }}` with a literal argument: the JSON value. `None` for any other
/// text (the Forgejo runner evaluates such a literal matrix when it expands the job).
pub fn literal_from_json(text: &str) -> Option<Value> {
    let p = pieces(text.trim());
    let [Piece::Expr(e)] = p.as_slice() else {
        return None;
    };
    let open = e.find('(')?;
    if !e[..open].trim().eq_ignore_ascii_case("fromjson") {
        return None;
    }
    let inner = e[open + 1..].trim_end().strip_suffix(')')?.trim();
    let lit = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    if lit.replace("''", "").contains('\'') {
        return None;
    }
    json_value(&lit.replace("''", "'"))
}

/// A JSON text as a [`Value`] (object keys in written order).
pub fn json_value(text: &str) -> Option<Value> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(from_json(&json, 0))
}

fn from_json(v: &serde_json::Value, depth: usize) -> Value {
    if depth > 64 {
        return Value::Null;
    }
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => {
            Value::Seq(a.iter().map(|x| from_json(x, depth + 1)).collect())
        }
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, x)| (k.clone(), from_json(x, depth + 1)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg() -> Vec<(String, Value)> {
        vec![
            ("os".into(), Value::Str("ubuntu".into())),
            ("version".into(), Value::Float(1.17)),
            (
                "cfg".into(),
                Value::Map(vec![("name".into(), Value::Str("fast".into()))]),
            ),
        ]
    }

    #[test]
    fn renders_matrix_references() {
        assert_eq!(
            render("On ${{ matrix.os }} with go v${{matrix.version}}", &leg()),
            Ok("On ubuntu with go v1.17".into())
        );
        assert_eq!(render("${{ matrix['OS'] }}", &leg()), Ok("ubuntu".into()));
        assert_eq!(render("${{ matrix.cfg.name }}", &leg()), Ok("fast".into()));
        assert_eq!(render("${{ matrix.cfg }}", &leg()), Ok("Object".into()));
        assert_eq!(render("x${{ matrix.missing }}y", &leg()), Ok("xy".into()));
        assert_eq!(render("${{ 'lit' }}", &leg()), Ok("lit".into()));
        assert!(render("${{ github.event_name }}", &leg()).is_err());
        assert_eq!(
            render("${{ format('{0}!', matrix.os) }}", &leg()),
            Ok("ubuntu!".into())
        );
        assert!(render("${{ inputs.os }}", &leg()).is_err());
    }

    #[test]
    fn detects_matrix_use() {
        assert!(uses_matrix("test ${{ matrix.os }}"));
        assert!(uses_matrix("${{ Matrix['os'] }}"));
        assert!(!uses_matrix("test ${{ inputs.matrix }}"));
        assert!(!uses_matrix("plain name"));
    }

    #[test]
    fn literal_from_json_matrix() {
        let v = literal_from_json("${{fromJson('\n {\"A\": [\"A\", \"B\"]}\n')}}");
        assert_eq!(
            v,
            Some(Value::Map(vec![(
                "A".into(),
                Value::Seq(vec![Value::Str("A".into()), Value::Str("B".into())])
            )]))
        );
        assert_eq!(
            literal_from_json("${{ fromJSON(needs.a.outputs.m) }}"),
            None
        );
    }
}
