//! Accuracy, speed and memory of the address search on the real Paris BAN,
//! and at whole-France scale on a synthetic base made from it.
//!
//! ```text
//! cargo run --release -p passerelle-geocode --example accuracy -- \
//!     [--samples 2000] [--seed 42] [--synthetic 5000000] [--ban PATH]
//! ```
//!
//! Prints figures only: never an address.

mod noise;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use passerelle_geocode::{AddressIndex, AddressIndexBuilder, BanAddress, maybe_gunzip, read_ban};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Args {
    samples: usize,
    seed: u64,
    synthetic: usize,
    ban: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        samples: 2000,
        seed: 42,
        synthetic: 0,
        ban: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ban/adresses-75.csv.gz"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--samples" => a.samples = value.parse().expect("--samples N"),
            "--seed" => a.seed = value.parse().expect("--seed N"),
            "--synthetic" => a.synthetic = value.parse().expect("--synthetic N"),
            "--ban" => a.ban = value.into(),
            _ => panic!("unknown flag {flag}"),
        }
    }
    a
}

/// Resident and peak resident memory of this process, in MB (Linux).
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn latency_line(label: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    println!(
        "  {label:<28} n={:<6} median {:>7.1} µs   p90 {:>7.1} µs   p99 {:>7.1} µs   max {:>8.1} µs",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        percentile(&times, 0.9).as_secs_f64() * 1e6,
        percentile(&times, 0.99).as_secs_f64() * 1e6,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e6,
    );
}

struct Outcome {
    hits: usize,
    refused: usize,
    empty: usize,
    by_kind: BTreeMap<&'static str, (usize, usize)>,
    times: Vec<Duration>,
}

/// Searches each noisy query, checks the first result lies within 30 m.
fn evaluate(
    index: &AddressIndex,
    sample: &[BanAddress],
    postcodes: &[String],
    seed: u64,
) -> Outcome {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Outcome {
        hits: 0,
        refused: 0,
        empty: 0,
        by_kind: BTreeMap::new(),
        times: Vec::with_capacity(sample.len()),
    };
    for a in sample {
        let (query, kinds) = noise::noisy_query(a, postcodes, &mut rng);
        let t = Instant::now();
        let result = index.search(&query, 5);
        out.times.push(t.elapsed());
        let hit = match &result {
            Ok(r) if r.is_empty() => {
                out.empty += 1;
                false
            }
            Ok(r) => noise::metres(r[0].lat, r[0].lon, a.lat, a.lon) <= 30.0,
            Err(_) => {
                out.refused += 1;
                false
            }
        };
        out.hits += usize::from(hit);
        for k in kinds {
            let e = out.by_kind.entry(k).or_default();
            e.0 += usize::from(hit);
            e.1 += 1;
        }
    }
    out
}

fn report(title: &str, o: &Outcome, n: usize) {
    println!(
        "{title}: {} / {n} first results within 30 m = {:.2}%  (refused {}, no result {})",
        o.hits,
        100.0 * o.hits as f64 / n as f64,
        o.refused,
        o.empty
    );
    for (k, (hit, total)) in &o.by_kind {
        println!(
            "  {k:<16} {:>6.2}%  of {total}",
            100.0 * *hit as f64 / *total as f64
        );
    }
}

/// Autocomplete: the number and street cut after the first letters of
/// their last word ("12 rue de la roq"), with the address meant.
fn prefix_queries(sample: &[BanAddress]) -> Vec<(String, &BanAddress)> {
    sample
        .iter()
        .filter_map(|a| {
            let (head, last) = a.street.rsplit_once(' ')?;
            let cut: String = last.chars().take(3).collect();
            (last.chars().count() > 4).then(|| (format!("{} {head} {cut}", a.housenumber), a))
        })
        .collect()
}

fn sample_of(all: &[BanAddress], n: usize, seed: u64) -> Vec<BanAddress> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| all[rng.random_range(0..all.len())].clone())
        .collect()
}

const SYLLABLES: [&str; 16] = [
    "ba", "ker", "lo", "mi", "tan", "vel", "ros", "du", "pen", "gar", "ti", "sel", "mon", "fa",
    "ri", "cho",
];

fn pseudo_word(mut h: u64) -> String {
    let mut w = String::new();
    for _ in 0..3 + (h % 2) {
        w.push_str(SYLLABLES[(h % 16) as usize]);
        h /= 16;
    }
    w[..1].to_uppercase() + &w[1..]
}

/// Copy `k` of a Paris address, in another commune: even copies keep the
/// street names (homonyms across France), odd ones rename the last word.
fn synthetic(a: &BanAddress, k: usize) -> BanAddress {
    let dep = 1 + k % 95;
    let arr = &a.citycode[a.citycode.len() - 3..];
    let mut street = a.street.clone();
    if k % 2 == 1 {
        let h = a
            .street
            .bytes()
            .fold(k as u64 * 0x9E37_79B9_7F4A_7C15, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
            });
        if let Some((head, _)) = street.rsplit_once(' ') {
            street = format!("{head} {}", pseudo_word(h));
        }
    }
    BanAddress {
        id: format!("{k}_{}", a.id),
        street,
        postcode: format!("{dep:02}{}", &a.postcode[2..]),
        citycode: format!("{dep:02}{arr}"),
        city: a
            .city
            .replacen("Paris", &pseudo_word(k as u64 * 7919 + 13), 1),
        ..a.clone()
    }
}

