//! A small evaluator for the Actions expression language, enough to name jobs statically:
//! literals, `matrix.…` property access, `!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`
//! (short-circuit, returning an operand as the language does), parentheses, and the functions
//! `format`, `contains`, `startsWith`, `endsWith`, `join`, `fromJSON`. Any other context
//! (`inputs`, `github`, `needs`, …) needs run-time data: evaluation fails with that reason.

use crate::yaml::Value;

/// Expressions nested deeper than this are refused: parentheses, calls, `!`, and each
/// operator or property access of a chain (a left-deep tree) count, so evaluating, walking and
/// dropping the tree cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// Expressions with more tokens than this are refused.
const MAX_TOKENS: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Op(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'\'' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                let rest = src.get(j..).ok_or("unterminated string")?;
                let Some(q) = rest.find('\'') else {
                    return Err("unterminated string".to_owned());
                };
                s.push_str(&rest[..q]);
                j += q + 1;
                if b.get(j) == Some(&b'\'') {
                    s.push('\'');
                    j += 1;
                } else {
                    break;
                }
            }
            out.push(Tok::Str(s));
            i = j;
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        if let Some(op) = ["==", "!=", "<=", ">=", "&&", "||"]
            .into_iter()
            .find(|o| *o == two)
        {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        // `.5` after an operator is a number; after a value, `.` reads a property.
        let starts_number = c == b'.'
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            && !matches!(out.last(), Some(Tok::Ident(_) | Tok::Op(")" | "]")));
        if !starts_number
            && let Some(op) = ["!", "<", ">", "(", ")", "[", "]", ".", ",", "*"]
                .into_iter()
                .find(|o| o.as_bytes()[0] == c)
        {
            out.push(Tok::Op(op));
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || c == b'-' || c == b'.' {
            let start = i;
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'+' || b[i] == b'-')
            {
                i += 1;
            }
            let text = &src[start..i];
            let n = if let Some(hex) = text.strip_prefix("0x") {
                i64::from_str_radix(hex, 16).map(|v| v as f64).ok()
            } else {
                text.parse::<f64>().ok()
            };
            out.push(Tok::Num(n.ok_or_else(|| format!("bad number `{text}`"))?));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            out.push(Tok::Ident(src[start..i].to_owned()));
            continue;
        }
        return Err(format!(
            "unexpected `{}`",
            src[i..].chars().next().unwrap_or(' ')
        ));
    }
    Ok(out)
}

/// The parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Lit(Value),
    /// A named context: `matrix`, `github`, `needs`, …
    Context(String),
    /// `base.name` or `base[index]`.
    Index(Box<Ast>, Box<Ast>),
    /// `base.*`: the object filter.
    Star(Box<Ast>),
    Not(Box<Ast>),
    Bin(&'static str, Box<Ast>, Box<Ast>),
    /// A function call, its name lower-cased.
    Call(String, Vec<Ast>),
}

