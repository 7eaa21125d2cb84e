//! Figures for the association's public work: per sector and school year,
//! requests, matches, conversations held, meetings held and attendance.
//! Counts under 5 are suppressed, so that no family can be singled out.
use std::collections::BTreeMap;

use chrono::Utc;
use passerelle_sectors::SectorKey;
use passerelle_store::{MeetingStatus, ProposalState, RegistrationStatus};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::school_year::SchoolYear;
use crate::state::AppState;

/// Counts below this are published as null.
pub const SUPPRESS_BELOW: u64 = 5;

/// The figures of one sector and school year.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct SectorFigures {
    /// The sector's collèges joined with `+`.
    pub sector_key: String,
    pub sector_name: String,
    pub school_year: String,
    /// Null when under 5.
    pub requests: Option<u64>,
    pub matched: Option<u64>,
    /// Conversations that took place, as the families said.
    pub met: Option<u64>,
    pub meetings_held: Option<u64>,
    /// People registered and confirmed at the meetings held, guests included.
    pub attendance: Option<u64>,
    /// Sector id in the current maps, for drawing; null when the sector is
    /// known only from past requests.
    pub sector_id: Option<i64>,
}

#[derive(Default)]
struct Raw {
    name: String,
    requests: u64,
    matched: u64,
    met: u64,
    meetings: u64,
    attendance: u64,
}

fn published(n: u64) -> Option<u64> {
    (n >= SUPPRESS_BELOW).then_some(n)
}

/// Figures of `year` (every year when `None`), by sector.
pub async fn figures(
    state: &AppState,
    year: Option<SchoolYear>,
) -> Result<Vec<SectorFigures>, Error> {
    let mut raw: BTreeMap<(SectorKey, String), Raw> = BTreeMap::new();
    let wanted = |y: &str| year.is_none_or(|w| w.to_string() == y);
    let requests = state.store.requests().await?;
    let proposals = state.store.proposals().await?;
    for r in requests.iter().filter(|r| wanted(&r.school_year)) {
        let entry = raw
            .entry((r.sector_uais.clone(), r.school_year.clone()))
            .or_default();
        entry.name.clone_from(&r.sector_name);
        entry.requests += 1;
        let mine = proposals.iter().filter(|p| p.request_id == r.id);
        if mine
            .clone()
            .any(|p| p.state == ProposalState::Accepted || p.state == ProposalState::Completed)
        {
            entry.matched += 1;
        }
        if mine
            .clone()
            .any(|p| p.state == ProposalState::Completed && p.feedback_met == Some(true))
        {
            entry.met += 1;
        }
    }
    let now = Utc::now();
    for record in state.store.meetings(None, None, Some(now)).await? {
        let m = &record.meeting;
        if m.status != MeetingStatus::Scheduled || m.ends_at > now {
            continue;
        }
        let school_year = SchoolYear::at(m.starts_at).to_string();
        if !wanted(&school_year) {
            continue;
        }
        let people: u64 = state
            .store
            .registrations(m.id)
            .await?
            .iter()
            .filter(|r| r.status == RegistrationStatus::Confirmed)
            .map(|r| 1 + r.guests.max(0) as u64)
            .sum();
        for sector in &record.sectors {
            let entry = raw
                .entry((sector.sector_key.clone(), school_year.clone()))
                .or_default();
            entry.name.clone_from(&sector.sector_name);
            entry.meetings += 1;
            entry.attendance += people;
        }
    }
    let catalog = state.catalog();
    let current = catalog.sectors(crate::sectors::year_choice(None));
    Ok(raw
        .into_iter()
        .map(|((key, school_year), r)| SectorFigures {
            sector_id: current.iter().find(|s| s.key == key).map(|s| s.id),
            sector_key: key.to_string(),
            sector_name: r.name,
            school_year,
            requests: published(r.requests),
            matched: published(r.matched),
            met: published(r.met),
            meetings_held: published(r.meetings),
            attendance: published(r.attendance),
        })
        .collect())
}

/// The figures as a GeoJSON FeatureCollection of the current sector
/// polygons, for maps; sectors without a polygon are left out.
pub fn to_geojson(state: &AppState, rows: &[SectorFigures]) -> serde_json::Value {
    let catalog = state.catalog();
    let features: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|row| {
            let (_, geometry) = catalog.sector(row.sector_id?)?;
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": crate::catalog::geometry_to_geojson(geometry),
                "properties": row,
            }))
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}
