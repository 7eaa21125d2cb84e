//! The words people read for what the application says in codes. The
//! application refuses a value with a [`Problem`] at a field; this crate
//! says it in French or in English, once for every edge: problem+json's
//! `detail`, the sentence beside a form field, the CLI's one-line error.
//!
//! ```
//! use passerelle_app::invalid::Problem;
//! use passerelle_words::{Lang, api_field_error, field_error};
//!
//! let error = Problem::Length { max: 60 }.at("first_name");
//! assert_eq!(field_error(Lang::Fr, &error), "le prénom doit compter de 1 à 60 caractères");
//! assert_eq!(field_error(Lang::En, &error), "the first name must have 1 to 60 characters");
//! let title = Problem::Length { max: 200 }.at("title");
//! assert_eq!(api_field_error(&title), "le titre (title) doit compter de 1 à 200 caractères");
//! ```
#![forbid(unsafe_code)]

mod en;
mod fr;

use passerelle_app::invalid::FieldError;

/// The languages people read Passerelle in: French unless they chose English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language of an ISO 639-1 code, if Passerelle speaks it.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the link that switches.
    pub fn other(self) -> Self {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }
}

/// What is wrong with a field, for a person filling a form: a sentence
/// without its capital (the page adds it).
pub fn field_error(lang: Lang, error: &FieldError) -> String {
    match lang {
        Lang::Fr => fr::field_error(error.field, &error.problem, false),
        Lang::En => en::field_error(error.field, &error.problem),
    }
}

/// The same in French for a developer or an organiser at the command
/// line: a field that French names otherwise also gets its name in the
/// request, e.g. `le titre (title)`.
pub fn api_field_error(error: &FieldError) -> String {
    fr::field_error(error.field, &error.problem, true)
}

/// Every error of a request in one line, for the `detail` of problem+json
/// and the CLI.
pub fn api_field_errors(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(api_field_error)
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// Every error of a form in one sentence, for a page that cannot put them
/// beside their fields.
pub fn field_errors(lang: Lang, errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| field_error(lang, e))
        .collect::<Vec<_>>()
        .join(" ; ")
}
