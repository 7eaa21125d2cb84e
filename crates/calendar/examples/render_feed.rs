//! Renders the benchmark sector feed and times it, for
//! `benches/ical_vs_python.sh`, which renders the same events with Python.
//!
//! Usage: `render_feed [EVENTS] [RUNS] [EVENTS_JSON] [OUT_ICS]`
//! Prints `rust_median_ms=<float>` on the last line.

use std::time::Instant;

use chrono::TimeDelta;
use passerelle_calendar::publish_feed;
use serde_json::json;

#[path = "../benches/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(Ok(10_000), |s| s.parse())?;
    let runs: usize = args.get(1).map_or(Ok(50), |s| s.parse())?;
    let events = common::sector_feed(n);

    if let Some(path) = args.get(2) {
        let rows: Vec<_> = events
            .iter()
            .map(|e| {
                json!({
                    "uid": e.uid,
                    "sequence": e.sequence,
                    "dtstamp": e.dtstamp.timestamp(),
                    "start": e.start.timestamp(),
                    "end": e.end.timestamp(),
                    "tz": e.tz.name(),
                    "summary": e.summary,
                    "description": e.description,
                    "location": e.location,
                    "geo": e.geo.map(|g| [g.lat, g.lon]),
                    "url": e.url,
                    "status": e.status.map(|s| s.as_str()),
                    "organizer": e.organizer.as_ref().map(|o| json!({"email": o.email, "cn": o.name})),
                })
            })
            .collect();
        std::fs::write(path, serde_json::to_string(&rows)?)?;
    }

    let mut times = Vec::with_capacity(runs);
    let mut out = String::new();
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        out = publish_feed("Secteur 11e", TimeDelta::hours(6), &events)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    if let Some(path) = args.get(3) {
        std::fs::write(path, &out)?;
    }
    times.sort_by(f64::total_cmp);
    println!("events={n} bytes={} runs={}", out.len(), times.len());
    println!("rust_min_ms={:.3}", times[0]);
    println!("rust_median_ms={:.3}", times[times.len() / 2]);
    Ok(())
}