impl Ast {
    /// Visit this node and every node below it.
    pub fn walk(&self, f: &mut dyn FnMut(&Ast)) {
        f(self);
        match self {
            Ast::Lit(_) | Ast::Context(_) => {}
            Ast::Index(a, b) | Ast::Bin(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Ast::Star(a) | Ast::Not(a) => a.walk(f),
            Ast::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
        }
    }

    /// `needs.<job>.result` or `needs.*.result` (any case).
    pub fn is_needs_result(&self) -> bool {
        let Ast::Index(base, key) = self else {
            return false;
        };
        let key_is_result =
            matches!(&**key, Ast::Lit(Value::Str(k)) if k.eq_ignore_ascii_case("result"));
        let base_is_needs_job = match &**base {
            Ast::Star(inner) => {
                matches!(&**inner, Ast::Context(c) if c.eq_ignore_ascii_case("needs"))
            }
            Ast::Index(inner, _) => {
                matches!(&**inner, Ast::Context(c) if c.eq_ignore_ascii_case("needs"))
            }
            _ => false,
        };
        key_is_result && base_is_needs_job
    }
}

/// Parse an expression (the text inside `${{ }}`).
pub fn parse(expr: &str) -> Result<Ast, String> {
    let toks = tokenize(expr)?;
    if toks.len() > MAX_TOKENS {
        return Err(format!(
            "expression has more than {MAX_TOKENS} tokens: gatelint's limit"
        ));
    }
    if toks.is_empty() {
        return Err("empty expression".to_owned());
    }
    let mut p = ParserState {
        toks,
        pos: 0,
        depth: 0,
    };
    let ast = p.or()?;
    if p.pos != p.toks.len() {
        return Err("unexpected text after the expression".to_owned());
    }
    Ok(ast)
}

struct ParserState {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl ParserState {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.eat(op) {
            Ok(())
        } else {
            Err(format!("expected `{op}`"))
        }
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        self.deeper(1)?;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// One level deeper (a nesting, or one more link of a chain).
    fn deeper(&mut self, by: usize) -> Result<(), String> {
        self.depth += by;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "expression nested more than {MAX_DEPTH} deep (operators and properties \
                 chained count): gatelint's limit"
            ));
        }
        Ok(())
    }

    fn binary(
        &mut self,
        ops: &[&'static str],
        next: fn(&mut Self) -> Result<Ast, String>,
    ) -> Result<Ast, String> {
        let mut left = next(self)?;
        let mut chained = 0;
        while let Some(Tok::Op(found)) = self.peek().cloned()
            && let Some(op) = ops.iter().find(|o| **o == found)
        {
            self.pos += 1;
            self.deeper(1)?;
            chained += 1;
            let right = next(self)?;
            left = Ast::Bin(op, Box::new(left), Box::new(right));
        }
        self.depth -= chained;
        Ok(left)
    }

    fn or(&mut self) -> Result<Ast, String> {
        self.nested(|p| p.binary(&["||"], Self::and))
    }
    fn and(&mut self) -> Result<Ast, String> {
        self.binary(&["&&"], Self::eq)
    }
    fn eq(&mut self) -> Result<Ast, String> {
        self.binary(&["==", "!="], Self::cmp)
    }
    fn cmp(&mut self) -> Result<Ast, String> {
        self.binary(&["<", "<=", ">", ">="], Self::unary)
    }

    fn unary(&mut self) -> Result<Ast, String> {
        if self.eat("!") {
            return self.nested(|p| Ok(Ast::Not(Box::new(p.unary()?))));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Ast, String> {
        let mut node = self.primary()?;
        let mut chained = 0;
        let result = loop {
            if matches!(self.peek(), Some(Tok::Op("." | "["))) {
                if let Err(e) = self.deeper(1) {
                    break Err(e);
                }
                chained += 1;
            }
            if self.eat(".") {
                match self.peek().cloned() {
                    Some(Tok::Ident(name)) => {
                        self.pos += 1;
                        node = Ast::Index(Box::new(node), Box::new(Ast::Lit(Value::Str(name))));
                    }
                    Some(Tok::Op("*")) => {
                        self.pos += 1;
                        node = Ast::Star(Box::new(node));
                    }
                    _ => break Err("expected a property name after `.`".to_owned()),
                }
            } else if self.eat("[") {
                let index = match self.or() {
                    Ok(i) => i,
                    Err(e) => break Err(e),
                };
                if let Err(e) = self.expect("]") {
                    break Err(e);
                }
                node = Ast::Index(Box::new(node), Box::new(index));
            } else {
                break Ok(node);
            }
        };
        self.depth -= chained;
        result
    }

    fn primary(&mut self) -> Result<Ast, String> {
        let tok = self.peek().cloned().ok_or("unexpected end of expression")?;
        self.pos += 1;
        match tok {
            Tok::Str(s) => Ok(Ast::Lit(Value::Str(s))),
            Tok::Num(n) => Ok(Ast::Lit(number(n))),
            Tok::Op("(") => {
                let inner = self.or()?;
                self.expect(")")?;
                Ok(inner)
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Ast::Lit(Value::Bool(true))),
                "false" => Ok(Ast::Lit(Value::Bool(false))),
                "null" => Ok(Ast::Lit(Value::Null)),
                _ if self.eat("(") => {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.or()?);
                            if self.eat(")") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    Ok(Ast::Call(name.to_ascii_lowercase(), args))
                }
                _ => Ok(Ast::Context(name)),
            },
            Tok::Op(op) => Err(format!("unexpected `{op}`")),
        }
    }
}

fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::Int(n as i64)
    } else {
        Value::Float(n)
    }
}

pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0 && !f.is_nan(),
        Value::Str(s) => !s.is_empty(),
        Value::Seq(_) | Value::Map(_) => true,
    }
}

fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Str(s) if s.trim().is_empty() => 0.0,
        Value::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        Value::Seq(_) | Value::Map(_) => f64::NAN,
    }
}

/// Loose equality: strings ignore case; other mixed types compare as numbers.
pub(crate) fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Str(x), Value::Str(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Seq(_) | Value::Map(_), _) | (_, Value::Seq(_) | Value::Map(_)) => false,
        _ => to_number(a) == to_number(b),
    }
}

fn compare(op: &str, a: &Value, b: &Value) -> bool {
    let ord = match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        _ => to_number(a).partial_cmp(&to_number(b)),
    };
    let Some(ord) = ord else { return false };
    match op {
        "<" => ord.is_lt(),
        "<=" => ord.is_le(),
        ">" => ord.is_gt(),
        _ => ord.is_ge(),
    }
}

/// What an expression in a job name can read before the run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    /// `matrix`: one combination.
    pub matrix: &'a [(String, Value)],
    /// A called workflow's `inputs`, when known (the caller's `with:` over the defaults).
    pub inputs: Option<&'a [(String, Value)]>,
    /// `github.workflow`, when known (GitHub: the workflow's `name:`, else its path); every
    /// other part of `github` is run-time data.
    pub workflow: Option<&'a str>,
}

struct Env<'a> {
    matrix: &'a [(String, Value)],
    inputs: Option<&'a [(String, Value)]>,
    workflow: Option<&'a str>,
}

