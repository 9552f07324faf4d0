//! Plain data read out of a YAML node (YAML 1.2 core schema), as workflow values.

use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// Type a plain scalar by the YAML 1.2 core schema (what go-yaml v3 and GitHub's parser
    /// agree on for the values that matter in workflows).
    pub fn from_plain(s: &str) -> Value {
        match s {
            "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
            "true" | "True" | "TRUE" => return Value::Bool(true),
            "false" | "False" | "FALSE" => return Value::Bool(false),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
                return Value::Float(f64::INFINITY);
            }
            "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
            _ => {}
        }
        let b = s.as_bytes();
        let digits =
            |x: &[u8], radix: u32| !x.is_empty() && x.iter().all(|c| (*c as char).is_digit(radix));
        if let Some(hex) = s.strip_prefix("0x") {
            if digits(hex.as_bytes(), 16)
                && let Ok(v) = i64::from_str_radix(hex, 16)
            {
                return Value::Int(v);
            }
            return Value::Str(s.to_owned());
        }
        if let Some(oct) = s.strip_prefix("0o") {
            if digits(oct.as_bytes(), 8)
                && let Ok(v) = i64::from_str_radix(oct, 8)
            {
                return Value::Int(v);
            }
            return Value::Str(s.to_owned());
        }
        let unsigned = match b.first() {
            Some(b'-' | b'+') => &b[1..],
            _ => b,
        };
        if digits(unsigned, 10) {
            return match s.parse::<i64>() {
                Ok(v) => Value::Int(v),
                Err(_) => s
                    .parse::<f64>()
                    .map_or_else(|_| Value::Str(s.to_owned()), Value::Float),
            };
        }
        if is_core_float(unsigned)
            && let Ok(v) = s.parse::<f64>()
        {
            return Value::Float(v);
        }
        Value::Str(s.to_owned())
    }

    /// The expression language's string coercion (GitHub Actions, and Gitea's newer
    /// naming): null → "", booleans and numbers as JavaScript prints them, arrays and objects
    /// as `Array` / `Object`.
    pub fn to_expr_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => js_number(*f),
            Value::Str(s) => s.clone(),
            Value::Seq(_) => "Array".to_owned(),
            Value::Map(_) => "Object".to_owned(),
        }
    }

    /// Go's `fmt.Sprint` of the value as go-yaml decodes it (Gitea 1.26-era naming): a list
    /// prints `[1 2]`, a map `map[a:1 b:2]` with sorted keys, null `<nil>`.
    pub fn to_go_string(&self) -> String {
        let mut out = String::new();
        go_fmt(self, &mut out, 0);
        out
    }

    pub fn is_null_or_empty(&self) -> bool {
        matches!(self, Value::Null) || matches!(self, Value::Str(s) if s.is_empty())
    }

    /// Deep equality as the matrix include/exclude rules use it.
    pub fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                (*a as f64) == *b
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.same(v2)))
            }
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            _ => self == other,
        }
    }

    /// True if any string inside holds a `${{ … }}` expression.
    pub fn has_expression(&self) -> bool {
        match self {
            Value::Str(s) => s.contains("${{"),
            Value::Seq(items) => items.iter().any(Value::has_expression),
            Value::Map(entries) => entries
                .iter()
                .any(|(k, v)| k.contains("${{") || v.has_expression()),
            _ => false,
        }
    }
}

fn is_core_float(b: &[u8]) -> bool {
    // [0-9]* ( . [0-9]* )? ( [eE] [-+]? [0-9]+ )?, with at least one digit before the exponent
    let mut i = 0;
    let mut mantissa_digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        mantissa_digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// A number as JavaScript's `String(n)` prints it (what the expression language uses).
fn js_number(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    let s = format!("{f}");
    if f.abs() >= 1e21 || (f != 0.0 && f.abs() < 1e-6) {
        let e = format!("{f:e}");
        return match e.split_once('e') {
            Some((m, x)) if x.starts_with('-') => format!("{m}e{x}"),
            Some((m, x)) => format!("{m}e+{x}"),
            None => e,
        };
    }
    s
}

/// Go's `%v` for a float64: `strconv.FormatFloat(f, 'g', -1, 64)`.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let e = format!("{f:e}");
    let Some((mantissa, exp)) = e.split_once('e') else {
        return e;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    // strconv's shortest 'g' switches to an exponent at -4 and at precision 6.
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

fn go_fmt(v: &Value, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&go_float(*f)),
        Value::Str(s) => out.push_str(s),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                go_fmt(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push_str("map[");
            for (i, (k, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                go_fmt(val, out, depth + 1);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_typing() {
        assert_eq!(Value::from_plain("1.17"), Value::Float(1.17));
        assert_eq!(Value::from_plain("3"), Value::Int(3));
        assert_eq!(Value::from_plain("on"), Value::Str("on".into()));
        assert_eq!(Value::from_plain("yes"), Value::Str("yes".into()));
        assert_eq!(Value::from_plain("~"), Value::Null);
        assert_eq!(Value::from_plain("True"), Value::Bool(true));
        assert_eq!(
            Value::from_plain("ubuntu-22.04"),
            Value::Str("ubuntu-22.04".into())
        );
        assert_eq!(Value::from_plain("1e3"), Value::Float(1000.0));
        assert_eq!(Value::from_plain("0x1F"), Value::Int(31));
        assert_eq!(Value::from_plain("."), Value::Str(".".into()));
    }

    #[test]
    fn string_coercions() {
        assert_eq!(Value::Float(1.17).to_expr_string(), "1.17");
        assert_eq!(Value::Float(3.10).to_expr_string(), "3.1");
        assert_eq!(Value::Float(3.0).to_expr_string(), "3");
        assert_eq!(Value::Null.to_expr_string(), "");
        assert_eq!(Value::Seq(vec![Value::Int(1)]).to_expr_string(), "Array");
        let list = Value::Seq(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(list.to_go_string(), "[1 2]");
        let map = Value::Map(vec![
            ("b".into(), Value::Int(2)),
            ("a".into(), Value::Bool(true)),
        ]);
        assert_eq!(map.to_go_string(), "map[a:true b:2]");
        assert_eq!(Value::Float(1.17).to_go_string(), "1.17");
        assert_eq!(Value::Float(3.0).to_go_string(), "3");
        assert_eq!(Value::Float(1e21).to_go_string(), "1e+21");
        assert_eq!(Value::Float(1e6).to_go_string(), "1e+06");
        assert_eq!(Value::Float(123456.5).to_go_string(), "123456.5");
    }
}
