//! A sector feed of 10,000 meetings must render in under 20 ms; one
//! invitation is what every registration writes.

use std::hint::black_box;

use chrono::TimeDelta;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use passerelle_calendar::{Attendee, invite, publish_feed};

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

fn one_invite(c: &mut Criterion) {
    let event = common::sector_feed(1).remove(0);
    let attendee = Attendee::invitee("camille@example.org", Some("Camille"));
    c.bench_function("invite/one_meeting", |b| {
        b.iter(|| invite(black_box(&event), black_box(&attendee)).unwrap())
    });
}

criterion_group!(benches, feed, one_invite);
criterion_main!(benches);
