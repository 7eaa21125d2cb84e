//! Matching hesitant parents with referents: the engine of
//! `passerelle-matching` fed from storage, instantly for one new request and
//! in batch for everyone, plus the coverage report.
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use passerelle_matching::{
    Grade, LatLon, Loads, Referent, Request, Weights, best_referent, match_batch,
};
use passerelle_sectors::SectorKey;
use passerelle_store::entities::{contact_requests, proposals, referents};
use passerelle_store::{MatchingSnapshot, NewProposal, ProposalState, RequestStatus, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::{Catalog, YearChoice};
use crate::error::Error;
use crate::sectors::year_choice;
use crate::state::AppState;

/// The first instant of the current month in Paris: capacity is monthly.
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Paris);
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("the first of a month exists");
    Paris
        .from_local_datetime(&first)
        .earliest()
        .expect("midnight exists in Paris")
        .with_timezone(&Utc)
}

/// The engine's view of a snapshot.
struct EngineInput {
    requests: Vec<Request>,
    referents: Vec<Referent>,
    loads: Loads,
}

/// Maps storage rows to the engine's plain structs. Sectors are keyed by
/// their collèges; a referent belongs to the current sector of their
/// child's collège. `count_pending` also charges pending proposals to each
/// referent (the instant pick); the batch re-decides them instead.
fn engine_input(
    snapshot: &MatchingSnapshot,
    catalog: &Catalog,
    count_pending: bool,
) -> EngineInput {
    let by_school = catalog.sectors_by_school(year_choice(None));
    let mut sector_ids: HashMap<SectorKey, u64> = HashMap::new();
    let mut sector_id = |key: &SectorKey| {
        let next = sector_ids.len() as u64;
        *sector_ids.entry(key.clone()).or_insert(next)
    };
    let mut loads: Loads = snapshot
        .used
        .iter()
        .map(|(id, n)| (*id as u64, *n))
        .collect();
    if count_pending {
        for referent in snapshot.pending.values() {
            *loads.entry(*referent as u64).or_default() += 1;
        }
    }
    let requests = snapshot
        .requests
        .iter()
        .filter_map(|r| {
            let concern = &r.concern_uais.0;
            Some(Request {
                id: r.id as u64,
                sector: sector_id(&r.sector_uais),
                school_of_concern: (concern.len() == 1).then(|| concern[0].clone()),
                grade: Grade::parse(&r.child_grade)?,
                languages: r.languages.0.clone(),
                location: Some(LatLon {
                    lat: r.lat,
                    lon: r.lon,
                }),
                excluded_referents: snapshot
                    .excluded
                    .get(&r.id)
                    .map(|v| v.iter().map(|id| *id as u64).collect())
                    .unwrap_or_default(),
            })
        })
        .collect();
    let referents = snapshot
        .referents
        .iter()
        .filter_map(|r| {
            let sector = by_school.get(r.uai.as_str())?;
            let load = loads.get(&(r.id as u64)).copied().unwrap_or(0);
            let school = catalog.school(&r.uai);
            Some(Referent {
                id: r.id as u64,
                sector: sector_id(&sector.key),
                school: r.uai.clone(),
                child_grade: Grade::parse(&r.child_grade)?,
                languages: r.languages.0.clone(),
                location: school
                    .lat
                    .zip(school.lon)
                    .map(|(lat, lon)| LatLon { lat, lon }),
                capacity_left: (r.monthly_capacity.max(0) as u32).saturating_sub(load),
                paused: r.paused,
            })
        })
        .collect();
    EngineInput {
        requests,
        referents,
        loads,
    }
}

fn new_proposal(p: &passerelle_matching::Proposal) -> NewProposal {
    NewProposal {
        request_id: p.request as i64,
        referent_id: p.referent as i64,
        cost: p.cost as i64,
        explanation: serde_json::to_string(&p.explanation).expect("explanations serialise"),
    }
}

