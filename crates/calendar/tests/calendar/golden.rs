//! Golden output: the exact bytes of one calendar of each kind.
//!
//! After an intended change of output, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p passerelle-calendar --test calendar golden`
//! (that run writes the files and fails), review the diff, then run the
//! tests again without the variable to check them.

use std::path::PathBuf;

use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Europe::Paris;
use passerelle_calendar::{
    Attendee, CalAddress, Event, Geo, cancellation, invite, meeting_uid, publish_feed,
    resolve_local,
};

fn paris(m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    let naive = NaiveDate::from_ymd_opt(2027, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap();
    resolve_local(naive, Paris).unwrap()
}

fn meeting() -> Event {
    let mut e = Event::new(
        meeting_uid(42, "passerelle.example"),
        paris(3, 1, 10, 0),
        paris(3, 12, 18, 30),
        paris(3, 12, 20, 0),
        Paris,
        "Réunion de quartier, collège Voltaire; parents de CM2",
    );
    e.description = Some(
        "Venez rencontrer des parents d'élèves du collège.\nGoûter offert; entrée libre, sans inscription."
            .into(),
    );
    e.location = Some("Salle polyvalente, 12 rue de la Roquette, 75011 Paris".into());
    e.geo = Some(Geo {
        lat: 48.8532,
        lon: 2.3701,
    });
    e.url = Some("https://passerelle.example/reunions/42".into());
    e.organizer = Some(CalAddress::new(
        "bureau@passerelle.example",
        Some("Passerelle, bureau"),
    ));
    e
}

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    // Updating and checking are two runs: an update run never passes.
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        panic!(
            "{} written; run again without UPDATE_GOLDEN to check it",
            path.display()
        );
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{name} differs from the golden file:\n{actual}"
    );
}

#[test]
fn golden_publish_feed() {
    let first = meeting();
    let mut second = first.rescheduled(paris(7, 3, 10, 0), paris(7, 3, 12, 0), paris(3, 2, 9, 0));
    second.uid = meeting_uid(43, "passerelle.example");
    second.summary = "Café des parents «spécial 6e»".into();
    let third = meeting_uid(44, "passerelle.example");
    let mut cancelled = first.cancelled(paris(3, 5, 9, 0));
    cancelled.uid = third;
    let ics = publish_feed(
        "Collège Voltaire — secteur 11e",
        TimeDelta::hours(6),
        &[first, second, cancelled],
    )
    .unwrap();
    check("publish.ics", &ics);
}

#[test]
fn golden_invitation_and_cancellation() {
    let e = meeting();
    let parent = Attendee::invitee("mimi.dupont@example.org", Some(r#"Dupont, "Mimi" Marie"#));
    check("request.ics", &invite(&e, &parent).unwrap());
    check(
        "cancel.ics",
        &cancellation(&e.cancelled(paris(3, 10, 8, 0)), &parent).unwrap(),
    );
}
