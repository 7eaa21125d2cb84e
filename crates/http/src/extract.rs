//! Extractors whose rejections are problem+json like every other error.
use axum::extract::FromRequestParts;

use crate::error::ApiError;
use passerelle_app::Error;

/// `axum::extract::Query` with problem+json rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::Json` with problem+json rejections, for bodies that are JSON
/// objects: serde would otherwise read a struct from an array too.
pub struct Json<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) =
            axum::Json::<serde_json::Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(
                Error::Refused("le corps de la requête doit être un objet JSON".into()).into(),
            );
        }
        T::deserialize(value)
            .map(Json)
            .map_err(|e| Error::Refused(format!("le corps JSON ne convient pas : {e}")).into())
    }
}

/// Schema of a `format` parameter of [`rows`]: `json` or `csv`.
pub fn row_formats() -> utoipa::openapi::Object {
    formats(&["json", "csv"])
}

/// Schema of a `format` parameter that takes one of `names`.
pub fn formats(names: &[&str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(names.iter().copied()))
        .build()
}

/// Rows as JSON (`format` absent or `json`) or CSV (`format=csv`), the two
/// forms organisers export lists in.
pub fn rows<T: serde::Serialize>(
    rows: &[T],
    format: Option<&str>,
) -> Result<axum::response::Response, Error> {
    use axum::response::IntoResponse;
    match format {
        None | Some("json") => Ok(axum::Json(rows).into_response()),
        Some("csv") => {
            let body = passerelle_app::csv_export::Table::from_rows(rows)?;
            Ok((
                [(http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                body,
            )
                .into_response())
        }
        Some(other) => Err(Error::BadRequest(format!(
            "format « {other} » inconnu : json ou csv"
        ))),
    }
}
