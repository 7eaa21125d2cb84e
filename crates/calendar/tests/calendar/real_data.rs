//! Tests against the real open data in `../shared/data` (never copied into
//! the repository). Set `PASSERELLE_DATA` to use another location.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use chrono_tz::Europe::Paris;
use passerelle_calendar::{
    Availability, CandidateRule, SchoolHolidayImport, SlotRequest, Zone, academy_for_department,
    easter_sunday, parse_school_holidays, public_holidays_between, suggest_slots, zone_for_academy,
    zone_for_department,
};

fn data(rel: &str) -> PathBuf {
    let root = std::env::var_os("PASSERELLE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let path = root.join(rel);
    assert!(
        path.exists(),
        "{} is missing: the shared data must sit beside the repository",
        path.display()
    );
    path
}

fn ministry_calendar() -> SchoolHolidayImport {
    let text =
        std::fs::read_to_string(data("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics")).unwrap();
    parse_school_holidays(&text).expect("the Ministry's file is iCalendar")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn ministry_calendar_imports_every_event_it_can() {
    let import = ministry_calendar();
    let raw =
        std::fs::read_to_string(data("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics")).unwrap();
    let events = raw.matches("BEGIN:VEVENT").count();
    // Every event is either imported or reported, none silently lost.
    assert_eq!(import.holidays.len() + import.skipped.len(), events);
    assert!(import.holidays.len() >= 190, "{:#?}", import.skipped);
    for h in &import.holidays {
        assert!(h.start < h.end, "{h:?}");
        assert!(!h.zones.is_empty());
        assert!(!h.description.contains("Zone"), "{h:?}");
        assert!(!h.description.contains('?'), "{h:?}");
    }
    // The zero-length "Début des Vacances d'Été" markers are kept and reported.
    assert!(
        import
            .repairs
            .iter()
            .any(|r| r.reason.contains("equals DTSTART"))
    );
}

#[test]
fn known_holidays_are_read_with_the_right_dates() {
    let import = ministry_calendar();
    let find = |zone, start| {
        import
            .periods(zone)
            .into_iter()
            .find(|p| p.start == start)
            .unwrap_or_else(|| panic!("no period from {start} in zone {zone}"))
    };
    // Published dates: winter 2026, zone A 7–23 February, zone C 21 February–9 March;
    // spring 2026, zone A 4–20 April (pieces "Zone A", "Zones A/B", "Zones A/B/C" joined).
    let p = find(Zone::A, d(2026, 2, 7));
    assert_eq!(
        (p.description.as_str(), p.end),
        ("Vacances d'Hiver", d(2026, 2, 23))
    );
    assert_eq!(find(Zone::C, d(2026, 2, 21)).end, d(2026, 3, 9));
    assert_eq!(find(Zone::A, d(2026, 4, 4)).end, d(2026, 4, 20));
    let p = find(Zone::B, d(2025, 10, 18));
    assert_eq!(
        (p.description.as_str(), p.end),
        ("Vacances de la Toussaint", d(2025, 11, 3))
    );
    assert!(import.is_holiday(Zone::C, d(2026, 3, 2)));
    assert!(!import.is_holiday(Zone::A, d(2026, 3, 2)));
}

#[test]
fn every_pont_de_l_ascension_follows_our_ascension_day() {
    let import = ministry_calendar();
    let ponts: Vec<_> = import
        .holidays
        .iter()
        .filter(|h| h.description.starts_with("Pont de l'Ascension"))
        .collect();
    assert!(ponts.len() >= 5);
    for p in ponts {
        // The bridge covers the Friday after Ascension Thursday; some years
        // it starts on the Thursday, or after classes on the Wednesday (2020).
        let ascension = easter_sunday(p.start.year()).unwrap() + TimeDelta::days(39);
        assert_eq!(ascension.weekday(), Weekday::Thu);
        let lag = (p.start - ascension).num_days();
        assert!((-1..=1).contains(&lag), "{p:?}");
        assert!(p.contains(ascension + TimeDelta::days(1)), "{p:?}");
    }
}

#[test]
fn department_table_matches_the_ministry_school_list() {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(data("national/colleges-geolocalisation.csv"))
        .unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (dep_col, aca_col) = (col("code_departement"), col("libelle_academie"));
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        let (dep, aca) = (row[dep_col].to_owned(), row[aca_col].to_owned());
        assert_eq!(
            academy_for_department(&dep),
            Some(aca.as_str()),
            "département {dep}"
        );
        seen.insert(dep, aca);
    }
    // Every metropolitan département and Corsica appear in the file.
    assert!(seen.len() >= 101, "{}", seen.len());
    for (dep, aca) in &seen {
        let overseas = dep.starts_with("97") || dep.starts_with("98");
        assert_eq!(zone_for_department(dep).is_none(), overseas, "{dep} {aca}");
        assert_eq!(zone_for_department(dep), zone_for_academy(aca));
    }
}

#[test]
fn suggestions_for_paris_avoid_zone_c_holidays() {
    let import = ministry_calendar();
    let holidays = import.periods(Zone::C);
    let (from, to) = (d(2026, 2, 9), d(2026, 3, 22));
    let public = public_holidays_between(from, to, Some("75"));
    let rules = CandidateRule::defaults();
    let slots = suggest_slots(&SlotRequest {
        from,
        to,
        duration: TimeDelta::minutes(90),
        tz: Paris,
        rules: &rules,
        availability: Availability {
            invitees: 12,
            weekday_evenings: 9,
            wednesday_afternoons: 2,
            weekends: 5,
        },
        school_holidays: &holidays,
        public_holidays: &public,
        existing: &[],
    });
    // 42 days minus the 16 of the winter holidays (Sat 21 Feb to Sun 8 Mar
    // 2026): 20 weekday evenings and 6 weekend mornings.
    assert_eq!(slots.len(), 26);
    for s in &slots {
        let day = s.start.with_timezone(&Paris).date_naive();
        assert!(!import.is_holiday(Zone::C, day), "{day}");
    }
    assert!(slots[..20].iter().all(|s| s.score == 9));
    assert!(
        slots[20..]
            .iter()
            .all(|s| s.score == 5
                && s.start.with_timezone(&Paris).weekday().number_from_monday() >= 6)
    );
}

#[test]
fn a_ministry_calendar_cut_short_is_not_complete() {
    let text =
        std::fs::read_to_string(data("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics")).unwrap();
    assert!(parse_school_holidays(&text).unwrap().complete);
    // Cut at a line end, where nothing else shows the loss.
    let mut cut = text.len() / 2;
    while !text[..cut].ends_with("\r\n") {
        cut += 1;
    }
    let half = parse_school_holidays(&text[..cut]).unwrap();
    assert!(!half.complete);
    assert!(half.holidays.len() < ministry_calendar().holidays.len());
}