impl Env<'_> {
    fn eval(&self, ast: &Ast) -> Result<Value, String> {
        match ast {
            Ast::Lit(v) => Ok(v.clone()),
            Ast::Context(name) => {
                if name.eq_ignore_ascii_case("matrix") {
                    let v = Value::Map(self.matrix.to_vec());
                    crate::budget::charge_value(&v)?;
                    Ok(v)
                } else if let (true, Some(inputs)) =
                    (name.eq_ignore_ascii_case("inputs"), self.inputs)
                {
                    let v = Value::Map(inputs.to_vec());
                    crate::budget::charge_value(&v)?;
                    Ok(v)
                } else {
                    Err(format!("reads `{name}`, known only at run time"))
                }
            }
            Ast::Index(base, key) => {
                // `github.workflow`, when known; any other `github.x` is run-time data.
                if let Ast::Context(name) = base.as_ref()
                    && name.eq_ignore_ascii_case("github")
                    && let Some(workflow) = self.workflow
                {
                    let k = self.eval(key)?.to_expr_string();
                    if !k.eq_ignore_ascii_case("workflow") {
                        return Err(format!("reads `github.{k}`, known only at run time"));
                    }
                    crate::budget::charge(workflow.len())?;
                    return Ok(Value::Str(workflow.to_owned()));
                }
                // `matrix.x`, `inputs.x`: looked up in place, not copied whole first.
                if let Ast::Context(name) = base.as_ref()
                    && let Some(entries) = self.context_entries(name)
                {
                    let k = self.eval(key)?.to_expr_string();
                    let v = entries
                        .iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(&k))
                        .map_or(Value::Null, |(_, v)| v.clone());
                    crate::budget::charge_value(&v)?;
                    return Ok(v);
                }
                let base = self.eval(base)?;
                let key = self.eval(key)?;
                Ok(match (&base, &key) {
                    (Value::Map(entries), _) => {
                        let k = key.to_expr_string();
                        entries
                            .iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(&k))
                            .map_or(Value::Null, |(_, v)| v.clone())
                    }
                    (Value::Seq(items), Value::Int(i)) => usize::try_from(*i)
                        .ok()
                        .and_then(|i| items.get(i))
                        .cloned()
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                })
                .and_then(|v| crate::budget::charge_value(&v).map(|()| v))
            }
            Ast::Star(_) => Err("`.*` filters read run-time data".to_owned()),
            Ast::Not(inner) => Ok(Value::Bool(!truthy(&self.eval(inner)?))),
            Ast::Bin(op, l, r) => {
                let left = self.eval(l)?;
                match *op {
                    "&&" if !truthy(&left) => Ok(left),
                    "||" if truthy(&left) => Ok(left),
                    "&&" | "||" => self.eval(r),
                    "==" => Ok(Value::Bool(loose_eq(&left, &self.eval(r)?))),
                    "!=" => Ok(Value::Bool(!loose_eq(&left, &self.eval(r)?))),
                    _ => Ok(Value::Bool(compare(op, &left, &self.eval(r)?))),
                }
            }
            Ast::Call(name, args) => self.call(name, args),
        }
    }

    /// The entries of a context known before the run: `matrix`, and `inputs` when known.
    fn context_entries(&self, name: &str) -> Option<&[(String, Value)]> {
        if name.eq_ignore_ascii_case("matrix") {
            Some(self.matrix)
        } else if name.eq_ignore_ascii_case("inputs") {
            self.inputs
        } else {
            None
        }
    }

    fn call(&self, name: &str, args: &[Ast]) -> Result<Value, String> {
        let values = args
            .iter()
            .map(|a| self.eval(a))
            .collect::<Result<Vec<_>, _>>()?;
        let arity = |n: usize| {
            if values.len() == n {
                Ok(())
            } else {
                Err(format!("`{name}` takes {n} arguments"))
            }
        };
        match name {
            "format" => {
                let Some(Value::Str(fmt)) = values.first() else {
                    return Err("`format` needs a string".to_owned());
                };
                format(fmt, &values[1..]).map(Value::Str)
            }
            "contains" => {
                arity(2)?;
                Ok(Value::Bool(match &values[0] {
                    Value::Seq(items) => items.iter().any(|x| loose_eq(x, &values[1])),
                    hay => hay
                        .to_expr_string()
                        .to_lowercase()
                        .contains(&values[1].to_expr_string().to_lowercase()),
                }))
            }
            "startswith" | "endswith" => {
                arity(2)?;
                let hay = values[0].to_expr_string().to_lowercase();
                let needle = values[1].to_expr_string().to_lowercase();
                Ok(Value::Bool(if name == "startswith" {
                    hay.starts_with(&needle)
                } else {
                    hay.ends_with(&needle)
                }))
            }
            "join" => {
                let sep = values.get(1).map_or(",".to_owned(), Value::to_expr_string);
                let items = match values.first() {
                    Some(Value::Seq(items)) => items.len(),
                    _ => 1,
                };
                crate::budget::charge(sep.len().saturating_mul(items))?;
                Ok(Value::Str(match values.first() {
                    Some(Value::Seq(items)) => items
                        .iter()
                        .map(Value::to_expr_string)
                        .collect::<Vec<_>>()
                        .join(&sep),
                    Some(v) => v.to_expr_string(),
                    None => String::new(),
                }))
            }
            "fromjson" => {
                arity(1)?;
                let Value::Str(text) = &values[0] else {
                    return Err("`fromJSON` needs a string".to_owned());
                };
                crate::budget::charge(text.len())?;
                super::expr::json_value(text).ok_or_else(|| "`fromJSON` of invalid JSON".to_owned())
            }
            _ => Err(format!("calls `{name}`, which gatelint does not evaluate")),
        }
    }
}

