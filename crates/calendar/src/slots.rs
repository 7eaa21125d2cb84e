//! Meeting slot suggestions, and local-time resolution.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

use crate::CalendarError;
use crate::public_holidays::{PublicHoliday, public_holidays_in_department};
use crate::school::HolidayPeriod;

/// The instant of a wall-clock time, refusing times that do not exist or
/// happen twice because of daylight saving time.
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::{CalendarError, resolve_local};
/// use chrono_tz::Europe::Paris;
///
/// let t = |d, h, m| NaiveDate::from_ymd_opt(2027, 3, d).unwrap().and_hms_opt(h, m, 0).unwrap();
/// assert_eq!(resolve_local(t(12, 18, 30), Paris).unwrap().to_rfc3339(), "2027-03-12T17:30:00+00:00");
/// let err = resolve_local(t(28, 2, 30), Paris).unwrap_err();
/// assert!(matches!(err, CalendarError::NonexistentLocalTime { .. }));
/// assert!(err.to_string().contains("does not exist"));
/// ```
pub fn resolve_local(naive: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, CalendarError> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            Err(CalendarError::AmbiguousLocalTime {
                local: naive,
                tz,
                earlier: a.min(b),
                later: a.max(b),
            })
        }
        LocalResult::None => Err(CalendarError::NonexistentLocalTime { local: naive, tz }),
    }
}

/// The kinds of moments invitees declare themselves available for.
///
/// ```
/// assert_eq!(passerelle_calendar::SlotCategory::Weekend.label(), "weekends");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlotCategory {
    /// Monday to Friday, after work.
    WeekdayEvening,
    /// Wednesday afternoon (no school for many pupils).
    WednesdayAfternoon,
    /// Saturday and Sunday.
    Weekend,
}

impl SlotCategory {
    /// Plural English label used in explanations.
    ///
    /// ```
    /// assert_eq!(passerelle_calendar::SlotCategory::WeekdayEvening.label(), "weekday evenings");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            SlotCategory::WeekdayEvening => "weekday evenings",
            SlotCategory::WednesdayAfternoon => "Wednesday afternoons",
            SlotCategory::Weekend => "weekends",
        }
    }
}

/// Where candidate slots start: on these weekdays, at this local time.
///
/// ```
/// use chrono::{NaiveTime, Weekday};
/// use passerelle_calendar::{CandidateRule, SlotCategory};
///
/// let rules = CandidateRule::defaults();
/// assert_eq!(rules[0].time, NaiveTime::from_hms_opt(18, 30, 0).unwrap());
/// assert_eq!(rules[1].days, vec![Weekday::Sat, Weekday::Sun]);
/// let wed = CandidateRule::wednesday_afternoon(NaiveTime::from_hms_opt(14, 0, 0).unwrap());
/// assert_eq!(wed.category, SlotCategory::WednesdayAfternoon);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateRule {
    /// Days of the week.
    pub days: Vec<Weekday>,
    /// Local start time.
    pub time: NaiveTime,
    /// Which availability count applies.
    pub category: SlotCategory,
}

impl CandidateRule {
    /// Weekday evenings at 18:30 and weekend mornings at 10:00.
    ///
    /// ```
    /// assert_eq!(passerelle_calendar::CandidateRule::defaults().len(), 2);
    /// ```
    pub fn defaults() -> Vec<CandidateRule> {
        use Weekday::*;
        vec![
            CandidateRule {
                days: vec![Mon, Tue, Wed, Thu, Fri],
                time: NaiveTime::from_hms_opt(18, 30, 0).unwrap_or_default(),
                category: SlotCategory::WeekdayEvening,
            },
            CandidateRule {
                days: vec![Sat, Sun],
                time: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
                category: SlotCategory::Weekend,
            },
        ]
    }

    /// Wednesdays at `time`, counted as Wednesday afternoons.
    ///
    /// ```
    /// # use chrono::NaiveTime;
    /// let r = passerelle_calendar::CandidateRule::wednesday_afternoon(NaiveTime::from_hms_opt(15, 0, 0).unwrap());
    /// assert_eq!(r.days, vec![chrono::Weekday::Wed]);
    /// ```
    pub fn wednesday_afternoon(time: NaiveTime) -> CandidateRule {
        CandidateRule {
            days: vec![Weekday::Wed],
            time,
            category: SlotCategory::WednesdayAfternoon,
        }
    }
}

