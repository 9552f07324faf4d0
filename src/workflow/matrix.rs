//! Expanding `strategy.matrix` into its combinations ("legs"), with `include` and `exclude`
//! applied the way GitHub documents it and act/Gitea/Forgejo implement it.

use super::MatrixSpec;
use super::expr;
use crate::yaml::Value;

/// GitHub runs at most 256 jobs per matrix; a larger matrix is an error there.
pub const MAX_LEGS: usize = 256;

/// One combination: keys in the combination's own order (vectors as written, then keys that
/// `include` added).
pub type Leg = Vec<(String, Value)>;

/// Expand a matrix. `Ok(vec![])` never happens for a matrix that runs: an empty result is
/// reported as an error. Err: why it cannot be expanded statically.
pub fn expand(spec: &MatrixSpec) -> Result<Vec<Leg>, String> {
    let value = match spec {
        MatrixSpec::Static(v) => v.clone(),
        MatrixSpec::Expression(text) => match expr::literal_from_json(text) {
            Some(v @ Value::Map(_)) => v,
            Some(_) => return Err("the matrix expression does not give a mapping".to_owned()),
            None => {
                return Err(format!(
                    "the matrix comes from `{}`, known only at run time",
                    text.trim()
                ));
            }
        },
    };
    let Value::Map(entries) = value else {
        return Err("the matrix is not a mapping".to_owned());
    };
    let mut vectors: Vec<(String, Vec<Value>)> = Vec::new();
    let mut include: Vec<Vec<(String, Value)>> = Vec::new();
    let mut exclude: Vec<Vec<(String, Value)>> = Vec::new();
    for (key, v) in entries {
        match key.as_str() {
            "include" | "exclude" => {
                let list = match v {
                    Value::Seq(items) => items,
                    Value::Map(_) => vec![v],
                    Value::Null => Vec::new(),
                    Value::Str(s) if s.contains("${{") => {
                        return Err(format!(
                            "matrix `{key}` comes from `{s}`, known only at run time"
                        ));
                    }
                    _ => return Err(format!("matrix `{key}` is not a list of mappings")),
                };
                let mut maps = Vec::with_capacity(list.len());
                for item in list {
                    match item {
                        Value::Map(m) => maps.push(m),
                        Value::Str(s) if s.contains("${{") => {
                            return Err(format!(
                                "a matrix `{key}` entry comes from `{s}`, known only at run time"
                            ));
                        }
                        _ => return Err(format!("a matrix `{key}` entry is not a mapping")),
                    }
                }
                if key == "include" {
                    include = maps;
                } else {
                    exclude = maps;
                }
            }
            _ => match v {
                Value::Seq(items) => vectors.push((key, items)),
                Value::Str(s) if s.contains("${{") => {
                    return Err(format!(
                        "matrix vector `{key}` comes from `{s}`, known only at run time"
                    ));
                }
                _ => return Err(format!("matrix vector `{key}` is not a list")),
            },
        }
    }
    if let Some((key, _)) = vectors.iter().find(|(_, items)| items.is_empty()) {
        return Err(format!("matrix vector `{key}` is empty"));
    }
    let total = vectors
        .iter()
        .try_fold(1usize, |acc, (_, items)| acc.checked_mul(items.len()))
        .filter(|n| *n <= MAX_LEGS * 16)
        .ok_or_else(|| format!("the matrix has more than {MAX_LEGS} combinations"))?;
    // Cartesian product, first vector varying slowest (as written).
    let mut legs: Vec<Leg> = if vectors.is_empty() {
        Vec::new()
    } else {
        let mut legs = Vec::with_capacity(total);
        for n in 0..total {
            let mut leg = Vec::with_capacity(vectors.len());
            let mut rem = n;
            let mut stride = total;
            for (key, items) in &vectors {
                stride /= items.len();
                let v = &items[rem / stride];
                crate::budget::charge(crate::budget::entry_size(key, v))?;
                leg.push((key.clone(), v.clone()));
                rem %= stride;
            }
            legs.push(leg);
        }
        legs
    };
    legs.retain(|leg| {
        !exclude.iter().any(|ex| {
            ex.iter()
                .all(|(k, v)| lookup(leg, k).is_some_and(|x| partial_match(v, x)))
        })
    });
    let original_keys: Vec<String> = vectors.iter().map(|(k, _)| k.clone()).collect();
    let mut extra: Vec<Leg> = Vec::new();
    for inc in include {
        let mut matched = false;
        for leg in legs.iter_mut() {
            let fits = inc.iter().all(|(k, v)| {
                !original_keys.contains(k) || lookup(leg, k).is_some_and(|x| x.same(v))
            });
            if fits {
                matched = true;
                for (k, v) in &inc {
                    crate::budget::charge(crate::budget::entry_size(k, v))?;
                    match leg.iter_mut().find(|(lk, _)| lk == k) {
                        Some(slot) => slot.1 = v.clone(),
                        None => leg.push((k.clone(), v.clone())),
                    }
                }
            }
        }
        if !matched {
            extra.push(inc);
        }
    }
    legs.extend(extra);
    if legs.len() > MAX_LEGS {
        return Err(format!(
            "the matrix has {} combinations, more than the {MAX_LEGS} a forge runs",
            legs.len()
        ));
    }
    Ok(legs)
}