/// `format('{0} and {1}', a, b)`, with `{{` and `}}` as literal braces.
fn format(fmt: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    digits.push(d);
                }
                let i: usize = digits
                    .trim()
                    .parse()
                    .map_err(|_| "bad `format` placeholder".to_owned())?;
                let arg = args
                    .get(i)
                    .ok_or("`format` placeholder without an argument")?;
                let text = arg.to_expr_string();
                crate::budget::charge(text.len())?;
                out.push_str(&text);
            }
            _ => {
                crate::budget::charge(c.len_utf8())?;
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// Evaluate one expression (the text inside `${{ }}`) with what `scope` knows: a matrix
/// combination, in a called workflow the `inputs` the caller passes, and `github.workflow`.
pub fn evaluate_in(expr: &str, scope: &Scope<'_>) -> Result<Value, String> {
    let ast = parse(expr)?;
    Env {
        matrix: scope.matrix,
        inputs: scope.inputs,
        workflow: scope.workflow,
    }
    .eval(&ast)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg() -> Vec<(String, Value)> {
        vec![
            ("os".into(), Value::Str("Ubuntu".into())),
            ("build".into(), Value::Str("cmake".into())),
            ("flag".into(), Value::Bool(false)),
            ("n".into(), Value::Int(2)),
            (
                "list".into(),
                Value::Seq(vec![Value::Str("a".into()), Value::Str("b".into())]),
            ),
        ]
    }

    fn ev(e: &str) -> Result<String, String> {
        let leg = leg();
        let scope = Scope {
            matrix: &leg,
            ..Scope::default()
        };
        evaluate_in(e, &scope).map(|v| v.to_expr_string())
    }

    #[test]
    fn operators_and_functions() {
        assert_eq!(
            ev("matrix.build == 'CMAKE' && 'CM' || 'AM'"),
            Ok("CM".into())
        );
        assert_eq!(
            ev("matrix.build == 'meson' && 'CM' || 'AM'"),
            Ok("AM".into())
        );
        // Short-circuit: the run-time operand is never read.
        assert_eq!(ev("matrix.flag && inputs.prefix || ''"), Ok("".into()));
        assert!(ev("matrix.os && inputs.prefix || ''").is_err());
        assert_eq!(
            ev("format('test ({0}, v{1})', matrix.os, matrix.n)"),
            Ok("test (Ubuntu, v2)".into())
        );
        assert_eq!(ev("format('{{literal}} {0}', 1)"), Ok("{literal} 1".into()));
        assert_eq!(ev("contains(matrix.list, 'B')"), Ok("true".into()));
        assert_eq!(
            ev("contains(matrix.os, 'untu') && 'x' || 'y'"),
            Ok("x".into())
        );
        assert_eq!(ev("startsWith(matrix.os, 'ub')"), Ok("true".into()));
        assert_eq!(ev("join(matrix.list, '+')"), Ok("a+b".into()));
        assert_eq!(ev("!matrix.flag"), Ok("true".into()));
        assert_eq!(ev("matrix.n > 1"), Ok("true".into()));
        assert_eq!(ev("matrix.list[1]"), Ok("b".into()));
        assert_eq!(ev("matrix['OS']"), Ok("Ubuntu".into()));
        assert_eq!(ev("matrix.missing"), Ok("".into()));
        assert_eq!(ev("(matrix.n == 2)"), Ok("true".into()));
        assert_eq!(ev("'it''s'"), Ok("it's".into()));
        assert_eq!(ev("fromJSON('[1,2]')[1]"), Ok("2".into()));
    }

    #[test]
    fn run_time_data_is_an_error() {
        for e in [
            "github.workflow",
            "inputs.name",
            "needs.a.outputs.b",
            "toJSON(matrix)",
            "matrix.",
            "'open",
            "1 +",
        ] {
            assert!(ev(e).is_err(), "{e}");
        }
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(ev(&deep).is_err());
    }
}
