//! Bearer-token authentication of the API's protected endpoints (scripts);
//! people use the web pages' sessions instead.
use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::error::ApiError;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::{Caller, Role};
use passerelle_app::tokens;

/// A caller whose token has the organizer role (or admin), with the sectors
/// it is limited to.
pub struct Organizer(pub Caller);

impl FromRequestParts<AppState> for Organizer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = crate::limits::bearer(&parts.headers).ok_or(Error::Unauthorized)?;
        Ok(Organizer(
            tokens::authorize(state, secret, Role::Organizer).await?,
        ))
    }
}
