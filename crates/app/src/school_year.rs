//! School years such as `2024-2025`, which turn over on 1 September.
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Europe::Paris;

/// A school year, written `2024-2025`.
///
/// ```
/// use passerelle_app::school_year::SchoolYear;
/// let year: SchoolYear = "2024-2025".parse().unwrap();
/// assert_eq!(year.to_string(), "2024-2025");
/// assert!("2024-2026".parse::<SchoolYear>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchoolYear {
    start: u16,
}

impl SchoolYear {
    /// The school year that starts in September of `start`.
    pub fn starting(start: u16) -> Self {
        Self { start }
    }

    /// The school year in progress at `now`, on the Paris calendar.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use passerelle_app::school_year::SchoolYear;
    /// // 22:30 UTC on 31 August is already 1 September in Paris.
    /// let now = Utc.with_ymd_and_hms(2025, 8, 31, 22, 30, 0).unwrap();
    /// assert_eq!(SchoolYear::at(now).to_string(), "2025-2026");
    /// ```
    pub fn at(now: DateTime<Utc>) -> Self {
        let local = now.with_timezone(&Paris);
        let year = local.year() as u16;
        if local.month() >= 9 {
            Self::starting(year)
        } else {
            Self::starting(year - 1)
        }
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.start + 1)
    }
}

/// Written as its text, `"2024-2025"`, without an intermediate string.
impl serde::Serialize for SchoolYear {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Why a school year did not parse.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a school year: write it as two consecutive years, e.g. 2024-2025")]
pub struct BadSchoolYear(String);

impl FromStr for SchoolYear {
    type Err = BadSchoolYear;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadSchoolYear(s.to_owned());
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let (a, b): (u16, u16) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        if !(1900..=2999).contains(&a) || b != a + 1 {
            return Err(bad());
        }
        Ok(Self::starting(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn turns_over_on_first_of_september_in_paris() {
        let before = Utc.with_ymd_and_hms(2025, 8, 31, 21, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2025, 8, 31, 22, 0, 0).unwrap();
        assert_eq!(SchoolYear::at(before).to_string(), "2024-2025");
        assert_eq!(SchoolYear::at(after).to_string(), "2025-2026");
        let january = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        assert_eq!(SchoolYear::at(january).to_string(), "2025-2026");
    }

    #[test]
    fn rejects_malformed_years() {
        for bad in ["2024", "2024-2024", "abcd-efgh", "2024-2025-2026", ""] {
            assert!(bad.parse::<SchoolYear>().is_err(), "{bad}");
        }
        assert!("2023-2024" < "2024-2025");
        assert!(SchoolYear::starting(2023) < SchoolYear::starting(2024));
    }
}
