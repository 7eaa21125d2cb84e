//! Why an input is refused, as stable codes with their parameters. The
//! application decides; the edges (problem+json, the pages, the CLI) put it
//! into French or English words, beside the field it names.
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

/// What is wrong with one value. The serde tag is the stable code that
/// problem+json sends in `errors[].code`; the other fields are its
/// parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    /// A required value left blank (a choice not made).
    Missing,
    /// Empty, or longer than `max` characters (one-line values).
    Length {
        max: usize,
    },
    /// A line break, a control character, `<` or `>` in a one-line value.
    NotOneLine,
    /// Longer than `max` characters (free text).
    TooLong {
        max: usize,
    },
    /// A control character in free text.
    ControlCharacter,
    Email,
    Phone,
    /// Not an ISO 639-1 code.
    LanguageCode {
        value: String,
    },
    TooManyLanguages {
        max: usize,
    },
    /// Not seven digits and a letter.
    Uai {
        value: String,
    },
    ConsentMissing,
    /// Neither an e-mail address nor a phone number.
    EmailOrPhoneMissing,
    /// A family's child is in CM1 or CM2.
    PrimaryGrade,
    /// A referent's child is in 6e to 3e.
    CollegeGrade,
    /// Not phone, email or meeting.
    ContactWay {
        value: String,
    },
    /// Neither an address nor a position.
    HomeMissing,
    /// A collège outside the sector of the home.
    SchoolNotInSector {
        uai: String,
    },
    /// A collège of no known sector.
    SchoolUnknown {
        uai: String,
    },
    /// A number outside `min..=max`.
    Range {
        min: i64,
        max: i64,
    },
    /// More guests than the seats left.
    NotEnoughSeats,
    PasswordTooShort {
        min: usize,
    },
    PasswordTooLong {
        max_bytes: usize,
    },
    PasswordBlank,
    PasswordCommon,
    TimeZone {
        value: String,
    },
    /// Not a wall time such as `2027-03-12T18:30`.
    WallTime {
        value: String,
    },
    /// A wall time that a DST change skips.
    NonexistentTime {
        local: NaiveDateTime,
        zone: String,
    },
    /// A wall time that a DST change repeats.
    AmbiguousTime {
        local: NaiveDateTime,
        zone: String,
    },
    StartPast,
    /// Later than the planning horizon; `latest` is the last day allowed.
    StartTooFar {
        latest: NaiveDate,
    },
    EndBeforeStart,
    /// A meeting longer than `max_hours`.
    TooLongMeeting {
        max_hours: i64,
    },
    DeadlineAfterStart,
    /// Neither a venue nor an online link.
    VenueOrLink,
    /// An online link that is not an http(s) URL.
    Url,
    /// A venue without its name or address.
    VenueIncomplete,
    NoSector,
    SectorUnknown {
        id: i64,
    },
}

impl Problem {
    /// The stable code, as problem+json sends it.
    pub fn code(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_owned(),
            _ => String::new(),
        }
    }

    /// The problem at `field`.
    pub fn at(self, field: &'static str) -> FieldError {
        FieldError {
            field,
            problem: self,
        }
    }
}

/// A problem with the value of one field, named as the API names it
/// (`first_name`, `venue.name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

/// For `map_err`: the problem as the error of `field`.
pub fn at(field: &'static str) -> impl Fn(Problem) -> FieldError {
    move |problem| problem.at(field)
}

/// Collects the problems of a whole form, so that a person sees every field
/// to fix at once rather than one per attempt.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value when it passed, else its default, with the problem kept
    /// against `field`; [`Checks::done`] then refuses the form, so the
    /// default is never used.
    pub fn take<T: Default>(&mut self, field: &'static str, checked: Result<T, Problem>) -> T {
        checked.unwrap_or_else(|problem| {
            self.add(field, problem);
            T::default()
        })
    }

    /// Keeps a problem against `field`, unless it already has one.
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        if !self.has(field) {
            self.0.push(problem.at(field));
        }
    }

    /// True when `field` already has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// Refuses the form when any field has a problem (`?` makes it an
    /// `Error::Invalid`).
    pub fn done(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_params_ride_along() {
        let problem = Problem::Length { max: 60 };
        assert_eq!(problem.code(), "length");
        assert_eq!(
            serde_json::to_value(&problem).unwrap(),
            serde_json::json!({ "code": "length", "max": 60 })
        );
        assert_eq!(
            Problem::EmailOrPhoneMissing.code(),
            "email_or_phone_missing"
        );
    }

    #[test]
    fn a_form_keeps_one_problem_per_field() {
        let mut checks = Checks::new();
        let name: String = checks.take("first_name", Err(Problem::Length { max: 60 }));
        assert_eq!(name, "");
        checks.add("first_name", Problem::NotOneLine);
        let email = checks.take("email", Ok("a@b.fr".to_owned()));
        assert_eq!(email, "a@b.fr");
        let Err(errors) = checks.done() else {
            panic!("a problem refuses the form")
        };
        assert_eq!(errors, [Problem::Length { max: 60 }.at("first_name")]);
        assert!(Checks::new().done().is_ok());
    }
}
