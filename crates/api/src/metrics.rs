//! Prometheus metrics at `GET /metrics`: requests and latency per route
//! template, and backlogs counted in the database at scrape time.
//!
//! Labels hold route templates (`/api/v1/meetings/{id}`), never the URI:
//! query strings carry home coordinates and paths carry private links.
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::state::AppState;

/// The process's counters, and the gauges filled at each scrape.
#[derive(Clone)]
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

    /// Counts and times one answered request under its route template.
    pub fn observe(&self, route: &str, method: &str, status: StatusCode, seconds: f64) {
        let class = match status.as_u16() / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.requests
            .with_label_values(&[route, method, class])
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
