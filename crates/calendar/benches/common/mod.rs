//! The benchmark feed: a sector's meetings, shared by the criterion bench
//! and `examples/render_feed.rs` (which the Python comparison runs).

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use chrono_tz::Europe::Paris;
use passerelle_calendar::{CalAddress, Event, EventStatus, Geo, meeting_uid, resolve_local};

const COLLEGES: &[&str] = &[
    "Voltaire",
    "Alain-Fournier",
    "Anne Frank",
    "Beaumarchais",
    "Pierre-Jean de Béranger",
    "Lucie et Raymond Aubrac",
];

/// `n` meetings from January 2027, several a day, as a sector feed holds them.
pub fn sector_feed(n: usize) -> Vec<Event> {
    let first_day = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let stamp = resolve_local(first_day.and_hms_opt(9, 0, 0).unwrap(), Paris).unwrap();
    (0..n)
        .map(|i| {
            let day = first_day + TimeDelta::days((i / 14) as i64);
            let (h, m) = if i % 2 == 0 { (18, 30) } else { (10, 0) };
            let start = resolve_local(day.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()), Paris)
                .unwrap();
            let college = COLLEGES[i % COLLEGES.len()];
            let mut e = Event::new(
                meeting_uid(i, "passerelle.example"),
                stamp,
                start,
                start + TimeDelta::minutes(90),
                Paris,
                format!("Réunion de quartier n°{i} — collège {college}, secteur {}", i % 40),
            );
            e.sequence = (i % 3) as u32;
            e.description = Some(format!(
                "Rencontre entre parents hésitants et parents d'élèves du collège {college}.\n\
                 Questions; réponses, visite. Goûter offert — entrée libre, sans inscription (réf. {i})."
            ));
            e.location = Some(format!("Salle polyvalente, {} rue de la Roquette, 75011 Paris", i % 120 + 1));
            e.geo = Some(Geo { lat: 48.85 + (i % 100) as f64 * 1e-4, lon: 2.37 + (i % 50) as f64 * 1e-4 });
            e.url = Some(format!("https://passerelle.example/reunions/{i}"));
            if i % 25 == 0 {
                e.status = Some(EventStatus::Cancelled);
            }
            e.organizer = Some(CalAddress::new("bureau@passerelle.example", Some("Passerelle, bureau du 11e")));
            e
        })
        .collect()
}
