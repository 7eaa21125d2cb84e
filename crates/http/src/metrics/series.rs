//! The request count and latency series, kept per thread and added up when
//! scraped.
//!
//! With one copy, every request on either worker wrote the same histogram
//! and counter cache lines: that contention cost about 0.4 µs per request
//! on the lookup (docs/benchmarks.md, eighth pass). Each thread now writes
//! its own shard; a scrape adds the shards' families together.
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use http::StatusCode;
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

/// The series of one route template and method in one shard: what a
/// request resolves when it starts and records into when it is answered.
pub struct RouteSeries {
    route: String,
    method: &'static str,
    latency: Histogram,
    requests: IntCounterVec,
    /// By status class, 1xx to 5xx, made at the first answer of the class
    /// so that a scrape shows only classes that were answered.
    classes: [OnceLock<IntCounter>; 5],
}

impl RouteSeries {
    /// The route template, or `unmatched`.
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The method label.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// Counts and times one answered request.
    pub fn record(&self, status: StatusCode, seconds: f64) {
        const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.classes[class]
            .get_or_init(|| {
                self.requests
                    .with_label_values(&[self.route.as_str(), self.method, CLASSES[class]])
            })
            .inc();
        self.latency.observe(seconds);
    }
}

/// One thread's copy of the series.
struct Shard {
    requests: IntCounterVec,
    latency: HistogramVec,
    /// The series of each route template and method met so far.
    /// `with_label_values` hashes the labels and takes the vector's lock on
    /// every call; this map is read without either. Hashed with foldhash:
    /// route templates come from the router, not from clients, and SipHash
    /// was a visible cost per request.
    seen: ArcSwap<HashMap<String, Vec<Arc<RouteSeries>>, FastHash>>,
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

    fn find(&self, route: &str, method: &str) -> Option<Arc<RouteSeries>> {
        let seen = self.seen.load();
        let series = seen.get(route)?.iter().find(|s| s.method == method)?;
        Some(Arc::clone(series))
    }

    /// The series of a route and method met for the first time, added.
    /// Route templates and methods are few, so the map stays small.
    fn add(&self, route: &str, method: &'static str) -> Arc<RouteSeries> {
        self.seen.rcu(|seen| {
            let mut next = HashMap::clone(seen);
            let methods = next.entry(route.to_owned()).or_default();
            if !methods.iter().any(|s| s.method == method) {
                methods.push(Arc::new(RouteSeries {
                    route: route.to_owned(),
                    method,
                    latency: self.latency.with_label_values(&[route]),
                    requests: self.requests.clone(),
                    classes: Default::default(),
                }));
            }
            next
        });
        self.find(route, method).expect("the series was just added")
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

    /// The series of `route` and `method` in the calling thread's shard.
    pub fn series(&self, route: &str, method: &'static str) -> Arc<RouteSeries> {
        let shard = &self.shards[shard_index()];
        shard
            .find(route, method)
            .unwrap_or_else(|| shard.add(route, method))
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
            for mut family in families.chain(shard.latency.collect()) {
                match totals.iter_mut().find(|t| t.name() == family.name()) {
                    Some(total) => total.mut_metric().extend(family.take_metric()),
                    None => totals.push(family),
                }
            }
        }
        // Sorted by labels, each label set's copies side by side: one sum
        // each, in time linear in the number of series after the sort.
        for family in &mut totals {
            let kind = family.get_field_type();
            let mut metrics = family.take_metric();
            metrics.sort_by_cached_key(|m| {
                m.get_label()
                    .iter()
                    .map(|l| l.value().to_owned())
                    .collect::<Vec<_>>()
            });
            let mut sums: Vec<Metric> = Vec::with_capacity(metrics.len());
            for metric in metrics {
                match sums.last_mut() {
                    Some(sum) if sum.get_label() == metric.get_label() => {
                        add_metric(kind, sum, &metric);
                    }
                    _ => sums.push(metric),
                }
            }
            *family.mut_metric() = sums;
        }
        totals
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
