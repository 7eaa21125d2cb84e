//! Tokens of the text format: decimal numbers, header lines, and the
//! error that names the line where they go wrong.

use thiserror::Error;

/// What is wrong with an instance text, and on which line.
///
/// ```
/// let err = passerelle_matching_instances::parse("1 1\n1\n1\n0 5 3\n").unwrap_err();
/// assert_eq!(err.line, 4);
/// assert_eq!(err.to_string(), "line 4: referent 5 out of range (K = 1)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {problem}")]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong on that line.
    pub problem: String,
}

pub(crate) fn parse_err(line: usize, problem: impl Into<String>) -> ParseError {
    ParseError {
        line,
        problem: problem.into(),
    }
}

pub(crate) fn bad_token(line: usize, token: &[u8]) -> ParseError {
    let shown: String = String::from_utf8_lossy(token).chars().take(20).collect();
    parse_err(
        line,
        format!("`{shown}` is not a non-negative integer below 2^64"),
    )
}

/// Reads the header lines one at a time.
pub(crate) struct Cursor<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Cursor<'a> {
    /// The next line, without its line end.
    pub(crate) fn line(&mut self, line: usize, what: &str) -> Result<&'a [u8], ParseError> {
        if self.pos >= self.bytes.len() {
            return Err(parse_err(
                line,
                format!("expected {what}, found end of input"),
            ));
        }
        let rest = &self.bytes[self.pos..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.pos += (end + 1).min(rest.len());
        Ok(&rest[..end])
    }
}

/// Parses a decimal `u64`; `None` if empty, not digits, or too large.
pub(crate) fn number(token: &[u8]) -> Option<u64> {
    if token.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in token {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

pub(crate) fn numbers<const N: usize>(
    line: &[u8],
    line_no: usize,
    what: &str,
) -> Result<[u64; N], ParseError> {
    let mut out = [0u64; N];
    let mut n = 0;
    for token in line.split(|b| b.is_ascii_whitespace()) {
        if token.is_empty() {
            continue;
        }
        if n == N {
            return Err(parse_err(line_no, format!("expected {what}, found more")));
        }
        out[n] = number(token).ok_or_else(|| bad_token(line_no, token))?;
        n += 1;
    }
    if n < N {
        return Err(parse_err(line_no, format!("expected {what}")));
    }
    Ok(out)
}