fn main() {
    let args = args();
    println!(
        "passerelle-geocode accuracy/speed/memory; {} cores; load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (rss0, _) = memory_mb();

    // 1. Paris import: gunzip + CSV + index, the way the service does it.
    let t = Instant::now();
    let file = File::open(&args.ban)
        .unwrap_or_else(|e| panic!("cannot open the BAN file {}: {e}", args.ban.display()));
    let mut builder = AddressIndexBuilder::new();
    let mut rows = Vec::new();
    let reader = maybe_gunzip(BufReader::with_capacity(1 << 20, file)).expect("readable BAN file");
    let ban = read_ban(reader, |a| {
        rows.push(a.clone());
        builder.push(a);
    })
    .expect("valid BAN file");
    let read_time = t.elapsed();
    let index = builder.build();
    let import_time = t.elapsed();
    let (rss, peak) = memory_mb();
    println!(
        "Paris import: {} addresses, {} streets, départements {:?}",
        index.len(),
        index.street_count(),
        ban.departements
    );
    println!(
        "  read+gunzip+parse {:.2} s, index {:.2} s, whole import {:.2} s (target < 3 s)",
        read_time.as_secs_f64(),
        (import_time - read_time).as_secs_f64(),
        import_time.as_secs_f64()
    );
    println!(
        "  index heap {:.1} MB ({:.1} bytes/address, {:.0} MB per million addresses)",
        index.heap_bytes() as f64 / 1e6,
        index.heap_bytes() as f64 / index.len() as f64,
        index.heap_bytes() as f64 / index.len() as f64
    );
    println!(
        "  process RSS {rss:.0} MB, peak {peak:.0} MB (start {rss0:.0} MB; also holds the {} sample rows; target < 200 MB)",
        rows.len()
    );

    // 2. Accuracy on noisy spellings.
    let mut postcodes: Vec<String> = rows.iter().map(|a| a.postcode.clone()).collect();
    postcodes.sort();
    postcodes.dedup();
    let sample = sample_of(&rows, args.samples, args.seed);
    let outcome = evaluate(&index, &sample, &postcodes, args.seed + 1);
    report(
        &format!("Accuracy (seed {}, target >= 98%)", args.seed),
        &outcome,
        sample.len(),
    );

    // 3. Latency.
    println!("Latency, one thread, limit 5:");
    latency_line("noisy queries (above)", outcome.times);
    let clean: Vec<String> = sample
        .iter()
        .map(|a| format!("{} {} {} {}", a.housenumber, a.street, a.postcode, a.city))
        .collect();
    let prefixes = prefix_queries(&sample);
    let prefix_texts: Vec<String> = prefixes.iter().map(|(q, _)| q.clone()).collect();
    for (label, queries) in [
        ("clean full addresses", &clean),
        ("autocomplete prefixes", &prefix_texts),
    ] {
        let mut times = Vec::with_capacity(queries.len() * 3);
        for _ in 0..3 {
            for q in queries {
                let t = Instant::now();
                let r = index.search(q, 5);
                times.push(t.elapsed());
                std::hint::black_box(r.ok());
            }
        }
        latency_line(label, times);
    }
    let prefix_hits = prefixes
        .iter()
        .filter(|(q, a)| {
            index.search(q, 5).is_ok_and(|r| {
                r.first()
                    .is_some_and(|r| noise::metres(r.lat, r.lon, a.lat, a.lon) <= 30.0)
            })
        })
        .count();
    println!(
        "Autocomplete (\"12 rue de la roq\"): first result within 30 m for {:.1}% of {}",
        100.0 * prefix_hits as f64 / prefixes.len() as f64,
        prefixes.len()
    );
    drop(index);

    // 4. Whole-France capacity: Paris copied into other communes.
    if args.synthetic > 0 {
        let (before, _) = memory_mb();
        let t = Instant::now();
        let mut builder = AddressIndexBuilder::new();
        let copies = args.synthetic.div_ceil(rows.len());
        let mut n = 0;
        'outer: for k in 0..copies {
            for a in &rows {
                if n == args.synthetic {
                    break 'outer;
                }
                builder.push(synthetic(a, k));
                n += 1;
            }
        }
        let pushed = t.elapsed();
        let index = builder.build();
        let built = t.elapsed();
        let (after, peak) = memory_mb();
        println!(
            "Synthetic France: {} addresses ({} copies of Paris), {} streets",
            index.len(),
            copies,
            index.street_count()
        );
        println!(
            "  push {:.1} s + index {:.1} s = {:.1} s (from rows in memory, no CSV)",
            pushed.as_secs_f64(),
            (built - pushed).as_secs_f64(),
            built.as_secs_f64()
        );
        println!(
            "  index heap {:.0} MB = {:.0} MB per million addresses; RSS {:.0} MB (+{:.0} MB), peak {:.0} MB",
            index.heap_bytes() as f64 / 1e6,
            index.heap_bytes() as f64 / index.len() as f64,
            after,
            after - before,
            peak
        );
        let mut rng = StdRng::seed_from_u64(args.seed + 3);
        let sample: Vec<BanAddress> = (0..args.samples.min(1000))
            .map(|_| {
                let j = rng.random_range(0..n);
                synthetic(&rows[j % rows.len()], j / rows.len())
            })
            .collect();
        let mut postcodes: Vec<String> = sample.iter().map(|a| a.postcode.clone()).collect();
        postcodes.sort();
        postcodes.dedup();
        let outcome = evaluate(&index, &sample, &postcodes, args.seed + 4);
        report(
            "  accuracy at that scale (same noise; without a location homonyms are a coin toss)",
            &outcome,
            sample.len(),
        );
        latency_line("noisy queries, 5M", outcome.times);
        let prefixes = prefix_queries(&sample);
        let mut times = Vec::new();
        for (q, _) in &prefixes {
            let t = Instant::now();
            let r = index.search(q, 5);
            times.push(t.elapsed());
            std::hint::black_box(r.ok());
        }
        latency_line("autocomplete prefixes, 5M", times);
    }
}
