//! Criterion benchmarks at Paris scale (100 sectors × 200 requests × 20
//! referents), plus a printed latency distribution of the incremental pick,
//! since the target there is a p99.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use passerelle_matching::{
    GeneratorParams, Loads, Weights, best_referent, generate, generate_population, match_batch,
    solve_instance,
};

const PARIS: GeneratorParams = GeneratorParams {
    sectors: 100,
    requests_per_sector: 200,
    referents_per_sector: 20,
    seed: 2024,
};

fn batch(c: &mut Criterion) {
    let instance = generate(&PARIS).expect("generate");
    c.bench_function("solve_instance/paris_100x200x20", |b| {
        b.iter(|| solve_instance(black_box(&instance)))
    });
    let population = generate_population(&PARIS).expect("generate");
    let loads = Loads::new();
    c.bench_function("match_batch/paris_100x200x20", |b| {
        b.iter(|| {
            match_batch(
                black_box(&population.requests),
                &population.referents,
                &loads,
                &Weights::default(),
            )
        })
    });
}

fn incremental(c: &mut Criterion) {
    let population = generate_population(&PARIS).expect("generate");
    // Half-way through a month: some referents already have families.
    let loads: Loads = population
        .referents
        .iter()
        .map(|r| (r.id, r.capacity_left / 2))
        .collect();
    let weights = Weights::default();
    let mut n = 0;
    c.bench_function("best_referent/paris_2000_referents", |b| {
        b.iter(|| {
            n = (n + 7919) % population.requests.len();
            best_referent(
                black_box(&population.requests[n]),
                &population.referents,
                &loads,
                &weights,
            )
        })
    });
}

/// Prints p50 / p99 / max of single calls, each timed on its own.
fn incremental_percentiles() {
    let population = generate_population(&PARIS).expect("generate");
    let loads: Loads = population
        .referents
        .iter()
        .map(|r| (r.id, r.capacity_left / 2))
        .collect();
    let weights = Weights::default();
    let mut samples: Vec<Duration> = Vec::with_capacity(20_000);
    for n in 0..20_000usize {
        let request = &population.requests[(n * 7919) % population.requests.len()];
        let start = Instant::now();
        black_box(best_referent(
            request,
            &population.referents,
            &loads,
            &weights,
        ));
        samples.push(start.elapsed());
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    eprintln!(
        "best_referent over {} referents, {} calls: p50 {:?}, p99 {:?}, p99.9 {:?}, max {:?}",
        population.referents.len(),
        samples.len(),
        at(0.5),
        at(0.99),
        at(0.999),
        samples[samples.len() - 1]
    );
}

criterion_group!(benches, batch, incremental);

fn main() {
    incremental_percentiles();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
