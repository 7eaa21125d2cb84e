//! Extractors whose rejections are problem+json like every other error.
use axum::extract::FromRequestParts;

use crate::error::Error;

/// `axum::extract::Query` with problem+json rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

/// `axum::Json` with problem+json rejections.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

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
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in rows {
                writer.serialize(row).map_err(anyhow::Error::from)?;
            }
            let body = writer
                .into_inner()
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
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
