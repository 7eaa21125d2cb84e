//! What pages and endpoints read of meetings, each with the caller's rights.
use chrono::{DateTime, Utc};
use passerelle_sectors::SectorKey;
use passerelle_store::entities::registrations;
use passerelle_store::{MeetingRecord, RegistrationOutcome};

use super::not_found;
use crate::access::Scope;
use crate::error::Error;
use crate::secrets;
use crate::state::AppState;

/// Public meetings, by start time: every sector's, or those of the sector
/// with catalog id `sector_id`, between `from` and `to` when given.
pub async fn list(
    state: &AppState,
    sector_id: Option<i64>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<MeetingRecord>, Error> {
    let key = match sector_id {
        Some(id) => Some(
            state
                .catalog()
                .sector(id)
                .map(|(s, _)| s.key.clone())
                .ok_or_else(|| Error::NotFound(format!("le secteur {id} n'existe pas")))?,
        ),
        None => None,
    };
    Ok(state.store.meetings(key.as_ref(), from, to).await?)
}

/// The coming meetings that the sector of `sector_key` takes part in.
pub async fn upcoming_in_sector(
    state: &AppState,
    sector_key: &SectorKey,
) -> Result<Vec<MeetingRecord>, Error> {
    Ok(state
        .store
        .meetings(Some(sector_key), Some(Utc::now()), None)
        .await?)
}

/// One meeting, as anyone may see it.
pub async fn get(state: &AppState, id: i64) -> Result<MeetingRecord, Error> {
    state.store.meeting(id).await?.ok_or_else(|| not_found(id))
}

/// Every meeting that one of the caller's sectors takes part in.
pub async fn visible_list(state: &AppState, scope: &Scope) -> Result<Vec<MeetingRecord>, Error> {
    Ok(state
        .store
        .meetings(None, None, None)
        .await?
        .into_iter()
        .filter(|r| scope.allows_any(r.sectors.iter().map(|s| &s.sector_key)))
        .collect())
}

/// The live registrations of meeting `id`, confirmed then waitlisted, for
/// a caller who may see that meeting.
pub async fn registrations_of(
    state: &AppState,
    scope: &Scope,
    id: i64,
) -> Result<Vec<registrations::Model>, Error> {
    super::visible(state, scope, id).await?;
    Ok(state.store.registrations(id).await?)
}

/// The registration that the private link `secret` opens, with its meeting.
pub async fn registration_by_secret(
    state: &AppState,
    secret: &str,
) -> Result<RegistrationOutcome, Error> {
    state
        .store
        .registration_by_link(&secrets::hash(secret))
        .await?
        .ok_or_else(|| Error::NotFound("ce lien est inconnu".into()))
}
