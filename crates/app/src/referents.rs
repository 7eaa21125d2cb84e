//! Referents: volunteering, their private space, and their answers.
use chrono::Utc;
use passerelle_store::entities::{contact_requests, proposals, referents};
use passerelle_store::{NewReferent, ProposalState, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Error;
use crate::invalid::{Checks, Problem, at};
use crate::state::AppState;
use crate::{matching, secrets, validate};
use passerelle_matching::Grade;

/// The version of the consent text people agree to.
pub const CONSENT_VERSION: &str = "2026-11";

/// A volunteer's form.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct Volunteer {
    pub first_name: String,
    pub email: String,
    pub phone: Option<String>,
    /// UAI of the child's collège, which must be in a known sector.
    pub uai: String,
    /// The child's grade: 6e, 5e, 4e or 3e.
    pub child_grade: String,
    /// ISO 639-1 codes; default `["fr"]`.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Families per month, 1 to 10.
    pub monthly_capacity: i32,
    #[serde(default)]
    pub weekday_evenings: bool,
    #[serde(default)]
    pub wednesday_afternoons: bool,
    #[serde(default)]
    pub weekends: bool,
    pub consent: bool,
}

/// Families a referent may meet per month.
const MONTHLY_CAPACITY: std::ops::RangeInclusive<i32> = 1..=10;

fn capacity(value: i32) -> Result<i32, Problem> {
    if MONTHLY_CAPACITY.contains(&value) {
        Ok(value)
    } else {
        Err(Problem::Range {
            min: (*MONTHLY_CAPACITY.start()).into(),
            max: (*MONTHLY_CAPACITY.end()).into(),
        })
    }
}

/// Registers a referent; returns it with the secret of their private link.
pub async fn volunteer(
    state: &AppState,
    form: Volunteer,
) -> Result<(referents::Model, String), Error> {
    let mut checks = Checks::new();
    let first_name = checks.take("first_name", validate::first_name(&form.first_name));
    let email = checks.take("email", validate::email(&form.email));
    let phone = checks.take(
        "phone",
        validate::optional(form.phone.as_deref(), validate::phone),
    );
    let uai = checks.take("uai", validate::uai(&form.uai));
    let catalog = state.catalog();
    if !checks.has("uai")
        && !catalog
            .sectors_by_school(crate::sectors::year_choice(None))
            .contains_key(uai.as_str())
    {
        checks.add("uai", Problem::SchoolUnknown { uai: uai.clone() });
    }
    let grade = checks.take(
        "child_grade",
        validate::grade(
            &form.child_grade,
            Grade::Sixieme..=Grade::Troisieme,
            Problem::CollegeGrade,
        )
        .map(Some),
    );
    let languages = checks.take("languages", validate::languages(&form.languages));
    let monthly_capacity = checks.take("monthly_capacity", capacity(form.monthly_capacity));
    checks.take("consent", validate::consent(form.consent));
    checks.done()?;
    let Some(grade) = grade else {
        unreachable!("a missing grade refuses the form")
    };
    state.limits.check_email(&form.email)?;
    let secret = secrets::generate("ref_");
    let referent = state
        .store
        .insert_referent(NewReferent {
            first_name,
            email,
            phone,
            uai,
            child_grade: grade_text(grade),
            languages,
            monthly_capacity,
            weekday_evenings: form.weekday_evenings,
            wednesday_afternoons: form.wednesday_afternoons,
            weekends: form.weekends,
            consent_version: CONSENT_VERSION.to_owned(),
            link_hash: secrets::hash(&secret),
            link_expires_at: Utc::now() + state.config.link_ttl,
        })
        .await?;
    Ok((referent, secret))
}

/// The stored text of a grade.
pub fn grade_text(grade: passerelle_matching::Grade) -> String {
    grade.as_str().to_owned()
}

/// The referent of a private link.
pub async fn by_link(state: &AppState, secret: &str) -> Result<referents::Model, Error> {
    state
        .store
        .referent_by_link(&secrets::hash(secret), Utc::now())
        .await?
        .ok_or_else(|| Error::NotFound("ce lien est inconnu ou a expiré".into()))
}

