//! Query latency and import time on the real Paris BAN, one thread.
//!
//! Run: `cargo bench -p passerelle-geocode --bench search`. The accuracy,
//! memory and 5-million-address figures come from the `accuracy` example
//! (`benches/geocode_accuracy.sh`).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use passerelle_geocode::{AddressIndex, AddressIndexBuilder, maybe_gunzip, read_ban};

fn paris_gz() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/ban/adresses-75.csv.gz");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read the Paris BAN at {}: {e}", path.display()))
}

fn import(gz: &[u8]) -> AddressIndex {
    let mut builder = AddressIndexBuilder::new();
    read_ban(maybe_gunzip(gz).expect("gzip"), |a| builder.push(a)).expect("valid BAN");
    builder.build()
}

fn bench(c: &mut Criterion) {
    let gz = paris_gz();
    let index = import(&gz);
    let mut group = c.benchmark_group("search");
    for (name, query) in [
        ("clean", "12 rue de la Roquette 75011 Paris"),
        ("noisy", "12 B, r. de la roquete PARIS 11e"),
        ("autocomplete", "12 rue de la roq"),
        ("street_only", "boulevard voltaire"),
        ("wrong_postcode", "10 rue de vaugirard 75015"),
        (
            "refused_garbage",
            "qwxzkvtplmhgfdsqwxzkvtplmhgfdsqwxzkvtplm",
        ),
    ] {
        group.bench_function(name, |b| b.iter(|| index.search(black_box(query), 5)));
    }
    group.finish();

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("paris_gz_read_and_index", |b| {
        b.iter(|| import(black_box(&gz)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
