//! The OpenAPI document, generated from the handlers' annotations.
use axum::Json;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Header, Ref, RefOr, Response};
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
    modifiers(&BearerAuth, &Problems),
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

/// Every error is `application/problem+json` (see `crate::error`). Rather
/// than repeat that on each handler, this adds to each operation the errors
/// its shape allows, and gives every 4xx/5xx response the problem body:
/// - 400 when it takes parameters or a body (unreadable values);
/// - 401 and 403 when it needs a token;
/// - 404 when its path has a parameter (no such id or private link);
/// - 413 and 422 when it takes a body (too large; well-formed but refused);
/// - 429 on `/api/v1` (rate limits), 503 everywhere (database down).
///
/// Errors peculiar to one operation (409, a 404 without path parameter) stay
/// in its annotation, with a description of when they happen.
struct Problems;

const PROBLEM: &str = "application/problem+json";

fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "created",
        "204" => "done; no content",
        "400" => "malformed request: a parameter or the body cannot be read",
        "401" => "no valid organizer token",
        "403" => "the token lacks the organizer role",
        "404" => "no such resource",
        "409" => "conflicts with what is stored",
        "413" => "the body is larger than allowed",
        "422" => "well-formed, but the content is refused",
        "429" => "rate limit reached; retry after `Retry-After` seconds",
        "503" => "the database does not answer",
        _ => "error",
    }
}

/// A string property with its description.
fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

fn problem_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .description(Some("An error, as RFC 9457 problem details."))
        .property(
            "type",
            text("absent for `about:blank`").format(Some(SchemaFormat::Custom("uri".to_owned()))),
        )
        .property(
            "status",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(400))
                .maximum(Some(599)),
        )
        .required("status")
        .property("title", text("the reason phrase of the status"))
        .required("title")
        .property("detail", text("what went wrong, in French"))
        .required("detail")
        .property(
            "errors",
            ArrayBuilder::new()
                .items(field_error_schema())
                .description(Some(
                    "on a 422 about fields: one entry per field refused, with a stable code",
                )),
        )
}

/// One refused field in a problem's `errors`.
fn field_error_schema() -> ObjectBuilder {
    ObjectBuilder::new()
        .property(
            "field",
            text("the field as the request names it, e.g. `venue.name`"),
        )
        .required("field")
        .property(
            "code",
            text("a stable code, e.g. `length`, `email`, `start_past`"),
        )
        .required("code")
        .property(
            "params",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("the code's parameters, e.g. `{\"max\": 60}`")),
        )
        .required("params")
        .property("detail", text("the same, in French"))
        .required("detail")
}

fn header(description: &str, schema_type: Type) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(schema_type))
        .description(Some(description))
        .build()
}

fn problem_response(status: &str, previous: Option<&RefOr<Response>>) -> RefOr<Response> {
    let description = match previous {
        Some(RefOr::T(r)) if !r.description.is_empty() => r.description.clone(),
        _ => default_description(status).to_owned(),
    };
    let mut response = ResponseBuilder::new().description(description).content(
        PROBLEM,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    );
    match status {
        "401" => {
            response = response.header("WWW-Authenticate", header("always `Bearer`", Type::String))
        }
        "429" => {
            response = response.header("Retry-After", header("seconds to wait", Type::Integer))
        }
        _ => {}
    }
    response.into()
}

fn add_problems(path: &str, operation: &mut Operation) {
    let mut statuses = vec!["503"];
    if path.starts_with("/api/v1/") {
        statuses.push("429");
    }
    let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_params || operation.request_body.is_some() {
        statuses.push("400");
    }
    if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
        statuses.extend(["401", "403"]);
    }
    if path.contains('{') {
        statuses.push("404");
    }
    if operation.request_body.is_some() {
        statuses.extend(["413", "422"]);
    }
    let responses = &mut operation.responses.responses;
    for status in statuses {
        responses
            .entry(status.to_owned())
            .or_insert(RefOr::T(Response::new("")));
    }
    for (status, response) in responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description = default_description(status).to_owned();
        }
    }
    let errors: Vec<String> = responses
        .keys()
        .filter(|s| s.starts_with('4') || s.starts_with('5'))
        .cloned()
        .collect();
    for status in errors {
        let response = problem_response(&status, responses.get(&status));
        responses.insert(status, response);
    }
}

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .insert("Problem".to_owned(), problem_schema().into());
        for (path, item) in openapi.paths.paths.iter_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_problems(path, operation);
            }
        }
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

#[cfg(test)]
mod tests {
    use utoipa::openapi::RefOr;

    #[test]
    fn every_error_is_a_documented_problem() {
        let spec = super::spec();
        let mut secured = 0;
        for (path, item) in &spec.paths.paths {
            for operation in [&item.get, &item.post, &item.patch, &item.delete]
                .into_iter()
                .flatten()
            {
                let responses = &operation.responses.responses;
                assert!(responses.contains_key("503"), "{path}: no 503");
                if operation.security.is_some() {
                    secured += 1;
                    assert!(responses.contains_key("401"), "{path}: no 401");
                    assert!(responses.contains_key("403"), "{path}: no 403");
                }
                for (status, response) in responses {
                    let RefOr::T(response) = response else {
                        panic!("{path} {status}: unexpected $ref");
                    };
                    assert!(!response.description.is_empty(), "{path} {status}");
                    if status.starts_with('4') || status.starts_with('5') {
                        assert!(
                            response.content.contains_key("application/problem+json"),
                            "{path} {status}: not problem+json"
                        );
                    }
                }
            }
        }
        assert!(secured > 5, "the organizer operations declare their token");
    }

    /// The whole document, so that a change to the API shows in review:
    /// fields may be added, none may change or go.
    #[test]
    fn the_document_is_the_reviewed_one() {
        insta::assert_json_snapshot!("openapi", super::spec());
    }
}
