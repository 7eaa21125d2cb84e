//! What a meeting must be: its times, its place and its title.
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use passerelle_calendar::{CalendarError, resolve_local};

use super::Venue;
use crate::error::Error;
use crate::validate;

pub(super) fn zone(name: &str) -> Result<Tz, Error> {
    name.parse()
        .map_err(|_| Error::Invalid(format!("fuseau horaire inconnu : « {name} »")))
}

/// A local wall time as a UTC instant, refusing the times a DST change
/// skips or repeats.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz, field: &str) -> Result<DateTime<Utc>, Error> {
    resolve_local(local, tz).map_err(|e| match e {
        CalendarError::NonexistentLocalTime { .. } => Error::Invalid(format!(
            "{field} : {} n'existe pas à {tz}, les horloges sautent cette heure au changement d'heure",
            local.format("%Y-%m-%d %H:%M")
        )),
        CalendarError::AmbiguousLocalTime { .. } => Error::Invalid(format!(
            "{field} : {} est ambiguë à {tz}, cette heure se répète au changement d'heure",
            local.format("%Y-%m-%d %H:%M")
        )),
        other => Error::Invalid(format!("{field} : {other}")),
    })
}

pub(super) fn check_venue(venue: &Option<Venue>, online_url: &Option<String>) -> Result<(), Error> {
    if venue.is_none() && online_url.as_deref().is_none_or(str::is_empty) {
        return Err(Error::Invalid(
            "indiquez un lieu (venue) ou un lien de visioconférence (online_url)".into(),
        ));
    }
    if let Some(url) = online_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
            return Err(Error::Invalid(
                "online_url doit commencer par https:// et ne pas contenir d'espace".into(),
            ));
        }
        validate::single_line(url, 2000, "le lien de visioconférence (online_url)")?;
    }
    if let Some(v) = venue {
        if v.name.trim().is_empty() || v.address.trim().is_empty() {
            return Err(Error::Invalid(
                "le lieu a besoin d'un nom et d'une adresse".into(),
            ));
        }
        validate::single_line(&v.name, 200, "le nom du lieu (venue.name)")?;
        validate::single_line(&v.address, 300, "l'adresse du lieu (venue.address)")?;
        if let (Some(lat), Some(lon)) = (v.lat, v.lon) {
            crate::sectors::validate_coordinates(lat, lon)?;
        }
    }
    Ok(())
}

pub(super) fn check_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
    capacity: i32,
) -> Result<(), Error> {
    if ends_at <= starts_at {
        return Err(Error::Invalid("la fin doit venir après le début".into()));
    }
    if ends_at - starts_at > TimeDelta::hours(12) {
        return Err(Error::Invalid("une réunion dure 12 heures au plus".into()));
    }
    if deadline > starts_at {
        return Err(Error::Invalid(
            "la date limite d'inscription doit précéder le début".into(),
        ));
    }
    if !(1..=10_000).contains(&capacity) {
        return Err(Error::Invalid(
            "la capacité doit être comprise entre 1 et 10 000".into(),
        ));
    }
    Ok(())
}

pub(super) fn title(text: &str) -> Result<String, Error> {
    validate::single_line(text, 200, "le titre (title)")
}
