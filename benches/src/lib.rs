//! Shared harness for the head-to-head benchmarks: Zokio, Tokio and smol on
//! identical workloads, in one process.
//!
//! Each workload is a set of [`Contender`]s, one per runtime. [`compare`]
//! runs them interleaved, round after round (`A B C`, then `B C A`, then
//! `C A B`, ...), so machine noise (other builds on a shared box, frequency
//! changes) hits every runtime alike and no runtime always runs right after
//! the same peer. Each run is one sample; [`Comparison`] keeps them all and
//! reports medians and ratios to a baseline (Tokio).
//!
//! The bench binaries (`benches/rt_*.rs`, `harness = false`) read their
//! settings with [`Config::from_env_and_args`]:
//!
//! - `ZOKIO_BENCH_ROUNDS` (default 15): samples per runtime and workload;
//! - `ZOKIO_BENCH_RUNTIMES` (default: all): a comma-separated list of the
//!   contenders to run, e.g. `zokio` alone under a profiler;
//! - `ZOKIO_BENCH_TRACE` (set to anything): print every sample to stderr as
//!   it is taken, in order, to see drift and outliers behind a median;
//! - positional command-line arguments filter workloads by substring, e.g.
//!   `cargo bench -p zokio-benches --bench rt_multi_threaded -- ping_pong`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

pub mod alloc;
pub mod oneshot;
pub mod rt;

/// Rounds used when `ZOKIO_BENCH_ROUNDS` is not set.
pub const DEFAULT_ROUNDS: usize = 15;

/// Settings of one bench binary run: how many rounds, which workloads.
#[derive(Debug, Clone)]
pub struct Config {
    /// Samples per runtime and workload.
    pub rounds: usize,
    /// Substrings from the command line; a workload runs if its name holds
    /// any of them (or if there are none).
    pub filters: Vec<String>,
    /// Contenders to run, from `ZOKIO_BENCH_RUNTIMES`; `None` means all.
    pub runtimes: Option<Vec<String>>,
}

impl Config {
    /// Reads `ZOKIO_BENCH_ROUNDS` and the positional command-line arguments.
    ///
    /// Arguments starting with `-` are skipped: `cargo bench` passes
    /// `--bench` to every `harness = false` binary.
    ///
    /// # Panics
    ///
    /// If `ZOKIO_BENCH_ROUNDS` is set but is not a positive integer.
    pub fn from_env_and_args() -> Config {
        let rounds = match std::env::var("ZOKIO_BENCH_ROUNDS") {
            Ok(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => panic!("ZOKIO_BENCH_ROUNDS must be a positive integer, got {v:?}"),
            },
            Err(_) => DEFAULT_ROUNDS,
        };
        let filters = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        let runtimes = std::env::var("ZOKIO_BENCH_RUNTIMES").ok().map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        });
        Config {
            rounds,
            filters,
            runtimes,
        }
    }

    /// Whether the contender `name` was selected by `ZOKIO_BENCH_RUNTIMES`.
    pub fn runs(&self, name: &str) -> bool {
        match &self.runtimes {
            Some(r) => r.iter().any(|x| x == name),
            None => true,
        }
    }

    /// Whether the workload `name` was selected on the command line.
    pub fn selected(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }
}

/// One runtime's side of a workload: a name and a closure that runs the
/// workload `iters` times per sample.
pub struct Contender<'a> {
    name: &'static str,
    run: Box<dyn FnMut() + 'a>,
}

impl<'a> Contender<'a> {
    /// A contender called `name` whose single workload iteration is `run`.
    pub fn new(name: &'static str, run: impl FnMut() + 'a) -> Contender<'a> {
        Contender {
            name,
            run: Box::new(run),
        }
    }

    /// The contender's name, as printed in the tables.
    pub fn name(&self) -> &'static str {
        self.name
    }

    fn sample(&mut self, iters: u32) -> Duration {
        let start = Instant::now();
        for _ in 0..iters {
            (self.run)();
        }
        start.elapsed() / iters
    }
}

impl std::fmt::Debug for Contender<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contender")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The samples of every contender of one workload.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The workload's name.
    pub workload: String,
    /// Workload iterations per sample; a sample is their mean.
    pub iters: u32,
    /// Per contender, in the order given: its name and its per-iteration
    /// time in each round.
    pub samples: Vec<(&'static str, Vec<Duration>)>,
}

impl Comparison {
    /// The median per-iteration time of `name`, if it took part.
    pub fn median(&self, name: &str) -> Option<Duration> {
        self.samples_of(name).map(|s| percentile(s, 50))
    }

    /// `median(name) / median(baseline)`: below 1.0 means faster than the
    /// baseline.
    pub fn ratio(&self, name: &str, baseline: &str) -> Option<f64> {
        let a = self.median(name)?.as_secs_f64();
        let b = self.median(baseline)?.as_secs_f64();
        (b > 0.0).then(|| a / b)
    }

