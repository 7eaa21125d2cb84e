//! Writes a generated instance to stdout.
//!
//! `cargo run --release -p passerelle-matching-instances --example generate -- S R K SEED > file.txt`

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use passerelle_matching::{GeneratorParams, generate};
use passerelle_matching_instances::Text;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Option<Vec<u64>> = args.iter().map(|a| a.parse().ok()).collect();
    let (sectors, requests, referents, seed) = match numbers.as_deref() {
        Some(&[s, r, k, seed]) => (s, r, k, seed),
        _ => {
            eprintln!("usage: generate S R K SEED  (sectors, requests and referents per sector)");
            return ExitCode::from(2);
        }
    };
    let (Ok(sectors), Ok(requests_per_sector), Ok(referents_per_sector)) = (
        u32::try_from(sectors),
        u32::try_from(requests),
        u32::try_from(referents),
    ) else {
        eprintln!("S, R and K must fit in 32 bits");
        return ExitCode::from(2);
    };
    let params = GeneratorParams {
        sectors,
        requests_per_sector,
        referents_per_sector,
        seed,
    };
    let instance = match generate(&params) {
        Ok(instance) => instance,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    if let Err(e) = write!(out, "{}", Text(&instance)).and_then(|()| out.flush()) {
        eprintln!("write failed: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
