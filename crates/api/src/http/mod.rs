//! The HTTP service: routes, middleware and the OpenAPI document.
mod auth;
mod extract;
mod health;
mod matching;
mod meetings;
mod openapi;
mod privacy;
mod sectors;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::routing::{get, post};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::Error;
use crate::state::AppState;

pub use auth::Organizer;

/// The whole service as one router.
pub fn app(state: AppState) -> Router {
    let import_limit = state.config.import_body_limit;
    let api = Router::new()
        .route("/sectors", get(sectors::list))
        .route("/sectors/lookup", get(sectors::lookup))
        .route("/geocode", get(sectors::geocode))
        .route(
            "/sectors/import",
            post(sectors::import).layer(DefaultBodyLimit::max(import_limit)),
        )
        .route("/sectors/{id}", get(sectors::show))
        .route(
            "/referents",
            get(matching::referents).post(matching::volunteer),
        )
        .route(
            "/referents/space/{secret}",
            get(matching::space)
                .patch(matching::update_space)
                .delete(privacy::erase_referent),
        )
        .route(
            "/referents/space/{secret}/export",
            get(privacy::export_referent),
        )
        .route(
            "/referents/space/{secret}/proposals/{id}/accept",
            post(matching::accept),
        )
        .route(
            "/referents/space/{secret}/proposals/{id}/decline",
            post(matching::decline),
        )
        .route(
            "/contact-requests",
            get(matching::requests).post(matching::create_request),
        )
        .route(
            "/contact-requests/status/{secret}",
            get(matching::request_status).delete(privacy::erase_request),
        )
        .route(
            "/contact-requests/status/{secret}/export",
            get(privacy::export_request),
        )
        .route(
            "/contact-requests/status/{secret}/withdraw",
            post(matching::withdraw),
        )
        .route(
            "/contact-requests/status/{secret}/feedback",
            post(matching::feedback),
        )
        .route("/proposals", get(matching::proposals))
        .route("/matching/run", post(matching::run))
        .route("/matching/coverage", get(matching::coverage))
        .route("/figures", get(matching::figures))
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route(
            "/meetings/{id}",
            get(meetings::show).patch(meetings::update),
        )
        .route("/meetings/{id}/cancel", post(meetings::cancel))
        .route(
            "/meetings/{id}/registrations",
            get(meetings::registrations).post(meetings::register),
        )
        .route("/registrations/{secret}/invite.ics", get(meetings::invite))
        .route(
            "/registrations/{secret}",
            axum::routing::delete(privacy::erase_registration),
        )
        .route(
            "/registrations/{secret}/export",
            get(privacy::export_registration),
        )
        .route(
            "/registrations/{secret}/feed.ics",
            get(meetings::person_feed),
        )
        .route(
            "/registrations/{secret}/cancel",
            post(meetings::cancel_registration),
        )
        .route("/sectors/{id}/meetings.ics", get(meetings::sector_feed))
        .route(
            "/sectors/{id}/slot-suggestions",
            get(meetings::slot_suggestions),
        )
        .route("/openapi.json", get(openapi::document));
    // Without limits (load tests), no layer at all rather than one that
    // passes every request on.
    let api = if state.config.limits.enabled {
        api.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::limits::by_ip,
        ))
    } else {
        api
    };
    Router::new()
        .route("/health", get(health::health))
        .route("/metrics", get(crate::metrics::scrape))
        .nest("/api/v1", api)
        .merge(crate::web::router(state.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(
            // The span names the route template, never the URI: query strings
            // carry home coordinates, which are personal data.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    tracing::info_span!("request", method = %request.method(), route)
                })
                .on_request(())
                // One line per request is the load balancer's access log;
                // here it is for debugging (the metrics count requests).
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        )
        .with_state(state)
}

async fn not_found() -> Error {
    Error::NotFound("cette adresse ne correspond à aucune ressource de l'API".into())
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