    /// The name of the contender with the smallest median.
    pub fn fastest(&self) -> Option<&'static str> {
        self.samples
            .iter()
            .min_by_key(|(_, s)| percentile(s, 50))
            .map(|(n, _)| *n)
    }

    fn samples_of(&self, name: &str) -> Option<&[Duration]> {
        self.samples
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.as_slice())
    }

    /// One line per contender: median, quartiles, min and max, ratio to
    /// `baseline`.
    pub fn summary(&self, baseline: &str) -> String {
        let mut out = format!(
            "{} ({} rounds, {} iter/sample)\n",
            self.workload,
            self.samples.first().map_or(0, |(_, s)| s.len()),
            self.iters
        );
        for (name, s) in &self.samples {
            let ratio = self
                .ratio(name, baseline)
                .map_or_else(|| "-".to_string(), |r| format!("{r:.2}x"));
            let _ = writeln!(
                out,
                "  {name:<11} median {:>10}  p25 {:>10}  p75 {:>10}  min {:>10}  max {:>10}  vs {baseline}: {ratio}",
                fmt_duration(percentile(s, 50)),
                fmt_duration(percentile(s, 25)),
                fmt_duration(percentile(s, 75)),
                fmt_duration(percentile(s, 0)),
                fmt_duration(percentile(s, 100)),
            );
        }
        out
    }
}

/// Runs every contender that `cfg` selects once as a warm-up (not
/// recorded), then `cfg.rounds` rounds in which each takes one sample of
/// `iters` iterations, the starting contender rotating from round to round.
///
/// Prints the [`Comparison::summary`] against `baseline` when done.
pub fn compare(
    cfg: &Config,
    workload: &str,
    iters: u32,
    baseline: &str,
    contenders: Vec<Contender<'_>>,
) -> Comparison {
    assert!(iters > 0, "a sample needs at least one iteration");
    let rounds = cfg.rounds;
    let mut contenders: Vec<Contender<'_>> = contenders
        .into_iter()
        .filter(|c| cfg.runs(c.name))
        .collect();
    for c in contenders.iter_mut() {
        c.sample(1);
    }
    let n = contenders.len();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); n];
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let d = contenders[i].sample(iters);
            if std::env::var_os("ZOKIO_BENCH_TRACE").is_some() {
                eprintln!("round {round} {} {:?}", contenders[i].name, d);
            }
            samples[i].push(d);
        }
    }
    let cmp = Comparison {
        workload: workload.to_string(),
        iters,
        samples: contenders.iter().map(|c| c.name).zip(samples).collect(),
    };
    print!("{}", cmp.summary(baseline));
    cmp
}

/// A markdown table, one row per workload: each contender's median (in the
/// order of the first comparison), each one's ratio to `baseline`, the
/// first contender's ratio to the best of the others, and the fastest.
pub fn markdown_table(comparisons: &[Comparison], baseline: &str) -> String {
    let Some(first) = comparisons.first() else {
        return String::new();
    };
    let names: Vec<&str> = first.samples.iter().map(|(n, _)| *n).collect();
    let others: Vec<&str> = names.iter().copied().filter(|n| *n != baseline).collect();
    let lead = names[0];
    let mut out = String::from("| workload |");
    for n in &names {
        let _ = write!(out, " {n} |");
    }
    for n in &others {
        let _ = write!(out, " {n} / {baseline} |");
    }
    let _ = write!(out, " {lead} / best other | fastest |\n|---|");
    for _ in 0..names.len() + others.len() + 2 {
        out.push_str("---:|");
    }
    out.push('\n');
    for c in comparisons {
        let _ = write!(out, "| {} |", c.workload);
        for n in &names {
            let m = c.median(n).map_or_else(|| "-".to_string(), fmt_duration);
            let _ = write!(out, " {m} |");
        }
        for n in &others {
            let _ = write!(out, " {} |", fmt_ratio(c.ratio(n, baseline)));
        }
        let best_other = names[1..]
            .iter()
            .filter_map(|n| c.median(n).map(|m| (m, *n)))
            .min()
            .map(|(_, n)| n);
        let vs_best = best_other.and_then(|b| c.ratio(lead, b));
        let _ = writeln!(
            out,
            " {} | {} |",
            fmt_ratio(vs_best),
            c.fastest().unwrap_or("-")
        );
    }
    out
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| format!("{r:.2}x"))
}

/// The `p`-th percentile (0..=100, nearest rank) of `samples`.
///
/// # Panics
///
/// If `samples` is empty.
pub fn percentile(samples: &[Duration], p: usize) -> Duration {
    assert!(!samples.is_empty(), "percentile of no samples");
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = (p.min(100) * (sorted.len() - 1) + 50) / 100;
    sorted[rank]
}

/// A duration in the unit that keeps 3-4 significant digits.
pub fn fmt_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{ns} ns")
    } else if ns < 10_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{:.2} ms", ns as f64 / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_of_odd_and_even_counts() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&x| Duration::from_millis(x))
                .collect::<Vec<_>>()
        };
        assert_eq!(percentile(&ms(&[3, 1, 2]), 50), Duration::from_millis(2));
        assert_eq!(percentile(&ms(&[4, 1, 3, 2]), 0), Duration::from_millis(1));
        assert_eq!(
            percentile(&ms(&[4, 1, 3, 2]), 100),
            Duration::from_millis(4)
        );
    }

    #[test]
    fn compare_interleaves_and_rotates() {
        let order = std::cell::RefCell::new(Vec::new());
        let cs = vec![
            Contender::new("a", || order.borrow_mut().push('a')),
            Contender::new("b", || order.borrow_mut().push('b')),
        ];
        let cfg = Config {
            rounds: 3,
            filters: Vec::new(),
            runtimes: None,
        };
        let cmp = compare(&cfg, "t", 1, "a", cs);
        // Warm-up a b, then rounds a b | b a | a b.
        assert_eq!(order.into_inner(), ['a', 'b', 'a', 'b', 'b', 'a', 'a', 'b']);
        assert_eq!(cmp.samples[0].1.len(), 3);
        assert!(markdown_table(&[cmp], "a").contains("| t |"));
    }
}
