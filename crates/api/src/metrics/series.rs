//! The request count and latency series, kept per thread and added up when
//! scraped.
//!
//! With one copy, every request on either worker wrote the same histogram
//! and counter cache lines: that contention cost about 0.4 µs per request
//! on the lookup (docs/benchmarks.md, eighth pass). Each thread now writes
//! its own shard; a scrape adds the shards' families together.
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arc_swap::ArcSwap;
use prometheus::core::{Collector, Desc};
use prometheus::proto::{Metric, MetricFamily, MetricType};
use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts};

type FastHash = foldhash::fast::RandomState;

/// Threads share a shard only beyond this many; they stay correct (the
/// counters are atomic), just contended again.
const SHARDS: usize = 16;

/// The shard of the calling thread: threads take the next one in turn.
fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    INDEX.with(|index| *index)
}

/// The series of one route template in one shard.
#[derive(Clone)]
struct RouteSeries {
    latency: Histogram,
    /// By method and status class.
    requests: Vec<(&'static str, &'static str, IntCounter)>,
}

impl RouteSeries {
    fn counter(&self, method: &str, class: &str) -> Option<&IntCounter> {
        self.requests
            .iter()
            .find(|(m, c, _)| *m == method && *c == class)
            .map(|(_, _, counter)| counter)
    }
}

/// One thread's copy of the series.
struct Shard {
    requests: IntCounterVec,
    latency: HistogramVec,
    /// The series of each route template met so far. `with_label_values`
    /// hashes the labels and takes the vector's lock on every call; this
    /// map is read without either. Hashed with foldhash: route templates
    /// come from the router, not from clients, and SipHash was a visible
    /// cost per request.
    seen: ArcSwap<HashMap<String, RouteSeries, FastHash>>,
}

impl Shard {
    fn new() -> Self {
        let requests = IntCounterVec::new(
            Opts::new(
                "passerelle_http_requests_total",
                "HTTP requests answered, by route template, method and status class",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "passerelle_http_request_duration_seconds",
                "Time to answer an HTTP request, by route template",
            ),
            &["route"],
        )
        .expect("valid metric");
        Self {
            requests,
            latency,
            seen: ArcSwap::default(),
        }
    }

    /// Counts the request in series already resolved; false when they are not.
    fn count_seen(&self, route: &str, method: &str, class: &str, seconds: f64) -> bool {
        let seen = self.seen.load();
        let Some(series) = seen.get(route) else {
            return false;
        };
        let Some(counter) = series.counter(method, class) else {
            return false;
        };
        counter.inc();
        series.latency.observe(seconds);
        true
    }

    /// Resolves the series of a request met for the first time. Route
    /// templates, methods and classes are few, so the map stays small.
    fn add(&self, route: &str, method: &'static str, class: &'static str) {
        self.seen.rcu(|seen| {
            let mut next = HashMap::clone(seen);
            let series = next.entry(route.to_owned()).or_insert_with(|| RouteSeries {
                latency: self.latency.with_label_values(&[route]),
                requests: Vec::new(),
            });
            if series.counter(method, class).is_none() {
                let counter = self.requests.with_label_values(&[route, method, class]);
                series.requests.push((method, class, counter));
            }
            next
        });
    }
}

/// Requests by route template, method and status class, and their latency
/// by route template: one Prometheus collector over all shards. Clones
/// share the shards.
#[derive(Clone)]
pub struct RequestSeries {
    shards: Arc<[Shard]>,
}

impl RequestSeries {
    pub fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Shard::new()).collect(),
        }
    }

    /// Counts and times one answered request in the calling thread's shard.
    pub fn observe(&self, route: &str, method: &'static str, class: &'static str, seconds: f64) {
        let shard = &self.shards[shard_index()];
        if !shard.count_seen(route, method, class, seconds) {
            shard.add(route, method, class);
            let counted = shard.count_seen(route, method, class, seconds);
            debug_assert!(counted, "the series was just added");
        }
    }
}

impl Collector for RequestSeries {
    fn desc(&self) -> Vec<&Desc> {
        let first = &self.shards[0];
        let mut descs = first.requests.desc();
        descs.extend(first.latency.desc());
        descs
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut totals: Vec<MetricFamily> = Vec::new();
        for shard in &self.shards[..] {
            let families = shard.requests.collect().into_iter();
            for family in families.chain(shard.latency.collect()) {
                match totals.iter_mut().find(|t| t.name() == family.name()) {
                    Some(total) => add_family(total, family),
                    None => totals.push(family),
                }
            }
        }
        for family in &mut totals {
            family
                .mut_metric()
                .sort_by(|a, b| label_values(a).cmp(&label_values(b)));
        }
        totals
    }
}

fn label_values(metric: &Metric) -> Vec<&str> {
    metric.get_label().iter().map(|l| l.value()).collect()
}

/// Adds `part`'s series into `total`, series of the same labels together.
fn add_family(total: &mut MetricFamily, mut part: MetricFamily) {
    let kind = total.get_field_type();
    for metric in part.take_metric() {
        let same = total
            .mut_metric()
            .iter_mut()
            .find(|t| t.get_label() == metric.get_label());
        match same {
            Some(sum) => add_metric(kind, sum, &metric),
            None => total.mut_metric().push(metric),
        }
    }
}

fn add_metric(kind: MetricType, sum: &mut Metric, part: &Metric) {
    match kind {
        MetricType::COUNTER => {
            let mut counter = sum.get_counter().clone();
            counter.set_value(counter.get_value() + part.get_counter().get_value());
            sum.set_counter(counter);
        }
        MetricType::HISTOGRAM => {
            let (mut histogram, other) = (sum.get_histogram().clone(), part.get_histogram());
            histogram.set_sample_count(histogram.get_sample_count() + other.get_sample_count());
            histogram.set_sample_sum(histogram.get_sample_sum() + other.get_sample_sum());
            // Same buckets in every shard: one definition above.
            let buckets = histogram
                .get_bucket()
                .iter()
                .zip(other.get_bucket())
                .map(|(a, b)| {
                    let mut bucket = a.clone();
                    bucket.set_cumulative_count(a.cumulative_count() + b.cumulative_count());
                    bucket
                })
                .collect();
            histogram.set_bucket(buckets);
            sum.set_histogram(histogram);
        }
        _ => unreachable!("request series are counters and histograms"),
    }
}
