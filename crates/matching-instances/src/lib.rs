//! The explicit text format of a matching [`Instance`], to check the
//! solver's optimality against other solvers (OR-tools,
//! `benches/matching_vs_ortools.sh`) and to benchmark it on files:
//!
//! ```text
//! R K                 requests, referents
//! c_0 c_1 … c_{K-1}   referent capacities (an empty line when K = 0)
//! M                   number of arcs
//! i j cost            M lines: 0-based request i, referent j, cost in 0..=u32::MAX
//! ```
//!
//! Blank lines may follow the arcs. A pair listed twice counts with its
//! cheaper cost (see [`solve_instance`](passerelle_matching::solve_instance)).
//!
//! ```
//! use passerelle_matching::solve_instance;
//! use passerelle_matching_instances::{Text, parse};
//!
//! let instance = parse("3 2\n1 1\n4\n0 0 4\n1 0 1\n1 1 3\n2 1 2\n")?;
//! let solution = solve_instance(&instance);
//! assert_eq!((solution.matched, solution.cost), (2, 3));
//! assert_eq!(parse(&Text(&instance).to_string())?, instance);
//! # Ok::<(), passerelle_matching_instances::ParseError>(())
//! ```
//!
//! The service's `passerelle matching solve FILE` reads this format; the
//! `generate` example writes it.
#![forbid(unsafe_code)]

mod arcs;
mod tokens;

use std::fmt;

use passerelle_matching::Instance;

pub use tokens::ParseError;
use tokens::{Cursor, bad_token, number, numbers, parse_err};

/// Parses the text format; errors name the 1-based line.
///
/// ```
/// use passerelle_matching_instances::parse;
///
/// assert!(parse("1 1\n1\n1\n0 0 2\n").is_ok());
/// let err = parse("1 2\n1\n0\n").unwrap_err();
/// assert_eq!(err.to_string(), "line 2: expected 2 capacities, found 1");
/// ```
pub fn parse(text: &str) -> Result<Instance, ParseError> {
    parse_bytes(text.as_bytes())
}

/// Same as [`parse`] on raw bytes (no UTF-8 check), e.g. a whole file
/// read at once. The arc lines are parsed in parallel.
///
/// ```
/// let i = passerelle_matching_instances::parse_bytes(b"1 1\r\n3\r\n1\r\n0 0 7\r\n\r\n")?;
/// assert_eq!(i.edges().len(), 1);
/// # Ok::<(), passerelle_matching_instances::ParseError>(())
/// ```
pub fn parse_bytes(bytes: &[u8]) -> Result<Instance, ParseError> {
    let mut cur = Cursor { bytes, pos: 0 };
    let header = cur.line(1, "`R K`")?;
    let [r, k] = numbers::<2>(header, 1, "`R K`")?;
    let (requests, k) = match (u32::try_from(r), u32::try_from(k)) {
        (Ok(r), Ok(k)) if r < u32::MAX && k < u32::MAX => (r, k),
        _ => return Err(parse_err(1, "R and K must be below 4294967295")),
    };
    let caps_line = cur.line(2, "the capacities")?;
    let mut capacities = Vec::with_capacity(k as usize);
    for token in caps_line.split(|b| b.is_ascii_whitespace()) {
        if token.is_empty() {
            continue;
        }
        let v = number(token).ok_or_else(|| bad_token(2, token))?;
        capacities.push(u32::try_from(v).map_err(|_| parse_err(2, "capacity too large"))?);
    }
    if capacities.len() != k as usize {
        return Err(parse_err(
            2,
            format!("expected {k} capacities, found {}", capacities.len()),
        ));
    }
    let m_line = cur.line(3, "`M`")?;
    let [m] = numbers::<1>(m_line, 3, "`M`")?;
    let m = usize::try_from(m).map_err(|_| parse_err(3, "M too large"))?;
    let edges = arcs::parse_arcs(&bytes[cur.pos..], m, requests, k)?;
    // Every index was checked while parsing, so this cannot fail.
    Instance::new(requests, capacities, edges).map_err(|e| parse_err(1, e.to_string()))
}

/// Writes an instance in the text format, which [`parse`] reads back.
///
/// ```
/// use passerelle_matching::{Edge, Instance};
/// use passerelle_matching_instances::Text;
///
/// let i = Instance::new(2, vec![1], vec![Edge { request: 1, referent: 0, cost: 3 }])?;
/// assert_eq!(Text(&i).to_string(), "2 1\n1\n1\n1 0 3\n");
/// # Ok::<(), passerelle_matching::MatchingError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Text<'a>(pub &'a Instance);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let instance = self.0;
        writeln!(f, "{} {}", instance.requests(), instance.capacities().len())?;
        let mut sep = "";
        for c in instance.capacities() {
            write!(f, "{sep}{c}")?;
            sep = " ";
        }
        writeln!(f)?;
        writeln!(f, "{}", instance.edges().len())?;
        for e in instance.edges() {
            writeln!(f, "{} {} {}", e.request, e.referent, e.cost)?;
        }
        Ok(())
    }
}
