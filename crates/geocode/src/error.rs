//! The one error type of the crate.

use std::fmt;

/// Why a search query was refused rather than answered.
///
/// Its `Display` is a short English sentence that can be shown to the person
/// who typed the query; it never repeats the query itself.
///
/// ```
/// use passerelle_geocode::QueryProblem;
///
/// assert_eq!(QueryProblem::Empty.to_string(), "the query is empty");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum QueryProblem {
    /// Nothing but spaces.
    Empty,
    /// Longer than [`crate::MAX_QUERY_CHARS`] characters.
    TooLong,
    /// Fewer than two letters or digits.
    TooShort,
    /// Digits and punctuation only: no street name.
    NoLetters,
    /// Only words such as "de", "la", "les".
    OnlyStopwords,
    /// Only a street type ("rue"), a city or a postcode: no street name.
    NoStreetName,
    /// No word of the query is known to the address base, even allowing a
    /// typo; or no address matches and most words are unknown.
    Unrecognised,
}

impl fmt::Display for QueryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "the query is empty",
            Self::TooLong => "the query is too long for an address",
            Self::TooShort => "the query is too short: type at least a street name",
            Self::NoLetters => "the query has no letters: type a street name",
            Self::OnlyStopwords => "the query has only short words like \"de\" or \"la\": type a street name",
            Self::NoStreetName => "the query names no street: type the street name, not only its type, city or postcode",
            Self::Unrecognised => "the query does not look like an address: its words match no known street or city",
        })
    }
}

/// Everything that can go wrong in this crate.
///
/// Reading errors name the 1-based line of the CSV file and the problem; they
/// quote file content only for numbers and column names, never address text.
///
/// ```
/// use passerelle_geocode::{GeocodeError, QueryProblem};
///
/// let err = GeocodeError::Query(QueryProblem::NoLetters);
/// assert_eq!(err.to_string(), "query refused: the query has no letters: type a street name");
/// let err = GeocodeError::MissingColumn { column: "numero".into() };
/// assert_eq!(err.to_string(), "line 1: missing column `numero`");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GeocodeError {
    /// The header lacks a required column.
    #[error("line 1: missing column `{column}`")]
    MissingColumn {
        /// The column name expected.
        column: String,
    },

    /// A row is malformed (wrong number, coordinates out of range, invalid UTF-8...).
    #[error("line {line}: {problem}")]
    Row {
        /// 1-based line in the file (the header is line 1).
        line: u64,
        /// What is wrong with it.
        problem: String,
    },

    /// The bytes could not be read, e.g. a truncated gzip file.
    #[error("read failed after line {line}: {source}")]
    Io {
        /// Last line read successfully (0 before the header).
        line: u64,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The file is not text, or has an overlong or cut-off line; see
    /// [`crate::TextProblem`].
    #[error("{0}")]
    Text(#[from] crate::TextProblem),

    /// The search query cannot be answered; see [`QueryProblem`].
    #[error("query refused: {0}")]
    Query(QueryProblem),
}

impl GeocodeError {
    pub(crate) fn row(line: u64, problem: impl Into<String>) -> Self {
        Self::Row {
            line,
            problem: problem.into(),
        }
    }

    /// Maps a csv error without leaking the record's text into the message.
    pub(crate) fn from_csv(
        err: csv::Error,
        line_of: &crate::lines::LineOf,
        last_line: u64,
    ) -> Self {
        let line = err
            .position()
            .map_or(last_line + 1, |p| line_of.line(p.byte()));
        match err.into_kind() {
            csv::ErrorKind::Io(source) => {
                if let Some(problem) = crate::TextProblem::of(&source) {
                    return Self::Text(problem);
                }
                let source = if source.kind() == std::io::ErrorKind::UnexpectedEof {
                    std::io::Error::new(
                        source.kind(),
                        format!("{source} (truncated or corrupt gzip file?)"),
                    )
                } else {
                    source
                };
                Self::Io {
                    line: last_line,
                    source,
                }
            }
            csv::ErrorKind::Utf8 { .. } => Self::row(line, "invalid UTF-8"),
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Self::row(
                line,
                format!("{len} fields where the header has {expected_len}"),
            ),
            _ => Self::row(line, "malformed CSV"),
        }
    }
}