/// Proposes the best available referent to one open request at once.
/// Returns the proposal, or `None` when no referent is available now.
pub async fn match_one(
    state: &AppState,
    request: &contact_requests::Model,
) -> Result<Option<proposals::Model>, Error> {
    match_one_at(state, request, Utc::now()).await
}

/// [`match_one`] as of `now`: the month whose capacity is charged and the
/// start of the referent's time to answer.
pub async fn match_one_at(
    state: &AppState,
    request: &contact_requests::Model,
    now: DateTime<Utc>,
) -> Result<Option<proposals::Model>, Error> {
    let weights = Weights::default();
    // A concurrent request may take the last capacity between the pick and
    // the write: the write re-checks under a lock, and we pick again.
    for _ in 0..5 {
        let month = month_start(now);
        let snapshot = state
            .store
            .matching_snapshot(Some(&request.sector_uais), month)
            .await?;
        if snapshot.pending.contains_key(&request.id) {
            return Ok(None);
        }
        let catalog = state.catalog();
        let input = engine_input(&snapshot, &catalog, true);
        let Some(engine_request) = input.requests.iter().find(|r| r.id == request.id as u64) else {
            return Ok(None);
        };
        let Some(best) = best_referent(engine_request, &input.referents, &input.loads, &weights)
        else {
            return Ok(None);
        };
        let expires = now + state.config.proposal_ttl;
        if let Some(proposal) = state
            .store
            .propose(&new_proposal(&best), month, expires)
            .await?
        {
            return Ok(Some(proposal));
        }
    }
    Ok(None)
}

/// What a batch run did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BatchReport {
    /// Pending proposals the optimum keeps.
    pub kept: usize,
    /// New proposals.
    pub created: usize,
    /// Pending proposals replaced by better ones.
    pub superseded: usize,
    /// Proposals that expired before the run.
    pub expired: usize,
}

/// Expires overdue proposals, then re-optimises every pending proposal:
/// most families matched first, then least total cost. Accepted proposals
/// are never touched. One batch at a time, across processes.
pub async fn run_batch(state: &AppState) -> Result<BatchReport, Error> {
    let now = Utc::now();
    let expired = state.store.expire_due(now).await?.len();
    let mut attempts = 0;
    let outcome = loop {
        attempts += 1;
        let catalog = state.catalog();
        let result = state
            .store
            .run_batch(
                month_start(now),
                now + state.config.proposal_ttl,
                |snapshot| async move {
                    tokio::task::spawn_blocking(move || {
                        let input = engine_input(&snapshot, &catalog, false);
                        let batch = match_batch(
                            &input.requests,
                            &input.referents,
                            &input.loads,
                            &Weights::default(),
                        );
                        batch.proposals.iter().map(new_proposal).collect::<Vec<_>>()
                    })
                    .await
                    .unwrap_or_default()
                },
            )
            .await;
        match result {
            // The batch rolled back whole: a family got an instant proposal
            // (a new form, a decline) after the batch read its snapshot. It
            // runs again on fresh data.
            Err(StoreError::SnapshotStale) if attempts < 3 => continue,
            other => break other,
        }
    }
    .map_err(|e| match e {
        StoreError::BatchRunning => Error::Conflict(
            "un appariement est déjà en cours ; réessayez quand il sera terminé".into(),
        ),
        StoreError::SnapshotStale => Error::Conflict(
            "des demandes arrivent pendant l'appariement ; relancez-le dans un instant".into(),
        ),
        e => e.into(),
    })?;
    tracing::info!(
        kept = outcome.kept,
        created = outcome.created,
        superseded = outcome.superseded,
        expired,
        "matching batch done"
    );
    Ok(BatchReport {
        kept: outcome.kept,
        created: outcome.created,
        superseded: outcome.superseded,
        expired,
    })
}

/// Expires the proposals overdue at `now` and matches their requests
/// again at once.
pub async fn expire_and_rematch(state: &AppState, now: DateTime<Utc>) -> Result<usize, Error> {
    let requests = state.store.expire_due(now).await?;
    for id in &requests {
        if let Some(request) = state.store.request(*id).await? {
            match_one_at(state, &request, now).await?;
        }
    }
    Ok(requests.len())
}

