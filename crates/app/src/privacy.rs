//! The GDPR rights through private links: export one's data as JSON, erase
//! it; and retention, run by `passerelle maintenance`.
use chrono::{DateTime, Months, Utc};
use serde_json::{Value, json};

use crate::error::Error;
use crate::state::AppState;
use crate::{matching, meetings, secrets};

fn gone() -> Error {
    Error::NotFound("ce lien est inconnu ou a expiré".into())
}

/// Everything stored about the family behind a request's status link.
pub async fn export_request(state: &AppState, secret: &str) -> Result<Value, Error> {
    let r = state
        .store
        .request_by_link(&secrets::hash(secret), Utc::now())
        .await?
        .ok_or_else(gone)?;
    let proposals = state.store.proposals_of_request(r.id).await?;
    Ok(json!({
        "contact_request": {
            "first_name": r.first_name, "email": r.email, "phone": r.phone,
            "home": {"lat": r.lat, "lon": r.lon}, "sector": r.sector_name, "school_year": r.school_year,
            "concern_uais": r.concern_uais.joined("+"), "child_grade": r.child_grade, "languages": r.languages.joined(","),
            "preferred_contact": r.preferred_contact, "concerns": r.concerns, "status": r.status,
            "consent": {"given_at": r.consent_at, "text_version": r.consent_version},
            "created_at": r.created_at,
        },
        "proposals": proposals.iter().map(|(p, _)| json!({
            "state": p.state, "created_at": p.created_at, "answered_at": p.responded_at,
            "feedback": {"met": p.feedback_met, "usefulness": p.feedback_usefulness},
        })).collect::<Vec<_>>(),
    }))
}

/// Erases the family behind a request's status link.
pub async fn erase_request(state: &AppState, secret: &str) -> Result<(), Error> {
    let r = state
        .store
        .request_by_link(&secrets::hash(secret), Utc::now())
        .await?
        .ok_or_else(gone)?;
    state.store.erase_request(r.id, Utc::now()).await?;
    Ok(())
}

/// Everything stored about the referent behind a space link.
pub async fn export_referent(state: &AppState, secret: &str) -> Result<Value, Error> {
    let r = crate::referents::by_link(state, secret).await?;
    let proposals = state.store.proposals_of_referent(r.id).await?;
    Ok(json!({
        "referent": {
            "first_name": r.first_name, "email": r.email, "phone": r.phone, "uai": r.uai,
            "child_grade": r.child_grade, "languages": r.languages.joined(","), "monthly_capacity": r.monthly_capacity,
            "availability": {"weekday_evenings": r.weekday_evenings, "wednesday_afternoons": r.wednesday_afternoons, "weekends": r.weekends},
            "paused": r.paused,
            "consent": {"given_at": r.consent_at, "text_version": r.consent_version},
            "created_at": r.created_at,
        },
        // The families' own details are theirs to export, not the referent's.
        "proposals": proposals.iter().map(|(p, _)| json!({
            "state": p.state, "created_at": p.created_at, "answered_at": p.responded_at,
        })).collect::<Vec<_>>(),
    }))
}

/// Erases the referent behind a space link; families waiting on them are
/// matched again at once.
pub async fn erase_referent(state: &AppState, secret: &str) -> Result<(), Error> {
    let r = crate::referents::by_link(state, secret).await?;
    for id in state.store.erase_referent(r.id, Utc::now()).await? {
        if let Some(request) = state.store.request(id).await? {
            matching::match_one(state, &request).await?;
        }
    }
    Ok(())
}

/// Everything stored about the person behind a registration link.
pub async fn export_registration(state: &AppState, secret: &str) -> Result<Value, Error> {
    let found = state
        .store
        .registration_by_link(&secrets::hash(secret))
        .await?
        .ok_or_else(gone)?;
    let r = &found.registration;
    Ok(json!({
        "registration": {
            "name": r.name, "email": r.email, "guests": r.guests, "status": r.status,
            "created_at": r.created_at, "cancelled_at": r.cancelled_at,
        },
        "meeting": meetings::view(&found.meeting),
    }))
}

/// Erases a registration: it is cancelled first, so that the waitlist moves up.
pub async fn erase_registration(state: &AppState, secret: &str) -> Result<(), Error> {
    let found = state
        .store
        .registration_by_link(&secrets::hash(secret))
        .await?
        .ok_or_else(gone)?;
    if found.registration.status != passerelle_store::RegistrationStatus::Cancelled {
        meetings::cancel_registration(state, secret).await?;
    }
    state
        .store
        .erase_registration(found.registration.id)
        .await?;
    Ok(())
}

/// What `passerelle maintenance` did.
#[derive(Clone, Debug, Default)]
pub struct Maintenance {
    pub expired_proposals: usize,
    pub reminders: usize,
    pub retention: passerelle_store::Retention,
}

/// The periodic chores as of `now`, safe to run from cron at any
/// frequency: expire unanswered proposals and match those families again,
/// queue reminders, and anonymise what the retention period no longer allows.
pub async fn maintenance(state: &AppState, now: DateTime<Utc>) -> Result<Maintenance, Error> {
    let before = now
        .checked_sub_months(Months::new(state.config.retention_months))
        .unwrap_or(now);
    Ok(Maintenance {
        expired_proposals: matching::expire_and_rematch(state, now).await?,
        reminders: meetings::queue_reminders(state, now).await?,
        retention: state.store.apply_retention(before, now).await?,
    })
}