/// What a referent sees of a family: no contact detail before acceptance.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FamilyView {
    pub first_name: String,
    pub sector_name: String,
    /// The collège(s) the family asks about.
    pub concern_uais: Vec<String>,
    pub child_grade: String,
    pub languages: Vec<String>,
    pub preferred_contact: String,
    pub concerns: Option<String>,
    /// Only once the referent has accepted.
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A proposal as its referent sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReferentProposal {
    pub id: i64,
    #[schema(value_type = String)]
    pub state: ProposalState,
    pub created_at: chrono::DateTime<Utc>,
    pub expires_at: chrono::DateTime<Utc>,
    pub family: FamilyView,
}

/// A referent's private space.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReferentSpace {
    pub first_name: String,
    pub uai: String,
    pub child_grade: String,
    pub monthly_capacity: i32,
    pub paused: bool,
    pub proposals: Vec<ReferentProposal>,
}

fn family_view(p: &proposals::Model, r: &contact_requests::Model) -> FamilyView {
    let revealed = p.state == ProposalState::Accepted || p.state == ProposalState::Completed;
    FamilyView {
        first_name: r.first_name.clone(),
        sector_name: r.sector_name.clone(),
        concern_uais: r.concern_uais.0.clone(),
        child_grade: r.child_grade.clone(),
        languages: r.languages.0.clone(),
        preferred_contact: r.preferred_contact.clone(),
        concerns: r.concerns.clone(),
        email: revealed.then(|| r.email.clone()).flatten(),
        phone: revealed.then(|| r.phone.clone()).flatten(),
    }
}

/// The space of a referent (found by their private link or session).
pub async fn space(state: &AppState, referent_id: i64) -> Result<ReferentSpace, Error> {
    let referent = state
        .store
        .referent(referent_id)
        .await?
        .ok_or_else(|| Error::NotFound("ce parent référent n'existe plus".into()))?;
    let proposals = state.store.proposals_of_referent(referent.id).await?;
    Ok(ReferentSpace {
        first_name: referent.first_name,
        uai: referent.uai,
        child_grade: referent.child_grade,
        monthly_capacity: referent.monthly_capacity,
        paused: referent.paused,
        proposals: proposals
            .iter()
            // Superseded proposals were never the referent's business.
            .filter(|(p, _)| p.state != ProposalState::Superseded)
            .map(|(p, r)| ReferentProposal {
                id: p.id,
                state: p.state,
                created_at: p.created_at,
                expires_at: p.expires_at,
                family: family_view(p, r),
            })
            .collect(),
    })
}

/// Changes of capacity or pause.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct Settings {
    pub monthly_capacity: Option<i32>,
    pub paused: Option<bool>,
}

/// Applies a referent's settings.
pub async fn update(
    state: &AppState,
    referent_id: i64,
    settings: Settings,
) -> Result<ReferentSpace, Error> {
    let capacity = settings
        .monthly_capacity
        .map(capacity)
        .transpose()
        .map_err(at("monthly_capacity"))?;
    state
        .store
        .update_referent(referent_id, capacity, settings.paused)
        .await?;
    space(state, referent_id).await
}

/// The referent accepts or declines; a declined family is matched again at
/// once, never with the same referent.
pub async fn respond(
    state: &AppState,
    referent_id: i64,
    proposal_id: i64,
    accept: bool,
) -> Result<ReferentSpace, Error> {
    let proposal = state
        .store
        .respond(proposal_id, referent_id, accept, Utc::now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => {
                Error::NotFound(format!("la proposition {proposal_id} n'existe pas"))
            }
            StoreError::WrongState(s) => Error::Conflict(format!(
                "cette proposition n'attend plus de réponse (état : {s})"
            )),
            e => e.into(),
        })?;
    if !accept && let Some(request) = state.store.request(proposal.request_id).await? {
        matching::match_one(state, &request).await?;
    }
    space(state, referent_id).await
}

/// The referents whose collège is in one of the caller's sectors (this
/// year's map), oldest first.
pub async fn list_for(
    state: &AppState,
    scope: &crate::access::Scope,
) -> Result<Vec<referents::Model>, Error> {
    let catalog = state.catalog();
    let sectors = catalog.sectors_by_school(crate::sectors::year_choice(None));
    Ok(state
        .store
        .referents()
        .await?
        .into_iter()
        .filter(|r| {
            *scope == crate::access::Scope::All
                || sectors
                    .get(r.uai.as_str())
                    .is_some_and(|s| scope.allows(&s.key))
        })
        .collect())
}