/// How many invitees declared themselves available, per category.
///
/// ```
/// use passerelle_calendar::{Availability, SlotCategory};
///
/// let a = Availability { invitees: 20, weekday_evenings: 12, wednesday_afternoons: 5, weekends: 9 };
/// assert_eq!(a.count(SlotCategory::Weekend), 9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Availability {
    /// Invitees asked (the denominator of the explanations).
    pub invitees: u32,
    /// Available on weekday evenings.
    pub weekday_evenings: u32,
    /// Available on Wednesday afternoons.
    pub wednesday_afternoons: u32,
    /// Available on weekends.
    pub weekends: u32,
}

impl Availability {
    /// The count for one category.
    ///
    /// ```
    /// # use passerelle_calendar::{Availability, SlotCategory};
    /// let a = Availability { invitees: 3, weekday_evenings: 2, ..Default::default() };
    /// assert_eq!(a.count(SlotCategory::WeekdayEvening), 2);
    /// ```
    pub fn count(&self, category: SlotCategory) -> u32 {
        match category {
            SlotCategory::WeekdayEvening => self.weekday_evenings,
            SlotCategory::WednesdayAfternoon => self.wednesday_afternoons,
            SlotCategory::Weekend => self.weekends,
        }
    }
}

/// A time already taken (an existing meeting), `[start, end)`.
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let busy = passerelle_calendar::Busy { start: t, end: t + TimeDelta::hours(2) };
/// assert!(busy.end > busy.start);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
}

/// Everything [`suggest_slots`] needs.
///
/// ```
/// use chrono::{NaiveDate, TimeDelta};
/// use passerelle_calendar::{Availability, CandidateRule, SlotRequest};
///
/// let rules = CandidateRule::defaults();
/// let req = SlotRequest {
///     from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
///     to: NaiveDate::from_ymd_opt(2027, 3, 14).unwrap(),
///     duration: TimeDelta::minutes(90),
///     tz: chrono_tz::Europe::Paris,
///     rules: &rules,
///     availability: Availability { invitees: 10, weekday_evenings: 7, wednesday_afternoons: 0, weekends: 4 },
///     school_holidays: &[],
///     public_holidays: &[],
///     existing: &[],
/// };
/// assert_eq!(req.duration, TimeDelta::minutes(90));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SlotRequest<'a> {
    /// First local date considered.
    pub from: NaiveDate,
    /// Last local date considered (inclusive).
    pub to: NaiveDate,
    /// Length of the meeting.
    pub duration: TimeDelta,
    /// Zone of the rules' local times.
    pub tz: Tz,
    /// Where candidates start ([`CandidateRule::defaults`] if unsure).
    pub rules: &'a [CandidateRule],
    /// Invitees' declared availability.
    pub availability: Availability,
    /// School holidays of the invitees' zone
    /// ([`SchoolHolidayImport::periods`](crate::SchoolHolidayImport::periods)).
    pub school_holidays: &'a [HolidayPeriod],
    /// Public holidays ([`public_holidays_between`]).
    pub public_holidays: &'a [PublicHoliday],
    /// Meetings already planned; suggestions never overlap them.
    pub existing: &'a [Busy],
}

/// A proposed slot, with its score explained.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use passerelle_calendar::{SlotCategory, Suggestion};
///
/// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let s = Suggestion { start: t, end: t, category: SlotCategory::WeekdayEvening, score: 7, reasons: vec![] };
/// assert_eq!(s.score, 7);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// The category whose availability gave the score.
    pub category: SlotCategory,
    /// Invitees who declared themselves available for this kind of slot.
    pub score: u32,
    /// Why: the score, then what was checked.
    pub reasons: Vec<String>,
}

