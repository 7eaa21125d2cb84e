//! The OpenAPI document, generated from the handlers' annotations.
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Passerelle", description = "Secteurs de collège, parents référents et réunions de quartier."),
    paths(
        super::health::health,
        super::sectors::lookup,
        super::sectors::geocode,
        super::sectors::list,
        super::sectors::show,
        super::sectors::import,
        super::matching::volunteer,
        super::matching::space,
        super::matching::update_space,
        super::matching::accept,
        super::matching::decline,
        super::matching::create_request,
        super::matching::request_status,
        super::matching::withdraw,
        super::matching::feedback,
        super::matching::run,
        super::matching::coverage,
        super::matching::proposals,
        super::matching::requests,
        super::matching::referents,
        super::matching::figures,
        super::privacy::export_request,
        super::privacy::erase_request,
        super::privacy::export_referent,
        super::privacy::erase_referent,
        super::privacy::export_registration,
        super::privacy::erase_registration,
        super::meetings::create,
        super::meetings::list,
        super::meetings::show,
        super::meetings::update,
        super::meetings::cancel,
        super::meetings::register,
        super::meetings::registrations,
        super::meetings::invite,
        super::meetings::person_feed,
        super::meetings::cancel_registration,
        super::meetings::sector_feed,
        super::meetings::slot_suggestions,
    ),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document itself.
pub fn spec() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/v1/openapi.json`
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(spec())
}
