//! Contact requests of hesitant parents: creation with an instant match,
//! the private status page, withdrawal and feedback.
use chrono::Utc;
use passerelle_sectors::SectorKey;
use passerelle_store::entities::{contact_requests, proposals, referents};
use passerelle_store::{NewRequest, ProposalState, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Error;
use crate::invalid::{Checks, Problem};
use crate::referents::{CONSENT_VERSION, grade_text};
use crate::state::AppState;
use crate::{matching, secrets, sectors, validate};
use passerelle_matching::Grade;

/// A hesitant parent's form.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ContactForm {
    pub first_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Home, WGS84; or give `address` instead.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Home address as people type it, resolved offline.
    pub address: Option<String>,
    /// Collège(s) of concern; default: every collège of the sector.
    #[serde(default)]
    pub concern_uais: Vec<String>,
    /// CM1 or CM2.
    pub child_grade: String,
    #[serde(default)]
    pub languages: Vec<String>,
    /// phone, email or meeting.
    pub preferred_contact: String,
    pub concerns: Option<String>,
    pub consent: bool,
}

/// How the family prefers to be contacted.
fn contact_way(value: &str) -> Result<String, Problem> {
    match value {
        "phone" | "email" | "meeting" => Ok(value.to_owned()),
        "" => Err(Problem::Missing),
        other => Err(Problem::ContactWay {
            value: other.to_owned(),
        }),
    }
}

/// Records a request and proposes a referent at once when one is free.
/// Returns the request, the secret of its status link, and the proposal.
pub async fn create(
    state: &AppState,
    form: ContactForm,
) -> Result<(contact_requests::Model, String, Option<proposals::Model>), Error> {
    let mut checks = Checks::new();
    let first_name = checks.take("first_name", validate::first_name(&form.first_name));
    let email = checks.take(
        "email",
        validate::optional(form.email.as_deref(), validate::email),
    );
    let phone = checks.take(
        "phone",
        validate::optional(form.phone.as_deref(), validate::phone),
    );
    if email.is_none() && phone.is_none() && !checks.has("email") && !checks.has("phone") {
        checks.add("email", Problem::EmailOrPhoneMissing);
    }
    let grade = checks.take(
        "child_grade",
        validate::grade(
            &form.child_grade,
            Grade::Cm1..=Grade::Cm2,
            Problem::PrimaryGrade,
        )
        .map(Some),
    );
    let preferred = checks.take("preferred_contact", contact_way(&form.preferred_contact));
    let languages = checks.take("languages", validate::languages(&form.languages));
    let concerns = checks.take(
        "concerns",
        validate::free_text(form.concerns.as_deref(), 2000),
    );
    let typed_concern = checks.take(
        "concern_uais",
        form.concern_uais
            .iter()
            .map(|uai| validate::uai(uai))
            .collect::<Result<Vec<_>, _>>(),
    );
    checks.take("consent", validate::consent(form.consent));
    checks.done()?;
    let Some(grade) = grade else {
        unreachable!("a missing grade refuses the form")
    };
    if let Some(email) = &email {
        state.limits.check_email(email)?;
    }
    let catalog = state.catalog();
    let addresses = state.addresses();
    let (lat, lon) = match (form.lat, form.lon, form.address.as_deref()) {
        (Some(lat), Some(lon), _) => (lat, lon),
        (_, _, Some(address)) => {
            let best = addresses
                .search(address, 1)?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    Error::NotFound("aucune adresse ne correspond à cette recherche".into())
                })?;
            (best.lat, best.lon)
        }
        _ => return Err(Problem::HomeMissing.at("address").into()),
    };
    let found = sectors::lookup(
        &catalog,
        &addresses,
        lat,
        lon,
        None,
        state.config.nearest_max_m,
    )?;
    let sector_uais: Vec<String> = found.schools.iter().map(|s| s.uai.clone()).collect();
    let concern: Vec<String> = if typed_concern.is_empty() {
        sector_uais.clone()
    } else {
        if let Some(uai) = typed_concern.iter().find(|uai| !sector_uais.contains(uai)) {
            let uai = uai.clone();
            return Err(Problem::SchoolNotInSector { uai }.at("concern_uais").into());
        }
        typed_concern
    };
    let sector_key = SectorKey::from_uais(&sector_uais)
        .map_err(|e| Error::Internal(anyhow::anyhow!("the sector found has no valid key: {e}")))?;
    let secret = secrets::generate("dem_");
    let request = state
        .store
        .insert_request(NewRequest {
            first_name,
            email,
            phone,
            lat,
            lon,
            // 0: a sector known only from an address-range carte scolaire.
            sector_id: found.sector.id.unwrap_or(0),
            sector_name: found.sector.name.clone(),
            sector_uais: sector_key,
            school_year: found.school_year.to_string(),
            concern_uais: concern,
            child_grade: grade_text(grade),
            languages,
            preferred_contact: preferred,
            concerns,
            consent_version: CONSENT_VERSION.to_owned(),
            link_hash: secrets::hash(&secret),
            link_expires_at: Utc::now() + state.config.link_ttl,
        })
        .await?;
    let proposal = matching::match_one(state, &request).await?;
    Ok((request, secret, proposal))
}

