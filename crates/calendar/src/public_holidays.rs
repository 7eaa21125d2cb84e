//! French public holidays (jours fériés), computed for any year.
//!
//! National list: Code du travail, art. L3133-1. Alsace-Moselle (57, 67,
//! 68) adds Good Friday and 26 December (art. L3134-13). Overseas
//! départements add the day slavery was abolished there (loi n° 83-550 and
//! décret n° 83-1003; Mayotte since 2014).

use chrono::{Datelike, NaiveDate, TimeDelta};

/// A public holiday.
///
/// ```
/// use passerelle_calendar::public_holidays;
///
/// let h = &public_holidays(2027)[0];
/// assert_eq!((h.date.to_string().as_str(), h.name), ("2027-01-01", "Jour de l'an"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicHoliday {
    /// The day.
    pub date: NaiveDate,
    /// Its French name.
    pub name: &'static str,
}

/// Easter Sunday of a Gregorian year (anonymous algorithm, Meeus/Jones/Butcher).
/// `None` for years chrono cannot represent.
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::easter_sunday;
///
/// assert_eq!(easter_sunday(2027), NaiveDate::from_ymd_opt(2027, 3, 28));
/// ```
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The eleven national public holidays of `year`, by date.
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::public_holidays;
///
/// let days = public_holidays(2027);
/// assert_eq!(days.len(), 11);
/// let ascension = days.iter().find(|h| h.name == "Ascension").unwrap();
/// assert_eq!(ascension.date, NaiveDate::from_ymd_opt(2027, 5, 6).unwrap());
/// ```
pub fn public_holidays(year: i32) -> Vec<PublicHoliday> {
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let fixed =
        |m, d, name| NaiveDate::from_ymd_opt(year, m, d).map(|date| PublicHoliday { date, name });
    let moving = |days, name| PublicHoliday {
        date: easter + TimeDelta::days(days),
        name,
    };
    let mut out: Vec<PublicHoliday> = [
        fixed(1, 1, "Jour de l'an"),
        Some(moving(1, "Lundi de Pâques")),
        fixed(5, 1, "Fête du Travail"),
        fixed(5, 8, "Victoire 1945"),
        Some(moving(39, "Ascension")),
        Some(moving(50, "Lundi de Pentecôte")),
        fixed(7, 14, "Fête nationale"),
        fixed(8, 15, "Assomption"),
        fixed(11, 1, "Toussaint"),
        fixed(11, 11, "Armistice 1918"),
        fixed(12, 25, "Noël"),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.sort();
    out
}

/// Public holidays of `year` in one département: the national ones plus
/// local ones (Alsace-Moselle, overseas abolition of slavery). Unknown
/// codes get the national list.
///
/// ```
/// use passerelle_calendar::public_holidays_in_department;
///
/// assert_eq!(public_holidays_in_department(2027, "75").len(), 11);
/// let strasbourg = public_holidays_in_department(2027, "67");
/// assert!(strasbourg.iter().any(|h| h.name == "Vendredi saint"));
/// assert!(public_holidays_in_department(2027, "974").iter().any(|h| h.date.to_string() == "2027-12-20"));
/// ```
pub fn public_holidays_in_department(year: i32, department: &str) -> Vec<PublicHoliday> {
    let mut out = public_holidays(year);
    let code = department
        .trim()
        .trim_start_matches('0')
        .to_ascii_uppercase();
    let day = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let extra: Vec<(Option<NaiveDate>, &'static str)> = match code.as_str() {
        "57" | "67" | "68" => vec![
            (
                easter_sunday(year).map(|e| e - TimeDelta::days(2)),
                "Vendredi saint",
            ),
            (day(12, 26), "Saint-Étienne"),
        ],
        "971" => vec![(day(5, 27), "Abolition de l'esclavage")],
        "972" => vec![(day(5, 22), "Abolition de l'esclavage")],
        "973" => vec![(day(6, 10), "Abolition de l'esclavage")],
        "974" => vec![(day(12, 20), "Abolition de l'esclavage")],
        "976" if year >= 2014 => vec![(day(4, 27), "Abolition de l'esclavage")],
        _ => Vec::new(),
    };
    out.extend(
        extra
            .into_iter()
            .filter_map(|(date, name)| date.map(|date| PublicHoliday { date, name })),
    );
    out.sort();
    out
}

/// Whether `date` is a national public holiday.
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::is_public_holiday;
///
/// assert!(is_public_holiday(NaiveDate::from_ymd_opt(2027, 5, 17).unwrap())); // Lundi de Pentecôte
/// assert!(!is_public_holiday(NaiveDate::from_ymd_opt(2027, 5, 18).unwrap()));
/// ```
pub fn is_public_holiday(date: NaiveDate) -> bool {
    public_holidays(date.year()).iter().any(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_known_dates() {
        // Published Easter dates, including the earliest (22 March) and latest (25 April) possible.
        for (y, m, day) in [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "{y}");
        }
    }

    #[test]
    fn holidays_2025_match_the_official_list() {
        let got: Vec<String> = public_holidays(2025)
            .iter()
            .map(|h| format!("{} {}", h.date, h.name))
            .collect();
        assert_eq!(
            got,
            [
                "2025-01-01 Jour de l'an",
                "2025-04-21 Lundi de Pâques",
                "2025-05-01 Fête du Travail",
                "2025-05-08 Victoire 1945",
                "2025-05-29 Ascension",
                "2025-06-09 Lundi de Pentecôte",
                "2025-07-14 Fête nationale",
                "2025-08-15 Assomption",
                "2025-11-01 Toussaint",
                "2025-11-11 Armistice 1918",
                "2025-12-25 Noël",
            ]
        );
    }

    #[test]
    fn moving_holidays_fall_on_the_right_weekday() {
        for year in 1900..2200 {
            for h in public_holidays(year) {
                let expected = match h.name {
                    "Lundi de Pâques" | "Lundi de Pentecôte" => Some(chrono::Weekday::Mon),
                    "Ascension" => Some(chrono::Weekday::Thu),
                    _ => None,
                };
                if let Some(wd) = expected {
                    assert_eq!(h.date.weekday(), wd, "{year} {}", h.name);
                }
            }
        }
    }

    #[test]
    fn alsace_moselle_and_overseas() {
        let days = public_holidays_in_department(2026, "057");
        assert_eq!(days.len(), 13);
        assert!(days.contains(&PublicHoliday {
            date: d(2026, 4, 3),
            name: "Vendredi saint"
        }));
        assert!(days.contains(&PublicHoliday {
            date: d(2026, 12, 26),
            name: "Saint-Étienne"
        }));
        assert_eq!(public_holidays_in_department(2026, "972").len(), 12);
        assert_eq!(public_holidays_in_department(2013, "976").len(), 11);
        assert_eq!(public_holidays_in_department(2026, "2A").len(), 11);
    }
}
