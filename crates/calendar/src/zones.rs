//! Holiday zones (A, B, C, Corse) from départements and académies.
//!
//! Sources:
//! - département → académie: the Ministry's "adresse et géolocalisation des
//!   établissements" (`shared/data/national/colleges-geolocalisation.csv`,
//!   columns `code_departement`, `libelle_academie`); a test checks this
//!   table against that file row by row.
//! - académie → zone since rentrée 2015: A = Besançon, Bordeaux,
//!   Clermont-Ferrand, Dijon, Grenoble, Limoges, Lyon, Poitiers; B =
//!   Aix-Marseille, Amiens, Caen, Lille, Nancy-Metz, Nantes, Nice,
//!   Orléans-Tours, Reims, Rennes, Rouen, Strasbourg; C = Créteil,
//!   Montpellier, Paris, Toulouse, Versailles. Caen and Rouen merged into
//!   the académie de Normandie on 1 January 2020, in zone B like both.
//! - before rentrée 2015 (arrêté du 28 novembre 2000, art. 3): A = Caen,
//!   Clermont-Ferrand, Grenoble, Lyon, Montpellier, Nancy-Metz, Nantes,
//!   Rennes, Toulouse; B = Aix-Marseille, Amiens, Besançon, Dijon, Lille,
//!   Limoges, Nice, Orléans-Tours, Poitiers, Reims, Rouen, Strasbourg;
//!   C = Bordeaux, Créteil, Paris, Versailles. The Ministry's 2009–2026
//!   file uses both meanings of the letters.
//! - Corsica has its own calendar ("Corse" in the Ministry's file); the
//!   overseas académies have theirs too and belong to no zone.

use chrono::NaiveDate;

use crate::CalendarError;

/// A school-holiday zone of metropolitan France.
///
/// ```
/// use passerelle_calendar::Zone;
///
/// assert_eq!(Zone::C.to_string(), "C");
/// assert_eq!("corse".parse::<Zone>(), Ok(Zone::Corse));
/// assert!("D".parse::<Zone>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Zone {
    /// Zone A.
    A,
    /// Zone B.
    B,
    /// Zone C.
    C,
    /// Académie de Corse.
    Corse,
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Zone::A => "A",
            Zone::B => "B",
            Zone::C => "C",
            Zone::Corse => "Corse",
        })
    }
}

impl std::str::FromStr for Zone {
    type Err = CalendarError;

    /// Parses `A`, `B`, `C` or `Corse`, ignoring case and spaces.
    fn from_str(s: &str) -> Result<Self, CalendarError> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Ok(Zone::A),
            "B" => Ok(Zone::B),
            "C" => Ok(Zone::C),
            "CORSE" => Ok(Zone::Corse),
            _ => Err(CalendarError::UnknownZone(s.to_owned())),
        }
    }
}

/// Département code → académie name (as the Ministry spells it).
const DEPARTMENT_ACADEMY: &[(&str, &str)] = &[
    ("01", "Lyon"),
    ("02", "Amiens"),
    ("03", "Clermont-Ferrand"),
    ("04", "Aix-Marseille"),
    ("05", "Aix-Marseille"),
    ("06", "Nice"),
    ("07", "Grenoble"),
    ("08", "Reims"),
    ("09", "Toulouse"),
    ("10", "Reims"),
    ("11", "Montpellier"),
    ("12", "Toulouse"),
    ("13", "Aix-Marseille"),
    ("14", "Normandie"),
    ("15", "Clermont-Ferrand"),
    ("16", "Poitiers"),
    ("17", "Poitiers"),
    ("18", "Orléans-Tours"),
    ("19", "Limoges"),
    ("21", "Dijon"),
    ("22", "Rennes"),
    ("23", "Limoges"),
    ("24", "Bordeaux"),
    ("25", "Besançon"),
    ("26", "Grenoble"),
    ("27", "Normandie"),
    ("28", "Orléans-Tours"),
    ("29", "Rennes"),
    ("2A", "Corse"),
    ("2B", "Corse"),
    ("30", "Montpellier"),
    ("31", "Toulouse"),
    ("32", "Toulouse"),
    ("33", "Bordeaux"),
    ("34", "Montpellier"),
    ("35", "Rennes"),
    ("36", "Orléans-Tours"),
    ("37", "Orléans-Tours"),
    ("38", "Grenoble"),
    ("39", "Besançon"),
    ("40", "Bordeaux"),
    ("41", "Orléans-Tours"),
    ("42", "Lyon"),
    ("43", "Clermont-Ferrand"),
    ("44", "Nantes"),
    ("45", "Orléans-Tours"),
    ("46", "Toulouse"),
    ("47", "Bordeaux"),
    ("48", "Montpellier"),
    ("49", "Nantes"),
    ("50", "Normandie"),
    ("51", "Reims"),
    ("52", "Reims"),
    ("53", "Nantes"),
    ("54", "Nancy-Metz"),
    ("55", "Nancy-Metz"),
    ("56", "Rennes"),
    ("57", "Nancy-Metz"),
    ("58", "Dijon"),
    ("59", "Lille"),
    ("60", "Amiens"),
    ("61", "Normandie"),
    ("62", "Lille"),
    ("63", "Clermont-Ferrand"),
    ("64", "Bordeaux"),
    ("65", "Toulouse"),
    ("66", "Montpellier"),
    ("67", "Strasbourg"),
    ("68", "Strasbourg"),
    ("69", "Lyon"),
    ("70", "Besançon"),
    ("71", "Dijon"),
    ("72", "Nantes"),
    ("73", "Grenoble"),
    ("74", "Grenoble"),
    ("75", "Paris"),
    ("76", "Normandie"),
    ("77", "Créteil"),
    ("78", "Versailles"),
    ("79", "Poitiers"),
    ("80", "Amiens"),
    ("81", "Toulouse"),
    ("82", "Toulouse"),
    ("83", "Nice"),
    ("84", "Aix-Marseille"),
    ("85", "Nantes"),
    ("86", "Poitiers"),
    ("87", "Limoges"),
    ("88", "Nancy-Metz"),
    ("89", "Dijon"),
    ("90", "Besançon"),
    ("91", "Versailles"),
    ("92", "Versailles"),
    ("93", "Créteil"),
    ("94", "Créteil"),
    ("95", "Versailles"),
    ("971", "Guadeloupe"),
    ("972", "Martinique"),
    ("973", "Guyane"),
    ("974", "La Réunion"),
    ("975", "Saint Pierre et Miquelon"),
    ("976", "Mayotte"),
    ("977", "Guadeloupe"),
    ("978", "Guadeloupe"),
    ("986", "Wallis et Futuna"),
    ("987", "Polynésie Française"),
    ("988", "Nouvelle Calédonie"),
];

