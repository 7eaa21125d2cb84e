//! The JSON API: its routes, the OpenAPI document, problem+json answers,
//! and the middleware the whole service shares (observe, limits, metrics).
//! Handlers parse the request, call one use case of `passerelle-app` and
//! render its answer; what a caller may see is decided there, not here.
#![forbid(unsafe_code)]

mod auth;
mod client;
pub mod error;
mod extract;
mod health;
pub mod limits;
mod matching;
mod meetings;
pub mod metrics;
pub mod observe;
mod openapi;
mod privacy;
mod sectors;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use passerelle_app::{AppState, Error};

pub use auth::Organizer;
pub use error::ApiError;

/// The API's routes and `/health`, rate-limited per IP.
pub fn api(state: AppState) -> Router {
    let import_limit = state.config.import_body_limit;
    let api = Router::new()
        .route("/api/v1/sectors", get(sectors::list))
        .route("/api/v1/sectors/lookup", get(sectors::lookup))
        .route("/api/v1/geocode", get(sectors::geocode))
        .route(
            "/api/v1/sectors/import",
            post(sectors::import).layer(DefaultBodyLimit::max(import_limit)),
        )
        .route("/api/v1/sectors/{id}", get(sectors::show))
        .route(
            "/api/v1/referents",
            get(matching::referents).post(matching::volunteer),
        )
        .route(
            "/api/v1/referents/space/{secret}",
            get(matching::space)
                .patch(matching::update_space)
                .delete(privacy::erase_referent),
        )
        .route(
            "/api/v1/referents/space/{secret}/export",
            get(privacy::export_referent),
        )
        .route(
            "/api/v1/referents/space/{secret}/proposals/{id}/accept",
            post(matching::accept),
        )
        .route(
            "/api/v1/referents/space/{secret}/proposals/{id}/decline",
            post(matching::decline),
        )
        .route(
            "/api/v1/contact-requests",
            get(matching::requests).post(matching::create_request),
        )
        .route(
            "/api/v1/contact-requests/status/{secret}",
            get(matching::request_status).delete(privacy::erase_request),
        )
        .route(
            "/api/v1/contact-requests/status/{secret}/export",
            get(privacy::export_request),
        )
        .route(
            "/api/v1/contact-requests/status/{secret}/withdraw",
            post(matching::withdraw),
        )
        .route(
            "/api/v1/contact-requests/status/{secret}/feedback",
            post(matching::feedback),
        )
        .route("/api/v1/proposals", get(matching::proposals))
        .route("/api/v1/matching/run", post(matching::run))
        .route("/api/v1/matching/coverage", get(matching::coverage))
        .route("/api/v1/figures", get(matching::figures))
        .route(
            "/api/v1/meetings",
            get(meetings::list).post(meetings::create),
        )
        .route(
            "/api/v1/meetings/{id}",
            get(meetings::show).patch(meetings::update),
        )
        .route("/api/v1/meetings/{id}/cancel", post(meetings::cancel))
        .route(
            "/api/v1/meetings/{id}/registrations",
            get(meetings::registrations).post(meetings::register),
        )
        .route(
            "/api/v1/registrations/{secret}/invite.ics",
            get(meetings::invite),
        )
        .route(
            "/api/v1/registrations/{secret}",
            axum::routing::delete(privacy::erase_registration),
        )
        .route(
            "/api/v1/registrations/{secret}/export",
            get(privacy::export_registration),
        )
        .route(
            "/api/v1/registrations/{secret}/feed.ics",
            get(meetings::person_feed),
        )
        .route(
            "/api/v1/registrations/{secret}/cancel",
            post(meetings::cancel_registration),
        )
        .route(
            "/api/v1/sectors/{id}/meetings.ics",
            get(meetings::sector_feed),
        )
        .route(
            "/api/v1/sectors/{id}/slot-suggestions",
            get(meetings::slot_suggestions),
        )
        .route("/api/v1/openapi.json", get(openapi::document));
    // Without limits (load tests), no layer at all rather than one that
    // passes every request on.
    let api = if state.config.limits.enabled {
        api.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::by_ip,
        ))
    } else {
        api
    };
    // Outermost, so that the limits know who called.
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::identify,
    ));
    Router::new()
        .route("/health", get(health::health))
        .merge(api)
        .with_state(state)
}

/// `GET /metrics` alone, for the listener of `PASSERELLE_METRICS_BIND`:
/// kept off the public one, since it tells how busy the service is and how
/// many families wait.
pub fn metrics_app(state: AppState, metrics: Arc<metrics::Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(metrics::scrape))
        .fallback(not_found)
        .with_state((state, metrics))
}

/// The answer to a path that no route serves.
pub async fn not_found() -> ApiError {
    Error::NotFound("cette adresse ne correspond à aucune ressource de l'API".into()).into()
}

/// The answer to a method that a route does not serve.
pub async fn method_not_allowed() -> ApiError {
    Error::MethodNotAllowed.into()
}