/// One line of the coverage report.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CoverageRow {
    pub sector_id: i64,
    pub sector_name: String,
    pub territory: String,
    #[schema(value_type = String)]
    pub uais: SectorKey,
    /// Open requests without an accepted proposal.
    pub pending_requests: usize,
    /// Referents who are not paused.
    pub active_referents: usize,
    /// Monthly capacity still free across active referents.
    pub capacity_left: u32,
    /// Median hours from request to acceptance, when any was accepted.
    pub median_hours_to_acceptance: Option<f64>,
    /// Demand and no active referent: where the association should recruit.
    pub recruitment_target: bool,
}

/// Coverage of every sector of the current maps.
pub async fn coverage(state: &AppState) -> Result<Vec<CoverageRow>, Error> {
    let now = Utc::now();
    let month = month_start(now);
    let catalog = state.catalog();
    let requests = state.store.requests().await?;
    let referents = state.store.referents().await?;
    let proposals = state.store.proposals().await?;
    let mut used: HashMap<i64, u32> = HashMap::new();
    for p in &proposals {
        if ProposalState::COUNTED.contains(&p.state) && p.created_at >= month {
            *used.entry(p.referent_id).or_default() += 1;
        }
    }
    let requests_by_id: HashMap<i64, &contact_requests::Model> =
        requests.iter().map(|r| (r.id, r)).collect();
    let mut rows = Vec::new();
    for sector in catalog.sectors(YearChoice::Current(crate::school_year::SchoolYear::at(now))) {
        let pending_requests = requests
            .iter()
            .filter(|r| r.sector_uais == sector.key && r.status == RequestStatus::Open)
            .count();
        let active: Vec<&referents::Model> = referents
            .iter()
            .filter(|r| !r.paused && sector.uais.contains(&r.uai))
            .collect();
        let capacity_left = active
            .iter()
            .map(|r| {
                (r.monthly_capacity.max(0) as u32)
                    .saturating_sub(used.get(&r.id).copied().unwrap_or(0))
            })
            .sum();
        let mut hours: Vec<f64> = proposals
            .iter()
            .filter(|p| p.state == ProposalState::Accepted || p.state == ProposalState::Completed)
            .filter_map(|p| {
                let request = requests_by_id.get(&p.request_id)?;
                (request.sector_uais == sector.key).then_some(())?;
                let answered = p.responded_at?;
                Some((answered - request.created_at).num_seconds() as f64 / 3600.0)
            })
            .collect();
        hours.sort_by(f64::total_cmp);
        let median_hours_to_acceptance = match hours.len() {
            0 => None,
            n if n % 2 == 1 => Some(hours[n / 2]),
            n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
        };
        rows.push(CoverageRow {
            sector_id: sector.id,
            sector_name: sector.name().to_owned(),
            territory: sector.territory().to_owned(),
            uais: sector.key.clone(),
            pending_requests,
            active_referents: active.len(),
            capacity_left,
            median_hours_to_acceptance: median_hours_to_acceptance
                .map(|h| (h * 10.0).round() / 10.0),
            recruitment_target: pending_requests > 0 && active.is_empty(),
        });
    }
    Ok(rows)
}

/// Every proposal of a request in the caller's sectors, oldest first.
pub async fn proposals_for(
    state: &AppState,
    scope: &crate::access::Scope,
) -> Result<Vec<proposals::Model>, Error> {
    let rows = state.store.proposals().await?;
    let visible: Option<std::collections::HashSet<i64>> = match scope {
        crate::access::Scope::All => None,
        scope => Some(
            state
                .store
                .requests()
                .await?
                .into_iter()
                .filter(|r| scope.allows(&r.sector_uais))
                .map(|r| r.id)
                .collect(),
        ),
    };
    Ok(rows
        .into_iter()
        .filter(|p| visible.as_ref().is_none_or(|v| v.contains(&p.request_id)))
        .collect())
}
