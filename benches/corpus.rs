//! Discovery + parse + naming over `../shared/corpus/real/` (58 repositories, 1,573 files).
//!
//! `cargo bench --bench corpus` (release build). Prints the median and the fastest of the
//! runs for: the YAML event parse alone (one core), the whole pipeline on one core, and the
//! whole pipeline on every core as `gatelint report` runs it. Set `GATELINT_BENCH_RUNS` to
//! change the number of runs (default 20).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gatelint::analyze::{Options, analyze_roots, read_text};

fn repos(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

fn measure(name: &str, runs: usize, mut f: impl FnMut() -> usize) {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut units = 0;
    for _ in 0..runs {
        let start = Instant::now();
        units = f();
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{name:<34} median {:>8.2} ms   min {:>8.2} ms   ({units} items, {runs} runs)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3
    );
}

fn main() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if !corpus.is_dir() {
        println!("SKIPPED: {} is absent", corpus.display());
        return;
    }
    let runs: usize = std::env::var("GATELINT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .max(1);
    let roots = repos(&corpus);
    let mut files = Vec::new();
    yaml_files(&corpus, &mut files);
    let texts: Vec<String> = files.iter().filter_map(|f| read_text(f).ok()).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "corpus: {} repositories, {} files, {:.1} MB",
        roots.len(),
        texts.len(),
        bytes as f64 / 1e6
    );

    measure("yaml::load (1 core, in memory)", runs, || {
        texts
            .iter()
            .filter(|t| gatelint::yaml::load(t).is_ok())
            .count()
    });
    let one_core = rayon::ThreadPoolBuilder::new().num_threads(1).build();
    let options = Options::default();
    if let Ok(pool) = one_core {
        measure("report pipeline (1 core)", runs, || {
            pool.install(|| count_gates(&roots, &options))
        });
    }
    measure(
        &format!("report pipeline ({} cores)", rayon::current_num_threads()),
        runs,
        || count_gates(&roots, &options),
    );
}

fn count_gates(roots: &[String], options: &Options) -> usize {
    analyze_roots(roots, options)
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.gates.len())
        .sum()
}