/// Académie → zone, since rentrée 2015.
const ACADEMY_ZONE: &[(&str, Zone)] = &[
    ("Besançon", Zone::A),
    ("Bordeaux", Zone::A),
    ("Clermont-Ferrand", Zone::A),
    ("Dijon", Zone::A),
    ("Grenoble", Zone::A),
    ("Limoges", Zone::A),
    ("Lyon", Zone::A),
    ("Poitiers", Zone::A),
    ("Aix-Marseille", Zone::B),
    ("Amiens", Zone::B),
    ("Caen", Zone::B),
    ("Lille", Zone::B),
    ("Nancy-Metz", Zone::B),
    ("Nantes", Zone::B),
    ("Nice", Zone::B),
    ("Normandie", Zone::B),
    ("Orléans-Tours", Zone::B),
    ("Reims", Zone::B),
    ("Rennes", Zone::B),
    ("Rouen", Zone::B),
    ("Strasbourg", Zone::B),
    ("Créteil", Zone::C),
    ("Montpellier", Zone::C),
    ("Paris", Zone::C),
    ("Toulouse", Zone::C),
    ("Versailles", Zone::C),
    ("Corse", Zone::Corse),
];

/// Académie → zone, before rentrée 2015 (Normandie did not exist: Caen and Rouen).
const ACADEMY_ZONE_BEFORE_2015: &[(&str, Zone)] = &[
    ("Caen", Zone::A),
    ("Clermont-Ferrand", Zone::A),
    ("Grenoble", Zone::A),
    ("Lyon", Zone::A),
    ("Montpellier", Zone::A),
    ("Nancy-Metz", Zone::A),
    ("Nantes", Zone::A),
    ("Rennes", Zone::A),
    ("Toulouse", Zone::A),
    ("Aix-Marseille", Zone::B),
    ("Amiens", Zone::B),
    ("Besançon", Zone::B),
    ("Dijon", Zone::B),
    ("Lille", Zone::B),
    ("Limoges", Zone::B),
    ("Nice", Zone::B),
    ("Orléans-Tours", Zone::B),
    ("Poitiers", Zone::B),
    ("Reims", Zone::B),
    ("Rouen", Zone::B),
    ("Strasbourg", Zone::B),
    ("Bordeaux", Zone::C),
    ("Créteil", Zone::C),
    ("Paris", Zone::C),
    ("Versailles", Zone::C),
    ("Corse", Zone::Corse),
];

/// First day of the school year with today's zones.
fn zones_reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 9, 1).unwrap_or_default()
}

/// Normalises `"75"`, `"075"`, `"2a"`, `"02A"`, `"1"` to the table's form.
fn normalize_department(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let stripped = code.trim_start_matches('0');
    let norm = match stripped.len() {
        0 => return None,
        1 => format!("0{stripped}"),
        _ => stripped.to_owned(),
    };
    // "20" is Corsica's code from before the 1976 split.
    Some(if norm == "20" { "2A".to_owned() } else { norm })
}

