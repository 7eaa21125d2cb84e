//! What an import of school holidays gives: the holidays, the events left
//! out or repaired, and the holiday periods of one zone.

use chrono::NaiveDate;

use crate::zones::Zone;

/// One holiday piece from the Ministry's file. Dates are whole days;
/// `end` is exclusive: the day classes resume.
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::{SchoolHoliday, Zone};
///
/// let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
/// let h = SchoolHoliday { zones: vec![Zone::A], description: "Vacances de Printemps".into(), start: d(4, 4), end: d(4, 20), uid: None };
/// assert!(h.contains(d(4, 19)) && !h.contains(d(4, 20)));
/// assert!(h.applies_to(Zone::A) && !h.applies_to(Zone::C));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolHoliday {
    /// Zones concerned, sorted.
    pub zones: Vec<Zone>,
    /// What it is, without the zone suffix, e.g. `Vacances de Printemps`.
    pub description: String,
    /// First day without classes (the Ministry's DTSTART).
    pub start: NaiveDate,
    /// Day classes resume (exclusive end).
    pub end: NaiveDate,
    /// The event's UID, when it has one.
    pub uid: Option<String>,
}

impl SchoolHoliday {
    /// Whether `date` falls in the holiday.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// # use passerelle_calendar::{SchoolHoliday, Zone};
    /// # let d = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// let h = SchoolHoliday { zones: vec![Zone::C], description: "x".into(), start: d(2, 21), end: d(3, 9), uid: None };
    /// assert!(h.contains(d(2, 21)));
    /// ```
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    /// Whether the holiday is one of `zone`.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// # use passerelle_calendar::{SchoolHoliday, Zone};
    /// # let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    /// let h = SchoolHoliday { zones: vec![Zone::B, Zone::C], description: "x".into(), start: d, end: d, uid: None };
    /// assert!(h.applies_to(Zone::B));
    /// ```
    pub fn applies_to(&self, zone: Zone) -> bool {
        self.zones.contains(&zone)
    }
}

/// An event of the file that was not imported.
///
/// ```
/// let s = passerelle_calendar::SkippedEvent { index: 3, summary: None, reason: "no DTSTART".into() };
/// assert_eq!(s.to_string(), "event #3: no DTSTART");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEvent {
    /// 1-based position among the file's VEVENTs.
    pub index: usize,
    /// Its SUMMARY, when readable.
    pub summary: Option<String>,
    /// Why it was skipped.
    pub reason: String,
}

impl std::fmt::Display for SkippedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.summary {
            Some(s) => write!(f, "event #{} ({s}): {}", self.index, self.reason),
            None => write!(f, "event #{}: {}", self.index, self.reason),
        }
    }
}

/// What an import kept, skipped, and repaired.
///
/// ```
/// use passerelle_calendar::parse_school_holidays;
///
/// let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260404\r\n\
///            DTEND;VALUE=DATE:20260420\r\nSUMMARY:Vacances de Printemps - Zone A\r\n\
///            END:VEVENT\r\nEND:VCALENDAR\r\n";
/// let report = parse_school_holidays(ics).unwrap();
/// assert_eq!(report.holidays.len(), 1);
/// assert!(report.skipped.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolHolidayImport {
    /// Imported holidays, in file order.
    pub holidays: Vec<SchoolHoliday>,
    /// Events left out, with the reason.
    pub skipped: Vec<SkippedEvent>,
    /// Events imported after a repair (e.g. `?` read as an apostrophe), and
    /// lines outside events that could not be read.
    pub repairs: Vec<SkippedEvent>,
    /// Whether the file ends with `END:VCALENDAR`; a file cut short (a
    /// failed download) does not, and an importer should refuse it.
    pub complete: bool,
}

/// A holiday of one zone, pieces joined: the Ministry splits each holiday
/// into pieces by group of zones ("Zones A/B", then "Zones A/B/C").
///
/// ```
/// # use chrono::NaiveDate;
/// let p = passerelle_calendar::HolidayPeriod {
///     description: "Vacances de Printemps".into(),
///     start: NaiveDate::from_ymd_opt(2026, 4, 4).unwrap(),
///     end: NaiveDate::from_ymd_opt(2026, 4, 20).unwrap(),
/// };
/// assert_eq!(p.days(), 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayPeriod {
    /// Description of the first piece, without detail in parentheses.
    pub description: String,
    /// First day.
    pub start: NaiveDate,
    /// Exclusive end.
    pub end: NaiveDate,
}

impl HolidayPeriod {
    /// Number of days.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2026, 5, 15).unwrap();
    /// let p = passerelle_calendar::HolidayPeriod { description: "Pont".into(), start: d, end: d.succ_opt().unwrap() };
    /// assert_eq!(p.days(), 1);
    /// ```
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }
}

impl SchoolHolidayImport {
    /// Holidays of one zone, pieces of the same holiday joined, by date.
    ///
    /// ```
    /// use passerelle_calendar::{Zone, parse_school_holidays};
    ///
    /// let ics = "BEGIN:VCALENDAR\r\n\
    ///     BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260404\r\nDTEND;VALUE=DATE:20260411\r\nSUMMARY:Vacances de Printemps - Zone A\r\nEND:VEVENT\r\n\
    ///     BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260411\r\nDTEND;VALUE=DATE:20260420\r\nSUMMARY:Vacances de Printemps - Zones A/B\r\nEND:VEVENT\r\n\
    ///     END:VCALENDAR\r\n";
    /// let periods = parse_school_holidays(ics).unwrap().periods(Zone::A);
    /// assert_eq!(periods.len(), 1);
    /// assert_eq!(periods[0].days(), 16);
    /// ```
    pub fn periods(&self, zone: Zone) -> Vec<HolidayPeriod> {
        let mut pieces: Vec<&SchoolHoliday> = self
            .holidays
            .iter()
            .filter(|h| h.applies_to(zone))
            .collect();
        pieces.sort_by_key(|h| (h.start, h.end));
        let mut out: Vec<HolidayPeriod> = Vec::new();
        for h in pieces {
            let label = base_label(&h.description);
            match out.last_mut() {
                Some(last) if h.start <= last.end && base_label(&last.description) == label => {
                    last.end = last.end.max(h.end);
                }
                _ => out.push(HolidayPeriod {
                    description: label.to_owned(),
                    start: h.start,
                    end: h.end,
                }),
            }
        }
        out
    }

    /// Whether `date` is a school holiday in `zone`.
    ///
    /// ```
    /// # use chrono::NaiveDate;
    /// use passerelle_calendar::{Zone, parse_school_holidays};
    ///
    /// let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260515\r\nDTEND;VALUE=DATE:20260516\r\nSUMMARY:Pont de l'Ascension - Zones A/B/C\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    /// let import = parse_school_holidays(ics).unwrap();
    /// assert!(import.is_holiday(Zone::B, NaiveDate::from_ymd_opt(2026, 5, 15).unwrap()));
    /// assert!(!import.is_holiday(Zone::Corse, NaiveDate::from_ymd_opt(2026, 5, 15).unwrap()));
    /// ```
    pub fn is_holiday(&self, zone: Zone, date: NaiveDate) -> bool {
        self.holidays
            .iter()
            .any(|h| h.applies_to(zone) && h.contains(date))
    }
}

/// `Vacances d'Été (prérentrée Enseignants )` → `Vacances d'Été`.
fn base_label(description: &str) -> &str {
    description
        .split_once(" (")
        .map_or(description, |(head, _)| head)
        .trim()
}