/// What the family sees of its referent: contact details only once the
/// referent has accepted.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReferentContact {
    pub first_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub uai: String,
    pub child_grade: String,
}

/// The private status page of a request.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RequestStatus {
    pub id: i64,
    /// open, matched, withdrawn or completed.
    #[schema(value_type = String)]
    pub status: passerelle_store::RequestStatus,
    pub sector_name: String,
    /// The state of the current proposal, if any: proposed, accepted, completed…
    #[schema(value_type = Option<String>)]
    pub proposal_state: Option<ProposalState>,
    pub referent: Option<ReferentContact>,
}

async fn by_link(state: &AppState, secret: &str) -> Result<contact_requests::Model, Error> {
    state
        .store
        .request_by_link(&secrets::hash(secret), Utc::now())
        .await?
        .ok_or_else(|| Error::NotFound("ce lien est inconnu ou a expiré".into()))
}

fn contact(p: &proposals::Model, r: &referents::Model) -> Option<ReferentContact> {
    (p.state == ProposalState::Accepted || p.state == ProposalState::Completed).then(|| {
        ReferentContact {
            first_name: r.first_name.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            uai: r.uai.clone(),
            child_grade: r.child_grade.clone(),
        }
    })
}

/// The status behind a private link.
pub async fn status(state: &AppState, secret: &str) -> Result<RequestStatus, Error> {
    let request = by_link(state, secret).await?;
    let proposals = state.store.proposals_of_request(request.id).await?;
    let current = proposals.iter().find(|(p, _)| {
        [
            ProposalState::Proposed,
            ProposalState::Accepted,
            ProposalState::Completed,
        ]
        .contains(&p.state)
    });
    Ok(RequestStatus {
        id: request.id,
        status: request.status,
        sector_name: request.sector_name,
        proposal_state: current.map(|(p, _)| p.state),
        referent: current.and_then(|(p, r)| contact(p, r)),
    })
}

fn wrong_state(e: StoreError) -> Error {
    match e {
        StoreError::WrongState(s) => {
            Error::Conflict(format!("ce n'est pas possible dans l'état actuel ({s})"))
        }
        e => e.into(),
    }
}

/// The family withdraws its request.
pub async fn withdraw(state: &AppState, secret: &str) -> Result<RequestStatus, Error> {
    let request = by_link(state, secret).await?;
    state
        .store
        .withdraw_request(request.id, Utc::now())
        .await
        .map_err(wrong_state)?;
    status(state, secret).await
}

/// Feedback after the conversation.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct Feedback {
    /// Did the families meet or talk?
    pub met: bool,
    /// How useful it was, 1 to 5.
    pub usefulness: Option<i32>,
}

/// Records feedback and completes the request.
pub async fn feedback(
    state: &AppState,
    secret: &str,
    feedback: Feedback,
) -> Result<RequestStatus, Error> {
    if feedback.usefulness.is_some_and(|u| !(1..=5).contains(&u)) {
        return Err(Problem::Range { min: 1, max: 5 }.at("usefulness").into());
    }
    let request = by_link(state, secret).await?;
    state
        .store
        .complete_request(request.id, feedback.met, feedback.usefulness, Utc::now())
        .await
        .map_err(wrong_state)?;
    status(state, secret).await
}

/// The contact requests of the caller's sectors, oldest first.
pub async fn list_for(
    state: &AppState,
    scope: &crate::access::Scope,
) -> Result<Vec<contact_requests::Model>, Error> {
    Ok(state
        .store
        .requests()
        .await?
        .into_iter()
        .filter(|r| scope.allows(&r.sector_uais))
        .collect())
}
