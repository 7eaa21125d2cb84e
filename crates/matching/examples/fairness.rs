//! Prints how evenly families are spread over referents, with and without
//! the load term: Gini coefficient of load / capacity, share of idle
//! referents, and what the spreading costs in pair cost.
//!
//! `cargo run --release -p passerelle-matching --example fairness`

use passerelle_matching::{
    GeneratorParams, Loads, Weights, fairness, generate_population, match_batch,
};

fn main() {
    let scenarios = [
        ("Paris, demand 200 > capacity ~110 per sector", 200),
        ("Paris, demand 100 < capacity ~110 per sector", 100),
        ("Paris, demand 40 << capacity ~110 per sector", 40),
    ];
    println!(
        "| scenario | load weight | matched | Gini load/capacity | idle referents | mean pair cost |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, requests_per_sector) in scenarios {
        let population = generate_population(&GeneratorParams {
            sectors: 100,
            requests_per_sector,
            referents_per_sector: 20,
            seed: 2024,
        })
        .expect("valid parameters");
        for load in [Weights::default().load, 0] {
            let weights = Weights {
                load,
                ..Weights::default()
            };
            let batch = match_batch(
                &population.requests,
                &population.referents,
                &Loads::new(),
                &weights,
            );
            let f = fairness(&population.referents, &batch.proposals);
            let pair_cost: u64 = batch
                .proposals
                .iter()
                .map(|p| p.explanation.pair_cost())
                .sum();
            println!(
                "| {name} | {load} | {} / {} | {:.3} | {:.1} % | {:.1} |",
                batch.proposals.len(),
                population.requests.len(),
                f.gini,
                100.0 * f.idle_share,
                pair_cost as f64 / batch.proposals.len().max(1) as f64,
            );
        }
    }
}
