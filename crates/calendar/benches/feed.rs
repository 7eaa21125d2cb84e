//! A sector feed of 10,000 meetings must render in under 20 ms.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use passerelle_calendar::publish_feed;

mod common;

fn feed(c: &mut Criterion) {
    let events = common::sector_feed(10_000);
    let bytes = publish_feed("Secteur 11e", TimeDelta::hours(6), &events)
        .unwrap()
        .len();
    let mut group = c.benchmark_group("publish_feed");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("10k_meetings", |b| {
        b.iter(|| {
            publish_feed(
                black_box("Secteur 11e"),
                TimeDelta::hours(6),
                black_box(&events),
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, feed);
criterion_main!(benches);
