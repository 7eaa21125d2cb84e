//! School holidays from the Ministry's calendar, and meeting slot
//! suggestions that avoid holidays and other meetings.
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use passerelle_calendar::{
    Availability, Busy, CandidateRule, HolidayPeriod, Zone, parse_school_holidays,
    public_holidays_between, suggest_slots, zone_for_department,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::CatalogSector;
use crate::error::Error;
use crate::state::AppState;

/// What a holiday import did.
#[derive(Clone, Debug, Serialize)]
pub struct HolidayReport {
    pub periods: usize,
    /// Events left out, each with why.
    pub skipped: Vec<String>,
    /// Events read with a repair (empty end, end before start…).
    pub repaired: Vec<String>,
}

/// Imports the school-holiday calendar, replacing the previous one. What is
/// valid is imported; what is not is reported.
///
/// A file cut short is refused: importing its first part would replace the
/// whole calendar with it.
pub async fn import(state: &AppState, bytes: Vec<u8>) -> Result<HolidayReport, Error> {
    crate::validate::text_file(&bytes)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::Refused(format!("the calendar is not UTF-8: {e}")))?;
    let parsed = parse_school_holidays(&text).map_err(|e| Error::Refused(e.to_string()))?;
    if !parsed.complete {
        return Err(Error::Refused(
            "the calendar does not end with END:VCALENDAR: the file looks truncated".into(),
        ));
    }
    let mut rows = Vec::new();
    for zone in [Zone::A, Zone::B, Zone::C, Zone::Corse] {
        for p in parsed.periods(zone) {
            rows.push((zone.to_string(), p.start, p.end, p.description));
        }
    }
    state.store.replace_school_holidays(&rows).await?;
    let describe =
        |s: &passerelle_calendar::SkippedEvent| format!("event {}: {}", s.index, s.reason);
    Ok(HolidayReport {
        periods: rows.len(),
        skipped: parsed.skipped.iter().map(describe).collect(),
        repaired: parsed.repairs.iter().map(describe).collect(),
    })
}

/// A suggested slot.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Local wall time in Paris.
    pub local_start: String,
    /// Invitees who said they are available for this kind of slot.
    pub score: u32,
    pub reasons: Vec<String>,
}

/// Suggested slots for a sector's next meeting, best first.
pub async fn suggestions(
    state: &AppState,
    sector: &CatalogSector,
    from: NaiveDate,
    to: NaiveDate,
    duration: TimeDelta,
) -> Result<Vec<SlotView>, Error> {
    if to < from || (to - from).num_days() > 92 {
        return Err(Error::BadRequest(
            "la période doit aller de `from` à `to`, sur 92 jours au plus".into(),
        ));
    }
    if duration < TimeDelta::minutes(15) || duration > TimeDelta::hours(6) {
        return Err(Error::BadRequest(
            "la durée doit être comprise entre 15 et 360 minutes".into(),
        ));
    }
    let catalog = state.catalog();
    let department = sector
        .uais
        .iter()
        .find_map(|uai| catalog.school(uai).department_code);
    let zone = department.as_deref().and_then(zone_for_department);
    let school_holidays: Vec<HolidayPeriod> = match zone {
        Some(zone) => state
            .store
            .school_holidays(&zone.to_string())
            .await?
            .into_iter()
            .map(|h| HolidayPeriod {
                description: h.description,
                start: h.start_date,
                end: h.end_date,
            })
            .collect(),
        None => Vec::new(),
    };
    let public = public_holidays_between(from, to, department.as_deref());
    let tz = chrono_tz::Europe::Paris;
    let window_start = from
        .and_hms_opt(0, 0, 0)
        .and_then(|d| d.and_local_timezone(tz).earliest())
        .map(|d| d.with_timezone(&Utc));
    let existing: Vec<Busy> = state
        .store
        .meetings(Some(&sector.key), window_start, None)
        .await?
        .into_iter()
        .filter(|m| m.meeting.status == passerelle_store::MeetingStatus::Scheduled)
        .map(|m| Busy {
            start: m.meeting.starts_at,
            end: m.meeting.ends_at,
        })
        .collect();
    let mut availability = Availability {
        invitees: 0,
        weekday_evenings: 0,
        wednesday_afternoons: 0,
        weekends: 0,
    };
    for r in state.store.referents().await? {
        if !r.paused && sector.uais.contains(&r.uai) {
            availability.invitees += 1;
            availability.weekday_evenings += u32::from(r.weekday_evenings);
            availability.wednesday_afternoons += u32::from(r.wednesday_afternoons);
            availability.weekends += u32::from(r.weekends);
        }
    }
    let rules = CandidateRule::defaults();
    let slots = suggest_slots(&passerelle_calendar::SlotRequest {
        from,
        to,
        duration,
        tz,
        rules: &rules,
        availability,
        school_holidays: &school_holidays,
        public_holidays: &public,
        existing: &existing,
    });
    Ok(slots
        .into_iter()
        .map(|s| SlotView {
            local_start: s
                .start
                .with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
            start: s.start,
            end: s.end,
            score: s.score,
            reasons: s.reasons,
        })
        .collect())
}
