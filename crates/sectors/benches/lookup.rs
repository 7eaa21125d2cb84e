//! Lookup and build speed on the real Paris map, one thread.
//!
//! Run: `cargo bench -p passerelle-sectors --bench lookup`. Throughput lines
//! are in points per second (criterion's "elem/s").

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use geo::{BoundingRect, MultiPolygon};
use passerelle_sectors::{SectorIndex, parse_feature_collection};

/// BAN address 86 rue de la Roquette, inside sector PARIS-2024-022.
const INSIDE: (f64, f64) = (2.376293, 48.856095);
/// BAN address 37v boulevard de Belleville, in a street 11.4 m from its sector.
const STREET_GAP: (f64, f64) = (2.380362, 48.869077);
const BATCH: usize = 100_000;

fn paris_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/paris/secteurs-colleges-2024-2025.geojson");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the Paris sector map at {}: {e}",
            path.display()
        )
    })
}

/// SplitMix64: a fixed, dependency-free stream of uniform points.
fn random_points(bbox: geo::Rect<f64>, n: usize, mut seed: u64) -> Vec<(f64, f64)> {
    let mut next = move || {
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let lon = bbox.min().x + next() * bbox.width();
            let lat = bbox.min().y + next() * bbox.height();
            (lon, lat)
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let bytes = paris_bytes();
    let map = parse_feature_collection(&bytes, "uais").expect("the Paris map parses");
    let geometries: Vec<MultiPolygon<f64>> =
        map.sectors.iter().map(|s| s.geometry.clone()).collect();
    let bbox = MultiPolygon::new(geometries.iter().flat_map(|m| m.0.clone()).collect())
        .bounding_rect()
        .expect("non-empty map");
    let index = SectorIndex::new(geometries.clone());
    let points = random_points(bbox, BATCH, 42);

    let mut g = c.benchmark_group("paris_build");
    g.bench_function("parse_map", |b| {
        b.iter(|| parse_feature_collection(black_box(&bytes), "uais").unwrap())
    });
    g.bench_function("build_index", |b| {
        b.iter_batched(
            || geometries.clone(),
            SectorIndex::new,
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("paris_lookup");
    g.throughput(Throughput::Elements(1));
    g.bench_function("containing/inside", |b| {
        b.iter(|| index.containing(black_box(INSIDE.0), black_box(INSIDE.1), |_| true))
    });
    g.bench_function("containing/street_gap", |b| {
        b.iter(|| index.containing(black_box(STREET_GAP.0), black_box(STREET_GAP.1), |_| true))
    });
    g.bench_function("locate_100m/inside", |b| {
        b.iter(|| index.locate(black_box(INSIDE.0), black_box(INSIDE.1), 100.0, |_| true))
    });
    g.bench_function("locate_100m/street_gap", |b| {
        b.iter(|| {
            index.locate(
                black_box(STREET_GAP.0),
                black_box(STREET_GAP.1),
                100.0,
                |_| true,
            )
        })
    });

    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("containing/random_bbox", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|(lon, lat)| index.containing(*lon, *lat, |_| true).is_some())
                .count()
        })
    });
    g.bench_function("locate_100m/random_bbox", |b| {
        b.iter(|| {
            points
                .iter()
                .filter(|(lon, lat)| index.locate(*lon, *lat, 100.0, |_| true).is_some())
                .count()
        })
    });
    g.finish();
}

criterion_group!(lookup, benches);
criterion_main!(lookup);
