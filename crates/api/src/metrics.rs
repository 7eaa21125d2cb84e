//! Prometheus metrics at `GET /metrics`: requests and latency per route
//! template, and backlogs counted in the database at scrape time.
//!
//! Labels hold route templates (`/api/v1/meetings/{id}`), never the URI:
//! query strings carry home coordinates and paths carry private links.
use std::collections::HashMap;

use arc_swap::ArcSwap;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

use crate::state::AppState;

type FastHash = foldhash::fast::RandomState;

/// The process's counters, and the gauges filled at each scrape.
pub struct Metrics {
    registry: Registry,
    /// Gauges read from the database; left out of a scrape when it is down.
    stored: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    database_up: IntGauge,
    outbox_pending: IntGauge,
    outbox_failed: IntGauge,
    unmatched_requests: IntGauge,
    /// The series of each route template met so far. `with_label_values`
    /// hashes the labels and takes the vector's lock, which both workers
    /// write, on every call; this map is read without either.
    /// Hashed with foldhash: route templates come from the router, not from
    /// clients, and SipHash was a visible cost per request.
    seen: ArcSwap<HashMap<String, RouteSeries, FastHash>>,
}

/// The series of one route template.
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

impl Metrics {
    /// Registers every metric in a registry of its own (one per state, so
    /// that services in one process, as in tests, do not mix their counts).
    pub fn new() -> Self {
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
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let database_up = gauge(
            "passerelle_database_up",
            "1 when the database answered the last scrape, 0 otherwise",
        );
        let outbox_pending = gauge(
            "passerelle_outbox_pending_messages",
            "Messages in the outbox not sent yet (waiting or being retried)",
        );
        let outbox_failed = gauge(
            "passerelle_outbox_failed_messages",
            "Messages given up after their last delivery try",
        );
        let unmatched_requests = gauge(
            "passerelle_contact_requests_unmatched",
            "Open contact requests with no pending or accepted proposal",
        );
        let registry = Registry::new();
        let stored = Registry::new();
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(database_up.clone()),
        ] {
            registry.register(metric).expect("unique metric");
        }
        for metric in [&outbox_pending, &outbox_failed, &unmatched_requests] {
            stored
                .register(Box::new(metric.clone()))
                .expect("unique metric");
        }
        Self {
            registry,
            stored,
            requests,
            latency,
            database_up,
            outbox_pending,
            outbox_failed,
            unmatched_requests,
            seen: ArcSwap::default(),
        }
    }

    /// Counts and times one answered request under its route template.
    pub fn observe(&self, route: &str, method: &'static str, status: StatusCode, seconds: f64) {
        let class = match status.as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        if self.count_seen(route, method, class, seconds) {
            return;
        }
        // The first request of its kind: resolve its series once. Route
        // templates, methods and classes are few, so the map stays small.
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
        let counted = self.count_seen(route, method, class, seconds);
        debug_assert!(counted, "the series was just added");
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
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// `GET /metrics`: the Prometheus text format. The database gauges are
/// counted now; when the database does not answer they are left out and
/// `passerelle_database_up` is 0, so that the scrape itself still works.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let metrics = &state.metrics;
    let counts = async {
        let outbox = state.store.outbox_counts().await?;
        let unmatched = state.store.unmatched_request_count().await?;
        Ok::<_, passerelle_store::StoreError>((outbox, unmatched))
    }
    .await;
    let mut families = Vec::new();
    match counts {
        Ok((outbox, unmatched)) => {
            metrics.database_up.set(1);
            metrics.outbox_pending.set(gauge_value(outbox.pending));
            metrics.outbox_failed.set(gauge_value(outbox.failed));
            metrics.unmatched_requests.set(gauge_value(unmatched));
            families.extend(metrics.stored.gather());
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: database counts unavailable");
            metrics.database_up.set(0);
        }
    }
    families.extend(metrics.registry.gather());
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    if let Err(e) = encoder.encode(&families, &mut body) {
        tracing::error!(error = %e, "metrics encoding failed");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, encoder.format_type())], body).into_response()
}

fn gauge_value(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(metrics: &Metrics, labels: &[&str; 3]) -> u64 {
        metrics.requests.with_label_values(labels).get()
    }

    #[test]
    fn each_series_counts_its_own_requests_first_time_and_after() {
        let metrics = Metrics::new();
        let route = "/api/v1/sectors/lookup";
        for _ in 0..3 {
            metrics.observe(route, "GET", StatusCode::OK, 0.001);
        }
        metrics.observe(route, "GET", StatusCode::NOT_FOUND, 0.001);
        metrics.observe(route, "HEAD", StatusCode::OK, 0.001);
        metrics.observe("/health", "GET", StatusCode::SERVICE_UNAVAILABLE, 0.001);
        metrics.observe(route, "GET", StatusCode::NOT_FOUND, 0.001);
        assert_eq!(count(&metrics, &[route, "GET", "2xx"]), 3);
        assert_eq!(count(&metrics, &[route, "GET", "4xx"]), 2);
        assert_eq!(count(&metrics, &[route, "HEAD", "2xx"]), 1);
        assert_eq!(count(&metrics, &["/health", "GET", "5xx"]), 1);
        assert_eq!(count(&metrics, &["/health", "GET", "2xx"]), 0);
        assert_eq!(
            metrics
                .latency
                .with_label_values(&[route])
                .get_sample_count(),
            6
        );
        assert_eq!(
            metrics
                .latency
                .with_label_values(&["/health"])
                .get_sample_count(),
            1
        );
    }
}
