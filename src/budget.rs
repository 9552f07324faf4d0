//! A budget on what naming one workflow file may produce: matrix legs, evaluated expressions,
//! job names and their suffixes. A hostile file can multiply a few bytes into gigabytes
//! (nested `format()` calls, large matrix values times legs, aliases of large scalars); every
//! place that builds such values charges its size here, and evaluation fails with a message
//! that names the limit once the budget is spent.
//!
//! The budget is per thread and per file: [`run`] sets it around the naming of one workflow,
//! which runs on one thread. Outside [`run`] nothing is counted.

use std::cell::Cell;

use crate::yaml::Value;

/// What naming the jobs of one workflow file may produce, in bytes.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

thread_local! {
    static LEFT: Cell<Option<u64>> = const { Cell::new(None) };
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// The message of an evaluation stopped by the budget.
pub fn exceeded() -> String {
    format!(
        "naming this workflow's jobs would produce more than {} MiB of names and contexts \
         (long names times many jobs or matrix legs, reusable workflows called many times, \
         nested `format()`, aliases): stopped at gatelint's limit",
        MAX_BYTES / (1024 * 1024)
    )
}

/// Run `f` with a budget of `bytes`; also says whether the budget was spent.
pub fn run<T>(bytes: u64, f: impl FnOnce() -> T) -> (T, bool) {
    let outer = LEFT.with(|l| l.replace(Some(bytes)));
    let outer_spent = SPENT.with(|s| s.replace(false));
    let out = f();
    let spent = SPENT.with(|s| s.replace(outer_spent));
    LEFT.with(|l| l.set(outer));
    (out, spent)
}

/// Charge `n` bytes; an error once the budget is spent (and from then on).
pub fn charge(n: usize) -> Result<(), String> {
    LEFT.with(|l| match l.get() {
        Some(left) if (n as u64) < left => {
            l.set(Some(left - n as u64));
            Ok(())
        }
        None => Ok(()),
        Some(left) => match left.checked_sub(n as u64) {
            Some(rest) if !SPENT.with(Cell::get) => {
                l.set(Some(rest));
                Ok(())
            }
            _ => {
                SPENT.with(|s| s.set(true));
                l.set(Some(0));
                Err(exceeded())
            }
        },
    })
}

/// Whether the budget of the current [`run`] is spent.
pub fn spent() -> bool {
    SPENT.with(Cell::get)
}

/// What one value node costs in memory beyond its strings.
const NODE: usize = std::mem::size_of::<Value>();
/// What a string costs beyond its bytes: the allocator's header and rounding.
const HEAP: usize = 16;
/// What a mapping key costs beyond its bytes.
const KEY: usize = std::mem::size_of::<String>() + HEAP;

/// The bytes a value holds in memory (strings, keys, nodes), without recursion.
pub fn size(v: &Value) -> usize {
    match v {
        Value::Str(s) => return NODE + HEAP + s.len(),
        Value::Seq(_) | Value::Map(_) => {}
        _ => return NODE,
    }
    let mut total = 0usize;
    let mut pending = vec![v];
    while let Some(v) = pending.pop() {
        total = total.saturating_add(NODE);
        match v {
            Value::Str(s) => total = total.saturating_add(HEAP + s.len()),
            Value::Seq(items) => pending.extend(items.iter()),
            Value::Map(entries) => {
                for (k, x) in entries {
                    total = total.saturating_add(KEY + k.len());
                    pending.push(x);
                }
            }
            _ => {}
        }
    }
    total
}

/// What a matrix entry or input (`key: value`) costs.
pub fn entry_size(key: &str, v: &Value) -> usize {
    KEY + key.len() + size(v)
}

/// Charge the size of `v`.
pub fn charge_value(v: &Value) -> Result<(), String> {
    charge(size(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_only_inside_run_and_stays_spent() {
        assert!(charge(usize::MAX).is_ok());
        let ((), spent) = run(10, || {
            assert!(charge(6).is_ok());
            assert!(charge(6).is_err());
            assert!(charge(0).is_err());
        });
        assert!(spent);
        let ((), spent) = run(10, || assert!(charge(10).is_ok()));
        assert!(!spent);
        assert!(charge(usize::MAX).is_ok());
    }
}