/// The académie of a département (`"75"`, `"075"`, `"2A"`, `"974"`…), as
/// the Ministry names it today.
///
/// ```
/// use passerelle_calendar::academy_for_department;
///
/// assert_eq!(academy_for_department("076"), Some("Normandie"));
/// assert_eq!(academy_for_department("2b"), Some("Corse"));
/// assert_eq!(academy_for_department("99"), None);
/// ```
pub fn academy_for_department(code: &str) -> Option<&'static str> {
    let code = normalize_department(code)?;
    DEPARTMENT_ACADEMY
        .iter()
        .find(|(d, _)| *d == code)
        .map(|(_, a)| *a)
}

/// The zone of an académie today (the Ministry's spelling, case-insensitive).
/// Overseas académies have their own calendars: `None`.
///
/// ```
/// use passerelle_calendar::{Zone, zone_for_academy};
///
/// assert_eq!(zone_for_academy("Créteil"), Some(Zone::C));
/// assert_eq!(zone_for_academy("normandie"), Some(Zone::B));
/// assert_eq!(zone_for_academy("La Réunion"), None);
/// ```
pub fn zone_for_academy(name: &str) -> Option<Zone> {
    lookup(ACADEMY_ZONE, name)
}

fn lookup(table: &[(&str, Zone)], name: &str) -> Option<Zone> {
    let name = name.trim();
    table
        .iter()
        .find(|(a, _)| a.to_lowercase() == name.to_lowercase())
        .map(|(_, z)| *z)
}

/// The holiday zone of a département today (zones in force since rentrée 2015).
///
/// Accepts `"75"`, `"075"`, `"2A"`, `"02B"`, `"1"`. Overseas départements
/// (971–976) have their own calendars and belong to no zone: `None`, as for
/// unknown codes.
///
/// ```
/// use passerelle_calendar::{Zone, zone_for_department};
///
/// assert_eq!(zone_for_department("75"), Some(Zone::C));
/// assert_eq!(zone_for_department("59"), Some(Zone::B));
/// assert_eq!(zone_for_department("069"), Some(Zone::A));
/// assert_eq!(zone_for_department("2A"), Some(Zone::Corse));
/// assert_eq!(zone_for_department("974"), None);
/// ```
pub fn zone_for_department(code: &str) -> Option<Zone> {
    zone_for_academy(academy_for_department(code)?)
}

/// The zone of a département on a given day: the letters meant other
/// académies before rentrée 2015, which matters when reading the
/// Ministry's older holidays.
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::{Zone, zone_for_department_on};
///
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// assert_eq!(zone_for_department_on("33", d(2014, 10, 1)), Some(Zone::C)); // Bordeaux
/// assert_eq!(zone_for_department_on("33", d(2015, 10, 1)), Some(Zone::A));
/// assert_eq!(zone_for_department_on("14", d(2012, 1, 1)), Some(Zone::A)); // Caen
/// assert_eq!(zone_for_department_on("76", d(2012, 1, 1)), Some(Zone::B)); // Rouen
/// ```
pub fn zone_for_department_on(code: &str, date: NaiveDate) -> Option<Zone> {
    if date >= zones_reform_day() {
        return zone_for_department(code);
    }
    let mut academy = academy_for_department(code)?;
    if academy == "Normandie" {
        let norm = normalize_department(code)?;
        academy = if matches!(norm.as_str(), "14" | "50" | "61") {
            "Caen"
        } else {
            "Rouen"
        };
    }
    lookup(ACADEMY_ZONE_BEFORE_2015, academy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossary_examples() {
        for (dep, zone) in [
            ("75", Zone::C),
            ("93", Zone::C),
            ("94", Zone::C),
            ("77", Zone::C),
            ("78", Zone::C),
            ("92", Zone::C),
            ("34", Zone::C),
            ("31", Zone::C),
            ("59", Zone::B),
            ("62", Zone::B),
            ("35", Zone::B),
            ("69", Zone::A),
            ("33", Zone::A),
            ("2B", Zone::Corse),
        ] {
            assert_eq!(zone_for_department(dep), Some(zone), "{dep}");
        }
    }

    #[test]
    fn codes_are_normalised() {
        assert_eq!(zone_for_department(" 1 "), Some(Zone::A));
        assert_eq!(zone_for_department("001"), Some(Zone::A));
        assert_eq!(zone_for_department("20"), Some(Zone::Corse));
        assert_eq!(zone_for_department("0"), None);
        assert_eq!(zone_for_department("96"), None);
        assert_eq!(zone_for_department("7 5"), None);
        assert_eq!(zone_for_department(""), None);
    }

    #[test]
    fn every_metropolitan_department_has_a_zone() {
        let metro = DEPARTMENT_ACADEMY.iter().filter(|(d, _)| d.len() == 2);
        assert_eq!(metro.clone().count(), 96);
        for (d, _) in metro {
            assert!(zone_for_department(d).is_some(), "{d}");
            assert!(
                zone_for_department_on(d, NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()).is_some(),
                "{d}"
            );
        }
    }
}