/// Public holidays falling between two dates (inclusive), for one
/// département when given (Alsace-Moselle and overseas add days).
///
/// ```
/// use chrono::NaiveDate;
/// use passerelle_calendar::public_holidays_between;
///
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let days = public_holidays_between(d(2026, 12, 1), d(2027, 1, 31), None);
/// assert_eq!(days.len(), 2); // Noël, Jour de l'an
/// ```
pub fn public_holidays_between(
    from: NaiveDate,
    to: NaiveDate,
    department: Option<&str>,
) -> Vec<PublicHoliday> {
    (from.year()..=to.year())
        .flat_map(|y| public_holidays_in_department(y, department.unwrap_or("")))
        .filter(|h| from <= h.date && h.date <= to)
        .collect()
}

/// Candidate slots between `from` and `to`, best first.
///
/// A candidate is dropped when its local date is a public holiday or in a
/// school holiday, when it overlaps an existing meeting, or when its local
/// start time does not exist or happens twice (DST change). The others are
/// ranked by how many invitees declared themselves available for their
/// category, then by date; `reasons` explains each score.
///
/// ```
/// use chrono::{NaiveDate, TimeDelta, Weekday, Datelike};
/// use passerelle_calendar::{Availability, CandidateRule, SlotRequest, public_holidays_between, suggest_slots};
///
/// let d = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
/// let rules = CandidateRule::defaults();
/// let holidays = public_holidays_between(d(5, 1), d(5, 9), None);
/// let slots = suggest_slots(&SlotRequest {
///     from: d(5, 3),
///     to: d(5, 9),
///     duration: TimeDelta::minutes(90),
///     tz: chrono_tz::Europe::Paris,
///     rules: &rules,
///     availability: Availability { invitees: 10, weekday_evenings: 7, wednesday_afternoons: 0, weekends: 4 },
///     school_holidays: &[],
///     public_holidays: &holidays,
///     existing: &[],
/// });
/// // Thursday 6 May is Ascension and Saturday 8 May is Victoire 1945.
/// assert_eq!(slots.len(), 5);
/// assert_eq!(slots[0].score, 7);
/// assert_eq!(slots[0].start.to_rfc3339(), "2027-05-03T16:30:00+00:00");
/// assert!(slots[0].reasons[0].contains("7 of 10 invitees"));
/// assert_eq!(slots[4].start.weekday(), Weekday::Sun);
/// ```
pub fn suggest_slots(req: &SlotRequest<'_>) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    if req.duration <= TimeDelta::zero() || req.from > req.to {
        return out;
    }
    for date in req.from.iter_days().take_while(|d| *d <= req.to) {
        if req.public_holidays.iter().any(|h| h.date == date) {
            continue;
        }
        for rule in req
            .rules
            .iter()
            .filter(|r| r.days.contains(&date.weekday()))
        {
            let Ok(start) = resolve_local(date.and_time(rule.time), req.tz) else {
                continue;
            };
            let end = start + req.duration;
            let end_date = end.with_timezone(&req.tz).date_naive();
            let in_holiday = req.school_holidays.iter().any(|h| {
                h.start <= end_date && date < h.end // the slot's days meet the holiday
            });
            let overlaps = req.existing.iter().any(|b| start < b.end && b.start < end);
            let ends_on_public_holiday =
                end_date != date && req.public_holidays.iter().any(|h| h.date == end_date);
            if in_holiday || overlaps || ends_on_public_holiday {
                continue;
            }
            let score = req.availability.count(rule.category);
            let mut reasons = vec![if req.availability.invitees == 0 {
                format!(
                    "no availability declared yet; {} for {}",
                    score,
                    rule.category.label()
                )
            } else {
                format!(
                    "{} of {} invitees are available on {}",
                    score,
                    req.availability.invitees,
                    rule.category.label()
                )
            }];
            reasons.push("not a public holiday nor in school holidays".into());
            if !req.existing.is_empty() {
                reasons.push("overlaps no planned meeting".into());
            }
            match out.iter_mut().find(|s| s.start == start) {
                // Two rules at the same time: keep the better explanation.
                Some(prev) if prev.score >= score => {}
                Some(prev) => {
                    *prev = Suggestion {
                        start,
                        end,
                        category: rule.category,
                        score,
                        reasons,
                    }
                }
                None => out.push(Suggestion {
                    start,
                    end,
                    category: rule.category,
                    score,
                    reasons,
                }),
            }
        }
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.start.cmp(&b.start)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    fn req<'a>(
        rules: &'a [CandidateRule],
        holidays: &'a [HolidayPeriod],
        existing: &'a [Busy],
        from: NaiveDate,
        to: NaiveDate,
    ) -> SlotRequest<'a> {
        SlotRequest {
            from,
            to,
            duration: TimeDelta::minutes(90),
            tz: Paris,
            rules,
            availability: Availability {
                invitees: 10,
                weekday_evenings: 3,
                wednesday_afternoons: 8,
                weekends: 6,
            },
            school_holidays: holidays,
            public_holidays: &[],
            existing,
        }
    }

    #[test]
    fn ambiguous_local_time_is_refused_with_both_instants() {
        let t = NaiveDate::from_ymd_opt(2027, 10, 31)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        match resolve_local(t, Paris) {
            Err(CalendarError::AmbiguousLocalTime { earlier, later, .. }) => {
                assert_eq!(earlier.to_rfc3339(), "2027-10-31T00:30:00+00:00");
                assert_eq!(later.to_rfc3339(), "2027-10-31T01:30:00+00:00");
            }
            other => panic!("{other:?}"),
        }
        let msg = resolve_local(t, Paris).unwrap_err().to_string();
        assert!(
            msg.contains("ambiguous") && msg.contains("Europe/Paris"),
            "{msg}"
        );
    }

    #[test]
    fn ranking_holidays_and_overlaps() {
        let mut rules = CandidateRule::defaults();
        rules.push(CandidateRule::wednesday_afternoon(
            NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
        ));
        let holidays = [HolidayPeriod {
            description: "Vacances d'Hiver".into(),
            start: d(2, 20),
            end: d(3, 8),
        }];
        // Week of Mon 8 March 2027, one meeting already on Tuesday evening.
        let tue = resolve_local(d(3, 9).and_hms_opt(19, 0, 0).unwrap(), Paris).unwrap();
        let existing = [Busy {
            start: tue,
            end: tue + TimeDelta::hours(1),
        }];
        let slots = suggest_slots(&req(&rules, &holidays, &existing, d(3, 6), d(3, 14)));
        let local: Vec<String> = slots
            .iter()
            .map(|s| {
                s.start
                    .with_timezone(&Paris)
                    .format("%a %d %H:%M")
                    .to_string()
            })
            .collect();
        assert_eq!(
            local,
            [
                "Wed 10 14:00",
                "Sat 13 10:00",
                "Sun 14 10:00",
                "Mon 08 18:30",
                "Wed 10 18:30",
                "Thu 11 18:30",
                "Fri 12 18:30",
            ]
        );
        assert_eq!(slots[0].score, 8);
        assert!(
            slots[0].reasons[0].contains("8 of 10 invitees are available on Wednesday afternoons")
        );
        assert!(
            slots
                .iter()
                .all(|s| s.end - s.start == TimeDelta::minutes(90))
        );
    }

    #[test]
    fn nonexistent_local_times_are_skipped() {
        let rules = [CandidateRule {
            days: vec![Weekday::Sun],
            time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            category: SlotCategory::Weekend,
        }];
        let slots = suggest_slots(&req(&rules, &[], &[], d(3, 21), d(4, 4)));
        let days: Vec<u32> = slots
            .iter()
            .map(|s| s.start.with_timezone(&Paris).day())
            .collect();
        // 28 March 2027 02:30 does not exist in Paris.
        assert_eq!(days, [21, 4]);
    }

    #[test]
    fn empty_or_inverted_ranges_give_nothing() {
        let rules = CandidateRule::defaults();
        assert!(suggest_slots(&req(&rules, &[], &[], d(3, 14), d(3, 1))).is_empty());
        let mut r = req(&rules, &[], &[], d(3, 1), d(3, 14));
        r.duration = TimeDelta::zero();
        assert!(suggest_slots(&r).is_empty());
    }
}
