//! The `passerelle` program: the command line, and `serve`, which composes
//! the JSON API (`passerelle-http`) and the pages (`passerelle-web`) into one
//! service over the application (`passerelle-app`).
#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod serve;
pub mod telemetry;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use passerelle_app::AppState;
use passerelle_http::metrics::Metrics;

/// The whole service as one router, with request metrics of its own.
pub fn app(state: AppState) -> Router {
    app_with_metrics(state, Arc::new(Metrics::new()))
}

/// The whole service as one router, counting requests into `metrics` (the
/// ones `GET /metrics` of [`metrics_app`] shows).
pub fn app_with_metrics(state: AppState, metrics: Arc<Metrics>) -> Router {
    let body_limit = state.config.body_limit;
    passerelle_http::api(state.clone())
        .merge(passerelle_web::router(state))
        .fallback(passerelle_http::not_found)
        .method_not_allowed_fallback(passerelle_http::method_not_allowed)
        // One `layer` call for both: each call boxes every route once more,
        // and axum clones each box on every request.
        .layer(
            tower::ServiceBuilder::new()
                .layer(passerelle_http::observe::ObserveLayer::new(metrics))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
}

/// `GET /metrics` alone, for the listener of `PASSERELLE_METRICS_BIND`.
pub fn metrics_app(state: AppState, metrics: Arc<Metrics>) -> Router {
    passerelle_http::metrics_app(state, metrics)
}
