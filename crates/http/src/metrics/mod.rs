//! Prometheus metrics at `GET /metrics`: requests and latency per route
//! template, and backlogs counted in the database at scrape time.
//!
//! Labels hold route templates (`/api/v1/meetings/{id}`), never the URI:
//! query strings carry home coordinates and paths carry private links.
use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use passerelle_app::AppState;

/// The process's counters, and the gauges filled at each scrape.
pub struct Metrics {
    registry: Registry,
    /// Gauges read from the database; left out of a scrape when it is down.
    stored: Registry,
    /// Requests by route template, method and status class.
    requests: IntCounterVec,
    /// Latency by route template.
    latency: HistogramVec,
    database_up: IntGauge,
    outbox_pending: IntGauge,
    outbox_failed: IntGauge,
    unmatched_requests: IntGauge,
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
        }
    }

    /// Counts and times one answered request of `route` and `method`.
    pub fn record(&self, route: &str, method: &str, status: StatusCode, seconds: f64) {
        const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.requests
            .with_label_values(&[route, method, CLASSES[class]])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
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
pub async fn scrape(State((state, metrics)): State<(AppState, Arc<Metrics>)>) -> Response {
    let mut families = Vec::new();
    match passerelle_app::health::backlog(&state).await {
        Ok(backlog) => {
            metrics.database_up.set(1);
            metrics
                .outbox_pending
                .set(gauge_value(backlog.outbox_pending));
            metrics
                .outbox_failed
                .set(gauge_value(backlog.outbox_failed));
            metrics
                .unmatched_requests
                .set(gauge_value(backlog.unmatched_requests));
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

    /// The scraped value of one series: a counter's value, or a
    /// histogram's sample count. `labels` are values in the order of the
    /// label names' definition: route, method, status.
    fn scraped(metrics: &Metrics, family: &str, labels: &[&str]) -> u64 {
        let names = ["route", "method", "status"];
        let families = metrics.registry.gather();
        let Some(family) = families.iter().find(|f| f.name() == family) else {
            return 0;
        };
        family
            .get_metric()
            .iter()
            .find(|m| {
                m.get_label().len() == labels.len()
                    && m.get_label().iter().all(|l| {
                        names
                            .iter()
                            .zip(labels)
                            .any(|(n, v)| l.name() == *n && l.value() == *v)
                    })
            })
            .map_or(0, |m| match family.get_field_type() {
                prometheus::proto::MetricType::HISTOGRAM => m.get_histogram().get_sample_count(),
                _ => m.get_counter().get_value() as u64,
            })
    }

    const REQUESTS: &str = "passerelle_http_requests_total";
    const LATENCY: &str = "passerelle_http_request_duration_seconds";

    #[test]
    fn each_series_counts_its_own_requests_first_time_and_after() {
        let metrics = Metrics::new();
        let route = "/api/v1/sectors/lookup";
        for _ in 0..3 {
            metrics.record(route, "GET", StatusCode::OK, 0.001);
        }
        metrics.record(route, "GET", StatusCode::NOT_FOUND, 0.001);
        metrics.record(route, "HEAD", StatusCode::OK, 0.001);
        metrics.record("/health", "GET", StatusCode::SERVICE_UNAVAILABLE, 0.001);
        metrics.record(route, "GET", StatusCode::NOT_FOUND, 0.001);
        assert_eq!(scraped(&metrics, REQUESTS, &[route, "GET", "2xx"]), 3);
        assert_eq!(scraped(&metrics, REQUESTS, &[route, "GET", "4xx"]), 2);
        assert_eq!(scraped(&metrics, REQUESTS, &[route, "HEAD", "2xx"]), 1);
        assert_eq!(scraped(&metrics, REQUESTS, &["/health", "GET", "5xx"]), 1);
        assert_eq!(scraped(&metrics, REQUESTS, &["/health", "GET", "2xx"]), 0);
        assert_eq!(scraped(&metrics, LATENCY, &[route]), 6);
        assert_eq!(scraped(&metrics, LATENCY, &["/health"]), 1);
    }

    #[test]
    fn requests_from_many_threads_are_all_counted() {
        let metrics = Metrics::new();
        let route = "/api/v1/meetings/{id}";
        std::thread::scope(|scope| {
            for _ in 0..20 {
                scope.spawn(|| {
                    for _ in 0..50 {
                        metrics.record(route, "GET", StatusCode::OK, 0.002);
                    }
                    metrics.record(route, "POST", StatusCode::CONFLICT, 0.2);
                });
            }
        });
        assert_eq!(scraped(&metrics, REQUESTS, &[route, "GET", "2xx"]), 1000);
        assert_eq!(scraped(&metrics, REQUESTS, &[route, "POST", "4xx"]), 20);
        assert_eq!(scraped(&metrics, LATENCY, &[route]), 1020);
        let families = metrics.registry.gather();
        let latency = families.iter().find(|f| f.name() == LATENCY).unwrap();
        let histogram = latency.get_metric()[0].get_histogram();
        assert!((histogram.get_sample_sum() - (1000.0 * 0.002 + 20.0 * 0.2)).abs() < 1e-9);
        // Buckets stay cumulative: the 20 slow requests are above 0.1 s.
        let upto = |bound: f64| {
            histogram
                .get_bucket()
                .iter()
                .find(|b| b.upper_bound() == bound)
                .unwrap()
                .cumulative_count()
        };
        assert_eq!(upto(0.005), 1000);
        assert_eq!(upto(0.1), 1000);
        assert_eq!(upto(0.25), 1020);
        // One series per label set in the scrape.
        let requests = families.iter().find(|f| f.name() == REQUESTS).unwrap();
        assert_eq!(requests.get_metric().len(), 2);
    }
}