fn lookup<'a>(leg: &'a Leg, key: &str) -> Option<&'a Value> {
    leg.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// `exclude` matches objects partially: every key it gives must match.
fn partial_match(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::Map(p), Value::Map(v)) => p.iter().all(|(k, pv)| {
            v.iter()
                .find(|(vk, _)| vk == k)
                .is_some_and(|(_, vv)| partial_match(pv, vv))
        }),
        _ => pattern.same(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }
    fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }
    fn seq(items: Vec<Value>) -> Value {
        Value::Seq(items)
    }
    fn show(legs: &[Leg]) -> Vec<String> {
        legs.iter()
            .map(|l| {
                l.iter()
                    .map(|(k, v)| format!("{k}={}", v.to_expr_string()))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    #[test]
    fn product_in_written_order() {
        let m = map(vec![
            ("os", seq(vec![s("a"), s("b")])),
            ("v", seq(vec![Value::Int(1), Value::Int(2)])),
        ]);
        let legs = expand(&MatrixSpec::Static(m)).unwrap_or_default();
        assert_eq!(
            show(&legs),
            ["os=a,v=1", "os=a,v=2", "os=b,v=1", "os=b,v=2"]
        );
    }

    #[test]
    fn include_and_exclude_as_github_documents() {
        // docs.github.com "Expanding or adding matrix configurations" example.
        let m = map(vec![
            ("fruit", seq(vec![s("apple"), s("pear")])),
            ("animal", seq(vec![s("cat"), s("dog")])),
            (
                "include",
                seq(vec![
                    map(vec![("color", s("green"))]),
                    map(vec![("color", s("pink")), ("animal", s("cat"))]),
                    map(vec![("fruit", s("apple")), ("shape", s("circle"))]),
                    map(vec![("fruit", s("banana"))]),
                    map(vec![("fruit", s("banana")), ("animal", s("cat"))]),
                ]),
            ),
            (
                "exclude",
                seq(vec![map(vec![("fruit", s("pear")), ("animal", s("dog"))])]),
            ),
        ]);
        let legs = expand(&MatrixSpec::Static(m)).unwrap_or_default();
        assert_eq!(
            show(&legs),
            [
                "fruit=apple,animal=cat,color=pink,shape=circle",
                "fruit=apple,animal=dog,color=green,shape=circle",
                "fruit=pear,animal=cat,color=pink",
                "fruit=banana",
                "fruit=banana,animal=cat",
            ]
        );
    }

    #[test]
    fn include_only() {
        let m = map(vec![(
            "include",
            seq(vec![map(vec![("os", s("x"))]), map(vec![("os", s("y"))])]),
        )]);
        assert_eq!(
            show(&expand(&MatrixSpec::Static(m)).unwrap_or_default()),
            ["os=x", "os=y"]
        );
    }

    #[test]
    fn unresolvable() {
        let m = map(vec![("os", s("${{ fromJSON(needs.a.outputs.os) }}"))]);
        assert!(expand(&MatrixSpec::Static(m)).is_err());
        assert!(
            expand(&MatrixSpec::Expression(
                "${{ fromJSON(needs.a.outputs.m) }}".into()
            ))
            .is_err()
        );
        let empty = map(vec![("os", seq(vec![]))]);
        assert!(expand(&MatrixSpec::Static(empty)).is_err());
    }
}
